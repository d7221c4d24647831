"""The cockpit's rollups equal a recount of the raw rows after a day of activity."""

import bisect
import math
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from govhall.cases.models import Case, Warning
from govhall.dashboards.models import WAIT_EDGES, HallDay, HallHour, ServedDay
from govhall.dashboards.rollups import hist_p90_minutes, p90_beyond_edges, p90_words, rollup_days
from govhall.queueing.models import Ticket

from .conftest import DAY, at

pytestmark = pytest.mark.django_db

SINCE = DAY - timedelta(days=20)


def _recount_tickets():
    """(center, day) → figures, straight from the ticket rows, in Python."""
    out = defaultdict(lambda: {"tickets": 0, "served": 0, "no_show": 0, "waits": []})
    for t in Ticket.objects.all():
        f = out[(t.center_id, t.day)]
        f["tickets"] += 1
        f["served"] += t.status == Ticket.Status.DONE
        f["no_show"] += t.status == Ticket.Status.NO_SHOW
        if t.called_at:
            f["waits"].append((t.called_at - t.taken_at).total_seconds())
    return out


def _true_p90_minutes(waits):
    ordered = sorted(waits)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)] / 60


def _overdue_at_end_of(center_id, day):
    n = 0
    for c in Case.objects.filter(center_id=center_id, deadline__isnull=False):
        if c.status in (Case.Status.WITHDRAWN, Case.Status.REJECTED, Case.Status.DRAFT):
            continue
        done_on = timezone.localdate(c.completed_at) if c.completed_at else None
        if c.deadline < day and (done_on is None or done_on > day):
            n += 1
    return n


def test_rollups_equal_a_recount_of_tickets_after_a_day_of_activity(activity):
    with time_machine.travel(at(DAY, 18), tick=False):
        rollup_days(since=SINCE, until=DAY)
    raw = _recount_tickets()
    assert raw[(activity["a"].id, DAY)]["tickets"] == 6  # the fixture did make a day
    rows = {(r.center_id, r.day): r for r in HallDay.objects.filter(tickets__gt=0)}
    assert set(rows) == set(raw)
    for key, f in raw.items():
        row = rows[key]
        assert (row.tickets, row.served, row.no_show) == (f["tickets"], f["served"], f["no_show"])
        assert row.waited == len(f["waits"])
        assert row.wait_seconds == pytest.approx(sum(f["waits"]), abs=1)
        hist = [0] * (len(WAIT_EDGES) + 1)
        for w in f["waits"]:
            hist[bisect.bisect_right(WAIT_EDGES, w / 60)] += 1
        assert row.wait_hist == hist
        p90 = hist_p90_minutes(row.wait_hist)
        true = _true_p90_minutes(f["waits"])
        if true >= WAIT_EDGES[-1]:
            assert p90 == WAIT_EDGES[-1] and p90_beyond_edges(row.wait_hist)
            assert p90_words(row.wait_hist) == f"一成以上群众等候超过 {p90} 分钟"
        else:
            edge = WAIT_EDGES.index(p90)
            assert true < p90 and (edge == 0 or true >= WAIT_EDGES[edge - 1])
            assert p90_words(row.wait_hist) == f"九成群众等候不超过 {p90} 分钟"
    hours = {h.hour: h for h in HallHour.objects.filter(center=activity["a"], day=DAY)}
    # On PostgreSQL the services stamp tickets with the database's clock, so hours come from the rows.
    taken = Counter(timezone.localtime(t.taken_at).hour for t in Ticket.objects.filter(day=DAY))
    called = Counter(
        timezone.localtime(t.taken_at).hour for t in Ticket.objects.filter(day=DAY, called_at__isnull=False)
    )
    assert {h: x.tickets for h, x in hours.items()} == dict(taken)
    assert {h: x.waited for h, x in hours.items() if x.waited} == dict(called)
    served = Counter()
    for t in Ticket.objects.filter(status=Ticket.Status.DONE):
        served[(t.window_id, t.finished_by_id)] += 1
    assert {(s.window_id, s.clerk_id): s.served for s in ServedDay.objects.all()} == dict(served)


def test_rollups_equal_a_recount_of_cases_after_a_day_of_activity(activity):
    with time_machine.travel(at(DAY, 18), tick=False):
        rollup_days(since=SINCE, until=DAY)
    center = activity["a"]
    rows = {r.day: r for r in HallDay.objects.filter(center=center)}
    cases = list(Case.objects.filter(center=center))
    for day in (SINCE + timedelta(days=i) for i in range(21)):
        row = rows.get(day)
        got = (
            (
                row.cases_submitted,
                row.cases_accepted,
                row.cases_done,
                row.cases_done_on_time,
                row.cases_overdue,
            )
            if row
            else (0, 0, 0, 0, 0)
        )

        def on(value, day=day):
            return value is not None and timezone.localdate(value) == day

        expected = (
            sum(on(c.submitted_at) for c in cases),
            sum(on(c.accepted_at) for c in cases),
            sum(on(c.completed_at) for c in cases),
            sum(
                on(c.completed_at) and c.deadline and timezone.localdate(c.completed_at) <= c.deadline
                for c in cases
            ),
            _overdue_at_end_of(center.id, day),
        )
        assert got == expected, day
    today = rows[DAY]
    assert today.cases_overdue == 1 and today.cases_submitted == 2 and today.cases_done == 1
    reds = Warning.objects.filter(center=center, level=Warning.Level.RED).count()
    assert reds == 1 and today.warned_red == reds
    assert today.cases_by_state == {"accepted": 1, "completed": 1, "submitted": 1}


def test_rebuilding_twice_writes_the_same_rows(activity):
    with time_machine.travel(at(DAY, 18), tick=False):
        call_command("rollup_rebuild", since=str(SINCE), until=str(DAY))
        first = sorted(
            HallDay.objects.values_list("center_id", "day", "tickets", "wait_seconds", "cases_overdue")
        )
        call_command("rollup_rebuild", since=str(SINCE), until=str(DAY))
        second = sorted(
            HallDay.objects.values_list("center_id", "day", "tickets", "wait_seconds", "cases_overdue")
        )
    assert first == second and first
    hours = {timezone.localtime(t.taken_at).hour for t in Ticket.objects.filter(day=DAY)}
    assert HallHour.objects.filter(day=DAY).count() == len(hours)
