"""行政许可法第三十二条: an application is accepted, refused or answered with a
one-time notice within 5 working days of receipt; otherwise the law deems it
accepted from the day it was received. Supervision warns before, and records
the system's decision after."""

from datetime import UTC, date, datetime

import time_machine

from govhall.cases import services
from govhall.cases.models import Case, Notice, Warning

from .conftest import client_for


def _utc(y, m, d, h=2):
    return datetime(y, m, d, h, 0, tzinfo=UTC)


def _submitted_on_monday(intake):
    with time_machine.travel(_utc(2026, 11, 2), tick=False):  # Mon 2 Nov: 5 working days end Mon 9 Nov
        case = intake(4)
    assert case.status == Case.Status.SUBMITTED
    assert services.acceptance_due(case) == date(2026, 11, 9)
    return case


def test_a_submitted_case_warns_as_the_five_days_run_out(world, intake):
    case = _submitted_on_monday(intake)
    with time_machine.travel(_utc(2026, 11, 4), tick=False):
        services.warnings_compute(today=date(2026, 11, 4))
    assert not case.warnings.exists()  # three working days left
    with time_machine.travel(_utc(2026, 11, 6), tick=False):
        services.warnings_compute(today=date(2026, 11, 6))
    warning = case.warnings.get()
    assert warning.level == Warning.Level.YELLOW and warning.due_on == date(2026, 11, 9)
    assert "受理期限剩余 1 个工作日" in warning.message and "逾期视为受理" in warning.message


def test_after_five_working_days_the_case_is_deemed_accepted_from_receipt(world, intake):
    case = _submitted_on_monday(intake)
    with time_machine.travel(_utc(2026, 11, 10), tick=False):
        result = services.warnings_compute(today=date(2026, 11, 10))
    assert result["deemed_accepted"] == 1
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED
    assert case.accepted_at == case.submitted_at  # the clock runs from receipt
    assert case.deadline == date(2026, 11, 9)  # 5 working days from Mon 2 Nov, as if accepted then
    event = case.events.get(action="deemed_accept")
    assert event.by is None and "第三十二条" in event.reason
    notice = case.notices.get(kind=Notice.Kind.ACCEPTANCE)
    assert "第三十二条" in notice.body["text"] and "即为受理" in notice.body["text"]
    assert "申请材料齐全" not in notice.body["text"]
    # Running the job again decides nothing twice.
    with time_machine.travel(_utc(2026, 11, 11), tick=False):
        assert services.warnings_compute(today=date(2026, 11, 11))["deemed_accepted"] == 0
    assert case.events.filter(action="deemed_accept").count() == 1


def test_a_case_accepted_or_notified_in_time_is_not_deemed(world, intake, materials):
    accepted = _submitted_on_monday(intake)
    notified = _submitted_on_monday(intake)
    with time_machine.travel(_utc(2026, 11, 5), tick=False):
        services.case_accept(by=world["clerk_a"], case=accepted)
        services.case_request_correction(
            by=world["clerk_a"],
            case=notified,
            items=[{"material_id": materials[3].id, "reason": "缺少原件"}],
        )
    with time_machine.travel(_utc(2026, 11, 10), tick=False):
        assert services.warnings_compute(today=date(2026, 11, 10))["deemed_accepted"] == 0
    assert not Case.objects.filter(events__action="deemed_accept").exists()


def test_supervision_page_and_api_show_the_deemed_acceptance(world, intake):
    case = _submitted_on_monday(intake)
    with time_machine.travel(_utc(2026, 11, 10), tick=False):
        services.warnings_compute(today=date(2026, 11, 10))
    page = client_for(world["admin"]).get("/staff/supervision/").content.decode()
    assert "逾期视为受理" in page and case.number in page
    body = client_for(world["clerk_a"]).get(f"/api/v1/cases/{case.number}").json()
    assert body["status"] == "accepted"
    assert any(e["action"] == "deemed_accept" for e in body["events"])


def test_after_a_correction_the_five_days_run_from_the_corrected_materials(world, marriage, materials):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from govhall.accounts import services as accounts
    from govhall.accounts.models import SmsCode
    from tests.support import PERSON_ID

    pdf = b"%PDF-1.4\n%test\n"
    phone = "13912345678"
    accounts.citizen_send_code(phone=phone)
    SmsCode.objects.filter(phone=phone).update(code_hash=accounts._code_hash(phone, "123456"))
    user = accounts.citizen_register(phone=phone, code="123456", password="a-long-citizen-pass-9")

    def upload(case, material):
        services.case_material_upload(
            by=user,
            case=case,
            material_id=material.id,
            file=SimpleUploadedFile("m.pdf", pdf, "application/pdf"),
        )

    with time_machine.travel(_utc(2026, 11, 2), tick=False):
        case = services.case_draft_save(
            by=user, item=marriage, applicant_name="王五", applicant_id_number=PERSON_ID
        )
        upload(case, materials[0])
        case = services.case_submit(by=user, case=case)
    with time_machine.travel(_utc(2026, 11, 4), tick=False):
        services.case_request_correction(
            by=world["clerk_a"], case=case, items=[{"material_id": materials[1].id, "reason": "缺少"}]
        )
    with time_machine.travel(_utc(2026, 11, 12), tick=False):  # Thu 12 Nov: corrected materials arrive
        upload(case, materials[1])
        services.case_submit(by=user, case=case)
    case.refresh_from_db()
    assert services.acceptance_due(case) == date(2026, 11, 19)
    with time_machine.travel(_utc(2026, 11, 13), tick=False):
        assert services.warnings_compute(today=date(2026, 11, 13))["deemed_accepted"] == 0
    with time_machine.travel(_utc(2026, 11, 20), tick=False):
        assert services.warnings_compute(today=date(2026, 11, 20))["deemed_accepted"] == 1
    case.refresh_from_db()
    assert timezone_date(case.accepted_at) == date(2026, 11, 12)


def timezone_date(moment):
    from django.utils import timezone

    return timezone.localtime(moment).date()
