"""Short per-process memories of rarely changed rows that busy requests read
on every call (a hall's queue, a center by its code, an item with its guide,
the calendar's overrides).

Each server process keeps an answer for a couple of seconds; saving or
deleting one of the models it depends on forgets it in that process at once,
and other processes see the change within those seconds. Services still
check the state they act on (a closed hall, an unpublished guide) inside
their transaction where it matters."""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from time import monotonic
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

SECONDS = 2.0
_all: list[ProcessCache] = []


class ProcessCache:
    def __init__(self, name: str, *, depends_on: tuple[str, ...], seconds: float = SECONDS):
        self.name, self.depends_on, self.seconds = name, depends_on, seconds
        self._data: dict[Hashable, tuple[float, Any]] = {}
        _all.append(self)
        for label in depends_on:  # "app.Model": connected once the model is loaded
            post_save.connect(
                self.forget, sender=label, weak=False, dispatch_uid=f"cache-{name}-save-{label}"
            )
            post_delete.connect(
                self.forget, sender=label, weak=False, dispatch_uid=f"cache-{name}-delete-{label}"
            )

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The remembered answer for `key`, or load()'s (None is not remembered)."""
        now = monotonic()
        found = self._data.get(key)
        if found is not None and now - found[0] < self.seconds:
            return found[1]
        value = load()
        if value is not None:
            self._data[key] = (now, value)
        return value

    def forget(self, **kwargs) -> None:
        """Forget now, and again when the transaction that changed the row commits
        (a read in between could otherwise remember the old row)."""
        self._data.clear()
        transaction.on_commit(self._data.clear)


def forget_all() -> None:
    """Every process cache forgets everything (tests: a rolled-back test sends no signals)."""
    for c in _all:
        c._data.clear()


# --- the shared cache (Redis when REDIS_URL is set) ---------------------------------------
# A cache only saves work: when Redis is unreachable the answer is computed from
# the database instead, with a log line, and a write that was saved is never
# turned into an error by a cache that failed after it.

log = logging.getLogger("govhall.cache")


def shared_get(key: str, default: Any = None) -> Any:
    """The shared cache's value for `key`, or `default` if absent or the cache is down."""
    from django.core.cache import cache

    try:
        return cache.get(key, default)
    except Exception as exc:  # noqa: BLE001 - a cache outage degrades to the database
        log.warning("共享缓存不可用，改为直接查询：%s（%s）", key, type(exc).__name__)
        return default


def shared_set(key: str, value: Any, seconds: float) -> None:
    from django.core.cache import cache

    try:
        cache.set(key, value, seconds)
    except Exception as exc:  # noqa: BLE001
        log.warning("共享缓存不可用，未能写入：%s（%s）", key, type(exc).__name__)


def shared_delete(key: str) -> None:
    from django.core.cache import cache

    try:
        cache.delete(key)
    except Exception as exc:  # noqa: BLE001 - the entry expires on its own
        log.warning("共享缓存不可用，未能删除：%s（%s）；将在过期后失效", key, type(exc).__name__)


def shared_cache_state() -> str:
    """ "ok", "degraded" (Redis configured but not answering) or "local" (no Redis)."""
    from django.conf import settings
    from django.core.cache import cache

    if "redis" not in str(settings.CACHES["default"]["BACKEND"]).lower():
        return "local"
    try:
        cache.set("healthz", "1", 5)
        return "ok" if cache.get("healthz") == "1" else "degraded"
    except Exception:  # noqa: BLE001
        return "degraded"
