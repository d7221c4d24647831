import json

import pytest

from govhall.cases.models import Case, Warning

from .conftest import PERSON_ID, PHONE, client_for

pytestmark = pytest.mark.django_db
API = "/api/v1"


def post(c, url, data):
    return c.post(API + url, json.dumps(data), content_type="application/json")


def _create(world, marriage, materials, **over):
    data = {
        "center": world["a"].code,
        "item": marriage.code,
        "applicant_name": "张三",
        "applicant_id_number": PERSON_ID,
        "contact_phone": PHONE,
        "paper_material_ids": [m.id for m in materials[:2]],
    }
    data.update(over)
    return post(client_for(world["clerk_a"]), "/cases", data)


def test_create_read_and_decide_through_the_api(world, marriage, materials):
    r = _create(world, marriage, materials)
    assert r.status_code == 201, r.content
    body = r.json()
    number = body["number"]
    assert body["applicant_id_number"] == "1101**********1232" and body["contact_phone"] == "138****5678"
    c = client_for(world["clerk_a"])
    r = post(
        c,
        f"/cases/{number}/decisions",
        {"action": "request_correction", "items": [{"material_id": materials[2].id, "reason": "缺照片"}]},
    )
    assert r.status_code == 200 and r.json()["status"] == "correction"
    r = post(
        c,
        f"/cases/{number}/decisions",
        {"action": "request_correction", "items": [{"material_id": materials[3].id, "reason": "新要求"}]},
    )
    assert r.status_code == 400 and r.json()["code"] == "new_demand"
    # The corrected materials come in at the window; then the application is complete.
    r = post(c, f"/cases/{number}/paper-materials", {"material_ids": [materials[2].id, materials[3].id]})
    assert r.status_code == 200, r.content
    r = post(c, f"/cases/{number}/decisions", {"action": "accept"})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    r = post(c, f"/cases/{number}/decisions", {"action": "accept"})
    assert r.status_code == 409 and r.json()["code"] == "wrong_state"
    notices = c.get(f"{API}/cases/{number}/notices").json()
    assert [n["kind"] for n in notices] == ["correction", "acceptance"]
    pdf = c.get(notices[0]["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_invalid_id_number_is_a_400_naming_the_field(world, marriage, materials):
    r = _create(world, marriage, materials, applicant_id_number="110105199001011230")
    assert r.status_code == 400
    assert "applicant_id_number" in r.json()["errors"] and "校验位" in r.json()["detail"]
    assert not Case.objects.exists()


def test_other_branch_gets_404_and_cannot_decide(world, marriage, materials):
    number = _create(world, marriage, materials).json()["number"]
    c = client_for(world["clerk_b"])
    assert c.get(f"{API}/cases/{number}").status_code == 404
    assert post(c, f"/cases/{number}/decisions", {"action": "accept"}).status_code == 404
    assert c.get(f"{API}/cases").json()["count"] == 0
    r = post(client_for(world["admin"]), f"/cases/{number}/decisions", {"action": "accept"})
    assert r.status_code == 403
    assert Case.objects.get().status == "submitted"


def test_bad_decision_input_is_4xx_not_500(world, marriage, materials):
    number = _create(world, marriage, materials, paper_material_ids=[m.id for m in materials]).json()[
        "number"
    ]
    c = client_for(world["clerk_a"])
    assert post(c, f"/cases/{number}/decisions", {"action": "explode"}).status_code == 422
    assert post(c, f"/cases/{number}/decisions", {"action": "suspend"}).status_code == 409
    post(c, f"/cases/{number}/decisions", {"action": "accept"})
    r = post(c, f"/cases/{number}/decisions", {"action": "suspend", "kind": "nope", "reason": "x"})
    assert r.status_code == 400 and "kind" in r.json()["errors"]


def test_warnings_scoped_by_center(world, intake):
    from govhall.cases import services

    case = intake(4)
    services.case_accept(by=world["clerk_a"], case=case)
    case.refresh_from_db()
    services.warnings_compute(today=case.deadline)
    assert Warning.objects.count() == 1
    assert client_for(world["admin"]).get(f"{API}/warnings").json()["count"] == 1
    assert client_for(world["manager_a"]).get(f"{API}/warnings").json()["count"] == 1
    assert client_for(world["manager_b"]).get(f"{API}/warnings").json()["count"] == 0


def test_inquiry_api_record_hand_over_accept(world):
    c = client_for(world["clerk_a"])
    r = post(
        c,
        "/inquiries",
        {
            "center": world["a"].code,
            "asker_name": "刘女士",
            "asker_contact": "13612345678",
            "topic": "补办结婚证",
        },
    )
    assert r.status_code == 201 and r.json()["asker_contact"] == "136****5678"
    pk = r.json()["id"]
    r = post(
        c,
        f"/inquiries/{pk}/actions",
        {"action": "hand_over", "to": world["clerk_hub"].username, "note": "转区中心"},
    )
    assert r.status_code == 200 and r.json()["status"] == "handover"
    r = post(client_for(world["clerk_hub"]), f"/inquiries/{pk}/actions", {"action": "accept"})
    assert r.status_code == 200 and r.json()["owner"] == world["clerk_hub"].username
    r = post(c, f"/inquiries/{pk}/actions", {"action": "answer", "answer": "x"})
    assert r.status_code == 403
