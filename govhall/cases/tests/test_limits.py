"""Time limits of every legal kind: working days (工作日), calendar days (自然日)
and months; a waiting period (离婚冷静期, 民法典第1077条) is not a time limit."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from govhall.cases import services
from govhall.cases.limits import add_months, limit_end
from govhall.cases.models import Warning
from govhall.catalog import services as catalog
from govhall.catalog.models import LimitUnit, limit_label
from govhall.core.calendar import add_working_days

from .conftest import PERSON_ID, PHONE, client_for

pytestmark = pytest.mark.django_db


def _utc(y, m, d, h=2):
    return datetime(y, m, d, h, 0, tzinfo=UTC)


def republish(item, **fields):
    """A new published version of the item's guide with these fields changed."""
    draft = catalog.guide_draft(by=None, item=item, **fields)
    catalog.guide_publish(by=None, guide=draft)
    item.refresh_from_db()
    return item.current_guide


def accepted_case(world, item, on):
    """A window case with every material, accepted on `on` (a date)."""
    with time_machine.travel(_utc(on.year, on.month, on.day), tick=False):
        case = services.case_intake_window(
            by=world["clerk_a"],
            center=world["a"],
            item=item,
            applicant_name="张三",
            applicant_id_number=PERSON_ID,
            contact_phone=PHONE,
            paper_material_ids=list(item.current_guide.materials.values_list("id", flat=True)),
        )
        return services.case_accept(by=world["clerk_a"], case=case)


# --- counting --------------------------------------------------------------------------------------


def test_a_month_limit_ends_on_the_same_day_or_the_last_day_of_a_shorter_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)  # a leap year
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)  # across the year
    assert add_months(date(2026, 3, 15), 3) == date(2026, 6, 15)


def test_calendar_days_count_the_spring_festival_working_days_skip_it():
    # 春节 2026: 15–23 February are off. Ten calendar days from 10 February end on the 20th.
    assert limit_end(date(2026, 2, 10), 10, LimitUnit.DAY) == date(2026, 2, 20)
    assert limit_end(date(2026, 2, 10), 10, LimitUnit.WORKDAY) == add_working_days(date(2026, 2, 10), 10)
    assert add_working_days(date(2026, 2, 10), 10) > date(2026, 2, 24)


def test_limit_labels_say_the_kind():
    assert limit_label(20, LimitUnit.WORKDAY) == "20 个工作日"
    assert limit_label(30, LimitUnit.DAY) == "30 日（自然日）"
    assert limit_label(3, LimitUnit.MONTH) == "3 个月"
    assert limit_label(0, LimitUnit.DAY) == "即时办结"
    from govhall.catalog.pdf import days_label  # the guide PDF's facts table

    assert days_label(30, LimitUnit.DAY) == "30 日（自然日）" and days_label(None) == "未注明"


def test_a_calendar_day_case_counts_over_the_spring_festival(world, marriage):
    republish(marriage, legal_days=10, promised_days=10, limit_unit=LimitUnit.DAY)
    case = accepted_case(world, marriage, date(2026, 2, 10))
    assert case.limit_unit == LimitUnit.DAY and case.limit_label == "10 日（自然日）"
    assert case.deadline == date(2026, 2, 20) and not case.deadline_unknown


def test_a_working_day_case_skips_the_spring_festival(world, marriage):
    republish(marriage, legal_days=10, promised_days=10)
    case = accepted_case(world, marriage, date(2026, 2, 10))
    assert case.limit_unit == LimitUnit.WORKDAY
    assert case.deadline == add_working_days(date(2026, 2, 10), 10) > date(2026, 2, 24)


def test_a_month_case_accepted_on_31_january_ends_on_28_february(world, marriage):
    republish(marriage, legal_days=1, promised_days=1, limit_unit=LimitUnit.MONTH)
    case = accepted_case(world, marriage, date(2026, 1, 31))
    assert case.deadline == date(2026, 2, 28) and case.limit_label == "1 个月"


def test_a_working_day_limit_into_an_unknown_year_is_still_flagged(world, marriage):
    republish(marriage, legal_days=20, promised_days=20)
    case = accepted_case(world, marriage, date(2026, 12, 15))
    assert case.deadline is None and case.deadline_unknown


def test_a_calendar_day_limit_into_an_unknown_year_is_never_flagged(world, marriage):
    republish(marriage, legal_days=60, promised_days=60, limit_unit=LimitUnit.DAY)
    case = accepted_case(world, marriage, date(2026, 12, 15))
    assert case.deadline == date(2027, 2, 13) and not case.deadline_unknown
    with time_machine.travel(_utc(2027, 2, 12), tick=False):
        services.warnings_compute(today=date(2027, 2, 12))
    levels = set(case.warnings.values_list("level", flat=True))
    assert Warning.Level.FLAG not in levels
    assert "剩余 1 日" in case.warnings.get(level=Warning.Level.YELLOW).message


def test_days_in_a_special_procedure_push_a_calendar_limit_back_in_calendar_days(world, marriage):
    republish(marriage, legal_days=10, promised_days=10, limit_unit=LimitUnit.DAY)
    case = accepted_case(world, marriage, date(2026, 3, 2))
    assert case.deadline == date(2026, 3, 12)
    with time_machine.travel(_utc(2026, 3, 3), tick=False):
        services.case_suspend(by=world["clerk_a"], case=case, kind="testing", reason="送检")
    with time_machine.travel(_utc(2026, 3, 10), tick=False):  # a Tuesday: 7 calendar days, 5 working days
        case = services.case_resume(by=world["clerk_a"], case=case)
    assert case.suspended_days == 7 and case.deadline == date(2026, 3, 19)


def test_the_case_page_and_api_show_the_limit_kind(world, marriage):
    republish(marriage, legal_days=30, promised_days=30, limit_unit=LimitUnit.DAY)
    case = accepted_case(world, marriage, date(2026, 3, 2))
    c = client_for(world["clerk_a"])
    assert "办结时限 30 日（自然日）" in c.get(f"/staff/cases/{case.number}/").content.decode()
    body = c.get(f"/api/v1/cases/{case.number}").json()
    assert body["limit_unit"] == "day" and body["limit_label"] == "30 日（自然日）"
    from govhall.cases.pdf import notice_lines

    lines = [text for _, text in notice_lines(case.notices.get(kind="acceptance"))]
    assert any("承诺办结时限：30 日（自然日）" in t for t in lines), lines


# --- the guide carries the kind --------------------------------------------------------------------


def test_the_guide_keeps_its_limit_kind_in_the_next_version(world, marriage):
    guide = republish(
        marriage,
        legal_days=3,
        promised_days=2,
        limit_unit=LimitUnit.MONTH,
        waiting_name="公示期",
        waiting_days=5,
        waiting_unit=LimitUnit.WORKDAY,
    )
    draft = catalog.guide_draft(by=None, item=marriage)
    assert (draft.limit_unit, draft.waiting_name, draft.waiting_days, draft.waiting_unit) == (
        LimitUnit.MONTH,
        "公示期",
        5,
        LimitUnit.WORKDAY,
    )
    assert guide.legal_label == "3 个月" and guide.promised_label == "2 个月"


def test_existing_guides_count_in_working_days(marriage):
    assert marriage.current_guide.limit_unit == LimitUnit.WORKDAY
    assert marriage.current_guide.legal_label == "20 个工作日"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"limit_unit": "week"}, "limit_unit"),
        ({"collect_days": 30}, "collect_days"),
        ({"waiting_days": 30}, "waiting_name"),
        ({"parties": 3}, "parties"),
    ],
)
def test_a_guide_with_a_wrong_limit_kind_is_refused_and_unchanged(world, marriage, fields, field):
    from govhall.core.errors import DomainError

    draft = catalog.guide_draft(by=None, item=marriage)
    with pytest.raises(DomainError) as exc:
        catalog.guide_update(by=world["admin"], guide=draft, **fields)
    assert exc.value.field == field
    draft.refresh_from_db()
    assert (draft.limit_unit, draft.waiting_days, draft.collect_days, draft.parties) == (
        LimitUnit.WORKDAY,
        None,
        None,
        1,
    )


def test_guide_page_api_and_staff_editor_show_the_kind(world, marriage, client):
    republish(
        marriage,
        legal_days=3,
        promised_days=2,
        limit_unit=LimitUnit.MONTH,
        waiting_name="离婚冷静期",
        waiting_days=30,
        collect_days=30,
    )
    html = client.get(f"/items/{marriage.code}/").content.decode()
    assert "3 个月" in html and "2 个月" in html
    assert "离婚冷静期 30 日（自然日）" in html and "不计入办结时限" in html
    body = client.get(f"/api/v1/items/{marriage.code}/guide").json()
    assert body["limit_unit"] == "month" and body["legal_label"] == "3 个月"
    assert body["waiting_days"] == 30 and body["collect_days"] == 30 and "离婚冷静期" in body["waiting_label"]
    editor = client_for(world["admin"]).get(f"/staff/catalog/items/{marriage.pk}/guide/").content.decode()
    assert 'name="limit_unit"' in editor and 'name="waiting_days"' in editor and 'name="parties"' in editor


def test_the_staff_editor_saves_the_kind(world, marriage):
    from govhall.catalog.tests.test_staff_pages import full_guide_post

    c = client_for(world["admin"])
    r = c.post(
        f"/staff/catalog/items/{marriage.pk}/guide/",
        full_guide_post(limit_unit="day", legal_days="30", promised_days="30", parties="2"),
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    draft = marriage.guides.get(status="draft")
    assert draft.limit_unit == "day" and draft.parties == 2
    r = c.post(f"/staff/catalog/items/{marriage.pk}/guide/", full_guide_post(limit_unit="week"))
    assert r.status_code == 400
    draft.refresh_from_db()
    assert draft.limit_unit == "day"
