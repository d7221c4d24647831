"""Catalog API (public, no login): items with search and browse filters, their
current and past guide versions, and the negative list. The same selectors as
the public pages; the national fields as GB/T 39554 names them."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Query, Router, Schema

from govhall.accounts.api import READ_ERRORS, WRITE_ERRORS, error_responses
from govhall.core.errors import NotFound
from govhall.core.paging import limit_field, offset_field

from . import permissions, selectors, services
from .extensions import item_places, satisfaction_of
from .models import DEFAULT_FOLLOW_DAYS, Guide, Material, NegativeListEntry, ServiceItem, Theme

router = Router(tags=["catalog"])

PUBLIC_READ = error_responses(404, 422)


class RefOut(Schema):
    code: str
    name: str


class ThemeOut(Schema):
    code: str
    name: str


class ItemOut(Schema):
    """One line of the implementation list (实施清单)."""

    code: str = Field(..., description="实施编码")
    catalog_code: str = Field(..., description="基本目录编码")
    name: str = Field(..., description="事项名称")
    item_type: str = Field(..., description="事项类型代码")
    item_type_label: str = Field(..., description="事项类型，如 行政许可")
    serving: str = Field(..., description="person / legal / both")
    serving_label: str = Field(..., description="服务对象：个人、法人")
    department: RefOut = Field(..., description="实施部门")
    center: RefOut = Field(..., description="进驻中心")
    level: str
    level_label: str = Field(..., description="行使层级")
    themes: list[ThemeOut]
    guide_version: int | None = Field(None, description="现行指南版本号")
    url: str = Field(..., description="公开指南页面")


def _current_version(item: ServiceItem) -> int | None:
    guide = item.current_guide if item.current_guide_id else None
    return guide.version if guide is not None else None


def item_out(item: ServiceItem) -> dict:
    return {
        "code": item.code,
        "catalog_code": item.catalog_code,
        "name": item.name,
        "item_type": item.item_type,
        "item_type_label": item.get_item_type_display(),
        "serving": item.serving,
        "serving_label": item.get_serving_display(),
        "department": {"code": item.department.code, "name": item.department.name},
        "center": {"code": item.center.code, "name": item.center.name},
        "level": item.level,
        "level_label": item.get_level_display(),
        "themes": [{"code": t.code, "name": t.name} for t in item.themes.all()],
        "guide_version": _current_version(item),
        "url": f"/items/{item.code}/",
    }


class ItemPageOut(Schema):
    count: int = Field(..., description="结果总数（搜索时最多 500）")
    capped: bool = Field(False, description="搜索结果超过 500 项，仅返回前 500 项")
    items: list[ItemOut]


class NegativeEntryOut(Schema):
    item: RefOut
    center: RefOut = Field(..., description="办理地点（分中心）")
    reason: str = Field(..., description="law / site / secret")
    reason_label: str
    basis: str = Field(..., description="具体依据")
    approval: str = Field(..., description="批准文件")
    approved_on: date


def entry_out(e: NegativeListEntry) -> dict:
    return {
        "item": {"code": e.item.code, "name": e.item.name},
        "center": {"code": e.center.code, "name": e.center.name},
        "reason": e.reason,
        "reason_label": e.get_reason_display(),
        "basis": e.basis,
        "approval": e.approval,
        "approved_on": e.approved_on,
    }


class SatisfactionOut(Schema):
    rate: float | None = Field(None, description="满意率（%，基本满意及以上）；无评价时为空")
    count: int = Field(..., description="评价条数")
    months: int = Field(..., description="统计的月数（近 N 个月）")
    text: str = Field(..., description="如“满意度 96.3%（近 12 个月 87 条评价）”或“暂无评价”")


class ItemDetailOut(ItemOut):
    legal_basis: str = Field(..., description="设定依据")
    negative_list: NegativeEntryOut | None = Field(None, description="不进驻区中心的理由（负面清单）")
    satisfaction: SatisfactionOut | None = Field(None, description="好差评满意度（近 12 个月）")


class MaterialOut(Schema):
    id: int = Field(..., description="材料 id：收件（paper_material_ids）和一次性告知（material_id）用它")
    name: str
    required: bool
    form: str
    form_label: str
    copies: int
    paper_size: str
    media: str
    source: str
    shared: bool = Field(..., description="免提交：可通过数据共享获取")
    may_follow: bool = Field(..., description="容缺受理：可先受理，受理后在 follow_days 个工作日内补交")
    follow_days: int = Field(..., description="容缺补交期限（受理后的工作日数）")
    replaced_by_commitment: bool = Field(..., description="告知承诺制：申请人签署告知承诺书的，可免交")
    acceptance_note: str = Field(..., description="公开说明，如“可容缺受理，受理后 5 个工作日内补交”")
    blank_form: str | None
    sample: str | None
    note: str


class FeeOut(Schema):
    name: str
    standard: str
    basis: str
    reduction: str


class FaqOut(Schema):
    q: str
    a: str = ""


class WindowOut(Schema):
    number: int = Field(..., description="窗口号")
    name: str = Field(..., description="窗口名称")


class QueueOut(Schema):
    letter: str = Field(..., description="取号字头")
    name: str = Field(..., description="队列名称")
    windows: list[WindowOut] = Field(..., description="为该事项叫此队列的窗口")
    bookable: bool = Field(False, description="该队列今天起有网上预约时段（可预约）")


class PlaceOut(Schema):
    center: RefOut = Field(..., description="办理大厅")
    queues: list[QueueOut] = Field(..., description="覆盖该事项的队列；为空时请到综合窗口或咨询服务台")
    text: str = Field(
        ..., description="如：…婚姻登记分中心：取A字头号（结婚登记），到1号窗口（结婚登记窗口）办理"
    )


class GuideVersionOut(Schema):
    version: int
    status: str = Field(..., description="published 现行 / superseded 已被替代")
    published_at: datetime | None
    superseded_at: datetime | None
    change_note: str


class GuideOut(GuideVersionOut):
    item: RefOut
    conditions: str
    steps: list[str]
    legal_days: int | None = Field(None, description="法定办结时限（单位见 limit_unit）")
    promised_days: int | None = Field(None, description="承诺办结时限（单位见 limit_unit）")
    limit_unit: Literal["workday", "day", "month"] = Field(
        "workday", description="时限计算单位：workday 工作日、day 自然日、month 月"
    )
    legal_label: str = Field("", description="如“20 个工作日”“30 日（自然日）”“3 个月”")
    promised_label: str = ""
    waiting_name: str = Field("", description="等待期名称，如“离婚冷静期”（等待期不是办结时限）")
    waiting_days: int | None = Field(None, description="等待期，自收到申请之日起计算")
    waiting_unit: Literal["workday", "day", "month"] = "day"
    collect_days: int | None = Field(None, description="等待期满后到场申请期限（自然日），逾期视为撤回申请")
    waiting_label: str = ""
    parties: int = Field(1, description="1 一方申请；2 双方当事人共同申请（如结婚、离婚登记）")
    visits: int | None
    no_fee: bool
    fees: list[FeeOut]
    materials: list[MaterialOut]
    place: str
    windows: str = Field(..., description="办理窗口：由各大厅的队列与窗口登记生成，每个大厅一行")
    places: list[PlaceOut] = Field(..., description="办理窗口（结构化）：各大厅的队列与窗口")
    hours: str
    consult_phone: str
    complaint_phone: str
    online_url: str
    faq: list[FaqOut]
    commitment_allowed: bool = Field(..., description="实行告知承诺制")
    commitment_text: str = Field(..., description="告知承诺书内容（空：标准文本）")
    satisfaction: SatisfactionOut | None = Field(None, description="好差评满意度（近 12 个月；仅现行指南）")


def _material_out(m: Material) -> dict:
    return {
        "id": m.id,
        "name": m.name,
        "required": m.required,
        "form": m.form,
        "form_label": m.get_form_display(),
        "copies": m.copies,
        "paper_size": m.paper_size,
        "media": m.media,
        "source": m.source,
        "shared": m.shared,
        "may_follow": m.may_follow,
        "follow_days": m.follow_days,
        "replaced_by_commitment": m.replaced_by_commitment,
        "acceptance_note": m.acceptance_note,
        "blank_form": m.blank_form.url if m.blank_form else None,
        "sample": m.sample.url if m.sample else None,
        "note": m.note,
    }


def guide_out(g: Guide) -> dict:
    places = item_places(g.item)
    return {
        "version": g.version,
        "status": g.status,
        "published_at": g.published_at,
        "superseded_at": g.superseded_at,
        "change_note": g.change_note,
        "item": {"code": g.item.code, "name": g.item.name},
        "conditions": g.conditions,
        "steps": g.steps,
        "legal_days": g.legal_days,
        "promised_days": g.promised_days,
        "limit_unit": g.limit_unit,
        "legal_label": g.legal_label,
        "promised_label": g.promised_label,
        "waiting_name": g.waiting_name,
        "waiting_days": g.waiting_days,
        "waiting_unit": g.waiting_unit,
        "collect_days": g.collect_days,
        "waiting_label": g.waiting_label,
        "parties": g.parties,
        "visits": g.visits,
        "no_fee": g.no_fee,
        "fees": [
            {"name": f.name, "standard": f.standard, "basis": f.basis, "reduction": f.reduction}
            for f in g.fees.all()
        ],
        "materials": [_material_out(m) for m in g.materials.all()],
        "place": g.place,
        "windows": "\n".join(place.text for place in places),
        "places": [
            {
                "center": {"code": place.center_code, "name": place.center_name},
                "queues": [
                    {
                        "letter": q.letter,
                        "name": q.name,
                        "windows": [{"number": w.number, "name": w.name} for w in q.windows],
                        "bookable": q.bookable,
                    }
                    for q in place.queues
                ],
                "text": place.text,
            }
            for place in places
        ],
        "hours": g.hours,
        "consult_phone": g.consult_phone,
        "complaint_phone": g.complaint_phone,
        "online_url": g.online_url,
        "faq": [{"q": f.get("q", ""), "a": f.get("a", "")} for f in g.faq],
        "commitment_allowed": g.commitment_allowed,
        "commitment_text": g.commitment_text,
    }


class ItemFilters(Schema):
    q: str = Field("", max_length=40, description="搜索：中文、全拼（hunyin）、首字母（hydj）或混合输入")
    center: str = Field("", max_length=30, description="进驻中心编码，如 HC-MZ")
    department: str = Field("", max_length=30, description="实施部门编码，如 CIVIL")
    serving: str = Field("", pattern="^(|person|legal|both)$", description="服务对象")
    theme: str = Field("", max_length=30, description="主题编码")
    item_type: str = Field("", max_length=20, description="事项类型代码")
    limit: int = limit_field(20)
    offset: int = offset_field()


def _item_or_404(code: str) -> ServiceItem:
    item = selectors.item_get(code)
    if item is None:
        raise NotFound("没有找到该事项。")
    return item


@router.get(
    "/items",
    auth=None,
    tags=["public"],
    response={200: ItemPageOut, **PUBLIC_READ},
    summary="事项列表与搜索",
    operation_id="catalog_items",
)
def items(request, filters: Query[ItemFilters]):
    base = selectors.items_filtered(
        center=filters.center,
        department=filters.department,
        serving=filters.serving,
        theme=filters.theme,
        item_type=filters.item_type,
    )
    if filters.q.strip():
        scope = selectors.items_search_scope(
            center=filters.center,
            department=filters.department,
            serving=filters.serving,
            theme=filters.theme,
            item_type=filters.item_type,
        )
        result, found = selectors.search_items(
            filters.q, base=scope, offset=filters.offset, limit=filters.limit
        )
        return {"count": result.total, "capped": result.capped, "items": [item_out(i) for i in found]}
    qs = base.order_by("center__kind", "name_pinyin", "code")
    page = qs[filters.offset : filters.offset + filters.limit]
    return {"count": qs.count(), "capped": False, "items": [item_out(i) for i in page]}


@router.get(
    "/items/{code}",
    auth=None,
    tags=["public"],
    response={200: ItemDetailOut, **PUBLIC_READ},
    summary="事项详情",
    operation_id="catalog_item",
)
def item_detail(request, code: str):
    item = _item_or_404(code)
    entry = selectors.negative_list().filter(item=item).first()
    return {
        **item_out(item),
        "legal_basis": item.legal_basis,
        "negative_list": entry_out(entry) if entry else None,
        "satisfaction": _satisfaction_out(item),
    }


def _satisfaction_out(item: ServiceItem) -> dict | None:
    got = satisfaction_of(item)
    if got is None:
        return None
    return {"rate": got.rate, "count": got.count, "months": got.months, "text": got.text}


@router.get(
    "/items/{code}/guide",
    auth=None,
    tags=["public"],
    response={200: GuideOut, **PUBLIC_READ},
    summary="现行办事指南",
    operation_id="catalog_item_guide",
)
def item_guide(request, code: str):
    item = _item_or_404(code)
    guide = selectors.guide_current(item)
    if guide is None:
        raise NotFound("该事项尚未发布办事指南。")
    return {**guide_out(guide), "satisfaction": _satisfaction_out(item)}


@router.get(
    "/items/{code}/guides",
    auth=None,
    tags=["public"],
    response={200: list[GuideVersionOut], **PUBLIC_READ},
    summary="办事指南的历次版本",
    operation_id="catalog_item_guide_versions",
)
def item_guide_versions(request, code: str):
    return list(selectors.guide_versions(_item_or_404(code)))


@router.get(
    "/items/{code}/guides/{version}",
    auth=None,
    tags=["public"],
    response={200: GuideOut, **PUBLIC_READ},
    summary="办事指南的某一版本",
    operation_id="catalog_item_guide_version",
)
def item_guide_version(request, code: str, version: int):
    guide = selectors.guide_version_get(_item_or_404(code), version)
    if guide is None:
        raise NotFound("没有该版本的办事指南。")
    return guide_out(guide)


@router.get(
    "/negative-list",
    auth=None,
    tags=["public"],
    response={200: list[NegativeEntryOut], **PUBLIC_READ},
    summary="负面清单（不进驻区政务服务中心的事项及理由）",
    operation_id="catalog_negative_list",
)
def negative_list(request, center: str = Query("", max_length=30, description="分中心编码")):
    qs = selectors.negative_list()
    if center:
        qs = qs.filter(center__code=center)
    return [entry_out(e) for e in qs]


@router.get(
    "/themes",
    auth=None,
    tags=["public"],
    response={200: list[ThemeOut], **PUBLIC_READ},
    summary="事项主题",
    operation_id="catalog_themes",
)
def themes(request):
    return list(Theme.objects.all())


# --- staff: the guide's draft (materials, 容缺受理, 告知承诺制) --------------------------------------


class MaterialIn(Schema):
    name: str = Field(..., max_length=200)
    required: bool = True
    form: Material.Form = Material.Form.ORIGINAL
    copies: int = Field(1, ge=1, le=99)
    source: str = Field("", max_length=100)
    shared: bool = Field(False, description="免提交：可通过数据共享获取")
    may_follow: bool = Field(
        False, description="容缺受理：可先受理、在 follow_days 个工作日内补交（仅必要材料）"
    )
    follow_days: int = Field(DEFAULT_FOLLOW_DAYS, description="容缺补交期限：受理后 1–60 个工作日")
    replaced_by_commitment: bool = Field(
        False, description="告知承诺制：签署告知承诺书的可免交（仅必要材料）"
    )
    note: str = Field("", max_length=200)


class GuideDraftIn(Schema):
    """What a department sets on the item's guide draft (made from the current version if there is none)."""

    commitment_allowed: bool | None = Field(None, description="实行告知承诺制")
    commitment_text: str | None = Field(None, description="告知承诺书内容（空：标准文本）")
    materials: list[MaterialIn] | None = Field(None, description="申请材料（整体替换；不填则不变）")


def _staff_item(code: str) -> ServiceItem:
    item = ServiceItem.objects.select_related("center", "district").filter(code=code).first()
    if item is None:
        raise NotFound("没有找到该事项。")
    return item


def _draft_of(item: ServiceItem) -> Guide:
    draft = selectors.guide_draft_of(item)
    if draft is None:
        raise NotFound("该事项没有待发布的指南草稿。")
    return draft


@router.put(
    "/items/{code}/guide/draft",
    response={200: GuideOut, **WRITE_ERRORS},
    summary="修改办事指南草稿：申请材料、容缺受理、告知承诺制（区政务办或事项所在分中心）",
    operation_id="catalog_guide_draft_set",
)
def guide_draft_set(request, code: str, data: GuideDraftIn):
    fields = {k: v for k, v in data.dict(exclude={"materials"}).items() if v is not None}
    item = _staff_item(code)
    materials = None if data.materials is None else [m.dict() for m in data.materials]
    draft = services.guide_draft_change(by=request.user, item=item, materials=materials, **fields)
    draft.refresh_from_db()
    return guide_out(draft)


@router.get(
    "/items/{code}/guide/draft",
    response={200: GuideOut, **READ_ERRORS},
    summary="办事指南草稿（可编辑者）",
    operation_id="catalog_guide_draft_get",
)
def guide_draft_get(request, code: str):
    item = _staff_item(code)
    permissions.access_item(request.user, item, action=permissions.DRAFT)
    return guide_out(_draft_of(item))


@router.post(
    "/items/{code}/guide/draft/publish",
    response={200: GuideOut, **WRITE_ERRORS},
    summary="发布办事指南草稿（区政务办）",
    operation_id="catalog_guide_draft_publish",
)
def guide_draft_publish(request, code: str):
    item = _staff_item(code)
    permissions.access_item(
        request.user, item, action=permissions.KEEP, refused="只有区政务办可以发布办事指南。"
    )
    return guide_out(services.guide_publish(by=request.user, guide=_draft_of(item)))


# --- catalog17: the staff catalog (the district office), searched, filtered, sorted, paged ---


class StaffItemFilters(Schema):
    q: str = Field("", max_length=40, description="名称、全拼、首字母或编码")
    department: str = Field("", max_length=30, description="实施部门编码")
    item_type: str = Field("", max_length=20, description="事项类型代码")
    center: str = Field("", max_length=30, description="进驻中心编码")
    status: Literal["", "active", "inactive", "incomplete", "complete", "draft"] = Field(
        "", description="在用、停用、指南缺要素、指南齐全、有待发布草稿"
    )
    sort: Literal["", "name", "-name", "code", "-code", "department", "center", "updated"] = Field(
        "", description="排序；不填时有查询词按相关度，否则按名称拼音"
    )
    limit: int = limit_field(50)
    offset: int = offset_field()


class StaffItemOut(ItemOut):
    id: int
    is_active: bool = Field(..., description="在用")
    missing: list[str] = Field(..., description="现行指南缺少的必备要素")
    draft_version: int | None = Field(None, description="待发布草稿的版本号")


class StaffItemPageOut(Schema):
    count: int
    incomplete: int = Field(..., description="在用事项中指南缺要素的个数")
    items: list[StaffItemOut]


@router.get(
    "/staff/items",
    response={200: StaffItemPageOut, **READ_ERRORS},
    summary="事项库（区政务办）：检索、筛选、排序、分页",
    operation_id="catalog_staff_items",
)
def staff_items(request, filters: Query[StaffItemFilters]):
    district = permissions.district_kept_by(request.user)
    f = filters.dict(exclude={"limit", "offset"})
    listing, shown = selectors.staff_items(district=district, **f)
    start, stop = filters.offset, filters.offset + filters.limit
    if isinstance(listing, list):
        ids = listing[start:stop]
        found = {i.pk: i for i in shown.filter(pk__in=ids).prefetch_related("themes")}
        items = [found[i] for i in ids if i in found]
        count = len(listing)
    else:
        items = list(listing.prefetch_related("themes")[start:stop])
        count = listing.count()
    rows = selectors.staff_rows(items)
    return {
        "count": count,
        "incomplete": selectors.staff_incomplete_count(district),
        "items": [
            {
                **item_out(r.item),
                "id": r.item.pk,
                "is_active": r.item.is_active,
                "missing": r.missing,
                "draft_version": r.draft.version if r.draft else None,
            }
            for r in rows
        ],
    }
