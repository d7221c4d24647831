"""What the public pages show the same to everyone, cached and invalidated on change.

Each cached value is keyed by the number of `PublicVersion("public")`. Saving or
deleting any model registered with `bump_on_change` (an item, a guide, a hall, its
hours, …) bumps that number in the writer's own transaction, so once the change
commits every process — each with its own locmem cache, or all sharing Redis —
reads the new number and misses the old entries. Reading the number is one
primary-key lookup per request (remembered on the request). Writers that bypass
signals (bulk imports) call `bump()` themselves. There is no expiry to wait for:
`SECONDS` only bounds memory."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .cache import shared_get, shared_set

NAME = "public"
# A second number for what changes far more often than the catalog and touches one
# figure only: the ratings (bumped by the app that keeps them, feedback). A page shows
# a figure read from ratings under both numbers, so a rating does not empty the rest.
RATINGS = "ratings"
SECONDS = 6 * 3600
_MISSING = object()


def version(request: Any = None, name: str = NAME) -> int:
    """The current number of `name` (0 before the first change). With `request`, every
    number is read in one query and remembered on it for the rest of the request."""
    from .models import PublicVersion

    if request is None:
        return PublicVersion.objects.filter(name=name).values_list("number", flat=True).first() or 0
    numbers = getattr(request, "_public_versions", None)
    if numbers is None:
        numbers = dict(PublicVersion.objects.values_list("name", "number"))
        request._public_versions = numbers
    return numbers.get(name, 0)


def bump(name: str = NAME, **_: Any) -> None:
    """Move the number on (inside the caller's transaction when there is one)."""
    from .models import PublicVersion

    table = PublicVersion._meta.db_table
    sql = f"INSERT INTO {table} (name, number) VALUES (%s, 1) ON CONFLICT (name) DO UPDATE SET number = {table}.number + 1"  # noqa: S608, E501 - our own table name
    with connection.cursor() as cur:
        cur.execute(sql, [name])


def cached(key: str, load: Callable[[], Any], *, request: Any = None) -> Any:
    """load()'s value for `key` under the current version (None is cached too).
    A transaction that changed something itself reads past the cache: its number
    is not committed yet and may be rolled back and used again by another change."""
    if _changed_here():
        return load()
    v = version(request)
    full = f"pub:{database_tag()}:{v}:{hashlib.sha256(key.encode()).hexdigest()}"
    found = shared_get(full, _MISSING)
    if found is _MISSING:
        found = load()
        shared_set(full, found, SECONDS)
    return found


def database_tag() -> str:
    """Which database the numbers count in: two databases sharing one Redis (a test run and
    the browser tests' server, two deployments' copies) may hold the same number."""
    d = connection.settings_dict
    return hashlib.sha256(f"{d['ENGINE']}|{d.get('HOST')}|{d.get('PORT')}|{d['NAME']}".encode()).hexdigest()[
        :12
    ]


def changed_here() -> bool:
    """Has this transaction itself bumped the version (so the cache must not be read or filled)?"""
    return _changed_here()


def _changed_here() -> bool:
    conn = transaction.get_connection()
    return conn.in_atomic_block and getattr(conn, "_public_bumped_in", None) is conn.atomic_blocks[0]


def _bump_and_mark(name: str = NAME, **kwargs: Any) -> None:
    bump(name)
    conn = transaction.get_connection()
    if conn.in_atomic_block:
        conn._public_bumped_in = conn.atomic_blocks[0]


def bump_on_change(*labels: str, name: str = NAME) -> None:
    """Bump the number `name` whenever a row of one of `labels` ("app.Model") is saved or deleted."""

    def on_change(**kwargs: Any) -> None:
        _bump_and_mark(name)

    for label in labels:
        post_save.connect(on_change, sender=label, weak=False, dispatch_uid=f"pub-save-{name}-{label}")
        post_delete.connect(on_change, sender=label, weak=False, dispatch_uid=f"pub-del-{name}-{label}")


def bump_on_create_or_delete(*labels: str) -> None:
    """Bump when a row of one of `labels` is added or removed, not on every save of it
    (a window's status and counters change all day; its being there does not)."""

    def on_save(created: bool = False, **kwargs: Any) -> None:
        if created:
            _bump_and_mark()

    for label in labels:
        post_save.connect(on_save, sender=label, weak=False, dispatch_uid=f"pub-create-{label}")
        post_delete.connect(_bump_and_mark, sender=label, weak=False, dispatch_uid=f"pub-del-{label}")


def bump_on_m2m(through: Any) -> None:
    m2m_changed.connect(_bump_and_mark, sender=through, weak=False, dispatch_uid=f"pub-m2m-{through}")


def changed() -> None:
    """For writers that send no signals (bulk_create, update()): what the public sees changed."""
    _bump_and_mark()
