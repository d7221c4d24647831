"""Bad input changes nothing and never answers 500: control characters are
refused on every door, oversized bodies are 413, API errors are always JSON."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govhall.centers.models import CenterChange
from govhall.centers.tests.test_api import relocation

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize("bad", ["新址\x00路", "新址\x01路", "\x1b[31m新址"])
def test_a_control_character_in_api_json_is_422_naming_the_field(world, bad):
    r = _client(world["manager_a"]).post(
        API + "/changes", json.dumps(relocation(address=bad)), content_type="application/json"
    )
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["code"] == "control_character" and "控制字符" in body["detail"]
    assert list(body["errors"]) == ["new_address"]
    assert not CenterChange.objects.exists()


def test_tab_and_newline_are_allowed(world):
    data = relocation(address="新址路\t9 号")
    data["description"] = "原址租约到期。\n新址已验收。"
    r = _client(world["manager_a"]).post(API + "/changes", json.dumps(data), content_type="application/json")
    assert r.status_code == 201, r.content


def test_a_control_character_in_a_page_form_is_a_chinese_400_and_saves_nothing(world):
    r = _client(world["manager_a"]).post(
        reverse("centers:change_new"),
        {
            "kind": "relocate",
            "center": world["a"].pk,
            "new_address": "新址\x01路",
            "effective_date": timezone.localdate().isoformat(),
            "description": "原址租约到期",
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "“new_address”中含有不可见的控制字符" in html and 'lang="zh-CN"' in html
    assert not CenterChange.objects.exists()


def test_a_nul_in_a_query_is_refused_not_a_database_error(world):
    r = _client(world["admin"]).get(API + "/centers", {"q": "合\x00川"})
    assert r.status_code == 422 and r.json()["code"] == "control_character"
    assert _client(world["admin"]).get("/staff/centers/", {"q": "合\x00川"}).status_code == 400


def test_an_oversized_api_body_is_413_json(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    data = relocation()
    data["description"] = "长" * 20_000
    r = _client(world["manager_a"]).post(API + "/changes", json.dumps(data), content_type="application/json")
    assert r.status_code == 413
    assert r.json() == {"detail": "提交的内容过大，请减少内容或分批提交。", "code": "too_large"}
    assert not CenterChange.objects.exists()


def test_an_unexpected_api_error_is_500_json_and_logged(world, monkeypatch, caplog):
    from govhall.centers import api as centers_api

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(centers_api.selectors, "centers_list", broken)
    c = Client(raise_request_exception=False)
    c.force_login(world["admin"])
    r = c.get(API + "/centers")
    assert r.status_code == 500
    assert r.json() == {"detail": "服务器内部错误，已记录，请稍后重试。", "code": "server_error"}
    assert "接口内部错误" in caplog.text


def test_a_database_outage_is_503_json_on_the_api_and_a_chinese_page(world, monkeypatch):
    from govhall.catalog import api as catalog_api

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    c = Client(raise_request_exception=False)
    monkeypatch.setattr(catalog_api.selectors, "items_filtered", down)
    r = c.get(API + "/items", {"q": "结婚"})
    assert r.status_code == 503 and r.json()["code"] == "database_unavailable"
    assert r["Retry-After"] == "5"


def test_healthz_answers_503_within_3_seconds_when_the_database_is_unreachable():
    """A real process with a DATABASE_URL nobody answers (a non-routable address)."""
    code = (
        "import django, time; django.setup();"
        "from django.urls import resolve; resolve('/healthz');"  # a warm server: URLs loaded
        "from django.test import Client; t = time.monotonic();"
        "r = Client().get('/healthz', HTTP_HOST='localhost');"
        "print(r.status_code, round(time.monotonic() - t, 2))"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "postgres://govhall@10.255.255.1:5432/none",
        "DJANGO_SECRET_KEY": "test-only-" + "x" * 50,
    }
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        timeout=30,
    )
    status, seconds = out.stdout.split()[-2:]
    assert status == "503", out.stderr[-2000:]
    assert float(seconds) < 3.0, (seconds, time.monotonic() - started)
