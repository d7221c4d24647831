# ── Complaints ──────────────────────────────────────────────────────────────
"""Readers of complaints and 办不成事 records: what a user may see, overdue first."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django.db.models import Case as When_
from django.db.models import Count, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse

from govhall.accounts.models import Role, RoleAssignment
from govhall.accounts.selectors import visible_center_ids
from govhall.cases.extensions import RatingOffer
from govhall.cases.models import Case
from govhall.catalog.extensions import ItemSatisfaction
from govhall.core.errors import Refused
from govhall.core.masking import mask_name, mask_phone
from govhall.queueing.models import Ticket

from . import services as _services
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
        row["clerk_id"] = r.clerk_id  # for rater_hidden_unless_manager; dropped there
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


def _satisfaction(good: int, total: int) -> float | None:
    """The share of ratings that are not bad (基本满意 or better), in per cent."""
    return round(100 * good / total, 1) if total else None


def center_month(center_id: int, first: date, last: date) -> dict[str, Any]:
    """A hall's ratings of one month, for the public: counts by level (all five,
    zeros included), by item and by window with their satisfaction, and the
    rectified bad ratings with what was done. No rater, phone, ID or clerk name;
    the fix text is masked as well (staff may have typed a phone into it)."""
    from govhall.core.masking import mask_text

    qs = Rating.objects.filter(center_id=center_id, created_at__date__gte=first, created_at__date__lte=last)
    counts = dict(qs.values_list("level").annotate(n=Count("pk")).order_by())
    by_level = [
        {"level": int(lv), "label": lv.label, "n": counts.get(int(lv), 0), "bad": lv in BAD_LEVELS}
        for lv in sorted(Level, reverse=True)
    ]
    good_q = Count("pk", filter=Q(level__gte=Level.FAIR))
    by_item = [
        {
            "code": r["item__code"],
            "name": r["item__name"],
            "n": r["n"],
            "satisfaction": _satisfaction(r["good"], r["n"]),
        }
        for r in qs.exclude(item=None)
        .values("item__code", "item__name")
        .annotate(n=Count("pk"), good=good_q)
        .order_by("-n", "item__name")[:50]
    ]
    by_window = [
        {
            "number": r["window__number"],
            "name": r["window__name"],
            "n": r["n"],
            "satisfaction": _satisfaction(r["good"], r["n"]),
        }
        for r in qs.exclude(window=None)
        .values("window__number", "window__name")
        .annotate(n=Count("pk"), good=good_q)
        .order_by("window__number")
    ]
    total = sum(counts.values())
    good = sum(n for lv, n in counts.items() if lv >= Level.FAIR)
    fixed = [
        {
            "at": x.closed_at,
            "step": x.rating.get_step_display(),
            "level": Level(x.rating.level).label,
            "indicators": x.rating.indicator_labels(),
            "fix": mask_text(x.fix_text),
        }
        for x in Rectification.objects.filter(
            center_id=center_id,
            status=Rectification.Status.CLOSED,
            finding=Rectification.Finding.VALID,
            closed_at__date__gte=first,
            closed_at__date__lte=last,
        )
        .exclude(fix_text="")
        .select_related("rating")
        .order_by("closed_at")[:50]
    ]
    return {
        "total": total,
        "bad": total - good,
        "satisfaction": _satisfaction(good, total),
        "by_level": by_level,
        "by_item": by_item,
        "by_window": by_window,
        "fixed": fixed,
    }


def item_satisfaction(
    item_id: int, *, months: int = 12, today: date | None = None
) -> tuple[float | None, int]:
    """(satisfaction in per cent or None, number of ratings) of an item over the last `months` months."""
    from django.utils import timezone

    today = today or timezone.localdate()
    since = today - timedelta(days=round(months * 30.44))
    got = Rating.objects.filter(item_id=item_id, created_at__date__gt=since).aggregate(
        n=Count("pk"), good=Count("pk", filter=Q(level__gte=Level.FAIR))
    )
    return _satisfaction(got["good"], got["n"]), got["n"]


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


# ── Rectification pages (差评整改 pages, 我收到的评价, ratings list) ──

RECT_SORTS = {"fix_due", "-fix_due", "created_at", "-created_at", "status", "-status"}


def rectifications_search(
    user: Any, *, q: str = "", status: str = "", warning: str = "", sort: str = ""
) -> QuerySet[Rectification]:
    """The list page, its export and the API alike: red first, then yellow, then by
    deadline; search by the rated event (ticket or case number), item or clerk."""
    qs = rectifications_for(user).select_related("rating__item", "rating__ticket", "rating__case")
    if q:
        qs = qs.filter(
            Q(rating__ticket__code__icontains=q)
            | Q(rating__case__number__icontains=q)
            | Q(rating__item__name__icontains=q)
            | Q(rating__clerk__full_name__icontains=q)
        )
    if status in Rectification.Status.values:
        qs = qs.filter(status=status)
    if warning == "none":
        qs = qs.filter(warning="")
    elif warning in {"red", "yellow"}:
        qs = qs.filter(warning=warning)
    if sort in RECT_SORTS:
        qs = qs.order_by(sort, "pk")
    return qs


def rectification_get(user: Any, pk: int) -> Rectification:
    """One rectification the user may see; another hall's is not revealed (404)."""
    from govhall.core.errors import NotFound

    x = (
        rectifications_search(user)
        .select_related("rating__window", "rating__rater", "center__district")
        .filter(pk=pk)
        .first()
    )
    if x is None:
        raise NotFound("没有找到该整改，或您无权查看。")
    return x


def rating_event_label(r: Rating) -> str:
    if r.ticket_id is not None and r.ticket is not None:
        return f"排队号 {r.ticket.code}（{r.ticket.day:%m-%d}）"
    if r.case_id is not None and r.case is not None:
        return f"办件 {r.case.number or r.case.pk}（{r.get_step_display()}）"
    return ""


def rater_identity_visible(user: Any, x: Rectification) -> bool:
    """The rater's identity (masked) is shown to the responsible hall's manager only;
    never to the person rated, nor to anyone else."""
    from govhall.accounts.selectors import roles_at

    if user is None or not getattr(user, "is_authenticated", False) or x.rating.clerk_id == user.pk:
        return False
    return Role.BRANCH_MANAGER in roles_at(user, x.center)


def rater_identity(x: Rectification) -> dict[str, str]:
    """Masked name and phone of a real-name rater (empty for an anonymous one)."""
    r = x.rating
    name = r.rater.full_name if r.rater is not None else ""
    phone = r.rater_phone or (getattr(r.rater, "phone", "") if r.rater is not None else "")
    return {
        "name": mask_name(name) or ("（未留姓名）" if r.real_name else ""),
        "phone": mask_phone(phone),
    }


STEP_NOTES = {
    "回访": "revisit_note",
    "核实不属实": "finding_reason",
    "整改并答复": "fix_text",
}


def rectification_steps(x: Rectification) -> list[dict[str, Any]]:
    """Who did what and when, from the rectification's history (oldest first)."""
    rows = []
    for h in x.history.select_related("history_user").order_by("history_date", "history_id"):
        what = h.history_change_reason or "修改"
        field = STEP_NOTES.get(what)
        note = getattr(h, field, "") if field else ""
        if what == "整改并答复":
            note = f"整改措施：{h.fix_text}；答复评价人：{h.answer_text}"
        user = h.history_user
        rows.append(
            {
                "at": h.history_date,
                "by": (user.full_name or user.username) if user is not None else "系统",
                "what": what,
                "note": note,
            }
        )
    return rows


def rectification_detail(user: Any, x: Rectification) -> dict[str, Any]:
    """The detail as the API gives it: the row, the event, the steps; the rater only
    for the hall manager (masked)."""
    row = rectification_row(x)
    r = x.rating
    row["rating"]["event_label"] = rating_event_label(r)
    row["rating"]["item"] = r.item.name if r.item is not None else ""
    row["rating"]["window"] = str(r.window.number) if r.window is not None else ""
    row["rating"]["center_name"] = x.center.name
    row["rating"].pop("rater_phone", None)
    row["rating"].pop("rater", None)
    row["rater"] = rater_identity(x) if rater_identity_visible(user, x) else None
    row["steps"] = rectification_steps(x)
    return row


def my_ratings(user: Any) -> QuerySet[Rating]:
    """The clerk's own ratings with their rectification (the page of 我收到的评价)."""
    return (
        Rating.objects.filter(clerk=user)
        .select_related("rectification", "item", "ticket", "case", "center")
        .order_by("-created_at")
    )


def ratings_search(
    user: Any,
    *,
    center: int | None = None,
    level: int | None = None,
    channel: str = "",
    bad: bool = False,
    month: str = "",
) -> QuerySet[Rating]:
    """The ratings list for managers and the district office, filtered alike on the
    page, its export and the API. `month` is YYYY-MM."""
    qs = ratings_for(user).select_related("center", "item", "ticket", "case").order_by("-created_at", "-pk")
    if center:
        qs = qs.filter(center_id=center)
    if level in Level.values:
        qs = qs.filter(level=level)
    if channel in Rating.Channel.values:
        qs = qs.filter(channel=channel)
    if bad:
        qs = qs.filter(level__in=BAD_LEVELS)
    if re.fullmatch(r"(19|20)\d\d-(0[1-9]|1[0-2])", month or ""):
        y, m = (int(p) for p in month.split("-"))
        qs = qs.filter(created_at__year=y, created_at__month=m)
    return qs


def rectification_counts(user: Any) -> dict[str, int] | None:
    """Open and red rectifications of the halls the user may see them at (hall manager,
    district office, department leader, chief representative), for the workbench; None
    when they see none."""
    from govhall.accounts.selectors import center_ids_acting_as

    from .permissions import TABLE

    ids = center_ids_acting_as(user, TABLE["view"])
    if not ids:
        return None
    open_ = Rectification.objects.filter(center_id__in=ids).exclude(status=Rectification.Status.CLOSED)
    return {"open": open_.count(), "red": open_.filter(warning="red").count()}


def complaint_counts(user: Any) -> dict[str, int] | None:
    """Complaints the user handles (district office, hall manager) that are still open,
    and how many of them are red, for the workbench; None when they handle none."""
    office, managed = _role_centers(user)
    if not office and not managed:
        return None
    open_ = complaints_visible_to(user).filter(status__in=Complaint.OPEN)
    return {"open": open_.count(), "red": open_.filter(warning=Complaint.Warning.RED).count()}


def rectification_supervision(user: Any, level: str = "") -> list[dict[str, Any]]:
    """Answer to cases' `supervision_rows`: the open yellow/red rectifications of the
    halls the user oversees (manager, department leader, district office, chief rep)."""
    from django.urls import reverse

    from govhall.accounts.selectors import center_ids_acting_as

    from .permissions import TABLE

    ids = center_ids_acting_as(user, TABLE["view"])
    if not ids:
        return []
    qs = (
        Rectification.objects.filter(center_id__in=ids, warning__in=("yellow", "red"))
        .exclude(status=Rectification.Status.CLOSED)
        .select_related("center", "rating")
    )
    if level:
        qs = qs.filter(warning=level)
    return [
        {
            "level": x.warning,
            "level_label": "红牌（超期）" if x.warning == "red" else "黄牌预警",
            "kind": "差评整改",
            "center": x.center.name,
            "label": f"差评整改 #{x.pk}（{Level(x.rating.level).label}，{x.get_status_display()}）",
            "url": reverse("feedback:rect_detail", args=[x.pk]),
            "due_on": x.fix_due,
        }
        for x in qs[:500]
    ]


def rectification_workbench(user: Any) -> dict[str, Any] | None:
    """Answer to core's `workbench_sections`: 差评整改 with the open and red counts for
    hall managers and the district office; 我收到的评价 for whoever was rated or serves."""
    from django.urls import reverse

    from govhall.accounts.selectors import center_ids_acting_as

    links: list[dict[str, Any]] = []
    counts = rectification_counts(user)
    if counts is not None:
        links.append(
            {
                "label": "差评整改",
                "url": reverse("feedback:rect_list"),
                "count": counts["open"],
                "note": f"未办结 {counts['open']} 件，其中红牌 {counts['red']} 件",
                "note_class": "badge-warn-red" if counts["red"] else "muted",
            }
        )
        links.append({"label": "好差评明细", "url": reverse("feedback:rating_list")})
    complaints = complaint_counts(user)
    if complaints is not None:
        links.append(
            {
                "label": "投诉待处理",
                "url": reverse("feedback:complaint_list"),
                "count": complaints["open"],
                "note": f"未办结 {complaints['open']} 件，其中超期 {complaints['red']} 件",
                "note_class": "badge-warn-red" if complaints["red"] else "muted",
            }
        )
    if pad_halls(user):
        links.append({"label": "窗口评价器（发放与停用）", "url": reverse("feedback:pads_manage")})
    if center_ids_acting_as(user, {Role.CLERK, Role.CHIEF_REP}) or Rating.objects.filter(clerk=user).exists():
        links.append({"label": "我收到的评价", "url": reverse("feedback:my_ratings")})
    return {"title": "好差评与投诉", "links": links} if links else None


# ── Rating pads (评价器) ──

PAD_LIT_MINUTES = 10  # a finished service waits this long for its rating on the pad


def pad_halls(user: Any) -> list[Any]:
    """The halls where `user` may issue and revoke pads (hall manager, district office)."""
    from govhall.accounts.selectors import center_ids_acting_as
    from govhall.centers.models import Center

    from .permissions import MANAGE

    ids = center_ids_acting_as(user, MANAGE) & visible_center_ids(user)
    return list(Center.objects.filter(id__in=ids).order_by("kind", "code"))


def pad_windows(center: Any) -> list[Any]:
    """The hall's windows, each with `pads` (newest first, issuer loaded)."""
    from govhall.queueing.models import Window

    from .models import RatingPad

    windows = list(Window.objects.filter(center=center).select_related("clerk").order_by("number"))
    by_window: dict[int, list[Any]] = {w.pk: [] for w in windows}
    pads = RatingPad.objects.filter(window_id__in=by_window).select_related("issued_by")
    for p in pads.order_by("revoked", "-issued_at"):
        by_window[p.window_id].append(p)
    for w in windows:
        w.pads = by_window[w.pk]  # type: ignore[attr-defined]
    return windows


def pad_by_token(raw: str) -> Any:
    """The active pad of this device token, or None (revoked, unknown)."""
    from .models import RatingPad
    from .services import _hash

    if not raw:
        return None
    return (
        RatingPad.objects.select_related("window", "window__center", "window__clerk")
        .filter(token_hash=_hash(raw), revoked=False)
        .first()
    )


def pad_state(pad: Any) -> dict[str, Any]:
    """What the pad shows: its window, the clerk on duty (whoever has the window
    open), and the service waiting for a rating — the window's last finished
    ticket or case step (接件, 受理, 办结) of today, not rated on the pad, ended
    within PAD_LIT_MINUTES and with nobody called to the window since."""
    from datetime import timedelta

    from django.utils import timezone

    from govhall.queueing.models import Ticket, Window

    from .services import pad_event

    window = Window.objects.select_related("center", "clerk").get(pk=pad.window_id)
    clerk = window.clerk if window.status != Window.Status.CLOSED else None
    event = pad_event(pad)
    if event is not None:
        finished = event.at or timezone.now()
        called_since = Ticket.objects.filter(
            window=window,
            status__in=[Ticket.Status.CALLED, Ticket.Status.SERVING],
            called_at__gt=finished,
        ).exists()
        if called_since or finished < timezone.now() - timedelta(minutes=PAD_LIT_MINUTES):
            event = None
    served_by = event.clerk if event is not None else clerk
    return {
        "window": window,
        "center": window.center,
        "clerk": served_by,
        "event": event,
        "ticket_id": event.ticket.pk if event is not None and event.ticket is not None else None,
        "pad_step_id": event.pad_step if event is not None else None,
    }


def rater_hidden_unless_manager(user: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """API rows of ratings (or rectifications): the rater's masked phone is kept only for
    the manager of the rating's hall, and never for the person rated."""
    from govhall.accounts.selectors import center_ids_acting_as

    managed = center_ids_acting_as(user, {Role.BRANCH_MANAGER}) if user is not None else set()
    me = getattr(user, "pk", None)
    for row in rows:
        rating = row.get("rating", row)
        if rating.get("center") not in managed or rating.get("clerk_id") == me:
            rating["rater_phone"] = ""
        rating.pop("clerk_id", None)
    return rows


def rating_fix_answered(rating: Rating | None) -> Rectification | None:
    """The rectification whose answer the rater may now read (closed with an answer)."""
    rect = getattr(rating, "rectification", None) if rating is not None else None
    if rect is not None and rect.status == Rectification.Status.CLOSED and rect.answer_text:
        return rect
    return None


# ── Ratings: answers to the lower apps' extension points (registered in apps.py) ──


def ticket_rating_answer(*, ticket: Ticket) -> str | None:
    """queueing.extensions.ticket_rating: a finished ticket not yet rated by phone."""
    if ticket.status != Ticket.Status.DONE:
        return None
    if Rating.objects.filter(ticket=ticket, channel=Rating.Channel.QR).exists():
        return None
    token = _services.qr_token(Rating.EventKind.TICKET, ticket.pk, Rating.Step.SERVED)
    return reverse("feedback:rate", args=[token])


def case_rating_link_answer(*, case: Case, step: str) -> str | None:
    """cases.extensions.case_rating_link: a step that happened, not yet rated by phone."""
    stamp = _services.CASE_STEPS.get(step)  # type: ignore[call-overload]
    if stamp is None or getattr(case, stamp, None) is None:
        return None
    if Rating.objects.filter(case=case, step=step, channel=Rating.Channel.QR).exists():
        return None
    return reverse("feedback:rate", args=[_services.qr_token(Rating.EventKind.CASE, case.pk, step)])


def case_rating_offers_answer(*, case: Case, user: Any) -> list[RatingOffer]:
    """cases.extensions.case_rating_offers: each step that happened, rated or to rate."""
    if user is None or not user.is_authenticated or case.applicant_user_id != user.pk:
        return []
    given = {
        r.step: r
        for r in Rating.objects.filter(case=case, channel=Rating.Channel.ACCOUNT).select_related(
            "rectification"
        )
    }
    offers = []
    for step, stamp in _services.CASE_STEPS.items():
        if getattr(case, stamp) is None:
            continue
        path = reverse("feedback:my_rate", args=[case.pk, step])
        label = Rating.Step(step).label
        r = given.get(step)
        if r is None:
            offers.append(RatingOffer(step=step, label=label, path=path))
            continue
        rect, note = rating_fix_answered(r), ""
        if rect is not None:
            note = (
                f"整改结果评价：{Level(rect.after_level).label}"
                if rect.after_level is not None
                else "差评已整改答复，请查看并评价整改结果"
            )
        elif r.is_bad:
            note = "差评整改中"
        offers.append(RatingOffer(step=step, label=label, path=path, given=Level(r.level).label, note=note))
    return offers


def item_satisfaction_answer(*, item: Any) -> ItemSatisfaction:
    """catalog.extensions.item_satisfaction: the last 12 months of the item's ratings."""
    rate_, count = item_satisfaction(item.pk, months=12)
    return ItemSatisfaction(rate=rate_, count=count, months=12)


def hall_day_figures_answer(*, since: date, until: date) -> dict[tuple[int, date], dict[str, int]]:
    """The cockpit's rollups (core.extensions.hall_day_figures), per hall and local day: ratings
    given and bad ones, rectifications opened that day still open and of those past their fix
    date, complaints received. Four grouped queries over the range."""
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    out: dict[tuple[int, date], dict[str, int]] = {}

    def add(qs: QuerySet[Any], **counts: Any) -> None:
        rows = (
            qs.annotate(on=TruncDate("created_at", tzinfo=tz))
            .filter(on__gte=since, on__lte=until)
            .order_by()
            .values("center_id", "on")
            .annotate(**counts)
        )
        for row in rows:
            figures = out.setdefault((row["center_id"], row["on"]), {})
            for name in counts:
                figures[name] = figures.get(name, 0) + row[name]

    add(Rating.objects.all(), ratings=Count("id"), ratings_bad=Count("id", filter=Q(level__in=BAD_LEVELS)))
    add(
        Rectification.objects.exclude(status=Rectification.Status.CLOSED),
        rect_open=Count("id"),
        rect_overdue=Count("id", filter=Q(fix_due__lt=today)),
    )
    add(Complaint.objects.all(), complaints=Count("id"))
    return out


# ── 大厅实况屏 (lobby screens) ──
def hall_satisfaction_answer(*, center_ids: list[int], since: date, until: date) -> dict[int, dict[str, Any]]:
    """queueing.extensions.hall_satisfaction: per hall, the share of ratings from `since`
    to `until` that are not bad (基本满意 or better, as `item_satisfaction`), and their number."""
    rows = (
        Rating.objects.filter(
            center_id__in=center_ids, created_at__date__gte=since, created_at__date__lte=until
        )
        .order_by()
        .values("center_id")
        .annotate(n=Count("pk"), good=Count("pk", filter=Q(level__gte=Level.FAIR)))
    )
    return {r["center_id"]: {"rate": _satisfaction(r["good"], r["n"]), "count": r["n"]} for r in rows}
