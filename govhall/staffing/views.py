"""Staff pages of posts, coverage, gaps, leave, attendance, training and
assessment. Lists come from selectors scoped to the user; writes go through
the services, whose DomainError is shown next to the field it names (400)."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from govhall.accounts.models import User
from govhall.accounts.selectors import centers_visible_to, roles_at
from govhall.centers.models import Center
from govhall.core.errors import DomainError, NotFound, Refused

from . import excel, selectors, services
from .forms import (
    ApproveForm,
    CorrectionForm,
    CourseForm,
    IndicatorForm,
    LeaveRejectForm,
    LeaveRequestForm,
    LeaveRuleForm,
    PostForm,
    RecordForm,
    ReportBackForm,
    show_domain_error,
)
from .models import AssessmentIndicator, AttendanceCorrection, Leave, Post, StaffingWarning, TrainingCourse
from .permissions import HALL_STAFF, MANAGE, access_hall, can

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    ascii_name = filename.encode("ascii", "ignore").decode() or "export.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def _hall(request, pk, action="view") -> Center:
    center = get_object_or_404(Center, pk=pk)
    try:
        return access_hall(request.user, center, action=action)
    except NotFound:
        raise Http404 from None
    except Refused as exc:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(exc.message) from None


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


@login_required
@require_http_methods(["GET", "POST"])
def hall_posts(request, pk):
    center = _hall(request, pk)
    windows = list(center.windows.order_by("number"))
    people = list(selectors.hall_staff(center))
    form = PostForm(request.POST or None, windows=windows, people=people)
    status = 200
    if request.method == "POST":
        if "remove" in request.POST:
            post = get_object_or_404(Post, pk=request.POST["remove"], window__center=center)
            try:
                services.post_remove(by=request.user, post=post)
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect("staffing:posts", pk=center.pk)
            messages.success(request, "已撤销该岗位。")
            return redirect("staffing:posts", pk=center.pk)
        if form.is_valid():
            window = next(w for w in windows if str(w.id) == form.cleaned_data["window"])
            user = next(u for u in people if str(u.id) == form.cleaned_data["user"])
            try:
                services.post_assign(
                    by=request.user, window=window, role=form.cleaned_data["role"], user=user
                )
            except DomainError as exc:
                show_domain_error(form, exc)
                status = 400
            else:
                messages.success(
                    request, f"已设置 {window} 的{form.cleaned_data['role']}岗：{user.display_name}。"
                )
                return redirect("staffing:posts", pk=center.pk)
        else:
            status = 400
    posts = {}
    for p in selectors.posts_of_hall(center):
        posts.setdefault(p.window_id, {})[p.role] = p
    rows = [
        {"window": w, "A": posts.get(w.id, {}).get("A"), "B": posts.get(w.id, {}).get("B")} for w in windows
    ]
    return render(
        request,
        "staffing/posts.html",
        {
            "center": center,
            "rows": rows,
            "load": selectors.post_load(center),
            "form": form,
            "can_manage": can(request.user, center, "manage"),
        },
        status=status,
    )


def _coverage_grid(cov: Coverage, center, days):
    names = cov.names
    grid = []
    for w in [w for w in cov.windows if w.center_id == center.id]:
        cells = []
        for d in days:
            cell = cov.cells.get((w.id, d))
            if cell is None:
                cells.append({"day": d, "text": "未设岗", "css": "gap", "gap": True})
                continue
            parts = []
            for half in (0, 1):
                uid, how = cell.who[half], cell.how[half]
                label = {"A": "A", "B": "B", "S": "顶岗"}.get(how)
                parts.append(f"{names.get(uid)}（{label}）" if uid else "断档")
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
        halves = (
            "全天"
            if cell.who == [None, None]
            else "、".join(selectors.HALF_LABEL[h] for h in (0, 1) if cell.who[h] is None)
        )
        rows.append(
            {
                "day": cell.day,
                "window": w,
                "center": w.center,
                "halves": halves,
                "a": cov.names.get(cov.posts.get(w.id, {}).get("A")),
                "b": cov.names.get(cov.posts.get(w.id, {}).get("B")),
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
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                leave = services.leave_request(by=request.user, **form.cleaned_data)
            except DomainError as exc:
                show_domain_error(form, exc)
                status = 400
            else:
                messages.success(request, f"已提交请假申请（{leave.planned_days} 天），等待审批。")
                return redirect("staffing:leave", pk=leave.pk)
        else:
            status = 400
    leaves = selectors.leaves_visible_to(request.user)
    mine = [lv for lv in leaves if lv.user_id == request.user.id][:50]
    pending = [lv for lv in leaves if lv.user_id != request.user.id and lv.status == Leave.Status.REQUESTED]
    others = [lv for lv in leaves if lv.user_id != request.user.id and lv.status != Leave.Status.REQUESTED][
        :50
    ]
    can_request = any(roles_at(request.user, c) & HALL_STAFF for c in centers_visible_to(request.user))
    return render(
        request,
        "staffing/leave_list.html",
        {"form": form, "mine": mine, "pending": pending, "others": others, "can_request": can_request},
        status=status,
    )


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


@login_required
@require_http_methods(["GET", "POST"])
def leave_detail(request, pk, action=None):
    leave = get_object_or_404(selectors.leaves_visible_to(request.user), pk=pk)
    ctx = {
        "leave": leave,
        "substitutes": leave.substitutes.select_related("window", "user"),
        "can_decide": services.may_decide_leave(request.user, leave)
        and leave.status == Leave.Status.REQUESTED,
        "is_mine": leave.user_id == request.user.id,
        "can_report_back": leave.status in (Leave.Status.APPROVED, Leave.Status.ON_LEAVE)
        and (leave.user_id == request.user.id or bool(roles_at(request.user, leave.center) & MANAGE)),
        "history": leave.history.select_related("history_user").order_by("history_date"),
    }
    approve = (
        _approve_form(leave, request.POST if action == "approve" else None) if ctx["can_decide"] else None
    )
    reject = LeaveRejectForm(request.POST if action == "reject" else None)
    back = ReportBackForm(
        request.POST if action == "report_back" else None, initial={"back_date": timezone.localdate()}
    )
    status = 200
    if request.method == "POST":
        try:
            if action == "approve":
                approve = approve or _approve_form(leave, request.POST)
                if not approve.is_valid():
                    raise DomainError("请检查填写的内容。")
                services.leave_approve(
                    leave=leave,
                    by=request.user,
                    substitutes=approve.substitutes(),
                    note=approve.cleaned_data.get("approval_note", ""),
                )
                messages.success(request, "已批准该请假。")
            elif action == "reject":
                if not reject.is_valid():
                    raise DomainError("不批准时请写明理由。", field="note")
                services.leave_reject(leave=leave, by=request.user, note=reject.cleaned_data["note"])
                messages.success(request, "已不批准该请假。")
            elif action == "report_back":
                if not back.is_valid():
                    raise DomainError("请填写返岗日期。", field="back_date")
                services.leave_report_back(leave=leave, by=request.user, **back.cleaned_data)
                messages.success(request, "已销假。")
            elif action == "cancel":
                services.leave_cancel(leave=leave, by=request.user)
                messages.success(request, "已撤销请假。")
            else:
                raise Http404
        except DomainError as exc:
            target = {"approve": approve, "reject": reject, "report_back": back}.get(action)
            if target is not None and exc.field and exc.field in target.fields:
                show_domain_error(target, exc)
            else:
                ctx["action_error"] = (action, exc.message)
            status = exc.status
            leave.refresh_from_db()
        else:
            return redirect("staffing:leave", pk=leave.pk)
    ctx.update({"approve": approve, "reject": reject, "back": back})
    return render(request, "staffing/leave_detail.html", ctx, status=status)


# --- attendance ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request):
    from .models import Attendance

    correction = CorrectionForm(request.POST if request.POST.get("form") == "correction" else None)
    status = 200
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("form") == "correction":
                if not correction.is_valid():
                    raise DomainError("请检查填写的内容。")
                services.attendance_correction_request(by=request.user, **correction.cleaned_data)
                messages.success(request, "已提交考勤更正申请，等待审批。")
            else:
                kind = request.POST.get("kind", "")
                services.attendance_clock(by=request.user, kind=kind, ip=client_ip(request))
                messages.success(request, "签到成功。" if kind == "in" else "签退成功。")
        except DomainError as exc:
            if request.POST.get("form") == "correction" and exc.field in correction.fields:
                show_domain_error(correction, exc)
            else:
                error = exc.message
            status = exc.status
        else:
            nxt = request.POST.get("next", "")
            if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
                return redirect(nxt)  # e.g. back to the window console
            return redirect("staffing:attendance")
    today = timezone.localdate()
    record = Attendance.objects.filter(user=request.user, day=today).first()
    halls = [c for c in centers_visible_to(request.user) if roles_at(request.user, c) & HALL_STAFF]
    sheet = selectors.attendance_sheet(halls[0], today, users=[request.user]) if halls else None
    return render(
        request,
        "staffing/attendance.html",
        {
            "record": record,
            "today": today,
            "error": error,
            "correction": correction,
            "hall": halls[0] if halls else None,
            "row": sheet["rows"][0] if sheet else None,
            "my_corrections": AttendanceCorrection.objects.filter(user=request.user)[:20],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def hall_attendance(request, pk):
    center = _hall(request, pk)
    month = _month(request)
    error = None
    status = 200
    if request.method == "POST":
        correction = get_object_or_404(
            AttendanceCorrection, pk=request.POST.get("correction") or 0, center=center
        )
        try:
            services.attendance_correction_decide(
                by=request.user, correction=correction, approve=request.POST.get("decision") == "approve"
            )
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(request, "已处理考勤更正申请。")
            return redirect(f"{request.path}?month={month:%Y-%m}")
    sheet = selectors.attendance_sheet(center, month)
    if request.GET.get("format") == "xlsx":
        return _xlsx(excel.attendance_xlsx(sheet), f"考勤-{center.code}-{month:%Y-%m}.xlsx")
    return render(
        request,
        "staffing/attendance_sheet.html",
        {
            "center": center,
            "month": month,
            "sheet": sheet,
            "error": error,
            "corrections": selectors.corrections_pending(center),
            "can_manage": can(request.user, center, "manage"),
        },
        status=status,
    )


# --- training ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def hall_training(request, pk):
    center = _hall(request, pk)
    from govhall.queueing.models import Queue

    queues = list(Queue.objects.filter(center=center))
    courses = list(selectors.training_of_hall(center))
    people = list(selectors.hall_staff(center, HALL_STAFF))
    which = request.POST.get("form")
    course_form = CourseForm(request.POST if which == "course" else None, queues=queues)
    record_form = RecordForm(request.POST if which == "record" else None, courses=courses, people=people)
    status = 200
    if request.method == "POST":
        form = course_form if which == "course" else record_form
        if form.is_valid():
            try:
                if which == "course":
                    data = form.cleaned_data
                    services.training_course_create(
                        by=request.user,
                        center=center,
                        name=data["name"],
                        held_on=data["held_on"],
                        hours=data["hours"],
                        valid_months=data["valid_months"],
                        queues=[q for q in queues if str(q.id) in data["queues"]],
                    )
                    messages.success(request, "已登记培训课程。")
                else:
                    course = get_object_or_404(TrainingCourse, pk=form.cleaned_data["course"])
                    user = get_object_or_404(User, pk=form.cleaned_data["user"])
                    services.training_record_add(
                        by=request.user, course=course, user=user, passed=form.cleaned_data["passed"]
                    )
                    messages.success(request, "已登记培训记录。")
            except DomainError as exc:
                show_domain_error(form, exc)
                status = 400
            else:
                return redirect("staffing:training", pk=center.pk)
        else:
            status = 400
    return render(
        request,
        "staffing/training.html",
        {
            "center": center,
            "courses": courses,
            "course_form": course_form,
            "record_form": record_form,
            "due": selectors.refreshers_due(center),
            "today": timezone.localdate(),
            "can_manage": can(request.user, center, "manage"),
        },
        status=status,
    )


# --- assessment ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def hall_assessment(request, pk):
    center = _hall(request, pk)
    month = _month(request)
    error, status = None, 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "confirm":
                n = services.assessment_confirm(by=request.user, center=center, month=month)
                messages.success(request, f"已确认 {n} 人的考核，本月考核已锁定。")
            else:
                rows = services.assessment_compute(by=request.user, center=center, month=month)
                messages.success(request, f"已计算 {len(rows)} 人的考核。")
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            return redirect(f"{request.path}?month={month:%Y-%m}")
    rows = list(selectors.assessments_of(center, month))
    windows = selectors.window_scores(center, month)
    if request.GET.get("format") == "xlsx":
        return _xlsx(
            excel.assessment_xlsx(center, month, rows, windows), f"考核-{center.code}-{month:%Y-%m}.xlsx"
        )
    scored = [r.score for r in rows if r.score is not None]
    return render(
        request,
        "staffing/assessment.html",
        {
            "center": center,
            "month": month,
            "rows": rows,
            "windows": windows,
            "error": error,
            "branch_score": round(sum(scored) / len(scored), 1) if scored else None,
            "locked": any(r.status == "confirmed" for r in rows),
            "can_manage": can(request.user, center, "manage"),
            "can_confirm": can(request.user, center, "confirm"),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rankings(request):
    month = _month(request)
    is_admin = any(
        "district_admin" in roles_at(request.user, c)
        for c in Center.objects.filter(kind=Center.Kind.DISTRICT, id__in=[c.id for c in _halls(request.user)])
    )
    form = IndicatorForm(request.POST or None)
    status = 200
    hub = Center.objects.filter(
        kind=Center.Kind.DISTRICT, id__in=[c.id for c in _halls(request.user)]
    ).first()
    if request.method == "POST":
        if hub is None:
            raise Http404
        if form.is_valid():
            try:
                services.assessment_indicator_set(by=request.user, district=hub.district, **form.cleaned_data)
            except DomainError as exc:
                show_domain_error(form, exc)
                status = 403 if isinstance(exc, Refused) else 400
            else:
                messages.success(request, "已更新考核权重。")
                return redirect("staffing:rankings")
        else:
            status = 400
    ranks = selectors.rankings(user=request.user, month=month)
    if request.GET.get("format") == "xlsx":
        return _xlsx(excel.rankings_xlsx(month, ranks), f"考核排名-{month:%Y-%m}.xlsx")
    from .assessment import weights

    district_id = hub.district_id if hub else None
    current = weights(district_id) if district_id else {}
    indicators = [{"label": c.label, "weight": current.get(c.value)} for c in AssessmentIndicator.Code]
    return render(
        request,
        "staffing/rankings.html",
        {"month": month, "ranks": ranks, "form": form, "is_admin": is_admin, "indicators": indicators},
        status=status,
    )


@login_required
@require_POST
def leave_rule(request, pk):
    center = _hall(request, pk)
    form = LeaveRuleForm(request.POST)
    if form.is_valid() and center.department_id:
        try:
            services.leave_rule_set(by=request.user, department=center.department, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已更新请假审批规则。")
    else:
        messages.error(request, "请填写有效的天数。")
    return redirect("staffing:posts", pk=center.pk)
