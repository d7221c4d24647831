"""Deadlines follow the calendar both ways (issue 13): a flagged deadline is
computed when its year's arrangement is confirmed, flagged again when it is
reopened or removed, and moved when a local closure is added or removed —
each change recorded on the case. A local closure never makes a year known."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from govhall.accounts.models import Role
from govhall.cases import services
from govhall.cases.models import Case, Warning
from govhall.centers import calendar as cal
from govhall.core.calendar import calendar_changed
from tests.support import make_user

from .conftest import client_for

pytestmark = pytest.mark.django_db

PERIODS = [("元旦", date(2027, 1, 1), date(2027, 1, 3)), ("春节", date(2027, 2, 5), date(2027, 2, 13))]


@pytest.fixture
def second(world):
    return make_user("tadmin2", Role.DISTRICT_ADMIN, world["hub"])


def _flagged_case(world, intake) -> Case:
    """Accepted on 2026-12-29 with 5 working days: the deadline falls in 2027, which the package does not know."""
    with time_machine.travel(datetime(2026, 12, 29, 2, 0, tzinfo=UTC), tick=False):
        case = intake(4)
        services.case_accept(by=world["clerk_a"], case=case)
    case.refresh_from_db()
    assert case.deadline_unknown and case.deadline is None
    return case


def _arrangement(world, second):
    a = cal.holiday_arrangement_create(
        by=world["admin"], year=2027, number="国办发明电〔2026〕示例号", periods=PERIODS, makeups=[]
    )
    return a, cal.holiday_arrangement_confirm(by=second, arrangement=a)


def test_cases_registers_its_recompute_on_the_calendar():
    assert services.deadlines_recompute in [fn for _, fn in calendar_changed.registered()]


def test_a_local_closure_in_an_unknown_year_leaves_the_case_flagged(world, intake):
    case = _flagged_case(world, intake)
    cal.calendar_override_add(by=world["admin"], day=date(2027, 3, 1), is_workday=False, note="停电闭厅")
    cal.calendar_override_add(by=world["admin"], day=date(2027, 1, 1), is_workday=False, note="元旦")
    case.refresh_from_db()
    assert case.deadline_unknown and case.deadline is None
    assert not case.history.filter(history_change_reason__contains="工作日调整").exists()


def test_confirming_the_year_computes_every_flagged_deadline_and_records_it_on_each_case(
    world, intake, second
):
    one = _flagged_case(world, intake)
    two = _flagged_case(world, intake)
    a = cal.holiday_arrangement_create(
        by=world["admin"], year=2027, number="国办发明电〔2026〕示例号", periods=PERIODS, makeups=[]
    )
    for c in (one, two):  # a draft computes nothing
        c.refresh_from_db()
        assert c.deadline_unknown
    changed = cal.holiday_arrangement_confirm(by=second, arrangement=a)
    assert changed.cases_changed == 2
    for c in (one, two):
        c.refresh_from_db()
        # 12-30, 12-31 (2026, known), then 2027: 01-01..03 off, 01-04, 01-05, 01-06.
        assert (c.deadline_unknown, c.deadline) == (False, date(2027, 1, 6))
        last = c.history.order_by("-history_id").first()
        assert last.history_user == second
        assert last.history_change_reason == "2027 年节假日安排已确认（国办发明电〔2026〕示例号），计算期限"


def test_reopening_the_arrangement_flags_the_deadlines_again_recorded(world, intake, second):
    case = _flagged_case(world, intake)
    a, _ = _arrangement(world, second)
    changed = cal.holiday_arrangement_reopen(by=world["admin"], arrangement=a, reason="与原文不符")
    assert changed.cases_changed == 1
    case.refresh_from_db()
    assert case.deadline_unknown and case.deadline is None
    last = case.history.order_by("-history_id").first()
    assert (last.history_user, last.history_change_reason) == (
        world["admin"],
        "2027 年节假日安排退回待确认，期限待定",
    )


def test_editing_a_confirmed_arrangement_flags_the_deadlines_until_confirmed_again(world, intake, second):
    case = _flagged_case(world, intake)
    a, _ = _arrangement(world, second)
    cal.holiday_arrangement_update(
        by=world["admin"],
        arrangement=a,
        number=a.number,
        periods=[("元旦", date(2027, 1, 1), date(2027, 1, 1)), PERIODS[1]],
        makeups=[],
        reason="元旦只放一天",
    )
    case.refresh_from_db()
    assert case.deadline_unknown
    cal.holiday_arrangement_confirm(by=second, arrangement=a)
    case.refresh_from_db()
    assert case.deadline == date(2027, 1, 6)  # 01-01 off, 02/03 weekend: the same day


def test_removing_the_arrangement_flags_the_deadlines_again(world, intake, second):
    case = _flagged_case(world, intake)
    a, _ = _arrangement(world, second)
    n = cal.holiday_arrangement_delete(by=second, arrangement=a, reason="录错年份")
    case.refresh_from_db()
    assert n == 1 and case.deadline_unknown and case.deadline is None
    assert (
        case.history.order_by("-history_id").first().history_change_reason
        == "2027 年节假日安排已删除，期限待定"
    )


def test_a_closure_inside_a_known_year_moves_an_open_deadline_and_removing_it_moves_it_back(
    world, intake, second
):
    case = _flagged_case(world, intake)
    _arrangement(world, second)
    case.refresh_from_db()
    assert case.deadline == date(2027, 1, 6)
    row = cal.calendar_override_add(
        by=world["admin"], day=date(2027, 1, 5), is_workday=False, note="停电闭厅"
    )
    case.refresh_from_db()
    assert case.deadline == date(2027, 1, 7)
    last = case.history.order_by("-history_id").first()
    assert last.history_user == world["admin"] and "停电闭厅" in last.history_change_reason
    cal.calendar_override_delete(by=world["admin"], override=row)
    case.refresh_from_db()
    assert case.deadline == date(2027, 1, 6)
    assert "删除工作日调整 2027-01-05" in case.history.order_by("-history_id").first().history_change_reason


def test_a_closure_after_the_deadline_or_in_another_district_changes_nothing(
    world, other_world, intake, second
):
    case = _flagged_case(world, intake)
    _arrangement(world, second)
    case.refresh_from_db()
    rows = case.history.count()
    cal.calendar_override_add(by=world["admin"], day=date(2027, 1, 8), is_workday=False, note="停电闭厅")
    cal.calendar_override_add(
        by=other_world["admin"], day=date(2027, 1, 5), is_workday=False, note="停电闭厅"
    )
    case.refresh_from_db()
    assert case.deadline == date(2027, 1, 6) and case.history.count() == rows


def test_another_districts_arrangement_leaves_my_cases_flagged(world, other_world, intake):
    case = _flagged_case(world, intake)
    a = cal.holiday_arrangement_create(
        by=other_world["admin"], year=2027, number="国办发明电〔2026〕示例号", periods=PERIODS, makeups=[]
    )
    cal.holiday_arrangement_confirm(
        by=make_user("oadmin2", Role.DISTRICT_ADMIN, other_world["hub"]), arrangement=a
    )
    case.refresh_from_db()
    assert case.deadline_unknown


def test_flagged_deadline_is_explained_on_the_case_and_supervision_pages(world, intake):
    case = _flagged_case(world, intake)
    html = client_for(world["clerk_a"]).get(f"/staff/cases/{case.number}/").content.decode()
    assert "2027年节假日安排尚未录入，期限待区政务办录入后计算" in html
    services.warnings_compute(today=date(2026, 12, 29))
    assert Warning.objects.get(case=case).message == "2027年节假日安排尚未录入，期限待区政务办录入后计算。"
    html = client_for(world["admin"]).get("/staff/supervision/").content.decode()
    assert "2027年节假日安排尚未录入，期限待区政务办录入后计算" in html
    assert 'href="/staff/calendar/"' in html  # the district office is shown where to enter it


def test_confirming_on_the_page_computes_the_flagged_deadline(world, intake, second):
    case = _flagged_case(world, intake)
    a = cal.holiday_arrangement_create(
        by=world["admin"], year=2027, number="国办发明电〔2026〕示例号", periods=PERIODS, makeups=[]
    )
    r = client_for(second).post(f"/staff/calendar/arrangements/{a.pk}/confirm/", follow=True)
    assert "已计算或调整 1 件办件的期限" in r.content.decode()
    case.refresh_from_db()
    assert not case.deadline_unknown and case.deadline == date(2027, 1, 6)
