# ── Complaints ──────────────────────────────────────────────────────────────
"""The only writers of complaints and 办不成事 records. Every step is one
transaction, recorded in the complaint's history and as a ComplaintEvent
(who/when/what). Deadlines are working days of the district's calendar."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from govhall.core.calendar import CalendarUnknown, add_working_days
from govhall.core.errors import DomainError, WrongState
from govhall.core.history import save_recorded
from govhall.core.services import counter_next

from .models import (
    COMPLAINT_ACCEPT_DAYS,
    COMPLAINT_REPLY_DAYS,
    UNRESOLVED_DAYS,
    Complaint,
    ComplaintEvent,
    Unresolved,
)
from .permissions import access_complaint, access_record

PHONE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")
S = Complaint.Status


def _days(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _due(start: date, days: int, district: Any) -> date:
    try:
        return add_working_days(start, days, district=district)
    except CalendarUnknown:
        # A year whose holidays are not entered yet: weekdays only (flagged by the calendar page).
        day, left = start, days
        while left > 0:
            day += timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
        return day


def _event(c: Complaint, *, action: str, label: str, frm: str, by: Any, note: str = "") -> None:
    ComplaintEvent.objects.create(
        complaint=c,
        action=action,
        label=label,
        from_status=frm,
        to_status=c.status,
        by=by if by is not None and by.is_authenticated else None,
        note=note,
    )


def _check_phone(phone: str) -> str:
    phone = (phone or "").strip()
    if not PHONE.match(phone):
        raise DomainError("请填写正确的手机号或固定电话（用于查询和答复）。", field="phone")
    return phone


@transaction.atomic
def complaint_submit(
    *,
    by: Any,
    channel: str,
    center: Any,
    about: str,
    text: str,
    phone: str,
    name: str = "",
    subject_user: Any = None,
    item: Any = None,
    order_number: str | None = None,
) -> Complaint:
    """A new complaint with a gap-free tracking number (TS-<year>-000001)."""
    text = (text or "").strip()
    if not text:
        raise DomainError("请填写投诉内容。", field="text")
    if len(text) > 2000:
        raise DomainError("投诉内容不能超过 2000 字。", field="text")
    if center is None:
        raise DomainError("请选择所涉中心。", field="center")
    if about not in Complaint.About.values:
        raise DomainError("请选择投诉对象。", field="about")
    if about == Complaint.About.PERSON and subject_user is None:
        raise DomainError("投诉工作人员时请选择被投诉人。", field="subject_user")
    if about == Complaint.About.ITEM and item is None:
        raise DomainError("投诉事项时请选择事项。", field="item")
    if channel not in Complaint.Channel.values:
        raise DomainError("渠道不正确。", field="channel")
    if channel in {Complaint.Channel.WINDOW, Complaint.Channel.PHONE}:
        access_record(by, center)
    phone = _check_phone(phone)
    today = timezone.localdate()
    year = today.year
    number = f"TS{year}{counter_next(scope=f'complaint:{year}'):06d}"
    c = Complaint(
        number=number,
        channel=channel,
        about=about,
        center=center,
        subject_user=subject_user if about == Complaint.About.PERSON else None,
        item=item,
        complainant_name=(name or "").strip()[:100],
        complainant_phone=phone,
        citizen=by if channel == Complaint.Channel.ACCOUNT and by is not None else None,
        text=text,
        order_number=order_number or None,
        accept_by=_due(today, _days("GOVHALL_COMPLAINT_ACCEPT_DAYS", COMPLAINT_ACCEPT_DAYS), center.district),
        reply_by=_due(today, _days("GOVHALL_COMPLAINT_REPLY_DAYS", COMPLAINT_REPLY_DAYS), center.district),
    )
    save_recorded(c, by=by, reason="提交投诉")
    _event(c, action="submit", label=f"提交投诉（{c.get_channel_display()}）", frm="", by=by)
    return c


def complaint_from_12345(
    *,
    by: Any,
    order_number: str,
    center: Any,
    text: str,
    phone: str,
    name: str = "",
    about: str = "hall",
    subject_user: Any = None,
    item: Any = None,
) -> tuple[Complaint, bool]:
    """The 12345 hand-over, idempotent on the work-order number: (complaint, created).
    A second call — even a concurrent one — returns the first complaint."""
    from .permissions import access_district

    order_number = (order_number or "").strip()
    if not order_number or len(order_number) > 40:
        raise DomainError("请填写12345工单号（不超过40个字符）。", field="order_number")
    existing = Complaint.objects.filter(order_number=order_number).first()
    if existing is not None:
        return existing, False
    access_district(by, center)
    try:
        with transaction.atomic():
            c = complaint_submit(
                by=by,
                channel=Complaint.Channel.HOTLINE,
                center=center,
                about=about,
                text=text,
                phone=phone,
                name=name,
                subject_user=subject_user,
                item=item,
                order_number=order_number,
            )
        return c, True
    except (IntegrityError, DomainError) as exc:
        again = Complaint.objects.filter(order_number=order_number).first()
        if again is not None:
            return again, False
        if isinstance(exc, DomainError):
            raise
        raise DomainError("该工单号已存在。", field="order_number") from exc


def _step(
    c: Complaint,
    *,
    by: Any,
    allowed: tuple[str, ...],
    to: str,
    action: str,
    label: str,
    note: str = "",
    **fields: Any,
) -> Complaint:
    with transaction.atomic():
        c = Complaint.objects.select_for_update().select_related("center").get(pk=c.pk)
        access_complaint(by, c)
        if c.status not in allowed:
            raise WrongState(f"投诉当前为“{c.get_status_display()}”，不能{label}。")
        frm = c.status
        c.status = to
        for k, v in fields.items():
            setattr(c, k, v)
        if to not in Complaint.OPEN:
            c.warning = Complaint.Warning.NONE
        save_recorded(c, by=by, reason=label)
        _event(c, action=action, label=label, frm=frm, by=by, note=note)
        return c


def complaint_accept(*, by: Any, complaint: Complaint) -> Complaint:
    return _step(
        complaint,
        by=by,
        allowed=(S.PENDING,),
        to=S.ACCEPTED,
        action="accept",
        label="受理",
        accepted_at=timezone.now(),
    )


def complaint_refuse(*, by: Any, complaint: Complaint, reason: str) -> Complaint:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("不予受理须说明理由。", field="reason")
    return _step(
        complaint,
        by=by,
        allowed=(S.PENDING,),
        to=S.REFUSED,
        action="refuse",
        label="不予受理",
        note=reason,
        refuse_reason=reason,
        answer=reason,
    )


def complaint_investigate(*, by: Any, complaint: Complaint, finding: str) -> Complaint:
    finding = (finding or "").strip()
    if not finding:
        raise DomainError("请填写调查情况。", field="finding")
    return _step(
        complaint,
        by=by,
        allowed=(S.ACCEPTED,),
        to=S.INVESTIGATING,
        action="investigate",
        label="调查",
        note=finding,
        finding=finding,
    )


def complaint_decide(*, by: Any, complaint: Complaint, outcome: str, measures: str) -> Complaint:
    measures = (measures or "").strip()
    if outcome not in Complaint.Outcome.values:
        raise DomainError("请选择投诉是否成立。", field="outcome")
    if not measures:
        raise DomainError("请填写处置措施。", field="measures")
    label = f"处置（{Complaint.Outcome(outcome).label}）"
    return _step(
        complaint,
        by=by,
        allowed=(S.INVESTIGATING,),
        to=S.HANDLED,
        action="decide",
        label=label,
        note=measures,
        outcome=outcome,
        measures=measures,
        decided_at=timezone.now(),
    )


def complaint_reply(*, by: Any, complaint: Complaint, answer: str) -> Complaint:
    answer = (answer or "").strip()
    if not answer:
        raise DomainError("请填写答复内容。", field="answer")
    return _step(
        complaint,
        by=by,
        allowed=(S.HANDLED,),
        to=S.REPLIED,
        action="reply",
        label="反馈投诉人",
        note=answer,
        answer=answer,
        replied_at=timezone.now(),
    )


def complaint_archive(*, by: Any, complaint: Complaint) -> Complaint:
    return _step(
        complaint,
        by=by,
        allowed=(S.REPLIED, S.REFUSED),
        to=S.ARCHIVED,
        action="archive",
        label="归档",
        archived_at=timezone.now(),
    )


STEPS: dict[str, Callable[..., Complaint]] = {
    "accept": complaint_accept,
    "refuse": complaint_refuse,
    "investigate": complaint_investigate,
    "decide": complaint_decide,
    "reply": complaint_reply,
    "archive": complaint_archive,
}


def complaint_deadlines_run(*, today: date | None = None) -> int:
    """Yellow (due within 2 days) and red (past the deadline to accept or to answer)
    for every open complaint; idempotent: a second run changes nothing. Returns
    the number of complaints whose warning changed."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=2)
    open_ = Complaint.objects.filter(status__in=Complaint.OPEN)
    red = open_.filter(Q(reply_by__lt=today) | Q(status=S.PENDING, accept_by__lt=today))
    changed = red.exclude(warning=Complaint.Warning.RED).update(warning=Complaint.Warning.RED)
    changed += (
        open_.filter(reply_by__gte=today, reply_by__lte=soon)
        .exclude(status=S.PENDING, accept_by__lt=today)
        .exclude(warning=Complaint.Warning.YELLOW)
        .update(warning=Complaint.Warning.YELLOW)
    )
    return changed


# ── 办不成事反映窗口 ──


@transaction.atomic
def unresolved_record(
    *,
    by: Any,
    center: Any,
    wanted: str,
    item: Any = None,
    owner_department: Any = None,
    owner_center: Any = None,
    name: str = "",
    phone: str = "",
) -> Unresolved:
    access_record(by, center)
    wanted = (wanted or "").strip()
    if not wanted:
        raise DomainError("请填写群众想办的事。", field="wanted")
    if owner_department is None and owner_center is None:
        raise DomainError("请指定责任部门或责任大厅。", field="owner")
    if phone:
        _check_phone(phone)
    u = Unresolved(
        center=center,
        item=item,
        wanted=wanted,
        person_name=(name or "").strip()[:100],
        person_phone=(phone or "").strip(),
        owner_department=owner_department,
        owner_center=owner_center,
        due=_due(timezone.localdate(), _days("GOVHALL_UNRESOLVED_DAYS", UNRESOLVED_DAYS), center.district),
    )
    return save_recorded(u, by=by, reason="登记办不成事反映")


@transaction.atomic
def unresolved_close(*, by: Any, record: Unresolved, status: str, answer: str) -> Unresolved:
    from govhall.core.errors import NotFound

    from .selectors import unresolved_visible_to

    if not unresolved_visible_to(by).filter(pk=record.pk).exists():
        raise NotFound("没有找到该记录，或您无权查看。")
    record = Unresolved.objects.select_for_update().get(pk=record.pk)
    if record.status != Unresolved.Status.OPEN:
        raise WrongState("该反映已办结。")
    if status not in {Unresolved.Status.SOLVED, Unresolved.Status.EXPLAINED}:
        raise DomainError("请选择“已解决”或“已解释说明”。", field="status")
    answer = (answer or "").strip()
    if not answer:
        raise DomainError("请填写办理结果。", field="answer")
    record.status, record.answer, record.closed_at = status, answer, timezone.now()
    return save_recorded(record, by=by, reason=f"办不成事反映{record.get_status_display()}")
