"""Issue 15, the remaining pieces: the district's feedback deadlines, complaints
recorded by staff (window / phone), 办不成事 overdue warnings, the assessment's
ratings and complaints indicators."""

import json
from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from govhall.centers import services as center_services
from govhall.centers.models import Center, District
from govhall.core.calendar import add_working_days
from govhall.core.errors import DomainError, Refused
from govhall.feedback import services

pytestmark = pytest.mark.django_db
API = "/api/v1"
PHONE = "13812345678"
DEADLINES = "/staff/district/feedback-deadlines/"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def put(c, url, data):
    return c.put(API + url, json.dumps(data), content_type="application/json")


def set_days(world, rectify=15, reply=10, unresolved=5):
    return center_services.district_feedback_deadlines_set(
        by=world["admin"],
        district=world["district"],
        rectify_days=rectify,
        complaint_reply_days=reply,
        unresolved_days=unresolved,
    )


# --- 1. the district's feedback deadlines ---------------------------------------------------


def test_new_districts_start_with_the_common_deadlines(world):
    d = District.objects.get(pk=world["district"].pk)
    assert (d.rectify_days, d.complaint_reply_days, d.unresolved_days) == (15, 10, 5)


def test_deadlines_set_by_the_district_office_only_and_recorded(world, other_world):
    for someone in (world["manager_a"], world["clerk_a"], other_world["admin"]):
        with pytest.raises(Refused):
            center_services.district_feedback_deadlines_set(
                by=someone,
                district=world["district"],
                rectify_days=5,
                complaint_reply_days=5,
                unresolved_days=5,
            )
    set_days(world, rectify=5, reply=8, unresolved=3)
    d = District.objects.get(pk=world["district"].pk)
    assert (d.rectify_days, d.complaint_reply_days, d.unresolved_days) == (5, 8, 3)
    last = d.history.latest("history_date")
    assert last.history_user_id == world["admin"].pk
    assert (
        "差评整改时限 15→5" in last.history_change_reason
        and "投诉反馈时限 10→8" in last.history_change_reason
    )


@pytest.mark.parametrize("field", ["rectify_days", "complaint_reply_days", "unresolved_days"])
@pytest.mark.parametrize("value", [0, 61, -3])
def test_deadline_out_of_range_is_refused_and_nothing_changes(world, field, value):
    args = {"rectify_days": 15, "complaint_reply_days": 10, "unresolved_days": 5, field: value}
    with pytest.raises(DomainError) as exc:
        center_services.district_feedback_deadlines_set(by=world["admin"], district=world["district"], **args)
    assert exc.value.field == field and "1 至 60" in exc.value.message
    d = District.objects.get(pk=world["district"].pk)
    assert (d.rectify_days, d.complaint_reply_days, d.unresolved_days) == (15, 10, 5)
    assert d.history.count() == world["district"].history.count()


def test_deadlines_page_from_the_workbench_errors_next_to_the_field(world):
    c = client_for(world["admin"])
    assert f'href="{DEADLINES}"' in c.get("/staff/").content.decode()
    page = c.get(DEADLINES)
    assert page.status_code == 200 and 'value="15"' in page.content.decode()
    bad = c.post(DEADLINES, {"rectify_days": "15", "complaint_reply_days": "0", "unresolved_days": "5"})
    html = bad.content.decode()
    assert bad.status_code == 400 and "投诉反馈时限须为 1 至 60 个工作日" in html
    assert 'aria-invalid="true"' in html
    assert (
        c.post(
            DEADLINES, {"rectify_days": "x", "complaint_reply_days": "1", "unresolved_days": "5"}
        ).status_code
        == 400
    )
    assert District.objects.get(pk=world["district"].pk).complaint_reply_days == 10
    ok = c.post(DEADLINES, {"rectify_days": "12", "complaint_reply_days": "7", "unresolved_days": "4"})
    assert ok.status_code == 302
    d = District.objects.get(pk=world["district"].pk)
    assert (d.rectify_days, d.complaint_reply_days, d.unresolved_days) == (12, 7, 4)


def test_deadlines_page_refused_to_a_hall_manager(world):
    c = client_for(world["manager_a"])
    assert f'href="{DEADLINES}"' not in c.get("/staff/").content.decode()
    assert c.get(DEADLINES).status_code == 403
    r = c.post(DEADLINES, {"rectify_days": "1", "complaint_reply_days": "1", "unresolved_days": "1"})
    assert r.status_code == 403
    assert District.objects.get(pk=world["district"].pk).rectify_days == 15


def test_deadlines_api_get_put_and_refusals(world, other_world):
    c = client_for(world["admin"])
    r = c.get(f"{API}/district/feedback-deadlines")
    assert r.status_code == 200 and r.json() == {
        "district": world["district"].code,
        "rectify_days": 15,
        "complaint_reply_days": 10,
        "unresolved_days": 5,
    }
    r = put(
        c,
        "/district/feedback-deadlines",
        {"rectify_days": 61, "complaint_reply_days": 10, "unresolved_days": 5},
    )
    assert r.status_code == 400 and list(r.json()["errors"]) == ["rectify_days"]
    r = put(c, "/district/feedback-deadlines", {"rectify_days": 5, "complaint_reply_days": 10})
    assert r.status_code == 422
    r = put(
        c,
        "/district/feedback-deadlines",
        {"rectify_days": 5, "complaint_reply_days": 9, "unresolved_days": 2},
    )
    assert r.status_code == 200 and r.json()["rectify_days"] == 5
    m = client_for(world["manager_a"])
    assert m.get(f"{API}/district/feedback-deadlines").status_code == 403
    r = put(
        m,
        "/district/feedback-deadlines",
        {"rectify_days": 1, "complaint_reply_days": 1, "unresolved_days": 1},
    )
    assert r.status_code == 403
    # another district's office changes its own district, never this one
    o = client_for(other_world["admin"])
    r = put(
        o,
        "/district/feedback-deadlines",
        {"rectify_days": 30, "complaint_reply_days": 30, "unresolved_days": 30},
    )
    assert r.status_code == 200 and r.json()["district"] == other_world["district"].code
    d = District.objects.get(pk=world["district"].pk)
    assert (d.rectify_days, d.complaint_reply_days, d.unresolved_days) == (5, 9, 2)
    assert "/api/v1/district/feedback-deadlines" in c.get(f"{API}/openapi.json").json()["paths"]


def test_complaint_and_unresolved_due_dates_follow_the_district(world):
    set_days(world, reply=3, unresolved=2)
    today = timezone.localdate()
    district = world["district"]
    hall = Center.objects.get(pk=world["a"].pk)  # as a request loads it
    c = services.complaint_submit(
        by=None, channel="online", center=hall, about="hall", text="排队太久", phone=PHONE
    )
    assert c.reply_by == add_working_days(today, 3, district=district)
    u = services.unresolved_record(by=world["clerk_a"], center=hall, wanted="办不了", owner_center=hall)
    assert u.due == add_working_days(today, 2, district=district)


def test_bad_rating_fix_due_follows_the_district(world, finish):
    set_days(world, rectify=5)
    t = finish()
    with time_machine.travel("2026-11-27 10:00 +0800"):  # a Friday
        r = services.rating_by_qr(
            token=services.qr_token("ticket", t.pk, "served"), level=2, indicators=["attitude"]
        )
    assert r.rectification.fix_due == date(2026, 12, 4)  # 5 working days after Friday 27 November


# --- 3. 办不成事 overdue ---------------------------------------------------------------------


def _unresolved(world, item=None, wanted="想办的事"):
    return services.unresolved_record(
        by=world["clerk_a"], center=world["a"], wanted=wanted, item=item, owner_department=world["dep_a"]
    )


def test_unresolved_past_due_is_red_after_the_job_and_a_second_run_writes_nothing(world, marriage):
    from govhall.core.extensions import periodic_jobs
    from govhall.feedback.models import Unresolved

    assert services.unresolved_deadlines_run in [fn for _, fn in periodic_jobs.registered()]
    today = timezone.localdate()
    late, near, fine = (_unresolved(world, item=marriage, wanted=w) for w in ("逾期", "临近", "正常"))
    closed = _unresolved(world, item=marriage, wanted="已办结")
    Unresolved.objects.filter(pk__in=[late.pk, closed.pk]).update(due=today - timedelta(days=1))
    Unresolved.objects.filter(pk=near.pk).update(due=today + timedelta(days=1))
    Unresolved.objects.filter(pk=fine.pk).update(due=today + timedelta(days=10))
    services.unresolved_close(by=world["manager_a"], record=closed, status="solved", answer="已办")
    history_before = Unresolved.history.count()
    assert services.unresolved_deadlines_run() == 2
    assert services.unresolved_deadlines_run() == 0
    got = dict(Unresolved.objects.values_list("wanted", "warning"))
    assert got == {"逾期": "red", "临近": "yellow", "正常": "", "已办结": ""}
    assert Unresolved.history.count() == history_before  # the colour is the system's, not a person's change
    # red on the list, first among the open ones
    page = client_for(world["manager_a"]).get("/staff/unresolved/").content.decode()
    assert 'class="badge badge-warn-red">红牌（已超期）' in page
    assert page.index("逾期") < page.index("临近") < page.index("正常")
    r = client_for(world["manager_a"]).get(f"{API}/unresolved")
    assert r.json()["items"][0]["wanted"] == "逾期" and r.json()["items"][0]["warning"] == "red"
    # counted in the by-item view, page and API
    by_item = client_for(world["admin"])
    assert by_item.get(f"{API}/unresolved/by-item").json()[0]["overdue"] == 1
    html = by_item.get("/staff/unresolved/by-item/").content.decode()
    assert "其中超期" in html and '<span class="badge badge-warn-red">1</span>' in html


def test_unresolved_job_turns_a_later_due_date_back_to_normal(world):
    from govhall.feedback.models import Unresolved

    u = _unresolved(world)
    Unresolved.objects.filter(pk=u.pk).update(warning="red", due=timezone.localdate() + timedelta(days=9))
    assert services.unresolved_deadlines_run() == 1
    assert Unresolved.objects.get(pk=u.pk).warning == ""
