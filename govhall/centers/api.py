"""Centers API: the register, its standards, and changes of a branch
(新设/改造/搬迁/撤并).

Thin doors to the same services as the staff pages: the schemas parse input,
codes are turned into records within what the user may see, and the services
decide. Domain errors become JSON 4xx in config/api.py."""

from datetime import date, datetime, time
from typing import Literal

from django.db.models import QuerySet
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from govhall.accounts.api import READ_ERRORS, WRITE_ERRORS, error_responses
from govhall.accounts.selectors import centers_visible_to
from govhall.core.errors import DomainError, NotFound, Refused
from govhall.core.masking import mask_phone
from govhall.core.paging import Paging

from . import selectors, services
from .models import WEEKDAYS, Center, CenterChange, Department, District

router = Router(tags=["centers"])

WEEKDAY_LABELS = dict(WEEKDAYS)


# --- output schemas -------------------------------------------------------------


class DepartmentOut(Schema):
    code: str
    name: str


class KindItemOut(Schema):
    kind: str
    label: str
    note: str


class HoursOut(Schema):
    weekday: int = Field(..., description="0 = 星期一 … 6 = 星期日")
    weekday_label: str
    opens: time
    closes: time


class LeaderOut(Schema):
    role: str = Field(..., description="leader = 分管班子成员，cadre = 负责科级干部")
    role_label: str
    name: str
    title: str


class LeaderDetailOut(LeaderOut):
    phone: str = Field(..., description="联系电话（已脱敏）")


def _kind_items(rows) -> list[dict]:
    return [{"kind": r.kind, "label": r.get_kind_display(), "note": r.note} for r in rows.all()]


def _leaders(center: Center, *, with_phone: bool) -> list[dict]:
    out = []
    for p in sorted(center.leadership.all(), key=lambda p: p.role != "leader"):
        row = {"role": p.role, "role_label": p.get_role_display(), "name": p.name, "title": p.title}
        if with_phone:
            row["phone"] = mask_phone(p.phone)
        out.append(row)
    return out


class PublicCenterOut(Schema):
    """What anyone may read about a hall."""

    code: str
    name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    department: DepartmentOut | None
    address: str
    phone: str = Field(..., description="咨询电话")
    aliases: list[str] = Field(..., description="原有名称")
    zones: list[KindItemOut]
    facilities: list[KindItemOut]
    hours: list[HoursOut]
    hours_summary: list[str]
    leadership: list[LeaderOut]

    @staticmethod
    def resolve_kind_label(obj: Center) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj: Center) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_department(obj: Center) -> dict | None:
        department = obj.department
        return {"code": department.code, "name": department.name} if department is not None else None

    @staticmethod
    def resolve_aliases(obj: Center) -> list[str]:
        return [a.name for a in obj.aliases.all()]

    @staticmethod
    def resolve_zones(obj: Center) -> list[dict]:
        return _kind_items(obj.zones)

    @staticmethod
    def resolve_facilities(obj: Center) -> list[dict]:
        return _kind_items(obj.facilities)

    @staticmethod
    def resolve_hours(obj: Center) -> list[dict]:
        return [
            {
                "weekday": h.weekday,
                "weekday_label": WEEKDAY_LABELS[h.weekday],
                "opens": h.opens,
                "closes": h.closes,
            }
            for h in obj.hours.all()
        ]

    @staticmethod
    def resolve_hours_summary(obj: Center) -> list[str]:
        return selectors.hours_summary(obj)

    @staticmethod
    def resolve_leadership(obj: Center) -> list[dict]:
        return _leaders(obj, with_phone=False)


class CenterOut(PublicCenterOut):
    """A hall as staff see it in the register."""

    id: int
    parent_code: str | None
    standardisation_score: int = Field(..., description="规范化得分（0–100）")

    @staticmethod
    def resolve_parent_code(obj: Center) -> str | None:
        return obj.parent.code if obj.parent is not None else None

    @staticmethod
    def resolve_standardisation_score(obj: Center) -> int:
        return selectors.standardisation_check(obj).score


class CenterDetailOut(CenterOut):
    district: str
    description: str
    merged_into_code: str | None
    leadership: list[LeaderDetailOut]  # type: ignore[assignment]  # staff see the phones: a narrower schema

    @staticmethod
    def resolve_district(obj: Center) -> str:
        return obj.district.name

    @staticmethod
    def resolve_merged_into_code(obj: Center) -> str | None:
        return obj.merged_into.code if obj.merged_into is not None else None

    @staticmethod
    def resolve_leadership(obj: Center) -> list[dict]:
        return _leaders(obj, with_phone=True)


class StandardsOut(Schema):
    code: str
    score: int = Field(..., description="规范化得分（0–100）")
    have: list[str] = Field(..., description="已达标的项目")
    lacks: list[str] = Field(..., description="尚缺的项目")


# --- input schemas ----------------------------------------------------------------


class CenterFilters(Schema):
    q: str = Field("", max_length=100, description="名称、原有名称、编码、地址或部门")
    kind: Center.Kind | None = None
    status: Center.Status | None = None
    department: str | None = Field(None, max_length=30, description="业务主管部门编码")
    sort: Literal[tuple(selectors.SORTS)] = "kind"  # type: ignore[valid-type]


class CenterPatchIn(Schema):
    name: str | None = Field(None, max_length=80)
    address: str | None = Field(None, max_length=200, description="分中心改地址须走“搬迁”变更")
    phone: str | None = Field(None, max_length=40)
    description: str | None = Field(None, max_length=5000)


class KindsIn(Schema):
    kinds: list[str] = Field(..., description="全部已具备的项目代码（整体替换）")


class PeriodIn(Schema):
    weekday: int = Field(..., description="0 = 星期一 … 6 = 星期日")
    opens: time
    closes: time


class HoursIn(Schema):
    periods: list[PeriodIn] = Field(..., description="每周办公时段（整体替换）")


class LeaderIn(Schema):
    name: str = Field(..., max_length=50)
    title: str = Field(..., max_length=80)
    phone: str = Field("", max_length=20)


class StatusIn(Schema):
    status: str = Field(..., description="planned、active、suspended 或 closed（撤并须走变更）")
    reason: str = Field("", max_length=500, description="暂停或撤销时必填")


# --- the register -----------------------------------------------------------------


def _department_id(user, code: str) -> int:
    district_ids = centers_visible_to(user).values("district_id")
    dep = Department.objects.filter(district_id__in=district_ids, code=code).first()
    return dep.id if dep else -1  # an unknown department matches nothing


def _visible(user, code: str) -> Center:
    center = selectors.centers_list(user=user).filter(code=code).first()
    if center is None:
        raise NotFound("没有找到该中心，或您无权查看。")
    return center


def _existing(code: str) -> Center:
    """The center to act on; the service itself decides whether the user may (404 if not visible)."""
    center = Center.objects.filter(code=code).first()
    if center is None:
        raise NotFound("没有找到该中心，或您无权查看。")
    return center


@router.get(
    "/centers",
    response={200: list[CenterOut], **error_responses(401, 422)},
    summary="中心列表（本人可见范围）",
    operation_id="centers_list",
)
@paginate(Paging)
def centers_list(request, filters: Query[CenterFilters]):
    department = _department_id(request.user, filters.department) if filters.department else None
    return selectors.centers_list(
        user=request.user,
        q=filters.q,
        kind=filters.kind or "",
        status=filters.status or "",
        department=department,
        sort=filters.sort,
    )


@router.get(
    "/centers/{code}",
    response={200: CenterDetailOut, **READ_ERRORS},
    summary="中心详情",
    operation_id="centers_get",
)
def centers_get(request, code: str):
    return _visible(request.user, code)


@router.get(
    "/centers/{code}/standards",
    response={200: StandardsOut, **READ_ERRORS},
    summary="规范化检查：已达标、尚缺与得分",
    operation_id="centers_standards",
)
def centers_standards(request, code: str):
    check = selectors.standardisation_check(_visible(request.user, code))
    return {"code": code, "score": check.score, "have": check.have, "lacks": check.lacks}


@router.patch(
    "/centers/{code}",
    response={200: CenterDetailOut, **WRITE_ERRORS},
    summary="修改中心信息（名称、地址、电话、简介）",
    operation_id="centers_update",
)
def centers_update(request, code: str, data: CenterPatchIn):
    center = services.center_update(
        by=request.user, center=_existing(code), **data.model_dump(exclude_none=True)
    )
    return _visible(request.user, center.code)


@router.put(
    "/centers/{code}/zones",
    response={200: CenterDetailOut, **WRITE_ERRORS},
    summary="设置功能区",
    operation_id="centers_set_zones",
)
def centers_set_zones(request, code: str, data: KindsIn):
    services.center_set_zones(by=request.user, center=_existing(code), kinds=data.kinds)
    return _visible(request.user, code)


@router.put(
    "/centers/{code}/facilities",
    response={200: CenterDetailOut, **WRITE_ERRORS},
    summary="设置便民设施",
    operation_id="centers_set_facilities",
)
def centers_set_facilities(request, code: str, data: KindsIn):
    services.center_set_facilities(by=request.user, center=_existing(code), kinds=data.kinds)
    return _visible(request.user, code)


@router.put(
    "/centers/{code}/hours",
    response={200: CenterDetailOut, **WRITE_ERRORS},
    summary="设置每周办公时间",
    operation_id="centers_set_hours",
)
def centers_set_hours(request, code: str, data: HoursIn):
    periods = [(p.weekday, p.opens, p.closes) for p in data.periods]
    services.center_set_hours(by=request.user, center=_existing(code), periods=periods)
    return _visible(request.user, code)


@router.put(
    "/centers/{code}/leadership/{role}",
    response={200: CenterDetailOut, **WRITE_ERRORS},
    summary="指定分管班子成员（leader）或负责科级干部（cadre）",
    operation_id="centers_set_leadership",
)
def centers_set_leadership(request, code: str, role: str, data: LeaderIn):
    services.leadership_set(
        by=request.user, center=_existing(code), role=role, name=data.name, title=data.title, phone=data.phone
    )
    return _visible(request.user, code)


@router.post(
    "/centers/{code}/status",
    response={200: CenterDetailOut, **WRITE_ERRORS},
    summary="改变中心状态（投入运行、暂停、撤销）",
    operation_id="centers_set_status",
)
def centers_set_status(request, code: str, data: StatusIn):
    services.center_set_status(
        by=request.user, center=_existing(code), status=data.status, reason=data.reason
    )
    return _visible(request.user, code)


@router.get(
    "/public/centers",
    auth=None,
    tags=["public"],
    response={200: list[PublicCenterOut], **error_responses(422)},
    summary="公开：服务大厅名录（无需登录）",
    operation_id="public_centers_list",
)
@paginate(Paging)
def public_centers_list(request):
    return selectors.centers_public()


# --- changes of a branch ------------------------------------------------------------


class EventOut(Schema):
    step: str
    step_label: str
    by: str | None
    at: datetime
    note: str

    @staticmethod
    def resolve_step_label(obj) -> str:
        return obj.get_step_display()

    @staticmethod
    def resolve_by(obj) -> str | None:
        return obj.by.display_name if obj.by_id else None


class ChangeOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    district: str
    center_code: str | None
    subject_name: str
    merge_into_code: str | None
    new_name: str
    new_code: str
    department: DepartmentOut | None
    new_address: str
    effective_date: date
    description: str
    filing_number: str | None = Field(..., description="备案号（备案后）")
    return_reason: str
    decision_reason: str
    drafted_by: str
    created_at: datetime
    applied_at: datetime | None

    @staticmethod
    def resolve_kind_label(obj: CenterChange) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj: CenterChange) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_district(obj: CenterChange) -> str:
        return obj.district.name

    @staticmethod
    def resolve_center_code(obj: CenterChange) -> str | None:
        return obj.center.code if obj.center is not None else None

    @staticmethod
    def resolve_merge_into_code(obj: CenterChange) -> str | None:
        return obj.merge_into.code if obj.merge_into is not None else None

    @staticmethod
    def resolve_department(obj: CenterChange) -> dict | None:
        department = obj.department
        return {"code": department.code, "name": department.name} if department is not None else None

    @staticmethod
    def resolve_drafted_by(obj: CenterChange) -> str:
        return obj.drafted_by.display_name


class ChangeDetailOut(ChangeOut):
    events: list[EventOut] = Field(..., description="办理经过")

    @staticmethod
    def resolve_events(obj: CenterChange) -> list:
        return list(obj.events.all())


class ChangeFilters(Schema):
    status: CenterChange.Status | None = None
    kind: CenterChange.Kind | None = None
    q: str = Field("", max_length=100, description="分中心名称、新设名称、备案号或事由")


class ChangeIn(Schema):
    kind: str = Field(..., description="establish 新设、renovate 改造、relocate 搬迁、merge 撤并")
    center: str | None = Field(None, max_length=30, description="分中心编码（新设时不填）")
    merge_into: str | None = Field(None, max_length=30, description="撤并：并入中心的编码")
    new_name: str = Field("", max_length=80, description="新设：正式名称")
    new_code: str = Field("", max_length=30, description="新设：编码")
    department: str | None = Field(None, max_length=30, description="新设：业务主管部门编码")
    new_address: str = Field("", max_length=200, description="新设、搬迁：地址")
    effective_date: date
    description: str = Field(..., max_length=5000, description="事由与内容")


class ChangePatchIn(Schema):
    merge_into: str | None = Field(None, max_length=30)
    new_name: str | None = Field(None, max_length=80)
    new_code: str | None = Field(None, max_length=30)
    department: str | None = Field(None, max_length=30)
    new_address: str | None = Field(None, max_length=200)
    effective_date: date | None = None
    description: str | None = Field(None, max_length=5000)


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000, description="理由（退回、不予批准时必填）")


class NoteIn(Schema):
    note: str = Field("", max_length=2000, description="审批意见（可选）")


def _department(district: District, code: str) -> Department:
    dep = Department.objects.filter(district=district, code=code).first()
    if dep is None:
        raise DomainError(f"没有找到业务主管部门“{code}”。", field="department")
    return dep


def _merge_target(district: District, code: str) -> Center:
    target = Center.objects.filter(district=district, code=code).first()
    if target is None:
        raise DomainError(f"没有找到并入中心“{code}”。", field="merge_into")
    return target


def _draft_district(user, department_code: str | None) -> District:
    """The district of a new branch: that of its department, else of the user's district center."""
    visible = centers_visible_to(user)
    if department_code:
        dep = (
            Department.objects.filter(district_id__in=visible.values("district_id"), code=department_code)
            .select_related("district")
            .first()
        )
        if dep is None:
            raise DomainError(f"没有找到业务主管部门“{department_code}”。", field="department")
        return dep.district
    center = visible.select_related("district").order_by("kind", "code").first()
    if center is None:
        raise Refused("您没有可起草变更的中心。")
    return center.district


def _change(user, change_id: int) -> CenterChange:
    change = selectors.change_get(user=user, pk=change_id)
    if change is None:
        raise NotFound("没有找到该变更，或您无权查看。")
    return change


def _change_out(user, change: CenterChange) -> CenterChange:
    return selectors.change_get(user=user, pk=change.pk) or change


@router.get(
    "/changes",
    response={200: list[ChangeOut], **error_responses(401, 422)},
    summary="分中心变更列表（新设、改造、搬迁、撤并）",
    operation_id="changes_list",
)
@paginate(Paging)
def changes_list(request, filters: Query[ChangeFilters]) -> QuerySet:
    return selectors.changes_list(
        user=request.user, status=filters.status or "", kind=filters.kind or "", q=filters.q
    )


@router.post(
    "/changes",
    response={201: ChangeDetailOut, **WRITE_ERRORS},
    summary="起草分中心变更",
    operation_id="changes_create",
)
def changes_create(request, data: ChangeIn):
    user = request.user
    center = None
    if data.center:
        center = centers_visible_to(user).select_related("district").filter(code=data.center).first()
        if center is None:
            raise NotFound("没有找到该中心，或您无权查看。", field="center")
        district = center.district
    else:
        district = _draft_district(user, data.department)
    change = services.change_draft(
        by=user,
        district=district,
        kind=data.kind,
        effective_date=data.effective_date,
        description=data.description,
        center=center,
        merge_into=_merge_target(district, data.merge_into) if data.merge_into else None,
        new_name=data.new_name,
        new_code=data.new_code,
        new_address=data.new_address,
        department=_department(district, data.department) if data.department else None,
    )
    return Status(201, _change_out(user, change))


@router.get(
    "/changes/{change_id}",
    response={200: ChangeDetailOut, **READ_ERRORS},
    summary="变更详情与办理经过",
    operation_id="changes_get",
)
def changes_get(request, change_id: int):
    return _change(request.user, change_id)


@router.patch(
    "/changes/{change_id}",
    response={200: ChangeDetailOut, **WRITE_ERRORS},
    summary="修改草稿或被退回的变更",
    operation_id="changes_update",
)
def changes_update(request, change_id: int, data: ChangePatchIn):
    change = _change(request.user, change_id)
    fields = data.model_dump(exclude_none=True)
    if "merge_into" in fields:
        fields["merge_into"] = _merge_target(change.district, fields["merge_into"])
    if "department" in fields:
        fields["department"] = _department(change.district, fields["department"])
    change = services.change_update(by=request.user, change=change, **fields)
    return _change_out(request.user, change)


@router.post(
    "/changes/{change_id}/submit",
    response={200: ChangeDetailOut, **WRITE_ERRORS},
    summary="报送区政务办备案",
    operation_id="changes_submit",
)
def changes_submit(request, change_id: int):
    change = services.change_submit(by=request.user, change=_change(request.user, change_id))
    return _change_out(request.user, change)


@router.post(
    "/changes/{change_id}/file",
    response={200: ChangeDetailOut, **WRITE_ERRORS},
    summary="备案（区政务办）",
    operation_id="changes_file",
)
def changes_file(request, change_id: int):
    change = services.change_file(by=request.user, change=_change(request.user, change_id))
    return _change_out(request.user, change)


@router.post(
    "/changes/{change_id}/return",
    response={200: ChangeDetailOut, **WRITE_ERRORS},
    summary="退回（区政务办，须说明理由）",
    operation_id="changes_return",
)
def changes_return(request, change_id: int, data: ReasonIn):
    change = services.change_return(
        by=request.user, change=_change(request.user, change_id), reason=data.reason
    )
    return _change_out(request.user, change)


@router.post(
    "/changes/{change_id}/approve",
    response={200: ChangeDetailOut, **WRITE_ERRORS},
    summary="批准（区政府）",
    operation_id="changes_approve",
)
def changes_approve(request, change_id: int, data: NoteIn):
    change = services.change_approve(by=request.user, change=_change(request.user, change_id), note=data.note)
    return _change_out(request.user, change)


@router.post(
    "/changes/{change_id}/reject",
    response={200: ChangeDetailOut, **WRITE_ERRORS},
    summary="不予批准（区政府，须说明理由）",
    operation_id="changes_reject",
)
def changes_reject(request, change_id: int, data: ReasonIn):
    change = services.change_reject(
        by=request.user, change=_change(request.user, change_id), reason=data.reason
    )
    return _change_out(request.user, change)


@router.post(
    "/changes/{change_id}/withdraw",
    response={200: ChangeDetailOut, **WRITE_ERRORS},
    summary="撤回变更（起草方）",
    operation_id="changes_withdraw",
)
def changes_withdraw(request, change_id: int, data: ReasonIn):
    change = services.change_withdraw(
        by=request.user, change=_change(request.user, change_id), reason=data.reason
    )
    return _change_out(request.user, change)


# --- the district's password expiry ---------------------------------------------------


class PasswordPolicyIn(Schema):
    max_age_days: int | None = Field(None, description="工作人员密码最长使用天数；null 或 0 表示不过期")


class PasswordPolicyOut(Schema):
    district: str
    max_age_days: int | None


@router.put(
    "/district/password-policy",
    response={200: PasswordPolicyOut, **WRITE_ERRORS},
    summary="设置本区工作人员密码有效期（区政务办）",
    operation_id="district_password_policy_set",
)
def district_password_policy(request, data: PasswordPolicyIn):
    district = services.password_policy_district(request.user)
    district = services.district_password_policy_set(
        by=request.user, district=district, max_age_days=data.max_age_days
    )
    return {"district": district.code, "max_age_days": district.password_max_age_days}
