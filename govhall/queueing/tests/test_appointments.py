from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from govhall.core.errors import DomainError, WrongState
from govhall.queueing import services
from govhall.queueing.models import Appointment, AppointmentSlot, Ticket

pytestmark = pytest.mark.django_db

IDS = ["110105194912312113", "110101199003072113", "110105198001011174"]


def at(day, hh, mm=0):
    return timezone.make_aware(datetime.combine(day, time(hh, mm)))


@pytest.fixture
def slot(hall):
    day = timezone.localdate() + timedelta(days=1)
    return services.slot_create(by=None, queue=hall["qa"], day=day, starts=time(9), ends=time(10), capacity=2)


def book(slot, i=0, **kw):
    return services.appointment_book(slot=slot, name=f"张{i}", id_number=IDS[i], phone="13800138000", **kw)


def test_booking_beyond_capacity_is_refused(slot):
    book(slot, 0)
    book(slot, 1)
    with pytest.raises(DomainError) as exc:
        book(slot, 2)
    assert exc.value.code == "full" and exc.value.field == "slot"
    slot.refresh_from_db()
    assert slot.booked == 2
    assert Appointment.objects.count() == 2


def test_one_booking_per_person_per_queue_per_day(hall, slot):
    book(slot, 0)
    other = services.slot_create(
        by=None, queue=hall["qa"], day=slot.date, starts=time(10), ends=time(11), capacity=5
    )
    with pytest.raises(DomainError) as exc:
        book(other, 0)
    assert exc.value.code == "duplicate"
    other.refresh_from_db()
    assert other.booked == 0


def test_booking_beyond_the_horizon_is_refused(hall):
    far = services.slot_create(
        by=None,
        queue=hall["qa"],
        day=timezone.localdate() + timedelta(days=31),
        starts=time(9),
        ends=time(10),
        capacity=5,
    )
    with pytest.raises(DomainError) as exc:
        book(far, 0)
    assert exc.value.field == "slot"
    services.hall_rules_set(by=None, center=hall["center"], booking_horizon_days=60)
    far.center.refresh_from_db()
    assert book(far, 0).status == Appointment.Status.BOOKED


def test_bad_id_number_is_refused(slot):
    with pytest.raises(DomainError) as exc:
        services.appointment_book(slot=slot, name="张三", id_number="110101199003072114", phone="13800138000")
    assert exc.value.field == "id_number"
    slot.refresh_from_db()
    assert slot.booked == 0


def test_cancel_frees_the_seat_and_allows_booking_again(slot):
    a = book(slot, 0)
    services.appointment_cancel(appointment=a)
    slot.refresh_from_db()
    assert slot.booked == 0
    assert book(slot, 0).status == Appointment.Status.BOOKED


def test_check_in_gives_a_ticket_ahead_of_walk_ins_within_the_slot(hall, slot, open_w1):
    a = book(slot, 0)
    day = slot.date
    walk_in = services.ticket_issue(queue=hall["qa"])
    Ticket.objects.filter(pk=walk_in.pk).update(day=day, sort_at=at(day, 8))
    ticket = services.appointment_check_in(appointment=a, now=at(day, 9, 5))
    Ticket.objects.filter(pk=ticket.pk).update(day=day)
    assert ticket.kind == Ticket.Kind.APPOINTMENT and ticket.ahead_until == at(day, 10)
    a.refresh_from_db()
    assert a.status == Appointment.Status.CHECKED_IN and a.ticket_id == ticket.pk
    assert (
        services.appointment_check_in(appointment=a, now=at(day, 9, 6)).pk == ticket.pk
    )  # twice: same ticket
    import time_machine

    with time_machine.travel(at(day, 9, 10), tick=False):
        called = services.ticket_call_next(window=open_w1, by=hall["clerk_a"])
    assert called.pk == ticket.pk


def test_check_in_after_the_slot_is_refused(slot):
    a = book(slot, 0)
    with pytest.raises(WrongState):
        services.appointment_check_in(appointment=a, now=at(slot.date, 10, 1))
    a.refresh_from_db()
    assert a.status == Appointment.Status.BOOKED and a.ticket_id is None


def test_no_show_recorded_after_the_slot(slot):
    a = book(slot, 0)
    assert services.appointments_mark_no_show(now=at(slot.date, 9, 30)) == 0
    assert services.appointments_mark_no_show(now=at(slot.date, 10, 1)) == 1
    a.refresh_from_db()
    assert a.status == Appointment.Status.NO_SHOW


def test_reminder_sent_once_the_day_before(slot):
    from govhall.core.notifications import LogBackend

    LogBackend.outbox.clear()
    book(slot, 0)
    assert services.appointments_remind(day=slot.date) == 1
    assert services.appointments_remind(day=slot.date) == 0
    assert "请按时到大厅签到" in LogBackend.outbox[-1][1]


def test_full_slot_refused_on_the_page(client, slot):
    book(slot, 0)
    book(slot, 1)
    r = client.post(
        f"/appointments/{slot.center.code}/",
        {"slot": slot.pk, "name": "李四", "id_number": IDS[2], "phone": "13800138000"},
    )
    assert r.status_code == 400
    assert "已约满" in r.content.decode()
    assert AppointmentSlot.objects.get(pk=slot.pk).booked == 2
