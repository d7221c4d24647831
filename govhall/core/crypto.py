"""Personal data at rest: AES-256-GCM for the value, HMAC-SHA256 for exact lookup.

Keys come from settings (read from the environment in config/settings.py):

- ``GOVHALL_FIELD_KEYS``: ``"k2:<base64 32 bytes>,k1:<base64 32 bytes>"``. The FIRST key
  encrypts; every listed key decrypts (rotation: put the new key first, run
  ``manage.py rotate_field_key``, then drop the old one).
- ``GOVHALL_LOOKUP_KEY``: base64 key of the keyed hash stored beside each value
  (``<field>_hash``), so "find the case with this phone" is an indexed equality on the hash.

Stored form of an encrypted value: ``"<keyid>$<base64(nonce|ciphertext+tag)>"``; the key id is
also the associated data, so a value cannot be moved under another key id. The empty string
stays empty. A value without ``$`` is a legacy plain value written before encryption: it is
returned as is, and ``manage.py encrypt_personal_data`` rewrites it.

In development and tests, when the variables are unset, keys are derived from SECRET_KEY
(deterministic, documented); in production (GOVHALL_PRODUCTION=1) missing keys are a system
check error (``core.E_KEYS``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SEP = "$"
KEY_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


class FieldDecryptionError(Exception):
    """A stored value that does not decrypt: tampered, truncated, or under an unknown key."""


@dataclass(frozen=True)
class Keyring:
    current: str
    keys: dict[str, bytes]
    lookup: bytes


def _b64key(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except ValueError as e:
        raise ImproperlyConfigured(f"{what}: not valid base64") from e
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{what}: the key must be 32 bytes (base64 of 32 random bytes)")
    return raw


def parse_field_keys(text: str) -> tuple[str, dict[str, bytes]]:
    """``"k2:…,k1:…"`` → ("k2", {"k2": …, "k1": …}); the first is the current key."""
    keys: dict[str, bytes] = {}
    current = ""
    for part in (p.strip() for p in (text or "").split(",")):
        if not part:
            continue
        kid, _, b64 = part.partition(":")
        kid = kid.strip()
        if not KEY_ID_RE.match(kid) or not b64:
            raise ImproperlyConfigured(
                "GOVHALL_FIELD_KEYS: each entry is keyid:base64 (keyid of letters, digits, _ -)"
            )
        if kid in keys:
            raise ImproperlyConfigured(f"GOVHALL_FIELD_KEYS: key id {kid} given twice")
        keys[kid] = _b64key(b64, f"GOVHALL_FIELD_KEYS[{kid}]")
        current = current or kid
    if not keys:
        raise ImproperlyConfigured("GOVHALL_FIELD_KEYS is empty")
    return current, keys


def _derived(label: str) -> bytes:
    return hashlib.sha256(f"govhall-dev-{label}:{settings.SECRET_KEY}".encode()).digest()


def keys_configured() -> bool:
    return bool(getattr(settings, "GOVHALL_FIELD_KEYS", "") and getattr(settings, "GOVHALL_LOOKUP_KEY", ""))


@lru_cache(maxsize=8)
def _keyring(field_keys: str, lookup_key: str, secret: str) -> Keyring:
    if field_keys:
        current, keys = parse_field_keys(field_keys)
    else:
        current, keys = "dev", {"dev": _derived("field")}
    lookup = _b64key(lookup_key, "GOVHALL_LOOKUP_KEY") if lookup_key else _derived("lookup")
    return Keyring(current=current, keys=keys, lookup=lookup)


def keyring() -> Keyring:
    """The keys in force (cached per settings value, so tests may override settings)."""
    return _keyring(
        getattr(settings, "GOVHALL_FIELD_KEYS", "") or "",
        getattr(settings, "GOVHALL_LOOKUP_KEY", "") or "",
        settings.SECRET_KEY,
    )


def is_encrypted(stored: str | None) -> bool:
    return bool(stored) and SEP in stored  # type: ignore[operator]


def key_id(stored: str) -> str:
    return stored.split(SEP, 1)[0] if is_encrypted(stored) else ""


def encrypt(value: str | None) -> str | None:
    """Plain text → stored form under the current key. None and "" pass through."""
    if value is None or value == "":
        return value
    ring = keyring()
    nonce = os.urandom(12)
    blob = AESGCM(ring.keys[ring.current]).encrypt(nonce, value.encode(), ring.current.encode())
    return f"{ring.current}{SEP}{base64.b64encode(nonce + blob).decode()}"


def decrypt(stored: str | None) -> str | None:
    """Stored form → plain text. A legacy plain value (no ``$``) comes back as is."""
    if stored is None or stored == "" or not is_encrypted(stored):
        return stored
    kid, _, b64 = stored.partition(SEP)
    key = keyring().keys.get(kid)
    if key is None:
        raise FieldDecryptionError(
            f"encrypted value under unknown key id {kid!r} (is it in GOVHALL_FIELD_KEYS?)"
        )
    try:
        raw = base64.b64decode(b64, validate=True)
        if len(raw) < 12 + 16:
            raise ValueError("too short")
        return AESGCM(key).decrypt(raw[:12], raw[12:], kid.encode()).decode()
    except (InvalidTag, ValueError) as e:
        raise FieldDecryptionError(
            f"encrypted value under key {kid!r} does not decrypt (altered or truncated)"
        ) from e


def normalise(value: str | None) -> str:
    """What the lookup hash is taken over: no whitespace, upper case (ID numbers end in X)."""
    return re.sub(r"\s+", "", value or "").upper()


def lookup_hash(value: str | None, *, key: bytes | None = None) -> str:
    """HMAC-SHA256 (hex) of the normalised value; "" for an empty value."""
    norm = normalise(value)
    if not norm:
        return ""
    return hmac.new(key or keyring().lookup, norm.encode(), hashlib.sha256).hexdigest()
