from datetime import UTC, date, datetime

import pytest
import time_machine

from govhall.cases import services
from govhall.cases.models import FirstInquiry, Warning
from govhall.core.errors import DomainError, Refused, WrongState

pytestmark = pytest.mark.django_db


def _at(y, m, d):
    return time_machine.travel(datetime(y, m, d, 2, 0, tzinfo=UTC), tick=False)


def _accepted(world, intake, y=2026, m=11, d=2):
    with _at(y, m, d):
        case = intake(4)
        services.case_accept(by=world["clerk_a"], case=case)
    case.refresh_from_db()
    return case


def test_warning_job_run_twice_makes_no_duplicates(world, intake):
    case = _accepted(world, intake)  # deadline Mon 9 Nov
    first = services.warnings_compute(today=date(2026, 11, 6))
    second = services.warnings_compute(today=date(2026, 11, 6))
    assert first["created"] == 1 and second["created"] == 0
    assert Warning.objects.filter(case=case).count() == 1
    assert Warning.objects.get(case=case).level == Warning.Level.YELLOW


def test_no_warning_while_time_remains_and_red_when_overdue(world, intake):
    case = _accepted(world, intake)
    services.warnings_compute(today=date(2026, 11, 4))
    assert not Warning.objects.exists()
    services.warnings_compute(today=date(2026, 11, 10))
    services.warnings_compute(today=date(2026, 11, 10))
    assert Warning.objects.filter(case=case, level="red", resolved_at__isnull=True).count() == 1


def test_yellow_threshold_is_configurable(world, intake, settings):
    _accepted(world, intake)
    settings.GOVHALL_WARNING_YELLOW_DAYS = 3
    services.warnings_compute(today=date(2026, 11, 4))
    assert Warning.objects.filter(level="yellow").count() == 1


def test_suspended_case_is_not_warned_and_completion_resolves(world, intake):
    case = _accepted(world, intake)
    services.warnings_compute(today=date(2026, 11, 10))
    with _at(2026, 11, 10):
        services.case_suspend(by=world["clerk_a"], case=case, kind="testing", reason="送检")
    services.warnings_compute(today=date(2026, 11, 11))
    assert not Warning.objects.filter(resolved_at__isnull=True).exists()


def test_unknown_year_deadline_is_flagged_in_supervision(world, intake):
    _accepted(world, intake, 2026, 12, 29)
    services.warnings_compute(today=date(2026, 12, 29))
    assert Warning.objects.get().level == Warning.Level.FLAG


def test_command_is_idempotent(world, intake):
    from django.core.management import call_command

    _accepted(world, intake, 2026, 10, 1)  # long overdue by now
    call_command("compute_warnings")
    call_command("compute_warnings")
    assert Warning.objects.count() == 1


# --- first inquiries ---------------------------------------------------------------------


def _inquiry(world):
    return services.inquiry_record(
        by=world["clerk_a"],
        center=world["a"],
        asker_name="刘女士",
        asker_contact="13612345678",
        topic="补办结婚证需要什么材料？",
    )


def test_inquiry_recorded_answered_by_its_owner(world):
    inq = _inquiry(world)
    assert inq.owner == world["clerk_a"] and inq.status == FirstInquiry.Status.OPEN
    with pytest.raises(Refused):
        services.inquiry_answer(by=world["manager_a"], inquiry=inq, answer="x")
    with pytest.raises(DomainError):
        services.inquiry_answer(by=world["clerk_a"], inquiry=inq, answer=" ")
    services.inquiry_answer(by=world["clerk_a"], inquiry=inq, answer="带身份证和户口簿。")
    inq.refresh_from_db()
    assert inq.status == FirstInquiry.Status.ANSWERED
    with pytest.raises(WrongState):
        services.inquiry_answer(by=world["clerk_a"], inquiry=inq, answer="again")


def test_handover_needs_the_named_colleague_to_accept(world):
    inq = _inquiry(world)
    with pytest.raises(DomainError):
        services.inquiry_hand_over(by=world["clerk_a"], inquiry=inq, to=world["clerk_hub"], note="")
    services.inquiry_hand_over(by=world["clerk_a"], inquiry=inq, to=world["clerk_hub"], note="属区中心事项")
    inq.refresh_from_db()
    assert inq.owner == world["clerk_a"] and inq.status == FirstInquiry.Status.HANDOVER
    with pytest.raises(Refused):
        services.inquiry_accept(by=world["manager_a"], inquiry=inq)
    services.inquiry_accept(by=world["clerk_hub"], inquiry=inq)
    inq.refresh_from_db()
    assert inq.owner == world["clerk_hub"] and inq.status == FirstInquiry.Status.OPEN
    assert [e.label for e in inq.events.all()][-1] == "接收移交"


def test_inquiry_not_closed_within_one_working_day_is_warned_once(world):
    with _at(2026, 11, 2):
        inq = _inquiry(world)
    assert str(inq.due_on) == "2026-11-03"
    services.warnings_compute(today=date(2026, 11, 3))
    assert not Warning.objects.exists()
    services.warnings_compute(today=date(2026, 11, 4))
    services.warnings_compute(today=date(2026, 11, 4))
    assert Warning.objects.filter(inquiry=inq).count() == 1
    services.inquiry_answer(by=world["clerk_a"], inquiry=inq, answer="已答复")
    assert Warning.objects.get(inquiry=inq).resolved_at is not None


def test_supervision_pages_its_warnings(world, intake, client, monkeypatch):
    from govhall.cases import views

    monkeypatch.setattr(views, "SUPERVISION_PAGE", 1)
    first, second = _accepted(world, intake), _accepted(world, intake)
    services.warnings_compute(today=date(2026, 11, 6))
    assert Warning.objects.filter(resolved_at__isnull=True).count() == 2
    client.force_login(world["admin"])
    pages = [client.get(f"/staff/supervision/?page={n}").content.decode() for n in (1, 2)]
    shown = [{c.number for c in (first, second) if f">{c.number}</a>" in html} for html in pages]
    assert all(len(s) == 1 for s in shown) and shown[0] != shown[1]
    assert "第 1 / 2 页" in pages[0] and "黄牌预警（2）" in pages[0]
