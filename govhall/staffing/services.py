"""Writers for posts, leave, substitutes, attendance, training and assessment.
Each checks permission, validates, writes and records history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from govhall.accounts.models import Role
from govhall.accounts.selectors import roles_at
from govhall.core.errors import DomainError, Refused, WrongState
from govhall.core.history import delete_recorded, save_recorded
from govhall.queueing.models import Window

from . import selectors
from .halfdays import halves_between, unserved_halves
from .models import (
    DEFAULT_MANAGER_MAX_DAYS,
    AssessmentIndicator,
    AssessmentLine,
    Attendance,
    AttendanceCorrection,
    AttendanceSetting,
    Leave,
    LeaveRule,
    MonthlyAssessment,
    Post,
    StaffingWarning,
    StaffPlacement,
    Substitute,
    TrainingCourse,
    TrainingRecord,
    WeightSet,
)
from .permissions import HALL_STAFF, POST_HOLDERS, access_hall, is_hall_staff

if TYPE_CHECKING:
    from govhall.accounts.models import User
    from govhall.catalog.models import ServiceItem
    from govhall.centers.models import Center, Department, District
    from govhall.queueing.models import Queue

    from .selectors import Cell

Days = Decimal | float | str  # a number of days or a weight, as a form or the API gives it
Substitutes = Iterable[Mapping[str, Any]]  # [{"window": Window or id, "day": date, "user": User}]


def _today() -> date:
    return timezone.localdate()


# --- posts ---------------------------------------------------------------------------------------------


@transaction.atomic
def post_assign(
    *, by: User | None, window: Window, role: str, user: User | None, day: date | None = None
) -> Post:
    """Put `user` at `window` as A or B (replacing whoever held that post). The
    person must be a counter staff member of the window's hall, differ from the
    other post's holder, be A at no other window, and be trained for the
    window's queues."""
    access_hall(by, window.center, action="manage")
    if role not in Post.Role.values:
        raise DomainError("岗位只能是 A 岗或 B 岗。", field="role")
    if user is None:
        raise DomainError("请选择工作人员。", field="user")
    if not is_hall_staff(user, window.center, POST_HOLDERS):
        raise DomainError(f"{user.display_name}不是{window.center.name}的窗口工作人员。", field="user")
    other = Post.objects.filter(window=window).exclude(role=role).first()
    if other is not None and other.user_id == user.id:
        raise DomainError("同一窗口的 A 岗和 B 岗必须是两个不同的人。", field="user")
    if role == Post.Role.A:
        elsewhere = (
            Post.objects.filter(user=user, role=Post.Role.A).exclude(window=window).select_related("window")
        )
        if elsewhere.exists():
            raise DomainError(
                f"{user.display_name}已是{elsewhere[0].window}的 A 岗，一人只能担任一个窗口的 A 岗。",
                field="user",
            )
    missing = selectors.missing_training(user, window, day or _today())
    if missing:
        names = "、".join(q.name for q in missing)
        raise DomainError(
            f"{user.display_name}没有有效的培训记录，不能办理：{names}。请先登记培训。", field="user"
        )
    post = Post.objects.filter(window=window, role=role).first()
    if post is not None and post.user_id == user.id:
        return post
    if post is None:
        post = Post(window=window, role=role)
    post.user = user
    save_recorded(post, by=by, reason=f"设置{role}岗")
    return post


@transaction.atomic
def post_remove(*, by: User | None, post: Post) -> None:
    access_hall(by, post.window.center, action="manage")
    delete_recorded(post, by=by, reason=f"撤销{post.role}岗")


# --- leave ---------------------------------------------------------------------------------------------


def _leave_center(user: User, center: Center | None = None) -> Center:
    """The hall where `user` works (and takes leave)."""
    from govhall.accounts.models import RoleAssignment

    held = RoleAssignment.objects.filter(user=user, role__in=list(HALL_STAFF)).select_related("center")
    if center is not None:
        held = held.filter(center=center)
    first = held.first()
    if first is None:
        raise Refused("只有大厅工作人员可以在此请假。")
    return first.center


def _parse_days(value: Days, field: str) -> Decimal:
    try:
        days = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError("请填写天数。", field=field) from None
    if days < 0 or days > 365 or days * 2 != int(days * 2):
        raise DomainError("天数应为 0 到 365 之间的整数或半天。", field=field)
    return days


@transaction.atomic
def leave_rule_set(*, by: User | None, department: Department, manager_max_days: Days) -> LeaveRule:
    """The department sets how long a leave its branch managers may approve."""
    from govhall.centers.models import Center

    days = _parse_days(manager_max_days, "manager_max_days")
    if by is not None:
        halls = Center.objects.filter(department=department)
        if not any(roles_at(by, c) & {Role.DEPARTMENT_LEADER, Role.DISTRICT_ADMIN} for c in halls):
            raise Refused("只有业务主管部门的分管班子成员或区政务办可以设置请假审批规则。")
    rule = LeaveRule.objects.filter(department=department).first() or LeaveRule(department=department)
    rule.manager_max_days = days
    save_recorded(rule, by=by, reason="设置请假审批规则")
    return rule


def manager_max_days(center: Center) -> Decimal:
    rule = (
        LeaveRule.objects.filter(department_id=center.department_id).first() if center.department_id else None
    )
    return rule.manager_max_days if rule else DEFAULT_MANAGER_MAX_DAYS


def may_decide_leave(by: User | None, leave: Leave) -> bool:
    try:
        _check_decider(by, leave)
    except DomainError:
        return False
    return True


def _check_decider(by: User | None, leave: Leave) -> None:
    if by is None or not by.is_authenticated:
        raise Refused("请先登录。")
    if by.id == leave.user_id:
        raise Refused("不能审批自己的请假。")
    roles = roles_at(by, leave.center)
    limit = manager_max_days(leave.center)
    if leave.planned_days <= limit:
        allowed = {Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER}
        who = "分中心负责人或分管班子成员"
    else:
        allowed = {Role.DEPARTMENT_LEADER}
        who = "分管班子成员"
    if not roles & allowed:
        raise Refused(
            f"这次请假 {leave.planned_days} 天，按本部门规则（{limit} 天以内由分中心负责人审批，"
            f"更长的由分管班子成员审批）应由{who}审批，您无权审批。"
        )


@transaction.atomic
def leave_request(
    *,
    by: User | None,
    kind: str,
    start_date: date,
    end_date: date,
    reason: str,
    start_pm: bool = False,
    end_am: bool = False,
    center: Center | None = None,
) -> Leave:
    """A staff member asks for leave. Overlapping an existing request is refused."""
    if by is None or not by.is_authenticated:
        raise Refused("请先登录。")
    if kind not in Leave.Kind.values:
        raise DomainError("请选择假别。", field="kind")
    if not start_date:
        raise DomainError("请填写开始日期。", field="start_date")
    if not end_date:
        raise DomainError("请填写结束日期。", field="end_date")
    if end_date < start_date:
        raise DomainError("结束日期不能早于开始日期。", field="end_date")
    if (end_date - start_date).days > 366:
        raise DomainError("一次请假不能超过一年。", field="end_date")
    if not (reason or "").strip():
        raise DomainError("请填写请假事由。", field="reason")
    hall = _leave_center(by, center)
    leave = Leave(
        user=by,
        center=hall,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        start_pm=start_pm,
        end_am=end_am,
        reason=reason.strip(),
    )
    if start_date == end_date and start_pm and end_am:
        raise DomainError("同一天不能既自下午开始又至上午结束。", field="end_am")
    first, last = leave.periods
    for other in Leave.objects.filter(
        user=by, status__in=Leave.LIVE, start_date__lte=end_date, end_date__gte=start_date
    ):
        o_first, o_last = other.periods
        if first <= o_last and o_first <= last:
            raise DomainError(
                f"与已有的请假（{other.start_date:%m月%d日}–{other.end_date:%m月%d日}，"
                f"{other.get_status_display()}）时间重叠。",
                field="start_date",
                code="overlap",
            )
    leave.planned_days = selectors.leave_days(hall, first, last)
    if leave.planned_days <= 0:
        raise DomainError("所选日期内没有需要上班的工作日，无需请假。", field="start_date")
    save_recorded(leave, by=by, reason="提交请假")
    return leave


def _substitute_map(leave: Leave, substitutes: Substitutes | None) -> dict[tuple[int, date], User]:
    """Validate the named substitutes: {(window id, day): user}."""
    out: dict[tuple[int, date], User] = {}
    for s in substitutes or []:
        window, day, user = s.get("window"), s.get("day"), s.get("user")
        if user is None:
            continue
        if window is not None and not isinstance(window, Window):
            window = Window.objects.filter(pk=window, center_id=leave.center_id).first()
        if window is None or window.center_id != leave.center_id:
            raise DomainError("顶岗窗口不属于本大厅。", field="substitutes")
        if day is None or not (leave.start_date <= day <= leave.end_date):
            raise DomainError("顶岗日期必须在请假期间内。", field="substitutes")
        if user.id == leave.user_id:
            raise DomainError("请假人不能为自己顶岗。", field="substitutes")
        if not is_hall_staff(user, leave.center, POST_HOLDERS):
            raise DomainError(f"{user.display_name}不是本大厅的窗口工作人员，不能顶岗。", field="substitutes")
        if not selectors.trained_for(user, window, day):
            raise DomainError(
                f"{user.display_name}没有{window}所办事项的有效培训记录，不能顶岗。", field="substitutes"
            )
        if selectors.away_halves([user.id], day, day).get(user.id):
            raise DomainError(f"{user.display_name}在{day:%m月%d日}也请假，不能顶岗。", field="substitutes")
        busy = selectors.coverage(
            center_ids=[leave.center_id],
            start=day,
            end=day,
            extra_away={leave.user_id: set(halves_between(*leave.periods))},
            exclude_leave_id=leave.id,
        )
        for cell in busy.cells.values():
            if cell.window_id != window.id and user.id in cell.on_duty:
                raise DomainError(
                    f"{user.display_name}在{day:%m月%d日}要在另一个窗口值守，不能同时顶岗。",
                    field="substitutes",
                )
        out[(window.id, day)] = user
    return out


def describe_gaps(cells: Iterable[Cell], windows: Iterable[Window]) -> str:
    names = {w.id: w for w in windows}
    parts = []
    for c in cells:
        w = names.get(c.window_id)
        parts.append(f"{c.day:%m月%d日}{unserved_halves(c.who)} {w.number if w else ''}号窗口")
    return "；".join(parts)


@transaction.atomic
def leave_approve(
    *, leave: Leave, by: User | None, substitutes: Substitutes | None = None, note: str = ""
) -> Leave:
    """Approve a request. Refused when it would leave a window with nobody on
    an opening day, unless a trained substitute is named for each such day."""
    leave = Leave.objects.select_for_update().get(pk=leave.pk)
    if leave.status != Leave.Status.REQUESTED:
        raise WrongState(f"该请假目前为“{leave.get_status_display()}”，不能审批。")
    _check_decider(by, leave)
    subs = _substitute_map(leave, substitutes)
    gaps = selectors.leave_gaps(leave, substitutes={k: u.id for k, u in subs.items()})
    if gaps:
        windows = Window.objects.filter(id__in={c.window_id for c in gaps})
        raise DomainError(
            f"批准后以下窗口无人值守（A岗、B岗都不在）：{describe_gaps(gaps, windows)}。"
            "请为这些日期指定经过培训的顶岗人员后再批准。",
            field="substitutes",
            code="gap",
        )
    leave.status = Leave.Status.ON_LEAVE if leave.start_date <= _today() else Leave.Status.APPROVED
    leave.approver = by
    leave.decided_at = timezone.now()
    leave.decision_note = (note or "").strip()[:200]
    save_recorded(leave, by=by, reason="批准请假")
    for (window_id, day), user in subs.items():
        save_recorded(
            Substitute(leave=leave, window_id=window_id, day=day, user=user), by=by, reason="指定顶岗人员"
        )
    # Warnings are the system's own notes (no history): those these substitutes answer are resolved.
    StaffingWarning.objects.filter(
        window_id__in=[w for w, _ in subs], day__in=[d for _, d in subs], resolved_at__isnull=True
    ).update(resolved_at=timezone.now())
    return leave


@transaction.atomic
def leave_reject(*, leave: Leave, by: User | None, note: str) -> Leave:
    leave = Leave.objects.select_for_update().get(pk=leave.pk)
    if leave.status != Leave.Status.REQUESTED:
        raise WrongState(f"该请假目前为“{leave.get_status_display()}”，不能审批。")
    _check_decider(by, leave)
    if not (note or "").strip():
        raise DomainError("不批准时请写明理由。", field="note")
    leave.status = Leave.Status.REJECTED
    leave.approver = by
    leave.decided_at = timezone.now()
    leave.decision_note = note.strip()[:200]
    save_recorded(leave, by=by, reason="不批准请假")
    return leave


@transaction.atomic
def leave_cancel(*, leave: Leave, by: User | None) -> Leave:
    """The requester withdraws a leave that has not started."""
    leave = Leave.objects.select_for_update().get(pk=leave.pk)
    if by is None or by.id != leave.user_id:
        raise Refused("只有请假人本人可以撤销请假。")
    if leave.status not in (Leave.Status.REQUESTED, Leave.Status.APPROVED) or leave.start_date <= _today():
        raise WrongState("只能撤销尚未开始的请假；已开始的请用销假。")
    leave.status = Leave.Status.CANCELLED
    save_recorded(leave, by=by, reason="撤销请假")
    return leave


@transaction.atomic
def leave_report_back(*, leave: Leave, by: User | None, back_date: date, back_pm: bool = False) -> Leave:
    """销假: the person is back at work from `back_date` (afternoon if
    `back_pm`); the actual days are recorded and days not taken are given back."""
    leave = Leave.objects.select_for_update().get(pk=leave.pk)
    if by is None or (
        by.id != leave.user_id
        and not roles_at(by, leave.center) & {Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER}
    ):
        raise Refused("只有请假人本人或分中心负责人可以销假。")
    if leave.status not in (Leave.Status.APPROVED, Leave.Status.ON_LEAVE):
        raise WrongState(f"该请假目前为“{leave.get_status_display()}”，不能销假。")
    if leave.start_date > _today():
        raise DomainError(
            f"该请假{leave.start_date.month}月{leave.start_date.day}日才开始，尚未开始不能销假；"
            "不再需要的请假请撤销。",
            field="back_date",
            code="not_started",
        )
    if not back_date:
        raise DomainError("请填写返岗日期。", field="back_date")
    first, planned_last = leave.periods
    back = (back_date, 1 if back_pm else 0)
    if back <= first:
        raise DomainError("返岗时间必须晚于请假开始时间；尚未开始的请假请撤销。", field="back_date")
    after_planned = (planned_last[0], 1) if planned_last[1] == 0 else (planned_last[0] + timedelta(days=1), 0)
    if back > after_planned:
        # Returning later than planned would cover unapproved days: ask for more leave first.
        later = [
            d
            for d in selectors.opening_days([leave.center_id], after_planned[0], back_date).get(
                leave.center_id, []
            )
            if (d, 0) < back and (d, 1) >= after_planned
        ]
        if later:
            raise DomainError("返岗日期晚于批准的假期结束日，超出的天数请先续假。", field="back_date")
    leave.back_date, leave.back_pm = back_date, back_pm
    last = leave.periods[1]
    leave.actual_days = selectors.leave_days(leave.center, first, last)
    if leave.actual_days > leave.planned_days:
        # The calendar or the hall's hours changed since the request (a closure lifted, a day made a
        # working day): the days taken may not exceed those approved.
        raise DomainError(
            f"按此返岗日期实际休假 {leave.actual_days.normalize():f} 天，超过批准的 "
            f"{leave.planned_days.normalize():f} 天；超出的天数请先续假，或填写更早的返岗日期。",
            field="back_date",
            code="over_planned",
        )
    leave.status = Leave.Status.REPORTED_BACK
    save_recorded(leave, by=by, reason="销假")
    return leave


@transaction.atomic
def leaves_start_due(*, today: date | None = None) -> int:
    """Approved leave whose first day has come is now 休假中."""
    today = today or _today()
    n = 0
    for leave in Leave.objects.filter(status=Leave.Status.APPROVED, start_date__lte=today):
        leave.status = Leave.Status.ON_LEAVE
        save_recorded(leave, by=None, reason="假期开始", validate=False)  # a status transition only
        n += 1
    return n


# --- the daily gap warning -----------------------------------------------------------------------------


@transaction.atomic
def staffing_gaps_warn(*, today: date | None = None, days: int = 30) -> dict[str, int]:
    """Warn the branch manager and the district office of every gap in the next
    `days` days. One warning per window and day: running again adds nothing;
    a gap that has closed since is marked resolved."""
    from govhall.accounts.models import RoleAssignment
    from govhall.centers.models import Center

    today = today or _today()
    end = today + timedelta(days=days - 1)
    halls = list(Center.objects.filter(status=Center.Status.ACTIVE))
    cov = selectors.coverage(center_ids=[c.id for c in halls], start=today, end=end)
    by_id = {w.id: w for w in cov.windows}
    open_keys = set()
    created = 0
    recipients_of: dict[int, list[int]] = {}
    for cell in cov.gaps():
        w = by_id[cell.window_id]
        open_keys.add((w.id, cell.day))
        if w.center_id not in recipients_of:
            recipients_of[w.center_id] = list(
                RoleAssignment.objects.filter(
                    Q(role=Role.BRANCH_MANAGER, center=w.center)
                    | Q(role=Role.DISTRICT_ADMIN, center__district_id=w.center.district_id)
                )
                .values_list("user_id", flat=True)
                .distinct()
            )
        message = f"{w.center.name}{w.number}号窗口 {cell.day:%Y-%m-%d} {cell.reason}。"
        warning, made = StaffingWarning.objects.get_or_create(
            window=w, day=cell.day, defaults={"center": w.center, "message": message}
        )
        if made:
            created += 1
            warning.recipients.set(recipients_of[w.center_id])
        elif warning.resolved_at is not None or warning.message != message:
            # Open again, with the reason as it stands (posts set since, or removed).
            warning.resolved_at, warning.message = None, message
            warning.save(update_fields=["resolved_at", "message", "updated_at"])
    resolved = 0
    for warning in StaffingWarning.objects.filter(day__gte=today, day__lte=end, resolved_at__isnull=True):
        if (warning.window_id, warning.day) not in open_keys:
            warning.resolved_at = timezone.now()
            warning.save(update_fields=["resolved_at", "updated_at"])
            resolved += 1
    return {"gaps": len(open_keys), "warned": created, "resolved": resolved}


def _aware(day: date, t: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, t))


# --- attendance ----------------------------------------------------------------------------------------


def _attendance_center(user: User, center: Center | None = None) -> Center:
    try:
        return _leave_center(user, center)
    except Refused:
        raise Refused("只有大厅工作人员需要考勤打卡。") from None


@transaction.atomic
def attendance_clock(
    *,
    by: User | None,
    kind: str,
    ip: str | None = None,
    now: datetime | None = None,
    center: Center | None = None,
) -> Attendance:
    """Clock in (`kind="in"`) or out at the person's hall, with the client's IP.
    Each happens once a day; a mistake is fixed by a correction, never edited."""
    if by is None or not by.is_authenticated:
        raise Refused("请先登录。")
    if kind not in ("in", "out"):
        raise DomainError("请选择签到或签退。", field="kind")
    hall = _attendance_center(by, center)
    now = now or timezone.now()
    day = timezone.localdate(now)
    record = Attendance.objects.select_for_update().filter(user=by, day=day).first()
    if kind == "in":
        if record is not None and record.clock_in:
            raise WrongState(f"今天已于 {timezone.localtime(record.clock_in):%H:%M} 签到。")
        record = record or Attendance(user=by, center=hall, day=day)
        record.clock_in, record.clock_in_ip = now, ip or None
        save_recorded(record, by=by, reason="签到")
        return record
    if record is None or not record.clock_in:
        raise WrongState("今天还没有签到，不能签退；如忘记签到，请申请考勤更正。")
    if record.clock_out:
        raise WrongState(f"今天已于 {timezone.localtime(record.clock_out):%H:%M} 签退。")
    record.clock_out, record.clock_out_ip = now, ip or None
    save_recorded(record, by=by, reason="签退")
    return record


@transaction.atomic
def attendance_correction_request(
    *,
    by: User | None,
    day: date,
    kind: str,
    at_time: time | None,
    reason: str,
    center: Center | None = None,
) -> AttendanceCorrection:
    """Ask for a clock time to be corrected (forgot to clock, device down)."""
    if by is None or not by.is_authenticated:
        raise Refused("请先登录。")
    hall = _attendance_center(by, center)
    if kind not in AttendanceCorrection.Kind.values:
        raise DomainError("请选择补签到或补签退。", field="kind")
    if not day:
        raise DomainError("请填写日期。", field="day")
    if day > _today():
        raise DomainError("不能为将来的日期申请更正。", field="day")
    if at_time is None:
        raise DomainError("请填写更正后的时间。", field="at_time")
    if not (reason or "").strip():
        raise DomainError("请填写更正原因。", field="reason")
    if AttendanceCorrection.objects.filter(
        user=by, day=day, kind=kind, status=AttendanceCorrection.Status.REQUESTED
    ).exists():
        raise DomainError("该日已有待审批的同类更正申请。", field="day")
    correction = AttendanceCorrection(
        user=by, center=hall, day=day, kind=kind, at=_aware(day, at_time), reason=reason.strip()
    )
    save_recorded(correction, by=by, reason="申请考勤更正")
    return correction


@transaction.atomic
def attendance_correction_decide(
    *, by: User | None, correction: AttendanceCorrection, approve: bool
) -> AttendanceCorrection:
    """The branch manager approves (the attendance record is changed, with the
    history kept) or rejects a correction. Never one's own."""
    if by is None:
        raise Refused("考勤更正须由分中心负责人审批。")
    correction = AttendanceCorrection.objects.select_for_update().get(pk=correction.pk)
    access_hall(by, correction.center, action="manage")
    if by.id == correction.user_id:
        raise Refused("不能审批自己的考勤更正。")
    if correction.status != AttendanceCorrection.Status.REQUESTED:
        raise WrongState("该更正申请已处理。")
    correction.status = (
        AttendanceCorrection.Status.APPROVED if approve else AttendanceCorrection.Status.REJECTED
    )
    correction.decided_by, correction.decided_at = by, timezone.now()
    save_recorded(correction, by=by, reason="审批考勤更正")
    if approve:
        record = Attendance.objects.select_for_update().filter(
            user_id=correction.user_id, day=correction.day
        ).first() or Attendance(user_id=correction.user_id, center=correction.center, day=correction.day)
        if correction.kind == AttendanceCorrection.Kind.CLOCK_IN:
            record.clock_in = correction.at
        else:
            record.clock_out = correction.at
        save_recorded(record, by=by, reason=f"考勤更正（申请 #{correction.pk}）：{correction.reason}")
    return correction


# --- first days and the attendance go-live -------------------------------------------------------------


@transaction.atomic
def staff_started_on_set(
    *, by: User | None, center: Center, user: User, started_on: date | None
) -> StaffPlacement:
    """The branch manager enters a person's first day at the hall (入职/进驻日期):
    attendance expects them only from that day."""
    access_hall(by, center, action="manage")
    if not is_hall_staff(user, center, HALL_STAFF):
        raise DomainError(f"{user.display_name}不是{center.name}的工作人员。", field="user")
    if not started_on:
        raise DomainError("请填写入职/进驻日期。", field="started_on")
    if started_on > _today() + timedelta(days=366):
        raise DomainError("进驻日期不能晚于一年以后。", field="started_on")
    row = StaffPlacement.objects.filter(user=user, center=center).first() or StaffPlacement(
        user=user, center=center
    )
    if row.pk and row.started_on == started_on:
        return row
    before = row.started_on
    row.started_on = started_on
    save_recorded(row, by=by, reason=f"设置进驻日期（原为 {before}）" if before else "设置进驻日期")
    return row


@transaction.atomic
def attendance_since_set(
    *, by: User | None, center: Center, attendance_since: date | None
) -> AttendanceSetting:
    """The branch manager enters the day the hall began keeping attendance in the
    system (考勤启用日期): earlier days show "无数据", never absence."""
    access_hall(by, center, action="manage")
    if not attendance_since:
        raise DomainError("请填写考勤启用日期。", field="attendance_since")
    if attendance_since > _today() + timedelta(days=366):
        raise DomainError("考勤启用日期不能晚于一年以后。", field="attendance_since")
    row = AttendanceSetting.objects.filter(center=center).first() or AttendanceSetting(center=center)
    if row.pk and row.attendance_since == attendance_since:
        return row
    before = row.attendance_since
    row.attendance_since = attendance_since
    save_recorded(row, by=by, reason=f"设置考勤启用日期（原为 {before}）" if before else "设置考勤启用日期")
    return row


# --- training ------------------------------------------------------------------------------------------


@transaction.atomic
def training_course_create(
    *,
    by: User | None,
    center: Center,
    name: str,
    held_on: date,
    queues: Sequence[Queue] = (),
    items: Sequence[ServiceItem] = (),
    hours: Days = 4,
    valid_months: int = 12,
) -> TrainingCourse:
    """A course held at (or for) a hall; the queues and items it qualifies for."""
    access_hall(by, center, action="manage")
    if not (name or "").strip():
        raise DomainError("请填写课程名称。", field="name")
    if not held_on:
        raise DomainError("请填写培训日期。", field="held_on")
    if not 1 <= int(valid_months or 0) <= 60:
        raise DomainError("有效期应为 1 到 60 个月。", field="valid_months")
    if any(q.center_id != center.id for q in queues):
        raise DomainError("只能选择本大厅的队列。", field="queues")
    course = TrainingCourse(
        district_id=center.district_id,
        center=center,
        name=name.strip(),
        held_on=held_on,
        hours=Decimal(str(hours)),
        valid_months=valid_months,
    )
    save_recorded(course, by=by, reason="登记培训课程")
    course.queues.set(queues)
    course.items.set(items)
    return course


def _add_months(day: date, months: int) -> date:
    import calendar

    y, m = divmod(day.month - 1 + months, 12)
    y, m = day.year + y, m + 1
    return date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


@transaction.atomic
def training_record_add(
    *, by: User | None, course: TrainingCourse, user: User, passed: bool = True
) -> TrainingRecord:
    """Record that `user` attended `course`; the refresher falls due after the course's validity."""
    center = course.center
    if center is not None:
        access_hall(by, center, action="manage")
        if not is_hall_staff(user, center, HALL_STAFF):
            raise DomainError(f"{user.display_name}不是{center.name}的工作人员。", field="user")
    if TrainingRecord.objects.filter(course=course, user=user).exists():
        raise DomainError(f"{user.display_name}已有该课程的培训记录。", field="user")
    record = TrainingRecord(
        course=course,
        user=user,
        passed=passed,
        refresher_due=_add_months(course.held_on, course.valid_months),
    )
    save_recorded(record, by=by, reason="登记培训记录")
    return record


# --- assessment ----------------------------------------------------------------------------------------


@transaction.atomic
def assessment_indicator_set(
    *, by: User | None, district: District, code: str, weight: Days
) -> AssessmentIndicator:
    """The district office sets an indicator's weight (0 switches it off)."""
    from govhall.centers.models import Center

    hub = Center.objects.filter(district=district, kind=Center.Kind.DISTRICT).first()
    if by is not None and (hub is None or Role.DISTRICT_ADMIN not in roles_at(by, hub)):
        raise Refused("只有区政务办可以设置考核指标和权重。")
    if code not in AssessmentIndicator.Code.values:
        raise DomainError("未知的考核指标。", field="code")
    try:
        weight = Decimal(str(weight))
    except (InvalidOperation, ValueError):
        raise DomainError("权重应为 0 到 100 之间的数。", field="weight") from None
    if not Decimal("0") <= weight <= Decimal("100"):
        raise DomainError("权重应为 0 到 100 之间的数。", field="weight")
    row = AssessmentIndicator.objects.filter(district=district, code=code).first() or AssessmentIndicator(
        district=district, code=code
    )
    row.weight = weight
    save_recorded(row, by=by, reason="设置考核权重")
    return row


@transaction.atomic
def assessment_compute(*, by: User | None, center: Center, month: date) -> list[MonthlyAssessment]:
    """Compute (or recompute) the month's scores of the hall's clerks. A month
    the branch manager has confirmed is locked."""
    from . import assessment

    access_hall(by, center, action="manage")
    month = month.replace(day=1)
    if MonthlyAssessment.objects.filter(
        center=center, month=month, status=MonthlyAssessment.Status.CONFIRMED
    ).exists():
        raise WrongState("该月考核已确认并锁定，不能重新计算。")
    results = assessment.compute(center=center, month=month)
    rows = []
    for user, total, lines in results:
        row = MonthlyAssessment.objects.filter(
            center=center, user=user, month=month
        ).first() or MonthlyAssessment(center=center, user=user, month=month)
        row.score = total
        save_recorded(row, by=by, reason="计算月度考核")
        row.lines.all().delete()
        AssessmentLine.objects.bulk_create([AssessmentLine(assessment=row, **line) for line in lines])
        rows.append(row)
    return rows


@transaction.atomic
def assessment_confirm(*, by: User | None, center: Center, month: date) -> int:
    """The branch manager confirms the month: every score of the hall is locked."""
    access_hall(by, center, action="confirm")
    month = month.replace(day=1)
    rows = list(MonthlyAssessment.objects.select_for_update().filter(center=center, month=month))
    if not rows:
        raise DomainError("该月尚未计算考核，无法确认。", field="month")
    if all(r.status == MonthlyAssessment.Status.CONFIRMED for r in rows):
        raise WrongState("该月考核已确认。")
    _check_still_current(center, month, rows)
    now = timezone.now()
    for r in rows:
        r.status, r.confirmed_by, r.confirmed_at = MonthlyAssessment.Status.CONFIRMED, by, now
        save_recorded(r, by=by, reason="确认月度考核")
    return len(rows)


def _check_still_current(center: Center, month: date, rows: list[MonthlyAssessment]) -> None:
    """Confirming locks what was computed: refused when the figures have changed
    since (a first day or the go-live entered, a correction approved, weights
    confirmed), so that absences that were really "no data" are never locked in."""
    from . import assessment

    stored = {
        r.user_id: (r.score, sorted((ln.code, ln.weight, ln.score) for ln in r.lines.all())) for r in rows
    }
    fresh = {
        u.id: (total, sorted((ln["code"], ln["weight"], ln["score"]) for ln in lines))
        for u, total, lines in assessment.compute(center=center, month=month)
    }
    if any(fresh.get(uid) != value for uid, value in stored.items()) or set(fresh) - set(stored):
        raise DomainError(
            "计算之后考勤、进驻日期、启用日期或权重已有变化，本月考核需重新计算并核对后再确认。",
            field="month",
            code="stale",
        )


# --- assessment weights (clause 一(一)): the district proposes, the department confirms ---------------------


def _parse_weights(weights: Mapping[str, Any]) -> dict[str, str]:
    """Each indicator's weight, 0 to 100, together exactly 100."""
    from .assessment import DEFAULT_WEIGHTS

    out: dict[str, Decimal] = {}
    for code in DEFAULT_WEIGHTS:
        raw = weights.get(code)
        label = AssessmentIndicator.Code(code).label
        try:
            value = Decimal(str(raw if raw not in (None, "") else "0"))
        except (InvalidOperation, ValueError):
            raise DomainError(f"“{label}”的权重应为 0 到 100 之间的数。", field=code) from None
        if not value.is_finite() or not Decimal("0") <= value <= Decimal("100"):
            raise DomainError(f"“{label}”的权重应为 0 到 100 之间的数。", field=code)
        if value != value.quantize(Decimal("0.1")):
            raise DomainError(f"“{label}”的权重最多保留一位小数。", field=code)
        out[code] = value
    unknown = set(weights) - set(DEFAULT_WEIGHTS)
    if unknown:
        raise DomainError(f"未知的考核指标：{'、'.join(sorted(unknown))}。", field="weights")
    total = sum(out.values(), Decimal("0"))
    if total != 100:
        raise DomainError(f"各项权重合计应为 100，现为 {total.normalize():f}。", field="weights")
    return {code: f"{v.normalize():f}" for code, v in out.items()}


def _may_propose_weights(by: User | None, department: Department) -> None:
    from govhall.centers.models import Center

    if by is None:
        return
    hub = Center.objects.filter(district_id=department.district_id, kind=Center.Kind.DISTRICT).first()
    if hub is None or Role.DISTRICT_ADMIN not in roles_at(by, hub):
        raise Refused("考核权重由区政务办提议、业务主管部门确认；只有区政务办可以提议。")


def _may_decide_weights(by: User | None, weight_set: WeightSet) -> None:
    from govhall.centers.models import Center

    if by is None:
        return
    halls = Center.objects.filter(department_id=weight_set.department_id)
    if not any(Role.DEPARTMENT_LEADER in roles_at(by, c) for c in halls):
        raise Refused(
            f"只有{weight_set.department.name}（业务主管部门）的分管班子成员可以确认或退回该权重方案。"
        )


@transaction.atomic
def weights_propose(
    *, by: User | None, department: Department, weights: Mapping[str, Any], note: str = ""
) -> WeightSet:
    """The district office proposes the assessment weights of a department's
    halls (notice clause 一(一)). Used only once the department confirms."""
    _may_propose_weights(by, department)
    parsed = _parse_weights(weights)
    if WeightSet.objects.filter(department=department, status=WeightSet.Status.PROPOSED).exists():
        raise DomainError(
            f"{department.name}已有一份待确认的权重方案，请待部门确认或退回后再提议。", field="department"
        )
    row = WeightSet(
        department=department,
        weights=parsed,
        note=(note or "").strip()[:200],
        proposed_by=by,
        proposed_at=timezone.now(),
    )
    save_recorded(row, by=by, reason="区政务办提议考核权重")
    return row


@transaction.atomic
def weights_confirm(*, by: User | None, weight_set: WeightSet) -> WeightSet:
    """The department confirms the proposal: its halls' assessments use it from now on."""
    row = WeightSet.objects.select_for_update().select_related("department").get(pk=weight_set.pk)
    _may_decide_weights(by, row)
    if row.status != WeightSet.Status.PROPOSED:
        raise WrongState(f"该权重方案目前为“{row.get_status_display()}”，不能再确认。")
    row.status, row.decided_by, row.decided_at = WeightSet.Status.CONFIRMED, by, timezone.now()
    save_recorded(row, by=by, reason="业务主管部门确认考核权重")
    return row


@transaction.atomic
def weights_reject(*, by: User | None, weight_set: WeightSet, reason: str) -> WeightSet:
    """The department does not agree, with its reason; the weights in use stay as they were."""
    row = WeightSet.objects.select_for_update().select_related("department").get(pk=weight_set.pk)
    _may_decide_weights(by, row)
    if row.status != WeightSet.Status.PROPOSED:
        raise WrongState(f"该权重方案目前为“{row.get_status_display()}”，不能再退回。")
    if not (reason or "").strip():
        raise DomainError("不同意时请写明理由。", field="reason")
    row.status, row.decided_by, row.decided_at = WeightSet.Status.REJECTED, by, timezone.now()
    row.reason = reason.strip()[:200]
    save_recorded(row, by=by, reason="业务主管部门退回考核权重")
    return row
