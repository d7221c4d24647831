import pytest
from django.test import Client

from govhall.catalog import services

from .conftest import complete_guide, make_item, put_on_negative_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world, marriage):
    put_on_negative_list(world, marriage)
    services.item_station(by=None, item=marriage, center=world["a"])
    complete_guide(marriage)
    services.synonym_set(by=None, word="社保", expansions="社会保险")
    make_item(world, "社会保险登记", "T-RS-001", department=world["dep_b"])
    return marriage


def test_citizen_types_hydj_and_opens_the_marriage_guide(published):
    r = Client().get("/items/", {"q": "hydj"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "结婚登记" in html and "/items/T-MZ-001/" in html
    r = Client().get("/items/T-MZ-001/")
    html = r.content.decode()
    assert r.status_code == 200
    for text in (
        "居民身份证",
        "免提交",
        "不收费",
        "023-12345",
        "023-42800005",
        "有特殊场地要求",
        "data-print",
        "/items/T-MZ-001/qr.svg",
        "catalog.css",
    ):
        assert text in html, text


def test_item_page_by_id_and_unknown_is_404(published):
    assert Client().get(f"/items/{published.pk}/").status_code == 200
    assert Client().get("/items/NOPE/").status_code == 404
    assert Client().get("/items/T-MZ-001/", {"version": "9"}).status_code == 404
    assert Client().get("/items/T-MZ-001/", {"version": "x"}).status_code == 404


def test_item_without_guide_says_so(published):
    r = Client().get("/items/T-RS-001/")
    assert r.status_code == 200 and "尚未发布" in r.content.decode()
    assert Client().get("/items/T-RS-001/guide.pdf").status_code == 404


def test_superseded_version_is_shown_with_a_warning(published):
    draft = services.guide_draft(by=None, item=published, consult_phone="023-99999999")
    services.guide_publish(by=None, guide=draft)
    old = Client().get("/items/T-MZ-001/", {"version": "1"}).content.decode()
    assert "已被替代的旧版本" in old and "023-42800005" in old
    assert "023-99999999" in Client().get("/items/T-MZ-001/").content.decode()


def test_guide_pdf_and_qr(published):
    r = Client().get("/items/T-MZ-001/guide.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    r = Client().get("/items/T-MZ-001/qr.svg")
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml" and b"<svg" in r.content


def test_browse_filters_and_paging(published):
    html = Client().get("/items/", {"center": "T-A"}).content.decode()
    assert "结婚登记" in html and "社会保险登记" not in html
    html = Client().get("/items/", {"department": "THRSS"}).content.decode()
    assert "社会保险登记" in html and "结婚登记</a>" not in html
    html = Client().get("/items/", {"q": "社保"}).content.decode()
    assert "社会保险登记" in html and "同义词" in html
    assert Client().get("/items/", {"page": "abc"}).status_code == 200
    assert Client().get("/items/", {"page": "999"}).status_code == 200


def test_negative_list_and_branch_items_pages(world, published):
    html = Client().get("/negative-list/").content.decode()
    assert "结婚登记" in html and "测试府办发〔2023〕79号" in html
    html = Client().get("/centers/T-A/items/").content.decode()
    assert "结婚登记" in html and "婚姻登记须设颁证厅" in html
    assert Client().get("/centers/NOPE/items/").status_code == 404


def test_search_box_partial_is_labelled(published):
    html = Client().get("/negative-list/").content.decode()
    assert 'action="/items/"' in html and 'name="q"' in html and "搜索办事事项" in html


def test_staff_catalog_shows_completeness_to_the_district_office(world, published):
    c = Client()
    c.force_login(world["admin"])
    r = c.get("/staff/catalog/")
    html = r.content.decode()
    assert r.status_code == 200 and "尚无已发布的办事指南" in html and "社会保险登记" in html


@pytest.mark.parametrize(
    "url",
    ["/staff/catalog/", "/staff/catalog/import/", "/staff/catalog/export.xlsx", "/staff/catalog/export.json"],
)
def test_staff_catalog_pages_are_refused_to_a_clerk(world, url):
    c = Client()
    c.force_login(world["clerk_a"])
    assert c.get(url).status_code == 403


def test_staff_catalog_needs_login(db):
    r = Client().get("/staff/catalog/")
    assert r.status_code == 302 and "/login/" in r["Location"]
