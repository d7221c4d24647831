"""The rules of a case, from application to delivery, and of first inquiries.

* A case records the guide version it was made under; its applicant's ID
  number (GB 11643) or credit code (GB 32100) must pass its check digit.
* Case numbers come from one counter per center and day: unique, readable,
  never reused (a draft has no number yet).
* Each step is allowed only from the states named in TRANSITIONS; it records
  who, when and why (CaseEvent, plus the history of the case).
* Time limits run from acceptance in the kind the guide gives (工作日, 自然日 or
  月, `cases.limits`); special procedures (suspension) stop the clock.
* A waiting period (离婚冷静期, 民法典第1077条) is not a time limit: it runs in
  calendar days from receipt; either party may withdraw during it; afterwards
  both must come within the collect window, or the job deems it withdrawn.
* An item both parties apply for (结婚、离婚登记) needs the other party too,
  checked like the first.
* One-time notification: a later correction notice may name only materials
  named before or handed in since; anything else needs a district
  administrator's recorded justification (CorrectionException).
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from functools import partial
from types import ModuleType
from typing import Any, NotRequired, TypedDict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from govhall.accounts.models import Role, RoleAssignment, User
from govhall.catalog.models import Guide, LimitUnit, Material, ServiceItem
from govhall.centers.models import Center, Department
from govhall.core.calendar import CalendarUnknown, add_working_days, first_unknown_year, working_days_between
from govhall.core.db import Prepared
from govhall.core.errors import DomainError, NotFound, Refused, WrongState
from govhall.core.history import (
    check_fields,
    insert_recorded_many,
    insert_row,
    save_recorded,
    update_recorded,
)
from govhall.core.services import counter_next
from govhall.core.uploads import JPEG, PDF, PNG, check_size, extension_of, starts_with_any
from govhall.queueing.models import Ticket, Window
from govhall.queueing.services import ticket_finish

from .extensions import announce_case_step
from .limits import days_between, limit_end
from .models import (
    Case,
    CaseEvent,
    CaseMaterial,
    ChiefAuthorization,
    Commitment,
    CorrectionException,
    CorrectionItem,
    CorrectionNotice,
    Escalation,
    FirstInquiry,
    FollowUpMaterial,
    HandOver,
    InquiryEvent,
    Notice,
    Warning,
)
from .permissions import CASE_NOT_FOUND, access_case, access_center, is_applicant, is_party
from .selectors import (
    Completeness,
    acceptance_completeness,
    departments_led_by,
    follow_ups_open,
    follow_ups_overdue,
    guide_materials,
)

log = logging.getLogger("govhall.cases")
S = Case.Status

# action → (states it may start from, label)
TRANSITIONS: dict[str, tuple[set[str], str]] = {
    "submit": ({S.DRAFT, S.CORRECTION}, "提交申请"),
    "accept": ({S.SUBMITTED, S.CORRECTION}, "受理"),
    "deemed_accept": ({S.SUBMITTED}, "逾期视为受理"),
    "request_correction": ({S.SUBMITTED, S.CORRECTION}, "一次性告知补正"),
    "reject": ({S.SUBMITTED, S.CORRECTION}, "不予受理"),
    "start": ({S.ACCEPTED}, "开始办理"),
    "suspend": ({S.ACCEPTED, S.IN_PROGRESS}, "进入特别程序（暂停计时）"),
    "resume": ({S.SUSPENDED}, "特别程序结束（恢复计时）"),
    "complete": ({S.ACCEPTED, S.IN_PROGRESS}, "办结"),
    "deliver": ({S.COMPLETED}, "送达"),
    "withdraw": ({S.SUBMITTED, S.CORRECTION, S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED}, "撤回申请"),
    "deemed_withdraw": (
        {S.SUBMITTED, S.CORRECTION, S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED},
        "期满未申请发证，视为撤回",
    ),
}

# 收受分离: the handling hall decides on a case received elsewhere only with the materials in hand.
NEEDS_MATERIALS = {"accept", "request_correction", "reject"}

PHONE_OK = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
UPLOAD_TYPES = {  # extension → (content type, magic bytes)
    "pdf": ("application/pdf", (PDF,)),
    "jpg": ("image/jpeg", (JPEG,)),
    "jpeg": ("image/jpeg", (JPEG,)),
    "png": ("image/png", (PNG,)),
}


def upload_max_bytes() -> int:
    return int(getattr(settings, "GOVHALL_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


# 行政许可法第三十二条: accept, refuse or notify once within 5 working days of receipt;
# otherwise the application counts as accepted from the day it was received.
ACCEPT_WITHIN_DAYS = 5


def yellow_days() -> int:
    return int(getattr(settings, "GOVHALL_WARNING_YELLOW_DAYS", 1))


# --- checks ------------------------------------------------------------------------------


def check_applicant(
    *, applicant_kind: str, applicant_name: str, applicant_id_number: str, contact_phone: str
) -> tuple[str, str, str]:
    """Cleaned (name, id number, phone), or DomainError naming the field and the reason."""
    name = (applicant_name or "").strip()
    if not name:
        raise DomainError("请填写申请人姓名或单位名称。", field="applicant_name")
    number = re.sub(r"\s+", "", applicant_id_number or "").upper()
    module: ModuleType
    if applicant_kind == Case.ApplicantKind.PERSON:
        label, module = "公民身份号码", ric
    elif applicant_kind == Case.ApplicantKind.BUSINESS:
        label, module = "统一社会信用代码", uscc
    else:
        raise DomainError("请选择申请人类型。", field="applicant_kind")
    if not number:
        raise DomainError(f"请填写{label}。", field="applicant_id_number")
    try:
        module.validate(number)
    except InvalidLength:
        raise DomainError(
            f"{label}应为 18 位，您填写了 {len(number)} 位。",
            field="applicant_id_number",
            code="invalid_id_number",
        ) from None
    except InvalidChecksum:
        raise DomainError(
            f"{label}的校验位不正确，请核对最后一位。", field="applicant_id_number", code="invalid_id_number"
        ) from None
    except InvalidComponent:
        raise DomainError(
            f"{label}中的出生日期或行政区划代码无效。", field="applicant_id_number", code="invalid_id_number"
        ) from None
    except InvalidFormat:
        raise DomainError(
            f"{label}含有不允许的字符。", field="applicant_id_number", code="invalid_id_number"
        ) from None
    phone = re.sub(r"[\s]", "", contact_phone or "")
    if not PHONE_OK.match(phone):
        raise DomainError("联系电话应为 11 位手机号或带区号的固定电话。", field="contact_phone")
    return name, number, phone


def _guide_for(item: ServiceItem) -> Guide:
    guide = item.current_guide
    if guide is None or guide.status != Guide.Status.PUBLISHED or not item.is_active:
        raise DomainError(f"“{item.name}”暂无现行办事指南，不能申请。", field="item", code="no_guide")
    return guide


def _check_upload(file: Any) -> tuple[str, str]:
    ext = extension_of(getattr(file, "name", ""))
    if ext not in UPLOAD_TYPES:
        raise DomainError("只能上传 PDF、JPG 或 PNG 文件。", field="file", code="file_type")
    check_size(
        file,
        max_bytes=upload_max_bytes(),
        field="file",
        empty="文件是空的。",
        too_large="文件不能超过 {limit_mb} MB（该文件 {size_mb:.1f} MB）。",
    )
    content_type, magics = UPLOAD_TYPES[ext]
    if not starts_with_any(file, magics):
        raise DomainError("文件内容与扩展名不符。", field="file", code="file_type")
    return content_type, ext


# --- helpers -------------------------------------------------------------------------------


def _lock(case: Case) -> Case:
    """The case read again with its row locked until the transaction ends."""
    found = _case_for_update.first(case.pk)
    if found is None:
        raise NotFound("没有找到该办件。")
    return found


# Lock the case row only: without of=("self",) PostgreSQL would also lock the
# center, item and guide rows and serialise every decision at one center.
_case_for_update = Prepared(
    lambda pk: (
        Case.objects.select_for_update(of=("self",))
        .select_related("center", "item", "guide", "center__district")
        .filter(pk=pk)
    ),
    int,
)


def _transition(case: Case, *, action: str, by: User | None, reason: str = "", to: str | None = None) -> Case:
    allowed, label = TRANSITIONS[action]
    if case.status not in allowed:
        raise WrongState(f"办件当前为“{case.get_status_display()}”，不能{label}。", code="wrong_state")
    if action in NEEDS_MATERIALS and by is not None and case.received_elsewhere:
        _check_handed_over(case, label)
    if action == "complete" and case.waiting_ends_on and _today() <= case.waiting_ends_on:
        raise WrongState(
            f"{case.guide.waiting_name or '等待期'}至 {case.waiting_ends_on:%Y年%m月%d日} 届满，期满后方可办结。",
            code="in_waiting_period",
        )
    old = case.status
    if to:
        case.status = to
    update_recorded(case, by=by, reason=f"{label}{'：' + reason if reason else ''}")
    insert_row(
        CaseEvent(
            case=case,
            action=action,
            label=label,
            from_status=old,
            to_status=case.status,
            by=by,
            reason=reason or "",
        )
    )
    return case


def _step_done(case: Case, step: str, by: User | None) -> None:
    """A rateable step done by a clerk (接件 at the window, 受理, 办结): announced on commit
    (extensions.case_step_done), so the window's rating pad can ask the applicant."""
    if by is not None and by.pk is not None:
        transaction.on_commit(partial(announce_case_step, case_id=case.pk, step=step, by_id=by.pk))


def _note(case: Case, *, action: str, label: str, by: User | None, reason: str = "") -> None:
    """A step on the case that does not change its status (a commitment signed, an
    escalation, a material to follow): one event in its record."""
    insert_row(
        CaseEvent(
            case=case,
            action=action,
            label=label,
            from_status=case.status,
            to_status=case.status,
            by=by,
            reason=reason,
        )
    )


def _today() -> date:
    return timezone.localdate()


def _number_case(case: Case) -> None:
    day = _today()
    n = counter_next(scope=f"case:{case.center_id}:{day:%Y%m%d}")
    case.number = f"{case.center.code}-{day:%Y%m%d}-{n:04d}"


def _notice_number(case: Case, kind: str) -> str:
    year = _today().year
    n = counter_next(scope=f"notice:{case.center_id}:{kind}:{year}")
    return f"{case.center.code}-{Notice.CODES[kind]}-{year}-{n:05d}"


def _person(by: User | None) -> str:
    return by.display_name if by is not None else "系统"


def _issue_notice(case: Case, *, kind: str, by: User | None, extra: dict[str, Any]) -> Notice:
    titles = dict(Notice.Kind.choices)
    body = {
        "title": titles[kind],
        "center": case.center.name,
        "center_address": case.center.address,
        "center_phone": case.center.phone or case.guide.consult_phone,
        "case_number": case.number,
        "item": case.item.name,
        "guide_version": case.guide.version,
        "applicant": case.applicant_name,
        "submitted_on": timezone.localtime(case.submitted_at).strftime("%Y年%m月%d日")
        if case.submitted_at
        else "",
        "issued_on": _today().strftime("%Y年%m月%d日"),
        "issued_by": _person(by),
        "complaint_phone": case.guide.complaint_phone,
        **extra,
    }
    notice = Notice(case=case, kind=kind, number=_notice_number(case, kind), issued_by=by, body=body)
    insert_row(notice)
    return notice


def _compute_deadline(case: Case) -> None:
    """The deadline of the case's time limit, counted in the kind its guide gives
    (`cases.limits.limit_end`): working days after acceptance (flagged when a year
    is unknown), calendar days (never flagged) or months (end-of-month clamp).
    Days in special procedures push it back in the same kind: working days for a
    working-day limit, calendar days for a calendar-day or month limit. With a
    waiting period (离婚冷静期) the limit counts from the last day the parties may
    come (`collect_by`): the registry cannot be late before they have come."""
    if case.accepted_at is None or case.limit_days is None:
        case.deadline, case.deadline_unknown = None, False
        return
    case.limit_unit = case.guide.limit_unit
    start = timezone.localtime(case.accepted_at).date()
    start = max(start, case.collect_by or case.waiting_ends_on or start)
    district = case.center.district_id
    try:
        if case.limit_unit == LimitUnit.WORKDAY:
            case.deadline = add_working_days(start, case.limit_days + case.suspended_days, district=district)
        else:
            case.deadline = limit_end(start, case.limit_days, case.limit_unit) + timedelta(
                days=case.suspended_days
            )
        case.deadline_unknown = False
    except CalendarUnknown:
        case.deadline, case.deadline_unknown = None, True


def _set_waiting(case: Case, received: date) -> None:
    """A guide with a waiting period: it ends `waiting_days` after the day the
    application was received (民法典第1077条: 30 calendar days), and the parties
    must then come within `collect_days` (30 days)."""
    guide = case.guide
    if not guide.waiting_days:
        case.waiting_ends_on = case.collect_by = None
        return
    case.waiting_ends_on = limit_end(
        received, guide.waiting_days, guide.waiting_unit, district=case.center.district_id
    )
    case.collect_by = (
        case.waiting_ends_on + timedelta(days=guide.collect_days) if guide.collect_days else None
    )


# --- intake ----------------------------------------------------------------------------------


class ApplicantFields(TypedDict):
    """The applicant as a case holds it (and the other party, for an item both parties apply for)."""

    applicant_kind: str
    applicant_name: str
    applicant_id_number: str
    contact_phone: str
    note: str
    second_name: NotRequired[str]
    second_id_number: NotRequired[str]
    second_phone: NotRequired[str]


def _applicant_fields(
    kind: str,
    name: str,
    id_number: str,
    phone: str,
    note: str,
    *,
    second: tuple[str, str, str] = ("", "", ""),
) -> ApplicantFields:
    """The applicant's fields as typed, trimmed (checked in full by `_check_applicant_of`)."""
    second_name, second_id, second_phone = second
    return ApplicantFields(
        applicant_kind=kind,
        applicant_name=(name or "").strip(),
        applicant_id_number=re.sub(r"\s+", "", id_number or "").upper(),
        contact_phone=(phone or "").strip(),
        note=(note or "").strip(),
        second_name=(second_name or "").strip(),
        second_id_number=re.sub(r"\s+", "", second_id or "").upper(),
        second_phone=(second_phone or "").strip(),
    )


# check_applicant's field → the other party's field
SECOND_FIELDS = {
    "applicant_name": "second_name",
    "applicant_id_number": "second_id_number",
    "contact_phone": "second_phone",
}


def check_second_party(
    *, guide: Guide, applicant_kind: str, applicant_id_number: str, name: str, id_number: str, phone: str
) -> tuple[str, str, str]:
    """婚姻登记: both parties apply in person, each identified like the first
    applicant (name, 公民身份号码 with its check digit, phone). Cleaned (name, id
    number, phone) of the other party; empty for an item one party applies for."""
    if guide.parties != 2:
        return "", "", ""
    if applicant_kind != Case.ApplicantKind.PERSON:
        raise DomainError("该事项须由双方当事人本人申请，申请人类型应为个人。", field="applicant_kind")
    if not (name or "").strip():
        raise DomainError(
            "该事项须双方当事人共同申请，请填写另一方当事人的姓名。", field="second_name", code="second_party"
        )
    try:
        cleaned = check_applicant(
            applicant_kind=Case.ApplicantKind.PERSON,
            applicant_name=name,
            applicant_id_number=id_number,
            contact_phone=phone,
        )
    except DomainError as e:
        field = SECOND_FIELDS.get(e.field or "", "second_id_number")
        raise DomainError(f"另一方当事人：{e.message}", field=field, code=e.code) from None
    if cleaned[1] == applicant_id_number:
        raise DomainError("另一方当事人的证件号码与申请人相同，请核对。", field="second_id_number")
    return cleaned


def _check_applicant_of(case: Case) -> None:
    """`check_applicant` on the case's applicant (and the other party where both
    apply); the cleaned values are kept."""
    case.applicant_name, case.applicant_id_number, case.contact_phone = check_applicant(
        applicant_kind=case.applicant_kind,
        applicant_name=case.applicant_name,
        applicant_id_number=case.applicant_id_number,
        contact_phone=case.contact_phone,
    )
    case.second_name, case.second_id_number, case.second_phone = check_second_party(
        guide=case.guide,
        applicant_kind=case.applicant_kind,
        applicant_id_number=case.applicant_id_number,
        name=case.second_name,
        id_number=case.second_id_number,
        phone=case.second_phone,
    )


def _new_case(
    *,
    center: Center,
    item: ServiceItem,
    channel: str,
    applicant: ApplicantFields,
    applicant_user: User | None = None,
    ticket_number: str = "",
    is_demo: bool = False,
) -> Case:
    if item.center_id != center.id:
        raise DomainError(
            f"“{item.name}”在{item.center.name}办理，不在本中心受理。", field="item", code="wrong_center"
        )
    return Case(
        center=center,
        item=item,
        guide=_guide_for(item),
        channel=channel,
        applicant_user=applicant_user,
        ticket_number=ticket_number or "",
        is_demo=is_demo,
        **applicant,
    )


def case_intake_window(
    *,
    by: User | None,
    center: Center,
    item: ServiceItem,
    applicant_kind: str = Case.ApplicantKind.PERSON,
    applicant_name: str,
    applicant_id_number: str,
    contact_phone: str,
    paper_material_ids: Iterable[int] = (),
    note: str = "",
    ticket_number: str = "",
    is_demo: bool = False,
    second_name: str = "",
    second_id_number: str = "",
    second_phone: str = "",
    receiving_center: Center | None = None,
    pickup_center: Center | None = None,
) -> Case:
    """A clerk receives an application at the window: the case is numbered and
    submitted, with the paper materials ticked as handed in. Where both parties
    apply (结婚、离婚登记) the other party is required too; a waiting period
    (离婚冷静期) starts on the day of receipt.

    代收代办 (收受分离): with `receiving_center` another hall than `center` (the
    item's handling hall) receives it; the clerk must be able to take in
    applications there, and the case belongs to the handling hall. Its time runs
    from this moment of receipt at the receiving hall, not from the hand-over:
    the stricter reading of the 5 working days to accept (行政许可法第三十二条 —
    the applicant handed everything in here, so the handling hall's days count
    from now). The applicant collects at `pickup_center`: one of the two halls."""
    receiving = (
        receiving_center if receiving_center is not None and receiving_center.pk != center.pk else None
    )
    access_center(by, receiving or center, "intake", not_found="没有找到该中心，或您无权查看。")
    pickup = _pickup_for(center, receiving, pickup_center)
    case = _new_case(
        center=center,
        item=item,
        channel=Case.Channel.WINDOW,
        applicant=_applicant_fields(
            applicant_kind,
            applicant_name,
            applicant_id_number,
            contact_phone,
            note,
            second=(second_name, second_id_number, second_phone),
        ),
        ticket_number=ticket_number,
        is_demo=is_demo,
    )
    _check_applicant_of(case)
    _set_waiting(case, _today())
    materials = _paper_materials(case.guide, paper_material_ids)
    case.received_by, case.status = by, S.SUBMITTED
    if receiving is not None:
        case.receiving_center, case.pickup_center = receiving, pickup
    elif pickup is not None:
        case.pickup_center = pickup
    check_fields(case)
    with transaction.atomic():  # everything is checked: the write lock is held only for the writes
        case.submitted_at = timezone.now()
        insert_row(case)
        reasons = [f"排队号 {ticket_number}"] if ticket_number else []
        if receiving is not None:
            reasons.append(f"{receiving.name}代收，{center.name}办理")
        insert_row(
            CaseEvent(
                case=case,
                action="submit",
                label="窗口收件" if receiving is None else "代收收件",
                from_status="",
                to_status=case.status,
                by=by,
                reason="；".join(reasons),
            )
        )
        _receive_paper(case, by=by, materials=materials)
        # Numbered last: the center's counter row stays locked until the commit, so that is kept short.
        _number_case(case)
        # validate=False: check_fields(case) ran above; since then only the number (a counter) changed.
        update_recorded(case, by=by, reason="窗口收件", validate=False, created=True, at=case.submitted_at)
        _step_done(case, "submitted", by)
    return case


def _paper_materials(guide: Guide, material_ids: Iterable[Any]) -> list[Material]:
    """The guide's materials with these ids, or DomainError if any is not on its list."""
    try:
        ids = {int(i) for i in material_ids or ()}
    except (TypeError, ValueError):
        raise DomainError("所选材料不在该办件所依据的指南材料清单中。", field="materials") from None
    listed = guide_materials(guide)
    if not ids <= set(listed):
        raise DomainError("所选材料不在该办件所依据的指南材料清单中。", field="materials")
    return [listed[i] for i in sorted(ids)]


def _receive_paper(case: Case, *, by: User | None, materials: list[Material]) -> list[CaseMaterial]:
    # The materials in one prepared INSERT, their history rows (who, when, why) in another.
    now = timezone.now()
    rows = [
        CaseMaterial(case=case, material=m, name=m.name, paper=True, handed_in_by=by, handed_in_at=now)
        for m in materials
    ]
    insert_recorded_many(list(rows), by=by, reason="窗口收取纸质材料", at=now)
    return rows


# After acceptance only the materials still to follow (容缺受理) are taken in.
FOLLOW_UP_STATES = {S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED}


def _only_follow_ups(case: Case, materials: Sequence[Material]) -> dict[int, FollowUpMaterial]:
    """The case's open follow-ups; DomainError if a material handed in after acceptance is not one of them."""
    open_ = {f.material_id: f for f in follow_ups_open(case)}
    extra = [m.name for m in materials if m.id not in open_]
    if extra:
        raise DomainError(
            f"办件已受理，只能补交容缺受理的材料；“{'、'.join(extra)}”不在待补交之列。",
            field="materials",
            code="not_follow_up",
        )
    return open_


def _close_follow_ups(
    case: Case, rows: Sequence[CaseMaterial], open_: dict[int, FollowUpMaterial], *, by: User | None
) -> None:
    """Materials that followed after acceptance: each follow-up is closed and the step recorded;
    the supervision warning ends when nothing overdue is left."""
    for row in rows:
        follow = open_.get(row.material_id or 0)
        if follow is None or follow.received_at is not None:
            continue
        follow.received, follow.received_at = row, row.handed_in_at or timezone.now()
        # validate=False, reason (b): only who/when it arrived (system-maintained) changes.
        save_recorded(follow, by=by, reason="补交容缺材料", validate=False)
        due = f"（截止 {follow.due_on:%Y年%m月%d日}）" if follow.due_on else ""
        _note(
            case,
            action="follow_up_received",
            label="补交容缺材料",
            by=by,
            reason=f"{follow.name}{due}{'，纸质' if row.paper else '，电子'}",
        )
    if not any(f.received_at is None and f.due_on and f.due_on < _today() for f in open_.values()):
        Warning.objects.filter(case=case, level=Warning.Level.FOLLOW_UP, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )


@transaction.atomic
def case_receive_paper(*, by: User | None, case: Case, material_ids: Iterable[int]) -> list[CaseMaterial]:
    """The window records paper materials handed in (after a correction notice, or
    after acceptance the materials allowed to follow, 容缺受理)."""
    case = _lock(case)
    access_case(by, case, action="decide")
    if case.status not in {S.SUBMITTED, S.CORRECTION, *FOLLOW_UP_STATES}:
        raise WrongState(f"办件当前为“{case.get_status_display()}”，不能再收取材料。")
    if not material_ids:
        raise DomainError("请勾选收到的材料。", field="materials")
    materials = _paper_materials(case.guide, material_ids)
    if case.status not in FOLLOW_UP_STATES:
        return _receive_paper(case, by=by, materials=materials)
    open_ = _only_follow_ups(case, materials)
    rows = _receive_paper(case, by=by, materials=materials)
    _close_follow_ups(case, rows, open_, by=by)
    return rows


@transaction.atomic
def case_draft_save(
    *,
    by: User,
    item: ServiceItem,
    case: Case | None = None,
    applicant_kind: str = Case.ApplicantKind.PERSON,
    applicant_name: str = "",
    applicant_id_number: str = "",
    contact_phone: str = "",
    note: str = "",
    second_name: str = "",
    second_id_number: str = "",
    second_phone: str = "",
) -> Case:
    """A citizen saves an online application as a draft (checked fully only on submission)."""
    if by is None or not by.is_authenticated:
        raise Refused("请先登录后再申请。")
    fields = _applicant_fields(
        applicant_kind,
        applicant_name,
        applicant_id_number,
        contact_phone,
        note,
        second=(second_name, second_id_number, second_phone),
    )
    if case is None:
        case = _new_case(
            center=item.center, item=item, channel=Case.Channel.ONLINE, applicant=fields, applicant_user=by
        )
        case.status = S.DRAFT
        if not case.contact_phone and hasattr(by, "citizen"):
            case.contact_phone = by.citizen.phone
    else:
        case = _lock(case)
        if not is_applicant(by, case):
            raise NotFound("没有找到该申请。")
        if case.status != S.DRAFT:
            raise WrongState("申请已提交，不能再作为草稿修改。")
        for name, value in fields.items():
            setattr(case, name, value)
    if len(case.applicant_id_number) > 18:
        raise DomainError("证件号码最多 18 位。", field="applicant_id_number")
    if len(case.second_id_number) > 18:
        raise DomainError("证件号码最多 18 位。", field="second_id_number")
    save_recorded(case, by=by, reason="保存草稿")
    return case


@transaction.atomic
def case_material_upload(*, by: User, case: Case, material_id: int | None, file: Any) -> CaseMaterial:
    """The applicant (draft or correction) or a clerk (submitted or correction)
    hands in a file for one material of the guide."""
    case = _lock(case)
    if is_applicant(by, case):
        if case.status not in {S.DRAFT, S.CORRECTION, *FOLLOW_UP_STATES}:
            raise WrongState(f"办件当前为“{case.get_status_display()}”，不能再上传材料。")
    else:
        access_case(by, case, action="decide")
        if case.status not in {S.SUBMITTED, S.CORRECTION, *FOLLOW_UP_STATES}:
            raise WrongState(f"办件当前为“{case.get_status_display()}”，不能再上传材料。")
    material = None
    if material_id:
        material = Material.objects.filter(guide=case.guide, pk=material_id).first()
        if material is None:
            raise DomainError("请选择指南中列出的材料。", field="material")
    else:
        raise DomainError("请选择这份文件对应的材料。", field="material")
    open_ = {}
    if case.status in FOLLOW_UP_STATES:
        try:
            open_ = _only_follow_ups(case, [material])
        except DomainError as exc:
            raise DomainError(exc.message, field="material", code=exc.code) from None
    if file is None:
        raise DomainError("请选择要上传的文件。", field="file")
    content_type, _ = _check_upload(file)
    row = CaseMaterial(
        case=case,
        material=material,
        name=material.name,
        content_type=content_type,
        size=file.size,
        handed_in_by=by,
    )
    row.file.save(
        f"{case.pk}-{secrets.token_hex(8)}.{file.name.rsplit('.', 1)[-1].lower()}", file, save=False
    )
    save_recorded(row, by=by, reason="补交容缺材料" if open_ else "上传材料")
    if open_:
        _close_follow_ups(case, [row], open_, by=by)
    return row


@transaction.atomic
def case_submit(*, by: User, case: Case) -> Case:
    """The applicant submits a draft (numbered now), or resubmits after a correction notice."""
    case = _lock(case)
    if not is_applicant(by, case):
        raise NotFound("没有找到该申请。")
    _check_applicant_of(case)
    if case.status == S.DRAFT:
        if not case.materials.exists():
            raise DomainError("请至少上传一份申请材料。", field="file")
        case.submitted_at = timezone.now()
        _number_case(case)
        _set_waiting(case, _today())
        return _transition(case, action="submit", by=by, to=S.SUBMITTED, reason="网上申请")
    last = case.corrections.order_by("-sequence").first()
    if last and not case.materials.filter(handed_in_at__gt=last.issued_at).exists():
        raise DomainError("请先按一次性告知书上传补正材料。", field="file")
    _set_waiting(case, _today())  # the complete application is received today
    return _transition(case, action="submit", by=by, to=S.SUBMITTED, reason="补正后重新提交")


# --- decisions ---------------------------------------------------------------------------------


def _decide(by: User | None, case: Case) -> set[str]:
    """The roles of `by` at the case's center, if they may decide on it (the system: none needed)."""
    roles = access_center(by, case.center, "decide")
    return roles if by is not None else set()


def _issue_acceptance_notice(
    case: Case,
    *,
    by: User | None,
    text: str,
    follow_ups: Sequence[FollowUpMaterial] = (),
    commitment: Commitment | None = None,
    replaced: Sequence[Material] = (),
) -> Notice:
    """The 受理通知书: why the case is accepted (`text`), its time limit and the day it
    is due; the materials to follow (容缺受理) each with its due date, and those
    replaced by the applicant's commitment (告知承诺制)."""
    if case.deadline_unknown:
        due = "期限落在尚无节假日数据的年份，待补录工作日调整后确定办结日期"
    elif case.deadline:
        due = f"应于 {case.deadline:%Y年%m月%d日} 前办结"
    else:
        due = ""
    extra: dict[str, Any] = {
        "text": text,
        "limit_days": case.limit_days,
        "limit_label": case.limit_label,
        "due": due,
        "note": "听证、检验检测、专家评审等特别程序所需时间不计入办结时限。",
    }
    if follow_ups:
        extra["follow_ups"] = [{"name": f.name, "due": _follow_due_text(f)} for f in follow_ups]
    if commitment is not None and replaced:
        extra["commitment"] = {
            "signed_by": commitment.signed_by,
            "signed_on": timezone.localtime(commitment.recorded_at).strftime("%Y年%m月%d日"),
            "replaced": [m.name for m in replaced],
        }
    return _issue_notice(case, kind=Notice.Kind.ACCEPTANCE, by=by, extra=extra)


def _follow_due_text(follow: FollowUpMaterial) -> str:
    if follow.due_on:
        return f"{follow.due_on:%Y年%m月%d日}前补交"
    return "受理后规定的工作日内补交（截止日待节假日安排录入后确定）"


def _acceptance_text(case: Case, state: Completeness) -> str:
    """The notice's decision: 材料齐全 only when nothing is to follow or replaced by a commitment."""
    head = f"你（单位）提交的“{case.item.name}”申请，经审查，"
    if not state.to_follow and not state.replaced:
        return head + "申请材料齐全、符合法定形式，本机关决定予以受理。"
    parts = []
    if state.to_follow:
        parts.append("下列材料依容缺受理办理，请在截止日前补交，逾期未补交的将依法处理")
    if state.replaced:
        parts.append("下列材料以申请人签署的告知承诺书代替，承诺不实的依法承担相应责任")
    return head + "符合受理条件，本机关决定予以受理。" + "；".join(parts) + "。"


def _refuse_incomplete(state: Completeness) -> None:
    """DomainError naming every required material still missing (and their ids, for the API)."""
    names = "、".join(f"“{m.name}”" for m in state.missing)
    message = (
        f"申请材料不齐全，不能受理：尚未收到必要材料{names}。请收取材料后再受理，或出具一次性告知书告知补正。"
    )
    raise DomainError(
        message,
        field="materials",
        code="materials_incomplete",
        data={"missing_material_ids": [m.id for m in state.missing]},
    )


def _open_follow_ups(case: Case, materials: Sequence[Material], *, by: User | None) -> list[FollowUpMaterial]:
    """容缺受理: one follow-up per missing material, due its working days after acceptance."""
    start = timezone.localtime(case.accepted_at).date() if case.accepted_at else _today()
    rows = []
    for m in materials:
        try:
            due: date | None = add_working_days(start, m.follow_days, district=case.center.district_id)
        except CalendarUnknown:
            due = None  # the year's holidays are not entered: no date is guessed
        follow = FollowUpMaterial(case=case, material=m, name=m.name, due_on=due)
        save_recorded(follow, by=by, reason="容缺受理：待补交")
        rows.append(follow)
    return rows


@transaction.atomic
def case_accept(*, by: User | None, case: Case, reason: str = "") -> Case:
    """受理: only a complete application — every required material received, except
    those the guide lets follow (容缺受理, then due by a date) or that the
    applicant's recorded commitment replaces (告知承诺制). The clock starts; the
    acceptance notice says which materials are to follow and which were replaced."""
    case = _lock(case)
    _decide_with_materials(by, case, "受理")
    if case.status not in TRANSITIONS["accept"][0]:
        _transition(case, action="accept", by=by)  # raises WrongState
    state = acceptance_completeness(case)
    if state.missing:
        _refuse_incomplete(state)
    case.accepted_at = timezone.now()
    case.limit_days = (
        case.guide.promised_days if case.guide.promised_days is not None else case.guide.legal_days
    )
    _compute_deadline(case)
    _transition(case, action="accept", by=by, to=S.ACCEPTED, reason=reason)
    _step_done(case, "accepted", by)
    follow_ups = _open_follow_ups(case, state.to_follow, by=by)
    if follow_ups:
        _note(
            case,
            action="follow_up_due",
            label="容缺受理",
            by=by,
            reason="；".join(f"{f.name}：{_follow_due_text(f)}" for f in follow_ups),
        )
    _issue_acceptance_notice(
        case,
        by=by,
        text=_acceptance_text(case, state),
        follow_ups=follow_ups,
        commitment=state.commitment,
        replaced=state.replaced,
    )
    return case


def _commitment_text(case: Case, replaced: Sequence[Material]) -> str:
    """The text the applicant signs: the guide's, or the standard one naming the materials."""
    names = "、".join(f"“{m.name}”" for m in replaced)
    standard = (
        f"本人申请办理“{case.item.name}”，已知晓告知的全部条件和要求。本人承诺：符合上述条件，"
        f"{names}所证明的情况真实、准确，愿意承担不实承诺的法律责任。"
    )
    own = (case.guide.commitment_text or "").strip()
    return f"{own}\n（代替材料：{'、'.join(m.name for m in replaced)}）" if own else standard


@transaction.atomic
def case_commitment_record(*, by: User | None, case: Case, signed_by: str) -> Commitment:
    """告知承诺制: the applicant's signed 告知承诺书 is recorded on the case (who
    signed, who recorded it, when, the text as signed); from then on the materials
    the guide lets it replace no longer block acceptance."""
    case = _lock(case)
    _decide(by, case)
    guide = case.guide
    if not guide.commitment_allowed:
        raise DomainError(
            f"“{case.item.name}”不实行告知承诺制，不能以告知承诺书代替申请材料。",
            field="signed_by",
            code="commitment_not_allowed",
        )
    if case.status not in {S.SUBMITTED, S.CORRECTION}:
        raise WrongState(f"办件当前为“{case.get_status_display()}”，受理前才能登记告知承诺书。")
    if Commitment.objects.filter(case=case).exists():
        raise WrongState("该办件已登记告知承诺书。")
    signed_by = (signed_by or "").strip()
    if not signed_by:
        raise DomainError("请填写签署告知承诺书的申请人姓名。", field="signed_by")
    if len(signed_by) > 100:
        raise DomainError("签署人姓名最多 100 个字。", field="signed_by")
    replaced = sorted(
        (m for m in guide_materials(guide).values() if m.replaced_by_commitment and m.required),
        key=lambda m: (m.order, m.id),
    )
    if not replaced:
        raise DomainError("办事指南未列出可由告知承诺书代替的材料。", field="signed_by")
    row = Commitment(
        case=case,
        signed_by=signed_by,
        text=_commitment_text(case, replaced),
        materials=[{"id": m.id, "name": m.name} for m in replaced],
        recorded_by=by,
    )
    save_recorded(row, by=by, reason="登记告知承诺书")
    _note(
        case,
        action="commitment",
        label="签署告知承诺书",
        by=by,
        reason=f"{signed_by}签署，代替：{'、'.join(m.name for m in replaced)}",
    )
    return row


def received_at(case: Case) -> datetime:
    """When the materials the acceptance decision is about were received: the last
    (re)submission — after a one-time notice, the day the corrected materials came in."""
    last = case.events.filter(action="submit").order_by("-at").values_list("at", flat=True).first()
    return max(filter(None, (last, case.submitted_at)), default=timezone.now())


def acceptance_due(case: Case) -> date:
    """The last working day to accept, refuse or notify once: 5 working days after
    receipt (raises CalendarUnknown when that falls in a year not entered yet)."""
    received = timezone.localtime(received_at(case)).date()
    return add_working_days(received, ACCEPT_WITHIN_DAYS, district=case.center.district_id)


@transaction.atomic
def case_deem_accepted(*, case: Case) -> Case:
    """行政许可法第三十二条: nobody accepted, refused or notified within 5 working
    days, so the law deems the application accepted from the day it was received.
    The system's decision (recorded as nobody's), with an acceptance notice that says so;
    the time limit counts from receipt."""
    case = _lock(case)
    case.accepted_at = received_at(case)
    case.limit_days = (
        case.guide.promised_days if case.guide.promised_days is not None else case.guide.legal_days
    )
    _compute_deadline(case)
    _transition(
        case,
        action="deemed_accept",
        by=None,
        to=S.ACCEPTED,
        reason="5 个工作日内未作出受理决定，依《行政许可法》第三十二条自收到申请材料之日起视为受理",
    )
    _issue_acceptance_notice(
        case,
        by=None,
        text=f"你（单位）提交的“{case.item.name}”申请，本机关未在收到申请材料之日起 5 个工作日内"
        "作出是否受理的决定，依照《中华人民共和国行政许可法》第三十二条，自收到申请材料之日起即为受理。",
    )
    log.warning("办件 %s 逾期未受理，已视为受理（自 %s 起计时）", case.number, case.accepted_at)
    return case


@transaction.atomic
def correction_exception_grant(
    *, by: User | None, case: Case, material: Material, justification: str
) -> CorrectionException:
    """A district administrator allows a later notice to name a material the
    first notice did not; the justification is kept and reported."""
    case = _lock(case)
    access_center(by, case.center, "justify")
    if not (justification or "").strip():
        raise DomainError("请写明为何需要补充告知新的材料。", field="justification")
    if material.guide_id != case.guide_id:
        raise DomainError("请选择该办件所依据指南中的材料。", field="material")
    if not case.corrections.exists():
        raise WrongState("该办件尚未出具一次性告知书，无需批准补充告知。")
    row = CorrectionException(
        case=case, material=material, justification=justification.strip(), granted_by=by
    )
    save_recorded(row, by=by, reason="批准补充告知")
    log.warning(
        "一次性告知例外：办件 %s 补充告知“%s”，批准人 %s，理由：%s",
        case.number,
        material.name,
        _person(by),
        row.justification,
    )
    return row


@transaction.atomic
def case_request_correction(*, by: User | None, case: Case, items: list[dict[str, Any]]) -> CorrectionNotice:
    """一次性告知: name every missing or defective material at once. `items` are
    {"material_id", "problem" (missing|defective), "reason"}."""
    case = _lock(case)
    _decide_with_materials(by, case, "一次性告知补正")
    if case.status not in TRANSITIONS["request_correction"][0]:
        _transition(case, action="request_correction", by=by)  # raises WrongState
    if not items:
        raise DomainError("请勾选缺少或不符合要求的材料，并说明原因。", field="items")
    materials = {m.id: m for m in Material.objects.filter(guide=case.guide)}
    seen: set[int] = set()
    rows: list[tuple[Material, str, str]] = []
    for i, data in enumerate(items, start=1):
        try:
            mid = int(data.get("material_id") or "")
        except (TypeError, ValueError):
            mid = -1
        if mid not in materials:
            raise DomainError(f"第{i}项：请选择指南中列出的材料。", field="items")
        if mid in seen:
            raise DomainError(f"“{materials[mid].name}”重复列出。", field="items")
        seen.add(mid)
        problem = data.get("problem") or CorrectionItem.Problem.MISSING
        if problem not in CorrectionItem.Problem.values:
            raise DomainError(f"“{materials[mid].name}”：问题类型无效。", field="items")
        reason = (data.get("reason") or "").strip()
        if not reason:
            raise DomainError(f"请说明“{materials[mid].name}”缺少或不符合要求的具体原因。", field="items")
        rows.append((materials[mid], problem, reason[:300]))
    previous = list(case.corrections.order_by("sequence"))
    exceptions = []
    if previous:
        named = set(
            CorrectionItem.objects.filter(correction__case=case).values_list("material_id", flat=True)
        )
        new_in = set(
            case.materials.filter(handed_in_at__gt=previous[0].issued_at).values_list(
                "material_id", flat=True
            )
        )
        granted = {e.material_id: e for e in case.correction_exceptions.filter(used_in__isnull=True)}
        for material, _, _ in rows:
            if material.id in named or material.id in new_in:
                continue
            if material.id in granted:
                exceptions.append(granted[material.id])
                continue
            raise DomainError(
                f"一次性告知：“{material.name}”未在此前的告知书中列出，也不是新提交的材料，不能再次要求补正。"
                "如确有必要，须由区政务办登记理由后方可补充告知。",
                field="items",
                code="new_demand",
            )
    sequence = len(previous) + 1
    _transition(
        case,
        action="request_correction",
        by=by,
        to=S.CORRECTION,
        reason="；".join(f"{m.name}（{dict(CorrectionItem.Problem.choices)[p]}：{r}）" for m, p, r in rows)[
            :1000
        ],
    )
    notice = _issue_notice(
        case,
        kind=Notice.Kind.CORRECTION,
        by=by,
        extra={
            "sequence": sequence,
            "text": f"你（单位）提交的“{case.item.name}”申请材料不齐全或不符合法定形式，现一次性告知需要补正的全部内容如下。"
            "请补正后重新提交；补齐后本机关将依法作出是否受理的决定。",
            "items": [
                {"name": m.name, "problem": dict(CorrectionItem.Problem.choices)[p], "reason": r}
                for m, p, r in rows
            ],
            "exceptions": [
                {
                    "name": e.material.name,
                    "justification": e.justification,
                    "granted_by": _person(e.granted_by),
                }
                for e in exceptions
            ],
        },
    )
    correction = CorrectionNotice(case=case, notice=notice, sequence=sequence, issued_by=by)
    save_recorded(correction, by=by, reason="一次性告知补正")
    for m, p, r in rows:  # the notice's lines: written once with it, never changed
        insert_row(CorrectionItem(correction=correction, material=m, name=m.name, problem=p, reason=r))
    for e in exceptions:
        e.used_in = correction
        save_recorded(e, by=by, reason="用于补充告知")
    return correction


def remedy_text(case: Case) -> str:
    district = case.center.district
    gov = f"{district.full_name or district.name}人民政府"
    return (
        f"如对本决定不服，可以自收到本通知书之日起六十日内向{gov}申请行政复议，"
        "或者自收到本通知书之日起六个月内依法向人民法院提起行政诉讼。"
    )


@transaction.atomic
def case_reject(*, by: User | None, case: Case, reason: str, legal_basis: str) -> Case:
    """不予受理, with the reason, the legal basis and the right to review or sue.
    Only the chief representative within the authorisation, or the department,
    may refuse (窗口无否决权); a window clerk escalates instead."""
    case = _lock(case)
    authority, authorization = refusal_authority(by, case, what="不予受理")
    reason, legal_basis = (reason or "").strip(), (legal_basis or "").strip()
    if case.status in TRANSITIONS["reject"][0]:
        if not reason:
            raise DomainError("请写明不予受理的理由。", field="reason")
        if not legal_basis:
            raise DomainError("请写明不予受理的法律依据。", field="legal_basis")
    case.decision_note, case.decided_by = reason, by  # written (and checked) with the transition
    case.decision_authority, case.decided_under = authority, authorization
    _transition(case, action="reject", by=by, to=S.REJECTED, reason=_with_authority(reason, authorization))
    _escalation_close(case, by=by, outcome=Escalation.Outcome.DECIDED, note=f"不予受理：{reason}")
    _issue_notice(
        case,
        kind=Notice.Kind.REJECTION,
        by=by,
        extra={
            "text": f"你（单位）提交的“{case.item.name}”申请，经审查，本机关决定不予受理。",
            "reason": reason,
            "legal_basis": legal_basis,
            "remedy": remedy_text(case),
            "authority": _authority_text(authority, authorization),
        },
    )
    return case


@transaction.atomic
def case_start(*, by: User | None, case: Case) -> Case:
    case = _lock(case)
    _decide(by, case)
    return _transition(case, action="start", by=by, to=S.IN_PROGRESS)


@transaction.atomic
def case_suspend(*, by: User | None, case: Case, kind: str, reason: str) -> Case:
    """Enter a special procedure (听证, 检验检测, 专家评审 …): the clock stops."""
    case = _lock(case)
    _decide(by, case)
    if case.status in TRANSITIONS["suspend"][0]:
        if kind not in Case.Suspension.values:
            raise DomainError("请选择特别程序的类型。", field="kind")
        if not (reason or "").strip():
            raise DomainError("请写明进入特别程序的原因。", field="reason")
    case.suspended_since, case.suspension_kind = _today(), kind
    return _transition(
        case,
        action="suspend",
        by=by,
        to=S.SUSPENDED,
        reason=f"{Case.Suspension(kind).label}：{reason.strip()}"
        if kind in Case.Suspension.values
        else reason,
    )


@transaction.atomic
def case_resume(*, by: User | None, case: Case, reason: str = "") -> Case:
    """The special procedure ends: the working days it took are added to the deadline."""
    case = _lock(case)
    _decide(by, case)
    if case.status == S.SUSPENDED and case.suspended_since:
        try:
            paused = days_between(
                case.suspended_since, _today(), case.limit_unit, district=case.center.district_id
            )
        except CalendarUnknown:
            paused = (_today() - case.suspended_since).days
        case.suspended_days += paused
        case.suspended_since = None
        _compute_deadline(case)
    return _transition(case, action="resume", by=by, to=S.IN_PROGRESS, reason=reason)


@transaction.atomic
def case_complete(*, by: User | None, case: Case, outcome: str, note: str = "") -> Case:
    """办结: approved or denied. The authority is recorded: a chief representative
    at the center decides on the spot under the department's authorisation."""
    case = _lock(case)
    authorization, denier, roles = None, "", set()
    if outcome == Case.Outcome.DENIED:  # 窗口无否决权: the chief representative or the department
        denier, authorization = refusal_authority(by, case, what="不予许可")
    else:
        roles = _decide(by, case)
    if case.status in TRANSITIONS["complete"][0]:
        if outcome not in Case.Outcome.values:
            raise DomainError("请选择办理结果：准予或不予准予。", field="outcome")
        if outcome == Case.Outcome.DENIED and not (note or "").strip():
            raise DomainError("不予准予的，请写明理由和依据。", field="note")
    authority: str
    if by is None:
        authority = Case.Authority.CLERK
    elif denier:
        authority = denier
    elif Role.CHIEF_REP in roles:
        authority = Case.Authority.CHIEF_REP
    elif Role.BRANCH_MANAGER in roles:
        authority = Case.Authority.MANAGER
    else:
        authority = Case.Authority.CLERK
    case.outcome, case.decided_by, case.decision_authority = outcome, by, authority
    case.decision_note, case.completed_at = (note or "").strip(), timezone.now()
    case.decided_under = authorization
    _transition(
        case,
        action="complete",
        by=by,
        to=S.COMPLETED,
        reason=f"{Case.Outcome(outcome).label if outcome in Case.Outcome.values else outcome}"
        f"（{_authority_text(authority, authorization)}）{'：' + note.strip() if note else ''}",
    )
    _escalation_close(
        case, by=by, outcome=Escalation.Outcome.DECIDED, note=f"办结：{Case.Outcome(outcome).label}"
    )
    _step_done(case, "completed", by)
    Warning.objects.filter(case=case, resolved_at__isnull=True).update(resolved_at=timezone.now())
    extra = {
        "outcome": Case.Outcome(outcome).label,
        "note": case.decision_note,
        "authority": _authority_text(authority, authorization),
        "decided_by": _person(by),
        "text": f"你（单位）申请的“{case.item.name}”已办结，结果：{Case.Outcome(outcome).label}。",
    }
    if outcome == Case.Outcome.DENIED:
        extra["remedy"] = remedy_text(case)
    _issue_notice(case, kind=Notice.Kind.COMPLETION, by=by, extra=extra)
    return case


# --- 窗口无否决权: who may say no, authorisations, escalation -------------------------------------


def _authorization_for(by: User, case: Case, *, what: str) -> ChiefAuthorization:
    """The chief representative's current authorisation covering this case, or
    Refused with the plain reason why none does."""
    item, today = case.item, _today()
    mine = list(
        ChiefAuthorization.objects.filter(representative=by)
        .select_related("department", "center")
        .prefetch_related("items")
        .order_by("-valid_to")
    )
    escalate = "请提请部门决定。"
    if not mine:
        raise Refused(f"您没有部门出具的首席代表授权书，不能作出{what}决定；{escalate}")
    here = [a for a in mine if a.center_id == case.center_id]
    if not here:
        places = "、".join(sorted({a.center.name for a in mine}))
        raise Refused(f"您的授权书只适用于{places}，不适用于{case.center.name}，不能作出{what}决定。")
    ours = [a for a in here if a.department_id == item.department_id]
    if not ours:
        raise Refused(
            f"“{item.name}”由{item.department.name}实施，您的授权书不是该部门出具的，不能作出{what}决定；{escalate}"
        )
    covering = [a for a in ours if a.all_items or any(i.pk == item.pk for i in a.items.all())]
    if not covering:
        numbers = "、".join(a.document_number for a in ours)
        raise Refused(f"您的授权书（{numbers}）不包括“{item.name}”，不能作出{what}决定；{escalate}")
    standing = [a for a in covering if a.revoked_at is None]
    if not standing:
        a = covering[0]
        raise Refused(
            f"您的授权书（{a.document_number}）已于{timezone.localtime(a.revoked_at):%Y年%m月%d日}撤销，"
            f"不能作出{what}决定；{escalate}"
        )
    current = [a for a in standing if a.valid_from <= today <= a.valid_to]
    if current:
        return current[0]
    a = standing[0]
    if a.valid_to < today:
        raise Refused(
            f"您的授权书（{a.document_number}）已于{a.valid_to:%Y年%m月%d日}到期，不能作出{what}决定；{escalate}"
        )
    raise Refused(
        f"您的授权书（{a.document_number}）自{a.valid_from:%Y年%m月%d日}起生效，现在还不能作出{what}决定。"
    )


def refusal_authority(by: User | None, case: Case, *, what: str) -> tuple[str, ChiefAuthorization | None]:
    """窗口无否决权: who may refuse (不予受理) or deny (不予许可) this case, and under
    which authorisation. The department (its leader, for its own items) or the
    chief representative whose current authorisation names this hall and item;
    a window clerk or a branch manager is refused and told to escalate."""
    roles = access_center(by, case.center, "refuse")
    if by is None:
        return "", None
    if Role.DEPARTMENT_LEADER in roles and case.item.department_id in departments_led_by(by):
        return Case.Authority.DEPARTMENT, None
    if Role.CHIEF_REP in roles:
        return Case.Authority.CHIEF_REP, _authorization_for(by, case, what=what)
    raise Refused(
        f"“{case.item.name}”由{case.item.department.name}实施，只有该部门或其授权的首席代表可以作出{what}决定。"
    )


def _authority_text(authority: str, authorization: ChiefAuthorization | None) -> str:
    label = Case.Authority(authority).label if authority else "系统"
    return f"{label}，授权书{authorization.document_number}" if authorization is not None else label


def _with_authority(reason: str, authorization: ChiefAuthorization | None) -> str:
    return f"{reason}（依据授权书{authorization.document_number}）" if authorization is not None else reason


def may_refuse(user: Any, case: Case) -> bool:
    """`refusal_authority` as a yes/no, for showing or hiding the buttons."""
    try:
        refusal_authority(user, case, what="")
    except (NotFound, Refused):
        return False
    return True


# the case states in which each proposal can still be decided
ESCALATION_STATES = {
    Escalation.Proposal.REJECT: TRANSITIONS["reject"][0],
    Escalation.Proposal.DENY: TRANSITIONS["complete"][0],
}


def open_escalation(case: Case) -> Escalation | None:
    """The escalation of `case` awaiting a decision, if any (one whose case has
    moved on — accepted, withdrawn — no longer awaits one)."""
    esc = Escalation.objects.filter(case=case, resolved_at__isnull=True).first()
    if esc is None or case.status not in ESCALATION_STATES[Escalation.Proposal(esc.proposal)]:
        return None
    return esc


def _escalation_close(case: Case, *, by: User | None, outcome: str, note: str) -> None:
    esc = Escalation.objects.filter(case=case, resolved_at__isnull=True).first()
    if esc is not None:
        _escalation_resolve(esc, by=by, outcome=outcome, note=note)


def _escalation_resolve(esc: Escalation, *, by: User | None, outcome: str, note: str) -> Escalation:
    esc.outcome, esc.resolved_at, esc.resolved_by = outcome, timezone.now(), by
    esc.resolution_note = note
    return save_recorded(esc, by=by, reason=Escalation.Outcome(outcome).label, validate=False)


@transaction.atomic
def case_escalate(*, by: User | None, case: Case, proposal: str, reason: str) -> Escalation:
    """提请首席代表/部门决定: the window, which may not say no, hands the case up with
    the decision it proposes (不予受理 before acceptance, 不予许可 after) and why.
    The case then shows it awaits the decision; the chief representative or the
    department sees it in "待我决定"."""
    case = _lock(case)
    access_center(by, case.center, "escalate")
    reason = (reason or "").strip()
    if proposal not in Escalation.Proposal.values:
        raise DomainError("请选择拟作出的决定：不予受理或不予许可。", field="proposal")
    label = Escalation.Proposal(proposal).label
    if case.status not in ESCALATION_STATES[Escalation.Proposal(proposal)]:
        raise WrongState(f"办件当前为“{case.get_status_display()}”，不能提请{label}。", code="wrong_state")
    if open_escalation(case) is not None:
        raise WrongState("该办件已提请决定，正等待首席代表/部门处理。", code="wrong_state")
    if not reason:
        raise DomainError(f"请写明提请{label}的理由。", field="reason")
    _escalation_close(case, by=by, outcome=Escalation.Outcome.CLOSED, note="办件状态已变化")  # a stale one
    esc = save_recorded(
        Escalation(case=case, proposal=proposal, reason=reason, raised_by=by), by=by, reason=f"提请{label}"
    )
    _note(case, action="escalate", label="提请首席代表/部门决定", by=by, reason=f"拟{label}：{reason}")
    return esc


@transaction.atomic
def escalation_return(*, by: User | None, case: Case, note: str) -> Escalation:
    """The chief representative or the department sends an escalated case back:
    no refusal; the window continues (accepts, notifies, or processes it)."""
    case = _lock(case)
    esc = open_escalation(case)
    refusal_authority(by, case, what="退回")
    if esc is None:
        raise WrongState("该办件没有待决定的提请。", code="wrong_state")
    note = (note or "").strip()
    if not note:
        raise DomainError("请写明退回窗口继续办理的意见。", field="note")
    _escalation_resolve(esc, by=by, outcome=Escalation.Outcome.RETURNED, note=note)
    _note(case, action="escalation_return", label="退回窗口继续办理", by=by, reason=note)
    return esc


def _authorize_at(by: User | None, center: Center, department: Department) -> None:
    """The department (its leader, for its own department) or the district office
    records an authorisation; a branch manager or a clerk cannot."""
    roles = access_center(by, center, "authorize")
    if by is None or Role.DISTRICT_ADMIN in roles:
        return
    if department.pk not in departments_led_by(by):
        raise Refused("您只能录入本部门出具的首席代表授权书。")


@transaction.atomic
def chief_authorization_issue(
    *,
    by: User | None,
    department: Department,
    center: Center,
    representative: User,
    document_number: str,
    title: str,
    valid_from: date | None,
    valid_to: date | None,
    all_items: bool = False,
    items: Iterable[ServiceItem] = (),
    is_demo: bool = False,
) -> ChiefAuthorization:
    """Record a department's 首席代表授权书: to whom, at which hall, which items
    (or all the department's), for which period. It is public once recorded."""
    _authorize_at(by, center, department)
    items = list(items)
    document_number, title = (document_number or "").strip(), (title or "").strip()
    if not RoleAssignment.objects.filter(user=representative, role=Role.CHIEF_REP, center=center).exists():
        raise DomainError(
            f"{representative.display_name}不是{center.name}的首席代表，请先由区政务办分配首席代表角色。",
            field="representative",
        )
    if not document_number:
        raise DomainError("请填写授权书文号。", field="document_number")
    if not title:
        raise DomainError("请填写授权书标题。", field="title")
    if valid_from is None:
        raise DomainError("请填写生效日期。", field="valid_from")
    if valid_to is None:
        raise DomainError("请填写截止日期。", field="valid_to")
    if valid_to < valid_from:
        raise DomainError("截止日期不能早于生效日期。", field="valid_to")
    if valid_to < _today():
        raise DomainError("截止日期已过，不能录入已失效的授权书。", field="valid_to")
    if not all_items and not items:
        raise DomainError("请选择授权事项，或勾选“本部门全部事项”。", field="items")
    for item in items:
        if item.department_id != department.pk:
            raise DomainError(f"“{item.name}”不是{department.name}的事项，不能列入授权。", field="items")
    if ChiefAuthorization.objects.filter(department=department, document_number=document_number).exists():
        raise DomainError("该部门已有相同文号的授权书。", field="document_number")
    auth = ChiefAuthorization(
        department=department,
        center=center,
        representative=representative,
        document_number=document_number,
        title=title,
        valid_from=valid_from,
        valid_to=valid_to,
        all_items=all_items,
        issued_by=by,
        is_demo=is_demo,
    )
    covered = "本部门全部事项" if all_items else "、".join(i.name for i in items)
    save_recorded(auth, by=by, reason=f"录入授权书{document_number}：{covered}")
    if not all_items:
        auth.items.set(items)
    return auth


@transaction.atomic
def chief_authorization_revoke(
    *, by: User | None, authorization: ChiefAuthorization, reason: str
) -> ChiefAuthorization:
    """Revoke an authorisation: from now on its holder cannot refuse or deny under it."""
    auth = (
        ChiefAuthorization.objects.select_for_update()
        .select_related("center", "department")
        .get(pk=authorization.pk)
    )
    _authorize_at(by, auth.center, auth.department)
    if auth.revoked_at is not None:
        raise WrongState("该授权书已撤销。", code="wrong_state")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请写明撤销原因。", field="reason")
    auth.revoked_at, auth.revoked_by, auth.revoke_reason = timezone.now(), by, reason
    return save_recorded(auth, by=by, reason=f"撤销授权书：{reason}")


@transaction.atomic
def case_deliver(*, by: User | None, case: Case, method: str, tracking_number: str = "") -> Case:
    """送达: window pickup, mail (with its tracking number) or electronic."""
    case = _lock(case)
    _decide(by, case)
    tracking_number = (tracking_number or "").strip()
    if case.status in TRANSITIONS["deliver"][0]:
        if method not in Case.Delivery.values:
            raise DomainError("请选择送达方式。", field="method")
        if method == Case.Delivery.MAIL and not re.fullmatch(r"[A-Za-z0-9]{8,30}", tracking_number):
            raise DomainError("邮寄送达须填写邮件单号（8–30 位字母或数字）。", field="tracking_number")
    case.delivery_method, case.delivered_at = method, timezone.now()
    case.tracking_number = tracking_number if method == Case.Delivery.MAIL else ""
    label = Case.Delivery(method).label if method in Case.Delivery.values else method
    return _transition(
        case,
        action="deliver",
        by=by,
        to=S.DELIVERED,
        reason=f"{label}{' ' + tracking_number if case.tracking_number else ''}",
    )


PARTIES = {1: "申请人", 2: "另一方当事人"}


def _withdrawing_party(by: User | None, case: Case, party: int | None) -> int:
    """Which party withdraws: a citizen party withdraws for themself; staff name the party."""
    if is_applicant(by, case):
        return 1
    if is_party(by, case):
        return 2
    if party not in PARTIES:
        raise DomainError("请选择提出撤回的一方当事人。", field="party")
    return party


@transaction.atomic
def case_withdraw(*, by: User | None, case: Case, reason: str, party: int | None = None) -> Case:
    """The applicant withdraws before completion (or a clerk records a written withdrawal).
    During a waiting period (离婚冷静期, 民法典第1077条) either party may withdraw —
    a citizen party for themself, staff on behalf of the party they name; once it
    has ended, withdrawal is refused (not coming in time counts as withdrawn)."""
    case = _lock(case)
    access_case(by, case, action="withdraw")
    reason = (reason or "").strip()
    if case.status in TRANSITIONS["withdraw"][0]:
        if not reason:
            raise DomainError("请写明撤回原因。", field="reason")
        if case.waiting_ends_on:
            who = _withdrawing_party(by, case, party)
            if _today() > case.waiting_ends_on:
                raise WrongState(
                    f"{case.guide.waiting_name or '等待期'}已于 {case.waiting_ends_on:%Y年%m月%d日} 届满，"
                    "不能再撤回申请；期满后双方未在规定期限内申请发证的，视为撤回申请。",
                    code="waiting_over",
                )
            name = case.applicant_name if who == 1 else case.second_name
            reason = f"{PARTIES[who]}{name}在{case.guide.waiting_name or '等待期'}内撤回：{reason}"
    _transition(case, action="withdraw", by=by, to=S.WITHDRAWN, reason=reason)
    _escalation_close(case, by=by, outcome=Escalation.Outcome.CLOSED, note="申请已撤回")
    Warning.objects.filter(case=case, resolved_at__isnull=True).update(resolved_at=timezone.now())
    return case


REVEAL_FIELDS = {  # what may be revealed → (the case's field, the record's field, whose)
    "id_number": ("applicant_id_number", "id_number", ""),
    "phone": ("contact_phone", "phone", ""),
    "second_id_number": ("second_id_number", "id_number", "另一方当事人"),
    "second_phone": ("second_phone", "phone", "另一方当事人"),
}


def case_reveal(*, by: User, case: Case, field: str, reason: str = "") -> str:
    """The full ID number or phone of a case's applicant or other party, for staff
    who may see it; every look is recorded."""
    from govhall.core.audit import personal_data_access_record

    access_case(by, case, action="reveal")
    if field not in REVEAL_FIELDS:
        raise DomainError("只能查看证件号码或联系电话。", field="field")
    attr, kind, whose = REVEAL_FIELDS[field]
    with transaction.atomic():
        personal_data_access_record(
            # No reason stays no reason (refused), whoever's number it is.
            by=by,
            obj=case,
            field=kind,
            reason=f"{whose}：{reason}" if whose and (reason or "").strip() else reason,
        )
    return str(getattr(case, attr))


# --- waiting periods (离婚冷静期) -------------------------------------------------------------

# Days before the last day to come that both parties are reminded.
COLLECT_REMIND_DAYS = 3


def _notify_parties(case: Case, text: str) -> int:
    """An SMS to both parties (after commit: a failed message never undoes the change)."""
    from govhall.core.notifications import send_sms

    phones = [p for p in dict.fromkeys((case.contact_phone, case.second_phone)) if p]
    for phone in phones:
        transaction.on_commit(partial(send_sms, phone, text))
    return len(phones)


def _come_by_text(case: Case) -> str:
    if case.collect_by is None:
        return ""
    return (
        f"请双方于 {case.collect_by:%Y年%m月%d日} 前共同携带本人身份证件到{case.center.name}申请发证，"
        "逾期未申请的，视为撤回申请。"
    )


@transaction.atomic
def case_deem_withdrawn(*, case: Case, today: date | None = None) -> Case:
    """The parties did not come within the days after the waiting period
    (民法典第1077条: 30 days after the 冷静期): the application counts as withdrawn.
    The system's decision, recorded as nobody's; both parties are told."""
    case = _lock(case)
    if case.collect_by is None or (today or _today()) <= case.collect_by:
        raise WrongState("申请发证的期限尚未届满，不能视为撤回。", code="collect_open")
    name = case.guide.waiting_name or "等待期"
    _transition(
        case,
        action="deemed_withdraw",
        by=None,
        to=S.WITHDRAWN,
        reason=f"{name}届满后，双方未于 {case.collect_by:%Y年%m月%d日} 前申请发证，视为撤回申请",
    )
    Warning.objects.filter(case=case, resolved_at__isnull=True).update(resolved_at=timezone.now())
    _notify_parties(
        case,
        f"【政务服务】您的“{case.item.name}”申请（办件编号 {case.number}）{name}届满后，"
        f"双方未于 {case.collect_by:%Y年%m月%d日} 前申请发证，已视为撤回申请。",
    )
    log.warning("办件 %s 期满未申请发证，视为撤回", case.number)
    return case


@transaction.atomic
def _remind_waiting_over(case: Case, today: date) -> bool:
    case = _lock(case)
    if case.waiting_notified_on is not None or case.waiting_ends_on is None:
        return False
    name = case.guide.waiting_name or "等待期"
    _notify_parties(
        case,
        f"【政务服务】您的“{case.item.name}”申请（办件编号 {case.number}）{name}已于 "
        f"{case.waiting_ends_on:%Y年%m月%d日} 届满。{_come_by_text(case)}",
    )
    case.waiting_notified_on = today
    # validate=False: only the system's reminder date changes.
    update_recorded(case, by=None, reason=f"{name}届满，已短信提醒双方当事人", validate=False)
    return True


@transaction.atomic
def _remind_collect_closing(case: Case, today: date) -> bool:
    case = _lock(case)
    if case.collect_notified_on is not None or case.collect_by is None:
        return False
    _notify_parties(
        case,
        f"【政务服务】提醒：您的“{case.item.name}”申请（办件编号 {case.number}）申请发证的期限将于 "
        f"{case.collect_by:%Y年%m月%d日} 届满。{_come_by_text(case)}",
    )
    case.collect_notified_on = today
    # validate=False: only the system's reminder date changes.
    update_recorded(case, by=None, reason="申请发证期限将届满，已短信提醒双方当事人", validate=False)
    return True


def waiting_periods_run(*, today: date | None = None) -> dict[str, int]:
    """离婚冷静期 and the like, every few minutes (idempotent): both parties are
    told when the waiting period has ended and again `COLLECT_REMIND_DAYS`
    before the last day to come; a case not completed by then is deemed withdrawn."""
    today = today or _today()
    waiting = Case.objects.filter(
        status__in=TRANSITIONS["deemed_withdraw"][0], waiting_ends_on__isnull=False
    ).select_related("center")
    counts = {"deemed_withdrawn": 0, "waiting_over_sent": 0, "collect_closing_sent": 0}
    for case in waiting.filter(collect_by__lt=today):
        case_deem_withdrawn(case=case, today=today)
        counts["deemed_withdrawn"] += 1
    for case in waiting.filter(waiting_ends_on__lt=today, waiting_notified_on__isnull=True):
        counts["waiting_over_sent"] += _remind_waiting_over(case, today)
    closing = waiting.filter(
        waiting_ends_on__lt=today,
        collect_by__gte=today,
        collect_by__lte=today + timedelta(days=COLLECT_REMIND_DAYS),
        collect_notified_on__isnull=True,
    )
    for case in closing:
        counts["collect_closing_sent"] += _remind_collect_closing(case, today)
    return counts


# --- supervision -------------------------------------------------------------------------------


def _want_acceptance(case: Case, today: date) -> dict[str, tuple[str, date | None]]:
    """A submitted case nobody has decided on: yellow as the 5 working days run out."""
    try:
        due = acceptance_due(case)
        left = working_days_between(today, due, district=case.center.district_id)
    except CalendarUnknown:
        return {}
    if left <= yellow_days():
        return {
            Warning.Level.YELLOW: (
                f"受理期限剩余 {left} 个工作日：{due:%m月%d日}前须受理、不予受理或一次性告知，逾期视为受理",
                due,
            )
        }
    return {}


def _want(case: Case, today: date) -> dict[str, tuple[str, date | None]]:
    if case.deadline_unknown:
        year = (
            first_unknown_year(timezone.localtime(case.accepted_at).date(), district=case.center.district_id)
            if case.accepted_at
            else None
        )
        return {
            Warning.Level.FLAG: (
                f"{year or '期限所在'}年节假日安排尚未录入，期限待区政务办录入后计算。",
                None,
            )
        }
    if case.deadline is None:
        return {}
    if today > case.deadline:
        return {Warning.Level.RED: (f"已超过办结期限（{case.deadline:%m月%d日}）", case.deadline)}
    try:  # calendar-day and month limits count calendar days and are never flagged
        left = days_between(today, case.deadline, case.limit_unit, district=case.center.district_id)
    except CalendarUnknown:
        return {Warning.Level.FLAG: ("剩余工作日无法计算，请补录工作日调整。", case.deadline)}
    if left <= yellow_days():
        unit = "个工作日" if case.limit_unit == LimitUnit.WORKDAY else "日"
        return {Warning.Level.YELLOW: (f"剩余 {left} {unit}（期限 {case.deadline:%m月%d日}）", case.deadline)}
    return {}


def _want_follow_ups(overdue: list[FollowUpMaterial]) -> dict[str, tuple[str, date | None]]:
    """容缺受理: a material accepted to follow whose due date has passed without it."""
    if not overdue:
        return {}
    names = "、".join(f"{f.name}（{f.due_on:%m月%d日}前）" for f in overdue)
    return {Warning.Level.FOLLOW_UP: (f"容缺材料逾期未补交：{names}", overdue[0].due_on)}


def _apply_wanted(
    rows: dict[str, tuple[str, date | None]], existing: list[Warning], make: Callable[..., Warning]
) -> int:
    created = 0
    have = {w.level: w for w in existing}
    now = timezone.now()
    for level, w in have.items():
        if level not in rows and w.resolved_at is None:
            w.resolved_at = now
            w.save(update_fields=["resolved_at"])
    for level, (message, due) in rows.items():
        if level in have:
            w = have[level]
            if w.resolved_at is not None or w.message != message[:200]:
                w.resolved_at, w.message, w.due_on = None, message[:200], due
                w.save(update_fields=["resolved_at", "message", "due_on"])
            continue
        try:
            with transaction.atomic():
                make(level=level, message=message[:200], due_on=due)
                created += 1
        except IntegrityError:  # another run got there first: still one row
            pass
    return created


def warnings_compute(*, today: date | None = None) -> dict[str, int]:
    """电子监察: raise yellow/red/flag warnings for open cases and inquiries and
    resolve those that no longer apply. Safe to run any number of times: one
    row per (case, level) — the database refuses a second."""
    today = today or _today()
    created = resolved_before = 0
    resolved_before = Warning.objects.filter(resolved_at__isnull=False).count()
    deemed = 0
    for case in Case.objects.filter(status=S.SUBMITTED).select_related("center"):
        try:
            overdue = today > acceptance_due(case)
        except CalendarUnknown:
            continue  # the 5 days end in a year not entered yet: not deemed on a guess
        if overdue:
            case_deem_accepted(case=case)
            deemed += 1
    # Cases whose clock runs (and those waiting for acceptance); others lose their open warnings.
    watched = {*Case.CLOCK_STATES, S.SUBMITTED}
    running = Case.objects.filter(status__in=watched).select_related("center")
    stale = Warning.objects.filter(case__isnull=False, resolved_at__isnull=True).exclude(
        case__status__in=watched
    )
    stale.update(resolved_at=timezone.now())
    overdue_follow_ups = follow_ups_overdue(today=today)
    for case in running.iterator():
        rows = _want_acceptance(case, today) if case.status == S.SUBMITTED else _want(case, today)
        rows.update(_want_follow_ups(overdue_follow_ups.get(case.pk, [])))
        existing = list(case.warnings.all())
        created += _apply_wanted(
            rows, existing, lambda c=case, **kw: Warning.objects.create(case=c, center_id=c.center_id, **kw)
        )
    Warning.objects.filter(
        inquiry__isnull=False, resolved_at__isnull=True, inquiry__status=FirstInquiry.Status.ANSWERED
    ).update(resolved_at=timezone.now())
    for inq in FirstInquiry.objects.exclude(status=FirstInquiry.Status.ANSWERED).filter(due_on__lt=today):
        rows = {Warning.Level.RED: (f"首问登记 #{inq.pk} 超过 1 个工作日未办结", inq.due_on)}
        created += _apply_wanted(
            rows,
            list(inq.warnings.all()),
            lambda i=inq, **kw: Warning.objects.create(inquiry=i, center_id=i.center_id, **kw),
        )
    resolved = Warning.objects.filter(resolved_at__isnull=False).count() - resolved_before
    return {
        "deemed_accepted": deemed,
        "created": created,
        "resolved": resolved,
        "open": Warning.objects.filter(resolved_at__isnull=True).count(),
    }


@transaction.atomic
def deadlines_recompute(
    *,
    by: User | None = None,
    district_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    reason: str = "节假日安排变更，重算期限",
) -> int:
    """The working-day calendar of `district_id` (None: every district) changed between
    `start` and `end`: compute the deadlines that were flagged, and recompute the open
    cases' deadlines the change can move (accepted before `end`, due from `start` on) —
    flagging them again if their year is no longer known. With no range given, only
    the flagged ones (`manage.py compute_warnings`). Each case whose deadline changes is
    recorded with `reason`; returns how many. Answers `core.calendar.calendar_changed`."""
    from django.db.models import Q

    in_district = Q(center__district_id=district_id) if district_id else Q()
    moved = Q(status__in=Case.CLOCK_STATES | {S.SUSPENDED}, deadline_unknown=False, deadline__isnull=False)
    if start is None and end is None:
        moved = Q(pk__in=[])
    if start is not None:
        moved &= Q(deadline__gte=start)
    if end is not None:
        moved &= Q(accepted_at__date__lte=end)
    n = 0
    for case in (
        Case.objects.select_for_update(of=("self",))
        .filter(in_district & (Q(deadline_unknown=True) | moved))
        .select_related("center")
        .order_by("pk")
    ):
        before = (case.deadline, case.deadline_unknown)
        _compute_deadline(case)
        if (case.deadline, case.deadline_unknown) != before:
            # validate=False: only the computed deadline fields change (system-maintained).
            save_recorded(case, by=by, reason=reason, validate=False)
            n += 1
    return n


# --- first inquiries ------------------------------------------------------------------------


def _inquiry_due(center: Center) -> date | None:
    try:
        return add_working_days(_today(), 1, district=center.district_id)
    except CalendarUnknown:
        return _today() + timedelta(days=1)


@transaction.atomic
def inquiry_record(
    *, by: User, center: Center, asker_name: str, asker_contact: str, topic: str
) -> FirstInquiry:
    """首问: the staff member asked first records the question and owns it."""
    access_center(by, center, "inquire", not_found="没有找到该中心，或您无权查看。")
    asker_name, asker_contact, topic = (
        (asker_name or "").strip(),
        (asker_contact or "").strip(),
        (topic or "").strip(),
    )
    if not asker_name:
        raise DomainError("请填写咨询人姓名（可填“匿名”）。", field="asker_name")
    if not asker_contact:
        raise DomainError("请填写联系方式，以便答复。", field="asker_contact")
    if not topic:
        raise DomainError("请填写咨询事项。", field="topic")
    inq = FirstInquiry(
        center=center,
        asker_name=asker_name,
        asker_contact=asker_contact,
        topic=topic,
        received_by=by,
        owner=by,
        due_on=_inquiry_due(center),
    )
    save_recorded(inq, by=by, reason="首问登记")
    _inquiry_event(inq, label="首问登记", by=by)
    return inq


def _inquiry_event(inquiry: FirstInquiry, *, label: str, by: User, note: str = "") -> None:
    """One step of an inquiry (a log line: written once, never changed)."""
    insert_row(InquiryEvent(inquiry=inquiry, label=label, by=by, note=note))


def _lock_inquiry(by: User, inquiry: FirstInquiry) -> FirstInquiry:
    """The inquiry with its row locked, if `by` may see it (it is at their center or handed over to them)."""
    inquiry = FirstInquiry.objects.select_for_update(of=("self",)).select_related("center").get(pk=inquiry.pk)
    if by.id != inquiry.handover_to_id:
        access_center(by, inquiry.center, "view", not_found="没有找到该首问登记，或您无权查看。")
    return inquiry


@transaction.atomic
def inquiry_answer(*, by: User, inquiry: FirstInquiry, answer: str) -> FirstInquiry:
    inquiry = _lock_inquiry(by, inquiry)
    if inquiry.owner_id != by.id:
        raise Refused("只有当前责任人可以答复该咨询。")
    if inquiry.status != FirstInquiry.Status.OPEN:
        raise WrongState(f"该咨询当前为“{inquiry.get_status_display()}”，不能答复。")
    if not (answer or "").strip():
        raise DomainError("请填写答复内容。", field="answer")
    inquiry.answer, inquiry.answered_at, inquiry.status = (
        answer.strip(),
        timezone.now(),
        FirstInquiry.Status.ANSWERED,
    )
    save_recorded(inquiry, by=by, reason="答复")
    _inquiry_event(inquiry, label="答复", by=by, note=inquiry.answer)
    Warning.objects.filter(inquiry=inquiry, resolved_at__isnull=True).update(resolved_at=timezone.now())
    return inquiry


@transaction.atomic
def inquiry_hand_over(*, by: User, inquiry: FirstInquiry, to: User, note: str) -> FirstInquiry:
    """Hand the question over on record to a named colleague; it stays with the
    current owner until the colleague accepts."""
    inquiry = _lock_inquiry(by, inquiry)
    if inquiry.owner_id != by.id:
        raise Refused("只有当前责任人可以移交该咨询。")
    if inquiry.status != FirstInquiry.Status.OPEN:
        raise WrongState(f"该咨询当前为“{inquiry.get_status_display()}”，不能移交。")
    if to is None or to.id == by.id:
        raise DomainError("请选择接收的同事（不能是自己）。", field="to")
    from govhall.accounts.models import RoleAssignment

    if not RoleAssignment.objects.filter(
        user=to,
        center__district_id=inquiry.center.district_id,
        role__in=[
            Role.CLERK,
            Role.CHIEF_REP,
            Role.BRANCH_MANAGER,
            Role.DEPARTMENT_LEADER,
            Role.DISTRICT_ADMIN,
        ],
    ).exists():
        raise DomainError("接收人须为本区的工作人员。", field="to")
    if not (note or "").strip():
        raise DomainError("请写明移交原因和已了解的情况。", field="note")
    inquiry.handover_to, inquiry.handover_note, inquiry.status = (
        to,
        note.strip()[:300],
        FirstInquiry.Status.HANDOVER,
    )
    save_recorded(inquiry, by=by, reason=f"移交给{to.display_name}")
    _inquiry_event(inquiry, label=f"移交给 {to.display_name}", by=by, note=inquiry.handover_note)
    return inquiry


@transaction.atomic
def inquiry_accept(*, by: User, inquiry: FirstInquiry) -> FirstInquiry:
    inquiry = _lock_inquiry(by, inquiry)
    if inquiry.status != FirstInquiry.Status.HANDOVER:
        raise WrongState("该咨询没有待接收的移交。")
    if inquiry.handover_to_id != by.id:
        raise Refused("只有被指定的同事可以接收该移交。")
    inquiry.owner, inquiry.handover_to, inquiry.status = by, None, FirstInquiry.Status.OPEN
    save_recorded(inquiry, by=by, reason="接收移交")
    _inquiry_event(inquiry, label="接收移交", by=by)
    return inquiry


@transaction.atomic
def inquiry_decline(*, by: User, inquiry: FirstInquiry, note: str) -> FirstInquiry:
    inquiry = _lock_inquiry(by, inquiry)
    if inquiry.status != FirstInquiry.Status.HANDOVER:
        raise WrongState("该咨询没有待接收的移交。")
    if inquiry.handover_to_id != by.id:
        raise Refused("只有被指定的同事可以退回该移交。")
    if not (note or "").strip():
        raise DomainError("请写明退回原因。", field="note")
    inquiry.handover_to, inquiry.status = None, FirstInquiry.Status.OPEN
    save_recorded(inquiry, by=by, reason="退回移交")
    _inquiry_event(inquiry, label="退回移交", by=by, note=note.strip())
    return inquiry


# --- a ticket finished with its case ------------------------------------------------------------


@transaction.atomic
def ticket_finish_with_case(
    *,
    window: Window,
    by: User,
    item: ServiceItem,
    applicant_name: str,
    applicant_id_number: str,
    contact_phone: str,
    applicant_kind: str = "person",
    paper_material_ids: Iterable[int] = (),
    note: str = "",
    second_name: str = "",
    second_id_number: str = "",
    second_phone: str = "",
) -> tuple[Ticket, Case]:
    """办结 the ticket at `window` and start a case for it: the window's intake of
    the application, marked with the ticket's number. Both happen or neither.
    Returns (ticket, case)."""
    ticket = ticket_finish(window=window, by=by)
    case = case_intake_window(
        by=by,
        center=window.center,
        item=item,
        applicant_kind=applicant_kind,
        applicant_name=applicant_name,
        applicant_id_number=applicant_id_number,
        contact_phone=contact_phone,
        paper_material_ids=paper_material_ids,
        note=note,
        ticket_number=ticket.code,
        second_name=second_name,
        second_id_number=second_id_number,
        second_phone=second_phone,
    )
    return ticket, case


# --- 代收代办、收受分离: hand-over of materials between halls (issue 18) ----------------------


def _pickup_for(center: Center, receiving: Center | None, pickup: Center | None) -> Center | None:
    """取件地点: the applicant chooses the handling hall or the receiving hall (None: the
    handling hall, as before)."""
    if pickup is None or pickup.pk == center.pk:
        return None
    if receiving is not None and pickup.pk == receiving.pk:
        return pickup
    raise DomainError("取件地点只能是收件大厅或办理大厅。", field="pickup_center")


def _handover_of(case: Case) -> HandOver | None:
    return HandOver.objects.filter(case_id=case.pk).first()


def _decide_with_materials(by: User | None, case: Case, label: str) -> None:
    """`_decide`, and for a case received at another hall, its hand-over received here."""
    _decide(by, case)
    if by is not None and case.received_elsewhere:
        _check_handed_over(case, label)


def _check_handed_over(case: Case, label: str) -> None:
    """A case received at another hall is decided on only after its materials were
    handed over and received here."""
    handover = _handover_of(case)
    if handover is None or handover.received_at is None:
        raise WrongState(
            f"该办件由{case.receiving_hall.name}代收，材料尚未移交并由本大厅接收，不能{label}。",
            code="handover_pending",
        )


@transaction.atomic
def case_hand_over(
    *, by: User | None, case: Case, form: str, material_ids: Iterable[int] | None = None, note: str = ""
) -> HandOver:
    """材料移交: the receiving hall hands the materials of a case it received for
    another hall over to that hall — who, when, which materials (the ones received,
    by default all of them), on paper or electronically. Once per case."""
    case = _lock(case)
    if not case.received_elsewhere:
        raise WrongState("该办件由办理大厅直接收件，无需移交。", code="not_received_elsewhere")
    receiving = case.receiving_hall
    access_center(by, receiving, "intake", not_found=CASE_NOT_FOUND)
    if HandOver.objects.filter(case_id=case.pk).exists():
        raise WrongState("该办件的材料已经移交，不能重复移交。", code="handed_over")
    if form not in HandOver.Form.values:
        raise DomainError("请选择移交形式：纸质材料或电子材料。", field="form")
    received = list(case.materials.order_by("handed_in_at", "id"))
    if material_ids is not None:
        try:
            wanted = {int(i) for i in material_ids}
        except (TypeError, ValueError):
            raise DomainError("所选材料不是该办件已收取的材料。", field="materials") from None
        if not wanted:
            raise DomainError("请至少选择一份移交的材料。", field="materials")
        if not wanted <= {m.pk for m in received}:
            raise DomainError("所选材料不是该办件已收取的材料。", field="materials")
        received = [m for m in received if m.pk in wanted]
    if not received:
        raise DomainError("该办件尚未收取任何材料，无法移交。", field="materials")
    handover = HandOver(
        case=case,
        from_center=receiving,
        to_center=case.center,
        form=form,
        materials=[m.name for m in received],
        note=(note or "").strip(),
        handed_by=by,
        handed_at=timezone.now(),
    )
    save_recorded(handover, by=by, reason="材料移交")
    _note(
        case,
        action="hand_over",
        label="材料移交",
        by=by,
        reason=f"{receiving.name}→{case.center.name}，{handover.get_form_display()}：{'、'.join(handover.materials)}",
    )
    return handover


@transaction.atomic
def handover_receive(*, by: User | None, case: Case, note: str = "") -> HandOver:
    """接收移交材料: the handling hall records that the materials arrived — once; a
    second receipt is refused (WrongState, 409) and writes nothing. Then the hall
    accepts or notifies (一次性告知) as for any case."""
    case = _lock(case)
    access_center(by, case.center, "decide")
    handover = HandOver.objects.select_for_update().filter(case_id=case.pk).first()
    if handover is None:
        raise WrongState("该办件的材料尚未移交。", code="handover_pending")
    if handover.received_at is not None:
        who = handover.received_by.display_name if handover.received_by else "系统"
        when = timezone.localtime(handover.received_at).strftime("%Y-%m-%d %H:%M")
        raise WrongState(f"该移交已于 {when} 由{who}接收，不能重复接收。", code="handover_received")
    handover.received_by, handover.received_at = by, timezone.now()
    save_recorded(handover, by=by, reason="接收移交材料")
    _note(case, action="handover_receive", label="接收移交材料", by=by, reason=(note or "").strip())
    return handover
