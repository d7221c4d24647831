"""The rules for running the register of centers and changing a branch.

A branch is run jointly by its department (业务主管部门) and the district
office. Setting one up, renovating, moving or merging it is drafted by the
branch or its department, filed with the district office (备案), approved by
the district government, and applied on its effective date. Every step is
recorded with who, when and why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from govhall.accounts.models import Role, RoleAssignment, User
from govhall.accounts.selectors import roles_at
from govhall.core.errors import DomainError, Refused, WrongState
from govhall.core.history import delete_recorded, insert_row, save_recorded
from govhall.core.services import counter_next

from . import merging
from .models import (
    Center,
    CenterAlias,
    CenterChange,
    CenterChangeEvent,
    Department,
    District,
    Facility,
    HoursException,
    Leadership,
    OpeningHours,
    Zone,
    check_center_name,
)
from .permissions import access_center

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

Kind = CenterChange.Kind
Status = CenterChange.Status
OPEN_CHANGE_STATUSES = [Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.FILED, Status.APPROVED]


# --- the register -----------------------------------------------------------


@transaction.atomic
def district_create(*, by: User | None, name: str, code: str, full_name: str = "") -> District:
    district = District(name=name, code=code, full_name=full_name)
    save_recorded(district, by=by, reason="创建区县")
    return district


@transaction.atomic
def department_create(*, by: User | None, district: District, name: str, code: str) -> Department:
    department = Department(district=district, name=name, code=code)
    save_recorded(department, by=by, reason="创建部门")
    return department


@transaction.atomic
def district_password_policy_set(
    *, by: User | None, district: District, max_age_days: int | None
) -> District:
    """The district's password expiry for its staff (等保): days, or None/0 for never.
    Only the district office of that district sets it; recorded."""
    if by is not None and Role.DISTRICT_ADMIN not in roles_at(by, district_center(district)):
        raise Refused("只有本区政务办可以设置密码有效期。")
    if max_age_days is not None and not 0 <= max_age_days <= 3650:
        raise DomainError("密码最长使用天数须在 0 至 3650 之间（0 或留空表示不过期）。", field="max_age_days")
    district.password_max_age_days = max_age_days or None
    save_recorded(
        district, by=by, reason=f"设置密码有效期：{max_age_days or '不过期'}{' 天' if max_age_days else ''}"
    )
    return district


def password_policy_district(by: User) -> District:
    """The district whose password expiry `by` may set (as its district office), or Refused."""
    row = (
        RoleAssignment.objects.filter(user=by, role=Role.DISTRICT_ADMIN)
        .select_related("center__district")
        .first()
        if by is not None and by.is_authenticated
        else None
    )
    if row is None:
        raise Refused("只有区政务办可以设置密码有效期。")
    return row.center.district


FEEDBACK_DEADLINES = {
    "rectify_days": "差评整改时限",
    "complaint_reply_days": "投诉反馈时限",
    "unresolved_days": "办不成事办结时限",
}


@transaction.atomic
def district_feedback_deadlines_set(
    *,
    by: User | None,
    district: District,
    rectify_days: int,
    complaint_reply_days: int,
    unresolved_days: int,
) -> District:
    """The district's feedback deadlines in working days (1–60 each): 差评整改,
    投诉反馈, 办不成事办结. Only the district office of that district sets them; a
    refused or invalid call writes nothing; recorded with the old and new values."""
    if by is not None and Role.DISTRICT_ADMIN not in roles_at(by, district_center(district)):
        raise Refused("只有本区政务办可以设置好差评与投诉时限。")
    given = {
        "rectify_days": rectify_days,
        "complaint_reply_days": complaint_reply_days,
        "unresolved_days": unresolved_days,
    }
    for field, value in given.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 60:
            raise DomainError(f"{FEEDBACK_DEADLINES[field]}须为 1 至 60 个工作日。", field=field)
    district = District.objects.select_for_update().get(pk=district.pk)
    changes = [
        f"{FEEDBACK_DEADLINES[f]} {getattr(district, f)}→{v}"
        for f, v in given.items()
        if getattr(district, f) != v
    ]
    if not changes:
        return district
    for field, value in given.items():
        setattr(district, field, value)
    save_recorded(district, by=by, reason="设置好差评与投诉时限：" + "，".join(changes) + " 个工作日")
    return district


def district_office_district(by: User, *, refused: str = "只有区政务办可以进行此设置。") -> District:
    """The district whose settings `by` may change as its district office, or Refused."""
    row = (
        RoleAssignment.objects.filter(user=by, role=Role.DISTRICT_ADMIN)
        .select_related("center__district")
        .first()
        if by is not None and by.is_authenticated
        else None
    )
    if row is None:
        raise Refused(refused)
    return row.center.district


def password_max_age_of(user: User) -> int | None:
    """Answers accounts.extensions.password_max_age: the shortest expiry among the
    districts where `user` holds a role."""
    ages: list[int] = [
        days
        for days in District.objects.filter(
            centers__role_assignments__user=user, password_max_age_days__gt=0
        ).values_list("password_max_age_days", flat=True)
        if days
    ]
    return min(ages, default=None)


def district_center(district: District) -> Center:
    center = Center.objects.filter(district=district, kind=Center.Kind.DISTRICT).first()
    if center is None:
        raise DomainError(f"{district.name}尚未登记区政务服务中心。")
    return center


@transaction.atomic
def center_create(
    *,
    by: User | None,
    district: District,
    kind: str,
    name: str,
    code: str,
    address: str,
    parent: Center | None = None,
    department: Department | None = None,
    phone: str = "",
    status: str = Center.Status.PLANNED,
    description: str = "",
    aliases: tuple[str, ...] = (),
    is_demo: bool = False,
) -> Center:
    """Register a hall. The name must follow the unified naming rule; former
    names may be kept as aliases."""
    if Center.objects.filter(name=name).exists():
        raise DomainError(f"名称“{name}”已被其他中心使用。", field="name", code="duplicate")
    if Center.objects.filter(code=code).exists():
        raise DomainError(f"编码“{code}”已被使用。", field="code", code="duplicate")
    center = Center(
        district=district,
        kind=kind,
        name=name,
        code=code,
        address=address,
        parent=parent,
        department=department,
        phone=phone,
        status=Center.Status.PLANNED,
        description=description,
        is_demo=is_demo,
    )
    save_recorded(center, by=by, reason="登记中心")
    for alias in aliases:
        _alias_keep(by=by, center=center, name=alias, note="原有名称")
    if status != Center.Status.PLANNED:
        center_set_status(by=by, center=center, status=status, reason="登记时状态")
    return center


@transaction.atomic
def center_update(
    *,
    by: User | None,
    center: Center,
    name: str | None = None,
    address: str | None = None,
    phone: str | None = None,
    description: str | None = None,
) -> Center:
    """Edit a hall's public details. A renamed hall keeps its old name as an alias.
    Moving a branch's address goes through a relocation (搬迁) filing instead."""
    access_center(by, center, action="manage")
    center = Center.objects.select_for_update().get(pk=center.pk)
    old_name = center.name
    if address is not None and address != center.address and center.kind == Center.Kind.BRANCH:
        raise DomainError("分中心搬迁须报区政务办备案并经区政府批准，请提交“搬迁”变更。", field="address")
    for field, value in {
        "name": name,
        "address": address,
        "phone": phone,
        "description": description,
    }.items():
        if value is not None:
            setattr(center, field, value.strip())
    if (
        name is not None
        and name != old_name
        and Center.objects.filter(name=center.name).exclude(pk=center.pk).exists()
    ):
        raise DomainError(f"名称“{center.name}”已被其他中心使用。", field="name", code="duplicate")
    save_recorded(center, by=by, reason="修改中心信息")
    if center.name != old_name:
        _alias_keep(by=by, center=center, name=old_name, note="更名前名称")
    return center


@transaction.atomic
def center_add_alias(*, by: User | None, center: Center, name: str, note: str = "") -> CenterAlias | None:
    """Keep a former or other name of the hall; it stays searchable (None: it is the hall's own name)."""
    access_center(by, center, action="manage")
    return _alias_keep(by=by, center=center, name=name, note=note)


def _alias_keep(*, by: User | None, center: Center, name: str, note: str) -> CenterAlias | None:
    name = name.strip()
    if not name:
        raise DomainError("请填写名称。", field="name")
    existing = CenterAlias.objects.filter(center=center, name=name).first()
    if existing or name == center.name:
        return existing
    alias = CenterAlias(center=center, name=name, note=note)
    save_recorded(alias, by=by, reason="保留原有名称")
    return alias


@transaction.atomic
def center_set_hours(
    *, by: User | None, center: Center, periods: list[tuple[int, time, time]]
) -> list[OpeningHours]:
    """Replace the weekly hours. Periods of one day must not overlap."""
    access_center(by, center, action="manage")
    by_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, opens, closes in periods:
        if weekday not in range(7):
            raise DomainError("星期应为 0（星期一）到 6（星期日）。", field="hours")
        if closes <= opens:
            raise DomainError("结束时间必须晚于开始时间。", field="hours")
        by_day.setdefault(weekday, []).append((opens, closes))
    for spans in by_day.values():
        spans.sort()
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            if start < end:
                raise DomainError("同一天的办公时段不能重叠。", field="hours")
    for old in center.hours.all():
        delete_recorded(old, by=by, reason="调整办公时间")
    hours = [OpeningHours(center=center, weekday=d, opens=o, closes=c) for d, o, c in sorted(periods)]
    for h in hours:
        save_recorded(h, by=by, reason="调整办公时间")
    return hours


@transaction.atomic
def center_set_hours_exception(
    *,
    by: User | None,
    center: Center,
    day: date,
    is_closed: bool = True,
    opens: time | None = None,
    closes: time | None = None,
    note: str = "",
) -> HoursException:
    """A day off (e.g. a local closure) or different hours on one day."""
    access_center(by, center, action="manage")
    exc = HoursException.objects.filter(center=center, date=day).first() or HoursException(
        center=center, date=day
    )
    exc.is_closed, exc.opens, exc.closes, exc.note = is_closed, opens, closes, note
    save_recorded(exc, by=by, reason="办公时间例外")
    return exc


def _set_kinds(
    *, by: User | None, center: Center, model: type[Zone] | type[Facility], kinds: list[str], reason: str
) -> None:
    valid = set(model.Kind.values)
    unknown = [k for k in kinds if k not in valid]
    if unknown:
        raise DomainError(f"未知项目：{'、'.join(unknown)}", field="kinds")
    current = {obj.kind: obj for obj in model.objects.filter(center=center)}
    for kind, obj in current.items():
        if kind not in kinds:
            delete_recorded(obj, by=by, reason=reason)
    for kind in kinds:
        if kind not in current:
            save_recorded(model(center=center, kind=kind), by=by, reason=reason)


@transaction.atomic
def center_set_zones(*, by: User | None, center: Center, kinds: list[str]) -> None:
    """Record which of the six zones the hall has."""
    access_center(by, center, action="manage")
    _set_kinds(by=by, center=center, model=Zone, kinds=kinds, reason="设置功能区")


@transaction.atomic
def center_set_facilities(*, by: User | None, center: Center, kinds: list[str]) -> None:
    """Record which convenience facilities the hall offers."""
    access_center(by, center, action="manage")
    _set_kinds(by=by, center=center, model=Facility, kinds=kinds, reason="设置便民设施")


@transaction.atomic
def leadership_set(
    *, by: User | None, center: Center, role: str, name: str, title: str, phone: str = ""
) -> Leadership:
    """The department names its leader in charge of the hall and the cadre for daily work."""
    access_center(by, center, action="manage")
    if role not in Leadership.Role.values:
        raise DomainError("职责应为“分管班子成员”或“负责科级干部”。", field="role")
    if not name.strip():
        raise DomainError("请填写姓名。", field="name")
    if not title.strip():
        raise DomainError("请填写职务。", field="title")
    person = Leadership.objects.filter(center=center, role=role).first() or Leadership(
        center=center, role=role
    )
    person.name, person.title, person.phone = name.strip(), title.strip(), phone.strip()
    save_recorded(person, by=by, reason=f"指定{person.get_role_display()}")
    return person


def missing_leadership(center: Center) -> list[str]:
    have = set(center.leadership.values_list("role", flat=True))
    return [label for value, label in Leadership.Role.choices if value not in have]


@transaction.atomic
def center_set_status(*, by: User | None, center: Center, status: str, reason: str = "") -> Center:
    """Activate, suspend or close a hall. A branch becomes active only once its
    department has named both its leader in charge and its daily cadre."""
    access_center(by, center, action="manage")
    center = Center.objects.select_for_update().get(pk=center.pk)
    if status not in {
        Center.Status.ACTIVE,
        Center.Status.SUSPENDED,
        Center.Status.CLOSED,
        Center.Status.PLANNED,
    }:
        raise DomainError("撤并须通过“撤并”变更办理。", field="status")
    if center.status in {Center.Status.MERGED, Center.Status.CLOSED}:
        raise WrongState(f"该中心{center.get_status_display()}，不能再改变状态。")
    if status == Center.Status.ACTIVE and center.kind == Center.Kind.BRANCH:
        missing = missing_leadership(center)
        if missing:
            raise DomainError(
                f"分中心投入运行前，业务主管部门须明确{'和'.join(missing)}。",
                field="status",
                code="leadership_missing",
            )
    if status in {Center.Status.SUSPENDED, Center.Status.CLOSED} and not reason.strip() and by is not None:
        raise DomainError("请说明暂停或撤销的原因。", field="reason")
    center.status = status
    save_recorded(center, by=by, reason=reason or f"状态改为{center.get_status_display()}")
    return center


# --- changes of a branch (新设/改造/搬迁/撤并) -----------------------------------


def _record(change: CenterChange, step: str, by: User | None, note: str = "") -> None:
    """Save `change` (its history's reason is the step's name) and add the step to its timeline."""
    save_recorded(change, by=by, reason=CenterChangeEvent.Step(step).label)
    _event(change, step, by, note)


def _reason_given(reason: str, message: str) -> str:
    """The reason a step must give, stripped; `message` if there is none."""
    if not (reason or "").strip():
        raise DomainError(message, field="reason")
    return reason.strip()


def _event(change: CenterChange, step: str, by: User | None, note: str = "") -> CenterChangeEvent:
    """One step on the change's timeline: the event row is itself the record (it is never changed)."""
    event = CenterChangeEvent(change=change, step=step, by=by, note=note)
    insert_row(event)
    return event


def _scope_center(change: CenterChange) -> Center:
    """The center whose people may act on this change: the branch itself, or for
    a new branch the district center (only district-wide roles reach it)."""
    return change.center if change.center is not None else district_center(change.district)


def _require(by: User | AnonymousUser | None, change: CenterChange, action: str) -> None:
    """`by` may take the district's step `action` (file, return, approve, reject) on `change`."""
    access_center(by, _scope_center(change), action=action)


def _require_drafter(by: User | AnonymousUser | None, change: CenterChange) -> None:
    if by is None:
        return
    if change.center is not None:
        access_center(by, change.center, action="draft_change")
        return
    # A new branch: the district office, or a leader of the department it will belong to.
    if Role.DISTRICT_ADMIN in roles_at(by, district_center(change.district)):
        return
    if (
        isinstance(by, User)
        and change.department_id
        and RoleAssignment.objects.filter(
            user=by,
            role__in=[Role.DEPARTMENT_LEADER, Role.BRANCH_MANAGER],
            center__department_id=change.department_id,
        ).exists()
    ):
        return
    raise Refused("只有区政务办或该业务主管部门可以起草新设分中心。")


def _allowed(check: Callable[..., None], *args: Any) -> bool:
    try:
        check(*args)
    except DomainError:
        return False
    return True


def change_allowed_actions(*, user: User | AnonymousUser | None, change: CenterChange) -> set[str]:
    """The steps `user` may take on `change` now — the same checks the steps
    themselves make, asked in advance (for buttons and for API clients)."""
    actions: set[str] = set()
    is_drafter = _allowed(_require_drafter, user, change)
    if is_drafter and change.status in {Status.DRAFT, Status.RETURNED}:
        actions |= {"submit", "edit"}
    if is_drafter and change.status in {Status.DRAFT, Status.SUBMITTED, Status.RETURNED}:
        actions.add("withdraw")
    if change.status == Status.SUBMITTED and _allowed(_require, user, change, "file"):
        actions |= {"file", "return"}
    if change.status == Status.FILED and _allowed(_require, user, change, "approve"):
        actions |= {"approve", "reject"}
    return actions


# --- the rules a change must meet before it is saved or submitted: one check per rule.
# Each returns the messages it finds, by the field they are about.

Errors = dict[str, list[str]]
CLOSED = {Center.Status.MERGED, Center.Status.CLOSED}


def _check_basics(change: CenterChange, today: date) -> Errors:
    errors: Errors = {}
    if not (change.description or "").strip():
        errors["description"] = ["请填写事由与内容。"]
    if change.effective_date is None:
        errors["effective_date"] = ["请填写生效日期。"]
    elif change.effective_date < today:
        errors["effective_date"] = ["生效日期不能早于今天。"]
    return errors


def _check_new_branch(change: CenterChange) -> Errors:
    """新设: a name by the naming rule, a free code, a department of the district, an address."""
    errors: Errors = {}
    if change.center_id:
        errors["center"] = ["新设分中心不应指定已有中心。"]
    message = check_center_name(Center.Kind.BRANCH, change.new_name or "", change.district)
    if message:
        errors["new_name"] = [message]
    elif Center.objects.filter(name=change.new_name).exists():
        errors["new_name"] = [f"名称“{change.new_name}”已被其他中心使用。"]
    if not change.new_code:
        errors["new_code"] = ["请填写编码。"]
    elif Center.objects.filter(code=change.new_code).exists():
        errors["new_code"] = [f"编码“{change.new_code}”已被使用。"]
    if change.department is None:
        errors["department"] = ["请选择业务主管部门。"]
    elif change.department.district_id != change.district_id:
        errors["department"] = ["业务主管部门必须属于本区县。"]
    if not (change.new_address or "").strip():
        errors["new_address"] = ["请填写地址。"]
    return errors


def _check_existing_branch(change: CenterChange) -> Errors:
    """改造/搬迁/撤并: an open branch, with no other change under way."""
    center = change.center
    if center is None:
        return {"center": ["请选择分中心。"]}
    problems = []
    if center.kind != Center.Kind.BRANCH:
        problems.append("只有分中心的新设、改造、搬迁、撤并需要备案审批。")
    if center.status in CLOSED:
        problems.append(f"该分中心{center.get_status_display()}。")
    if not problems:
        open_other = CenterChange.objects.filter(center=center, status__in=OPEN_CHANGE_STATUSES).exclude(
            pk=change.pk
        )
        if open_other.exists():
            problems.append("该分中心已有一项未办结的变更，请先办结或撤回。")
    return {"center": problems} if problems else {}


def _check_relocation(change: CenterChange) -> Errors:
    """搬迁: a new address that differs from the present one."""
    if change.center is None:
        return {}
    new_address = (change.new_address or "").strip()
    if not new_address:
        return {"new_address": ["请填写搬迁后的地址。"]}
    if new_address == change.center.address:
        return {"new_address": ["新地址与现地址相同。"]}
    return {}


def _check_merge(change: CenterChange) -> Errors:
    """撤并: another open center of the same district to merge into."""
    target = change.merge_into
    if target is None:
        return {"merge_into": ["请选择并入的中心。"]}
    if target.pk == change.center_id:
        return {"merge_into": ["不能并入自身，请选择另一个中心。"]}
    problems = []
    if target.district_id != change.district_id:
        problems.append("只能并入本区县的中心。")
    if target.status in CLOSED:
        problems.append(f"“{target.name}”{target.get_status_display()}，不能作为并入对象。")
    return {"merge_into": problems} if problems else {}


def _validate_change(change: CenterChange, *, today: date) -> None:
    """Every rule a change breaks, each message next to its field (one DomainError)."""
    checks: list[Errors] = [_check_basics(change, today)]
    if change.kind == Kind.ESTABLISH:
        checks.append(_check_new_branch(change))
    else:
        checks.append(_check_existing_branch(change))
    if change.kind == Kind.RELOCATE:
        checks.append(_check_relocation(change))
    if change.kind == Kind.MERGE:
        checks.append(_check_merge(change))
    errors: Errors = {}
    for found in checks:
        for field, messages in found.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        first = next(iter(errors))
        raise DomainError("；".join(m for ms in errors.values() for m in ms), field=first, errors=errors)


@transaction.atomic
def change_draft(
    *,
    by: User | None,
    district: District,
    kind: str,
    effective_date: date,
    description: str,
    center: Center | None = None,
    merge_into: Center | None = None,
    new_name: str = "",
    new_code: str = "",
    new_address: str = "",
    department: Department | None = None,
    today: date | None = None,
) -> CenterChange:
    """Draft a change of a branch (新设/改造/搬迁/撤并)."""
    if kind not in Kind.values:
        raise DomainError("变更事项应为新设、改造、搬迁或撤并。", field="kind")
    change = CenterChange(
        district=district,
        kind=kind,
        center=center,
        merge_into=merge_into,
        new_name=new_name.strip(),
        new_code=new_code.strip(),
        new_address=new_address.strip(),
        department=department,
        effective_date=effective_date,
        description=(description or "").strip(),
        drafted_by=by,
    )
    if center is not None and center.district_id != district.id:
        raise DomainError("分中心不属于该区县。", field="center")
    _require_drafter(by, change)
    _validate_change(change, today=today or timezone.localdate())
    _record(change, CenterChangeEvent.Step.DRAFTED, by)
    return change


@transaction.atomic
def change_update(
    *, by: User | None, change: CenterChange, today: date | None = None, **fields: Any
) -> CenterChange:
    """Edit a draft or a returned change."""
    change = CenterChange.objects.select_for_update().get(pk=change.pk)
    _require_drafter(by, change)
    if change.status not in {Status.DRAFT, Status.RETURNED}:
        raise WrongState(f"变更{change.get_status_display()}，不能再修改。")
    allowed = {
        "effective_date",
        "description",
        "merge_into",
        "new_name",
        "new_code",
        "new_address",
        "department",
    }
    for field, value in fields.items():
        if field not in allowed:
            raise DomainError(f"不能修改字段 {field}。", field=field)
        setattr(change, field, value.strip() if isinstance(value, str) else value)
    _validate_change(change, today=today or timezone.localdate())
    _record(change, CenterChangeEvent.Step.EDITED, by)
    return change


def _locked(change: CenterChange) -> CenterChange:
    return (
        CenterChange.objects.select_for_update(of=("self",))
        .select_related("center", "merge_into", "district")
        .get(pk=change.pk)
    )


def _expect(change: CenterChange, *statuses: str, action: str) -> None:
    if change.status not in statuses:
        wanted = "或".join(Status(s).label for s in statuses)
        raise WrongState(f"只有{wanted}的变更才能{action}，该变更当前为“{change.get_status_display()}”。")


@transaction.atomic
def change_submit(*, by: User | None, change: CenterChange, today: date | None = None) -> CenterChange:
    """The branch or department sends the change to the district office for filing."""
    change = _locked(change)
    _require_drafter(by, change)
    _expect(change, Status.DRAFT, Status.RETURNED, action="报送备案")
    _validate_change(change, today=today or timezone.localdate())
    change.status = Status.SUBMITTED
    _record(change, CenterChangeEvent.Step.SUBMITTED, by)
    return change


@transaction.atomic
def change_file(*, by: User | None, change: CenterChange) -> CenterChange:
    """The district office records the filing (备案) and gives it a filing number."""
    change = _locked(change)
    _require(by, change, "file")
    _expect(change, Status.SUBMITTED, action="备案")
    year = timezone.localdate().year
    n = counter_next(scope=f"center-filing:{change.district_id}:{year}")
    change.filing_number = f"{change.district.name}政务备〔{year}〕{n}号"
    change.status = Status.FILED
    _record(change, CenterChangeEvent.Step.FILED, by, change.filing_number)
    return change


@transaction.atomic
def change_return(*, by: User | None, change: CenterChange, reason: str) -> CenterChange:
    """The district office sends the change back to the drafter, saying why."""
    change = _locked(change)
    _require(by, change, "return")
    _expect(change, Status.SUBMITTED, action="退回")
    change.status, change.return_reason = Status.RETURNED, _reason_given(reason, "退回时必须说明理由。")
    _record(change, CenterChangeEvent.Step.RETURNED, by, change.return_reason)
    return change


@transaction.atomic
def change_approve(
    *, by: User | None, change: CenterChange, note: str = "", today: date | None = None
) -> CenterChange:
    """The district government approves a filed change. If its effective date has
    come, it is applied at once; otherwise on that date."""
    change = _locked(change)
    _require(by, change, "approve")
    _expect(change, Status.FILED, action="批准")
    change.status, change.decision_reason = Status.APPROVED, (note or "").strip()
    _record(change, CenterChangeEvent.Step.APPROVED, by, change.decision_reason)
    today = today or timezone.localdate()
    if change.effective_date <= today:
        change = change_apply(by=by, change=change, today=today)
    return change


@transaction.atomic
def change_reject(*, by: User | None, change: CenterChange, reason: str) -> CenterChange:
    """The district government refuses a filed change; a reason is required."""
    change = _locked(change)
    _require(by, change, "reject")
    _expect(change, Status.FILED, action="不予批准")
    change.status = Status.REJECTED
    change.decision_reason = _reason_given(reason, "不予批准时必须说明理由。")
    _record(change, CenterChangeEvent.Step.REJECTED, by, change.decision_reason)
    return change


@transaction.atomic
def change_withdraw(*, by: User | None, change: CenterChange, reason: str = "") -> CenterChange:
    change = _locked(change)
    _require_drafter(by, change)
    _expect(change, Status.DRAFT, Status.SUBMITTED, Status.RETURNED, action="撤回")
    change.status = Status.WITHDRAWN
    _record(change, CenterChangeEvent.Step.WITHDRAWN, by, reason)
    return change


@transaction.atomic
def change_apply(*, by: User | None, change: CenterChange, today: date | None = None) -> CenterChange:
    """Carry out an approved change on (or after) its effective date."""
    change = _locked(change)
    _expect(change, Status.APPROVED, action="生效")
    today = today or timezone.localdate()
    if change.effective_date > today:
        raise WrongState(f"该变更于 {change.effective_date:%Y-%m-%d} 生效，尚未到期。")
    note = ""
    if change.kind == Kind.ESTABLISH:
        center = center_create(
            by=by,
            district=change.district,
            kind=Center.Kind.BRANCH,
            name=change.new_name,
            code=change.new_code,
            address=change.new_address,
            parent=district_center(change.district),
            department=change.department,
        )
        change.center = center
        note = f"已登记“{center.name}”（筹建中；明确分管领导后可投入运行）"
    elif change.kind == Kind.RELOCATE:
        center = Center.objects.select_for_update().get(pk=_present(change.center).pk)
        old = center.address
        center.address = change.new_address
        save_recorded(center, by=by, reason=f"搬迁（{change.filing_number}）")
        note = f"地址由“{old}”改为“{center.address}”"
    elif change.kind == Kind.RENOVATE:
        note = "改造已生效"
    elif change.kind == Kind.MERGE:
        note = _merge(
            by=by,
            old=_present(change.center),
            new=_present(change.merge_into),
            filing=change.filing_number or "",
        )
    change.status, change.applied_at = Status.APPLIED, timezone.now()
    _record(change, CenterChangeEvent.Step.APPLIED, by, note)
    return change


def _present(center: Center | None) -> Center:
    """A center the change names; a submitted change always names the ones it needs."""
    if center is None:
        raise WrongState("该变更缺少所涉及的中心，不能生效。")
    return center


def _merge(*, by: User | None, old: Center, new: Center, filing: str) -> str:
    old = Center.objects.select_for_update().get(pk=old.pk)
    new = Center.objects.select_for_update().get(pk=new.pk)
    moved = merging.move_everything(old=old, new=new, by=by)
    _alias_keep(by=by, center=new, name=old.name, note=f"撤并并入（{filing}）")
    for alias in old.aliases.all():
        _alias_keep(by=by, center=new, name=alias.name, note=f"原“{old.name}”别名")
    old.status, old.merged_into = Center.Status.MERGED, new
    save_recorded(old, by=by, reason=f"撤并入{new.name}")
    left = merging.rows_left_behind(old)
    if left:  # a registered handler failed to move something: refuse rather than orphan it
        raise DomainError(f"撤并未能迁移全部数据：{left}")
    summary = "，".join(f"{k} {v} 条" for k, v in moved.items() if v) or "无待迁移数据"
    return f"并入“{new.name}”，迁移：{summary}"


def changes_apply_due(*, today: date | None = None) -> list[CenterChange]:
    """Apply every approved change whose effective date has come. Safe to run
    twice: an applied change is no longer approved."""
    today = today or timezone.localdate()
    applied: list[CenterChange] = []
    due = CenterChange.objects.filter(status=Status.APPROVED, effective_date__lte=today).order_by(
        "effective_date", "id"
    )
    for change in due:
        applied.append(change_apply(by=None, change=change, today=today))
    return applied
