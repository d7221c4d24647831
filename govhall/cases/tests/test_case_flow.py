from datetime import UTC, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from govhall.accounts import services as accounts
from govhall.accounts.models import SmsCode
from govhall.cases import services
from govhall.cases.models import Case, CaseEvent, CorrectionNotice, Notice
from govhall.core.errors import DomainError, NotFound, Refused, WrongState

from .conftest import BUSINESS_ID, PERSON_ID

pytestmark = pytest.mark.django_db


def _fix(items):
    return [{"material_id": m.id, "problem": "missing", "reason": "未提交"} for m in items]


def test_window_intake_numbers_the_case_and_records_the_guide_version(world, intake, marriage):
    case = intake()
    assert case.status == Case.Status.SUBMITTED
    assert case.number.startswith("T-A-") and case.number.endswith("-0001")
    assert case.guide_id == marriage.current_guide_id
    assert case.materials.count() == 2
    second = intake()
    assert second.number.endswith("-0002")


def test_case_numbers_are_not_reused_after_a_failed_intake(world, intake):
    first = intake()
    with pytest.raises(DomainError):
        intake(applicant_id_number="110105199001011230")
    third = intake()
    assert int(third.number[-4:]) == int(first.number[-4:]) + 1
    assert Case.objects.count() == 2


def test_invalid_id_number_is_refused_with_the_reason(world, intake):
    with pytest.raises(DomainError) as exc:
        intake(applicant_id_number="110105199001011230")
    assert exc.value.field == "applicant_id_number"
    assert "校验位" in exc.value.message
    with pytest.raises(DomainError) as exc:
        intake(applicant_id_number="50011719900101")
    assert "18 位" in exc.value.message
    with pytest.raises(DomainError) as exc:
        intake(applicant_id_number="11010519901301123X")
    assert "出生日期" in exc.value.message
    assert Case.objects.count() == 0


def test_business_applicant_needs_a_valid_credit_code(world, intake):
    case = intake(applicant_kind="business", applicant_name="某某有限公司", applicant_id_number=BUSINESS_ID)
    assert case.applicant_id_number == BUSINESS_ID
    with pytest.raises(DomainError) as exc:
        intake(
            applicant_kind="business",
            applicant_name="某某有限公司",
            applicant_id_number=BUSINESS_ID[:-1] + "4",
        )
    assert exc.value.field == "applicant_id_number" and "统一社会信用代码" in exc.value.message


def test_clerk_of_another_branch_cannot_take_in_or_decide_the_case(world, intake, marriage):
    case = intake()
    with pytest.raises(NotFound):
        services.case_accept(by=world["clerk_b"], case=case)
    with pytest.raises(NotFound):
        intake(0, by=world["clerk_b"], applicant_name="李四")
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED and not case.notices.exists()


def test_district_admin_sees_but_cannot_decide_a_branch_case(world, intake):
    case = intake()
    with pytest.raises(Refused):
        services.case_accept(by=world["admin"], case=case)
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED


def test_item_of_another_hall_is_refused_at_this_window(world, intake):
    with pytest.raises(DomainError) as exc:
        intake(0, by=world["clerk_b"], center=world["b"], applicant_name="李四")
    assert exc.value.code == "wrong_center" and exc.value.field == "item"
    assert not Case.objects.exists()


def test_full_path_records_who_when_why_and_issues_numbered_notices(world, intake):
    case = intake(4)
    services.case_accept(by=world["clerk_a"], case=case)
    services.case_start(by=world["clerk_a"], case=case)
    services.case_complete(by=world["clerk_a"], case=case, outcome="approved")
    services.case_deliver(by=world["clerk_a"], case=case, method="mail", tracking_number="SF1234567890")
    case.refresh_from_db()
    assert case.status == Case.Status.DELIVERED and case.tracking_number == "SF1234567890"
    actions = list(case.events.values_list("action", "by__username"))
    assert [a for a, _ in actions] == ["submit", "accept", "start", "complete", "deliver"]
    assert all(u == "tclerk_a" for _, u in actions)
    kinds = list(case.notices.values_list("kind", flat=True))
    assert kinds == [Notice.Kind.ACCEPTANCE, Notice.Kind.COMPLETION]
    assert case.notices.get(kind="acceptance").number.startswith("T-A-SL-")
    assert case.history.count() >= 5


def test_wrong_state_transitions_are_refused(world, intake, chief):
    case = intake(4)
    for step in (
        lambda: services.case_start(by=world["clerk_a"], case=case),
        lambda: services.case_complete(by=world["clerk_a"], case=case, outcome="approved"),
        lambda: services.case_deliver(by=world["clerk_a"], case=case, method="window"),
        lambda: services.case_resume(by=world["clerk_a"], case=case),
    ):
        with pytest.raises(WrongState):
            step()
    services.case_accept(by=world["clerk_a"], case=case)
    with pytest.raises(WrongState) as exc:
        services.case_accept(by=world["clerk_a"], case=case)
    assert "已受理" in exc.value.message
    with pytest.raises(WrongState):
        services.case_reject(by=chief, case=case, reason="x", legal_basis="y")
    services.case_complete(by=world["clerk_a"], case=case, outcome="approved")
    with pytest.raises(WrongState):
        services.case_withdraw(by=world["clerk_a"], case=case, reason="不办了")
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED
    assert case.events.count() == 3


def test_rejection_notice_states_reason_basis_and_right_to_review(world, intake, chief):
    case = intake()
    with pytest.raises(DomainError) as exc:
        services.case_reject(by=chief, case=case, reason="不符合条件", legal_basis="")
    assert exc.value.field == "legal_basis"
    services.case_reject(
        by=chief,
        case=case,
        reason="女方未达法定婚龄",
        legal_basis="《中华人民共和国民法典》第一千零四十七条",
    )
    body = case.notices.get(kind="rejection").body
    assert body["reason"] == "女方未达法定婚龄"
    assert "民法典" in body["legal_basis"]
    assert "行政复议" in body["remedy"] and "行政诉讼" in body["remedy"]


def test_correction_notice_lists_everything_at_once(world, intake, materials):
    case = intake(2)
    notice = services.case_request_correction(by=world["clerk_a"], case=case, items=_fix(materials[2:]))
    case.refresh_from_db()
    assert case.status == Case.Status.CORRECTION
    assert [i.name for i in notice.items.all()] == [m.name for m in materials[2:]]
    assert notice.notice.kind == Notice.Kind.CORRECTION and len(notice.notice.body["items"]) == 2


def test_correction_needs_a_reason_for_each_material(world, intake, materials):
    case = intake(2)
    with pytest.raises(DomainError) as exc:
        services.case_request_correction(
            by=world["clerk_a"], case=case, items=[{"material_id": materials[2].id, "reason": ""}]
        )
    assert exc.value.field == "items"
    assert not CorrectionNotice.objects.exists()


def test_second_notice_cannot_add_new_materials(world, intake, materials):
    case = intake(1)
    services.case_request_correction(by=world["clerk_a"], case=case, items=_fix(materials[1:3]))
    with pytest.raises(DomainError) as exc:
        services.case_request_correction(by=world["clerk_a"], case=case, items=_fix([materials[3]]))
    assert exc.value.code == "new_demand"
    assert materials[3].name in exc.value.message
    assert case.corrections.count() == 1
    # Materials named before may be named again.
    services.case_request_correction(by=world["clerk_a"], case=case, items=_fix([materials[2]]))
    assert case.corrections.count() == 2


def test_second_notice_may_concern_a_newly_handed_in_material(world, intake, materials):
    case = intake(1)
    services.case_request_correction(by=world["clerk_a"], case=case, items=_fix([materials[1]]))
    services.case_receive_paper(
        by=world["clerk_a"], case=case, material_ids=[materials[1].id, materials[3].id]
    )
    services.case_request_correction(
        by=world["clerk_a"],
        case=case,
        items=[{"material_id": materials[3].id, "problem": "defective", "reason": "未签名"}],
    )
    assert case.corrections.count() == 2


def test_new_demand_allowed_only_with_district_admins_recorded_justification(world, intake, materials):
    case = intake(1)
    services.case_request_correction(by=world["clerk_a"], case=case, items=_fix([materials[1]]))
    with pytest.raises(Refused):
        services.correction_exception_grant(
            by=world["manager_a"], case=case, material=materials[3], justification="漏列"
        )
    with pytest.raises(DomainError):
        services.correction_exception_grant(
            by=world["admin"], case=case, material=materials[3], justification=" "
        )
    exc = services.correction_exception_grant(
        by=world["admin"], case=case, material=materials[3], justification="首次告知遗漏，经核实确属必要"
    )
    second = services.case_request_correction(by=world["clerk_a"], case=case, items=_fix([materials[3]]))
    exc.refresh_from_db()
    assert exc.used_in == second
    assert second.notice.body["exceptions"][0]["justification"] == "首次告知遗漏，经核实确属必要"


def _utc(y, m, d, h=2):
    return datetime(y, m, d, h, 0, tzinfo=UTC)


def test_deadline_counts_working_days_across_national_day(world, intake):
    with time_machine.travel(_utc(2026, 9, 30), tick=False):
        case = intake(4)
        services.case_accept(by=world["clerk_a"], case=case)
    case.refresh_from_db()
    # 5 working days after Wed 30 Sep: 8, 9, 10 (make-up Saturday), 12, 13 Oct.
    assert case.limit_days == 5
    assert str(case.deadline) == "2026-10-13"
    assert "2026年10月13日" in case.notices.get(kind="acceptance").body["due"]


def test_suspension_stops_the_clock(world, intake):
    with time_machine.travel(_utc(2026, 11, 2), tick=False):  # Monday
        case = intake(4)
        services.case_accept(by=world["clerk_a"], case=case)
        services.case_start(by=world["clerk_a"], case=case)
    case.refresh_from_db()
    assert str(case.deadline) == "2026-11-09"
    with time_machine.travel(_utc(2026, 11, 3), tick=False):
        with pytest.raises(DomainError):
            services.case_suspend(by=world["clerk_a"], case=case, kind="expert", reason="")
        services.case_suspend(by=world["clerk_a"], case=case, kind="expert", reason="专家评审")
    with time_machine.travel(_utc(2026, 11, 6), tick=False):  # three working days later
        services.case_resume(by=world["clerk_a"], case=case, reason="评审结束")
    case.refresh_from_db()
    assert case.suspended_days == 3
    assert str(case.deadline) == "2026-11-12"
    assert case.status == Case.Status.IN_PROGRESS


def test_deadline_in_unknown_year_is_flagged(world, intake):
    with time_machine.travel(_utc(2026, 12, 29), tick=False):
        case = intake(4)
        services.case_accept(by=world["clerk_a"], case=case)
    case.refresh_from_db()
    assert case.deadline is None and case.deadline_unknown is True


def test_chief_representative_decision_records_that_authority(world, intake):
    case = intake(4)
    services.case_accept(by=world["chief_a"], case=case)
    services.case_complete(by=world["chief_a"], case=case, outcome="approved", note="当场审批")
    case.refresh_from_db()
    assert case.decision_authority == Case.Authority.CHIEF_REP and case.decided_by == world["chief_a"]
    assert "首席代表" in case.notices.get(kind="completion").body["authority"]
    other = intake(4)
    services.case_accept(by=world["clerk_a"], case=other)
    services.case_complete(by=world["clerk_a"], case=other, outcome="approved")
    other.refresh_from_db()
    assert other.decision_authority == Case.Authority.CLERK


def test_denial_needs_a_reason_and_mail_needs_a_tracking_number(world, intake, chief):
    case = intake(4)
    services.case_accept(by=world["clerk_a"], case=case)
    with pytest.raises(DomainError) as exc:
        services.case_complete(by=chief, case=case, outcome="denied")
    assert exc.value.field == "note"
    services.case_complete(by=world["clerk_a"], case=case, outcome="approved")
    with pytest.raises(DomainError) as exc:
        services.case_deliver(by=world["clerk_a"], case=case, method="mail", tracking_number="")
    assert exc.value.field == "tracking_number"
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED


def test_withdraw_needs_a_reason_and_ends_the_case(world, intake):
    case = intake()
    with pytest.raises(DomainError):
        services.case_withdraw(by=world["clerk_a"], case=case, reason="")
    services.case_withdraw(by=world["clerk_a"], case=case, reason="申请人书面申请撤回")
    case.refresh_from_db()
    assert case.status == Case.Status.WITHDRAWN
    assert CaseEvent.objects.filter(case=case, action="withdraw", reason="申请人书面申请撤回").exists()


def test_revealing_a_full_id_number_is_recorded(world, intake):
    from govhall.core.models import PersonalDataAccess

    case = intake()
    assert case.masked_id_number == "1101**********1232"
    with pytest.raises(DomainError) as exc:
        services.case_reveal(by=world["manager_a"], case=case, field="id_number", reason="  ")
    assert exc.value.field == "reason" and not PersonalDataAccess.objects.exists()
    assert (
        services.case_reveal(by=world["manager_a"], case=case, field="id_number", reason="核对身份")
        == PERSON_ID
    )
    assert PersonalDataAccess.objects.filter(viewer=world["manager_a"], field="id_number").count() == 1
    with pytest.raises(NotFound):
        services.case_reveal(by=world["clerk_b"], case=case, field="phone", reason="核对")
    assert PersonalDataAccess.objects.count() == 1


# --- online ------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n%test\n"


def _citizen(phone="13912345678"):
    accounts.citizen_send_code(phone=phone)
    SmsCode.objects.filter(phone=phone).update(code_hash=accounts._code_hash(phone, "123456"))
    return accounts.citizen_register(phone=phone, code="123456", password="a-long-citizen-pass-9")


def test_a_citizens_login_name_holds_no_phone_yet_they_sign_in_with_the_phone(world, client):
    from django.db import connection

    user = _citizen("13912345670")
    with connection.cursor() as cur:
        cur.execute("SELECT username FROM accounts_user WHERE id = %s", [user.pk])
        names = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT username FROM accounts_historicaluser WHERE id = %s", [user.pk])
        names += [r[0] for r in cur.fetchall()]
    assert names and all("13912345670" not in n and n.startswith("c-") for n in names)
    r = client.post("/my/login/", {"phone": "13912345670", "password": "a-long-citizen-pass-9"})
    assert r.status_code == 302 and r.wsgi_request.user.pk == user.pk
    r = client.post("/my/login/", {"phone": "13912345671", "password": "a-long-citizen-pass-9"})
    assert r.status_code == 400


def test_online_application_draft_upload_submit(world, marriage, materials):
    user = _citizen()
    draft = services.case_draft_save(
        by=user, item=marriage, applicant_name="王五", applicant_id_number=PERSON_ID
    )
    assert draft.status == Case.Status.DRAFT and draft.number is None
    assert draft.contact_phone == "13912345678"
    with pytest.raises(DomainError) as exc:
        services.case_submit(by=user, case=draft)
    assert exc.value.field == "file"
    services.case_material_upload(
        by=user,
        case=draft,
        material_id=materials[0].id,
        file=SimpleUploadedFile("id.pdf", PDF, "application/pdf"),
    )
    case = services.case_submit(by=user, case=draft)
    assert case.status == Case.Status.SUBMITTED and case.number


def test_upload_refuses_wrong_type_disguised_file_and_too_large(world, marriage, materials, settings):
    user = _citizen()
    draft = services.case_draft_save(
        by=user, item=marriage, applicant_name="王五", applicant_id_number=PERSON_ID
    )
    for name, data, code in (("a.exe", b"MZ..", "file_type"), ("a.pdf", b"MZ not a pdf", "file_type")):
        with pytest.raises(DomainError) as exc:
            services.case_material_upload(
                by=user, case=draft, material_id=materials[0].id, file=SimpleUploadedFile(name, data)
            )
        assert exc.value.code == code and exc.value.field == "file"
    settings.GOVHALL_UPLOAD_MAX_BYTES = 10
    with pytest.raises(DomainError) as exc:
        services.case_material_upload(
            by=user, case=draft, material_id=materials[0].id, file=SimpleUploadedFile("a.pdf", PDF)
        )
    assert exc.value.code == "file_too_large"
    assert not draft.materials.exists()


def test_another_citizen_cannot_touch_my_draft(world, marriage):
    me, other = _citizen(), _citizen("13712345678")
    draft = services.case_draft_save(by=me, item=marriage, applicant_name="王五")
    with pytest.raises(NotFound):
        services.case_submit(by=other, case=draft)
    with pytest.raises(NotFound):
        services.case_draft_save(by=other, item=marriage, case=draft, applicant_name="x")


def test_wrong_sms_code_is_refused_and_counted(world):
    accounts.citizen_send_code(phone="13912345678")
    with pytest.raises(DomainError) as exc:
        accounts.citizen_register(phone="13912345678", code="000000x", password="a-long-citizen-pass-9")
    assert exc.value.field == "code"
    assert SmsCode.objects.get().attempts == 1
    with pytest.raises(DomainError) as exc:
        accounts.citizen_send_code(phone="13912345678")
    assert exc.value.code == "too_soon"
