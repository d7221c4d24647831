"""好差评 and 差评整改: one rating per event and channel, refusals, rectification
deadlines in working days, supervision colours, hidden rater, invitations."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import signing
from django.test import Client

from govhall.core.notifications import LogBackend
from govhall.feedback import selectors, services
from govhall.feedback.models import Rating, RatingInvitation, Rectification
from govhall.queueing import services as queueing
from tests.support import PERSON_ID, PHONE

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def qr(ticket) -> str:
    return services.qr_token("ticket", ticket.pk, "served")


def test_one_rating_per_event_and_channel(finish):
    t = finish()
    r = services.rating_by_qr(token=qr(t), level=5)
    assert r.clerk.username.endswith("clerk_a") and r.window_id == t.window_id
    res = client_for().post(f"/api/v1/ratings/qr/{qr(t)}", {"level": 4}, content_type="application/json")
    assert res.status_code == 409 and "重复评价" in res.json()["detail"]
    assert Rating.objects.count() == 1
    # another channel (the pad) may rate the same event once
    pad, raw = services.pad_issue(by=None, window=t.window)
    services.rating_by_pad(raw=raw, level=5)
    assert Rating.objects.count() == 2


def test_event_not_happened_is_refused(world, window):
    queueing.window_open(window=window, by=world["clerk_a"])
    t = queueing.ticket_issue(queue=window.queues.first())
    res = client_for().post(f"/api/v1/ratings/qr/{qr(t)}", {"level": 5}, content_type="application/json")
    assert res.status_code == 409 and "尚未办结" in res.json()["detail"]
    assert Rating.objects.count() == 0


def test_expired_and_forged_qr_refused(finish):
    t = finish()
    token = qr(t)
    with time_machine.travel(date.today() + timedelta(days=30)):
        res = client_for().post(f"/api/v1/ratings/qr/{token}", {"level": 5}, content_type="application/json")
    assert res.status_code == 400 and "过期" in res.json()["detail"]
    res = client_for().post(
        f"/api/v1/ratings/qr/{signing.dumps(['ticket', t.pk, 'served'])}",
        {"level": 5},
        content_type="application/json",
    )
    assert res.status_code == 404
    assert Rating.objects.count() == 0


def test_bad_input_refused_nothing_written(finish):
    t = finish()
    c = client_for()
    for body, _field in (
        ({"level": 9}, "level"),
        ({"level": 2}, "indicators"),
        ({"level": 2, "indicators": ["x"]}, "indicators"),
    ):
        res = c.post(f"/api/v1/ratings/qr/{qr(t)}", body, content_type="application/json")
        assert res.status_code == 400, body
    assert Rating.objects.count() == 0 and Rectification.objects.count() == 0


def test_bad_rating_opens_rectification_with_working_day_deadlines(finish):
    t = finish(phone=PHONE)  # real-name: a phone is known → revisit within 1 working day
    with time_machine.travel("2026-11-27 10:00 +0800"):  # a Friday
        r = services.rating_by_qr(token=qr(t), level=2, indicators=["attitude"], text="态度差")
    rect = r.rectification
    assert rect.center_id == t.center_id
    assert rect.revisit_due == date(2026, 11, 30)  # Monday: the weekend is skipped
    assert rect.fix_due == date(2026, 12, 18)  # 15 working days after Friday 27 November
    assert r.indicator_labels() == ["服务态度"]


def test_anonymous_bad_rating_has_no_revisit(finish):
    t = finish()
    r = services.rating_by_qr(token=qr(t), level=1, indicators=["efficiency"])
    assert r.rectification.revisit_due is None


def test_past_deadline_is_red_and_first_in_supervision(world, finish):
    a = services.rating_by_qr(token=qr(finish(phone=PHONE)), level=2, indicators=["attitude"]).rectification
    b = services.rating_by_qr(token=qr(finish()), level=2, indicators=["attitude"]).rectification
    Rectification.objects.filter(pk=b.pk).update(fix_due=date(2026, 11, 20))
    assert services.rectification_warnings_compute() >= 1
    assert services.rectification_warnings_compute() == 0  # idempotent
    b.refresh_from_db()
    assert b.warning == "red"
    rows = client_for(world["admin"]).get("/api/v1/rectifications").json()
    assert [x["id"] for x in rows][:1] == [b.pk] and a.pk in [x["id"] for x in rows]


def test_manager_flow_closes_on_time_and_figures(world, finish):
    t = finish(phone=PHONE)
    rect = services.rating_by_qr(token=qr(t), level=2, indicators=["attitude"]).rectification
    m = client_for(world["manager_a"])
    res = m.post(
        f"/api/v1/rectifications/{rect.pk}/finding", {"valid": True}, content_type="application/json"
    )
    assert res.status_code == 409 and "先回访" in res.json()["detail"]
    assert (
        m.post(
            f"/api/v1/rectifications/{rect.pk}/revisit", {"note": ""}, content_type="application/json"
        ).status_code
        == 400
    )
    assert (
        m.post(
            f"/api/v1/rectifications/{rect.pk}/revisit",
            {"note": "已电话回访"},
            content_type="application/json",
        ).status_code
        == 200
    )
    assert (
        m.post(
            f"/api/v1/rectifications/{rect.pk}/finding", {"valid": True}, content_type="application/json"
        ).status_code
        == 200
    )
    LogBackend.outbox.clear()
    res = m.post(
        f"/api/v1/rectifications/{rect.pk}/fix",
        {"fix": "批评教育", "answer": "已整改，致歉"},
        content_type="application/json",
    )
    assert res.status_code == 200 and res.json()["on_time"] is True and res.json()["status"] == "closed"
    rect.refresh_from_db()
    assert [h.history_change_reason for h in rect.history.order_by("history_date")] == [
        "差评自动开启整改",
        "回访",
        "核实属实",
        "整改并答复",
    ]
    assert rect.history.latest().history_user == world["manager_a"]
    services.rect_rate_fix(token=qr(t), level=4)
    figures = client_for(world["admin"]).get("/api/v1/rectifications/figures").json()
    assert figures == {"revisit_rate": 100.0, "on_time_rate": 100.0, "satisfaction_after": 100.0}


def test_invalid_finding_goes_to_district_which_may_overturn(world, finish):
    rect = services.rating_by_qr(token=qr(finish()), level=2, indicators=["attitude"]).rectification
    m = client_for(world["manager_a"])
    assert (
        m.post(
            f"/api/v1/rectifications/{rect.pk}/finding", {"valid": False}, content_type="application/json"
        ).status_code
        == 400
    )
    assert (
        m.post(
            f"/api/v1/rectifications/{rect.pk}/finding",
            {"valid": False, "reason": "当事人误解"},
            content_type="application/json",
        ).status_code
        == 200
    )
    assert (
        m.post(
            f"/api/v1/rectifications/{rect.pk}/review", {"overturn": True}, content_type="application/json"
        ).status_code
        == 403
    )
    res = client_for(world["admin"]).post(
        f"/api/v1/rectifications/{rect.pk}/review", {"overturn": True}, content_type="application/json"
    )
    assert res.status_code == 200 and res.json()["status"] == "fixing"


def test_scope_other_hall_and_clerk_refused(world, finish):
    rect = services.rating_by_qr(token=qr(finish()), level=2, indicators=["attitude"]).rectification
    other = client_for(world["manager_b"])
    assert rect.pk not in [x["id"] for x in other.get("/api/v1/rectifications").json()]
    res = other.post(
        f"/api/v1/rectifications/{rect.pk}/revisit", {"note": "x"}, content_type="application/json"
    )
    assert res.status_code == 404
    assert client_for(world["clerk_a"]).get("/api/v1/rectifications").status_code == 403
    assert client_for(world["clerk_a"]).post(
        f"/api/v1/rectifications/{rect.pk}/revisit", {"note": "x"}, content_type="application/json"
    ).status_code in (403, 404)
    rect.refresh_from_db()
    assert rect.revisited_at is None


def test_rated_clerk_never_sees_rater(world, finish):
    from tests.support import make_user

    citizen = make_user("rater_citizen", full_name="李四", phone=PHONE)
    t = finish(phone=PHONE)
    services.rating_by_qr(token=qr(t), level=2, indicators=["attitude"], text="太慢", rater=citizen)
    import json

    body = json.dumps(client_for(world["clerk_a"]).get("/api/v1/ratings/mine").json(), ensure_ascii=False)
    assert "太慢" in body and "服务态度" in body
    assert "李四" not in body and PHONE not in body and PHONE[-4:] not in body and "rater" not in body
    staff = client_for(world["manager_a"]).get("/api/v1/ratings").content.decode()
    assert PHONE not in staff  # masked for the manager too


def test_pad_issue_refused_to_clerk_and_revoked_token(world, window):
    res = client_for(world["clerk_a"]).post(
        "/api/v1/pads", {"window": window.pk}, content_type="application/json"
    )
    assert res.status_code == 403
    res = client_for(world["manager_a"]).post(
        "/api/v1/pads", {"window": window.pk}, content_type="application/json"
    )
    assert res.status_code == 201
    raw = res.json()["token"]
    res = Client().post(
        "/api/v1/pads/rate", {"level": 5}, content_type="application/json", HTTP_X_PAD_TOKEN=raw
    )
    assert res.status_code == 409  # nothing served yet
    res = Client().post(
        "/api/v1/pads/rate", {"level": 5}, content_type="application/json", HTTP_X_PAD_TOKEN="nope"
    )
    assert res.status_code == 404


def test_invitation_job_twice_sends_one_sms(intake_completed):
    LogBackend.outbox.clear()
    assert services.invitations_send() == 1
    assert services.invitations_send() == 0
    assert len([m for m in LogBackend.outbox if "好差评" in m[1]]) == 1
    assert RatingInvitation.objects.count() == 1


def test_rated_case_gets_no_invitation(intake_completed):
    services.rating_submit(
        event=services.event_resolve("case", intake_completed.pk, "completed"), channel="qr", level=5
    )
    assert services.invitations_send() == 0


@pytest.fixture
def intake_completed(world, marriage, materials):
    from django.utils import timezone

    from govhall.cases import services as cases
    from govhall.cases.models import Case

    case = cases.case_intake_window(
        by=world["clerk_a"],
        center=world["a"],
        item=marriage,
        paper_material_ids=[m.id for m in materials],
        applicant_name="张三",
        applicant_id_number=PERSON_ID,
        contact_phone=PHONE,
    )
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.COMPLETED, completed_at=timezone.now() - timedelta(days=4)
    )
    case.refresh_from_db()
    return case


def test_assessment_shows_ratings_line(world, finish):
    from govhall.staffing.extensions import assessment_sources

    services.rating_by_qr(token=qr(finish()), level=5)
    services.rating_by_qr(token=qr(finish()), level=2, indicators=["attitude"])
    got = selectors.ratings_measure(
        user=world["clerk_a"], center=world["a"], start=date(2026, 11, 1), end=date(2026, 11, 30)
    )
    (m,) = got.values()
    assert "满意率 50.0%" in m.value and m.score == 50.0 - 10  # one bad rating not (yet) rectified
    assert selectors.ratings_measure in [fn for _, fn in assessment_sources.registered()]


def test_pad_rates_last_finished_ticket_once_and_bad_opens_rectification(world, window, finish):
    """The pad's press (one query for the pad and its ticket, see bench/ratings.py): it rates the
    window's last finished ticket, copies its hall, window and clerk, refuses a second press,
    and a bad rating opens a rectification with working-day deadlines."""
    _, raw = services.pad_issue(by=world["manager_a"], window=window)
    finish()
    second = finish()
    pad = {"content_type": "application/json", "HTTP_X_PAD_TOKEN": raw}
    res = Client().post("/api/v1/pads/rate", {"level": 1, "indicators": ["attitude"]}, **pad)
    assert res.status_code == 201, res.content
    assert res.json()["bad"] is True and res.json()["rectification"] is not None
    rating = Rating.objects.get(pk=res.json()["id"])
    assert (rating.ticket_id, rating.channel) == (second.pk, "pad")
    assert (rating.center_id, rating.window_id, rating.clerk_id) == (
        window.center_id,
        window.pk,
        world["clerk_a"].pk,
    )
    rect = Rectification.objects.get(rating=rating)
    assert rect.center_id == window.center_id and rect.fix_due > date.today() - timedelta(days=1)
    assert rating.history.count() == 1
    res = Client().post("/api/v1/pads/rate", {"level": 5}, **pad)
    assert res.status_code == 409  # the last ticket is rated; the earlier one is not asked about
    assert Rating.objects.count() == 1
    third = finish()
    res = Client().post("/api/v1/pads/rate", {"level": 5}, **pad)
    assert res.status_code == 201 and res.json()["rectification"] is None
    assert Rating.objects.get(pk=res.json()["id"]).ticket_id == third.pk
