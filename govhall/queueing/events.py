"""What the boards are told. A call is published at once (the board shows and
says it within a second); other changes (a ticket taken, a window opened) are
coalesced to at most one update per hall every half second, and cost nothing
when no board listens."""

from __future__ import annotations

import threading

from django.db import connections
from django.template.loader import render_to_string

from . import live

DEBOUNCE_SECONDS = 0.5
_pending: set[int] = set()
_pending_lock = threading.Lock()


def board_payload(center, *, call=None) -> dict:
    """The board's live part as HTML (one renderer for page, poll and push), and the call to announce."""
    from .selectors import board_state

    state = board_state(center)
    payload = {
        "html": render_to_string("queueing/_board_live.html", state),
        "last_call_id": state["last_call_id"],
    }
    if call is not None:
        payload["call"] = {
            "id": call.id,
            "code": call.ticket.code,
            "window": call.window.number,
            "text": call.announcement,
            "recall": call.is_recall,
        }
    return payload


def call_made(center_id: int, call_id: int) -> None:
    if not live.may_have_listeners(center_id):
        return
    from .models import Call

    call = Call.objects.select_related("ticket", "window", "center").filter(pk=call_id).first()
    if call is not None:
        live.publish(center_id, board_payload(call.center, call=call))


def hall_changed(center_id: int) -> None:
    if not live.may_have_listeners(center_id):
        return
    with _pending_lock:
        if center_id in _pending:
            return
        _pending.add(center_id)
    timer = threading.Timer(DEBOUNCE_SECONDS, _flush, args=(center_id,))
    timer.daemon = True
    timer.start()


def _flush(center_id: int) -> None:
    with _pending_lock:
        _pending.discard(center_id)
    try:
        from govhall.centers.models import Center

        center = Center.objects.filter(pk=center_id).first()
        if center is not None:
            live.publish(center_id, board_payload(center))
    finally:
        connections.close_all()
