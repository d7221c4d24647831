from ninja import Router

router = Router(tags=["协同联动"])

# --- notice18 ---
# 信息沟通: thin doors to the same selectors and services as the pages.
from datetime import date as _n18_date  # noqa: E402
from datetime import datetime as _n18_datetime  # noqa: E402
from typing import Any as _N18Any  # noqa: E402

from ninja import Field as _N18Field  # noqa: E402
from ninja import File as _N18File  # noqa: E402
from ninja import Form as _N18Form  # noqa: E402
from ninja import Schema as _N18Schema  # noqa: E402
from ninja import UploadedFile as _N18UploadedFile  # noqa: E402
from ninja.pagination import paginate as _n18_paginate  # noqa: E402

from govhall.accounts.api import READ_ERRORS as _N18_READ  # noqa: E402
from govhall.accounts.api import WRITE_ERRORS as _N18_WRITE  # noqa: E402
from govhall.core.paging import Paging as _N18Paging  # noqa: E402

from . import selectors as _n18_selectors  # noqa: E402
from . import services as _n18_services  # noqa: E402
from .models import Notice as _N18Notice  # noqa: E402
from .models import NoticeReceipt as _N18Receipt  # noqa: E402


def _n18_user(request) -> _N18Any:
    user = getattr(request, "auth", None) or request.user
    return user if getattr(user, "is_authenticated", False) else None


class NoticeAttachmentOut(_N18Schema):
    id: int
    name: str
    file_type: str
    size: int
    url: str = _N18Field(..., description="下载地址（仅发送方与收件人）")


class NoticeOut(_N18Schema):
    id: int
    kind: str = _N18Field(..., description="down 通知（区政务办→大厅）、up 报告（分中心→区政务办）")
    title: str
    body: str
    sender: str
    sender_center: str
    audience: str
    halls: list[str]
    roles: list[str]
    reply_required: bool
    reply_by: _n18_date | None
    sent_at: _n18_datetime
    attachments: list[NoticeAttachmentOut] = []
    read_at: _n18_datetime | None = _N18Field(None, description="我的首次阅读时间（收件人）")
    replied_at: _n18_datetime | None = None
    reply_text: str = ""
    sender_side: bool = False


class InboxRowOut(_N18Schema):
    notice_id: int
    kind: str
    title: str
    sender_center: str
    sent_at: _n18_datetime
    reply_required: bool
    reply_by: _n18_date | None
    read_at: _n18_datetime | None
    replied_at: _n18_datetime | None


class SentRowOut(_N18Schema):
    id: int
    kind: str
    title: str
    sent_at: _n18_datetime
    reply_required: bool
    reply_by: _n18_date | None
    recipients: int
    read: int
    replied: int


class ReceiptOut(_N18Schema):
    user_id: int
    name: str
    phone: str = _N18Field(..., description="已脱敏")
    center: str
    role: str
    read_at: _n18_datetime | None
    replied_at: _n18_datetime | None
    reply_text: str
    reminders: int
    reminded_at: _n18_datetime | None


class NoticeIn(_N18Schema):
    kind: str = _N18Field(..., description="down 通知 / up 报告")
    title: str
    body: str
    audience: str = _N18Field(
        "all", description="通知：all 全部大厅、halls 指定大厅、roles 指定角色；报告忽略"
    )
    halls: list[int] = _N18Field([], description="指定大厅的 id（audience=halls）")
    roles: list[str] = _N18Field([], description="branch_manager、chief_rep、clerk；不填即全部")
    reply_required: bool = False
    reply_by: _n18_date | None = None


class ReplyIn(_N18Schema):
    text: str


class RemindOut(_N18Schema):
    reminded: int = _N18Field(..., description="已发短信提醒的人数")
    no_phone: int = _N18Field(..., description="未登记手机号、无法提醒的人数")


def _n18_notice_out(notice: _N18Notice, receipt: _N18Receipt | None, sender_side: bool) -> dict[str, _N18Any]:
    return {
        "id": notice.pk,
        "kind": notice.kind,
        "title": notice.title,
        "body": notice.body,
        "sender": notice.sender.full_name or notice.sender.masked_username,
        "sender_center": notice.sender_center.name,
        "audience": notice.audience,
        "halls": [h.name for h in notice.halls.all()],
        "roles": list(notice.roles),
        "reply_required": notice.reply_required,
        "reply_by": notice.reply_by,
        "sent_at": notice.sent_at,
        "attachments": [
            {
                "id": a.pk,
                "name": a.name,
                "file_type": a.file_type,
                "size": a.size,
                "url": f"/api/v1/notices/{notice.pk}/attachments/{a.pk}",
            }
            for a in notice.attachments.all()
        ],
        "read_at": receipt.read_at if receipt else None,
        "replied_at": receipt.replied_at if receipt else None,
        "reply_text": receipt.reply_text if receipt else "",
        "sender_side": sender_side,
    }


@router.get(
    "/notices",
    response={200: list[InboxRowOut], **_N18_READ},
    summary="我的收件箱（未读在前）",
    operation_id="notices_inbox",
)
@_n18_paginate(_N18Paging)
def notices_inbox(request, q: str = "", status: str = "", sort: str = ""):
    """status: unread 未读、reply_due 待回复; sort: newest、reply_by."""
    return [
        {
            "notice_id": r.notice_id,
            "kind": r.notice.kind,
            "title": r.notice.title,
            "sender_center": r.notice.sender_center.name,
            "sent_at": r.notice.sent_at,
            "reply_required": r.notice.reply_required,
            "reply_by": r.notice.reply_by,
            "read_at": r.read_at,
            "replied_at": r.replied_at,
        }
        for r in _n18_selectors.notice_inbox(_n18_user(request), q=q[:50], status=status, sort=sort)[:2000]
    ]


@router.get(
    "/notices/sent",
    response={200: list[SentRowOut], **_N18_READ},
    summary="我方已发出的通知与报告（含阅读、回复人数）",
    operation_id="notices_sent",
)
@_n18_paginate(_N18Paging)
def notices_sent(request, q: str = "", kind: str = ""):
    return [
        {
            "id": n.pk,
            "kind": n.kind,
            "title": n.title,
            "sent_at": n.sent_at,
            "reply_required": n.reply_required,
            "reply_by": n.reply_by,
            "recipients": n.n_recipients,  # type: ignore[attr-defined]
            "read": n.n_read,  # type: ignore[attr-defined]
            "replied": n.n_replied,  # type: ignore[attr-defined]
        }
        for n in _n18_selectors.notices_sent(_n18_user(request), q=q[:50], kind=kind)[:2000]
    ]


@router.post(
    "/notices",
    response={201: NoticeOut, **_N18_WRITE},
    summary="发通知（区政务办）或报送报告（分中心负责人）；multipart，附件 PDF/Office/OFD，每个不超过 10 MB",
    operation_id="notices_send",
)
def notices_send(
    request,
    data: _N18Form[NoticeIn],
    attachments: _N18File[list[_N18UploadedFile]] = None,  # type: ignore[assignment]
):
    by = _n18_user(request)
    notice = _n18_services.notice_send(
        by=by,
        kind=data.kind,
        title=data.title,
        body=data.body,
        audience=data.audience,
        halls=data.halls,
        roles=data.roles,
        reply_required=data.reply_required,
        reply_by=data.reply_by,
        attachments=attachments or [],
    )
    return 201, _n18_notice_out(notice, None, True)


@router.get(
    "/notices/{pk}",
    response={200: NoticeOut, **_N18_READ},
    summary="一份通知（发送方或收件人；阅读回执用 POST /read）",
    operation_id="notices_get",
)
def notices_get(request, pk: int):
    notice, receipt, sender_side = _n18_selectors.notice_get(_n18_user(request), pk)
    return _n18_notice_out(notice, receipt, sender_side)


@router.post(
    "/notices/{pk}/read",
    response={200: NoticeOut, **_N18_WRITE},
    summary="阅读回执（只记第一次阅读的时间）",
    operation_id="notices_read",
)
def notices_read(request, pk: int):
    by = _n18_user(request)
    notice, _receipt, sender_side = _n18_selectors.notice_get(by, pk)
    receipt = _n18_services.notice_read(by=by, notice=notice)
    return _n18_notice_out(notice, receipt, sender_side)


@router.post(
    "/notices/{pk}/reply",
    response={200: NoticeOut, **_N18_WRITE},
    summary="回复（收件人，须回复的通知，只能一次）",
    operation_id="notices_reply",
)
def notices_reply(request, pk: int, payload: ReplyIn):
    by = _n18_user(request)
    notice, _receipt, sender_side = _n18_selectors.notice_get(by, pk)
    receipt = _n18_services.notice_reply(by=by, notice=notice, text=payload.text)
    return _n18_notice_out(notice, receipt, sender_side)


@router.get(
    "/notices/{pk}/receipts",
    response={200: list[ReceiptOut], **_N18_READ, 403: _N18_WRITE[403]},
    summary="阅读与回复情况（发送方）；status：pending 未读或未回复、unread、unreplied",
    operation_id="notices_receipts",
)
@_n18_paginate(_N18Paging)
def notices_receipts(request, pk: int, status: str = "", q: str = ""):
    notice = _n18_selectors.notice_for_sender(_n18_user(request), pk)
    return [
        {
            "user_id": r.user_id,
            "name": r.user.full_name or r.user.masked_username,
            "phone": r.masked_phone,
            "center": r.center.name,
            "role": r.role,
            "read_at": r.read_at,
            "replied_at": r.replied_at,
            "reply_text": r.reply_text,
            "reminders": r.reminders,
            "reminded_at": r.reminded_at,
        }
        for r in _n18_selectors.notice_tracking(notice, status=status, q=q[:50])
    ]


@router.post(
    "/notices/{pk}/remind",
    response={200: RemindOut, **_N18_WRITE},
    summary="一键提醒：短信提醒未读或未回复的收件人（发送方）",
    operation_id="notices_remind",
)
def notices_remind(request, pk: int):
    by = _n18_user(request)
    notice = _n18_selectors.notice_for_sender(by, pk)
    return _n18_services.notice_remind(by=by, notice=notice)


@router.get(
    "/notices/{pk}/attachments/{aid}",
    response={200: None, **_N18_READ},
    summary="下载附件（发送方与收件人）",
    operation_id="notices_attachment",
)
def notices_attachment(request, pk: int, aid: int):
    from .views_notices import attachment_response

    notice, _receipt, _sender_side = _n18_selectors.notice_get(_n18_user(request), pk)
    return attachment_response(notice, aid)
