from django.conf import settings


def site(request):
    return {
        "large_type": getattr(request, "large_type", False),
        "demo_mode": settings.GOVHALL_DEMO,
    }
