"""Short per-process memories of rarely changed rows that busy requests read
on every call (a hall's queue, a center by its code, an item with its guide,
the calendar's overrides).

Each server process keeps an answer for a couple of seconds; saving or
deleting one of the models it depends on forgets it in that process at once,
and other processes see the change within those seconds. Services still
check the state they act on (a closed hall, an unpublished guide) inside
their transaction where it matters."""

from __future__ import annotations

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
