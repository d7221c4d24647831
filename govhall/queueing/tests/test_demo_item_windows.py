"""The demo's guides name their windows from the demo register: 婚姻登记分中心
registers marriages at window 1 (结婚) and 3 (综合), divorces at 2 and 3 — not the
old hand-typed "结婚登记 1-2 号窗口，离婚登记 3 号窗口"."""

import pytest
from django.test import Client

from govhall.catalog.demo import load_demo_catalog
from govhall.catalog.extensions import item_places
from govhall.catalog.models import ServiceItem
from govhall.centers.demo import load_demo
from govhall.queueing.demo import load_demo_queueing
from govhall.queueing.models import Queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    load_demo()
    load_demo_catalog()
    load_demo_queueing()


def _windows(name):
    [place] = item_places(ServiceItem.objects.get(name=name, is_demo=True))
    return place.center_code, [(q.letter, [w.number for w in q.windows]) for q in place.queues]


def test_demo_marriage_guides_follow_the_register(demo):
    assert _windows("结婚登记") == ("HC-MZ", [("A", [1, 3])])
    assert _windows("离婚登记") == ("HC-MZ", [("B", [2, 3])])
    assert _windows("补领婚姻登记证") == ("HC-MZ", [("C", [3])])
    item = ServiceItem.objects.get(name="结婚登记", is_demo=True)
    page = Client().get(f"/items/{item.code}/").content.decode()
    assert "1号窗口（结婚登记窗口）" in page and "3号窗口（综合窗口）" in page
    assert "1-2 号窗口" not in page and "2号窗口" not in page


def test_every_published_demo_item_has_a_window(demo):
    items = ServiceItem.objects.filter(is_demo=True, current_guide__isnull=False)
    assert items.count() > 20
    assert [i.name for i in items if not item_places(i)[0].queues] == []


def test_a_demo_loaded_before_the_links_gets_them_and_a_hall_choice_is_kept(demo):
    queue = Queue.objects.get(center__code="HC-MZ", letter="A")
    queue.items.clear()
    load_demo_queueing()
    assert [i.name for i in queue.items.all()] == ["结婚登记"]
    divorce = ServiceItem.objects.get(name="离婚登记", is_demo=True)
    queue.items.set([divorce])  # the hall's own choice
    load_demo_queueing()
    assert [i.name for i in queue.items.all()] == ["离婚登记"]
