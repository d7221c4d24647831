"""Pub/sub for the live boards: in-process by default; Redis pub/sub when
settings.GOVHALL_PUBSUB_URL (or REDIS_URL) is set, so a call made on one app
server reaches boards connected to another.

Publishers are sync (services' on_commit hooks, in any thread); subscribers are
async (the SSE views). Each process keeps one Redis subscription for all halls
and fans messages out to its local subscribers' queues."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import threading

from django.conf import settings

log = logging.getLogger("govhall.queueing.live")

_subscribers: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue]]] = {}
_lock = threading.Lock()
_listeners: dict[asyncio.AbstractEventLoop, tuple[asyncio.Task, asyncio.Event]] = {}
_sync_clients: dict[str, object] = {}


def _prefix() -> str:
    return getattr(settings, "GOVHALL_DEPLOYMENT", "govhall")


def pattern() -> str:
    """Every hall's channel of this deployment (and only of this one)."""
    return f"{_prefix()}:board:*"


def pubsub_url() -> str | None:
    if hasattr(settings, "GOVHALL_PUBSUB_URL"):
        return settings.GOVHALL_PUBSUB_URL or None
    return os.environ.get("REDIS_URL") or None


def channel(center_id: int | str) -> str:
    """A hall's channel; a string key ("pad-<window id>") names another live screen
    (a window's rating pad) under the same pattern, so one Redis subscription serves all."""
    return f"{_prefix()}:board:{center_id}"


def may_have_listeners(center_id: int | str) -> bool:
    """False only when nobody anywhere can be listening (no Redis, no local board)."""
    return bool(pubsub_url()) or bool(_subscribers.get(channel(center_id)))


def local_subscriber_count(center_id: int | None = None) -> int:
    if center_id is not None:
        return len(_subscribers.get(channel(center_id), ()))
    return sum(len(s) for s in _subscribers.values())


def publish(center_id: int | str, payload: dict) -> None:
    """Send `payload` to every board of the hall, in this process or (with Redis) any."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    url = pubsub_url()
    if url:
        try:
            _sync_client(url).publish(channel(center_id), data)
            return
        except Exception:  # noqa: BLE001 - Redis down: boards of this process still get it
            log.exception("Redis 发布失败，仅推送到本进程的大屏")
    deliver_local(channel(center_id), data)


def _sync_client(url: str):
    client = _sync_clients.get(url)
    if client is None:
        import redis

        client = _sync_clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return client


def deliver_local(ch: str, data: str) -> None:
    with _lock:
        subs = list(_subscribers.get(ch, ()))
    for loop, queue in subs:
        with contextlib.suppress(RuntimeError):  # the loop has closed
            loop.call_soon_threadsafe(_put, queue, data)


def _put(queue: asyncio.Queue, data: str) -> None:
    if queue.full():  # a stalled board loses its oldest update, not the newest
        with contextlib.suppress(asyncio.QueueEmpty):
            queue.get_nowait()
    queue.put_nowait(data)


@contextlib.asynccontextmanager
async def subscribe(center_id: int | str):
    """async with subscribe(hall.id) as queue: data = await queue.get()"""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue(maxsize=50)
    entry = (loop, queue)
    ch = channel(center_id)
    with _lock:
        _subscribers.setdefault(ch, set()).add(entry)
    try:
        url = pubsub_url()
        if url:
            await _ensure_listener(loop, url)
        yield queue
    finally:
        with _lock:
            subs = _subscribers.get(ch)
            if subs is not None:
                subs.discard(entry)
                if not subs:
                    _subscribers.pop(ch, None)


async def _ensure_listener(loop, url: str) -> None:
    found = _listeners.get(loop)
    if found is None or found[0].done():
        ready = asyncio.Event()
        task = loop.create_task(_listen(url, ready))
        found = _listeners[loop] = (task, ready)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(found[1].wait()), timeout=2)


async def _listen(url: str, ready: asyncio.Event) -> None:
    import redis.asyncio as aioredis

    while True:
        client = None
        try:
            client = aioredis.from_url(url)
            pubsub = client.pubsub()
            await pubsub.psubscribe(pattern())
            ready.set()
            async for message in pubsub.listen():
                if message.get("type") == "pmessage":
                    ch, data = message["channel"], message["data"]
                    deliver_local(
                        ch.decode() if isinstance(ch, bytes) else ch,
                        data.decode() if isinstance(data, bytes) else data,
                    )
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - reconnect after a Redis outage
            log.warning("Redis 订阅中断，1 秒后重连", exc_info=True)
            await asyncio.sleep(1)
        finally:
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.aclose()
