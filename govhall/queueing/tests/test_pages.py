import pytest
from django.urls import reverse

from govhall.queueing import services
from govhall.queueing.models import Ticket, Window

pytestmark = pytest.mark.django_db


@pytest.fixture
def slot(hall):
    """Three places at 9:00–10:00 the day after tomorrow in queue A."""
    from datetime import time, timedelta

    from django.utils import timezone

    return services.slot_create(
        by=None,
        queue=hall["qa"],
        day=timezone.localdate() + timedelta(days=2),
        starts=time(9),
        ends=time(10),
        capacity=3,
    )


def test_kiosk_gives_a_ticket_and_a_double_tap_the_same_one(client, hall):
    url = reverse("queueing:kiosk", args=[hall["center"].code])
    page = client.get(url)
    assert page.status_code == 200
    assert "婚姻登记 取号" in page.content.decode()
    assert b"large-type" in page.content  # kiosk defaults to large type
    data = {"queue": hall["qa"].pk, "idempotency_key": "k1"}
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == 302 and first["Location"] == second["Location"]
    assert Ticket.objects.count() == 1
    ticket_page = client.get(first["Location"])
    assert "A001" in ticket_page.content.decode()


def test_kiosk_priority_button_takes_a_priority_ticket(client, hall):
    client.post(
        reverse("queueing:kiosk", args=[hall["center"].code]),
        {"queue": hall["qa"].pk, "priority_reason": "elderly", "idempotency_key": "k2"},
    )
    t = Ticket.objects.get()
    assert t.kind == "priority" and t.priority_reason == "elderly"


def test_kiosk_without_a_queue_shows_the_error_and_takes_nothing(client, hall):
    r = client.post(
        reverse("queueing:kiosk", args=[hall["center"].code]), {"queue": "", "idempotency_key": "k3"}
    )
    assert r.status_code == 400
    assert "请选择要办理的业务" in r.content.decode()
    assert not Ticket.objects.exists()


def test_phone_page_shows_position(client, hall):
    for _ in range(3):
        services.ticket_issue(queue=hall["qa"])
    t = Ticket.objects.get(code="A003")
    r = client.get(reverse("queueing:ticket_status", args=[t.token]))
    assert 'id="ahead-count">2<' in r.content.decode()


def test_qr_is_svg(client, hall):
    r = client.get(reverse("queueing:hall_qr", args=[hall["center"].code]))
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"


def test_board_page_and_partial(client, hall):
    assert client.get(reverse("queueing:board", args=[hall["center"].code])).status_code == 200
    assert client.get(reverse("queueing:board_live", args=[hall["center"].code])).status_code == 200
    assert client.get(reverse("queueing:board", args=["NOPE"])).status_code == 404


def test_console_open_call_finish(client, hall):
    client.force_login(hall["clerk_a"])
    services.ticket_issue(queue=hall["qa"])
    assert client.get(reverse("queueing:console")).status_code == 200
    w = hall["w1"]
    client.post(reverse("queueing:window_action", args=[w.pk, "open"]))
    client.post(reverse("queueing:window_action", args=[w.pk, "call"]))
    page = client.get(reverse("queueing:console")).content.decode()
    assert 'id="current-ticket">A001<' in page
    client.post(reverse("queueing:window_action", args=[w.pk, "finish"]))
    assert Ticket.objects.get().status == "done"


def test_console_refusal_is_403_with_the_reason(client, hall):
    client.force_login(hall["manager_a"])
    r = client.post(reverse("queueing:window_action", args=[hall["w1"].pk, "open"]))
    assert r.status_code == 403
    assert "不能操作此窗口" in r.content.decode()
    hall["w1"].refresh_from_db()
    assert hall["w1"].status == Window.Status.CLOSED


def test_console_wrong_state_shows_the_message_on_the_console_with_409(client, hall):
    client.force_login(hall["clerk_a"])
    r = client.post(reverse("queueing:window_action", args=[hall["w1"].pk, "call"]))
    assert r.status_code == 409
    html = r.content.decode()
    assert 'id="console-error"' in html and "未开放" in html
    assert not Ticket.objects.exists()


def test_stats_page_and_excel(client, hall, open_w1):
    services.ticket_issue(queue=hall["qa"])
    services.ticket_call_next(window=open_w1, by=hall["clerk_a"])
    services.ticket_finish(window=open_w1, by=hall["clerk_a"])
    client.force_login(hall["manager_a"])
    r = client.get(reverse("queueing:stats"), {"group": "window"})
    assert r.status_code == 200 and "1号窗口" in r.content.decode()
    x = client.get(reverse("queueing:stats"), {"format": "xlsx"})
    assert x["Content-Type"].startswith("application/vnd.openxmlformats")
    bad = client.get(reverse("queueing:stats"), {"since": "2026-13-01"})
    assert bad.status_code == 400


def test_console_shows_current_ticket_actions_and_transfer(client, hall, open_w1):
    services.ticket_issue(queue=hall["qa"])
    services.ticket_call_next(window=open_w1, by=hall["clerk_a"])
    client.force_login(hall["clerk_a"])
    page = client.get(reverse("queueing:console")).content.decode()
    for label in ("开始办理", "重呼", "过号", "办结", "转往队列", "data-confirm"):
        assert label in page
    r = client.post(
        reverse("queueing:window_action", args=[open_w1.pk, "transfer"]), {"to_queue": hall["qb"].pk}
    )
    assert r.status_code == 302
    assert Ticket.objects.get().queue == hall["qb"]


def test_transfer_without_a_target_shows_the_error(client, hall, open_w1):
    services.ticket_issue(queue=hall["qa"])
    services.ticket_call_next(window=open_w1, by=hall["clerk_a"])
    client.force_login(hall["clerk_a"])
    r = client.post(reverse("queueing:window_action", args=[open_w1.pk, "transfer"]), {})
    assert r.status_code == 400 and "请选择要转往的队列或窗口" in r.content.decode()
    assert Ticket.objects.get().status == "called"


def test_paused_console_offers_resume(client, hall, open_w1):
    services.window_pause(window=open_w1, by=hall["clerk_a"], reason="午休")
    client.force_login(hall["clerk_a"])
    assert "恢复服务" in client.get(reverse("queueing:console")).content.decode()


def test_booking_page_and_appointment_page(client, hall, slot):
    url = reverse("queueing:appointment_book", args=[hall["center"].code])
    assert "余 3" in client.get(url).content.decode()
    bad = client.post(url, {"slot": slot.pk, "name": "王五", "id_number": "123", "phone": "13800138000"})
    assert bad.status_code == 400 and 'id="ap-id-error"' in bad.content.decode()
    ok = client.post(
        url, {"slot": slot.pk, "name": "王五", "id_number": "110105194912312113", "phone": "13800138000"}
    )
    assert ok.status_code == 302
    page = client.get(ok["Location"]).content.decode()
    assert "已预约" in page and "取消预约" in page
    cancel = client.post(ok["Location"] + "cancel/")
    assert cancel.status_code == 302
    assert "已取消" in client.get(ok["Location"]).content.decode()


def test_phone_sms_registration_rejects_bad_phone(client, hall):
    t = services.ticket_issue(queue=hall["qa"])
    r = client.post(reverse("queueing:ticket_sms", args=[t.token]), {"phone": "123"})
    assert r.status_code == 400 and 'id="sms-phone-error"' in r.content.decode()
    ok = client.post(reverse("queueing:ticket_sms", args=[t.token]), {"phone": "13800138000"})
    assert ok.status_code == 302
    t.refresh_from_db()
    assert t.phone == "13800138000"


def test_clerk_takes_a_priority_ticket_for_someone(client, hall):
    client.force_login(hall["clerk_a"])
    r = client.post(
        reverse("queueing:clerk_issue"),
        {"queue": hall["qa"].pk, "priority_reason": "pregnant", "idempotency_key": "c1"},
    )
    assert r.status_code == 302
    t = Ticket.objects.get()
    assert (t.kind, t.channel, t.taken_by) == ("priority", "clerk", hall["clerk_a"])


def test_clerk_of_another_hall_cannot_take_a_ticket_on_behalf(client, hall):
    client.force_login(hall["clerk_b"])
    r = client.post(reverse("queueing:clerk_issue"), {"queue": hall["qa"].pk, "idempotency_key": "c2"})
    assert r.status_code == 404
    assert not Ticket.objects.exists()


def test_a_name_too_long_is_shown_next_to_its_field_and_nothing_is_booked(client, hall, slot):
    from govhall.queueing.models import Appointment, AppointmentSlot

    url = reverse("queueing:appointment_book", args=[hall["center"].code])
    r = client.post(
        url, {"slot": slot.pk, "name": "王" * 51, "id_number": "110105194912312113", "phone": "13800138000"}
    )
    assert r.status_code == 400 and 'id="ap-name-error"' in r.content.decode()
    assert not Appointment.objects.exists()
    # The seat taken in the same transaction is given back.
    assert AppointmentSlot.objects.get(pk=slot.pk).booked == 0
