"""The lobby screens (大厅大屏): one per hall, on a TV in the hall, and one for the
district office with every hall side by side.

The hall screen is public, like the queue board (`/board/<code>/`): it runs on a PC
in the hall without anyone logged in, and shows only figures the public may see —
counts, waits, which number each window serves — never a name or a phone. Its staff
variant (`/staff/lobby/<code>/`) adds the clerk at each window and the overdue cases,
for the people of that hall (and the district office, the department's leader).
The district screen is for the district office only.

Every figure is read through the lower apps' selectors, a fixed number of queries
whatever the number of halls, queues and windows."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from govhall.accounts.access import access_at_center
from govhall.accounts.models import Role, User
from govhall.accounts.selectors import center_ids_acting_as, centers_visible_to
from govhall.cases.selectors import hall_case_figures, hall_on_time_counts
from govhall.centers.models import Center
from govhall.core.errors import NotFound, Refused
from govhall.queueing.extensions import satisfaction_of_halls
from govhall.queueing.selectors import (
    hall_by_code,
    hall_queue_figures,
    hall_ticket_figures,
    hall_window_figures,
)

# Who may open a hall's staff variant: anyone working at or for that hall.
SCREEN_ACCESS = {
    "staff": {
        Role.CLERK,
        Role.CHIEF_REP,
        Role.BRANCH_MANAGER,
        Role.DEPARTMENT_LEADER,
        Role.DISTRICT_ADMIN,
    },
}
HALL_NOT_FOUND = "没有找到该大厅，或您无权查看该大厅的大屏。"
DISTRICT_ONLY = "区政务办大屏仅供区政务办人员查看。"

# A hall is "busy" (highlighted on the district screen) when more than this many
# people wait per open window, when people wait with no window open, or when
# someone has waited longer than LONG_WAIT_MINUTES.
BUSY_PER_WINDOW = 8
LONG_WAIT_MINUTES = 30


def _minutes_floor(seconds: float | None) -> int | None:
    return None if seconds is None else int(seconds // 60)


def _minutes_ceil(seconds: float | None) -> int | None:
    return None if seconds is None else math.ceil(seconds / 60)


def _minutes_round(seconds: float | None) -> int | None:
    return None if seconds is None else round(seconds / 60)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def hall_for_screen(code: str) -> Center:
    """The hall of a public lobby screen (NotFound for a closed or unknown code)."""
    return hall_by_code(code)


def hall_for_staff_screen(user: User, code: str) -> Center:
    """The hall of a staff lobby screen: NotFound unless `user` works at or for it."""
    from govhall.queueing.selectors import hall_get

    center = hall_get(code)
    if center is None:
        raise NotFound(HALL_NOT_FOUND)
    access_at_center(user, center, action="staff", table=SCREEN_ACCESS, not_found=HALL_NOT_FOUND)
    return center


def hall_screen_links(centers: Iterable[Any]) -> list[tuple[str, ...]]:
    """(label, url name, code) of each hall's staff lobby screen, for the workbench's links."""
    return [(f"大厅大屏 · {c.name}", "lobby:hall_staff", c.code) for c in centers]


def is_busy(*, waiting: int, windows_open: int, longest_wait_minutes: int | None) -> bool:
    """The district screen's highlight rule (see BUSY_PER_WINDOW)."""
    if waiting and not windows_open:
        return True
    if windows_open and waiting > BUSY_PER_WINDOW * windows_open:
        return True
    return longest_wait_minutes is not None and longest_wait_minutes >= LONG_WAIT_MINUTES


def hall_screen(center: Center, *, staff: bool = False, now: datetime | None = None) -> dict[str, Any]:
    """What a hall's lobby screen shows now, today so far: tickets taken and served,
    waiting per queue and the longest wait, windows open and the number each serves,
    the mean wait and the wait nine in ten did not exceed (from taking a number to
    being called, rounded up to the minute), cases accepted and completed, and this
    month's satisfaction when feedback answers. `staff` adds each window's clerk and
    the hall's overdue cases. No personal data otherwise."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    ids = [center.id]
    tickets = hall_ticket_figures(ids, day=day, now=now).get(center.id, {})
    cases = hall_case_figures(ids, day=day).get(center.id, {})
    satisfaction = (satisfaction_of_halls(center_ids=ids, since=_month_start(day), until=day) or {}).get(
        center.id
    )
    windows = hall_window_figures(ids, day=day, clerks=staff)
    queues = [
        {
            "letter": q["letter"],
            "name": q["name"],
            "waiting": q["waiting"],
            "longest_wait_minutes": _minutes_floor(q["longest_wait_seconds"]),
        }
        for q in hall_queue_figures(ids, day=day, now=now)
    ]
    screen: dict[str, Any] = {
        "code": center.code,
        "name": center.name,
        "as_of": timezone.localtime(now),
        "staff": staff,
        "tickets_taken": tickets.get("taken", 0),
        "tickets_served": tickets.get("served", 0),
        "waiting": tickets.get("waiting", 0),
        "longest_wait_minutes": _minutes_floor(tickets.get("longest_wait_seconds")),
        "wait_mean_minutes": _minutes_round(tickets.get("wait_mean_seconds")),
        "wait_p90_minutes": _minutes_ceil(tickets.get("wait_p90_seconds")),
        "queues": queues,
        "windows_open": sum(1 for w in windows if w["is_open"]),
        "windows_total": len(windows),
        "windows": [
            {
                "number": w["number"],
                "name": w["name"],
                "status": w["status"],
                "status_label": w["status_label"],
                "serving": w["serving"],
                **({"clerk": w["clerk"]} if staff else {}),
            }
            for w in windows
        ],
        "cases_accepted": cases.get("accepted", 0),
        "cases_completed": cases.get("completed", 0),
        "satisfaction_rate": satisfaction["rate"] if satisfaction else None,
        "satisfaction_count": satisfaction["count"] if satisfaction else 0,
    }
    if staff:
        screen["cases_overdue"] = cases.get("overdue", 0)
    return screen


def district_center_ids(user: User) -> set[int]:
    """The halls of the districts where `user` is the district office; Refused for anyone else."""
    ids = center_ids_acting_as(user, {Role.DISTRICT_ADMIN})
    if not ids:
        raise Refused(DISTRICT_ONLY)
    return ids


def district_screen(user: User, *, now: datetime | None = None) -> dict[str, Any]:
    """Every open hall of the district office's districts side by side — waiting now,
    windows open of all, served today, the longest wait, this month's on-time rate
    (按时办结率: completed by the deadline ÷ completed with a deadline) — with the busy
    ones marked (`is_busy`), and the district's totals. Refused for anyone but the
    district office."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    halls = list(
        centers_visible_to(user)
        .filter(id__in=district_center_ids(user))
        .exclude(status__in=[Center.Status.CLOSED, Center.Status.MERGED])
        .order_by("kind", "code")
    )
    ids = [c.id for c in halls]
    tickets = hall_ticket_figures(ids, day=day, now=now, waits=False)  # the screen shows no mean or p90
    on_time = hall_on_time_counts(ids, start=_month_start(day), end=day)
    windows: dict[int, list[dict[str, Any]]] = {}
    for w in hall_window_figures(ids, day=day, clerks=False):
        windows.setdefault(w["center_id"], []).append(w)
    rows = []
    for c in halls:
        t = tickets.get(c.id, {})
        ws = windows.get(c.id, [])
        ot = on_time.get(c.id, {"due": 0, "on_time": 0})
        row = {
            "code": c.code,
            "name": c.name,
            "waiting": t.get("waiting", 0),
            "windows_open": sum(1 for w in ws if w["is_open"]),
            "windows_total": len(ws),
            "tickets_taken": t.get("taken", 0),
            "tickets_served": t.get("served", 0),
            "longest_wait_minutes": _minutes_floor(t.get("longest_wait_seconds")),
            "on_time_due": ot["due"],
            "on_time_done": ot["on_time"],
            "on_time_rate": round(100 * ot["on_time"] / ot["due"], 1) if ot["due"] else None,
            "url": reverse("lobby:hall_staff", args=[c.code]),
        }
        row["busy"] = is_busy(
            waiting=row["waiting"],
            windows_open=row["windows_open"],
            longest_wait_minutes=row["longest_wait_minutes"],
        )
        rows.append(row)
    due = sum(r["on_time_due"] for r in rows)
    done = sum(r["on_time_done"] for r in rows)
    longest = [r["longest_wait_minutes"] for r in rows if r["longest_wait_minutes"] is not None]
    return {
        "as_of": timezone.localtime(now),
        "halls": rows,
        "totals": {
            "halls": len(rows),
            "busy": sum(1 for r in rows if r["busy"]),
            "waiting": sum(r["waiting"] for r in rows),
            "windows_open": sum(r["windows_open"] for r in rows),
            "windows_total": sum(r["windows_total"] for r in rows),
            "tickets_taken": sum(r["tickets_taken"] for r in rows),
            "tickets_served": sum(r["tickets_served"] for r in rows),
            "longest_wait_minutes": max(longest) if longest else None,
            "on_time_rate": round(100 * done / due, 1) if due else None,
        },
    }
