"""A holiday entry moves every deadline: the district office's calendar rows
are written with their history (who, when, why), and removing one is kept too."""

from datetime import date

import pytest

from govhall.centers.calendar import calendar_override_add, calendar_override_delete
from govhall.core.errors import DomainError, Refused
from govhall.core.models import CalendarOverride

pytestmark = pytest.mark.django_db


def test_adding_and_removing_an_override_is_recorded_with_who_and_why(world):
    row = calendar_override_add(by=world["admin"], day=date(2027, 1, 1), is_workday=False, note="2027 年元旦")
    added = row.history.get()
    assert (added.history_type, added.history_user, added.history_change_reason) == (
        "+",
        world["admin"],
        "2027 年元旦",
    )
    pk = row.pk
    calendar_override_delete(by=world["admin"], override=row)
    assert not CalendarOverride.objects.exists()
    removed = CalendarOverride.history.filter(id=pk).order_by("history_date").last()
    assert (removed.history_type, removed.history_user) == ("-", world["admin"])


def test_only_the_district_office_keeps_the_calendar_and_a_refusal_writes_nothing(world):
    with pytest.raises(Refused):
        calendar_override_add(by=world["clerk_a"], day=date(2027, 1, 1), is_workday=False, note="元旦")
    with pytest.raises(DomainError) as exc:
        calendar_override_add(by=world["admin"], day=date(2027, 1, 1), is_workday=False, note="")
    assert exc.value.field == "note"
    assert not CalendarOverride.objects.exists()
    assert not CalendarOverride.history.exists()
