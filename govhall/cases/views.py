"""Pages of the cases app: staff (list, intake, detail with actions,
supervision, first inquiries) and citizens (account, apply, drafts, uploads,
tracking, notices). Every write goes through a service; a DomainError is shown
next to the field it names with HTTP 400, and nothing is changed."""

from __future__ import annotations

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

from govhall.accounts.models import Role, User
from govhall.accounts.selectors import centers_visible_to, roles_of
from govhall.catalog.models import ServiceItem
from govhall.core.calendar import first_unknown_year
from govhall.core.errors import DomainError, NotFound, Refused
from govhall.core.pages import query_with, xlsx_response

from . import selectors, services
from .models import Case, CorrectionItem, FirstInquiry, Warning
from .pdf import notice_lines, notice_pdf
from .permissions import STAFF, can, is_applicant

PAGE_SIZE = 25


def _errors(exc: DomainError) -> dict:
    """Field → message; "top" → the message if it names no field."""
    errs = {k: "；".join(v) for k, v in (exc.errors or {}).items()}
    if not errs or not exc.field:
        errs["top"] = exc.message
    return errs


def _staff(request):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={quote(request.get_full_path())}")
    if not (request.user.is_superuser or roles_of(request.user) & STAFF):
        raise Http404
    return None


def staff_only(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        refused = _staff(request)
        if refused is not None:
            return refused
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# --- staff: cases ----------------------------------------------------------------------------


def _filters(request) -> dict:
    return {k: request.GET.get(k, "").strip() for k in ("q", "status", "center", "channel", "warned")}


@staff_only
def case_list(request):
    f = _filters(request)
    qs = selectors.cases_filtered(user=request.user, **f)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {
        "page": page,
        "f": f,
        "statuses": Case.Status.choices,
        "channels": Case.Channel.choices,
        "centers": centers_visible_to(request.user).order_by("code"),
        "levels": Warning.Level.choices,
        "export_url": reverse("cases:export") + query_with(request, page=None),
        "prev_url": query_with(request, page=page.previous_page_number()) if page.has_previous() else "",
        "next_url": query_with(request, page=page.next_page_number()) if page.has_next() else "",
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
            timezone.localtime(c.submitted_at).strftime("%Y-%m-%d %H:%M") if c.submitted_at else "",
            c.deadline.isoformat() if c.deadline else ("无法计算" if c.deadline_unknown else ""),
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
            "提交时间",
            "办结期限",
        ],
        rows,
    )


def _intake_items(user):
    centers = [c for c in centers_visible_to(user).order_by("code")]
    return (
        ServiceItem.objects.filter(center__in=centers, is_active=True, current_guide__isnull=False)
        .select_related("center", "current_guide")
        .order_by("center__code", "name")
    )


@staff_only
@require_http_methods(["GET", "POST"])
def case_intake(request):
    items = list(_intake_items(request.user))
    data = (
        request.POST
        if request.method == "POST"
        else {"applicant_kind": "person", "item": request.GET.get("item", "")}
    )
    chosen = next((i for i in items if str(i.pk) == str(data.get("item", ""))), None)
    window, ticket = _serving_window(request)
    ctx = {
        "items": items,
        "data": data,
        "chosen": chosen,
        "errors": {},
        "window": window,
        "ticket": ticket,
        "materials": list(chosen.current_guide.materials.all()) if chosen else [],
        "checked": [int(x) for x in request.POST.getlist("materials") if x.isdigit()],
    }
    if request.method == "POST" and request.POST.get("go") == "submit":
        if chosen is None:
            ctx["errors"] = {"item": "请选择办理事项。"}
            return render(request, "cases/staff_intake.html", ctx, status=400)
        applicant = {
            "applicant_kind": data.get("applicant_kind", ""),
            "applicant_name": data.get("applicant_name", ""),
            "applicant_id_number": data.get("applicant_id_number", ""),
            "contact_phone": data.get("contact_phone", ""),
            "paper_material_ids": ctx["checked"],
            "note": data.get("note", ""),
        }
        try:
            if ticket is not None:  # from the window console: the ticket is finished with this intake
                ticket, case = services.ticket_finish_with_case(
                    window=window, by=request.user, item=chosen, **applicant
                )
            else:
                case = services.case_intake_window(
                    by=request.user, center=chosen.center, item=chosen, **applicant
                )
        except DomainError as exc:
            ctx["errors"] = _errors(exc)
            return render(request, "cases/staff_intake.html", ctx, status=400)
        if ticket is not None:
            messages.success(request, f"{ticket.code} 号已办结，已收件，办件编号 {case.number}。")
        else:
            messages.success(request, f"已收件，办件编号 {case.number}。")
        return redirect("cases:detail", number=case.number)
    return render(request, "cases/staff_intake.html", ctx)


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


ACTIONS = [
    "receive",
    "accept",
    "request_correction",
    "reject",
    "start",
    "suspend",
    "resume",
    "complete",
    "deliver",
    "withdraw",
    "grant",
]
# The fields each action's form shows an error next to; any other error goes to the top.
ACTION_FIELDS = {
    "receive": {"materials"},
    "request_correction": {"items"},
    "grant": {"material", "justification"},
    "reject": {"reason", "legal_basis"},
    "suspend": {"kind", "reason"},
    "resume": {"reason"},
    "complete": {"outcome", "note"},
    "deliver": {"method", "tracking_number"},
    "withdraw": {"reason"},
}


def _action_errors(action: str, exc: DomainError) -> tuple[dict, dict]:
    """(top errors, {action: field errors}) so that an error shows in the form that caused it."""
    errs = _errors(exc)
    fields = ACTION_FIELDS.get(action, set())
    top = {k: v for k, v in errs.items() if k not in fields}
    if top and "top" not in top:
        top = {"top": "；".join(top.values())}
    return top, {action: {k: v for k, v in errs.items() if k in fields}}


def _detail_ctx(request, case: Case) -> dict:
    allowed = set()
    if can(request.user, case, "decide"):
        allowed = {a for a, (states, _) in services.TRANSITIONS.items() if case.status in states} - {"submit"}
        if case.status in {Case.Status.SUBMITTED, Case.Status.CORRECTION}:
            allowed.add("receive")
    if (
        can(request.user, case, "justify")
        and case.corrections.exists()
        and case.status == Case.Status.CORRECTION
    ):
        allowed.add("grant")
    handed = {m.material_id for m in case.materials.all()}
    named = set(CorrectionItem.objects.filter(correction__case=case).values_list("material_id", flat=True))
    materials = [
        {"m": m, "handed": m.id in handed, "named": m.id in named} for m in case.guide.materials.all()
    ]
    return {
        "case": case,
        "allowed": allowed,
        "materials": materials,
        "errors": {},
        "action": "",
        "events": case.events.select_related("by"),
        "notices": case.notices.all(),
        "handed_in": case.materials.select_related("handed_in_by"),
        "suspensions": Case.Suspension.choices,
        "outcomes": Case.Outcome.choices,
        "deliveries": Case.Delivery.choices,
        "problems": CorrectionItem.Problem.choices,
        "warnings": case.warnings.filter(resolved_at__isnull=True),
        "revealed": {},
        "ferr": {},
        "exceptions": case.correction_exceptions.select_related("material", "granted_by"),
        "unknown_year": first_unknown_year(
            timezone.localtime(case.accepted_at).date(), district=case.center.district_id
        )
        if case.deadline_unknown and case.accepted_at
        else None,
        "calendar_admin": Role.DISTRICT_ADMIN in roles_of(request.user),
    }


@staff_only
def case_detail(request, number):
    case = selectors.case_get(user=request.user, number=number)
    return render(request, "cases/staff_detail.html", _detail_ctx(request, case))


@staff_only
@require_POST
def case_act(request, number, action):
    case = selectors.case_get(user=request.user, number=number)
    if action not in ACTIONS:
        raise Http404
    p, by = request.POST, request.user
    try:
        match action:
            case "receive":
                services.case_receive_paper(
                    by=by, case=case, material_ids=[int(x) for x in p.getlist("materials") if x.isdigit()]
                )
            case "accept":
                services.case_accept(by=by, case=case, reason=p.get("reason", ""))
            case "request_correction":
                items = [
                    {
                        "material_id": mid,
                        "problem": p.get(f"problem_{mid}", "missing"),
                        "reason": p.get(f"reason_{mid}", ""),
                    }
                    for mid in p.getlist("materials")
                ]
                services.case_request_correction(by=by, case=case, items=items)
            case "reject":
                services.case_reject(
                    by=by, case=case, reason=p.get("reason", ""), legal_basis=p.get("legal_basis", "")
                )
            case "start":
                services.case_start(by=by, case=case)
            case "suspend":
                services.case_suspend(by=by, case=case, kind=p.get("kind", ""), reason=p.get("reason", ""))
            case "resume":
                services.case_resume(by=by, case=case, reason=p.get("reason", ""))
            case "complete":
                services.case_complete(by=by, case=case, outcome=p.get("outcome", ""), note=p.get("note", ""))
            case "deliver":
                services.case_deliver(
                    by=by, case=case, method=p.get("method", ""), tracking_number=p.get("tracking_number", "")
                )
            case "withdraw":
                services.case_withdraw(by=by, case=case, reason=p.get("reason", ""))
            case "grant":
                from govhall.catalog.models import Material

                material = Material.objects.filter(guide=case.guide, pk=p.get("material") or 0).first()
                if material is None:
                    raise DomainError("请选择材料。", field="material")
                services.correction_exception_grant(
                    by=by, case=case, material=material, justification=p.get("justification", "")
                )
    except DomainError as exc:
        case.refresh_from_db()
        ctx = _detail_ctx(request, case)
        top, ferr = _action_errors(action, exc)
        ctx.update(errors=top, ferr=ferr, action=action, posted=p)
        return render(
            request, "cases/staff_detail.html", ctx, status=exc.status if exc.status != 404 else 400
        )
    messages.success(request, "已办理。")
    return redirect("cases:detail", number=case.number)


@staff_only
@require_POST
def case_reveal(request, number):
    case = selectors.case_get(user=request.user, number=number)
    field = request.POST.get("field", "")
    try:
        value = services.case_reveal(
            by=request.user, case=case, field=field, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        ctx = _detail_ctx(request, case)
        ctx["errors"] = {"top": exc.message}
        return render(request, "cases/staff_detail.html", ctx, status=exc.status)
    ctx = _detail_ctx(request, case)
    ctx["revealed"] = {field: value}
    return render(request, "cases/staff_detail.html", ctx)


def _notice_response(request, case, number, fmt):
    notice = selectors.notice_get(case=case, number=number)
    if fmt == "pdf":
        response = HttpResponse(notice_pdf(notice), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{notice.number}.pdf"'
        return response
    return render(
        request, "cases/notice.html", {"notice": notice, "lines": notice_lines(notice), "case": case}
    )


@staff_only
def staff_notice(request, number, notice, fmt="html"):
    return _notice_response(request, selectors.case_get(user=request.user, number=number), notice, fmt)


@staff_only
def supervision(request):
    level = request.GET.get("level", "")
    warnings = selectors.warnings_visible_to(request.user, level=level)
    counts = {
        lv: selectors.warnings_visible_to(request.user, level=lv).count() for lv, _ in Warning.Level.choices
    }
    return render(
        request,
        "cases/supervision.html",
        {
            "warnings": warnings[:500],
            "level": level,
            "levels": Warning.Level.choices,
            "counts": counts,
            "exceptions": selectors.correction_exceptions_visible_to(request.user)[:100],
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
    data, errors, status = {}, {}, 200
    if request.method == "POST":
        data = request.POST
        center = next((c for c in centers if str(c.pk) == data.get("center")), None)
        try:
            if center is None:
                raise DomainError("请选择中心。", field="center")
            inq = services.inquiry_record(
                by=request.user,
                center=center,
                asker_name=data.get("asker_name", ""),
                asker_contact=data.get("asker_contact", ""),
                topic=data.get("topic", ""),
            )
            messages.success(request, f"已登记首问 #{inq.pk}。")
            return redirect("cases:inquiry", pk=inq.pk)
        except DomainError as exc:
            errors, status = _errors(exc), 400
    st = request.GET.get("status", "")
    page = Paginator(selectors.inquiries_visible_to(request.user, status=st), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cases/inquiries.html",
        {
            "page": page,
            "centers": centers,
            "data": data,
            "errors": errors,
            "status": st,
            "statuses": FirstInquiry.Status.choices,
            "prev_url": query_with(request, page=page.previous_page_number()) if page.has_previous() else "",
            "next_url": query_with(request, page=page.next_page_number()) if page.has_next() else "",
        },
        status=status,
    )


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


@staff_only
@require_http_methods(["GET", "POST"])
def inquiry_detail(request, pk):
    inq = selectors.inquiry_get(user=request.user, pk=pk)
    errors, status, action = {}, 200, ""
    if request.method == "POST":
        action, p, by = request.POST.get("action", ""), request.POST, request.user
        try:
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
            messages.success(request, "已办理。")
            return redirect("cases:inquiry", pk=inq.pk)
        except DomainError as exc:
            errors, status = _errors(exc), exc.status if exc.status != 404 else 400
            inq.refresh_from_db()
    return render(
        request,
        "cases/inquiry.html",
        {
            "inq": inq,
            "events": inq.events.select_related("by"),
            "colleagues": _colleagues(inq),
            "errors": errors,
            "action": action,
            "posted": request.POST,
        },
        status=status,
    )


# --- citizens -------------------------------------------------------------------------------------


def _citizen(request):
    user = request.user
    return user if user.is_authenticated and hasattr(user, "citizen") else None


@require_http_methods(["GET", "POST"])
def citizen_register(request):
    data, errors, status, sent = {}, {}, 200, False
    if request.method == "POST":
        data = request.POST
        try:
            if data.get("step") == "code":
                services.citizen_send_code(phone=data.get("phone", ""))
                sent = True
            else:
                user = services.citizen_register(
                    phone=data.get("phone", ""),
                    code=data.get("code", ""),
                    password=data.get("password", ""),
                    full_name=data.get("full_name", ""),
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, "注册成功，已登录。")
                return redirect(request.GET.get("next") or "cases:my")
        except DomainError as exc:
            errors, status = _errors(exc), 400
    return render(
        request, "cases/citizen_register.html", {"data": data, "errors": errors, "sent": sent}, status=status
    )


@require_http_methods(["GET", "POST"])
def citizen_login(request):
    data, errors, status = {}, {}, 200
    if request.method == "POST":
        data = request.POST
        user = authenticate(
            request, username=data.get("phone", "").strip(), password=data.get("password", "")
        )
        if user is not None and hasattr(user, "citizen"):
            login(request, user)
            nxt = request.GET.get("next", "")
            return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else reverse("cases:my"))
        errors, status = {"top": "手机号或密码不正确。"}, 400
    return render(request, "cases/citizen_login.html", {"data": data, "errors": errors}, status=status)


def _need_citizen(request):
    if _citizen(request) is None:
        return redirect(f"{reverse('cases:citizen_login')}?next={quote(request.get_full_path())}")
    return None


def my_cases(request):
    if (r := _need_citizen(request)) is not None:
        return r
    return render(request, "cases/my_cases.html", {"cases": selectors.cases_of_applicant(request.user)})


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
    if request.method == "POST":
        try:
            case = services.case_draft_save(by=request.user, item=item, **_applicant(request.POST))
        except DomainError as exc:
            return render(
                request,
                "cases/apply.html",
                {"item": item, "data": request.POST, "errors": _errors(exc)},
                status=400,
            )
        messages.success(request, "草稿已保存，请上传申请材料后提交。")
        return redirect("cases:my_case", pk=case.pk)
    return render(
        request, "cases/apply.html", {"item": item, "data": {"applicant_kind": "person"}, "errors": {}}
    )


def _applicant(p) -> dict:
    return {
        k: p.get(k, "")
        for k in ("applicant_kind", "applicant_name", "applicant_id_number", "contact_phone", "note")
    }


def _my_case(request, pk) -> Case:
    case = Case.objects.select_related("item", "center", "guide").filter(pk=pk).first()
    if case is None or not is_applicant(request.user, case):
        raise Http404
    return case


def _my_ctx(case, **extra):
    handed = {m.material_id for m in case.materials.all()}
    last = case.corrections.order_by("-sequence").first()
    ctx = {
        "case": case,
        "errors": {},
        "data": {},
        "action": "",
        "materials": [{"m": m, "handed": m.id in handed} for m in case.guide.materials.all()],
        "uploads": case.materials.all(),
        "notices": case.notices.all(),
        "events": case.events.select_related("by"),
        "last_correction": last,
        "can_upload": case.status in {Case.Status.DRAFT, Case.Status.CORRECTION},
        "can_withdraw": case.status in services.TRANSITIONS["withdraw"][0],
    }
    ctx.update(extra)
    return ctx


@require_http_methods(["GET", "POST"])
def my_case(request, pk):
    if (r := _need_citizen(request)) is not None:
        return r
    case = _my_case(request, pk)
    if request.method == "POST":
        action, p, by = request.POST.get("action", ""), request.POST, request.user
        try:
            if action == "save":
                services.case_draft_save(by=by, item=case.item, case=case, **_applicant(p))
                messages.success(request, "草稿已保存。")
            elif action == "upload":
                services.case_material_upload(
                    by=by,
                    case=case,
                    material_id=int(p.get("material") or 0) or None,
                    file=request.FILES.get("file"),
                )
                messages.success(request, "材料已上传。")
            elif action == "submit":
                case = services.case_submit(by=by, case=case)
                messages.success(
                    request, f"已提交，办件编号 {case.number}。请记下编号，凭编号和手机号查询进度。"
                )
            elif action == "withdraw":
                services.case_withdraw(by=by, case=case, reason=p.get("reason", ""))
                messages.success(request, "已撤回申请。")
            else:
                raise DomainError("未知操作。")
            return redirect("cases:my_case", pk=case.pk)
        except DomainError as exc:
            case.refresh_from_db()
            return render(
                request,
                "cases/my_case.html",
                _my_ctx(case, errors=_errors(exc), data=p, action=action),
                status=exc.status if exc.status != 404 else 400,
            )
    return render(request, "cases/my_case.html", _my_ctx(case))


def my_notice(request, pk, notice, fmt="html"):
    if (r := _need_citizen(request)) is not None:
        return r
    return _notice_response(request, _my_case(request, pk), notice, fmt)


@require_http_methods(["GET", "POST"])
def track(request):
    """Tracking by case number + phone; a match is remembered in the session for the notices."""
    case, errors, status = None, {}, 200
    data = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        case = selectors.case_track(number=data.get("number", ""), phone=data.get("phone", ""))
        if case is None:
            errors, status = {"top": "没有找到办件，请核对办件编号和申请时填写的手机号。"}, 400
        else:
            tracked = set(request.session.get("tracked_cases", []))
            tracked.add(case.pk)
            request.session["tracked_cases"] = sorted(tracked)[-20:]
    elif request.GET.get("case"):
        case = Case.objects.filter(
            pk=request.GET["case"], pk__in=request.session.get("tracked_cases", [])
        ).first()
    ctx = {"case": case, "data": data, "errors": errors}
    if case:
        ctx.update(events=case.events.all(), notices=case.notices.all())
    return render(request, "cases/track.html", ctx, status=status)


def track_notice(request, pk, notice, fmt="html"):
    if pk not in request.session.get("tracked_cases", []):
        raise Http404
    case = Case.objects.select_related("center", "item").filter(pk=pk).first()
    if case is None:
        raise Http404
    return _notice_response(request, case, notice, fmt)


# --- district office: working-day calendar overrides ----------------------------------------------


def _override_form(request, *, data=None, errors=None, status=200):
    from govhall.core.calendar import calendar_overrides_of

    rows = list(calendar_overrides_of(request.user))
    return render(
        request,
        "cases/calendar.html",
        {
            "rows": rows,
            "data": data or {},
            "errors": errors or {},
            "today": timezone.localdate(),
            "unknown_year": first_unknown_year(timezone.localdate()),
            "flagged": Case.objects.filter(
                deadline_unknown=True,
                status__in=Case.CLOCK_STATES | {Case.Status.SUSPENDED},
                center_id__in=centers_visible_to(request.user).values("id"),
            ).count(),
        },
        status=status,
    )


@staff_only
@require_http_methods(["GET", "POST"])
def calendar_overrides(request):
    """工作日调整: the district office enters holidays, make-up working days and
    local closures; flagged deadlines are recomputed after each change."""
    from datetime import date

    from govhall.core.calendar import calendar_override_add

    try:
        if request.method == "GET":
            return _override_form(request)
        p = request.POST
        try:
            day = date.fromisoformat(p.get("date", "").strip()) if p.get("date", "").strip() else None
        except ValueError:
            raise DomainError("日期格式应为 年-月-日，如 2027-01-01。", field="date") from None
        kind = p.get("is_workday", "")
        row = calendar_override_add(
            by=request.user, day=day, note=p.get("note", ""), is_workday={"1": True, "0": False}.get(kind)
        )
    except Refused as exc:
        return render(request, "cases/calendar.html", {"refused": exc.message}, status=403)
    except DomainError as exc:
        return _override_form(request, data=request.POST, errors=_errors(exc), status=400)
    n = services.deadlines_recompute(by=request.user)
    messages.success(
        request,
        f"已录入 {row.date:%Y-%m-%d}（{'上班' if row.is_workday else '放假'}）。"
        + (f"已重新计算 {n} 件办件的期限。" if n else ""),
    )
    return redirect("cases:calendar")


@staff_only
@require_POST
def calendar_override_remove(request, pk):
    from govhall.core.calendar import calendar_override_delete
    from govhall.core.models import CalendarOverride

    row = CalendarOverride.objects.filter(pk=pk).first()
    try:
        if row is None:
            raise NotFound("没有找到该调整记录。")
        calendar_override_delete(by=request.user, override=row)
    except Refused as exc:
        return render(request, "cases/calendar.html", {"refused": exc.message}, status=403)
    messages.success(request, f"已删除 {row.date:%Y-%m-%d} 的调整。")
    return redirect("cases:calendar")
