import pytest

from govhall.centers.demo import load_demo
from govhall.queueing.demo import load_demo_queueing
from govhall.queueing.models import Queue, Window

pytestmark = pytest.mark.django_db


def test_demo_queueing_loads_every_hall_and_twice_changes_nothing():
    load_demo()
    first = load_demo_queueing()
    assert first["queues"] > 0 and first["windows"] > 0
    assert Window.objects.filter(center__code="HC-MZ").count() == 3
    assert Queue.objects.filter(center__code="HC").count() == 3
    assert load_demo_queueing() == {"queues": 0, "windows": 0, "slots": 0}
