"""Queueing API: tickets (take, read, position), the board (state and its SSE
stream), appointments, window actions and statistics. Thin doors to the same
services as the pages; domain errors become JSON 4xx in config/api.py."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Literal

from django.http import StreamingHttpResponse
from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema, Status

from govhall.accounts.api import READ_ERRORS, WRITE_ERRORS, error_responses
from govhall.core.errors import DomainError, NotFound
from govhall.core.masking import mask_id_number, mask_phone

from . import selectors, services
from .hours import TicketsClosed, taking_day, taking_refusal
from .models import AppointmentSlot, Queue, Ticket, Window
from .permissions import access_hall
from .stats import ticket_stats

router = Router(tags=["queueing"])
PUBLIC_ERRORS = error_responses(400, 404, 409, 422)


# --- schemas -------------------------------------------------------------------


class QueueOut(Schema):
    id: int
    letter: str
    name: str
    waiting: int = Field(..., description="今日等候人数")


class TicketIn(Schema):
    queue: str = Field(..., description="队列字母前缀，如 A", max_length=2)
    priority_reason: Literal["", "elderly", "disabled", "pregnant", "serviceman"] = Field(
        "", description="绿色通道原因；空为普通号"
    )
    idempotency_key: str | None = Field(
        None, max_length=64, description="幂等键（也可用 Idempotency-Key 请求头）"
    )
    phone: str = Field("", max_length=20, description="剩余人数较少时短信提醒的手机号（可选）")


class TicketOut(Schema):
    token: str = Field(..., description="查询码：手机查看进度用")
    hall: str
    queue: str
    code: str = Field(..., description="号码，如 A001")
    number: int
    day: date
    kind: str
    status: str
    status_label: str
    window: int | None = Field(None, description="被叫到的窗口号")
    taken_at: datetime
    called_at: datetime | None
    finished_at: datetime | None
    ahead: int = Field(..., description="前面等候人数（最多计到 999）")
    ahead_at_limit: bool = Field(False, description="前面人数已到计数上限，实际可能更多")
    wait_minutes: int | None = Field(None, description="预计等候分钟数")
    open_windows: int


def _ticket_out(ticket: Ticket) -> dict:
    pos = selectors.ticket_position(ticket)
    return {
        "token": ticket.token,
        "hall": ticket.center.code,
        "queue": ticket.queue.letter,
        "code": ticket.code,
        "number": ticket.number,
        "day": ticket.day,
        "kind": ticket.kind,
        "status": ticket.status,
        "status_label": ticket.get_status_display(),
        "window": ticket.window.number if ticket.window else None,
        "taken_at": ticket.taken_at,
        "called_at": ticket.called_at,
        "finished_at": ticket.finished_at,
        **pos,
    }


class CallOut(Schema):
    id: int
    code: str
    window: int
    text: str = Field(..., description="播报文字，如 请A001号到3号窗口办理")
    at: datetime
    recall: bool


class BoardOut(Schema):
    hall: str
    calls: list[CallOut]
    queues: list[QueueOut]


class SlotOut(Schema):
    id: int
    queue: str
    queue_name: str
    date: date
    starts: str
    ends: str
    capacity: int
    remaining: int


class AppointmentIn(Schema):
    slot: int
    name: str = Field(..., max_length=50)
    id_number: str = Field(..., max_length=18)
    phone: str = Field(..., max_length=20)


class AppointmentOut(Schema):
    token: str
    hall: str
    queue: str
    date: date
    starts: str
    ends: str
    name: str
    id_number: str = Field(..., description="已脱敏")
    phone: str = Field(..., description="已脱敏")
    status: str
    ticket: str | None = Field(None, description="签到后的号码")


def _appointment_out(a) -> dict:
    return {
        "token": a.token,
        "hall": a.center.code,
        "queue": a.queue.letter,
        "date": a.date,
        "starts": a.slot.starts.strftime("%H:%M"),
        "ends": a.slot.ends.strftime("%H:%M"),
        "name": a.name,
        "id_number": mask_id_number(a.id_number),
        "phone": mask_phone(a.phone),
        "status": a.status,
        "ticket": a.ticket.code if a.ticket_id else None,
    }


class WindowOut(Schema):
    id: int
    hall: str
    number: int
    name: str
    status: str
    queues: list[str]
    clerk: str | None
    current: str | None = Field(None, description="正在叫号或办理的号码")


def _window_out(w: Window) -> dict:
    cur = selectors.window_current_ticket(w)
    return {
        "id": w.id,
        "hall": w.center.code,
        "number": w.number,
        "name": w.name,
        "status": w.status,
        "queues": [q.letter for q in w.queues.all()],
        "clerk": str(w.clerk) if w.clerk_id else None,
        "current": cur.code if cur else None,
    }


class WindowActionOut(Schema):
    window: WindowOut
    ticket: TicketOut | None = None


class TransferIn(Schema):
    to_queue: str | None = Field(None, description="转往队列的字母前缀")
    to_window: int | None = Field(None, description="转往的窗口号")
    keep_place: bool | None = Field(None, description="保留排队位置；空则按大厅规则")


class PauseIn(Schema):
    reason: str = Field("", max_length=60)


class StatsRowOut(Schema):
    day: date
    label: str
    tickets: int
    done: int
    no_show: int
    wait_mean: float | None = Field(None, description="平均等候（分钟）")
    wait_p90: float | None
    service_mean: float | None = Field(None, description="平均办理（分钟）")
    service_p90: float | None


class ClosedOut(Schema):
    detail: str = Field(
        ...,
        description="拒绝原因及下次可取号时间，如 今日取号已结束（16:30 截止），下次可取号时间：12月1日（周二）09:00。",
    )
    code: str = Field(
        ...,
        description="hall_closed_today（今日不办公）、hall_not_open（不在办公时段）、ticket_cutoff（已过停止取号时间）、"
        "daily_cap（今日限号已满）、calendar_unknown（当年节假日安排未录入，无法确定）",
    )
    next_open: datetime | None = Field(None, description="下次可取号时间（ISO 8601）；无法确定时为空")


def _closed(exc: TicketsClosed) -> Status:
    return Status(409, {"detail": exc.message, "code": exc.code, "next_open": exc.next_open})


class TakingOut(Schema):
    hall: str
    open: bool = Field(..., description="现在能否取号")
    detail: str = Field("", description="不能取号时的原因和下次可取号时间")
    code: str = Field("", description="不能取号时的原因代码（同取号接口的 409）")
    next_open: datetime | None = None
    periods: list[str] = Field(..., description="今日办公时段，如 09:00–12:00")
    cutoff: str | None = Field(None, description="今日停止取号时间")


class RequeueIn(Schema):
    code: str = Field(..., max_length=8, description="今日过号的号码，如 A003")


class HallRulesIn(Schema):
    ticket_cutoff_minutes: int | None = Field(None, ge=0, le=240, description="闭厅前多少分钟停止取号")
    no_show_requeue_after: int | None = Field(None, ge=0, le=50, description="过号重排排在几位等候者之后")
    priority_run: int | None = Field(None, ge=1, le=20)
    booking_horizon_days: int | None = Field(None, ge=1, le=180)
    sms_when_ahead: int | None = Field(None, ge=0, le=50)
    keep_place_on_transfer: bool | None = None


class HallRulesOut(Schema):
    hall: str
    ticket_cutoff_minutes: int
    no_show_requeue_after: int
    priority_run: int
    booking_horizon_days: int
    sms_when_ahead: int
    keep_place_on_transfer: bool


class DailyCapIn(Schema):
    daily_cap: int | None = Field(..., description="每日限号；null 为不限")


# --- helpers ----------------------------------------------------------------------


def _queues_out(center) -> list[dict]:
    counts = {q["letter"]: q["waiting"] for q in selectors.board_state(center, calls=0)["queues"]}
    return [
        {"id": q.id, "letter": q.letter, "name": q.name, "waiting": counts.get(q.letter, 0)}
        for q in selectors.queues_of(center)
    ]


# --- public: tickets and board --------------------------------------------------------


@router.get(
    "/halls/{code}/queues",
    auth=None,
    response={200: list[QueueOut], **READ_ERRORS},
    summary="公开：大厅的队列和等候人数",
    operation_id="queueing_queues",
)
def hall_queues(request, code: str):
    return _queues_out(selectors.hall_by_code(code))


@router.post(
    "/halls/{code}/tickets",
    auth=None,
    response={201: TicketOut, **PUBLIC_ERRORS, 409: ClosedOut},
    summary="公开：取号（同一幂等键重复请求返回同一张号）",
    description="只在大厅办公日的办公时段内、停止取号时间（闭厅前，大厅设置，默认 30 分钟）之前，"
    "且未超过队列每日限号时可取号；否则 409，`code` 说明原因，`next_open` 为下次可取号时间。",
    operation_id="queueing_ticket_take",
)
def ticket_take(
    request, code: str, data: TicketIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")
):
    queue = selectors.queue_for_taking(code, data.queue)
    if queue is None:
        raise NotFound("没有找到该大厅或队列。", field="queue")
    center = queue.center
    try:
        ticket = services.ticket_issue(
            queue=queue,
            kind="priority" if data.priority_reason else "normal",
            priority_reason=data.priority_reason,
            channel=Ticket.Channel.API,
            idempotency_key=data.idempotency_key or idempotency_key,
            phone=data.phone,
        )
    except TicketsClosed as closed:
        return _closed(closed)
    ticket.center, ticket.queue = center, queue
    return Status(201, _ticket_out(ticket))


@router.get(
    "/halls/{code}/taking",
    auth=None,
    response={200: TakingOut, **READ_ERRORS},
    summary="公开：现在能否取号、今日办公时段和停止取号时间",
    operation_id="queueing_taking",
)
def taking(request, code: str):
    center = selectors.hall_by_code(code)
    day = taking_day(center, timezone.localdate())
    closed = taking_refusal(center)
    return {
        "hall": center.code,
        "open": closed is None,
        "detail": closed.message if closed else "",
        "code": closed.code if closed else "",
        "next_open": closed.next_open if closed else None,
        "periods": [f"{o:%H:%M}–{c:%H:%M}" for o, c in day.periods],
        "cutoff": day.cutoff.strftime("%H:%M") if day.cutoff else None,
    }


@router.post(
    "/tickets/{token}/requeue",
    auth=None,
    response={200: TicketOut, **PUBLIC_ERRORS, 409: ClosedOut},
    summary="公开：过号重排（持号人凭查询码；当天一次，排在当前等候的几位之后）",
    operation_id="queueing_ticket_requeue",
)
def ticket_requeue(request, token: str):
    try:
        ticket = services.ticket_requeue(ticket=selectors.ticket_get(token), by=request.user)
    except TicketsClosed as closed:
        return _closed(closed)
    return _ticket_out(selectors.ticket_get(ticket.token))


@router.get(
    "/tickets/{token}",
    auth=None,
    response={200: TicketOut, **READ_ERRORS},
    summary="公开：查看排队号、前面人数和预计等候时间",
    operation_id="queueing_ticket_get",
)
def ticket_get(request, token: str):
    return _ticket_out(selectors.ticket_get(token))


@router.get(
    "/halls/{code}/board",
    auth=None,
    response={200: BoardOut, **READ_ERRORS},
    summary="公开：叫号大屏的最近叫号和等候人数",
    operation_id="queueing_board",
)
def board(request, code: str):
    center = selectors.hall_by_code(code)
    state = selectors.board_state(center)
    calls = [
        {
            "id": c.id,
            "code": c.ticket.code,
            "window": c.window.number,
            "text": c.announcement,
            "at": c.at,
            "recall": c.is_recall,
        }
        for c in state["calls"]
    ]
    return {"hall": center.code, "calls": calls, "queues": _queues_out(center)}


@router.get(
    "/halls/{code}/board/events",
    auth=None,
    response={200: None, **READ_ERRORS},
    summary="公开：叫号事件流（Server-Sent Events，text/event-stream）",
    operation_id="queueing_board_events",
    description="每次叫号、取号或窗口变化推送 `event: board`，数据为 JSON："
    "`html`（大屏实时部分）、`last_call_id`，叫号时还有 `call`（id、code、window、text、recall）。"
    "断线后浏览器 EventSource 按 `retry` 自动重连。",
)
async def board_events(request, code: str):
    from .views import board_stream, db_briefly

    center = await db_briefly(selectors.hall_get)(code)
    if center is None:
        raise NotFound("没有找到该大厅。")
    return StreamingHttpResponse(
        board_stream(center),
        content_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


# --- public: appointments ----------------------------------------------------------------


@router.get(
    "/halls/{code}/slots",
    auth=None,
    response={200: list[SlotOut], **READ_ERRORS},
    summary="公开：可预约时段",
    operation_id="queueing_slots",
)
def slots(request, code: str, day: date | None = Query(None, alias="date")):  # noqa: B008
    return [
        {
            "id": s.id,
            "queue": s.queue.letter,
            "queue_name": s.queue.name,
            "date": s.date,
            "starts": s.starts.strftime("%H:%M"),
            "ends": s.ends.strftime("%H:%M"),
            "capacity": s.capacity,
            "remaining": s.remaining,
        }
        for s in selectors.slots_open(selectors.hall_by_code(code), day=day)
    ]


@router.post(
    "/appointments",
    auth=None,
    response={201: AppointmentOut, **PUBLIC_ERRORS},
    summary="公开：预约（容量有限；同一业务每人每天一次）",
    operation_id="queueing_appointment_book",
)
def appointment_book(request, data: AppointmentIn):
    slot = AppointmentSlot.objects.filter(pk=data.slot).select_related("center", "queue").first()
    if slot is None:
        raise NotFound("没有找到该时段。", field="slot")
    a = services.appointment_book(
        slot=slot, name=data.name, id_number=data.id_number, phone=data.phone, by=request.user
    )
    return Status(201, _appointment_out(selectors.appointment_get(a.token)))


@router.get(
    "/appointments/{token}",
    auth=None,
    response={200: AppointmentOut, **READ_ERRORS},
    summary="公开：查看预约",
    operation_id="queueing_appointment_get",
)
def appointment_get(request, token: str):
    return _appointment_out(selectors.appointment_get(token))


@router.post(
    "/appointments/{token}/cancel",
    auth=None,
    response={200: AppointmentOut, **PUBLIC_ERRORS},
    summary="公开：取消预约",
    operation_id="queueing_appointment_cancel",
)
def appointment_cancel(request, token: str):
    services.appointment_cancel(appointment=selectors.appointment_get(token), by=request.user)
    return _appointment_out(selectors.appointment_get(token))


@router.post(
    "/appointments/{token}/check-in",
    auth=None,
    response={201: TicketOut, **PUBLIC_ERRORS, 409: ClosedOut},
    summary="公开：到厅签到，预约转为优先号",
    operation_id="queueing_appointment_check_in",
)
def appointment_check_in(request, token: str):
    try:
        ticket = services.appointment_check_in(appointment=selectors.appointment_get(token), by=request.user)
    except TicketsClosed as closed:
        return _closed(closed)
    return Status(201, _ticket_out(selectors.ticket_get(ticket.token)))


# --- staff: windows -----------------------------------------------------------------------


@router.get(
    "/windows",
    response={200: list[WindowOut], **READ_ERRORS},
    summary="我可以上岗的窗口",
    operation_id="queueing_windows",
)
def windows(request):
    return [_window_out(w) for w in selectors.windows_for_clerk(request.user)]


def window_for(request, window_id: int) -> Window:
    """The window of a hall the caller can see (another hall's: 404, as on the pages)."""
    return selectors.window_get(user=request.user, pk=window_id)


def window_action_out(window: Window, ticket: Ticket | None) -> dict[str, Any]:
    window = Window.objects.select_related("center", "clerk").prefetch_related("queues").get(pk=window.pk)
    out: dict[str, Any] = {"window": _window_out(window), "ticket": None}
    if ticket is not None:
        out["ticket"] = _ticket_out(selectors.ticket_get(ticket.token))
    return out


WindowAction = Literal[
    "open", "close", "pause", "resume", "call-next", "recall", "start", "no-show", "finish"
]
_ACTIONS: dict[str, Callable[..., Window | Ticket | None]] = {
    "open": services.window_open,
    "close": services.window_close,
    "resume": services.window_resume,
    "call-next": services.ticket_call_next,
    "recall": services.ticket_recall,
    "start": services.ticket_start,
    "no-show": services.ticket_no_show,
    "finish": services.ticket_finish,
}


@router.post(
    "/windows/{window_id}/pause",
    response={200: WindowActionOut, **WRITE_ERRORS},
    summary="窗口暂停（休息）",
    operation_id="queueing_window_pause",
)
def window_pause(request, window_id: int, data: PauseIn):
    window = services.window_pause(window=window_for(request, window_id), by=request.user, reason=data.reason)
    return window_action_out(window, None)


@router.post(
    "/windows/{window_id}/transfer",
    response={200: WindowActionOut, **WRITE_ERRORS},
    summary="把当前号转往本大厅其他队列或窗口",
    operation_id="queueing_window_transfer",
)
def window_transfer(request, window_id: int, data: TransferIn):
    window = window_for(request, window_id)
    to_queue = to_window = None
    if data.to_queue:
        to_queue = Queue.objects.filter(center_id=window.center_id, letter=data.to_queue.upper()).first()
        if to_queue is None:
            raise DomainError("本大厅没有这个队列。", field="to_queue")
    if data.to_window is not None:
        to_window = Window.objects.filter(center_id=window.center_id, number=data.to_window).first()
        if to_window is None:
            raise DomainError("本大厅没有这个窗口。", field="to_window")
    ticket = services.ticket_transfer(
        window=window, by=request.user, to_queue=to_queue, to_window=to_window, keep_place=data.keep_place
    )
    return window_action_out(window, ticket)


@router.post(
    "/windows/{window_id}/{action}",
    response={200: WindowActionOut, **WRITE_ERRORS},
    summary="窗口操作：开窗、关窗、恢复、叫下一位、重呼、开始办理、过号、办结",
    operation_id="queueing_window_action",
)
def window_action(request, window_id: int, action: WindowAction):
    window = window_for(request, window_id)
    result = _ACTIONS[action](window=window, by=request.user)
    return window_action_out(window, result if isinstance(result, Ticket) else None)


# --- staff: the hall's rules, 限号, 过号重排 ----------------------------------------------------------


def _rules_out(center) -> dict:
    rules = selectors.hall_rules(center)
    return {
        "hall": center.code,
        **{
            f: getattr(rules, f)
            for f in (
                "ticket_cutoff_minutes",
                "no_show_requeue_after",
                "priority_run",
                "booking_horizon_days",
                "sms_when_ahead",
                "keep_place_on_transfer",
            )
        },
    }


@router.put(
    "/halls/{code}/queue-rules",
    response={200: HallRulesOut, **WRITE_ERRORS},
    summary="设置大厅排队规则（停止取号时间、过号重排位置等；大厅负责人）",
    operation_id="queueing_hall_rules_set",
)
def hall_rules_set(request, code: str, data: HallRulesIn):
    center = selectors.hall_by_code(code)
    services.hall_rules_set(by=request.user, center=center, **data.dict())
    return _rules_out(center)


@router.put(
    "/halls/{code}/queues/{letter}/daily-cap",
    response={200: QueueOut, **WRITE_ERRORS},
    summary="设置队列每日限号（null 为不限；大厅负责人）",
    operation_id="queueing_queue_daily_cap",
)
def queue_daily_cap(request, code: str, letter: str, data: DailyCapIn):
    center = selectors.hall_by_code(code)
    access_hall(request.user, center, action="view")
    queue = Queue.objects.filter(center=center, letter=letter.upper()).first()
    if queue is None:
        raise NotFound("本大厅没有这个队列。", field="letter")
    services.queue_set_daily_cap(by=request.user, queue=queue, daily_cap=data.daily_cap)
    return next(q for q in _queues_out(center) if q["id"] == queue.id)


@router.post(
    "/halls/{code}/no-shows/requeue",
    response={200: TicketOut, **WRITE_ERRORS, 409: ClosedOut},
    summary="窗口：过号重排（今日过号的号，当天一次，排在当前等候的几位之后）",
    operation_id="queueing_no_show_requeue",
)
def no_show_requeue(request, code: str, data: RequeueIn):
    center = selectors.hall_by_code(code)
    access_hall(request.user, center, action="issue")
    ticket = Ticket.objects.filter(
        center=center, day=timezone.localdate(), code=data.code.strip().upper()
    ).first()
    if ticket is None:
        raise NotFound("今日没有这个号码。", field="code")
    try:
        ticket = services.ticket_requeue(ticket=ticket, by=request.user)
    except TicketsClosed as closed:
        return _closed(closed)
    return _ticket_out(selectors.ticket_get(ticket.token))


# --- staff: statistics ------------------------------------------------------------------------


@router.get(
    "/queue-stats",
    response={200: list[StatsRowOut], **READ_ERRORS, **error_responses(403)},
    summary="排队统计：取号数、等候与办理时间（平均、P90）、过号，按日",
    operation_id="queueing_stats",
)
def stats(
    request,
    hall: str,
    since: date | None = None,
    until: date | None = None,
    group: Literal["hall", "queue", "window", "clerk"] = "queue",
):
    center = selectors.hall_by_code(hall)
    access_hall(request.user, center, action="stats")
    until = until or timezone.localdate()
    since = since or until - timedelta(days=6)
    if since > until:
        raise DomainError("开始日期不能晚于结束日期。", field="since")
    if (until - since).days > 366:
        raise DomainError("统计范围不能超过一年。", field="since")
    return ticket_stats(center_ids=[center.id], since=since, until=until, group=group)


# --- staff: who is waiting now ------------------------------------------------------------------


class WaitingTicketOut(Schema):
    code: str
    status: str
    hall: str = Field(description="中心编码")
    queue: str = Field(description="队列字母")
    taken_at: datetime
    waited_minutes: int


@router.get(
    "/queue-waiting",
    response={200: list[WaitingTicketOut], **READ_ERRORS},
    summary="今天的号（本人可见的中心；默认只列等候中的，先取的在前）",
    operation_id="queueing_waiting",
)
def waiting(
    request,
    center: str = Query("", max_length=20, description="中心编码"),
    queue: str = Query("", max_length=2, description="队列字母"),
    status: str = Query("waiting", max_length=12, description="号状态；all 为全部"),
):
    now = timezone.now()
    return [
        {
            "code": t.code,
            "status": t.status,
            "hall": t.center.code,
            "queue": t.queue.letter,
            "taken_at": t.taken_at,
            "waited_minutes": int((now - t.taken_at).total_seconds() // 60),
        }
        for t in selectors.tickets_today_visible_to(
            request.user, center=center, queue=queue, status=status or "waiting"
        )[:500]
    ]
