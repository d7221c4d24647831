import pytest
from django.test import Client

from govhall.queueing import services
from govhall.queueing.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return Client()


def test_take_ticket_by_api_and_repeat_with_same_key(api, hall):
    url = f"/api/v1/halls/{hall['center'].code}/tickets"
    r1 = api.post(url, {"queue": "A"}, content_type="application/json", headers={"Idempotency-Key": "abc"})
    r2 = api.post(url, {"queue": "A"}, content_type="application/json", headers={"Idempotency-Key": "abc"})
    assert r1.status_code == 201, r1.content
    assert r1.json()["code"] == "A001" and r2.json()["token"] == r1.json()["token"]
    assert Ticket.objects.count() == 1
    got = api.get(f"/api/v1/tickets/{r1.json()['token']}").json()
    assert got["ahead"] == 0 and got["status"] == "waiting"


def test_take_ticket_bad_input_is_4xx_json(api, hall):
    url = f"/api/v1/halls/{hall['center'].code}/tickets"
    r = api.post(url, {"queue": "Z"}, content_type="application/json")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = api.post(url, {"queue": "A", "priority_reason": "vip"}, content_type="application/json")
    assert r.status_code == 422
    r = api.post(url, {"queue": "A", "phone": "123"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["detail"]
    assert not Ticket.objects.exists()


def test_window_actions_by_api(api, hall):
    services.ticket_issue(queue=hall["qa"])
    api.force_login(hall["clerk_a"])
    w = hall["w1"].pk
    assert api.post(f"/api/v1/windows/{w}/open").status_code == 200
    r = api.post(f"/api/v1/windows/{w}/call-next")
    assert r.status_code == 200 and r.json()["ticket"]["code"] == "A001"
    assert r.json()["window"]["current"] == "A001"
    assert api.post(f"/api/v1/windows/{w}/call-next").status_code == 409
    assert api.post(f"/api/v1/windows/{w}/finish").json()["ticket"]["status"] == "done"
    board = api.get(f"/api/v1/halls/{hall['center'].code}/board").json()
    assert board["calls"][0]["text"] == "请A001号到1号窗口办理"


def test_another_halls_window_is_not_found_on_api_and_page_alike(api, hall):
    api.force_login(hall["clerk_b"])
    r = api.post(f"/api/v1/windows/{hall['w1'].pk}/open")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    page = api.post(f"/staff/queue/windows/{hall['w1'].pk}/open/")
    assert page.status_code == 404
    assert "窗口工作人员" not in page.content.decode()  # nothing says the window exists
    hall["w1"].refresh_from_db()
    assert hall["w1"].status == "closed"


def test_a_refusal_at_ones_own_hall_is_403_with_the_reason_on_api_and_page_alike(api, hall):
    api.force_login(hall["manager_a"])
    r = api.post(f"/api/v1/windows/{hall['w1'].pk}/open")
    assert r.status_code == 403 and "不能操作此窗口" in r.json()["detail"]
    page = api.post(f"/staff/queue/windows/{hall['w1'].pk}/open/")
    assert page.status_code == 403 and "不能操作此窗口" in page.content.decode()
    hall["w1"].refresh_from_db()
    assert hall["w1"].status == "closed"


def test_stats_need_a_role_at_the_hall(api, hall):
    api.force_login(hall["clerk_b"])
    assert api.get("/api/v1/queue-stats", {"hall": hall["center"].code}).status_code in (403, 404)
    api.force_login(hall["manager_a"])
    assert api.get("/api/v1/queue-stats", {"hall": hall["center"].code}).status_code == 200


def test_openapi_lists_queueing_endpoints(api):
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    for p in (
        "/api/v1/halls/{code}/tickets",
        "/api/v1/tickets/{token}",
        "/api/v1/halls/{code}/board/events",
        "/api/v1/appointments",
        "/api/v1/windows/{window_id}/{action}",
        "/api/v1/queue-stats",
    ):
        assert p in paths
