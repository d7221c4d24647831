"""The JSON API of the register and of branch changes: the same rules as the
pages (they call the same services), errors as JSON {"detail", "code"} with a
4xx status, and never a 500 for bad input."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from config.api import api
from govhall.accounts.models import Role
from govhall.accounts.services import api_token_issue
from govhall.centers import services
from govhall.centers.models import Center, CenterChange, Zone
from tests.support import ALL_ZONES, make_user

pytestmark = pytest.mark.django_db

API = "/api/v1"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post(c: Client, url: str, data=None):
    return c.post(API + url, json.dumps(data if data is not None else {}), content_type="application/json")


def put(c: Client, url: str, data):
    return c.put(API + url, json.dumps(data), content_type="application/json")


def patch(c: Client, url: str, data):
    return c.patch(API + url, json.dumps(data), content_type="application/json")


def soon(days=3) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def relocation(center="T-A", address="新址路 9 号", days=3) -> dict:
    return {
        "kind": "relocate",
        "center": center,
        "new_address": address,
        "effective_date": soon(days),
        "description": "原址租约到期",
    }


def assert_error(r, status: int, code: str | None = None, field: str | None = None) -> dict:
    assert r.status_code == status, r.content
    body = r.json()
    assert body["detail"] and isinstance(body["detail"], str)
    if code:
        assert body["code"] == code
    if field:
        assert field in body["errors"], body
    return body


def change_state(pk: int) -> tuple:
    c = CenterChange.objects.get(pk=pk)
    return c.status, c.filing_number, c.decision_reason, c.return_reason, c.events.count()


def codes(r) -> list[str]:
    assert r.status_code == 200, r.content
    return [item["code"] for item in r.json()["items"]]


# --- reading the register --------------------------------------------------------


def test_list_shows_exactly_the_centers_the_user_may_see(world):
    assert sorted(codes(client_for(world["admin"]).get(API + "/centers"))) == ["T-A", "T-B", "T-HUB"]
    assert codes(client_for(world["manager_a"]).get(API + "/centers")) == ["T-A"]
    assert codes(client_for(world["clerk_b"]).get(API + "/centers")) == ["T-B"]


def test_list_item_carries_the_register_fields(world):
    services.center_set_zones(by=None, center=world["a"], kinds=["guidance", "waiting"])
    services.center_add_alias(by=None, center=world["a"], name="测试区婚姻登记处")
    item = client_for(world["manager_a"]).get(API + "/centers").json()["items"][0]
    assert item["code"] == "T-A" and item["kind"] == "branch" and item["status"] == "active"
    assert item["department"] == {"code": "TCIVIL", "name": "测试区民政局"}
    assert item["parent_code"] == "T-HUB"
    assert item["aliases"] == ["测试区婚姻登记处"]
    assert sorted(z["kind"] for z in item["zones"]) == ["guidance", "waiting"]
    assert {(h["weekday"], h["opens"], h["closes"]) for h in item["hours"]} == {
        (d, "09:00:00", "17:00:00") for d in range(5)
    }
    assert [(p["role"], p["name"], p["title"]) for p in item["leadership"]] == [
        ("leader", "分管甲", "副局长"),
        ("cadre", "科长乙", "科长"),
    ]
    assert 0 < item["standardisation_score"] < 100


def test_list_filters_by_kind_status_and_department(world):
    services.center_set_status(by=None, center=world["b"], status=Center.Status.SUSPENDED, reason="装修")
    c = client_for(world["admin"])
    assert codes(c.get(API + "/centers", {"kind": "district"})) == ["T-HUB"]
    assert sorted(codes(c.get(API + "/centers", {"kind": "branch"}))) == ["T-A", "T-B"]
    assert codes(c.get(API + "/centers", {"status": "suspended"})) == ["T-B"]
    assert codes(c.get(API + "/centers", {"department": "TCIVIL"})) == ["T-A"]
    assert codes(c.get(API + "/centers", {"department": "NOSUCH"})) == []


def test_search_finds_a_branch_by_its_former_name(world):
    services.center_add_alias(by=None, center=world["a"], name="测试区婚姻登记处")
    c = client_for(world["admin"])
    assert codes(c.get(API + "/centers", {"q": "婚姻登记处"})) == ["T-A"]
    assert codes(c.get(API + "/centers", {"q": "人力社保"})) == ["T-B"]


def test_list_is_paginated_with_limit_and_offset(world):
    c = client_for(world["admin"])
    first = c.get(API + "/centers", {"limit": 2, "offset": 0, "sort": "code"}).json()
    rest = c.get(API + "/centers", {"limit": 2, "offset": 2, "sort": "code"}).json()
    assert first["count"] == rest["count"] == 3
    assert [i["code"] for i in first["items"]] + [i["code"] for i in rest["items"]] == ["T-A", "T-B", "T-HUB"]


def test_bad_filter_values_are_422_not_500(world):
    c = client_for(world["admin"])
    assert_error(c.get(API + "/centers", {"kind": "palace"}), 422, "invalid_input")
    assert_error(c.get(API + "/centers", {"limit": 0}), 422, "invalid_input")
    assert_error(c.get(API + "/changes", {"status": "lost"}), 422, "invalid_input")


def test_without_auth_the_api_answers_401_json(world):
    for url in ("/centers", "/centers/T-A", "/me", "/changes", "/tokens"):
        assert_error(Client().get(API + url), 401, "unauthenticated")


def test_detail_of_another_branch_is_404_json(world):
    c = client_for(world["manager_a"])
    assert c.get(API + "/centers/T-A").status_code == 200
    assert_error(c.get(API + "/centers/T-B"), 404, "not_found")
    assert_error(c.get(API + "/centers/T-B/standards"), 404, "not_found")
    assert_error(c.get(API + "/centers/NOPE"), 404, "not_found")


def test_editing_another_branch_is_404_and_changes_nothing(world):
    c = client_for(world["manager_a"])
    assert_error(patch(c, "/centers/T-B", {"phone": "023-1"}), 404, "not_found")
    assert_error(put(c, "/centers/T-B/zones", {"kinds": ["guidance"]}), 404, "not_found")
    world["b"].refresh_from_db()
    assert world["b"].phone == "" and not Zone.objects.filter(center=world["b"]).exists()


def test_standards_report_what_a_hall_has_and_lacks(world):
    c = client_for(world["manager_a"])
    before = c.get(API + "/centers/T-A/standards").json()
    assert "咨询导引区" in before["lacks"] and "统一名称" in before["have"]
    r = put(c, "/centers/T-A/zones", {"kinds": ALL_ZONES})
    assert r.status_code == 200 and len(r.json()["zones"]) == 6
    after = c.get(API + "/centers/T-A/standards").json()
    assert "咨询导引区" in after["have"] and after["score"] > before["score"]


def test_public_list_needs_no_login_and_shows_no_leader_phone(world):
    services.leadership_set(
        by=None, center=world["a"], role="leader", name="分管甲", title="副局长", phone="13812345678"
    )
    r = Client().get(API + "/public/centers")
    assert r.status_code == 200
    assert {i["code"] for i in r.json()["items"]} == {"T-HUB", "T-A", "T-B"}
    assert "13812345678" not in r.content.decode()
    assert all("phone" not in p for i in r.json()["items"] for p in i["leadership"])
    # Staff see the phone, masked.
    detail = client_for(world["manager_a"]).get(API + "/centers/T-A").json()
    assert detail["leadership"][0]["phone"] == "138****5678"


# --- editing the register ------------------------------------------------------------


def test_manager_edits_own_hall_through_the_same_services(world):
    c = client_for(world["manager_a"])
    r = patch(c, "/centers/T-A", {"phone": "023-42812345", "description": "婚姻登记"})
    assert r.status_code == 200 and r.json()["phone"] == "023-42812345"
    r = put(c, "/centers/T-A/facilities", {"kinds": ["wifi", "accessibility"]})
    assert sorted(f["kind"] for f in r.json()["facilities"]) == ["accessibility", "wifi"]
    r = put(
        c,
        "/centers/T-A/hours",
        {
            "periods": [
                {"weekday": 0, "opens": "09:00", "closes": "12:00"},
                {"weekday": 0, "opens": "13:30", "closes": "17:00"},
            ]
        },
    )
    assert r.json()["hours_summary"] == ["星期一 09:00-12:00、13:30-17:00"]
    r = put(c, "/centers/T-A/leadership/cadre", {"name": "新科长", "title": "科长"})
    assert [p["name"] for p in r.json()["leadership"] if p["role"] == "cadre"] == ["新科长"]
    r = post(c, "/centers/T-A/status", {"status": "suspended", "reason": "设备检修"})
    assert r.status_code == 200 and r.json()["status"] == "suspended"


def test_edit_refusals_are_400_with_the_field_and_change_nothing(world):
    c = client_for(world["manager_a"])
    before = Center.objects.filter(pk=world["a"].pk).values().get()
    assert_error(patch(c, "/centers/T-A", {"address": "别处 1 号"}), 400, field="address")
    assert_error(put(c, "/centers/T-A/zones", {"kinds": ["guidance", "ballroom"]}), 400, field="kinds")
    assert_error(
        put(
            c,
            "/centers/T-A/hours",
            {
                "periods": [
                    {"weekday": 1, "opens": "09:00", "closes": "12:00"},
                    {"weekday": 1, "opens": "11:00", "closes": "17:00"},
                ]
            },
        ),
        400,
        field="hours",
    )
    assert_error(put(c, "/centers/T-A/leadership/boss", {"name": "某", "title": "某"}), 400, field="role")
    assert_error(post(c, "/centers/T-A/status", {"status": "suspended"}), 400, field="reason")
    assert Center.objects.filter(pk=world["a"].pk).values().get() == before
    assert not Zone.objects.filter(center=world["a"]).exists()
    assert world["a"].hours.count() == 5


def test_clerk_cannot_edit_the_hall(world):
    r = put(client_for(world["clerk_a"]), "/centers/T-A/zones", {"kinds": ["guidance"]})
    assert_error(r, 403, "forbidden")
    assert not Zone.objects.filter(center=world["a"]).exists()


# --- changes: the whole flow ----------------------------------------------------------


def test_change_flow_create_submit_file_approve(world):
    manager, admin, approver = (client_for(world[k]) for k in ("manager_a", "admin", "approver"))
    r = post(manager, "/changes", relocation(days=0))
    assert r.status_code == 201, r.content
    change = r.json()
    assert change["status"] == "draft" and change["center_code"] == "T-A" and change["kind"] == "relocate"
    pk = change["id"]
    assert post(manager, f"/changes/{pk}/submit").json()["status"] == "submitted"
    filed = post(admin, f"/changes/{pk}/file").json()
    assert filed["status"] == "filed" and filed["filing_number"].startswith("测试区政务备〔")
    approved = post(approver, f"/changes/{pk}/approve", {"note": "同意"}).json()
    # Effective today: applied at once.
    assert approved["status"] == "applied"
    assert [e["step"] for e in approved["events"]] == ["drafted", "submitted", "filed", "approved", "applied"]
    assert manager.get(API + "/centers/T-A").json()["address"] == "新址路 9 号"
    assert [c["id"] for c in manager.get(API + "/changes", {"status": "applied"}).json()["items"]] == [pk]
    assert manager.get(API + f"/changes/{pk}").json()["decision_reason"] == "同意"


def test_change_can_be_returned_edited_and_withdrawn(world):
    manager, admin = client_for(world["manager_a"]), client_for(world["admin"])
    pk = post(manager, "/changes", relocation()).json()["id"]
    post(manager, f"/changes/{pk}/submit")
    r = post(admin, f"/changes/{pk}/return", {"reason": "请补充新址租赁合同"})
    assert r.json()["status"] == "returned" and r.json()["return_reason"] == "请补充新址租赁合同"
    r = patch(manager, f"/changes/{pk}", {"new_address": "新址路 10 号"})
    assert r.status_code == 200 and r.json()["new_address"] == "新址路 10 号"
    r = post(manager, f"/changes/{pk}/withdraw")
    assert r.json()["status"] == "withdrawn"


def test_district_office_drafts_a_new_branch_in_its_district(world):
    r = post(
        client_for(world["admin"]),
        "/changes",
        {
            "kind": "establish",
            "new_name": "测试区政务服务中心不动产登记分中心",
            "new_code": "T-C",
            "department": "THRSS",
            "new_address": "不动产路 1 号",
            "effective_date": soon(),
            "description": "新设",
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["district"] == "测试区" and r.json()["department"]["code"] == "THRSS"


def test_wrong_branch_name_is_400_on_new_name(world):
    r = post(
        client_for(world["admin"]),
        "/changes",
        {
            "kind": "establish",
            "new_name": "测试区婚姻登记处",
            "new_code": "T-C",
            "department": "TCIVIL",
            "new_address": "某路 1 号",
            "effective_date": soon(),
            "description": "新设",
        },
    )
    assert_error(r, 400, field="new_name")
    assert not CenterChange.objects.exists()


def test_merge_into_itself_is_400_on_merge_into(world):
    r = post(
        client_for(world["admin"]),
        "/changes",
        {
            "kind": "merge",
            "center": "T-A",
            "merge_into": "T-A",
            "effective_date": soon(),
            "description": "撤并",
        },
    )
    assert_error(r, 400, field="merge_into")
    assert not CenterChange.objects.exists()


def test_approving_an_unfiled_change_is_409_and_changes_nothing(world):
    pk = post(client_for(world["manager_a"]), "/changes", relocation()).json()["id"]
    before = change_state(pk)
    assert_error(post(client_for(world["approver"]), f"/changes/{pk}/approve"), 409, "wrong_state")
    assert change_state(pk) == before


def _filed(world) -> int:
    manager = client_for(world["manager_a"])
    pk = post(manager, "/changes", relocation()).json()["id"]
    post(manager, f"/changes/{pk}/submit")
    assert post(client_for(world["admin"]), f"/changes/{pk}/file").status_code == 200
    return pk


def test_reject_without_reason_is_400_and_changes_nothing(world):
    pk = _filed(world)
    before = change_state(pk)
    assert_error(
        post(client_for(world["approver"]), f"/changes/{pk}/reject", {"reason": "  "}), 400, field="reason"
    )
    assert_error(post(client_for(world["approver"]), f"/changes/{pk}/reject"), 400, field="reason")
    assert change_state(pk) == before
    r = post(client_for(world["approver"]), f"/changes/{pk}/reject", {"reason": "选址不符合规划"})
    assert r.json()["status"] == "rejected"


def test_clerk_filing_is_403_and_changes_nothing(world):
    manager = client_for(world["manager_a"])
    pk = post(manager, "/changes", relocation()).json()["id"]
    post(manager, f"/changes/{pk}/submit")
    before = change_state(pk)
    assert_error(post(client_for(world["clerk_a"]), f"/changes/{pk}/file"), 403, "forbidden")
    assert_error(post(client_for(world["manager_a"]), f"/changes/{pk}/file"), 403, "forbidden")
    assert change_state(pk) == before


def test_another_branch_cannot_see_or_act_on_a_change(world):
    pk = post(client_for(world["manager_a"]), "/changes", relocation()).json()["id"]
    other = client_for(world["manager_b"])
    assert_error(other.get(API + f"/changes/{pk}"), 404, "not_found")
    assert_error(post(other, f"/changes/{pk}/submit"), 404, "not_found")
    assert other.get(API + "/changes").json()["count"] == 0
    assert change_state(pk)[0] == "draft"


def test_drafting_for_an_invisible_center_is_404(world):
    assert_error(post(client_for(world["manager_b"]), "/changes", relocation("T-A")), 404, field="center")
    assert not CenterChange.objects.exists()


def test_malformed_json_is_a_4xx_json_error_not_500(world):
    c = client_for(world["manager_a"])
    r = c.post(API + "/changes", "{not json", content_type="application/json")
    # Ninja answers an unparseable body with 400 before validation runs.
    assert_error(r, 400, "malformed_body")
    assert not CenterChange.objects.exists()


def test_missing_or_mistyped_fields_are_422(world):
    c = client_for(world["manager_a"])
    body = assert_error(post(c, "/changes", {"kind": "relocate", "center": "T-A"}), 422, "invalid_input")
    missing = {tuple(e["loc"])[-1] for e in body["errors"]}
    assert {"effective_date", "description"} <= missing
    assert_error(
        post(c, "/changes", {**relocation(), "effective_date": "next tuesday"}), 422, "invalid_input"
    )
    assert_error(put(c, "/centers/T-A/zones", {"kinds": "guidance"}), 422, "invalid_input")
    assert not CenterChange.objects.exists()


def test_unknown_change_kind_is_400_on_kind(world):
    r = post(client_for(world["admin"]), "/changes", {**relocation(), "kind": "demolish"})
    assert_error(r, 400, field="kind")


# --- sessions and CSRF -------------------------------------------------------------------

CSRF_SECRET = "abcdefghijklmnopqrstuvwxyzABCDEF"  # 32 characters, like Django's own secrets


def test_session_post_without_csrf_token_is_refused(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world["manager_a"])
    r = post(c, "/changes", relocation())
    assert_error(r, 403, "csrf_failed")
    assert not CenterChange.objects.exists()
    # The same request with the token is accepted: the refusal above was the CSRF check.
    c.cookies["csrftoken"] = CSRF_SECRET
    r = c.post(
        API + "/changes",
        json.dumps(relocation()),
        content_type="application/json",
        headers={"X-CSRFToken": CSRF_SECRET},
    )
    assert r.status_code == 201, r.content


def test_session_get_needs_no_csrf_token(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world["manager_a"])
    assert c.get(API + "/centers").status_code == 200


# --- the OpenAPI document and "no 500" --------------------------------------------------------


def test_openapi_document_lists_every_path_with_summaries_and_errors(world):
    r = Client().get(API + "/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for p in (
        "/api/v1/me",
        "/api/v1/centers",
        "/api/v1/centers/{code}",
        "/api/v1/centers/{code}/standards",
        "/api/v1/centers/{code}/zones",
        "/api/v1/centers/{code}/facilities",
        "/api/v1/centers/{code}/hours",
        "/api/v1/centers/{code}/leadership/{role}",
        "/api/v1/centers/{code}/status",
        "/api/v1/public/centers",
        "/api/v1/changes",
        "/api/v1/changes/{change_id}",
        "/api/v1/changes/{change_id}/submit",
        "/api/v1/changes/{change_id}/file",
        "/api/v1/changes/{change_id}/return",
        "/api/v1/changes/{change_id}/approve",
        "/api/v1/changes/{change_id}/reject",
        "/api/v1/changes/{change_id}/withdraw",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}/revoke",
    ):
        assert p in paths, p
    ours = [
        op
        for path, ops in paths.items()
        for op in ops.values()
        if path.startswith(
            ("/api/v1/centers", "/api/v1/changes", "/api/v1/tokens", "/api/v1/me", "/api/v1/public/centers")
        )
    ]
    for op in ours:
        assert op.get("summary"), op["operationId"]
        assert any(code.startswith("4") for code in op["responses"]), op["operationId"]
    assert "limit" in {p["name"] for p in paths["/api/v1/centers"]["get"]["parameters"]}


def _operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return [(path, method.upper()) for path, ops in schema["paths"].items() for method in ops]


BAD_BODY = {
    "kinds": "x",
    "periods": 7,
    "centers": 3,
    "effective_date": "not-a-date",
    "name": ["a"],
    "status": {"x": None},
    "reason": 5,
    "note": [],
    "kind": None,
    "bogus": [1, {"x": None}],
}
BAD_QUERY = {
    "limit": "-1",
    "offset": "abc",
    "kind": "zzz",
    "status": "zzz",
    "sort": "zzz",
    "department": "x" * 50,
    "q": "x" * 500,
}


@pytest.fixture
def real_ids(world):
    change = services.change_draft(
        by=world["manager_a"],
        district=world["district"],
        kind="relocate",
        center=world["a"],
        new_address="新址路 9 号",
        effective_date=timezone.localdate() + timedelta(days=3),
        description="搬迁",
    )
    client_user = make_user("tsystem", Role.API_CLIENT, world["hub"])
    token, _ = api_token_issue(by=world["admin"], user=client_user, name="系统", centers=[world["a"]])
    return {"code": "T-A", "change_id": str(change.pk), "token_id": str(token.pk), "role": "leader"}


MISSING_IDS = {"code": "zz-missing", "change_id": "999999", "token_id": "999999", "role": "boss"}


@pytest.mark.parametrize("ids", ["missing", "real"])
@pytest.mark.parametrize(("path", "method"), _operations())
def test_no_operation_answers_500_to_bad_input(world, real_ids, path, method, ids):
    values = real_ids if ids == "real" else MISSING_IDS
    url = path
    for name in [seg[1:-1] for seg in path.split("/") if seg.startswith("{")]:
        url = url.replace("{" + name + "}", values.get(name, "999999"))
    c = client_for(world["admin"])
    if method == "GET":
        responses = [c.get(url, BAD_QUERY)]
    else:
        send = getattr(c, method.lower())
        responses = [
            send(url, "{broken", content_type="application/json"),
            send(url, json.dumps(BAD_BODY), content_type="application/json"),
            send(url, json.dumps([1, 2]), content_type="application/json"),
        ]
    for r in responses:
        assert r.status_code < 500, (method, url, r.content)
        if r.status_code >= 400:
            assert {"detail", "code"} <= set(r.json())
