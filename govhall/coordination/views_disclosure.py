"""公示公开 (issue 18, part 5): a hall's public page of its mechanisms, chief
representatives, complaint channels, hours and month's figures — all generated
from the records; printable for the notice board."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from govhall.centers.models import Center
from govhall.centers.selectors import PUBLIC_STATUSES, center_public_get, centers_public
from govhall.core.errors import NotFound

from . import selectors


def public_center(code: str) -> Center:
    center = center_public_get(code)
    if center is None or center.status not in PUBLIC_STATUSES:
        raise NotFound("没有找到该中心。")
    return center


@require_GET
def disclosure(request, code: str):
    center = public_center(code)
    data = selectors.disclosure(center, month=request.GET.get("month"))
    return render(request, "coordination/disclosure_center.html", {"d": data, "center_obj": center})


@require_GET
def disclosure_index(request):
    return render(request, "coordination/disclosure_index.html", {"centers": centers_public()})
