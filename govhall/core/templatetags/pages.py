"""Template tags shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django import template

from govhall.core.pages import query_with

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context: dict[str, Any], number: int) -> str:
    """The current page's query string with `page` set to `number` (filters kept)."""
    return query_with(context["request"], page=number)
