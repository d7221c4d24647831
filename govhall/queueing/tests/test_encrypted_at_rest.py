"""Personal data at rest in queueing: an appointment's ID number and phone and a ticket's
reminder phone are ciphertext in the table; one booking per person still holds (by hash)."""

from datetime import time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from govhall.core.errors import DomainError
from govhall.queueing import services

pytestmark = pytest.mark.django_db

ID = "110105194912312113"
PHONE = "13800138000"


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cur.fetchone()[0]


@pytest.fixture
def slot(hall):
    day = timezone.localdate() + timedelta(days=1)
    return services.slot_create(by=None, queue=hall["qa"], day=day, starts=time(9), ends=time(10), capacity=5)


def test_an_appointment_is_ciphertext_at_rest_and_a_second_booking_is_still_refused(hall, slot):
    appt = services.appointment_book(slot=slot, name="张三", id_number=ID, phone=PHONE)
    for column, plain in (("id_number", ID), ("phone", PHONE)):
        stored = raw("queueing_appointment", column, appt.pk)
        assert "$" in stored and plain not in stored
    assert (appt.__class__.objects.get(pk=appt.pk).id_number, appt.phone) == (ID, PHONE)
    other = services.slot_create(
        by=None, queue=hall["qa"], day=slot.date, starts=time(10), ends=time(11), capacity=5
    )
    with pytest.raises(DomainError) as exc:  # the same person again
        services.appointment_book(slot=other, name="张三", id_number=ID, phone="13900139000")
    assert exc.value.code == "duplicate"


def test_a_tickets_reminder_phone_is_ciphertext_at_rest(hall):
    ticket = services.ticket_issue(queue=hall["qa"])
    services.ticket_set_phone(ticket=ticket, phone=PHONE)
    stored = raw("queueing_ticket", "phone", ticket.pk)
    assert "$" in stored and PHONE not in stored
    ticket.refresh_from_db()
    assert ticket.phone == PHONE and ticket.phone_hash
