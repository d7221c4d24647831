"""The JSON API, /api/v1/. Every router calls the same services as the pages;
domain errors become {"detail", "code"} with a 4xx status here, in one place."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth
from psycopg_pool import PoolTimeout

from govhall.accounts.selectors import api_token_user
from govhall.accounts.services import api_token_authenticate
from govhall.core.errors import DomainError, from_django_validation

log = logging.getLogger("govhall.api")


class TokenAuth(HttpBearer):
    """Bearer tokens issued by the district office; the token narrows what its
    account sees to the centers it was issued for."""

    def authenticate(self, request, token):
        found = api_token_authenticate(token)
        if found is None:
            return None
        user = api_token_user(found)
        request.user = user
        request.api_token = found
        return user


api = NinjaAPI(
    title="govhall API",
    version="1",
    description="区政务服务中心及分中心一体化管理平台接口。认证：会话（网页登录）或 `Authorization: Bearer <令牌>`。",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


def _error(request, status: int, detail, code: str, errors=None, *, data=None):
    body = {"detail": detail, "code": code}
    if errors:
        body["errors"] = errors
    if data:
        body["data"] = data
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return _error(request, exc.status, exc.message, exc.code, exc.errors or None, data=exc.data or None)


@api.exception_handler(ValidationError)
def on_django_validation(request, exc: ValidationError):
    err = from_django_validation(exc)
    return _error(request, 400, err.message, "invalid", err.errors)


@api.exception_handler(NinjaValidationError)
def on_schema_validation(request, exc: NinjaValidationError):
    return _error(request, 422, "请求数据格式不正确。", "invalid_input", exc.errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(request, 401, "请先登录或提供有效的接口令牌。", "unauthenticated")


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return _error(request, 403, str(exc) or "无权执行此操作。", "forbidden")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, "没有找到该记录，或您无权查看。", "not_found")


@api.exception_handler(PoolTimeout)
def on_pool_timeout(request, exc):
    response = _error(request, 503, "服务繁忙，请稍后重试。", "busy")
    response["Retry-After"] = "1"
    return response


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    message = str(exc)
    if "CSRF" in message:
        return _error(
            request,
            403,
            "缺少或无效的 CSRF 令牌：网页会话请求须带 X-CSRFToken 请求头，或改用接口令牌。",
            "csrf_failed",
        )
    if "parse request body" in message:
        return _error(request, 400, "请求体不是有效的 JSON。", "malformed_body")
    return _error(request, exc.status_code, message, "error")


@api.exception_handler(DatabaseError)
def on_database_error(request, exc: DatabaseError):
    """The database is down or refused us: nothing was saved; say so as 503."""
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return on_server_error(request, exc)
    log.error("数据库不可用：%s %s（%s）", request.method, request.path, type(exc).__name__)
    response = _error(
        request, 503, "数据库暂时不可用，本次请求没有保存，请稍后重试。", "database_unavailable"
    )
    response["Retry-After"] = "5"
    return response


@api.exception_handler(Exception)
def on_server_error(request, exc: Exception):
    """Anything else: logged with its traceback, answered in the documented shape."""
    log.exception("接口内部错误：%s %s", request.method, request.path, exc_info=exc)
    return _error(request, 500, "服务器内部错误，已记录，请稍后重试。", "server_error")


def _add_routers() -> None:
    from govhall.accounts.api import router as accounts_router
    from govhall.cases.api import router as cases_router
    from govhall.catalog.api import router as catalog_router
    from govhall.centers.api import router as centers_router
    from govhall.centers.api_calendar import router as calendar_router
    from govhall.feedback.api import router as feedback_router
    from govhall.queueing.api import router as queueing_router
    from govhall.staffing.api import router as staffing_router

    api.add_router("/", accounts_router)
    api.add_router("/", centers_router)
    api.add_router("/", calendar_router)
    api.add_router("/", catalog_router)
    # cases before queueing: its /windows/{id}/finish-with-case must match before
    # queueing's /windows/{id}/{action}.
    api.add_router("/", cases_router)
    api.add_router("/", queueing_router)
    api.add_router("/", staffing_router)
    api.add_router("/", feedback_router)
    from govhall.coordination.api import router as coordination_router

    api.add_router("/", coordination_router)
    # ── 工作台 (workbench) ──
    from govhall.dashboards.api import router as workbench_router

    api.add_router("/", workbench_router)
    # ── 明进暗不进检查 (stationing check) ──
    from govhall.dashboards.api_checks import router as checks_router

    api.add_router("/", checks_router)
    # ── 驾驶舱 (district cockpit) ──
    from govhall.dashboards.api_cockpit import router as cockpit_router

    api.add_router("/", cockpit_router)
    # ── 大厅实况屏 (lobby screens) ──
    from govhall.dashboards.api_lobby import router as lobby_router

    api.add_router("/", lobby_router)


_add_routers()
