"""The catalog's staff pages: items, guide drafts and publishing, versions, the
negative list, stationing and search synonyms. Doors only: forms parse, the
services decide; a refusal is answered by the page door (`core.page_errors`):
next to the field it names (HTTP 400, nothing changed), a 403 page, or a 404
for another hall's item."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from govhall.centers.models import District
from govhall.core.errors import DomainError, Refused
from govhall.core.page_errors import errors_show_on

from . import forms as f
from . import permissions, selectors, services
from .extensions import item_places
from .models import Guide, NegativeListEntry, ServiceItem, Synonym

# What the item form edits besides its code and 在用 (services.ITEM_FIELDS is what may change).
ITEM_FIELDS = tuple(name for name in services.ITEM_FIELDS if name != "is_active")


def _item(request, pk: int, action: str = permissions.DRAFT, refused: str | None = None) -> ServiceItem:
    """The item `pk` if `request.user` may do `action` to it: 404 for another
    hall's item, 403 for a role that may not."""
    item = get_object_or_404(ServiceItem.objects.select_related("center", "department", "district"), pk=pk)
    return permissions.access_item(request.user, item, action=action, refused=refused)


def _form_page(
    request,
    template: str,
    ctx: dict[str, Any],
    form: forms.Form,
    save: Callable[[dict[str, Any]], HttpResponse],
) -> HttpResponse:
    """The one shape of a staff form page: a valid post is saved by `save` (a
    refusal is shown on this page by the door, nothing saved); otherwise the page,
    400 after a post that did not parse."""
    if form.is_bound and form.is_valid():
        errors_show_on(request, template, ctx, form=form)
        return save(form.cleaned_data)
    return render(request, template, ctx, status=400 if form.is_bound else 200)


# --- items --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request):
    district = permissions.district_kept_by(request.user)
    form = f.ItemForm(request.POST if request.method == "POST" else None, district=district)

    def save(data: dict[str, Any]) -> HttpResponse:
        item = services.item_create(
            by=request.user,
            district=district,
            code=data["code"],
            themes=list(data["themes"]),
            **{k: data[k] for k in ITEM_FIELDS},
        )
        return redirect("catalog:staff_item", pk=item.pk)

    return _form_page(request, "catalog/staff_item_form.html", {"form": form, "item": None}, form, save)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk: int):
    """An item's page: its list fields (the district office edits them), its
    hall (stationing), its guide and versions."""
    item = _item(request, pk)
    is_admin = permissions.may_item(request.user, item, action=permissions.KEEP)
    action = request.POST.get("action") if request.method == "POST" else None
    initial: dict[str, Any] = {k: getattr(item, k) for k in (*ITEM_FIELDS, "code", "is_active")}
    initial["themes"] = list(item.themes.all())
    form = f.ItemForm(
        request.POST if action == "item" else None, initial=initial, district=item.district, editing=True
    )
    station = f.StationForm(
        request.POST if action == "station" else None, initial={"center": item.center}, district=item.district
    )
    ctx = {
        "form": form,
        "station": station,
        "item": item,
        "is_admin": is_admin,
        "entry": selectors.active_entry(item),
        "draft": selectors.guide_draft_of(item),
        "current": selectors.guide_published_of(item),
    }
    if request.method == "POST":
        if not is_admin:
            raise Refused("只有区政务办可以修改事项或调整进驻。")
        if action == "item" and form.is_valid():
            errors_show_on(request, "catalog/staff_item_form.html", ctx, form=form)
            data = form.cleaned_data
            services.item_update(
                by=request.user,
                item=item,
                themes=list(data["themes"]),
                is_active=data["is_active"],
                **{k: data[k] for k in ITEM_FIELDS},
            )
            return redirect("catalog:staff_item", pk=item.pk)
        if action == "station" and station.is_valid():
            errors_show_on(request, "catalog/staff_item_form.html", ctx, form=station)
            services.item_station(by=request.user, item=item, center=station.cleaned_data["center"])
            return redirect("catalog:staff_item", pk=item.pk)
    return render(
        request, "catalog/staff_item_form.html", ctx, status=400 if request.method == "POST" else 200
    )


# --- guides -------------------------------------------------------------------------------


def _guide_context(request, item: ServiceItem, form: f.GuideForm, draft: Guide | None) -> dict[str, Any]:
    """The guide page: the form with its tables (and blank rows to type into)."""
    blank = {"form": "original", "copies": 1, "required": True}
    return {
        "item": item,
        "form": form,
        "draft": draft,
        "current": selectors.guide_published_of(item),
        "materials": [*(form["materials"].value() or []), blank, blank],
        "fees": [*(form["fees"].value() or []), {}],
        "faq": [*(form["faq"].value() or []), {}],
        "material_forms": f.MATERIAL_FORMS,
        "material_head": f.MATERIAL_HEAD,
        "fee_head": f.FEE_HEAD,
        "is_admin": permissions.may_item(request.user, item, action=permissions.KEEP),
        "places": item_places(item),
    }


@login_required
@require_http_methods(["GET", "POST"])
def guide_edit(request, pk: int):
    """The draft of an item's guide: every field, materials, fees or 不收费, FAQ;
    saving makes the draft (the next version) if there is none; 发布 publishes it."""
    item = _item(request, pk)
    draft = selectors.guide_draft_of(item)
    source = draft or selectors.guide_published_of(item)
    form = f.GuideForm(
        request.POST if request.method == "POST" else None, initial=f.GuideForm.initial_of(source)
    )

    def save(data: dict[str, Any]) -> HttpResponse:
        services.guide_save_draft(
            by=request.user,
            item=item,
            fields=form.guide_fields(),
            materials=data["materials"],
            fees=data["fees"],
            no_fee=data["no_fee"],
        )
        return redirect("catalog:staff_guide", pk=item.pk)

    ctx = _guide_context(request, item, form, draft)
    return _form_page(request, "catalog/staff_guide_form.html", ctx, form, save)


@login_required
@require_POST
def guide_publish(request, pk: int):
    """发布: the district office publishes the saved draft; an incomplete one is
    refused with every missing element named at its field, and nothing changes."""
    item = _item(request, pk, permissions.KEEP, refused="只有区政务办可以发布办事指南。")
    draft = selectors.guide_draft_of(item)
    form = f.GuideForm(initial=f.GuideForm.initial_of(draft))
    errors_show_on(
        request, "catalog/staff_guide_form.html", _guide_context(request, item, form, draft), form=form
    )
    if draft is None:
        raise DomainError("没有待发布的草稿，请先保存草稿。")
    services.guide_publish(by=request.user, guide=draft)
    return redirect("catalog:staff_versions", pk=item.pk)


@login_required
def guide_versions(request, pk: int):
    item = _item(request, pk)
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
    item = _item(request, pk)
    guide = selectors.guide_with_details(get_object_or_404(Guide, item=item, version=version))
    return render(
        request,
        "catalog/staff_version.html",
        {
            "item": item,
            "guide": guide,
            "missing": selectors.guide_missing(guide) if guide else [],
            "places": item_places(item),
        },
    )


# --- the negative list ----------------------------------------------------------------------


def _negative_context(district: District, form: f.NegativeEntryForm) -> dict[str, Any]:
    return {"form": form, "entries": selectors.negative_entries_of(district)}


@login_required
@require_http_methods(["GET", "POST"])
def negative_list(request):
    district = permissions.district_kept_by(request.user)
    form = f.NegativeEntryForm(request.POST if request.method == "POST" else None, district=district)

    def save(data: dict[str, Any]) -> HttpResponse:
        services.negative_entry_create(by=request.user, **data)
        return redirect("catalog:staff_negative")

    return _form_page(request, "catalog/staff_negative.html", _negative_context(district, form), form, save)


@login_required
@require_POST
def negative_revoke(request, pk: int):
    """Revoke an entry; a refusal (the item is still at the branch) is shown on the list (409)."""
    district = permissions.district_kept_by(request.user)
    entry = get_object_or_404(NegativeListEntry, pk=pk, item__district=district)
    ctx = _negative_context(district, f.NegativeEntryForm(district=district))
    errors_show_on(request, "catalog/staff_negative.html", ctx)
    services.negative_entry_revoke(by=request.user, entry=entry)
    return redirect("catalog:staff_negative")


# --- synonyms ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def synonyms(request, pk: int | None = None):
    """The search synonyms: list and add; with `pk`, edit one."""
    district = permissions.district_kept_by(request.user)
    synonym = get_object_or_404(Synonym, pk=pk) if pk else None
    initial = {"word": synonym.word, "expansions": synonym.expansions} if synonym else None
    form = f.SynonymForm(request.POST if request.method == "POST" else None, initial=initial)

    def save(data: dict[str, Any]) -> HttpResponse:
        services.synonym_set(by=request.user, district=district, synonym=synonym, **data)
        return redirect("catalog:staff_synonyms")

    ctx = {"form": form, "synonym": synonym, "synonyms": Synonym.objects.order_by("word")}
    return _form_page(request, "catalog/staff_synonyms.html", ctx, form, save)


@login_required
@require_POST
def synonym_delete(request, pk: int):
    district = permissions.district_kept_by(request.user)
    services.synonym_delete(by=request.user, district=district, synonym=get_object_or_404(Synonym, pk=pk))
    return redirect("catalog:staff_synonyms")
