"""core/uploads.py: an upload is judged by its size and first bytes, in the caller's words."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from govhall.core.errors import DomainError
from govhall.core.uploads import JPEG, PDF, PNG, check_size, extension_of, kind_by_magic, starts_with_any

KINDS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}


def _file(data: bytes, name: str = "x.bin") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_the_kind_comes_from_the_first_bytes_not_the_name_and_the_file_is_rewound():
    f = _file(PNG + b"rest of the image", name="looks-like.pdf")
    f.read(3)  # someone read part of it already
    assert kind_by_magic(f, KINDS) == "png"
    assert f.tell() == 0
    assert kind_by_magic(_file(b"MZ\x90\x00 an exe", name="a.pdf"), KINDS) is None
    assert starts_with_any(_file(b"%PDF-1.7 ..."), (PDF,))
    assert not starts_with_any(_file(b"%PD"), (PDF,))


def test_extension_of():
    assert extension_of("委托书.SCAN.Pdf") == "pdf"
    assert extension_of("noext") == ""
    assert extension_of(None) == ""


def test_size_refusals_carry_the_callers_field_words_and_codes():
    with pytest.raises(DomainError) as empty:
        check_size(_file(b""), max_bytes=10, field="photo", empty="照片文件是空的。", too_large="x")
    assert (empty.value.field, str(empty.value), empty.value.code) == ("photo", "照片文件是空的。", "invalid")
    with pytest.raises(DomainError) as big:
        check_size(
            _file(b"x" * 3 * 1024 * 1024),
            max_bytes=2 * 1024 * 1024,
            field="file",
            empty="空",
            too_large="文件不能超过 {limit_mb} MB（该文件 {size_mb:.1f} MB）。",
        )
    assert str(big.value) == "文件不能超过 2 MB（该文件 3.0 MB）。" and big.value.code == "file_too_large"
    assert check_size(_file(b"abc"), max_bytes=3, field="f", empty="空", too_large="大") == 3


def test_a_message_holding_user_text_is_a_function_so_braces_in_a_name_are_not_format_fields():
    name = "报告{size_mb}{0}.pdf"
    with pytest.raises(DomainError) as big:
        check_size(
            _file(b"x" * 20),
            max_bytes=10,
            field="attachments",
            empty="空",
            empty_code="file_empty",
            too_large=lambda size: f"附件“{name}”太大（{size} 字节）。",
        )
    assert str(big.value) == "附件“报告{size_mb}{0}.pdf”太大（20 字节）。"
    with pytest.raises(DomainError) as empty:
        check_size(
            _file(b""), max_bytes=10, field="attachments", empty="空", empty_code="file_empty", too_large="大"
        )
    assert empty.value.code == "file_empty"
