"""One home for checking an uploaded file by what it holds, not by what it is called: its size
and its first bytes (magic numbers). The name the browser sent is never trusted alone.

Each caller keeps its own allowed types, limits, field and messages (a badge photo, a case's
material, a notice's attachment, a meeting item's evidence, a 委托书 scan); these helpers only do
the measuring and raise `DomainError` with the caller's words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from .errors import DomainError

T = TypeVar("T")

# The first bytes of the file types the halls accept.
PDF = b"%PDF"
JPEG = b"\xff\xd8\xff"
PNG = b"\x89PNG\r\n\x1a\n"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word, Excel and PowerPoint 97-2003
ZIP = b"PK\x03\x04"  # the Office Open XML formats and OFD are zip packages

HEAD_BYTES = 16  # enough for every signature above


def upload_size(file: Any) -> int:
    """The uploaded file's size in bytes (0 when unknown)."""
    return getattr(file, "size", None) or 0


def extension_of(name: str | None) -> str:
    """The lower-case extension of `name`, "" when it has none."""
    name = name or ""
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def file_head(file: Any, length: int = HEAD_BYTES) -> bytes:
    """The first `length` bytes of `file`; the file is left rewound for whoever reads it next."""
    file.seek(0)
    head = file.read(length)
    file.seek(0)
    return head


def starts_with_any(file: Any, magics: Iterable[bytes]) -> bool:
    """Whether the file's content begins with one of `magics`."""
    head = file_head(file, max((len(m) for m in magics), default=0) or HEAD_BYTES)
    return any(head.startswith(m) for m in magics)


def kind_by_magic(file: Any, kinds: Mapping[bytes, T]) -> T | None:
    """The value of `kinds` whose magic bytes the file begins with, None when none does."""
    head = file_head(file)
    for magic, kind in kinds.items():
        if head.startswith(magic):
            return kind
    return None


def check_size(
    file: Any,
    *,
    max_bytes: int,
    field: str,
    empty: str,
    too_large: str | Callable[[int], str],
    empty_code: str | None = None,
    too_large_code: str | None = "file_too_large",
) -> int:
    """The file's size, refused when it is empty or larger than `max_bytes`.

    `too_large` may name `{limit_mb}`, `{limit_kb}`, `{size_mb}` and `{size_kb}` (format fields,
    e.g. "不能超过 {limit_mb} MB（该文件 {size_mb:.1f} MB）"), or be a function of the size in
    bytes (when the message holds text the user sent, such as a file name, which must not be
    read as format fields)."""
    size = upload_size(file)
    if size <= 0:
        raise DomainError(empty, field=field, code=empty_code)
    if size > max_bytes:
        if callable(too_large):
            raise DomainError(too_large(size), field=field, code=too_large_code)
        message = too_large.format(
            limit_mb=max_bytes // (1024 * 1024),
            limit_kb=max_bytes // 1024,
            size_mb=size / 1048576,
            size_kb=size // 1024,
        )
        raise DomainError(message, field=field, code=too_large_code)
    return size
