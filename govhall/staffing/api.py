"""Staffing API: posts, coverage and gaps, leave (request, approve, reject,
report back), attendance, training and assessment. Thin doors to the same
services as the pages; domain errors become JSON 4xx in config/api.py."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from govhall.accounts.api import READ_ERRORS, WRITE_ERRORS
from govhall.accounts.models import User
from govhall.accounts.selectors import centers_visible_to
from govhall.core.errors import DomainError, NotFound

from . import selectors, services
from .models import AttendanceCorrection, Leave, TrainingCourse, WeightSet
from .permissions import access_hall

router = Router(tags=["staffing"])


def _hall(user, code: str, action: str = "view"):
    center = centers_visible_to(user).filter(code=code).first()
    if center is None:
        raise NotFound("没有找到该大厅，或您无权查看。")
    return access_hall(user, center, action=action)


def _window(center, number: int):
    from govhall.queueing.models import Window

    w = Window.objects.filter(center=center, number=number).select_related("center").first()
    if w is None:
        raise NotFound("没有找到该窗口。", field="window")
    return w


def _person(center, username: str, field: str = "username") -> User:
    user = (
        selectors.hall_staff(center, {"clerk", "chief_rep", "branch_manager"})
        .filter(username=username)
        .first()
    )
    if user is None:
        raise DomainError("没有找到该工作人员，或其不在本大厅。", field=field)
    return user


# --- schemas ---------------------------------------------------------------------------------------------


class PostOut(Schema):
    window: int = Field(..., description="窗口号")
    window_name: str
    role: str = Field(..., description="A = 主岗，B = 备岗")
    username: str
    name: str


class PostIn(Schema):
    window: int = Field(..., description="窗口号")
    role: Literal["A", "B"]
    username: str


class CellOut(Schema):
    window: int
    day: date
    am: str | None = Field(None, description="上午值守人（用户名），空为断档")
    pm: str | None = Field(None, description="下午值守人（用户名），空为断档")
    how: list[str | None] = Field(..., description="上午、下午各由谁值守：A、B、S（顶岗）或空")
    gap: bool


class GapOut(Schema):
    center: str = Field(..., description="大厅编码")
    center_name: str
    window: int
    day: date
    halves: list[str] = Field(..., description="断档时段：am、pm")
    reason: str = Field(..., description="断档原因，如“未设置A/B岗，无人值守”")


class LeaveOut(Schema):
    id: int
    username: str
    name: str
    center: str
    kind: str
    kind_label: str
    start_date: date
    start_pm: bool
    end_date: date
    end_am: bool
    reason: str
    status: str
    status_label: str
    planned_days: Decimal
    actual_days: Decimal | None
    back_date: date | None
    back_pm: bool
    approver: str | None
    decision_note: str
    substitutes: list[dict]


class LeaveIn(Schema):
    kind: Literal[tuple(Leave.Kind.values)]  # type: ignore[valid-type]
    start_date: date
    end_date: date
    start_pm: bool = False
    end_am: bool = False
    reason: str = Field(..., max_length=200)


class SubstituteIn(Schema):
    window: int = Field(..., description="窗口号")
    day: date
    username: str


class ApproveIn(Schema):
    substitutes: list[SubstituteIn] = []
    note: str = Field("", max_length=200)


class RejectIn(Schema):
    note: str = Field(..., max_length=200)


class ReportBackIn(Schema):
    back_date: date
    back_pm: bool = False


class AttendanceOut(Schema):
    day: date
    center: str
    clock_in: datetime | None
    clock_out: datetime | None


class ClockIn(Schema):
    kind: Literal["in", "out"]


class CorrectionIn(Schema):
    day: date
    kind: Literal["in", "out"]
    at_time: time
    reason: str = Field(..., max_length=200)


class CorrectionOut(Schema):
    id: int
    username: str
    day: date
    kind: str
    at: datetime
    reason: str
    status: str


class DecideIn(Schema):
    approve: bool


class SheetRowOut(Schema):
    username: str
    name: str
    started_on: date | None = Field(None, description="入职/进驻日期；之前的日子显示“—”，不计应出勤")
    codes: list[str] = Field(..., description="每个办公日一个：√ 迟 早 缺 假 半假…；“无数据”为考勤启用前")
    expected: int = Field(..., description="应出勤：有数据且办公时间已结束的办公日")
    present: int
    late: int
    early: int
    absent: int
    leave: Decimal
    no_data: int = Field(..., description="无数据的办公日（考勤启用前），不算缺勤")


class SheetOut(Schema):
    center: str
    month: str
    go_live: date | None = Field(None, description="考勤启用日期；为空表示本大厅尚无考勤数据")
    days: list[date]
    rows: list[SheetRowOut]


class StartedOnIn(Schema):
    started_on: date = Field(..., description="入职/进驻日期")


class StartedOnOut(Schema):
    username: str
    center: str
    started_on: date


class GoLiveIn(Schema):
    attendance_since: date = Field(..., description="考勤启用日期：此前的日子为“无数据”")


class GoLiveOut(Schema):
    center: str
    attendance_since: date


class WeightsIn(Schema):
    department: str = Field(..., description="业务主管部门代码")
    weights: dict[str, Decimal] = Field(
        ...,
        description="{指标代码: 权重}，指标为 attendance、on_time_cases、tickets、service_time、ratings、complaints、training，合计 100",
    )
    note: str = Field("", max_length=200)


class WeightRejectIn(Schema):
    reason: str = Field(..., max_length=200)


class WeightSetOut(Schema):
    id: int
    department: str
    department_name: str
    status: str = Field(..., description="proposed 待部门确认，confirmed 已确认，rejected 部门未同意")
    weights: dict[str, Decimal]
    note: str
    proposed_by: str | None
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str


class CourseIn(Schema):
    name: str = Field(..., max_length=80)
    held_on: date
    hours: Decimal = Decimal("4")
    valid_months: int = 12
    queues: list[str] = Field([], description="队列字母前缀")


class CourseOut(Schema):
    id: int
    name: str
    held_on: date
    valid_months: int
    queues: list[str]
    records: list[dict]


class RecordIn(Schema):
    username: str
    passed: bool = True


class LineOut(Schema):
    code: str
    label: str
    weight: Decimal
    value: str
    score: Decimal | None = Field(None, description="空表示数据来源缺失（不计入，不是零分）")
    explanation: str


class AssessmentOut(Schema):
    username: str
    name: str
    month: str
    score: Decimal | None = Field(None, description="空表示没有可计入的指标（无数据）")
    status: str
    weights_source: str = Field(..., description="所用权重的来源")
    total_explanation: str = Field(..., description="总分的计算过程")
    lines: list[LineOut]


class MonthIn(Schema):
    month: str = Field(..., pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")


class RankOut(Schema):
    rank: int
    name: str
    score: Decimal
    clerks: int
    confirmed: bool


def _month(raw: str) -> date:
    try:
        y, m = raw.split("-")
        return date(int(y), int(m), 1)
    except ValueError:
        raise DomainError("月份格式应为 YYYY-MM。", field="month") from None


def _leave_out(lv: Leave) -> dict:
    return {
        "id": lv.id,
        "username": lv.user.username,
        "name": lv.user.display_name,
        "center": lv.center.code,
        "kind": lv.kind,
        "kind_label": lv.get_kind_display(),
        "start_date": lv.start_date,
        "start_pm": lv.start_pm,
        "end_date": lv.end_date,
        "end_am": lv.end_am,
        "reason": lv.reason,
        "status": lv.status,
        "status_label": lv.get_status_display(),
        "planned_days": lv.planned_days,
        "actual_days": lv.actual_days,
        "back_date": lv.back_date,
        "back_pm": lv.back_pm,
        "approver": lv.approver.username if lv.approver else None,
        "decision_note": lv.decision_note,
        "substitutes": [
            {"window": s.window.number, "day": s.day.isoformat(), "username": s.user.username}
            for s in lv.substitutes.select_related("window", "user")
        ],
    }


def _leave(user, leave_id: int) -> Leave:
    leave = selectors.leaves_visible_to(user).filter(pk=leave_id).first()
    if leave is None:
        raise NotFound("没有找到该请假，或您无权查看。")
    return leave


# --- posts and coverage ----------------------------------------------------------------------------------


@router.get(
    "/staffing/halls/{code}/posts",
    response={200: list[PostOut], **READ_ERRORS},
    summary="大厅各窗口的AB岗",
    operation_id="staffing_posts",
)
def posts_list(request, code: str):
    center = _hall(request.user, code)
    return [
        {
            "window": p.window.number,
            "window_name": p.window.name,
            "role": p.role,
            "username": p.user.username,
            "name": p.user.display_name,
        }
        for p in selectors.posts_of_hall(center)
    ]


@router.post(
    "/staffing/halls/{code}/posts",
    response={200: PostOut, **WRITE_ERRORS},
    summary="设置窗口的A岗或B岗",
    operation_id="staffing_post_assign",
)
def posts_assign(request, code: str, data: PostIn):
    center = _hall(request.user, code, "manage")
    window = _window(center, data.window)
    p = services.post_assign(
        by=request.user, window=window, role=data.role, user=_person(center, data.username)
    )
    return {
        "window": window.number,
        "window_name": window.name,
        "role": p.role,
        "username": p.user.username,
        "name": p.user.display_name,
    }


@router.get(
    "/staffing/halls/{code}/coverage",
    response={200: list[CellOut], **READ_ERRORS},
    summary="值守日历：每个办公日每个窗口由谁值守",
    operation_id="staffing_coverage",
)
def coverage(request, code: str, start: date | None = None, days: int = Query(14, ge=1, le=92)):
    center = _hall(request.user, code)
    start = start or timezone.localdate()
    cov = selectors.coverage(center_ids=[center.id], start=start, end=start + timedelta(days=days - 1))
    usernames = dict(User.objects.filter(id__in=list(cov.names)).values_list("id", "username"))
    numbers = {w.id: w.number for w in cov.windows}
    return [
        {
            "window": numbers[c.window_id],
            "day": c.day,
            "am": usernames.get(c.who[0] or 0),
            "pm": usernames.get(c.who[1] or 0),
            "how": c.how,
            "gap": c.gap,
        }
        for c in sorted(cov.cells.values(), key=lambda c: (c.day, c.window_id))
    ]


@router.get(
    "/staffing/gaps",
    response={200: list[GapOut], **READ_ERRORS},
    summary="未来30天全区（可见范围内）的断档",
    operation_id="staffing_gaps",
)
def gaps(request, days: int = Query(30, ge=1, le=92)):
    cov = selectors.gaps_visible_to(request.user, start=timezone.localdate(), days=days)
    by_id = {w.id: w for w in cov.windows}
    return [
        {
            "center": by_id[c.window_id].center.code,
            "center_name": by_id[c.window_id].center.name,
            "window": by_id[c.window_id].number,
            "day": c.day,
            "halves": [h for h, who in zip(("am", "pm"), c.who, strict=True) if who is None],
            "reason": c.reason,
        }
        for c in cov.gaps()
    ]


# --- leave -------------------------------------------------------------------------------------------------


@router.get(
    "/staffing/leave",
    response={200: list[LeaveOut], **READ_ERRORS},
    summary="我的请假和我管理的大厅的请假",
    operation_id="staffing_leave_list",
)
def leave_list(request, status: str | None = None):
    qs = selectors.leaves_visible_to(request.user)
    if status:
        qs = qs.filter(status=status)
    return [_leave_out(lv) for lv in qs[:200]]


@router.post(
    "/staffing/leave",
    response={201: LeaveOut, **WRITE_ERRORS},
    summary="提交请假",
    operation_id="staffing_leave_request",
)
def leave_request(request, data: LeaveIn):
    leave = services.leave_request(by=request.user, **data.dict())
    return Status(201, _leave_out(leave))


@router.get(
    "/staffing/leave/{leave_id}",
    response={200: LeaveOut, **READ_ERRORS},
    summary="请假详情",
    operation_id="staffing_leave_get",
)
def leave_get(request, leave_id: int):
    return _leave_out(_leave(request.user, leave_id))


@router.post(
    "/staffing/leave/{leave_id}/approve",
    response={200: LeaveOut, **WRITE_ERRORS},
    summary="批准请假（会造成断档时须指定顶岗人员）",
    operation_id="staffing_leave_approve",
)
def leave_approve(request, leave_id: int, data: ApproveIn):
    leave = _leave(request.user, leave_id)
    subs = []
    for s in data.substitutes:
        subs.append(
            {
                "window": _window(leave.center, s.window),
                "day": s.day,
                "user": _person(leave.center, s.username, field="substitutes"),
            }
        )
    return _leave_out(services.leave_approve(leave=leave, by=request.user, substitutes=subs, note=data.note))


@router.post(
    "/staffing/leave/{leave_id}/reject",
    response={200: LeaveOut, **WRITE_ERRORS},
    summary="不批准请假",
    operation_id="staffing_leave_reject",
)
def leave_reject(request, leave_id: int, data: RejectIn):
    return _leave_out(
        services.leave_reject(leave=_leave(request.user, leave_id), by=request.user, note=data.note)
    )


@router.post(
    "/staffing/leave/{leave_id}/report-back",
    response={200: LeaveOut, **WRITE_ERRORS},
    summary="销假（记录实际休假天数）",
    operation_id="staffing_leave_report_back",
)
def leave_report_back(request, leave_id: int, data: ReportBackIn):
    return _leave_out(
        services.leave_report_back(leave=_leave(request.user, leave_id), by=request.user, **data.dict())
    )


@router.post(
    "/staffing/leave/{leave_id}/cancel",
    response={200: LeaveOut, **WRITE_ERRORS},
    summary="撤销尚未开始的请假",
    operation_id="staffing_leave_cancel",
)
def leave_cancel(request, leave_id: int):
    return _leave_out(services.leave_cancel(leave=_leave(request.user, leave_id), by=request.user))


# --- attendance --------------------------------------------------------------------------------------------


@router.post(
    "/staffing/attendance/clock",
    response={200: AttendanceOut, **WRITE_ERRORS},
    summary="签到或签退（记录客户端IP）",
    operation_id="staffing_clock",
)
def clock(request, data: ClockIn):
    rec = services.attendance_clock(by=request.user, kind=data.kind, ip=request.META.get("REMOTE_ADDR"))
    return {"day": rec.day, "center": rec.center.code, "clock_in": rec.clock_in, "clock_out": rec.clock_out}


@router.post(
    "/staffing/attendance/corrections",
    response={201: CorrectionOut, **WRITE_ERRORS},
    summary="申请考勤更正",
    operation_id="staffing_correction_request",
)
def correction_request(request, data: CorrectionIn):
    c = services.attendance_correction_request(by=request.user, **data.dict())
    return Status(
        201,
        {
            "id": c.id,
            "username": request.user.username,
            "day": c.day,
            "kind": c.kind,
            "at": c.at,
            "reason": c.reason,
            "status": c.status,
        },
    )


@router.post(
    "/staffing/attendance/corrections/{correction_id}/decide",
    response={200: CorrectionOut, **WRITE_ERRORS},
    summary="审批考勤更正（分中心负责人）",
    operation_id="staffing_correction_decide",
)
def correction_decide(request, correction_id: int, data: DecideIn):
    from govhall.accounts.selectors import visible_center_ids

    c = AttendanceCorrection.objects.filter(
        pk=correction_id, center_id__in=visible_center_ids(request.user)
    ).first()
    if c is None:
        raise NotFound("没有找到该更正申请。")
    c = services.attendance_correction_decide(by=request.user, correction=c, approve=data.approve)
    return {
        "id": c.id,
        "username": c.user.username,
        "day": c.day,
        "kind": c.kind,
        "at": c.at,
        "reason": c.reason,
        "status": c.status,
    }


@router.get(
    "/staffing/halls/{code}/attendance",
    response={200: SheetOut, **READ_ERRORS},
    summary="月度考勤表",
    operation_id="staffing_attendance_sheet",
)
def attendance_sheet(request, code: str, month: str = Query(..., pattern=r"^\d{4}-\d{2}$")):
    center = _hall(request.user, code, "manage")
    sheet = selectors.attendance_sheet(center, _month(month))
    return {
        "center": center.code,
        "month": month,
        "go_live": sheet["go_live"],
        "days": sheet["days"],
        "rows": [
            {
                "username": r["user"].username,
                "name": r["user"].display_name,
                "started_on": r["started_on"],
                "codes": [c["code"] for c in r["cells"]],
                **r["totals"],
            }
            for r in sheet["rows"]
        ],
    }


@router.put(
    "/staffing/halls/{code}/staff/{username}/started-on",
    response={200: StartedOnOut, **WRITE_ERRORS},
    summary="设置工作人员的入职/进驻日期（考勤自此日起计）",
    operation_id="staffing_started_on_set",
)
def started_on_set(request, code: str, username: str, data: StartedOnIn):
    center = _hall(request.user, code, "manage")
    user = _person(center, username)
    row = services.staff_started_on_set(by=request.user, center=center, user=user, started_on=data.started_on)
    return {"username": user.username, "center": center.code, "started_on": row.started_on}


@router.put(
    "/staffing/halls/{code}/attendance-since",
    response={200: GoLiveOut, **WRITE_ERRORS},
    summary="设置大厅的考勤启用日期（此前为“无数据”，不算缺勤）",
    operation_id="staffing_attendance_since_set",
)
def attendance_since_set(request, code: str, data: GoLiveIn):
    center = _hall(request.user, code, "manage")
    row = services.attendance_since_set(
        by=request.user, center=center, attendance_since=data.attendance_since
    )
    return {"center": center.code, "attendance_since": row.attendance_since}


# --- training ----------------------------------------------------------------------------------------------


def _course_out(c: TrainingCourse) -> dict:
    return {
        "id": c.id,
        "name": c.name,
        "held_on": c.held_on,
        "valid_months": c.valid_months,
        "queues": [q.letter for q in c.queues.all()],
        "records": [
            {"username": r.user.username, "passed": r.passed, "refresher_due": r.refresher_due.isoformat()}
            for r in c.records.select_related("user")
        ],
    }


@router.get(
    "/staffing/halls/{code}/training",
    response={200: list[CourseOut], **READ_ERRORS},
    summary="培训课程与参训记录",
    operation_id="staffing_training_list",
)
def training_list(request, code: str):
    return [_course_out(c) for c in selectors.training_of_hall(_hall(request.user, code))]


@router.post(
    "/staffing/halls/{code}/training",
    response={201: CourseOut, **WRITE_ERRORS},
    summary="登记培训课程",
    operation_id="staffing_course_create",
)
def course_create(request, code: str, data: CourseIn):
    from govhall.queueing.models import Queue

    center = _hall(request.user, code, "manage")
    queues = list(Queue.objects.filter(center=center, letter__in=data.queues))
    if len(queues) != len(set(data.queues)):
        raise DomainError("有队列不属于本大厅。", field="queues")
    c = services.training_course_create(
        by=request.user,
        center=center,
        name=data.name,
        held_on=data.held_on,
        hours=data.hours,
        valid_months=data.valid_months,
        queues=queues,
    )
    return Status(201, _course_out(c))


@router.post(
    "/staffing/halls/{code}/training/{course_id}/records",
    response={201: CourseOut, **WRITE_ERRORS},
    summary="登记参训记录",
    operation_id="staffing_record_add",
)
def record_add(request, code: str, course_id: int, data: RecordIn):
    center = _hall(request.user, code, "manage")
    course = TrainingCourse.objects.filter(pk=course_id, center=center).first()
    if course is None:
        raise NotFound("没有找到该课程。")
    services.training_record_add(
        by=request.user, course=course, user=_person(center, data.username), passed=data.passed
    )
    return Status(201, _course_out(course))


# --- assessment --------------------------------------------------------------------------------------------


def _assessments(center, month: date) -> list[dict]:
    from .assessment import total_explanation, weights_for

    source = weights_for(center).source
    return [
        {
            "username": a.user.username,
            "name": a.user.display_name,
            "month": f"{a.month:%Y-%m}",
            "score": a.score,
            "status": a.status,
            "weights_source": source,
            "total_explanation": total_explanation(a.lines.all()),
            "lines": [
                {
                    "code": ln.code,
                    "label": ln.get_code_display(),
                    "weight": ln.weight,
                    "value": ln.value,
                    "score": ln.score,
                    "explanation": ln.explanation,
                }
                for ln in a.lines.all()
            ],
        }
        for a in selectors.assessments_of(center, month)
    ]


@router.get(
    "/staffing/halls/{code}/assessment",
    response={200: list[AssessmentOut], **READ_ERRORS},
    summary="月度考核及其计算明细",
    operation_id="staffing_assessment_get",
)
def assessment_get(request, code: str, month: str = Query(..., pattern=r"^\d{4}-\d{2}$")):
    return _assessments(_hall(request.user, code, "manage"), _month(month))


@router.post(
    "/staffing/halls/{code}/assessment/compute",
    response={200: list[AssessmentOut], **WRITE_ERRORS},
    summary="计算月度考核（已确认的月份不能重算）",
    operation_id="staffing_assessment_compute",
)
def assessment_compute(request, code: str, data: MonthIn):
    center = _hall(request.user, code, "manage")
    services.assessment_compute(by=request.user, center=center, month=_month(data.month))
    return _assessments(center, _month(data.month))


@router.post(
    "/staffing/halls/{code}/assessment/confirm",
    response={200: list[AssessmentOut], **WRITE_ERRORS},
    summary="分中心负责人确认月度考核（确认后锁定）",
    operation_id="staffing_assessment_confirm",
)
def assessment_confirm(request, code: str, data: MonthIn):
    center = _hall(request.user, code)
    services.assessment_confirm(by=request.user, center=center, month=_month(data.month))
    return _assessments(center, _month(data.month))


@router.get(
    "/staffing/rankings",
    response={200: list[RankOut], **READ_ERRORS},
    summary="分中心考核排名",
    operation_id="staffing_rankings",
)
def rankings(request, month: str = Query(..., pattern=r"^\d{4}-\d{2}$")):
    return selectors.rankings(user=request.user, month=_month(month))


# --- assessment weights (clause 一(一)) ---------------------------------------------------------------------


def _weight_set_out(ws: WeightSet) -> dict:
    return {
        "id": ws.id,
        "department": ws.department.code,
        "department_name": ws.department.name,
        "status": ws.status,
        "weights": ws.weights,
        "note": ws.note,
        "proposed_by": ws.proposed_by.username if ws.proposed_by else None,
        "proposed_at": ws.proposed_at,
        "decided_by": ws.decided_by.username if ws.decided_by else None,
        "decided_at": ws.decided_at,
        "reason": ws.reason,
    }


def _weight_set(user, set_id: int) -> WeightSet:
    ws = selectors.weight_sets_visible_to(user).filter(pk=set_id).first()
    if ws is None:
        raise NotFound("没有找到该权重方案，或您无权查看。")
    return ws


@router.get(
    "/staffing/weights",
    response={200: list[WeightSetOut], **READ_ERRORS},
    summary="考核权重方案（区政务办提议、业务主管部门确认）",
    operation_id="staffing_weights_list",
)
def weights_list(request):
    return [_weight_set_out(ws) for ws in selectors.weight_sets_visible_to(request.user)[:200]]


@router.post(
    "/staffing/weights",
    response={201: WeightSetOut, **WRITE_ERRORS},
    summary="区政务办提议某业务主管部门各大厅的考核权重（合计 100）",
    operation_id="staffing_weights_propose",
)
def weights_propose(request, data: WeightsIn):
    department = selectors.weight_departments_visible_to(request.user).filter(code=data.department).first()
    if department is None:
        raise DomainError("没有找到该业务主管部门，或您无权查看。", field="department")
    ws = services.weights_propose(
        by=request.user, department=department, weights=data.weights, note=data.note
    )
    return Status(201, _weight_set_out(ws))


@router.post(
    "/staffing/weights/{set_id}/confirm",
    response={200: WeightSetOut, **WRITE_ERRORS},
    summary="业务主管部门确认权重方案（确认后用于考核）",
    operation_id="staffing_weights_confirm",
)
def weights_confirm(request, set_id: int):
    ws = services.weights_confirm(by=request.user, weight_set=_weight_set(request.user, set_id))
    return _weight_set_out(ws)


@router.post(
    "/staffing/weights/{set_id}/reject",
    response={200: WeightSetOut, **WRITE_ERRORS},
    summary="业务主管部门不同意权重方案（须写明理由）",
    operation_id="staffing_weights_reject",
)
def weights_reject(request, set_id: int, data: WeightRejectIn):
    ws = services.weights_reject(
        by=request.user, weight_set=_weight_set(request.user, set_id), reason=data.reason
    )
    return _weight_set_out(ws)
