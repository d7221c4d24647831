"""Every spreadsheet the system writes goes through here.

Two rules, for any value that came from a user:
- it is written as text, never as a formula: openpyxl takes any string that
  starts with "=" for one, and a spreadsheet program evaluates a cell that
  starts with "= + - @" (or a tab / carriage return before them) when it is
  edited. Such a value is neutralised the OWASP way (CSV/formula injection):
  a leading apostrophe, and the cell typed as a string;
- characters a spreadsheet cannot hold (C0 control characters other than tab,
  newline and carriage return) are dropped, so an export never fails on
  stored data — the input doors refuse them, but old rows may have them.

Numbers, dates and booleans are written as they are."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def cell_text(value: str) -> str:
    """A user's text as it may stand in a cell: illegal characters dropped,
    a formula-looking start neutralised with a leading apostrophe."""
    text = _ILLEGAL.sub("", value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def strip_neutraliser(value: str) -> str:
    """Undo `cell_text`'s apostrophe when a sheet we wrote is imported back."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


@dataclass
class Sheet:
    """One worksheet: a header row, the rows, and optional looks."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    caption: str = ""  # a bold line above the header
    widths: Sequence[int] = field(default_factory=tuple)
    freeze: str = ""  # e.g. "B2"


def _cell(ws, value: Any, *, bold: bool = False, size: int | None = None):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=None)
        cell.value = cell_text(value)
        cell.data_type = "s"  # text, whatever it starts with
    else:
        cell = WriteOnlyCell(ws, value=value)
    if bold:
        cell.font = Font(bold=True, size=size) if size else Font(bold=True)
    return cell


def workbook_bytes(*sheets: Sheet) -> bytes:
    """The sheets as an .xlsx file (written streaming: memory stays flat on big exports)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    for sheet in sheets:
        ws = wb.create_sheet(cell_text(sheet.title).lstrip("'")[:31] or "Sheet")
        for i, width in enumerate(sheet.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        if sheet.freeze:
            ws.freeze_panes = sheet.freeze
        if sheet.caption:
            ws.append([_cell(ws, sheet.caption, bold=True, size=13)])
        ws.append([_cell(ws, h, bold=True) for h in sheet.header])
        for row in sheet.rows:
            ws.append([_cell(ws, "" if v is None else v) for v in row])
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


# An upload is a zip: a small file may unpack to gigabytes (one 400 MB cell
# compresses to 413 KB). Its members' sizes are checked before anything is read.
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
MAX_CELL_CHARS = 5000


class UnsafeWorkbook(ValueError):
    """The upload is not a workbook we will open; the message says why, in Chinese."""


def open_upload(data: bytes, *, max_unpacked: int = MAX_UNPACKED_BYTES):
    """An uploaded .xlsx opened read-only, once its unpacked size is known to be
    bounded; raises UnsafeWorkbook otherwise."""
    import zipfile

    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except zipfile.BadZipFile as exc:
        raise UnsafeWorkbook("无法读取该文件，请上传 Excel（.xlsx）格式的文件。") from exc
    if unpacked > max_unpacked:
        raise UnsafeWorkbook(f"文件解压后超过 {max_unpacked // (1024 * 1024)} MB，请删去多余内容或分批上传。")
    try:
        return load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable upload is the sender's problem, not a 500
        raise UnsafeWorkbook("无法读取该文件，请上传 Excel（.xlsx）格式的文件。") from exc
