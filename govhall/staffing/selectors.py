"""Readers: opening days, who is away, the coverage calendar and its gaps,
training qualification, attendance and assessment views.

The coverage engine reads every row it needs in a handful of queries (windows,
posts, leave, substitutes, hours, exceptions, calendar overrides) and works out
each window's duty per half-day in Python: A if there, else B, else the
substitute named for that day; nobody → a gap."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.db.models import Avg, Count, Min, Q, QuerySet
from django.utils import timezone

from govhall.accounts.models import User
from govhall.accounts.selectors import roles_at, visible_center_ids
from govhall.centers.models import Center, HoursException, OpeningHours
from govhall.queueing.models import Queue, Window

from .halfdays import AM, PM, HalfDay, halves_between, leave_span
from .models import (
    Attendance,
    AttendanceCorrection,
    AttendanceSetting,
    Leave,
    MonthlyAssessment,
    Post,
    StaffPlacement,
    Substitute,
    TrainingCourse,
    TrainingRecord,
    WeightSet,
)
from .permissions import HALL_STAFF, MANAGE, POST_HOLDERS

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

Period = tuple[time, time]  # opens, closes

NOON = time(12, 0)
SPAN_FIELDS = ("start_date", "start_pm", "end_date", "end_am", "back_date", "back_pm")  # leave_span's


# --- opening days --------------------------------------------------------------------------------


def _workdays(district_id: int, start: date, end: date) -> set[date]:
    """Working days (holidays and 调休 make-up days) in [start, end]."""
    from govhall.core.calendar import CalendarUnknown, _Calendar

    cal = _Calendar(district_id, start, end)
    out, day = set(), start
    while day <= end:
        try:
            if cal.is_workday(day):
                out.add(day)
        except CalendarUnknown:
            # A year nobody has entered yet: plan on weekdays rather than fail the page.
            if day.weekday() < 5:
                out.add(day)
        day += timedelta(days=1)
    return out


def opening_days(center_ids: Iterable[int], start: date, end: date) -> dict[int, list[date]]:
    """For each hall, its opening days in [start, end]: working days on which
    the hall has hours that weekday and no closing exception. A make-up working
    day (调休) on a weekend opens with the hall's weekday hours; an exception
    with hours opens a working day even where the weekday has none."""
    centers = list(Center.objects.filter(id__in=list(center_ids)).values_list("id", "district_id"))
    weekdays: dict[int, set[int]] = defaultdict(set)
    for cid, wd in OpeningHours.objects.filter(center_id__in=[c for c, _ in centers]).values_list(
        "center_id", "weekday"
    ):
        weekdays[cid].add(wd)
    exceptions: dict[int, dict[date, bool]] = defaultdict(dict)
    for cid, day, closed in HoursException.objects.filter(
        center_id__in=[c for c, _ in centers], date__gte=start, date__lte=end
    ).values_list("center_id", "date", "is_closed"):
        exceptions[cid][day] = closed
    work_by_district = {d: _workdays(d, start, end) for d in {d for _, d in centers}}
    out: dict[int, list[date]] = {}
    for cid, district_id in centers:
        work = work_by_district[district_id]
        days = []
        day = start
        while day <= end:
            if day in work:
                closed_that_day = exceptions[cid].get(day)
                regular = day.weekday() in weekdays[cid] or (
                    day.weekday() >= 5 and any(wd < 5 for wd in weekdays[cid])
                )  # 调休 make-up day
                if closed_that_day is False or (closed_that_day is None and regular):
                    days.append(day)
            day += timedelta(days=1)
        out[cid] = days
    return out


def hall_hours(center: Center, day: date) -> list[Period]:
    """The opening periods of `center` on `day` (the exception's hours if any)."""
    exc = HoursException.objects.filter(center=center, date=day).first()
    if exc is not None:
        if exc.is_closed or exc.opens is None or exc.closes is None:
            return []
        return [(exc.opens, exc.closes)]
    rows = list(
        OpeningHours.objects.filter(center=center)
        .order_by("weekday", "opens")
        .values_list("weekday", "opens", "closes")
    )
    same = [(o, c) for wd, o, c in rows if wd == day.weekday()]
    if same or day.weekday() < 5:
        return same
    weekday = [(wd, o, c) for wd, o, c in rows if wd < 5]
    if not weekday or day not in _workdays(center.district_id, day, day):
        return []
    first = weekday[0][0]  # a make-up working day keeps the hours of a normal weekday
    return [(o, c) for wd, o, c in weekday if wd == first]


# --- who is away -----------------------------------------------------------------------------------


def away_halves(
    user_ids: Iterable[int], start: date, end: date, *, exclude_leave_id: int | None = None
) -> dict[int, set[HalfDay]]:
    """(day, half) each person is away on approved leave within [start, end]."""
    qs = Leave.objects.filter(
        user_id__in=list(user_ids), status__in=Leave.AWAY, start_date__lte=end, end_date__gte=start
    )
    if exclude_leave_id:
        qs = qs.exclude(id=exclude_leave_id)
    out: dict[int, set[HalfDay]] = defaultdict(set)
    lo, hi = (start, AM), (end, PM)
    for uid, *span in qs.values_list("user_id", *SPAN_FIELDS):
        first, last = leave_span(**dict(zip(SPAN_FIELDS, span, strict=True)))
        out[uid].update(halves_between(max(first, lo), min(last, hi)))
    return out


# --- coverage ------------------------------------------------------------------------------------------


UNPOSTED_REASON = "未设置A/B岗，无人值守"


@dataclass(slots=True)
class Cell:
    """One window on one opening day: who serves each half and how (A, B, 顶岗), or nobody."""

    window_id: int
    day: date
    who: list[int | None]  # user id per half
    how: list[str | None]  # "A", "B", "S" or None per half
    unposted: bool = False  # the window has no A/B post at all: every opening day is a gap

    @property
    def gap(self) -> bool:
        return None in self.who

    @property
    def reason(self) -> str:
        """Why nobody serves, in words (empty when someone does)."""
        if not self.gap:
            return ""
        return UNPOSTED_REASON if self.unposted else "A岗、B岗均不在岗，且未指定顶岗人员"

    @property
    def on_duty(self) -> set[int]:
        return {u for u in self.who if u}


@dataclass
class Coverage:
    start: date
    end: date
    days: dict[int, list[date]]  # center id → opening days
    windows: list[Window]  # with their center
    posts: dict[int, dict[str, int]]  # window id → {"A": user id, "B": user id}
    cells: dict[tuple[int, date], Cell]  # (window id, day) → Cell
    names: dict[int, str]  # user id → display name
    away: dict[int, set[HalfDay]]  # user id → set of (day, half)

    def gaps(self) -> list[Cell]:
        return sorted((c for c in self.cells.values() if c.gap), key=lambda c: (c.day, c.window_id))

    def name_of(self, user_id: int | None) -> str | None:
        """The display name of a person on the calendar (None for nobody)."""
        return self.names.get(user_id) if user_id else None

    def holder(self, window_id: int, role: str) -> str | None:
        """The name of who holds `window_id`'s A or B post, if anyone."""
        return self.name_of(self.posts.get(window_id, {}).get(role))

    def unposted(self) -> list[Window]:
        return [w for w in self.windows if not self.posts.get(w.id)]


def _trained_queue_ids(user_ids: Iterable[int], day: date) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    rows = TrainingRecord.objects.filter(
        user_id__in=list(user_ids), passed=True, refresher_due__gte=day, course__held_on__lte=day
    ).values_list("user_id", "course__queues")
    for uid, qid in rows:
        if qid:
            out[uid].add(qid)
    return out


def coverage(
    *,
    center_ids: Iterable[int],
    start: date,
    end: date,
    window_ids: Iterable[int] | None = None,
    extra_away: Mapping[int, Iterable[HalfDay]] | None = None,
    extra_subs: Mapping[tuple[int, date], int] | None = None,
    exclude_leave_id: int | None = None,
) -> Coverage:
    """The coverage calendar of the halls `center_ids` (active ones) from `start`
    to `end`. `extra_away` {user id: halves} and `extra_subs` {(window id, day):
    user id} let a pending approval see the calendar as it would be."""
    active = set(
        Center.objects.filter(id__in=list(center_ids), status=Center.Status.ACTIVE).values_list(
            "id", flat=True
        )
    )
    wqs = (
        Window.objects.filter(center_id__in=active)
        .select_related("center")
        .order_by("center__code", "number")
    )
    if window_ids is not None:
        wqs = wqs.filter(id__in=list(window_ids))
    windows = list(wqs)
    wids = [w.id for w in windows]
    days = opening_days(active, start, end)
    posts: dict[int, dict[str, int]] = defaultdict(dict)
    for wid, role, uid in Post.objects.filter(window_id__in=wids).values_list("window_id", "role", "user_id"):
        posts[wid][role] = uid
    subs: dict[tuple[int, date], int] = {}
    named = Substitute.objects.filter(
        window_id__in=wids, day__gte=start, day__lte=end, leave__status__in=Leave.AWAY
    )
    if exclude_leave_id is not None:
        named = named.exclude(leave_id=exclude_leave_id)
    for wid, day, uid in named.values_list("window_id", "day", "user_id"):
        subs[(wid, day)] = uid
    subs.update(extra_subs or {})
    people = {u for p in posts.values() for u in p.values()} | set(subs.values())
    away = away_halves(people, start, end, exclude_leave_id=exclude_leave_id)
    for uid, halves in (extra_away or {}).items():
        away.setdefault(uid, set()).update(halves)
    cells: dict[tuple[int, date], Cell] = {}
    for w in windows:
        p = posts.get(w.id)
        if not p:
            # No post at all: nobody is bound to serve it, so each opening day is a gap (the gap
            # check and the daily warning see it). Who may open it is another rule: may_serve_window.
            for day in days.get(w.center_id, ()):
                cells[(w.id, day)] = Cell(w.id, day, [None, None], [None, None], unposted=True)
            continue
        a, b = p.get("A"), p.get("B")
        a_away = away.get(a, set()) if a else set()
        b_away = away.get(b, set()) if b else set()
        for day in days.get(w.center_id, ()):
            cell = Cell(w.id, day, [None, None], [None, None])
            sub = subs.get((w.id, day))
            for half in (AM, PM):
                key = (day, half)
                if a and key not in a_away:
                    cell.who[half], cell.how[half] = a, "A"
                elif b and key not in b_away:
                    cell.who[half], cell.how[half] = b, "B"
                elif sub and key not in away.get(sub, ()):
                    cell.who[half], cell.how[half] = sub, "S"
            cells[(w.id, day)] = cell
    names = dict(
        (uid, full or username)
        for uid, full, username in User.objects.filter(id__in=people).values_list(
            "id", "full_name", "username"
        )
    )
    return Coverage(start, end, days, windows, dict(posts), cells, names, away)


def gaps_visible_to(user: User | AnonymousUser, *, start: date, days: int = 30) -> Coverage:
    """The coverage of every hall `user` can see over the next `days` days
    (the gap list: `.gaps()`, and the windows with no posts yet: `.unposted()`)."""
    return coverage(center_ids=visible_center_ids(user), start=start, end=start + timedelta(days=days - 1))


def on_duty_at(*, window: Window, day: date) -> User | None:
    """The person serving `window` on `day` (A, B when A is away, or the named
    substitute), or None when nobody is (a gap) or the hall is closed."""
    cov = coverage(center_ids=[window.center_id], start=day, end=day, window_ids=[window.id])
    cell = cov.cells.get((window.id, day))
    if cell is None:
        return None
    uid = next((u for u in cell.who if u), None)
    return User.objects.filter(id=uid).first() if uid else None


def may_serve_window(*, user: Any, window: Window, day: date) -> bool:
    """Whether `user` holds `window`'s post on duty on `day`: A, B covering, or
    the named substitute (on a half-day leave, whoever serves either half).
    A window whose posts are not yet set is not yet under the A/B rule (True);
    on a day the hall is closed (extra service), its A or B may open it unless away."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    holders = dict(Post.objects.filter(window=window).values_list("role", "user_id"))
    if not holders:
        return True
    # The A holder away on no half of `day` is on duty whatever the calendar says (the coverage
    # below would answer the same): the clerk's every call and finish asks this, so answer it
    # in one query (govhall/demo/tests/test_people.py pins the agreement).
    if user.id == holders.get(Post.Role.A) and not away_halves([user.id], day, day):
        return True
    cov = coverage(center_ids=[window.center_id], start=day, end=day, window_ids=[window.id])
    cell = cov.cells.get((window.id, day))
    if cell is not None:
        return user.id in cell.on_duty
    return user.id in holders.values() and not cov.away.get(user.id)


# --- posts and people ----------------------------------------------------------------------------------


def posts_of_hall(center: Center) -> list[Post]:
    return list(
        Post.objects.filter(window__center=center)
        .select_related("window", "user")
        .order_by("window__number", "role")
    )


def post_load(center: Center) -> list[dict[str, Any]]:
    """Each post holder of the hall and their load: windows as A and as B."""
    load: dict[int, dict[str, Any]] = {}
    for p in posts_of_hall(center):
        row = load.setdefault(p.user_id, {"user": p.user, "A": [], "B": []})
        row[p.role].append(p.window)
    return sorted(load.values(), key=lambda r: (-len(r["A"]) - len(r["B"]), r["user"].display_name))


def hall_staff(center: Center, roles: Collection[str] | None = None) -> QuerySet[User]:
    """People with a counter role at `center` itself."""
    roles = roles or POST_HOLDERS
    return (
        User.objects.filter(
            role_assignments__center=center, role_assignments__role__in=list(roles), is_active=True
        )
        .distinct()
        .order_by("full_name", "username")
    )


def trained_for(user: User, window: Window, day: date) -> bool:
    """Whether `user` holds a valid training record for every queue `window` serves."""
    needed = set(window.queues.values_list("id", flat=True))
    if not needed:
        return True
    return needed <= _trained_queue_ids([user.id], day).get(user.id, set())


def missing_training(user: User, window: Window, day: date) -> list[Queue]:
    needed = {q.id: q for q in window.queues.all()}
    have = _trained_queue_ids([user.id], day).get(user.id, set())
    return [q for qid, q in needed.items() if qid not in have]


# --- leave ---------------------------------------------------------------------------------------------


def leave_days(center: Center, first: HalfDay, last: HalfDay) -> Decimal:
    """Working days (in halves) of `center` between two half-days inclusive."""
    if last < first:
        return Decimal("0")
    open_days = set(opening_days([center.id], first[0], last[0]).get(center.id, []))
    halves = sum(1 for day, _ in halves_between(first, last) if day in open_days)
    return Decimal(halves) / 2


def leave_gaps(leave: Leave, *, substitutes: Mapping[tuple[int, date], int] | None = None) -> list[Cell]:
    """The gaps approving `leave` would open at the windows its person holds a
    post at, given the `substitutes` {(window id, day): user id} proposed."""
    first, last = leave.periods
    window_ids = list(
        Post.objects.filter(user_id=leave.user_id, window__center_id=leave.center_id).values_list(
            "window_id", flat=True
        )
    )
    if not window_ids:
        return []
    cov = coverage(
        center_ids=[leave.center_id],
        start=leave.start_date,
        end=leave.end_date,
        window_ids=window_ids,
        extra_away={leave.user_id: set(halves_between(first, last))},
        extra_subs=substitutes or {},
        exclude_leave_id=leave.id,
    )
    return cov.gaps()


def leaves_visible_to(user: User | AnonymousUser) -> QuerySet[Leave]:
    """Own leave plus the leave of the halls `user` manages."""
    centers = Center.objects.filter(id__in=visible_center_ids(user))
    managed = [c.id for c in centers if roles_at(user, c) & MANAGE]
    return (
        Leave.objects.filter(Q(user=user) | Q(center_id__in=managed))
        .select_related("user", "center", "approver")
        .order_by("-start_date", "-id")
    )


def substitute_candidates(leave: Leave, window: Window, day: date) -> list[User]:
    """Hall staff trained for `window` who are not away on `day` and are not the leave's person."""
    people = [u for u in hall_staff(leave.center) if u.id != leave.user_id]
    away = away_halves([u.id for u in people], day, day)
    return [u for u in people if not away.get(u.id) and trained_for(u, window, day)]


# --- attendance ----------------------------------------------------------------------------------------


def _halves_of(periods: Iterable[Period]) -> dict[int, list[Period]]:
    out: dict[int, list[Period]] = {AM: [], PM: []}
    for opens, closes in periods:
        out[AM if opens < NOON else PM].append((opens, closes))
    return out


NO_DATA = "无数据"  # before the hall's attendance go-live: the system was not in use, not an absence
NOT_STARTED = "—"  # before the person's first day at the hall


def attendance_go_live(center: Center) -> date | None:
    """The first day the hall's attendance is kept in the system: the go-live
    date its branch manager set, else the day of its first attendance record
    (None: nobody has ever clocked in there, so no day has data)."""
    setting = AttendanceSetting.objects.filter(center=center).first()
    if setting is not None:
        return setting.attendance_since
    return Attendance.objects.filter(center=center).aggregate(first=Min("day"))["first"]


def started_on_of(center: Center, user_ids: Iterable[int]) -> dict[int, date]:
    """Each person's first day at `center` (入职/进驻日期), where it was entered."""
    return dict(
        StaffPlacement.objects.filter(center=center, user_id__in=list(user_ids)).values_list(
            "user_id", "started_on"
        )
    )


def day_is_over(day: date, periods: Iterable[Period], now: datetime) -> bool:
    """Whether `day`'s hours have ended at `now`: an earlier day has; today only
    once the hall's last period has closed."""
    today = timezone.localdate(now)
    if day != today:
        return day < today
    closes = [c for _, c in periods]
    return bool(closes) and timezone.localtime(now).time() >= max(closes)


def attendance_day(
    *,
    day: date,
    periods: Iterable[Period],
    away: Collection[HalfDay],
    record: Attendance | None,
    over: bool,
) -> dict[str, Any]:
    """One person's attendance on one opening day: a code and what it counts as.
    Late and early are measured against the hours of the halves not on leave.
    A day whose hours have not ended (`over` false: later today, or a future
    day) is not yet expected: it shows what is known and counts nothing."""
    halves = _halves_of(periods)
    working = [h for h in (AM, PM) if (day, h) not in away and halves[h]]
    on_leave = [h for h in (AM, PM) if (day, h) in away]
    out: dict[str, Any] = {
        "day": day,
        "code": "",
        "late": False,
        "early": False,
        "absent": False,
        "counted": False,
        "no_data": False,
        "leave": Decimal(len(on_leave)) / 2,
        "record": record,
    }
    if not working:
        out["code"] = "假" if on_leave else ""
        return out
    starts = min(o for h in working for o, _ in halves[h])
    ends = max(c for h in working for _, c in halves[h])
    prefix = "半假" if on_leave else ""
    if not over:
        # Not yet expected: a clock-in already made shows (and whether it was late), nothing counts.
        if record is not None and record.clock_in is not None:
            late = timezone.localtime(record.clock_in).time() > starts
            out["code"] = prefix + ("迟" if late else "√")
        else:
            out["code"] = prefix
        return out
    out["counted"] = True
    if record is None or record.clock_in is None:
        out["absent"] = True
        out["code"] = prefix + "缺"
        return out
    cin = timezone.localtime(record.clock_in).time()
    out["late"] = cin > starts
    if record.clock_out is not None:
        out["early"] = timezone.localtime(record.clock_out).time() < ends
    else:
        out["early"] = True  # the day is over and they never clocked out
    code = "".join(x for x, flag in (("迟", out["late"]), ("早", out["early"])) if flag) or "√"
    out["code"] = prefix + code
    return out


def _blank_day(day: date, code: str, *, no_data: bool) -> dict[str, Any]:
    return {
        "day": day,
        "code": code,
        "late": False,
        "early": False,
        "absent": False,
        "counted": False,
        "no_data": no_data,
        "leave": Decimal("0"),
        "record": None,
    }


def attendance_sheet(
    center: Center, month: date, *, users: Iterable[User] | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """The month's attendance of the hall's staff: a code per opening day and totals.

    Expected days (应出勤) are the opening days whose hours have ended, from the
    person's first day at the hall (`StaffPlacement`) and from the hall's
    attendance go-live (`attendance_go_live`). Days before the go-live show
    "无数据" and count as neither present nor absent; days before the person's
    first day show "—". `no_data` counts the person's days without data."""
    now = now or timezone.now()
    month = month.replace(day=1)
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    people = list(users) if users is not None else list(hall_staff(center, HALL_STAFF))
    open_days = opening_days([center.id], month, last).get(center.id, [])
    periods = {d: hall_hours(center, d) for d in open_days}
    over = {d: day_is_over(d, periods[d], now) for d in open_days}
    go_live = attendance_go_live(center)
    started = started_on_of(center, [u.id for u in people])
    records = {
        (r.user_id, r.day): r
        for r in Attendance.objects.filter(user__in=people, day__gte=month, day__lte=last)
    }
    away = away_halves([u.id for u in people], month, last)
    rows = []
    for u in people:
        cells: list[dict[str, Any]] = []
        totals: dict[str, Any] = {
            "expected": 0,
            "present": 0,
            "late": 0,
            "early": 0,
            "absent": 0,
            "leave": Decimal("0"),
            "no_data": 0,
        }
        first_day = started.get(u.id)
        for d in open_days:
            if first_day is not None and d < first_day:
                cells.append(_blank_day(d, NOT_STARTED, no_data=False))
                continue
            if (go_live is None or d < go_live) and over[d]:
                cells.append(_blank_day(d, NO_DATA, no_data=True))
                totals["no_data"] += 1
                continue
            c = attendance_day(
                day=d,
                periods=periods[d],
                away=away.get(u.id, set()),
                record=records.get((u.id, d)),
                over=over[d],
            )
            cells.append(c)
            totals["leave"] += c["leave"]
            if c["counted"]:
                totals["expected"] += 1
                totals["absent"] += c["absent"]
                totals["present"] += not c["absent"]
                totals["late"] += c["late"]
                totals["early"] += c["early"]
        rows.append({"user": u, "cells": cells, "totals": totals, "started_on": first_day})
    return {
        "center": center,
        "month": month,
        "days": open_days,
        "rows": rows,
        "go_live": go_live,
        "now": now,
    }


def corrections_pending(center: Center) -> QuerySet[AttendanceCorrection]:
    return (
        AttendanceCorrection.objects.filter(center=center, status=AttendanceCorrection.Status.REQUESTED)
        .select_related("user")
        .order_by("day")
    )


# --- training ------------------------------------------------------------------------------------------


def training_of_hall(center: Center) -> QuerySet[TrainingCourse]:
    return (
        TrainingCourse.objects.filter(
            Q(center=center) | Q(center__isnull=True, district_id=center.district_id)
        )
        .prefetch_related("queues", "items", "records__user")
        .order_by("-held_on")
    )


def refreshers_due(
    center: Center, *, within_days: int = 60, today: date | None = None
) -> QuerySet[TrainingRecord]:
    today = today or timezone.localdate()
    return (
        TrainingRecord.objects.filter(
            course__center=center, refresher_due__lte=today + timedelta(days=within_days)
        )
        .select_related("user", "course")
        .order_by("refresher_due")
    )


# --- assessment ----------------------------------------------------------------------------------------


def assessments_of(center: Center, month: date) -> QuerySet[MonthlyAssessment]:
    return (
        MonthlyAssessment.objects.filter(center=center, month=month.replace(day=1))
        .select_related("user", "confirmed_by")
        .prefetch_related("lines")
        .order_by("-score", "user__username")
    )


def window_scores(center: Center, month: date) -> list[dict[str, Any]]:
    """A window's score: the mean of its A and B post holders' scores."""
    scores = {a.user_id: Decimal(a.score) for a in assessments_of(center, month) if a.score is not None}
    out = []
    for w in center.windows.order_by("number"):
        held = [scores[p.user_id] for p in w.posts.all() if p.user_id in scores]
        mean = sum(held, Decimal(0)) / len(held) if held else None
        out.append({"window": w, "score": mean.quantize(Decimal("0.1")) if mean is not None else None})
    return out


def rankings(*, user: User | AnonymousUser, month: date) -> list[dict[str, Any]]:
    """Branches of the district ranked by their clerks' mean score (for the district office)."""
    rows = (
        MonthlyAssessment.objects.filter(
            center_id__in=visible_center_ids(user), month=month.replace(day=1), score__isnull=False
        )
        .values("center_id", "center__name")
        .annotate(avg=Avg("score"), n=Count("id"))
        .order_by("-avg")
    )
    confirmed = set(
        MonthlyAssessment.objects.filter(month=month.replace(day=1), status="confirmed").values_list(
            "center_id", flat=True
        )
    )
    return [
        {
            "rank": i + 1,
            "center_id": r["center_id"],
            "name": r["center__name"],
            "score": Decimal(r["avg"]).quantize(Decimal("0.1")),
            "clerks": r["n"],
            "confirmed": r["center_id"] in confirmed,
        }
        for i, r in enumerate(rows)
    ]


# --- assessment weights --------------------------------------------------------------------------------


def weight_departments_visible_to(user: User | AnonymousUser) -> QuerySet[Any]:
    """The departments whose halls `user` can see (whose weight sets they may read)."""
    from govhall.centers.models import Department

    dept_ids = (
        Center.objects.filter(id__in=visible_center_ids(user), department__isnull=False)
        .values_list("department_id", flat=True)
        .distinct()
    )
    return Department.objects.filter(id__in=list(dept_ids)).order_by("name")


def weight_sets_visible_to(user: User | AnonymousUser) -> QuerySet[WeightSet]:
    """Weight sets of the departments whose halls `user` can see, newest first."""
    return (
        WeightSet.objects.filter(department__in=weight_departments_visible_to(user))
        .select_related("department", "proposed_by", "decided_by")
        .order_by("-proposed_at", "-id")
    )


# --- what the workbench shows of staffing -------------------------------------------------------------


def leaves_to_decide(user: User | AnonymousUser) -> QuerySet[Leave]:
    """待我审批: others' leave requests at the halls `user` manages (the leave page's
    "待我审批" list, row for row)."""
    return leaves_visible_to(user).exclude(user_id=cast(int, user.pk)).filter(status=Leave.Status.REQUESTED)


def my_current_leave(user: User, *, today: date | None = None) -> QuerySet[Leave]:
    """The user's own leave not over yet: requested, approved or running, ending today or later."""
    today = today or timezone.localdate()
    return Leave.objects.filter(
        user_id=user.pk,
        status__in=[Leave.Status.REQUESTED, Leave.Status.APPROVED, Leave.Status.ON_LEAVE],
        end_date__gte=today,
    ).order_by("start_date", "id")


def attendance_today(user: User, *, today: date | None = None) -> Attendance | None:
    """The user's clock-in/out record of today, if any."""
    return Attendance.objects.filter(user_id=user.pk, day=today or timezone.localdate()).first()


def on_duty_today(center_ids: Iterable[int], *, today: date | None = None) -> dict[int, dict[str, int]]:
    """Hall id → {"posts": windows with someone due to serve today, "clocked_in": of
    those serving people, how many clocked in today}. Windows with nobody due
    (a gap or a closed day) do not count as posts on duty."""
    today = today or timezone.localdate()
    ids = list(center_ids)
    cov = coverage(center_ids=ids, start=today, end=today)
    due: dict[int, set[int]] = defaultdict(set)
    posts: dict[int, int] = defaultdict(int)
    centers = {w.id: w.center_id for w in cov.windows}
    for (window_id, _day), cell in cov.cells.items():
        who = next((u for u in cell.who if u), None)
        if who:
            posts[centers[window_id]] += 1
            due[centers[window_id]].add(who)
    clocked = set(
        Attendance.objects.filter(day=today, center_id__in=ids, clock_in__isnull=False).values_list(
            "center_id", "user_id"
        )
    )
    return {
        c: {"posts": posts.get(c, 0), "clocked_in": sum(1 for u in due.get(c, ()) if (c, u) in clocked)}
        for c in ids
    }


def assessment_drafts(center_ids: Iterable[int], month: date) -> dict[int, int]:
    """Hall id → how many of `month`'s assessment rows still wait for the manager's confirmation."""
    rows = (
        MonthlyAssessment.objects.filter(
            center_id__in=list(center_ids),
            month=month.replace(day=1),
            status=MonthlyAssessment.Status.DRAFT,
        )
        .values("center_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["center_id"]: r["n"] for r in rows}


def trained_item_ids_by_center(center_ids: Iterable[int], day: date) -> dict[int, set[int]]:
    """For each hall, the items at least one of its counter staff (a clerk or chief
    representative holding a role there) is trained for on `day`: a passed record,
    refresher not yet due, of a course that names the item or a queue covering it.
    Four queries whatever the number of halls, people and courses."""
    from govhall.accounts.models import RoleAssignment

    staff: dict[int, set[int]] = defaultdict(set)  # user → halls
    for user_id, center_id in RoleAssignment.objects.filter(
        center_id__in=list(center_ids), role__in=list(POST_HOLDERS), user__is_active=True
    ).values_list("user_id", "center_id"):
        staff[user_id].add(center_id)
    course_users: dict[int, set[int]] = defaultdict(set)
    for course_id, user_id in TrainingRecord.objects.filter(
        user_id__in=list(staff), passed=True, refresher_due__gte=day, course__held_on__lte=day
    ).values_list("course_id", "user_id"):
        course_users[course_id].add(user_id)
    course_items: dict[int, set[int]] = defaultdict(set)
    for course_id, item_id in TrainingCourse.items.through.objects.filter(
        trainingcourse_id__in=list(course_users)
    ).values_list("trainingcourse_id", "serviceitem_id"):
        course_items[course_id].add(item_id)
    for course_id, item_id in (
        TrainingCourse.queues.through.objects.filter(trainingcourse_id__in=list(course_users))
        .filter(queue__items__isnull=False)
        .values_list("trainingcourse_id", "queue__items")
    ):
        course_items[course_id].add(item_id)
    out: dict[int, set[int]] = defaultdict(set)
    for course_id, users in course_users.items():
        for user_id in users:
            for center_id in staff[user_id]:
                out[center_id] |= course_items[course_id]
    return dict(out)
