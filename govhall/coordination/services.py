"""The rules of coordination between the district center and its halls: the only writers of
its records. Each function checks the actor, validates, writes in one transaction and records
history. Sections: 信息沟通 (notices and reports), 联席会议 (joint meetings and their action
items), 帮办代办 (help requests, 委托书, steps and linked cases)."""

import logging
import re
import secrets
import zipfile
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from govhall.accounts.access import access_at_center
from govhall.accounts.models import Role, RoleAssignment, User
from govhall.cases.selectors import case_get
from govhall.centers.models import Center, Department
from govhall.core.audit import personal_data_access_record
from govhall.core.errors import DomainError, NotFound, Refused, WrongState
from govhall.core.history import insert_recorded_many, save_recorded
from govhall.core.masking import mask_phone
from govhall.core.notifications import send_sms
from govhall.core.services import counter_next
from govhall.core.uploads import (
    JPEG,
    OLE2,
    PDF,
    PNG,
    ZIP,
    check_size,
    extension_of,
    kind_by_magic,
    starts_with_any,
)

from . import selectors
from .models import (
    ActionItem,
    HelpAuthorization,
    HelpCase,
    HelpRequest,
    HelpStep,
    Meeting,
    MeetingInvitation,
    Notice,
    NoticeAttachment,
    NoticeReceipt,
)
from .permissions import (
    HELP_REFUSED,
    HELP_STAFF,
    HELP_TABLE,
    MEETING_REFUSED,
    MEETING_TABLE,
    NOTICE_HALL_ROLES,
    NOTICE_REFUSED_COMPOSE,
)

# ── Shared by the parts ──


def _clean_text(
    value: str | None, *, field: str, label: str, max_length: int = 2000, required: bool = True
) -> str:
    """`value` stripped; refused on `field` when required and empty, or longer than `max_length`."""
    text = (value or "").strip()
    if required and not text:
        raise DomainError(f"请填写{label}。", field=field)
    if len(text) > max_length:
        raise DomainError(f"{label}不能超过 {max_length} 个字。", field=field)
    return text


# ── 信息沟通 (notices) ──
# Sending a notice or a report (recipients resolved once, attachments
# checked by content), reading (the first time kept), replying, and reminding by
# SMS those who have not read or replied.


notice_log = logging.getLogger("govhall.coordination.notices")

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_COUNT = 5
# extension → (magic bytes at the start, a member the zip package must hold, label)
ATTACHMENT_TYPES: dict[str, tuple[bytes, str | None, str]] = {
    "pdf": (PDF + b"-", None, "PDF"),
    "doc": (OLE2, None, "Word"),
    "docx": (ZIP, "word/", "Word"),
    "xls": (OLE2, None, "Excel"),
    "xlsx": (ZIP, "xl/", "Excel"),
    "ppt": (OLE2, None, "PowerPoint"),
    "pptx": (ZIP, "ppt/", "PowerPoint"),
    "ofd": (ZIP, "OFD.xml", "OFD"),
}
ATTACHMENT_TYPES_TEXT = "PDF、Word（doc/docx）、Excel（xls/xlsx）、PowerPoint（ppt/pptx）或 OFD"
_BAD_FILE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


def notice_attachment_check(file: Any) -> tuple[str, str]:
    """(extension, clean display name) of an uploaded attachment: an allowed
    extension whose content matches it (magic bytes, and for zip packages the
    member that makes them Word, Excel, PowerPoint or OFD), 1 byte to 10 MB.
    DomainError on the field `attachments` otherwise."""
    raw = str(getattr(file, "name", "") or "附件").replace("\\", "/").rsplit("/", 1)[-1]
    name = _BAD_FILE_NAME.sub("", raw).strip() or "附件"
    ext = extension_of(name)
    if ext not in ATTACHMENT_TYPES:
        raise DomainError(
            f"附件“{name}”的类型不允许：只能上传 {ATTACHMENT_TYPES_TEXT} 文件。",
            field="attachments",
            code="file_type",
        )
    check_size(
        file,
        max_bytes=ATTACHMENT_MAX_BYTES,
        field="attachments",
        empty=f"附件“{name}”是空文件。",
        empty_code="file_empty",
        too_large=lambda size: (
            f"附件“{name}”太大：每个附件不能超过 10 MB（该文件 {size / 1048576:.1f} MB）。"
        ),
    )
    magic, member, label = ATTACHMENT_TYPES[ext]
    ok = starts_with_any(file, (magic,))
    if ok and member is not None:
        try:
            with zipfile.ZipFile(file) as z:
                names = z.namelist()
            ok = any(n.startswith(member) or n.endswith("/" + member) or n == member for n in names)
        except (zipfile.BadZipFile, OSError, ValueError):
            ok = False
        file.seek(0)
    if not ok:
        raise DomainError(
            f"附件“{name}”的内容不是 {label} 文件（扩展名与文件内容不符），已拒收。",
            field="attachments",
            code="file_type",
        )
    if len(name) > 120:
        name = name[: 119 - len(ext)] + "." + ext
    return ext, name


def _notice_recipients(
    *, kind: str, sender: Any, sender_center: Any, halls: list, roles: list[str]
) -> list[RoleAssignment]:
    """One role assignment per person addressed (the first hall and role they hold there)."""
    if kind == Notice.Kind.UP:
        rows = RoleAssignment.objects.filter(
            center__district_id=sender_center.district_id, center__kind="district", role="district_admin"
        )
    else:
        rows = RoleAssignment.objects.filter(center__in=[h.pk for h in halls], role__in=roles)
    rows = (
        rows.filter(user__is_active=True)
        .exclude(user_id=sender.pk)
        .exclude(center__status__in=["merged", "closed"])
        .select_related("center")
        .order_by("center_id", "user_id", "id")
    )
    seen: set[int] = set()
    chosen = []
    for a in rows:
        if a.user_id not in seen:
            seen.add(a.user_id)
            chosen.append(a)
    return chosen


def _notice_sender_center(by: Any, kind: str, center: Any) -> Any:
    """The center `by` sends a `kind` notice from (theirs to choose when they hold several)."""
    if by is None or not getattr(by, "is_authenticated", False):
        raise Refused("请先登录。")
    if kind not in Notice.Kind.values:
        raise DomainError("请选择类型：通知或报告。", field="kind")
    centers = selectors.notice_compose_centers(by, kind)
    if not centers:
        raise Refused(NOTICE_REFUSED_COMPOSE)
    if center is None:
        return centers[0]
    for c in centers:
        if c.pk == center.pk:
            return c
    raise Refused("您不能以该单位的名义发送。")


def _check_notice_text(title: str, body: str, errors: dict[str, list[str]]) -> None:
    if not title:
        errors["title"] = ["请填写标题。"]
    elif len(title) > 120:
        errors["title"] = ["标题不能超过 120 个字。"]
    if not body:
        errors["body"] = ["请填写正文。"]
    elif len(body) > 5000:
        errors["body"] = ["正文不能超过 5000 个字。"]


def _notice_audience(
    sender_center: Any,
    audience: str,
    halls: Iterable[Any],
    roles: Iterable[str],
    errors: dict[str, list[str]],
) -> tuple[list, list[str]]:
    """The halls and roles a notice down addresses (all hall roles when none is chosen)."""
    role_list = list(dict.fromkeys(roles))
    if any(r not in NOTICE_HALL_ROLES for r in role_list):
        errors["roles"] = ["角色只能是分中心负责人、首席代表或窗口工作人员。"]
    if audience not in (Notice.Audience.ALL, Notice.Audience.HALLS, Notice.Audience.ROLES):
        errors["audience"] = ["请选择发送范围：全部大厅、指定大厅或指定角色。"]
    elif audience == Notice.Audience.ROLES and not role_list:
        errors["roles"] = ["按角色发送时，请至少选择一个角色。"]
    district_halls = {h.pk: h for h in selectors.notice_district_halls(sender_center)}
    hall_list: list = list(district_halls.values())
    if audience == Notice.Audience.HALLS:
        chosen = list(dict.fromkeys(getattr(h, "pk", h) for h in halls))
        hall_list = [district_halls[pk] for pk in chosen if pk in district_halls]
        if not chosen:
            errors["halls"] = ["按大厅发送时，请至少选择一个大厅。"]
        elif len(hall_list) != len(chosen):
            errors["halls"] = ["只能选择本区运行中的分中心或便民服务中心。"]
    return hall_list, role_list or list(NOTICE_HALL_ROLES)


def notice_send(
    *,
    by: Any,
    kind: str,
    title: str,
    body: str,
    audience: str = Notice.Audience.ALL,
    halls: Iterable[Any] = (),
    roles: Iterable[str] = (),
    reply_required: bool = False,
    reply_by: date | None = None,
    attachments: Iterable[Any] = (),
    center: Any = None,
) -> Notice:
    """Send a notice down (the district office to all halls, chosen halls or chosen
    roles) or a report up (a branch manager to the district office). Every check
    comes before any write; the recipients are fixed now, one receipt each."""
    sender_center = _notice_sender_center(by, kind, center)
    errors: dict[str, list[str]] = {}
    title, body = (title or "").strip(), (body or "").strip()
    _check_notice_text(title, body, errors)
    hall_list: list = []
    role_list: list[str] = []
    if kind == Notice.Kind.UP:
        audience = Notice.Audience.OFFICE
    else:
        hall_list, role_list = _notice_audience(sender_center, audience, halls, roles, errors)
    if not reply_required:
        reply_by = None
    elif reply_by is None:
        errors["reply_by"] = ["要求回复时，请填写回复期限。"]
    elif reply_by < timezone.localdate():
        errors["reply_by"] = ["回复期限不能早于今天。"]
    files = [f for f in attachments if f]
    if len(files) > ATTACHMENT_MAX_COUNT:
        errors["attachments"] = [f"附件最多 {ATTACHMENT_MAX_COUNT} 个。"]
    if errors:
        field = next(iter(errors))
        raise DomainError(errors[field][0], field=field, errors=errors)
    checked = [(f, *notice_attachment_check(f)) for f in files]
    recipients = _notice_recipients(
        kind=kind, sender=by, sender_center=sender_center, halls=hall_list, roles=role_list
    )
    if not recipients:
        raise DomainError("按所选范围没有找到收件人，请调整发送范围或角色。", field="audience")
    with transaction.atomic():
        notice = Notice(
            kind=kind,
            title=title,
            body=body,
            sender=by,
            sender_center=sender_center,
            audience=audience,
            roles=role_list,
            reply_required=bool(reply_required),
            reply_by=reply_by,
            sent_at=timezone.now(),
        )
        save_recorded(notice, by=by, reason="发送" + ("报告" if kind == Notice.Kind.UP else "通知"))
        if audience == Notice.Audience.HALLS:
            notice.halls.set(hall_list)
        insert_recorded_many(
            [
                NoticeReceipt(notice=notice, user_id=a.user_id, center_id=a.center_id, role=a.role)
                for a in recipients
            ],
            by=by,
            reason="收件",
        )
        for f, ext, name in checked:
            att = NoticeAttachment(notice=notice, name=name, file_type=ext, size=f.size)
            att.file.save(f"{secrets.token_hex(16)}.{ext}", f, save=False)
            save_recorded(att, by=by, reason="上传附件")
    return notice


def _sms_later(phone: str, text: str) -> Callable[[], None]:
    def send() -> None:
        send_sms(phone, text)

    return send


def _receipt_locked(notice: Notice, by: Any) -> NoticeReceipt | None:
    return NoticeReceipt.objects.select_for_update().filter(notice=notice, user=by).first()


@transaction.atomic
def notice_read(*, by: Any, notice: Notice) -> NoticeReceipt | None:
    """Mark `notice` read by `by` (a recipient). The first reading is the receipt:
    reading again changes nothing. None for the sender's side (no receipt)."""
    if by is None or not getattr(by, "is_authenticated", False):
        return None
    receipt = _receipt_locked(notice, by)
    if receipt is None or receipt.read_at is not None:
        return receipt
    receipt.read_at = timezone.now()
    save_recorded(receipt, by=by, reason="阅读")
    return receipt


@transaction.atomic
def notice_reply(*, by: Any, notice: Notice, text: str) -> NoticeReceipt:
    """A recipient's reply to a notice that asks for one (once; reading it too)."""
    receipt = _receipt_locked(notice, by) if by is not None else None
    if receipt is None:
        raise Refused("只有收件人可以回复。")
    if not notice.reply_required:
        raise WrongState("本通知无须回复。")
    if receipt.replied_at is not None:
        raise WrongState("您已回复过本通知，不能重复回复。")
    text = (text or "").strip()
    if not text:
        raise DomainError("请填写回复内容。", field="reply_text")
    if len(text) > 2000:
        raise DomainError("回复内容不能超过 2000 个字。", field="reply_text")
    now = timezone.now()
    receipt.read_at = receipt.read_at or now
    receipt.reply_text, receipt.replied_at = text, now
    save_recorded(receipt, by=by, reason="回复")
    return receipt


@transaction.atomic
def notice_remind(*, by: Any, notice: Notice) -> dict[str, int]:
    """一键提醒: an SMS (after commit) to each recipient who has not read, or has
    not replied when a reply is asked; phones are masked in the log. Returns
    {reminded, no_phone}: those without a phone are counted, not messaged."""
    notice = selectors.notice_for_sender(by, notice.pk)
    pending = list(
        notice.receipts.select_for_update(of=("self",))
        .filter(selectors.notice_receipts_pending_q(notice))
        .select_related("user")
        .order_by("id")
    )
    if not pending:
        raise WrongState("所有收件人均已阅读" + ("并回复" if notice.reply_required else "") + "，无须提醒。")
    return _remind(by, notice, pending, timezone.now())


def _remind(by: Any, notice: Notice, pending: list[NoticeReceipt], now: Any) -> dict[str, int]:
    """Remind each receipt in `pending` (locked): recorded on the receipt, an SMS after
    commit to those with a phone (masked in the log)."""
    what = "通知" if notice.kind == Notice.Kind.DOWN else "报告"
    reminded = no_phone = 0
    for r in pending:
        phone = r.user.phone
        todo = "阅读" if r.read_at is None else "回复"
        if notice.reply_required and r.read_at is None:
            todo = "阅读并回复"
        due = f"（回复期限 {notice.reply_by:%Y-%m-%d}）" if notice.reply_required and notice.reply_by else ""
        text = f"【政务服务】您有一份{what}“{notice.title[:30]}”尚未{todo}{due}，请登录工作台查看。"
        r.reminded_at, r.reminders = now, r.reminders + 1
        save_recorded(r, by=by, reason=("自动提醒" if by is None else "提醒") + todo)
        if phone:
            reminded += 1
            notice_log.info("通知 %s 提醒 %s（%s）", notice.pk, r.user_id, mask_phone(phone))
            transaction.on_commit(_sms_later(phone, text))
        else:
            no_phone += 1
    return {"reminded": reminded, "no_phone": no_phone}


REMIND_FROM_HOUR = 9  # automatic reminders are not sent at night


@transaction.atomic
def notices_remind_due(*, now: Any = None) -> int:
    """Periodic job: on the day before a notice's reply date and on the date itself, each
    recipient who still owes a reply gets one automatic reminder a day — none before 09:00,
    none on a day they were already reminded (by hand or by this job), none for a notice
    sent that same day. Returns how many receipts were reminded."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < REMIND_FROM_HOUR:
        return 0
    today = local.date()
    start_of_today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    done = 0
    due = Notice.objects.filter(  # a notice sent today is not chased the same day
        reply_required=True,
        reply_by__gte=today,
        reply_by__lte=today + timedelta(days=1),
        sent_at__lt=start_of_today,
    ).order_by("id")
    for notice in due:
        pending = list(
            notice.receipts.select_for_update(of=("self",))
            .filter(selectors.notice_receipts_pending_q(notice))
            .exclude(reminded_at__gte=start_of_today)
            .select_related("user")
            .order_by("id")
        )
        if pending:
            _remind(None, notice, pending, now)
            done += len(pending)
    return done


# ── 联席会议 (joint meetings) ──
# The only writers of meetings, their attendance and minutes, and their action
# items. Each checks the actor, validates, writes in one transaction and records history.


INVITABLE_ROLES = {
    Role.BRANCH_MANAGER,
    Role.DEPARTMENT_LEADER,
    Role.CHIEF_REP,
    Role.CLERK,
    Role.DISTRICT_ADMIN,
}
EVIDENCE_TYPES = {  # extension → magic bytes
    "pdf": (PDF,),
    "jpg": (JPEG,),
    "jpeg": (JPEG,),
    "png": (PNG,),
}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def _run_meeting(by: Any, meeting: Meeting) -> None:
    """Only the district office of the meeting's district runs it (others: 404 if unseen, else 403)."""
    if by is None:
        return
    if meeting.district_id in selectors.meeting_districts(by):
        return
    if selectors.meetings_visible_to(by).filter(pk=meeting.pk).exists():
        raise Refused(MEETING_REFUSED["convene"])
    raise NotFound("没有找到该会议，或您无权查看。")


@transaction.atomic
def meeting_convene(
    *,
    by: User | None,
    title: str,
    agenda: str,
    starts_at: datetime | None,
    place: str,
    centers: Iterable[Center],
    departments: Iterable[Department] = (),
    roles: Iterable[str] = (),
) -> Meeting:
    """召集联席会议: the district office invites some or all of its halls (and, optionally,
    departments) and the roles expected to attend."""
    centers = list(dict.fromkeys(centers))
    departments = list(dict.fromkeys(departments))
    roles = sorted(set(roles))
    title = _clean_text(title, field="title", label="会议名称", max_length=100)
    agenda = _clean_text(agenda, field="agenda", label="议程", max_length=4000)
    place = _clean_text(place, field="place", label="地点", max_length=100)
    if starts_at is None:
        raise DomainError("请填写召开时间。", field="starts_at")
    if not centers:
        raise DomainError("请至少邀请一个中心（分中心）。", field="centers")
    bad_roles = [r for r in roles if r not in INVITABLE_ROLES]
    if bad_roles:
        raise DomainError(f"不能邀请该角色：{'、'.join(bad_roles)}。", field="roles")
    if not roles:
        raise DomainError("请至少选择一个参会角色。", field="roles")
    for c in centers:
        access_at_center(by, c, action="convene", table=MEETING_TABLE, refused=MEETING_REFUSED["convene"])
    district_ids = {c.district_id for c in centers}
    if len(district_ids) != 1:
        raise DomainError("受邀中心须属于同一个区县。", field="centers")
    (district_id,) = district_ids
    for d in departments:
        if d.district_id != district_id:
            raise DomainError("受邀部门须属于本区县。", field="departments")
    meeting = save_recorded(
        Meeting(
            district_id=district_id,
            title=title,
            agenda=agenda,
            starts_at=starts_at,
            place=place,
            roles_invited=roles,
            convened_by=by,
        ),
        by=by,
        reason="召集联席会议",
    )
    for c in centers:
        save_recorded(MeetingInvitation(meeting=meeting, center=c), by=by, reason="邀请参会")
    for d in departments:
        save_recorded(MeetingInvitation(meeting=meeting, department=d), by=by, reason="邀请参会")
    return meeting


@transaction.atomic
def meeting_record_attendance(
    *, by: User | None, meeting: Meeting, attendance: Mapping[int, tuple[str, str]]
) -> Meeting:
    """出席登记: {invitation id: (attendance, attendee name)}; present needs a name."""
    _run_meeting(by, meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise WrongState("会议已取消，不能登记出席。")
    invitations = {i.pk: i for i in meeting.invitations.select_for_update()}
    for pk, (status, given) in attendance.items():
        inv = invitations.get(pk)
        if inv is None:
            raise DomainError("该单位不在本次会议的邀请名单中。", field="attendance")
        if status not in MeetingInvitation.Attendance.values:
            raise DomainError("出席情况只能是出席、缺席或请假。", field=f"attendance_{pk}")
        attendee = _clean_text(given, field=f"attendee_{pk}", label="参会人", max_length=100, required=False)
        if status == MeetingInvitation.Attendance.PRESENT and not attendee:
            raise DomainError(f"{inv.invitee_name}：出席时请填写参会人。", field=f"attendee_{pk}")
        if (inv.attendance, inv.attendee) != (status, attendee):
            inv.attendance, inv.attendee = status, attendee
            save_recorded(inv, by=by, reason="登记出席")
    return meeting


@transaction.atomic
def meeting_record_minutes(*, by: User | None, meeting: Meeting, minutes: str) -> Meeting:
    """会议纪要: recording the minutes marks the meeting held."""
    _run_meeting(by, meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise WrongState("会议已取消，不能登记纪要。")
    meeting.minutes = _clean_text(minutes, field="minutes", label="会议纪要", max_length=10000)
    meeting.status = Meeting.Status.HELD
    return save_recorded(meeting, by=by, reason="登记会议纪要")


@transaction.atomic
def meeting_cancel(*, by: User | None, meeting: Meeting) -> Meeting:
    """取消会议: only a meeting not yet held and with no decisions recorded."""
    _run_meeting(by, meeting)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.CONVENED:
        raise WrongState("只有尚未召开的会议可以取消。")
    if meeting.action_items.exists():
        raise WrongState("会议已有议定事项，不能取消。")
    meeting.status = Meeting.Status.CANCELLED
    return save_recorded(meeting, by=by, reason="取消会议")


@transaction.atomic
def action_item_add(
    *,
    by: User | None,
    meeting: Meeting,
    title: str,
    due_on: date | None,
    owner_center: Center | None = None,
    owner_department: Department | None = None,
    owner_user: User | None = None,
) -> ActionItem:
    """议定事项: a decision with exactly one owner (a hall, a department or a person) and a due date."""
    _run_meeting(by, meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise WrongState("会议已取消，不能录入议定事项。")
    title = _clean_text(title, field="title", label="议定事项", max_length=300)
    owners = [o for o in (owner_center, owner_department, owner_user) if o is not None]
    if len(owners) != 1:
        raise DomainError("请指定一个责任单位或责任人（中心、部门、个人三选一）。", field="owner")
    if owner_center is not None and owner_center.district_id != meeting.district_id:
        raise DomainError("责任中心须属于本区县。", field="owner")
    if owner_department is not None and owner_department.district_id != meeting.district_id:
        raise DomainError("责任部门须属于本区县。", field="owner")
    if (
        owner_user is not None
        and not RoleAssignment.objects.filter(
            user=owner_user, center__district_id=meeting.district_id
        ).exists()
    ):
        raise DomainError("责任人须是本区县的工作人员。", field="owner")
    if due_on is None:
        raise DomainError("请填写完成期限。", field="due_on")
    if due_on < timezone.localdate():
        raise DomainError("完成期限不能早于今天。", field="due_on")
    return save_recorded(
        ActionItem(
            meeting=meeting,
            title=title,
            owner_center=owner_center,
            owner_department=owner_department,
            owner_user=owner_user,
            due_on=due_on,
            created_by=by,
        ),
        by=by,
        reason="录入议定事项",
    )


def _check_evidence_file(file: Any) -> None:
    ext = extension_of(getattr(file, "name", ""))
    if ext not in EVIDENCE_TYPES:
        raise DomainError("佐证材料只能上传 PDF、JPG 或 PNG 文件。", field="evidence_file", code="file_type")
    check_size(
        file,
        max_bytes=EVIDENCE_MAX_BYTES,
        field="evidence_file",
        empty="佐证材料文件是空的。",
        too_large="佐证材料不能超过 10 MB。",
    )
    if not starts_with_any(file, EVIDENCE_TYPES[ext]):
        raise DomainError("佐证材料的内容与扩展名不符。", field="evidence_file", code="file_type")


@transaction.atomic
def action_item_close(
    *, by: User | None, item: ActionItem, evidence: str, evidence_file: Any = None
) -> ActionItem:
    """销号: the owner closes the item with evidence (text, and optionally a file)."""
    item = ActionItem.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=item.pk)
    if by is not None and not selectors.is_owner(by, item):
        if selectors.action_items_visible_to(by).filter(pk=item.pk).exists():
            raise Refused("只有该事项的责任单位或责任人可以销号。")
        raise NotFound("没有找到该议定事项，或您无权查看。")
    if item.status != ActionItem.Status.OPEN:
        raise WrongState("该事项已销号。")
    item.evidence = _clean_text(evidence, field="evidence", label="办结佐证", max_length=4000)
    if evidence_file:
        _check_evidence_file(evidence_file)
        item.evidence_file = evidence_file
    item.status = ActionItem.Status.CLOSED
    item.closed_by = by
    item.closed_at = timezone.now()
    return save_recorded(item, by=by, reason="办结销号")


# ── 帮办代办 (help requests) ──
# The only writers of help requests, their steps, 委托书 and case links. Each
# is one transaction, checks before it writes, records history (save_recorded) and
# logs a HelpStep (who, when, what).


HELP_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
HELP_PUBLIC_CHANNELS = {HelpRequest.Channel.KIOSK, HelpRequest.Channel.PHONE}
HELP_UPLOAD_TYPES = {  # magic bytes → (content type, extension); the extension alone is not trusted
    PDF: ("application/pdf", "pdf"),
    JPEG: ("image/jpeg", "jpg"),
    PNG: ("image/png", "png"),
}
HS = HelpRequest.Status


def help_upload_max_bytes() -> int:
    return int(getattr(settings, "GOVHALL_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def _log_help_step(req: HelpRequest, *, action: str, label: str, by: Any, note: str = "") -> None:
    HelpStep.objects.create(
        request=req,
        action=action,
        label=label[:80],
        note=note,
        by=by if by is not None and by.is_authenticated else None,
    )


def _check_helper(center: Any, helper: Any) -> None:
    """A helper is a staff member holding a role at that hall itself."""
    if helper is None or not getattr(helper, "is_active", False):
        raise DomainError("请选择帮代办员。", field="helper")
    if not helper.role_assignments.filter(center=center, role__in=HELP_STAFF).exists():
        raise DomainError("帮代办员须是本大厅的工作人员。", field="helper")


def _request_locked(req: HelpRequest) -> HelpRequest:
    return (
        HelpRequest.objects.select_for_update(of=("self",)).select_related("center", "helper").get(pk=req.pk)
    )


def _check_may_handle(by: Any, req: HelpRequest) -> None:
    """The assigned helper, the hall's manager or the district office may handle it."""
    if by is None or (req.helper_id is not None and req.helper_id == getattr(by, "id", None)):
        return
    try:
        access_at_center(by, req.center, action="manage", table=HELP_TABLE, refused=HELP_REFUSED)
    except Refused:
        raise Refused("只有该事项的帮代办员或大厅负责人可以办理。") from None


def _check_open(req: HelpRequest) -> None:
    if req.status == HS.DONE:
        raise WrongState("该帮办代办已办结，不能再修改。")


@transaction.atomic
def help_request_submit(
    *,
    by: Any,
    center: Any,
    kind: str,
    group: str,
    channel: str,
    name: str,
    phone: str,
    needs: str,
    helper: Any = None,
) -> HelpRequest:
    """A new request with a gap-free number (BD<year>000001). From the kiosk or the phone
    anyone may ask; at the desk or a window, staff of the hall record it."""
    if center is None:
        raise DomainError("请选择大厅。", field="center")
    if channel not in HelpRequest.Channel.values:
        raise DomainError("渠道不正确。", field="channel")
    if channel not in HELP_PUBLIC_CHANNELS:
        access_at_center(by, center, action="record", table=HELP_TABLE, refused=HELP_REFUSED)
    if kind not in HelpRequest.Kind.values:
        raise DomainError("请选择帮办或代办。", field="kind")
    if group not in HelpRequest.Group.values:
        raise DomainError("请选择服务对象。", field="group")
    name = _clean_text(name, field="name", label="姓名（或企业名称）", max_length=100)
    phone = (phone or "").strip()
    if not HELP_PHONE.match(phone):
        raise DomainError("请填写正确的手机号或固定电话。", field="phone")
    needs = _clean_text(needs, field="needs", label="需要帮助的事项")
    if helper is not None:
        access_at_center(by, center, action="manage", table=HELP_TABLE, refused=HELP_REFUSED)
        _check_helper(center, helper)
    year = timezone.localdate().year
    req = HelpRequest(
        number=f"BD{year}{counter_next(scope=f'help:{year}'):06d}",
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
    save_recorded(req, by=by, reason="登记帮办代办")
    _log_help_step(req, action="submit", label=f"登记（{req.get_channel_display()}）", by=by)
    if helper is not None:
        _log_help_step(req, action="assign", label=f"分派给 {helper.full_name}", by=by)
    return req


@transaction.atomic
def help_assign(*, by: Any, request: HelpRequest, helper: Any) -> HelpRequest:
    """The hall's manager (or the district office) names the helper."""
    req = _request_locked(request)
    access_at_center(by, req.center, action="manage", table=HELP_TABLE, refused=HELP_REFUSED)
    _check_open(req)
    _check_helper(req.center, helper)
    if req.helper_id == helper.pk:
        raise WrongState("已分派给该帮代办员。")
    req.helper, req.status = helper, HS.ASSIGNED
    save_recorded(req, by=by, reason="分派帮代办员")
    _log_help_step(req, action="assign", label=f"分派给 {helper.full_name}", by=by)
    return req


@transaction.atomic
def help_step_add(*, by: Any, request: HelpRequest, note: str) -> HelpStep:
    """A step of the help given (陪同填表, 代为递交材料 …), logged."""
    req = _request_locked(request)
    _check_may_handle(by, req)
    _check_open(req)
    note = _clean_text(note, field="note", label="办理情况")
    _log_help_step(req, action="step", label="办理记录", by=by, note=note)
    save_recorded(req, by=by, reason="办理记录")  # touches updated_at; the history row shows who
    return req.steps.order_by("-id").first()  # type: ignore[return-value]


def _check_authorization_scan(file: Any) -> str:
    """The 委托书 scan's content type, from its first bytes; the file is renamed to match."""
    if file is None:
        raise DomainError("请上传委托书扫描件（PDF、JPG 或 PNG）。", field="file")
    check_size(
        file,
        max_bytes=help_upload_max_bytes(),
        field="file",
        empty="文件是空的。",
        too_large="文件不能超过 {limit_mb} MB（该文件 {size_mb:.1f} MB）。",
        too_large_code=None,
    )
    kind = kind_by_magic(file, HELP_UPLOAD_TYPES)
    if kind is None:
        raise DomainError("只能上传 PDF、JPG 或 PNG 文件（按文件内容判断）。", field="file")
    content_type, ext = kind
    file.name = f"weituoshu.{ext}"
    return content_type


@transaction.atomic
def help_authorization_add(
    *,
    by: Any,
    request: HelpRequest,
    principal: str,
    agent: str,
    items: str,
    valid_until: date | None,
    file: Any,
) -> HelpAuthorization:
    """Record the person's 委托书: who authorises whom, for which items, until when, scanned."""
    req = _request_locked(request)
    _check_may_handle(by, req)
    _check_open(req)
    principal = _clean_text(principal, field="principal", label="委托人", max_length=100)
    agent = _clean_text(agent, field="agent", label="受托人", max_length=100)
    items = _clean_text(items, field="items", label="委托事项", max_length=1000)
    if valid_until is None:
        raise DomainError("请填写委托书有效期。", field="valid_until")
    if valid_until < timezone.localdate():
        raise DomainError(
            f"委托书有效期（{valid_until:%Y年%m月%d日}）已过，不能登记。", field="valid_until", code="expired"
        )
    content_type = _check_authorization_scan(file)
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
    save_recorded(auth, by=by, reason="登记委托书")
    _log_help_step(
        req,
        action="authorization",
        label="登记委托书",
        by=by,
        note=f"{principal} 委托 {agent}：{items}（有效期至 {valid_until:%Y-%m-%d}）",
    )
    return auth


def help_authorization_usable(auth: HelpAuthorization, *, today: date | None = None) -> None:
    """Refuse a 委托书 past its date: nobody may act on it any longer."""
    today = today or timezone.localdate()
    if auth.valid_until < today:
        raise DomainError(
            f"委托书已于 {auth.valid_until:%Y年%m月%d日} 到期，不能再用于代办；请先登记新的委托书。",
            field="authorization",
            code="authorization_expired",
        )


@transaction.atomic
def help_case_link(
    *, by: Any, request: HelpRequest, case_number: str, authorization: HelpAuthorization | None = None
) -> HelpCase:
    """Link a case the request produced. A 代办 case is applied for under a 委托书
    still in force; an expired one is refused and nothing is written."""
    req = _request_locked(request)
    _check_may_handle(by, req)
    _check_open(req)
    if authorization is not None and authorization.request_id != req.pk:
        raise DomainError("该委托书不属于本帮办代办。", field="authorization")
    if req.kind == HelpRequest.Kind.PROXY and authorization is None:
        raise DomainError("代办须选择申请人的委托书。", field="authorization")
    if authorization is not None:
        help_authorization_usable(authorization)
    number = (case_number or "").strip()
    if not number:
        raise DomainError("请填写办件编号。", field="case")
    try:
        case = case_get(user=by, number=number)
    except DomainError:
        raise DomainError("没有找到该办件，或您无权查看，请核对办件编号。", field="case") from None
    if HelpCase.objects.filter(request=req, case=case).exists():
        raise DomainError("该办件已关联。", field="case")
    link = HelpCase(request=req, case=case, authorization=authorization, linked_by=by if by else None)
    save_recorded(link, by=by, reason="关联办件")
    _log_help_step(req, action="case", label=f"关联办件 {case.number}", by=by)
    return link


@transaction.atomic
def help_close(*, by: Any, request: HelpRequest, result: str) -> HelpRequest:
    """办结: the result is recorded; the request can no longer change."""
    req = _request_locked(request)
    _check_may_handle(by, req)
    _check_open(req)
    if req.helper_id is None:
        raise WrongState("请先分派帮代办员。")
    req.result = _clean_text(result, field="result", label="办理结果")
    req.status, req.closed_at = HS.DONE, timezone.now()
    save_recorded(req, by=by, reason="帮办代办办结")
    _log_help_step(req, action="close", label="办结", by=by, note=req.result)
    return req


def help_phone_reveal(*, by: Any, request: HelpRequest, reason: str) -> str:
    """The full phone, for the helper or the hall's manager who must call the person;
    every look is recorded with its reason (core.audit)."""
    _check_may_handle(by, request)
    with transaction.atomic():
        personal_data_access_record(by=by, obj=request, field="phone", reason=reason)
    return request.person_phone
