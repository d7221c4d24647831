import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from govhall.catalog import excel, services
from govhall.catalog.models import ServiceItem
from govhall.core.errors import DomainError, Refused

from .conftest import put_on_negative_list

pytestmark = pytest.mark.django_db
HEADER = [label for _, label, _ in excel.COLUMNS]


def workbook(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row(code, name, *, kind="行政确认", serving="个人", dep="TCIVIL", center="", themes=""):
    return [code, "", name, kind, serving, dep, center, "县级", "《婚姻登记条例》", themes, ""]


def test_import_with_bad_rows_imports_nothing_and_names_each_row_and_column(world):
    data = workbook(
        [
            row("X-001", "结婚登记"),
            row("X-002", "离婚登记", kind="许可"),
            row("X-003", "", dep="NOPE"),
            row("X-001", "重复编码"),
            row("X-005", "补领婚姻登记证", center="T-A"),
        ]
    )
    with pytest.raises(excel.ImportRejected) as exc:
        excel.import_catalog(by=world["admin"], district=world["district"], data=data)
    found = {(p.row, p.column) for p in exc.value.problems}
    assert found == {
        (3, "事项类型"),
        (4, "事项名称"),
        (4, "实施部门编码"),
        (5, "实施编码"),
        (6, "进驻中心编码"),
    }
    assert "未列入负面清单" in str([p for p in exc.value.problems if p.row == 6][0])
    assert not ServiceItem.objects.exists()


def test_good_import_creates_updates_and_stations_through_the_negative_list(world, marriage):
    put_on_negative_list(world, marriage)
    data = workbook(
        [
            row("T-MZ-001", "结婚登记（内地居民）", center="T-A"),
            row("X-002", "离婚登记", serving="个人、法人"),
        ]
    )
    counts = excel.import_catalog(by=world["admin"], district=world["district"], data=data)
    assert (counts["created"], counts["updated"]) == (1, 1)
    assert [r[3] for r in counts["rows"]] == ["更新", "新增"]
    marriage.refresh_from_db()
    assert marriage.name == "结婚登记（内地居民）" and marriage.center == world["a"]
    assert ServiceItem.objects.get(code="X-002").serving == "both"


def test_export_has_the_import_format_and_reimports_unchanged(world, marriage):
    data = excel.export_catalog(district=world["district"])
    ws = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in ws[1]] == HEADER
    assert ws["C2"].value == "结婚登记"
    history = marriage.history.count()
    counts = excel.import_catalog(by=world["admin"], district=world["district"], data=data)
    assert (counts["created"], counts["updated"], counts["unchanged"]) == (0, 0, 1)
    assert [r[3] for r in counts["rows"]] == ["未变"]
    assert marriage.history.count() == history  # nothing written, nothing recorded


def test_not_a_spreadsheet_and_missing_columns_are_clear_errors(world):
    with pytest.raises(DomainError) as exc:
        excel.import_catalog(by=world["admin"], district=world["district"], data=b"hello")
    assert exc.value.field == "file"
    wb = Workbook()
    wb.active.append(["名称"])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(excel.ImportRejected) as exc:
        excel.import_catalog(by=world["admin"], district=world["district"], data=out.getvalue())
    assert {p.column for p in exc.value.problems} >= {"实施编码", "事项名称"}


def test_clerk_cannot_import(world):
    with pytest.raises(Refused):
        excel.import_catalog(
            by=world["clerk_hub"], district=world["district"], data=workbook([row("X", "某事项")])
        )


def test_import_page_runs_in_the_background_and_shows_the_bad_row_report(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    c = Client()
    c.force_login(world["admin"])
    upload = SimpleUploadedFile("c.xlsx", workbook([row("X-1", "结婚登记", kind="乱填")]))
    r = c.post("/staff/catalog/import/", {"file": upload})
    assert r.status_code == 302
    html = c.get(r["Location"]).content.decode()
    assert "第 2 行" in html and "事项类型" in html and "乱填" in html and "未导入" in html
    assert not ServiceItem.objects.exists()
    r = c.post(
        "/staff/catalog/import/", {"file": SimpleUploadedFile("c.xlsx", workbook([row("X-1", "结婚登记")]))}
    )
    html = c.get(r["Location"]).content.decode()
    assert "新增 1 个事项" in html and "X-1" in html
    assert c.post("/staff/catalog/import/", {}).status_code == 400


def test_json_export_of_national_fields(world, marriage):
    from .conftest import complete_guide

    complete_guide(marriage)
    c = Client()
    c.force_login(world["admin"])
    body = json.loads(c.get("/staff/catalog/export.json").content)
    first = body["items"][0]
    assert first["implementation_code"] == "T-MZ-001" and first["item_type"] == "行政确认"
    assert first["promised_time_limit_days"] == 1 and first["charged"] is False
    r = c.get("/staff/catalog/export.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_unchanged_services_keep_items_of_other_districts_apart(world, other_world):
    services.item_create(
        by=None,
        district=other_world["district"],
        code="O-1",
        name="邻区事项",
        item_type="license",
        department=other_world["dep_a"],
    )
    with pytest.raises(excel.ImportRejected) as exc:
        excel.import_catalog(
            by=world["admin"], district=world["district"], data=workbook([row("O-1", "抢占")])
        )
    assert exc.value.problems[0].column == "实施编码"
    assert ServiceItem.objects.get(code="O-1").name == "邻区事项"


def test_a_formula_in_a_name_is_exported_as_text_and_imports_back_unchanged(world, marriage):
    marriage.name = '=HYPERLINK("http://evil","点我")'
    marriage.save()
    data = excel.export_catalog(district=world["district"])
    cell = load_workbook(io.BytesIO(data)).active["C2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")
    excel.import_catalog(by=world["admin"], district=world["district"], data=data)
    marriage.refresh_from_db()
    assert marriage.name == '=HYPERLINK("http://evil","点我")'


def test_a_cell_too_long_is_a_row_problem_not_a_memory_spike(world):
    from govhall.core.xlsx import MAX_CELL_CHARS

    with pytest.raises(excel.ImportRejected) as exc:
        excel.import_catalog(
            by=world["admin"],
            district=world["district"],
            data=workbook([row("X-1", "长" * (MAX_CELL_CHARS + 1))]),
        )
    assert any("超过" in p.message for p in exc.value.problems)
