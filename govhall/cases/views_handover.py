"""Pages of 代收代办 (收受分离, issue 18): a hall receives an application for an
item another hall handles, hands the materials over on record, and the handling
hall receives them — then accepts or notifies on the case page as for any case.
Every write goes through a service; errors are shown by the page door next to
their field (409 for a second receipt), nothing written."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from govhall.accounts.selectors import center_ids_acting_as
from govhall.centers.models import Center
from govhall.core.errors import DomainError
from govhall.core.page_errors import errors_show_on
from govhall.core.pages import query_with, xlsx_response

from . import selectors, services
from .forms_handover import HandOverForm, HandOverReceiveForm, ProxyIntakeForm
from .models import Case
from .permissions import INTAKE, can
from .permissions import access_center as _access_center
from .views import _detail_ctx, staff_only

PAGE_SIZE = 25
SORTS = {"-submitted_at": "最新收件在前", "submitted_at": "最早收件在前", "number": "按办件编号"}


def handover_ctx(user: Any, case: Case, *, data: Any = None, posted: str = "") -> dict[str, Any]:
    """What the case page shows of a case received at another hall: both halls, the
    pick-up place, the hand-over, and the form the user may use (hand over at the
    receiving hall; receive at the handling hall)."""
    if not case.received_elsewhere:
        return {"across_halls": False}
    handover = selectors.handover_of(case)
    may_hand = handover is None and _may_intake(user, case.receiving_hall)
    may_receive = handover is not None and handover.received_at is None and can(user, case, "decide")
    return {
        "across_halls": True,
        "handover": handover,
        "handover_pending": handover is None or handover.received_at is None,
        "hand_form": HandOverForm(
            data if posted == "hand" else None, received=list(case.materials.all()), initial={"form": "paper"}
        )
        if may_hand
        else None,
        "receive_form": HandOverReceiveForm(data if posted == "receive" else None) if may_receive else None,
    }


def _may_intake(user: Any, center: Center) -> bool:
    try:
        _access_center(user, center, "intake")
    except DomainError:
        return False
    return True


def _detail_page(request, case: Case, posted: str) -> dict[str, Any]:
    ctx = _detail_ctx(request, case)
    ctx.update(handover_ctx(request.user, case, data=request.POST, posted=posted))
    form = ctx["hand_form"] if posted == "hand" else ctx.get("receive_form")
    ctx["form"] = form
    errors_show_on(request, "cases/staff_detail.html", ctx, form=form)
    return ctx


@staff_only
@require_POST
def case_hand_over(request, number):
    case = selectors.case_get(user=request.user, number=number)
    ctx = _detail_page(request, case, "hand")
    form = ctx["hand_form"]
    if form is None:  # nothing to hand over here (already handed, or not this hall's): the service says why
        services.case_hand_over(by=request.user, case=case, form="")
    if not form.is_valid():
        return render(request, "cases/staff_detail.html", ctx, status=400)
    services.case_hand_over(
        by=request.user,
        case=case,
        form=form.value("form"),
        material_ids=form.material_ids() or None,
        note=form.value("note"),
    )
    messages.success(request, f"材料已移交{case.center.name}。")
    return redirect("cases:detail", number=case.number)


@staff_only
@require_POST
def handover_receive(request, number):
    case = selectors.case_get(user=request.user, number=number)
    ctx = _detail_page(request, case, "receive")
    form = ctx["receive_form"] or HandOverReceiveForm(request.POST)
    ctx["form"] = form
    errors_show_on(request, "cases/staff_detail.html", ctx, form=form)
    form.is_valid()
    services.handover_receive(by=request.user, case=case, note=form.value("note"))
    messages.success(request, "已接收移交材料，请受理或一次性告知补正。")
    return redirect("cases:detail", number=case.number)


@staff_only
@require_http_methods(["GET", "POST"])
def proxy_intake(request):
    """代收收件: at one of the user's halls, an application for an item another hall handles."""
    posted = request.method == "POST"
    src = request.POST if posted else request.GET
    halls = list(Center.objects.filter(id__in=center_ids_acting_as(request.user, INTAKE)).order_by("code"))
    at = next((c for c in halls if str(c.pk) == src.get("at", "")), halls[0] if halls else None)
    items = list(selectors.items_received_for_others(at)) if at is not None else []
    chosen = next((i for i in items if str(i.pk) == src.get("item", "")), None)
    form = ProxyIntakeForm(
        request.POST if posted else None,
        initial={
            "applicant_kind": "person",
            "at": at.pk if at else "",
            "item": src.get("item", ""),
            "pickup": "receiving",
        },
        halls=halls,
        items=items,
        chosen=chosen,
    )
    ctx = {"form": form, "chosen": chosen, "at": at, "halls": halls}
    if not (posted and request.POST.get("go") == "submit" and form.is_valid()):
        return render(request, "cases/handover_intake.html", ctx, status=400 if form.errors else 200)
    errors_show_on(request, "cases/handover_intake.html", ctx, form=form)
    if at is None:
        raise DomainError("您没有可以收件的大厅。", field="at")
    if chosen is None:
        raise DomainError("请选择代收事项。", field="item")
    case = services.case_intake_window(
        by=request.user,
        center=chosen.center,
        item=chosen,
        receiving_center=at,
        pickup_center=at if form.value("pickup") != "handling" else chosen.center,
        paper_material_ids=form.material_ids(),
        **form.applicant(),
    )
    messages.success(request, f"已代收，办件编号 {case.number}，由{chosen.center.name}办理。请移交材料。")
    return redirect("cases:detail", number=case.number)


@staff_only
def handovers(request):
    """代收代办: the cases received at one hall for another that the user's halls took
    part in, by what they wait for (to hand over, to receive), with search, sorting and paging."""
    f = {k: request.GET.get(k, "").strip() for k in ("q", "wait", "sort")}
    sort = f["sort"] if f["sort"] in SORTS else "-submitted_at"
    qs = selectors.cases_across_halls(request.user, wait=f["wait"], q=f["q"]).order_by(sort, "-id")
    ctx = {
        "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
        "f": f,
        "waits": selectors.HANDOVER_WAITS.items(),
        "sorts": SORTS.items(),
        "sort": sort,
        "intake_url": reverse("cases:proxy_intake"),
        "export_url": reverse("cases:handovers_export") + query_with(request, page=None),
    }
    template = "cases/handover_list.html#results" if request.htmx else "cases/handover_list.html"
    return render(request, template, ctx)


@staff_only
def handovers_export(request):
    """The list above as an Excel file (ID numbers and phones masked)."""
    f = {k: request.GET.get(k, "").strip() for k in ("q", "wait")}
    qs = selectors.cases_across_halls(request.user, wait=f["wait"], q=f["q"]).order_by("-submitted_at", "-id")
    rows = []
    for c in qs[:5000]:
        h = selectors.handover_in(c)
        rows.append(
            [
                c.number,
                c.item.name,
                c.get_status_display(),
                c.applicant_name,
                c.masked_id_number,
                c.masked_phone,
                c.receiving_hall.name,
                c.center.name,
                c.pickup_hall.name,
                (h.get_form_display() if h else ""),
                ("已接收" if h and h.received_at else "已移交，待接收" if h else "待移交"),
            ]
        )
    return xlsx_response(
        "代收代办.xlsx",
        "代收代办",
        [
            "办件编号",
            "事项",
            "状态",
            "申请人",
            "证件号码（脱敏）",
            "联系电话（脱敏）",
            "收件大厅",
            "办理大厅",
            "取件地点",
            "移交形式",
            "移交状态",
        ],
        rows,
    )
