from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .cache import shared_cache_state


@require_GET
def healthz(request):
    """200 once the database answers (503 otherwise, within the 3 s connect
    timeout); Redis is reported beside it: "degraded" when it is configured and
    not answering — boards fall back to polling and caches to the database."""
    redis = shared_cache_state()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any database failure is "not healthy"
        return JsonResponse(
            {"status": "error", "database": "unavailable", "detail": type(exc).__name__, "redis": redis},
            status=503,
        )
    status = "degraded" if redis == "degraded" else "ok"
    return JsonResponse({"status": status, "database": connection.vendor, "redis": redis})
