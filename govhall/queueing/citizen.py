"""What a citizen's pages read of the halls (issue 17): today's state of a
hall in words, the halls one can take a number at or book, and the steps of a
booking (item → day → time). Readers only: the writes stay in services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from govhall.centers.models import Center
from govhall.centers.today import HallToday, hall_today

__all__ = ["HallToday", "hall_today"]  # re-exported for the views

from . import selectors
from .models import AppointmentSlot, Queue


def halls_taking() -> list[Center]:
    """Halls in service with an active queue: where a number can be taken."""
    return list(
        Center.objects.filter(status=Center.Status.ACTIVE, queues__is_active=True)
        .distinct()
        .order_by("kind", "code")
    )


def halls_booking(*, today: date | None = None) -> list[Center]:
    """Halls in service with a slot from today on (full or not; the steps say which)."""
    today = today or timezone.localdate()
    return list(
        Center.objects.filter(
            status=Center.Status.ACTIVE,
            appointment_slots__date__gte=today,
            appointment_slots__queue__is_active=True,
        )
        .distinct()
        .order_by("kind", "code")
    )


def hall_waiting(center: Center) -> list[dict[str, Any]]:
    """Each active queue of the hall with the people waiting today (the board's count)."""
    return selectors.board_state(center, calls=0)["queues"]


@dataclass
class BookingQueue:
    queue: Queue
    items: list[Any] = field(default_factory=list)
    free: int = 0  # places left over the open slots


def booking_queues(center: Center) -> list[BookingQueue]:
    """Step 1: the queues that have open slots, with the items each covers."""
    found: dict[int, BookingQueue] = {}
    for slot in selectors.slots_open(center):
        entry = found.setdefault(slot.queue_id, BookingQueue(slot.queue))
        entry.free += slot.remaining
    queues = Queue.objects.filter(pk__in=list(found), is_active=True).prefetch_related("items")
    for q in queues:
        found[q.pk].items = sorted((i for i in q.items.all() if i.is_active), key=lambda i: i.name)
    return [found[q.pk] for q in sorted(queues, key=lambda q: (q.order, q.letter))]


def booking_days(center: Center, queue: Queue) -> list[dict[str, Any]]:
    """Step 2: the days with open slots of `queue`, with the places left each day."""
    days: dict[date, int] = {}
    for slot in selectors.slots_open(center, queue=queue):
        days[slot.date] = days.get(slot.date, 0) + slot.remaining
    return [{"day": d, "free": n} for d, n in days.items()]


def booking_slots(center: Center, queue: Queue, day: date) -> list[AppointmentSlot]:
    """Step 3: the slots of that day."""
    return selectors.slots_open(center, queue=queue, day=day)


def queues_for_item(center: Center, item: Any) -> list[Queue]:
    return list(Queue.objects.filter(center=center, items=item, is_active=True).order_by("order", "letter"))
