"""Readers for cases, warnings and inquiries. Every list a user sees — pages,
API, exports — comes from these functions, scoped by `visible_center_ids`."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from govhall.accounts.selectors import visible_center_ids
from govhall.core.errors import NotFound

from .models import Case, FirstInquiry, Notice, Warning
from .permissions import access_case


def cases_visible_to(user) -> QuerySet:
    """Submitted cases (not drafts) at the centers `user` can see."""
    return (Case.objects.filter(center_id__in=visible_center_ids(user)).exclude(status=Case.Status.DRAFT)
            .select_related("center", "item", "guide"))


def cases_filtered(*, user, q: str = "", status: str = "", center: str = "", channel: str = "",
                   warned: str = "") -> QuerySet:
    qs = cases_visible_to(user)
    q = (q or "").strip()
    if q:
        # Full ID numbers and phones are searchable, never shown: a match on one finds the case.
        qs = qs.filter(Q(number__icontains=q) | Q(applicant_name__icontains=q) | Q(item__name__icontains=q)
                       | Q(applicant_id_number=q.upper()) | Q(contact_phone=q))
    if status:
        qs = qs.filter(status=status)
    if center:
        qs = qs.filter(center__code=center)
    if channel:
        qs = qs.filter(channel=channel)
    if warned:
        qs = qs.filter(warnings__resolved_at__isnull=True, warnings__level=warned).distinct()
    return qs.order_by("-submitted_at", "-id")


def case_get(*, user, number: str) -> Case:
    """One case by number, for staff who may see it (NotFound otherwise)."""
    case = Case.objects.select_related("center", "item", "guide", "center__district").filter(number=number).first()
    if case is None or case.status == Case.Status.DRAFT:
        raise NotFound("没有找到该办件，或您无权查看。")
    return access_case(user, case)


def case_track(*, number: str, phone: str) -> Case | None:
    """Public tracking: the case whose number AND contact phone both match."""
    number, phone = (number or "").strip().upper(), (phone or "").strip()
    if not number or not phone:
        return None
    return (Case.objects.select_related("center", "item").exclude(status=Case.Status.DRAFT)
            .filter(number=number, contact_phone=phone).first())


def cases_of_applicant(user) -> QuerySet:
    return Case.objects.filter(applicant_user=user).select_related("center", "item").order_by("-updated_at")


def notice_get(*, case: Case, number: str) -> Notice:
    notice = case.notices.filter(number=number).first()
    if notice is None:
        raise NotFound("没有找到该文书。")
    return notice


def warnings_visible_to(user, *, open_only: bool = True, level: str = "") -> QuerySet:
    """The district office sees every center's warnings; a branch its own."""
    qs = Warning.objects.filter(center_id__in=visible_center_ids(user)).select_related(
        "center", "case", "case__item", "inquiry")
    if open_only:
        qs = qs.filter(resolved_at__isnull=True)
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("center__code", "-level", "due_on", "id")


def correction_exceptions_visible_to(user) -> QuerySet:
    from .models import CorrectionException

    return (CorrectionException.objects.filter(case__center_id__in=visible_center_ids(user))
            .select_related("case", "case__center", "material", "granted_by").order_by("-granted_at"))


def inquiries_visible_to(user, *, status: str = "") -> QuerySet:
    """Inquiries at the user's centers, plus any handed over to them."""
    qs = FirstInquiry.objects.filter(Q(center_id__in=visible_center_ids(user)) | Q(handover_to=user)).select_related(
        "center", "owner", "received_by", "handover_to")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def inquiry_get(*, user, pk: int) -> FirstInquiry:
    inq = inquiries_visible_to(user).filter(pk=pk).first()
    if inq is None:
        raise NotFound("没有找到该首问登记，或您无权查看。")
    return inq
