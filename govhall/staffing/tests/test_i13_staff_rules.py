"""Issue 13, staff rules: attendance from the person's first day and the hall's
go-live ("无数据", never absence), today not expected before closing, the
assessment's weights and computation shown, and the weights proposed by the
district office and confirmed by the department (notice clause 一(一))."""

import json
from datetime import date, datetime, time
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone

from govhall.accounts.models import Role
from govhall.core.errors import DomainError, Refused
from govhall.staffing import selectors, services
from govhall.staffing.assessment import weights_for
from govhall.staffing.models import (
    AssessmentLine,
    MonthlyAssessment,
    StaffPlacement,
    WeightSet,
)
from tests.support import make_user

SEPT = date(2026, 9, 1)
FRI, MON, TUE, WED = date(2026, 9, 11), date(2026, 9, 14), date(2026, 9, 15), date(2026, 9, 16)
GOOD = {
    "attendance": 40,
    "on_time_cases": 20,
    "tickets": 10,
    "service_time": 10,
    "ratings": 10,
    "complaints": 5,
    "training": 5,
}


def at(day, hh, mm=0):
    return timezone.make_aware(datetime.combine(day, time(hh, mm)))


def row_of(staff, user, now):
    sheet = selectors.attendance_sheet(staff["center"], SEPT, users=[user], now=now)
    row = sheet["rows"][0]
    return {c["day"]: c["code"] for c in row["cells"]}, row["totals"]


def go_live(staff, day=SEPT):
    services.attendance_since_set(by=staff["manager_a"], center=staff["center"], attendance_since=day)


@pytest.fixture
def api(client):
    def call(user, method, url, body=None):
        client.force_login(user)
        fn = getattr(client, method)
        if body is None:
            return fn(f"/api/v1{url}")
        return fn(f"/api/v1{url}", data=json.dumps(body), content_type="application/json")

    return call


# --- attendance ----------------------------------------------------------------------------------------


def test_days_before_the_persons_first_day_are_not_absence(staff):
    go_live(staff)
    row = services.staff_started_on_set(
        by=staff["manager_a"], center=staff["center"], user=staff["a3"], started_on=TUE
    )
    assert row.history.first().history_user == staff["manager_a"]
    got, totals = row_of(staff, staff["a3"], at(WED, 18))
    assert got[FRI] == "—" and got[MON] == "—"
    assert got[TUE] == "缺" and got[WED] == "缺"
    assert totals["expected"] == 2 and totals["absent"] == 2
    # Someone without a first day entered is expected since the go-live.
    _, theirs = row_of(staff, staff["a2"], at(WED, 18))
    assert theirs["expected"] == 12


def test_only_the_branch_manager_sets_a_first_day(staff):
    with pytest.raises(Refused):
        services.staff_started_on_set(
            by=staff["clerk_a"], center=staff["center"], user=staff["a3"], started_on=TUE
        )
    with pytest.raises(DomainError) as exc:
        services.staff_started_on_set(
            by=staff["manager_a"], center=staff["center"], user=staff["clerk_b"], started_on=TUE
        )
    assert exc.value.field == "user"
    assert not StaffPlacement.objects.exists()


def test_today_is_not_expected_before_the_hall_closes(staff):
    go_live(staff)
    services.attendance_clock(by=staff["clerk_a"], kind="in", now=at(MON, 9, 10))  # hall opens 9:00
    got, totals = row_of(staff, staff["clerk_a"], at(MON, 12))
    assert got[MON] == "迟"  # shown as it stands, counted nothing yet
    assert totals["expected"] == 9 and totals["late"] == 0 and totals["early"] == 0
    got, others = row_of(staff, staff["a3"], at(MON, 12))
    assert got[MON] == "" and others["absent"] == 9  # not yet absent today
    # After closing (17:00) today counts: late, and never clocked out.
    got, totals = row_of(staff, staff["clerk_a"], at(MON, 17, 30))
    assert got[MON] == "迟早" and totals["expected"] == 10 and totals["late"] == 1
    _, others = row_of(staff, staff["a3"], at(MON, 17, 30))
    assert others["absent"] == 10


def test_days_before_the_go_live_show_no_data_on_the_sheet_page_export_and_api(staff, client, api):
    go_live(staff, MON)
    got, totals = row_of(staff, staff["clerk_a"], at(WED, 18))
    assert got[FRI] == "无数据" and got[MON] == "缺"
    assert totals["no_data"] == 9 and totals["expected"] == 3 and totals["absent"] == 3
    pk, code = staff["center"].pk, staff["center"].code
    client.force_login(staff["manager_a"])
    page = client.get(f"/staff/staffing/hall/{pk}/attendance/?month=2026-09").content.decode()
    assert "<td>无数据</td>" in page and "2026年9月14日" in page
    from openpyxl import load_workbook

    xlsx = client.get(f"/staff/staffing/hall/{pk}/attendance/?month=2026-09&format=xlsx").content
    ws = load_workbook(BytesIO(xlsx)).active
    header = [c.value for c in ws[1]]
    values = [c.value for c in ws[2]]
    assert values[header.index("09-11")] == "无数据" and "无数据天数" in header
    r = api(staff["manager_a"], "get", f"/staffing/halls/{code}/attendance?month=2026-09")
    assert r.status_code == 200
    body = r.json()
    assert body["go_live"] == "2026-09-14"
    row = next(x for x in body["rows"] if x["username"] == staff["clerk_a"].username)
    assert row["codes"][0] == "无数据" and row["no_data"] > 0
    assert "缺" not in row["codes"][: row["no_data"]]


def test_without_a_go_live_the_first_record_is_the_go_live(staff):
    services.attendance_clock(by=staff["clerk_a"], kind="in", now=at(MON, 8, 55))
    assert selectors.attendance_go_live(staff["center"]) == MON
    got, totals = row_of(staff, staff["a3"], at(MON, 18))
    assert got[FRI] == "无数据" and got[MON] == "缺" and totals["absent"] == 1


def test_go_live_is_set_by_the_branch_manager_with_history_page_and_api(staff, client, api):
    with pytest.raises(Refused):
        services.attendance_since_set(by=staff["clerk_a"], center=staff["center"], attendance_since=MON)
    pk, code = staff["center"].pk, staff["center"].code
    client.force_login(staff["manager_a"])
    r = client.post(
        f"/staff/staffing/hall/{pk}/attendance/", {"form": "go_live", "attendance_since": "2026-09-07"}
    )
    assert r.status_code == 302
    assert selectors.attendance_go_live(staff["center"]) == date(2026, 9, 7)
    r = client.post(
        f"/staff/staffing/hall/{pk}/attendance/",
        {"form": "started_on", "user": staff["a3"].pk, "started_on": "2026-09-08"},
    )
    assert r.status_code == 302
    assert StaffPlacement.objects.get(user=staff["a3"]).started_on == date(2026, 9, 8)
    r = api(
        staff["manager_a"],
        "put",
        f"/staffing/halls/{code}/attendance-since",
        {"attendance_since": "2026-09-01"},
    )
    assert r.status_code == 200 and r.json()["attendance_since"] == "2026-09-01"
    r = api(
        staff["manager_a"],
        "put",
        f"/staffing/halls/{code}/staff/{staff['a3'].username}/started-on",
        {"started_on": "2026-09-09"},
    )
    assert r.status_code == 200 and r.json()["started_on"] == "2026-09-09"
    r = api(
        staff["clerk_a"],
        "put",
        f"/staffing/halls/{code}/attendance-since",
        {"attendance_since": "2026-09-02"},
    )
    assert r.status_code == 403
    r = api(
        staff["manager_b"],
        "put",
        f"/staffing/halls/{code}/attendance-since",
        {"attendance_since": "2026-09-02"},
    )
    assert r.status_code == 404
    assert selectors.attendance_go_live(staff["center"]) == SEPT


# --- assessment ----------------------------------------------------------------------------------------


def test_a_month_with_no_data_is_no_data_in_the_assessment_not_zero(staff):
    go_live(staff, MON)  # the go-live day: the frozen now is Monday 00:00, nothing has ended yet
    rows = services.assessment_compute(by=staff["manager_a"], center=staff["center"], month=SEPT)
    line = rows[0].lines.get(code="attendance")
    assert line.value == "无数据" and line.score is None
    assert "不按零分" in line.explanation


def test_confirming_never_locks_no_data_days_as_absences(staff):
    services.attendance_clock(by=staff["clerk_a"], kind="in", now=at(MON, 8, 55))
    services.attendance_clock(by=staff["clerk_a"], kind="out", now=at(MON, 17, 5))
    import time_machine

    with time_machine.travel(at(MON, 18), tick=False):
        services.assessment_compute(by=staff["manager_a"], center=staff["center"], month=SEPT)
        assert services.assessment_confirm(by=staff["manager_a"], center=staff["center"], month=SEPT) >= 1
    mine = MonthlyAssessment.objects.get(user=staff["clerk_a"], center=staff["center"])
    line = mine.lines.get(code="attendance")
    assert mine.status == "confirmed"
    assert line.score == 100 and "出勤 1/1 天" in line.value and "无数据 9 天" in line.value


def test_confirming_after_the_figures_changed_is_refused_until_recomputed(staff):
    go_live(staff, MON)
    services.assessment_compute(by=staff["manager_a"], center=staff["center"], month=SEPT)
    go_live(staff, SEPT)  # the go-live corrected after computing: the stored figures are stale
    with pytest.raises(DomainError) as exc:
        services.assessment_confirm(by=staff["manager_a"], center=staff["center"], month=SEPT)
    assert exc.value.field == "month" and "重新计算" in exc.value.message
    assert not MonthlyAssessment.objects.filter(status="confirmed").exists()
    services.assessment_compute(by=staff["manager_a"], center=staff["center"], month=SEPT)
    assert services.assessment_confirm(by=staff["manager_a"], center=staff["center"], month=SEPT) >= 1


def test_assessment_page_and_api_show_weights_and_each_computation(staff, client, api):
    go_live(staff)
    services.assessment_compute(by=staff["manager_a"], center=staff["center"], month=SEPT)
    client.force_login(staff["manager_a"])
    page = client.get(f"/staff/staffing/hall/{staff['center'].pk}/assessment/?month=2026-09").content.decode()
    assert "None" not in page
    assert "权重来源" in page and "系统默认权重" in page
    assert "出勤 0/9 天" in page and "= 0" in page  # the raw figures and the computation
    # with feedback installed ratings and complaints are measured: no "尚未接入" line for them
    assert "<td>尚未接入</td>" not in page and "本月无好差评" in page and "成立的效能投诉 0 件" in page
    assert "总分 =" in page
    for label in ("考勤", "按时办结率", "办件（叫号）量", "平均办理时长", "好差评", "投诉", "培训"):
        assert f"<td>{label}</td>" in page
    for line in AssessmentLine.objects.all():
        assert line.explanation and line.value and line.weight is not None
    r = api(staff["manager_a"], "get", f"/staffing/halls/{staff['center'].code}/assessment?month=2026-09")
    assert r.status_code == 200
    first = r.json()[0]
    assert first["weights_source"] and first["total_explanation"].startswith("总分")
    attendance = next(ln for ln in first["lines"] if ln["code"] == "attendance")
    assert attendance["weight"] == "30.0" or Decimal(attendance["weight"]) == 30
    assert "÷" in attendance["explanation"] and attendance["value"].startswith("出勤")
    ratings = next(ln for ln in first["lines"] if ln["code"] == "ratings")
    assert ratings["value"] == "本月无好差评" and ratings["score"] is None  # measured, nothing to count


# --- weights: the district office proposes, the department confirms -----------------------------------------


def test_proposed_weights_are_not_used_until_the_department_confirms(staff):
    ws = services.weights_propose(by=staff["admin"], department=staff["dep_a"], weights=GOOD, note="加重考勤")
    assert ws.status == "proposed" and ws.proposed_by == staff["admin"]
    assert weights_for(staff["center"]).weights["attendance"] == 30  # still the default
    rows = services.assessment_compute(by=staff["manager_a"], center=staff["center"], month=SEPT)
    assert rows[0].lines.get(code="attendance").weight == 30
    services.weights_confirm(by=staff["leader_a"], weight_set=ws)
    ws.refresh_from_db()
    assert ws.status == "confirmed" and ws.decided_by == staff["leader_a"] and ws.decided_at
    assert [h.history_user for h in ws.history.order_by("history_date")] == [
        staff["admin"],
        staff["leader_a"],
    ]
    in_effect = weights_for(staff["center"])
    assert in_effect.weights["attendance"] == 40 and "确认" in in_effect.source
    rows = services.assessment_compute(by=staff["manager_a"], center=staff["center"], month=SEPT)
    assert rows[0].lines.get(code="attendance").weight == 40
    # Another department's halls keep the default.
    assert weights_for(staff["b"]).weights["attendance"] == 30


def test_a_rejected_proposal_keeps_the_previous_confirmed_weights(staff):
    first = services.weights_propose(by=staff["admin"], department=staff["dep_a"], weights=GOOD)
    services.weights_confirm(by=staff["leader_a"], weight_set=first)
    second = services.weights_propose(
        by=staff["admin"], department=staff["dep_a"], weights={**GOOD, "attendance": 20, "tickets": 30}
    )
    with pytest.raises(DomainError) as exc:
        services.weights_reject(by=staff["leader_a"], weight_set=second, reason="  ")
    assert exc.value.field == "reason"
    services.weights_reject(by=staff["leader_a"], weight_set=second, reason="叫号量不宜过重")
    second.refresh_from_db()
    assert second.status == "rejected" and second.reason == "叫号量不宜过重"
    assert weights_for(staff["center"]).weights["attendance"] == 40


def test_a_branch_manager_or_clerk_cannot_propose_or_confirm(staff):
    for who in (staff["manager_a"], staff["clerk_a"], staff["leader_a"]):
        with pytest.raises(Refused):
            services.weights_propose(by=who, department=staff["dep_a"], weights=GOOD)
    ws = services.weights_propose(by=staff["admin"], department=staff["dep_a"], weights=GOOD)
    for who in (staff["manager_a"], staff["clerk_a"], staff["admin"]):
        with pytest.raises(Refused):
            services.weights_confirm(by=who, weight_set=ws)
    ws.refresh_from_db()
    assert ws.status == "proposed"


def test_another_departments_leader_cannot_confirm(staff):
    leader_b = make_user("tleader_b", Role.DEPARTMENT_LEADER, staff["b"])
    ws = services.weights_propose(by=staff["admin"], department=staff["dep_a"], weights=GOOD)
    with pytest.raises(Refused):
        services.weights_confirm(by=leader_b, weight_set=ws)
    with pytest.raises(Refused):
        services.weights_reject(by=leader_b, weight_set=ws, reason="不同意")
    assert WeightSet.objects.get().status == "proposed"


def test_weights_not_summing_to_100_are_refused_and_nothing_saved(staff):
    with pytest.raises(DomainError) as exc:
        services.weights_propose(
            by=staff["admin"], department=staff["dep_a"], weights={**GOOD, "training": 10}
        )
    assert exc.value.field == "weights" and "合计应为 100" in exc.value.message
    with pytest.raises(DomainError) as exc:
        services.weights_propose(
            by=staff["admin"], department=staff["dep_a"], weights={**GOOD, "training": -5}
        )
    assert exc.value.field == "training"
    assert not WeightSet.objects.exists()


def test_weights_page_propose_refusal_shown_then_confirm(staff, client):
    client.force_login(staff["admin"])
    data = {"department": staff["dep_a"].pk, **GOOD, "training": 10}
    r = client.post("/staff/staffing/weights/", data)
    assert r.status_code == 400 and "各项权重合计应为 100，现为 105" in r.content.decode()
    assert not WeightSet.objects.exists()
    r = client.post("/staff/staffing/weights/", {**data, "training": 5})
    assert r.status_code == 302
    ws = WeightSet.objects.get()
    client.force_login(staff["manager_a"])
    assert client.post(f"/staff/staffing/weights/{ws.pk}/confirm/").status_code == 403
    client.force_login(staff["leader_a"])
    page = client.get("/staff/staffing/weights/").content.decode()
    assert "待部门确认" in page and "确认" in page
    assert client.post(f"/staff/staffing/weights/{ws.pk}/confirm/").status_code == 302
    ws.refresh_from_db()
    assert ws.status == "confirmed"
    # Reachable from the staff workbench's staffing page.
    assert "/staff/staffing/weights/" in client.get("/staff/staffing/").content.decode()


def test_weights_through_the_api(staff, api, client):
    dep = staff["dep_a"].code
    r = api(
        staff["admin"], "post", "/staffing/weights", {"department": dep, "weights": {**GOOD, "training": 0}}
    )
    assert r.status_code == 400 and "合计应为 100" in r.json()["detail"]
    assert not WeightSet.objects.exists()
    r = api(staff["manager_a"], "post", "/staffing/weights", {"department": dep, "weights": GOOD})
    assert r.status_code == 403
    r = api(staff["admin"], "post", "/staffing/weights", {"department": dep, "weights": GOOD})
    assert r.status_code == 201 and r.json()["status"] == "proposed"
    set_id = r.json()["id"]
    assert api(staff["clerk_a"], "post", f"/staffing/weights/{set_id}/confirm").status_code == 403
    assert api(staff["manager_b"], "post", f"/staffing/weights/{set_id}/confirm").status_code == 404
    r = api(staff["leader_a"], "post", f"/staffing/weights/{set_id}/confirm")
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    assert r.json()["decided_by"] == staff["leader_a"].username
    r = api(staff["leader_a"], "get", "/staffing/weights")
    assert [x["id"] for x in r.json()] == [set_id]
    doc = client.get("/api/v1/openapi.json").json()
    ops = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    assert {
        "staffing_weights_list",
        "staffing_weights_propose",
        "staffing_weights_confirm",
        "staffing_weights_reject",
        "staffing_started_on_set",
        "staffing_attendance_since_set",
    } <= ops
