"""The catalog's staff pages: items, guide drafts and publishing, versions, the
negative list, stationing and search synonyms. Doors only: forms parse, the
services decide, and a refusal is shown next to the field it names (HTTP 400,
nothing changed) or as a 403 page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from govhall.core.errors import DomainError, Refused

from . import forms as f
from . import selectors, services
from .models import Guide, NegativeListEntry, ServiceItem, Synonym
from .views import _admin_district, _refused


def _admin(request):
    """The district `request.user` keeps the catalog of, or a Refused."""
    return _admin_district(request.user)


def _editable_item(request, pk: int) -> ServiceItem:
    item = get_object_or_404(ServiceItem.objects.select_related("center", "department", "district"), pk=pk)
    if not services.can_draft(request.user, item):
        raise Refused("只有区政务办或该事项所在分中心的负责人可以编辑办事指南。")
    return item


# --- items --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request):
    try:
        district = _admin(request)
    except Refused as exc:
        return _refused(request, exc)
    form = f.ItemForm(request.POST or None, district=district)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.item_create(
                by=request.user,
                district=district,
                **{
                    k: data[k]
                    for k in (
                        "code",
                        "name",
                        "catalog_code",
                        "item_type",
                        "serving",
                        "department",
                        "legal_basis",
                        "level",
                        "keywords",
                    )
                },
                themes=list(data["themes"]),
            )
        except DomainError as exc:
            f.show_domain_error(form, exc)
        else:
            return redirect("catalog:staff_item", pk=item.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "catalog/staff_item_form.html", {"form": form, "item": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk: int):
    """An item's page: its list fields (the district office edits them), its
    hall (stationing), its guide and versions."""
    try:
        item = _editable_item(request, pk)
    except Refused as exc:
        return _refused(request, exc)
    is_admin = services.is_catalog_admin(request.user, item.district)
    initial = {
        k: getattr(item, k)
        for k in (
            "code",
            "name",
            "catalog_code",
            "item_type",
            "serving",
            "department",
            "legal_basis",
            "level",
            "keywords",
            "is_active",
        )
    }
    initial["themes"] = list(item.themes.all())
    posted = request.method == "POST" and request.POST.get("action") == "item"
    form = f.ItemForm(request.POST if posted else None, initial=initial, district=item.district, editing=True)
    station_posted = request.method == "POST" and request.POST.get("action") == "station"
    station = f.StationForm(
        request.POST if station_posted else None, initial={"center": item.center}, district=item.district
    )
    status = 200
    if request.method == "POST":
        if not is_admin:
            return _refused(request, Refused("只有区政务办可以修改事项或调整进驻。"))
        status = 400
        if posted and form.is_valid():
            data = form.cleaned_data
            try:
                services.item_update(
                    by=request.user,
                    item=item,
                    themes=list(data["themes"]),
                    **{
                        k: data[k]
                        for k in (
                            "name",
                            "catalog_code",
                            "item_type",
                            "serving",
                            "department",
                            "legal_basis",
                            "level",
                            "keywords",
                            "is_active",
                        )
                    },
                )
            except DomainError as exc:
                f.show_domain_error(form, exc)
            else:
                return redirect("catalog:staff_item", pk=item.pk)
        elif station_posted and station.is_valid():
            try:
                services.item_station(by=request.user, item=item, center=station.cleaned_data["center"])
            except DomainError as exc:
                f.show_domain_error(station, exc)
            else:
                return redirect("catalog:staff_item", pk=item.pk)
    return render(
        request,
        "catalog/staff_item_form.html",
        {
            "form": form,
            "station": station,
            "item": item,
            "is_admin": is_admin,
            "entry": services.active_entry(item),
            "draft": item.guides.filter(status=Guide.Status.DRAFT).first(),
            "current": item.guides.published().first(),
        },
        status=status,
    )


# --- guides -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def guide_edit(request, pk: int):
    """The draft of an item's guide: every field, materials, fees or 不收费, FAQ;
    saving makes the draft (the next version) if there is none; 发布 publishes it."""
    try:
        item = _editable_item(request, pk)
    except Refused as exc:
        return _refused(request, exc)
    draft = item.guides.filter(status=Guide.Status.DRAFT).first()
    source = draft or item.guides.published().first()
    status, missing, top_errors = 200, {}, []
    if request.method == "POST":
        status = 400
        form = f.GuideForm(request.POST)
        materials_shown, materials, material_error = f.material_rows(request.POST)
        fees = f.posted_rows(request.POST, "fees", f.FEE_COLUMNS)
        faq = f.posted_rows(request.POST, "faq", f.FAQ_COLUMNS)
        if material_error:
            form.add_error(None, material_error)
        if form.is_valid() and not material_error:
            try:
                services.guide_save_draft(
                    by=request.user,
                    item=item,
                    fields={**form.guide_fields(), "faq": faq},
                    materials=materials,
                    fees=fees,
                    no_fee=form.cleaned_data["no_fee"],
                )
            except DomainError as exc:
                if exc.field in ("materials", "fees", "faq"):
                    missing[exc.field] = exc.message
                    form.add_error(None, exc.message)
                else:
                    f.show_domain_error(form, exc)
            else:
                return redirect("catalog:staff_guide", pk=item.pk)
        materials_rows = materials_shown
    else:
        form = f.GuideForm(initial=_guide_initial(source))
        materials_rows, fees, faq = (
            f.material_rows_of(source),
            f.fee_rows_of(source),
            list(source.faq if source else []),
        )
    return _render_guide(
        request,
        item,
        form,
        materials_rows,
        fees,
        faq,
        draft=draft,
        missing=missing,
        top_errors=top_errors,
        status=status,
    )


def _guide_initial(guide: Guide | None) -> dict:
    if guide is None:
        return {}
    initial = {name: getattr(guide, name) for name in f.GuideForm.FIELDS}
    initial["steps"] = "\n".join(guide.steps or [])
    initial["no_fee"] = guide.no_fee
    return initial


def _render_guide(request, item, form, materials, fees, faq, *, draft, missing, top_errors, status):
    blank = {"form": "original", "copies": 1, "required": True}
    return render(
        request,
        "catalog/staff_guide_form.html",
        {
            "item": item,
            "form": form,
            "draft": draft,
            "current": item.guides.published().first(),
            "fields": [(form[name], missing.get(name)) for name in form.fields],
            "materials": [*materials, blank, blank],
            "fees": [*fees, {}],
            "faq": [*faq, {}],
            "material_forms": f.MATERIAL_FORMS,
            "missing": missing,
            "top_errors": top_errors,
            "is_admin": services.is_catalog_admin(request.user, item.district),
        },
        status=status,
    )


@login_required
@require_POST
def guide_publish(request, pk: int):
    """发布: the district office publishes the saved draft; an incomplete one is
    refused with every missing element named, and nothing changes."""
    item = get_object_or_404(ServiceItem, pk=pk)
    draft = item.guides.filter(status=Guide.Status.DRAFT).first()
    try:
        if not services.is_catalog_admin(request.user, item.district):
            raise Refused("只有区政务办可以发布办事指南。")
        if draft is None:
            raise DomainError("没有待发布的草稿，请先保存草稿。")
        services.guide_publish(by=request.user, guide=draft)
    except Refused as exc:
        return _refused(request, exc)
    except DomainError as exc:
        missing = {k: f"缺少{v}" for k, v in services.guide_missing_fields(draft).items()} if draft else {}
        form = f.GuideForm(initial=_guide_initial(draft))
        for name in missing:
            if name in form.fields:
                form.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"id_{name}-error"}
                )
        return _render_guide(
            request,
            item,
            form,
            f.material_rows_of(draft),
            f.fee_rows_of(draft),
            list(draft.faq if draft else []),
            draft=draft,
            missing=missing,
            top_errors=[exc.message],
            status=400,
        )
    return redirect("catalog:staff_versions", pk=item.pk)


@login_required
def guide_versions(request, pk: int):
    try:
        item = _editable_item(request, pk)
    except Refused as exc:
        return _refused(request, exc)
    return render(
        request,
        "catalog/staff_versions.html",
        {
            "item": item,
            "versions": item.guides.select_related("published_by", "drafted_by").order_by("-version"),
        },
    )


@login_required
def guide_version(request, pk: int, version: int):
    try:
        item = _editable_item(request, pk)
    except Refused as exc:
        return _refused(request, exc)
    guide = selectors.guide_with_details(get_object_or_404(Guide, item=item, version=version))
    return render(
        request,
        "catalog/staff_version.html",
        {"item": item, "guide": guide, "missing": services.guide_missing(guide)},
    )


# --- the negative list ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def negative_list(request):
    try:
        district = _admin(request)
    except Refused as exc:
        return _refused(request, exc)
    form = f.NegativeEntryForm(request.POST or None, district=district)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.negative_entry_create(by=request.user, **form.cleaned_data)
            except DomainError as exc:
                f.show_domain_error(form, exc)
            else:
                return redirect("catalog:staff_negative")
    entries = (
        NegativeListEntry.objects.filter(item__district=district)
        .select_related("item", "center")
        .order_by("-is_active", "center__code", "item__name")
    )
    return render(
        request,
        "catalog/staff_negative.html",
        {"form": form, "entries": entries, "error": None},
        status=status,
    )


@login_required
@require_POST
def negative_revoke(request, pk: int):
    try:
        district = _admin(request)
    except Refused as exc:
        return _refused(request, exc)
    entry = get_object_or_404(NegativeListEntry, pk=pk, item__district=district)
    try:
        services.negative_entry_revoke(by=request.user, entry=entry)
    except DomainError as exc:
        entries = (
            NegativeListEntry.objects.filter(item__district=district)
            .select_related("item", "center")
            .order_by("-is_active", "center__code", "item__name")
        )
        return render(
            request,
            "catalog/staff_negative.html",
            {
                "form": f.NegativeEntryForm(district=district),
                "entries": entries,
                "error": exc.message,
                "error_entry": entry.pk,
            },
            status=exc.status,
        )
    return redirect("catalog:staff_negative")


# --- synonyms ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def synonyms(request, pk: int | None = None):
    """The search synonyms: list and add; with `pk`, edit one."""
    try:
        district = _admin(request)
    except Refused as exc:
        return _refused(request, exc)
    synonym = get_object_or_404(Synonym, pk=pk) if pk else None
    initial = {"word": synonym.word, "expansions": synonym.expansions} if synonym else None
    form = f.SynonymForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.synonym_set(by=request.user, district=district, synonym=synonym, **form.cleaned_data)
            except DomainError as exc:
                f.show_domain_error(form, exc)
            else:
                return redirect("catalog:staff_synonyms")
    return render(
        request,
        "catalog/staff_synonyms.html",
        {"form": form, "synonym": synonym, "synonyms": Synonym.objects.order_by("word")},
        status=status,
    )


@login_required
@require_POST
def synonym_delete(request, pk: int):
    try:
        district = _admin(request)
    except Refused as exc:
        return _refused(request, exc)
    services.synonym_delete(by=request.user, district=district, synonym=get_object_or_404(Synonym, pk=pk))
    return redirect("catalog:staff_synonyms")
