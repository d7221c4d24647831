"""Tickets and appointments follow the hall's hours (issue 13): an opening day
(a make-up working day counts), inside the day's periods, before the hall's
cutoff, within a queue's daily cap; outside that the answer says when numbers
are given next — on the kiosk, the phone page, the console and the API.

The test halls open Monday to Friday 09:00–17:00; the default cutoff is 30 minutes."""

from datetime import date, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govhall.centers import services as center_services
from govhall.core.errors import DomainError, WrongState
from govhall.core.models import Counter
from govhall.queueing import services
from govhall.queueing.hours import TicketsClosed
from govhall.queueing.models import Ticket

from .conftest import hall_time

pytestmark = pytest.mark.django_db


def at(*args):
    return time_machine.travel(hall_time(*args), tick=False)


def take_api(client, hall, queue="A"):
    return client.post(
        f"/api/v1/halls/{hall['center'].code}/tickets", {"queue": queue}, content_type="application/json"
    )


# --- the hours of one day -------------------------------------------------------------------


def test_ticket_at_0144_is_refused_with_the_next_opening_on_api_kiosk_phone_and_console(hall, client):
    with at(2026, 11, 24, 1, 44):  # Tuesday night
        r = take_api(Client(), hall)
        assert r.status_code == 409, r.content
        body = r.json()
        assert body["code"] == "hall_not_open"
        assert body["next_open"] == "2026-11-24T09:00:00+08:00"
        assert "下次可取号时间：11月24日（周二）09:00" in body["detail"]

        for name in ("queueing:kiosk", "queueing:phone_take"):
            url = reverse(name, args=[hall["center"].code])
            page = client.get(url).content.decode()
            assert "大厅当前不在取号时间" in page and "11月24日（周二）09:00" in page  # said before a tap
            refused = client.post(url, {"queue": hall["qa"].pk, "idempotency_key": f"k-{name}"})
            assert refused.status_code == 409
            assert "下次可取号时间：11月24日（周二）09:00" in refused.content.decode()

        client.force_login(hall["clerk_a"])
        console = client.post(
            reverse("queueing:clerk_issue"), {"queue": hall["qa"].pk, "idempotency_key": "c"}
        )
        assert console.status_code == 409
        assert "下次可取号时间：11月24日（周二）09:00" in console.content.decode()

        open_now = Client().get(f"/api/v1/halls/{hall['center'].code}/taking").json()
        assert open_now["open"] is False and open_now["periods"] == ["09:00–17:00"]
        assert open_now["cutoff"] == "16:30"
    assert not Ticket.objects.exists()
    assert not Counter.objects.exists()  # no number was used up


def test_tickets_are_given_from_opening_until_the_cutoff(hall):
    with at(2026, 11, 24, 9, 0):
        assert services.ticket_issue(queue=hall["qa"]).code == "A001"
    with at(2026, 11, 24, 16, 29):
        assert services.ticket_issue(queue=hall["qa"]).code == "A002"
    with at(2026, 11, 24, 16, 30), pytest.raises(TicketsClosed) as refused:
        services.ticket_issue(queue=hall["qa"])
    assert refused.value.code == "ticket_cutoff"
    assert refused.value.message == "今日取号已结束（16:30 截止），下次可取号时间：11月25日（周三）09:00。"
    assert refused.value.next_open == hall_time(2026, 11, 25, 9, 0)


def test_after_the_cutoff_on_friday_the_next_opening_is_monday_and_the_hall_sets_its_cutoff(hall):
    services.hall_rules_set(by=hall["manager_a"], center=hall["center"], ticket_cutoff_minutes=60)
    with at(2026, 11, 27, 16, 5), pytest.raises(TicketsClosed) as refused:  # Friday
        services.ticket_issue(queue=hall["qa"], channel=Ticket.Channel.CLERK, by=hall["clerk_a"])
    assert refused.value.message == "今日取号已结束（16:00 截止），下次可取号时间：11月30日（周一）09:00。"
    with at(2026, 11, 27, 15, 59):
        services.ticket_issue(queue=hall["qa"])
    with pytest.raises(DomainError) as bad:
        services.hall_rules_set(by=hall["manager_a"], center=hall["center"], ticket_cutoff_minutes=600)
    assert bad.value.field == "ticket_cutoff_minutes"


def test_a_make_up_working_day_opens_with_mondays_hours(hall):
    with at(2026, 10, 10, 10, 0):  # Saturday, a make-up working day (调休) for 国庆
        assert services.ticket_issue(queue=hall["qa"]).code == "A001"
    with at(2026, 10, 11, 10, 0), pytest.raises(TicketsClosed) as refused:  # an ordinary Sunday
        services.ticket_issue(queue=hall["qa"])
    assert refused.value.code == "hall_closed_today"
    assert refused.value.message == "今日大厅不办公（休息日），下次可取号时间：10月12日（周一）09:00。"


def test_a_statutory_holiday_is_refused_with_the_first_working_day_after_it(hall):
    with at(2026, 10, 1, 10, 0), pytest.raises(TicketsClosed) as refused:  # 国庆
        services.ticket_issue(queue=hall["qa"])
    assert refused.value.code == "hall_closed_today"
    assert "今日大厅不办公（法定节假日）" in refused.value.message
    assert refused.value.next_open == hall_time(2026, 10, 8, 9, 0)
    with at(2026, 10, 1, 10, 0):
        r = take_api(Client(), hall)
    assert r.status_code == 409 and r.json()["next_open"] == "2026-10-08T09:00:00+08:00"


def test_the_halls_own_closure_and_special_hours_win(hall):
    center = hall["center"]
    center_services.center_set_hours_exception(
        by=None, center=center, day=date(2026, 11, 25), note="停电闭厅"
    )
    center_services.center_set_hours_exception(
        by=None, center=center, day=date(2026, 10, 2), is_closed=False, opens=time(9), closes=time(12)
    )
    with at(2026, 11, 25, 10, 0), pytest.raises(TicketsClosed) as refused:
        services.ticket_issue(queue=hall["qa"])
    assert refused.value.message == "今日大厅不办公（停电闭厅），下次可取号时间：11月26日（周四）09:00。"
    with at(2026, 10, 2, 10, 0):  # a holiday the hall opens on
        services.ticket_issue(queue=hall["qa"])
    with at(2026, 10, 2, 11, 45), pytest.raises(TicketsClosed):  # its cutoff: 30 minutes before 12:00
        services.ticket_issue(queue=hall["qa"])


def test_a_year_without_holiday_arrangement_refuses_rather_than_guesses(hall):
    with at(2027, 1, 5, 10, 0):  # a Tuesday of a year the calendar does not know yet
        with pytest.raises(TicketsClosed) as refused:
            services.ticket_issue(queue=hall["qa"])
        r = take_api(Client(), hall)
    assert refused.value.code == "calendar_unknown" and refused.value.next_open is None
    assert "2027 年节假日安排尚未录入" in refused.value.message
    assert r.status_code == 409 and r.json()["next_open"] is None and r.json()["code"] == "calendar_unknown"
    # Before that year, the answer says the next opening cannot be told yet.
    with at(2026, 12, 31, 16, 45), pytest.raises(TicketsClosed) as late:
        services.ticket_issue(queue=hall["qa"])
    assert "下次可取号时间暂无法确定（2027 年节假日安排尚未录入）" in late.value.message


def test_a_repeated_tap_after_the_cutoff_returns_the_ticket_taken_before(hall):
    with at(2026, 11, 24, 16, 0):
        first = services.ticket_issue(queue=hall["qa"], idempotency_key="tap")
    with at(2026, 11, 24, 16, 40):
        assert services.ticket_issue(queue=hall["qa"], idempotency_key="tap").pk == first.pk


def test_the_halls_day_is_read_once_per_process_not_per_ticket(hall):
    services.ticket_issue(queue=hall["qa"])
    with CaptureQueriesContext(connection) as ctx:
        services.ticket_issue(queue=hall["qa"])
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "centers_openinghours" not in sql and "centers_hoursexception" not in sql
    assert "queueing_hallrules" not in sql


# --- 限号 ---------------------------------------------------------------------------------------


def test_daily_cap_refuses_the_next_number_and_uses_none_up(hall, client):
    services.queue_set_daily_cap(by=hall["manager_a"], queue=hall["qa"], daily_cap=2)
    services.ticket_issue(queue=hall["qa"])
    services.ticket_issue(queue=hall["qa"])
    with pytest.raises(TicketsClosed) as refused:
        services.ticket_issue(queue=hall["qa"])
    assert refused.value.code == "daily_cap"
    assert (
        refused.value.message
        == "“婚姻登记”今日号已取完（每日限 2 号），下次可取号时间：11月25日（周三）09:00。"
    )
    r = take_api(client, hall)
    assert r.status_code == 409 and r.json()["code"] == "daily_cap"
    assert r.json()["next_open"] == "2026-11-25T09:00:00+08:00"
    assert services.ticket_issue(queue=hall["qb"]).code == "B001"  # another queue: no cap
    services.queue_set_daily_cap(by=hall["manager_a"], queue=hall["qa"], daily_cap=3)
    assert services.ticket_issue(queue=hall["qa"]).code == "A003"  # the refused ones used no number
    assert hall["qa"].history.first().history_change_reason == "设置每日限号：3"


def test_daily_cap_is_set_by_the_hall_manager_only_and_checked(hall, client):
    url = f"/api/v1/halls/{hall['center'].code}/queues/A/daily-cap"
    client.force_login(hall["clerk_a"])
    assert client.put(url, {"daily_cap": 5}, content_type="application/json").status_code == 403
    client.force_login(hall["manager_b"])
    assert client.put(url, {"daily_cap": 5}, content_type="application/json").status_code == 404
    client.force_login(hall["manager_a"])
    bad = client.put(url, {"daily_cap": 0}, content_type="application/json")
    assert bad.status_code == 400 and "每日限号" in bad.json()["detail"]
    assert client.put(url, {"daily_cap": 5}, content_type="application/json").status_code == 200
    hall["qa"].refresh_from_db()
    assert hall["qa"].daily_cap == 5
    rules = client.put(
        f"/api/v1/halls/{hall['center'].code}/queue-rules",
        {"ticket_cutoff_minutes": 45, "no_show_requeue_after": 2},
        content_type="application/json",
    )
    assert rules.status_code == 200 and rules.json()["ticket_cutoff_minutes"] == 45
    assert (
        client.put(
            f"/api/v1/halls/{hall['center'].code}/queue-rules",
            {"ticket_cutoff_minutes": -1},
            content_type="application/json",
        ).status_code
        == 422
    )


# --- appointments ------------------------------------------------------------------------------


def test_no_slot_on_a_closed_day_or_outside_hours(hall):
    with pytest.raises(DomainError) as holiday:
        services.slot_create(
            by=None, queue=hall["qa"], day=date(2026, 12, 5), starts=time(9), ends=time(10), capacity=2
        )  # a Saturday
    assert "12月5日（周六）大厅不办公（休息日）" in holiday.value.message
    with pytest.raises(DomainError) as late:
        services.slot_create(
            by=None,
            queue=hall["qa"],
            day=date(2026, 11, 26),
            starts=time(16, 30),
            ends=time(17, 30),
            capacity=2,
        )
    assert "不在大厅11月26日（周四）的办公时间内（09:00–17:00）" in late.value.message


def test_a_slot_on_a_day_the_hall_then_closes_is_not_offered_and_refused_by_api(hall):
    slot = services.slot_create(
        by=None, queue=hall["qa"], day=date(2026, 11, 26), starts=time(9), ends=time(10), capacity=2
    )
    client = Client()
    url = f"/api/v1/halls/{hall['center'].code}/slots"
    assert [s["id"] for s in client.get(url).json()] == [slot.pk]
    center_services.center_set_hours_exception(by=None, center=hall["center"], day=slot.date, note="停电闭厅")
    assert client.get(url).json() == []
    page = client.get(reverse("queueing:appointment_book", args=[hall["center"].code])).content.decode()
    assert f'value="{slot.pk}"' not in page
    r = client.post(
        "/api/v1/appointments",
        {"slot": slot.pk, "name": "张三", "id_number": "11010519491231002X", "phone": "13800138000"},
        content_type="application/json",
    )
    assert r.status_code == 400, r.content
    assert (
        r.json()["code"] == "hall_closed" and "11月26日（周四）大厅不办公（停电闭厅）" in r.json()["detail"]
    )
    slot.refresh_from_db()
    assert slot.booked == 0


def test_appointment_check_in_needs_the_hall_open_but_not_before_the_cutoff(hall):
    slot = services.slot_create(
        by=None, queue=hall["qa"], day=date(2026, 11, 24), starts=time(16), ends=time(17), capacity=2
    )
    with at(2026, 11, 24, 8, 0):
        a = services.appointment_book(
            slot=slot, name="张三", id_number="11010519491231002X", phone="13800138000"
        )
    with at(2026, 11, 24, 16, 40):  # after the walk-in cutoff: the booked slot still checks in
        assert services.appointment_check_in(appointment=a).kind == Ticket.Kind.APPOINTMENT


# --- 过号重排 -------------------------------------------------------------------------------------


def _no_show_first(hall, open_w1, n=6):
    tickets = [services.ticket_issue(queue=hall["qa"]) for _ in range(n)]
    assert services.ticket_call_next(window=open_w1, by=hall["clerk_a"]).pk == tickets[0].pk
    services.ticket_no_show(window=open_w1, by=hall["clerk_a"])
    return tickets


def _calls(hall, window, n):
    out = []
    for _ in range(n):
        t = services.ticket_call_next(window=window, by=hall["clerk_a"])
        out.append(t.code)
        services.ticket_finish(window=window, by=hall["clerk_a"])
    return out


def test_a_no_show_requeued_goes_after_the_next_three_not_to_the_front(hall, open_w1):
    _no_show_first(hall, open_w1)
    first = Ticket.objects.get(code="A001")
    again = services.ticket_requeue(ticket=first, by=hall["clerk_a"])
    assert again.status == Ticket.Status.WAITING and again.requeued_at is not None
    assert _calls(hall, open_w1, 5) == ["A002", "A003", "A004", "A001", "A005"]
    reasons = [h.history_change_reason for h in first.history.all()]
    assert "过号重排（排在3位等候者之后）" in reasons
    assert first.history.first().history_user == hall["clerk_a"] or any(
        h.history_user == hall["clerk_a"]
        for h in first.history.all()
        if h.history_change_reason.startswith("过号重排")
    )


def test_a_second_requeue_and_a_next_day_requeue_are_refused(hall, open_w1):
    _no_show_first(hall, open_w1, n=2)
    first = Ticket.objects.get(code="A001")
    services.ticket_requeue(ticket=first)  # by its holder
    services.ticket_call_next(window=open_w1, by=hall["clerk_a"])  # A002
    services.ticket_finish(window=open_w1, by=hall["clerk_a"])
    assert services.ticket_call_next(window=open_w1, by=hall["clerk_a"]).code == "A001"
    services.ticket_no_show(window=open_w1, by=hall["clerk_a"])
    with pytest.raises(WrongState) as twice:
        services.ticket_requeue(ticket=first, by=hall["clerk_a"])
    assert twice.value.code == "requeue_once" and "不能再次重排" in twice.value.message

    other = Ticket.objects.get(code="A002")
    Ticket.objects.filter(pk=other.pk).update(status=Ticket.Status.NO_SHOW, day=other.day - timedelta(days=1))
    with pytest.raises(WrongState) as late:
        services.ticket_requeue(ticket=other)
    assert late.value.code == "requeue_expired" and "只限当天" in late.value.message


def test_requeue_by_console_ticket_page_and_api_with_scoping(hall, open_w1, client):
    _no_show_first(hall, open_w1, n=3)
    first = Ticket.objects.get(code="A001")
    # Another hall's clerk: not found on the API.
    api = Client()
    api.force_login(hall["clerk_b"])
    url = f"/api/v1/halls/{hall['center'].code}/no-shows/requeue"
    assert api.post(url, {"code": "A001"}, content_type="application/json").status_code == 404
    # The clerk at the console.
    client.force_login(hall["clerk_a"])
    console = client.get(reverse("queueing:console")).content.decode()
    assert reverse("queueing:clerk_requeue", args=[first.pk]) in console
    assert client.post(reverse("queueing:clerk_requeue", args=[first.pk])).status_code == 302
    first.refresh_from_db()
    assert first.status == Ticket.Status.WAITING
    # Once only: the API says why, and so does the holder's ticket page.
    Ticket.objects.filter(pk=first.pk).update(status=Ticket.Status.NO_SHOW)
    api.force_login(hall["clerk_a"])
    r = api.post(url, {"code": "A001"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "requeue_once"
    page = Client().post(reverse("queueing:ticket_requeue", args=[first.token]))
    assert page.status_code == 409 and "不能再次重排" in page.content.decode()


def test_holder_requeues_from_the_ticket_page_and_the_public_api(hall, open_w1):
    _no_show_first(hall, open_w1, n=2)
    first = Ticket.objects.get(code="A001")
    phone = Client()
    shown = phone.get(reverse("queueing:ticket", args=[first.token])).content.decode()
    assert "重新排队" in shown
    r = phone.post(f"/api/v1/tickets/{first.token}/requeue")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "waiting" and r.json()["ahead"] == 1
    with at(2026, 11, 24, 18, 0):  # after closing: the hall is not calling any more
        Ticket.objects.filter(pk=first.pk).update(status=Ticket.Status.NO_SHOW, requeued_at=None)
        late = phone.post(f"/api/v1/tickets/{first.token}/requeue")
    assert late.status_code == 409 and late.json()["next_open"] == "2026-11-25T09:00:00+08:00"


# --- the demo follows the rule ----------------------------------------------------------------


def test_demo_slots_only_on_opening_days_and_the_bench_halls_open_all_day():
    from govhall.centers.demo import load_demo
    from govhall.queueing.demo import hall_open_all_day, load_demo_queueing
    from govhall.queueing.models import AppointmentSlot, Queue

    with at(2026, 9, 28, 10, 0):  # two weeks across 国庆, with its make-up Saturday 10 October
        load_demo()
        load_demo_queueing()
        days = set(AppointmentSlot.objects.filter(center__code="HC").values_list("date", flat=True))
        assert date(2026, 10, 10) in days and date(2026, 9, 30) in days
        assert not days & {date(2026, 10, d) for d in (1, 2, 3, 4, 5, 6, 7, 11)}
    with at(2026, 11, 24, 1, 44):
        queue = Queue.objects.select_related("center").get(center__code="HC", letter="A")
        with pytest.raises(TicketsClosed):
            services.ticket_issue(queue=queue)
        assert hall_open_all_day(["HC"]) == 1
        assert services.ticket_issue(queue=queue).code == "A001"


def test_the_hall_manager_sets_cutoff_requeue_and_caps_on_a_page(hall, client):
    url = reverse("queueing:hall_rules", args=[hall["center"].code])
    client.force_login(hall["clerk_a"])
    assert client.get(url).status_code == 403
    client.force_login(hall["manager_a"])
    console = client.get(reverse("queueing:console")).content.decode()
    assert url in console
    page = client.get(url).content.decode()
    assert "09:00–17:00" in page and "16:30" in page
    bad = client.post(
        url, {"ticket_cutoff_minutes": "500", "no_show_requeue_after": "3", f"cap-{hall['qa'].pk}": ""}
    )
    assert bad.status_code == 400 and "停止取号时间应在闭厅前 0 到 240 分钟之间" in bad.content.decode()
    ok = client.post(
        url, {"ticket_cutoff_minutes": "45", "no_show_requeue_after": "2", f"cap-{hall['qa'].pk}": "80"}
    )
    assert ok.status_code == 302
    hall["qa"].refresh_from_db()
    assert hall["qa"].daily_cap == 80
    from govhall.queueing.selectors import hall_rules

    rules = hall_rules(hall["center"])
    assert (rules.ticket_cutoff_minutes, rules.no_show_requeue_after) == (45, 2)
