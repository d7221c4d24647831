from django.http import Http404
from django.shortcuts import render

from . import selectors
from .models import Center
from .today import hall_today

ITEMS_SHOWN = 12


def home(request):
    """Every hall of the district: where, when, how to call, what it offers."""
    q = request.GET.get("q", "")
    centers = selectors.center_search(selectors.centers_public(), q)
    rows = [{"center": c, "hours": selectors.hours_summary(c)} for c in centers]
    return render(request, "centers/public_home.html", {"rows": rows, "q": q})


def center_detail(request, code: str):
    center = selectors.center_public_get(code)
    if center is None or center.status not in selectors.PUBLIC_STATUSES + ["merged"]:
        raise Http404("没有找到该中心。")
    return render(
        request,
        "centers/public_center.html",
        {
            "center": center,
            "hours": selectors.hours_summary(center),
            "exceptions": center.hours_exceptions.order_by("date")[:10],
            "today": hall_today(center),
            # its items (the catalog's rows, read through the reverse relation: catalog sits above centers)
            "items": list(center.service_items.filter(is_active=True).order_by("name")[: ITEMS_SHOWN + 1]),
            "items_shown": ITEMS_SHOWN,
            "active": center.status == Center.Status.ACTIVE,
        },
    )
