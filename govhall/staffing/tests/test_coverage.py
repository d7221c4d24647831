from datetime import date

from django.core.management import call_command

from govhall.centers import services as center_services
from govhall.queueing import services as queueing
from govhall.staffing import selectors, services
from govhall.staffing.models import StaffingWarning

from .test_leave import ask


def test_opening_days_skip_national_day_and_include_the_make_up_saturday(staff):
    days = selectors.opening_days([staff["center"].id], date(2026, 9, 28), date(2026, 10, 12))[
        staff["center"].id
    ]
    assert days == [
        date(2026, 9, 28),
        date(2026, 9, 29),
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),
        date(2026, 10, 12),
    ]


def test_closed_exception_is_not_an_opening_day(staff):
    center_services.center_set_hours_exception(
        by=None, center=staff["center"], day=date(2026, 9, 29), is_closed=True, note="停电"
    )
    days = selectors.opening_days([staff["center"].id], date(2026, 9, 28), date(2026, 9, 30))[
        staff["center"].id
    ]
    assert days == [date(2026, 9, 28), date(2026, 9, 30)]


def test_gap_check_across_holidays_and_make_up_working_days(staff):
    # A away on the make-up Saturday, B away the whole span: the Saturday is a gap, the holidays are not.
    services.leave_rule_set(by=staff["leader_a"], department=staff["dep_a"], manager_max_days="30")
    services.leave_approve(
        leave=ask(staff["a2"], date(2026, 9, 30), date(2026, 10, 12)),
        by=staff["manager_a"],
        substitutes=[{"window": staff["w2"], "day": d, "user": staff["a3"]} for d in (date(2026, 9, 30),)],
    )
    gaps_before = selectors.coverage(
        center_ids=[staff["center"].id], start=date(2026, 9, 28), end=date(2026, 10, 12)
    ).gaps()
    assert gaps_before == []  # window 1: A present; window 2: B (a5) covers
    leave = ask(staff["clerk_a"], date(2026, 10, 10), date(2026, 10, 10))
    gaps = selectors.leave_gaps(leave)
    assert [(c.window_id, c.day) for c in gaps] == [(staff["w1"].id, date(2026, 10, 10))]


def test_window_with_no_posts_is_listed_as_unposted(staff):
    w3 = queueing.window_create(
        by=None, center=staff["center"], number=3, name="咨询窗口", queues=[staff["qa"]]
    )
    cov = selectors.coverage(center_ids=[staff["center"].id], start=date(2026, 9, 21), end=date(2026, 9, 25))
    assert [w.id for w in cov.unposted()] == [w3.id]


def test_gap_list_is_scoped_to_what_the_user_sees(staff):
    cov = selectors.gaps_visible_to(staff["manager_b"], start=date(2026, 9, 21))
    assert staff["w1"].id not in {w.id for w in cov.windows}
    cov = selectors.gaps_visible_to(staff["admin"], start=date(2026, 9, 21))
    assert staff["w1"].id in {w.id for w in cov.windows}


def test_daily_job_warns_manager_and_district_office_once(staff):
    from govhall.staffing.models import Post

    Post.objects.filter(window=staff["w1"], role="B").delete()  # window 1 has only its A now
    leave = ask(staff["clerk_a"], date(2026, 9, 22), date(2026, 9, 22))
    from govhall.staffing.models import Leave

    Leave.objects.filter(pk=leave.pk).update(status=Leave.Status.APPROVED)
    call_command("warn_staffing_gaps", "--quiet")
    warning = StaffingWarning.objects.get()
    assert warning.day == date(2026, 9, 22) and warning.window == staff["w1"]
    assert set(warning.recipients.all()) == {staff["manager_a"], staff["admin"]}
    call_command("warn_staffing_gaps", "--quiet")
    assert StaffingWarning.objects.count() == 1
    Leave.objects.filter(pk=leave.pk).update(status=Leave.Status.CANCELLED)
    result = services.staffing_gaps_warn()
    assert result["resolved"] == 1 and StaffingWarning.objects.get().resolved_at is not None


def test_on_duty_is_b_when_a_is_away(staff):
    services.leave_approve(
        leave=ask(staff["clerk_a"], date(2026, 9, 22), date(2026, 9, 22)), by=staff["manager_a"]
    )
    assert selectors.on_duty_at(window=staff["w1"], day=date(2026, 9, 22)) == staff["a2"]
    assert selectors.on_duty_at(window=staff["w1"], day=date(2026, 9, 21)) == staff["clerk_a"]
    assert selectors.on_duty_at(window=staff["w1"], day=date(2026, 10, 1)) is None  # holiday


def test_may_serve_window_only_the_post_on_duty(staff):
    day = date(2026, 9, 22)
    services.leave_approve(leave=ask(staff["clerk_a"], day, day), by=staff["manager_a"])
    assert selectors.may_serve_window(user=staff["a2"], window=staff["w1"], day=day)
    assert not selectors.may_serve_window(user=staff["clerk_a"], window=staff["w1"], day=day)
    assert not selectors.may_serve_window(user=staff["a3"], window=staff["w1"], day=day)
    assert selectors.may_serve_window(user=staff["clerk_a"], window=staff["w1"], day=date(2026, 9, 21))
    assert not selectors.may_serve_window(user=staff["a2"], window=staff["w1"], day=date(2026, 9, 21))


def test_window_without_posts_is_not_yet_under_the_ab_rule(staff):
    w3 = queueing.window_create(
        by=None, center=staff["center"], number=3, name="咨询窗口", queues=[staff["qa"]]
    )
    assert selectors.may_serve_window(user=staff["a3"], window=w3, day=date(2026, 9, 21))


def test_queue_console_lets_only_the_post_on_duty_open_the_window(staff):
    import pytest

    from govhall.core.errors import Refused

    with pytest.raises(Refused):  # no post at window 1
        queueing.window_open(window=staff["w1"], by=staff["a3"])
    with pytest.raises(Refused):  # B, while A is there
        queueing.window_open(window=staff["w1"], by=staff["a2"])
    assert queueing.window_open(window=staff["w1"], by=staff["clerk_a"]).clerk == staff["clerk_a"]


def test_b_opens_the_window_when_a_is_on_leave_today(staff):
    services.leave_approve(
        leave=ask(staff["clerk_a"], date(2026, 9, 14), date(2026, 9, 14)), by=staff["manager_a"]
    )
    assert queueing.window_open(window=staff["w1"], by=staff["a2"]).clerk == staff["a2"]


def test_on_a_closed_day_the_windows_a_or_b_may_open_it_unless_away(staff):
    holiday = date(2026, 10, 2)
    services.leave_rule_set(by=staff["leader_a"], department=staff["dep_a"], manager_max_days="5")
    services.leave_approve(
        leave=ask(staff["clerk_a"], date(2026, 9, 30), date(2026, 10, 8)), by=staff["manager_a"]
    )
    assert selectors.may_serve_window(user=staff["a2"], window=staff["w1"], day=holiday)
    assert not selectors.may_serve_window(user=staff["clerk_a"], window=staff["w1"], day=holiday)  # on leave
    assert not selectors.may_serve_window(user=staff["a3"], window=staff["w1"], day=holiday)  # no post


def test_a_window_with_no_posts_is_a_gap_on_each_opening_day(staff):
    w3 = queueing.window_create(
        by=None, center=staff["center"], number=3, name="咨询窗口", queues=[staff["qa"]]
    )
    cov = selectors.coverage(center_ids=[staff["center"].id], start=date(2026, 9, 28), end=date(2026, 10, 12))
    gaps = [c for c in cov.gaps() if c.window_id == w3.id]
    # Every opening day (not the National Day holidays, but the make-up Saturday), the whole day.
    assert [c.day for c in gaps] == cov.days[staff["center"].id]
    assert len(gaps) == 7 and all(c.who == [None, None] and c.unposted for c in gaps)
    assert all("未设置A/B岗" in c.reason for c in gaps)
    assert {c.window_id for c in cov.gaps()} == {w3.id}  # the posted windows are covered
    # Who may open it is another rule: a window whose posts are not set is not yet under the A/B rule.
    assert selectors.may_serve_window(user=staff["a3"], window=w3, day=date(2026, 9, 28))


def test_daily_job_warns_of_a_window_with_no_posts_once(staff):
    w3 = queueing.window_create(
        by=None, center=staff["center"], number=3, name="咨询窗口", queues=[staff["qa"]]
    )
    result = services.staffing_gaps_warn(days=7)  # 09-14..09-20: six opening days (09-20 a make-up day)
    assert result["gaps"] == 6 and result["warned"] == 6
    warnings = StaffingWarning.objects.filter(window=w3)
    assert warnings.count() == 6 and all("未设置A/B岗" in w.message for w in warnings)
    assert set(warnings[0].recipients.all()) == {staff["manager_a"], staff["admin"]}
    again = services.staffing_gaps_warn(days=7)
    assert again == {"gaps": 6, "warned": 0, "resolved": 0}
    assert StaffingWarning.objects.filter(window=w3).count() == 6
    services.post_assign(by=staff["manager_a"], window=w3, role="A", user=staff["a3"])
    assert services.staffing_gaps_warn(days=7)["resolved"] == 6  # posted now: a3 serves it
