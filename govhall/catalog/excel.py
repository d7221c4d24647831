"""The catalog in Excel (import and export, one format) and the national fields as JSON.

Import is all-or-nothing: every row is checked first and every problem is
reported by row and column in plain Chinese; if there is any, nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction

from govhall.centers.models import Center, Department, District
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
from .models import NegativeListEntry, ServiceItem, Theme

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


def check_rows(rows: list[Row], district: District) -> list[Problem]:
    """Every problem of every row, in order; each row also gets its typed values (`_parsed`)."""
    known = Known.of(district)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for row in rows:
        problems += [Problem(row["_row"], LABELS[key], text) for key, text in _row_problems(row, known, seen)]
        row["_parsed"] = _parsed(row, known)
    return problems


def _row_problems(row: Row, known: Known, seen: dict[str, int]) -> list[tuple[str, str]]:
    found = [(key, "必填，不能为空。") for key, _, required in COLUMNS if required and not row.get(key)]
    found += _code_problems(row, known, seen)
    if len(row.get("name", "")) > 200:
        found.append(("name", "不能超过 200 个字符。"))
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


def import_catalog(*, by: User | None, district: District, data: bytes) -> dict[str, int]:
    """Import (create or update by 实施编码) every row, or nothing at all."""
    permissions.access_district(by, district, refused="只有区政务办可以导入事项库。")
    rows, problems = read_rows(data)
    if not problems:
        problems = check_rows(rows, district)
    if problems:
        raise ImportRejected(problems)
    counts = {"created": 0, "updated": 0}
    with transaction.atomic():
        for row in rows:
            p = row["_parsed"]
            fields = {
                "catalog_code": row.get("catalog_code", ""),
                "name": row["name"],
                "item_type": p["item_type"],
                "serving": p["serving"],
                "department": p["department"],
                "legal_basis": row.get("legal_basis", ""),
                "level": p["level"],
                "keywords": row.get("keywords", ""),
            }
            item = ServiceItem.objects.filter(code=row["code"]).first()
            try:
                if item is None:
                    item = services.item_create(
                        by=by, district=district, code=row["code"], themes=p["themes"], **fields
                    )
                    counts["created"] += 1
                else:
                    item = services.item_update(
                        by=by, item=item, themes=p["themes"], is_active=True, **fields
                    )
                    counts["updated"] += 1
                if p["center"] is not None and item.center_id != p["center"].id:
                    services.item_station(by=by, item=item, center=p["center"], reason="导入事项库")
            except DomainError as exc:
                # Raising inside the atomic block rolls back every row already written.
                raise ImportRejected([Problem(row["_row"], "（本行）", exc.message)]) from exc
    return counts


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
