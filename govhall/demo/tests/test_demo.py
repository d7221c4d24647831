"""The demo district that has lived: people at every hall, a week of history
made by the services, and a second run that writes nothing."""

from collections import Counter as Tally
from datetime import time, timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Max, Min, Sum
from django.utils import timezone

from govhall.accounts.models import Role, RoleAssignment, User
from govhall.cases.models import Case, CorrectionNotice, FirstInquiry
from govhall.centers.models import Center, CenterChange
from govhall.feedback.models import Rating, Rectification
from govhall.queueing.models import Ticket, Window
from govhall.staffing import selectors as staffing_selectors
from govhall.staffing import services as staffing_services
from govhall.staffing.models import Attendance, Leave, Post

pytestmark = pytest.mark.django_db(transaction=False)

HALLS = ["HC", "HC-RS", "HC-TY", "HC-YC", "HC-CL", "HC-MZ", "HC-GJJ", "HC-DYC", "HC-NJJ"]


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def _assert_rollups_count(tickets, today) -> None:
    """The cockpit's rollups were built for the lived days: they count the same tickets."""
    from govhall.dashboards.models import HallDay

    rolled = HallDay.objects.filter(day__lt=today).aggregate(n=Sum("tickets"))["n"]
    assert rolled == tickets.count()


def _assert_attendance_and_leave(today) -> None:
    """Attendance with some lateness, and approved leave; one request waits."""
    late = [
        a for a in Attendance.objects.filter(day__lt=today) if timezone.localtime(a.clock_in).time() > time(9)
    ]
    assert late
    assert Attendance.objects.filter(day__lt=today).count() > 5 * len(late)
    assert Leave.objects.filter(status=Leave.Status.APPROVED).exists()
    assert Leave.objects.filter(status=Leave.Status.REQUESTED, start_date__gt=today).exists()


def test_a_week_lived_at_every_hall_and_a_second_run_writes_nothing():
    call_command("load_demo", "--quiet", "--days", "7")
    today = timezone.localdate()

    # People: every hall a manager, its clerks; every branch its chief representative.
    for code in HALLS:
        hall = Center.objects.get(code=code)
        roles = Tally(RoleAssignment.objects.filter(center=hall).values_list("role", flat=True))
        assert roles[Role.BRANCH_MANAGER] >= 1, code
        assert roles[Role.CLERK] >= 2, code
        if hall.kind == Center.Kind.BRANCH:
            assert roles[Role.CHIEF_REP] >= 1, code
    # Every window has an A and a B post, held by two people trained for its queues.
    windows = list(Window.objects.filter(center__code__in=HALLS).select_related("center"))
    assert len(windows) == 26
    for window in windows:
        posts = {p.role: p.user for p in Post.objects.filter(window=window).select_related("user")}
        assert set(posts) == {"A", "B"}, window
        assert posts["A"] != posts["B"]
        for user in posts.values():
            assert not staffing_selectors.missing_training(user, window, today), (window, user)
    # The existing accounts keep their halls and roles.
    assert RoleAssignment.objects.filter(
        user__username="clerk_rs", role=Role.CLERK, center__code="HC-RS"
    ).exists()
    assert Post.objects.filter(
        window__center__code="HC-MZ", window__number=1, role="A", user__username="clerk_mz"
    ).exists()

    # Tickets over the past working days, every one finished, numbered from 1 each day.
    tickets = Ticket.objects.filter(day__lt=today)
    per_day = Tally(tickets.values_list("day", flat=True))
    assert len(per_day) == 5  # Monday to Friday of last week; the weekend closed
    assert not tickets.exclude(status__in=[Ticket.Status.DONE, Ticket.Status.NO_SHOW]).exists()
    assert tickets.filter(status=Ticket.Status.NO_SHOW).exists()
    for row in tickets.values("queue", "day").annotate(lo=Min("number"), hi=Max("number")):
        assert row["lo"] == 1
    mondays = [n for day, n in per_day.items() if day.weekday() == 0]
    others = [n for day, n in per_day.items() if day.weekday() != 0]
    assert min(mondays) > sum(others) / len(others)
    # Timestamps at the past moment (on PostgreSQL too, where the database's clock does not travel).
    hours = Tally()
    for ticket in tickets.only("taken_at", "day", "finished_at", "called_at"):
        local = timezone.localtime(ticket.taken_at)
        assert local.date() == ticket.day
        assert ticket.called_at is not None and ticket.finished_at is not None
        assert ticket.taken_at <= ticket.called_at <= ticket.finished_at
        hours[local.time()] += 1
    morning = sum(n for t, n in hours.items() if time(9, 30) <= t < time(11))
    afternoon = sum(n for t, n in hours.items() if time(14) <= t < time(15, 30))
    assert morning > afternoon > 0

    # Cases: 一次性告知, withdrawn, accepted and running, completed and delivered.
    statuses = set(Case.objects.filter(is_demo=True).values_list("status", flat=True))
    assert {"correction", "accepted", "delivered"} <= statuses
    assert len(statuses) >= 5  # a week shows most; sixty days show every state
    assert CorrectionNotice.objects.exists()
    assert FirstInquiry.objects.exists()
    _assert_attendance_and_leave(today)
    # Ratings, a bad one under rectification; complaints; branch changes.
    assert Rating.objects.filter(ticket__isnull=False).exists()
    assert Rectification.objects.filter(status=Rectification.Status.OPEN).exists()
    assert len(set(CenterChange.objects.values_list("status", flat=True))) >= 5

    _assert_rollups_count(tickets, today)

    before = _row_counts()
    call_command("load_demo", "--quiet", "--days", "7")
    assert _row_counts() == before


def test_the_a_holder_away_is_not_on_duty_and_b_covers():
    call_command("load_demo", "--quiet", "--days", "0")
    today = timezone.localdate()
    window = Window.objects.get(center__code="HC-GJJ", number=1)
    a = Post.objects.get(window=window, role="A").user
    b = Post.objects.get(window=window, role="B").user
    assert staffing_selectors.may_serve_window(user=a, window=window, day=today)
    assert not staffing_selectors.may_serve_window(user=b, window=window, day=today)
    leave = staffing_services.leave_request(
        by=a,
        kind=Leave.Kind.PERSONAL,
        start_date=today,
        end_date=today,
        reason="家中有事",
        center=window.center,
    )
    staffing_services.leave_approve(leave=leave, by=User.objects.get(username="manager_gjj"))
    assert not staffing_selectors.may_serve_window(user=a, window=window, day=today)
    assert staffing_selectors.may_serve_window(user=b, window=window, day=today)
    assert staffing_selectors.may_serve_window(user=a, window=window, day=today + timedelta(days=1))
