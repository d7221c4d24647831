"""Declared extension points: how a lower app lets higher apps react or answer
without importing them (the layers are in pyproject.toml, checked by
import-linter).

A lower app declares an `ExtensionPoint` in its `extensions.py`, saying what it
asks or announces and what it does when nobody answers; a higher app registers
its answer in its `AppConfig.ready()`. Every point of the project is listed in
docs/ARCHITECTURE.md "Extension points".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class ExtensionPoint(Generic[F]):
    """A named list of functions registered by higher apps, called in the order
    they were registered."""

    def __init__(self, name: str, doc: str) -> None:
        self.name = name
        self.__doc__ = doc
        self._registered: list[tuple[str, F]] = []

    def register(self, fn: F, *, label: str | None = None) -> F:
        """Add `fn` (once: registering the same function again changes nothing)."""
        if all(existing is not fn for _, existing in self._registered):
            name: str = label or getattr(fn, "__name__", None) or repr(fn)
            self._registered.append((name, fn))
        return fn

    def registered(self) -> list[tuple[str, F]]:
        """(label, function) pairs in registration order."""
        return list(self._registered)

    def __repr__(self) -> str:
        return f"<ExtensionPoint {self.name}: {[label for label, _ in self._registered]}>"


periodic_jobs: ExtensionPoint[Callable[[], Any]] = ExtensionPoint(
    "periodic jobs",
    "Jobs `manage.py run_scheduler` runs every few minutes. Each app registers its own; each "
    "must be idempotent (running twice adds nothing) and returns a count or a list of what it did.",
)


workbench_sections: ExtensionPoint[Callable[[Any], Any]] = ExtensionPoint(
    "workbench sections",
    "Sections a higher app adds to a staff user's workbench: fn(user) returns None (nothing for "
    "this user) or a dict {title, links: [{label, url, count?, note?}]}. None registered = none shown.",
)


hall_day_figures: ExtensionPoint[Callable[..., Any]] = ExtensionPoint(
    "hall day figures",
    "Figures of each hall and local day that an app beside dashboards keeps (ratings, complaints): "
    "fn(since=date, until=date) returns {(center id, day): {field: count}} for fields of "
    "dashboards.HallDay (ratings, ratings_bad, rect_open, rect_overdue, complaints); one grouped "
    "query per figure. Answers are added up; none = those figures stay 0 (shown as not measured).",
)
