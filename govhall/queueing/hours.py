"""When a hall gives numbers and takes appointments: its hours on the day.

A ticket (kiosk, phone, clerk's console, API) is taken only while the hall is
open on an opening day (centers.selectors.opening_hours_on: the hall's
exception for the day, else a working day of the district's calendar — a
make-up working day counts, with Monday's hours — with the hall's weekly
hours), inside one of the day's periods and before the hall's cutoff (its
`ticket_cutoff_minutes` before the day's last closing time). A day whose
year has no holiday arrangement yet is not guessed: no tickets, and the
answer says why (the hall can still enter that day's hours as an exception).
An appointment check-in needs an opening day and the time between the day's
first opening and last closing (not the cutoff: the slot was booked).

Every tap reads this, so each server process keeps a hall's day for a few
seconds (core.cache.ProcessCache); a change to the hall's hours, exceptions,
rules or the calendar forgets it in that process at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from govhall.centers.models import Center
from govhall.centers.selectors import DayHours, opening_hours_on
from govhall.core.cache import ProcessCache
from govhall.core.errors import WrongState

from .models import HallRules

LOOK_AHEAD_DAYS = 62
WEEKDAY_NAMES = "一二三四五六日"

_days = ProcessCache(
    "hall-taking-day",
    depends_on=(
        "centers.Center",
        "centers.OpeningHours",
        "centers.HoursException",
        "core.CalendarOverride",
        "core.HolidayArrangement",
        "core.HolidayPeriod",
        "core.MakeUpWorkday",
        "queueing.HallRules",
    ),
    seconds=10,
)


class TicketsClosed(WrongState):
    """No ticket (or no booking) now: the message says when the hall gives numbers
    next; `next_open` is that time (None when it cannot be said)."""

    code = "hall_closed"

    def __init__(self, message: str, *, code: str, next_open: datetime | None = None, field: str = "queue"):
        super().__init__(message, field=field, code=code)
        self.next_open = next_open


@dataclass(frozen=True)
class TakingDay:
    """A hall's hours on one day and its cutoff for taking numbers."""

    hours: DayHours
    cutoff_minutes: int

    @property
    def periods(self) -> tuple[tuple[time, time], ...]:
        return self.hours.periods

    @property
    def cutoff(self) -> time | None:
        """The time numbers stop (None on a day the hall does not open)."""
        if not self.periods:
            return None
        last = datetime.combine(self.hours.day, self.periods[-1][1]) - timedelta(minutes=self.cutoff_minutes)
        return max(last, datetime.combine(self.hours.day, self.periods[0][0])).time()

    def first_taking_time(self, after: time | None = None) -> time | None:
        """The first time numbers are given this day (at or after `after`)."""
        cutoff = self.cutoff
        for opens, _closes in self.periods:
            start = opens if after is None or opens >= after else None
            if start is not None and cutoff is not None and start < cutoff:
                return start
        return None


def taking_day(center: Center, day: date) -> TakingDay:
    """The hall's hours and cutoff on `day`, kept a few seconds per process."""

    def load() -> TakingDay:
        rules = HallRules.objects.filter(center_id=center.pk).values_list("ticket_cutoff_minutes", flat=True)
        cutoff = rules.first()
        return TakingDay(opening_hours_on(center, day), 30 if cutoff is None else cutoff)

    return _days.get((center.pk, day), load)


def hours_text(periods) -> str:
    return "、".join(f"{o:%H:%M}–{c:%H:%M}" for o, c in periods)


def day_text(day: date) -> str:
    return f"{day.month}月{day.day}日（周{WEEKDAY_NAMES[day.weekday()]}）"


def next_taking(center: Center, now: datetime, *, from_tomorrow: bool = False) -> tuple[datetime | None, str]:
    """When numbers are given next after `now`, and that said in words
    ("下次可取号时间：12月1日（周二）09:00"). None when a year on the way has no
    holiday arrangement, or no opening day comes within two months."""
    local = timezone.localtime(now)
    tz = timezone.get_current_timezone()
    for offset in range(1 if from_tomorrow else 0, LOOK_AHEAD_DAYS + 1):
        day = local.date() + timedelta(days=offset)
        td = taking_day(center, day)
        if td.hours.unknown_year:
            return None, f"下次可取号时间暂无法确定（{td.hours.unknown_year} 年节假日安排尚未录入）"
        start = td.first_taking_time(local.time() if offset == 0 else None)
        if start is not None:
            at = timezone.make_aware(datetime.combine(day, start), tz)
            return at, f"下次可取号时间：{day_text(day)}{start:%H:%M}"
    return None, f"近 {LOOK_AHEAD_DAYS} 天内大厅没有可取号的办公时间"


def check_taking(center: Center, *, now: datetime | None = None, appointment: bool = False) -> None:
    """Refuse (TicketsClosed) a number outside the hall's taking hours; the
    answer says when it opens next."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    td = taking_day(center, local.date())
    t = local.time()
    if td.periods:
        if appointment:
            if td.periods[0][0] <= t < td.periods[-1][1]:
                return
        elif t < td.cutoff and any(o <= t < c for o, c in td.periods):  # type: ignore[operator]
            return
    if td.hours.unknown_year:
        raise TicketsClosed(
            f"{td.hours.unknown_year} 年节假日安排尚未录入，无法确定大厅今日是否办公，暂不能取号"
            "（大厅可登记今日的办公时间例外后取号）。",
            code="calendar_unknown",
        )
    next_at, next_words = next_taking(center, now)
    if not td.periods:
        message = f"今日大厅不办公（{td.hours.why_closed}），{next_words}。"
        code = "hall_closed_today"
    elif not appointment and t >= td.cutoff:  # type: ignore[operator]
        message = f"今日取号已结束（{td.cutoff:%H:%M} 截止），{next_words}。"
        code = "ticket_cutoff"
    else:
        message = f"大厅当前不在取号时间（今日 {hours_text(td.periods)}），{next_words}。"
        code = "hall_not_open"
    raise TicketsClosed(message, code=code, next_open=next_at)


def taking_refusal(center: Center, *, now: datetime | None = None) -> TicketsClosed | None:
    """What a take-a-number page says before anyone taps: why no numbers now, if so."""
    try:
        check_taking(center, now=now)
    except TicketsClosed as closed:
        return closed
    return None


def daily_cap_reached(
    center: Center, queue_name: str, cap: int, *, now: datetime | None = None
) -> TicketsClosed:
    """The refusal when a queue's 限号 for the day is used up."""
    next_at, next_words = next_taking(center, now or timezone.now(), from_tomorrow=True)
    return TicketsClosed(
        f"“{queue_name}”今日号已取完（每日限 {cap} 号），{next_words}。", code="daily_cap", next_open=next_at
    )


def slot_refusal(center: Center, day: date, starts: time, ends: time) -> str | None:
    """Why a slot on `day` from `starts` to `ends` cannot be offered (None if it can):
    it must lie inside one of the hall's opening periods of an opening day."""
    hours = taking_day(center, day).hours
    if hours.unknown_year:
        return f"{hours.unknown_year} 年节假日安排尚未录入，无法确定{day_text(day)}大厅是否办公，暂不能预约。"
    if not hours.periods:
        return f"{day_text(day)}大厅不办公（{hours.why_closed}），不能预约。"
    if not any(o <= starts and ends <= c for o, c in hours.periods):
        return f"该时段不在大厅{day_text(day)}的办公时间内（{hours_text(hours.periods)}），不能预约。"
    return None
