"""Issue 17: the staff catalog is searched, filtered, sorted and paged (page and API)."""

import re

import pytest
from django.test import Client

from govhall.catalog import services

from .conftest import complete_guide, make_item

pytestmark = pytest.mark.django_db
API = "/api/v1/staff/items"


@pytest.fixture
def many(world):
    for i in range(60):
        make_item(world, f"测试事项{i:02d}", f"L-{i:03d}", department=world["dep_b"] if i % 2 else None)
    marriage = make_item(world, "结婚登记", "L-MZ")
    complete_guide(marriage)
    services.item_update(by=None, item=make_item(world, "爱心捐赠", "L-OLD"), is_active=False)
    return world


def client_of(user):
    c = Client()
    c.force_login(user)
    return c


def names_on(html):
    return re.findall(r'/staff/catalog/items/\d+/">([^<]+)</a>', html)


def test_the_page_is_paged_fifty_a_page_in_pinyin_order(many):
    c = client_of(many["admin"])
    html = c.get("/staff/catalog/").content.decode()
    shown = names_on(html)
    assert len(shown) == 50 and "共 62 个事项" in html and "第 1 / 2 页" in html
    assert shown[:2] == ["爱心捐赠", "测试事项00"]  # ai < ce < jie, not by code point
    last = names_on(c.get("/staff/catalog/?page=2").content.decode())
    assert len(last) == 12 and last[-1] == "结婚登记"
    assert "export.xlsx" in html  # the export stays


def test_search_by_initials_and_by_code_filters_and_status(many):
    c = client_of(many["admin"])
    assert names_on(c.get("/staff/catalog/?q=jhdj").content.decode()) == ["结婚登记"]
    assert names_on(c.get("/staff/catalog/?q=L-OLD").content.decode()) == ["爱心捐赠"]  # inactive, by code
    dep = c.get(f"/staff/catalog/?department={many['dep_b'].code}").content.decode()
    assert "共 30 个事项" in dep
    assert names_on(c.get("/staff/catalog/?status=complete").content.decode()) == ["结婚登记"]
    assert names_on(c.get("/staff/catalog/?status=inactive").content.decode()) == ["爱心捐赠"]
    assert (
        "共 61 个事项" in c.get("/staff/catalog/?status=incomplete").content.decode()
    )  # the stopped one too
    codes = names_on(c.get("/staff/catalog/?sort=-code").content.decode())
    assert codes[:3] == ["爱心捐赠", "结婚登记", "测试事项59"]  # L-OLD > L-MZ > L-059 …


def test_the_page_reads_a_fixed_number_of_queries(many, django_assert_max_num_queries):
    c = client_of(many["admin"])
    with django_assert_max_num_queries(20):
        assert c.get("/staff/catalog/?page=2").status_code == 200


def test_api_pages_filters_and_refuses_a_clerk(many):
    c = client_of(many["admin"])
    body = c.get(API, {"limit": 10, "offset": 0, "status": "active"}).json()
    assert body["count"] == 61 and len(body["items"]) == 10 and body["incomplete"] == 60
    assert body["items"][0]["name"] == "测试事项00" and body["items"][0]["missing"]
    found = c.get(API, {"q": "jhdj"}).json()
    assert [i["code"] for i in found["items"]] == ["L-MZ"] and found["items"][0]["missing"] == []
    assert c.get(API, {"sort": "nonsense"}).status_code == 422
    assert client_of(many["clerk_a"]).get(API).status_code == 403
    assert Client().get(API).status_code in (401, 403)


def test_another_district_sees_only_its_own(many, other_world):
    make_item(other_world, "邻区事项", "O-1")
    body = client_of(other_world["admin"]).get(API).json()
    assert [i["code"] for i in body["items"]] == ["O-1"]
