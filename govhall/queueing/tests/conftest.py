from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from govhall.queueing import services

HALL_TZ = ZoneInfo("Asia/Shanghai")
# Tuesday 24 November 2026, 10:00 in the hall: an ordinary working day, inside the
# test halls' hours (Monday to Friday 09:00–17:00). Numbers are taken only while the
# hall is open, so every queueing test runs at this time unless it says otherwise.
OPEN_TIME = datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ)


def hall_time(*args: int) -> datetime:
    """A time in the hall's zone: hall_time(2026, 11, 24, 1, 44)."""
    return datetime(*args, tzinfo=HALL_TZ)


@pytest.fixture(autouse=True)
def _hall_open_clock():
    """The clock stands inside opening hours (it keeps ticking from there)."""
    with time_machine.travel(OPEN_TIME, tick=True):
        yield


@pytest.fixture
def hall(world):
    """Branch A with queues A (婚姻登记) and B (咨询), windows 1 (A, B) and 2 (A), rule: 2 priority in a row."""
    from govhall.centers.models import Center

    center = Center.objects.get(pk=world["a"].pk)  # the fixture's object predates its activation
    qa = services.queue_create(by=None, center=center, letter="A", name="婚姻登记")
    qb = services.queue_create(by=None, center=center, letter="B", name="咨询")
    w1 = services.window_create(by=None, center=center, number=1, name="综合窗口", queues=[qa, qb])
    w2 = services.window_create(by=None, center=center, number=2, name="婚姻登记窗口", queues=[qa])
    services.hall_rules_set(by=None, center=center, priority_run=2)
    return {"center": center, "qa": qa, "qb": qb, "w1": w1, "w2": w2, **world}


@pytest.fixture
def open_w1(hall):
    return services.window_open(window=hall["w1"], by=hall["clerk_a"])


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _in_process_pubsub(settings):
    """Tests publish in-process: no Redis traffic, no board-update timers touching the test database."""
    settings.GOVHALL_PUBSUB_URL = None
