"""The assessment's on-time indicator comes from cases, through staffing's
`assessment_sources` extension point (cases sits above staffing)."""

from datetime import UTC, date, datetime

import time_machine

from govhall.cases import services
from govhall.staffing import services as staffing
from govhall.staffing.extensions import assessment_sources


def _utc(y, m, d, h=2):
    return datetime(y, m, d, h, 0, tzinfo=UTC)


def _completed(world, intake, *, accepted, completed):
    with time_machine.travel(accepted, tick=False):
        case = intake(4)
        services.case_accept(by=world["clerk_a"], case=case)
        services.case_start(by=world["clerk_a"], case=case)
    with time_machine.travel(completed, tick=False):
        services.case_complete(by=world["clerk_a"], case=case, outcome="approved")
    case.refresh_from_db()
    return case


def test_cases_registers_the_on_time_source():
    labels = {label for label, _ in assessment_sources.registered()}
    assert "on_time_measure" in labels


def test_on_time_rate_counts_only_the_clerks_completed_cases_with_a_deadline(world, intake):
    # Accepted Mon 2 Nov: 5 working days → deadline Mon 9 Nov.
    on_time = _completed(world, intake, accepted=_utc(2026, 11, 2), completed=_utc(2026, 11, 6))
    late = _completed(world, intake, accepted=_utc(2026, 11, 2), completed=_utc(2026, 11, 12))
    assert on_time.deadline == late.deadline == date(2026, 11, 9)
    with time_machine.travel(_utc(2026, 12, 1), tick=False):
        rows = staffing.assessment_compute(by=world["manager_a"], center=world["a"], month=date(2026, 11, 1))
    line = next(
        ln
        for row in rows
        if row.user_id == world["clerk_a"].id
        for ln in row.lines.all()
        if ln.code == "on_time_cases"
    )
    assert line.score == 50
    assert "50.0%" in line.value


def test_a_clerk_with_no_completed_case_has_no_on_time_score(world, intake):
    with time_machine.travel(_utc(2026, 12, 1), tick=False):
        rows = staffing.assessment_compute(by=world["manager_a"], center=world["a"], month=date(2026, 11, 1))
    lines = [ln for row in rows for ln in row.lines.all() if ln.code == "on_time_cases"]
    assert lines and all(ln.score is None for ln in lines)
