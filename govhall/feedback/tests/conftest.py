from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

HALL_TZ = ZoneInfo("Asia/Shanghai")
# Tuesday 24 November 2026, 10:00: a working day inside the test halls' hours.
OPEN_TIME = datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ)


@pytest.fixture(autouse=True)
def _hall_open_clock():
    with time_machine.travel(OPEN_TIME, tick=True):
        yield


@pytest.fixture(autouse=True)
def _in_process_pubsub(settings):
    settings.GOVHALL_PUBSUB_URL = None


@pytest.fixture
def window(world):
    from govhall.centers.models import Center
    from govhall.queueing import services

    center = Center.objects.get(pk=world["a"].pk)
    q = services.queue_create(by=None, center=center, letter="A", name="婚姻登记")
    return services.window_create(by=None, center=center, number=1, name="综合窗口", queues=[q])


@pytest.fixture
def finish(world, window):
    """A function: a ticket taken, called and finished at window 1 by clerk_a."""
    from govhall.queueing import services

    services.window_open(window=window, by=world["clerk_a"])

    def make(phone: str = ""):
        queue = window.queues.first()
        t = services.ticket_issue(queue=queue, phone=phone)
        services.ticket_call_next(window=window, by=world["clerk_a"])
        services.ticket_finish(window=window, by=world["clerk_a"])
        t.refresh_from_db()
        return t

    return make
