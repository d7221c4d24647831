"""The cases pages answer as every page does: a refusal the same as the API,
a service's message next to its field with nothing written, and a `next=`
that leads only into this site."""

import json

import pytest
from django.test import Client

from govhall.accounts import services as accounts
from govhall.accounts.models import CitizenAccount, SmsCode, User
from govhall.cases import services
from govhall.cases.models import Case, CorrectionNotice, FirstInquiry, InquiryEvent

from .conftest import PHONE, client_for

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _accept_on_page_and_api(c: Client, case: Case):
    """The answers of the page and of the API when `c` tries to accept `case`."""
    act = c.post(f"/staff/cases/{case.number}/act/accept/")
    decide = c.post(
        f"{API}/cases/{case.number}/decisions",
        json.dumps({"action": "accept"}),
        content_type="application/json",
    )
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    return act, decide


def test_another_halls_case_is_not_found_on_the_page_and_in_the_api_alike(world, intake):
    case = intake()
    c = client_for(world["clerk_b"])
    page = c.get(f"/staff/cases/{case.number}/")
    assert page.status_code == c.get(f"{API}/cases/{case.number}").status_code == 404
    assert case.number not in page.content.decode()
    act, decide = _accept_on_page_and_api(c, case)
    assert act.status_code == decide.status_code == 404


def test_a_role_that_may_see_but_not_decide_is_refused_on_the_page_and_in_the_api_alike(world, intake):
    case = intake()
    c = client_for(world["leader_a"])
    assert c.get(f"/staff/cases/{case.number}/").status_code == 200
    act, decide = _accept_on_page_and_api(c, case)
    assert act.status_code == decide.status_code == 403
    assert "只有本中心的窗口工作人员" in act.content.decode()


def test_a_decision_missing_its_reason_is_shown_next_to_the_field_and_nothing_is_written(
    world, intake, chief
):
    case = intake()
    r = client_for(chief).post(
        f"/staff/cases/{case.number}/act/reject/", {"reason": "", "legal_basis": "《婚姻登记条例》"}
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert 'id="reject-reason-error"' in html and "请写明不予受理的理由" in html
    assert 'aria-describedby="reject-reason-error"' in html
    assert "《婚姻登记条例》" in html  # what was typed is kept
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED and not case.notices.exists()


def test_a_wrong_state_is_shown_at_the_top_with_409(world, intake):
    case = intake()
    r = client_for(world["clerk_a"]).post(f"/staff/cases/{case.number}/act/deliver/", {"method": "window"})
    assert r.status_code == 409 and 'role="alert"' in r.content.decode() and "不能送达" in r.content.decode()


def _citizen(phone="13912345678", password="a-long-citizen-pass-9") -> Client:
    user = User.objects.create_user(username=phone, password=password)
    CitizenAccount.objects.create(user=user, phone=phone)
    return Client()


@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example/x", "http://evil.example"])
def test_citizen_login_refuses_an_off_site_next(world, target):
    c = _citizen()
    r = c.post(f"/my/login/?next={target}", {"phone": "13912345678", "password": "a-long-citizen-pass-9"})
    assert r.status_code == 302 and r["Location"] == "/my/"


def test_citizen_login_follows_a_next_on_this_site(world):
    c = _citizen()
    r = c.post("/my/login/?next=/track/", {"phone": "13912345678", "password": "a-long-citizen-pass-9"})
    assert r.status_code == 302 and r["Location"] == "/track/"


def test_a_wrong_password_is_said_at_the_top_with_400(world):
    c = _citizen()
    r = c.post("/my/login/?next=/track/", {"phone": "13912345678", "password": "wrong"})
    assert r.status_code == 400 and "手机号或密码不正确" in r.content.decode()


def test_citizen_registration_refuses_an_off_site_next(world):
    c = Client()
    c.post("/my/register/", {"phone": "13912345678", "step": "code"})
    SmsCode.objects.update(code_hash=accounts._code_hash("13912345678", "654321"))
    r = c.post(
        "/my/register/?next=//evil.example/x",
        {"phone": "13912345678", "code": "654321", "password": "a-long-citizen-pass-9", "step": "register"},
    )
    assert r.status_code == 302 and r["Location"] == "/my/"


def test_a_correction_notice_and_an_inquirys_steps_are_written_with_who_did_it(world, intake, materials):
    case = intake(2)
    services.case_request_correction(
        by=world["clerk_a"], case=case, items=[{"material_id": materials[2].id, "reason": "缺照片"}]
    )
    notice = CorrectionNotice.objects.get(case=case)
    assert notice.history.get().history_user == world["clerk_a"]
    assert list(notice.items.values_list("name", flat=True)) == [materials[2].name]
    inq = services.inquiry_record(
        by=world["clerk_a"], center=world["a"], asker_name="刘", asker_contact=PHONE, topic="补办"
    )
    services.inquiry_answer(by=world["clerk_a"], inquiry=inq, answer="请携带户口簿到窗口办理。")
    assert list(InquiryEvent.objects.filter(inquiry=inq).values_list("label", flat=True)) == [
        "首问登记",
        "答复",
    ]
    assert FirstInquiry.objects.get(pk=inq.pk).history.first().history_user == world["clerk_a"]


def test_inquiry_list_pages_keep_the_filter(world):
    for n in range(27):
        services.inquiry_record(
            by=world["clerk_a"], center=world["a"], asker_name=f"刘{n}", asker_contact=PHONE, topic="补办"
        )
    html = client_for(world["clerk_a"]).get("/staff/inquiries/", {"status": "open"}).content.decode()
    assert "共 27 条" in html and "?status=open&amp;page=2" in html


def test_inquiry_page_puts_each_message_next_to_the_field_of_the_form_used(world):
    inq = services.inquiry_record(
        by=world["clerk_a"], center=world["a"], asker_name="刘", asker_contact=PHONE, topic="补办"
    )
    url = f"/staff/inquiries/{inq.pk}/"
    r = client_for(world["clerk_a"]).post(url, {"action": "hand_over", "to": "", "note": "请接手"})
    assert r.status_code == 400 and 'id="f-to-error"' in r.content.decode()
    services.inquiry_hand_over(by=world["clerk_a"], inquiry=inq, to=world["manager_a"], note="请接手")
    r = client_for(world["manager_a"]).post(url, {"action": "decline", "decline_note": ""})
    html = r.content.decode()
    assert r.status_code == 400 and 'id="f-decline_note-error"' in html and "请写明退回原因" in html
    inq.refresh_from_db()
    assert inq.status == FirstInquiry.Status.HANDOVER
