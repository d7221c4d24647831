"""Database helpers shared by the apps."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, get_related_populators  # type: ignore[attr-defined]


def release_connections() -> None:
    """Give this thread's database connections back (closed, or to the pool),
    except one inside a transaction, which its owner finishes."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close()


@contextmanager
def prepared_cursor():
    """A cursor for the hot path's fixed statements (Prepared reads, the prepared
    writes of core.history). On PostgreSQL each statement runs as a server-side
    prepared statement: Django binds values on the client, so PostgreSQL would
    parse and plan the same statement on every call — for the case read with
    its center, item and guide that planning cost more than running it. psycopg
    prepares each statement once per connection; Django's own queries are
    untouched (their prepare_threshold stays off). On SQLite: Django's cursor."""
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor != "postgresql":
        with conn.cursor() as cursor:
            yield cursor
        return
    import psycopg

    conn.validate_no_broken_transaction()
    conn.ensure_connection()
    raw = conn.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = 1_000_000  # only execute(prepare=True) prepares
    with conn.wrap_database_errors, psycopg.Cursor(raw) as cursor:
        yield _ServerPreparedCursor(conn, cursor)


class _ServerPreparedCursor:
    def __init__(self, conn, cursor):
        self.conn, self.cursor = conn, cursor

    def execute(self, sql: str, params) -> None:
        started = time.monotonic()
        self.cursor.execute(sql, params, prepare=True)
        if self.conn.queries_logged:  # recorded as Django's debug cursor records queries (tests count them)
            self.conn.queries_log.append(
                {"sql": f"{sql} -- prepared {params!r}", "time": f"{time.monotonic() - started:.3f}"}
            )

    @property
    def rowcount(self) -> int:
        return self.cursor.rowcount

    def fetchone(self):
        return self.cursor.fetchone()

    def fetchall(self) -> list:
        return self.cursor.fetchall()


class Prepared:
    """A query the ORM compiles once per database connection and that then runs
    again with new values — for the few reads every busy request makes (its API
    token, the user's roles, the case it decides), where compiling the same
    SQL each time cost more than running it.

        case_by_number = Prepared(lambda number: Case.objects.filter(number=number), str)
        case = case_by_number.first("HC-MZ-20261126-0001")

    `build` gets one placeholder per declared kind (int or str) and returns
    the QuerySet; each placeholder must reach the SQL as exactly one plain
    parameter (an exact match, an IN of one). A query that reads rows for
    update is compiled (and so must be run) inside a transaction."""

    def __init__(self, build: Callable[..., QuerySet], *kinds: type):
        self.build, self.kinds = build, kinds

    def objects(self, *values) -> list:
        """The model instances (with their select_related objects), as the QuerySet would give them."""
        plan, rows = self._run(values)
        if not plan.gives_objects:
            raise TypeError("this Prepared query reads values, not objects: use rows()")
        out = []
        for row in rows:
            obj = plan.model.from_db(DEFAULT_DB_ALIAS, plan.init_list, row[plan.start : plan.end])
            for populator in plan.populators:
                populator.populate(row, obj)
            out.append(obj)
        return out

    def first(self, *values):
        found = self.objects(*values)
        return found[0] if found else None

    def rows(self, *values) -> list[tuple]:
        """The rows of a values_list() query, converted as the ORM converts them."""
        return self._run(values)[1]

    def _run(self, values) -> tuple[_Plan, list]:
        if len(values) != len(self.kinds):
            raise TypeError(f"expected {len(self.kinds)} values, got {len(values)}")
        conn = connections[DEFAULT_DB_ALIAS]  # this thread's connection: plans are kept on it
        plans = conn.__dict__.setdefault("_govhall_prepared", {})
        plan = plans.get(self) or plans.setdefault(self, _Plan(self, conn))
        params = list(plan.params)
        for position, kind, value in zip(plan.positions, self.kinds, values, strict=True):
            params[position] = kind(value)
        with prepared_cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        if plan.converters:
            rows = [tuple(r) for r in plan.compiler.apply_converters(rows, plan.converters)]
        return plan, rows


class _Plan:
    def __init__(self, prepared: Prepared, conn):
        placeholders = [_placeholder(kind, i) for i, kind in enumerate(prepared.kinds)]
        qs = prepared.build(*placeholders)
        compiler = qs.query.get_compiler(connection=conn)
        self.sql, params = compiler.as_sql()
        self.params = tuple(params)
        self.positions = []
        for p in placeholders:
            at = [i for i, v in enumerate(self.params) if v == p]
            if len(at) != 1:
                raise ValueError(
                    f"a Prepared placeholder must reach the SQL once as itself: {self.sql!r} {params!r}"
                )
            self.positions.append(at[0])
        self.compiler = compiler
        self.converters = compiler.get_converters([s[0] for s in compiler.select[0 : compiler.col_count]])
        klass_info = compiler.klass_info
        self.gives_objects = qs._iterable_class is ModelIterable
        if self.gives_objects:
            self.model = klass_info["model"]
            fields = klass_info["select_fields"]
            self.start, self.end = fields[0], fields[-1] + 1
            self.init_list = [f[0].target.attname for f in compiler.select[self.start : self.end]]
            self.populators = get_related_populators(klass_info, compiler.select, conn.alias)


def _placeholder(kind: type, index: int):
    # Values no real query passes, inside every integer column's range.
    if kind is int:
        return 2_000_000_000 + index
    if kind is str:
        return f"\x1egovhall-prepared-{index}\x1e"
    raise TypeError("Prepared values are int or str")
