"""Citizen pages of the halls (issue 17): choose a hall to take a number or
book, and a hall's live waiting per queue (the fragment its page polls)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import citizen, selectors


def _rows(halls):
    return [{"center": c, "today": citizen.hall_today(c)} for c in halls]


@require_GET
def choose_take(request):
    """取号: every hall that gives numbers, open or closed today, then its phone page."""
    return render(
        request, "queueing/choose_hall.html", {"rows": _rows(citizen.halls_taking()), "purpose": "take"}
    )


@require_GET
def choose_book(request):
    """预约: every hall with appointment slots, then its booking steps."""
    return render(
        request, "queueing/choose_hall.html", {"rows": _rows(citizen.halls_booking()), "purpose": "book"}
    )


@require_GET
def hall_waiting(request, code):
    """The live part of a hall's public page: people waiting per queue, polled by htmx."""
    center = selectors.hall_by_code(code)
    return render(
        request,
        "queueing/_hall_waiting.html",
        {"center": center, "queues": citizen.hall_waiting(center), "today": citizen.hall_today(center)},
    )
