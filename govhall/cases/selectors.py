"""Readers for cases, warnings and inquiries. Every list a user sees — pages,
API, exports — comes from these functions, scoped by `visible_center_ids`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from govhall.accounts.models import Role, RoleAssignment, User
from govhall.accounts.selectors import center_ids_acting_as, visible_center_ids
from govhall.catalog.models import Guide, Material, ServiceItem
from govhall.centers.models import Center
from govhall.core.cache import ProcessCache
from govhall.core.crypto import lookup_hash
from govhall.core.db import Prepared
from govhall.core.errors import DomainError, NotFound
from govhall.staffing.extensions import Measure
from govhall.staffing.models import AssessmentIndicator

from .models import (
    Case,
    CaseEvent,
    CaseMaterial,
    ChiefAuthorization,
    Commitment,
    CorrectionException,
    CorrectionItem,
    Escalation,
    FirstInquiry,
    FollowUpMaterial,
    HandOver,
    Notice,
    Warning,
)
from .permissions import access_case

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Viewer = User | AnonymousUser


def cases_visible_to(user: Viewer) -> QuerySet[Case]:
    """Submitted cases (not drafts) at the centers `user` can see: handled there, or
    received there for another hall (收受分离: both halls see the case)."""
    ids = visible_center_ids(user)
    return (
        Case.objects.filter(Q(center_id__in=ids) | Q(receiving_center_id__in=ids))
        .exclude(status=Case.Status.DRAFT)
        .select_related("center", "item", "guide")
    )


# What a case waits for (the window clerk's workbench groups "my cases" by these, and the case
# list filters by them with ?wait=…): one definition, so a figure always equals its list.
DUE_SOON_DAYS = 3
OPEN_STATES = (
    Case.Status.SUBMITTED,
    Case.Status.CORRECTION,
    Case.Status.ACCEPTED,
    Case.Status.IN_PROGRESS,
    Case.Status.SUSPENDED,
)
CASE_WAITS: dict[str, str] = {
    "accept": "待受理",
    "correction": "待申请人补正",
    "notify": "已办结，待通知领取/送达",
    "due_soon": f"{DUE_SOON_DAYS} 日内到期",
    "overdue": "已超期",
    "open": "未办结",
}


def case_wait_q(wait: str, *, today: date | None = None) -> Q:
    """The condition for one of CASE_WAITS. Due soon: the clock runs and the deadline
    falls within DUE_SOON_DAYS calendar days from today (today included); overdue:
    the clock runs and the deadline has passed."""
    today = today or timezone.localdate()
    running = Q(status__in=list(Case.CLOCK_STATES))
    conditions = {
        "accept": Q(status=Case.Status.SUBMITTED),
        "correction": Q(status=Case.Status.CORRECTION),
        "notify": Q(status=Case.Status.COMPLETED),
        "due_soon": running & Q(deadline__gte=today, deadline__lte=today + timedelta(days=DUE_SOON_DAYS)),
        "overdue": running & Q(deadline__lt=today),
        "open": Q(status__in=list(OPEN_STATES)),
    }
    if wait not in conditions:
        raise DomainError("未知的待办类型。", field="wait")
    return conditions[wait]


def cases_mine_q(user: Viewer) -> Q:
    """我的办件: cases `user` received at the window, plus applications nobody has
    received yet (online, waiting at the user's halls for any clerk to take them)."""
    return Q(received_by_id=user.pk) | Q(received_by__isnull=True, status=Case.Status.SUBMITTED)


def cases_filtered(
    *,
    user: Viewer,
    q: str = "",
    status: str = "",
    center: str = "",
    channel: str = "",
    warned: str = "",
    wait: str = "",
    mine: str = "",
) -> QuerySet[Case]:
    qs = cases_visible_to(user)
    if wait:
        qs = qs.filter(case_wait_q(wait))
    if mine in {"1", "true"}:
        qs = qs.filter(cases_mine_q(user))
    q = (q or "").strip()
    if q:
        # Full ID numbers and phones are searchable, never shown: a match on one finds the case.
        # They are encrypted at rest, so only the whole number matches (through its lookup hash).
        digest = lookup_hash(q)
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(applicant_name__icontains=q)
            | Q(item__name__icontains=q)
            | Q(applicant_id_number_hash=digest)
            | Q(contact_phone_hash=digest)
        )
    if status:
        qs = qs.filter(status=status)
    if center:
        qs = qs.filter(center__code=center)
    if channel:
        qs = qs.filter(channel=channel)
    if warned:
        qs = qs.filter(warnings__resolved_at__isnull=True, warnings__level=warned).distinct()
    return qs.order_by("-submitted_at", "-id")


def case_get(*, user: Viewer, number: str) -> Case:
    """One case by number, for staff who may see it (NotFound otherwise)."""
    case = _case_by_number.first(number)
    if case is None or case.status == Case.Status.DRAFT:
        raise NotFound("没有找到该办件，或您无权查看。")
    return access_case(user, case)


_case_by_number = Prepared(
    lambda number: Case.objects.select_related("center", "item", "guide", "center__district").filter(
        number=number
    ),
    str,
)


def case_events(case: Case) -> list[CaseEvent]:
    """The case's steps in order, each with who took it."""
    return _events_of.objects(case.pk)


def case_notices(case: Case) -> list[Notice]:
    return _notices_of.objects(case.pk)


def case_materials(case: Case) -> list[dict[str, Any]]:
    """The materials handed in, in order: their own id, the guide material's id
    (`material_id`, what a one-time notice names), name, paper or file, and when."""
    keys = ("id", "material_id", "name", "paper", "handed_in_at")
    return [dict(zip(keys, row, strict=True)) for row in _materials_of.rows(case.pk)]


_events_of = Prepared(lambda pk: CaseEvent.objects.filter(case_id=pk).select_related("by"), int)
_notices_of = Prepared(lambda pk: Notice.objects.filter(case_id=pk), int)
_materials_of = Prepared(
    lambda pk: (
        CaseMaterial.objects.filter(case_id=pk)
        .order_by("handed_in_at", "id")
        .values_list("id", "material_id", "name", "paper", "handed_in_at")
    ),
    int,
)


# --- what a window intake reads on every call (kept per process for a moment; treat as read-only) ---

_centers = ProcessCache("center-by-code", depends_on=("centers.Center",))
_items = ProcessCache("item-for-intake", depends_on=("catalog.ServiceItem", "catalog.Guide"))
_guide_materials = ProcessCache("guide-materials", depends_on=("catalog.Material",))


def center_for_intake(user: Viewer, code: str) -> Center | None:
    """The center with this code, if `user` may see it."""
    center = _centers.get(code, lambda: Center.objects.select_related("district").filter(code=code).first())
    return center if center is not None and center.id in visible_center_ids(user) else None


def item_for_intake(center: Center, code: str) -> ServiceItem | None:
    """The district's item with this code, with its hall and its current guide."""
    return _items.get(
        (center.district_id, code),
        lambda: (
            ServiceItem.objects.select_related("center", "current_guide")
            .filter(code=code, district_id=center.district_id)
            .first()
        ),
    )


def guide_materials(guide: Guide) -> dict[int, Material]:
    """The guide's material list by id."""
    return _guide_materials.get(
        guide.pk, lambda: {m.id: m for m in Material.objects.filter(guide_id=guide.pk)}
    )


# --- is the application complete? (容缺受理, 告知承诺制) ------------------------------------------


def materials_received(case: Case) -> set[int]:
    """Ids of the guide's materials the case holds as received: handed in (paper at
    the window or uploaded) and not named missing or defective by a one-time notice
    issued after it came in — a material such a notice names counts again only
    when handed in after it."""
    handed: dict[int, datetime] = {}
    for mid, at in CaseMaterial.objects.filter(case_id=case.pk, material__isnull=False).values_list(
        "material_id", "handed_in_at"
    ):
        handed[mid] = max(at, handed.get(mid, at))
    named: dict[int, datetime] = {}
    for mid, at in CorrectionItem.objects.filter(
        correction__case_id=case.pk, material__isnull=False
    ).values_list("material_id", "correction__issued_at"):
        named[mid] = max(at, named.get(mid, at))
    return {mid for mid, at in handed.items() if mid not in named or at > named[mid]}


def commitment_of(case: Case) -> Commitment | None:
    return Commitment.objects.filter(case_id=case.pk).first()


@dataclass
class Completeness:
    """What acceptance would make of the case's materials now."""

    missing: list[Material] = field(default_factory=list)  # required, not received: acceptance refused
    to_follow: list[Material] = field(default_factory=list)  # 容缺受理: may follow after acceptance
    replaced: list[Material] = field(default_factory=list)  # replaced by the recorded commitment
    commitment: Commitment | None = None


def acceptance_completeness(case: Case) -> Completeness:
    """Every required material of the case's guide version must be received before
    acceptance, except one obtained by data sharing (免提交), one the guide lets
    follow (容缺受理) and one the applicant's recorded commitment replaces (告知承诺制)."""
    received = materials_received(case)
    commitment = commitment_of(case)
    replaced_ids = commitment.material_ids if commitment is not None else set()
    state = Completeness(commitment=commitment)
    for m in sorted(guide_materials(case.guide).values(), key=lambda m: (m.order, m.id)):
        if not m.required or m.shared or m.id in received:
            continue
        if m.id in replaced_ids:
            state.replaced.append(m)
        elif m.may_follow:
            state.to_follow.append(m)
        else:
            state.missing.append(m)
    return state


def follow_ups_open(case: Case) -> list[FollowUpMaterial]:
    """The materials accepted to follow (容缺受理) that have not arrived yet."""
    return list(FollowUpMaterial.objects.filter(case_id=case.pk, received_at__isnull=True))


def case_material_states(case: Case) -> list[dict[str, Any]]:
    """Each material of the case's guide with where it stands, for the case page and API:
    received, missing, may follow, to follow by a date (待补交), followed, replaced by the commitment."""
    received = materials_received(case)
    follow = {f.material_id: f for f in FollowUpMaterial.objects.filter(case_id=case.pk)}
    commitment = commitment_of(case)
    replaced = commitment.material_ids if commitment is not None else set()
    rows = []
    for m in sorted(guide_materials(case.guide).values(), key=lambda m: (m.order, m.id)):
        f = follow.get(m.id)
        due = f.due_on if f is not None else None
        if f is not None and f.received_at is None:
            status = "to_follow"
            label = f"待补交（{due:%Y年%m月%d日}前）" if due else "待补交（截止日待定）"
        elif f is not None:
            status, label = "followed", "已补交"
        elif m.id in received:
            status, label = "received", "已提交"
        elif m.id in replaced:
            status, label = "replaced", "已由告知承诺书代替"
        elif not m.required:
            status, label = "optional", "未提交（非必要）"
        elif m.shared:
            status, label = "shared", "未提交（数据共享获取，免提交）"
        elif m.may_follow:
            status, label = "may_follow", f"未提交（可容缺受理，受理后 {m.follow_days} 个工作日内补交）"
        elif m.replaced_by_commitment and case.guide.commitment_allowed:
            status, label = "missing", "未提交（可签署告知承诺书代替）"
        else:
            status, label = "missing", "未提交"
        rows.append({"m": m, "status": status, "label": label, "due_on": due})
    return rows


def follow_ups_overdue(*, today: date) -> dict[int, list[FollowUpMaterial]]:
    """Case id → its follow-ups past their due date and not received, for the cases whose clock runs."""
    out: dict[int, list[FollowUpMaterial]] = {}
    for f in FollowUpMaterial.objects.filter(
        received_at__isnull=True, due_on__lt=today, case__status__in=Case.CLOCK_STATES
    ).order_by("due_on", "id"):
        out.setdefault(f.case_id, []).append(f)
    return out


def case_track(*, number: str, phone: str) -> Case | None:
    """Public tracking: the case whose number AND contact phone both match."""
    number, phone = (number or "").strip().upper(), (phone or "").strip()
    if not number or not phone:
        return None
    return (
        Case.objects.select_related("center", "item")
        .exclude(status=Case.Status.DRAFT)
        .filter(number=number, contact_phone_hash=lookup_hash(phone))
        .first()
    )


def cases_of_applicant(user: User) -> QuerySet[Case]:
    """The citizen's cases: those they applied for, and those where they are the
    other party (their verified phone is the one the other party gave)."""
    mine = Q(applicant_user=user)
    citizen = getattr(user, "citizen", None)
    if citizen is not None and citizen.verified_at:
        mine |= Q(second_phone_hash=lookup_hash(citizen.phone)) & ~Q(status=Case.Status.DRAFT)
    return Case.objects.filter(mine).select_related("center", "item").order_by("-updated_at")


def notice_get(*, case: Case, number: str) -> Notice:
    notice = case.notices.filter(number=number).first()
    if notice is None:
        raise NotFound("没有找到该文书。")
    return notice


def warnings_visible_to(user: Viewer, *, open_only: bool = True, level: str = "") -> QuerySet[Warning]:
    """The district office sees every center's warnings; a branch its own."""
    qs = Warning.objects.filter(center_id__in=visible_center_ids(user)).select_related(
        "center", "case", "case__item", "inquiry"
    )
    if open_only:
        qs = qs.filter(resolved_at__isnull=True)
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("center__code", "-level", "due_on", "id")


def correction_exceptions_visible_to(user: Viewer) -> QuerySet[CorrectionException]:
    return (
        CorrectionException.objects.filter(case__center_id__in=visible_center_ids(user))
        .select_related("case", "case__center", "material", "granted_by")
        .order_by("-granted_at")
    )


def deemed_accepted_visible_to(user: Viewer) -> QuerySet[CaseEvent]:
    """Cases the law deemed accepted because nobody decided within 5 working days (supervision)."""
    return (
        CaseEvent.objects.filter(action="deemed_accept", case__center_id__in=visible_center_ids(user))
        .select_related("case", "case__center", "case__item")
        .order_by("-at")
    )


def inquiries_visible_to(user: Viewer, *, status: str = "") -> QuerySet[FirstInquiry]:
    """Inquiries at the user's centers, plus any handed over to them."""
    qs = FirstInquiry.objects.filter(
        Q(center_id__in=visible_center_ids(user)) | Q(handover_to=user)
    ).select_related("center", "owner", "received_by", "handover_to")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def inquiry_get(*, user: Viewer, pk: int) -> FirstInquiry:
    inq = inquiries_visible_to(user).filter(pk=pk).first()
    if inq is None:
        raise NotFound("没有找到该首问登记，或您无权查看。")
    return inq


def on_time_rate(*, user: User, center: Center, start: date, end: date) -> float | None:
    """Of the cases `user` decided to completion at `center` from `start` to `end`
    (local dates) that had a deadline, the share (0–100) completed by it; None
    when there were none."""
    tz = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=tz)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    done = list(
        Case.objects.filter(
            center=center,
            decided_by=user,
            completed_at__gte=since,
            completed_at__lt=until,
            deadline__isnull=False,
        ).values_list("completed_at", "deadline")
    )
    if not done:
        return None
    # Both are set on every row read (completed_at by its range, deadline by isnull=False).
    on_time = len(
        [
            1
            for completed, deadline in done
            if deadline and completed and timezone.localdate(completed) <= deadline
        ]
    )
    return on_time / len(done) * 100


def on_time_measure(*, user: User, center: Center, start: date, end: date) -> dict[str, Measure]:
    """The assessment's on-time indicator (staffing's `assessment_sources`)."""
    rate = on_time_rate(user=user, center=center, start=start, end=end)
    if rate is None:
        return {}
    return {
        AssessmentIndicator.Code.ON_TIME_CASES: Measure(
            value=f"按时办结率 {rate:.1f}%",
            score=rate,
            explanation="期限内办结件数 ÷ 本人决定办结且有期限的件数 × 100",
        )
    }


# --- 窗口无否决权: authorisations and escalations ---------------------------------------------------


def departments_led_by(user: Viewer | None) -> set[int]:
    """Ids of the departments `user` acts for as their leader (分管班子成员): the
    department of each hall where they hold that role."""
    if user is None or not user.is_authenticated:
        return set()
    return {
        dep_id
        for dep_id in RoleAssignment.objects.filter(user=user, role=Role.DEPARTMENT_LEADER).values_list(
            "center__department_id", flat=True
        )
        if dep_id
    }


def chief_authorizations_visible_to(
    user: Viewer, *, center: str = "", current: str = ""
) -> QuerySet[ChiefAuthorization]:
    """The authorisations recorded for the halls `user` can see (district office:
    every hall of the district; a department leader: the department's halls)."""
    qs = ChiefAuthorization.objects.filter(center_id__in=visible_center_ids(user))
    if center:
        qs = qs.filter(center__code=center)
    if current in {"1", "true"}:
        today = timezone.localdate()
        qs = qs.filter(revoked_at__isnull=True, valid_from__lte=today, valid_to__gte=today)
    return (
        qs.select_related("department", "center", "representative", "issued_by", "revoked_by")
        .prefetch_related("items")
        .order_by("center__code", "-valid_from", "-id")
    )


def chief_authorization_get(*, user: Viewer, pk: int) -> ChiefAuthorization:
    found = chief_authorizations_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise NotFound("没有找到该授权书，或您无权查看。")
    return found


def chief_representatives_public(center: Center) -> QuerySet[ChiefAuthorization]:
    """公开: the chief representatives currently authorised at `center` — who,
    for which department, which items, the document and its period."""
    today = timezone.localdate()
    return (
        ChiefAuthorization.objects.filter(
            center=center, revoked_at__isnull=True, valid_from__lte=today, valid_to__gte=today
        )
        .select_related("department", "representative")
        .prefetch_related("items")
        .order_by("department__name", "valid_from")
    )


def escalations_awaiting(user: Viewer) -> QuerySet[Escalation]:
    """待我决定: open escalations `user` may decide — cases at halls where they are
    chief representative whose current authorisation covers the item, or, for a
    department leader, the department's items at the department's halls."""
    from .services import ESCALATION_STATES  # the states table lives with the transitions

    if not user or not user.is_authenticated:
        return Escalation.objects.none()
    today = timezone.localdate()
    mine = Q(pk__in=[])
    for auth in ChiefAuthorization.objects.filter(
        representative_id=user.pk, revoked_at__isnull=True, valid_from__lte=today, valid_to__gte=today
    ).prefetch_related("items"):
        covers = Q(case__center_id=auth.center_id, case__item__department_id=auth.department_id)
        if not auth.all_items:
            covers &= Q(case__item_id__in=[i.pk for i in auth.items.all()])
        mine |= covers
    departments = departments_led_by(user)
    if departments:
        mine |= Q(
            case__center_id__in=center_ids_acting_as(user, {Role.DEPARTMENT_LEADER}),
            case__item__department_id__in=departments,
        )
    still = Q(pk__in=[])
    for proposal, states in ESCALATION_STATES.items():
        still |= Q(proposal=proposal, case__status__in=list(states))
    return (
        Escalation.objects.filter(
            mine, still, resolved_at__isnull=True, case__center_id__in=visible_center_ids(user)
        )
        .select_related("case", "case__center", "case__item", "raised_by")
        .order_by("created_at", "id")
    )


def escalations_with_authority(user: Viewer) -> list[tuple[Escalation, ChiefAuthorization | None]]:
    """待我决定, each with the authorisation of `user` it falls under (None when it
    reaches them as department leader). Three queries, whatever the rows."""
    if not user or not user.is_authenticated:
        return []
    today = timezone.localdate()
    auths = list(
        ChiefAuthorization.objects.filter(
            representative_id=user.pk, revoked_at__isnull=True, valid_from__lte=today, valid_to__gte=today
        )
        .select_related("department")
        .prefetch_related("items")
    )
    covered = {a.pk: {i.pk for i in a.items.all()} for a in auths}

    def under(e: Escalation) -> ChiefAuthorization | None:
        for a in auths:
            same_place = a.center_id == e.case.center_id and a.department_id == e.case.item.department_id
            if same_place and (a.all_items or e.case.item_id in covered[a.pk]):
                return a
        return None

    rows = escalations_awaiting(user).select_related("case", "case__item", "case__center", "raised_by")
    return [(e, under(e)) for e in rows.order_by("created_at", "id")]


# --- in bulk, for the district's stationing check ---------------------------------------------


def last_case_made_where_stationed(item_ids: Iterable[int]) -> dict[int, datetime]:
    """For each item of `item_ids`, when a case of it was last made at the hall it is stationed
    at (items with none are left out). One query: each item one step back through
    `case_item_hall_made`, never through the item's history (a province has millions)."""
    from django.db.models import OuterRef, Subquery

    last = (
        Case.objects.filter(item_id=OuterRef("pk"), center_id=OuterRef("center_id"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    rows = (
        ServiceItem.objects.filter(pk__in=list(item_ids), center__isnull=False)
        .annotate(last_made=Subquery(last))
        .values_list("pk", "last_made")
    )
    return {pk: at for pk, at in rows if at is not None}


def cases_accepted_since(item_ids: Iterable[int], *, since: datetime) -> dict[tuple[int, int], int]:
    """Per (hall, item) of `item_ids`, how many cases were accepted since `since` (one query,
    through `case_item_accepted`: only these items' cases of the period are read)."""
    from django.db.models import Count

    rows = (
        Case.objects.filter(item_id__in=list(item_ids), accepted_at__gte=since)
        .order_by()
        .values("center_id", "item_id")
        .annotate(n=Count("id"))
    )
    return {(r["center_id"], r["item_id"]): r["n"] for r in rows}


def cases_received_by(
    user_ids: list[int], *, center_ids: list[int], since: datetime
) -> dict[tuple[int, int], int]:
    """Per (clerk, hall), how many cases the clerk took in there since `since` (one query)."""
    from django.db.models import Count

    rows = (
        Case.objects.filter(received_by_id__in=user_ids, center_id__in=center_ids, created_at__gte=since)
        .order_by()
        .values("received_by_id", "center_id")
        .annotate(n=Count("id"))
    )
    return {(r["received_by_id"], r["center_id"]): r["n"] for r in rows}


# --- figures for the district cockpit's rollups (dashboards, issue 16) ---------------------------
# Days are local dates; each reader is one grouped query per figure over a range, never per row.

# A case that ended without a decision never becomes overdue.
_NEVER_OVERDUE = (Case.Status.DRAFT, Case.Status.WITHDRAWN, Case.Status.REJECTED)
_ENDED = (Case.Status.COMPLETED, Case.Status.DELIVERED)


def _local_date(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def _local_range(since: date, until: date) -> tuple[datetime, datetime]:
    """The instants from the start of `since` to the end of `until`, local time."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(since, time.min, tzinfo=tz),
        datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz),
    )


def _per_center_day(qs: QuerySet[Any], field: str, since: date, until: date, **counts: Any) -> list[dict]:
    start, end = _local_range(since, until)  # on the column itself, so its index is used
    return list(
        qs.filter(**{f"{field}__gte": start, f"{field}__lt": end})
        .annotate(on=_local_date(field))
        .order_by()
        .values("center_id", "on")
        .annotate(**(counts or {"n": Count("id")}))
    )


def case_day_counts(*, since: date, until: date) -> dict[str, list[dict]]:
    """Per hall and local day: cases submitted, accepted, completed (办结) — of these, with a
    deadline and completed by it (按期) — and yellow / red warnings raised."""
    done = Case.objects.annotate(done_on=_local_date("completed_at"))
    return {
        "submitted": _per_center_day(Case.objects.all(), "submitted_at", since, until),
        "accepted": _per_center_day(Case.objects.all(), "accepted_at", since, until),
        "done": _per_center_day(
            done,
            "completed_at",
            since,
            until,
            n=Count("id"),
            with_deadline=Count("id", filter=Q(deadline__isnull=False)),
            on_time=Count("id", filter=Q(deadline__isnull=False, done_on__lte=F("deadline"))),
        ),
        "warned": _per_center_day(
            Warning.objects.filter(level__in=[Warning.Level.YELLOW, Warning.Level.RED]),
            "raised_at",
            since,
            until,
            yellow=Count("id", filter=Q(level=Warning.Level.YELLOW)),
            red=Count("id", filter=Q(level=Warning.Level.RED)),
        ),
    }


def cases_overdue_by_day(*, since: date, until: date) -> dict[tuple[int, date], int]:
    """Per hall and day from `since` to `until`: cases overdue at the end of that day (the
    deadline passed, not completed by then). Two grouped queries over all time: a case is
    overdue from the day after its deadline until the day it is completed. A case completed
    before `since` was overdue (if at all) only before it, so only open cases and those
    completed since are read."""
    start, _ = _local_range(since, until)
    open_states = [s for s in Case.Status.values if s not in (*_NEVER_OVERDUE, *_ENDED)]
    late = (
        Case.objects.filter(Q(status__in=open_states) | Q(completed_at__gte=start), deadline__isnull=False)
        .exclude(status__in=_NEVER_OVERDUE)
        .annotate(done_on=_local_date("completed_at"))
        .filter(Q(completed_at__isnull=True) | Q(done_on__gt=F("deadline")))
        .filter(deadline__lt=until)
        .order_by()
    )
    delta: dict[int, dict[date, int]] = {}
    for row in late.values("center_id", "deadline").annotate(n=Count("id")):
        d = delta.setdefault(row["center_id"], {})
        start = row["deadline"] + timedelta(days=1)
        d[start] = d.get(start, 0) + row["n"]
    for row in late.filter(completed_at__isnull=False).values("center_id", "done_on").annotate(n=Count("id")):
        d = delta.setdefault(row["center_id"], {})
        d[row["done_on"]] = d.get(row["done_on"], 0) - row["n"]
    out: dict[tuple[int, date], int] = {}
    for center_id, changes in delta.items():
        running = sum(n for day, n in changes.items() if day < since)
        day = since
        while day <= until:
            running += changes.get(day, 0)
            if running:
                out[(center_id, day)] = running
            day += timedelta(days=1)
    return out


def cases_by_state() -> dict[int, dict[str, int]]:
    """Now, per hall: cases in each state (drafts left out)."""
    out: dict[int, dict[str, int]] = {}
    rows = Case.objects.exclude(status=Case.Status.DRAFT).order_by().values("center_id", "status")
    for row in rows.annotate(n=Count("id")):
        out.setdefault(row["center_id"], {})[row["status"]] = row["n"]
    return out


# --- lobby16: what the lobby screens show -----------------------------------------

RUNNING_STATUSES = (Case.Status.ACCEPTED, Case.Status.IN_PROGRESS)


def _local_day_range(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tzinfo=tz), datetime.combine(
        end + timedelta(days=1), time.min, tzinfo=tz
    )


def hall_case_figures(center_ids: Iterable[int], *, day: date) -> dict[int, dict[str, int]]:
    """Per hall: cases accepted (受理) and completed (办结) on `day` (local), and cases
    still running (受理 or 办理中, not paused) whose deadline is before `day` (逾期).
    One query; a hall without cases is absent."""
    since, until = _local_day_range(day, day)
    rows = (
        Case.objects.filter(center_id__in=list(center_ids))
        .filter(
            Q(accepted_at__gte=since, accepted_at__lt=until)
            | Q(completed_at__gte=since, completed_at__lt=until)
            | Q(status__in=RUNNING_STATUSES, deadline__lt=day)
        )
        .order_by()
        .values("center_id")
        .annotate(
            accepted=Count("id", filter=Q(accepted_at__gte=since, accepted_at__lt=until)),
            completed=Count("id", filter=Q(completed_at__gte=since, completed_at__lt=until)),
            overdue=Count("id", filter=Q(status__in=RUNNING_STATUSES, deadline__lt=day)),
        )
    )
    return {r["center_id"]: {k: r[k] for k in ("accepted", "completed", "overdue")} for r in rows}


def hall_on_time_counts(center_ids: Iterable[int], *, start: date, end: date) -> dict[int, dict[str, int]]:
    """Per hall: cases completed from `start` to `end` (local dates) that had a deadline
    (`due`), and how many of them were completed on or before it (`on_time`) — the
    按时办结率 is on_time / due. One query; a hall with none is absent."""
    since, until = _local_day_range(start, end)
    rows = (
        Case.objects.filter(
            center_id__in=list(center_ids),
            completed_at__gte=since,
            completed_at__lt=until,
            deadline__isnull=False,
        )
        .order_by()
        .values("center_id")
        .annotate(due=Count("id"), on_time=Count("id", filter=Q(completed_at__date__lte=F("deadline"))))
    )
    return {r["center_id"]: {"due": r["due"], "on_time": r["on_time"]} for r in rows}


# --- 代收代办、收受分离: hand-overs between halls (issue 18) -------------------------------

HANDOVER_WAITS: dict[str, str] = {
    "to_hand": "已代收，待移交",
    "to_receive": "已移交，待接收",
    "received": "已接收",
}


def handover_of(case: Case) -> HandOver | None:
    """The hand-over of a case received at another hall (None before it is handed over)."""
    return (
        HandOver.objects.select_related("from_center", "to_center", "handed_by", "received_by")
        .filter(case_id=case.pk)
        .first()
    )


def handover_in(case: Case) -> HandOver | None:
    """The hand-over read with a case of `cases_across_halls` (select_related), or None."""
    try:
        return case.handover
    except Case.handover.RelatedObjectDoesNotExist:
        return None


def cases_across_halls(user: Viewer, *, wait: str = "", q: str = "") -> QuerySet[Case]:
    """Cases received at one hall for another that `user` can see (as the receiving or the
    handling hall), with their hand-over; `wait` narrows to one of HANDOVER_WAITS."""
    qs = (
        cases_visible_to(user)
        .filter(receiving_center__isnull=False)
        .exclude(receiving_center=F("center"))
        .select_related("receiving_center", "pickup_center", "handover")
    )
    if wait == "to_hand":
        qs = qs.filter(handover__isnull=True)
    elif wait == "to_receive":
        qs = qs.filter(handover__isnull=False, handover__received_at__isnull=True)
    elif wait == "received":
        qs = qs.filter(handover__received_at__isnull=False)
    elif wait:
        raise DomainError("未知的移交状态。", field="wait")
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(applicant_name__icontains=q) | Q(item__name__icontains=q))
    return qs


def items_received_for_others(center: Center) -> QuerySet[ServiceItem]:
    """The items of the district's other halls a hall can receive applications for (代收):
    active, with a current guide, listed by name with their handling hall."""
    return (
        ServiceItem.objects.filter(
            center__district_id=center.district_id, is_active=True, current_guide__isnull=False
        )
        .exclude(center=center)
        .select_related("center", "current_guide")
        .order_by("name", "center__code")
    )


def handover_workbench(user: Viewer) -> dict[str, Any] | None:
    """Answer to core's `workbench_sections`: 代收代办 — the cases the user's halls received
    for another hall and have still to hand over, and those handed to them still to receive
    (None when there is neither, or the user works at no hall)."""
    from django.urls import reverse

    from .permissions import DECIDE, INTAKE

    intake_ids = center_ids_acting_as(user, INTAKE)
    decide_ids = center_ids_acting_as(user, DECIDE)
    if not intake_ids and not decide_ids:
        return None
    qs = cases_across_halls(user)
    to_hand = qs.filter(handover__isnull=True, receiving_center_id__in=intake_ids).count()
    to_receive = qs.filter(
        handover__isnull=False, handover__received_at__isnull=True, center_id__in=decide_ids
    ).count()
    if not (to_hand or to_receive):
        return None
    url = reverse("cases:handovers")
    return {
        "title": "代收代办",
        "links": [
            {"label": "待移交材料", "url": f"{url}?wait=to_hand", "count": to_hand},
            {"label": "待接收移交", "url": f"{url}?wait=to_receive", "count": to_receive},
        ],
    }
