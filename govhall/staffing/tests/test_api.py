import json
from datetime import date

import pytest

from govhall.staffing import services
from govhall.staffing.models import Leave, Post

from .test_leave import ask


@pytest.fixture
def api(client):
    def call(user, method, url, body=None):
        client.force_login(user)
        fn = getattr(client, method)
        if body is None:
            return fn(f"/api/v1{url}")
        return fn(f"/api/v1{url}", data=json.dumps(body), content_type="application/json")

    return call


def test_openapi_lists_the_staffing_operations(client):
    doc = client.get("/api/v1/openapi.json").json()
    ops = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    assert {
        "staffing_posts",
        "staffing_coverage",
        "staffing_gaps",
        "staffing_leave_request",
        "staffing_leave_approve",
        "staffing_leave_reject",
        "staffing_leave_report_back",
        "staffing_clock",
        "staffing_training_list",
        "staffing_assessment_compute",
        "staffing_assessment_confirm",
        "staffing_rankings",
    } <= ops


def test_leave_through_the_api_refused_on_gap_then_approved_with_substitute(staff, api):
    services.leave_rule_set(by=staff["leader_a"], department=staff["dep_a"], manager_max_days="3")
    services.leave_approve(
        leave=ask(staff["a2"], date(2026, 9, 22), date(2026, 9, 22)), by=staff["manager_a"]
    )
    r = api(
        staff["clerk_a"],
        "post",
        "/staffing/leave",
        {"kind": "annual", "start_date": "2026-09-21", "end_date": "2026-09-23", "reason": "探亲"},
    )
    assert r.status_code == 201, r.content
    leave_id = r.json()["id"]
    assert r.json()["planned_days"] in ("3.0", 3, "3")
    r = api(staff["manager_a"], "post", f"/staffing/leave/{leave_id}/approve", {})
    assert r.status_code == 400 and r.json()["code"] == "gap"
    r = api(
        staff["manager_a"],
        "post",
        f"/staffing/leave/{leave_id}/approve",
        {"substitutes": [{"window": 1, "day": "2026-09-22", "username": "tclerk_a3"}]},
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "approved" and r.json()["substitutes"][0]["username"] == "tclerk_a3"
    r = api(
        staff["manager_a"], "get", f"/staffing/halls/{staff['center'].code}/coverage?start=2026-09-21&days=3"
    )
    cells = {(c["window"], c["day"]): c for c in r.json()}
    assert cells[(1, "2026-09-22")]["am"] == "tclerk_a3" and cells[(1, "2026-09-22")]["how"] == ["S", "S"]
    assert cells[(1, "2026-09-21")]["am"] == "tclerk_a2"


def test_clerk_cannot_approve_through_the_api(staff, api):
    leave = ask(staff["a3"], date(2026, 9, 21), date(2026, 9, 21))
    r = api(staff["a3"], "post", f"/staffing/leave/{leave.pk}/approve", {})
    assert r.status_code == 403
    r = api(staff["clerk_a"], "post", f"/staffing/leave/{leave.pk}/approve", {})
    assert r.status_code == 404
    assert Leave.objects.get(pk=leave.pk).status == Leave.Status.REQUESTED


def test_bad_input_is_a_4xx_not_a_500(staff, api):
    r = api(
        staff["clerk_a"],
        "post",
        "/staffing/leave",
        {"kind": "holiday", "start_date": "x", "end_date": "y", "reason": ""},
    )
    assert r.status_code == 422
    r = api(
        staff["clerk_a"],
        "post",
        "/staffing/leave",
        {"kind": "annual", "start_date": "2026-09-23", "end_date": "2026-09-21", "reason": "x"},
    )
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    r = api(
        staff["manager_a"],
        "post",
        f"/staffing/halls/{staff['center'].code}/posts",
        {"window": 99, "role": "A", "username": "tclerk_a3"},
    )
    assert r.status_code == 404


def test_post_assignment_through_the_api_keeps_the_rules(staff, api):
    r = api(
        staff["manager_a"],
        "post",
        f"/staffing/halls/{staff['center'].code}/posts",
        {"window": 1, "role": "B", "username": "tclerk_a4"},
    )
    assert r.status_code == 400 and "培训" in r.json()["detail"]
    assert Post.objects.get(window=staff["w1"], role="B").user == staff["a2"]
    r = api(staff["manager_b"], "get", f"/staffing/halls/{staff['center'].code}/posts")
    assert r.status_code == 404


def test_gaps_and_assessment_through_the_api(staff, api):
    r = api(staff["admin"], "get", "/staffing/gaps")
    assert r.status_code == 200 and isinstance(r.json(), list)
    code = staff["center"].code
    r = api(staff["manager_a"], "post", f"/staffing/halls/{code}/assessment/compute", {"month": "2026-09"})
    assert r.status_code == 200
    ratings = [ln for ln in r.json()[0]["lines"] if ln["code"] == "ratings"][0]
    assert ratings["score"] is None
    assert (
        api(
            staff["manager_a"], "post", f"/staffing/halls/{code}/assessment/confirm", {"month": "2026-09"}
        ).status_code
        == 200
    )
    r = api(staff["manager_a"], "post", f"/staffing/halls/{code}/assessment/compute", {"month": "2026-09"})
    assert r.status_code == 409


def test_report_back_before_the_leave_starts_is_a_400_naming_the_field(staff, api):
    leave = ask(staff["clerk_a"], date(2026, 9, 21), date(2026, 9, 21))
    services.leave_approve(leave=leave, by=staff["manager_a"])
    r = api(staff["clerk_a"], "post", f"/staffing/leave/{leave.pk}/report-back", {"back_date": "2026-09-22"})
    assert r.status_code == 400, r.content
    body = r.json()
    assert body["code"] == "not_started" and "back_date" in body["errors"] and "尚未开始" in body["detail"]
    leave.refresh_from_db()
    assert leave.status == Leave.Status.APPROVED and leave.back_date is None


def test_gaps_api_lists_a_window_with_no_posts_with_its_reason(staff, api):
    from govhall.queueing import services as queueing

    queueing.window_create(by=None, center=staff["center"], number=3, name="咨询窗口", queues=[staff["qa"]])
    r = api(staff["admin"], "get", "/staffing/gaps?days=7")
    assert r.status_code == 200
    rows = [g for g in r.json() if g["center"] == staff["center"].code and g["window"] == 3]
    # Every opening day of the week, the make-up Sunday 09-20 included.
    assert [g["day"] for g in rows] == [f"2026-09-{d}" for d in (14, 15, 16, 17, 18, 20)]
    assert all(g["halves"] == ["am", "pm"] and "未设置A/B岗" in g["reason"] for g in rows)
