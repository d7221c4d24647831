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
from urllib.parse import quote, quote_plus, urlencode

from django.db.models import IntegerField, Max, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
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


# The waiting histogram of many rollup rows summed by the database, bucket by bucket (a
# province's month is 30,000 hall-days: never read and added up row by row here).
HIST_SUMS = {
    f"h{i}": Sum(Cast(KeyTextTransform(str(i), "wait_hist"), IntegerField())) for i in range(WAIT_BUCKETS)
}


def _hist_of(row: dict[str, Any]) -> list[int]:
    return [row.pop(f"h{i}") or 0 for i in range(WAIT_BUCKETS)]


def _period_figures(ids: set[int], period: Period) -> tuple[dict[int, dict[str, Any]], dict[str, Any]]:
    """Per hall and district-wide figures of a period."""
    rows = HallDay.objects.filter(center_id__in=ids, day__gte=period.start, day__lte=period.end).order_by()
    per_hall: dict[int, dict[str, Any]] = {}
    hall_hist: dict[int, list[int]] = {}
    for row in rows.values("center_id").annotate(**{f: Sum(f) for f in SUMMED}, **HIST_SUMS):
        center_id = row.pop("center_id")
        hall_hist[center_id] = _hist_of(row)
        per_hall[center_id] = {f: row[f] or 0 for f in SUMMED}
    for center_id, *at_end in rows.filter(day=period.end).values_list("center_id", *AT_END):
        per_hall.setdefault(center_id, dict.fromkeys(SUMMED, 0)).update(zip(AT_END, at_end, strict=True))
    total: dict[str, Any] = {f: 0 for f in (*SUMMED, *AT_END)}
    total_hist = [0] * WAIT_BUCKETS
    for center_id, f in per_hall.items():
        for name in (*SUMMED, *AT_END):
            total[name] += f.get(name) or 0
        hist = hall_hist.get(center_id, [])
        hist_add(total_hist, hist)
        _derived(f, hist)
    return per_hall, _derived(total, total_hist)


def _trend(ids: set[int], period: Period) -> list[dict[str, Any]]:
    rows = {
        r["day"]: r
        for r in HallDay.objects.filter(center_id__in=ids, day__gte=period.start, day__lte=period.end)
        .order_by()
        .values("day")
        .annotate(tickets=Sum("tickets"), waited=Sum("waited"), wait_seconds=Sum("wait_seconds"), **HIST_SUMS)
    }
    out = []
    for day in period.days():
        r = rows.get(day)
        if r is None:
            out.append({"day": day.isoformat(), "tickets": 0, "wait_mean": None, "wait_p90": None})
            continue
        out.append(
            {
                "day": day.isoformat(),
                "tickets": r["tickets"] or 0,
                "wait_mean": round(r["wait_seconds"] / r["waited"] / 60, 1) if r["waited"] else None,
                "wait_p90": hist_p90_minutes(_hist_of(r)),
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


def _latest_day(ids: set[int]) -> date | None:
    """The newest day any of these halls has a rollup for: the periodic job's "today"."""
    return (
        HallDay.objects.filter(center_id__in=ids, day__lte=timezone.localdate())
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )


def _states(ids: set[int], latest: date | None) -> list[dict[str, Any]]:
    """Cases by state, as the latest rollup counted them (the job counts them on "today"'s row)."""
    counts: dict[str, int] = defaultdict(int)
    if latest is not None:
        rows = HallDay.objects.filter(center_id__in=ids, day=latest).exclude(cases_by_state={})
        for states in rows.values_list("cases_by_state", flat=True):
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
    current, total = _period_figures(ids, period)
    previous, total_before = _period_figures(ids, before)
    today = timezone.localdate()
    live = halls_now(halls, day=today)
    staff_today = {
        cid: (posts, on_duty, score)
        for cid, posts, on_duty, score in HallDay.objects.filter(center_id__in=ids, day=today).values_list(
            "center_id", "posts", "on_duty", "standard_score"
        )
    }
    base = {name: reverse(name) for name in DRILL_PAGES}
    latest = _latest_day(ids)
    rows = []
    span = urlencode({"since": period.start.isoformat(), "until": period.end.isoformat()})
    cases_url = base["cases:list"]
    same_for_all = {
        "warned": base["cases:supervision"],
        "gaps": _with_query(base["staffing:gaps"], start=today.isoformat()),
        "ratings": base["feedback:rating_list"],
        "rectifications": base["feedback:rect_list"],
        "complaints": base["feedback:complaint_list"],
    }
    for cid, (code, name) in halls.items():
        hall_q = quote_plus(code)
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
                "links": {  # (a thousand halls: the query strings are put together, not encoded each)
                    "tickets": f"{base['dashboards:cockpit_tickets']}?hall={hall_q}&{span}",
                    "cases": f"{cases_url}?center={hall_q}",
                    "overdue": f"{cases_url}?center={hall_q}&warned=red",
                    **same_for_all,
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
        "trend": _trend(ids, period),
        "by_hour": _by_hour(ids, period),
        "served": _served(ids, period),
        "cases_by_state": _states(ids, latest),
        "computed_at": _computed_at(ids, latest),
    }


def _computed_at(ids: set[int], latest: date | None) -> Any:
    """When the figures were last computed: the periodic job writes the latest day last."""
    if latest is None:
        return None
    return HallDay.objects.filter(center_id__in=ids, day=latest).aggregate(at=Max("computed_at"))["at"]


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
