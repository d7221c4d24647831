"""The calendar API calls the same services as the 工作日调整 page: an
arrangement is entered whole, refused with field messages when inconsistent,
confirmed only by a second person of the district office; local closures
never make a year known."""

import json

import pytest
from django.test import Client

from config.api import api
from govhall.accounts.models import Role
from govhall.core.calendar import year_known
from govhall.core.models import CalendarOverride, HolidayArrangement
from tests.support import make_user

pytestmark = pytest.mark.django_db
API = "/api/v1/calendar"
BODY = {
    "year": 2027,
    "number": "国办发明电〔2026〕示例号",
    "periods": [
        {"name": "元旦", "start": "2027-01-01", "end": "2027-01-03"},
        {"name": "春节", "start": "2027-02-05", "end": "2027-02-13"},
    ],
    "makeups": [{"date": "2027-02-20", "name": "春节调休"}],
}


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post(c: Client, url: str, data=None):
    return c.post(API + url, json.dumps(data if data is not None else {}), content_type="application/json")


@pytest.fixture
def second(world):
    return make_user("tadmin2", Role.DISTRICT_ADMIN, world["hub"])


def test_enter_then_a_second_person_confirms_through_the_api(world, second):
    r = post(client_for(world["admin"]), "/arrangements", BODY)
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["year"], body["status"], body["status_label"]) == (2027, "draft", "待确认")
    assert body["periods"][1] == {"name": "春节", "start": "2027-02-05", "end": "2027-02-13"}
    assert body["makeups"] == [{"date": "2027-02-20", "name": "春节调休"}]
    pk = body["id"]
    r = post(client_for(world["admin"]), f"/arrangements/{pk}/confirm")
    assert r.status_code == 403 and "录入人不能确认" in r.json()["detail"]
    assert year_known(2027, district=world["district"]) is False
    r = post(client_for(second), f"/arrangements/{pk}/confirm")
    assert r.status_code == 200, r.content
    assert r.json()["arrangement"]["status"] == "confirmed" and r.json()["cases_changed"] == 0
    assert year_known(2027, district=world["district"]) is True
    listed = client_for(second).get(f"{API}/arrangements").json()
    assert [a["id"] for a in listed["items"]] == [pk]
    assert client_for(second).get(f"{API}/arrangements/{pk}").json()["confirmed_by"] == "tadmin2"


def test_updating_a_confirmed_arrangement_returns_it_to_draft(world, second):
    pk = post(client_for(world["admin"]), "/arrangements", BODY).json()["id"]
    post(client_for(second), f"/arrangements/{pk}/confirm")
    update = {k: v for k, v in BODY.items() if k != "year"}
    c = client_for(second)
    r = c.put(f"{API}/arrangements/{pk}", json.dumps(update), content_type="application/json")
    assert r.status_code == 400 and "reason" in r.json()["errors"]
    r = c.put(
        f"{API}/arrangements/{pk}",
        json.dumps({**update, "makeups": [], "reason": "调休日录错"}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["arrangement"]["status"] == "draft"
    assert year_known(2027, district=world["district"]) is False
    r = post(client_for(world["admin"]), f"/arrangements/{pk}/reopen", {"reason": "x"})
    assert r.status_code == 409


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"periods": []}, "periods"),
        ({"periods": [{"name": "春节", "start": "2027-02-13", "end": "2027-02-05"}]}, "periods"),
        ({"periods": [{"name": "元旦", "start": "2026-12-31", "end": "2027-01-01"}]}, "periods"),
        ({"makeups": [{"date": "2027-02-06", "name": ""}]}, "makeups"),
        ({"makeups": [{"date": "2027-02-17", "name": ""}]}, "makeups"),
        ({"number": ""}, "number"),
    ],
)
def test_an_inconsistent_arrangement_is_400_with_the_field_and_nothing_saved(world, change, field):
    r = post(client_for(world["admin"]), "/arrangements", {**BODY, **change})
    assert r.status_code == 400, r.content
    body = r.json()
    assert field in body["errors"] and body["code"] == "inconsistent"
    assert not HolidayArrangement.objects.exists()


def test_bad_dates_are_422_not_500(world):
    r = post(client_for(world["admin"]), "/arrangements", {**BODY, "makeups": [{"date": "2027-02-30"}]})
    assert r.status_code == 422


def test_a_clerk_and_another_districts_office_are_refused(world, other_world):
    assert post(client_for(world["clerk_a"]), "/arrangements", BODY).status_code == 403
    assert client_for(world["clerk_a"]).get(f"{API}/arrangements").status_code == 403
    pk = post(client_for(world["admin"]), "/arrangements", BODY).json()["id"]
    other = client_for(other_world["admin"])
    assert other.get(f"{API}/arrangements/{pk}").status_code == 404
    assert post(other, f"/arrangements/{pk}/confirm").status_code == 404
    assert other.get(f"{API}/arrangements").json()["items"] == []
    assert HolidayArrangement.objects.get().status == "draft"


def test_a_local_closure_through_the_api_never_makes_the_year_known(world):
    c = client_for(world["admin"])
    r = post(c, "/overrides", {"date": "2027-03-01", "is_workday": False, "note": "停电闭厅"})
    assert r.status_code == 201 and r.json()["everywhere"] is False
    assert year_known(2027, district=world["district"]) is False
    assert [o["note"] for o in c.get(f"{API}/overrides").json()["items"]] == ["停电闭厅"]
    r = post(c, "/overrides", {"date": "2027-03-01", "is_workday": True, "note": "重复"})
    assert r.status_code == 400 and "date" in r.json()["errors"]
    pk = CalendarOverride.objects.get().pk
    assert client_for(world["clerk_a"]).delete(f"{API}/overrides/{pk}").status_code == 403
    assert c.delete(f"{API}/overrides/{pk}").status_code == 204
    assert not CalendarOverride.objects.exists()


def test_the_calendar_endpoints_are_in_the_openapi_document():
    ops = {
        op["operationId"]
        for path in api.get_openapi_schema()["paths"].values()
        for op in path.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert {
        "calendar_arrangements_list",
        "calendar_arrangements_get",
        "calendar_arrangements_create",
        "calendar_arrangements_update",
        "calendar_arrangements_confirm",
        "calendar_arrangements_reopen",
        "calendar_arrangements_delete",
        "calendar_overrides_list",
        "calendar_overrides_create",
        "calendar_overrides_delete",
    } <= ops
