"""The pages' one door for domain errors, as `config/api.py` is the API's.

A view keeps only the happy path: it calls services and renders. When a service
raises, this middleware answers:

- `NotFound` → the 404 page (another hall's record looks like no record at all);
- `Refused` → the 403 page with the reason;
- any other `DomainError` (`WrongState` included), when the view named the page
  its form is on (`errors_show_on`) → that page again, status 400 (409 for a
  wrong state), each message next to the field it names, the rest at the top;
- the same error when the view named no page → the message on the page the
  request came from (same site only), or the error page.

Nothing was written: services check before they write and run in one
transaction, so a raised error leaves no half-written rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from .errors import DomainError, NotFound, Refused
from .pages import safe_next

log = logging.getLogger("govhall.pages")


@dataclass
class ErrorPage:
    """Where a view's form errors are shown: its template, context and form."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    form: forms.Form | None = None


def errors_show_on(
    request: HttpRequest, template: str, context: dict[str, Any], *, form: forms.Form | None = None
) -> None:
    """Name the page a DomainError raised from here on is shown on. The context
    is the one the page is rendered with (a dict: later changes to it count)."""
    request.govhall_error_page = ErrorPage(template, context, form)  # type: ignore[attr-defined]


def add_domain_error(form: forms.Form, exc: DomainError, *, field_map: dict[str, str] | None = None) -> None:
    """Put a service's refusal on `form`: each message next to the field it names
    (translated by `field_map` where the service's name differs), the rest at the top."""
    field_map = field_map or {}
    errors: dict[str, list[str]] = exc.errors or {"": [exc.message]}
    for name, texts in errors.items():
        target: str | None = field_map.get(name, name) if name and name != "__all__" else None
        if target not in form.fields:
            target = None
        for text in texts:
            form.add_error(target, text)


def domain_error_response(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """What a page answers for `exc` (see the module's docstring)."""
    if isinstance(exc, NotFound):
        raise Http404(exc.message) from exc
    if isinstance(exc, Refused):
        raise PermissionDenied(exc.message) from exc
    status = 409 if exc.status == 409 else 400
    page: ErrorPage | None = getattr(request, "govhall_error_page", None)
    if page is not None:
        if page.form is not None:
            add_domain_error(page.form, exc, field_map=page.context.get("field_map"))
        else:
            page.context["errors"] = field_messages(exc)
        return render(request, page.template, page.context, status=status)
    messages.error(request, exc.message)
    back = safe_next(request, request.headers.get("Referer"), default="")
    if back and request.method == "POST":
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = back
            return response
        return redirect(back)
    return render(request, "400.html", {"exception": exc.message}, status=status)


def field_messages(exc: DomainError) -> dict[str, str]:
    """Field → message for a page that lays out its own inputs; "top" holds a
    message that names no field."""
    errs = {k: "；".join(v) for k, v in (exc.errors or {}).items()}
    if not errs or not exc.field:
        errs["top"] = exc.message
    return errs


class PageErrorMiddleware:
    """Turns a DomainError raised by a page view into the page's answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError):
            return domain_error_response(request, exception)
        if isinstance(exception, (OperationalError, InterfaceError)):
            # The database is down or busy: nothing was saved; the page says so in Chinese.
            log.error("数据库不可用：%s %s（%s）", request.method, request.path, type(exception).__name__)
            # Rendered without the request: its context (the user, the session) needs the database.
            response = HttpResponse(render_to_string("503.html"), status=503)
            response["Retry-After"] = "5"
            return response
        return None
