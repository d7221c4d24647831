"""The rules of coordination between the district center and its halls: the only writers."""

# --- meet18 ---
# 联席会议: the only writers of meetings, their attendance and minutes, and their action
# items. Each checks the actor, validates, writes in one transaction and records history.
from collections.abc import Iterable, Mapping  # noqa: E402
from datetime import date, datetime  # noqa: E402
from typing import Any  # noqa: E402

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from govhall.accounts.access import access_at_center  # noqa: E402
from govhall.accounts.models import Role, RoleAssignment, User  # noqa: E402
from govhall.centers.models import Center, Department  # noqa: E402
from govhall.core.errors import DomainError, NotFound, Refused, WrongState  # noqa: E402
from govhall.core.history import save_recorded  # noqa: E402

from . import selectors as meet_selectors  # noqa: E402
from .models import ActionItem, Meeting, MeetingInvitation  # noqa: E402
from .permissions import MEETING_REFUSED, MEETING_TABLE  # noqa: E402

INVITABLE_ROLES = {
    Role.BRANCH_MANAGER,
    Role.DEPARTMENT_LEADER,
    Role.CHIEF_REP,
    Role.CLERK,
    Role.DISTRICT_ADMIN,
}
EVIDENCE_TYPES = {  # extension → magic bytes
    "pdf": (b"%PDF",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def _meet_text(value: str | None, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(f"请填写{label}。", field=field)
    if len(text) > max_length:
        raise DomainError(f"{label}不能超过 {max_length} 个字。", field=field)
    return text


def _run_meeting(by: Any, meeting: Meeting) -> None:
    """Only the district office of the meeting's district runs it (others: 404 if unseen, else 403)."""
    if by is None:
        return
    if meeting.district_id in meet_selectors.meeting_districts(by):
        return
    if meet_selectors.meetings_visible_to(by).filter(pk=meeting.pk).exists():
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
    title = _meet_text(title, field="title", label="会议名称", max_length=100)
    agenda = _meet_text(agenda, field="agenda", label="议程", max_length=4000)
    place = _meet_text(place, field="place", label="地点", max_length=100)
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
        attendee = _meet_text(given, field=f"attendee_{pk}", label="参会人", max_length=100, required=False)
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
    meeting.minutes = _meet_text(minutes, field="minutes", label="会议纪要", max_length=10000)
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
    title = _meet_text(title, field="title", label="议定事项", max_length=300)
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
    name = getattr(file, "name", "") or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in EVIDENCE_TYPES:
        raise DomainError("佐证材料只能上传 PDF、JPG 或 PNG 文件。", field="evidence_file", code="file_type")
    size = getattr(file, "size", None) or 0
    if size <= 0:
        raise DomainError("佐证材料文件是空的。", field="evidence_file")
    if size > EVIDENCE_MAX_BYTES:
        raise DomainError("佐证材料不能超过 10 MB。", field="evidence_file", code="file_too_large")
    head = file.read(16)
    file.seek(0)
    if not any(head.startswith(m) for m in EVIDENCE_TYPES[ext]):
        raise DomainError("佐证材料的内容与扩展名不符。", field="evidence_file", code="file_type")


@transaction.atomic
def action_item_close(
    *, by: User | None, item: ActionItem, evidence: str, evidence_file: Any = None
) -> ActionItem:
    """销号: the owner closes the item with evidence (text, and optionally a file)."""
    item = ActionItem.objects.select_for_update().select_related("meeting").get(pk=item.pk)
    if by is not None and not meet_selectors.is_owner(by, item):
        if meet_selectors.action_items_visible_to(by).filter(pk=item.pk).exists():
            raise Refused("只有该事项的责任单位或责任人可以销号。")
        raise NotFound("没有找到该议定事项，或您无权查看。")
    if item.status != ActionItem.Status.OPEN:
        raise WrongState("该事项已销号。")
    item.evidence = _meet_text(evidence, field="evidence", label="办结佐证", max_length=4000)
    if evidence_file:
        _check_evidence_file(evidence_file)
        item.evidence_file = evidence_file
    item.status = ActionItem.Status.CLOSED
    item.closed_by = by
    item.closed_at = timezone.now()
    return save_recorded(item, by=by, reason="办结销号")
