"""What queueing asks of, or announces to, the apps above it (see core.extensions)."""

from __future__ import annotations

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
