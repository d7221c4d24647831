"""Public pages of the catalog (search, browse, guide, PDF, QR, negative list,
a branch's items) and the district office's catalog pages (completeness,
Excel import and export). Doors only: selectors read, services decide."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import condition, require_http_methods

from govhall.centers.models import Center, Department
from govhall.centers.selectors import center_public_get, centers_public
from govhall.centers.today import hall_today
from govhall.core import public_cache
from govhall.core.page_cache import public_page
from govhall.core.page_errors import errors_show_on

from . import excel, pdf, permissions, selectors
from .extensions import item_places, satisfaction_of
from .forms import ImportForm
from .models import ServiceItem, Theme

PER_PAGE = 20


def _filters(request) -> dict:
    return {k: request.GET.get(k, "").strip()[:40] for k in ("q", "center", "department", "serving", "theme")}


def _list_choices() -> dict[str, Any]:
    return {
        "centers": list(centers_public().exclude(kind=Center.Kind.TOWN)),
        "departments": list(
            Department.objects.filter(service_items__is_active=True).distinct().order_by("name")
        ),
        "themes": list(Theme.objects.all()),
    }


def _listing(f: dict[str, str]) -> tuple[selectors.SearchResult | None, list[int]]:
    """The ids a search or a browse lists, in order (what is the same for everyone)."""
    if f["q"]:
        scope = selectors.items_search_scope(
            center=f["center"], department=f["department"], serving=f["serving"], theme=f["theme"]
        )
        result = selectors.search_item_ids(f["q"], base=scope)
        return result, result.ids
    base = selectors.items_filtered(
        center=f["center"], department=f["department"], serving=f["serving"], theme=f["theme"]
    )
    return None, list(
        base.order_by("center__kind", "center__code", "name_pinyin", "id").values_list("pk", flat=True)
    )


def _rows(ids: list[int]) -> list[ServiceItem]:
    found = {i.id: i for i in selectors.items_public().filter(pk__in=ids)}
    return [found[i] for i in ids if i in found]


@public_page()
def items_list(request):
    """Search and browse: by center, department, serving party and theme. The ranked
    ids, each page's items and the filter choices are cached until the catalog changes."""
    f = _filters(request)
    key = "|".join(f"{k}={v}" for k, v in sorted(f.items()))
    result, ids = public_cache.cached(f"catalog:listing:{key}", lambda: _listing(f), request=request)
    # get_page turns a bad or too large number into a page that exists
    page: Page[Any] = Paginator(ids, PER_PAGE).get_page(request.GET.get("page"))
    page_ids = list(page.object_list)
    rows = public_cache.cached(
        f"catalog:rows:{','.join(map(str, page_ids))}", lambda: _rows(page_ids), request=request
    )
    return render(
        request,
        "catalog/items_list.html",
        {
            "f": f,
            "rows": rows,
            "page": page,
            "result": result,
            "servings": ServiceItem.Serving.choices,
            **public_cache.cached("catalog:list-choices", _list_choices, request=request),
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


def _guide_bundle(key: str, version: str | None) -> dict[str, Any] | None:
    """The item, the guide shown (current or `version`), its negative-list entry and
    versions: what the guide page shows the same to everyone (None: no such item)."""
    item = selectors.item_get(key)
    if item is None:
        return None
    if version and not version.isdigit():
        return {"item": item, "guide": None, "missing_version": True}
    guide = selectors.guide_version_get(item, int(version)) if version else selectors.guide_current(item)
    return {
        "item": item,
        "guide": guide,
        "missing_version": bool(version) and guide is None,
        "entry": selectors.negative_list().filter(item=item).first(),
        "versions": list(selectors.guide_versions(item)),
    }


def _guide_live(request, key: str) -> dict[str, Any]:
    """What the guide shows beside the catalog's own rows, read once a request (the ETag,
    the kept page's key and the page share it): the halls' windows (kept under the public
    version: queueing bumps it when its register changes; the bookable flag is today's),
    each hall's state today and the item's satisfaction (feedback's, read live)."""
    found = getattr(request, "_guide_live", None)
    if found is None:
        item = public_cache.cached(f"catalog:item:{key}", lambda: selectors.item_get(key), request=request)
        if item is None:
            raise Http404("没有找到该事项。")
        places = public_cache.cached(
            f"catalog:places:{item.pk}:{timezone.localdate()}", lambda: item_places(item), request=request
        )
        found = {
            "item": item,
            "places": places,
            "halls": _halls_of(places, request),  # 到哪里办, with each hall's state today
            # kept until a rating is given (the ratings' own number) or the day turns (12 months back)
            "satisfaction": public_cache.cached(
                f"catalog:satisfaction:{item.pk}:{timezone.localdate()}:"
                f"{public_cache.version(request, public_cache.RATINGS)}",
                lambda: satisfaction_of(item),
                request=request,
            ),
        }
        request._guide_live = found
    return found


def _guide_page(request, key: str) -> dict[str, Any]:
    """Everything the page renders: the catalog's rows (kept under the public version) and the live part."""
    version = request.GET.get("version")
    bundle = public_cache.cached(
        f"catalog:guide:{key}:{version or ''}", lambda: _guide_bundle(key, version), request=request
    )
    if bundle is None:
        raise Http404("没有找到该事项。")
    if bundle["missing_version"]:
        raise Http404("没有该版本。")
    return {**bundle, **_guide_live(request, key)}


def _guide_etag(request, key: str) -> str:
    """Everything the page depends on: the catalog's version, the item's places and
    satisfaction, who asks (the header shows a name) and large type."""
    live = _guide_live(request, key)
    parts = [
        str(public_cache.version(request)),
        key,
        request.GET.get("version") or "",
        repr(live["places"]),
        repr([h["today"] for h in live["halls"]]),
        repr(live["satisfaction"]),
        str(request.user.pk if request.user.is_authenticated else 0),
        "large" if getattr(request, "large_type", False) else "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@public_page(vary=_guide_etag)
@condition(etag_func=_guide_etag)
def item_detail(request, key: str):
    """The public guide of an item: prints on A4, downloads as PDF, opens on a phone by QR.
    Answers 304 to a browser that has this very page (ETag)."""
    page = _guide_page(request, key)
    item = page["item"]
    places = page["places"]
    response = render(
        request,
        "catalog/item_detail.html",
        {
            **page,
            "any_bookable": any(p.bookable for p in places),
            "any_queue": any(p.queues for p in places),
            # 在线申报 needs the published guide (the application follows its materials)
            "online": item.current_guide_id is not None,
            "guide_url": request.build_absolute_uri(reverse("catalog:item", args=[item.code])),
        },
    )
    response["Cache-Control"] = "private, no-cache"
    return response


def _halls_of(places, request) -> list[dict[str, Any]]:
    """到哪里办: each hall of the item with its address, phone and state today (issue 17)."""
    codes = sorted(p.center_code for p in places)
    centers = public_cache.cached(
        f"catalog:halls:{','.join(codes)}",
        lambda: {c.code: c for c in Center.objects.filter(code__in=codes)},
        request=request,
    )
    return [
        {
            "place": p,
            "center": centers[p.center_code],
            "today": hall_today(centers[p.center_code], request=request),
        }
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


STAFF_PER_PAGE = 50


def _staff_filters(request) -> dict[str, str]:
    keys = ("q", "department", "item_type", "center", "status", "sort")
    return {k: request.GET.get(k, "").strip()[:40] for k in keys}


@login_required
def staff_catalog(request):
    """The district's items: searched (name, pinyin, initials or code), filtered by
    department, type, hall and status, sorted, 50 a page; each with what its guide lacks."""
    district = permissions.district_kept_by(request.user)
    f = _staff_filters(request)
    listing, shown = selectors.staff_items(district=district, **f)
    page: Page[Any] = Paginator(listing, STAFF_PER_PAGE).get_page(request.GET.get("page"))
    if isinstance(listing, list):
        found = {i.pk: i for i in shown.filter(pk__in=list(page.object_list))}
        items = [found[i] for i in page.object_list if i in found]
    else:
        items = list(page.object_list)
    return render(
        request,
        "catalog/staff_list.html",
        {
            "f": f,
            "page": page,
            "rows": selectors.staff_rows(items),
            "incomplete": selectors.staff_incomplete_count(district),
            "district": district,
            "departments": Department.objects.filter(district=district).order_by("name"),
            "centers": Center.objects.filter(district=district).order_by("kind", "code"),
            "types": ServiceItem.Type.choices,
            "statuses": selectors.STAFF_STATUSES.items(),
            "sorts": [
                ("", "按相关度或名称（拼音）"),
                ("name", "名称（拼音）"),
                ("-name", "名称（拼音倒序）"),
                ("code", "实施编码"),
                ("department", "实施部门"),
                ("center", "办理中心"),
                ("updated", "最近修改"),
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_import(request):
    """Import the catalog from Excel in the background: the upload is queued and
    the page of its run follows the progress, then shows every row's outcome or
    every problem by row and column (nothing imported then)."""
    district = permissions.district_kept_by(request.user)
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    ctx = {"district": district, "form": form, "runs": excel.import_runs_of(district)[:10]}
    if posted and form.is_valid():
        errors_show_on(request, "catalog/staff_import.html", ctx, form=form)
        upload = form.cleaned_data["file"]
        run = excel.import_start(
            by=request.user, district=district, data=upload.read(), file_name=upload.name
        )
        return redirect("catalog:staff_import_run", pk=run.pk)
    return render(request, "catalog/staff_import.html", ctx, status=400 if form.errors else 200)


@login_required
def staff_import_run(request, pk: int):
    """One import: a progress bar polled by htmx (the fragment alone), then its result."""
    district = permissions.district_kept_by(request.user)
    run = get_object_or_404(excel.import_runs_of(district).defer(None).defer("data"), pk=pk)
    ctx = {"run": run, "district": district}
    if request.headers.get("HX-Request"):
        return render(request, "catalog/_staff_import_run.html", ctx)
    return render(request, "catalog/staff_import_run.html", ctx)


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
