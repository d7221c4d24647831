"""Our ASGI handler (govhall/core/asgi.py), driven as a server drives it."""

import asyncio
import json

import pytest
from django.core.signals import request_finished, request_started

from govhall.core.asgi import SyncChainASGIHandler


def scope(path, method="GET"):
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}


async def call(handler, path, *, disconnect_after=None):
    """Run one request; with disconnect_after=N the client goes away after N body chunks."""
    sent, chunks, gone = [], 0, asyncio.Event()
    requested = False

    async def receive():
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        nonlocal chunks
        sent.append(message)
        if message["type"] == "http.response.body" and message.get("body"):
            chunks += 1
            if disconnect_after is not None and chunks >= disconnect_after:
                gone.set()

    await asyncio.wait_for(handler(scope(path), receive, send), timeout=10)
    return sent


@pytest.mark.django_db(transaction=True)
def test_a_request_is_answered_and_signals_fire_once_each():
    seen = []

    def started(**kw):
        seen.append("started")

    def finished(**kw):
        seen.append("finished")

    request_started.connect(started)
    request_finished.connect(finished)
    try:
        sent = asyncio.run(call(SyncChainASGIHandler(), "/healthz"))
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 200
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert json.loads(body)["status"] == "ok"
    assert seen == ["started", "finished"]


@pytest.mark.django_db(transaction=True)
def test_a_stream_stops_when_the_client_goes_away(world, settings):
    from govhall.queueing import live

    settings.GOVHALL_PUBSUB_URL = None
    code = world["a"].code
    sent = asyncio.run(call(SyncChainASGIHandler(), f"/api/v1/halls/{code}/board/events", disconnect_after=2))
    assert sent[0]["status"] == 200
    assert dict(sent[0]["headers"])[b"Content-Type"].startswith(b"text/event-stream")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert b"event: board" in body
    assert live.local_subscriber_count() == 0  # the board's subscription ended with the stream


@pytest.mark.django_db(transaction=True)
def test_request_threads_are_reused():
    handler = SyncChainASGIHandler()

    async def three():
        for _ in range(3):
            await call(handler, "/healthz")

    asyncio.run(three())
    assert len(handler._idle_executors) == 1  # one thread served all three, one after the other
