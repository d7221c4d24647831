"""The JSON doors of coordination under /api/v1/ (tag 协同联动): thin calls to the same
selectors and services as the pages. Personal data is masked in every answer. Sections:
信息沟通 (notices), 联席会议 (joint meetings and action items), 帮办代办 and 公示公开."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from govhall.accounts.api import READ_ERRORS, WRITE_ERRORS, error_responses
from govhall.accounts.models import User
from govhall.centers.models import Center, Department
from govhall.core.errors import DomainError
from govhall.core.paging import Paging
from govhall.queueing.selectors import hall_get

from . import selectors, services
from .models import HelpAuthorization, HelpRequest, Meeting, Notice, NoticeReceipt
from .views_disclosure import public_center
from .views_meetings import action_items_xlsx
from .views_notices import attachment_response

router = Router(tags=["协同联动"])

# ── 信息沟通 (notices) ──


def _signed_in_or_none(request) -> Any:
    user = getattr(request, "auth", None) or request.user
    return user if getattr(user, "is_authenticated", False) else None


class NoticeAttachmentOut(Schema):
    id: int
    name: str
    file_type: str
    size: int
    url: str = Field(..., description="下载地址（仅发送方与收件人）")


class NoticeOut(Schema):
    id: int
    kind: str = Field(..., description="down 通知（区政务办→大厅）、up 报告（分中心→区政务办）")
    title: str
    body: str
    sender: str
    sender_center: str
    audience: str
    halls: list[str]
    roles: list[str]
    reply_required: bool
    reply_by: date | None
    sent_at: datetime
    attachments: list[NoticeAttachmentOut] = []
    read_at: datetime | None = Field(None, description="我的首次阅读时间（收件人）")
    replied_at: datetime | None = None
    reply_text: str = ""
    sender_side: bool = False


class InboxRowOut(Schema):
    notice_id: int
    kind: str
    title: str
    sender_center: str
    sent_at: datetime
    reply_required: bool
    reply_by: date | None
    read_at: datetime | None
    replied_at: datetime | None


class SentRowOut(Schema):
    id: int
    kind: str
    title: str
    sent_at: datetime
    reply_required: bool
    reply_by: date | None
    recipients: int
    read: int
    replied: int


class ReceiptOut(Schema):
    user_id: int
    name: str
    phone: str = Field(..., description="已脱敏")
    center: str
    role: str
    read_at: datetime | None
    replied_at: datetime | None
    reply_text: str
    reminders: int
    reminded_at: datetime | None


class NoticeIn(Schema):
    kind: str = Field(..., description="down 通知 / up 报告")
    title: str
    body: str
    audience: str = Field("all", description="通知：all 全部大厅、halls 指定大厅、roles 指定角色；报告忽略")
    halls: list[int] = Field([], description="指定大厅的 id（audience=halls）")
    roles: list[str] = Field([], description="branch_manager、chief_rep、clerk；不填即全部")
    reply_required: bool = False
    reply_by: date | None = None


class ReplyIn(Schema):
    text: str


class RemindOut(Schema):
    reminded: int = Field(..., description="已发短信提醒的人数")
    no_phone: int = Field(..., description="未登记手机号、无法提醒的人数")


def _notice_out(notice: Notice, receipt: NoticeReceipt | None, sender_side: bool) -> dict[str, Any]:
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
    response={200: list[InboxRowOut], **READ_ERRORS},
    summary="我的收件箱（未读在前）",
    operation_id="notices_inbox",
)
@paginate(Paging)
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
        for r in selectors.notice_inbox(_signed_in_or_none(request), q=q[:50], status=status, sort=sort)[
            :2000
        ]
    ]


@router.get(
    "/notices/sent",
    response={200: list[SentRowOut], **READ_ERRORS},
    summary="我方已发出的通知与报告（含阅读、回复人数）",
    operation_id="notices_sent",
)
@paginate(Paging)
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
        for n in selectors.notices_sent(_signed_in_or_none(request), q=q[:50], kind=kind)[:2000]
    ]


@router.post(
    "/notices",
    response={201: NoticeOut, **WRITE_ERRORS},
    summary="发通知（区政务办）或报送报告（分中心负责人）；multipart，附件 PDF/Office/OFD，每个不超过 10 MB",
    operation_id="notices_send",
)
def notices_send(
    request,
    data: Form[NoticeIn],
    attachments: File[list[UploadedFile]] = None,  # type: ignore[assignment]
):
    by = _signed_in_or_none(request)
    notice = services.notice_send(
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
    return 201, _notice_out(notice, None, True)


@router.get(
    "/notices/{pk}",
    response={200: NoticeOut, **READ_ERRORS},
    summary="一份通知（发送方或收件人；阅读回执用 POST /read）",
    operation_id="notices_get",
)
def notices_get(request, pk: int):
    notice, receipt, sender_side = selectors.notice_get(_signed_in_or_none(request), pk)
    return _notice_out(notice, receipt, sender_side)


@router.post(
    "/notices/{pk}/read",
    response={200: NoticeOut, **WRITE_ERRORS},
    summary="阅读回执（只记第一次阅读的时间）",
    operation_id="notices_read",
)
def notices_read(request, pk: int):
    by = _signed_in_or_none(request)
    notice, _receipt, sender_side = selectors.notice_get(by, pk)
    receipt = services.notice_read(by=by, notice=notice)
    return _notice_out(notice, receipt, sender_side)


@router.post(
    "/notices/{pk}/reply",
    response={200: NoticeOut, **WRITE_ERRORS},
    summary="回复（收件人，须回复的通知，只能一次）",
    operation_id="notices_reply",
)
def notices_reply(request, pk: int, payload: ReplyIn):
    by = _signed_in_or_none(request)
    notice, _receipt, sender_side = selectors.notice_get(by, pk)
    receipt = services.notice_reply(by=by, notice=notice, text=payload.text)
    return _notice_out(notice, receipt, sender_side)


@router.get(
    "/notices/{pk}/receipts",
    response={200: list[ReceiptOut], **READ_ERRORS, 403: WRITE_ERRORS[403]},
    summary="阅读与回复情况（发送方）；status：pending 未读或未回复、unread、unreplied",
    operation_id="notices_receipts",
)
@paginate(Paging)
def notices_receipts(request, pk: int, status: str = "", q: str = ""):
    notice = selectors.notice_for_sender(_signed_in_or_none(request), pk)
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
        for r in selectors.notice_tracking(notice, status=status, q=q[:50])
    ]


@router.post(
    "/notices/{pk}/remind",
    response={200: RemindOut, **WRITE_ERRORS},
    summary="一键提醒：短信提醒未读或未回复的收件人（发送方）",
    operation_id="notices_remind",
)
def notices_remind(request, pk: int):
    by = _signed_in_or_none(request)
    notice = selectors.notice_for_sender(by, pk)
    return services.notice_remind(by=by, notice=notice)


@router.get(
    "/notices/{pk}/attachments/{aid}",
    response={200: None, **READ_ERRORS},
    summary="下载附件（发送方与收件人）",
    operation_id="notices_attachment",
)
def notices_attachment(request, pk: int, aid: int):
    notice, _receipt, _sender_side = selectors.notice_get(_signed_in_or_none(request), pk)
    return attachment_response(notice, aid)


# ── 联席会议 (joint meetings) ──


MEET_MAX_ID = 2**63 - 1  # ids beyond the databases' integers are refused by the schema (422), never a 500
MeetId = Annotated[int, Field(ge=1, le=MEET_MAX_ID)]


def _actor(request: HttpRequest) -> Any:
    # Never None: None is the system itself to the services (an anonymous visitor stays anonymous).
    return getattr(request, "auth", None) or request.user


class _RowsOnDemand:
    """A queryset whose rows are turned into dicts only for the page asked for (paginate
    slices it and counts it with len)."""

    def __init__(self, qs: Any, row: Any) -> None:
        self.qs, self.row = qs, row

    def __len__(self) -> int:
        return self.qs.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [self.row(x) for x in self.qs[index]]


class InvitationOut(Schema):
    id: int
    center_id: int | None
    department_id: int | None
    invitee: str
    attendance: str = Field(..., description="''未登记、present 出席、absent 缺席、excused 请假")
    attendee: str


class MeetingOut(Schema):
    id: int
    title: str
    agenda: str
    starts_at: datetime
    place: str
    status: str
    status_label: str
    roles_invited: list[str]
    convened_by: str | None
    minutes: str


class ActionItemOut(Schema):
    id: int
    meeting_id: int
    meeting: str
    title: str
    owner_kind: str = Field(..., description="center 中心、department 部门、person 个人")
    owner: str
    owner_center_id: int | None
    owner_department_id: int | None
    owner_user_id: int | None
    due_on: date
    status: str
    status_label: str
    level: str = Field(..., description="''正常、yellow 临近期限、red 已超期")
    level_label: str
    evidence: str
    has_evidence_file: bool
    closed_by: str | None
    closed_at: datetime | None


class MeetingDetailOut(MeetingOut):
    invitations: list[InvitationOut]
    action_items: list[ActionItemOut]


def _meeting_row(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.pk,
        "title": m.title,
        "agenda": m.agenda,
        "starts_at": m.starts_at,
        "place": m.place,
        "status": m.status,
        "status_label": m.get_status_display(),
        "roles_invited": list(m.roles_invited or []),
        "convened_by": str(m.convened_by) if m.convened_by_id else None,
        "minutes": m.minutes,
    }


def _meeting_detail(user: Any, m: Meeting) -> dict[str, Any]:
    row = _meeting_row(m)
    row["invitations"] = [
        {
            "id": i.pk,
            "center_id": i.center_id,
            "department_id": i.department_id,
            "invitee": i.invitee_name,
            "attendance": i.attendance,
            "attendee": i.attendee,
        }
        for i in m.invitations.select_related("center", "department")
    ]
    row["action_items"] = [
        selectors.action_item_row(x)
        for x in selectors.action_items_search(user, meeting_id=m.pk, sort="due_on")
    ]
    return row


@router.get(
    "/meetings",
    response={200: list[MeetingOut], **READ_ERRORS},
    summary="联席会议列表（可搜索、筛选状态、排序）",
    operation_id="meetings_list",
)
@paginate(Paging)
def meetings_list(request, q: str = "", status: str = "", sort: str = ""):
    qs = selectors.meetings_search(_actor(request), q=q, status=status, sort=sort)
    return _RowsOnDemand(qs, _meeting_row)


class ConveneIn(Schema):
    title: str
    agenda: str
    starts_at: datetime
    place: str
    center_ids: list[MeetId] = Field(..., max_length=500, description="受邀中心（分中心）")
    department_ids: list[MeetId] = Field(default_factory=list, max_length=500, description="受邀部门（可选）")
    roles: list[str] = Field(
        ..., max_length=20, description="参会角色代码，如 branch_manager、department_leader"
    )


def _centers(ids: list[int]) -> list[Center]:
    found = {c.pk: c for c in Center.objects.filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise DomainError(f"没有找到中心：{missing}。", field="center_ids")
    return [found[i] for i in ids]


@router.post(
    "/meetings",
    response={201: MeetingDetailOut, **WRITE_ERRORS},
    summary="召集联席会议（区政务办）",
    operation_id="meetings_convene",
)
def meetings_convene(request, payload: ConveneIn):
    user = _actor(request)
    deps = list(Department.objects.filter(pk__in=payload.department_ids))
    if len(deps) != len(set(payload.department_ids)):
        raise DomainError("没有找到受邀部门。", field="department_ids")
    m = services.meeting_convene(
        by=user,
        title=payload.title,
        agenda=payload.agenda,
        starts_at=payload.starts_at,
        place=payload.place,
        centers=_centers(payload.center_ids),
        departments=deps,
        roles=payload.roles,
    )
    return 201, _meeting_detail(user, m)


@router.get(
    "/meetings/{pk}",
    response={200: MeetingDetailOut, **READ_ERRORS},
    summary="联席会议详情（参会单位、出席、纪要、议定事项）",
    operation_id="meetings_get",
)
def meetings_get(request, pk: int):
    user = _actor(request)
    return _meeting_detail(user, selectors.meeting_get(user, pk))


class AttendanceRowIn(Schema):
    invitation_id: MeetId
    attendance: str = Field(..., description="present 出席、absent 缺席、excused 请假、''未登记")
    attendee: str = ""


class AttendanceIn(Schema):
    rows: list[AttendanceRowIn] = Field(..., max_length=500)


@router.post(
    "/meetings/{pk}/attendance",
    response={200: MeetingDetailOut, **WRITE_ERRORS},
    summary="登记出席情况（区政务办）",
    operation_id="meetings_attendance",
)
def meetings_attendance(request, pk: int, payload: AttendanceIn):
    user = _actor(request)
    m = selectors.meeting_get(user, pk)
    services.meeting_record_attendance(
        by=user, meeting=m, attendance={r.invitation_id: (r.attendance, r.attendee) for r in payload.rows}
    )
    return _meeting_detail(user, m)


class MinutesIn(Schema):
    minutes: str


@router.post(
    "/meetings/{pk}/minutes",
    response={200: MeetingDetailOut, **WRITE_ERRORS},
    summary="登记会议纪要（区政务办；会议记为已召开）",
    operation_id="meetings_minutes",
)
def meetings_minutes(request, pk: int, payload: MinutesIn):
    user = _actor(request)
    m = services.meeting_record_minutes(
        by=user, meeting=selectors.meeting_get(user, pk), minutes=payload.minutes
    )
    return _meeting_detail(user, m)


@router.post(
    "/meetings/{pk}/cancel",
    response={200: MeetingDetailOut, **WRITE_ERRORS},
    summary="取消会议（区政务办；仅限尚未召开且无议定事项的会议）",
    operation_id="meetings_cancel",
)
def meetings_cancel(request, pk: int):
    user = _actor(request)
    m = services.meeting_cancel(by=user, meeting=selectors.meeting_get(user, pk))
    return _meeting_detail(user, m)


class ActionItemIn(Schema):
    title: str
    due_on: date
    owner_center_id: MeetId | None = Field(None, description="责任中心（三选一）")
    owner_department_id: MeetId | None = Field(None, description="责任部门（三选一）")
    owner_user_id: MeetId | None = Field(None, description="责任人（三选一）")


@router.post(
    "/meetings/{pk}/action-items",
    response={201: ActionItemOut, **WRITE_ERRORS},
    summary="录入议定事项（区政务办；责任单位或责任人三选一）",
    operation_id="meetings_action_item_add",
)
def meetings_action_item_add(request, pk: int, payload: ActionItemIn):
    user = _actor(request)
    m = selectors.meeting_get(user, pk)

    def one(model, pk_, label):
        if pk_ is None:
            return None
        obj = model.objects.filter(pk=pk_).first()
        if obj is None:
            raise DomainError(f"没有找到该{label}。", field="owner")
        return obj

    x = services.action_item_add(
        by=user,
        meeting=m,
        title=payload.title,
        due_on=payload.due_on,
        owner_center=one(Center, payload.owner_center_id, "责任中心"),
        owner_department=one(Department, payload.owner_department_id, "责任部门"),
        owner_user=one(User, payload.owner_user_id, "责任人"),
    )
    return 201, selectors.action_item_row(selectors.action_item_get(user, x.pk))


class ActionItemFilter(Schema):
    q: str = Field("", description="搜索事项、会议、责任单位或责任人")
    status: str = Field("", description="open 办理中、closed 已销号")
    level: str = Field("", description="red、yellow 或 none")
    owner_kind: str = Field("", description="center、department 或 person")
    mine: bool = Field(False, description="只看本人/本单位负责的")
    meeting_id: int | None = Field(None, ge=1, le=MEET_MAX_ID, description="只看该会议的事项")
    sort: str = Field("", description="''红牌在前、due_on、-due_on、owner、-created_at")


@router.get(
    "/action-items",
    response={200: list[ActionItemOut], **READ_ERRORS},
    summary="议定事项（红牌在前；mine=true 只看本人/本单位负责的）",
    operation_id="action_items_list",
)
@paginate(Paging)
def action_items_list(request, filters: Query[ActionItemFilter]):
    qs = selectors.action_items_search(_actor(request), **filters.dict())
    return _RowsOnDemand(qs, selectors.action_item_row)


class OwnerCountOut(Schema):
    kind: str
    owner: str
    open: int
    red: int
    yellow: int


@router.get(
    "/action-items/by-owner",
    response={200: list[OwnerCountOut], **READ_ERRORS},
    summary="未销号议定事项按责任单位汇总（区政务办）",
    operation_id="action_items_by_owner",
)
def action_items_by_owner(request):
    return selectors.action_items_by_owner(_actor(request))


@router.get(
    "/action-items/export",
    response={200: bytes, **READ_ERRORS},
    summary="议定事项导出 Excel（筛选条件同列表）",
    operation_id="action_items_export",
)
def action_items_export(request, filters: Query[ActionItemFilter]):
    return action_items_xlsx(_actor(request), filters.dict())


@router.get(
    "/action-items/{pk}",
    response={200: ActionItemOut, **READ_ERRORS},
    summary="议定事项详情",
    operation_id="action_items_get",
)
def action_items_get(request, pk: int):
    return selectors.action_item_row(selectors.action_item_get(_actor(request), pk))


@router.post(
    "/action-items/{pk}/close",
    response={200: ActionItemOut, **WRITE_ERRORS},
    summary="办结销号（责任单位或责任人；佐证必填，可附 PDF/JPG/PNG 文件，multipart）",
    operation_id="action_items_close",
)
def action_items_close(
    request, pk: int, evidence: Form[str] = "", evidence_file: File[UploadedFile | None] = None
):
    user = _actor(request)
    x = services.action_item_close(
        by=user, item=selectors.action_item_get(user, pk), evidence=evidence, evidence_file=evidence_file
    )
    return selectors.action_item_row(selectors.action_item_get(user, x.pk))


# ── 帮办代办 (help requests) and 公示公开 (disclosure) ──


class HelpStepOut(Schema):
    action: str
    label: str
    note: str
    by: str | None
    at: datetime


class HelpAuthorizationOut(Schema):
    id: int
    principal: str
    agent: str
    items: str
    valid_until: date
    content_type: str
    in_force: bool


class HelpRequestOut(Schema):
    number: str
    center: str = Field(..., description="大厅编码")
    center_name: str
    kind: str
    group: str
    channel: str
    status: str
    status_label: str
    person_name: str = Field(..., description="已脱敏")
    person_phone: str = Field(..., description="已脱敏")
    needs: str
    helper: str | None = Field(None, description="帮代办员用户名")
    result: str
    created_at: datetime
    cases: list[str] = []
    authorizations: list[HelpAuthorizationOut] = []
    steps: list[HelpStepOut] = []


def _help_request_out(r: HelpRequest, *, full: bool = False) -> dict:
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


class HelpPublicIn(Schema):
    center: str = Field(..., max_length=30, description="大厅编码")
    channel: Literal["kiosk", "phone"] = "phone"
    kind: Literal["help", "proxy"]
    group: Literal["elderly", "disabled", "key_project", "other"]
    name: str = Field(..., max_length=100)
    phone: str = Field(..., max_length=20)
    needs: str = Field(..., max_length=2000)


class HelpStaffIn(HelpPublicIn):
    channel: Literal["desk", "clerk", "phone"] = "desk"  # type: ignore[assignment]
    helper: str = Field("", max_length=150, description="帮代办员用户名（可不填，稍后分派）")


class HelpFilterIn(Schema):
    q: str = Field("", max_length=50, description="编号、姓名、事项")
    status: str = Field("", max_length=10)
    kind: str = Field("", max_length=10)
    group: str = Field("", max_length=12)
    center: str = Field("", max_length=30, description="大厅编码")
    mine: bool = Field(False, description="只看本人负责的")
    sort: str = Field("", max_length=12, description="number、created_at、status、center，前加 - 为倒序")


class HelpAuthIn(Schema):
    principal: str = Field(..., max_length=100)
    agent: str = Field(..., max_length=100)
    items: str = Field(..., max_length=1000)
    valid_until: date


class HelpReceiptOut(Schema):
    number: str
    status_label: str


class HelpAssignIn(Schema):
    helper: str = Field(..., max_length=150, description="帮代办员用户名")


class HelpNoteIn(Schema):
    note: str = Field(..., max_length=2000)


class HelpCaseIn(Schema):
    case: str = Field(..., max_length=40, description="办件编号")
    authorization: int | None = Field(None, description="委托书编号（代办必填）")


class HelpCloseIn(Schema):
    result: str = Field(..., max_length=2000)


def _hall_by_code(code: str):
    center = hall_get(code)
    if center is None:
        raise DomainError("没有找到该大厅。", field="center")
    return center


def _staff_by_username(username: str):
    if not username:
        return None
    found = User.objects.filter(username=username).first()
    if found is None:
        raise DomainError("没有该工作人员，请核对用户名。", field="helper")
    return found


@router.post(
    "/public/help-requests",
    auth=None,
    response={201: HelpReceiptOut, **error_responses(400, 422, 429)},
    summary="群众申请帮办代办（自助终端、手机）",
    operation_id="help_requests_public_create",
)
def help_requests_public_create(request, data: HelpPublicIn):
    r = services.help_request_submit(
        by=None,
        center=_hall_by_code(data.center),
        kind=data.kind,
        group=data.group,
        channel=data.channel,
        name=data.name,
        phone=data.phone,
        needs=data.needs,
    )
    return Status(201, {"number": r.number, "status_label": r.get_status_display()})


@router.get(
    "/help-requests",
    response={200: list[HelpRequestOut], **READ_ERRORS},
    summary="帮办代办列表（本大厅的；帮代办员：本人负责的）",
    operation_id="help_requests_list",
)
@paginate(Paging)
def help_requests_list(request, filters: Query[HelpFilterIn]):
    qs = selectors.help_requests_search(request.user, **filters.dict())
    return [_help_request_out(r) for r in qs]


@router.post(
    "/help-requests",
    response={201: HelpRequestOut, **WRITE_ERRORS},
    summary="登记帮办代办（帮代办窗口、窗口工作人员、电话）",
    operation_id="help_requests_create",
)
def help_requests_create(request, data: HelpStaffIn):
    r = services.help_request_submit(
        by=request.user,
        center=_hall_by_code(data.center),
        kind=data.kind,
        group=data.group,
        channel=data.channel,
        name=data.name,
        phone=data.phone,
        needs=data.needs,
        helper=_staff_by_username(data.helper),
    )
    return Status(201, _help_request_out(r, full=True))


@router.get(
    "/help-requests/figures",
    response={200: dict, **READ_ERRORS},
    summary="帮办代办统计：按大厅、按帮代办员",
    operation_id="help_requests_figures",
)
def help_requests_figures(request, month: str = ""):
    first, last = selectors.disclosure_month(month) if month else (None, None)
    return selectors.help_figures(request.user, since=first, until=last)


@router.get(
    "/help-requests/{number}",
    response={200: HelpRequestOut, **READ_ERRORS},
    summary="帮办代办详情（步骤、委托书、关联办件）",
    operation_id="help_requests_get",
)
def help_requests_get(request, number: str):
    return _help_request_out(selectors.help_request_get(request.user, number), full=True)


@router.post(
    "/help-requests/{number}/assign",
    response={200: HelpRequestOut, **WRITE_ERRORS},
    summary="分派帮代办员（大厅负责人、区政务办）",
    operation_id="help_requests_assign",
)
def help_requests_assign(request, number: str, data: HelpAssignIn):
    r = selectors.help_request_get(request.user, number)
    helper = _staff_by_username(data.helper)
    r = services.help_assign(by=request.user, request=r, helper=helper)
    return _help_request_out(r, full=True)


@router.post(
    "/help-requests/{number}/steps",
    response={201: HelpRequestOut, **WRITE_ERRORS},
    summary="记录办理情况",
    operation_id="help_requests_step",
)
def help_requests_step(request, number: str, data: HelpNoteIn):
    r = selectors.help_request_get(request.user, number)
    services.help_step_add(by=request.user, request=r, note=data.note)
    return Status(201, _help_request_out(selectors.help_request_get(request.user, number), full=True))


@router.post(
    "/help-requests/{number}/authorizations",
    response={201: HelpAuthorizationOut, **WRITE_ERRORS},
    summary="登记委托书（multipart：委托人、受托人、委托事项、有效期、扫描件 PDF/JPG/PNG）",
    operation_id="help_requests_authorize",
)
def help_requests_authorize(request, number: str, data: Form[HelpAuthIn], file: File[UploadedFile]):
    r = selectors.help_request_get(request.user, number)
    a = services.help_authorization_add(by=request.user, request=r, file=file, **data.dict())
    return Status(
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
    response={201: HelpRequestOut, **WRITE_ERRORS},
    summary="关联办件（代办须凭有效委托书，过期的委托书被拒绝）",
    operation_id="help_requests_link_case",
)
def help_requests_link_case(request, number: str, data: HelpCaseIn):
    r = selectors.help_request_get(request.user, number)
    auth = None
    if data.authorization is not None:
        auth = HelpAuthorization.objects.filter(request=r, pk=data.authorization).first()
        if auth is None:
            raise DomainError("没有找到该委托书。", field="authorization")
    services.help_case_link(by=request.user, request=r, case_number=data.case, authorization=auth)
    return Status(201, _help_request_out(selectors.help_request_get(request.user, number), full=True))


@router.post(
    "/help-requests/{number}/close",
    response={200: HelpRequestOut, **WRITE_ERRORS},
    summary="办结（记录办理结果）",
    operation_id="help_requests_close",
)
def help_requests_close(request, number: str, data: HelpCloseIn):
    r = selectors.help_request_get(request.user, number)
    r = services.help_close(by=request.user, request=r, result=data.result)
    return _help_request_out(r, full=True)


class DisclosureOut(Schema):
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
    response={200: DisclosureOut, **error_responses(404, 422)},
    summary="公示公开：服务机制、首席代表及授权、投诉渠道、办公时间、当月服务数据（month=YYYY-MM）",
    operation_id="center_disclosure",
)
def center_disclosure(request, code: str, month: str = ""):
    return selectors.disclosure(public_center(code), month=month or None)


class HelpRevealIn(Schema):
    reason: str = Field(..., max_length=200, description="查看原因（将被记录）")


class HelpRevealOut(Schema):
    phone: str


@router.post(
    "/help-requests/{number}/reveal-phone",
    response={200: HelpRevealOut, **WRITE_ERRORS},
    summary="查看申请人完整电话（帮代办员、大厅负责人；须填原因，查看被记录）",
    operation_id="help_requests_reveal_phone",
)
def help_requests_reveal_phone(request, number: str, data: HelpRevealIn):
    r = selectors.help_request_get(request.user, number)
    return {"phone": services.help_phone_reveal(by=request.user, request=r, reason=data.reason)}
