"""Every change to a record is kept by django-simple-history: who, when, what.
Services pass the acting user explicitly, so history is right outside requests too."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils import timezone

from .db import prepared_cursor
from .errors import from_django_validation

M = TypeVar("M", bound=models.Model)

_python_clock: ContextVar[bool] = ContextVar("python_clock", default=False)


@contextmanager
def python_clock() -> Iterator[None]:
    """Generated history (the demo's past days, run under time_machine): the
    database's clock does not travel, so a writer that stamps times with it
    (`insert_recorded_numbered`'s clock_timestamp()) must take Python's clock
    inside this block. Never used by a request."""
    token = _python_clock.set(True)
    try:
        yield
    finally:
        _python_clock.reset(token)


def database_clock_usable() -> bool:
    """False inside `python_clock()`: stamp times from Python, not from the database."""
    return not _python_clock.get()


def save_recorded(instance: M, *, by: Any, reason: str = "", validate: bool = True) -> M:
    """Validate and save `instance`, recording `by` and `reason` in its history.

    A foreign key whose object the caller already loaded from the database is
    not looked up again to see that it exists (the database's constraint still
    guards it); every other rule of the model is checked."""
    if validate:
        try:
            instance.full_clean(exclude=_loaded_relations(instance))
        except ValidationError as exc:
            raise from_django_validation(exc) from exc
    _mark_actor(instance, by=by, reason=reason)
    try:
        instance.save()
    finally:
        # A later plain save() of the same object must not reuse this actor and reason.
        del instance._history_user, instance._change_reason  # type: ignore[attr-defined]
    return instance


def _mark_actor(instance: models.Model, *, by: Any, reason: str) -> None:
    """django-simple-history reads who and why from these two attributes (its documented way
    outside a request)."""
    instance._history_user = by  # type: ignore[attr-defined]
    instance._change_reason = reason[:100] if reason else ""  # type: ignore[attr-defined]


def _loaded_relations(instance: models.Model) -> list[str]:
    loaded = []
    for f in instance._meta.concrete_fields:
        if isinstance(f, models.ForeignKey) and f.is_cached(instance):
            obj = f.get_cached_value(instance)
            if (
                obj is not None
                and obj.pk is not None
                and not obj._state.adding
                and getattr(instance, f.attname) == obj.pk
            ):
                loaded.append(f.name)
    return loaded


def insert_recorded(
    instance: models.Model, *, by, reason: str = "", at: datetime | None = None
) -> models.Model:
    """INSERT a new `instance` and its history row ("+": who, when, why) as two
    prepared statements: the same rows save_recorded writes, without the ORM
    compiling both queries on every call. It is for the hottest writes there
    are (taking a ticket, a case taken in at the window), where that compiling
    was most of the time spent holding the database's write lock. It sends no
    model signals and does not validate: the caller builds a valid instance."""
    plan = _plan_for(type(instance), history=True)
    insert_row(instance)
    with prepared_cursor() as cursor:
        _write_history(cursor, plan, instance, "+", by=by, reason=reason, at=at)
    return instance


def update_recorded(
    instance: models.Model,
    *,
    by,
    reason: str = "",
    validate: bool = True,
    created: bool = False,
    at: datetime | None = None,
) -> models.Model:
    """UPDATE every column of a loaded `instance` and add its history row ("~",
    or "+" with `created` for a row inserted earlier in the same transaction by
    insert_row), as two prepared statements — save_recorded for the hot
    decisions on a case. With `validate`, each field's own rules are checked
    (length, choices …); foreign keys are left to the database's constraints,
    so nothing is read."""
    if validate:
        check_fields(instance)
    plan = _plan_for(type(instance), history=True)
    values = [f.get_db_prep_save(f.pre_save(instance, False), connection) for f in plan.fields]
    with prepared_cursor() as cursor:
        cursor.execute(plan.update_sql, [*values, instance.pk])
        if cursor.rowcount != 1:
            raise type(instance).DoesNotExist(f"{type(instance).__name__} {instance.pk} is gone")  # type: ignore[attr-defined]
        _write_history(cursor, plan, instance, "+" if created else "~", by=by, reason=reason, at=at)
    return instance


def insert_recorded_many(
    instances: list[models.Model], *, by, reason: str = "", at: datetime | None = None
) -> list[models.Model]:
    """insert_recorded for several new rows of one model: one INSERT for the
    rows and one for their history rows, whatever their number."""
    if not instances:
        return []
    model = type(instances[0])
    plan = _plan_for(model, history=True)
    n = len(instances)
    sql, history_sql = plan.many_sql.get(n) or plan.many_sql.setdefault(n, _many_sql(plan, n))
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in instances for f in plan.fields]
    with prepared_cursor() as cursor:
        cursor.execute(sql, values)
        for obj, (pk,) in zip(instances, cursor.fetchall(), strict=True):
            obj.pk = pk
            obj._state.adding, obj._state.db = False, connection.alias
        extra = {
            "history_date": at or timezone.now(),
            "history_type": "+",
            "history_change_reason": reason[:100] if reason else "",
            "history_user_id": by.pk if by is not None and by.is_authenticated else None,
        }
        cursor.execute(
            history_sql,
            [
                f.get_db_prep_save(
                    extra[f.attname] if f.attname in extra else getattr(obj, f.attname), connection
                )
                for obj in instances
                for f in plan.history_fields
            ],
        )
    return instances


def _many_sql(plan, n: int) -> tuple[str, str]:
    # Both databases return the RETURNING rows of a multi-row INSERT in the order of its VALUES
    # (Django's bulk_create relies on the same).
    row = f"({', '.join(['%s'] * len(plan.fields))})"
    hrow = f"({', '.join(['%s'] * len(plan.history_fields))})"
    head, _, returning = plan.sql.partition(" VALUES ")
    returning = returning.partition(" RETURNING ")[2]
    hhead = plan.history_sql.partition(" VALUES ")[0]
    return (
        f"{head} VALUES {', '.join([row] * n)} RETURNING {returning}",
        f"{hhead} VALUES {', '.join([hrow] * n)}",
    )


def check_fields(instance: models.Model) -> None:
    """Each field's own rules (length, choices, blank …) without reading the
    database: foreign keys are left to its constraints. DomainError naming the field."""
    try:
        instance.clean_fields(exclude=[f.name for f in instance._meta.concrete_fields if f.is_relation])
    except ValidationError as exc:
        raise from_django_validation(exc) from exc


def insert_row(instance: models.Model) -> models.Model:
    """INSERT a new `instance` as one prepared statement, with no history row:
    for rows that are themselves the record (an event, a notice), and under
    insert_recorded and the window intake, which write the history row themselves."""
    plan = _plan_for(type(instance), history=False)
    values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in plan.fields]
    with prepared_cursor() as cursor:
        cursor.execute(plan.sql, values)
        instance.pk = cursor.fetchone()[0]
    instance._state.adding, instance._state.db = False, connection.alias
    return instance


def _write_history(cursor, plan, instance, kind: str, *, by, reason: str, at: datetime | None = None) -> None:
    extra = {
        "history_date": at or timezone.now(),
        "history_type": kind,
        "history_change_reason": reason[:100] if reason else "",
        "history_user_id": by.pk if by is not None and by.is_authenticated else None,
    }
    cursor.execute(
        plan.history_sql,
        [
            f.get_db_prep_save(
                extra[f.attname] if f.attname in extra else getattr(instance, f.attname), connection
            )
            for f in plan.history_fields
        ],
    )


def insert_recorded_numbered(
    instance: models.Model,
    *,
    scope: str,
    number_field: str,
    code_field: str,
    code_prefix: str,
    now_fields: tuple[str, ...] = (),
    by,
    reason: str = "",
) -> models.Model | None:
    """PostgreSQL: take the next number of `scope` (core Counter) and INSERT
    `instance` with it (its code: prefix + at least three digits) and its
    history row, all in one statement. Outside a transaction that statement
    commits by itself, so the counter's row lock is held only while PostgreSQL
    runs it, never across round trips from Python. `now_fields` (and the
    history's date) get the time read after the lock is taken, so they run in
    the order of the numbers. Returns None when `scope` has no counter row yet
    (the caller creates it and asks again)."""
    model = type(instance)
    plan = _plan_for(model, history=True)
    key = (number_field, code_field, now_fields)
    sql = plan.numbered_sql.get(key) or plan.numbered_sql.setdefault(key, _numbered_sql(model, plan, *key))
    params = [scope]
    for f in plan.fields:
        if f.attname == code_field:
            params.append(code_prefix)
        elif f.attname != number_field and f.attname not in now_fields:
            params.append(f.get_db_prep_save(f.pre_save(instance, True), connection))
    extra = {
        "history_type": "+",
        "history_change_reason": reason[:100] if reason else "",
        "history_user_id": by.pk if by is not None and by.is_authenticated else None,
    }
    params += [
        f.get_db_prep_save(extra[f.attname], connection)
        for f in plan.history_fields
        if f.attname in HISTORY_COLUMNS and f.attname != "history_date"
    ]
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    instance.pk, number, *times = row
    setattr(instance, number_field, number)
    for name, value in zip(now_fields, times, strict=True):
        setattr(instance, name, value)
    setattr(instance, code_field, f"{code_prefix}{number:03d}")
    instance._state.adding, instance._state.db = False, connection.alias
    return instance


def _numbered_sql(model, plan, number_field: str, code_field: str, now_fields: tuple[str, ...]) -> str:
    from .models import Counter

    qn = connection.ops.quote_name
    code = "%s || CASE WHEN n.value < 1000 THEN lpad(n.value::text, 3, '0') ELSE n.value::text END"
    # n.at is clock_timestamp() read once the counter's row is locked (now() would be the statement's start).
    exprs = [
        "n.value"
        if f.attname == number_field
        else code
        if f.attname == code_field
        else "n.at"
        if f.attname in now_fields
        else "%s"
        for f in plan.fields
    ]
    hexprs = [
        "n.at"
        if f.attname == "history_date"
        else "%s"
        if f.attname in HISTORY_COLUMNS
        else f"t.{qn(f.column)}"
        for f in plan.history_fields
    ]
    returning = [
        model._meta.pk.column,
        model._meta.get_field(number_field).column,
        *(model._meta.get_field(n).column for n in now_fields),
    ]
    return (
        f"WITH n AS (UPDATE {qn(Counter._meta.db_table)} SET value = value + 1 WHERE scope = %s "
        f"RETURNING value, clock_timestamp() AS at), "
        f"t AS (INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in plan.fields)}) "
        f"SELECT {', '.join(exprs)} FROM n RETURNING *) "
        f"INSERT INTO {qn(plan.history_table)} ({', '.join(qn(f.column) for f in plan.history_fields)}) "
        f"SELECT {', '.join(hexprs)} FROM t, n "
        f"RETURNING {', '.join(qn(c) for c in returning)}"
    )


class _InsertPlan:
    def __init__(self, model):
        qn = connection.ops.quote_name
        table, pk = qn(model._meta.db_table), model._meta.pk
        self.fields = [f for f in model._meta.local_concrete_fields if f is not pk]
        self.sql = (
            f"INSERT INTO {table} ({', '.join(qn(f.column) for f in self.fields)}) "
            f"VALUES ({', '.join(['%s'] * len(self.fields))}) RETURNING {qn(pk.column)}"
        )
        self.update_sql = (
            f"UPDATE {table} SET {', '.join(f'{qn(f.column)} = %s' for f in self.fields)} "
            f"WHERE {qn(pk.column)} = %s"
        )
        self.numbered_sql: dict[tuple[str, str, tuple[str, ...]], str] = {}  # by (number, code, now fields)
        self.many_sql: dict[int, tuple[str, str]] = {}  # insert_recorded_many, by number of rows
        history = getattr(model._meta, "simple_history_manager_attribute", None)
        if history is None:
            self.history_fields, self.history_table, self.history_sql = [], None, None
            return
        hmodel = getattr(model, history).model
        tracked = {f.attname for f in model._meta.concrete_fields}
        self.history_fields = [f for f in hmodel._meta.local_concrete_fields if f is not hmodel._meta.pk]
        unknown = [
            f.attname
            for f in self.history_fields
            if f.attname not in tracked and f.attname not in HISTORY_COLUMNS
        ]
        if unknown:
            raise TypeError(f"insert_recorded cannot fill history columns {unknown} of {model.__name__}")
        self.history_table = hmodel._meta.db_table
        self.history_sql = (
            f"INSERT INTO {qn(hmodel._meta.db_table)} ({', '.join(qn(f.column) for f in self.history_fields)}) "
            f"VALUES ({', '.join(['%s'] * len(self.history_fields))})"
        )


HISTORY_COLUMNS = {"history_date", "history_type", "history_change_reason", "history_user_id"}
_insert_plans: dict[type, _InsertPlan] = {}


def _plan_for(model, *, history: bool) -> _InsertPlan:
    plan = _insert_plans.get(model)
    if plan is None:
        if not connection.features.can_return_columns_from_insert:
            raise NotImplementedError("prepared inserts need INSERT … RETURNING (SQLite 3.35+ or PostgreSQL)")
        plan = _insert_plans[model] = _InsertPlan(model)
    if history and plan.history_sql is None:
        raise TypeError(f"{model.__name__} keeps no history")
    return plan


def delete_recorded(instance: models.Model, *, by: Any, reason: str = "") -> None:
    """Delete `instance`, recording `by` and `reason` in its history."""
    _mark_actor(instance, by=by, reason=reason)
    instance.delete()


def changed_fields(record) -> list[dict]:
    """What a historical record changed compared with the one before it."""
    return changes_between(record, record.prev_record)


def changes_between(record, prev) -> list[dict]:
    """What `record` changed compared with `prev`, the record before it (None: nothing,
    it is the first). No query: a list reads the previous records of a page at once."""
    if prev is None:
        return []
    delta = record.diff_against(prev)
    return [{"field": c.field, "old": c.old, "new": c.new} for c in delta.changes]
