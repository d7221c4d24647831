"""The rules of taking numbers, calling them to windows and booking appointments.

Numbers run per hall, queue and day from one counter row incremented inside
the issuing transaction (govhall.core.services.counter_next): never repeated,
never skipped. A repeated request with the same idempotency key returns the
ticket already issued. Priority tickets (绿色通道) and appointments within their
slot go ahead of walk-ins, but a window that has called the hall's
`priority_run` of them in a row calls a normal ticket next if one waits.

History: every write goes through core.history. `validate=False` below is one of
the two allowed cases (docs/ARCHITECTURE.md): the save changes only what the
system maintains — a status from the fixed transitions here, its times, the
acting clerk, counters — or what this service has itself just checked (a phone
by its pattern, a transfer's queue and window by the hall, a note by
`check_fields`). Counters the history leaves out on purpose (a window's
`fast_streak`, a slot's `booked`, the once-only SMS and reminder times) are
changed by one conditional UPDATE, which is what makes them safe under
concurrency."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Collection, Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from stdnum.cn import ric

from govhall.centers.models import Center
from govhall.core.crypto import lookup_hash
from govhall.core.errors import DomainError, Refused, WrongState
from govhall.core.history import (
    check_fields,
    database_clock_usable,
    insert_recorded,
    insert_recorded_numbered,
    insert_row,
    save_recorded,
)
from govhall.core.models import Counter
from govhall.core.services import counter_next

from . import events
from .extensions import announce_service_finished
from .hours import check_taking, daily_cap_reached, slot_refusal
from .models import Appointment, AppointmentSlot, Call, HallRules, Queue, Ticket, Window
from .permissions import access_hall, access_window
from .selectors import fast_q, hall_rules, ticket_ahead_count, waiting_tickets, window_current_ticket

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from govhall.accounts.models import User
    from govhall.catalog.models import ServiceItem

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
OPEN_HALL = {Center.Status.ACTIVE}


def _check_phone(phone: str, *, field: str = "phone", required: bool = False) -> str:
    phone = (phone or "").strip().replace(" ", "")
    if not phone:
        if required:
            raise DomainError("请填写手机号。", field=field)
        return ""
    if not PHONE_RE.match(phone):
        raise DomainError("手机号格式不正确，应为 11 位手机号码。", field=field)
    return phone


# --- hall set-up ---------------------------------------------------------------


@transaction.atomic
def hall_rules_set(
    *,
    by: User | None,
    center: Center,
    priority_run: int | None = None,
    booking_horizon_days: int | None = None,
    sms_when_ahead: int | None = None,
    keep_place_on_transfer: bool | None = None,
    ticket_cutoff_minutes: int | None = None,
    no_show_requeue_after: int | None = None,
) -> HallRules:
    """Set the hall's queue rules (by its manager, department leader or the district office):
    among them when numbers stop before closing, and where a 过号 ticket goes back in line."""
    access_hall(by, center, action="manage")
    rules = HallRules.objects.select_for_update().filter(center=center).first() or HallRules(center=center)
    for name, value in (
        ("priority_run", priority_run),
        ("booking_horizon_days", booking_horizon_days),
        ("sms_when_ahead", sms_when_ahead),
        ("keep_place_on_transfer", keep_place_on_transfer),
        ("ticket_cutoff_minutes", ticket_cutoff_minutes),
        ("no_show_requeue_after", no_show_requeue_after),
    ):
        if value is not None:
            setattr(rules, name, value)
    save_recorded(rules, by=by, reason="设置排队规则")
    return rules


@transaction.atomic
def queue_create(
    *, by: User | None, center: Center, letter: str, name: str, description: str = "", order: int = 100
) -> Queue:
    access_hall(by, center, action="manage")
    letter = (letter or "").strip().upper()
    if Queue.objects.filter(center=center, letter=letter).exists():
        raise DomainError(f"本大厅已有前缀为“{letter}”的队列。", field="letter", code="duplicate")
    queue = Queue(
        center=center, letter=letter, name=(name or "").strip(), description=description, order=order
    )
    save_recorded(queue, by=by, reason="新建队列")
    return queue


@transaction.atomic
def queue_set_items(*, by: User | None, queue: Queue, items: Sequence[ServiceItem]) -> Queue:
    """The service items (catalog.ServiceItem) a queue covers."""
    access_hall(by, queue.center, action="manage")
    queue.items.set(items)
    # The row itself changes only its updated_at.
    save_recorded(queue, by=by, reason="设置覆盖事项", validate=False)
    return queue


@transaction.atomic
def queue_set_daily_cap(*, by: User | None, queue: Queue, daily_cap: int | None) -> Queue:
    """限号: at most `daily_cap` numbers a day from this queue (None: no cap)."""
    access_hall(by, queue.center, action="manage")
    queue.daily_cap = daily_cap
    save_recorded(queue, by=by, reason=f"设置每日限号：{daily_cap}" if daily_cap else "取消每日限号")
    return queue


@transaction.atomic
def window_create(
    *, by: User | None, center: Center, number: int, name: str, queues: Sequence[Queue] = ()
) -> Window:
    access_hall(by, center, action="manage")
    if Window.objects.filter(center=center, number=number).exists():
        raise DomainError(f"本大厅已有 {number} 号窗口。", field="number", code="duplicate")
    window = Window(center=center, number=number, name=(name or "").strip())
    save_recorded(window, by=by, reason="新建窗口")
    if queues:
        window_set_queues(by=by, window=window, queues=queues)
    return window


@transaction.atomic
def window_set_queues(*, by: User | None, window: Window, queues: Sequence[Queue]) -> Window:
    access_hall(by, window.center, action="manage")
    if any(q.center_id != window.center_id for q in queues):
        raise DomainError("窗口只能服务本大厅的队列。", field="queues")
    window.queues.set(queues)
    # The row itself changes only its updated_at.
    save_recorded(window, by=by, reason="设置服务队列", validate=False)
    return window


# --- tickets ---------------------------------------------------------------------


def ticket_issue(
    *,
    queue: Queue,
    by: User | AnonymousUser | None = None,
    kind: str = Ticket.Kind.NORMAL,
    priority_reason: str = "",
    idempotency_key: str | None = None,
    channel: str = Ticket.Channel.KIOSK,
    phone: str = "",
    ahead_until: datetime | None = None,
) -> Ticket:
    """Take the next number of `queue` today. A repeat with the same idempotency
    key (a double tap) returns the ticket already taken."""
    key = (idempotency_key or "").strip() or None
    if key is not None and len(key) > 64:
        raise DomainError("幂等键不能超过 64 个字符。", field="idempotency_key")
    if key is not None:
        existing = _ticket_for_key(queue.center_id, key)
        if existing is not None:
            return _same_request(existing, queue)
    center = queue.center  # callers pass a queue fetched with its hall for this request
    if center.status not in OPEN_HALL:
        raise WrongState("该大厅目前不办理业务，不能取号。", field="queue")
    if not queue.is_active:
        raise WrongState("该队列已停用，不能取号。", field="queue")
    priority_reason = _check_kind(kind, priority_reason, channel)
    if channel == Ticket.Channel.CLERK:
        access_hall(by, center, action="issue")
    phone = _check_phone(phone)
    is_appointment = kind == Ticket.Kind.APPOINTMENT
    # The hall's hours, its cutoff before closing (not for a booked slot's check-in) and the
    # queue's 限号 (checked on the number itself below: a refused number is rolled back).
    check_taking(center, appointment=is_appointment)
    cap = None if is_appointment else queue.daily_cap
    try:
        ticket = Ticket(
            center_id=queue.center_id,
            queue=queue,
            origin_queue=queue,
            kind=kind,
            priority_reason=priority_reason,
            channel=channel,
            idempotency_key=key,
            taken_by=by if by is not None and by.is_authenticated else None,
            ahead_until=ahead_until if kind == Ticket.Kind.APPOINTMENT else None,
            phone=phone,
        )
        # Inside generated history (core.history.python_clock) the database's clock would stamp today.
        if connection.vendor == "postgresql" and cap is None and database_clock_usable():
            _number_and_insert_in_one_statement(ticket, queue)
        else:
            with transaction.atomic():
                ticket.sort_at = ticket.taken_at = now = timezone.now()
                ticket.day = timezone.localdate(now)
                ticket.number = counter_next(scope=_ticket_scope(queue, ticket.day))
                if cap is not None and ticket.number > cap:
                    raise daily_cap_reached(center, queue.name, cap, now=now)  # the counter rolls back
                ticket.code = f"{queue.letter}{ticket.number:03d}"
                insert_recorded(ticket, by=ticket.taken_by, reason="取号", at=now)
        transaction.on_commit(lambda: events.hall_changed(queue.center_id))
        return ticket
    except IntegrityError:
        # Two taps with one key at the same instant: the other one won; the
        # whole transaction (counter included) rolled back, so nothing skips.
        existing = _ticket_for_key(queue.center_id, key) if key else None
        if existing is None:
            raise
        return _same_request(existing, queue)


def _check_kind(kind: str, priority_reason: str, channel: str) -> str:
    """The ticket's kind and channel are known ones; a 绿色通道 ticket names its reason."""
    if kind not in Ticket.Kind.values:
        raise DomainError("取号类型不正确。", field="kind")
    if channel not in Ticket.Channel.values:
        raise DomainError("取号方式不正确。", field="channel")
    if kind != Ticket.Kind.PRIORITY:
        return ""
    if priority_reason not in Ticket.PriorityReason.values:
        raise DomainError(
            "绿色通道取号请选择优先原因（老年人、残疾人、孕妇、军人或退役军人）。", field="priority_reason"
        )
    return priority_reason


def _ticket_scope(queue: Queue, day: date) -> str:
    return f"ticket:{queue.id}:{day:%Y%m%d}"


def _number_and_insert_in_one_statement(ticket: Ticket, queue: Queue) -> None:
    """PostgreSQL: the number, the ticket and its history in one statement, so
    concurrent takers hold the counter's row lock only while PostgreSQL runs it
    (see core.history.insert_recorded_numbered); same numbers, same rows."""
    ticket.day = timezone.localdate()
    while True:
        # Inside a caller's transaction, a savepoint: a double tap's IntegrityError must not break it.
        with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
            done = insert_recorded_numbered(
                ticket,
                scope=_ticket_scope(queue, ticket.day),
                number_field="number",
                code_field="code",
                code_prefix=queue.letter,
                now_fields=("sort_at", "taken_at"),
                by=ticket.taken_by,
                reason="取号",
            )
        if done is not None:
            return
        with transaction.atomic():  # the scope's first ticket: create its counter row, then take the number
            Counter.objects.get_or_create(scope=_ticket_scope(queue, ticket.day))


def _ticket_for_key(center_id: int, key: str) -> Ticket | None:
    return Ticket.objects.filter(center_id=center_id, idempotency_key=key).select_related("queue").first()


def _same_request(existing: Ticket, queue: Queue) -> Ticket:
    if existing.origin_queue_id != queue.id:
        raise WrongState(
            "该幂等键已用于另一队列的取号。", field="idempotency_key", code="idempotency_conflict"
        )
    return existing


def _locked_window(window: Window, by: User) -> Window:
    window = Window.objects.select_for_update().get(pk=window.pk)
    window.center = Center.objects.get(pk=window.center_id)
    access_window(by, window)
    return window


def _at_window(window: Window, by: User) -> Window:
    """Lock `window` and check `by` is the clerk who opened it."""
    window = _locked_window(window, by)
    if window.status == Window.Status.CLOSED:
        raise WrongState(f"{window.number}号窗口未开放，请先开窗。")
    if window.clerk_id != by.id:
        raise Refused(f"{window.number}号窗口当前由其他工作人员开启，您不能操作。")
    return window


def _current(
    window: Window, *, statuses: Collection[str] = (Ticket.Status.CALLED, Ticket.Status.SERVING)
) -> Ticket:
    ticket = window_current_ticket(window)
    if ticket is None:
        raise WrongState("本窗口当前没有正在叫号或办理的号。")
    ticket = Ticket.objects.select_for_update().select_related("queue").get(pk=ticket.pk)
    if ticket.status not in statuses:
        raise WrongState(f"{ticket.code}号当前状态为“{ticket.get_status_display()}”，不能进行此操作。")
    return ticket


@transaction.atomic
def ticket_call_next(*, window: Window, by: User) -> Ticket | None:
    """Call the next ticket to `window`: from its queues, fast tickets (绿色通道,
    appointments within their slot) first, but after the hall's `priority_run`
    fast calls in a row a waiting normal ticket goes next. None if nobody waits."""
    window = _at_window(window, by)
    if window.status != Window.Status.OPEN:
        raise WrongState(f"{window.number}号窗口已暂停，请先恢复服务再叫号。")
    current = window_current_ticket(window)
    if current is not None:
        raise WrongState(f"请先办结或标记过号当前的 {current.code} 号，再叫下一位。")
    queue_ids = sorted(window.queues.values_list("id", flat=True))
    if not queue_ids:
        raise WrongState(f"{window.number}号窗口尚未设置服务队列。")
    # Windows sharing a queue take turns here (rows locked in id order: no deadlock).
    list(
        Queue.objects.select_for_update().filter(id__in=queue_ids).order_by("id").values_list("id", flat=True)
    )
    now = timezone.now()
    waiting = (
        waiting_tickets(queue_ids, day=timezone.localdate(now))
        .filter(Q(target_window__isnull=True) | Q(target_window=window))
        .order_by("sort_at", "id")
    )
    fast = fast_q(now)
    head_fast = waiting.filter(fast).first()
    head_normal = waiting.exclude(fast).first()
    rules = hall_rules(window.center)
    if head_fast is not None and (head_normal is None or window.fast_streak < rules.priority_run):
        ticket, window.fast_streak = head_fast, window.fast_streak + 1
    elif head_normal is not None:
        ticket, window.fast_streak = head_normal, 0
    else:
        return None
    # A counter the history leaves out (Window.history excludes it).
    Window.objects.filter(pk=window.pk).update(fast_streak=window.fast_streak)
    ticket.status = Ticket.Status.CALLED
    ticket.called_at = now
    ticket.called_by = by
    ticket.window = window
    ticket.target_window = None
    ticket.call_count += 1
    save_recorded(ticket, by=by, reason=f"叫号到{window.number}号窗口", validate=False)
    # A call is itself the record of an event (no history of its own).
    call = Call(center_id=window.center_id, ticket=ticket, window=window, by=by, at=now)
    insert_row(call)
    transaction.on_commit(lambda: events.call_made(window.center_id, call.id))
    transaction.on_commit(lambda: sms_remind_ahead(queue_ids=queue_ids))
    return ticket


@transaction.atomic
def ticket_recall(*, window: Window, by: User) -> Ticket:
    """Call the current ticket again (the board shows and says it again)."""
    window = _at_window(window, by)
    ticket = _current(window, statuses=(Ticket.Status.CALLED,))
    now = timezone.now()
    ticket.call_count += 1
    save_recorded(ticket, by=by, reason="重呼", validate=False)
    call = Call(center_id=window.center_id, ticket=ticket, window=window, by=by, at=now, is_recall=True)
    insert_row(call)
    transaction.on_commit(lambda: events.call_made(window.center_id, call.id))
    return ticket


@transaction.atomic
def ticket_start(*, window: Window, by: User) -> Ticket:
    """The person arrived at the window: service starts."""
    window = _at_window(window, by)
    ticket = _current(window, statuses=(Ticket.Status.CALLED,))
    ticket.status = Ticket.Status.SERVING
    ticket.served_at = timezone.now()
    save_recorded(ticket, by=by, reason="开始办理", validate=False)
    return ticket


@transaction.atomic
def ticket_no_show(*, window: Window, by: User) -> Ticket:
    """过号: the called person did not come."""
    window = _at_window(window, by)
    ticket = _current(window, statuses=(Ticket.Status.CALLED,))
    ticket.status = Ticket.Status.NO_SHOW
    ticket.finished_at = timezone.now()
    ticket.finished_by = by
    save_recorded(ticket, by=by, reason="过号", validate=False)
    transaction.on_commit(lambda: events.hall_changed(window.center_id))
    return ticket


@transaction.atomic
def ticket_requeue(*, ticket: Ticket, by: User | AnonymousUser | None = None) -> Ticket:
    """过号重排: a ticket marked no-show goes back in line once, the same day, while
    the hall is open — by a clerk of its hall (the console) or by its holder (the
    ticket page). It is placed after the next N people waiting in its queue (the
    hall's `no_show_requeue_after`), never at the front; an appointment's ticket
    no longer goes ahead of walk-ins. A second re-queue, or one on a later day, is
    refused: the person takes a new number."""
    who = by if by is not None and by.is_authenticated else None
    ticket = Ticket.objects.select_for_update().select_related("queue", "center").get(pk=ticket.pk)
    if who is not None:
        access_hall(who, ticket.center, action="issue")
    if ticket.status != Ticket.Status.NO_SHOW:
        raise WrongState(
            f"{ticket.code}号当前状态为“{ticket.get_status_display()}”，只有过号的号可以重新排队。",
            code="not_no_show",
        )
    now = timezone.now()
    if ticket.day != timezone.localdate(now):
        raise WrongState(
            f"过号重排只限当天：{ticket.code}号是 {ticket.day:%Y-%m-%d} 的号，请重新取号。",
            code="requeue_expired",
        )
    if ticket.requeued_at is not None:
        raise WrongState(
            f"{ticket.code}号已在 {timezone.localtime(ticket.requeued_at):%H:%M} 过号重排过一次，不能再次重排，请重新取号。",
            code="requeue_once",
        )
    check_taking(ticket.center, now=now, appointment=True)
    after = hall_rules(ticket.center).no_show_requeue_after
    line = list(
        waiting_tickets([ticket.queue_id], day=ticket.day)
        .order_by("sort_at", "id")
        .values_list("sort_at", flat=True)[:after]
    )
    # After the N-th person waiting now (or right after the last when fewer wait), never at
    # the front. Placed relative to the line itself, not to the clock: numbers may be
    # stamped by the database's clock.
    ticket.sort_at = line[-1] + timedelta(microseconds=1) if line else now
    ticket.status = Ticket.Status.WAITING
    ticket.window = ticket.target_window = None
    ticket.finished_at = ticket.finished_by = None
    ticket.ahead_until = None
    ticket.requeued_at = now
    place = f"排在{len(line)}位等候者之后" if line and after else "排在队尾"
    save_recorded(ticket, by=who, reason=f"过号重排（{place}）", validate=False)
    transaction.on_commit(lambda: events.hall_changed(ticket.center_id))
    return ticket


@transaction.atomic
def ticket_finish(*, window: Window, by: User, note: str = "") -> Ticket:
    """办结: service at the window is over."""
    window = _at_window(window, by)
    ticket = _current(window)
    now = timezone.now()
    ticket.served_at = ticket.served_at or ticket.called_at or now
    ticket.status = Ticket.Status.DONE
    ticket.finished_at = now
    ticket.finished_by = by
    ticket.note = (note or "").strip()
    check_fields(ticket)  # the note is typed by the clerk: its own rules, without reading the database
    save_recorded(ticket, by=by, reason="办结", validate=False)
    transaction.on_commit(lambda: events.hall_changed(window.center_id))
    transaction.on_commit(
        lambda: announce_service_finished(
            ticket_id=ticket.pk, window_id=window.pk, center_id=window.center_id, clerk_id=by.pk
        )
    )
    return ticket


def _transfer_queue(
    ticket: Ticket, window: Window, to_queue: Queue | None, to_window: Window | None
) -> Queue:
    """The queue a transferred ticket joins: the one chosen, else its own or the
    first one the chosen window serves; always of the same hall."""
    if to_window is not None:
        if to_window.center_id != window.center_id:
            raise DomainError("只能转往本大厅的窗口。", field="to_window")
        if to_window.pk == window.pk:
            raise DomainError("不能转给本窗口。", field="to_window")
        served = list(to_window.queues.all())
        if to_queue is None:
            to_queue = ticket.queue if ticket.queue in served else (served[0] if served else None)
            if to_queue is None:
                raise DomainError(f"{to_window.number}号窗口尚未设置服务队列。", field="to_window")
        elif to_queue not in served:
            raise DomainError(f"{to_window.number}号窗口不服务“{to_queue.name}”队列。", field="to_window")
    if to_queue is None:
        raise DomainError("请选择要转往的队列或窗口。", field="to_queue")
    if to_queue.center_id != window.center_id:
        raise DomainError("只能转往本大厅的队列。", field="to_queue")
    return to_queue


@transaction.atomic
def ticket_transfer(
    *,
    window: Window,
    by: User,
    to_queue: Queue | None = None,
    to_window: Window | None = None,
    keep_place: bool | None = None,
) -> Ticket:
    """Send the current ticket to another queue or window of the same hall. By
    the hall's rule it keeps its place in line (its original time) or goes to the end."""
    window = _at_window(window, by)
    ticket = _current(window)
    to_queue = _transfer_queue(ticket, window, to_queue, to_window)
    if keep_place is None:
        keep_place = hall_rules(window.center).keep_place_on_transfer
    ticket.queue = to_queue
    ticket.target_window = to_window
    ticket.status = Ticket.Status.WAITING
    ticket.window = None
    if not keep_place:
        ticket.sort_at = timezone.now()
    where = f"{to_window.number}号窗口" if to_window else f"“{to_queue.name}”队列"
    # Queue and window were checked above against the hall; the rest is the status and its time.
    save_recorded(ticket, by=by, reason=f"转往{where}", validate=False)
    transaction.on_commit(lambda: events.hall_changed(window.center_id))
    return ticket


def sms_remind_ahead(*, queue_ids: list[int]) -> int:
    """Text the people who asked for it once only a few (the hall's rule) are ahead of them."""
    from govhall.core.notifications import send_sms

    sent = 0
    day = timezone.localdate()
    for ticket in (
        Ticket.objects.filter(
            queue_id__in=queue_ids, day=day, status=Ticket.Status.WAITING, sms_sent_at__isnull=True
        )
        .exclude(phone_hash="")
        .select_related("queue", "center")
    ):
        ahead = ticket_ahead_count(ticket)
        if ahead <= hall_rules(ticket.center).sms_when_ahead:
            updated = Ticket.objects.filter(pk=ticket.pk, sms_sent_at__isnull=True).update(
                sms_sent_at=timezone.now()
            )
            if updated:
                send_sms(
                    ticket.phone,
                    f"【{ticket.center.name}】您的{ticket.code}号前面还有{ahead}人，请到等候区留意叫号。",
                )
                sent += 1
    return sent


@transaction.atomic
def ticket_set_phone(*, ticket: Ticket, phone: str) -> Ticket:
    """Ask for an SMS when only a few are ahead (from the phone ticket page)."""
    if ticket.status != Ticket.Status.WAITING:
        raise WrongState("该号已不在等候中。")
    ticket.phone = _check_phone(phone, required=True)
    ticket.sms_sent_at = None
    save_recorded(ticket, by=None, reason="登记短信提醒", validate=False)
    return ticket


# --- windows --------------------------------------------------------------------


@transaction.atomic
def window_open(*, window: Window, by: User) -> Window:
    """A clerk opens (takes) a window of their hall."""
    window = _locked_window(window, by)
    if window.center.status not in OPEN_HALL:
        raise WrongState("该大厅目前不办理业务，不能开窗。")
    if window.status != Window.Status.CLOSED and window.clerk_id not in (None, by.id):
        raise WrongState(f"{window.number}号窗口已由{window.clerk}开启。")
    other = Window.objects.filter(clerk=by).exclude(pk=window.pk).exclude(status=Window.Status.CLOSED).first()
    if other is not None:
        raise WrongState(f"您已在{other.center.name}{other.number}号窗口上岗，请先关闭该窗口。")
    if window.status == Window.Status.OPEN:
        return window
    window.status = Window.Status.OPEN
    window.clerk = by
    window.opened_at = timezone.now()
    window.pause_reason = ""
    window.fast_streak = 0
    save_recorded(window, by=by, reason="开窗", validate=False)
    transaction.on_commit(lambda: events.hall_changed(window.center_id))
    return window


@transaction.atomic
def window_pause(*, window: Window, by: User, reason: str = "") -> Window:
    """A break: the window stops calling until the clerk resumes."""
    window = _at_window(window, by)
    if window.status == Window.Status.PAUSED:
        return window
    current = window_current_ticket(window)
    if current is not None:
        raise WrongState(f"请先办结或标记过号当前的 {current.code} 号，再暂停。")
    window.status = Window.Status.PAUSED
    window.pause_reason = (reason or "").strip() or "暂停服务"
    check_fields(window)  # the reason is typed by the clerk
    save_recorded(window, by=by, reason="暂停", validate=False)
    transaction.on_commit(lambda: events.hall_changed(window.center_id))
    return window


@transaction.atomic
def window_resume(*, window: Window, by: User) -> Window:
    window = _at_window(window, by)
    window.status = Window.Status.OPEN
    window.pause_reason = ""
    save_recorded(window, by=by, reason="恢复服务", validate=False)
    transaction.on_commit(lambda: events.hall_changed(window.center_id))
    return window


@transaction.atomic
def window_close(*, window: Window, by: User) -> Window:
    window = _at_window(window, by)
    current = window_current_ticket(window)
    if current is not None:
        raise WrongState(f"请先办结或标记过号当前的 {current.code} 号，再关窗。")
    window.status = Window.Status.CLOSED
    window.clerk = None
    window.opened_at = None
    window.pause_reason = ""
    save_recorded(window, by=by, reason="关窗", validate=False)
    transaction.on_commit(lambda: events.hall_changed(window.center_id))
    return window


# --- appointments ----------------------------------------------------------------


@transaction.atomic
def slot_create(
    *, by: User | None, queue: Queue, day: date, starts: time, ends: time, capacity: int
) -> AppointmentSlot:
    access_hall(by, queue.center, action="manage")
    if ends <= starts:
        raise DomainError("结束时间应晚于开始时间。", field="ends")
    if capacity < 1:
        raise DomainError("可预约人数至少为 1。", field="capacity")
    refusal = slot_refusal(queue.center, day, starts, ends)
    if refusal:
        raise DomainError(refusal, field="day", code="hall_closed")
    if AppointmentSlot.objects.filter(queue=queue, date=day, starts=starts).exists():
        raise DomainError("该队列在这一时间已有预约时段。", field="starts", code="duplicate")
    slot = AppointmentSlot(
        center_id=queue.center_id, queue=queue, date=day, starts=starts, ends=ends, capacity=capacity
    )
    save_recorded(slot, by=by, reason="新建预约时段")
    return slot


def _slot_bounds(slot: AppointmentSlot) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(slot.date, slot.starts), tz),
        timezone.make_aware(datetime.combine(slot.date, slot.ends), tz),
    )


def appointment_book(
    *,
    slot: AppointmentSlot,
    name: str,
    id_number: str,
    phone: str,
    by: User | AnonymousUser | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Book `slot` for a person: within the hall's horizon, not full, one booking
    per person, queue and day."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    name = (name or "").strip()
    if not name:
        raise DomainError("请填写姓名。", field="name")
    id_number = (id_number or "").strip().upper()
    if not ric.is_valid(id_number):
        raise DomainError("身份证号码不正确，请核对 18 位号码。", field="id_number")
    phone = _check_phone(phone, required=True)
    center = slot.center
    if center.status not in OPEN_HALL:
        raise WrongState("该大厅目前不办理业务，不能预约。", field="slot")
    horizon = hall_rules(center).booking_horizon_days
    if slot.date > today + timedelta(days=horizon):
        raise DomainError(f"最多只能预约 {horizon} 天内的时段。", field="slot")
    if _slot_bounds(slot)[1] <= now:
        raise DomainError("该时段已经结束，请选择其他时段。", field="slot")
    refusal = slot_refusal(center, slot.date, slot.starts, slot.ends)
    if refusal:  # a holiday, a closure or other hours entered after the slot was set up
        raise DomainError(refusal, field="slot", code="hall_closed")
    if Appointment.objects.filter(
        id_number_hash=lookup_hash(id_number),
        queue_id=slot.queue_id,
        date=slot.date,
        status__in=[Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN],
    ).exists():
        raise DomainError(
            "您当天已预约过该业务，同一业务每人每天只能预约一次。", field="slot", code="duplicate"
        )
    try:
        with transaction.atomic():
            # Conditional increment: the database refuses the seat if another booking took the last one.
            if not AppointmentSlot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(
                booked=F("booked") + 1
            ):
                raise DomainError("该时段已约满，请选择其他时段。", field="slot", code="full")
            appointment = Appointment(
                center_id=slot.center_id,
                slot=slot,
                queue_id=slot.queue_id,
                date=slot.date,
                name=name,
                id_number=id_number,
                phone=phone,
                user=by if by is not None and by.is_authenticated else None,
            )
            # Each field's own rules (lengths …) without reading the database; the one booking per
            # person, queue and day is the database's constraint (IntegrityError below).
            check_fields(appointment)
            save_recorded(appointment, by=appointment.user, reason="预约", validate=False)
            return appointment
    except IntegrityError as exc:
        raise DomainError(
            "您当天已预约过该业务，同一业务每人每天只能预约一次。", field="slot", code="duplicate"
        ) from exc


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, by: User | AnonymousUser | None = None, now: datetime | None = None
) -> Appointment:
    """Cancel a booking before its slot starts; the seat is free again."""
    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update().select_related("slot").get(pk=appointment.pk)
    if appointment.status != Appointment.Status.BOOKED:
        raise WrongState(f"该预约状态为“{appointment.get_status_display()}”，不能取消。")
    if _slot_bounds(appointment.slot)[0] <= now:
        raise WrongState("预约时段已开始，不能再取消。")
    appointment.status = Appointment.Status.CANCELLED
    save_recorded(
        appointment,
        by=by if by is not None and by.is_authenticated else None,
        reason="取消预约",
        validate=False,
    )
    AppointmentSlot.objects.filter(pk=appointment.slot_id, booked__gt=0).update(booked=F("booked") - 1)
    return appointment


@transaction.atomic
def appointment_check_in(
    *, appointment: Appointment, by: User | AnonymousUser | None = None, now: datetime | None = None
) -> Ticket:
    """签到: on the day, up to the end of the slot, the booking becomes a ticket
    served ahead of walk-ins until its slot ends."""
    now = now or timezone.now()
    appointment = (
        Appointment.objects.select_for_update().select_related("slot", "queue__center").get(pk=appointment.pk)
    )
    if appointment.status == Appointment.Status.CHECKED_IN and appointment.ticket is not None:
        return appointment.ticket
    if appointment.status != Appointment.Status.BOOKED:
        raise WrongState(f"该预约状态为“{appointment.get_status_display()}”，不能签到。")
    starts, ends = _slot_bounds(appointment.slot)
    if appointment.date != timezone.localdate(now):
        raise WrongState(f"请在预约当天（{appointment.date:%Y-%m-%d}）签到。")
    if now >= ends:
        raise WrongState("已超过预约时段，请现场取号。")
    ticket = ticket_issue(
        queue=appointment.queue,
        by=by,
        kind=Ticket.Kind.APPOINTMENT,
        channel=Ticket.Channel.APPOINTMENT,
        idempotency_key=f"appt-{appointment.pk}",
        ahead_until=ends,
    )
    appointment.status = Appointment.Status.CHECKED_IN
    appointment.ticket = ticket
    save_recorded(
        appointment, by=by if by is not None and by.is_authenticated else None, reason="签到", validate=False
    )
    return ticket


@transaction.atomic
def appointments_mark_no_show(*, now: datetime | None = None) -> int:
    """爽约: bookings whose slot ended without a check-in."""
    now = now or timezone.now()
    count = 0
    for appointment in (
        Appointment.objects.select_for_update()
        .filter(status=Appointment.Status.BOOKED, date__lte=timezone.localdate(now))
        .select_related("slot")
    ):
        if _slot_bounds(appointment.slot)[1] <= now:
            appointment.status = Appointment.Status.NO_SHOW
            save_recorded(appointment, by=None, reason="爽约", validate=False)
            count += 1
    return count


def appointments_remind(*, day: date | None = None) -> int:
    """The day before: text each booking of `day` (default tomorrow) once."""
    from govhall.core.notifications import send_sms

    day = day or timezone.localdate() + timedelta(days=1)
    sent = 0
    for appointment in Appointment.objects.filter(
        date=day, status=Appointment.Status.BOOKED, reminded_at__isnull=True
    ).select_related("slot", "center"):
        if Appointment.objects.filter(pk=appointment.pk, reminded_at__isnull=True).update(
            reminded_at=timezone.now()
        ):
            send_sms(
                appointment.phone,
                f"【{appointment.center.name}】您预约了{appointment.date:%m月%d日} "
                f"{appointment.slot.starts:%H:%M}-{appointment.slot.ends:%H:%M}的业务，"
                f"请按时到大厅签到。",
            )
            sent += 1
    return sent
