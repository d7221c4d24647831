from ninja import Router

router = Router(tags=["协同联动"])


# --- help18 ---
# 帮办代办 and 公示公开: thin doors to the same services and selectors as the pages.
# Personal data is masked in every answer.
from datetime import date as _help_date  # noqa: E402
from datetime import datetime as _help_datetime  # noqa: E402
from typing import Literal as _HelpLiteral  # noqa: E402

from ninja import Field as _HelpField  # noqa: E402
from ninja import File as _HelpFile  # noqa: E402
from ninja import Form as _HelpForm  # noqa: E402
from ninja import Query as _HelpQuery  # noqa: E402
from ninja import Schema as _HelpSchema  # noqa: E402
from ninja import Status as _HelpStatus  # noqa: E402
from ninja.files import UploadedFile as _HelpUpload  # noqa: E402
from ninja.pagination import paginate as _help_paginate  # noqa: E402

from govhall.accounts.api import READ_ERRORS as _HELP_READ  # noqa: E402
from govhall.accounts.api import WRITE_ERRORS as _HELP_WRITE  # noqa: E402
from govhall.accounts.api import error_responses as _help_errors  # noqa: E402
from govhall.core.errors import DomainError as _HelpDomainError  # noqa: E402
from govhall.core.paging import Paging as _HelpPaging  # noqa: E402

from . import selectors as _help_sel  # noqa: E402
from . import services as _help_svc  # noqa: E402
from .models import HelpAuthorization as _HelpAuth  # noqa: E402
from .models import HelpRequest as _HelpReq  # noqa: E402


class HelpStepOut(_HelpSchema):
    action: str
    label: str
    note: str
    by: str | None
    at: _help_datetime


class HelpAuthorizationOut(_HelpSchema):
    id: int
    principal: str
    agent: str
    items: str
    valid_until: _help_date
    content_type: str
    in_force: bool


class HelpRequestOut(_HelpSchema):
    number: str
    center: str = _HelpField(..., description="大厅编码")
    center_name: str
    kind: str
    group: str
    channel: str
    status: str
    status_label: str
    person_name: str = _HelpField(..., description="已脱敏")
    person_phone: str = _HelpField(..., description="已脱敏")
    needs: str
    helper: str | None = _HelpField(None, description="帮代办员用户名")
    result: str
    created_at: _help_datetime
    cases: list[str] = []
    authorizations: list[HelpAuthorizationOut] = []
    steps: list[HelpStepOut] = []


def _help_out(r: _HelpReq, *, full: bool = False) -> dict:
    from django.utils import timezone

    today = timezone.localdate()
    return {
        "number": r.number,
        "center": r.center.code,
        "center_name": r.center.name,
        "kind": r.kind,
        "group": r.group,
        "channel": r.channel,
        "status": r.status,
        "status_label": r.get_status_display(),
        "person_name": r.masked_name,
        "person_phone": r.masked_phone,
        "needs": r.needs,
        "helper": r.helper.username if r.helper else None,
        "result": r.result,
        "created_at": r.created_at,
        "cases": [link.case.number for link in r.case_links.select_related("case")] if full else [],
        "authorizations": [
            {
                "id": a.pk,
                "principal": a.principal,
                "agent": a.agent,
                "items": a.items,
                "valid_until": a.valid_until,
                "content_type": a.content_type,
                "in_force": a.valid_until >= today,
            }
            for a in r.authorizations.all()
        ]
        if full
        else [],
        "steps": [
            {
                "action": s.action,
                "label": s.label,
                "note": s.note,
                "by": s.by.username if s.by else None,
                "at": s.at,
            }
            for s in r.steps.select_related("by")
        ]
        if full
        else [],
    }


class HelpPublicIn(_HelpSchema):
    center: str = _HelpField(..., max_length=30, description="大厅编码")
    channel: _HelpLiteral["kiosk", "phone"] = "phone"
    kind: _HelpLiteral["help", "proxy"]
    group: _HelpLiteral["elderly", "disabled", "key_project", "other"]
    name: str = _HelpField(..., max_length=100)
    phone: str = _HelpField(..., max_length=20)
    needs: str = _HelpField(..., max_length=2000)


class HelpStaffIn(HelpPublicIn):
    channel: _HelpLiteral["desk", "clerk", "phone"] = "desk"  # type: ignore[assignment]
    helper: str = _HelpField("", max_length=150, description="帮代办员用户名（可不填，稍后分派）")


class HelpFilterIn(_HelpSchema):
    q: str = _HelpField("", max_length=50, description="编号、姓名、事项")
    status: str = _HelpField("", max_length=10)
    kind: str = _HelpField("", max_length=10)
    group: str = _HelpField("", max_length=12)
    center: str = _HelpField("", max_length=30, description="大厅编码")
    mine: bool = _HelpField(False, description="只看本人负责的")
    sort: str = _HelpField("", max_length=12, description="number、created_at、status、center，前加 - 为倒序")


class HelpAuthIn(_HelpSchema):
    principal: str = _HelpField(..., max_length=100)
    agent: str = _HelpField(..., max_length=100)
    items: str = _HelpField(..., max_length=1000)
    valid_until: _help_date


class HelpReceiptOut(_HelpSchema):
    number: str
    status_label: str


class HelpAssignIn(_HelpSchema):
    helper: str = _HelpField(..., max_length=150, description="帮代办员用户名")


class HelpNoteIn(_HelpSchema):
    note: str = _HelpField(..., max_length=2000)


class HelpCaseIn(_HelpSchema):
    case: str = _HelpField(..., max_length=40, description="办件编号")
    authorization: int | None = _HelpField(None, description="委托书编号（代办必填）")


class HelpCloseIn(_HelpSchema):
    result: str = _HelpField(..., max_length=2000)


def _help_center(code: str):
    from govhall.queueing.selectors import hall_get

    center = hall_get(code)
    if center is None:
        raise _HelpDomainError("没有找到该大厅。", field="center")
    return center


def _help_user(username: str):
    from govhall.accounts.models import User

    if not username:
        return None
    found = User.objects.filter(username=username).first()
    if found is None:
        raise _HelpDomainError("没有该工作人员，请核对用户名。", field="helper")
    return found


@router.post(
    "/public/help-requests",
    auth=None,
    response={201: HelpReceiptOut, **_help_errors(400, 422, 429)},
    summary="群众申请帮办代办（自助终端、手机）",
    operation_id="help_requests_public_create",
)
def help_requests_public_create(request, data: HelpPublicIn):
    r = _help_svc.help_request_submit(
        by=None,
        center=_help_center(data.center),
        kind=data.kind,
        group=data.group,
        channel=data.channel,
        name=data.name,
        phone=data.phone,
        needs=data.needs,
    )
    return _HelpStatus(201, {"number": r.number, "status_label": r.get_status_display()})


@router.get(
    "/help-requests",
    response={200: list[HelpRequestOut], **_HELP_READ},
    summary="帮办代办列表（本大厅的；帮代办员：本人负责的）",
    operation_id="help_requests_list",
)
@_help_paginate(_HelpPaging)
def help_requests_list(request, filters: _HelpQuery[HelpFilterIn]):
    qs = _help_sel.help_requests_search(request.user, **filters.dict())
    return [_help_out(r) for r in qs]


@router.post(
    "/help-requests",
    response={201: HelpRequestOut, **_HELP_WRITE},
    summary="登记帮办代办（帮代办窗口、窗口工作人员、电话）",
    operation_id="help_requests_create",
)
def help_requests_create(request, data: HelpStaffIn):
    r = _help_svc.help_request_submit(
        by=request.user,
        center=_help_center(data.center),
        kind=data.kind,
        group=data.group,
        channel=data.channel,
        name=data.name,
        phone=data.phone,
        needs=data.needs,
        helper=_help_user(data.helper),
    )
    return _HelpStatus(201, _help_out(r, full=True))


@router.get(
    "/help-requests/figures",
    response={200: dict, **_HELP_READ},
    summary="帮办代办统计：按大厅、按帮代办员",
    operation_id="help_requests_figures",
)
def help_requests_figures(request, month: str = ""):
    first, last = _help_sel.disclosure_month(month) if month else (None, None)
    return _help_sel.help_figures(request.user, since=first, until=last)


@router.get(
    "/help-requests/{number}",
    response={200: HelpRequestOut, **_HELP_READ},
    summary="帮办代办详情（步骤、委托书、关联办件）",
    operation_id="help_requests_get",
)
def help_requests_get(request, number: str):
    return _help_out(_help_sel.help_request_get(request.user, number), full=True)


@router.post(
    "/help-requests/{number}/assign",
    response={200: HelpRequestOut, **_HELP_WRITE},
    summary="分派帮代办员（大厅负责人、区政务办）",
    operation_id="help_requests_assign",
)
def help_requests_assign(request, number: str, data: HelpAssignIn):
    r = _help_sel.help_request_get(request.user, number)
    helper = _help_user(data.helper)
    r = _help_svc.help_assign(by=request.user, request=r, helper=helper)
    return _help_out(r, full=True)


@router.post(
    "/help-requests/{number}/steps",
    response={201: HelpRequestOut, **_HELP_WRITE},
    summary="记录办理情况",
    operation_id="help_requests_step",
)
def help_requests_step(request, number: str, data: HelpNoteIn):
    r = _help_sel.help_request_get(request.user, number)
    _help_svc.help_step_add(by=request.user, request=r, note=data.note)
    return _HelpStatus(201, _help_out(_help_sel.help_request_get(request.user, number), full=True))


@router.post(
    "/help-requests/{number}/authorizations",
    response={201: HelpAuthorizationOut, **_HELP_WRITE},
    summary="登记委托书（multipart：委托人、受托人、委托事项、有效期、扫描件 PDF/JPG/PNG）",
    operation_id="help_requests_authorize",
)
def help_requests_authorize(request, number: str, data: _HelpForm[HelpAuthIn], file: _HelpFile[_HelpUpload]):
    r = _help_sel.help_request_get(request.user, number)
    a = _help_svc.help_authorization_add(by=request.user, request=r, file=file, **data.dict())
    return _HelpStatus(
        201,
        {
            "id": a.pk,
            "principal": a.principal,
            "agent": a.agent,
            "items": a.items,
            "valid_until": a.valid_until,
            "content_type": a.content_type,
            "in_force": True,
        },
    )


@router.post(
    "/help-requests/{number}/cases",
    response={201: HelpRequestOut, **_HELP_WRITE},
    summary="关联办件（代办须凭有效委托书，过期的委托书被拒绝）",
    operation_id="help_requests_link_case",
)
def help_requests_link_case(request, number: str, data: HelpCaseIn):
    r = _help_sel.help_request_get(request.user, number)
    auth = None
    if data.authorization is not None:
        auth = _HelpAuth.objects.filter(request=r, pk=data.authorization).first()
        if auth is None:
            raise _HelpDomainError("没有找到该委托书。", field="authorization")
    _help_svc.help_case_link(by=request.user, request=r, case_number=data.case, authorization=auth)
    return _HelpStatus(201, _help_out(_help_sel.help_request_get(request.user, number), full=True))


@router.post(
    "/help-requests/{number}/close",
    response={200: HelpRequestOut, **_HELP_WRITE},
    summary="办结（记录办理结果）",
    operation_id="help_requests_close",
)
def help_requests_close(request, number: str, data: HelpCloseIn):
    r = _help_sel.help_request_get(request.user, number)
    r = _help_svc.help_close(by=request.user, request=r, result=data.result)
    return _help_out(r, full=True)


class DisclosureOut(_HelpSchema):
    center: dict
    month: str
    month_label: str
    mechanisms: list[dict]
    chief_representatives: list[dict]
    complaint: dict
    ab_posts: dict
    figures: dict


@router.get(
    "/public/centers/{code}/disclosure",
    auth=None,
    response={200: DisclosureOut, **_help_errors(404, 422)},
    summary="公示公开：服务机制、首席代表及授权、投诉渠道、办公时间、当月服务数据（month=YYYY-MM）",
    operation_id="center_disclosure",
)
def center_disclosure(request, code: str, month: str = ""):
    from .views_disclosure import public_center

    return _help_sel.disclosure(public_center(code), month=month or None)


class HelpRevealIn(_HelpSchema):
    reason: str = _HelpField(..., max_length=200, description="查看原因（将被记录）")


class HelpRevealOut(_HelpSchema):
    phone: str


@router.post(
    "/help-requests/{number}/reveal-phone",
    response={200: HelpRevealOut, **_HELP_WRITE},
    summary="查看申请人完整电话（帮代办员、大厅负责人；须填原因，查看被记录）",
    operation_id="help_requests_reveal_phone",
)
def help_requests_reveal_phone(request, number: str, data: HelpRevealIn):
    r = _help_sel.help_request_get(request.user, number)
    return {"phone": _help_svc.help_phone_reveal(by=request.user, request=r, reason=data.reason)}
