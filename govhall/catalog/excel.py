"""The catalog in Excel (import and export, one format) and the national fields as JSON.

Import is all-or-nothing: every row is checked first and every problem is
reported by row and column in plain Chinese; if there is any, nothing is written.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.db import connection, models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from govhall.centers.models import Center, Department, District
from govhall.core import public_cache
from govhall.core.errors import DomainError
from govhall.core.xlsx import (
    MAX_CELL_CHARS,
    Sheet,
    UnsafeWorkbook,
    open_upload,
    strip_neutraliser,
    workbook_bytes,
)

from . import permissions, services
from .models import CatalogImport, NegativeListEntry, ServiceItem, Theme
from .search import sort_key as name_sort_key

COLUMNS = [
    ("code", "实施编码", True),
    ("catalog_code", "基本目录编码", False),
    ("name", "事项名称", True),
    ("item_type", "事项类型", True),
    ("serving", "服务对象", True),
    ("department", "实施部门编码", True),
    ("center", "进驻中心编码", False),
    ("level", "行使层级", False),
    ("legal_basis", "设定依据", False),
    ("themes", "主题", False),
    ("keywords", "关键词", False),
]
MAX_ROWS = 20000
log = logging.getLogger("govhall.catalog")

if TYPE_CHECKING:
    from govhall.accounts.models import User


@dataclass
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return (
            f"第 {self.row} 行“{self.column}”：{self.message}"
            if self.row
            else f"“{self.column}”：{self.message}"
        )


class ImportRejected(DomainError):
    """The file has problems; nothing was imported. The summary names the file,
    each problem (by row and column, the first 200) is listed under "rows"."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        summary = f"导入未执行：发现 {len(problems)} 处问题，请修改后重新上传，本次没有导入任何事项。"
        super().__init__(
            summary,
            field="file",
            code="import_rejected",
            errors={"file": [summary], "rows": [str(p) for p in problems[:200]]},
        )


def _label_map(choices: list[tuple[str, str]]) -> dict[str, str]:
    out = {}
    for value, label in choices:
        out[value] = value
        out[label] = value
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return strip_neutraliser(str(value).strip())


Row = dict[str, Any]
LABELS = {key: label for key, label, _ in COLUMNS}


def read_rows(data: bytes) -> tuple[list[Row], list[Problem]]:
    try:
        wb = open_upload(data)
    except UnsafeWorkbook as exc:
        raise DomainError(str(exc), field="file") from exc
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [_cell(h) for h in next(rows, ())]
    problems = []
    index = {}
    for key, label, _ in COLUMNS:
        if label in header:
            index[key] = header.index(label)
        elif key in ("code", "name", "item_type", "serving", "department"):
            problems.append(Problem(1, label, "表头缺少此列（请使用导出的模板）。"))
    if problems:
        return [], problems
    out = []
    for n, cells in enumerate(rows, start=2):
        if n > MAX_ROWS + 1:
            problems.append(Problem(n, "（全表）", f"一次最多导入 {MAX_ROWS} 行。"))
            break
        values = list(cells)
        if any(isinstance(v, str) and len(v) > MAX_CELL_CHARS for v in values):
            problems.append(Problem(n, "（本行）", f"单元格内容超过 {MAX_CELL_CHARS} 个字。"))
            continue
        record: Row = {key: _cell(values[i]) if i < len(values) else "" for key, i in index.items()}
        if not any(record.values()):
            continue
        record["_row"] = n
        out.append(record)
    if not out and not problems:
        problems.append(Problem(0, "（全表）", "文件中没有事项。"))
    return out, problems


@dataclass
class Known:
    """What the rows are checked against: the choices, the district's departments
    and centers, the themes, the negative list and the codes other districts use."""

    types: dict[str, str]
    servings: dict[str, str]
    levels: dict[str, str]
    departments: dict[str, Department]
    centers: dict[str, Center]
    themes: dict[str, Theme]
    entries: dict[str, NegativeListEntry]
    other_district: set[str]

    @classmethod
    def of(cls, district: District) -> Known:
        themes = list(Theme.objects.all())
        return cls(
            types=_label_map(ServiceItem.Type.choices),
            servings=_label_map(ServiceItem.Serving.choices)
            | {"个人,法人": "both", "个人/法人": "both", "个人，法人": "both"},
            levels=_label_map(ServiceItem.Level.choices),
            departments={d.code: d for d in Department.objects.filter(district=district)},
            centers={c.code: c for c in Center.objects.filter(district=district)},
            themes={t.name: t for t in themes} | {t.code: t for t in themes},
            entries={
                e.item.code: e
                for e in NegativeListEntry.objects.filter(is_active=True).select_related("item")
            },
            other_district=set(ServiceItem.objects.exclude(district=district).values_list("code", flat=True)),
        )


def check_rows(rows: list[Row], district: District, progress: Progress | None = None) -> list[Problem]:
    """Every problem of every row, in order; each row also gets its typed values (`_parsed`)."""
    known = Known.of(district)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(rows, start=1):
        problems += [Problem(row["_row"], LABELS[key], text) for key, text in _row_problems(row, known, seen)]
        row["_parsed"] = _parsed(row, known)
        if progress is not None and (n % CHUNK == 0 or n == len(rows)):
            progress(n, len(rows))
    return problems


def _row_problems(row: Row, known: Known, seen: dict[str, int]) -> list[tuple[str, str]]:
    found = [(key, "必填，不能为空。") for key, _, required in COLUMNS if required and not row.get(key)]
    found += _code_problems(row, known, seen)
    for key, most in (("name", 200), ("catalog_code", 40), ("keywords", 200)):
        if len(row.get(key, "")) > most:
            found.append((key, f"不能超过 {most} 个字符。"))
    found += _choice_problems(row, known)
    found += _center_problems(row, known)
    found += [
        ("themes", f"没有名为“{theme}”的主题。")
        for theme in _split(row.get("themes", ""))
        if theme not in known.themes
    ]
    return found


def _code_problems(row: Row, known: Known, seen: dict[str, int]) -> list[tuple[str, str]]:
    code = row.get("code", "")
    if not code:
        return []
    found = []
    if len(code) > 80:
        found.append(("code", "不能超过 80 个字符。"))
    if code in seen:
        found.append(("code", f"与第{seen[code]}行重复。"))
    seen.setdefault(code, row["_row"])
    if code in known.other_district:
        found.append(("code", "该编码已被其他区县的事项使用。"))
    return found


def _choice_problems(row: Row, known: Known) -> list[tuple[str, str]]:
    found = []
    if row.get("item_type") and row["item_type"] not in known.types:
        found.append(
            (
                "item_type",
                f"“{row['item_type']}”不是有效的事项类型，应为：{'、'.join(ServiceItem.Type.labels)}。",
            )
        )
    if row.get("serving") and row["serving"] not in known.servings:
        found.append(("serving", f"“{row['serving']}”无效，应为：个人、法人 或 个人、法人。"))
    if row.get("level") and row["level"] not in known.levels:
        found.append(("level", f"“{row['level']}”无效，应为：{'、'.join(ServiceItem.Level.labels)}。"))
    if row.get("department") and row["department"] not in known.departments:
        found.append(("department", f"没有编码为“{row['department']}”的部门。"))
    return found


def _center_problems(row: Row, known: Known) -> list[tuple[str, str]]:
    """A branch only with an approved negative-list entry naming it (应进必进)."""
    center_code = row.get("center")
    if not center_code:
        return []
    center = known.centers.get(center_code)
    if center is None:
        return [("center", f"没有编码为“{center_code}”的中心。")]
    if center.status in (Center.Status.MERGED, Center.Status.CLOSED):
        return [("center", f"{center.name}已撤并或撤销，不能进驻。")]
    if center.kind == Center.Kind.DISTRICT:
        return []
    entry = known.entries.get(row.get("code", ""))
    if entry is None or entry.center_id != center.id:
        return [
            (
                "center",
                f"该事项未列入负面清单（或清单未批准在{center.name}办理），应进驻区政务服务中心。",
            )
        ]
    return []


def _parsed(row: Row, known: Known) -> dict[str, Any]:
    return {
        "item_type": known.types.get(row.get("item_type") or ""),
        "serving": known.servings.get(row.get("serving") or ""),
        "level": known.levels.get(row.get("level") or "") or ServiceItem.Level.COUNTY,
        "department": known.departments.get(row.get("department") or ""),
        "center": known.centers.get(row.get("center") or ""),
        "themes": [known.themes[t] for t in _split(row.get("themes", "")) if t in known.themes],
    }


def _split(text: str) -> list[str]:
    return [t for t in re.split(r"[、,，;；\s]+", text or "") if t]


Progress = Callable[[int, int], None]
CHUNK = 500
IMPORT_REASON = "导入事项库"


def import_catalog(
    *, by: User | None, district: District, data: bytes, progress: Progress | None = None
) -> dict[str, Any]:
    """Import (create or update by 实施编码) every row, or nothing at all.

    Fast for a whole district list: the file is checked against what was read
    once (codes, departments, centers, themes, the negative list); then the rows
    are written in chunks with their history (bulk_create_with_history /
    bulk_update_with_history), their themes and their search terms in bulk.
    `progress(done, total)` is told after every chunk of rows checked.
    Returns the counts and, per row, what happened ("rows")."""
    permissions.access_district(by, district, refused="只有区政务办可以导入事项库。")
    rows, problems = read_rows(data)
    if not problems:
        problems = check_rows(rows, district, progress=progress)
    if problems:
        raise ImportRejected(problems)
    outcome: list[list[Any]] = []
    with transaction.atomic():
        home = services.district_center_of(district)
        existing = {
            i.code: i for i in ServiceItem.objects.filter(district=district).select_for_update().order_by()
        }
        new_items: list[ServiceItem] = []
        changed: list[ServiceItem] = []
        unchanged = 0
        themes_of: dict[str, list[Theme]] = {}
        through = ServiceItem.themes.through
        themes_now = _themes_now(district)
        for row in rows:
            p = row["_parsed"]
            fields = {
                "catalog_code": row.get("catalog_code", "").strip(),
                "name": row["name"].strip(),
                "item_type": p["item_type"],
                "serving": p["serving"],
                "department": p["department"],
                "legal_basis": row.get("legal_basis", ""),
                "level": p["level"],
                "keywords": row.get("keywords", ""),
            }
            item = existing.get(row["code"])
            if item is None:
                item = ServiceItem(district=district, code=row["code"], center=p["center"] or home, **fields)
                new_items.append(item)
                outcome.append([row["_row"], row["code"], fields["name"], "新增"])
            else:
                before = _written(item)
                for key, value in fields.items():
                    setattr(item, key, value)
                item.is_active = True
                if p["center"] is not None:
                    item.center = p["center"]
                item.name_pinyin = name_sort_key(item.name)
                same_themes = themes_now.get(item.pk, set()) == {t.pk for t in p["themes"]}
                if _written(item) == before and same_themes:
                    unchanged += 1  # nothing to write, nothing to record
                    outcome.append([row["_row"], row["code"], fields["name"], "未变"])
                    continue
                changed.append(item)
                outcome.append([row["_row"], row["code"], fields["name"], "更新"])
            item.name_pinyin = name_sort_key(item.name)
            themes_of[row["code"]] = p["themes"]
        if new_items:
            _create_with_history(new_items, by=by)
        if changed:
            _update_with_history(changed, by=by)
        touched = [*new_items, *changed]
        for part in _chunks([i.pk for i in changed]):
            through.objects.filter(serviceitem_id__in=part).delete()
        through.objects.bulk_create(
            [through(serviceitem_id=i.pk, theme_id=t.pk) for i in touched for t in themes_of[i.code]],
            batch_size=CHUNK * 4,
        )
        services.items_reindex_bulk(items=touched)
        public_cache.changed()  # bulk writes send no signals
    return {"created": len(new_items), "updated": len(changed), "unchanged": unchanged, "rows": outcome}


# What a row of the workbook writes: the item's own fields, its hall and its sort key.
UPDATED_FIELDS = (*services.ITEM_FIELDS, "center", "name_pinyin")


def _written(item: ServiceItem) -> tuple[Any, ...]:
    """The values an import writes, to tell a changed row from an unchanged one."""
    return tuple(getattr(item, _field(f).attname) for f in UPDATED_FIELDS)


def _field(name: str) -> models.Field[Any, Any]:
    """A concrete column of ServiceItem (never a relation's reverse side)."""
    return cast(models.Field[Any, Any], ServiceItem._meta.get_field(name))


def _themes_now(district: District) -> dict[int, set[int]]:
    """The theme ids of each of the district's items, as stored."""
    found: dict[int, set[int]] = {}
    through = ServiceItem.themes.through
    for item_id, theme_id in through.objects.filter(serviceitem__district=district).values_list(
        "serviceitem_id", "theme_id"
    ):
        found.setdefault(item_id, set()).add(theme_id)
    return found


def _create_with_history(items: list[ServiceItem], *, by: User | None) -> None:
    bulk_create_with_history(
        items, ServiceItem, batch_size=CHUNK, default_user=by, default_change_reason=IMPORT_REASON
    )
    if any(i.pk is None for i in items):  # a backend that returns no ids
        ids = dict(ServiceItem.objects.filter(code__in=[i.code for i in items]).values_list("code", "id"))
        for i in items:
            i.pk = ids[i.code]


def _update_with_history(items: list[ServiceItem], *, by: User | None) -> None:
    """Write the imported fields of `items` with one prepared UPDATE run for every row
    (`executemany`), then their history rows in bulk. Django's `bulk_update` builds a
    CASE per field per row, which costs seconds of Python for a whole district's list."""
    meta = ServiceItem._meta
    now = timezone.now()
    for item in items:
        item.updated_at = now
    fields = [_field(f) for f in (*UPDATED_FIELDS, "updated_at")]
    qn = connection.ops.quote_name
    # Only the model's own table and column names, quoted; every value is a parameter.
    sql = (
        f"UPDATE {qn(meta.db_table)} SET "  # noqa: S608
        + ", ".join(f"{qn(str(f.column))} = %s" for f in fields)
        + f" WHERE {qn(meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        for part in _chunks(items):
            cursor.executemany(
                sql,
                [
                    [f.get_db_prep_save(getattr(i, f.attname), connection) for f in fields] + [i.pk]
                    for i in part
                ],
            )
    ServiceItem.history.bulk_history_create(
        items, batch_size=CHUNK, update=True, default_user=by, default_change_reason=IMPORT_REASON
    )


def _chunks(values: list[Any], size: int = CHUNK) -> list[list[Any]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def export_catalog(*, district: District) -> bytes:
    """The catalog in the import format, so an export can be edited and imported back."""
    qs = (
        ServiceItem.objects.filter(district=district, is_active=True)
        .select_related("department", "center")
        .prefetch_related("themes")
        .order_by("code")
    )
    rows = (
        [
            item.code,
            item.catalog_code,
            item.name,
            item.get_item_type_display(),
            item.get_serving_display(),
            item.department.code,
            item.center.code,
            item.get_level_display(),
            item.legal_basis,
            "、".join(t.name for t in item.themes.all()),
            item.keywords,
        ]
        for item in qs
    )
    return workbook_bytes(
        Sheet(
            title="事项清单",
            header=[label for _, label, _ in COLUMNS],
            rows=rows,
            widths=(28, 18, 40, 12, 10, 14, 12, 10, 40, 16, 20),
            freeze="A2",
        )
    )


def national_json(*, district: District) -> dict[str, Any]:
    """The national fields of every active item (GB/T 39554 style implementation list)."""
    qs = (
        ServiceItem.objects.filter(district=district, is_active=True)
        .select_related("department", "center", "current_guide")
        .order_by("code")
    )
    entries = {e.item_id: e for e in NegativeListEntry.objects.filter(is_active=True)}
    items = []
    for item in qs:
        g = item.current_guide
        e = entries.get(item.id)
        items.append(
            {
                "implementation_code": item.code,
                "catalog_code": item.catalog_code,
                "name": item.name,
                "item_type": item.get_item_type_display(),
                "serving_object": item.get_serving_display(),
                "implementing_department": item.department.name,
                "department_code": item.department.code,
                "exercising_level": item.get_level_display(),
                "legal_basis": item.legal_basis,
                "handling_center": item.center.name,
                "center_code": item.center.code,
                "negative_list_reason": e.get_reason_display() if e else None,
                "guide_version": g.version if g else None,
                "legal_time_limit_days": g.legal_days if g else None,
                "promised_time_limit_days": g.promised_days if g else None,
                "time_limit_unit": g.get_limit_unit_display() if g else None,
                "waiting_period": g.waiting_label if g else None,
                "visits": g.visits if g else None,
                "charged": (not g.no_fee) if g else None,
                "consult_phone": g.consult_phone if g else None,
                "complaint_phone": g.complaint_phone if g else None,
            }
        )
    return {"district": district.name, "district_code": district.code, "count": len(items), "items": items}


# --- catalog17: the import as a background task ---------------------------------------------


def import_start(*, by: User | None, district: District, data: bytes, file_name: str = "") -> CatalogImport:
    """Queue an import of `data`; the page follows it by polling the returned run."""
    from .tasks import catalog_import

    permissions.access_district(by, district, refused="只有区政务办可以导入事项库。")
    _check_package(data)
    run = CatalogImport.objects.create(district=district, by=by, file_name=file_name[:200], data=data)
    # Queued in the same transaction as the run (django-tasks-db): the worker sees both or neither.
    catalog_import.enqueue(run.pk)
    run.refresh_from_db()
    return run


def import_run(run_id: int) -> CatalogImport | None:
    """Run a queued import: rows checked are counted on the run as they go, then
    the rows are written; the run keeps the counts, each row's outcome or the problems."""
    run = CatalogImport.objects.filter(pk=run_id).select_related("district", "by").first()
    if run is None or run.finished:
        return run
    runs = CatalogImport.objects.filter(pk=run.pk)
    runs.update(status=CatalogImport.Status.CHECKING)

    def progress(done: int, total: int) -> None:
        status = CatalogImport.Status.WRITING if done == total else CatalogImport.Status.CHECKING
        runs.update(done=done, total=total, status=status)

    result: dict[str, Any] = {"data": b"", "finished_at": timezone.now()}
    try:
        counts = import_catalog(by=run.by, district=run.district, data=bytes(run.data), progress=progress)
    except ImportRejected as exc:
        result |= {
            "status": CatalogImport.Status.REJECTED,
            "message": exc.message,
            "problems": [str(p) for p in exc.problems[:1000]],
        }
    except DomainError as exc:
        result |= {"status": CatalogImport.Status.REJECTED, "message": exc.message}
    except Exception:
        log.exception("事项库导入 %s 出错", run.pk)
        result |= {
            "status": CatalogImport.Status.FAILED,
            "message": "导入时发生内部错误，没有导入任何事项，请联系管理员。",
        }
    else:
        result |= {
            "status": CatalogImport.Status.DONE,
            "created": counts["created"],
            "updated": counts["updated"],
            "rows": counts["rows"],
            "message": f"导入成功：新增 {counts['created']} 个事项，更新 {counts['updated']} 个事项。",
        }
    result["finished_at"] = timezone.now()
    runs.update(**result)
    run.refresh_from_db()
    return run


def import_runs_of(district: District) -> Any:
    return CatalogImport.objects.filter(district=district).defer("data", "rows", "problems")


def _check_package(data: bytes) -> None:
    """What is cheap to tell at once, before queueing: a zip (an .xlsx is one) whose
    unpacked size is bounded (a zip bomb is refused next to the field, never queued)."""
    import zipfile
    from io import BytesIO

    from govhall.core.xlsx import MAX_UNPACKED_BYTES

    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except zipfile.BadZipFile as exc:
        raise DomainError("无法读取该文件，请上传 Excel（.xlsx）格式的文件。", field="file") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise DomainError(
            f"文件解压后超过 {MAX_UNPACKED_BYTES // (1024 * 1024)} MB，请删去多余内容或分批上传。",
            field="file",
        )
