"""Whole public pages, rendered once and served again to every anonymous visitor.

A citizen with no session sees exactly what every other such citizen sees, so
the rendered page is kept in the shared cache under a key made of:
- the public version (core/public_cache.py: bumped in the writer's transaction by
  any change of an item, a guide, a hall, its hours, its queues and windows …),
- the path with its query string and large type (适老化) on or off,
- and what the view says the page also depends on that the version does not
  cover (`vary`: a hall open or closed right now, an item's satisfaction).
So a change is seen at once, never after a timer; `SECONDS` only bounds memory.

What is never shared: a page for someone logged in or carrying a session or
flash messages (their name, their bookings), any answer but a plain 200 HTML
page, and the CSRF token — each visitor gets their own token in the kept page
at the places it stood (the meta tag htmx reads and hidden form fields)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token

from . import public_cache
from .cache import shared_get, shared_set

SECONDS = 6 * 3600
TOKEN = b"\x00csrf\x00"
KEPT_HEADERS = ("Content-Type", "Cache-Control", "ETag", "Content-Language")
_TOKEN_SPOTS = re.compile(
    rb'(<meta name="csrf-token" content="|name="csrfmiddlewaretoken" value=")([A-Za-z0-9]+)(")'
)


def shareable_request(request: HttpRequest) -> bool:
    """A GET (or HEAD) from someone with no session and no flash messages: no page
    they could be shown is theirs alone."""
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


def public_page(vary: Callable[..., str] | None = None) -> Callable:
    """Keep the view's page for anonymous visitors (see the module's text). `vary`
    is called with the view's own arguments and returns what else the page shows."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not shareable_request(request):
                return view(request, *args, **kwargs)
            key = page_key(request, vary(request, *args, **kwargs) if vary else "")
            kept = None if public_cache.changed_here() else shared_get(key)
            if kept is not None:
                return _served(request, kept)
            response = view(request, *args, **kwargs)
            frozen = _frozen(response)
            if frozen is not None and not public_cache.changed_here():
                shared_set(key, frozen, SECONDS)
            return response

        return wrapped

    return decorate


def page_key(request: HttpRequest, extra: str) -> str:
    parts = [
        public_cache.database_tag(),
        str(public_cache.version(request)),
        request.get_full_path(),
        "large" if getattr(request, "large_type", False) else "",
        extra,
    ]
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _frozen(response: HttpResponse) -> tuple[bytes, dict[str, str]] | None:
    """The page with its CSRF tokens taken out, and its headers; None when not shareable."""
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or not response.get("Content-Type", "").startswith("text/html")
    ):
        return None
    content = _TOKEN_SPOTS.sub(lambda m: m.group(1) + TOKEN + m.group(3), response.content)
    return content, {h: response[h] for h in KEPT_HEADERS if response.has_header(h)}


def _served(request: HttpRequest, kept: tuple[bytes, dict[str, str]]) -> HttpResponse:
    content, headers = kept
    etag = headers.get("ETag")
    if etag and etag in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
        headers = {h: v for h, v in headers.items() if h in ("ETag", "Cache-Control")}
    else:
        response = HttpResponse(content.replace(TOKEN, get_token(request).encode()))
    for name, value in headers.items():
        response[name] = value
    return response
