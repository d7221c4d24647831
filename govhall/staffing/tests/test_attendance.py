from datetime import date, datetime, time

import pytest
import time_machine
from django.utils import timezone

from govhall.core.errors import DomainError, Refused, WrongState
from govhall.staffing import selectors, services
from govhall.staffing.models import Attendance, AttendanceCorrection

from .test_leave import ask

MON, TUE, WED = date(2026, 9, 14), date(2026, 9, 15), date(2026, 9, 16)


def at(day, hh, mm=0):
    return timezone.make_aware(datetime.combine(day, time(hh, mm)))


def codes(staff, user, now=None):
    """The codes and totals of `user`'s September, as seen after Wednesday's hours by default."""
    sheet = selectors.attendance_sheet(staff["center"], MON, users=[user], now=now or at(WED, 18))
    return {c["day"]: c["code"] for c in sheet["rows"][0]["cells"]}, sheet["rows"][0]["totals"]


def live_since_september(staff):
    """The hall has kept attendance in the system since 1 September."""
    services.attendance_since_set(
        by=staff["manager_a"], center=staff["center"], attendance_since=date(2026, 9, 1)
    )


def test_clock_in_and_out_records_the_ip(staff):
    services.attendance_clock(by=staff["clerk_a"], kind="in", ip="10.1.2.3", now=at(MON, 8, 55))
    services.attendance_clock(by=staff["clerk_a"], kind="out", ip="10.1.2.4", now=at(MON, 17, 5))
    rec = Attendance.objects.get(user=staff["clerk_a"], day=MON)
    assert (rec.clock_in_ip, rec.clock_out_ip) == ("10.1.2.3", "10.1.2.4")
    assert rec.center == staff["center"]


def test_clocking_in_twice_is_refused(staff):
    services.attendance_clock(by=staff["clerk_a"], kind="in", now=at(MON, 8, 55))
    with pytest.raises(WrongState):
        services.attendance_clock(by=staff["clerk_a"], kind="in", now=at(MON, 9, 30))
    assert timezone.localtime(Attendance.objects.get().clock_in).time() == time(8, 55)


def test_clock_out_without_clock_in_is_refused(staff):
    with pytest.raises(WrongState):
        services.attendance_clock(by=staff["clerk_a"], kind="out", now=at(MON, 17))


def test_people_with_no_hall_role_cannot_clock(staff):
    with pytest.raises(Refused):
        services.attendance_clock(by=staff["admin"], kind="in", now=at(MON, 9))


def test_late_early_and_absent_against_the_hall_hours(staff):
    services.attendance_clock(by=staff["clerk_a"], kind="in", now=at(MON, 9, 10))  # hall opens 9:00
    services.attendance_clock(by=staff["clerk_a"], kind="out", now=at(MON, 16, 30))  # closes 17:00
    services.attendance_clock(by=staff["clerk_a"], kind="in", now=at(TUE, 8, 50))
    services.attendance_clock(by=staff["clerk_a"], kind="out", now=at(TUE, 17, 1))
    got, totals = codes(staff, staff["clerk_a"])
    assert got[MON] == "迟早" and got[TUE] == "√" and got[WED] == "缺"
    # No go-live entered: the hall's first record (Monday) is the go-live; September 1–11 has no data.
    assert got[date(2026, 9, 11)] == "无数据"
    assert (totals["late"], totals["early"], totals["absent"], totals["expected"], totals["no_data"]) == (
        1,
        1,
        1,
        3,
        9,
    )
    live_since_september(staff)
    # September 1–11 has 9 earlier opening days with no clock-in: since the go-live, absent too.
    _, totals = codes(staff, staff["clerk_a"])
    assert totals["absent"] == 9 + 1 and totals["expected"] == 12 and totals["no_data"] == 0


def test_attendance_with_approved_leave_is_not_absence(staff):
    live_since_september(staff)
    services.leave_approve(leave=ask(staff["a3"], WED, WED), by=staff["manager_a"])
    got, totals = codes(staff, staff["a3"])
    assert got[WED] == "假" and got[TUE] == "缺"
    assert totals["absent"] == 9 + 2 and totals["expected"] == 11  # Wednesday is neither expected nor absent
    assert totals["leave"] == 1


def test_requested_but_unapproved_leave_is_still_absence(staff):
    live_since_september(staff)
    ask(staff["a3"], WED, WED)
    got, _ = codes(staff, staff["a3"])
    assert got[WED] == "缺"


def test_morning_leave_measures_lateness_from_the_afternoon(staff):
    staff["center"].hours.all().delete()
    from govhall.centers import services as center_services

    center_services.center_set_hours(
        by=None,
        center=staff["center"],
        periods=[(d, time(9), time(12)) for d in range(5)] + [(d, time(13, 30), time(17)) for d in range(5)],
    )
    services.leave_approve(leave=ask(staff["a3"], MON, MON, end_am=True), by=staff["manager_a"])
    services.attendance_clock(by=staff["a3"], kind="in", now=at(MON, 13, 20))
    services.attendance_clock(by=staff["a3"], kind="out", now=at(MON, 17, 2))
    got, totals = codes(staff, staff["a3"], now=at(MON, 18))
    assert got[MON] == "半假√" and totals["late"] == 0 and totals["leave"] == 0.5


def test_correction_is_requested_and_approved_never_silent(staff):
    with time_machine.travel(at(TUE, 10), tick=False):
        corr = services.attendance_correction_request(
            by=staff["clerk_a"], day=MON, kind="in", at_time=time(8, 58), reason="打卡机故障"
        )
    assert not Attendance.objects.exists()
    with pytest.raises(Refused):
        services.attendance_correction_decide(by=staff["clerk_a"], correction=corr, approve=True)
    services.attendance_correction_decide(by=staff["manager_a"], correction=corr, approve=True)
    rec = Attendance.objects.get(user=staff["clerk_a"], day=MON)
    assert timezone.localtime(rec.clock_in).time() == time(8, 58)
    assert "考勤更正" in rec.history.first().history_change_reason
    assert AttendanceCorrection.objects.get().status == "approved"
    with pytest.raises(WrongState):
        services.attendance_correction_decide(by=staff["manager_a"], correction=corr, approve=False)


def test_correction_needs_a_reason_and_a_past_day(staff):
    with pytest.raises(DomainError) as exc:
        services.attendance_correction_request(
            by=staff["clerk_a"], day=MON, kind="in", at_time=time(9), reason=""
        )
    assert exc.value.field == "reason"
    with pytest.raises(DomainError) as exc:
        services.attendance_correction_request(
            by=staff["clerk_a"], day=date(2026, 12, 1), kind="in", at_time=time(9), reason="x"
        )
    assert exc.value.field == "day"
    assert not AttendanceCorrection.objects.exists()
