"""网上办事 (issue 17): the items a citizen may apply for online, each linking to `/apply/<code>/`."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from govhall.catalog.models import ServiceItem

PER_PAGE = 30


@require_GET
def online_items(request):
    """Active items with a published guide (an online application follows its materials)."""
    qs = (
        ServiceItem.objects.filter(is_active=True, current_guide__isnull=False)
        .select_related("center", "department")
        .order_by("center__kind", "center__code", "name", "id")
    )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "cases/online_items.html", {"page": page, "rows": list(page.object_list)})
