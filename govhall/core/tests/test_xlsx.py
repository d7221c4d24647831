"""Every spreadsheet is written by core.xlsx: user text never becomes a formula,
a control character never breaks an export, an upload never unpacks unbounded."""

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from govhall.core.xlsx import Sheet, UnsafeWorkbook, cell_text, open_upload, strip_neutraliser, workbook_bytes


@pytest.mark.parametrize("value", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", '=HYPERLINK("x")'])
def test_formula_looking_text_is_neutralised_and_written_as_text(value):
    data = workbook_bytes(Sheet(title="t", header=["名称"], rows=[[value]]))
    cell = load_workbook(io.BytesIO(data)).active["A2"]
    assert cell.data_type == "s"
    assert cell.value == "'" + value
    assert strip_neutraliser(cell.value) == value


def test_plain_text_numbers_and_dates_are_written_as_they_are():
    from datetime import date

    data = workbook_bytes(
        Sheet(title="t", header=["a", "b", "c", "d"], rows=[["张三", 3, -2.5, date(2026, 1, 2)]])
    )
    row = [c.value for c in load_workbook(io.BytesIO(data)).active[2]]
    assert row[:3] == ["张三", 3, -2.5] and row[3].date() == date(2026, 1, 2)


def test_control_characters_in_stored_text_do_not_break_the_export():
    assert cell_text("张\x00三\x01") == "张三"
    assert cell_text("两行\n文字\t") == "两行\n文字\t"
    data = workbook_bytes(Sheet(title="t\x02", header=["名称"], rows=[["李\x00四"], [None]]))
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A2"].value == "李四" and ws["A3"].value is None


def _bomb(unpacked_bytes: int) -> bytes:
    """A valid-looking xlsx whose shared strings unpack to `unpacked_bytes`."""
    wb = Workbook()
    wb.active.append(["x"])
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/padding.xml", b"A" * unpacked_bytes)
    return out.getvalue()


def test_an_upload_that_unpacks_too_big_is_refused_before_reading():
    data = _bomb(60 * 1024 * 1024)
    assert len(data) < 200 * 1024  # small on the wire
    with pytest.raises(UnsafeWorkbook, match="解压后超过"):
        open_upload(data)
    assert open_upload(_bomb(1024)).active["A1"].value == "x"
    with pytest.raises(UnsafeWorkbook, match="无法读取"):
        open_upload(b"not a zip")
