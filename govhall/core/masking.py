"""Masking of personal data: ID numbers and phone numbers are shown masked in
lists, logs and exports unless a user asks to see one in full (which is recorded)."""

import logging
import re

ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[\dXx])(?![0-9A-Za-z])")
PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
PHONE_LIKE = re.compile(r"1[3-9]\d{9}")


def mask_id_number(value: str | None) -> str:
    """`500117199001011234` → `5001**********1234`."""
    if not value:
        return ""
    v = str(value)
    if len(v) <= 8:
        return "*" * len(v)
    return v[:4] + "*" * (len(v) - 8) + v[-4:]


def mask_phone(value: str | None) -> str:
    """`13812345678` → `138****5678`; landlines keep area code and last 4 digits."""
    if not value:
        return ""
    v = str(value)
    if len(v) <= 4:
        return "*" * len(v)
    keep_head = 3 if len(v) >= 11 else max(0, len(v) - 8)
    return v[:keep_head] + "*" * (len(v) - keep_head - 4) + v[-4:]


def mask_text(text: str) -> str:
    """Mask every ID number and mobile number found in free text (for logs)."""
    text = ID_RE.sub(lambda m: m.group(1) + "*" * 10 + m.group(2), text)
    return PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


class MaskPersonalDataFilter(logging.Filter):
    """Logging filter: no full ID or mobile number ever reaches a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not break logging
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def mask_name(value: str | None) -> str:
    """A person's name as lists and exports show it: the family name and a star per
    other character (张** ); empty stays empty, for the caller to say why."""
    value = value or ""
    return value[0] + "*" * (len(value) - 1) if value else ""


def mask_username(value: str | None) -> str:
    """A user name as lists and exports show it: citizens sign in with their
    phone number, which is masked like every phone."""
    value = value or ""
    return mask_phone(value) if PHONE_LIKE.fullmatch(value) else value
