"""What each role sees first after logging in: one section per role held."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from govhall.accounts.models import Role, User
from govhall.accounts.selectors import center_ids_acting_as, centers_visible_to, roles_of
from govhall.cases.selectors import cases_visible_to, escalations_awaiting
from govhall.centers.models import Center, CenterChange
from govhall.centers.selectors import (
    changes_visible_to,
    hours_summary,
    standardisation_check,
    standardisation_report,
)
from govhall.core.calendar import first_unknown_year

from .lobby import hall_screen_links  # lobby16

OPEN_CHANGE_STATUSES = [
    CenterChange.Status.DRAFT,
    CenterChange.Status.SUBMITTED,
    CenterChange.Status.RETURNED,
    CenterChange.Status.FILED,
    CenterChange.Status.APPROVED,
]


def _url(name: str, *args: object, query: str = "") -> str | None:
    """The address of a page, or None while that page does not exist yet."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


def _links(pairs: list[tuple[str, ...]]) -> list[dict[str, str]]:
    out = []
    for label, name, *args in pairs:
        url = _url(name, *args)
        if url:
            out.append({"label": label, "url": url})
    return out


def _change_rows(qs: Iterable[CenterChange]) -> list[dict[str, Any]]:
    return [{"change": c, "url": _url("centers:change_detail", c.pk)} for c in qs]


def calendar_gap(user: User) -> dict[str, Any] | None:
    """The first year whose holidays are not known in the user's districts (its national
    arrangement not entered, or entered and waiting for a second person's confirmation),
    and how many of the cases `user` sees wait for it (flagged, never computed on
    weekends alone). A local closure never closes the gap."""
    from govhall.core.models import HolidayArrangement

    districts = set(centers_visible_to(user).values_list("district_id", flat=True))
    today = timezone.localdate()
    years = [y for d in sorted(districts) if (y := first_unknown_year(today, district=d)) is not None]
    if not years:
        return None
    year = min(years)
    draft = (
        HolidayArrangement.objects.filter(
            year=year, district_id__in=districts, status=HolidayArrangement.Status.DRAFT
        )
        .order_by("id")
        .first()
    )
    return {
        "year": year,
        "state": "已录入、尚待第二人确认" if draft else "尚未录入",
        "pending": cases_visible_to(user).filter(deadline_unknown=True).count(),
        "url": _url("centers:arrangement", draft.pk) if draft else _url("centers:calendar"),
        "action": "核对确认节假日安排" if draft else "录入节假日安排",
    }


def _district_section(user: User, changes: QuerySet[CenterChange]) -> dict[str, Any]:
    centers = centers_visible_to(user)
    counts = {row["status"]: row["n"] for row in centers.order_by().values("status").annotate(n=Count("id"))}
    by_status = [
        {
            "status": value,
            "label": label,
            "count": counts.get(value, 0),
            "url": _url("centers:list", query=f"status={value}"),
        }
        for value, label in Center.Status.choices
    ]
    submitted = changes.filter(status=CenterChange.Status.SUBMITTED).order_by("created_at")
    returned = changes.filter(status=CenterChange.Status.RETURNED).order_by("-updated_at")
    weakest = [
        {"check": c, "url": _url("centers:detail", c.center.code)}
        for c in standardisation_report(user=user)[:5]
    ]
    return {
        "calendar_gap": calendar_gap(user),
        "center_total": sum(counts.values()),
        "by_status": by_status,
        "submitted_count": submitted.count(),
        "submitted": _change_rows(submitted[:10]),
        "submitted_url": _url("centers:changes", query="status=submitted"),
        "returned_count": returned.count(),
        "returned": _change_rows(returned[:10]),
        "returned_url": _url("centers:changes", query="status=returned"),
        "weakest": weakest,
        "links": _links(
            [
                ("中心登记", "centers:list"),
                ("变更备案", "centers:changes"),
                ("标准化检查", "centers:standards"),
                ("工作日调整", "centers:calendar"),
                ("人员与角色", "accounts:people"),
                ("操作记录", "accounts:audit"),
                ("接口令牌", "accounts:tokens"),
                ("密码有效期", "centers:password_policy"),
                ("各大厅实况大屏", "lobby:district"),
            ]
        ),
    }


def _approver_section(changes: QuerySet[CenterChange]) -> dict[str, Any]:
    filed = changes.filter(status=CenterChange.Status.FILED).order_by("effective_date", "created_at")
    return {
        "filed_count": filed.count(),
        "filed": _change_rows(filed[:20]),
        "filed_url": _url("centers:changes", query="status=filed"),
    }


def _own_centers(user: User, roles: set[str]) -> QuerySet[Center]:
    """Open halls where `user` acts in one of `roles` (a department leader: the department's halls)."""
    return (
        Center.objects.filter(id__in=center_ids_acting_as(user, roles))
        .exclude(status__in=[Center.Status.MERGED, Center.Status.CLOSED])
        .order_by("kind", "code")
    )


def _manager_section(user: User, roles: set[str], changes: QuerySet[CenterChange]) -> dict[str, Any]:
    halls = []
    for center in (
        _own_centers(user, roles & {Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER})
        .prefetch_related("zones", "facilities", "leadership")
        .select_related("district")
    ):
        check = standardisation_check(center)
        open_changes = (
            changes.filter(status__in=OPEN_CHANGE_STATUSES).filter(center=center).order_by("-updated_at")
        )
        halls.append(
            {
                "center": center,
                "check": check,
                "url": _url("centers:detail", center.code),
                "open_changes": _change_rows(open_changes[:10]),
            }
        )
    return {
        "halls": halls,
        "change_new_url": _url("centers:change_new"),
        "links": _links(
            [
                ("变更备案", "centers:changes"),
                ("标准化检查", "centers:standards"),
                ("本中心人员", "accounts:people"),
                *hall_screen_links(h["center"] for h in halls),
            ]
        ),
    }


def _clerk_section(user: User, roles: set[str]) -> dict[str, Any]:
    halls = _own_centers(user, roles & {Role.CLERK, Role.CHIEF_REP}).prefetch_related("hours")
    return {
        "halls": [
            {"center": c, "hours": hours_summary(c), "url": _url("centers:detail", c.code)} for c in halls
        ]
    }


def _decisions_section(user: User, roles: set[str]) -> dict[str, Any]:
    """窗口无否决权: what the window handed up to this chief representative or
    department (待我决定), and where authorisations are recorded and published."""
    deciding = bool(roles & {Role.CHIEF_REP, Role.DEPARTMENT_LEADER})
    links: list[tuple[str, ...]] = [("待我决定", "cases:escalations")] if deciding else []
    if roles & {Role.DISTRICT_ADMIN, Role.DEPARTMENT_LEADER}:
        links.append(("首席代表授权书", "cases:authorizations"))
    return {
        "awaiting": escalations_awaiting(user).count() if deciding else None,
        "awaiting_url": _url("cases:escalations"),
        "links": _links(links),
    }


def workbench_context(user: User) -> dict[str, Any]:
    roles = set(roles_of(user))
    if user.is_superuser:
        roles.add(Role.DISTRICT_ADMIN)
    changes = changes_visible_to(user)
    context: dict[str, Any] = {
        "roles": [Role(r).label for r in sorted(roles)],
        "role_codes": roles,
        "district": None,
        "approver": None,
        "manager": None,
        "clerk": None,
    }
    if Role.DISTRICT_ADMIN in roles:
        context["district"] = _district_section(user, changes)
    if Role.APPROVER in roles:
        context["approver"] = _approver_section(changes)
    if roles & {Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER}:
        context["manager"] = _manager_section(user, roles, changes)
    if roles & {Role.CLERK, Role.CHIEF_REP}:
        context["clerk"] = _clerk_section(user, roles)
    context["decisions"] = (
        _decisions_section(user, roles)
        if roles & {Role.CHIEF_REP, Role.DEPARTMENT_LEADER, Role.DISTRICT_ADMIN}
        else None
    )
    context["extra_sections"] = _extra_sections(user)
    return context


def _extra_sections(user: User) -> list[dict[str, Any]]:
    """Sections the higher apps add (core.extensions.workbench_sections), in registration order."""
    from govhall.core.extensions import workbench_sections

    return [s for _, fn in workbench_sections.registered() if (s := fn(user))]
