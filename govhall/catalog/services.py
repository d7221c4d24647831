"""The rules of the catalog: items, their versioned guides, stationing and the negative list.

* An editor (the district office, or the branch manager / department leader of
  the item's hall) drafts a guide; only the district office publishes it.
* A guide is published only when complete: materials, legal and promised time
  limits, a fee basis or "不收费", consultation and complaint phones.
* A published version is never changed: the next version supersedes it.
* Every item is stationed at the district center (应进必进) unless an approved
  negative-list entry sends it to a branch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from govhall.centers.models import Center, Department, District
from govhall.core.errors import DomainError, NotFound, Refused, WrongState
from govhall.core.history import delete_recorded, save_recorded

from . import permissions, search
from .models import (
    MAX_FOLLOW_DAYS,
    Fee,
    Guide,
    LimitUnit,
    Material,
    NegativeListEntry,
    SearchTerm,
    ServiceItem,
    Synonym,
    TermStat,
    Theme,
)
from .selectors import active_entry, guide_missing_fields, synonyms_forget

if TYPE_CHECKING:
    from govhall.accounts.models import User

GUIDE_FIELDS = (
    "conditions",
    "steps",
    "legal_days",
    "promised_days",
    "limit_unit",
    "waiting_name",
    "waiting_days",
    "waiting_unit",
    "collect_days",
    "parties",
    "visits",
    "no_fee",
    "place",
    "hours",
    "consult_phone",
    "complaint_phone",
    "online_url",
    "faq",
    "change_note",
    "commitment_allowed",
    "commitment_text",
)
ITEM_FIELDS = (
    "catalog_code",
    "name",
    "item_type",
    "serving",
    "department",
    "legal_basis",
    "level",
    "keywords",
    "is_active",
)
MATERIAL_FIELDS = (
    "name",
    "required",
    "form",
    "copies",
    "paper_size",
    "media",
    "source",
    "blank_form",
    "sample",
    "shared",
    "note",
    "may_follow",
    "follow_days",
    "replaced_by_commitment",
)
FEE_FIELDS = ("name", "standard", "basis", "reduction")
SYNONYM_WORD_MAX = 30  # Synonym.word's max_length
SYNONYM_EXPANSIONS_MAX = 200  # Synonym.expansions' max_length


# --- who may do what (the table is in permissions.py) ------------------------------------


def district_center_of(district: District) -> Center:
    center = permissions.district_center(district)
    if center is None:
        raise DomainError(f"{district.name}尚未登记区政务服务中心。", field="center")
    return center


def _require_admin(by: User | None, district: District, what: str) -> None:
    """The district office of `district` keeps its catalog."""
    permissions.access_district(by, district, refused=f"只有区政务办可以{what}。")


def _require_item_admin(by: User | None, item: ServiceItem, what: str) -> None:
    """The district office changes an item's list fields, hall, negative-list entry and guide versions."""
    permissions.access_item(by, item, action=permissions.KEEP, refused=f"只有区政务办可以{what}。")


def _require_editor(by: User | None, item: ServiceItem) -> None:
    """Drafting: the district office, or who runs the hall the item is stationed at."""
    permissions.access_item(by, item, action=permissions.DRAFT)


# --- items ------------------------------------------------------------------------------


@transaction.atomic
def item_create(
    *,
    by: User | None,
    district: District,
    code: str,
    name: str,
    item_type: str,
    department: Department,
    catalog_code: str = "",
    serving: str = ServiceItem.Serving.PERSON,
    legal_basis: str = "",
    level: str = ServiceItem.Level.COUNTY,
    keywords: str = "",
    themes: Sequence[Theme] = (),
    is_demo: bool = False,
) -> ServiceItem:
    """Add an item to the catalog. It is stationed at the district center (应进必进);
    sending it to a branch takes an approved negative-list entry and `item_station`."""
    _require_admin(by, district, "增加事项")
    code, name = (code or "").strip(), (name or "").strip()
    if not code:
        raise DomainError("请填写实施编码。", field="code")
    if not name:
        raise DomainError("请填写事项名称。", field="name")
    if ServiceItem.objects.filter(code=code).exists():
        raise DomainError(f"实施编码“{code}”已被使用。", field="code", code="duplicate")
    item = ServiceItem(
        district=district,
        code=code,
        catalog_code=catalog_code.strip(),
        name=name,
        item_type=item_type,
        serving=serving,
        department=department,
        center=district_center_of(district),
        legal_basis=legal_basis,
        level=level,
        keywords=keywords,
        is_demo=is_demo,
    )
    save_recorded(item, by=by, reason="增加事项")
    if themes:
        item.themes.set(themes)
    item_reindex(item=item)
    return item


@transaction.atomic
def item_update(
    *, by: User | None, item: ServiceItem, themes: Sequence[Theme] | None = None, **changes: Any
) -> ServiceItem:
    """Edit an item's list fields. Its hall changes only through `item_station`."""
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    _require_item_admin(by, item, "修改事项")  # on the row as locked: its hall decides
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise DomainError(f"不能修改：{'、'.join(sorted(unknown))}。", field=sorted(unknown)[0])
    for key, value in changes.items():
        setattr(item, key, value.strip() if isinstance(value, str) else value)
    if not item.name:
        raise DomainError("请填写事项名称。", field="name")
    save_recorded(item, by=by, reason="修改事项")
    if themes is not None:
        item.themes.set(themes)
    item_reindex(item=item)
    return item


@transaction.atomic
def item_station(*, by: User | None, item: ServiceItem, center: Center, reason: str = "") -> ServiceItem:
    """Station (进驻) `item` at `center`. The district center is always allowed;
    any other hall only with an approved negative-list entry naming it."""
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    _require_item_admin(by, item, "调整事项进驻")  # on the row as locked: its hall decides
    if center.district_id != item.district_id:
        raise DomainError("进驻中心必须属于本区县。", field="center")
    if center.kind != Center.Kind.DISTRICT:
        entry = active_entry(item)
        if entry is None:
            raise DomainError(
                f"“{item.name}”未列入负面清单，应进驻区政务服务中心（应进必进），不能进驻{center.name}。",
                field="center",
                code="not_on_negative_list",
            )
        if entry.center_id != center.id:
            raise DomainError(
                f"负面清单批准“{item.name}”在{entry.center.name}办理，不能进驻{center.name}。",
                field="center",
                code="not_on_negative_list",
            )
    if center.status in (Center.Status.MERGED, Center.Status.CLOSED):
        raise DomainError(f"{center.name}已撤并或撤销，不能进驻。", field="center")
    item.center = center
    save_recorded(item, by=by, reason=reason or f"进驻{center.name}")
    return item


# --- the negative list ------------------------------------------------------------------


@transaction.atomic
def negative_entry_create(
    *,
    by: User | None,
    item: ServiceItem,
    center: Center,
    reason: str,
    basis: str,
    approval: str,
    approved_on: date | None,
) -> NegativeListEntry:
    """Put `item` on the negative list: handled at branch `center`, for one of the
    notice's three reasons, with its basis and the approval that allowed it."""
    _require_item_admin(by, item, "登记负面清单")
    errors: dict[str, list[str]] = {}
    if reason not in NegativeListEntry.Reason.values:
        errors["reason"] = ["请选择不进驻理由：法律法规有明确规定、有特殊场地要求或涉及国家秘密。"]
    if not (basis or "").strip():
        errors["basis"] = ["请写明具体依据。"]
    if not (approval or "").strip():
        errors["approval"] = ["请填写批准文件。"]
    if approved_on is None:
        errors["approved_on"] = ["请填写批准日期。"]
    elif approved_on > timezone.localdate():
        errors["approved_on"] = ["批准日期不能晚于今天。"]
    if center.kind == Center.Kind.DISTRICT:
        errors["center"] = ["负面清单事项应在分中心办理，请选择分中心。"]
    elif center.district_id != item.district_id:
        errors["center"] = ["办理地点必须是本区县的分中心。"]
    if active_entry(item) is not None:
        errors["item"] = [f"“{item.name}”已在负面清单中。"]
    if errors or approved_on is None:  # (None is among the errors; the test also narrows its type)
        field = next(iter(errors))
        raise DomainError("；".join(m for ms in errors.values() for m in ms), field=field, errors=errors)
    entry = NegativeListEntry(
        item=item,
        center=center,
        reason=reason,
        basis=basis.strip(),
        approval=approval.strip(),
        approved_on=approved_on,
        created_by=by,
    )
    save_recorded(entry, by=by, reason="登记负面清单")
    return entry


@transaction.atomic
def negative_entry_revoke(
    *, by: User | None, entry: NegativeListEntry, reason: str = ""
) -> NegativeListEntry:
    """Take an item off the negative list; it must first be stationed back at the district center."""
    _require_item_admin(by, entry.item, "撤销负面清单")
    entry = NegativeListEntry.objects.select_for_update().get(pk=entry.pk)
    if not entry.is_active:
        raise WrongState("该负面清单条目已撤销。")
    if entry.item.center_id == entry.center_id:
        raise WrongState(f"“{entry.item.name}”仍在{entry.center.name}办理，请先将其进驻区政务服务中心。")
    entry.is_active, entry.revoked_at = False, timezone.now()
    save_recorded(entry, by=by, reason=reason or "撤销负面清单")
    return entry


# --- guides -----------------------------------------------------------------------------


@transaction.atomic
def guide_draft(*, by: User | None, item: ServiceItem, **fields: Any) -> Guide:
    """The item's open draft, or a new one: the next version, copied from the
    current published one (materials and fees included)."""
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    _require_editor(by, item)
    draft = item.guides.filter(status=Guide.Status.DRAFT).first()
    if draft is None:
        current = item.guides.published().first()
        last = item.guides.order_by("-version").values_list("version", flat=True).first() or 0
        draft = Guide(item=item, version=last + 1, drafted_by=by)
        if current:
            for name in GUIDE_FIELDS:
                setattr(draft, name, getattr(current, name))
            draft.change_note = ""
        save_recorded(draft, by=by, reason=f"起草第{draft.version}版")
        if current:
            for m in current.materials.all():
                save_recorded(
                    Material(guide=draft, **{f: getattr(m, f) for f in MATERIAL_FIELDS}, order=m.order),
                    by=by,
                    reason="沿用上一版材料",
                )
            for f in current.fees.all():
                save_recorded(
                    Fee(guide=draft, **{k: getattr(f, k) for k in FEE_FIELDS}), by=by, reason="沿用上一版收费"
                )
    if fields:
        draft = guide_update(by=by, guide=draft, **fields)
    return draft


def _require_draft(guide: Guide) -> None:
    if guide.status != Guide.Status.DRAFT:
        raise WrongState(
            f"指南第{guide.version}版已{guide.get_status_display()}，已发布的版本不能修改；请起草新版本。",
            code="published_guide_is_frozen",
        )


@transaction.atomic
def guide_update(*, by: User | None, guide: Guide, **fields: Any) -> Guide:
    """Change a draft. A published or superseded version is refused."""
    guide = Guide.objects.select_for_update().select_related("item").get(pk=guide.pk)
    _require_editor(by, guide.item)
    _require_draft(guide)
    unknown = set(fields) - set(GUIDE_FIELDS)
    if unknown:
        raise DomainError(f"指南没有这些内容：{'、'.join(sorted(unknown))}。", field=sorted(unknown)[0])
    for key, value in fields.items():
        setattr(guide, key, value.strip() if isinstance(value, str) else value)
    if not isinstance(guide.steps, list) or not all(isinstance(s, str) for s in guide.steps):
        raise DomainError("办理流程应为步骤列表。", field="steps")
    if not isinstance(guide.faq, list) or not all(isinstance(f, dict) and f.get("q") for f in guide.faq):
        raise DomainError("常见问题应为“问题、解答”列表。", field="faq")
    if (
        guide.legal_days is not None
        and guide.promised_days is not None
        and guide.promised_days > guide.legal_days
    ):
        raise DomainError("承诺办结时限不能长于法定办结时限。", field="promised_days")
    _check_limits(guide)
    save_recorded(guide, by=by, reason="修改指南草稿")
    return guide


def _check_limits(guide: Guide) -> None:
    """The kinds of the time limits, and a waiting period (等待期) that is whole."""
    if guide.limit_unit not in LimitUnit.values:
        raise DomainError("请选择时限计算单位：工作日、自然日或月。", field="limit_unit")
    if guide.waiting_unit not in LimitUnit.values:
        raise DomainError("请选择等待期的计算单位：工作日、自然日或月。", field="waiting_unit")
    if guide.parties not in (1, 2):
        raise DomainError("申请人应为一方申请或双方当事人共同申请。", field="parties")
    if guide.waiting_days and not guide.waiting_name:
        raise DomainError("请填写等待期的名称，如“离婚冷静期”。", field="waiting_name")
    if guide.collect_days and not guide.waiting_days:
        raise DomainError("只有设置了等待期，才有期满后到场申请的期限。", field="collect_days")


@transaction.atomic
def guide_set_materials(*, by: User | None, guide: Guide, materials: list[dict[str, Any]]) -> list[Material]:
    """Replace the materials of a draft."""
    guide = Guide.objects.select_for_update().select_related("item").get(pk=guide.pk)
    _require_editor(by, guide.item)
    _require_draft(guide)
    rows = []
    for i, data in enumerate(materials, start=1):
        unknown = set(data) - set(MATERIAL_FIELDS)
        if unknown or not (data.get("name") or "").strip():
            raise DomainError(
                f"第{i}项材料：请填写材料名称。"
                if not unknown
                else f"第{i}项材料：未知内容 {'、'.join(sorted(unknown))}。",
                field="materials",
            )
        if data.get("copies", 1) < 1:
            raise DomainError(f"第{i}项材料“{data['name']}”：份数至少为 1。", field="materials")
        _check_follow_and_commitment(i, data)
        rows.append(Material(guide=guide, order=i, **data))
    for old in guide.materials.all():
        delete_recorded(old, by=by, reason="设置申请材料")
    for m in rows:
        save_recorded(m, by=by, reason="设置申请材料")
    return rows


def _check_follow_and_commitment(i: int, data: dict[str, Any]) -> None:
    """容缺受理 and 告知承诺制 on one material: only a required material may follow
    (within 1–60 working days) or be replaced by the commitment, and not both."""
    name = data.get("name", "")
    may_follow, replaced = bool(data.get("may_follow")), bool(data.get("replaced_by_commitment"))
    if (may_follow or replaced) and not data.get("required", True):
        raise DomainError(f"第{i}项材料“{name}”不是必要材料，无需容缺受理或以承诺代替。", field="materials")
    if may_follow and replaced:
        raise DomainError(f"第{i}项材料“{name}”：容缺后补交与以告知承诺书代替只能选一种。", field="materials")
    if may_follow:
        days = data.get("follow_days")
        if days is None:
            data.pop("follow_days", None)  # the model's default
        elif not isinstance(days, int) or not 1 <= days <= MAX_FOLLOW_DAYS:
            raise DomainError(
                f"第{i}项材料“{name}”：容缺补交期限应为 1 至 {MAX_FOLLOW_DAYS} 个工作日。", field="materials"
            )


def guide_commitment_problem(guide: Guide) -> str:
    """Why `guide`'s 告知承诺制 settings do not hold together ("" when they do)."""
    replaced = [m.name for m in guide.materials.all() if m.replaced_by_commitment]
    if guide.commitment_allowed and not replaced:
        return "已选择实行告知承诺制，请在申请材料中标注可由告知承诺书代替的材料。"
    if replaced and not guide.commitment_allowed:
        return f"“{'、'.join(replaced)}”标注为可由告知承诺书代替，但指南未选择实行告知承诺制。"
    return ""


@transaction.atomic
def guide_set_fees(
    *, by: User | None, guide: Guide, fees: list[dict[str, Any]], no_fee: bool = False
) -> Guide:
    """Replace the fee items of a draft, or declare that the service is free."""
    guide = Guide.objects.select_for_update().select_related("item").get(pk=guide.pk)
    _require_editor(by, guide.item)
    _require_draft(guide)
    if no_fee and fees:
        raise DomainError("已选择“不收费”，请不要再填写收费项目。", field="fees")
    for i, data in enumerate(fees, start=1):
        for key, label in (("name", "收费项目"), ("standard", "收费标准"), ("basis", "收费依据")):
            if not (data.get(key) or "").strip():
                raise DomainError(f"第{i}项收费：请填写{label}。", field="fees")
    for old in guide.fees.all():
        delete_recorded(old, by=by, reason="设置收费")
    for data in fees:
        save_recorded(Fee(guide=guide, **{k: data.get(k, "") for k in FEE_FIELDS}), by=by, reason="设置收费")
    guide.no_fee = no_fee
    save_recorded(guide, by=by, reason="设置收费")
    return guide


@transaction.atomic
def guide_save_draft(
    *,
    by: User | None,
    item: ServiceItem,
    fields: dict[str, Any],
    materials: list[dict[str, Any]],
    fees: list[dict[str, Any]],
    no_fee: bool,
) -> Guide:
    """Save a whole draft at once (the staff page's form): its fields, materials
    and fees. All or nothing: a refused part leaves the draft as it was."""
    draft = guide_draft(by=by, item=item, **fields)
    guide_set_materials(by=by, guide=draft, materials=materials)
    return guide_set_fees(by=by, guide=draft, fees=fees, no_fee=no_fee)


@transaction.atomic
def guide_draft_change(
    *, by: User | None, item: ServiceItem, materials: list[dict[str, Any]] | None = None, **fields: Any
) -> Guide:
    """Change the item's draft (made from the current version if there is none):
    some of its fields and, when given, its whole material list. All or nothing."""
    draft = guide_draft(by=by, item=item, **fields)
    if materials is not None:
        guide_set_materials(by=by, guide=draft, materials=materials)
    return draft


@transaction.atomic
def guide_publish(*, by: User | None, guide: Guide) -> Guide:
    """Publish a complete draft; the version it replaces becomes superseded. An
    incomplete draft is refused naming each missing element at its field."""
    _require_item_admin(by, guide.item, "发布办事指南")
    item = ServiceItem.objects.select_for_update().get(pk=guide.item_id)
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    _require_draft(guide)
    missing = guide_missing_fields(guide)
    if missing:
        raise DomainError(
            f"指南缺少必备要素，不能发布：{'、'.join(missing.values())}。",
            field=next(iter(missing)),
            code="guide_incomplete",
            errors={name: [f"缺少{label}"] for name, label in missing.items()},
        )
    if problem := guide_commitment_problem(guide):
        raise DomainError(problem, field="commitment_allowed", code="commitment_inconsistent")
    now = timezone.now()
    for old in Guide.objects.select_for_update().filter(item_id=item.pk, status=Guide.Status.PUBLISHED):
        old.status, old.superseded_at = Guide.Status.SUPERSEDED, now
        # validate=False, reason (b): only the status (published → superseded) and its time change.
        save_recorded(old, by=by, reason=f"被第{guide.version}版替代", validate=False)
    guide.status, guide.published_at, guide.published_by = Guide.Status.PUBLISHED, now, by
    save_recorded(guide, by=by, reason=f"发布第{guide.version}版")
    item.current_guide = guide
    # validate=False, reason (b): only the denormalised pointer to the current version changes.
    save_recorded(item, by=by, reason=f"现行指南改为第{guide.version}版", validate=False)
    item_reindex(item=item)
    return guide


# --- search index and synonyms ------------------------------------------------------------


def item_body(item: ServiceItem) -> str:
    parts = [item.department.name, item.get_item_type_display()]
    guide = item.current_guide
    if guide is not None:
        parts.append(guide.conditions)
        parts += [m.name for m in guide.materials.all()]
    return " ".join(parts)


def item_reindex(*, item: ServiceItem) -> int:
    """Rebuild `item`'s search terms (an inactive item has none) and the term
    counts the search planner reads. Returns the count."""
    old = set(SearchTerm.objects.filter(item=item).values_list("term", flat=True))
    SearchTerm.objects.filter(item=item).delete()
    weighted = {}
    if item.is_active:
        weighted = search.item_terms(
            name=item.name,
            keywords=item.keywords,
            themes=[t.name for t in item.themes.all()],
            body=item_body(item),
        )
        SearchTerm.objects.bulk_create([SearchTerm(item=item, term=t, weight=w) for t, w in weighted.items()])
    _term_stats_adjust(added=set(weighted) - old, removed=old - set(weighted))
    return len(weighted)


BULK_CHUNK = 500


def items_reindex_bulk(*, items: Sequence[ServiceItem]) -> int:
    """`item_reindex` for many items at once (an import): their old terms read and
    deleted, the new ones inserted and the term counts moved, each in a few
    statements per chunk. Returns the number of terms written."""
    if not items:
        return 0
    ids = [i.pk for i in items]
    chunks = [ids[n : n + BULK_CHUNK] for n in range(0, len(ids), BULK_CHUNK)]
    through = ServiceItem.themes.through
    theme_names: dict[int, list[str]] = {}
    old: dict[str, int] = {}
    for part in chunks:
        for item_id, name in through.objects.filter(serviceitem_id__in=part).values_list(
            "serviceitem_id", "theme__name"
        ):
            theme_names.setdefault(item_id, []).append(name)
        for term in SearchTerm.objects.filter(item_id__in=part).values_list("term", flat=True):
            old[term] = old.get(term, 0) + 1
        SearchTerm.objects.filter(item_id__in=part).delete()
    guide_ids = [i.current_guide_id for i in items if i.current_guide_id]
    guides = {
        g.pk: g
        for n in range(0, len(guide_ids), BULK_CHUNK)
        for g in Guide.objects.filter(pk__in=guide_ids[n : n + BULK_CHUNK]).prefetch_related("materials")
    }
    new: dict[str, int] = {}
    rows: list[tuple[int, str, int]] = []
    for item in items:
        if not item.is_active:
            continue
        parts = [item.department.name, item.get_item_type_display()]
        guide = guides.get(item.current_guide_id) if item.current_guide_id else None
        if guide is not None:
            parts.append(guide.conditions)
            parts += [m.name for m in guide.materials.all()]
        weighted = search.item_terms(
            name=item.name, keywords=item.keywords, themes=theme_names.get(item.pk, []), body=" ".join(parts)
        )
        rows += [(item.pk, t, w) for t, w in weighted.items()]
        for t in weighted:
            new[t] = new.get(t, 0) + 1
    delta = {t: new.get(t, 0) - old.get(t, 0) for t in set(new) | set(old)}
    table = TermStat._meta.db_table
    with connection.cursor() as cur:
        _terms_insert(cur, rows)
        up = sorted((t, d) for t, d in delta.items() if d > 0)
        down = sorted((t, -d) for t, d in delta.items() if d < 0)
        if up:
            cur.executemany(
                f"INSERT INTO {table} (term, items) VALUES (%s, %s) "
                f"ON CONFLICT (term) DO UPDATE SET items = {table}.items + excluded.items",
                up,
            )
        if down:
            cur.executemany(
                f"UPDATE {table} SET items = CASE WHEN items > %s THEN items - %s ELSE 0 END WHERE term = %s",
                [(d, d, t) for t, d in down],
            )
    return len(rows)


def _terms_insert(cur: Any, rows: list[tuple[int, str, int]]) -> None:
    """~90 terms an item: plain rows, without a model instance each. PostgreSQL takes them
    by COPY (one stream instead of a statement per row: an import of 5,000 items writes
    ~480,000); SQLite, in process, by one prepared INSERT run for every row."""
    table = SearchTerm._meta.db_table
    if connection.vendor == "postgresql":
        with cur.cursor.copy(f"COPY {table} (item_id, term, weight) FROM STDIN") as copy:  # noqa: S608
            for row in rows:
                copy.write_row(row)
    else:
        cur.executemany(f"INSERT INTO {table} (item_id, term, weight) VALUES (%s, %s, %s)", rows)  # noqa: S608


def _term_stats_adjust(*, added: set[str], removed: set[str]) -> None:
    # Sorted, so that two items reindexed at once lock shared rows in the same order.
    table = TermStat._meta.db_table
    with connection.cursor() as cur:
        if added:
            cur.executemany(
                f"INSERT INTO {table} (term, items) VALUES (%s, 1) "
                f"ON CONFLICT (term) DO UPDATE SET items = {table}.items + 1",
                [(t,) for t in sorted(added)],
            )
        if removed:
            cur.executemany(
                f"UPDATE {table} SET items = items - 1 WHERE term = %s AND items > 0",
                [(t,) for t in sorted(removed)],
            )


def _require_synonym_keeper(by: User | None, district: District | None) -> None:
    if by is not None and not by.is_superuser and district is None:
        raise Refused("只有区政务办可以维护检索同义词。")
    if district is not None:
        _require_admin(by, district, "维护检索同义词")


def _synonyms_changed() -> None:
    # Now for this process, and again after commit for a reader that cached the old map meanwhile.
    synonyms_forget()
    transaction.on_commit(synonyms_forget)


@transaction.atomic
def synonym_set(
    *,
    by: User | None,
    word: str,
    expansions: str,
    district: District | None = None,
    synonym: Synonym | None = None,
) -> Synonym:
    """Add or change a search synonym (社保 → 社会保险、社会保障). With `synonym`,
    that entry is edited (its word may change); otherwise the word's entry is
    created or replaced. Synonyms expand queries, so no item needs reindexing."""
    _require_synonym_keeper(by, district)
    word = search.normalise(word)
    if not word:
        raise DomainError("请填写检索词。", field="word")
    if len(word) > SYNONYM_WORD_MAX:
        raise DomainError("检索词最多 30 个字。", field="word")
    if len(expansions or "") > SYNONYM_EXPANSIONS_MAX:
        raise DomainError("同义词最多 200 个字。", field="expansions")
    same_word = Synonym.objects.filter(word=word).first()
    if synonym is not None:
        syn = Synonym.objects.select_for_update().get(pk=synonym.pk)
        if same_word is not None and same_word.pk != syn.pk:
            raise DomainError(f"检索词“{word}”已有同义词，请直接修改那一条。", field="word", code="duplicate")
        syn.word = word
    else:
        syn = same_word or Synonym(word=word)
    syn.expansions = (expansions or "").strip()
    if not syn.expansion_list:
        raise DomainError("请至少填写一个同义词。", field="expansions")
    save_recorded(syn, by=by, reason="维护检索同义词")
    _synonyms_changed()
    return syn


@transaction.atomic
def synonym_delete(*, by: User | None, synonym: Synonym, district: District | None = None) -> None:
    """Remove a search synonym."""
    _require_synonym_keeper(by, district)
    syn = Synonym.objects.filter(pk=synonym.pk).first()
    if syn is None:
        raise NotFound("没有找到该同义词。")
    delete_recorded(syn, by=by, reason="删除检索同义词")
    _synonyms_changed()


@transaction.atomic
def theme_ensure(*, code: str, name: str, order: int = 100) -> Theme:
    theme = Theme.objects.filter(code=code).first()
    if theme is None:
        theme = Theme(code=code, name=name, order=order)
        save_recorded(theme, by=None, reason="增加主题")
    return theme
