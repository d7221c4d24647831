"""A hall's state today in words, for citizens' pages (issue 17)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from govhall.core import public_cache

from .models import Center
from .selectors import opening_hours_on


def _spans(periods) -> str:
    return "、".join(f"{o:%H:%M}–{c:%H:%M}" for o, c in periods)


@dataclass(frozen=True)
class HallToday:
    """Open now / later today / closed, said in words (今天 08:30–12:00、14:00–17:30，开放至 17:30)."""

    is_open_day: bool
    open_now: bool
    text: str


def hall_today(center: Center, *, now: datetime | None = None, request: Any = None) -> HallToday:
    local = timezone.localtime(now or timezone.now())
    # The day's hours change only with the hall's hours, its exceptions or the calendar,
    # each of which bumps the public version (catalog and centers register them).
    day = local.date()
    hours = public_cache.cached(
        f"centers:hours-on:{center.pk}:{day}", lambda: opening_hours_on(center, day), request=request
    )
    if not hours.is_open:
        return HallToday(False, False, f"今天不办公（{hours.why_closed or '大厅当日不办公'}）")
    t = local.time()
    periods = hours.periods
    for opens, closes in periods:
        if opens <= t < closes:
            return HallToday(True, True, f"现在开放，开放至 {closes:%H:%M}（今天 {_spans(periods)}）")
    if t < periods[0][0]:
        return HallToday(True, False, f"今天 {periods[0][0]:%H:%M} 开门（{_spans(periods)}）")
    later = [o for o, _c in periods if o > t]
    if later:
        return HallToday(True, False, f"午间休息，{later[0]:%H:%M} 继续办公（{_spans(periods)}）")
    return HallToday(True, False, f"今天已下班（{_spans(periods)}）")
