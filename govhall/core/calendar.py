"""The working-day calendar: official holidays and make-up working days (调休).

A year is known when the district office has entered and a second person has
confirmed that year's national arrangement (`HolidayArrangement`, the State
Council's notice entered whole), or, for a year nobody entered, when the
`chinesecalendar` package has it. The district office's CalendarOverride rows
(停电闭厅, a local extra working day) correct single days of a known year and
never make a year known. In an unknown year CalendarUnknown is raised, so a
deadline is flagged rather than silently computed on weekends alone.

When the calendar changes, `calendar_changed` tells the apps above (cases
recomputes or flags again the deadlines it moves)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import chinese_calendar
from django.db.models import Q

from .cache import ProcessCache
from .errors import DomainError
from .extensions import ExtensionPoint

MAX_SPAN_DAYS = 3 * 366
log = logging.getLogger("govhall.calendar")


class CalendarUnknown(DomainError):
    """No holiday data for the year: the deadline cannot be computed."""

    code = "calendar_unknown"

    def __init__(self, year: int):
        super().__init__(
            f"{year} 年的法定节假日安排尚未录入或尚未确认，无法计算工作日期限，"
            f"请区政务办在“工作日调整”中录入该年的节假日安排并由第二人确认。"
        )
        self.year = year


calendar_changed: ExtensionPoint[Callable[..., Any]] = ExtensionPoint(
    "calendar changed",
    "The working days of `district_id` (None: every district) between `start` and `end` may have "
    "changed (an arrangement confirmed, reopened or removed; a local closure added or removed). "
    "Called inside the change's transaction as fn(district_id=, start=, end=, by=, reason=); each "
    "returns how many records it changed. Nobody registered: nothing else moves.",
)


def calendar_changed_announce(
    *, district_id: int | None, start: date, end: date, by: Any, reason: str
) -> int:
    """Tell every registered app that working days in [start, end] may have changed."""
    return sum(
        int(fn(district_id=district_id, start=start, end=end, by=by, reason=reason) or 0)
        for _, fn in calendar_changed.registered()
    )


class _Read:
    """What the database says about a district's calendar over some years."""

    def __init__(self) -> None:
        self.overrides: dict[date, bool] = {}
        self.arranged_years: set[int] = set()
        self.arranged: dict[date, bool] = {}


def _read(district_id, years) -> _Read:
    from .models import CalendarOverride, HolidayArrangement

    out = _Read()
    mine = Q(district__isnull=True)
    if district_id:
        mine |= Q(district_id=district_id)
    qs = CalendarOverride.objects.filter(mine)
    arrangements = HolidayArrangement.objects.filter(mine, status=HolidayArrangement.Status.CONFIRMED)
    if years:
        qs = qs.filter(date__year__gte=years[0], date__year__lte=years[1])
        arrangements = arrangements.filter(year__gte=years[0], year__lte=years[1])
    for day, workday, _ in sorted(
        qs.values_list("date", "is_workday", "district_id"), key=lambda r: r[2] is not None
    ):  # the district's own row wins
        out.overrides[day] = workday
    # The district's own confirmed arrangement of a year wins over one entered for everywhere.
    chosen: dict[int, HolidayArrangement] = {}
    for a in sorted(
        arrangements.prefetch_related("periods", "makeups"), key=lambda a: a.district_id is not None
    ):
        chosen[a.year] = a
    for year, a in chosen.items():
        out.arranged_years.add(year)
        for p in a.periods.all():
            day = p.start
            while day <= p.end:
                out.arranged[day] = False
                day += timedelta(days=1)
        for m in a.makeups.all():
            out.arranged[m.date] = True
    return out


# Deadlines are computed on every acceptance: each process keeps the rows it read for a moment.
_calendar_rows = ProcessCache(
    "calendar-overrides",
    depends_on=(
        "core.CalendarOverride",
        "core.HolidayArrangement",
        "core.HolidayPeriod",
        "core.MakeUpWorkday",
    ),
)


def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
        return True
    except NotImplementedError:
        return False


class _Calendar:
    """Working-day answers for one district over a range of dates, with the
    rows of that range read once."""

    def __init__(self, district=None, start: date | None = None, end: date | None = None):
        self.district_id = getattr(district, "pk", district)
        years = (start.year, end.year) if start and end else None
        self.rows: _Read = _calendar_rows.get(
            (self.district_id, years), lambda: _read(self.district_id, years)
        )

    def knows(self, year: int) -> bool:
        return year in self.rows.arranged_years or _package_knows(year)

    def is_workday(self, day: date) -> bool:
        rows = self.rows
        if day.year in rows.arranged_years:
            national = rows.arranged.get(day, day.weekday() < 5)
        else:
            try:
                national = chinese_calendar.is_workday(day)
            except NotImplementedError:
                # A local row (a closure) in an unknown year does not make the year known.
                raise CalendarUnknown(day.year) from None
        return rows.overrides.get(day, national)


def is_workday(day: date, *, district=None) -> bool:
    """Whether `day` is a working day (raises CalendarUnknown for an unknown year)."""
    return _Calendar(district, day, day).is_workday(day)


def year_known(year: int, *, district=None) -> bool:
    """Whether working days of `year` can be computed: its arrangement is confirmed
    (the district's own or one for everywhere), or the package has the year."""
    return _Calendar(district, date(year, 1, 1), date(year, 12, 31)).knows(year)


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
