"""The lobby screens: a hall's screen (public, and its staff variant) and the
district office's big screen. Their figures equal a raw recount of a generated
day; each door refuses who may not see it; the query count does not grow with
the number of queues and windows."""

import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from govhall.cases import services as case_services
from govhall.cases.models import Case
from govhall.centers.models import Center
from govhall.dashboards.lobby import district_screen, hall_screen, is_busy
from govhall.feedback.models import Rating
from govhall.queueing import services as q
from govhall.queueing.models import Ticket, Window
from tests.support import PERSON_ID, PHONE

pytestmark = pytest.mark.django_db

HALL_TZ = ZoneInfo("Asia/Shanghai")
# Tuesday 24 November 2026 in the hall: inside the test halls' hours (Mon–Fri 09:00–17:00).
DAY_START = datetime(2026, 11, 24, 9, 30, tzinfo=HALL_TZ)


@pytest.fixture(autouse=True)
def _in_process_pubsub(settings):
    settings.GOVHALL_PUBSUB_URL = None


@pytest.fixture
def clock():
    with time_machine.travel(DAY_START, tick=False) as traveller:
        yield traveller


def _issue(queue):
    """Take a number at the test's clock: on PostgreSQL the database stamps taken_at
    with its own now(), which the frozen clock does not reach."""
    ticket = q.ticket_issue(queue=queue)
    Ticket.objects.filter(pk=ticket.pk).update(taken_at=timezone.now(), sort_at=timezone.now())
    return ticket


def _center(world, key):
    return Center.objects.get(pk=world[key].pk)  # the fixture's object predates its activation


@pytest.fixture
def day(world, clock, marriage, materials):
    """A generated morning at branch a: numbers taken yesterday and today (at b too),
    two windows working, one closed; cases taken in, accepted and completed; ratings."""
    a, b = _center(world, "a"), _center(world, "b")
    qa = q.queue_create(by=None, center=a, letter="A", name="婚姻登记")
    qb = q.queue_create(by=None, center=a, letter="B", name="咨询")
    w1 = q.window_create(by=None, center=a, number=1, name="综合窗口", queues=[qa, qb])
    w2 = q.window_create(by=None, center=a, number=2, name="婚姻登记窗口", queues=[qa])
    q.window_create(by=None, center=a, number=3, name="备用窗口", queues=[qb])
    qb_b = q.queue_create(by=None, center=b, letter="A", name="社保")
    q.window_create(by=None, center=b, number=1, name="社保窗口", queues=[qb_b])

    # Yesterday's leftovers never count today.
    clock.move_to(DAY_START - timedelta(days=1))
    for _ in range(2):
        _issue(qa)
    clock.move_to(DAY_START)
    for i in range(9):
        _issue(qa if i % 3 else qb)
        clock.shift(timedelta(minutes=1))
    for _ in range(4):
        _issue(qb_b)  # another hall's numbers
    q.window_open(window=w1, by=world["clerk_a"])
    q.window_open(window=w2, by=world["chief_a"])
    clock.shift(timedelta(minutes=5))
    q.ticket_call_next(window=w1, by=world["clerk_a"])
    clock.shift(timedelta(minutes=4))
    q.ticket_finish(window=w1, by=world["clerk_a"])
    q.ticket_call_next(window=w2, by=world["chief_a"])
    clock.shift(timedelta(minutes=3))
    q.ticket_no_show(window=w2, by=world["chief_a"])
    q.ticket_call_next(window=w2, by=world["chief_a"])
    q.ticket_call_next(window=w1, by=world["clerk_a"])
    clock.shift(timedelta(minutes=6))
    q.ticket_finish(window=w1, by=world["clerk_a"])
    q.ticket_call_next(window=w1, by=world["clerk_a"])
    clock.shift(timedelta(minutes=1))  # the longest wait stays under half an hour: a is not busy

    def intake():
        return case_services.case_intake_window(
            by=world["clerk_a"],
            center=a,
            item=marriage,
            paper_material_ids=[m.id for m in materials],
            applicant_name="张三",
            applicant_id_number=PERSON_ID,
            contact_phone=PHONE,
        )

    accepted = [intake(), intake(), intake()]
    intake()  # taken in, not accepted
    for case in accepted:
        case_services.case_accept(by=world["clerk_a"], case=case)
    case_services.case_start(by=world["clerk_a"], case=accepted[0])
    case_services.case_complete(by=world["clerk_a"], case=accepted[0], outcome="approved")
    # One accepted case is long overdue (its deadline moved into the past for the test).
    Case.objects.filter(pk=accepted[1].pk).update(deadline=timezone.localdate() - timedelta(days=3))

    for level in (5, 5, 4, 1):
        Rating.objects.create(event_kind="ticket", step="served", channel="pad", level=level, center=a)
    old = Rating.objects.create(event_kind="ticket", step="served", channel="pad", level=1, center=a)
    Rating.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    return {**world, "a": a, "b": b, "w1": w1, "w2": w2}


def _raw_hall(center):
    """The same figures recounted from the raw rows, independently of the readers."""
    now = timezone.now()
    today = timezone.localdate()
    tickets = Ticket.objects.filter(center=center, day=today)
    waiting = tickets.filter(status=Ticket.Status.WAITING)
    waits = sorted((t.called_at - t.taken_at).total_seconds() for t in tickets.exclude(called_at=None))
    oldest = min(t.taken_at for t in waiting) if waiting else None
    return {
        "tickets_taken": tickets.count(),
        "tickets_served": tickets.filter(status=Ticket.Status.DONE).count(),
        "waiting": waiting.count(),
        "longest_wait_minutes": int((now - oldest).total_seconds() // 60) if oldest else None,
        "wait_mean_minutes": round(sum(waits) / len(waits) / 60) if waits else None,
        "wait_p90_minutes": math.ceil(waits[math.ceil(0.9 * len(waits)) - 1] / 60) if waits else None,
        "windows_open": Window.objects.filter(center=center, status=Window.Status.OPEN).count(),
        "windows_total": Window.objects.filter(center=center).count(),
        "cases_accepted": sum(
            1 for c in Case.objects.filter(center=center) if c.accepted_at and c.accepted_at.date() == today
        ),
        "cases_completed": sum(
            1 for c in Case.objects.filter(center=center) if c.completed_at and c.completed_at.date() == today
        ),
    }


def _message(response) -> str:
    """What the person is told: the API's detail, or the page's text."""
    if response["Content-Type"].startswith("application/json"):
        return response.json()["detail"]
    return response.content.decode()


# --- figures ---------------------------------------------------------------------


def test_hall_screen_figures_equal_a_raw_recount_of_the_day(day):
    screen = hall_screen(day["a"])
    raw = _raw_hall(day["a"])
    assert {k: screen[k] for k in raw} == raw
    # The generated day really exercises every figure.
    assert raw["tickets_taken"] == 9 and raw["tickets_served"] == 2 and raw["waiting"] == 4
    assert raw["windows_open"] == 2 and raw["windows_total"] == 3
    assert raw["cases_accepted"] == 3 and raw["cases_completed"] == 1
    assert screen["wait_p90_minutes"] is not None and screen["longest_wait_minutes"] > 0


def test_waiting_per_queue_equals_the_waiting_tickets_of_each_queue(day):
    screen = hall_screen(day["a"])
    today = timezone.localdate()
    for row in screen["queues"]:
        assert (
            row["waiting"]
            == Ticket.objects.filter(
                center=day["a"], day=today, status=Ticket.Status.WAITING, queue__letter=row["letter"]
            ).count()
        )
    assert sum(r["waiting"] for r in screen["queues"]) == screen["waiting"]


def test_each_window_shows_the_number_it_is_calling_and_closed_ones_none(day):
    screen = hall_screen(day["a"])
    by_number = {w["number"]: w for w in screen["windows"]}
    for number in (1, 2):
        current = Ticket.objects.get(
            window__center=day["a"], window__number=number, status=Ticket.Status.CALLED
        )
        assert by_number[number]["serving"] == current.code
    assert by_number[3]["serving"] == "" and by_number[3]["status"] == "closed"


def test_satisfaction_is_this_months_share_of_ratings_not_bad(day):
    screen = hall_screen(day["a"])
    assert screen["satisfaction_count"] == 4  # last month's bad rating is not this month's
    assert screen["satisfaction_rate"] == 75.0


def test_public_screen_has_no_names_and_no_overdue_the_staff_variant_has_both(day, client):
    clerk = day["clerk_a"].display_name
    public = client.get(f"/lobby/{day['a'].code}/").content.decode()
    assert "大厅实况" in public and "九成群众等候不超过" in public
    assert clerk not in public and "逾期" not in public
    api = client.get(f"/api/v1/lobby/centers/{day['a'].code}").json()
    assert "cases_overdue" not in api and all("clerk" not in w for w in api["windows"])

    client.force_login(day["manager_a"])
    staff = client.get(f"/staff/lobby/{day['a'].code}/").content.decode()
    assert clerk in staff and "逾期未办结" in staff
    body = client.get(f"/api/v1/lobby/centers/{day['a'].code}/staff").json()
    assert body["cases_overdue"] == 1
    assert {w["number"]: w["clerk"] for w in body["windows"]}[1] == clerk


def test_page_live_part_and_api_show_the_same_figures(day, client):
    api = client.get(f"/api/v1/lobby/centers/{day['a'].code}").json()
    live = client.get(f"/lobby/{day['a'].code}/live/").content.decode()
    assert f'id="kpi-taken">{api["tickets_taken"]}<' in live
    assert f'id="kpi-waiting">{api["waiting"]}<' in live
    assert f'九成群众等候不超过 <span class="kpi-n">{api["wait_p90_minutes"]}</span> 分钟' in live


def test_district_screen_rows_equal_each_halls_raw_recount_and_the_totals_their_sum(day):
    screen = district_screen(day["admin"])
    rows = {r["code"]: r for r in screen["halls"]}
    assert set(rows) == {c.code for c in Center.objects.exclude(status__in=["closed", "merged"])}
    for key in ("a", "b"):
        raw = _raw_hall(day[key])
        row = rows[day[key].code]
        for field in ("waiting", "windows_open", "windows_total", "tickets_served", "longest_wait_minutes"):
            assert row[field] == raw[field], (key, field)
    assert rows[day["b"].code]["waiting"] == 4
    totals = screen["totals"]
    assert totals["waiting"] == sum(r["waiting"] for r in rows.values()) == 8
    assert totals["tickets_served"] == sum(r["tickets_served"] for r in rows.values())


def test_on_time_rate_counts_cases_completed_this_month_by_their_deadline(day):
    late = Case.objects.filter(center=day["a"], status=Case.Status.ACCEPTED).order_by("pk").last()
    case_services.case_start(by=day["clerk_a"], case=late)
    case_services.case_complete(by=day["clerk_a"], case=late, outcome="approved")
    Case.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    row = next(r for r in district_screen(day["admin"])["halls"] if r["code"] == day["a"].code)
    done = Case.objects.filter(center=day["a"], completed_at__isnull=False, deadline__isnull=False)
    assert row["on_time_due"] == done.count() == 2
    assert (
        row["on_time_done"] == sum(1 for c in done if timezone.localdate(c.completed_at) <= c.deadline) == 1
    )
    assert row["on_time_rate"] == 50.0


def test_a_hall_with_people_waiting_and_no_window_open_is_highlighted(day, client):
    client.force_login(day["admin"])
    html = client.get("/staff/lobby/district/live/").content.decode()
    row_b = html.split(f'data-hall="{day["b"].code}"')[1].split("</tr>")[0]
    row_a = html.split(f'data-hall="{day["a"].code}"')[1].split("</tr>")[0]
    assert 'class="hall-busy"' in row_b and "等候较多" in row_b
    assert "hall-busy" not in row_a and "正常" in row_a


@pytest.mark.parametrize(
    ("waiting", "windows_open", "longest", "busy"),
    [
        (0, 0, None, False),
        (1, 0, 0, True),
        (16, 2, 5, False),
        (17, 2, 5, True),
        (3, 2, 29, False),
        (3, 2, 30, True),
    ],
)
def test_busy_when_more_than_eight_wait_per_open_window_none_open_or_half_an_hour(
    waiting, windows_open, longest, busy
):
    assert is_busy(waiting=waiting, windows_open=windows_open, longest_wait_minutes=longest) is busy


# --- scope ------------------------------------------------------------------------


def test_a_branch_manager_cannot_open_another_halls_staff_screen_page_or_api(day, client):
    client.force_login(day["manager_b"])
    code = day["a"].code
    for url in (f"/staff/lobby/{code}/", f"/staff/lobby/{code}/live/", f"/api/v1/lobby/centers/{code}/staff"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "您无权查看" in _message(response)
    assert client.get(f"/staff/lobby/{day['b'].code}/").status_code == 200


def test_only_the_district_office_opens_the_district_screen_page_or_api(day, client):
    for who in ("manager_a", "clerk_a", "leader_a"):
        client.force_login(day[who])
        for url in ("/staff/lobby/district/", "/staff/lobby/district/live/", "/api/v1/lobby/district"):
            response = client.get(url)
            assert response.status_code == 403, (who, url)
            assert "仅供区政务办" in _message(response)
    client.force_login(day["admin"])
    assert client.get("/staff/lobby/district/").status_code == 200
    assert client.get("/api/v1/lobby/district").json()["totals"]["halls"] >= 2


def test_anonymous_sees_the_public_screen_but_not_the_staff_ones(day, client):
    assert client.get(f"/lobby/{day['a'].code}/").status_code == 200
    assert client.get(f"/staff/lobby/{day['a'].code}/").status_code == 302  # to the login page
    assert client.get("/staff/lobby/district/").status_code == 302
    assert client.get("/api/v1/lobby/district").status_code == 401
    assert client.get(f"/api/v1/lobby/centers/{day['a'].code}/staff").status_code == 401


def test_an_unknown_or_closed_hall_is_a_clear_404(world, client):
    Center.objects.filter(pk=world["b"].pk).update(status=Center.Status.CLOSED)
    for code in ("NO-SUCH", world["b"].code):
        page = client.get(f"/lobby/{code}/")
        assert page.status_code == 404 and "没有找到" in page.content.decode()
        api = client.get(f"/api/v1/lobby/centers/{code}")
        assert api.status_code == 404 and "没有找到该大厅" in api.json()["detail"]


# --- reachable by clicking ------------------------------------------------------------


def test_the_workbench_links_to_the_hall_and_district_screens(world, client):
    client.force_login(world["manager_a"])
    assert f'href="/staff/lobby/{world["a"].code}/"' in client.get("/staff/").content.decode()
    client.force_login(world["admin"])
    assert 'href="/staff/lobby/district/"' in client.get("/staff/").content.decode()


def test_the_api_doors_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/lobby/centers/{code}",
        "/api/v1/lobby/centers/{code}/staff",
        "/api/v1/lobby/district",
    } <= set(paths)


# --- no N+1 ---------------------------------------------------------------------------


def _queries(fn):
    fn()  # warm the process caches (roles, halls)
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_queues_windows_or_halls(day):
    a, b = day["a"], day["b"]
    hall_before = _queries(lambda: hall_screen(a, staff=True))
    district_before = _queries(lambda: district_screen(day["admin"]))
    for i, center in enumerate((a, b, a, b)):
        queue = q.queue_create(by=None, center=center, letter=f"{'CDEF'[i]}", name=f"新队列{i}")
        q.window_create(by=None, center=center, number=10 + i, name=f"新窗口{i}", queues=[queue])
        q.ticket_issue(queue=queue)
        q.ticket_issue(queue=queue)
    assert _queries(lambda: hall_screen(a, staff=True)) == hall_before
    assert _queries(lambda: district_screen(day["admin"])) == district_before
