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
from govhall.feedback.models import Complaint

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


# --- 2. complaints recorded by staff (window / phone) ------------------------------------------

RECORD = "/staff/complaints/record/"


def test_staff_record_a_window_complaint_from_the_complaint_list(world):
    m = client_for(world["manager_a"])
    assert f'href="{RECORD}"' in m.get("/staff/complaints/").content.decode()
    clerk = client_for(world["clerk_a"])
    assert f'href="{RECORD}"' in clerk.get("/staff/unresolved/").content.decode()
    assert clerk.get(RECORD).status_code == 200
    r = clerk.post(
        RECORD,
        {
            "channel": "window",
            "center": world["a"].pk,
            "about": "person",
            "subject_user": world["clerk_b"].username,
            "name": "李四",
            "phone": PHONE,
            "text": "窗口让我跑了三次",
        },
    )
    assert r.status_code == 200, r.content.decode()[:2000]
    c = Complaint.objects.get()
    assert c.channel == "window" and c.center_id == world["a"].pk and c.subject_user == world["clerk_b"]
    assert c.number in r.content.decode() and PHONE not in r.content.decode()
    first = c.events.get()
    assert first.by == world["clerk_a"] and "办不成事反映窗口" in first.label
    assert c.history.latest("history_date").history_user_id == world["clerk_a"].pk


def test_staff_complaint_form_errors_next_to_the_field_and_nothing_written(world):
    clerk = client_for(world["clerk_a"])
    base = {"channel": "phone", "center": world["a"].pk, "about": "hall", "phone": PHONE, "text": "态度差"}
    for change, field, message in (
        ({"phone": "123"}, "phone", "请填写正确的手机号"),
        ({"about": "person"}, "subject_user", "请选择被投诉人"),
        ({"about": "person", "subject_user": "nobody"}, "subject_user", "没有该工作人员"),
        ({"about": "item"}, "item", "请选择事项"),
        ({"channel": "12345"}, "channel", ""),
        ({"center": world["b"].pk}, "center", ""),  # not this clerk's hall
    ):
        r = clerk.post(RECORD, {**base, **change})
        html = r.content.decode()
        assert r.status_code == 400, change
        assert f'id="id_{field}"' in html and 'aria-invalid="true"' in html, change
        assert message in html, change
    assert Complaint.objects.count() == 0


def test_staff_complaint_page_refused_to_someone_without_a_hall(world):
    assert client_for(world["approver"]).get(RECORD).status_code == 403


def test_staff_complaint_api_create_and_refusals(world, marriage):
    clerk = client_for(world["clerk_a"])
    body = {
        "channel": "phone",
        "center": world["a"].code,
        "about": "item",
        "item": marriage.code,
        "phone": PHONE,
        "name": "王五",
        "text": "电话反映：结婚登记预约不上",
    }
    r = clerk.post(f"{API}/complaints", json.dumps(body), content_type="application/json")
    assert r.status_code == 201, r.content
    out = r.json()
    assert (
        out["channel"] == "phone"
        and out["complainant_phone"] == "138****5678"
        and out["item"] == marriage.name
    )
    assert Complaint.objects.get(number=out["number"]).channel == "phone"
    # bad input: 4xx with a reason, nothing written
    for change, status in (
        ({"phone": "1"}, 400),
        ({"channel": "online"}, 422),
        ({"about": "person"}, 400),
        ({"center": "nope"}, 400),
    ):
        r = clerk.post(f"{API}/complaints", json.dumps({**body, **change}), content_type="application/json")
        assert r.status_code == status, change
        assert r.json()["detail"]
    # a clerk of another hall, and someone who may not record, are refused
    other = client_for(world["clerk_b"]).post(
        f"{API}/complaints", json.dumps(body), content_type="application/json"
    )
    assert other.status_code in (403, 404)
    leader = client_for(world["leader_a"]).post(
        f"{API}/complaints", json.dumps(body), content_type="application/json"
    )
    assert leader.status_code == 403
    assert (
        Client().post(f"{API}/complaints", json.dumps(body), content_type="application/json").status_code
        == 401
    )
    assert Complaint.objects.count() == 1
    spec = clerk.get(f"{API}/openapi.json").json()["paths"]["/api/v1/complaints"]
    assert {"get", "post"} <= set(spec)


# --- 4. the assessment: ratings and complaints measured, with the weights in effect ----------


def test_assessment_page_shows_a_clerks_bad_rating_with_its_weight_and_no_missing_source(world, finish):
    import re

    from govhall.staffing import services as staffing

    weights = {
        "attendance": 30,
        "on_time_cases": 20,
        "tickets": 10,
        "service_time": 5,
        "ratings": 20,
        "complaints": 10,
        "training": 5,
    }
    ws = staffing.weights_propose(by=world["admin"], department=world["dep_a"], weights=weights)
    staffing.weights_confirm(by=world["leader_a"], weight_set=ws)
    services.rating_by_qr(
        token=services.qr_token("ticket", finish().pk, "served"), level=1, indicators=["attitude"]
    )
    staffing.assessment_compute(by=world["manager_a"], center=world["a"], month=date(2026, 11, 1))
    page = client_for(world["manager_a"]).get(
        f"/staff/staffing/hall/{world['a'].pk}/assessment/?month=2026-11"
    )
    html = page.content.decode()
    assert page.status_code == 200
    name = world["clerk_a"].display_name
    (mine,) = [s for s in html.split('<section class="card"') if f"{name}的得分构成" in s]
    rows = re.findall(r"<tr><td>(好差评|投诉)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>", mine)
    got = {label: (weight, value, score) for label, weight, value, score in rows}
    weight, value, score = got["好差评"]
    assert float(weight) == 20 and "好差评 1 次，满意率 0.0%，差评 1 次" in value
    assert score == "0.0" or float(score) == 0  # 0 % satisfied, one bad rating not yet rectified
    weight, value, score = got["投诉"]
    assert float(weight) == 10 and value == "成立的效能投诉 0 件" and float(score) == 100
    for label in ("好差评", "投诉"):
        assert "尚未接入" not in "".join(got[label])
    for line in re.findall(r"<tr><td>(?:好差评|投诉)</td>.*?</tr>", html, re.S):  # nobody's line
        assert "尚未接入" not in line
