"""Statistics per hall, queue, window and clerk by day: tickets, waiting time
and service time (mean, p90), no-shows. Computed from the tickets' own
timestamps, the same way on SQLite and PostgreSQL."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date

from govhall.core.xlsx import Sheet, workbook_bytes

from .models import Ticket

GROUPS = {"hall": "大厅", "queue": "队列", "window": "窗口", "clerk": "工作人员"}


def _p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def ticket_stats(*, center_ids, since: date, until: date, group: str = "queue") -> list[dict]:
    """One row per day and group key. Times in minutes."""
    if group not in GROUPS:
        group = "queue"
    rows = Ticket.objects.filter(center_id__in=list(center_ids), day__gte=since, day__lte=until).values(
        "day",
        "status",
        "taken_at",
        "called_at",
        "served_at",
        "finished_at",
        "center__name",
        "origin_queue__letter",
        "origin_queue__name",
        "window__number",
        "called_by__full_name",
        "called_by__username",
    )
    buckets: dict[tuple, dict] = defaultdict(
        lambda: {"tickets": 0, "done": 0, "no_show": 0, "wait": [], "service": []}
    )
    for r in rows:
        if group == "hall":
            label = r["center__name"]
        elif group == "queue":
            label = f"{r['center__name']} {r['origin_queue__letter']} {r['origin_queue__name']}"
        elif group == "window":
            label = (
                f"{r['center__name']} {r['window__number']}号窗口" if r["window__number"] else "（未叫号）"
            )
        else:
            label = r["called_by__full_name"] or r["called_by__username"] or "（未叫号）"
        b = buckets[(r["day"], label)]
        b["tickets"] += 1
        if r["status"] == Ticket.Status.DONE:
            b["done"] += 1
        if r["status"] == Ticket.Status.NO_SHOW:
            b["no_show"] += 1
        if r["called_at"]:
            b["wait"].append((r["called_at"] - r["taken_at"]).total_seconds())
        if r["status"] == Ticket.Status.DONE and r["finished_at"] and r["served_at"]:
            b["service"].append((r["finished_at"] - r["served_at"]).total_seconds())
    out = []
    for (day, label), b in sorted(buckets.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        out.append(
            {
                "day": day,
                "label": label,
                "tickets": b["tickets"],
                "done": b["done"],
                "no_show": b["no_show"],
                "wait_mean": _minutes(_mean(b["wait"])),
                "wait_p90": _minutes(_p90(b["wait"])),
                "service_mean": _minutes(_mean(b["service"])),
                "service_p90": _minutes(_p90(b["service"])),
            }
        )
    return out


COLUMNS = [
    ("day", "日期"),
    ("label", "对象"),
    ("tickets", "取号数"),
    ("done", "办结数"),
    ("no_show", "过号数"),
    ("wait_mean", "平均等候（分钟）"),
    ("wait_p90", "等候 P90（分钟）"),
    ("service_mean", "平均办理（分钟）"),
    ("service_p90", "办理 P90（分钟）"),
]


def stats_workbook(rows: list[dict], *, title: str) -> bytes:
    """The statistics as an .xlsx (core.xlsx writes it)."""
    return workbook_bytes(
        Sheet(
            title="排队统计",
            caption=title,
            header=[label for _, label in COLUMNS],
            rows=([r[key] for key, _ in COLUMNS] for r in rows),
            widths=[12, 36, 8, 8, 8, 16, 16, 16, 16],
        )
    )
