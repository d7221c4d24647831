"""One paging rule for every API list: `limit` and `offset` are bounded in the
query schema, so a value out of range (negative, zero, or beyond what the
database can count) is a 422 with the API's JSON error, never a 500.

Lists use `@paginate(Paging)`; a list that pages its own query (the item
search) takes `limit_field()` and `offset_field()` in its filter schema."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.conf import settings
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 200
MAX_OFFSET = 100_000


def limit_field(default: int = settings.PAGINATION_PER_PAGE) -> Any:
    """A page size from 1 to MAX_LIMIT."""
    return Field(default, ge=1, le=MAX_LIMIT, description=f"每页条数（1–{MAX_LIMIT}）")


def offset_field() -> Any:
    """Rows to skip, from 0 to MAX_OFFSET."""
    return Field(0, ge=0, le=MAX_OFFSET, description=f"跳过的条数（0–{MAX_OFFSET}）")


class Paging(LimitOffsetPagination):
    """Ninja's limit/offset paging with both values bounded."""

    class Input(Schema):
        limit: int = limit_field()
        offset: int = offset_field()

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_limit", MAX_LIMIT)
        super().__init__(**kwargs)
