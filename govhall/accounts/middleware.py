from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject


class IdleTimeoutMiddleware:
    """Staff sessions end after STAFF_IDLE_TIMEOUT_SECONDS (30 minutes) without a request.

    It also puts `request.staff_roles` (the user's role codes, read only when
    used) on the request, so templates can show each role its own links."""

    KEY = "last_seen"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.KEY)
            if last is not None and now - int(last) > settings.STAFF_IDLE_TIMEOUT_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                # `next` is this request's own path: the login page sends the user back
                # to it (LoginView follows only a same-site next).
                target = f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path(), 'timeout': 1})}"
                if request.headers.get("HX-Request"):
                    # htmx would swap the login page into a fragment; ask it to load the page instead.
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = target
                    return response
                return redirect(target)
            request.session[self.KEY] = now
        request.staff_roles = SimpleLazyObject(lambda: _roles(user))  # type: ignore[attr-defined]
        return self.get_response(request)


def _roles(user: Any) -> frozenset[str]:
    from .models import Role
    from .selectors import roles_of

    if user is None or not user.is_authenticated:
        return frozenset()
    roles = set(roles_of(user))
    if user.is_superuser:
        roles.add(Role.DISTRICT_ADMIN)
    return frozenset(roles)


class PasswordExpiryMiddleware:
    """A staff user whose password is older than their district allows is sent to
    the change-password page and may open no other staff page until they change
    it. Checked once per session (the answer is kept in the session); the API
    (tokens and sessions alike) is not held back — a token is not a password."""

    KEY = "password_expired_days"
    ALLOWED = ("accounts:password_change", "accounts:logout", "accounts:login")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not request.path.startswith("/staff/"):
            return self.get_response(request)
        if self.KEY not in request.session:
            from .services import password_expired_days

            request.session[self.KEY] = password_expired_days(user) or 0
        if request.session[self.KEY] and request.path not in {reverse(name) for name in self.ALLOWED}:
            target = reverse("accounts:password_change")
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
        return self.get_response(request)
