"""Extension points the accounts app declares (see govhall.core.extensions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from govhall.core.extensions import ExtensionPoint

password_max_age: ExtensionPoint[Callable[[Any], int | None]] = ExtensionPoint(
    "password max age",
    "Asked with a staff user: the most days their password may be used (their district's "
    "setting), or None/0 for never. The shortest answer counts; nobody answering means never.",
)
