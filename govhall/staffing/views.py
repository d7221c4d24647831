"""Staff pages of posts, coverage, gaps, leave, attendance, training and
assessment. Lists come from selectors scoped to the user; writes go through
the services. A service's refusal is answered by the page door
(core.page_errors): next to the field it names (400), or the 403/404 page."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods, require_POST

from govhall.accounts.models import User
from govhall.accounts.selectors import centers_visible_to, roles_at
from govhall.centers.models import Center
from govhall.core.errors import DomainError
from govhall.core.page_errors import errors_show_on
from govhall.core.pages import XLSX, safe_next

from . import excel, selectors, services
from .forms import (
    ApproveForm,
    CorrectionForm,
    CourseForm,
    GoLiveForm,
    IndicatorForm,
    LeaveRejectForm,
    LeaveRequestForm,
    LeaveRuleForm,
    PostForm,
    RecordForm,
    ReportBackForm,
    StartedOnForm,
    WeightRejectForm,
    WeightsForm,
)
from .halfdays import unserved_halves
from .models import AssessmentIndicator, AttendanceCorrection, Leave, Post, StaffingWarning, TrainingCourse
from .permissions import HALL_STAFF, MANAGE, access_hall, can


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    ascii_name = filename.encode("ascii", "ignore").decode() or "export.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def _hall(request, pk, action="view") -> Center:
    """The hall `pk` if the user may `action` there (another hall's: 404; a role that may not: 403)."""
    return access_hall(request.user, get_object_or_404(Center, pk=pk), action=action)


def _month(request) -> date:
    raw = request.GET.get("month") or request.POST.get("month") or ""
    try:
        y, m = raw.split("-")
        return date(int(y), int(m), 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


def _date(raw, default: date) -> date:
    try:
        return date.fromisoformat(raw) if raw else default
    except ValueError:
        return default


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _halls(user):
    return [
        c
        for c in centers_visible_to(user).filter(status=Center.Status.ACTIVE).order_by("kind", "code")
        if can(user, c, "view")
    ]


# --- index ---------------------------------------------------------------------------------------------


@login_required
def index(request):
    halls = _halls(request.user)
    today = timezone.localdate()
    return render(
        request,
        "staffing/index.html",
        {
            "halls": halls,
            "today": today,
            "my_posts": Post.objects.filter(user=request.user).select_related("window__center"),
            "warnings": StaffingWarning.objects.filter(
                recipients=request.user, resolved_at__isnull=True, day__gte=today
            ).select_related("window", "center")[:20],
        },
    )


# --- posts and coverage --------------------------------------------------------------------------------


def _post_rows(center, windows) -> list[dict]:
    posts: dict[int, dict[str, Post]] = {}
    for p in selectors.posts_of_hall(center):
        posts.setdefault(p.window_id, {})[p.role] = p
    return [
        {"window": w, "A": posts.get(w.id, {}).get("A"), "B": posts.get(w.id, {}).get("B")} for w in windows
    ]


@login_required
@require_http_methods(["GET", "POST"])
def hall_posts(request, pk):
    center = _hall(request, pk)
    windows = list(center.windows.order_by("number"))
    people = list(selectors.hall_staff(center))
    if request.method == "POST" and "remove" in request.POST:
        post = get_object_or_404(Post, pk=request.POST["remove"], window__center=center)
        services.post_remove(by=request.user, post=post)
        messages.success(request, "已撤销该岗位。")
        return redirect("staffing:posts", pk=center.pk)
    form = PostForm(request.POST or None, windows=windows, people=people)
    ctx = {
        "center": center,
        "rows": _post_rows(center, windows),
        "load": selectors.post_load(center),
        "form": form,
        "can_manage": can(request.user, center, "manage"),
    }
    if request.method == "POST" and form.is_valid():
        errors_show_on(request, "staffing/posts.html", ctx, form=form)
        window = next(w for w in windows if str(w.id) == form.cleaned_data["window"])
        user = next(u for u in people if str(u.id) == form.cleaned_data["user"])
        services.post_assign(by=request.user, window=window, role=form.cleaned_data["role"], user=user)
        messages.success(request, f"已设置 {window} 的{form.cleaned_data['role']}岗：{user.display_name}。")
        return redirect("staffing:posts", pk=center.pk)
    return render(request, "staffing/posts.html", ctx, status=400 if form.errors else 200)


def _coverage_grid(cov: Coverage, center, days):
    grid = []
    for w in [w for w in cov.windows if w.center_id == center.id]:
        cells = []
        for d in days:
            cell = cov.cells.get((w.id, d))
            if cell is None or cell.unposted:
                cells.append({"day": d, "text": "未设岗", "css": "gap", "gap": True})
                continue
            parts = []
            for half in (0, 1):
                uid, how = cell.who[half], cell.how[half]
                label = {"A": "A", "B": "B", "S": "顶岗"}.get(how or "")
                parts.append(f"{cov.name_of(uid)}（{label}）" if uid else "断档")
            text = parts[0] if parts[0] == parts[1] else f"上午 {parts[0]}；下午 {parts[1]}"
            css = "gap" if cell.gap else ("sub" if "S" in cell.how else ("b" if "B" in cell.how else "a"))
            cells.append({"day": d, "text": text, "css": css, "gap": cell.gap})
        grid.append({"window": w, "cells": cells})
    return grid


Coverage = selectors.Coverage


@login_required
def hall_coverage(request, pk):
    center = _hall(request, pk)
    start = _date(request.GET.get("start"), timezone.localdate())
    span = 14
    cov = selectors.coverage(center_ids=[center.id], start=start, end=start + timedelta(days=span - 1))
    days = cov.days.get(center.id, [])
    return render(
        request,
        "staffing/coverage.html",
        {
            "center": center,
            "start": start,
            "days": days,
            "grid": _coverage_grid(cov, center, days),
            "prev": start - timedelta(days=span),
            "next": start + timedelta(days=span),
            "gap_count": len(cov.gaps()),
        },
    )


@login_required
def gaps(request):
    start = timezone.localdate()
    cov = selectors.gaps_visible_to(request.user, start=start, days=30)
    windows = {w.id: w for w in cov.windows}
    rows = []
    for cell in cov.gaps():
        w = windows[cell.window_id]
        rows.append(
            {
                "day": cell.day,
                "window": w,
                "center": w.center,
                "halves": unserved_halves(cell.who),
                "reason": cell.reason,
                "a": cov.holder(w.id, "A"),
                "b": cov.holder(w.id, "B"),
            }
        )
    return render(
        request,
        "staffing/gaps.html",
        {"rows": rows, "unposted": cov.unposted(), "start": start, "end": start + timedelta(days=29)},
    )


# --- leave ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def leave_list(request):
    form = LeaveRequestForm(request.POST or None)
    leaves = selectors.leaves_visible_to(request.user)
    me = request.user.id
    ctx = {
        "form": form,
        "mine": [lv for lv in leaves if lv.user_id == me][:50],
        "pending": [lv for lv in leaves if lv.user_id != me and lv.status == Leave.Status.REQUESTED],
        "others": [lv for lv in leaves if lv.user_id != me and lv.status != Leave.Status.REQUESTED][:50],
        "can_request": any(roles_at(request.user, c) & HALL_STAFF for c in centers_visible_to(request.user)),
    }
    if request.method == "POST" and form.is_valid():
        errors_show_on(request, "staffing/leave_list.html", ctx, form=form)
        leave = services.leave_request(by=request.user, **form.cleaned_data)
        messages.success(request, f"已提交请假申请（{leave.planned_days} 天），等待审批。")
        return redirect("staffing:leave", pk=leave.pk)
    return render(request, "staffing/leave_list.html", ctx, status=400 if form.errors else 200)


def _approve_form(leave, data=None):
    from govhall.queueing.models import Window

    gaps = selectors.leave_gaps(leave) if leave.status == Leave.Status.REQUESTED else []
    windows = {w.id: w for w in Window.objects.filter(id__in={g.window_id for g in gaps})}
    rows = [
        {
            "window": windows[g.window_id],
            "day": g.day,
            "candidates": selectors.substitute_candidates(leave, windows[g.window_id], g.day),
        }
        for g in gaps
    ]
    return ApproveForm(data, gaps=rows)


def _leave_act(request, leave: Leave, action: str, form) -> str:
    """Carry out `action` on `leave` with its form's data; the message to show."""
    if action == "approve":
        services.leave_approve(
            leave=leave,
            by=request.user,
            substitutes=form.substitutes(),
            note=form.cleaned_data.get("approval_note", ""),
        )
        return "已批准该请假。"
    if action == "reject":
        services.leave_reject(leave=leave, by=request.user, note=form.cleaned_data["note"])
        return "已不批准该请假。"
    if action == "report_back":
        services.leave_report_back(leave=leave, by=request.user, **form.cleaned_data)
        return "已销假。"
    services.leave_cancel(leave=leave, by=request.user)
    return "已撤销请假。"


LEAVE_ACTIONS = {"approve", "reject", "report_back", "cancel"}


@login_required
@require_http_methods(["GET", "POST"])
def leave_detail(request, pk, action=None):
    leave = get_object_or_404(selectors.leaves_visible_to(request.user), pk=pk)
    if request.method == "POST" and action not in LEAVE_ACTIONS:
        raise Http404
    can_decide = services.may_decide_leave(request.user, leave) and leave.status == Leave.Status.REQUESTED
    can_report_back = leave.status in (Leave.Status.APPROVED, Leave.Status.ON_LEAVE) and (
        leave.user_id == request.user.id or bool(roles_at(request.user, leave.center) & MANAGE)
    )
    data = request.POST if request.method == "POST" else None
    forms = {
        # A form is bound to the data of its own action only; the page shows those the user may use.
        "approve": _approve_form(leave, data if action == "approve" else None)
        if can_decide or action == "approve"
        else None,
        "reject": LeaveRejectForm(data if action == "reject" else None),
        "report_back": ReportBackForm(
            data if action == "report_back" else None, initial={"back_date": timezone.localdate()}
        ),
    }
    shown = {"approve": can_decide, "reject": can_decide, "report_back": can_report_back}
    ctx = {
        "leave": leave,
        "substitutes": leave.substitutes.select_related("window", "user"),
        "can_decide": can_decide,
        "is_mine": leave.user_id == request.user.id,
        "can_report_back": can_report_back,
        "history": leave.history.select_related("history_user").order_by("history_date"),
        "approve": forms["approve"],
        "reject": forms["reject"],
        "back": forms["report_back"],
    }
    if request.method == "POST":
        form = forms.get(action)
        # A refusal goes next to the form's fields when the page shows the form, else at the top.
        errors_show_on(request, "staffing/leave_detail.html", ctx, form=form if shown.get(action) else None)
        if form is not None and not form.is_valid():
            if not shown.get(action):
                raise DomainError(str(next(iter(form.errors.values()))[0]))
            return render(request, "staffing/leave_detail.html", ctx, status=400)
        messages.success(request, _leave_act(request, leave, action, form))
        return redirect("staffing:leave", pk=leave.pk)
    return render(request, "staffing/leave_detail.html", ctx)


# --- attendance ----------------------------------------------------------------------------------------


def _my_attendance(request) -> dict:
    """The person's own attendance: today's record and this month's row at their hall."""
    from .models import Attendance

    today = timezone.localdate()
    halls = [c for c in centers_visible_to(request.user) if roles_at(request.user, c) & HALL_STAFF]
    hall = halls[0] if halls else None

    def month_row() -> dict | None:
        return selectors.attendance_sheet(hall, today, users=[request.user])["rows"][0] if hall else None

    return {
        "record": Attendance.objects.filter(user=request.user, day=today).first(),
        "today": today,
        "hall": hall,
        # Read when shown: clocking in from the console redirects without it.
        "row": SimpleLazyObject(month_row),
        "my_corrections": AttendanceCorrection.objects.filter(user=request.user)[:20],
    }


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request):
    which = request.POST.get("form")
    correction = CorrectionForm(request.POST if which == "correction" else None)
    ctx = {"correction": correction, **_my_attendance(request)}
    if request.method == "POST" and which == "correction":
        if correction.is_valid():
            errors_show_on(request, "staffing/attendance.html", ctx, form=correction)
            services.attendance_correction_request(by=request.user, **correction.cleaned_data)
            messages.success(request, "已提交考勤更正申请，等待审批。")
            return redirect("staffing:attendance")
    elif request.method == "POST":
        errors_show_on(request, "staffing/attendance.html", ctx)
        kind = request.POST.get("kind", "")
        services.attendance_clock(by=request.user, kind=kind, ip=client_ip(request))
        messages.success(request, "签到成功。" if kind == "in" else "签退成功。")
        # Back to the page the buttons were on (e.g. the window console), never off-site.
        return redirect(safe_next(request, request.POST.get("next"), default=reverse("staffing:attendance")))
    return render(request, "staffing/attendance.html", ctx, status=400 if correction.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def hall_attendance(request, pk):
    from .models import AttendanceSetting

    center = _hall(request, pk)
    month = _month(request)
    if request.GET.get("format") == "xlsx":
        sheet = selectors.attendance_sheet(center, month)
        return _xlsx(excel.attendance_xlsx(sheet), f"考勤-{center.code}-{month:%Y-%m}.xlsx")
    which = request.POST.get("form")
    people = list(selectors.hall_staff(center, HALL_STAFF))
    setting = AttendanceSetting.objects.filter(center=center).first()
    started_form = StartedOnForm(request.POST if which == "started_on" else None, people=people)
    go_live_form = GoLiveForm(
        request.POST if which == "go_live" else None,
        initial={"attendance_since": setting.attendance_since if setting else None},
    )
    ctx = {
        "center": center,
        "month": month,
        # Read when shown: a decision that goes through redirects without it.
        "sheet": SimpleLazyObject(lambda: selectors.attendance_sheet(center, month)),
        "corrections": selectors.corrections_pending(center),
        "can_manage": can(request.user, center, "manage"),
        "setting": setting,
        "started_form": started_form,
        "go_live_form": go_live_form,
    }
    back = f"{request.path}?month={month:%Y-%m}"
    if request.method == "POST" and which in ("started_on", "go_live"):
        form = started_form if which == "started_on" else go_live_form
        if not form.is_valid():
            return render(request, "staffing/attendance_sheet.html", ctx, status=400)
        errors_show_on(request, "staffing/attendance_sheet.html", ctx, form=form)
        if which == "started_on":
            user = next(u for u in people if str(u.id) == form.cleaned_data["user"])
            services.staff_started_on_set(
                by=request.user, center=center, user=user, started_on=form.cleaned_data["started_on"]
            )
            messages.success(request, f"已设置{user.display_name}的进驻日期。")
        else:
            services.attendance_since_set(
                by=request.user, center=center, attendance_since=form.cleaned_data["attendance_since"]
            )
            messages.success(request, "已设置本大厅的考勤启用日期。")
        return redirect(back)
    if request.method == "POST":
        errors_show_on(request, "staffing/attendance_sheet.html", ctx)
        correction = get_object_or_404(
            AttendanceCorrection, pk=request.POST.get("correction") or 0, center=center
        )
        services.attendance_correction_decide(
            by=request.user, correction=correction, approve=request.POST.get("decision") == "approve"
        )
        messages.success(request, "已处理考勤更正申请。")
        return redirect(back)
    return render(request, "staffing/attendance_sheet.html", ctx)


# --- training ------------------------------------------------------------------------------------------


def _training_save(request, center, which: str, form, queues) -> str:
    """Record the course or the attendance the form describes; the message to show."""
    data = form.cleaned_data
    if which == "course":
        services.training_course_create(
            by=request.user,
            center=center,
            name=data["name"],
            held_on=data["held_on"],
            hours=data["hours"],
            valid_months=data["valid_months"],
            queues=[q for q in queues if str(q.id) in data["queues"]],
        )
        return "已登记培训课程。"
    course = get_object_or_404(TrainingCourse, pk=data["course"])
    user = get_object_or_404(User, pk=data["user"])
    services.training_record_add(by=request.user, course=course, user=user, passed=data["passed"])
    return "已登记培训记录。"


@login_required
@require_http_methods(["GET", "POST"])
def hall_training(request, pk):
    from govhall.queueing.models import Queue

    center = _hall(request, pk)
    queues = list(Queue.objects.filter(center=center))
    courses = list(selectors.training_of_hall(center))
    people = list(selectors.hall_staff(center, HALL_STAFF))
    which = request.POST.get("form")
    course_form = CourseForm(request.POST if which == "course" else None, queues=queues)
    record_form = RecordForm(request.POST if which == "record" else None, courses=courses, people=people)
    ctx = {
        "center": center,
        "courses": courses,
        "course_form": course_form,
        "record_form": record_form,
        "due": selectors.refreshers_due(center),
        "today": timezone.localdate(),
        "can_manage": can(request.user, center, "manage"),
    }
    form = course_form if which == "course" else record_form
    if request.method == "POST" and form.is_valid():
        errors_show_on(request, "staffing/training.html", ctx, form=form)
        messages.success(request, _training_save(request, center, which, form, queues))
        return redirect("staffing:training", pk=center.pk)
    return render(request, "staffing/training.html", ctx, status=400 if form.errors else 200)


# --- assessment ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def hall_assessment(request, pk):
    from .assessment import total_explanation, weights_for

    center = _hall(request, pk)
    month = _month(request)
    rows = list(selectors.assessments_of(center, month))
    windows = selectors.window_scores(center, month)
    if request.GET.get("format") == "xlsx":
        return _xlsx(
            excel.assessment_xlsx(center, month, rows, windows), f"考核-{center.code}-{month:%Y-%m}.xlsx"
        )
    scored = [r.score for r in rows if r.score is not None]
    in_effect = weights_for(center)
    ctx = {
        "center": center,
        "month": month,
        "rows": [
            {"a": r, "lines": list(r.lines.all()), "total": total_explanation(r.lines.all())} for r in rows
        ],
        "windows": windows,
        "weights": [
            {"label": c.label, "weight": in_effect.weights.get(c.value)} for c in AssessmentIndicator.Code
        ],
        "weights_source": in_effect.source,
        "branch_score": round(sum(scored) / len(scored), 1) if scored else None,
        "locked": any(r.status == "confirmed" for r in rows),
        "can_manage": can(request.user, center, "manage"),
        "can_confirm": can(request.user, center, "confirm"),
    }
    if request.method == "POST":
        errors_show_on(request, "staffing/assessment.html", ctx)
        if request.POST.get("action") == "confirm":
            n = services.assessment_confirm(by=request.user, center=center, month=month)
            messages.success(request, f"已确认 {n} 人的考核，本月考核已锁定。")
        else:
            computed = services.assessment_compute(by=request.user, center=center, month=month)
            messages.success(request, f"已计算 {len(computed)} 人的考核。")
        return redirect(f"{request.path}?month={month:%Y-%m}")
    return render(request, "staffing/assessment.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def rankings(request):
    from .assessment import weights

    month = _month(request)
    hall_ids = [c.id for c in _halls(request.user)]
    hub = Center.objects.filter(kind=Center.Kind.DISTRICT, id__in=hall_ids).first()
    is_admin = hub is not None and "district_admin" in roles_at(request.user, hub)
    ranks = selectors.rankings(user=request.user, month=month)
    if request.GET.get("format") == "xlsx":
        return _xlsx(excel.rankings_xlsx(month, ranks), f"考核排名-{month:%Y-%m}.xlsx")
    current = weights(hub.district_id) if hub else {}
    form = IndicatorForm(request.POST or None)
    ctx = {
        "month": month,
        "ranks": ranks,
        "form": form,
        "is_admin": is_admin,
        "indicators": [{"label": c.label, "weight": current.get(c.value)} for c in AssessmentIndicator.Code],
    }
    if request.method == "POST":
        if hub is None:
            raise Http404
        if form.is_valid():
            errors_show_on(request, "staffing/rankings.html", ctx, form=form)
            services.assessment_indicator_set(by=request.user, district=hub.district, **form.cleaned_data)
            messages.success(request, "已更新考核权重。")
            return redirect("staffing:rankings")
    return render(request, "staffing/rankings.html", ctx, status=400 if form.errors else 200)


@login_required
@require_POST
def leave_rule(request, pk):
    center = _hall(request, pk)
    form = LeaveRuleForm(request.POST)
    department = center.department
    if department is None:
        raise DomainError("该大厅没有业务主管部门，不能设置请假审批规则。")
    if not form.is_valid():
        raise DomainError("请填写有效的天数。", field="manager_max_days")
    services.leave_rule_set(by=request.user, department=department, **form.cleaned_data)
    messages.success(request, "已更新请假审批规则。")
    return redirect("staffing:posts", pk=center.pk)


# --- assessment weights (clause 一(一)) -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def weights(request, pk=None, action=None):
    """The district office proposes a department's weights; the department confirms or rejects."""
    from govhall.accounts.models import Role
    from govhall.accounts.selectors import center_ids_acting_as

    from .assessment import DEFAULT_WEIGHTS
    from .models import WeightSet

    departments = list(selectors.weight_departments_visible_to(request.user))
    sets = list(selectors.weight_sets_visible_to(request.user)[:50])
    is_admin = bool(center_ids_acting_as(request.user, {Role.DISTRICT_ADMIN}))
    leader_halls = center_ids_acting_as(request.user, {Role.DEPARTMENT_LEADER})
    my_departments = set(
        Center.objects.filter(id__in=leader_halls, department__isnull=False).values_list(
            "department_id", flat=True
        )
    )
    propose = WeightsForm(
        request.POST if action is None and request.method == "POST" else None,
        departments=departments,
        initial_weights=DEFAULT_WEIGHTS,
    )
    reject = WeightRejectForm(request.POST if action == "reject" else None)
    ctx = {
        "sets": [
            {
                "set": ws,
                "lines": [
                    {"label": c.label, "weight": ws.weights.get(c.value, "0")}
                    for c in AssessmentIndicator.Code
                ],
                "can_decide": ws.status == WeightSet.Status.PROPOSED and ws.department_id in my_departments,
            }
            for ws in sets
        ],
        "form": propose,
        "reject": reject,
        "is_admin": is_admin,
        "weight_fields": [propose[c] for c in AssessmentIndicator.Code.values],
    }
    if request.method == "POST" and action is None:
        if not propose.is_valid():
            return render(request, "staffing/weights.html", ctx, status=400)
        errors_show_on(request, "staffing/weights.html", ctx, form=propose)
        department = next(d for d in departments if str(d.id) == propose.cleaned_data["department"])
        services.weights_propose(
            by=request.user,
            department=department,
            weights=propose.weights(),
            note=propose.cleaned_data["note"],
        )
        messages.success(request, f"已向{department.name}提议考核权重，待部门确认。")
        return redirect("staffing:weights")
    if request.method == "POST":
        ws = get_object_or_404(selectors.weight_sets_visible_to(request.user), pk=pk)
        if action == "confirm":
            errors_show_on(request, "staffing/weights.html", ctx)
            services.weights_confirm(by=request.user, weight_set=ws)
            messages.success(request, "已确认该权重方案，本部门各大厅的考核自此使用。")
        elif action == "reject":
            errors_show_on(request, "staffing/weights.html", ctx, form=reject)
            if not reject.is_valid():
                raise DomainError("不同意时请写明理由。", field="reason")
            services.weights_reject(by=request.user, weight_set=ws, reason=reject.cleaned_data["reason"])
            messages.success(request, "已退回该权重方案。")
        else:
            raise Http404
        return redirect("staffing:weights")
    return render(request, "staffing/weights.html", ctx)
