"""Extension points of cases (see core.extensions and docs/ARCHITECTURE.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from govhall.core.extensions import ExtensionPoint

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
