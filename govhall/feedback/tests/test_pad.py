"""The window's rating pad (评价器): issued and revoked by the hall's manager only,
bound by a device token kept in a cookie, idle until the clerk finishes a
service, then lit (pushed by SSE through queueing's `service_finished`), one
rating per service with channel pad and the serving clerk; and the clerk's
工号 and photo (PNG/JPEG by content, ≤ 512 KB) set by the hall manager."""

import asyncio
import json
import re
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client
from django.urls import reverse

from govhall.accounts.models import User
from govhall.feedback import services
from govhall.feedback.models import Rating, RatingPad, Rectification
from govhall.feedback.views_pad import PAD_COOKIE, _pad_stream
from govhall.queueing import live
from govhall.queueing import services as queueing

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64


def client_for(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def pad_client(raw: str) -> Client:
    """A tablet bound once by the address the manager was shown."""
    c = Client()
    res = c.get(f"/pad/?token={raw}")
    assert res.status_code == 302 and res["Location"] == "/pad/"  # the token leaves the address
    cookie = res.cookies[PAD_COOKIE]
    assert cookie["httponly"] and cookie["max-age"] >= 365 * 24 * 3600
    return c


@pytest.fixture
def opened(world, window):
    queueing.window_open(window=window, by=world["clerk_a"])
    return window


def serve(world, window):
    """One ticket taken, called and finished at `window` by clerk_a."""
    t = queueing.ticket_issue(queue=window.queues.first())
    queueing.ticket_call_next(window=window, by=world["clerk_a"])
    queueing.ticket_finish(window=window, by=world["clerk_a"])
    t.refresh_from_db()
    return t


# ── issuing and revoking ──


def test_manager_issues_pad_from_page_and_token_is_shown_once(world, window):
    m = client_for(world["manager_a"])
    assert "窗口评价器" in m.get("/staff/").content.decode()  # reached from the workbench
    page = m.get("/staff/pads/").content.decode()
    assert "1号窗口" in page and "发放评价器" in page and "data-confirm" in page
    res = m.post("/staff/pads/issue/", {"window": window.pk})
    assert res.status_code == 200 and res["Cache-Control"] == "no-store"
    raw = re.search(r"\?token=([\w-]+)", res.content.decode()).group(1)
    pad = RatingPad.objects.get()
    assert pad.window == window and pad.issued_by == world["manager_a"] and pad.token_hash != raw
    listed = m.get("/staff/pads/").content.decode()
    assert raw not in listed and "使用中" in listed
    rows = m.get(f"/api/v1/pads?hall={window.center.code}").json()
    assert [(r["id"], r["revoked"]) for r in rows] == [(pad.pk, False)]


def test_another_halls_manager_and_a_clerk_cannot_issue_or_revoke(world, window):
    pad, _ = services.pad_issue(by=world["manager_a"], window=window)
    other, clerk = client_for(world["manager_b"]), client_for(world["clerk_a"])
    assert other.post("/staff/pads/issue/", {"window": window.pk}).status_code == 404
    assert other.post(f"/staff/pads/{pad.pk}/revoke/").status_code == 404
    assert clerk.post("/staff/pads/issue/", {"window": window.pk}).status_code == 403
    assert clerk.get("/staff/pads/").status_code == 403
    assert other.get(f"/api/v1/pads?hall={window.center.code}").status_code == 404
    assert other.post(f"/api/v1/pads/{pad.pk}/revoke").status_code == 404
    assert clerk.post(f"/api/v1/pads/{pad.pk}/revoke").status_code == 403
    assert RatingPad.objects.count() == 1 and not RatingPad.objects.get().revoked


def test_revoked_pad_is_refused_on_the_pad_page_and_rates_nothing(world, opened):
    pad, raw = services.pad_issue(by=world["manager_a"], window=opened)
    tablet = pad_client(raw)
    serve(world, opened)
    assert tablet.get("/pad/").status_code == 200
    m = client_for(world["manager_a"])
    res = m.post(f"/staff/pads/{pad.pk}/revoke/")
    assert res.status_code == 302
    page = tablet.get("/pad/")
    assert page.status_code == 404 and "未绑定或已停用" in page.content.decode()
    assert tablet.post("/pad/rate/", {"level": 5}).status_code == 404
    assert client_for().get("/pad/?token=forged").status_code == 404
    assert Rating.objects.count() == 0


# ── idle, lit, rating ──


def test_pad_is_idle_then_lit_after_the_clerk_finishes_a_ticket(world, opened):
    _, raw = services.pad_issue(by=world["manager_a"], window=opened)
    tablet = pad_client(raw)
    clerk = world["clerk_a"]
    idle = tablet.get("/pad/").content.decode()
    assert "欢迎评价" in idle and "请在办理完成后评价" in idle and "1号窗口" in idle
    assert (clerk.full_name or clerk.username) in idle and 'name="level"' not in idle
    assert clerk.initial in idle  # no photo: the name's first character
    serve(world, opened)
    lit = tablet.get("/pad/").content.decode()
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert f">{label}</button>" in lit
    state = client_for().get("/api/v1/pads/current", HTTP_X_PAD_TOKEN=raw).json()
    assert state["waiting"] is True and state["window_number"] == 1


def test_rating_on_the_pad_page_writes_one_rating_with_channel_pad_and_the_clerk(world, opened):
    _, raw = services.pad_issue(by=world["manager_a"], window=opened)
    tablet = pad_client(raw)
    t = serve(world, opened)
    res = tablet.post("/pad/rate/", {"ticket": t.pk, "level": 5})
    assert res.status_code == 200 and "感谢您的评价" in res.content.decode()
    r = Rating.objects.get()
    assert (r.channel, r.ticket_id, r.clerk, r.level) == ("pad", t.pk, world["clerk_a"], 5)
    again = tablet.post("/pad/rate/", {"ticket": t.pk, "level": 4})
    assert again.status_code == 409 and "没有待评价的服务" in again.content.decode()
    assert Rating.objects.count() == 1
    assert "欢迎评价" in tablet.get("/pad/").content.decode()  # idle again once rated


def test_bad_rating_asks_for_indicators_then_opens_a_rectification(world, opened):
    _, raw = services.pad_issue(by=world["manager_a"], window=opened)
    tablet = pad_client(raw)
    t = serve(world, opened)
    step = tablet.post("/pad/rate/", {"ticket": t.pk, "level": 2}).content.decode()
    for label in ("整体满意度", "服务效率", "服务水平", "服务态度"):
        assert label in step
    assert Rating.objects.count() == 0
    none_ticked = tablet.post("/pad/rate/", {"ticket": t.pk, "level": 2, "step": "details"})
    assert none_ticked.status_code == 400 and "差评请勾选不满意的指标" in none_ticked.content.decode()
    assert Rating.objects.count() == 0
    done = tablet.post(
        "/pad/rate/",
        {"ticket": t.pk, "level": 2, "step": "details", "indicators": ["attitude"], "text": "不耐烦"},
    )
    assert done.status_code == 200
    r = Rating.objects.get()
    assert r.indicators == ["attitude"] and r.indicator_labels() == ["服务态度"] and r.channel == "pad"
    assert Rectification.objects.get().rating == r


def test_rating_for_a_service_the_window_has_moved_past_is_refused(world, opened):
    _, raw = services.pad_issue(by=world["manager_a"], window=opened)
    tablet = pad_client(raw)
    first = serve(world, opened)
    serve(world, opened)
    res = tablet.post("/pad/rate/", {"ticket": first.pk, "level": 5})
    assert res.status_code == 409 and "下一位" in res.content.decode()
    assert Rating.objects.count() == 0


def test_pad_goes_idle_when_the_next_person_is_called(world, opened):
    _, raw = services.pad_issue(by=world["manager_a"], window=opened)
    tablet = pad_client(raw)
    serve(world, opened)
    queueing.ticket_issue(queue=opened.queues.first())
    queueing.ticket_call_next(window=opened, by=world["clerk_a"])
    assert "欢迎评价" in tablet.get("/pad/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_pad_stream_lights_up_by_itself_when_the_ticket_is_finished(world, opened, settings):
    settings.GOVHALL_PUBSUB_URL = None
    reverse("feedback:pad")  # the URLconf loaded once, as in a running server (not timed below)
    pad, _ = services.pad_issue(by=world["manager_a"], window=opened)
    queueing.ticket_issue(queue=opened.queues.first())
    queueing.ticket_call_next(window=opened, by=world["clerk_a"])

    async def run():
        stream = _pad_stream(pad.pk, opened.pk)
        await stream.__anext__()  # retry
        first = await stream.__anext__()
        await sync_to_async(queueing.ticket_finish)(window=opened, by=world["clerk_a"])
        # pushed, not found by the 5-second re-check
        pushed = await asyncio.wait_for(stream.__anext__(), timeout=3)
        await stream.aclose()
        await sync_to_async(connections.close_all)()
        return first, pushed

    first, pushed = asyncio.run(run())
    assert "欢迎评价" in json.loads(first.split("data: ", 1)[1])["html"]
    data = json.loads(pushed.split("data: ", 1)[1])
    assert data["mode"] == "lit" and "非常不满意" in data["html"]
    assert live.local_subscriber_count() == 0


def test_service_finished_is_declared_in_queueing_which_never_imports_feedback():
    from govhall.queueing import extensions

    labels = [label for label, _ in extensions.service_finished.registered()]
    assert "rating pad lights up (评价器)" in labels
    queueing_dir = Path(extensions.__file__).parent
    for source in queueing_dir.rglob("*.py"):
        if "tests" in source.parts:
            continue
        text = source.read_text(encoding="utf-8")
        assert "govhall.feedback" not in text and "from govhall import feedback" not in text, source


# ── 工号 and photo ──


def test_hall_manager_sets_staff_number_and_png_photo(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    clerk = world["clerk_a"]
    m = client_for(world["manager_a"])
    assert "保存工号与照片" in m.get(f"/staff/people/{clerk.pk}/").content.decode()
    res = m.post(
        f"/staff/people/{clerk.pk}/badge/",
        {"staff_number": "HC-0123", "photo": SimpleUploadedFile("me.png", PNG, "image/png")},
    )
    assert res.status_code == 302
    clerk.refresh_from_db()
    assert clerk.staff_number == "HC-0123" and clerk.photo.name.endswith(".png")
    assert clerk.history.first().history_change_reason == "设置工号、照片"
    photo = m.get(f"/staff/people/{clerk.pk}/photo/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"


def test_photo_checked_by_content_and_size(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    clerk = world["clerk_a"]
    m = client_for(world["manager_a"])
    for upload, message in (
        (SimpleUploadedFile("fake.png", GIF, "image/png"), "只能是 PNG 或 JPEG"),
        (SimpleUploadedFile("big.jpg", JPEG + b"\x00" * 600 * 1024, "image/jpeg"), "不能超过 512 KB"),
    ):
        res = m.post(f"/staff/people/{clerk.pk}/badge/", {"staff_number": "X1", "photo": upload})
        assert res.status_code == 400 and message in res.content.decode()
    clerk.refresh_from_db()
    assert clerk.staff_number == "" and not clerk.photo


def test_badge_refused_to_another_halls_manager_and_to_the_clerk(world):
    clerk = world["clerk_a"]
    assert client_for(world["manager_b"]).post(
        f"/staff/people/{clerk.pk}/badge/", {"staff_number": "X"}
    ).status_code in (403, 404)
    assert (
        client_for(world["clerk_a"])
        .post(f"/staff/people/{clerk.pk}/badge/", {"staff_number": "X"})
        .status_code
        == 403
    )
    res = client_for(world["manager_b"]).post(f"/api/v1/people/{clerk.pk}/badge", {"staff_number": "X"})
    assert res.status_code == 404
    assert User.objects.get(pk=clerk.pk).staff_number == ""


def test_badge_api_and_pad_shows_the_photo(world, opened, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    clerk = world["clerk_a"]
    res = client_for(world["manager_a"]).post(
        f"/api/v1/people/{clerk.pk}/badge",
        {"staff_number": "A7", "photo": SimpleUploadedFile("x.jpg", JPEG, "image/jpeg")},
    )
    assert res.status_code == 200 and res.json() == {
        "id": clerk.pk,
        "full_name": clerk.full_name,
        "staff_number": "A7",
        "has_photo": True,
    }
    _, raw = services.pad_issue(by=world["manager_a"], window=opened)
    tablet = pad_client(raw)
    page = tablet.get("/pad/").content.decode()
    assert "工号：A7" in page and "/pad/photo/?v=" in page
    photo = tablet.get("/pad/photo/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert client_for().get("/pad/photo/").status_code == 404  # not a bound pad
