"""How many are ahead of a ticket: the prepared count against the rule it states."""

from datetime import timedelta

from django.utils import timezone

from govhall.queueing import selectors, services
from govhall.queueing.models import Ticket
from govhall.queueing.selectors import ticket_ahead_count


def take(queue, **kw):
    return services.ticket_issue(queue=queue, **kw)


def test_a_normal_ticket_counts_everyone_earlier_and_every_fast_ticket(hall):
    qa = hall["qa"]
    first, second = take(qa), take(qa)
    mine = take(qa)
    later_priority = take(qa, kind="priority", priority_reason="elderly")
    take(qa)  # a later normal ticket is behind me
    take(hall["qb"])  # another queue does not count
    assert ticket_ahead_count(first) == 1  # only the priority ticket goes before the first
    assert ticket_ahead_count(mine) == 3  # first, second, and the later priority ticket
    Ticket.objects.filter(pk=second.pk).update(status=Ticket.Status.CALLED)
    assert ticket_ahead_count(mine) == 2  # a called ticket is no longer waiting
    assert ticket_ahead_count(later_priority) == 0


def test_a_fast_ticket_counts_only_earlier_fast_tickets(hall):
    qa = hall["qa"]
    take(qa)
    p1 = take(qa, kind="priority", priority_reason="disabled")
    take(qa)
    p2 = take(qa, kind="priority", priority_reason="pregnant")
    assert ticket_ahead_count(p1) == 0
    assert ticket_ahead_count(p2) == 1


def test_an_appointment_goes_ahead_only_within_its_slot(hall):
    qa = hall["qa"]
    now = timezone.now()
    walk_in = take(qa)
    booked = take(qa, kind="appointment", ahead_until=now + timedelta(minutes=30))
    assert ticket_ahead_count(booked, now=now) == 0
    assert ticket_ahead_count(walk_in, now=now) == 1
    after_slot = now + timedelta(hours=1)
    assert ticket_ahead_count(walk_in, now=after_slot) == 0
    assert ticket_ahead_count(booked, now=after_slot) == 1  # a plain ticket again, behind the walk-in


def test_tickets_of_another_day_do_not_count(hall):
    qa = hall["qa"]
    old = take(qa)
    Ticket.objects.filter(pk=old.pk).update(day=old.day - timedelta(days=1))
    assert ticket_ahead_count(take(qa)) == 0


def test_a_ticket_not_waiting_has_nobody_ahead(hall):
    qa = hall["qa"]
    take(qa)
    mine = take(qa)
    mine.status = Ticket.Status.CALLED
    assert ticket_ahead_count(mine) == 0


def test_the_count_stops_at_the_limit(hall):
    qa = hall["qa"]
    now, day = timezone.now(), timezone.localdate()
    Ticket.objects.bulk_create(
        [  # transferred in from queue B, all waiting before the next ticket of A
            Ticket(
                center=hall["center"],
                queue=qa,
                origin_queue=hall["qb"],
                day=day,
                number=n,
                code=f"B{n:03d}",
                sort_at=now - timedelta(seconds=5000 - n),
                taken_at=now,
            )
            for n in range(1, selectors.AHEAD_LIMIT + 6)
        ]
    )
    assert ticket_ahead_count(take(qa)) == selectors.AHEAD_LIMIT
