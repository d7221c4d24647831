from datetime import date

import pytest

from govhall.staffing import services
from govhall.staffing.models import Leave, Post

from .test_leave import MON, TUE, WED, ask

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_every_page_opens_for_the_manager(staff, as_user):
    c = as_user(staff["manager_a"])
    pk = staff["center"].pk
    for url in [
        "/staff/staffing/",
        "/staff/staffing/gaps/",
        "/staff/staffing/leave/",
        "/staff/staffing/rankings/",
        f"/staff/staffing/hall/{pk}/posts/",
        f"/staff/staffing/hall/{pk}/coverage/?start=2026-09-21",
        f"/staff/staffing/hall/{pk}/attendance/?month=2026-09",
        f"/staff/staffing/hall/{pk}/training/",
        f"/staff/staffing/hall/{pk}/assessment/?month=2026-09",
    ]:
        r = c.get(url)
        assert r.status_code == 200, url


def test_other_branch_cannot_open_the_hall_pages(staff, as_user):
    r = as_user(staff["manager_b"]).get(f"/staff/staffing/hall/{staff['center'].pk}/coverage/")
    assert r.status_code == 404


def test_coverage_page_shows_b_when_a_is_away(staff, as_user):
    services.leave_approve(leave=ask(staff["clerk_a"], TUE, TUE), by=staff["manager_a"])
    r = as_user(staff["manager_a"]).get(
        f"/staff/staffing/hall/{staff['center'].pk}/coverage/?start=2026-09-21"
    )
    html = r.content.decode()
    assert 'data-day="2026-09-22" data-window="1">乙（B）' in html
    assert 'data-day="2026-09-21" data-window="1">tclerk_a（A）' in html


def test_leave_form_error_is_shown_next_to_its_field(staff, as_user):
    r = as_user(staff["clerk_a"]).post(
        "/staff/staffing/leave/",
        {"kind": "annual", "start_date": "2026-09-23", "end_date": "2026-09-21", "reason": "x"},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert 'id="id_end_date-error"' in html and "结束日期不能早于开始日期" in html
    assert 'aria-describedby="id_end_date-error"' in html
    assert not Leave.objects.exists()


def test_approval_refused_on_the_page_then_given_with_a_substitute(staff, as_user):
    services.leave_rule_set(by=staff["leader_a"], department=staff["dep_a"], manager_max_days="3")
    services.leave_approve(leave=ask(staff["a2"], TUE, TUE), by=staff["manager_a"])
    leave = ask(staff["clerk_a"], MON, WED)
    c = as_user(staff["manager_a"])
    page = c.get(f"/staff/staffing/leave/{leave.pk}/").content.decode()
    field = f"sub_{staff['w1'].id}_20260922"
    assert f'name="{field}"' in page and "丙" in page  # the trained, free clerk is offered
    r = c.post(f"/staff/staffing/leave/{leave.pk}/approve/", {"note": ""})
    assert r.status_code == 400 and "无人值守" in r.content.decode()
    assert Leave.objects.get(pk=leave.pk).status == Leave.Status.REQUESTED
    r = c.post(f"/staff/staffing/leave/{leave.pk}/approve/", {field: staff["a3"].id})
    assert r.status_code == 302
    assert Leave.objects.get(pk=leave.pk).status == Leave.Status.APPROVED


def test_clerk_sees_no_approval_form_and_cannot_post_one(staff, as_user):
    leave = ask(staff["a3"], MON, MON)
    c = as_user(staff["clerk_a"])
    assert (
        c.get(f"/staff/staffing/leave/{leave.pk}/").status_code == 404
    )  # not their leave, not their hall to manage
    r = as_user(staff["a3"]).post(f"/staff/staffing/leave/{leave.pk}/approve/", {})
    assert r.status_code == 403 and Leave.objects.get(pk=leave.pk).status == Leave.Status.REQUESTED


def test_post_form_refusal_next_to_the_user_field(staff, as_user):
    r = as_user(staff["manager_a"]).post(
        f"/staff/staffing/hall/{staff['center'].pk}/posts/",
        {"window": staff["w1"].id, "role": "B", "user": staff["a4"].id},
    )
    assert r.status_code == 400 and 'id="id_user-error"' in r.content.decode()
    assert Post.objects.get(window=staff["w1"], role="B").user == staff["a2"]


def test_clock_in_page_records_the_ip(staff, as_user):
    r = as_user(staff["clerk_a"]).post("/staff/staffing/attendance/", {"kind": "in"}, REMOTE_ADDR="10.9.8.7")
    assert r.status_code == 302
    from govhall.staffing.models import Attendance

    assert Attendance.objects.get(user=staff["clerk_a"]).clock_in_ip == "10.9.8.7"
    r = as_user(staff["clerk_a"]).post("/staff/staffing/attendance/", {"kind": "in"})
    assert r.status_code == 409 and "已于" in r.content.decode()


def test_exports_are_excel(staff, as_user):
    c = as_user(staff["manager_a"])
    pk = staff["center"].pk
    services.assessment_compute(by=staff["manager_a"], center=staff["center"], month=date(2026, 9, 1))
    for url in [
        f"/staff/staffing/hall/{pk}/attendance/?month=2026-09&format=xlsx",
        f"/staff/staffing/hall/{pk}/assessment/?month=2026-09&format=xlsx",
        "/staff/staffing/rankings/?month=2026-09&format=xlsx",
    ]:
        r = c.get(url)
        assert r.status_code == 200 and r["Content-Type"] == XLSX, url


def test_clock_from_another_page_returns_there_but_never_off_site(staff, as_user):
    c = as_user(staff["clerk_a"])
    r = c.post("/staff/staffing/attendance/", {"kind": "in", "next": "/staff/queue/"})
    assert r.status_code == 302 and r["Location"] == "/staff/queue/"
    r = c.post("/staff/staffing/attendance/", {"kind": "out", "next": "https://evil.example/x"})
    assert r.status_code == 302 and r["Location"] == "/staff/staffing/attendance/"


@pytest.mark.parametrize("off_site", ["https://evil.example/x", "//evil.example/x", "http://evil.example"])
def test_an_off_site_next_is_refused(staff, as_user, off_site):
    r = as_user(staff["clerk_a"]).post("/staff/staffing/attendance/", {"kind": "in", "next": off_site})
    assert r.status_code == 302 and r["Location"] == "/staff/staffing/attendance/"


def test_a_clerk_of_the_hall_not_on_the_windows_post_is_refused_with_the_reason_on_page_and_api(
    staff, as_user
):
    c = as_user(staff["a3"])  # a clerk of the hall, no post at window 1
    page = c.post(f"/staff/queue/windows/{staff['w1'].pk}/open/")
    assert page.status_code == 403 and "不能操作此窗口" in page.content.decode()
    api = c.post(f"/api/v1/windows/{staff['w1'].pk}/open")
    assert api.status_code == 403 and "不能操作此窗口" in api.json()["detail"]
    staff["w1"].refresh_from_db()
    assert staff["w1"].status == "closed"


def test_another_branchs_manager_gets_404_for_the_window_and_the_hall_pages(staff, as_user):
    c = as_user(staff["manager_b"])
    assert c.post(f"/staff/queue/windows/{staff['w1'].pk}/open/").status_code == 404
    assert c.post(f"/api/v1/windows/{staff['w1'].pk}/open").status_code == 404
    assert c.get(f"/staff/staffing/hall/{staff['center'].pk}/posts/").status_code == 404


def test_training_form_error_is_shown_next_to_its_field_and_nothing_is_written(staff, as_user):
    from govhall.staffing.models import TrainingCourse

    before = TrainingCourse.objects.count()
    r = as_user(staff["manager_a"]).post(
        f"/staff/staffing/hall/{staff['center'].pk}/training/",
        {"form": "course", "name": "窗口礼仪", "held_on": "2026-09-01", "hours": "2", "valid_months": "99"},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert 'id="id_valid_months-error"' in html and "有效期应为 1 到 60 个月" in html
    assert 'aria-describedby="id_valid_months-error"' in html
    assert TrainingCourse.objects.count() == before


def test_a_wrong_state_on_the_assessment_page_is_shown_there_with_409(staff, as_user):
    c = as_user(staff["manager_a"])
    url = f"/staff/staffing/hall/{staff['center'].pk}/assessment/"
    r = c.post(url, {"month": "2026-09", "action": "confirm"})
    assert r.status_code == 400 and "尚未计算考核" in r.content.decode()
    assert c.post(url, {"month": "2026-09", "action": "compute"}).status_code == 302
    assert c.post(url, {"month": "2026-09", "action": "confirm"}).status_code == 302
    r = c.post(url, {"month": "2026-09", "action": "compute"})
    assert r.status_code == 409 and "已确认并锁定" in r.content.decode()


def test_leave_reject_without_a_reason_is_shown_next_to_the_field(staff, as_user):
    leave = ask(staff["clerk_a"], MON, MON)
    r = as_user(staff["manager_a"]).post(f"/staff/staffing/leave/{leave.pk}/reject/", {"note": ""})
    assert r.status_code == 400
    html = r.content.decode()
    assert 'id="id_note-error"' in html and "不批准时请写明理由" in html
    assert Leave.objects.get(pk=leave.pk).status == Leave.Status.REQUESTED


def test_leave_action_in_the_wrong_state_shows_the_message_with_409(staff, as_user):
    leave = ask(staff["clerk_a"], MON, MON)
    c = as_user(staff["manager_a"])
    assert c.post(f"/staff/staffing/leave/{leave.pk}/reject/", {"note": "人手不足"}).status_code == 302
    r = c.post(f"/staff/staffing/leave/{leave.pk}/reject/", {"note": "再次"})
    assert r.status_code == 409 and 'id="leave-error"' in r.content.decode()


def test_a_form_the_page_does_not_offer_shows_its_error_at_the_top(staff, as_user):
    leave = ask(staff["clerk_a"], MON, MON)
    r = as_user(staff["clerk_a"]).post(f"/staff/staffing/leave/{leave.pk}/report_back/", {})
    assert r.status_code == 400 and 'id="leave-error"' in r.content.decode()
    assert Leave.objects.get(pk=leave.pk).status == Leave.Status.REQUESTED


def test_report_back_before_the_leave_starts_is_shown_next_to_the_field(staff, as_user):
    leave = ask(staff["clerk_a"], MON, MON)
    services.leave_approve(leave=leave, by=staff["manager_a"])
    r = as_user(staff["clerk_a"]).post(
        f"/staff/staffing/leave/{leave.pk}/report_back/", {"back_date": "2026-09-22"}
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert 'id="id_back_date-error"' in html and "尚未开始" in html
    assert Leave.objects.get(pk=leave.pk).status == Leave.Status.APPROVED


def test_gap_check_page_lists_a_window_with_no_posts(staff, as_user):
    from govhall.queueing import services as queueing

    queueing.window_create(by=None, center=staff["center"], number=3, name="咨询窗口", queues=[staff["qa"]])
    html = as_user(staff["manager_a"]).get("/staff/staffing/gaps/").content.decode()
    assert "未来30天没有断档" not in html and "未设置A/B岗" in html
