"""The district cockpit (驾驶舱): every hall's figures now and over a day, week or month
beside the period before, read from the rollups (models.HallDay, HallHour, ServedDay) —
a handful of grouped queries whatever the number of halls or rows behind them.

Only the district office (and a superuser) opens it; the figures are of the halls it sees
(`accounts.selectors.visible_center_ids`).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from govhall.accounts.models import Role, User
from govhall.accounts.selectors import centers_visible_to, has_role, visible_center_ids
from govhall.cases.models import Case
from govhall.core.errors import DomainError, Refused
from govhall.queueing.selectors import halls_now, tickets_with_waits, window_labels

from .models import WAIT_BUCKETS, HallDay, HallHour, ServedDay
from .rollups import hist_add, hist_p90_minutes, p90_beyond_edges, p90_words

PERIODS = {"day": "日", "week": "周", "month": "月"}
SUMMED = (
    "tickets",
    "served",
    "no_show",
    "waited",
    "wait_seconds",
    "cases_submitted",
    "cases_accepted",
    "cases_done",
    "cases_done_on_time",
    "cases_done_with_deadline",
    "warned_yellow",
    "warned_red",
    "posts",
    "on_duty",
    "gaps",
    "ratings",
    "ratings_bad",
    "complaints",
)
# Figures that describe the state at the end of a day, not events during it: the period's last day counts.
AT_END = ("cases_overdue", "rect_open", "rect_overdue")
REFUSAL = "驾驶舱仅供区政务服务管理办公室使用。"


def halls_in_service(user: User) -> Any:
    """The halls on the cockpit: those `user` sees, neither merged nor closed."""
    return centers_visible_to(user).exclude(status__in=["merged", "closed"]).order_by("code")


def cockpit_access(user: User) -> set[int]:
    """The halls whose figures `user` may see on the cockpit; Refused (403) unless the
    district office or a superuser."""
    if not (user.is_authenticated and (user.is_superuser or has_role(user, Role.DISTRICT_ADMIN))):
        raise Refused(REFUSAL)
    return visible_center_ids(user)


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.kind == "day":
            return f"{self.start:%Y-%m-%d}"
        if self.kind == "month":
            return f"{self.start.year} 年 {self.start.month} 月"
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"

    def before(self) -> Period:
        """The period of the same kind just before this one."""
        return period_of(self.kind, self.start - timedelta(days=1))

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def period_of(kind: str, on: date) -> Period:
    if kind == "day":
        return Period(kind, on, on)
    if kind == "week":
        start = on - timedelta(days=on.weekday())
        return Period(kind, start, start + timedelta(days=6))
    last = calendar.monthrange(on.year, on.month)[1]
    return Period("month", on.replace(day=1), on.replace(day=last))


def period_parse(kind: str | None, on: str | None) -> Period:
    """The period asked for (`period` = day / week / month, `on` = a day in it, default
    today); a clear error for anything else."""
    kind = (kind or "day").strip()
    if kind not in PERIODS:
        raise DomainError("统计周期只能是 day（日）、week（周）或 month（月）。", field="period")
    try:
        day = date.fromisoformat(on.strip()) if on and on.strip() else timezone.localdate()
    except ValueError:
        raise DomainError("日期格式应为 YYYY-MM-DD，例如 2026-11-24。", field="on") from None
    if not date(2000, 1, 1) <= day <= timezone.localdate() + timedelta(days=366):
        raise DomainError("日期超出可统计的范围。", field="on")
    return period_of(kind, day)


def _derived(f: dict[str, Any], hist: list[int]) -> dict[str, Any]:
    """Means, rates and the p90 in words from summed figures."""
    waited = f.get("waited") or 0
    with_deadline = f.get("cases_done_with_deadline") or 0
    p90 = hist_p90_minutes(hist)
    f.update(
        wait_mean=round(f["wait_seconds"] / waited / 60, 1) if waited else None,
        wait_p90=p90,
        wait_p90_beyond=p90_beyond_edges(hist),
        wait_p90_words=p90_words(hist),
        on_time_rate=round(f["cases_done_on_time"] / with_deadline * 100, 1) if with_deadline else None,
    )
    return f


def _period_figures(ids: set[int], period: Period) -> tuple[dict[int, dict[str, Any]], dict[str, Any], dict]:
    """Per hall and district-wide figures of a period, and the histogram of each day."""
    rows = HallDay.objects.filter(center_id__in=ids, day__gte=period.start, day__lte=period.end).order_by()
    per_hall: dict[int, dict[str, Any]] = {}
    for row in rows.values("center_id").annotate(**{f: Sum(f) for f in SUMMED}):
        per_hall[row.pop("center_id")] = {f: row[f] or 0 for f in SUMMED}
    for center_id, *at_end in rows.filter(day=period.end).values_list("center_id", *AT_END):
        per_hall.setdefault(center_id, dict.fromkeys(SUMMED, 0)).update(zip(AT_END, at_end, strict=True))
    hall_hist: dict[int, list[int]] = defaultdict(lambda: [0] * WAIT_BUCKETS)
    day_hist: dict[date, list[int]] = defaultdict(lambda: [0] * WAIT_BUCKETS)
    for center_id, day, hist in rows.filter(waited__gt=0).values_list("center_id", "day", "wait_hist"):
        hist_add(hall_hist[center_id], hist)
        hist_add(day_hist[day], hist)
    total: dict[str, Any] = {f: 0 for f in (*SUMMED, *AT_END)}
    total_hist = [0] * WAIT_BUCKETS
    for center_id, f in per_hall.items():
        for name in (*SUMMED, *AT_END):
            total[name] += f.get(name) or 0
        _derived(f, hall_hist[center_id])
    for hist in day_hist.values():
        hist_add(total_hist, hist)
    return per_hall, _derived(total, total_hist), day_hist


def _trend(ids: set[int], period: Period, day_hist: dict) -> list[dict[str, Any]]:
    rows = {
        r["day"]: r
        for r in HallDay.objects.filter(center_id__in=ids, day__gte=period.start, day__lte=period.end)
        .order_by()
        .values("day")
        .annotate(tickets=Sum("tickets"), waited=Sum("waited"), wait_seconds=Sum("wait_seconds"))
    }
    out = []
    for day in period.days():
        r = rows.get(day) or {"tickets": 0, "waited": 0, "wait_seconds": 0}
        out.append(
            {
                "day": day.isoformat(),
                "tickets": r["tickets"] or 0,
                "wait_mean": round(r["wait_seconds"] / r["waited"] / 60, 1) if r["waited"] else None,
                "wait_p90": hist_p90_minutes(day_hist.get(day, [])),
            }
        )
    return out


def _by_hour(ids: set[int], period: Period) -> list[dict[str, Any]]:
    rows = (
        HallHour.objects.filter(center_id__in=ids, day__gte=period.start, day__lte=period.end)
        .order_by("hour")
        .values("hour")
        .annotate(tickets=Sum("tickets"), waited=Sum("waited"), wait_seconds=Sum("wait_seconds"))
    )
    return [
        {
            "hour": r["hour"],
            "label": f"{r['hour']:02d}:00",
            "tickets": r["tickets"],
            "wait_mean": round(r["wait_seconds"] / r["waited"] / 60, 1) if r["waited"] else None,
        }
        for r in rows
    ]


def _served(ids: set[int], period: Period, top: int = 10) -> dict[str, list[dict[str, Any]]]:
    rows = ServedDay.objects.filter(center_id__in=ids, day__gte=period.start, day__lte=period.end).order_by()
    windows = list(rows.values("window_id").annotate(n=Sum("served")).order_by("-n", "window_id")[:top])
    labels = window_labels(r["window_id"] for r in windows if r["window_id"])
    clerks = list(
        rows.exclude(clerk=None)
        .values("clerk_id", "clerk__full_name", "clerk__username")
        .annotate(n=Sum("served"))
        .order_by("-n", "clerk_id")[:top]
    )
    return {
        "windows": [
            {"label": labels.get(r["window_id"], "（未记录窗口）"), "served": r["n"]} for r in windows
        ],
        "clerks": [
            {"label": r["clerk__full_name"] or r["clerk__username"], "served": r["n"]} for r in clerks
        ],
    }


def _states(ids: set[int]) -> list[dict[str, Any]]:
    """Cases by state, as of the latest rollup of each hall that has one."""
    latest = (
        HallDay.objects.filter(center_id__in=ids).exclude(cases_by_state={}).order_by("center_id", "-day")
    )
    seen: set[int] = set()
    counts: dict[str, int] = defaultdict(int)
    for center_id, states in latest.values_list("center_id", "cases_by_state")[: len(ids) * 3]:
        if center_id in seen:
            continue
        seen.add(center_id)
        for state, n in states.items():
            counts[state] += n
    return [
        {"state": s, "label": label, "count": counts.get(s, 0)}
        for s, label in Case.Status.choices
        if s != "draft"
    ]


# The pages each hall's figures drill down to (reversed once per request, not per hall).
DRILL_PAGES = (
    "dashboards:cockpit_tickets",
    "cases:list",
    "cases:supervision",
    "staffing:gaps",
    "feedback:rating_list",
    "feedback:rect_list",
    "feedback:complaint_list",
    "centers:list",
)


def _with_query(base: str, **query: Any) -> str:
    params = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{base}?{urlencode(params)}" if params else base


def cockpit_figures(*, user: User, period: Period) -> dict[str, Any]:
    """Everything the cockpit shows for `period` beside the period before it."""
    ids = cockpit_access(user)
    halls = {
        cid: (code, name) for cid, code, name in halls_in_service(user).values_list("id", "code", "name")
    }
    before = period.before()
    current, total, day_hist = _period_figures(ids, period)
    previous, total_before, _ = _period_figures(ids, before)
    today = timezone.localdate()
    live = halls_now(halls, day=today)
    staff_today = {
        cid: (posts, on_duty, score)
        for cid, posts, on_duty, score in HallDay.objects.filter(center_id__in=ids, day=today).values_list(
            "center_id", "posts", "on_duty", "standard_score"
        )
    }
    base = {name: reverse(name) for name in DRILL_PAGES}
    rows = []
    span = {"since": period.start.isoformat(), "until": period.end.isoformat()}
    for cid, (code, name) in halls.items():
        f = current.get(cid) or _derived(dict.fromkeys((*SUMMED, *AT_END), 0), [])
        p = previous.get(cid) or {}
        posts, on_duty, score = staff_today.get(cid, (0, 0, None))
        rows.append(
            {
                "code": code,
                "name": name,
                **f,
                "previous_tickets": p.get("tickets", 0),
                "previous_wait_p90": p.get("wait_p90"),
                "standard_score": score,
                "now": {**live.get(cid, {}), "posts": posts, "on_duty": on_duty},
                "links": {
                    "tickets": _with_query(base["dashboards:cockpit_tickets"], hall=code, **span),
                    "cases": _with_query(base["cases:list"], center=code),
                    "overdue": _with_query(base["cases:list"], center=code, warned="red"),
                    "warned": base["cases:supervision"],
                    "gaps": _with_query(base["staffing:gaps"], start=today.isoformat()),
                    "ratings": base["feedback:rating_list"],
                    "rectifications": base["feedback:rect_list"],
                    "complaints": base["feedback:complaint_list"],
                    "standard": f"{base['centers:list']}{quote(code)}/",
                },
            }
        )
    # The ranking: shorter waits first (p90, then mean), halls without tickets last.
    rows.sort(key=lambda r: (r["wait_p90"] is None, r["wait_p90"] or 0, r["wait_mean"] or 0, r["code"]))
    for rank, r in enumerate(rows, 1):
        r["rank"] = rank
    now_total = {
        k: sum(r["now"].get(k, 0) for r in rows)
        for k in ("waiting", "windows_open", "windows", "posts", "on_duty")
    }
    return {
        "period": {"kind": period.kind, "start": period.start, "end": period.end, "label": period.label},
        "previous": {"kind": before.kind, "start": before.start, "end": before.end, "label": before.label},
        "now": now_total,
        "total": total,
        "total_previous": total_before,
        "halls": rows,
        "trend": _trend(ids, period, day_hist),
        "by_hour": _by_hour(ids, period),
        "served": _served(ids, period),
        "cases_by_state": _states(ids),
        "computed_at": HallDay.objects.filter(center_id__in=ids)
        .order_by("-computed_at")
        .values_list("computed_at", flat=True)
        .first(),
    }


def cockpit_tickets(*, user: User, hall: str, since: str | None, until: str | None) -> dict[str, Any]:
    """The drill-down: the tickets of one hall (or every hall seen, hall="") from `since` to
    `until` (at most 92 days), with their waits, longest first."""
    ids = cockpit_access(user)
    today = timezone.localdate()
    try:
        first = date.fromisoformat(since) if since else today
        last = date.fromisoformat(until) if until else first
    except ValueError:
        raise DomainError("日期格式应为 YYYY-MM-DD，例如 2026-11-24。", field="since") from None
    if first > last:
        raise DomainError("起始日期不能晚于截止日期。", field="since")
    if (last - first).days > 92:
        raise DomainError("一次最多查看 92 天的排队号。", field="until")
    center_ids = ids
    center_name = "全部中心"
    if hall:
        from govhall.queueing.selectors import hall_get

        center = hall_get(hall)
        if center is None or center.id not in ids:
            raise DomainError("没有这个中心，或您无权查看。", field="hall")
        center_ids, center_name = {center.id}, center.name
    return {
        "hall": hall,
        "hall_name": center_name,
        "since": first,
        "until": last,
        "tickets": tickets_with_waits(center_ids=center_ids, since=first, until=last),
    }


def ticket_row(t: Any) -> dict[str, Any]:
    """One ticket of the drill-down, phone masked."""
    from govhall.core.masking import mask_phone

    wait = t.wait.total_seconds() / 60 if t.wait is not None else None
    return {
        "day": t.day,
        "hall": t.center.name,
        "code": t.code,
        "queue": t.origin_queue.name if t.origin_queue_id else "",
        "status": t.get_status_display(),
        "taken_at": timezone.localtime(t.taken_at).strftime("%H:%M"),
        "called_at": timezone.localtime(t.called_at).strftime("%H:%M") if t.called_at else "",
        "wait_minutes": round(wait, 1) if wait is not None else None,
        "window": f"{t.window.number}号窗口" if t.window_id else "",
        "phone": mask_phone(t.phone) if t.phone else "",
    }
