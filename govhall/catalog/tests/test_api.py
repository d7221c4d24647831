import pytest
from django.test import Client

from govhall.catalog import services

from .conftest import complete_guide, make_item, put_on_negative_list

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def published(world, marriage):
    put_on_negative_list(world, marriage)
    services.item_station(by=None, item=marriage, center=world["a"])
    complete_guide(marriage)
    make_item(world, "离婚登记", "T-MZ-002")
    return marriage


def test_items_are_listed_and_searched_without_login(published):
    r = Client().get(f"{API}/items")
    assert r.status_code == 200 and r.json()["count"] == 2
    r = Client().get(f"{API}/items", {"q": "jhdj"})
    body = r.json()
    assert [i["name"] for i in body["items"]] == ["结婚登记"]
    assert body["items"][0]["center"]["code"] == "T-A" and body["items"][0]["guide_version"] == 1


def test_items_filter_by_center(published):
    r = Client().get(f"{API}/items", {"center": "T-A"})
    assert [i["code"] for i in r.json()["items"]] == ["T-MZ-001"]


def test_item_detail_carries_its_negative_list_reason(published):
    r = Client().get(f"{API}/items/T-MZ-001")
    assert r.status_code == 200
    assert r.json()["negative_list"]["reason"] == "site"


def test_current_guide_and_versions(published):
    r = Client().get(f"{API}/items/T-MZ-001/guide")
    g = r.json()
    assert g["version"] == 1 and g["complaint_phone"] == "023-12345" and g["no_fee"] is True
    assert [m["name"] for m in g["materials"]] == ["居民身份证", "户口簿"]
    assert g["materials"][1]["shared"] is True
    draft = services.guide_draft(by=None, item=published, change_note="第二版")
    services.guide_publish(by=None, guide=draft)
    versions = Client().get(f"{API}/items/T-MZ-001/guides").json()
    assert [(v["version"], v["status"]) for v in versions] == [(2, "published"), (1, "superseded")]
    assert Client().get(f"{API}/items/T-MZ-001/guides/1").json()["status"] == "superseded"


def test_unknown_item_version_and_unpublished_guide_are_404_json(published):
    for url in (
        "/items/NOPE",
        "/items/T-MZ-001/guides/9",
        "/items/T-MZ-002/guide",
        "/items/T-MZ-001/guides/x",
    ):
        r = Client().get(API + url)
        assert r.status_code in (404, 422), url
        assert "detail" in r.json()


def test_drafts_are_not_public(published):
    services.guide_draft(by=None, item=published, change_note="草稿")
    versions = Client().get(f"{API}/items/T-MZ-001/guides").json()
    assert [v["version"] for v in versions] == [1]
    assert Client().get(f"{API}/items/T-MZ-001/guides/2").status_code == 404


def test_bad_filters_are_422_not_500(published):
    assert Client().get(f"{API}/items", {"limit": 0}).status_code == 422
    assert Client().get(f"{API}/items", {"serving": "alien"}).status_code == 422
    assert Client().get(f"{API}/items", {"q": "婚" * 100}).status_code == 422


def test_negative_list(published):
    r = Client().get(f"{API}/negative-list")
    assert [e["item"]["code"] for e in r.json()] == ["T-MZ-001"]
    assert Client().get(f"{API}/negative-list", {"center": "T-B"}).json() == []


def test_catalog_is_in_the_openapi_document(db):
    paths = Client().get(f"{API}/openapi.json").json()["paths"]
    for p in (
        "/api/v1/items",
        "/api/v1/items/{code}",
        "/api/v1/items/{code}/guide",
        "/api/v1/items/{code}/guides",
        "/api/v1/items/{code}/guides/{version}",
        "/api/v1/negative-list",
    ):
        assert p in paths


def test_an_item_taken_out_of_the_catalog_is_not_found_on_the_page_and_the_api_alike(world):
    item = make_item(world, "已取消事项", "T-OUT-1")
    services.item_update(by=world["admin"], item=item, is_active=False)
    client = Client()
    assert client.get("/items/T-OUT-1/").status_code == 404
    r = client.get(f"{API}/items/T-OUT-1")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
