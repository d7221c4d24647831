from django.http import Http404
from django.shortcuts import render

from govhall.core import public_cache
from govhall.core.page_cache import public_page

from . import selectors
from .models import Center
from .today import hall_today

ITEMS_SHOWN = 12


def _home_rows(q: str) -> list[dict]:
    centers = selectors.center_search(selectors.centers_public(), q)
    return [{"center": c, "hours": selectors.hours_summary(c)} for c in centers]


@public_page()
def home(request):
    """Every hall of the district: where, when, how to call, what it offers
    (cached until a hall or the catalog changes: core/public_cache.py)."""
    q = request.GET.get("q", "")[:60]
    rows = public_cache.cached(f"centers:home:{q}", lambda: _home_rows(q), request=request)
    return render(request, "centers/public_home.html", {"rows": rows, "q": q})


def _center_bundle(code: str) -> dict | None:
    center = selectors.center_public_get(code)
    if center is None:
        return None
    return {
        "center": center,
        "hours": selectors.hours_summary(center),
        "exceptions": list(center.hours_exceptions.order_by("date")[:10]),
        # its items (the catalog's rows, read through the reverse relation: catalog sits above
        # centers); an item's change bumps the public version like a hall's
        "items": list(
            center.service_items.filter(is_active=True).order_by("name_pinyin", "name")[: ITEMS_SHOWN + 1]
        ),
    }


def _center_bundle_of(request, code: str) -> dict | None:
    return public_cache.cached(f"centers:center:{code}", lambda: _center_bundle(code), request=request)


def _center_now(request, code: str) -> str:
    """What the page shows beside the public version: the hall open or closed right now
    (read from the hall's row alone, kept under the version, not the page's whole bundle)."""
    center = public_cache.cached(
        f"centers:row:{code}", lambda: selectors.center_public_get(code), request=request
    )
    return hall_today(center, request=request).text if center else ""


@public_page(vary=_center_now)
def center_detail(request, code: str):
    bundle = _center_bundle_of(request, code)
    if bundle is None or bundle["center"].status not in selectors.PUBLIC_STATUSES + ["merged"]:
        raise Http404("没有找到该中心。")
    center = bundle["center"]
    return render(
        request,
        "centers/public_center.html",
        {
            **bundle,
            "today": hall_today(center, request=request),  # open or closed now: never cached
            "items_shown": ITEMS_SHOWN,
            "active": center.status == Center.Status.ACTIVE,
        },
    )
