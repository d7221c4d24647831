"""The speed layer uses a few Django internals (docs/ARCHITECTURE.md "Django
internals we rely on"). Each is pinned here: when an upgrade changes one's
signature or behaviour, this file fails loudly, before a hot path silently
breaks. Behaviour end to end is tested in test_prepared.py, test_sqlite_engine.py
and test_asgi.py."""

import inspect
from datetime import date

import django
import pytest
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.db import connection
from django.db.backends.sqlite3 import base as sqlite_base
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators
from django.db.models.sql.compiler import SQLCompiler

from govhall.centers.models import Center


def _params(fn) -> list[str]:
    return list(inspect.signature(fn).parameters)


def test_django_is_the_tested_minor_version():
    # pyproject.toml pins django==5.2.*; a new minor needs this file re-checked.
    assert django.VERSION[:2] == (5, 2)


# --- core.db.Prepared --------------------------------------------------------------------------


def test_get_related_populators_takes_klass_info_select_and_db():
    assert _params(get_related_populators) == ["klass_info", "select", "db"]


@pytest.mark.django_db
def test_compiler_klass_info_names_model_select_fields_and_related_infos():
    compiler = Center.objects.select_related("district").query.get_compiler(connection=connection)
    compiler.as_sql()
    info = compiler.klass_info
    assert info["model"] is Center
    assert isinstance(info["select_fields"], list) and info["select_fields"]
    related = info["related_klass_infos"]
    assert related and related[0]["model"].__name__ == "District"
    assert compiler.col_count == len(compiler.select)
    assert all(len(item) == 3 for item in compiler.select)  # (expression, (sql, params), alias)
    populators = get_related_populators(info, compiler.select, connection.alias)
    assert populators and hasattr(populators[0], "populate")


@pytest.mark.django_db
def test_compiler_converts_raw_values_with_get_converters_and_apply_converters():
    assert _params(SQLCompiler.apply_converters) == ["self", "rows", "converters"]
    assert _params(SQLCompiler.get_converters) == ["self", "expressions"]
    compiler = Center.objects.values_list("created_at").query.get_compiler(connection=connection)
    compiler.as_sql()
    converters = compiler.get_converters([s[0] for s in compiler.select[0 : compiler.col_count]])
    raw = "2026-01-02 03:04:05" if connection.vendor == "sqlite" else None
    if raw is not None:  # SQLite hands back text; the converter makes it a datetime
        (row,) = list(compiler.apply_converters([[raw]], converters))
        assert row[0].date() == date(2026, 1, 2)


def test_a_queryset_names_its_iterable_class():
    assert QuerySet(model=Center)._iterable_class is ModelIterable
    assert QuerySet(model=Center).values_list("id")._iterable_class is ValuesListIterable


# --- core.db.sqlite (the writer lock before BEGIN IMMEDIATE) ----------------------------------


def test_the_sqlite_wrapper_hooks_we_override_keep_their_signatures():
    wrapper = sqlite_base.DatabaseWrapper
    assert _params(wrapper._start_transaction_under_autocommit) == ["self"]
    assert _params(wrapper._commit) == ["self"]
    assert _params(wrapper._rollback) == ["self"]
    assert _params(wrapper._close) == ["self"]
    assert _params(wrapper.get_new_connection) == ["self", "conn_params"]
    # Django starts an atomic block on SQLite through _start_transaction_under_autocommit.
    source = inspect.getsource(sqlite_base.DatabaseWrapper._start_transaction_under_autocommit)
    assert "BEGIN" in source


# --- core.asgi (one thread hop per request) -----------------------------------------------------


def test_the_asgi_handler_methods_we_call_keep_their_signatures():
    assert _params(ASGIHandler.read_body) == ["self", "receive"]
    assert _params(ASGIHandler.create_request) == ["self", "scope", "body_file"]
    assert _params(ASGIHandler.listen_for_disconnect) == ["self", "receive"]
    assert _params(ASGIHandler.send_response) == ["self", "response", "send"]
    assert _params(ASGIHandler.load_middleware) == ["self", "is_async"]
    assert _params(get_script_prefix) == ["scope"]
    assert inspect.iscoroutinefunction(ASGIHandler.read_body)
    assert inspect.iscoroutinefunction(ASGIHandler.listen_for_disconnect)
    assert inspect.iscoroutinefunction(ASGIHandler.send_response)
    assert not inspect.iscoroutinefunction(ASGIHandler.create_request)
    assert ASGIHandler.chunk_size > 0


@pytest.mark.django_db
def test_a_foreign_key_says_it_is_cached_once_followed_even_when_empty():
    # core.audit._labels reads which foreign keys an object's __str__ followed
    # (`Field.is_cached`) to read them for the rest of a page at once.
    from govhall.centers.models import District

    district = District.objects.create(name="钉住区", code="999099")
    center = Center(district_id=district.pk, name="钉住区政务服务中心", kind=Center.Kind.DISTRICT)
    district_field = Center._meta.get_field("district")
    parent_field = Center._meta.get_field("parent")
    assert not district_field.is_cached(center) and not parent_field.is_cached(center)
    assert center.district == district and center.parent is None
    assert district_field.is_cached(center) and parent_field.is_cached(center)
