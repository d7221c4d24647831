"""The lobby screens' pages: each screen is a full page plus its live part (the same
template fragment), which lobby.js fetches again whenever the hall's board stream
says something changed and at least every POLL_SECONDS."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from govhall.accounts.models import User

from .lobby import district_screen, hall_for_screen, hall_for_staff_screen, hall_screen

POLL_SECONDS = 15


def _hall_page(request: HttpRequest, screen: dict, *, live_url: str) -> HttpResponse:
    return render(
        request,
        "dashboards/lobby_hall.html",
        {
            "s": screen,
            "live_url": live_url,
            "events_url": reverse("queueing:board_events", args=[screen["code"]]),
            "poll_seconds": POLL_SECONDS,
        },
    )


@require_GET
def hall_lobby(request: HttpRequest, code: str) -> HttpResponse:
    """The hall's public lobby screen (no login: it runs on the hall's TV)."""
    center = hall_for_screen(code)
    return _hall_page(request, hall_screen(center), live_url=reverse("lobby:hall_live", args=[center.code]))


@require_GET
@never_cache
def hall_lobby_live(request: HttpRequest, code: str) -> HttpResponse:
    center = hall_for_screen(code)
    return render(request, "dashboards/_lobby_hall_live.html", {"s": hall_screen(center)})


@require_GET
@login_required
def hall_lobby_staff(request: HttpRequest, code: str) -> HttpResponse:
    """The hall's screen with its clerks and overdue cases, for the people of that hall."""
    center = hall_for_staff_screen(cast(User, request.user), code)
    return _hall_page(
        request,
        hall_screen(center, staff=True),
        live_url=reverse("lobby:hall_staff_live", args=[center.code]),
    )


@require_GET
@login_required
@never_cache
def hall_lobby_staff_live(request: HttpRequest, code: str) -> HttpResponse:
    center = hall_for_staff_screen(cast(User, request.user), code)
    return render(request, "dashboards/_lobby_hall_live.html", {"s": hall_screen(center, staff=True)})


@require_GET
@login_required
def district_lobby(request: HttpRequest) -> HttpResponse:
    """The district office's big screen: every hall side by side."""
    return render(
        request,
        "dashboards/lobby_district.html",
        {
            "d": district_screen(cast(User, request.user)),
            "live_url": reverse("lobby:district_live"),
            "poll_seconds": POLL_SECONDS,
        },
    )


@require_GET
@login_required
@never_cache
def district_lobby_live(request: HttpRequest) -> HttpResponse:
    return render(
        request, "dashboards/_lobby_district_live.html", {"d": district_screen(cast(User, request.user))}
    )
