"""Half-days: staffing counts presence, leave and duty in mornings (AM) and
afternoons (PM). Plain date arithmetic, used by the models and the selectors
alike (a model never imports the selectors)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

AM, PM = 0, 1
HALF_LABEL = {AM: "上午", PM: "下午"}

HalfDay = tuple[date, int]  # (day, AM or PM)


def halves_between(first: HalfDay, last: HalfDay) -> Iterator[HalfDay]:
    """Every (day, half) from `first` to `last` inclusive."""
    day, half = first
    while (day, half) <= last:
        yield day, half
        if half == AM:
            half = PM
        else:
            day, half = day + timedelta(days=1), AM


def leave_span(
    *,
    start_date: date,
    start_pm: bool,
    end_date: date,
    end_am: bool,
    back_date: date | None,
    back_pm: bool,
) -> tuple[HalfDay, HalfDay]:
    """(first half-day, last half-day) away of a leave; after 销假 the last is the half-day before the return."""
    first = (start_date, PM if start_pm else AM)
    if back_date is not None:
        last = (back_date, AM) if back_pm else (back_date - timedelta(days=1), PM)
    else:
        last = (end_date, AM if end_am else PM)
    return first, last


def unserved_halves(who: list[int | None]) -> str:
    """Which halves of a day nobody serves, in words: 全天, 上午 or 下午."""
    if who == [None, None]:
        return "全天"
    return "、".join(HALF_LABEL[h] for h in (AM, PM) if who[h] is None)
