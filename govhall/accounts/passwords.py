"""Password rules as 等保 2.0 asks: long enough (settings: at least 10), of at
least three kinds of character, and not one of the common or all-digit ones."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError

CLASSES = (
    ("小写字母", re.compile(r"[a-z]")),
    ("大写字母", re.compile(r"[A-Z]")),
    ("数字", re.compile(r"\d")),
    ("符号", re.compile(r"[^A-Za-z0-9]")),
)


class CharacterClassesValidator:
    """At least `min_classes` of: lower case, upper case, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        found = [name for name, pattern in CLASSES if pattern.search(password or "")]
        if len(found) < self.min_classes:
            raise ValidationError(
                f"密码须包含小写字母、大写字母、数字、符号中的至少 {self.min_classes} 种（现有：{'、'.join(found) or '无'}）。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"密码须包含小写字母、大写字母、数字、符号中的至少 {self.min_classes} 种。"


class NoReuseValidator:
    """Not the current password nor one of the last `count` set (PasswordHistory
    keeps their hashes, the current one included)."""

    def __init__(self, count: int = 5):
        self.count = count

    def validate(self, password: str, user: Any = None) -> None:
        from django.contrib.auth.hashers import check_password

        if user is None or getattr(user, "pk", None) is None:
            return
        hashes = [user.password] if user.password else []
        hashes += list(user.password_history.values_list("password_hash", flat=True)[: self.count])
        # hashers.check_password, not user.check_password: that one may re-hash and save the user.
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                f"新密码不能与当前密码或最近 {self.count} 次使用过的密码相同。", code="password_reused"
            )

    def get_help_text(self) -> str:
        return f"新密码不能与当前密码或最近 {self.count} 次使用过的密码相同。"
