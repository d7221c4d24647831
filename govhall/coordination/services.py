"""The rules of coordination between the district center and its halls: the only writers."""

# --- help18 ---
# 帮办代办: the only writers of help requests, their steps, 委托书 and case links. Each
# is one transaction, checks before it writes, records history (save_recorded) and
# logs a HelpStep (who, when, what).
import re as _help_re  # noqa: E402
from datetime import date as _help_date  # noqa: E402
from typing import Any as _HelpAny  # noqa: E402

from django.conf import settings as _help_settings  # noqa: E402
from django.db import transaction as _help_tx  # noqa: E402
from django.utils import timezone as _help_tz  # noqa: E402

from govhall.accounts.access import access_at_center as _help_access  # noqa: E402
from govhall.cases.selectors import case_get as _help_case_get  # noqa: E402
from govhall.core.errors import DomainError as _HelpError  # noqa: E402
from govhall.core.errors import Refused as _HelpRefused  # noqa: E402
from govhall.core.errors import WrongState as _HelpWrongState  # noqa: E402
from govhall.core.history import save_recorded as _help_save  # noqa: E402
from govhall.core.services import counter_next as _help_counter  # noqa: E402

from .models import HelpAuthorization, HelpCase, HelpRequest, HelpStep  # noqa: E402
from .permissions import HELP_REFUSED, HELP_STAFF, HELP_TABLE  # noqa: E402

HELP_PHONE = _help_re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
HELP_PUBLIC_CHANNELS = {HelpRequest.Channel.KIOSK, HelpRequest.Channel.PHONE}
HELP_UPLOAD_TYPES = {  # magic bytes → (content type, extension); the extension alone is not trusted
    b"%PDF": ("application/pdf", "pdf"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
}
HS = HelpRequest.Status


def help_upload_max_bytes() -> int:
    return int(getattr(_help_settings, "GOVHALL_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def _help_step(req: HelpRequest, *, action: str, label: str, by: _HelpAny, note: str = "") -> None:
    HelpStep.objects.create(
        request=req,
        action=action,
        label=label[:80],
        note=note,
        by=by if by is not None and by.is_authenticated else None,
    )


def _help_text(value: str, *, field: str, label: str, limit: int = 2000, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise _HelpError(f"请填写{label}。", field=field)
    if len(value) > limit:
        raise _HelpError(f"{label}不能超过 {limit} 字。", field=field)
    return value


def _help_check_helper(center: _HelpAny, helper: _HelpAny) -> None:
    """A helper is a staff member holding a role at that hall itself."""
    if helper is None or not getattr(helper, "is_active", False):
        raise _HelpError("请选择帮代办员。", field="helper")
    if not helper.role_assignments.filter(center=center, role__in=HELP_STAFF).exists():
        raise _HelpError("帮代办员须是本大厅的工作人员。", field="helper")


def _help_locked(req: HelpRequest) -> HelpRequest:
    return HelpRequest.objects.select_for_update().select_related("center", "helper").get(pk=req.pk)


def _help_may_handle(by: _HelpAny, req: HelpRequest) -> None:
    """The assigned helper, the hall's manager or the district office may handle it."""
    if by is None or (req.helper_id is not None and req.helper_id == getattr(by, "id", None)):
        return
    try:
        _help_access(by, req.center, action="manage", table=HELP_TABLE, refused=HELP_REFUSED)
    except _HelpRefused:
        raise _HelpRefused("只有该事项的帮代办员或大厅负责人可以办理。") from None


def _help_open(req: HelpRequest) -> None:
    if req.status == HS.DONE:
        raise _HelpWrongState("该帮办代办已办结，不能再修改。")


@_help_tx.atomic
def help_request_submit(
    *,
    by: _HelpAny,
    center: _HelpAny,
    kind: str,
    group: str,
    channel: str,
    name: str,
    phone: str,
    needs: str,
    helper: _HelpAny = None,
) -> HelpRequest:
    """A new request with a gap-free number (BD<year>000001). From the kiosk or the phone
    anyone may ask; at the desk or a window, staff of the hall record it."""
    if center is None:
        raise _HelpError("请选择大厅。", field="center")
    if channel not in HelpRequest.Channel.values:
        raise _HelpError("渠道不正确。", field="channel")
    if channel not in HELP_PUBLIC_CHANNELS:
        _help_access(by, center, action="record", table=HELP_TABLE, refused=HELP_REFUSED)
    if kind not in HelpRequest.Kind.values:
        raise _HelpError("请选择帮办或代办。", field="kind")
    if group not in HelpRequest.Group.values:
        raise _HelpError("请选择服务对象。", field="group")
    name = _help_text(name, field="name", label="姓名（或企业名称）", limit=100)
    phone = (phone or "").strip()
    if not HELP_PHONE.match(phone):
        raise _HelpError("请填写正确的手机号或固定电话。", field="phone")
    needs = _help_text(needs, field="needs", label="需要帮助的事项")
    if helper is not None:
        _help_access(by, center, action="manage", table=HELP_TABLE, refused=HELP_REFUSED)
        _help_check_helper(center, helper)
    year = _help_tz.localdate().year
    req = HelpRequest(
        number=f"BD{year}{_help_counter(scope=f'help:{year}'):06d}",
        center=center,
        kind=kind,
        group=group,
        channel=channel,
        person_name=name,
        person_phone=phone,
        needs=needs,
        helper=helper,
        status=HS.ASSIGNED if helper is not None else HS.NEW,
        recorded_by=by if by is not None and by.is_authenticated else None,
    )
    _help_save(req, by=by, reason="登记帮办代办")
    _help_step(req, action="submit", label=f"登记（{req.get_channel_display()}）", by=by)
    if helper is not None:
        _help_step(req, action="assign", label=f"分派给 {helper.full_name}", by=by)
    return req


@_help_tx.atomic
def help_assign(*, by: _HelpAny, request: HelpRequest, helper: _HelpAny) -> HelpRequest:
    """The hall's manager (or the district office) names the helper."""
    req = _help_locked(request)
    _help_access(by, req.center, action="manage", table=HELP_TABLE, refused=HELP_REFUSED)
    _help_open(req)
    _help_check_helper(req.center, helper)
    if req.helper_id == helper.pk:
        raise _HelpWrongState("已分派给该帮代办员。")
    req.helper, req.status = helper, HS.ASSIGNED
    _help_save(req, by=by, reason="分派帮代办员")
    _help_step(req, action="assign", label=f"分派给 {helper.full_name}", by=by)
    return req


@_help_tx.atomic
def help_step_add(*, by: _HelpAny, request: HelpRequest, note: str) -> HelpStep:
    """A step of the help given (陪同填表, 代为递交材料 …), logged."""
    req = _help_locked(request)
    _help_may_handle(by, req)
    _help_open(req)
    note = _help_text(note, field="note", label="办理情况")
    _help_step(req, action="step", label="办理记录", by=by, note=note)
    _help_save(req, by=by, reason="办理记录")  # touches updated_at; the history row shows who
    return req.steps.order_by("-id").first()  # type: ignore[return-value]


def _help_check_upload(file: _HelpAny) -> str:
    if file is None:
        raise _HelpError("请上传委托书扫描件（PDF、JPG 或 PNG）。", field="file")
    size = getattr(file, "size", None) or 0
    if size <= 0:
        raise _HelpError("文件是空的。", field="file")
    limit = help_upload_max_bytes()
    if size > limit:
        raise _HelpError(
            f"文件不能超过 {limit // (1024 * 1024)} MB（该文件 {size / 1048576:.1f} MB）。", field="file"
        )
    head = file.read(16)
    file.seek(0)
    for magic, (content_type, ext) in HELP_UPLOAD_TYPES.items():
        if head.startswith(magic):
            file.name = f"weituoshu.{ext}"
            return content_type
    raise _HelpError("只能上传 PDF、JPG 或 PNG 文件（按文件内容判断）。", field="file")


@_help_tx.atomic
def help_authorization_add(
    *,
    by: _HelpAny,
    request: HelpRequest,
    principal: str,
    agent: str,
    items: str,
    valid_until: _help_date | None,
    file: _HelpAny,
) -> HelpAuthorization:
    """Record the person's 委托书: who authorises whom, for which items, until when, scanned."""
    req = _help_locked(request)
    _help_may_handle(by, req)
    _help_open(req)
    principal = _help_text(principal, field="principal", label="委托人", limit=100)
    agent = _help_text(agent, field="agent", label="受托人", limit=100)
    items = _help_text(items, field="items", label="委托事项", limit=1000)
    if valid_until is None:
        raise _HelpError("请填写委托书有效期。", field="valid_until")
    if valid_until < _help_tz.localdate():
        raise _HelpError(
            f"委托书有效期（{valid_until:%Y年%m月%d日}）已过，不能登记。", field="valid_until", code="expired"
        )
    content_type = _help_check_upload(file)
    auth = HelpAuthorization(
        request=req,
        principal=principal,
        agent=agent,
        items=items,
        valid_until=valid_until,
        file=file,
        content_type=content_type,
        recorded_by=by if by is not None and by.is_authenticated else None,
    )
    _help_save(auth, by=by, reason="登记委托书")
    _help_step(
        req,
        action="authorization",
        label="登记委托书",
        by=by,
        note=f"{principal} 委托 {agent}：{items}（有效期至 {valid_until:%Y-%m-%d}）",
    )
    return auth


def help_authorization_usable(auth: HelpAuthorization, *, today: _help_date | None = None) -> None:
    """Refuse a 委托书 past its date: nobody may act on it any longer."""
    today = today or _help_tz.localdate()
    if auth.valid_until < today:
        raise _HelpError(
            f"委托书已于 {auth.valid_until:%Y年%m月%d日} 到期，不能再用于代办；请先登记新的委托书。",
            field="authorization",
            code="authorization_expired",
        )


@_help_tx.atomic
def help_case_link(
    *, by: _HelpAny, request: HelpRequest, case_number: str, authorization: HelpAuthorization | None = None
) -> HelpCase:
    """Link a case the request produced. A 代办 case is applied for under a 委托书
    still in force; an expired one is refused and nothing is written."""
    req = _help_locked(request)
    _help_may_handle(by, req)
    _help_open(req)
    if authorization is not None and authorization.request_id != req.pk:
        raise _HelpError("该委托书不属于本帮办代办。", field="authorization")
    if req.kind == HelpRequest.Kind.PROXY and authorization is None:
        raise _HelpError("代办须选择申请人的委托书。", field="authorization")
    if authorization is not None:
        help_authorization_usable(authorization)
    number = (case_number or "").strip()
    if not number:
        raise _HelpError("请填写办件编号。", field="case")
    try:
        case = _help_case_get(user=by, number=number)
    except _HelpError:
        raise _HelpError("没有找到该办件，或您无权查看，请核对办件编号。", field="case") from None
    if HelpCase.objects.filter(request=req, case=case).exists():
        raise _HelpError("该办件已关联。", field="case")
    link = HelpCase(request=req, case=case, authorization=authorization, linked_by=by if by else None)
    _help_save(link, by=by, reason="关联办件")
    _help_step(req, action="case", label=f"关联办件 {case.number}", by=by)
    return link


@_help_tx.atomic
def help_close(*, by: _HelpAny, request: HelpRequest, result: str) -> HelpRequest:
    """办结: the result is recorded; the request can no longer change."""
    req = _help_locked(request)
    _help_may_handle(by, req)
    _help_open(req)
    if req.helper_id is None:
        raise _HelpWrongState("请先分派帮代办员。")
    req.result = _help_text(result, field="result", label="办理结果")
    req.status, req.closed_at = HS.DONE, _help_tz.now()
    _help_save(req, by=by, reason="帮办代办办结")
    _help_step(req, action="close", label="办结", by=by, note=req.result)
    return req


def help_phone_reveal(*, by: _HelpAny, request: HelpRequest, reason: str) -> str:
    """The full phone, for the helper or the hall's manager who must call the person;
    every look is recorded with its reason (core.audit)."""
    from govhall.core.audit import personal_data_access_record

    _help_may_handle(by, request)
    with _help_tx.atomic():
        personal_data_access_record(by=by, obj=request, field="phone", reason=reason)
    return request.person_phone
