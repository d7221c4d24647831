"""What cases asks of the apps above it (see core.extensions): where a case's
service may be rated (好差评), shown on its notices and on the citizen's cases page — and what else 电子监察 shows
(see docs/ARCHITECTURE.md "Extension points")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from govhall.core.extensions import ExtensionPoint

# The step of the case a notice belongs to: a notice answering the submission
# (one-time notice, refusal) rates 接件, an acceptance notice 受理, a completion 办结.
NOTICE_STEPS = {
    "correction": "submitted",
    "rejection": "submitted",
    "acceptance": "accepted",
    "completion": "completed",
}


@dataclass(frozen=True)
class RatingOffer:
    """A step of the citizen's case and its rating by their account: where to
    rate it (`path`), or the level given (`given`), and what follows (`note`)."""

    step: str
    label: str
    path: str
    given: str = ""
    note: str = ""


case_rating_link: ExtensionPoint[Callable[..., str | None]] = ExtensionPoint(
    "case rating link",
    "Where may this case's step be rated by phone (a QR on the notice)? Each answer is called as "
    "answer(case=, step=) -> a path, or None (the step has not happened, or it was rated). The first "
    "path counts; with no answer the notices carry no rating link.",
)

case_rating_offers: ExtensionPoint[Callable[..., list[RatingOffer]]] = ExtensionPoint(
    "case rating offers",
    "What may the citizen rate of their own case with their account? Each answer is called as "
    "answer(case=, user=) -> list[RatingOffer], one per step that has happened; the answers are "
    "joined. With no answer the cases page offers no rating.",
)


def notice_rating_path(notice: Any) -> str | None:
    """The path where the step `notice` belongs to may be rated, or None."""
    step = NOTICE_STEPS.get(notice.kind)
    if step is None:
        return None
    for _, answer in case_rating_link.registered():
        path = answer(case=notice.case, step=step)
        if path:
            return path
    return None


STEP_LABELS = {"submitted": "接件", "accepted": "受理", "completed": "办结"}


def case_rating_paths(case: Any) -> list[tuple[str, str]]:
    """(step label, path) for each step of `case` that may be rated by phone now (issue 17: the
    tracking page offers them); empty with no answer or nothing to rate."""
    found = []
    for step, label in STEP_LABELS.items():
        for _, answer in case_rating_link.registered():
            path = answer(case=case, step=step)
            if path:
                found.append((label, path))
                break
    return found


def rating_offers(*, case: Any, user: Any) -> list[RatingOffer]:
    return [offer for _, answer in case_rating_offers.registered() for offer in answer(case=case, user=user)]


supervision_rows: ExtensionPoint[Callable[..., list[dict[str, Any]]]] = ExtensionPoint(
    "supervision rows",
    "Other yellow/red warnings shown on the 电子监察 page beside the cases' own: "
    "fn(user, level='') returns the open ones `user` may see as dicts {level ('yellow'/'red'), "
    "level_label, kind, center, label, url, due_on}. None registered = only the cases' warnings.",
)


def supervision_extra(user: Any, level: str = "") -> list[dict[str, Any]]:
    """Every registered answer's rows, red first."""
    rows = [row for _, fn in supervision_rows.registered() for row in fn(user, level=level)]
    return sorted(rows, key=lambda r: (r["level"] != "red", str(r.get("due_on") or "")))


case_step_done: ExtensionPoint[Callable[..., None]] = ExtensionPoint(
    "case step done",
    "A clerk did a step of a case that may be rated at the window: submitted (接件 at the "
    "window), accepted (受理) or completed (办结). Each answer is called after the transaction "
    "commits, as answer(case_id=, step=, by_id=); a failing answer is logged and never undoes the "
    "step. feedback answers: the rating pad of the window the clerk has open lights up. With no "
    "answer nothing happens.",
)


def announce_case_step(*, case_id: int, step: str, by_id: int) -> None:
    """Tell every answer of `case_step_done` (called on commit)."""
    import logging

    for label, answer in case_step_done.registered():
        try:
            answer(case_id=case_id, step=step, by_id=by_id)
        except Exception:  # noqa: BLE001 - a committed step is never answered with an error
            logging.getLogger("govhall.cases").exception("case_step_done answer %s failed", label)
