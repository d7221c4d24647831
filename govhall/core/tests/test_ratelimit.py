"""Abuse limits: per address, per phone and for everyone, across processes (the
shared cache), answered 429 with when to retry, in Chinese."""

import pytest
from django.test import Client

from govhall.accounts.models import SmsCode

pytestmark = pytest.mark.django_db


def test_tracking_guesses_from_one_address_are_limited(world):
    c = Client(REMOTE_ADDR="203.0.113.9")
    answers = [
        c.post("/track/", {"number": f"HC2026{i:06d}", "phone": "13800001111"}).status_code for i in range(12)
    ]
    assert answers[:10] == [400] * 10  # not found, told so
    assert answers[10] == 429
    r = c.post("/track/", {"number": "HC2026000099", "phone": "13800001111"})
    assert r.status_code == 429 and "操作过于频繁" in r.content.decode() and int(r["Retry-After"]) > 0
    # Another address is not affected.
    assert (
        Client(REMOTE_ADDR="203.0.113.10")
        .post("/track/", {"number": "X", "phone": "13800001111"})
        .status_code
        == 400
    )


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(world):
    c = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(10):
        c.post("/track/", {"number": f"N{i}", "phone": "13800001111"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    r = c.post("/track/", {"number": "N", "phone": "13800001111"}, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert r.status_code == 429


def test_sms_codes_are_limited_per_address(world, settings):
    c = Client(REMOTE_ADDR="198.51.100.7")
    sent = []
    for i in range(7):
        r = c.post("/my/register/", {"phone": f"1390000{i:04d}", "step": "code", "password": "x"})
        sent.append(r.status_code)
    assert 429 in sent
    assert SmsCode.objects.count() == 5  # the limited requests sent nothing


def test_ticket_taking_per_phone_is_limited_on_the_api_with_json(world):
    from govhall.centers.models import Center
    from govhall.queueing import services

    center = Center.objects.get(pk=world["a"].pk)
    services.queue_create(by=None, center=center, letter="A", name="婚姻登记")
    url = f"/api/v1/halls/{center.code}/tickets"
    statuses = []
    for i in range(7):
        r = Client(REMOTE_ADDR=f"192.0.2.{i}").post(
            url, {"queue": "A", "phone": "13812345678"}, content_type="application/json"
        )
        statuses.append(r.status_code)
    assert 429 in statuses
    limited = Client().post(url, {"queue": "A", "phone": "13812345678"}, content_type="application/json")
    assert limited.status_code == 429
    body = limited.json()
    assert body["code"] == "rate_limited" and body["retry_after"] > 0 and "操作过于频繁" in body["detail"]
