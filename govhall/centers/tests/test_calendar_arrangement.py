"""A year is known only when its national holiday arrangement is entered whole,
checked for consistency and confirmed by a second person of the district office;
every step is recorded (issue 13, "Calendar: never compute a deadline on a year
we don't know")."""

from datetime import date

import pytest

from govhall.accounts.models import Role
from govhall.centers import calendar as cal
from govhall.core.calendar import CalendarUnknown, is_workday, year_known
from govhall.core.errors import DomainError, NotFound, Refused, WrongState
from govhall.core.models import HolidayArrangement, HolidayPeriod, MakeUpWorkday
from tests.support import make_user

pytestmark = pytest.mark.django_db

NUMBER = "国办发明电〔2026〕示例号"
PERIODS = [
    ("元旦", date(2027, 1, 1), date(2027, 1, 3)),
    ("春节", date(2027, 2, 5), date(2027, 2, 13)),
]
MAKEUPS = [(date(2027, 2, 20), "春节调休")]


@pytest.fixture
def second(world):
    """A second person of the same district office."""
    return make_user("tadmin2", Role.DISTRICT_ADMIN, world["hub"])


def _enter(world, by=None, **kw):
    data = {"year": 2027, "number": NUMBER, "periods": PERIODS, "makeups": MAKEUPS}
    data.update(kw)
    return cal.holiday_arrangement_create(by=by or world["admin"], **data)


def test_an_arrangement_is_entered_whole_as_a_draft_with_its_history(world):
    a = _enter(world)
    assert (a.status, a.entered_by, a.district_id) == ("draft", world["admin"], world["district"].id)
    assert a.title == "国务院办公厅关于 2027 年部分节假日安排的通知"
    assert [(p.name, p.start, p.end) for p in a.periods.all()] == PERIODS
    assert [(m.date, m.name) for m in a.makeups.all()] == MAKEUPS
    h = a.history.get()
    assert (h.history_type, h.history_user) == ("+", world["admin"])
    assert HolidayPeriod.history.filter(history_user=world["admin"]).count() == 2
    assert MakeUpWorkday.history.filter(history_user=world["admin"]).count() == 1
    # A draft does not make the year known.
    assert year_known(2027, district=world["district"]) is False


def test_the_person_who_entered_it_cannot_confirm_it(world):
    a = _enter(world)
    with pytest.raises(Refused) as exc:
        cal.holiday_arrangement_confirm(by=world["admin"], arrangement=a)
    assert "录入人不能确认" in exc.value.message
    a.refresh_from_db()
    assert a.status == "draft" and a.confirmed_by is None
    assert a.history.count() == 1
    assert year_known(2027, district=world["district"]) is False


def test_a_second_person_of_the_district_office_confirms_it_and_the_year_becomes_known(world, second):
    a = _enter(world)
    changed = cal.holiday_arrangement_confirm(by=second, arrangement=a)
    a.refresh_from_db()
    assert (a.status, a.confirmed_by, changed.cases_changed) == ("confirmed", second, 0)
    assert a.confirmed_at is not None
    last = a.history.order_by("-history_date", "-history_id").first()
    assert (last.history_user, last.status) == (second, "confirmed")
    assert "确认 2027 年节假日安排" in last.history_change_reason
    d = world["district"]
    assert year_known(2027, district=d) is True
    assert is_workday(date(2027, 2, 8), district=d) is False
    assert is_workday(date(2027, 2, 20), district=d) is True
    with pytest.raises(WrongState):
        cal.holiday_arrangement_confirm(by=second, arrangement=a)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"periods": []}, "periods", "请至少录入一个放假时段"),
        ({"periods": [("春节", date(2027, 2, 13), date(2027, 2, 5))]}, "periods", "晚于结束日期"),
        ({"periods": [("元旦", date(2026, 12, 31), date(2027, 1, 2))]}, "periods", "不在 2027 年内"),
        (
            {"periods": [*PERIODS, ("春节补", date(2027, 2, 12), date(2027, 2, 14))]},
            "periods",
            "时段不能重叠",
        ),
        ({"periods": [("", date(2027, 1, 1), date(2027, 1, 1))]}, "periods", "请写明节日名称"),
        ({"makeups": [(date(2027, 2, 6), "")]}, "makeups", "既放假（春节）又上班"),
        ({"makeups": [(date(2027, 2, 17), "")]}, "makeups", "调休上班日应为周六或周日"),
        ({"makeups": [(date(2028, 1, 8), "")]}, "makeups", "不在 2027 年内"),
        ({"makeups": [(date(2027, 2, 20), ""), (date(2027, 2, 20), "")]}, "makeups", "重复录入"),
        ({"number": " "}, "number", "请填写通知文号"),
        ({"year": 1990}, "year", "请填写年份"),
        ({"year": None}, "year", "请填写年份"),
    ],
)
def test_an_inconsistent_arrangement_is_refused_next_to_the_field_and_nothing_is_saved(
    world, change, field, message
):
    with pytest.raises(DomainError) as exc:
        _enter(world, **change)
    assert message in "；".join(exc.value.errors[field])
    assert not HolidayArrangement.objects.exists()
    assert not HolidayArrangement.history.exists() and not HolidayPeriod.history.exists()


def test_every_inconsistency_is_reported_at_once(world):
    with pytest.raises(DomainError) as exc:
        _enter(
            world,
            number="",
            periods=[("春节", date(2027, 2, 13), date(2027, 2, 5))],
            makeups=[(date(2027, 2, 17), "")],
        )
    assert set(exc.value.errors) == {"number", "periods", "makeups"}


def test_a_year_is_entered_once_per_district(world, other_world):
    _enter(world)
    with pytest.raises(DomainError) as exc:
        _enter(world)
    assert exc.value.field == "year" and "已经录入" in exc.value.message
    _enter(world, by=other_world["admin"])  # another district enters its own
    assert HolidayArrangement.objects.count() == 2


def test_editing_a_confirmed_arrangement_needs_a_second_persons_confirmation_again(world, second):
    a = _enter(world)
    cal.holiday_arrangement_confirm(by=second, arrangement=a)
    d = world["district"]
    with pytest.raises(DomainError) as exc:  # a confirmed one is changed only with a reason
        cal.holiday_arrangement_update(by=second, arrangement=a, number=NUMBER, periods=PERIODS, makeups=[])
    assert exc.value.field == "reason"
    changed = cal.holiday_arrangement_update(
        by=second, arrangement=a, number=NUMBER, periods=PERIODS, makeups=[], reason="调休日录错"
    )
    a.refresh_from_db()
    assert (a.status, a.entered_by, a.confirmed_by, a.confirmed_at) == ("draft", second, None, None)
    assert changed.cases_changed == 0
    assert year_known(2027, district=d) is False  # until confirmed again
    with pytest.raises(CalendarUnknown):
        is_workday(date(2027, 1, 4), district=d)
    with pytest.raises(Refused):  # the one who changed it now cannot confirm it
        cal.holiday_arrangement_confirm(by=second, arrangement=a)
    cal.holiday_arrangement_confirm(by=world["admin"], arrangement=a)
    assert year_known(2027, district=d) is True
    assert is_workday(date(2027, 2, 20), district=d) is False  # the make-up day was taken out
    reasons = list(
        a.history.order_by("history_date", "history_id").values_list("history_change_reason", flat=True)
    )
    assert reasons[2] == "修改 2027 年节假日安排：调休日录错"


def test_reopening_and_removing_an_arrangement_unknows_the_year(world, second):
    a = _enter(world)
    cal.holiday_arrangement_confirm(by=second, arrangement=a)
    with pytest.raises(DomainError) as exc:
        cal.holiday_arrangement_reopen(by=second, arrangement=a, reason="")
    assert exc.value.field == "reason"
    cal.holiday_arrangement_reopen(by=second, arrangement=a, reason="与通知原文不符")
    assert year_known(2027, district=world["district"]) is False
    a.refresh_from_db()
    assert a.status == "draft" and a.history.order_by("-history_id").first().history_change_reason == (
        "退回待确认：与通知原文不符"
    )
    cal.holiday_arrangement_delete(by=world["admin"], arrangement=a, reason="重新录入")
    assert not HolidayArrangement.objects.exists() and not HolidayPeriod.objects.exists()
    gone = HolidayArrangement.history.filter(id=a.pk, history_type="-").get()
    assert gone.history_user == world["admin"] and "重新录入" in gone.history_change_reason


@pytest.mark.parametrize("who", ["clerk_a", "manager_a", "leader_a", "approver"])
def test_only_the_district_office_enters_and_confirms(world, second, who):
    with pytest.raises(Refused):
        _enter(world, by=world[who])
    a = _enter(world)
    with pytest.raises(Refused):
        cal.holiday_arrangement_confirm(by=world[who], arrangement=a)
    assert HolidayArrangement.objects.get().status == "draft"


def test_another_districts_office_finds_nothing(world, other_world):
    a = _enter(world)
    with pytest.raises(NotFound):
        cal.holiday_arrangement_get(by=other_world["admin"], pk=a.pk)
    with pytest.raises(NotFound):
        cal.holiday_arrangement_confirm(by=other_world["admin"], arrangement=a)
    assert HolidayArrangement.objects.get().status == "draft"


def test_an_arrangement_for_every_district_is_not_changed_from_a_district(world, second):
    a = cal.holiday_arrangement_create(by=None, year=2027, number=NUMBER, periods=PERIODS, makeups=[])
    assert a.district_id is None
    assert cal.holiday_arrangement_get(by=world["admin"], pk=a.pk) == a  # seen
    with pytest.raises(Refused):
        cal.holiday_arrangement_confirm(by=second, arrangement=a)


def test_the_page_text_one_period_or_day_a_line():
    assert cal.periods_from_text("2027-02-05 至 2027-02-13 春节\n\n2027-4-5 清明节\n") == [
        ("春节", date(2027, 2, 5), date(2027, 2, 13)),
        ("清明节", date(2027, 4, 5), date(2027, 4, 5)),
    ]
    assert cal.makeups_from_text("2027-02-20 春节调休\n2027-10-09") == [
        (date(2027, 2, 20), "春节调休"),
        (date(2027, 10, 9), ""),
    ]
    with pytest.raises(DomainError) as exc:
        cal.periods_from_text("2027-02-05 至 2027-02-13 春节\n春节 2月5日至13日")
    assert exc.value.field == "periods" and "第 2 行格式不对" in exc.value.message
    with pytest.raises(DomainError) as exc:
        cal.makeups_from_text("2027-02-30 调休")
    assert exc.value.field == "makeups" and "不是有效日期" in exc.value.message


def test_the_demo_enters_2027_as_a_draft_awaiting_a_second_person():
    from django.contrib.auth import get_user_model

    from govhall.centers.demo import load_demo

    assert load_demo()["holiday_arrangements"] == 1
    a = HolidayArrangement.objects.get(year=2027)
    assert (a.status, a.entered_by.username) == ("draft", "admin")
    assert "示例" in a.title and "示例" in a.number  # not the published notice
    assert year_known(2027, district=a.district_id) is False
    cal.holiday_arrangement_confirm(by=get_user_model().objects.get(username="admin2"), arrangement=a)
    assert year_known(2027, district=a.district_id) is True
