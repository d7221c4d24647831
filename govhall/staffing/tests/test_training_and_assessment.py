from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from govhall.core.errors import DomainError, Refused, WrongState
from govhall.staffing import selectors, services
from govhall.staffing.models import MonthlyAssessment, Post

SEPT = date(2026, 9, 1)


def test_training_record_sets_the_refresher_date_and_qualifies_for_a_post(staff):
    course = services.training_course_create(
        by=staff["manager_a"],
        center=staff["center"],
        name="新业务培训",
        held_on=date(2026, 9, 1),
        queues=[staff["qa"]],
        valid_months=12,
    )
    record = services.training_record_add(by=staff["manager_a"], course=course, user=staff["a4"])
    assert record.refresher_due == date(2027, 9, 1)
    services.post_assign(by=staff["manager_a"], window=staff["w1"], role="B", user=staff["a4"])
    assert Post.objects.get(window=staff["w1"], role="B").user == staff["a4"]


def test_training_course_refuses_another_halls_queue_and_clerks(staff):
    from govhall.queueing import services as queueing

    other_q = queueing.queue_create(by=None, center=staff["b"], letter="A", name="社保")
    with pytest.raises(DomainError) as exc:
        services.training_course_create(
            by=staff["manager_a"], center=staff["center"], name="x", held_on=SEPT, queues=[other_q]
        )
    assert exc.value.field == "queues"
    with pytest.raises(Refused):
        services.training_course_create(by=staff["clerk_a"], center=staff["center"], name="x", held_on=SEPT)


def test_only_the_district_office_sets_weights(staff):
    with pytest.raises(Refused):
        services.assessment_indicator_set(
            by=staff["manager_a"], district=staff["district"], code="attendance", weight=50
        )
    row = services.assessment_indicator_set(
        by=staff["admin"], district=staff["district"], code="attendance", weight=50
    )
    assert row.weight == 50
    with pytest.raises(DomainError) as exc:
        services.assessment_indicator_set(
            by=staff["admin"], district=staff["district"], code="attendance", weight=150
        )
    assert exc.value.field == "weight"


def _finish_tickets(staff, user, n, minutes):
    from govhall.queueing.models import Ticket

    for i in range(n):
        start = timezone.make_aware(datetime.combine(date(2026, 9, 8), time(10))) + timedelta(minutes=30 * i)
        Ticket.objects.create(
            center=staff["center"],
            queue=staff["qa"],
            origin_queue=staff["qa"],
            day=date(2026, 9, 8),
            number=i + 1 + 100 * user.id,
            code=f"A{i}",
            sort_at=start,
            taken_at=start,
            served_at=start,
            finished_at=start + timedelta(minutes=minutes),
            finished_by=user,
            status="done",
        )


def test_score_shows_how_it_was_computed_and_absent_sources_are_not_zero(staff):
    services.attendance_since_set(by=staff["manager_a"], center=staff["center"], attendance_since=SEPT)
    _finish_tickets(staff, staff["clerk_a"], 4, 10)
    _finish_tickets(staff, staff["a2"], 2, 20)
    rows = {
        r.user_id: r
        for r in services.assessment_compute(by=staff["manager_a"], center=staff["center"], month=SEPT)
    }
    mine = {ln.code: ln for ln in rows[staff["clerk_a"].id].lines.all()}
    # no rating in the month: no data (not zero); no upheld complaint: full marks
    assert mine["ratings"].score is None and mine["complaints"].score == 100
    assert mine["on_time_cases"].score is None
    assert mine["tickets"].score == 100 and mine["service_time"].score == 100
    theirs = {ln.code: ln for ln in rows[staff["a2"].id].lines.all()}
    assert theirs["tickets"].score == 50 and theirs["service_time"].score == 50
    assert "本厅最高" in theirs["tickets"].value and theirs["tickets"].explanation
    # attendance: absent every opening day since the go-live (1 September) whose hours have ended;
    # the frozen today (2026-09-14, 00:00) is not yet expected
    assert mine["attendance"].score == 0
    assert mine["attendance"].value.startswith("出勤 0/9 天")
    # total = weighted mean over the present indicators only
    # (attendance 30, tickets 15, time 10, training 5, complaints 5)
    assert float(rows[staff["clerk_a"].id].score) == pytest.approx(
        (0 * 30 + 100 * 15 + 100 * 10 + 100 * 5 + 100 * 5) / 65, abs=0.1
    )


def test_a_confirmed_assessment_cannot_change(staff):
    services.assessment_compute(by=staff["manager_a"], center=staff["center"], month=SEPT)
    with pytest.raises(Refused):
        services.assessment_confirm(by=staff["clerk_a"], center=staff["center"], month=SEPT)
    assert services.assessment_confirm(by=staff["manager_a"], center=staff["center"], month=SEPT) >= 4
    with pytest.raises(WrongState):
        services.assessment_compute(by=staff["manager_a"], center=staff["center"], month=SEPT)
    row = MonthlyAssessment.objects.filter(center=staff["center"]).first()
    before = row.score
    row.score = 99
    with pytest.raises(WrongState):
        row.save()
    assert MonthlyAssessment.objects.get(pk=row.pk).score == before


def test_rankings_and_window_scores(staff):
    services.assessment_compute(by=staff["manager_a"], center=staff["center"], month=SEPT)
    ranks = selectors.rankings(user=staff["admin"], month=SEPT)
    assert [r["center_id"] for r in ranks] == [staff["center"].id]
    scores = selectors.window_scores(staff["center"], SEPT)
    assert [s["window"].number for s in scores] == [1, 2] and all(s["score"] is not None for s in scores)
