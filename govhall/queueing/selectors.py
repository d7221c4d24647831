"""Readers of queues, windows, tickets, boards and appointments."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from govhall.accounts.selectors import roles_at, visible_center_ids
from govhall.centers.models import Center
from govhall.core.cache import ProcessCache, shared_get, shared_set
from govhall.core.errors import NotFound

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
