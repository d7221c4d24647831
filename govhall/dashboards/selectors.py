"""What each role sees first after logging in: one section per role held."""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from govhall.accounts.models import Role, User
from govhall.accounts.selectors import center_ids_acting_as, centers_visible_to, roles_of
from govhall.cases.permissions import STAFF as CASE_STAFF
from govhall.cases.selectors import (
    CASE_WAITS,
    cases_filtered,
    cases_visible_to,
    escalations_awaiting,
    escalations_with_authority,
)
from govhall.centers.models import Center, CenterChange
from govhall.centers.selectors import (
    changes_visible_to,
    hours_summary,
    standardisation_check,
    standardisation_report,
)
from govhall.core.calendar import first_unknown_year
from govhall.queueing.selectors import (
    tickets_today_visible_to,
    waiting_by_queue,
    window_current_ticket,
    window_next_waiting,
    window_of_clerk,
    windows_for_clerk,
    windows_open_count,
)
from govhall.staffing.selectors import (
    assessment_drafts,
    attendance_today,
    gaps_visible_to,
    leaves_to_decide,
    my_current_leave,
    on_duty_today,
)

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


def _figure(key: str, label: str, count: int, url: str | None) -> dict[str, Any]:
    """One number on the workbench and the list of rows behind it (same scope, same count)."""
    return {"key": key, "label": label, "count": count, "url": url}


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
                ("驾驶舱", "dashboards:cockpit"),
                ("中心登记", "centers:list"),
                ("变更备案", "centers:changes"),
                ("标准化检查", "centers:standards"),
                ("工作日调整", "centers:calendar"),
                ("人员与角色", "accounts:people"),
                ("操作记录", "accounts:audit"),
                ("接口令牌", "accounts:tokens"),
                ("密码有效期", "centers:password_policy"),
                ("明进暗不进检查", "dashboards:checks_stationing"),
                ("各大厅实况大屏", "lobby:district"),
            ]
        ),
    }


def _approver_section(user: User, changes: QuerySet[CenterChange]) -> dict[str, Any]:
    filed = changes.filter(status=CenterChange.Status.FILED).order_by("effective_date", "created_at")
    return {
        "filed_count": filed.count(),
        "filed": _change_rows(filed[:20]),
        "filed_url": _url("centers:changes", query="status=filed"),
        "headline": district_headline(user),
    }


def district_headline(user: User) -> list[dict[str, Any]]:
    """The district's headline figures, over the halls `user` sees: tickets taken
    today, waiting now, cases not finished, cases overdue. The case figures link to
    the case list only for those who may open it (the approver, district government,
    is not case staff: the figure stands without a link)."""
    reads_cases = user.is_superuser or bool(roles_of(user) & CASE_STAFF)
    return [
        _figure(
            "tickets_today",
            "今日取号",
            tickets_today_visible_to(user, status="all").count(),
            _url("queueing:waiting", query="status=all"),
        ),
        _figure(
            "waiting_now",
            "正在等候",
            tickets_today_visible_to(user).count(),
            _url("queueing:waiting", query="status=waiting"),
        ),
        _figure(
            "cases_open",
            "未办结办件",
            cases_filtered(user=user, wait="open").count(),
            _cases_url("open") if reads_cases else None,
        ),
        _figure(
            "cases_overdue",
            "已超期办件",
            cases_filtered(user=user, wait="overdue").count(),
            _cases_url("overdue") if reads_cases else None,
        ),
    ]


def _cases_url(wait: str = "", **more: str) -> str | None:
    from urllib.parse import urlencode

    params = {"wait": wait, **more} if wait else more
    return _url("cases:list", query=urlencode(params))


def _own_centers(user: User, roles: set[str]) -> QuerySet[Center]:
    """Open halls where `user` acts in one of `roles` (a department leader: the department's halls)."""
    return (
        Center.objects.filter(id__in=center_ids_acting_as(user, roles))
        .exclude(status__in=[Center.Status.MERGED, Center.Status.CLOSED])
        .order_by("kind", "code")
    )


def _manager_section(user: User, roles: set[str], changes: QuerySet[CenterChange]) -> dict[str, Any]:
    halls = []
    centers = list(
        _own_centers(user, roles & {Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER})
        .prefetch_related("zones", "facilities", "leadership")
        .select_related("district")
    )
    ids = [c.id for c in centers]
    by_hall: dict[int, list[dict[str, Any]]] = {}
    for row in waiting_by_queue(ids):
        by_hall.setdefault(row["center"].id, []).append(row)
    open_windows = windows_open_count(ids)
    duty = on_duty_today(ids)
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    drafts = assessment_drafts(ids, month)
    for center in centers:
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
                **hall_now(
                    user,
                    center,
                    queues=by_hall.get(center.id, []),
                    open_windows=open_windows,
                    duty=duty,
                    drafts=drafts,
                    month=month,
                ),
            }
        )
    leave_url = _url("staffing:leave_list")
    gaps = gaps_visible_to(user, start=timezone.localdate(), days=30).gaps()
    return {
        "figures": [
            _figure("leave_to_approve", "待我审批的请假", leaves_to_decide(user).count(), leave_url),
            _figure("gaps", "未来 30 天的断档", len(gaps), _url("staffing:gaps")),
        ],
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


def hall_waiting(center: Center, queues: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Who waits at `center` now: per queue (each linked to its waiting tickets), the
    total and the longest wait in minutes. `queues`: the hall's rows of
    queueing's `waiting_by_queue`, when already read."""
    if queues is None:
        queues = waiting_by_queue([center.id])
    now = timezone.now()
    longest = min((q["since"] for q in queues if q["since"]), default=None)
    code = center.code
    return {
        "waiting": [
            {
                **_figure(
                    f"waiting_{q['queue'].letter}",
                    f"{q['queue'].letter} {q['queue'].name}",
                    q["waiting"],
                    _url("queueing:waiting", query=f"center={code}&queue={q['queue'].letter}"),
                ),
                "since": q["since"],
            }
            for q in queues
        ],
        "waiting_total": _figure(
            "waiting_now",
            "正在等候",
            sum(q["waiting"] for q in queues),
            _url("queueing:waiting", query=f"center={code}"),
        ),
        "longest_wait_minutes": int((now - longest).total_seconds() // 60) if longest else None,
        "live_url": _url("dashboards:hall_waiting", center.pk),
    }


def managed_hall(user: User, pk: int) -> Center | None:
    """The hall `pk` if `user` manages it (branch manager or department leader), else None."""
    return (
        _own_centers(user, {Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER})
        .filter(pk=pk)
        .select_related("district")
        .first()
    )


def hall_now(
    user: User,
    center: Center,
    *,
    queues: list[dict[str, Any]],
    open_windows: dict[int, int],
    duty: dict[int, dict[str, int]],
    drafts: dict[int, int],
    month: date,
) -> dict[str, Any]:
    """One hall now, for its manager: waiting per queue and the longest wait, windows
    open against posts on duty, cases overdue and warned, the assessment to confirm."""
    code = center.code
    return {
        **hall_waiting(center, queues),
        "windows_open": open_windows.get(center.id, 0),
        "posts_on_duty": duty.get(center.id, {}).get("posts", 0),
        "clocked_in": duty.get(center.id, {}).get("clocked_in", 0),
        "cases": [
            _figure(
                "overdue",
                "已超期办件",
                cases_filtered(user=user, center=code, wait="overdue").count(),
                _cases_url("overdue", center=code),
            ),
            _figure(
                "red",
                "红牌预警的办件",
                cases_filtered(user=user, center=code, warned="red").count(),
                _cases_url(center=code, warned="red"),
            ),
            _figure(
                "yellow",
                "黄牌预警的办件",
                cases_filtered(user=user, center=code, warned="yellow").count(),
                _cases_url(center=code, warned="yellow"),
            ),
        ],
        "assessment": _figure(
            "assessment_drafts",
            f"{month.year} 年 {month.month} 月考核待确认（人）",
            drafts.get(center.id, 0),
            _url("staffing:assessment", center.pk, query=f"month={month:%Y-%m}"),
        ),
    }


def _clerk_section(user: User, roles: set[str]) -> dict[str, Any]:
    halls = _own_centers(user, roles & {Role.CLERK, Role.CHIEF_REP}).prefetch_related("hours")
    out: dict[str, Any] = {
        "halls": [
            {"center": c, "hours": hours_summary(c), "url": _url("centers:detail", c.code)} for c in halls
        ]
    }
    if Role.CLERK in roles:
        out.update(clerk_today(user))
    return out


def clerk_today(user: User) -> dict[str, Any]:
    """The window clerk's day: my window (open or not, who is at it, what comes next),
    my cases by what they wait for, my leave, and today's clock-in."""
    window = window_of_clerk(user)
    mine: dict[str, Any] = {"open": window is not None, "console_url": _url("queueing:console")}
    if window is not None:
        current = window_current_ticket(window)
        following = window_next_waiting(window)
        mine |= {
            "window": window,
            "label": f"{window.center.name} {window.number} 号窗口（{window.name}）",
            "status": window.get_status_display(),
            "current": current.code if current else None,
            "next": following.code if following else None,
        }
    else:
        mine |= {"can_open": windows_for_clerk(user).exists()}
    record = attendance_today(user)
    return {
        "window": mine,
        "case_figures": [
            _figure(
                wait,
                CASE_WAITS[wait],
                cases_filtered(user=user, wait=wait, mine="1").count(),
                _cases_url(wait, mine="1"),
            )
            for wait in ("accept", "correction", "notify", "due_soon")
        ],
        "leave": [{"leave": lv, "url": _url("staffing:leave", lv.pk)} for lv in my_current_leave(user)[:5]],
        "leave_url": _url("staffing:leave_list"),
        "attendance": {
            "clock_in": record.clock_in if record else None,
            "clock_out": record.clock_out if record else None,
            "url": _url("staffing:attendance"),
        },
    }


def _chief_section(user: User) -> dict[str, Any]:
    """首席代表: the cases the window handed up to me, each with the authorisation it falls under."""
    rows = [
        {
            "escalation": e,
            "case": e.case,
            "url": _url("cases:detail", e.case.number),
            "authorization": a,
        }
        for e, a in escalations_with_authority(user)
    ]
    return {"rows": rows[:20], "count": len(rows), "url": _url("cases:escalations")}


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
        "chief": None,
    }
    if Role.DISTRICT_ADMIN in roles:
        context["district"] = _district_section(user, changes)
    if Role.APPROVER in roles:
        context["approver"] = _approver_section(user, changes)
    if roles & {Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER}:
        context["manager"] = _manager_section(user, roles, changes)
    if roles & {Role.CLERK, Role.CHIEF_REP}:
        context["clerk"] = _clerk_section(user, roles)
    context["chief"] = _chief_section(user) if Role.CHIEF_REP in roles else None
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


def workbench_figures(user: User, context: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every number of `user`'s workbench with the address of its rows — what the
    API door returns; the page shows the same figures from the same context."""
    ctx = context if context is not None else workbench_context(user)
    figures: list[dict[str, Any]] = []

    def add(section: str, items: Iterable[dict[str, Any]], hall: str = "") -> None:
        figures.extend({"section": section, "hall": hall, **f} for f in items)

    clerk = ctx.get("clerk") or {}
    add("clerk", clerk.get("case_figures", []))
    if ctx.get("chief"):
        chief = ctx["chief"]
        add("chief", [_figure("escalations", "待我决定", chief["count"], chief["url"])])
    manager = ctx.get("manager") or {}
    add("manager", manager.get("figures", []))
    for h in manager.get("halls", []):
        code = h["center"].code
        add("hall", [h["waiting_total"], *h["waiting"], *h["cases"], h["assessment"]], hall=code)
    if ctx.get("approver"):
        add("district", ctx["approver"]["headline"])
    window = clerk.get("window")
    return {
        "roles": ctx["roles"],
        "figures": [
            {k: f.get(k) for k in ("section", "hall", "key", "label", "count", "url")} for f in figures
        ],
        "window": None
        if window is None
        else {
            "open": window["open"],
            "label": window.get("label", ""),
            "status": window.get("status", "关闭"),
            "current": window.get("current"),
            "next": window.get("next"),
            "console_url": window["console_url"],
        },
        "halls": [
            {
                "code": h["center"].code,
                "name": h["center"].name,
                "longest_wait_minutes": h["longest_wait_minutes"],
                "windows_open": h["windows_open"],
                "posts_on_duty": h["posts_on_duty"],
                "clocked_in": h["clocked_in"],
            }
            for h in manager.get("halls", [])
        ],
    }
