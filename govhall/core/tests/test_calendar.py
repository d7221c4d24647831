from datetime import date

import pytest

from govhall.core.calendar import (
    CalendarUnknown,
    add_working_days,
    is_workday,
    working_days_between,
    year_known,
)
from govhall.core.models import CalendarOverride


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


@pytest.mark.django_db
def test_override_rows_make_an_unknown_year_computable(world):
    CalendarOverride.objects.create(date=date(2027, 1, 1), is_workday=False, note="2027 年元旦")
    assert year_known(2027) is True
    # Tue 29 Dec, Wed 30, Thu 31, (Fri 1 Jan off), Mon 4 Jan
    assert add_working_days(date(2026, 12, 28), 4) == date(2027, 1, 4)


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
