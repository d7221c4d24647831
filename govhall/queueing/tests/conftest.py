import pytest

from govhall.queueing import services


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
