"""The hall's kiosk runs in kiosk mode (no site navigation, no staff link, back to the
start when idle, a printable ticket) and its phone QR is an SVG image a browser loads."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_hall_qr_is_a_standalone_svg_with_its_namespace(client, hall):
    response = client.get(reverse("queueing:hall_qr", args=[hall["center"].code]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    body = response.content.decode("utf-8")
    assert body.startswith("<svg ")
    assert 'xmlns="http://www.w3.org/2000/svg"' in body.split(">", 1)[0]
    assert "手机取号" in body  # its title


def test_the_kiosk_has_no_site_navigation_nor_staff_link_and_returns_home_when_idle(client, hall):
    code = hall["center"].code
    html = client.get(reverse("queueing:kiosk", args=[code])).content.decode()
    assert 'class="public-nav"' not in html and "staff-nav" not in html
    assert reverse("accounts:login") not in html and "工作人员登录" not in html
    assert f'data-idle-home="{reverse("queueing:kiosk", args=[code])}"' in html
    assert 'data-idle-seconds="60"' in html
    assert "js/kiosk.js" in html and "css/kiosk.css" in html
    # the phone's way in: the QR and the address it encodes
    assert reverse("queueing:hall_qr", args=[code]) in html
    assert re.search(r'id="phone-url">http://testserver/tickets/take/' + re.escape(code) + "/<", html) or (
        reverse("queueing:phone_take", args=[code]) in html
    )
    assert "large-type" in html and "标准字号" in html  # large type by default, switchable


def test_the_phone_page_keeps_the_site_frame(client, hall):
    html = client.get(reverse("queueing:phone_take", args=[hall["center"].code])).content.decode()
    assert 'class="public-nav"' in html
    assert "data-idle-home" not in html


def test_the_kiosk_ticket_page_is_in_kiosk_mode_with_a_print_button(client, hall):
    code = hall["center"].code
    response = client.post(
        reverse("queueing:kiosk", args=[code]), {"queue": hall["qa"].pk, "idempotency_key": "km-1"}
    )
    assert response.status_code == 302 and "from=kiosk" in response["Location"]
    html = client.get(response["Location"]).content.decode()
    assert 'class="public-nav"' not in html and "工作人员登录" not in html
    assert "data-print" in html and "打印号票" in html
    assert f'data-idle-home="{reverse("queueing:kiosk", args=[code])}"' in html
    # the same ticket opened on a phone: the site frame, no kiosk timer
    phone = client.get(response["Location"].split("?")[0]).content.decode()
    assert "data-idle-home" not in phone and "data-print" not in phone
