"""婚姻登记: a marriage or divorce case has both parties, each identified; the
divorce's 30-day 冷静期 (民法典第1077条) is calendar days from receipt, either
party may withdraw during it, both must then come within 30 days or the
application is deemed withdrawn; both are reminded."""

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.utils import timezone

from govhall.accounts.models import CitizenAccount
from govhall.cases import services
from govhall.cases.models import Case, Warning
from govhall.core.errors import DomainError, WrongState
from govhall.core.models import PersonalDataAccess
from govhall.core.notifications import LogBackend
from tests.support import make_user

from .conftest import PERSON_ID, PHONE, client_for
from .test_limits import republish

pytestmark = pytest.mark.django_db

SECOND_ID = "110105199102031849"
SECOND_PHONE = "13900001111"
SECOND = {"second_name": "李四", "second_id_number": SECOND_ID, "second_phone": SECOND_PHONE}


def _utc(y, m, d, h=2):
    return datetime(y, m, d, h, 0, tzinfo=UTC)


@pytest.fixture
def both(marriage):
    """结婚登记 as both parties apply for it."""
    republish(marriage, parties=2)
    return marriage


@pytest.fixture
def divorce(marriage):
    """The item as a divorce: both parties, a 30-calendar-day 冷静期, then 30 days to come."""
    republish(
        marriage,
        parties=2,
        legal_days=0,
        promised_days=0,
        waiting_name="离婚冷静期",
        waiting_days=30,
        waiting_unit="day",
        collect_days=30,
    )
    return marriage


def intake(world, item, **over):
    data = {
        "by": world["clerk_a"],
        "center": world["a"],
        "item": item,
        "applicant_name": "张三",
        "applicant_id_number": PERSON_ID,
        "contact_phone": PHONE,
        "paper_material_ids": list(item.current_guide.materials.values_list("id", flat=True)),
        **SECOND,
    }
    data.update(over)
    return services.case_intake_window(**data)


def received_on_2_november(world, divorce):
    with time_machine.travel(_utc(2026, 11, 2), tick=False):
        case = intake(world, divorce)
        return services.case_accept(by=world["clerk_a"], case=case)


# --- two parties -------------------------------------------------------------------------------------


def test_a_marriage_case_has_both_parties(world, both):
    case = intake(world, both)
    assert (case.second_name, case.second_id_number, case.second_phone) == ("李四", SECOND_ID, SECOND_PHONE)


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"second_name": "", "second_id_number": "", "second_phone": ""}, "second_name"),
        ({"second_id_number": "110105199102031848"}, "second_id_number"),  # wrong check digit
        ({"second_id_number": PERSON_ID}, "second_id_number"),  # the same person twice
        ({"second_phone": "12345"}, "second_phone"),
    ],
)
def test_a_marriage_case_without_a_valid_second_party_is_refused_and_nothing_saved(world, both, over, field):
    with pytest.raises(DomainError) as exc:
        intake(world, both, **over)
    assert exc.value.field == field
    assert Case.objects.count() == 0


def test_an_item_one_party_applies_for_needs_no_second_party(world, marriage):
    case = intake(world, marriage, second_name="", second_id_number="", second_phone="")
    assert case.status == Case.Status.SUBMITTED and case.second_name == ""


def test_the_intake_page_asks_for_the_second_party_and_names_it_when_missing(world, both):
    c = client_for(world["clerk_a"])
    page = c.get(f"/staff/cases/new/?item={both.pk}").content.decode()
    assert 'name="second_id_number"' in page and "另一方当事人" in page
    r = c.post(
        "/staff/cases/new/",
        {
            "go": "submit",
            "item": str(both.pk),
            "applicant_kind": "person",
            "applicant_name": "张三",
            "applicant_id_number": PERSON_ID,
            "contact_phone": PHONE,
            "second_name": "",
        },
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert 'id="f-second_name-error"' in html and "请填写另一方当事人的姓名" in html
    assert Case.objects.count() == 0


def test_the_api_refuses_a_marriage_case_without_the_second_party(world, both):
    c = client_for(world["clerk_a"])
    data = {
        "center": world["a"].code,
        "item": both.code,
        "applicant_name": "张三",
        "applicant_id_number": PERSON_ID,
        "contact_phone": PHONE,
    }
    r = c.post("/api/v1/cases", json.dumps(data), content_type="application/json")
    assert r.status_code == 400 and r.json()["errors"].get("second_name"), r.content
    assert "另一方当事人" in r.json()["detail"]
    assert Case.objects.count() == 0
    r = c.post("/api/v1/cases", json.dumps({**data, **SECOND}), content_type="application/json")
    assert r.status_code == 201
    body = r.json()
    assert body["second_name"] == "李四"
    assert body["second_id_number"] == "1101**********1849" and body["second_phone"] == "139****1111"


def test_the_online_application_needs_the_second_party_at_submission(world, both):
    from django.core.files.uploadedfile import SimpleUploadedFile

    user = make_user("citizen1")
    CitizenAccount.objects.create(user=user, phone=PHONE, verified_at=timezone.now())
    case = services.case_draft_save(
        by=user,
        item=both,
        applicant_name="张三",
        applicant_id_number=PERSON_ID,
        contact_phone=PHONE,
    )
    material = both.current_guide.materials.first()
    services.case_material_upload(
        by=user, case=case, material_id=material.id, file=SimpleUploadedFile("a.pdf", b"%PDF-1.4 test")
    )
    with pytest.raises(DomainError) as exc:
        services.case_submit(by=user, case=case)
    assert exc.value.field == "second_name"
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT and case.number is None
    case = services.case_draft_save(
        by=user,
        item=both,
        case=case,
        applicant_name="张三",
        applicant_id_number=PERSON_ID,
        contact_phone=PHONE,
        **SECOND,
    )
    assert services.case_submit(by=user, case=case).status == Case.Status.SUBMITTED


def test_the_second_partys_id_is_masked_in_lists_exports_and_the_api(world, both):
    case = intake(world, both)
    c = client_for(world["clerk_a"])
    for url in ("/staff/cases/", f"/staff/cases/{case.number}/"):
        html = c.get(url).content.decode()
        assert "1101**********1849" in html and SECOND_ID not in html, url
        assert SECOND_PHONE not in html, url
    listed = c.get("/api/v1/cases").json()["items"][0]
    assert listed["second_id_number"] == "1101**********1849"
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(c.get("/staff/cases/export.xlsx").content)).active
    cells = [str(v) for row in sheet.iter_rows(values_only=True) for v in row]
    assert "1101**********1849" in cells and SECOND_ID not in cells


def test_seeing_the_second_partys_full_id_is_recorded(world, both):
    case = intake(world, both)
    with pytest.raises(DomainError):  # a look needs a reason, whoever's number it is
        services.case_reveal(by=world["clerk_a"], case=case, field="second_id_number")
    assert not PersonalDataAccess.objects.exists()
    assert (
        services.case_reveal(by=world["clerk_a"], case=case, field="second_id_number", reason="核对身份")
        == SECOND_ID
    )
    record = PersonalDataAccess.objects.get()
    assert record.viewer == world["clerk_a"] and record.field == "id_number" and "另一方" in record.reason
    r = client_for(world["clerk_a"]).post(
        f"/staff/cases/{case.number}/reveal/", {"field": "second_phone", "reason": "核对"}
    )
    assert SECOND_PHONE in r.content.decode() and PersonalDataAccess.objects.count() == 2


def test_another_halls_clerk_cannot_see_the_second_party(world, both):
    from govhall.core.errors import NotFound

    case = intake(world, both)
    with pytest.raises(NotFound):
        services.case_reveal(by=world["clerk_b"], case=case, field="second_id_number", reason="核对")
    assert not PersonalDataAccess.objects.exists()


# --- the divorce's 冷静期 -------------------------------------------------------------------------------


def test_cooling_off_ends_30_calendar_days_after_receipt_and_the_collect_window_30_days_later(world, divorce):
    case = received_on_2_november(world, divorce)
    assert case.waiting_ends_on == date(2026, 12, 2)
    assert case.collect_by == date(2027, 1, 1)  # calendar days: 元旦 is not skipped, never flagged
    assert not case.deadline_unknown and case.deadline == date(2027, 1, 1)
    c = client_for(world["clerk_a"])
    html = c.get(f"/staff/cases/{case.number}/").content.decode()
    assert "离婚冷静期届满日" in html and "2026年12月02日" in html and "2027年01月01日" in html
    body = c.get(f"/api/v1/cases/{case.number}").json()
    assert body["waiting_ends_on"] == "2026-12-02" and body["collect_by"] == "2027-01-01"


def test_no_overdue_warning_while_the_parties_may_still_come(world, divorce):
    case = received_on_2_november(world, divorce)
    with time_machine.travel(_utc(2026, 12, 10), tick=False):
        services.warnings_compute(today=date(2026, 12, 10))
    assert not case.warnings.filter(level=Warning.Level.RED).exists()


def test_the_registry_cannot_complete_during_the_cooling_off(world, divorce):
    case = received_on_2_november(world, divorce)
    with time_machine.travel(_utc(2026, 12, 2), tick=False), pytest.raises(WrongState):
        services.case_complete(by=world["clerk_a"], case=case, outcome="approved")
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED
    with time_machine.travel(_utc(2026, 12, 3), tick=False):
        assert (
            services.case_complete(by=world["clerk_a"], case=case, outcome="approved").status == "completed"
        )


def test_staff_withdraw_for_the_party_they_name_within_the_cooling_off(world, divorce):
    case = received_on_2_november(world, divorce)
    with time_machine.travel(_utc(2026, 11, 20), tick=False):
        with pytest.raises(DomainError) as exc:
            services.case_withdraw(by=world["clerk_a"], case=case, reason="不愿离婚")
        assert exc.value.field == "party"
        services.case_withdraw(by=world["clerk_a"], case=case, reason="不愿离婚", party=2)
    case.refresh_from_db()
    assert case.status == Case.Status.WITHDRAWN
    assert "另一方当事人李四" in case.events.get(action="withdraw").reason


def test_the_other_party_logged_in_withdraws_on_their_case_page(world, divorce):
    case = received_on_2_november(world, divorce)
    user = make_user("lisi")
    CitizenAccount.objects.create(user=user, phone=SECOND_PHONE, verified_at=timezone.now())
    c = client_for(user)
    with time_machine.travel(_utc(2026, 11, 20), tick=False):
        page = c.get(f"/my/cases/{case.pk}/").content.decode()
        assert "离婚冷静期届满日" in page and "2026年12月02日" in page and "撤回" in page
        r = c.post(f"/my/cases/{case.pk}/", {"action": "withdraw", "reason": "不愿离婚"})
    assert r.status_code == 302, r.content.decode()[:3000]
    case.refresh_from_db()
    assert case.status == Case.Status.WITHDRAWN
    event = case.events.get(action="withdraw")
    assert event.by == user and "另一方当事人李四" in event.reason


def test_a_stranger_cannot_withdraw_a_divorce(world, divorce):
    from django.http import Http404

    case = received_on_2_november(world, divorce)
    user = make_user("stranger")
    CitizenAccount.objects.create(user=user, phone="13700000000", verified_at=timezone.now())
    r = client_for(user).post(f"/my/cases/{case.pk}/", {"action": "withdraw", "reason": "x"})
    assert r.status_code == 404
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED
    assert Http404


def test_withdrawal_after_the_cooling_off_is_refused(world, divorce):
    case = received_on_2_november(world, divorce)
    with time_machine.travel(_utc(2026, 12, 3), tick=False):
        with pytest.raises(WrongState) as exc:
            services.case_withdraw(by=world["clerk_a"], case=case, reason="不愿离婚", party=1)
        assert "届满" in exc.value.message
        html = client_for(world["clerk_a"]).get(f"/staff/cases/{case.number}/").content.decode()
        assert "/act/withdraw/" not in html
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED


def test_the_job_deems_it_withdrawn_after_the_collect_window_as_the_systems_decision(world, divorce):
    case = received_on_2_november(world, divorce)
    assert services.waiting_periods_run(today=date(2027, 1, 1))["deemed_withdrawn"] == 0  # the last day
    result = services.waiting_periods_run(today=date(2027, 1, 2))
    assert result["deemed_withdrawn"] == 1
    case.refresh_from_db()
    assert case.status == Case.Status.WITHDRAWN
    event = case.events.get(action="deemed_withdraw")
    assert event.by is None and "视为撤回" in event.reason
    assert case.history.first().history_user is None
    assert services.waiting_periods_run(today=date(2027, 1, 3))["deemed_withdrawn"] == 0


def test_both_parties_are_reminded_when_the_cooling_off_ends_and_before_the_last_day(
    world, divorce, django_capture_on_commit_callbacks
):
    case = received_on_2_november(world, divorce)
    LogBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.waiting_periods_run(today=date(2026, 12, 2))["waiting_over_sent"] == 0
        assert services.waiting_periods_run(today=date(2026, 12, 3))["waiting_over_sent"] == 1
    sent = {phone: text for phone, text in LogBackend.outbox}
    assert set(sent) == {PHONE, SECOND_PHONE}
    assert "冷静期已于 2026年12月02日 届满" in sent[SECOND_PHONE] and "2027年01月01日" in sent[SECOND_PHONE]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.waiting_periods_run(today=date(2026, 12, 4))["waiting_over_sent"] == 0  # once
        assert services.waiting_periods_run(today=date(2026, 12, 29))["collect_closing_sent"] == 1
        assert services.waiting_periods_run(today=date(2026, 12, 30))["collect_closing_sent"] == 0
    assert len(LogBackend.outbox) == 4
    assert {p for p, _ in LogBackend.outbox[2:]} == {PHONE, SECOND_PHONE}
    case.refresh_from_db()
    assert case.waiting_notified_on == date(2026, 12, 3) and case.collect_notified_on == date(2026, 12, 29)


def test_the_demo_divorce_shows_the_cooling_off_as_a_waiting_period(client):
    from django.core.management import call_command

    from govhall.catalog.models import ServiceItem

    call_command("load_demo", "--quiet", "--days", "0")
    divorce = ServiceItem.objects.get(name="离婚登记", is_demo=True)
    guide = divorce.current_guide
    assert (guide.parties, guide.waiting_days, guide.waiting_unit, guide.collect_days) == (2, 30, "day", 30)
    assert ServiceItem.objects.get(name="结婚登记", is_demo=True).current_guide.parties == 2
    html = client.get(f"/items/{divorce.code}/").content.decode()
    assert "离婚冷静期 30 日（自然日）" in html
    assert "30 个工作日" not in html
    demo = Case.objects.filter(item=divorce, is_demo=True).get()
    assert demo.second_name and demo.waiting_ends_on and demo.collect_by
    assert all(c.second_id_number for c in Case.objects.filter(item__name="结婚登记", is_demo=True))
