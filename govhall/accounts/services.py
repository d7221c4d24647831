"""People, roles and API tokens. Only the district office hands out roles and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from govhall.core.errors import DomainError, Refused
from govhall.core.history import delete_recorded, save_recorded

from .models import ApiToken, Role, RoleAssignment, User
from .selectors import api_token_by_hash, forget_roles, has_role, roles_at

if TYPE_CHECKING:
    from govhall.centers.models import Center


def _require_district_admin(by: User, center: Center | None = None) -> None:
    if center is not None:
        if Role.DISTRICT_ADMIN not in roles_at(by, center):
            raise Refused("只有区政务办可以管理该中心的人员、角色和接口令牌。")
    elif not has_role(by, Role.DISTRICT_ADMIN) and not by.is_superuser:
        raise Refused("只有区政务办可以管理人员、角色和接口令牌。")


@transaction.atomic
def user_create(
    *, by: User | None, username: str, full_name: str, password: str, phone: str = "", is_demo: bool = False
) -> User:
    """Create a login. The password must pass the length and strength rules."""
    if by is not None:
        _require_district_admin(by)
    if User.objects.filter(username=username).exists():
        raise DomainError("该用户名已被使用。", field="username", code="duplicate")
    user = User(username=username, full_name=full_name, phone=phone, is_demo=is_demo)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), field="password") from exc
    user.set_password(password)
    user.is_staff = False
    save_recorded(user, by=by, reason="创建用户")
    return user


@transaction.atomic
def role_assign(*, by: User | None, user: User, role: str, center: Center) -> RoleAssignment:
    """Give `user` the role `role` at `center`."""
    if by is not None:
        _require_district_admin(by, center)
    if role not in Role.values:
        raise DomainError("未知角色。", field="role")
    if role in {Role.DISTRICT_ADMIN, Role.APPROVER} and center.kind != "district":
        raise DomainError("区政务办和区政府审批角色须分配在区政务服务中心。", field="center")
    existing = RoleAssignment.objects.filter(user=user, role=role, center=center).first()
    if existing:
        return existing
    assignment = RoleAssignment(user=user, role=role, center=center)
    save_recorded(assignment, by=by, reason="分配角色")
    forget_roles(user)
    return assignment


@transaction.atomic
def role_revoke(*, by: User | None, assignment: RoleAssignment) -> None:
    if by is not None:
        _require_district_admin(by, assignment.center)
    delete_recorded(assignment, by=by, reason="撤销角色")
    forget_roles(assignment.user)


@transaction.atomic
def api_token_issue(
    *, by: User, user: User, name: str, centers: list[Center], expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for `user`, limited to `centers`. Returns the token and its
    key; the key is shown once and only its hash is kept."""
    _require_district_admin(by)
    if not name.strip():
        raise DomainError("请填写令牌名称。", field="name")
    if not centers:
        raise DomainError("请至少选择一个中心。", field="centers")
    for center in centers:
        if Role.DISTRICT_ADMIN not in roles_at(by, center):
            raise Refused(f"无权为“{center.name}”签发令牌。")
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError("到期时间必须晚于现在。", field="expires_at")
    key = ApiToken.new_key()
    token = ApiToken(
        name=name.strip(),
        user=user,
        prefix=key[3:11],
        key_hash=ApiToken.hash_key(key),
        issued_by=by,
        expires_at=expires_at,
    )
    save_recorded(token, by=by, reason="签发令牌")
    token.centers.set(centers)
    return token, key


@transaction.atomic
def api_token_revoke(*, by: User, token: ApiToken) -> ApiToken:
    _require_district_admin(by)
    if token.revoked_at:
        return token
    token.revoked_at = timezone.now()
    save_recorded(token, by=by, reason="吊销令牌")
    return token


def api_token_authenticate(key: str) -> ApiToken | None:
    """The active token for `key`, or None."""
    if not key or not key.startswith("gh_"):
        return None
    token = api_token_by_hash(ApiToken.hash_key(key))
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    # Note the use at most once a minute: a write on every request would make reads contend.
    # last_used_at is kept by the system and left out of the token's history (models.py),
    # so a plain UPDATE of that one column is the whole write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def role_assignments_move_for_merge(*, old: Center, new: Center, by: User | None) -> None:
    """On a merge, staff of the merged branch become staff of the surviving one
    (a role they already hold there is not given twice)."""
    for a in RoleAssignment.objects.filter(center=old).select_related("user"):
        if RoleAssignment.objects.filter(user=a.user, role=a.role, center=new).exists():
            delete_recorded(a, by=by, reason=f"撤并：已在{new.name}任同一角色")
        else:
            a.center = new
            save_recorded(a, by=by, reason=f"撤并至{new.name}")
        forget_roles(a.user)


# --- personal data (appended) ----------------------------------------------------


def user_phone_reveal(*, by: User | None, person: User, reason: str = "") -> str:
    """The full phone number of `person`, for someone who may see that person;
    every look is recorded (PersonalDataAccess)."""
    from govhall.core.audit import personal_data_access_record
    from govhall.core.models import PersonalDataAccess

    from .selectors import person_get

    if by is None or person_get(user=by, pk=person.pk) is None:
        raise Refused("无权查看该人员的完整手机号。")
    if not person.phone:
        raise DomainError("该人员未登记手机号。", field="phone")
    with transaction.atomic():
        personal_data_access_record(by=by, obj=person, field=PersonalDataAccess.Field.PHONE, reason=reason)
    return person.phone


def last_login_record(sender: type[User], user: User, **kwargs: Any) -> None:
    """Signal handler: note the login time. last_login is kept by the system and left
    out of the user's history (models.py), so a plain UPDATE of that one column is the write."""
    type(user).objects.filter(pk=user.pk).update(last_login=timezone.now())
