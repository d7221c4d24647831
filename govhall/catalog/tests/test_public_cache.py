"""Issue 17: public pages cache what is the same for everyone, keyed by a version that
every change bumps in its own transaction (no stale timer); guides answer ETag → 304.

Transactional tests (the cache is read past inside a transaction that changed something,
so these commit like a real request does)."""

import pytest
from django.core.cache import cache
from django.test import Client

from govhall.catalog import services
from govhall.core import public_cache

from .conftest import complete_guide, make_item

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def item(world):
    it = make_item(world, "结婚登记", "C-MZ", keywords="婚姻登记")
    complete_guide(it, place="婚姻登记大厅一楼")
    return it


def test_editing_a_guide_through_its_service_changes_the_cached_page_at_once(world, item):
    c = Client()
    first = c.get("/items/C-MZ/")
    assert first.status_code == 200 and "婚姻登记大厅一楼" in first.content.decode()
    before = public_cache.version()
    services.guide_save_draft(
        by=world["admin"],
        item=item,
        fields={"place": "婚姻登记大厅三楼", "change_note": "搬迁"},
        materials=[{"name": "居民身份证", "form": "original", "copies": 1}],
        fees=[],
        no_fee=True,
    )
    draft = item.guides.get(status="draft")
    services.guide_publish(by=world["admin"], guide=draft)
    assert public_cache.version() > before
    html = c.get("/items/C-MZ/").content.decode()
    assert "婚姻登记大厅三楼" in html and "婚姻登记大厅一楼" not in html


def test_the_guide_answers_304_to_its_etag_and_200_after_a_change(world, item):
    c = Client()
    r = c.get("/items/C-MZ/")
    etag = r["ETag"]
    assert etag
    again = c.get("/items/C-MZ/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    services.item_update(by=world["admin"], item=item, name="结婚登记（内地居民）")
    changed = c.get("/items/C-MZ/", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "结婚登记（内地居民）" in changed.content.decode()
    # Large type is another page: not the same ETag.
    assert c.get("/items/C-MZ/?large=1")["ETag"] != changed["ETag"]


def test_search_results_are_cached_and_follow_a_new_item(world, item, django_assert_max_num_queries):
    c = Client()
    assert "结婚登记" in c.get("/items/?q=jhdj").content.decode()
    with django_assert_max_num_queries(2):  # the version number (and the session, if any)
        assert c.get("/items/?q=jhdj").status_code == 200
    assert "离婚登记" not in c.get("/items/?q=dj").content.decode()
    make_item(world, "离婚登记", "C-LH")
    assert "离婚登记" in c.get("/items/?q=dj").content.decode()


def test_home_center_and_browse_pages_are_cached_and_invalidated(world, item, django_assert_max_num_queries):
    from govhall.centers import services as center_services

    c = Client()
    for url in ("/", f"/centers/{world['hub'].code}/", "/items/", "/items/C-MZ/"):
        assert c.get(url).status_code == 200
    # the hall page reads today's hours live (open or closed now): two small reads beyond the version
    for url, most in (("/", 2), (f"/centers/{world['hub'].code}/", 3), ("/items/", 2), ("/items/C-MZ/", 12)):
        with django_assert_max_num_queries(most):
            assert c.get(url).status_code == 200
    hub = world["hub"]
    center_services.center_update(by=None, center=hub, address="新址路 9 号")
    assert "新址路 9 号" in c.get(f"/centers/{hub.code}/").content.decode()
    assert "新址路 9 号" in c.get("/").content.decode()


def test_a_rolled_back_change_leaves_no_entry_under_a_reused_number(world, item):
    from django.db import transaction

    v = public_cache.version()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.item_update(by=world["admin"], item=item, name="回滚的名称")
        # Inside the changing transaction the cache is read past, never filled.
        assert public_cache.cached("probe", lambda: "inside") == "inside"
        raise RuntimeError
    assert public_cache.version() == v
    assert public_cache.cached("probe", lambda: "outside") == "outside"
