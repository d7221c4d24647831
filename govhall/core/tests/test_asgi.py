"""Our ASGI handler (govhall/core/asgi.py), driven as a server drives it."""

import asyncio
import json

import pytest
from django.core.signals import request_finished, request_started
from django.db import connection

from govhall.core.asgi import SyncChainASGIHandler


def scope(path, method="GET"):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }


async def call(handler, path, *, disconnect_after=None, gone=None, on_chunks=None):
    """Run one request; with disconnect_after=N the client goes away after N body chunks
    (or, given `gone`, when that event is set: `on_chunks` is called after N chunks)."""
    sent, chunks = [], 0
    own_gone = gone is None
    gone = gone or asyncio.Event()
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
            if disconnect_after is not None and chunks == disconnect_after:
                if own_gone:
                    gone.set()
                elif on_chunks:
                    on_chunks()

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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the connection pool is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_open_streams_do_not_hold_database_connections(world, settings):
    """More boards than the pool has connections, all open at once: none may wait for a connection."""
    settings.GOVHALL_PUBSUB_URL = None
    n = settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"] + 3
    path = f"/api/v1/halls/{world['a'].code}/board/events"
    handler = SyncChainASGIHandler()

    async def boards():
        gone, ready = asyncio.Event(), []

        def one_ready():
            ready.append(1)
            if len(ready) == n:
                gone.set()  # every board has its first event: now they all leave

        return await asyncio.gather(
            *(call(handler, path, disconnect_after=2, gone=gone, on_chunks=one_ready) for _ in range(n))
        )

    for sent in asyncio.run(asyncio.wait_for(boards(), timeout=8)):
        assert sent[0]["status"] == 200
