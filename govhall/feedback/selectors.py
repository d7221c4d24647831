# ── Complaints ──────────────────────────────────────────────────────────────
"""Readers of complaints and 办不成事 records: what a user may see, overdue first."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Avg, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models import Case as When_

from govhall.accounts.models import Role, RoleAssignment
from govhall.accounts.selectors import visible_center_ids
from govhall.core.errors import Refused
from govhall.core.masking import mask_phone

from .models import BAD_LEVELS, Complaint, Level, Rating, Rectification, Unresolved


def _role_centers(user: Any) -> tuple[set[int], set[int]]:
    """(centers where the user handles complaints as district office, as hall manager)."""
    if user is None or not user.is_authenticated:
        return set(), set()
    visible = visible_center_ids(user)
    district_ids = set(
        RoleAssignment.objects.filter(user=user, role=Role.DISTRICT_ADMIN).values_list(
            "center__district_id", flat=True
        )
    )
    from govhall.centers.models import Center

    office = set(
        Center.objects.filter(district_id__in=district_ids, id__in=visible).values_list("id", flat=True)
    )
    managed = set(
        RoleAssignment.objects.filter(user=user, role=Role.BRANCH_MANAGER, center_id__in=visible).values_list(
            "center_id", flat=True
        )
    )
    return office, managed


def overdue_first(qs: QuerySet[Any]) -> QuerySet[Any]:
    rank = When_(
        When(warning="red", then=Value(0)),
        When(warning="yellow", then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return qs.annotate(warning_rank=rank)


def complaints_visible_to(user: Any) -> QuerySet[Complaint]:
    office, managed = _role_centers(user)
    qs = Complaint.objects.select_related("center", "item", "subject_user").filter(
        Q(center_id__in=office) | (Q(center_id__in=managed) & ~Q(about=Complaint.About.HALL))
    )
    if user is not None and user.is_authenticated:
        # never to the person complained about before it is decided
        qs = qs.exclude(Q(subject_user=user) & Q(outcome="") & ~Q(status=Complaint.Status.REFUSED))
    return overdue_first(qs).order_by("warning_rank", "reply_by", "id")


def complaints_search(
    user: Any, *, q: str = "", status: str = "", overdue: bool = False, sort: str = ""
) -> QuerySet[Complaint]:
    qs = complaints_visible_to(user)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(text__icontains=q) | Q(order_number__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(warning=Complaint.Warning.RED)
    if sort in {"number", "-number", "reply_by", "-reply_by", "created_at", "-created_at"}:
        qs = qs.order_by(sort, "id")
    return qs


def complaint_get(user: Any, number: str, *, action: str = "handle") -> Complaint:
    from govhall.core.errors import NotFound

    from .permissions import COMPLAINT_NOT_FOUND, access_complaint

    c = Complaint.objects.select_related("center", "item", "subject_user").filter(number=number).first()
    if c is None:
        raise NotFound(COMPLAINT_NOT_FOUND)
    access_complaint(user, c, action=action)
    return c


def complaint_track(*, number: str, phone: str) -> Complaint | None:
    """Public tracking: the complaint whose number AND the complainant's phone both match."""
    number, phone = (number or "").strip().upper(), (phone or "").strip()
    if not number or not phone:
        return None
    return Complaint.objects.filter(number=number, complainant_phone=phone).first()


def complaint_by_order(user: Any, order: str) -> Complaint:
    from govhall.core.errors import NotFound

    c = Complaint.objects.select_related("center").filter(order_number=order).first()
    if c is None or c.center_id not in visible_center_ids(user):
        raise NotFound("没有找到该工单对应的投诉。")
    return c


def unresolved_visible_to(user: Any) -> QuerySet[Unresolved]:
    office, managed = _role_centers(user)
    return (
        Unresolved.objects.select_related("center", "item", "owner_department", "owner_center")
        .filter(Q(center_id__in=office | managed) | Q(owner_center_id__in=office | managed))
        .annotate(
            _rank=When_(
                When(status=Unresolved.Status.OPEN, warning=Complaint.Warning.RED, then=Value(0)),
                When(status=Unresolved.Status.OPEN, warning=Complaint.Warning.YELLOW, then=Value(1)),
                When(status=Unresolved.Status.OPEN, then=Value(2)),
                default=Value(3),
            )
        )
        .order_by("_rank", "due", "id")
    )


def unresolved_by_item(user: Any) -> list[dict[str, Any]]:
    """Repeated problems about one item, most first: which items fail people."""
    return list(
        unresolved_visible_to(user)
        .filter(item__isnull=False)
        .values("item_id", "item__name")
        .annotate(
            total=Count("id"),
            open=Count("id", filter=Q(status=Unresolved.Status.OPEN)),
            overdue=Count("id", filter=Q(status=Unresolved.Status.OPEN, warning=Complaint.Warning.RED)),
        )
        .order_by("-total", "item__name")
    )


def upheld_about(*, user: Any, start: Any, end: Any) -> int:
    return Complaint.objects.filter(
        subject_user=user,
        outcome=Complaint.Outcome.UPHELD,
        decided_at__date__gte=start,
        decided_at__date__lte=end,
    ).count()


def complaints_measure(*, user: Any, center: Any, start: Any, end: Any) -> dict[str, Any]:
    """结果运用: upheld complaints about `user` decided in the period, for the
    assessment (each upheld complaint takes 20 points off 100)."""
    from govhall.staffing.extensions import Measure
    from govhall.staffing.models import AssessmentIndicator

    n = Complaint.objects.filter(
        subject_user=user,
        center=center,
        outcome=Complaint.Outcome.UPHELD,
        decided_at__date__gte=start,
        decided_at__date__lte=end,
    ).count()
    return {
        AssessmentIndicator.Code.COMPLAINTS.value: Measure(
            value=f"成立的效能投诉 {n} 件",
            score=max(0, 100 - 20 * n),
            explanation="每件成立的效能投诉扣 20 分，最低 0 分",
        )
    }


def rating_row(r: Rating, *, for_rated: bool = False) -> dict[str, Any]:
    """One rating as shown to staff. The rated person (`for_rated`) never sees who rated."""
    row: dict[str, Any] = {
        "id": r.pk,
        "at": r.created_at,
        "center": r.center_id,
        "event": r.event_kind,
        "step": r.get_step_display(),
        "channel": r.get_channel_display(),
        "level": r.level,
        "level_label": Level(r.level).label,
        "indicators": r.indicator_labels(),
        "text": r.text,
        "clerk": r.clerk.full_name if r.clerk is not None else "",
    }
    if not for_rated:
        row["rater"] = "实名" if r.real_name else "匿名"
        row["rater_phone"] = mask_phone(r.rater_phone)
    return row


def ratings_received(user: Any) -> list[dict[str, Any]]:
    """The clerk's own ratings, without the rater's identity."""
    qs = Rating.objects.filter(clerk=user).select_related("clerk")[:200]
    return [rating_row(r, for_rated=True) for r in qs]


def _staff_centers(user: Any) -> set[int]:
    from govhall.accounts.models import Role
    from govhall.accounts.selectors import roles_at
    from govhall.centers.models import Center

    ids = set()
    for c in Center.objects.filter(pk__in=visible_center_ids(user)):
        if roles_at(user, c) & {
            Role.BRANCH_MANAGER,
            Role.DEPARTMENT_LEADER,
            Role.DISTRICT_ADMIN,
            Role.CHIEF_REP,
        }:
            ids.add(c.pk)
    if not ids:
        raise Refused("只有大厅负责人和区政务办可以查看好差评。")
    return ids


def ratings_for(user: Any) -> QuerySet[Rating]:
    return Rating.objects.filter(center_id__in=_staff_centers(user)).select_related("clerk")


def rectifications_for(user: Any) -> QuerySet[Rectification]:
    """Red first, then yellow, then by deadline."""
    from django.db.models import Case, IntegerField, Value, When

    return (
        Rectification.objects.filter(center_id__in=_staff_centers(user))
        .select_related("rating", "center", "rating__clerk")
        .annotate(
            colour=Case(
                When(warning="red", then=Value(0)),
                When(warning="yellow", then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("status" if False else "colour", "fix_due", "pk")
    )


def rectification_row(x: Rectification) -> dict[str, Any]:
    return {
        "id": x.pk,
        "center": x.center.name,
        "status": x.status,
        "status_label": x.get_status_display(),
        "warning": x.warning,
        "revisit_due": x.revisit_due,
        "fix_due": x.fix_due,
        "revisited": x.revisited_at is not None,
        "finding": x.finding,
        "finding_reason": x.finding_reason,
        "fix": x.fix_text,
        "answer": x.answer_text,
        "on_time": x.on_time,
        "after_level": x.after_level,
        "rating": rating_row(x.rating),
    }


def rectification_figures(qs: QuerySet[Rectification]) -> dict[str, Any]:
    """回访率, 按期办结率, 整改后满意度."""
    f = qs.aggregate(
        real=Count("pk", filter=Q(revisit_due__isnull=False)),
        revisited=Count("pk", filter=Q(revisit_due__isnull=False, revisited_at__isnull=False)),
        closed=Count("pk", filter=Q(status=Rectification.Status.CLOSED)),
        on_time=Count("pk", filter=Q(on_time=True)),
        rated=Count("pk", filter=Q(after_level__isnull=False)),
        satisfied=Count("pk", filter=Q(after_level__gte=Level.FAIR)),
    )

    def pct(a: int, b: int) -> float | None:
        return round(100 * a / b, 1) if b else None

    return {
        "revisit_rate": pct(f["revisited"], f["real"]),
        "on_time_rate": pct(f["on_time"], f["closed"]),
        "satisfaction_after": pct(f["satisfied"], f["rated"]),
    }


def center_month(center_id: int, first: date, last: date) -> dict[str, Any]:
    """Counts only (no personal data): by level, by item, by window; the rectified bad ratings."""
    qs = Rating.objects.filter(center_id=center_id, created_at__date__gte=first, created_at__date__lte=last)
    by_level = {
        Level(v).label: n for v, n in qs.values_list("level").annotate(n=Count("pk")).order_by("-level")
    }
    by_item = list(
        qs.exclude(item=None)
        .values("item__name")
        .annotate(n=Count("pk"), avg=Avg("level"))
        .order_by("-n")[:50]
    )
    by_window = list(
        qs.exclude(window=None)
        .values("window__number", "window__name")
        .annotate(n=Count("pk"), avg=Avg("level"))
        .order_by("window__number")
    )
    total = qs.count()
    good = qs.filter(level__gte=Level.FAIR).count()
    fixed = [
        {"at": x.closed_at, "indicators": x.rating.indicator_labels(), "fix": x.fix_text}
        for x in Rectification.objects.filter(
            center_id=center_id,
            status=Rectification.Status.CLOSED,
            finding="valid",
            closed_at__date__gte=first,
        ).select_related("rating")[:50]
    ]
    return {
        "total": total,
        "satisfaction": round(100 * good / total, 1) if total else None,
        "by_level": by_level,
        "by_item": by_item,
        "by_window": by_window,
        "fixed": fixed,
    }


def clerk_ratings_measure(user_id: int, first: date, last: date) -> dict[str, Any]:
    qs = Rating.objects.filter(clerk_id=user_id, created_at__date__gte=first, created_at__date__lte=last)
    total = qs.count()
    bad = qs.filter(level__in=BAD_LEVELS).count()
    return {
        "total": total,
        "bad": bad,
        "satisfaction": round(100 * (total - bad) / total, 1) if total else None,
    }


def ratings_measure(*, user: Any, center: Any, start: date, end: date) -> dict[str, Any]:
    """The assessment's ratings indicator (staffing's `assessment_sources`): satisfaction,
    less 10 points per bad rating whose rectification was not closed on time."""
    from govhall.staffing.extensions import Measure
    from govhall.staffing.models import AssessmentIndicator

    m = clerk_ratings_measure(user.pk, start, end)
    if not m["total"]:
        # Measured (the source is connected), but nothing to count: left out, never zero.
        return {
            AssessmentIndicator.Code.RATINGS: Measure(
                value="本月无好差评",
                score=None,
                explanation="本人本月没有收到评价，不计入总分（不按零分）",
            )
        }
    late = (
        Rectification.objects.filter(
            rating__clerk_id=user.pk, rating__created_at__date__gte=start, rating__created_at__date__lte=end
        )
        .exclude(on_time=True)
        .exclude(status=Rectification.Status.CHECKING)
        .count()
    )
    score = max(0.0, m["satisfaction"] - 10 * late)
    return {
        AssessmentIndicator.Code.RATINGS: Measure(
            value=f"好差评 {m['total']} 次，满意率 {m['satisfaction']:.1f}%，差评 {m['bad']} 次，未按期整改 {late} 件",
            score=score,
            explanation="（非常满意+满意+基本满意）÷ 全部评价 × 100，每件未按期整改的差评减 10 分",
        )
    }
