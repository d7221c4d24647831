"""Counting a time limit of each legal kind (see `catalog.models.LimitUnit`).

* 工作日: the Nth working day after the start (`core.calendar.add_working_days`);
  a year whose holidays are not entered raises `CalendarUnknown` and the case is
  flagged, never computed on a guess.
* 自然日: start + N days; every day counts, holidays included — never flagged.
* 月: the same day N months later; a month without that day ends on its last day
  (31 January + 1 month = 28 or 29 February).

The start day itself is not counted (民法典 art. 201: a period in days, months or
years starts on the next day).
"""

from __future__ import annotations

import calendar as _calendar
from datetime import date, timedelta

from govhall.catalog.models import LimitUnit
from govhall.core.calendar import add_working_days, working_days_between


def add_months(start: date, months: int) -> date:
    """The same day `months` later, clamped to the end of a shorter month."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, _calendar.monthrange(year, month)[1]))


def limit_end(start: date, n: int, unit: str, *, district: int | None = None) -> date:
    """The last day of a limit of `n` `unit`s counted from `start` (raises
    CalendarUnknown only for working days in a year not entered)."""
    if unit == LimitUnit.DAY:
        return start + timedelta(days=n)
    if unit == LimitUnit.MONTH:
        return add_months(start, n)
    return add_working_days(start, n, district=district)


def days_between(start: date, end: date, unit: str, *, district: int | None = None) -> int:
    """Days between two dates as a limit of `unit` counts a pause: working days for a
    working-day limit, calendar days for a calendar-day or month limit."""
    if unit == LimitUnit.WORKDAY:
        return working_days_between(start, end, district=district)
    return (end - start).days
