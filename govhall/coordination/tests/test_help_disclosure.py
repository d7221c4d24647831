"""公示公开 (issue 18, part 5): a hall's public disclosure is generated from the records —
its figures equal the records', its chief representatives are the authorised ones."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Q
from django.test import Client

from govhall.cases.models import Case
from govhall.coordination import services as help_services
from govhall.queueing.models import Ticket
from tests.support import PERSON_ID, PHONE

HALL_TZ = ZoneInfo("Asia/Shanghai")
OPEN_TIME = datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(OPEN_TIME, tick=True):
        yield


@pytest.fixture
def records(world, marriage, materials):
    """A month of a hall's life at branch a: tickets, cases taken in and completed, a
    rating, a complaint, help requests; and one of each at branch b that must not count."""
    from govhall.cases import services as cases
    from govhall.centers.models import Center
    from govhall.feedback import services as feedback
    from govhall.queueing import services as queueing

    a, b = Center.objects.get(pk=world["a"].pk), Center.objects.get(pk=world["b"].pk)
    q = queueing.queue_create(by=None, center=a, letter="A", name="婚姻登记")
    for i in range(3):
        queueing.ticket_issue(queue=q, idempotency_key=f"k{i}")
    qb = queueing.queue_create(by=None, center=b, letter="B", name="社保")
    queueing.ticket_issue(queue=qb, idempotency_key="kb")
    made = []
    for _ in range(2):
        case = cases.case_intake_window(
            by=world["clerk_a"],
            center=world["a"],
            item=marriage,
            paper_material_ids=[m.id for m in materials],
            applicant_name="张三",
            applicant_id_number=PERSON_ID,
            contact_phone=PHONE,
        )
        cases.case_accept(by=world["clerk_a"], case=case)
        made.append(case)
    cases.case_start(by=world["clerk_a"], case=made[0])
    cases.case_complete(by=world["clerk_a"], case=made[0], outcome="approved")
    for level in (5, 1):
        step = "accepted" if level == 5 else "completed"
        feedback.rating_submit(
            event=feedback.event_resolve("case", made[0].pk, step),
            channel="qr",
            level=level,
            indicators=["attitude"] if level == 1 else (),
        )
    feedback.complaint_submit(
        by=None, channel="online", center=world["a"], about="hall", text="等候太久", phone=PHONE
    )
    for center in (world["a"], world["a"], world["b"]):
        help_services.help_request_submit(
            by=None,
            center=center,
            kind="help",
            group="elderly",
            channel="kiosk",
            name="王大爷",
            phone=PHONE,
            needs="帮办",
        )
    return made


def _expected(center, first: date, last: date) -> dict:
    """The figures counted straight from the records."""
    from govhall.coordination.models import HelpRequest
    from govhall.feedback.models import Complaint, Rating

    tickets = Ticket.objects.filter(center=center, day__gte=first, day__lte=last)
    in_month = Q(created_at__date__gte=first, created_at__date__lte=last)
    done = [
        c
        for c in Case.objects.filter(center=center, completed_at__isnull=False)
        if first <= c.completed_at.astimezone(HALL_TZ).date() <= last
    ]
    with_deadline = [c for c in done if c.deadline]
    on_time = [c for c in with_deadline if c.completed_at.astimezone(HALL_TZ).date() <= c.deadline]
    ratings = Rating.objects.filter(in_month, center=center)
    good = ratings.filter(level__gte=3).count()
    return {
        "tickets": tickets.count(),
        "tickets_served": tickets.filter(status=Ticket.Status.DONE).count(),
        "cases_accepted": len(
            [
                c
                for c in Case.objects.filter(center=center, accepted_at__isnull=False)
                if first <= c.accepted_at.astimezone(HALL_TZ).date() <= last
            ]
        ),
        "cases_completed": len(done),
        "cases_due": len(with_deadline),
        "cases_on_time": len(on_time),
        "on_time_rate": round(100 * len(on_time) / len(with_deadline), 1) if with_deadline else None,
        "ratings": ratings.count(),
        "satisfaction": round(100 * good / ratings.count(), 1) if ratings.count() else None,
        "complaints": Complaint.objects.filter(in_month, center=center).count(),
        "help_requests": HelpRequest.objects.filter(in_month, center=center).count(),
        "help_done": HelpRequest.objects.filter(in_month, center=center, status="done").count(),
    }


def test_disclosure_figures_equal_the_records(world, records):
    got = Client().get(f"/api/v1/public/centers/{world['a'].code}/disclosure?month=2026-11").json()
    expected = _expected(world["a"], date(2026, 11, 1), date(2026, 11, 30))
    assert got["figures"] == expected
    # and the records are really there: not a comparison of zeros
    assert expected["tickets"] == 3 and expected["cases_accepted"] == 2 and expected["cases_completed"] == 1
    assert expected["ratings"] == 2 and expected["satisfaction"] == 50.0 and expected["complaints"] == 1
    assert expected["help_requests"] == 2


def test_disclosure_page_shows_the_same_figures_printable(world, records):
    expected = _expected(world["a"], date(2026, 11, 1), date(2026, 11, 30))
    page = Client().get(f"/centers/{world['a'].code}/disclosure/").content.decode()
    assert f'<td id="fig-tickets">{expected["tickets"]}</td>' in page
    assert f'<td id="fig-cases-accepted">{expected["cases_accepted"]}</td>' in page
    assert f'<td id="fig-cases-completed">{expected["cases_completed"]}</td>' in page
    assert f"{expected['satisfaction']}%（{expected['ratings']} 次评价）" in page
    assert f'<td id="fig-complaints">{expected["complaints"]} 件</td>' in page
    assert f"{expected['help_requests']} 件（已办结 0 件）" in page
    assert "css/disclosure.css" in page and "data-print" in page
    for mechanism in ("首问负责", "一次性告知", "限时办结", "投诉处理", "AB岗", "帮办代办"):
        assert mechanism in page
    assert "星期一至星期五 09:00-17:00" in page and world["a"].address in page


def test_last_month_counts_nothing_of_this_month(world, records):
    got = Client().get(f"/api/v1/public/centers/{world['a'].code}/disclosure?month=2026-10").json()
    assert got["figures"]["tickets"] == 0 and got["figures"]["help_requests"] == 0
    assert got["month_label"] == "2026 年 10 月"


def test_chief_representatives_are_the_authorised_ones(world):
    from django.utils import timezone

    from govhall.cases import services as cases

    today = timezone.localdate()
    cases.chief_authorization_issue(
        by=world["admin"],
        department=world["dep_a"],
        center=world["a"],
        representative=world["chief_a"],
        document_number="测民授〔2026〕1号",
        title="关于授权首席代表的决定",
        valid_from=today - timedelta(days=1),
        valid_to=today + timedelta(days=365),
        all_items=True,
    )
    d = Client().get(f"/api/v1/public/centers/{world['a'].code}/disclosure").json()
    assert [c["document_number"] for c in d["chief_representatives"]] == ["测民授〔2026〕1号"]
    assert d["chief_representatives"][0]["items"] == "本部门在本中心的全部事项"
    page = Client().get(f"/centers/{world['b'].code}/disclosure/").content.decode()
    assert "测民授" not in page and "没有部门授权的首席代表" in page


def test_bad_month_and_unknown_hall_are_4xx_in_chinese(world):
    c = Client()
    r = c.get(f"/api/v1/public/centers/{world['a'].code}/disclosure?month=2026-13")
    assert r.status_code == 400 and "月份格式" in r.json()["detail"]
    r = c.get(f"/api/v1/public/centers/{world['a'].code}/disclosure?month=2027-01")
    assert r.status_code == 400 and "本月及以前" in r.json()["detail"]
    assert c.get("/api/v1/public/centers/NOPE/disclosure").status_code == 404
    assert c.get("/centers/NOPE/disclosure/").status_code == 404
    assert c.get(f"/centers/{world['a'].code}/disclosure/?month=x").status_code == 400


def test_disclosure_is_linked_from_the_hall_page_and_the_footer(world):
    c = Client()
    hall = c.get(f"/centers/{world['a'].code}/").content.decode()
    assert f"/centers/{world['a'].code}/disclosure/" in hall and f"/help/{world['a'].code}/" in hall
    assert "/disclosure/" in c.get("/").content.decode()
    index = c.get("/disclosure/").content.decode()
    assert f"/centers/{world['a'].code}/disclosure/" in index
