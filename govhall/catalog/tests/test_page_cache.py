"""Issue 17: whole public pages kept for anonymous visitors (core/page_cache.py) —
served again without rendering, each visitor with their own CSRF token, never to
someone logged in, and changed at once by what the page shows (the register of
windows, a hall open or closed right now).

Transactional tests, like test_public_cache.py: the cache is read past inside a
transaction that changed something, so these commit as a real request does."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.middleware.csrf import _does_token_match
from django.test import Client
from django.test.signals import template_rendered

from govhall.queueing import services as queueing

from .conftest import complete_guide, make_item

pytestmark = pytest.mark.django_db(transaction=True)
BEIJING = ZoneInfo("Asia/Shanghai")


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


@pytest.fixture
def renders():
    seen: list[str] = []

    def note(sender, template, **kwargs):
        seen.append(template.name)

    template_rendered.connect(note)
    yield seen
    template_rendered.disconnect(note)


def _token(html: str) -> str:
    start = html.index('<meta name="csrf-token" content="') + len('<meta name="csrf-token" content="')
    return html[start : html.index('"', start)]


@pytest.mark.parametrize("url", ["/", "/items/?q=jhdj", "/items/C-MZ/", "/centers/{a}/"])
def test_a_second_anonymous_visit_is_served_without_rendering(world, item, renders, url):
    url = url.format(a=world["a"].code)
    first = Client().get(url)
    assert first.status_code == 200 and renders, "the first visit renders the page"
    renders.clear()
    again = Client().get(url)
    assert again.status_code == 200 and renders == []
    # the same page, but for the token each visitor gets
    assert again.content.replace(_token(again.content.decode()).encode(), b"") == first.content.replace(
        _token(first.content.decode()).encode(), b""
    )


def test_each_visitor_gets_a_token_that_matches_their_own_cookie(world, item):
    one, two = Client(), Client()
    one.get("/items/C-MZ/")
    kept = two.get("/items/C-MZ/")  # served from the kept page
    token = _token(kept.content.decode())
    secret = kept.cookies["csrftoken"].value
    assert _does_token_match(token, secret)
    assert not _does_token_match(token, one.cookies["csrftoken"].value)


def test_someone_logged_in_is_never_served_the_anonymous_page(world, item, renders):
    Client().get("/items/C-MZ/")
    renders.clear()
    c = Client()
    c.force_login(world["clerk_a"])
    html = c.get("/items/C-MZ/").content.decode()
    assert renders, "rendered for them"
    assert world["clerk_a"].display_name in html


def test_a_window_newly_serving_the_item_shows_on_the_kept_guide_at_once(world, item):
    c = Client()
    assert "8号窗口" not in c.get("/items/C-MZ/").content.decode()
    queue = queueing.queue_create(by=None, center=world["a"], letter="M", name="婚姻登记")
    queueing.queue_set_items(by=None, queue=queue, items=[item])
    window = queueing.window_create(by=None, center=world["a"], number=8, name="婚姻登记窗口")
    assert "8号" not in c.get("/items/C-MZ/").content.decode()  # kept again: no window serves it yet
    queueing.window_set_queues(by=None, window=window, queues=[queue])  # only the window's queues change
    assert "8号" in c.get("/items/C-MZ/").content.decode()


def test_the_hall_page_says_open_or_closed_for_the_moment_it_is_asked(world, item):
    url = f"/centers/{world['a'].code}/"
    with time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=BEIJING), tick=False):  # a Monday
        assert "现在开放" in Client().get(url).content.decode()
        assert "现在开放" in Client().get(url).content.decode()
    with time_machine.travel(datetime(2026, 12, 7, 18, 0, tzinfo=BEIJING), tick=False):
        assert "今天已下班" in Client().get(url).content.decode()


def test_a_visitor_with_a_session_gets_their_own_page(world, item, renders):
    Client().get("/")
    renders.clear()
    c = Client()
    c.cookies["sessionid"] = "not-a-real-session"
    assert c.get("/").status_code == 200
    assert renders


def test_a_closure_on_the_calendar_shows_on_the_kept_hall_page_at_once(world, item):
    from datetime import date

    from govhall.centers.calendar import calendar_override_add

    url = f"/centers/{world['a'].code}/"
    with time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=BEIJING), tick=False):
        assert "现在开放" in Client().get(url).content.decode()
        calendar_override_add(by=world["admin"], day=date(2026, 12, 7), is_workday=False, note="因停电闭厅")
        html = Client().get(url).content.decode()
        assert "今天不办公" in html and "现在开放" not in html


def test_two_databases_sharing_one_cache_never_see_each_others_pages(world, item, settings):
    """The browser tests' server and a test run may share Redis with the same version numbers."""
    from django.db import connection

    from govhall.core import public_cache

    mine = public_cache.database_tag()
    real_name = connection.settings_dict["NAME"]
    try:
        connection.settings_dict["NAME"] = f"{real_name}-other"
        assert public_cache.database_tag() != mine
    finally:
        connection.settings_dict["NAME"] = real_name
    assert public_cache.database_tag() == mine
