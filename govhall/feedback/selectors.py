# ── Complaints ──────────────────────────────────────────────────────────────
"""Readers of complaints and 办不成事 records: what a user may see, overdue first."""

from __future__ import annotations

from typing import Any

from django.db.models import Case as When_
from django.db.models import Count, IntegerField, Q, QuerySet, Value, When

from govhall.accounts.models import Role, RoleAssignment
from govhall.accounts.selectors import visible_center_ids

from .models import Complaint, Unresolved


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
        .order_by("status", "due", "id")
    )


def unresolved_by_item(user: Any) -> list[dict[str, Any]]:
    """Repeated problems about one item, most first: which items fail people."""
    return list(
        unresolved_visible_to(user)
        .filter(item__isnull=False)
        .values("item_id", "item__name")
        .annotate(total=Count("id"), open=Count("id", filter=Q(status=Unresolved.Status.OPEN)))
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
