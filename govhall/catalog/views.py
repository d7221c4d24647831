"""Public pages of the catalog (search, browse, guide, PDF, QR, negative list,
a branch's items) and the district office's catalog pages (completeness,
Excel import and export). Doors only: selectors read, services decide."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from govhall.centers.models import Center, Department
from govhall.centers.selectors import center_public_get, centers_public
from govhall.centers.today import hall_today
from govhall.core.page_errors import errors_show_on

from . import excel, pdf, permissions, selectors
from .extensions import item_places, satisfaction_of
from .forms import ImportForm
from .models import ServiceItem, Theme

PER_PAGE = 20


def _filters(request) -> dict:
    return {k: request.GET.get(k, "").strip()[:40] for k in ("q", "center", "department", "serving", "theme")}


def items_list(request):
    """Search and browse: by center, department, serving party and theme."""
    f = _filters(request)
    page_no = request.GET.get("page")  # get_page turns a bad or too large number into a page that exists
    page: Page[Any]
    result = None
    if f["q"]:
        scope = selectors.items_search_scope(
            center=f["center"], department=f["department"], serving=f["serving"], theme=f["theme"]
        )
        result = selectors.search_item_ids(f["q"], base=scope)
        page = Paginator(result.ids, PER_PAGE).get_page(page_no)
        found = {i.id: i for i in selectors.items_public().filter(pk__in=list(page.object_list))}
        rows = [found[i] for i in page.object_list if i in found]
    else:
        base = selectors.items_filtered(
            center=f["center"], department=f["department"], serving=f["serving"], theme=f["theme"]
        )
        page = Paginator(base.order_by("center__kind", "center__code", "name", "id"), PER_PAGE).get_page(
            page_no
        )
        rows = list(page.object_list)
    return render(
        request,
        "catalog/items_list.html",
        {
            "f": f,
            "rows": rows,
            "page": page,
            "result": result,
            "centers": centers_public().exclude(kind=Center.Kind.TOWN),
            "departments": Department.objects.filter(service_items__is_active=True)
            .distinct()
            .order_by("name"),
            "themes": Theme.objects.all(),
            "servings": ServiceItem.Serving.choices,
        },
    )


def _item_or_404(key: str) -> ServiceItem:
    item = selectors.item_get(key)
    if item is None:
        raise Http404("没有找到该事项。")
    return item


def _guide_for(item: ServiceItem, version: str | None):
    if version:
        if not version.isdigit():
            raise Http404("没有该版本。")
        guide = selectors.guide_version_get(item, int(version))
        if guide is None:
            raise Http404("没有该版本。")
        return guide
    return selectors.guide_current(item)


def item_detail(request, key: str):
    """The public guide of an item: prints on A4, downloads as PDF, opens on a phone by QR."""
    item = _item_or_404(key)
    guide = _guide_for(item, request.GET.get("version"))
    entry = selectors.negative_list().filter(item=item).first()
    places = item_places(item)
    return render(
        request,
        "catalog/item_detail.html",
        {
            "item": item,
            "guide": guide,
            "entry": entry,
            "places": places,
            "halls": _halls_of(places),
            "any_bookable": any(p.bookable for p in places),
            "any_queue": any(p.queues for p in places),
            # 在线申报 needs the published guide (the application follows its materials)
            "online": item.current_guide_id is not None,
            "satisfaction": satisfaction_of(item),
            "versions": selectors.guide_versions(item),
            "guide_url": request.build_absolute_uri(reverse("catalog:item", args=[item.code])),
        },
    )


def _halls_of(places) -> list[dict[str, Any]]:
    """到哪里办: each hall of the item with its address, phone and state today (issue 17)."""
    centers = {c.code: c for c in Center.objects.filter(code__in=[p.center_code for p in places])}
    return [
        {"place": p, "center": centers[p.center_code], "today": hall_today(centers[p.center_code])}
        for p in places
        if p.center_code in centers
    ]


def item_pdf(request, key: str):
    item = _item_or_404(key)
    guide = _guide_for(item, request.GET.get("version"))
    if guide is None:
        raise Http404("该事项尚未发布办事指南。")
    url = request.build_absolute_uri(reverse("catalog:item", args=[item.code]))
    response = HttpResponse(pdf.guide_pdf(item, guide, url=url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="guide-{item.code}-v{guide.version}.pdf"'
    return response


def item_qr(request, key: str):
    import io

    import segno

    item = _item_or_404(key)
    url = request.build_absolute_uri(reverse("catalog:item", args=[item.code]))
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2, title=f"{item.name}办事指南二维码")
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


def negative_list_page(request):
    entries = list(selectors.negative_list())
    return render(request, "catalog/negative_list.html", {"entries": entries})


def center_items(request, code: str):
    center = center_public_get(code)
    if center is None:
        raise Http404("没有找到该中心。")
    # A town center with no items is a page that says so (issue 17), never a 404.
    return render(
        request, "catalog/center_items.html", {"center": center, "rows": selectors.center_items(center)}
    )


# --- the district office ------------------------------------------------------------------


@login_required
def staff_catalog(request):
    district = permissions.district_kept_by(request.user)
    rows = selectors.completeness_report(district=district)
    incomplete = [r for r in rows if not r.complete]
    return render(
        request,
        "catalog/staff_list.html",
        {"rows": rows, "incomplete": len(incomplete), "district": district},
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_import(request):
    """Import the catalog from Excel: every problem of the file is listed by row
    and column (HTTP 400, nothing imported), or every row is imported."""
    district = permissions.district_kept_by(request.user)
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    ctx = {"district": district, "form": form, "done": None}
    if posted and form.is_valid():
        errors_show_on(request, "catalog/staff_import.html", ctx, form=form)
        data = form.cleaned_data["file"].read()
        ctx["done"] = excel.import_catalog(by=request.user, district=district, data=data)
    return render(request, "catalog/staff_import.html", ctx, status=400 if form.errors else 200)


@login_required
def staff_export_xlsx(request):
    district = permissions.district_kept_by(request.user)
    response = HttpResponse(
        excel.export_catalog(district=district),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="catalog.xlsx"'
    return response


@login_required
def staff_export_json(request):
    district = permissions.district_kept_by(request.user)
    body = json.dumps(excel.national_json(district=district), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="catalog-national.json"'
    return response
