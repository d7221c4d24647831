"""Issue 17, citizens: the public header (district name, search, journeys), the guide's
actions per item kind, a hall's page (today, waiting, items — a town center without items
says so), the hall chooser, booking as steps, taking a number on a phone in one form,
and the tracking result's rating and complaint links."""

from datetime import date, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from govhall.catalog import services as catalog
from govhall.catalog.tests.conftest import complete_guide, make_item, put_on_negative_list
from govhall.centers import services as center_services
from govhall.centers.models import Center
from govhall.queueing import services
from govhall.queueing.models import Appointment, Ticket

pytestmark = pytest.mark.django_db

NAV = ["办事指南", "网上办事", "预约", "取号", "进度查询", "我的", "评价与投诉"]


def _next_weekday(after: date) -> date:
    d = after + timedelta(days=1)
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


@pytest.fixture
def marriage(hall):
    """结婚登记 at branch a: published guide, covered by queue A (windows 1, 2), slots on the next working day."""
    item = make_item(hall, "结婚登记", "T-MZ-001")
    put_on_negative_list(hall, item)
    catalog.item_station(by=None, item=item, center=hall["a"])
    complete_guide(item)
    item.refresh_from_db()
    services.queue_set_items(by=None, queue=hall["qa"], items=[item])
    day = _next_weekday(timezone.localdate())
    slots = [
        services.slot_create(by=None, queue=hall["qa"], day=day, starts=time(h), ends=time(h + 1), capacity=2)
        for h in (9, 10)
    ]
    return {**hall, "item": item, "day": day, "slots": slots}


@pytest.fixture
def plain_item(hall):
    """An item of branch a with no guide, no queue and no slot."""
    item = make_item(hall, "档案查询", "T-MZ-009")
    put_on_negative_list(hall, item)
    catalog.item_station(by=None, item=item, center=hall["a"])
    item.refresh_from_db()
    return item


@pytest.fixture
def town(world):
    return center_services.center_create(
        by=None,
        district=world["district"],
        kind=Center.Kind.TOWN,
        name="测试镇便民服务中心",
        code="T-TOWN",
        address="镇街 1 号",
        parent=world["hub"],
        status=Center.Status.ACTIVE,
    )


def _nav(html: str) -> str:
    start = html.index('id="public-nav"')
    return html[start : html.index("</nav>", start)]


@pytest.mark.parametrize(
    "path", ["/", "/items/", "/track/", "/apply/", "/halls/take/", "/halls/book/", "/feedback/"]
)
def test_every_public_page_has_the_district_name_search_and_the_journeys(client, marriage, path):
    html = client.get(path).content.decode()
    assert '<a class="brand" href="/">测试区政务服务中心</a>' in html
    assert "政务服务一体化平台" not in html
    assert 'id="site-q" name="q"' in html and 'action="/items/"' in html
    nav = _nav(html)
    labels = [label for label in NAV if f">{label}</a>" in nav]
    assert labels == NAV
    for href in ("/items/", "/apply/", "/halls/book/", "/halls/take/", "/track/", "/my/", "/feedback/"):
        assert f'href="{href}"' in nav
    assert "负面清单" not in nav  # moved to the footer's 公开 section, with its meaning
    assert "负面清单（禁止或限制准入的事项）" in html


def test_the_header_name_follows_the_district_center(client, marriage):
    assert "测试区政务服务中心</a>" in client.get("/").content.decode()
    hub = Center.objects.get(pk=marriage["hub"].pk)
    hub.name = "新名区政务服务中心"
    hub.save()  # the per-process memory is forgotten on save
    assert "新名区政务服务中心</a>" in client.get("/").content.decode()


def test_a_town_center_without_items_says_so(client, town):
    r = client.get("/centers/T-TOWN/items/")
    assert r.status_code == 200
    assert "该中心目前没有进驻的办事事项" in r.content.decode()
    r = client.get("/centers/T-TOWN/")
    assert r.status_code == 200
    assert 'id="no-items"' in r.content.decode()


def test_the_hall_page_shows_today_waiting_items_and_the_buttons(client, marriage):
    services.ticket_issue(queue=marriage["qa"], kind="normal", channel="phone")
    html = client.get("/centers/T-A/").content.decode()
    assert "现在开放，开放至 17:00" in html  # the clock stands on a Tuesday at 10:00
    assert 'hx-get="/centers/T-A/waiting/"' in html
    assert 'href="/tickets/take/T-A/">取号</a>' in html
    assert 'href="/appointments/T-A/">预约</a>' in html
    assert ">结婚登记</a>" in html
    assert "首席代表及授权事项" in html and "一次性告知" in html
    fragment = client.get("/centers/T-A/waiting/").content.decode()
    assert "婚姻登记：等候 <strong>1</strong> 人" in fragment
    assert "咨询：等候 <strong>0</strong> 人" in fragment


def test_the_chooser_lists_the_halls_with_today(client, marriage):
    html = client.get("/halls/take/").content.decode()
    assert 'href="/tickets/take/T-A/"' in html and "现在开放" in html
    assert "/tickets/take/T-B/" not in html  # branch b has no queue
    html = client.get("/halls/book/").content.decode()
    assert 'href="/appointments/T-A/"' in html


def test_guide_offers_online_booking_and_taking_for_an_item_that_has_them(client, marriage):
    html = client.get("/items/T-MZ-001/").content.decode()
    actions = html[html.index('id="guide-actions"') :]
    assert 'href="/apply/T-MZ-001/"' in actions
    assert 'href="/appointments/T-A/?item=T-MZ-001"' in actions
    assert 'href="/tickets/take/T-A/?queue=A"' in actions
    assert "该事项无需预约" not in actions
    assert "咨询电话：" in actions and "023-42800005" in actions
    assert "现在开放" in actions and "婚姻登记路" in actions  # address and today


def test_guide_says_what_to_do_for_an_item_without_them(client, plain_item):
    html = client.get("/items/T-MZ-009/").content.decode()
    actions = html[html.index('id="guide-actions"') :]
    assert "该事项暂不支持在线申报" in actions and "/apply/" not in actions
    assert "该事项无需预约" in actions and "/appointments/" not in actions
    assert "/tickets/take/" not in actions and "综合窗口或咨询服务台" in actions


def test_booking_goes_item_then_day_then_slot(client, marriage):
    day = marriage["day"].isoformat()
    r = client.get("/appointments/T-A/")
    assert f'?queue={marriage["qa"].pk}&amp;item=T-MZ-001">结婚登记</a>' in r.content.decode()
    assert 'name="slot"' not in r.content.decode()
    # from the guide: the only queue with slots is chosen, the days are shown
    html = client.get("/appointments/T-A/?item=T-MZ-001").content.decode()
    assert f"&amp;day={day}" in html and 'name="slot"' not in html
    url = f"/appointments/T-A/?queue={marriage['qa'].pk}&item=T-MZ-001&day={day}"
    html = client.get(url).content.decode()
    assert html.count('name="slot"') == 2
    r = client.post(
        url, {"slot": "", "name": "王五", "id_number": "110105199001011232", "phone": "13800000001"}
    )
    assert r.status_code == 400 and "请选择预约时段" in r.content.decode()
    assert r.content.decode().count('name="slot"') == 2  # still on step 3
    slot = marriage["slots"][1]
    r = client.post(
        url, {"slot": slot.pk, "name": "王五", "id_number": "110105199001011232", "phone": "13800000001"}
    )
    assert r.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.slot_id == slot.pk and r["Location"] == f"/appointments/a/{appointment.token}/"


def test_booking_an_item_without_slots_says_why_and_what_to_do(client, marriage):
    other = make_item(marriage, "补领结婚证", "T-MZ-002")
    put_on_negative_list(marriage, other)
    catalog.item_station(by=None, item=other, center=marriage["a"])
    services.queue_set_items(by=None, queue=marriage["qb"], items=[other])
    html = client.get("/appointments/T-A/?item=T-MZ-002").content.decode()
    assert "该事项无需预约，可直接取号" in html
    assert 'href="/tickets/take/T-A/?queue=B"' in html


def test_phone_take_is_one_choice_of_queue_then_green_channel_once(client, marriage):
    html = client.get("/tickets/take/T-A/?queue=A").content.decode()
    assert html.count('name="queue"') == 2
    assert html.count("绿色通道") == 1
    assert html.count('name="priority_reason"') == 1 + len(Ticket.PriorityReason.choices)
    assert f'value="{marriage["qa"].pk}" required checked' in html
    reason = Ticket.PriorityReason.choices[0][0]
    r = client.post(
        "/tickets/take/T-A/", {"queue": marriage["qb"].pk, "priority_reason": reason, "idempotency_key": "k1"}
    )
    assert r.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.queue_id == marriage["qb"].pk and ticket.kind == "priority"
    r = client.post("/tickets/take/T-A/", {"priority_reason": "", "idempotency_key": "k2"})
    assert r.status_code == 400 and "请选择要办理的业务" in r.content.decode()
    assert Ticket.objects.count() == 1


def test_online_items_list_only_items_with_a_guide(client, marriage, plain_item):
    html = Client().get("/apply/").content.decode()
    assert 'href="/apply/T-MZ-001/"' in html
    assert "/apply/T-MZ-009/" not in html


def test_the_guide_api_says_which_queue_can_be_booked(client, marriage):
    body = client.get("/api/v1/items/T-MZ-001/guide").json()
    queues = {q["letter"]: q["bookable"] for p in body["places"] for q in p["queues"]}
    assert queues == {"A": True}
