"""Readers of queues, windows, tickets, boards and appointments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractHour
from django.utils import timezone

from govhall.accounts.selectors import roles_at, visible_center_ids
from govhall.centers.models import Center
from govhall.core.cache import ProcessCache, shared_get, shared_set
from govhall.core.errors import DomainError, NotFound

from .hours import slot_refusal
from .models import Appointment, AppointmentSlot, Call, HallRules, Queue, Ticket, Window
from .permissions import WINDOW_ROLES

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from govhall.accounts.models import User

DEFAULT_SERVICE_SECONDS = 300


def hall_get(code: str) -> Center | None:
    """A hall that takes numbers (district center or branch or town center), by its code."""
    return (
        Center.objects.filter(code=code)
        .exclude(status__in=[Center.Status.CLOSED, Center.Status.MERGED])
        .first()
    )


def hall_by_code(code: str) -> Center:
    """`hall_get`, for a page or endpoint of that hall: NotFound (404) when there is none."""
    center = hall_get(code)
    if center is None:
        raise NotFound("没有找到该大厅。")
    return center


_taking = ProcessCache("queue-for-taking", depends_on=("queueing.Queue", "centers.Center"))


def queue_for_taking(code: str, letter: str) -> Queue | None:
    """The queue `letter` of hall `code`, with its hall: where taking a ticket
    starts. Every kiosk tap reads it, so each server process keeps it for two
    seconds; saving a queue or a hall forgets it in that process at once
    (ticket_issue still refuses a hall or queue closed in the meantime)."""
    letter = letter.upper()
    return _taking.get(
        (code, letter),
        lambda: (
            Queue.objects.select_related("center")
            .filter(center__code=code, letter=letter)
            .exclude(center__status__in=[Center.Status.CLOSED, Center.Status.MERGED])
            .first()
        ),
    )


def hall_rules(center: Center) -> HallRules:
    """The hall's rules, or the defaults if it never set any (unsaved)."""
    return HallRules.objects.filter(center=center).first() or HallRules(center=center)


def queues_of(center: Center, *, active_only: bool = True) -> QuerySet[Queue]:
    qs = Queue.objects.filter(center=center)
    return qs.filter(is_active=True) if active_only else qs


def fast_q(now: datetime) -> Q:
    """Tickets that go ahead of walk-ins: 绿色通道, and appointments within their slot."""
    return Q(kind=Ticket.Kind.PRIORITY) | Q(kind=Ticket.Kind.APPOINTMENT, ahead_until__gt=now)


def waiting_tickets(queue_ids: Iterable[int], *, day: date) -> QuerySet[Ticket]:
    return Ticket.objects.filter(queue_id__in=list(queue_ids), day=day, status=Ticket.Status.WAITING)


def window_current_ticket(window: Window) -> Ticket | None:
    """The ticket called to or being served at `window`, if any."""
    return (
        Ticket.objects.filter(window=window, status__in=[Ticket.Status.CALLED, Ticket.Status.SERVING])
        .select_related("queue")
        .order_by("-called_at")
        .first()
    )


def windows_for_clerk(user: User | AnonymousUser) -> QuerySet[Window]:
    """The windows of every hall where `user` may staff a window."""
    centers = Center.objects.filter(id__in=visible_center_ids(user))
    allowed = [c.id for c in centers if roles_at(user, c) & WINDOW_ROLES]
    return (
        Window.objects.filter(center_id__in=allowed)
        .select_related("center", "clerk")
        .prefetch_related("queues")
        .order_by("center__code", "number")
    )


def window_get(*, user: User | AnonymousUser, pk: int) -> Window:
    """The window `pk` of a hall `user` can see, with its hall and clerk. Another
    hall's window is NotFound, as if it did not exist (pages and API alike)."""
    window = (
        Window.objects.select_related("center", "clerk")
        .filter(pk=pk, center_id__in=visible_center_ids(user))
        .first()
    )
    if window is None:
        raise NotFound("没有找到该窗口，或您无权查看。")
    return window


def window_of_clerk(user: User | AnonymousUser | None) -> Window | None:
    """The window `user` has open (or paused) now."""
    if not user or not user.is_authenticated:
        return None
    return (
        Window.objects.filter(clerk=user)
        .exclude(status=Window.Status.CLOSED)
        .select_related("center")
        .prefetch_related("queues")
        .first()
    )


def ticket_by_token(token: str) -> Ticket | None:
    return Ticket.objects.filter(token=token).select_related("queue", "center", "window").first()


def ticket_get(token: str) -> Ticket:
    """The ticket whose token this is (its holder's phone page), or NotFound."""
    ticket = ticket_by_token(token)
    if ticket is None:
        raise NotFound("没有找到该排队号。")
    return ticket


AHEAD_LIMIT = 999  # counted up to here; screens show "999+"


def ticket_ahead_count(ticket: Ticket, *, now: datetime | None = None) -> int:
    """How many waiting tickets of the same queue are called before `ticket`
    (a normal ticket counts every fast ticket waiting: a cautious estimate),
    counted up to AHEAD_LIMIT. Every kiosk tap and every phone watching its
    ticket asks this, so it is one prepared statement that the
    `ticket_queue_line` index answers without reading the table."""
    if ticket.status != Ticket.Status.WAITING:
        return 0
    now = now or timezone.now()
    ops = connection.ops
    is_fast = ticket.kind == Ticket.Kind.PRIORITY or (
        ticket.kind == Ticket.Kind.APPOINTMENT and ticket.ahead_until and ticket.ahead_until > now
    )
    sort_at = ops.adapt_datetimefield_value(ticket.sort_at)
    fast = [Ticket.Kind.PRIORITY.value, Ticket.Kind.APPOINTMENT.value, ops.adapt_datetimefield_value(now)]
    earlier = [sort_at, sort_at, ticket.id]
    params = [
        ticket.queue_id,
        ops.adapt_datefield_value(ticket.day),
        Ticket.Status.WAITING.value,
        ticket.id,
        *fast,
        *earlier,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_AHEAD_OF_FAST if is_fast else _AHEAD_OF_NORMAL, params)
        return cursor.fetchone()[0]


def _ahead_sql(condition: str) -> str:
    return (
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {Ticket._meta.db_table} WHERE queue_id = %s AND day = %s "
        f"AND status = %s AND id <> %s AND {condition} LIMIT {AHEAD_LIMIT}) ahead"
    )


_FAST = "(kind = %s OR (kind = %s AND ahead_until > %s))"
_EARLIER = "(sort_at < %s OR (sort_at = %s AND id < %s))"
_AHEAD_OF_NORMAL = _ahead_sql(f"({_FAST} OR {_EARLIER})")  # everyone earlier, and every fast ticket
_AHEAD_OF_FAST = _ahead_sql(f"{_FAST} AND {_EARLIER}")  # fast tickets earlier than it


def queue_service_seconds(queue: Queue, *, now: datetime | None = None, sample: int = 20) -> float:
    """Mean service time (called → finished) of the queue's recent tickets; a default when none."""
    now = now or timezone.now()
    rows = (
        Ticket.objects.filter(
            queue=queue,
            status=Ticket.Status.DONE,
            finished_at__gte=now - timedelta(days=7),
            called_at__isnull=False,
        )
        .order_by("-finished_at")
        .values_list("called_at", "finished_at")[:sample]
    )
    spans = [(f - c).total_seconds() for c, f in rows if f and c and f > c]
    return sum(spans) / len(spans) if spans else DEFAULT_SERVICE_SECONDS


def open_windows_for(queue: Queue) -> int:
    return queue.windows.filter(status=Window.Status.OPEN).count()


ESTIMATE_CACHE_SECONDS = 5


def queue_estimate_inputs(queue: Queue) -> tuple[float, int]:
    """(mean service seconds, open windows) of a queue, cached a few seconds:
    every phone polling its ticket page needs them, and they change slowly."""
    key = f"queueing:estimate:{queue.pk}"
    found = shared_get(key)
    if found is None:
        found = (queue_service_seconds(queue), open_windows_for(queue))
        shared_set(key, found, ESTIMATE_CACHE_SECONDS)
    return found


def ticket_position(ticket: Ticket, *, now: datetime | None = None) -> dict[str, Any]:
    """What the phone page shows: how many are ahead (at AHEAD_LIMIT, "at least that many")
    and the estimated wait in minutes."""
    now = now or timezone.now()
    ahead = ticket_ahead_count(ticket, now=now)
    per, windows = queue_estimate_inputs(ticket.queue)
    wait = None
    if ticket.status == Ticket.Status.WAITING:
        wait = round(ahead * per / max(1, windows) / 60)
    return {
        "ahead": ahead,
        "ahead_at_limit": ahead >= AHEAD_LIMIT,
        "open_windows": windows,
        "wait_minutes": wait,
    }


# --- the board ---------------------------------------------------------------


def board_state(center: Center, *, calls: int = 8) -> dict[str, Any]:
    """The last calls and the waiting count per queue of a hall, for its big screen."""
    day = timezone.localdate()
    recent = list(
        Call.objects.filter(center=center).select_related("ticket", "window").order_by("-at", "-id")[:calls]
    )
    counts = dict(
        Ticket.objects.filter(center=center, day=day, status=Ticket.Status.WAITING)
        .values_list("queue_id")
        .annotate(n=Count("id"))
        .values_list("queue_id", "n")
    )
    queues = [{"letter": q.letter, "name": q.name, "waiting": counts.get(q.id, 0)} for q in queues_of(center)]
    return {
        "center": center,
        "calls": recent,
        "queues": queues,
        "last_call_id": recent[0].id if recent else 0,
    }


# --- appointments ------------------------------------------------------------


def slots_open(
    center: Center, *, queue: Queue | None = None, day: date | None = None, today: date | None = None
) -> list[AppointmentSlot]:
    """Slots one may book (a full one is shown as such): from today to the hall's
    horizon, on the hall's opening days and inside its hours (hours.slot_refusal)."""

    today = today or timezone.localdate()
    horizon = today + timedelta(days=hall_rules(center).booking_horizon_days)
    qs = AppointmentSlot.objects.filter(center=center, date__gte=today, date__lte=horizon).select_related(
        "queue"
    )
    if queue is not None:
        qs = qs.filter(queue=queue)
    if day is not None:
        qs = qs.filter(date=day)
    return [
        s
        for s in qs.order_by("date", "starts", "queue__order")
        if slot_refusal(center, s.date, s.starts, s.ends) is None
    ]


def appointment_by_token(token: str) -> Appointment | None:
    return Appointment.objects.filter(token=token).select_related("slot", "queue", "center", "ticket").first()


def appointment_get(token: str) -> Appointment:
    """The appointment whose token this is, or NotFound."""
    appointment = appointment_by_token(token)
    if appointment is None:
        raise NotFound("没有找到该预约。")
    return appointment


# --- staff: who is waiting now (the workbench's hall figures and their drill-down list) ---------------


def tickets_today_visible_to(
    user: User | AnonymousUser,
    *,
    center: str = "",
    queue: str = "",
    status: str = Ticket.Status.WAITING,
    day: date | None = None,
) -> QuerySet[Ticket]:
    """Today's tickets at the halls `user` can see, earliest taken first: those still
    waiting by default, `status="all"` for every one, or one ticket status;
    optionally one hall (`center` code) and one queue (its letter)."""
    if status != "all" and status not in Ticket.Status.values:
        raise DomainError("未知的号状态。", field="status")
    qs = Ticket.objects.filter(center_id__in=visible_center_ids(user), day=day or timezone.localdate())
    if status != "all":
        qs = qs.filter(status=status)
    if center:
        qs = qs.filter(center__code=center)
    if queue:
        qs = qs.filter(queue__letter=queue)
    return qs.select_related("center", "queue").order_by("taken_at", "id")


def window_next_waiting(window: Window, *, now: datetime | None = None) -> Ticket | None:
    """The ticket a call at `window` would most likely bring: fast tickets (绿色通道,
    appointments in their slot) first, then by place in line. The hall's priority-run
    rule may still put a walk-in first; the call itself decides."""
    now = now or timezone.now()
    qs = waiting_tickets(window.queues.values_list("id", flat=True), day=timezone.localdate(now)).filter(
        Q(target_window__isnull=True) | Q(target_window=window)
    )
    return qs.filter(fast_q(now)).order_by("sort_at", "id").first() or qs.order_by("sort_at", "id").first()


def waiting_by_queue(center_ids: Iterable[int], *, day: date | None = None) -> list[dict[str, Any]]:
    """Per active queue of these halls: how many wait today and since when the
    longest has waited (None when nobody waits). One query, whatever the rows."""
    day = day or timezone.localdate()
    # The day and state go in the join itself, so only today's waiting tickets are joined
    # (through ticket_queue_line), not the queue's whole history.
    waiting_now = FilteredRelation(
        "tickets", condition=Q(tickets__day=day, tickets__status=Ticket.Status.WAITING)
    )
    rows = (
        Queue.objects.filter(center_id__in=list(center_ids), is_active=True)
        .annotate(waiting_now=waiting_now)
        .annotate(waiting=Count("waiting_now"), since=Min("waiting_now__taken_at"))
        .select_related("center")
        .order_by("center__code", "order", "letter")
    )
    return [{"center": q.center, "queue": q, "waiting": q.waiting, "since": q.since} for q in rows]


def windows_open_count(center_ids: Iterable[int]) -> dict[int, int]:
    """Hall id → how many of its windows are open or paused now (a clerk at the counter)."""
    rows = (
        Window.objects.filter(center_id__in=list(center_ids))
        .exclude(status=Window.Status.CLOSED)
        .values("center_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["center_id"]: r["n"] for r in rows}


def windows_of_halls(center_ids: Iterable[int]) -> QuerySet[Window]:
    return Window.objects.filter(center_id__in=list(center_ids)).order_by("center_id", "number")


# --- the window register in bulk (the district's stationing check) -------------------------------


@dataclass(frozen=True)
class Register:
    """The queues and windows of some halls, read in three queries.

    `served[center_id]` holds the items some window of that hall serves: an active queue
    of the hall covers the item and a window serving that queue either lists no items of
    its own or lists this one (as `item_places_from_register` decides for one item)."""

    queue_center: dict[int, int]
    queue_items: dict[int, set[int]]
    served: dict[int, set[int]]


def register_of(center_ids: Iterable[int]) -> Register:
    """The window register of `center_ids` (see `Register`)."""
    ids = list(center_ids)
    queue_center: dict[int, int] = {}
    queue_items: dict[int, set[int]] = defaultdict(set)
    for queue_id, center_id, item_id in Queue.items.through.objects.filter(
        queue__center_id__in=ids, queue__is_active=True
    ).values_list("queue_id", "queue__center_id", "serviceitem_id"):
        queue_center[queue_id] = center_id
        queue_items[queue_id].add(item_id)
    window_queues: dict[int, set[int]] = defaultdict(set)
    for window_id, queue_id in Window.queues.through.objects.filter(window__center_id__in=ids).values_list(
        "window_id", "queue_id"
    ):
        window_queues[window_id].add(queue_id)
    window_items: dict[int, set[int]] = defaultdict(set)
    for window_id, item_id in Window.items.through.objects.filter(window__center_id__in=ids).values_list(
        "window_id", "serviceitem_id"
    ):
        window_items[window_id].add(item_id)
    served: dict[int, set[int]] = defaultdict(set)
    for window_id, queues in window_queues.items():
        for queue_id in queues:
            if queue_id not in queue_center:
                continue
            covered = queue_items[queue_id]
            own = window_items.get(window_id)
            served[queue_center[queue_id]] |= covered & own if own else covered
    return Register(queue_center=queue_center, queue_items=dict(queue_items), served=dict(served))


def last_ticket_day_by_queue(queue_ids: Iterable[int], *, since: date) -> dict[int, date]:
    """The last day since `since` each queue issued a ticket (queues with none are left out)."""
    rows = (
        Ticket.objects.filter(queue_id__in=list(queue_ids), day__gte=since)
        .order_by()
        .values("queue_id")
        .annotate(last=Max("day"))
    )
    return {r["queue_id"]: r["last"] for r in rows}


def windows_kept_open(center_ids: Iterable[int]) -> QuerySet[Window]:
    """Windows of `center_ids` open or paused right now, with their hall and clerk, and
    the time of the last ticket called at each (`last_call_at`, None when never)."""
    return (
        Window.objects.filter(
            center_id__in=list(center_ids), status__in=[Window.Status.OPEN, Window.Status.PAUSED]
        )
        .select_related("center", "clerk")
        .annotate(last_call_at=Max("calls__at"))
        .order_by("center__code", "number")
    )


# --- figures for the district cockpit's rollups (dashboards, issue 16) ---------------------------
# Each reader is one grouped query over a range of days, never a query per row.


def _ticket_wait() -> ExpressionWrapper:
    return ExpressionWrapper(F("called_at") - F("taken_at"), output_field=DurationField())


def ticket_day_counts(*, since: date, until: date) -> list[dict[str, Any]]:
    """Per hall and day of taking: tickets taken, finished (办结) and no-show (过号未到)."""
    return list(
        Ticket.objects.filter(day__gte=since, day__lte=until)
        .order_by()
        .values("center_id", "day")
        .annotate(
            tickets=Count("id"),
            served=Count("id", filter=Q(status=Ticket.Status.DONE)),
            no_show=Count("id", filter=Q(status=Ticket.Status.NO_SHOW)),
        )
    )


def ticket_wait_buckets(*, since: date, until: date, edges_minutes: Sequence[int]) -> list[dict[str, Any]]:
    """Per hall, day, local hour of taking and waiting bucket: tickets and the summed wait.
    A ticket's wait runs from taking to its first call; bucket i holds waits shorter than
    edges_minutes[i] (and not shorter than the edge before), len(edges) the longer ones,
    -1 the tickets never called."""
    whens = [When(wait__lt=timedelta(minutes=edge), then=Value(i)) for i, edge in enumerate(edges_minutes)]
    bucket = Case(
        When(called_at__isnull=True, then=Value(-1)),
        *whens,
        default=Value(len(edges_minutes)),
        output_field=IntegerField(),
    )
    return list(
        Ticket.objects.filter(day__gte=since, day__lte=until)
        .annotate(wait=_ticket_wait())
        .annotate(hour=ExtractHour("taken_at", tzinfo=timezone.get_current_timezone()), bucket=bucket)
        .order_by()
        .values("center_id", "day", "hour", "bucket")
        .annotate(n=Count("id"), wait_sum=Sum("wait"))
    )


def ticket_served_by(*, since: date, until: date) -> list[dict[str, Any]]:
    """Per hall, day, window and clerk who finished them: tickets finished (办结)."""
    return list(
        Ticket.objects.filter(day__gte=since, day__lte=until, status=Ticket.Status.DONE)
        .order_by()
        .values("center_id", "day", "window_id", "finished_by_id")
        .annotate(n=Count("id"))
    )


def halls_now(center_ids: Iterable[int], *, day: date) -> dict[int, dict[str, int]]:
    """Live, per hall: people waiting now and windows open (two grouped queries)."""
    ids = list(center_ids)
    out: dict[int, dict[str, int]] = {cid: {"waiting": 0, "windows_open": 0, "windows": 0} for cid in ids}
    for row in (
        Ticket.objects.filter(center_id__in=ids, day=day, status=Ticket.Status.WAITING)
        .order_by()
        .values("center_id")
        .annotate(n=Count("id"))
    ):
        out[row["center_id"]]["waiting"] = row["n"]
    for row in (
        Window.objects.filter(center_id__in=ids)
        .order_by()
        .values("center_id")
        .annotate(n=Count("id"), open=Count("id", filter=Q(status=Window.Status.OPEN)))
    ):
        out[row["center_id"]]["windows"] = row["n"]
        out[row["center_id"]]["windows_open"] = row["open"]
    return out


def tickets_with_waits(*, center_ids: Iterable[int], since: date, until: date) -> QuerySet[Ticket]:
    """The tickets of some halls taken from `since` to `until`, each with `wait` (taking to
    first call; None while not called), longest wait first."""
    return (
        Ticket.objects.filter(center_id__in=list(center_ids), day__gte=since, day__lte=until)
        .annotate(wait=_ticket_wait())
        .select_related("center", "origin_queue", "window", "finished_by")
        .order_by(F("wait").desc(nulls_last=True), "id")
    )


def window_labels(window_ids: Iterable[int]) -> dict[int, str]:
    """'<hall> <n>号窗口' per window id."""
    return {
        w["id"]: f"{w['center__name']} {w['number']}号窗口"
        for w in Window.objects.filter(id__in=list(window_ids)).values("id", "number", "center__name")
    }


# --- lobby16: what the lobby screens show -----------------------------------------
# Each reader takes many halls at once and runs a fixed number of queries, however
# many halls, queues and windows there are (the district screen asks for all halls).


def _wait_p90(seconds: list[float]) -> float | None:
    """The wait nine in ten people did not exceed (nearest rank, like stats._p90)."""
    if not seconds:
        return None
    ordered = sorted(seconds)
    return ordered[max(0, -(-9 * len(ordered) // 10) - 1)]


def hall_ticket_figures(
    center_ids: Iterable[int], *, day: date, now: datetime, waits: bool = True
) -> dict[int, dict[str, Any]]:
    """Per hall, the tickets of `day`: taken, served (办结), waiting now, the longest
    wait of anyone still waiting (seconds, from taking the number until `now`), and the
    waits of those called so far (mean and p90 seconds, from taking to being called).
    Two queries (one without `waits`: the mean and p90 stay None, and no called
    ticket is read). A hall without tickets is absent (callers default to zero)."""
    ids = list(center_ids)
    out: dict[int, dict[str, Any]] = {}
    rows = (
        Ticket.objects.filter(center_id__in=ids, day=day)
        .order_by()
        .values("center_id")
        .annotate(
            taken=Count("id"),
            served=Count("id", filter=Q(status=Ticket.Status.DONE)),
            waiting=Count("id", filter=Q(status=Ticket.Status.WAITING)),
            oldest=Min("taken_at", filter=Q(status=Ticket.Status.WAITING)),
        )
    )
    for r in rows:
        out[r["center_id"]] = {
            "taken": r["taken"],
            "served": r["served"],
            "waiting": r["waiting"],
            "longest_wait_seconds": max(0.0, (now - r["oldest"]).total_seconds()) if r["oldest"] else None,
            "wait_mean_seconds": None,
            "wait_p90_seconds": None,
        }
    if not waits:
        return out
    seconds_of: dict[int, list[float]] = {}
    for center_id, taken_at, called_at in Ticket.objects.filter(
        center_id__in=ids, day=day, called_at__isnull=False
    ).values_list("center_id", "taken_at", "called_at"):
        if called_at is not None:  # filtered above; says so to the type checker
            seconds_of.setdefault(center_id, []).append(max(0.0, (called_at - taken_at).total_seconds()))
    for center_id, seconds in seconds_of.items():
        if center_id in out:
            out[center_id]["wait_mean_seconds"] = sum(seconds) / len(seconds)
            out[center_id]["wait_p90_seconds"] = _wait_p90(seconds)
    return out


def hall_queue_figures(center_ids: Iterable[int], *, day: date, now: datetime) -> list[dict[str, Any]]:
    """Every active queue of the halls, in board order, with the number waiting in it
    now and the longest wait there (seconds). Two queries."""
    ids = list(center_ids)
    waiting = {
        r["queue_id"]: r
        for r in Ticket.objects.filter(center_id__in=ids, day=day, status=Ticket.Status.WAITING)
        .order_by()
        .values("queue_id")
        .annotate(n=Count("id"), oldest=Min("taken_at"))
    }
    out = []
    for q in Queue.objects.filter(center_id__in=ids, is_active=True).order_by("center_id", "order", "letter"):
        found = waiting.get(q.id)
        out.append(
            {
                "center_id": q.center_id,
                "letter": q.letter,
                "name": q.name,
                "waiting": found["n"] if found else 0,
                "longest_wait_seconds": max(0.0, (now - found["oldest"]).total_seconds()) if found else None,
            }
        )
    return out


def hall_window_figures(center_ids: Iterable[int], *, day: date, clerks: bool = True) -> list[dict[str, Any]]:
    """Every window of the halls by number: its state, the number it is calling or
    serving now (if any) and, with `clerks`, its clerk's display name. Two queries
    (three with `clerks`: the clerks of the windows not closed)."""
    ids = list(center_ids)
    labels = dict(Window.Status.choices)
    windows = list(
        Window.objects.filter(center_id__in=ids)
        .order_by("center_id", "number")
        .values("id", "center_id", "number", "name", "status", "clerk_id")
    )
    serving: dict[int, str] = {}
    for window_id, code in (
        # By hall, day and status (the ticket_hall_day_status index), not by a long list of windows.
        Ticket.objects.filter(
            center_id__in=ids,
            day=day,
            status__in=[Ticket.Status.CALLED, Ticket.Status.SERVING],
            window__isnull=False,
        )
        .order_by("called_at", "id")
        .values_list("window_id", "code")
    ):
        serving[window_id] = code  # the latest call wins
    names: dict[int, str] = {}
    if clerks:
        from govhall.accounts.models import User

        wanted = {w["clerk_id"] for w in windows if w["clerk_id"] and w["status"] != Window.Status.CLOSED}
        names = {u.id: u.display_name for u in User.objects.filter(id__in=wanted)}
    return [
        {
            "center_id": w["center_id"],
            "number": w["number"],
            "name": w["name"],
            "status": w["status"],
            "status_label": labels.get(w["status"], w["status"]),
            "is_open": w["status"] == Window.Status.OPEN,
            "serving": serving.get(w["id"], "") if w["status"] != Window.Status.CLOSED else "",
            "clerk": names.get(w["clerk_id"], "") if w["status"] != Window.Status.CLOSED else "",
        }
        for w in windows
    ]
