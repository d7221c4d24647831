"""What the database committed is answered as success: a Redis that does not
answer (cache or pub/sub) degrades, it never turns a saved write into a 500."""

import pytest
from django.test import Client

from govhall.queueing import live
from govhall.queueing.models import Ticket

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.GOVHALL_PUBSUB_URL = DEAD_REDIS
    live._sync_clients.clear()
    yield
    live._sync_clients.clear()


def test_ticket_taken_and_called_with_redis_down(hall, redis_down):
    api = Client()
    r = api.post(
        f"/api/v1/halls/{hall['center'].code}/tickets", {"queue": "A"}, content_type="application/json"
    )
    assert r.status_code == 201, r.content
    assert Ticket.objects.filter(token=r.json()["token"]).exists()
    # The ticket page (which reads the cached estimate) still answers.
    assert api.get(f"/api/v1/tickets/{r.json()['token']}").status_code == 200
    api.force_login(hall["clerk_a"])
    w = hall["w1"].pk
    assert api.post(f"/api/v1/windows/{w}/open").status_code == 200
    r = api.post(f"/api/v1/windows/{w}/call-next")
    assert r.status_code == 200 and r.json()["ticket"]["code"] == "A001"
    assert Ticket.objects.get(code="A001").status == Ticket.Status.CALLED


def test_healthz_reports_redis_degraded_beside_the_database(client, redis_down):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["redis"] == "degraded" and r.json()["status"] == "degraded"


def test_item_search_works_with_redis_down(world, redis_down):
    r = Client().get("/api/v1/items", {"q": "结婚"})
    assert r.status_code == 200


def test_channels_carry_the_deployment_prefix(settings):
    settings.GOVHALL_DEPLOYMENT = "hechuan-prod"
    assert live.channel(7) == "hechuan-prod:board:7"
    assert live.pattern() == "hechuan-prod:board:*"


def test_another_deployment_on_the_same_redis_does_not_reach_our_boards(settings):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/0"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis is not running here (.ci/run starts it)")
    settings.GOVHALL_PUBSUB_URL = url
    settings.GOVHALL_DEPLOYMENT = "ours"
    ps = client.pubsub()
    ps.psubscribe(live.pattern())
    ps.get_message(timeout=1)  # the subscription's confirmation
    live._sync_clients.clear()
    settings.GOVHALL_DEPLOYMENT = "theirs"
    live.publish(1, {"text": "请A001号到1号窗口办理"})
    assert ps.get_message(timeout=0.5) is None
    settings.GOVHALL_DEPLOYMENT = "ours"
    live.publish(1, {"text": "请A002号到1号窗口办理"})
    got = ps.get_message(timeout=2)
    assert got and got["channel"] == b"ours:board:1" and "A002" in got["data"].decode()
    ps.close()
    live._sync_clients.clear()
