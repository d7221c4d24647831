"""Pages of the cases app: staff (list, intake, detail with actions,
supervision, first inquiries) and citizens (account, apply, drafts, uploads,
tracking, notices). Every write goes through a service. A view keeps the happy
path only: it names the page its form is on (`errors_show_on`) and a
DomainError is shown there by the page door, next to the field it names, with
HTTP 400 (409 for a wrong state), nothing changed; NotFound is the 404 page,
Refused the 403 page (`core.page_errors`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from govhall.accounts import selectors as accounts_selectors
from govhall.accounts import services as accounts
from govhall.accounts.models import Role, User
from govhall.accounts.selectors import centers_visible_to, roles_of
from govhall.catalog.models import Material, ServiceItem
from govhall.core.calendar import first_unknown_year
from govhall.core.errors import DomainError
from govhall.core.page_errors import errors_show_on
from govhall.core.pages import query_with, safe_next, xlsx_response
from govhall.core.qr import qr_svg

from . import selectors, services
from .extensions import case_rating_paths, notice_rating_path, rating_offers, supervision_extra
from .forms import (
    ApplicantForm,
    InquiryActionForm,
    InquiryForm,
    IntakeForm,
    LoginForm,
    MyCaseForm,
    RegisterForm,
    RevealForm,
    TrackForm,
    action_forms,
)
from .models import Case, CorrectionItem, FirstInquiry, Warning
from .pdf import notice_lines, notice_pdf
from .permissions import STAFF, can, is_applicant, is_party

PAGE_SIZE = 25


def staff_only(view):
    """Staff pages: log in first; anyone else finds nothing here."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not (request.user.is_superuser or roles_of(request.user) & STAFF):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# --- staff: cases ----------------------------------------------------------------------------


def _filters(request) -> dict:
    return {
        k: request.GET.get(k, "").strip()
        for k in ("q", "status", "center", "channel", "warned", "wait", "mine")
    }


@staff_only
def case_list(request):
    f = _filters(request)
    qs = selectors.cases_filtered(user=request.user, **f)
    ctx = {
        "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
        "f": f,
        "statuses": Case.Status.choices,
        "channels": Case.Channel.choices,
        "centers": centers_visible_to(request.user).order_by("code"),
        "levels": Warning.Level.choices,
        "waits": selectors.CASE_WAITS.items(),
        "export_url": reverse("cases:export") + query_with(request, page=None),
    }
    template = "cases/staff_list.html#results" if request.htmx else "cases/staff_list.html"
    return render(request, template, ctx)


@staff_only
def case_export(request):
    qs = selectors.cases_filtered(user=request.user, **_filters(request))[:5000]
    rows = (
        [
            c.number,
            c.center.code,
            c.item.name,
            c.get_channel_display(),
            c.get_status_display(),
            c.applicant_name,
            c.masked_id_number,
            c.masked_phone,
            c.second_name,
            c.masked_second_id_number,
            c.masked_second_phone,
            timezone.localtime(c.submitted_at).strftime("%Y-%m-%d %H:%M") if c.submitted_at else "",
            c.deadline.isoformat() if c.deadline else ("无法计算" if c.deadline_unknown else ""),
            c.limit_label,
        ]
        for c in qs
    )
    return xlsx_response(
        "办件列表.xlsx",
        "办件",
        [
            "办件编号",
            "中心",
            "事项",
            "渠道",
            "状态",
            "申请人",
            "证件号码（脱敏）",
            "联系电话（脱敏）",
            "另一方当事人",
            "另一方证件号码（脱敏）",
            "另一方联系电话（脱敏）",
            "提交时间",
            "办结期限",
            "办结时限",
        ],
        rows,
    )


def _intake_items(user):
    centers = list(centers_visible_to(user).order_by("code"))
    return (
        ServiceItem.objects.filter(center__in=centers, is_active=True, current_guide__isnull=False)
        .select_related("center", "current_guide")
        .order_by("center__code", "name")
    )


@staff_only
@require_http_methods(["GET", "POST"])
def case_intake(request):
    items = list(_intake_items(request.user))
    posted = request.method == "POST"
    chosen_id = (request.POST if posted else request.GET).get("item", "")
    chosen = next((i for i in items if str(i.pk) == chosen_id), None)
    form = IntakeForm(
        request.POST if posted else None,
        initial={"applicant_kind": "person", "item": chosen_id},
        items=items,
        chosen=chosen,
    )
    window, ticket = _serving_window(request)
    ctx = {"form": form, "chosen": chosen, "window": window, "ticket": ticket}
    if not (posted and request.POST.get("go") == "submit" and form.is_valid()):
        return render(request, "cases/staff_intake.html", ctx, status=400 if form.errors else 200)
    errors_show_on(request, "cases/staff_intake.html", ctx, form=form)
    if chosen is None:
        raise DomainError("请选择办理事项。", field="item")
    applicant, paper = form.applicant(), form.material_ids()
    if ticket is not None:  # from the window console: the ticket is finished with this intake
        ticket, case = services.ticket_finish_with_case(
            window=window, by=request.user, item=chosen, paper_material_ids=paper, **applicant
        )
        messages.success(request, f"{ticket.code} 号已办结，已收件，办件编号 {case.number}。")
    else:
        case = services.case_intake_window(
            by=request.user, center=chosen.center, item=chosen, paper_material_ids=paper, **applicant
        )
        messages.success(request, f"已收件，办件编号 {case.number}。")
    return redirect("cases:detail", number=case.number)


def _serving_window(request):
    """(window, ticket) when intake comes from the clerk's window console with a ticket being served."""
    from govhall.queueing.models import Window
    from govhall.queueing.selectors import window_current_ticket

    window_id = (request.POST if request.method == "POST" else request.GET).get("window", "")
    if not window_id.isdigit():
        return None, None
    window = Window.objects.filter(pk=int(window_id), clerk=request.user).select_related("center").first()
    ticket = window_current_ticket(window) if window is not None else None
    return (window, ticket) if ticket is not None else (None, None)


# The expected next step in each state (the primary button, shown first); the others follow
# in the order below. 不予受理 and 撤回 are irreversible: the page asks before sending them.
NEXT_STEPS: dict[str, str] = {
    Case.Status.SUBMITTED: "accept",
    Case.Status.CORRECTION: "accept",
    Case.Status.ACCEPTED: "start",
    Case.Status.IN_PROGRESS: "complete",
    Case.Status.SUSPENDED: "resume",
    Case.Status.COMPLETED: "deliver",
}
ACTION_ORDER = [
    "accept",
    "receive",
    "commitment",
    "request_correction",
    "grant",
    "start",
    "resume",
    "complete",
    "deliver",
    "suspend",
    "escalate",
    "return",
    "reject",
    "withdraw",
]
IRREVERSIBLE = {"reject", "withdraw"}


def case_actions_in_order(
    status: str, allowed: set[str], *, escalated: bool = False
) -> tuple[list[str], str]:
    """The actions offered on the case page, the expected next one first: the state's next
    step when it may be taken; while 受理 waits for materials, receiving them (or the
    一次性告知); with a proposal to refuse open, returning it is the safe default.
    Returns (actions, the expected next one or "")."""
    order = [a for a in ACTION_ORDER if a in allowed]
    first = NEXT_STEPS.get(status, "")
    if first not in allowed:
        if escalated and "return" in allowed:
            first = "return"
        else:
            first = next((a for a in ("receive", "request_correction") if a in allowed), "")
    if first not in allowed or first in IRREVERSIBLE:
        return order, ""
    order.remove(first)
    return [first, *order], first


def _detail_ctx(request, case: Case, *, data: Any = None, action: str = "") -> dict:
    allowed = set()
    decider = can(request.user, case, "decide")
    if decider:
        allowed = {a for a, (states, _) in services.TRANSITIONS.items() if case.status in states} - {"submit"}
        if case.status in {Case.Status.SUBMITTED, Case.Status.CORRECTION}:
            allowed.add("receive")
        if case.waiting_ends_on and not case.in_waiting:  # after the 冷静期 nobody withdraws
            allowed.discard("withdraw")
    # 窗口无否决权: refusing and denying are the authorised chief representative's or the department's
    escalation = services.open_escalation(case)
    refuser = services.may_refuse(request.user, case)
    if refuser:
        allowed |= {a for a in ("reject", "complete") if case.status in services.TRANSITIONS[a][0]}
        if escalation is not None:
            allowed.add("return")
    else:
        allowed.discard("reject")
        if (
            decider
            and escalation is None
            and any(case.status in st for st in services.ESCALATION_STATES.values())
        ):
            allowed.add("escalate")
    outcomes: list[str] = [
        o for o, may in ((Case.Outcome.APPROVED, decider), (Case.Outcome.DENIED, refuser)) if may
    ]
    if (
        can(request.user, case, "justify")
        and case.corrections.exists()
        and case.status == Case.Status.CORRECTION
    ):
        allowed.add("grant")
    handed = {m.material_id for m in case.materials.all()}
    named = set(CorrectionItem.objects.filter(correction__case=case).values_list("material_id", flat=True))
    materials = [
        {**row, "handed": row["m"].id in handed, "named": row["m"].id in named}
        for row in selectors.case_material_states(case)
    ]
    commitment = selectors.commitment_of(case)
    if can(request.user, case, "decide"):
        if case.status in services.FOLLOW_UP_STATES and selectors.follow_ups_open(case):
            allowed.add("receive")  # the materials accepted to follow (容缺受理)
        if (
            case.guide.commitment_allowed
            and commitment is None
            and case.status in {Case.Status.SUBMITTED, Case.Status.CORRECTION}
        ):
            allowed.add("commitment")
    # 受理 only for a complete application: while a required material is missing, say which instead.
    accept_missing: list[str] = []
    if "accept" in allowed:
        missing = selectors.acceptance_completeness(case).missing
        if missing:
            allowed.discard("accept")
            accept_missing = [m.name for m in missing]
    # 收受分离: the handling hall decides only once the receiving hall's hand-over is received.
    from .views_handover import handover_ctx  # its module builds on this one

    across = handover_ctx(request.user, case)
    if across.get("handover_pending"):
        allowed -= services.NEEDS_MATERIALS
        accept_missing = []
    forms = action_forms(case, materials, data, action, outcomes=outcomes)
    actions, next_action = case_actions_in_order(case.status, allowed, escalated=escalation is not None)
    return {
        "case": case,
        "escalation": escalation,
        "may_refuse": refuser,
        "allowed": allowed,
        "actions": actions,
        "next_action": next_action,
        "accept_missing": accept_missing,
        "materials": materials,
        "forms": forms,
        "form": forms.get(action),  # the one posted: its messages that name no field go to the top
        "events": case.events.select_related("by"),
        "notices": case.notices.all(),
        "handed_in": case.materials.select_related("handed_in_by"),
        "problems": CorrectionItem.Problem.choices,
        "warnings": case.warnings.filter(resolved_at__isnull=True),
        "revealed": {},
        "reveal_form": RevealForm(id_prefix="reveal"),
        "exceptions": case.correction_exceptions.select_related("material", "granted_by"),
        "commitment": commitment,
        "unknown_year": first_unknown_year(
            timezone.localtime(case.accepted_at).date(), district=case.center.district_id
        )
        if case.deadline_unknown and case.accepted_at
        else None,
        "calendar_admin": Role.DISTRICT_ADMIN in roles_of(request.user),
        **across,
    }


@staff_only
def case_detail(request, number):
    case = selectors.case_get(user=request.user, number=number)
    return render(request, "cases/staff_detail.html", _detail_ctx(request, case))


def _correction_items(p) -> list[dict]:
    return [
        {
            "material_id": mid,
            "problem": p.get(f"problem_{mid}", "missing"),
            "reason": p.get(f"reason_{mid}", ""),
        }
        for mid in p.getlist("materials")
    ]


def _grant(*, by: User, case: Case, p) -> None:
    material = Material.objects.filter(guide=case.guide, pk=p.get("material") or 0).first()
    if material is None:
        raise DomainError("请选择材料。", field="material")
    services.correction_exception_grant(
        by=by, case=case, material=material, justification=p.get("justification", "")
    )


# action → how it calls its service with the posted data
DECISIONS = {
    "receive": lambda by, case, p: services.case_receive_paper(
        by=by, case=case, material_ids=[int(x) for x in p.getlist("materials") if x.isdigit()]
    ),
    "accept": lambda by, case, p: services.case_accept(by=by, case=case, reason=p.get("reason", "")),
    "request_correction": lambda by, case, p: services.case_request_correction(
        by=by, case=case, items=_correction_items(p)
    ),
    "reject": lambda by, case, p: services.case_reject(
        by=by, case=case, reason=p.get("reason", ""), legal_basis=p.get("legal_basis", "")
    ),
    "start": lambda by, case, p: services.case_start(by=by, case=case),
    "suspend": lambda by, case, p: services.case_suspend(
        by=by, case=case, kind=p.get("kind", ""), reason=p.get("reason", "")
    ),
    "resume": lambda by, case, p: services.case_resume(by=by, case=case, reason=p.get("reason", "")),
    "complete": lambda by, case, p: services.case_complete(
        by=by, case=case, outcome=p.get("outcome", ""), note=p.get("note", "")
    ),
    "deliver": lambda by, case, p: services.case_deliver(
        by=by, case=case, method=p.get("method", ""), tracking_number=p.get("tracking_number", "")
    ),
    "withdraw": lambda by, case, p: services.case_withdraw(
        by=by,
        case=case,
        reason=p.get("reason", ""),
        party=int(p["party"]) if p.get("party", "").isdigit() else None,
    ),
    "grant": lambda by, case, p: _grant(by=by, case=case, p=p),
    "commitment": lambda by, case, p: services.case_commitment_record(
        by=by, case=case, signed_by=p.get("signed_by", "")
    ),
    "escalate": lambda by, case, p: services.case_escalate(
        by=by, case=case, proposal=p.get("proposal", ""), reason=p.get("reason", "")
    ),
    "return": lambda by, case, p: services.escalation_return(by=by, case=case, note=p.get("note", "")),
}


@staff_only
@require_POST
def case_act(request, number, action):
    case = selectors.case_get(user=request.user, number=number)
    decide = DECISIONS.get(action)
    if decide is None:
        raise Http404
    ctx = _detail_ctx(request, case, data=request.POST, action=action)
    errors_show_on(request, "cases/staff_detail.html", ctx, form=ctx["form"])
    decide(request.user, case, request.POST)
    messages.success(request, "已办理。")
    return redirect("cases:detail", number=case.number)


@staff_only
@require_POST
def case_reveal(request, number):
    case = selectors.case_get(user=request.user, number=number)
    form = RevealForm(request.POST, id_prefix="reveal")
    ctx = {**_detail_ctx(request, case), "reveal_form": form, "form": form}
    if not form.is_valid():
        return render(request, "cases/staff_detail.html", ctx, status=400)
    errors_show_on(request, "cases/staff_detail.html", ctx, form=form)
    field = form.value("field")
    value = services.case_reveal(by=request.user, case=case, field=field, reason=form.value("reason"))
    ctx["revealed"] = {field: value}
    return render(request, "cases/staff_detail.html", ctx)


def _notice_response(request, case, number, fmt):
    notice = selectors.notice_get(case=case, number=number)
    # 好差评: the step this notice belongs to may be rated by phone (a higher app answers).
    path = notice_rating_path(notice)
    rating_url = request.build_absolute_uri(path) if path else ""
    if fmt == "pdf":
        response = HttpResponse(notice_pdf(notice, rating_url=rating_url), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{notice.number}.pdf"'
        return response
    ctx = {"notice": notice, "lines": notice_lines(notice), "case": case, "rating_url": rating_url}
    if rating_url:
        ctx["rating_qr"] = qr_svg(rating_url, title="扫码评价本环节服务")
    return render(request, "cases/notice.html", ctx)


@staff_only
def staff_notice(request, number, notice, fmt="html"):
    return _notice_response(request, selectors.case_get(user=request.user, number=number), notice, fmt)


SUPERVISION_PAGE = 25  # each warning is a card: 25 a page keeps it near 3,000 px at 1366


@staff_only
def supervision(request):
    level = request.GET.get("level", "")
    warnings = selectors.warnings_visible_to(request.user, level=level)
    counts = {
        lv: selectors.warnings_visible_to(request.user, level=lv).count() for lv, _ in Warning.Level.choices
    }
    every_other = supervision_extra(request.user)  # read once; counted per level, then filtered
    others = [o for o in every_other if not level or o["level"] == level]
    for lv in ("yellow", "red"):  # the other warnings count in the level links too
        counts[lv] += sum(1 for o in every_other if o["level"] == lv)
    return render(
        request,
        "cases/supervision.html",
        {
            "warnings": Paginator(warnings, SUPERVISION_PAGE).get_page(request.GET.get("page")),
            "others": others[:500],
            "level": level,
            "levels": Warning.Level.choices,
            "counts": counts,
            "exceptions": selectors.correction_exceptions_visible_to(request.user)[:100],
            "deemed": selectors.deemed_accepted_visible_to(request.user)[:100],
            "unknown_year": first_unknown_year(timezone.localdate())
            if counts.get(Warning.Level.FLAG)
            else None,
            "calendar_admin": Role.DISTRICT_ADMIN in roles_of(request.user),
        },
    )


# --- staff: first inquiries ---------------------------------------------------------------------


@staff_only
@require_http_methods(["GET", "POST"])
def inquiry_list(request):
    centers = list(centers_visible_to(request.user).order_by("code"))
    form = InquiryForm(request.POST or None, centers=centers)
    st = request.GET.get("status", "")
    ctx = {
        "form": form,
        "page": Paginator(selectors.inquiries_visible_to(request.user, status=st), PAGE_SIZE).get_page(
            request.GET.get("page")
        ),
        "status": st,
        "statuses": FirstInquiry.Status.choices,
    }
    if not (request.method == "POST" and form.is_valid()):
        return render(request, "cases/inquiries.html", ctx, status=400 if form.errors else 200)
    errors_show_on(request, "cases/inquiries.html", ctx, form=form)
    center = next((c for c in centers if str(c.pk) == form.value("center")), None)
    if center is None:
        raise DomainError("请选择中心。", field="center")
    inq = services.inquiry_record(
        by=request.user,
        center=center,
        asker_name=form.value("asker_name"),
        asker_contact=form.value("asker_contact"),
        topic=form.value("topic"),
    )
    messages.success(request, f"已登记首问 #{inq.pk}。")
    return redirect("cases:inquiry", pk=inq.pk)


def _colleagues(inq):
    return (
        User.objects.filter(
            role_assignments__center__district_id=inq.center.district_id,
            role_assignments__role__in=list(STAFF),
            is_active=True,
        )
        .exclude(pk=inq.owner_id)
        .distinct()
        .order_by("full_name", "username")
    )


def _inquiry_act(request, inq: FirstInquiry, action: str) -> None:
    p, by = request.POST, request.user
    if action == "answer":
        services.inquiry_answer(by=by, inquiry=inq, answer=p.get("answer", ""))
    elif action == "hand_over":
        to = _colleagues(inq).filter(pk=p.get("to") or 0).first()
        if to is None:
            raise DomainError("请选择接收的同事。", field="to")
        services.inquiry_hand_over(by=by, inquiry=inq, to=to, note=p.get("note", ""))
    elif action == "accept":
        services.inquiry_accept(by=by, inquiry=inq)
    elif action == "decline":
        services.inquiry_decline(by=by, inquiry=inq, note=p.get("decline_note", ""))
    else:
        raise DomainError("未知操作。")


@staff_only
@require_http_methods(["GET", "POST"])
def inquiry_detail(request, pk):
    inq = selectors.inquiry_get(user=request.user, pk=pk)
    colleagues = _colleagues(inq)
    form = InquiryActionForm(request.POST or None, colleagues=colleagues)
    action = request.POST.get("action", "")
    ctx = {
        "inq": inq,
        "events": inq.events.select_related("by"),
        "form": form,
        # 退回's reason is its own field on the page; the service calls it note
        "field_map": {"note": "decline_note"} if action == "decline" else {},
    }
    if not (request.method == "POST" and form.is_valid()):
        return render(request, "cases/inquiry.html", ctx, status=400 if form.errors else 200)
    errors_show_on(request, "cases/inquiry.html", ctx, form=form)
    _inquiry_act(request, inq, action)
    messages.success(request, "已办理。")
    return redirect("cases:inquiry", pk=inq.pk)


# --- citizens -------------------------------------------------------------------------------------


def _citizen(request):
    user = request.user
    return user if user.is_authenticated and hasattr(user, "citizen") else None


@require_http_methods(["GET", "POST"])
def citizen_register(request):
    form = RegisterForm(request.POST or None)
    ctx = {"form": form, "sent": False}
    if not (request.method == "POST" and form.is_valid()):
        return render(request, "cases/citizen_register.html", ctx, status=400 if form.errors else 200)
    errors_show_on(request, "cases/citizen_register.html", ctx, form=form)
    if request.POST.get("step") == "code":
        accounts.citizen_send_code(phone=form.value("phone"))
        ctx["sent"] = True
        return render(request, "cases/citizen_register.html", ctx)
    user = accounts.citizen_register(
        phone=form.value("phone"),
        code=form.value("code"),
        password=form.value("password"),
        full_name=form.value("full_name"),
    )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, "注册成功，已登录。")
    return redirect(safe_next(request, request.GET.get("next"), default=reverse("cases:my")))


@require_http_methods(["GET", "POST"])
def citizen_login(request):
    form = LoginForm(request.POST or None)
    ctx = {"form": form}
    if not (request.method == "POST" and form.is_valid()):
        return render(request, "cases/citizen_login.html", ctx, status=400 if form.errors else 200)
    errors_show_on(request, "cases/citizen_login.html", ctx, form=form)
    user = authenticate(
        request,
        username=accounts_selectors.citizen_login_name(form.value("phone")),
        password=form.value("password"),
    )
    if user is None or not hasattr(user, "citizen"):
        raise DomainError("手机号或密码不正确。")
    login(request, user)
    return redirect(safe_next(request, request.GET.get("next"), default=reverse("cases:my")))


def _need_citizen(request):
    if _citizen(request) is None:
        return redirect(f"{reverse('cases:citizen_login')}?next={quote(request.get_full_path())}")
    return None


def my_cases(request):
    if (r := _need_citizen(request)) is not None:
        return r
    rows = [
        {"case": c, "ratings": rating_offers(case=c, user=request.user)}
        for c in selectors.cases_of_applicant(request.user)
    ]
    return render(request, "cases/my_cases.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def apply(request, code):
    if (r := _need_citizen(request)) is not None:
        return r
    item = (
        ServiceItem.objects.filter(code=code, is_active=True)
        .select_related("center", "current_guide")
        .first()
    )
    if item is None:
        raise Http404
    parties = item.current_guide.parties if item.current_guide else 1
    form = ApplicantForm(request.POST or None, initial={"applicant_kind": "person"}, parties=parties)
    ctx = {"item": item, "form": form}
    if not (request.method == "POST" and form.is_valid()):
        return render(request, "cases/apply.html", ctx, status=400 if form.errors else 200)
    errors_show_on(request, "cases/apply.html", ctx, form=form)
    case = services.case_draft_save(by=request.user, item=item, **form.applicant())
    messages.success(request, "草稿已保存，请上传申请材料后提交。")
    return redirect("cases:my_case", pk=case.pk)


def _my_case(request, pk) -> Case:
    case = Case.objects.select_related("item", "center", "guide").filter(pk=pk).first()
    if case is None or not is_party(request.user, case):
        raise Http404
    return case


def _my_ctx(request, case: Case) -> dict:
    handed = {m.material_id for m in case.materials.all()}
    # The draft's saved details fill the fields a button did not post.
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None:
        for name in MyCaseForm.APPLICANT:
            data.setdefault(name, getattr(case, name))
    form = MyCaseForm(
        data,
        request.FILES if data is not None else None,
        initial={name: getattr(case, name) for name in MyCaseForm.APPLICANT},
        case=case,
    )
    return {
        "case": case,
        "form": form,
        "materials": [{"m": m, "handed": m.id in handed} for m in case.guide.materials.all()],
        "uploads": case.materials.all(),
        "notices": case.notices.all(),
        "events": case.events.select_related("by"),
        "last_correction": case.corrections.order_by("-sequence").first(),
        "can_upload": case.status in {Case.Status.DRAFT, Case.Status.CORRECTION}
        or (case.status in services.FOLLOW_UP_STATES and bool(selectors.follow_ups_open(case))),
        "material_states": selectors.case_material_states(case),
        "can_withdraw": case.status in services.TRANSITIONS["withdraw"][0]
        and (case.waiting_ends_on is None or case.in_waiting),
        "is_applicant": is_applicant(request.user, case),
    }


def _my_case_act(request, case: Case, form: MyCaseForm) -> Case:
    by, action = request.user, request.POST.get("action", "")
    if action == "save":
        services.case_draft_save(by=by, item=case.item, case=case, **form.applicant())
        messages.success(request, "草稿已保存。")
    elif action == "upload":
        material = form.value("material")
        services.case_material_upload(
            by=by,
            case=case,
            material_id=int(material) if material.isdigit() else None,
            file=form.cleaned_data.get("file"),
        )
        messages.success(request, "材料已上传。")
    elif action == "submit":
        case = services.case_submit(by=by, case=case)
        messages.success(request, f"已提交，办件编号 {case.number}。请记下编号，凭编号和手机号查询进度。")
    elif action == "withdraw":
        services.case_withdraw(by=by, case=case, reason=form.value("reason"))
        messages.success(request, "已撤回申请。")
    else:
        raise DomainError("未知操作。")
    return case


@require_http_methods(["GET", "POST"])
def my_case(request, pk):
    if (r := _need_citizen(request)) is not None:
        return r
    case = _my_case(request, pk)
    ctx = _my_ctx(request, case)
    form = ctx["form"]
    if not (request.method == "POST" and form.is_valid()):
        return render(request, "cases/my_case.html", ctx, status=400 if form.errors else 200)
    errors_show_on(request, "cases/my_case.html", ctx, form=form)
    case = _my_case_act(request, case, form)
    return redirect("cases:my_case", pk=case.pk)


def my_notice(request, pk, notice, fmt="html"):
    if (r := _need_citizen(request)) is not None:
        return r
    return _notice_response(request, _my_case(request, pk), notice, fmt)


@require_http_methods(["GET", "POST"])
def track(request):
    """Tracking by case number + phone; a match is remembered in the session for the notices."""
    form = TrackForm(request.POST or None)
    case = None
    if request.method == "GET" and request.GET.get("case"):
        case = Case.objects.filter(
            pk=request.GET["case"], pk__in=request.session.get("tracked_cases", [])
        ).first()
    ctx: dict[str, Any] = {"form": form, "case": None}
    if request.method == "POST" and form.is_valid():
        errors_show_on(request, "cases/track.html", ctx, form=form)
        case = selectors.case_track(number=form.value("number"), phone=form.value("phone"))
        if case is None:
            raise DomainError("没有找到办件，请核对办件编号和申请时填写的手机号。")
        tracked = set(request.session.get("tracked_cases", []))
        tracked.add(case.pk)
        request.session["tracked_cases"] = sorted(tracked)[-20:]
    if case:
        ctx.update(
            case=case, events=case.events.all(), notices=case.notices.all(), ratings=case_rating_paths(case)
        )
    return render(request, "cases/track.html", ctx, status=400 if form.errors else 200)


def track_notice(request, pk, notice, fmt="html"):
    if pk not in request.session.get("tracked_cases", []):
        raise Http404
    case = Case.objects.select_related("center", "item").filter(pk=pk).first()
    if case is None:
        raise Http404
    return _notice_response(request, case, notice, fmt)
