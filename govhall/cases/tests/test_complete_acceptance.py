"""Accepting only what is complete: every required material of the guide must
be received before 受理, except those the guide lets follow (容缺受理: listed on
the acceptance notice with their due date, warned when overdue, closed when
they arrive) and those the applicant's signed commitment replaces (告知承诺制)."""

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from govhall.cases import services
from govhall.cases.models import Case, CaseEvent, Commitment, FollowUpMaterial, Notice, Warning
from govhall.catalog import services as catalog
from govhall.core.errors import DomainError, NotFound, WrongState

from .conftest import client_for

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _utc(y, m, d, h=2):
    return datetime(y, m, d, h, 0, tzinfo=UTC)


def _post(c, url, data):
    return c.post(API + url, json.dumps(data), content_type="application/json")


def _republish(item, *, follow=None, replaced=None, commitment=False, commitment_text=""):
    """A new version of the item's guide: the materials numbered in `follow` ({index: days})
    may follow after acceptance; those in `replaced` are replaced by the commitment."""
    follow, replaced = follow or {}, replaced or set()
    current = list(item.current_guide.materials.order_by("order"))
    draft = catalog.guide_draft(
        by=None, item=item, commitment_allowed=commitment, commitment_text=commitment_text
    )
    catalog.guide_set_materials(
        by=None,
        guide=draft,
        materials=[
            {
                "name": m.name,
                "form": m.form,
                "copies": m.copies,
                "may_follow": i in follow,
                "follow_days": follow.get(i, 5),
                "replaced_by_commitment": i in replaced,
            }
            for i, m in enumerate(current)
        ],
    )
    catalog.guide_publish(by=None, guide=draft)
    item.refresh_from_db()
    return list(item.current_guide.materials.order_by("order"))


def _notice(case):
    return case.notices.get(kind=Notice.Kind.ACCEPTANCE)


# --- a missing required material refuses acceptance --------------------------------------------------


def _in_correction(world, intake, materials):
    """A case with the first two materials, told once to bring the third (the fourth is missing too)."""
    case = intake(2)
    services.case_request_correction(
        by=world["clerk_a"], case=case, items=[{"material_id": materials[2].id, "reason": "缺照片"}]
    )
    case.refresh_from_db()
    assert case.status == Case.Status.CORRECTION
    return case


def test_accept_from_correction_refused_while_a_required_material_is_missing(world, intake, materials):
    case = _in_correction(world, intake, materials)
    with pytest.raises(DomainError) as exc:
        services.case_accept(by=world["clerk_a"], case=case)
    assert exc.value.code == "materials_incomplete" and exc.value.field == "materials"
    assert materials[2].name in exc.value.message and materials[3].name in exc.value.message
    assert exc.value.data == {"missing_material_ids": [materials[2].id, materials[3].id]}
    case.refresh_from_db()
    assert case.status == Case.Status.CORRECTION and case.accepted_at is None
    assert not case.notices.filter(kind=Notice.Kind.ACCEPTANCE).exists()
    assert not case.events.filter(action="accept").exists()


def test_accept_refused_on_the_page_with_the_missing_materials_named(world, intake, materials):
    case = _in_correction(world, intake, materials)
    c = client_for(world["clerk_a"])
    detail = c.get(f"/staff/cases/{case.number}/").content.decode()
    assert f"{materials[3].name}：<strong>未提交</strong>" in detail
    r = c.post(f"/staff/cases/{case.number}/act/accept/")
    assert r.status_code == 400
    page = r.content.decode()
    assert "申请材料不齐全，不能受理" in page and materials[3].name in page
    case.refresh_from_db()
    assert case.status == Case.Status.CORRECTION and not case.notices.filter(kind="acceptance").exists()


def test_accept_refused_through_the_api_with_the_missing_material_ids(world, intake, materials):
    case = _in_correction(world, intake, materials)
    r = _post(client_for(world["clerk_a"]), f"/cases/{case.number}/decisions", {"action": "accept"})
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "materials_incomplete" and materials[2].name in body["detail"]
    assert body["data"]["missing_material_ids"] == [materials[2].id, materials[3].id]
    case.refresh_from_db()
    assert case.status == Case.Status.CORRECTION
    # The case's materials, with ids, tell a department system what is missing before it tries.
    status = {
        m["material_id"]: m["status"]
        for m in client_for(world["clerk_a"]).get(f"{API}/cases/{case.number}").json()["materials_status"]
    }
    assert status == {
        materials[0].id: "received",
        materials[1].id: "received",
        materials[2].id: "missing",
        materials[3].id: "missing",
    }


def test_a_material_named_defective_after_it_came_in_counts_only_when_handed_in_again(
    world, intake, materials
):
    with time_machine.travel(_utc(2026, 11, 2), tick=False):
        case = intake(4)
    with time_machine.travel(_utc(2026, 11, 3), tick=False):
        services.case_request_correction(
            by=world["clerk_a"],
            case=case,
            items=[{"material_id": materials[3].id, "problem": "defective", "reason": "未签名"}],
        )
        with pytest.raises(DomainError) as exc:
            services.case_accept(by=world["clerk_a"], case=case)
    assert exc.value.data["missing_material_ids"] == [materials[3].id]
    with time_machine.travel(_utc(2026, 11, 4), tick=False):
        services.case_receive_paper(by=world["clerk_a"], case=case, material_ids=[materials[3].id])
        services.case_accept(by=world["clerk_a"], case=case)
    assert Case.objects.get(pk=case.pk).status == Case.Status.ACCEPTED


def test_accept_with_everything_received_says_the_materials_are_complete(world, intake):
    case = services.case_accept(by=world["clerk_a"], case=intake(4))
    text = _notice(case).body["text"]
    assert "申请材料齐全" in text
    assert "follow_ups" not in _notice(case).body and "commitment" not in _notice(case).body
    assert not FollowUpMaterial.objects.exists()


def test_a_clerk_of_another_center_cannot_accept(world, intake):
    case = intake(4)
    with pytest.raises(NotFound):
        services.case_accept(by=world["clerk_b"], case=case)
    r = _post(client_for(world["clerk_b"]), f"/cases/{case.number}/decisions", {"action": "accept"})
    assert r.status_code == 404
    assert Case.objects.get(pk=case.pk).status == Case.Status.SUBMITTED


# --- 容缺受理: a material that may follow --------------------------------------------------------------


@pytest.fixture
def may_follow(marriage):
    """The 结婚登记 guide, republished: its fourth material may follow within 3 working days."""
    return _republish(marriage, follow={3: 3})


def _accepted_with_one_to_follow(world, intake, may_follow):
    with time_machine.travel(_utc(2026, 11, 2), tick=False):  # Mon 2 Nov: 3 working days end Thu 5 Nov
        case = intake(3, paper_material_ids=[m.id for m in may_follow[:3]])
        services.case_accept(by=world["clerk_a"], case=case)
    case.refresh_from_db()
    return case


def test_a_missing_material_that_may_follow_is_accepted_and_listed_with_its_due_date(
    world, intake, may_follow
):
    case = _accepted_with_one_to_follow(world, intake, may_follow)
    assert case.status == Case.Status.ACCEPTED
    follow = FollowUpMaterial.objects.get(case=case)
    assert follow.material_id == may_follow[3].id and follow.due_on == date(2026, 11, 5)
    assert follow.received_at is None and follow.history.count() == 1
    notice = _notice(case)
    assert "申请材料齐全" not in notice.body["text"] and "容缺受理" in notice.body["text"]
    assert notice.body["follow_ups"] == [{"name": may_follow[3].name, "due": "2026年11月05日前补交"}]
    event = case.events.get(action="follow_up_due")
    assert may_follow[3].name in event.reason and "2026年11月05日" in event.reason
    c = client_for(world["clerk_a"])
    printed = c.get(f"/staff/cases/{case.number}/notices/{notice.number}/").content.decode()
    assert "待补交的材料" in printed and "2026年11月05日前补交" in printed
    detail = c.get(f"/staff/cases/{case.number}/").content.decode()
    assert f"{may_follow[3].name}：<strong>待补交（2026年11月05日前）</strong>" in detail
    api = c.get(f"{API}/cases/{case.number}").json()
    row = next(m for m in api["materials_status"] if m["material_id"] == may_follow[3].id)
    assert row["status"] == "to_follow" and row["due_on"] == "2026-11-05"


def test_a_missing_material_that_may_not_follow_still_refuses(world, intake, may_follow):
    case = intake(2, paper_material_ids=[m.id for m in may_follow[:2]])
    with pytest.raises(DomainError) as exc:
        services.case_accept(by=world["clerk_a"], case=case)
    assert exc.value.data["missing_material_ids"] == [may_follow[2].id]  # the 4th may follow: not named


def test_an_overdue_follow_up_warns_and_its_receipt_clears_the_warning(world, intake, may_follow):
    case = _accepted_with_one_to_follow(world, intake, may_follow)
    with time_machine.travel(_utc(2026, 11, 5), tick=False):
        services.warnings_compute(today=date(2026, 11, 5))
    assert not case.warnings.filter(level=Warning.Level.FOLLOW_UP).exists()  # due today: not late yet
    with time_machine.travel(_utc(2026, 11, 6), tick=False):
        services.warnings_compute(today=date(2026, 11, 6))
        services.warnings_compute(today=date(2026, 11, 6))  # a second run adds nothing
    warning = case.warnings.get(level=Warning.Level.FOLLOW_UP)
    assert warning.resolved_at is None and warning.due_on == date(2026, 11, 5)
    assert "容缺材料逾期未补交" in warning.message and may_follow[3].name in warning.message
    assert "容缺材料逾期未补交" in client_for(world["admin"]).get("/staff/supervision/").content.decode()
    # Anything else than the material to follow is not taken in after acceptance.
    with time_machine.travel(_utc(2026, 11, 9), tick=False):
        with pytest.raises(DomainError) as exc:
            services.case_receive_paper(by=world["clerk_a"], case=case, material_ids=[may_follow[0].id])
        assert exc.value.code == "not_follow_up"
        r = client_for(world["clerk_a"]).post(
            f"/staff/cases/{case.number}/act/receive/", {"materials": [may_follow[3].id]}
        )
        assert r.status_code == 302
    follow = FollowUpMaterial.objects.get(case=case)
    assert follow.received_at is not None and follow.received.paper
    assert follow.history.first().history_user == world["clerk_a"]
    assert case.events.filter(action="follow_up_received", by=world["clerk_a"]).exists()
    warning.refresh_from_db()
    assert warning.resolved_at is not None
    with time_machine.travel(_utc(2026, 11, 10), tick=False):
        services.warnings_compute(today=date(2026, 11, 10))
    warning.refresh_from_db()
    assert warning.resolved_at is not None  # not raised again
    assert "已补交" in client_for(world["clerk_a"]).get(f"/staff/cases/{case.number}/").content.decode()


def test_an_uploaded_follow_up_closes_it_too(world, intake, may_follow):
    case = _accepted_with_one_to_follow(world, intake, may_follow)
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    services.case_material_upload(by=world["clerk_a"], case=case, material_id=may_follow[3].id, file=pdf)
    follow = FollowUpMaterial.objects.get(case=case)
    assert follow.received_at is not None and not follow.received.paper
    # Once it has come, nothing more is taken in.
    again = SimpleUploadedFile("b.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    with pytest.raises(DomainError):
        services.case_material_upload(
            by=world["clerk_a"], case=case, material_id=may_follow[3].id, file=again
        )


def test_a_follow_up_is_received_through_the_api(world, intake, may_follow):
    case = _accepted_with_one_to_follow(world, intake, may_follow)
    c = client_for(world["clerk_a"])
    r = _post(c, f"/cases/{case.number}/paper-materials", {"material_ids": [may_follow[0].id]})
    assert r.status_code == 400 and r.json()["code"] == "not_follow_up"
    r = _post(c, f"/cases/{case.number}/paper-materials", {"material_ids": [may_follow[3].id]})
    assert r.status_code == 200
    row = next(m for m in r.json()["materials_status"] if m["material_id"] == may_follow[3].id)
    assert row["status"] == "followed"


# --- 告知承诺制: the signed commitment replaces listed materials ----------------------------------------


@pytest.fixture
def committed(marriage):
    """The 结婚登记 guide, republished under 告知承诺制: the commitment replaces its third material."""
    return _republish(marriage, replaced={2}, commitment=True)


def test_a_recorded_commitment_lets_the_case_be_accepted_and_the_notice_says_what_it_replaced(
    world, intake, committed
):
    case = intake(3, paper_material_ids=[committed[i].id for i in (0, 1, 3)])
    with pytest.raises(DomainError) as exc:
        services.case_accept(by=world["clerk_a"], case=case)  # not without the commitment
    assert exc.value.data["missing_material_ids"] == [committed[2].id]
    row = services.case_commitment_record(by=world["clerk_a"], case=case, signed_by="张三")
    assert row.signed_by == "张三" and row.recorded_by == world["clerk_a"] and row.recorded_at
    assert row.materials == [{"id": committed[2].id, "name": committed[2].name}]
    assert committed[2].name in row.text and "法律责任" in row.text  # the text as signed
    assert row.history.count() == 1
    event = case.events.get(action="commitment")
    assert event.by == world["clerk_a"] and "张三" in event.reason and committed[2].name in event.reason
    services.case_accept(by=world["clerk_a"], case=case)
    notice = _notice(case)
    assert "申请材料齐全" not in notice.body["text"] and "告知承诺书" in notice.body["text"]
    assert notice.body["commitment"]["signed_by"] == "张三"
    assert notice.body["commitment"]["replaced"] == [committed[2].name]
    assert not FollowUpMaterial.objects.filter(case=case).exists()
    c = client_for(world["clerk_a"])
    printed = c.get(f"/staff/cases/{case.number}/notices/{notice.number}/").content.decode()
    assert "以告知承诺书代替的材料" in printed and committed[2].name in printed
    with pytest.raises(WrongState):
        services.case_commitment_record(by=world["clerk_a"], case=case, signed_by="张三")


def test_commitment_through_the_page_and_the_api(world, intake, committed):
    paper = [committed[i].id for i in (0, 1, 3)]
    c = client_for(world["clerk_a"])
    on_page = intake(3, paper_material_ids=paper)
    assert "登记告知承诺书" in c.get(f"/staff/cases/{on_page.number}/").content.decode()
    r = c.post(f"/staff/cases/{on_page.number}/act/commitment/", {"signed_by": ""})
    assert r.status_code == 400 and "请填写签署告知承诺书的申请人姓名" in r.content.decode()
    assert not Commitment.objects.exists()
    r = c.post(f"/staff/cases/{on_page.number}/act/commitment/", {"signed_by": "张三"})
    assert r.status_code == 302
    detail = c.get(f"/staff/cases/{on_page.number}/").content.decode()
    assert "已由告知承诺书代替" in detail and "告知承诺书：张三" in detail
    assert c.post(f"/staff/cases/{on_page.number}/act/accept/").status_code == 302

    by_api = intake(3, paper_material_ids=paper)
    r = _post(c, f"/cases/{by_api.number}/commitment", {"signed_by": "张三"})
    assert r.status_code == 200, r.content
    assert r.json()["commitment"]["material_ids"] == [committed[2].id]
    r = _post(c, f"/cases/{by_api.number}/decisions", {"action": "accept"})
    assert r.status_code == 200 and r.json()["status"] == "accepted"


def test_a_commitment_on_an_item_that_does_not_allow_it_is_refused(world, intake):
    case = intake(2)
    with pytest.raises(DomainError) as exc:
        services.case_commitment_record(by=world["clerk_a"], case=case, signed_by="张三")
    assert exc.value.code == "commitment_not_allowed" and "不实行告知承诺制" in exc.value.message
    r = _post(client_for(world["clerk_a"]), f"/cases/{case.number}/commitment", {"signed_by": "张三"})
    assert r.status_code == 400 and r.json()["code"] == "commitment_not_allowed"
    assert not Commitment.objects.exists() and not CaseEvent.objects.filter(action="commitment").exists()


def test_a_clerk_of_another_center_cannot_record_a_commitment(world, intake, committed):
    case = intake(3, paper_material_ids=[committed[i].id for i in (0, 1, 3)])
    with pytest.raises(NotFound):
        services.case_commitment_record(by=world["clerk_b"], case=case, signed_by="张三")
    r = _post(client_for(world["clerk_b"]), f"/cases/{case.number}/commitment", {"signed_by": "张三"})
    assert r.status_code == 404
    r = _post(client_for(world["admin"]), f"/cases/{case.number}/commitment", {"signed_by": "张三"})
    assert r.status_code == 403
    assert not Commitment.objects.exists()
