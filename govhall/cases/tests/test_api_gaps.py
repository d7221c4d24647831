"""A department system does everything through the API alone: the ids a case
and a one-time notice need come from API responses; the one-time-notice
exception (a district administrator's recorded justification) has its API."""

import json

import pytest
from django.test import Client

from govhall.cases.models import CorrectionException

from .conftest import PERSON_ID, PHONE, client_for

pytestmark = pytest.mark.django_db
API = "/api/v1"


def post(c, url, data):
    return c.post(API + url, json.dumps(data), content_type="application/json")


def test_a_department_system_goes_from_guide_to_case_to_notice_by_api_ids_alone(world, marriage):
    guide = Client().get(f"{API}/items/{marriage.code}/guide").json()
    ids = {m["name"]: m["id"] for m in guide["materials"]}
    clerk = client_for(world["clerk_a"])
    r = post(
        clerk,
        "/cases",
        {
            "center": world["a"].code,
            "item": marriage.code,
            "applicant_name": "张三",
            "applicant_id_number": PERSON_ID,
            "contact_phone": PHONE,
            "paper_material_ids": [ids["居民身份证"], ids["居民户口簿"]],
        },
    )
    assert r.status_code == 201, r.content
    case = r.json()
    handed = {m["name"]: m for m in case["materials"]}
    assert set(handed) == {"居民身份证", "居民户口簿"}
    assert handed["居民身份证"]["material_id"] == ids["居民身份证"] and handed["居民身份证"]["paper"] is True
    assert all(isinstance(m["id"], int) for m in case["materials"])
    # The notice names a material handed in but defective (its id from the case) and one missing (from the guide).
    r = post(
        clerk,
        f"/cases/{case['number']}/decisions",
        {
            "action": "request_correction",
            "items": [
                {
                    "material_id": handed["居民户口簿"]["material_id"],
                    "problem": "defective",
                    "reason": "页面缺失",
                },
                {"material_id": ids["2 寸合影照片"], "problem": "missing", "reason": "缺照片"},
            ],
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "correction"
    notices = clerk.get(f"{API}/cases/{case['number']}/notices").json()
    assert [n["kind"] for n in notices] == ["correction"]


@pytest.fixture
def noticed(world, intake, materials):
    """A case with a first one-time notice naming the photo (materials[2])."""
    from govhall.cases import services

    case = intake()
    services.case_request_correction(
        by=world["clerk_a"], case=case, items=[{"material_id": materials[2].id, "reason": "缺照片"}]
    )
    return case


def test_district_admin_grants_an_exception_by_api_and_the_next_notice_may_name_it(world, noticed, materials):
    admin, clerk = client_for(world["admin"]), client_for(world["clerk_a"])
    new = {
        "action": "request_correction",
        "items": [{"material_id": materials[3].id, "reason": "须当场签署"}],
    }
    assert post(clerk, f"/cases/{noticed.number}/decisions", new).json()["code"] == "new_demand"
    r = post(
        admin,
        f"/cases/{noticed.number}/correction-exceptions",
        {"material_id": materials[3].id, "justification": "声明书须当事人当场签署，首次告知时遗漏。"},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["case_number"] == noticed.number and body["material_id"] == materials[3].id
    assert body["granted_by"] == world["admin"].display_name and body["used"] is False
    row = CorrectionException.objects.get()
    assert row.history.get().history_user_id == world["admin"].id  # recorded who and when
    listed = admin.get(f"{API}/correction-exceptions", {"case": noticed.number}).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == row.id
    assert clerk.get(f"{API}/correction-exceptions").json()["count"] == 1  # the hall sees its own
    assert post(clerk, f"/cases/{noticed.number}/decisions", new).status_code == 200
    assert admin.get(f"{API}/correction-exceptions").json()["items"][0]["used"] is True


def test_only_the_district_office_of_that_district_may_grant(world, other_world, noticed, materials):
    data = {"material_id": materials[3].id, "justification": "理由"}
    for who in ("clerk_a", "manager_a", "chief_a", "leader_a"):
        r = post(client_for(world[who]), f"/cases/{noticed.number}/correction-exceptions", data)
        assert r.status_code == 403, who
        assert r.json()["detail"] == "只有区政务办可以批准补充告知。"
    # Another district's office does not even see the case, nor its exceptions.
    other = client_for(other_world["admin"])
    assert post(other, f"/cases/{noticed.number}/correction-exceptions", data).status_code == 404
    assert (
        post(client_for(world["clerk_b"]), f"/cases/{noticed.number}/correction-exceptions", data).status_code
        == 404
    )
    assert Client().post(
        f"{API}/cases/{noticed.number}/correction-exceptions",
        json.dumps(data),
        content_type="application/json",
    ).status_code in (401, 403)
    assert not CorrectionException.objects.exists()
    post(client_for(world["admin"]), f"/cases/{noticed.number}/correction-exceptions", data)
    assert other.get(f"{API}/correction-exceptions").json()["count"] == 0
    assert client_for(world["clerk_b"]).get(f"{API}/correction-exceptions").json()["count"] == 0


def test_bad_exception_input_is_a_4xx_with_a_chinese_reason_and_changes_nothing(
    world, intake, noticed, materials
):
    from govhall.catalog import services as catalog
    from tests.support import publish_guide

    divorce = catalog.item_create(
        by=None,
        district=world["district"],
        code="T-MZ-002",
        name="离婚登记",
        item_type="confirmation",
        department=world["dep_a"],
    )
    foreign = publish_guide(divorce).materials.first()
    admin = client_for(world["admin"])
    url = f"/cases/{noticed.number}/correction-exceptions"
    r = post(admin, url, {"material_id": materials[3].id, "justification": "  "})
    assert r.status_code == 400 and "justification" in r.json()["errors"] and "请写明" in r.json()["detail"]
    r = post(admin, url, {"material_id": 999999, "justification": "理由"})
    assert r.status_code == 400 and r.json()["detail"] == "请选择该办件所依据指南中的材料。"
    r = post(admin, url, {"material_id": foreign.id, "justification": "理由"})  # another item's guide
    assert r.status_code == 400 and r.json()["detail"] == "请选择该办件所依据指南中的材料。"
    assert post(admin, url, {"justification": "理由"}).status_code == 422
    assert post(admin, url, {"material_id": "照片", "justification": "理由"}).status_code == 422
    fresh = intake()  # no one-time notice yet: nothing to make an exception to
    r = post(
        admin,
        f"/cases/{fresh.number}/correction-exceptions",
        {"material_id": materials[3].id, "justification": "理由"},
    )
    assert r.status_code == 409 and "一次性告知书" in r.json()["detail"]
    r = admin.get(f"{API}/correction-exceptions", {"offset": 10**12})
    assert r.status_code == 422
    assert not CorrectionException.objects.exists()


def test_the_ids_and_the_exception_endpoints_are_in_the_openapi_document(db):
    doc = Client().get(f"{API}/openapi.json").json()
    operations = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    assert {"correction_exceptions_list", "correction_exceptions_grant"} <= operations
    schemas = doc["components"]["schemas"]
    assert "id" in schemas["MaterialOut"]["properties"]
    assert {"id", "material_id"} <= set(schemas["CaseMaterialOut"]["properties"])
