"""Keeping the cockpit's rollups (models.HallDay, HallHour, ServedDay) current.

`rollup_days(since, until)` recomputes every hall's rows of those days from the lower apps'
selectors — one grouped query per figure over the whole range, never a query per hall or
row — and replaces them in one transaction, so running it twice changes nothing. The
periodic job (`rollups_refresh`, every 5 minutes) recomputes today and yesterday
(a ticket taken before midnight may be finished after it); `manage.py rollup_rebuild`
any range.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from govhall.cases.selectors import case_day_counts, cases_by_state, cases_overdue_by_day
from govhall.centers.selectors import active_center_ids, standardisation_scores
from govhall.core.extensions import hall_day_figures
from govhall.queueing.selectors import ticket_day_counts, ticket_served_by, ticket_wait_buckets
from govhall.staffing.selectors import coverage

from .models import WAIT_EDGES, HallDay, HallHour, ServedDay, empty_hist

FEEDBACK_FIELDS = ("ratings", "ratings_bad", "rect_open", "rect_overdue", "complaints")
BATCH = 2000


def hist_p90_minutes(hist: Sequence[int]) -> int | None:
    """The smallest bucket edge (minutes) that nine in ten waits stay under; None without
    waits. When more than one in ten waited past the last edge: the last edge (see
    `p90_words`, which then says so)."""
    total = sum(hist)
    if not total:
        return None
    need = math.ceil(0.9 * total)
    running = 0
    for i, n in enumerate(hist[: len(WAIT_EDGES)]):
        running += n
        if running >= need:
            return WAIT_EDGES[i]
    return WAIT_EDGES[-1]


def p90_beyond_edges(hist: Sequence[int]) -> bool:
    """More than one wait in ten went past the last edge."""
    total = sum(hist)
    return bool(total) and sum(hist[: len(WAIT_EDGES)]) < math.ceil(0.9 * total)


def p90_words(hist: Sequence[int]) -> str:
    """The p90 in plain words."""
    p90 = hist_p90_minutes(hist)
    if p90 is None:
        return "无人等候"
    if p90_beyond_edges(hist):
        return f"一成以上群众等候超过 {p90} 分钟"
    return f"九成群众等候不超过 {p90} 分钟"


def hist_add(into: list[int], other: Iterable[int]) -> list[int]:
    for i, n in enumerate(other):
        into[i] += n
    return into


def _seconds(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, timedelta):
        return round(value.total_seconds())
    return round(value / 1_000_000)  # a duration summed as microseconds


def _staff_figures(center_ids: set[int], since: date, until: date) -> dict[tuple[int, date], dict[str, int]]:
    """Per hall and opening day: windows with posts, windows covered both halves, half-day gaps."""
    out: dict[tuple[int, date], dict[str, int]] = defaultdict(lambda: {"posts": 0, "on_duty": 0, "gaps": 0})
    cov = coverage(center_ids=center_ids, start=since, end=until)
    center_of = {w.id: w.center_id for w in cov.windows}
    for (window_id, day), cell in cov.cells.items():
        figures = out[(center_of[window_id], day)]
        if not cell.unposted:
            figures["posts"] += 1
        if None not in cell.who:
            figures["on_duty"] += 1
        figures["gaps"] += cell.who.count(None)
    return out


Days = dict[tuple[int, date], dict[str, Any]]


def _ticket_figures(days: Days, since: date, until: date) -> dict[tuple[int, date, int], dict[str, Any]]:
    hours: dict[tuple[int, date, int], dict[str, Any]] = defaultdict(
        lambda: {"tickets": 0, "waited": 0, "wait_seconds": 0, "wait_hist": empty_hist()}
    )
    for row in ticket_day_counts(since=since, until=until):
        d = days[(row["center_id"], row["day"])]
        d.update(tickets=row["tickets"], served=row["served"], no_show=row["no_show"])
    for row in ticket_wait_buckets(since=since, until=until, edges_minutes=WAIT_EDGES):
        h = hours[(row["center_id"], row["day"], row["hour"])]
        h["tickets"] += row["n"]
        if row["bucket"] < 0:  # not called yet: no wait to count
            continue
        seconds = _seconds(row["wait_sum"])
        for target in (h, days[(row["center_id"], row["day"])]):
            target["waited"] = target.get("waited", 0) + row["n"]
            target["wait_seconds"] = target.get("wait_seconds", 0) + seconds
            target["wait_hist"][row["bucket"]] += row["n"]
    return hours


def _case_figures(days: Days, since: date, until: date) -> None:
    cases = case_day_counts(since=since, until=until)
    for key, field in (("submitted", "cases_submitted"), ("accepted", "cases_accepted")):
        for row in cases[key]:
            days[(row["center_id"], row["on"])][field] = row["n"]
    for row in cases["done"]:
        days[(row["center_id"], row["on"])].update(
            cases_done=row["n"],
            cases_done_with_deadline=row["with_deadline"],
            cases_done_on_time=row["on_time"],
        )
    for row in cases["warned"]:
        days[(row["center_id"], row["on"])].update(warned_yellow=row["yellow"], warned_red=row["red"])
    for hall_day, n in cases_overdue_by_day(since=since, until=until).items():
        days[hall_day]["cases_overdue"] = n
    today = timezone.localdate()
    if since <= today <= until:
        for center_id, states in cases_by_state().items():
            days[(center_id, today)]["cases_by_state"] = states
        for center_id, score in standardisation_scores(active_center_ids()).items():
            days[(center_id, today)]["standard_score"] = score


def _answered_figures(days: Days, since: date, until: date) -> None:
    """Ratings and complaints, from the apps answering core.extensions.hall_day_figures."""
    for _, answer in hall_day_figures.registered():
        for (center_id, day), figures in answer(since=since, until=until).items():
            if center_id is None:
                continue
            d = days[(center_id, day)]
            for name in FEEDBACK_FIELDS:
                d[name] = d.get(name, 0) + figures.get(name, 0)


def rollup_days(*, since: date, until: date) -> int:
    """Recompute every hall's rollup rows from `since` to `until` (local days, inclusive) and
    replace the old ones. Returns the number of HallDay rows written."""
    days: Days = defaultdict(lambda: {"wait_hist": empty_hist()})
    hours = _ticket_figures(days, since, until)
    _case_figures(days, since, until)
    _answered_figures(days, since, until)
    center_ids = {center_id for center_id, _ in days} | active_center_ids()
    for key, figures in _staff_figures(center_ids, since, until).items():
        days[key].update(figures)
    served = [
        ServedDay(
            center_id=row["center_id"],
            day=row["day"],
            window_id=row["window_id"],
            clerk_id=row["finished_by_id"],
            served=row["n"],
        )
        for row in ticket_served_by(since=since, until=until)
    ]
    with transaction.atomic():
        for model in (HallDay, HallHour, ServedDay):
            model.objects.filter(day__gte=since, day__lte=until).delete()
        HallDay.objects.bulk_create(
            (HallDay(center_id=c, day=day, **figures) for (c, day), figures in days.items()),
            batch_size=BATCH,
        )
        HallHour.objects.bulk_create(
            (HallHour(center_id=c, day=day, hour=hour, **f) for (c, day, hour), f in hours.items()),
            batch_size=BATCH,
        )
        ServedDay.objects.bulk_create(served, batch_size=BATCH)
    return len(days)


def rollups_refresh() -> int:
    """The periodic job: today and yesterday again (idempotent)."""
    today = timezone.localdate()
    return rollup_days(since=today - timedelta(days=1), until=today)
