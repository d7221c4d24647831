# ── Complaints ──────────────────────────────────────────────────────────────
"""The only writers of complaints and 办不成事 records. Every step is one
transaction, recorded in the complaint's history and as a ComplaintEvent
(who/when/what). Deadlines are working days of the district's calendar."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q, Subquery
from django.utils import timezone

from govhall.accounts.access import access_at_center
from govhall.cases.models import Case
from govhall.core.calendar import CalendarUnknown, add_working_days
from govhall.core.errors import DomainError, NotFound, WrongState
from govhall.core.history import save_recorded
from govhall.core.notifications import send_sms
from govhall.core.services import counter_next
from govhall.queueing.models import Ticket, Window

from . import permissions
from .models import (
    BAD_LEVELS,
    COMPLAINT_ACCEPT_DAYS,
    COMPLAINT_REPLY_DAYS,
    OFFLINE_INDICATORS,
    ONLINE_INDICATORS,
    UNRESOLVED_DAYS,
    Complaint,
    ComplaintEvent,
    Level,
    PadStep,
    Rating,
    RatingInvitation,
    RatingPad,
    Rectification,
    Unresolved,
)
from .permissions import access_complaint, access_record

PHONE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")
S = Complaint.Status


def _days(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def district_days(district: Any, field: str, default: int) -> int:
    """A deadline the district office sets on its district (centers.District:
    rectify_days, complaint_reply_days, unresolved_days; working days 1–60)."""
    return int(getattr(district, field, None) or default)


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
        reply_by=_due(
            today,
            district_days(center.district, "complaint_reply_days", COMPLAINT_REPLY_DAYS),
            center.district,
        ),
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
        due=_due(
            timezone.localdate(),
            district_days(center.district, "unresolved_days", UNRESOLVED_DAYS),
            center.district,
        ),
    )
    return save_recorded(u, by=by, reason="登记办不成事反映")


def unresolved_deadlines_run(*, today: date | None = None) -> int:
    """办不成事 overdue: yellow (due within 2 days) and red (past due) for every open
    record, set-based; rows already right are skipped, so a second run writes
    nothing. Returns the number of records whose warning changed."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=2)
    open_ = Unresolved.objects.filter(status=Unresolved.Status.OPEN)
    red, yellow = Complaint.Warning.RED, Complaint.Warning.YELLOW
    changed = open_.filter(due__lt=today).exclude(warning=red).update(warning=red)
    changed += open_.filter(due__gte=today, due__lte=soon).exclude(warning=yellow).update(warning=yellow)
    # A deadline moved later (or a wrongly coloured row): back to normal.
    changed += open_.filter(due__gt=soon).exclude(warning="").update(warning="")
    return changed


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


QR_SALT = "govhall.feedback.rate"
QR_MAX_AGE = timedelta(days=7)
INVITE_AFTER = timedelta(days=3)
REVISIT_DAYS = 1
NEAR_DAYS = 2  # yellow: the deadline is this many days away or less


def fix_days(district: Any = None) -> int:
    """整改时限 in working days: the district's setting (District.rectify_days), default 15."""
    return district_days(district, "rectify_days", 15)


@dataclass
class Event:
    """A service event that may be rated: its hall, window, clerk and item."""

    kind: str
    step: str
    ticket: Ticket | None
    case: Case | None
    center: Any
    window: Window | None
    clerk: Any
    item: Any
    online: bool
    applicant: Any = None
    phone: str = ""
    pad_step: int | None = None  # the PadStep a pad asks about (a case step at the window)
    at: datetime | None = None  # when the service the pad asks about ended

    @property
    def label(self) -> str:
        if self.ticket is not None:
            return f"排队号 {self.ticket.code}（{self.ticket.day:%m-%d}）"
        if self.case is None:
            return ""
        return f"办件 {self.case.number or self.case.pk}（{Rating.Step(self.step).label}）"


CASE_STEPS = {
    Rating.Step.SUBMITTED: "submitted_at",
    Rating.Step.ACCEPTED: "accepted_at",
    Rating.Step.COMPLETED: "completed_at",
}


def _ticket_event(ticket: Ticket) -> Event:
    """A finished ticket (fetched with its hall, window and clerk) as the event to rate."""
    return Event(
        kind=Rating.EventKind.TICKET,
        step=Rating.Step.SERVED,
        ticket=ticket,
        case=None,
        center=ticket.center,
        window=ticket.window,
        clerk=ticket.finished_by,
        item=None,
        online=False,
        phone=ticket.phone,
    )


def event_resolve(kind: str, pk: int, step: str) -> Event:
    """The event to rate, refused unless it has happened."""
    if kind == Rating.EventKind.TICKET:
        ticket = Ticket.objects.select_related("center", "window", "finished_by").filter(pk=pk).first()
        if ticket is None:
            raise NotFound("没有找到该排队号。")
        if ticket.status != Ticket.Status.DONE or step != Rating.Step.SERVED:
            raise WrongState("该服务尚未办结，暂不能评价。", code="not_happened")
        return _ticket_event(ticket)
    if kind == Rating.EventKind.CASE:
        case = Case.objects.select_related("center", "item").filter(pk=pk).first()
        if case is None:
            raise NotFound("没有找到该办件。")
        stamp = CASE_STEPS.get(step)  # type: ignore[call-overload]
        if stamp is None or getattr(case, stamp) is None:
            raise WrongState("该办件尚未到达这一环节，暂不能评价。", code="not_happened")
        return Event(
            kind=kind,
            step=step,
            ticket=None,
            case=case,
            center=case.center,
            window=None,
            clerk=case.decided_by
            if step == Rating.Step.COMPLETED and case.decided_by_id
            else case.received_by,
            item=case.item,
            online=case.channel == Case.Channel.ONLINE,
            applicant=case.applicant_user,
            phone=case.contact_phone,
        )
    raise DomainError("评价对象不正确。", field="event_kind")


def _check_level(level: Any, indicators: Any, online: bool) -> tuple[int, list[str]]:
    try:
        level = Level(int(level))
    except (TypeError, ValueError):
        raise DomainError("请选择评价等级（非常满意至非常不满意）。", field="level") from None
    allowed = ONLINE_INDICATORS if online else OFFLINE_INDICATORS
    ticked = [str(i) for i in (indicators or [])]
    unknown = [i for i in ticked if i not in allowed]
    if unknown:
        raise DomainError(f"评价指标不正确：{'、'.join(unknown)}。", field="indicators")
    if level in BAD_LEVELS and not ticked:
        raise DomainError("差评请勾选不满意的指标。", field="indicators")
    return int(level), list(dict.fromkeys(ticked))


def rating_submit(
    *,
    event: Event,
    channel: str,
    level: Any,
    indicators: Any = (),
    text: str = "",
    rater: Any = None,
) -> Rating:
    """Record one rating of `event` by `channel`; a bad rating opens its rectification."""
    level, ticked = _check_level(level, indicators, event.online)
    text = (text or "").strip()
    if len(text) > 500:
        raise DomainError("评价内容不能超过 500 字。", field="text")
    if rater is not None and not getattr(rater, "is_authenticated", False):
        rater = None
    rating = Rating(
        event_kind=event.kind,
        ticket=event.ticket,
        case=event.case,
        step=event.step,
        channel=channel,
        level=level,
        online=event.online,
        indicators=ticked if level in BAD_LEVELS else [],
        text=text,
        clerk=event.clerk,
        center=event.center,
        window=event.window,
        item=event.item,
        rater=rater or (event.applicant if channel == Rating.Channel.ACCOUNT else None),
        rater_phone=event.phone if channel != Rating.Channel.PAD or event.phone else "",
    )
    try:
        with transaction.atomic():
            save_recorded(rating, by=rater, reason=f"评价：{Level(level).label}")
            if level in BAD_LEVELS:
                _rectification_open(rating)
    except IntegrityError:
        raise WrongState("该服务已经评价过，不能重复评价。", code="already_rated") from None
    return rating


def _rectification_open(rating: Rating) -> Rectification:
    today = timezone.localdate()
    district = rating.center.district
    rect = Rectification(
        rating=rating,
        center=rating.center,
        revisit_due=add_working_days(today, REVISIT_DAYS, district=district) if rating.real_name else None,
        fix_due=add_working_days(today, fix_days(district), district=district),
    )
    return save_recorded(rect, by=None, reason="差评自动开启整改", validate=False)


# The phone channel: a signed token per event, valid for 7 days.


def qr_token(kind: str, pk: int, step: str) -> str:
    return signing.dumps([kind, pk, step], salt=QR_SALT, compress=True)


def qr_event(token: str) -> Event:
    try:
        kind, pk, step = signing.loads(token, salt=QR_SALT, max_age=QR_MAX_AGE)
    except signing.SignatureExpired:
        raise DomainError("该评价二维码已过期（有效期 7 天）。", code="expired") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise NotFound("评价二维码无效。") from None
    return event_resolve(kind, int(pk), step)


def rating_by_qr(
    *, token: str, level: Any, indicators: Any = (), text: str = "", rater: Any = None
) -> Rating:
    return rating_submit(
        event=qr_event(token),
        channel=Rating.Channel.QR,
        level=level,
        indicators=indicators,
        text=text,
        rater=rater,
    )


def rating_by_account(
    *, case: Case, step: str, by: Any, level: Any, indicators: Any = (), text: str = ""
) -> Rating:
    """The citizen rates their own case from their cases page."""
    if by is None or not by.is_authenticated or case.applicant_user_id != by.pk:
        raise NotFound("没有找到该办件。")
    return rating_submit(
        event=event_resolve(Rating.EventKind.CASE, case.pk, step),
        channel=Rating.Channel.ACCOUNT,
        level=level,
        indicators=indicators,
        text=text,
        rater=by,
    )


# The rating pad.


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def pad_issue(*, by: Any, window: Window) -> tuple[RatingPad, str]:
    """Issue a device token for `window`'s pad; the raw token is shown once."""
    access_at_center(by, window.center, action="pad", table=permissions.TABLE, refused=permissions.REFUSED)
    raw = secrets.token_urlsafe(24)
    pad = RatingPad(window=window, token_hash=_hash(raw), issued_by=by)
    save_recorded(pad, by=by, reason="发放窗口评价器", validate=False)
    return pad, raw


def pad_revoke(*, by: Any, pad: RatingPad) -> RatingPad:
    access_at_center(
        by, pad.window.center, action="pad", table=permissions.TABLE, refused=permissions.REFUSED
    )
    pad.revoked = True
    return save_recorded(pad, by=by, reason="停用窗口评价器", validate=False)


def pad_for_token(raw: str) -> RatingPad:
    pad = (
        RatingPad.objects.select_related("window", "window__center")
        .filter(token_hash=_hash(raw or ""), revoked=False)
        .first()
    )
    if pad is None:
        raise NotFound("评价器未绑定或已停用，请联系大厅负责人。")
    return pad


def _pad_event_at(window_id: Any) -> Event | None:
    """The window's last finished ticket today, unless already rated on the pad: one query
    (the ticket with the ids of its hall, window and clerk, and whether the pad rated it).
    `window_id` may be a subquery (the pad's window, found by its token in the same query)."""
    from django.db.models import Exists, OuterRef

    ticket = (
        Ticket.objects.select_related("center", "window", "finished_by")
        # A rating needs only the ids of the hall, window and clerk: not their ~80 columns.
        .only("id", "status", "phone", "finished_at", "center__id", "window__id", "finished_by__id")
        .filter(window_id=window_id, status=Ticket.Status.DONE, day=timezone.localdate())
        .annotate(pad_rated=Exists(Rating.objects.filter(ticket=OuterRef("pk"), channel=Rating.Channel.PAD)))
        .order_by("-finished_at")
        .first()
    )
    step = (
        PadStep.objects.select_related("window", "clerk")
        .filter(window_id=window_id, at__date=timezone.localdate())
        .annotate(
            pad_rated=Exists(
                Rating.objects.filter(
                    case_id=OuterRef("case_id"), step=OuterRef("step"), channel=Rating.Channel.PAD
                )
            )
        )
        .order_by("-at")
        .first()
    )
    if step is not None and (ticket is None or ticket.finished_at is None or step.at > ticket.finished_at):
        return None if step.pad_rated else _case_step_event(step)
    if ticket is None or ticket.pad_rated:
        return None
    event = _ticket_event(ticket)
    event.at = ticket.finished_at
    return event


def _case_step_event(step: PadStep) -> Event:
    """A case step done at the window, as the pad's event: rated with the window's
    (offline) indicators, of the clerk who did it."""
    event = event_resolve(Rating.EventKind.CASE, step.case_id, step.step)
    event.window, event.clerk, event.online = step.window, step.clerk, False
    event.pad_step, event.at = step.pk, step.at
    return event


def pad_event(pad: RatingPad) -> Event | None:
    """What the pad asks about: the window's last finished ticket today not yet rated on the pad."""
    return _pad_event_at(pad.window_id)


def rating_by_pad(
    *,
    raw: str,
    level: Any,
    indicators: Any = (),
    text: str = "",
    ticket_id: int | None = None,
    pad_step_id: int | None = None,
) -> Rating:
    """One rating from the window's pad of the service it asks about (the newest ticket or
    case step at its window). When the pad says which service it showed (`ticket_id` or
    `pad_step_id`) and the window has finished another since, the rating is refused rather
    than given to the wrong person."""
    # Hot path (every pad press): the pad found by its token in the same query as the ticket;
    # see bench/ratings.py.
    pads = RatingPad.objects.filter(token_hash=_hash(raw or ""), revoked=False)
    event = _pad_event_at(Subquery(pads.values("window_id")[:1]))
    if event is None:
        if not pads.exists():
            raise NotFound("评价器未绑定或已停用，请联系大厅负责人。")
        raise WrongState("当前没有待评价的服务，可能已经评价过。", code="not_happened")
    shown_other_ticket = ticket_id is not None and (event.ticket is None or event.ticket.pk != ticket_id)
    shown_other_step = pad_step_id is not None and event.pad_step != pad_step_id
    if shown_other_ticket or shown_other_step:
        raise WrongState("窗口已开始办理下一位，本次服务已不能在评价器上评价。", code="stale")
    return rating_submit(
        event=event, channel=Rating.Channel.PAD, level=level, indicators=indicators, text=text
    )


# Invitations: one SMS per completed case nobody rated after 3 days.


def invitations_send(*, now: datetime | None = None) -> int:
    """Set-based: only the cases due are read; a second run sends nothing."""
    now = now or timezone.now()
    due = list(
        Case.objects.filter(completed_at__lte=now - INVITE_AFTER, completed_at__gte=now - INVITE_AFTER * 10)
        .exclude(contact_phone_hash="")
        .exclude(ratings__isnull=False)
        .exclude(pk__in=RatingInvitation.objects.values("case_id"))
        .values_list("pk", "contact_phone", "number")
    )
    if not due:
        return 0
    with transaction.atomic():
        made = RatingInvitation.objects.bulk_create(
            [RatingInvitation(case_id=pk) for pk, _, _ in due], ignore_conflicts=True
        )
    del made
    for pk, phone, number in due:
        send_sms(phone, f"【政务服务】您的办件{number or pk}已办结，请对我们的服务进行评价（好差评）。")
    return len(due)


# ── Rectification of bad ratings (差评整改) ──


def _handle(by: Any, rect: Rectification, action: str = "handle") -> None:
    access_at_center(by, rect.center, action=action, table=permissions.TABLE, refused=permissions.REFUSED)


def _locked(rect: Rectification) -> Rectification:
    return Rectification.objects.select_for_update().select_related("center", "rating").get(pk=rect.pk)


def rect_revisit(*, by: Any, rect: Rectification, note: str) -> Rectification:
    """回访: what the rater said when called back."""
    _handle(by, rect)
    note = (note or "").strip()
    if not note:
        raise DomainError("请填写回访记录。", field="note")
    with transaction.atomic():
        rect = _locked(rect)
        if rect.status != Rectification.Status.OPEN:
            raise WrongState("该整改已回访。")
        rect.revisit_note, rect.revisited_at = note, timezone.now()
        rect.status = Rectification.Status.REVISITED
        return save_recorded(rect, by=by, reason="回访", validate=False)


def rect_finding(*, by: Any, rect: Rectification, valid: bool, reason: str = "") -> Rectification:
    """核实: valid → fix; not valid (with reason) → the district office reviews it."""
    _handle(by, rect)
    reason = (reason or "").strip()
    if not valid and not reason:
        raise DomainError("核实为不属实须写明理由。", field="reason")
    with transaction.atomic():
        rect = _locked(rect)
        if rect.status not in (Rectification.Status.OPEN, Rectification.Status.REVISITED):
            raise WrongState("该整改已核实。")
        if rect.rating.real_name and rect.revisited_at is None:
            raise WrongState("实名差评须先回访。")
        rect.finding = Rectification.Finding.VALID if valid else Rectification.Finding.INVALID
        rect.finding_reason = "" if valid else reason
        rect.status = Rectification.Status.FIXING if valid else Rectification.Status.CHECKING
        return save_recorded(rect, by=by, reason="核实属实" if valid else "核实不属实", validate=False)


def rect_review(*, by: Any, rect: Rectification, overturn: bool, reason: str = "") -> Rectification:
    """区政务办复核 a not-valid finding: overturn (→ fix) or confirm (→ closed)."""
    _handle(by, rect, "review")
    reason = (reason or "").strip()
    if not overturn and not reason:
        raise DomainError("维持不属实须写明复核理由。", field="reason")
    with transaction.atomic():
        rect = _locked(rect)
        if rect.status != Rectification.Status.CHECKING:
            raise WrongState("只有核实为不属实的整改需要复核。")
        if overturn:
            rect.overturned, rect.finding = True, Rectification.Finding.VALID
            rect.status = Rectification.Status.FIXING
        else:
            _close(rect)
        return save_recorded(
            rect, by=by, reason=("改判属实：" if overturn else "维持不属实：") + reason, validate=False
        )


def _close(rect: Rectification) -> None:
    now = timezone.now()
    rect.status, rect.closed_at = Rectification.Status.CLOSED, now
    rect.on_time = timezone.localdate(now) <= rect.fix_due and (
        rect.revisit_due is None
        or (rect.revisited_at is not None and timezone.localdate(rect.revisited_at) <= rect.revisit_due)
    )
    rect.warning = ""


def rect_fix(*, by: Any, rect: Rectification, fix: str, answer: str) -> Rectification:
    """整改 and 答复: what was done, and the answer to the rater; closes the rectification."""
    _handle(by, rect)
    fix, answer = (fix or "").strip(), (answer or "").strip()
    if not fix:
        raise DomainError("请填写整改措施。", field="fix")
    if not answer:
        raise DomainError("请填写答复评价人的内容。", field="answer")
    with transaction.atomic():
        rect = _locked(rect)
        if rect.status != Rectification.Status.FIXING:
            raise WrongState("须先核实差评属实，才能录入整改。")
        rect.fix_text, rect.answer_text = fix, answer
        _close(rect)
        save_recorded(rect, by=by, reason="整改并答复", validate=False)
    phone = rect.rating.rater_phone or getattr(rect.rating.rater, "phone", "")
    if phone:
        transaction.on_commit(lambda: send_sms(phone, f"【政务服务】您的差评已整改：{answer[:60]}"))
    return rect


def rect_rate_fix(*, token: str, level: Any) -> Rectification:
    """The rater rates the fix (with the token of the rating's QR)."""
    event = qr_event(token)
    rect = Rectification.objects.filter(
        rating__ticket=event.ticket, rating__case=event.case, rating__step=event.step
    ).first()
    if rect is None or rect.status != Rectification.Status.CLOSED or rect.fix_text == "":
        raise WrongState("该差评尚未整改完毕。")
    if rect.after_level is not None:
        raise WrongState("已经评价过整改结果。")
    try:
        rect.after_level = Level(int(level))
    except (TypeError, ValueError):
        raise DomainError("请选择评价等级。", field="level") from None
    return save_recorded(rect, by=None, reason="评价人评价整改结果", validate=False)


def rectification_warnings_compute(*, today: date | None = None) -> int:
    """Yellow (near) / red (past) on each open rectification's deadline. Set-based and
    idempotent: only rows whose colour changes are written."""
    from django.db.models import Q

    today = today or timezone.localdate()
    near = today + timedelta(days=NEAR_DAYS)
    open_ = Rectification.objects.exclude(status=Rectification.Status.CLOSED)
    past = Q(fix_due__lt=today) | Q(revisit_due__lt=today, revisited_at__isnull=True)
    close = Q(fix_due__lte=near) | Q(revisit_due__lte=near, revisited_at__isnull=True)
    changed = open_.filter(past).exclude(warning="red").update(warning="red")
    changed += open_.filter(close).exclude(past).exclude(warning="yellow").update(warning="yellow")
    changed += open_.exclude(close).exclude(warning="").update(warning="")
    return changed


# ── Ratings: the account channel's rate-the-fix (issue 15) ──


def rect_rate_fix_by_account(*, by: Any, rating: Rating, level: Any) -> Rectification:
    """The rater rates the fix from their account (no QR token at hand): only the
    account that gave the rating may, once, after the answer was given."""
    if by is None or not getattr(by, "is_authenticated", False) or rating.rater_id != by.pk:
        raise NotFound("没有找到该评价。")
    try:
        after = Level(int(level))
    except (TypeError, ValueError):
        raise DomainError("请选择对整改结果的评价。", field="level") from None
    with transaction.atomic():
        rect = Rectification.objects.select_for_update().filter(rating=rating).first()
        if rect is None or rect.status != Rectification.Status.CLOSED or rect.answer_text == "":
            raise WrongState("该差评尚未整改答复。")
        if rect.after_level is not None:
            raise WrongState("已经评价过整改结果。")
        rect.after_level = int(after)
        return save_recorded(rect, by=by, reason="评价人评价整改结果", validate=False)


# ── Rating pads: the pad page and its live channel ──


def pad_channel(window_id: int) -> str:
    """The live channel key of a window's pads (queueing.live, under the boards' pattern)."""
    return f"pad-{window_id}"


def pad_case_step(*, case_id: int, step: str, by_id: int) -> None:
    """Answer to cases' `case_step_done`: when the clerk has a window of the case's
    hall open, that window's pad asks the applicant about this step."""
    from govhall.queueing import live

    center_id = Case.objects.filter(pk=case_id).values_list("center_id", flat=True).first()
    if center_id is None:
        return
    window = (
        Window.objects.filter(clerk_id=by_id, center_id=center_id)
        .exclude(status=Window.Status.CLOSED)
        .order_by("-pk")
        .first()
    )
    if window is None:
        return
    PadStep.objects.create(window=window, case_id=case_id, step=step, clerk_id=by_id)
    key = pad_channel(window.pk)
    if live.may_have_listeners(key):
        live.publish(key, {"kind": "case_step", "case": case_id, "step": step})


def pad_service_finished(*, ticket_id: int, window_id: int, center_id: int, clerk_id: int | None) -> None:
    """Answer to queueing's `service_finished`: the window's pads light up (they
    read their state themselves; the message only wakes them)."""
    from govhall.queueing import live

    key = pad_channel(window_id)
    if live.may_have_listeners(key):
        live.publish(key, {"kind": "finished", "ticket": ticket_id})
