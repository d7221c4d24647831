"""The working-day calendar: official holidays and make-up working days (调休)
from the `chinesecalendar` package, corrected by the district office's own
CalendarOverride rows.

A day in a year the package does not know is a working day only if the
district office has entered that year's holidays (any override row in that
year); otherwise CalendarUnknown is raised, so a deadline is flagged rather
than silently computed on weekends alone."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import chinese_calendar
from django.db.models import Q

from .cache import ProcessCache
from .errors import DomainError

MAX_SPAN_DAYS = 3 * 366
log = logging.getLogger("govhall.calendar")


class CalendarUnknown(DomainError):
    """No holiday data for the year: the deadline cannot be computed."""

    code = "calendar_unknown"

    def __init__(self, year: int):
        super().__init__(
            f"{year} 年的法定节假日安排尚未录入，无法计算工作日期限，请区政务办在“工作日调整”中补录。"
        )
        self.year = year


def _read_overrides(district_id, years) -> tuple[dict[date, bool], set[int]]:
    from .models import CalendarOverride

    qs = CalendarOverride.objects.all()
    if years:
        qs = qs.filter(date__year__gte=years[0], date__year__lte=years[1])
    mine = Q(district__isnull=True)
    if district_id:
        mine |= Q(district_id=district_id)
    overrides: dict[date, bool] = {}
    covered: set[int] = set()
    for day, workday, _ in sorted(
        qs.filter(mine).values_list("date", "is_workday", "district_id"), key=lambda r: r[2] is not None
    ):  # the district's own row wins
        overrides[day] = workday
        covered.add(day.year)
    return overrides, covered


# Deadlines are computed on every acceptance: each process keeps the rows it read for a moment.
_overrides = ProcessCache("calendar-overrides", depends_on=("core.CalendarOverride",))


class _Calendar:
    """Working-day answers for one district over a range of dates, with the
    overrides of that range read once."""

    def __init__(self, district=None, start: date | None = None, end: date | None = None):
        self.district_id = getattr(district, "pk", district)
        years = (start.year, end.year) if start and end else None
        self.overrides, self.covered_years = _overrides.get(
            (self.district_id, years), lambda: _read_overrides(self.district_id, years)
        )

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year in self.covered_years:
                return day.weekday() < 5
            raise CalendarUnknown(day.year) from None


def is_workday(day: date, *, district=None) -> bool:
    """Whether `day` is a working day (raises CalendarUnknown for an unknown year)."""
    return _Calendar(district, day, day).is_workday(day)


def year_known(year: int, *, district=None) -> bool:
    """Whether working days of `year` can be computed (package data or local rows)."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
        return True
    except NotImplementedError:
        return year in _Calendar(district, date(year, 1, 1), date(year, 12, 31)).covered_years


def working_days_between(start: date, end: date, *, district=None) -> int:
    """Working days after `start` up to and including `end` (0 if end <= start).
    Day one of a time limit is the first working day after the day of acceptance."""
    if end <= start:
        return 0
    if (end - start).days > MAX_SPAN_DAYS:
        raise DomainError("日期跨度过大。", field="end")
    cal = _Calendar(district, start, end)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if cal.is_workday(day):
            count += 1
    return count


def add_working_days(start: date, days: int, *, district=None) -> date:
    """The date on which the `days`-th working day after `start` falls
    (`start` itself if days == 0)."""
    if days < 0:
        raise DomainError("工作日数不能为负数。", field="days")
    cal = _Calendar(district, start, start + timedelta(days=days * 3 + 40))
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if (day - start).days > MAX_SPAN_DAYS:
            raise DomainError("工作日数过大。", field="days")
        if cal.is_workday(day):
            left -= 1
    return day


def first_unknown_year(start: date, *, district=None, years: int = 3) -> int | None:
    """The first year from `start`'s on whose holidays are not known (None if the
    next `years` years all are): what a flagged deadline is waiting for."""
    for year in range(start.year, start.year + years):
        if not year_known(year, district=district):
            return year
    return None
