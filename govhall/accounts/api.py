"""Accounts API: who am I, and the district office's API tokens.

Thin doors: input is parsed by the schemas, scope comes from the selectors, and
every write goes through govhall.accounts.services."""

from datetime import datetime
from typing import Any, cast

from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import django_auth

from govhall.core.errors import DomainError, NotFound
from govhall.core.paging import Paging

from . import services
from .models import ApiToken, Role, RoleAssignment
from .selectors import api_tokens_visible_to, centers_visible_to, users_visible_to

router = Router(tags=["accounts"])


class ApiError(Schema):
    """Every API error: a plain-Chinese message, a machine code and, for bad
    input, the messages per field."""

    detail: str = Field(..., description="给人看的错误说明")
    code: str = Field(..., description="机器可读的错误代码，如 invalid、forbidden、not_found、wrong_state")
    errors: Any = Field(None, description="按字段列出的错误（400：{字段: [说明]}；422：校验错误列表）")
    data: Any = Field(None, description="机器可读的补充信息，如 missing_material_ids（缺少的必要材料 id）")


def error_responses(*codes: int) -> dict[int, type[Schema]]:
    """The error statuses an operation declares in the OpenAPI document."""
    return dict.fromkeys(codes, ApiError)


READ_ERRORS = error_responses(401, 404, 422)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422)


# --- me ---------------------------------------------------------------------


class RoleOut(Schema):
    code: str = Field(..., description="角色代码")
    label: str = Field(..., description="角色名称")
    center_code: str
    center_name: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    roles: list[RoleOut]
    visible_center_codes: list[str] = Field(
        ..., description="可见中心的编码（接口令牌只限于签发时选定的中心）"
    )
    via_token: bool = Field(..., description="本次请求是否使用接口令牌")


@router.get(
    "/me",
    response={200: MeOut, **error_responses(401)},
    summary="当前用户：角色与可见中心",
    operation_id="me",
)
def me(request):
    user = request.user
    roles = [
        {
            "code": a.role,
            "label": Role(a.role).label,
            "center_code": a.center.code,
            "center_name": a.center.name,
        }
        for a in RoleAssignment.objects.filter(user=user)
        .select_related("center")
        .order_by("role", "center__code")
    ]
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "roles": roles,
        "visible_center_codes": list(
            centers_visible_to(user).order_by("code").values_list("code", flat=True)
        ),
        "via_token": getattr(request, "api_token", None) is not None,
    }


class PasswordChangeIn(Schema):
    old_password: str = Field(..., max_length=128, description="原密码")
    new_password: str = Field(
        ..., max_length=128, description="新密码（至少 10 位，3 类字符，不能与最近 5 次相同）"
    )


class PasswordChangedOut(Schema):
    detail: str


@router.post(
    "/me/password",
    auth=[django_auth],
    response={200: PasswordChangedOut, **WRITE_ERRORS},
    summary="修改本人密码（仅限登录会话，接口令牌不可用）",
    operation_id="me_password_change",
)
def me_password_change(request, data: PasswordChangeIn):
    # Session only: a leaked API token must not be able to take over the account.
    from django.contrib.auth import update_session_auth_hash

    user = services.password_change(
        by=request.user, user=request.user, old_password=data.old_password, new_password=data.new_password
    )
    update_session_auth_hash(request, user)
    request.session["password_expired_days"] = 0
    return {"detail": "密码已修改。"}


# --- API tokens (district office only) ----------------------------------------
# Managed from a logged-in session only: a token must never mint or revoke
# tokens, or a leaked key could outlive its own revocation.
TOKEN_AUTH = [django_auth]


class TokenOut(Schema):
    id: int
    name: str
    username: str
    prefix: str = Field(..., description="密钥前缀，用于辨认；完整密钥只在签发时返回一次")
    centers: list[str] = Field(..., description="限定中心的编码")
    issued_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    is_active: bool

    @staticmethod
    def resolve_username(obj: ApiToken) -> str:
        return obj.user.username

    @staticmethod
    def resolve_centers(obj: ApiToken) -> list[str]:
        return sorted(c.code for c in obj.centers.all())

    @staticmethod
    def resolve_issued_by(obj: ApiToken) -> str:
        return obj.issued_by.display_name


class TokenIssuedOut(TokenOut):
    key: str = Field(..., description="完整密钥：只在此时显示一次，请妥善保存")


class TokenIn(Schema):
    name: str = Field(..., max_length=100, description="令牌名称，如“民政业务系统”")
    username: str = Field(..., max_length=150, description="令牌所属账号")
    centers: list[str] = Field(..., description="限定中心的编码")
    expires_at: datetime | None = Field(None, description="到期时间（可选）")


@router.get(
    "/tokens",
    auth=TOKEN_AUTH,
    response={200: list[TokenOut], **error_responses(401, 403, 422)},
    summary="接口令牌列表（区政务办）",
    operation_id="tokens_list",
)
@paginate(Paging)
def tokens_list(request):
    return api_tokens_visible_to(request.user)


@router.post(
    "/tokens",
    auth=TOKEN_AUTH,
    response={201: TokenIssuedOut, **WRITE_ERRORS},
    summary="签发接口令牌（区政务办；密钥只返回一次）",
    operation_id="tokens_issue",
)
def tokens_issue(request, data: TokenIn):
    by = request.user
    api_tokens_visible_to(by)  # only the district office manages tokens: refuse before looking anything up
    user = users_visible_to(by).filter(username=data.username).first()
    if user is None:
        raise DomainError(f"没有找到账号“{data.username}”。", field="username")
    codes = list(dict.fromkeys(data.centers))
    centers = list(centers_visible_to(by).filter(code__in=codes))
    missing = sorted(set(codes) - {c.code for c in centers})
    if missing:
        raise DomainError(f"没有找到中心：{'、'.join(missing)}。", field="centers")
    expires_at = data.expires_at
    if expires_at is not None and timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at)  # a time without zone is Beijing time
    token, key = services.api_token_issue(
        by=by, user=user, name=data.name, centers=centers, expires_at=expires_at
    )
    cast(Any, token).key = key  # shown this once (TokenIssuedOut); only its hash is stored
    return Status(201, token)


@router.post(
    "/tokens/{token_id}/revoke",
    auth=TOKEN_AUTH,
    response={200: TokenOut, **WRITE_ERRORS},
    summary="吊销接口令牌（区政务办）",
    operation_id="tokens_revoke",
)
def tokens_revoke(request, token_id: int):
    token = api_tokens_visible_to(request.user).filter(pk=token_id).first()
    if token is None:
        raise NotFound("没有找到该令牌。")
    return services.api_token_revoke(by=request.user, token=token)


# --- staff badge (工号与照片) ---------------------------------------------------------

from ninja import File, Form, UploadedFile  # noqa: E402

from .selectors import person_get  # noqa: E402


class BadgeOut(Schema):
    id: int
    full_name: str
    staff_number: str = Field(..., description="工号")
    has_photo: bool = Field(..., description="是否已上传照片（评价器显示照片，否则显示姓名首字）")


def _badge_out(user: Any) -> dict[str, Any]:
    return {
        "id": user.pk,
        "full_name": user.full_name,
        "staff_number": user.staff_number,
        "has_photo": bool(user.photo),
    }


@router.post(
    "/people/{person_id}/badge",
    response={200: BadgeOut, **WRITE_ERRORS},
    summary="设置工号与照片（区政务办或本大厅负责人；照片 PNG/JPEG，不超过 512 KB，multipart）",
    operation_id="people_badge_set",
)
def people_badge_set(
    request,
    person_id: int,
    staff_number: Form[str | None] = None,
    remove_photo: Form[bool] = False,
    photo: File[UploadedFile | None] = None,
):
    person = person_get(user=request.user, pk=person_id)
    if person is None:
        raise NotFound("没有找到该人员，或您无权查看。")
    person = services.user_badge_set(
        by=request.user, user=person, staff_number=staff_number, photo=photo, remove_photo=remove_photo
    )
    return _badge_out(person)
