import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from govhall.accounts import services as accounts
from govhall.accounts.models import SmsCode
from govhall.cases.models import Case

from .conftest import PERSON_ID, PHONE, client_for

pytestmark = pytest.mark.django_db


def test_case_list_masks_ids_and_phones_and_is_scoped(world, intake):
    case = intake()
    html = client_for(world["clerk_a"]).get("/staff/cases/").content.decode()
    assert case.number in html and "1101**********1232" in html and "138****5678" in html
    assert PERSON_ID not in html and PHONE not in html
    assert case.number not in client_for(world["clerk_b"]).get("/staff/cases/").content.decode()
    # Search by the full ID finds the case without showing it.
    html = client_for(world["clerk_a"]).get("/staff/cases/", {"q": PERSON_ID}).content.decode()
    assert case.number in html


def test_export_masks_personal_data(world, intake):
    from io import BytesIO

    from openpyxl import load_workbook

    intake()
    r = client_for(world["admin"]).get("/staff/cases/export.xlsx")
    rows = list(load_workbook(BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[1][6] == "1101**********1232" and rows[1][7] == "138****5678"


def test_intake_page_shows_id_error_next_to_field_with_400(world, marriage, materials):
    c = client_for(world["clerk_a"])
    r = c.post(
        "/staff/cases/new/",
        {
            "item": marriage.pk,
            "applicant_kind": "person",
            "applicant_name": "张三",
            "applicant_id_number": "110105199001011230",
            "contact_phone": PHONE,
            "go": "submit",
        },
    )
    assert r.status_code == 400
    assert 'id="f-applicant_id_number-error"' in r.content.decode() and "校验位" in r.content.decode()
    assert not Case.objects.exists()
    r = c.post(
        "/staff/cases/new/",
        {
            "item": marriage.pk,
            "applicant_kind": "person",
            "applicant_name": "张三",
            "applicant_id_number": PERSON_ID,
            "contact_phone": PHONE,
            "go": "submit",
            "materials": [materials[0].id],
        },
    )
    assert r.status_code == 302 and Case.objects.get().materials.count() == 1


def test_detail_actions_and_wrong_state_error(world, intake, materials):
    case = intake(2)
    c = client_for(world["clerk_a"])
    r = c.post(
        f"/staff/cases/{case.number}/act/request_correction/",
        {"materials": [materials[2].id], f"reason_{materials[2].id}": "缺照片"},
    )
    assert r.status_code == 302
    r = c.post(
        f"/staff/cases/{case.number}/act/request_correction/",
        {"materials": [materials[3].id], f"reason_{materials[3].id}": "新要求"},
    )
    assert r.status_code == 400 and "一次性告知" in r.content.decode()
    r = c.post(f"/staff/cases/{case.number}/act/deliver/", {"method": "window"})
    assert r.status_code == 409
    r = c.post(f"/staff/cases/{case.number}/act/receive/", {"materials": [materials[2].id, materials[3].id]})
    assert r.status_code == 302
    assert c.post(f"/staff/cases/{case.number}/act/accept/").status_code == 302
    detail = c.get(f"/staff/cases/{case.number}/").content.decode()
    assert "data-confirm" in detail and "受理通知书" in detail
    notice = case.notices.get(kind="acceptance")
    assert "受理通知书" in c.get(f"/staff/cases/{case.number}/notices/{notice.number}/").content.decode()
    assert c.get(f"/staff/cases/{case.number}/notices/{notice.number}.pdf").content.startswith(b"%PDF")
    assert client_for(world["clerk_b"]).get(f"/staff/cases/{case.number}/").status_code == 404
    assert client_for(world["clerk_b"]).post(f"/staff/cases/{case.number}/act/start/").status_code == 404


def test_supervision_and_inquiry_pages(world):
    c = client_for(world["clerk_a"])
    assert c.get("/staff/supervision/").status_code == 200
    r = c.post(
        "/staff/inquiries/", {"center": world["a"].pk, "asker_name": "", "asker_contact": "1", "topic": "x"}
    )
    assert r.status_code == 400 and "f-asker_name-error" in r.content.decode()
    r = c.post(
        "/staff/inquiries/",
        {"center": world["a"].pk, "asker_name": "刘", "asker_contact": "13612345678", "topic": "补办"},
    )
    assert r.status_code == 302
    assert "136****5678" in c.get("/staff/inquiries/").content.decode()


def test_citizen_registers_applies_uploads_submits_and_tracks(world, marriage, materials):
    c = Client()
    assert c.post("/my/register/", {"phone": "13912345678", "step": "code"}).status_code == 200
    SmsCode.objects.update(code_hash=accounts._code_hash("13912345678", "654321"))
    r = c.post(
        "/my/register/",
        {"phone": "13912345678", "code": "654321", "password": "a-long-citizen-pass-9", "step": "register"},
    )
    assert r.status_code == 302
    r = c.post(
        f"/apply/{marriage.code}/",
        {
            "applicant_kind": "person",
            "applicant_name": "王五",
            "applicant_id_number": PERSON_ID,
            "contact_phone": "13912345678",
        },
    )
    assert r.status_code == 302
    case = Case.objects.get()
    url = f"/my/cases/{case.pk}/"
    r = c.post(
        url, {"action": "upload", "material": materials[0].id, "file": SimpleUploadedFile("x.exe", b"MZ")}
    )
    assert r.status_code == 400 and "f-file-error" in r.content.decode()
    r = c.post(
        url,
        {
            "action": "upload",
            "material": materials[0].id,
            "file": SimpleUploadedFile("id.pdf", b"%PDF-1.4 x"),
        },
    )
    assert r.status_code == 302
    assert c.post(url, {"action": "submit"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "submitted"
    anon = Client()
    assert anon.post("/track/", {"number": case.number, "phone": "13000000000"}).status_code == 400
    r = anon.post("/track/", {"number": case.number, "phone": "13912345678"})
    assert r.status_code == 200 and "已提交" in r.content.decode()
    assert Client().get(url).status_code == 302  # login needed


def test_export_writes_a_formula_looking_name_as_text(world, intake):
    from io import BytesIO

    from openpyxl import load_workbook

    case = intake()
    Case.objects.filter(pk=case.pk).update(applicant_name="=1+1")
    r = client_for(world["admin"]).get("/staff/cases/export.xlsx")
    ws = load_workbook(BytesIO(r.content)).active
    names = [c for c in ws[2] if isinstance(c.value, str) and "1+1" in c.value]
    assert names and all(c.data_type == "s" and c.value == "'=1+1" for c in names)
