from datetime import date

import pytest

from govhall.core.calendar import (
    CalendarUnknown,
    add_working_days,
    is_workday,
    working_days_between,
    year_known,
)
from govhall.core.models import CalendarOverride, HolidayArrangement, HolidayPeriod, MakeUpWorkday


@pytest.mark.django_db
def test_national_day_2026_holiday_and_make_up_days_are_counted():
    # Accepted Wed 30 Sep 2026: 1-7 Oct are holidays, Sat 10 Oct is a make-up working day.
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert add_working_days(date(2026, 9, 30), 4) == date(2026, 10, 12)
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 12)) == 4


@pytest.mark.django_db
def test_make_up_sunday_before_national_day_is_a_working_day():
    assert is_workday(date(2026, 9, 20)) is True
    assert add_working_days(date(2026, 9, 18), 1) == date(2026, 9, 20)


@pytest.mark.django_db
def test_a_deadline_in_an_unknown_year_is_flagged_not_computed():
    with pytest.raises(CalendarUnknown) as exc:
        add_working_days(date(2026, 12, 28), 10)
    assert exc.value.year == 2027
    assert "2027" in exc.value.message
    assert year_known(2027) is False


def _arrangement(year=2027, *, district=None, confirmed=True, periods=None, makeups=None):
    """A 2027 arrangement written straight to the tables (the services are tested in centers)."""
    a = HolidayArrangement.objects.create(
        year=year,
        number="国办发明电〔2026〕示例号",
        title=f"国务院办公厅关于 {year} 年部分节假日安排的通知",
        district=district,
        status=HolidayArrangement.Status.CONFIRMED if confirmed else HolidayArrangement.Status.DRAFT,
    )
    for name, start, end in periods or [("元旦", date(2027, 1, 1), date(2027, 1, 3))]:
        HolidayPeriod.objects.create(arrangement=a, name=name, start=start, end=end)
    for day in makeups or []:
        MakeUpWorkday.objects.create(arrangement=a, date=day, name="调休")
    return a


@pytest.mark.django_db
def test_a_local_closure_never_makes_a_year_known(world):
    # Issue 13: one closure row in 2027 made is_workday(2027-01-01) true and a deadline ran through 元旦.
    CalendarOverride.objects.create(
        date=date(2027, 3, 1), is_workday=False, note="停电闭厅", district=world["district"]
    )
    CalendarOverride.objects.create(date=date(2027, 1, 1), is_workday=False, note="2027 年元旦")
    assert year_known(2027, district=world["district"]) is False
    with pytest.raises(CalendarUnknown):
        is_workday(date(2027, 1, 1), district=world["district"])
    with pytest.raises(CalendarUnknown):
        is_workday(date(2027, 3, 1), district=world["district"])  # not even the closure day itself
    with pytest.raises(CalendarUnknown):
        add_working_days(date(2026, 12, 28), 4, district=world["district"])


@pytest.mark.django_db
def test_only_a_confirmed_arrangement_makes_its_year_known(world):
    a = _arrangement(
        district=world["district"],
        confirmed=False,
        periods=[("元旦", date(2027, 1, 1), date(2027, 1, 3)), ("春节", date(2027, 2, 5), date(2027, 2, 13))],
        makeups=[date(2027, 2, 20)],
    )
    d = world["district"]
    assert year_known(2027, district=d) is False
    with pytest.raises(CalendarUnknown):
        is_workday(date(2027, 1, 4), district=d)
    a.status = HolidayArrangement.Status.CONFIRMED
    a.save()
    assert year_known(2027, district=d) is True
    assert is_workday(date(2027, 1, 1), district=d) is False  # 元旦 (a Friday)
    assert is_workday(date(2027, 1, 4), district=d) is True  # an ordinary Monday
    assert is_workday(date(2027, 2, 8), district=d) is False  # 春节, a Monday
    assert is_workday(date(2027, 2, 20), district=d) is True  # make-up Saturday
    assert is_workday(date(2027, 2, 27), district=d) is False  # an ordinary Saturday
    # Tue 29 Dec, Wed 30, Thu 31, (1-3 Jan off), Mon 4 Jan
    assert add_working_days(date(2026, 12, 28), 4, district=d) == date(2027, 1, 4)


@pytest.mark.django_db
def test_another_districts_arrangement_does_not_make_my_year_known(world, other_world):
    _arrangement(district=other_world["district"])
    assert year_known(2027, district=other_world["district"]) is True
    assert year_known(2027, district=world["district"]) is False


@pytest.mark.django_db
def test_an_arrangement_for_everywhere_serves_every_district_and_a_districts_own_wins(world):
    _arrangement()
    assert year_known(2027, district=world["district"]) is True and year_known(2027) is True
    _arrangement(district=world["district"], periods=[("元旦", date(2027, 1, 1), date(2027, 1, 1))])
    assert is_workday(date(2027, 1, 3)) is False  # Sunday
    assert is_workday(date(2027, 1, 4), district=world["district"]) is True
    assert is_workday(date(2027, 1, 1), district=world["district"]) is False


@pytest.mark.django_db
def test_a_closure_corrects_a_day_of_a_known_year(world):
    _arrangement(district=world["district"])
    d = world["district"]
    assert is_workday(date(2027, 3, 1), district=d) is True
    CalendarOverride.objects.create(date=date(2027, 3, 1), is_workday=False, note="停电闭厅", district=d)
    assert is_workday(date(2027, 3, 1), district=d) is False


@pytest.mark.django_db
def test_local_closure_of_one_district_does_not_affect_others(world, other_world):
    CalendarOverride.objects.create(
        date=date(2026, 11, 26), is_workday=False, note="停电闭厅", district=world["district"]
    )
    assert is_workday(date(2026, 11, 26), district=world["district"]) is False
    assert is_workday(date(2026, 11, 26), district=other_world["district"]) is True
    assert is_workday(date(2026, 11, 26)) is True


@pytest.mark.django_db
def test_district_row_wins_over_row_for_everyone(world):
    CalendarOverride.objects.create(date=date(2026, 11, 28), is_workday=False, note="全区")
    CalendarOverride.objects.create(
        date=date(2026, 11, 28), is_workday=True, note="本区加班受理", district=world["district"]
    )
    assert is_workday(date(2026, 11, 28), district=world["district"]) is True
    assert is_workday(date(2026, 11, 28)) is False


@pytest.mark.django_db
def test_zero_days_and_reversed_ranges():
    assert add_working_days(date(2026, 10, 1), 0) == date(2026, 10, 1)
    assert working_days_between(date(2026, 10, 12), date(2026, 10, 1)) == 0
