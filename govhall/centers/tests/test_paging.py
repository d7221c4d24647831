"""Every API list pages through core.paging: a limit or offset out of range is
a 422 with the API's JSON error (never a 500 from the database), and a normal
page still works."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

API = "/api/v1"

# Every paged list of the API (the item search pages its own query with the same bounds).
LISTS = [
    "/public/centers",
    "/centers",
    "/changes",
    "/items",
    "/cases",
    "/warnings",
    "/inquiries",
    "/tokens",
]

BAD = [
    {"offset": 10**19},  # beyond a 64-bit integer: the database refused it with a 500
    {"offset": 2**63},
    {"offset": -1},
    {"limit": 0},
    {"limit": -5},
    {"limit": 10**6},
    {"offset": "many"},
]


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("params", BAD, ids=lambda p: "-".join(f"{k}={v}" for k, v in p.items()))
def test_a_bad_limit_or_offset_is_422_json(world, url, params):
    r = client_for(world["admin"]).get(API + url, params)
    assert r.status_code == 422, (url, params, r.content)
    body = r.json()
    assert body["code"] == "invalid_input"
    assert isinstance(body["detail"], str) and body["detail"]


@pytest.mark.parametrize("url", LISTS)
def test_a_normal_page_still_works(world, url):
    c = client_for(world["admin"])
    whole = c.get(API + url)
    assert whole.status_code == 200, (url, whole.content)
    body = whole.json()
    assert set(body) >= {"items", "count"}
    page = c.get(API + url, {"limit": 1, "offset": 0}).json()
    assert page["count"] == body["count"]
    assert len(page["items"]) == min(1, body["count"])
    beyond = c.get(API + url, {"limit": 200, "offset": 100_000})
    assert beyond.status_code == 200 and beyond.json()["items"] == []


def test_centers_pages_in_order(world):
    c = client_for(world["admin"])
    first = c.get(API + "/centers", {"limit": 2, "offset": 0, "sort": "code"}).json()
    rest = c.get(API + "/centers", {"limit": 2, "offset": 2, "sort": "code"}).json()
    assert [i["code"] for i in first["items"] + rest["items"]] == ["T-A", "T-B", "T-HUB"]
