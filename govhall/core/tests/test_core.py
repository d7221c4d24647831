import logging

import pytest
from django.db import transaction

from govhall.core.masking import MaskPersonalDataFilter, mask_id_number, mask_name, mask_phone, mask_text
from govhall.core.models import Counter
from govhall.core.services import counter_next


def test_id_numbers_and_phones_are_masked():
    assert mask_id_number("500117199001011234") == "5001**********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""
    assert mask_name("张三丰") == "张**" and mask_name("李") == "李" and mask_name(None) == ""
    assert mask_text("张三 500117199001011234 电话 13812345678") == "张三 5001**********1234 电话 138****5678"


def test_log_lines_never_carry_a_full_id_or_mobile_number():
    record = logging.LogRecord(
        "govhall", logging.INFO, __file__, 1, "申请人 %s 手机 %s", ("50011719900101123X", "13987654321"), None
    )
    MaskPersonalDataFilter().filter(record)
    line = record.getMessage()
    assert "50011719900101123X" not in line and "13987654321" not in line
    assert "5001**********123X" in line and "139****4321" in line


@pytest.mark.django_db
def test_counter_never_repeats_and_a_rolled_back_number_is_not_skipped():
    assert [counter_next(scope="x") for _ in range(3)] == [1, 2, 3]
    with pytest.raises(RuntimeError), transaction.atomic():
        assert counter_next(scope="x") == 4
        raise RuntimeError("the caller fails after taking a number")
    assert counter_next(scope="x") == 4
    assert Counter.objects.get(scope="x").value == 4
    assert counter_next(scope="y") == 1


@pytest.mark.django_db
def test_healthz_answers_once_the_database_does(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


@pytest.mark.django_db
def test_openapi_document_is_served(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert r.json()["openapi"].startswith("3.")


@pytest.mark.django_db
def test_large_type_choice_is_kept_in_a_cookie(client):
    r = client.get("/?large=1")
    assert 'class="large-type"' in r.content.decode()
    assert r.cookies["govhall_large"].value == "1"
    assert 'class="large-type"' in client.get("/").content.decode()
    client.get("/?large=0")
    assert 'class="large-type"' not in client.get("/").content.decode()


@pytest.mark.django_db
def test_a_missing_page_answers_in_chinese(client, settings):
    settings.DEBUG = False
    r = client.get("/no-such-page/")
    assert r.status_code == 404
    assert "页面不存在" in r.content.decode()


def test_excel_download_keeps_a_chinese_file_name_with_an_ascii_fallback(rf):
    from io import BytesIO

    from openpyxl import load_workbook

    from govhall.core.pages import query_with, xlsx_response

    r = xlsx_response("办件列表.xlsx", "办件", ["编号"], [["HC-1"]])
    assert 'filename="export.xlsx"' in r["Content-Disposition"]
    assert "filename*=UTF-8''%E5%8A%9E" in r["Content-Disposition"]
    ws = load_workbook(BytesIO(r.content)).active
    assert [c.value for c in ws[2]] == ["HC-1"]
    assert query_with(rf.get("/x/?q=婚&page=3"), page=None, sort="name") == "?q=%E5%A9%9A&sort=name"
