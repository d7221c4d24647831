"""What queueing asks of, or announces to, the apps above it (see core.extensions)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from govhall.core.extensions import ExtensionPoint

window_duty: ExtensionPoint[Callable[..., bool]] = ExtensionPoint(
    "window duty",
    "May this clerk work this window on this day? Each answer is called as "
    "answer(user=, window=, day=) -> bool and every one must say yes. staffing answers from the A/B "
    "posts; with no answer registered any clerk or chief representative of the window's hall may.",
)


def duty_allows(*, user: Any, window: Any, day: date) -> bool:
    """Whether every registered answer lets `user` work `window` on `day`."""
    return all(answer(user=user, window=window, day=day) for _, answer in window_duty.registered())


ticket_rating: ExtensionPoint[Callable[..., str | None]] = ExtensionPoint(
    "ticket rating",
    "Where may the holder of this ticket rate the service (好差评, phone channel)? Each answer is "
    "called as answer(ticket=) -> a path, or None when it may not be rated (not finished, already "
    "rated). The first path counts; with no answer the ticket page shows no rating link.",
)


def ticket_rating_path(ticket: Any) -> str | None:
    """The path where `ticket` may be rated, or None."""
    for _, answer in ticket_rating.registered():
        path = answer(ticket=ticket)
        if path:
            return path
    return None


service_finished: ExtensionPoint[Callable[..., None]] = ExtensionPoint(
    "service finished",
    "A ticket was finished (办结) at a window. Each answer is called after the finishing "
    "transaction commits, as answer(ticket_id=, window_id=, center_id=, clerk_id=); a failing "
    "answer is logged and never undoes the finish. feedback answers: the window's rating pad "
    "lights up. With no answer nothing happens.",
)


def announce_service_finished(
    *, ticket_id: int, window_id: int, center_id: int, clerk_id: int | None
) -> None:
    """Tell every answer of `service_finished` (called on commit)."""
    for label, answer in service_finished.registered():
        try:
            answer(ticket_id=ticket_id, window_id=window_id, center_id=center_id, clerk_id=clerk_id)
        except Exception:  # noqa: BLE001 - a committed finish is never answered with an error
            logging.getLogger("govhall.queueing").exception("service_finished answer %s failed", label)


# ── 大厅实况屏 (lobby screens) ──
hall_satisfaction: ExtensionPoint[Callable[..., dict[int, dict[str, Any]]]] = ExtensionPoint(
    "hall satisfaction",
    "How satisfied were people with these halls from `since` to `until` (local dates)? Each "
    "answer is called as answer(center_ids=, since=, until=) -> {center_id: {rate (per cent or "
    "None), count}}; the first answer that returns anything counts. feedback answers from the "
    "好差评 ratings; with no answer the lobby screens show no satisfaction.",
)


def satisfaction_of_halls(
    *, center_ids: list[int], since: date, until: date
) -> dict[int, dict[str, Any]] | None:
    """The first answer of `hall_satisfaction`, or None when nobody answers."""
    for _, answer in hall_satisfaction.registered():
        got = answer(center_ids=center_ids, since=since, until=until)
        if got is not None:
            return got
    return None
