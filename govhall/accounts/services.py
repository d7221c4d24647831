"""People, roles and API tokens. Only the district office hands out roles and tokens."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from govhall.core.crypto import lookup_hash
from govhall.core.errors import DomainError, Refused
from govhall.core.history import delete_recorded, save_recorded
from govhall.core.masking import mask_phone
from govhall.core.notifications import send_sms
from govhall.core.uploads import JPEG, PNG, check_size, kind_by_magic

from .models import ApiToken, CitizenAccount, PasswordHistory, Role, RoleAssignment, SmsCode, User
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
    _password_history_add(user)
    return user


def _password_history_add(user: User) -> None:
    """Keep the hash just set, and only the newest PasswordHistory.KEEP per person."""
    PasswordHistory.objects.create(user=user, password_hash=user.password)
    stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[PasswordHistory.KEEP :]
    PasswordHistory.objects.filter(pk__in=list(stale)).delete()


@transaction.atomic
def password_change(*, by: User, user: User, old_password: str, new_password: str) -> User:
    """A person changes their own password: the old one must be right, the new one
    must pass the rules (length, kinds of character, not one of the last 5). The
    change is recorded in the person's history (who, when — never the password)."""
    if by.pk != user.pk:
        raise Refused("只能修改自己的密码。")
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old_password or ""):
        raise DomainError("原密码不正确。", field="old_password", code="wrong_password")
    try:
        validate_password(new_password or "", user)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), field="new_password") from exc
    user.set_password(new_password)
    save_recorded(user, by=by, reason="本人修改密码")
    _password_history_add(user)
    return user


def password_set_at(user: User) -> datetime | None:
    """When the person's current password was set (None: before the history was kept)."""
    return PasswordHistory.objects.filter(user=user).values_list("set_at", flat=True).first()


def password_expired_days(user: User, *, now: datetime | None = None) -> int | None:
    """The district's maximum age in days if this staff user's password is older
    than that, else None. Citizens' portal accounts are not held to it."""
    from .extensions import password_max_age

    if hasattr(user, "citizen"):
        return None
    ages = [days for _, fn in password_max_age.registered() if (days := fn(user))]
    if not ages:
        return None
    set_at = password_set_at(user)
    if set_at is None:
        return None
    days = min(ages)
    return days if (now or timezone.now()) - set_at > timedelta(days=days) else None


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


# --- citizens: portal accounts and SMS login codes (moved from cases) ------------------

log = logging.getLogger("govhall.accounts")
CODE_TTL = timedelta(minutes=10)
CODE_GAP = timedelta(seconds=60)


def _code_hash(phone: str, code: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{phone}:{code}".encode()).hexdigest()


def _clean_mobile(phone: str) -> str:
    phone = re.sub(r"\s+", "", phone or "")
    if not re.fullmatch(r"1[3-9]\d{9}", phone):
        raise DomainError("请填写 11 位手机号。", field="phone")
    return phone


@transaction.atomic
def citizen_send_code(*, phone: str, purpose: str = "register") -> None:
    """Send a 6-digit verification code (one a minute per phone), after the commit."""
    phone = _clean_mobile(phone)
    last = SmsCode.objects.filter(phone=phone).first()
    if last and timezone.now() - last.created_at < CODE_GAP:
        raise DomainError("验证码已发送，请 1 分钟后再试。", field="phone", code="too_soon")
    code = f"{secrets.randbelow(10**6):06d}"
    # A code is the system's own row (no history): only its hash is kept.
    SmsCode.objects.create(phone=phone, purpose=purpose, code_hash=_code_hash(phone, code))
    transaction.on_commit(lambda: send_sms(phone, f"【政务服务】您的验证码是 {code}，10 分钟内有效。"))


def _check_code(phone: str, code: str, purpose: str) -> str:
    """Spend the code; an error message (and one attempt counted) if it is wrong."""
    with transaction.atomic():
        row = (
            SmsCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, used_at__isnull=True)
            .first()
        )
        if row is None or timezone.now() - row.created_at > CODE_TTL or row.attempts >= 5:
            return "验证码已过期，请重新获取。"
        if not secrets.compare_digest(row.code_hash, _code_hash(phone, (code or "").strip())):
            SmsCode.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
            return "验证码不正确。"
        row.used_at = timezone.now()
        row.save(update_fields=["used_at"])
    return ""


def citizen_username(phone: str) -> str:
    """A citizen's login name: opaque, derived from the phone's lookup hash, so
    the phone is never stored in clear as a user name. Citizens sign in with
    their phone; `selectors.citizen_login_name` finds this name from it."""
    return "c-" + lookup_hash(phone)[:20]


def citizen_register(*, phone: str, code: str, password: str, full_name: str = "") -> User:
    """A citizen's portal account: signs in with the verified phone number."""
    phone = _clean_mobile(phone)
    username = citizen_username(phone)
    if (
        CitizenAccount.objects.filter(phone_hash=lookup_hash(phone)).exists()
        or User.objects.filter(username=username).exists()
    ):
        raise DomainError("该手机号已注册，请直接登录。", field="phone", code="duplicate")
    try:
        validate_password(password, User(username=phone, phone=phone, full_name=full_name or ""))
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), field="password") from exc
    problem = _check_code(phone, code, "register")
    if problem:
        raise DomainError(problem, field="code")
    with transaction.atomic():
        user = user_create(
            by=None,
            username=username,
            full_name=(full_name or "").strip()[:50],
            password=password,
            phone=phone,
        )
        save_recorded(
            CitizenAccount(user=user, phone=phone, verified_at=timezone.now()), by=user, reason="群众注册"
        )
    log.info("群众注册 %s", mask_phone(phone))
    return user


# --- idle accounts (等保 2.0: accounts nobody uses are closed) -----------------------------


def idle_accounts_disable(*, now: datetime | None = None) -> list[str]:
    """Disable staff accounts not used for settings.GOVHALL_IDLE_ACCOUNT_DAYS days
    (last login, or creation if never logged in), each recorded. Citizens' portal
    accounts are theirs and are left alone. Idempotent."""
    days = int(getattr(settings, "GOVHALL_IDLE_ACCOUNT_DAYS", 90))
    if days <= 0:
        return []
    cutoff = (now or timezone.now()) - timedelta(days=days)
    idle = (
        User.objects.filter(is_active=True, citizen__isnull=True)
        .filter(models.Q(last_login__lt=cutoff) | models.Q(last_login__isnull=True, date_joined__lt=cutoff))
        .order_by("pk")
    )
    done = []
    for user in idle:
        with transaction.atomic():
            user.is_active = False
            save_recorded(user, by=None, reason=f"{days} 天未登录，系统自动停用")
        log.warning("账号 %s 已 %s 天未登录，自动停用", user.username, days)
        done.append(user.username)
    return done


# ── Staff badge (工号与照片, shown on the window's rating pad) ──

PHOTO_MAX_BYTES = 512 * 1024
PHOTO_TYPES = {PNG: "png", JPEG: "jpg"}  # magic bytes → extension


def photo_check(file: Any) -> str:
    """The photo's extension, from its first bytes (PNG or JPEG only, at most 512 KB);
    the name the browser sent is not trusted."""
    check_size(
        file,
        max_bytes=PHOTO_MAX_BYTES,
        field="photo",
        empty="照片文件是空的。",
        too_large="照片不能超过 512 KB（该文件 {size_kb} KB）。",
    )
    ext = kind_by_magic(file, PHOTO_TYPES)
    if ext is None:
        raise DomainError("照片只能是 PNG 或 JPEG 图片。", field="photo", code="file_type")
    return ext


def may_edit_badge(by: Any, user: User) -> bool:
    """The district office (for anyone it can see), or a hall manager for the
    people holding a role at their hall."""
    from .selectors import can_manage_people, center_ids_acting_as, person_get

    if by is None or not getattr(by, "is_authenticated", False):
        return False
    if can_manage_people(by):
        return person_get(user=by, pk=user.pk) is not None
    halls = center_ids_acting_as(by, {Role.BRANCH_MANAGER})
    return bool(halls) and RoleAssignment.objects.filter(user=user, center_id__in=halls).exists()


@transaction.atomic
def user_badge_set(
    *,
    by: User,
    user: User,
    staff_number: str | None = None,
    photo: Any = None,
    remove_photo: bool = False,
) -> User:
    """Set a staff member's 工号 and photo (the district office, or the manager of
    their hall). `None` leaves a value as it is; the photo is checked by content."""
    if not may_edit_badge(by, user):
        raise Refused("只有区政务办或本大厅负责人可以设置工号和照片。")
    user = User.objects.select_for_update().get(pk=user.pk)
    reasons = []
    if staff_number is not None:
        number = staff_number.strip()
        if len(number) > 20:
            raise DomainError("工号不能超过 20 个字符。", field="staff_number")
        if number and not re.fullmatch(r"[0-9A-Za-z\-]+", number):
            raise DomainError("工号只能包含字母、数字和连字符。", field="staff_number")
        if number != user.staff_number:
            user.staff_number = number
            reasons.append("工号")
    if photo is not None:
        ext = photo_check(photo)
        # A new name each time; the old file stays, as the history rows name it.
        user.photo.save(f"{user.pk}-{secrets.token_hex(6)}.{ext}", photo, save=False)
        reasons.append("照片")
    elif remove_photo and user.photo:
        user.photo = ""
        reasons.append("删除照片")
    if reasons:
        save_recorded(user, by=by, reason="设置" + "、".join(reasons))
    return user
