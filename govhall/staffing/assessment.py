"""How a month's score is built. Each indicator gives a score out of 100, or
None when its source is absent (ratings and complaints until the feedback
capability lands): an absent indicator is left out of the weighted mean, never
counted as zero. Indicators other apps measure come through the
`assessment_sources` extension point (staffing/extensions.py)."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from typing import Any

from govhall.queueing.models import Ticket

from . import selectors
from .extensions import measures_for
from .models import AssessmentIndicator, TrainingRecord

Code = AssessmentIndicator.Code
DEFAULT_WEIGHTS = {
    Code.ATTENDANCE: 30,
    Code.ON_TIME_CASES: 25,
    Code.TICKETS: 15,
    Code.SERVICE_TIME: 10,
    Code.RATINGS: 10,
    Code.COMPLAINTS: 5,
    Code.TRAINING: 5,
}
ONE = Decimal("0.1")
# Indicators measured by other apps, and what a line says when nothing was measured.
MEASURED_ELSEWHERE = {
    Code.ON_TIME_CASES: (
        "本月无有期限的办结办件",
        None,
        "本人本月无有办结期限的办结办件，不计入（不按零分）",
    ),
    Code.RATINGS: ("数据来源尚未接入", None, "好差评功能上线后计入；目前缺少数据，不按零分"),
    Code.COMPLAINTS: ("数据来源尚未接入", None, "效能投诉功能上线后计入；目前缺少数据，不按零分"),
}


def weights(district_id) -> dict[str, Decimal]:
    set_ = dict(AssessmentIndicator.objects.filter(district_id=district_id).values_list("code", "weight"))
    return {code: Decimal(set_.get(code, default)) for code, default in DEFAULT_WEIGHTS.items()}


def _pct(x) -> Decimal:
    return Decimal(str(max(0.0, min(100.0, float(x))))).quantize(ONE)


def _tickets(center, start, end) -> dict[int, tuple[int, float | None]]:
    """Tickets finished per clerk and their mean service minutes (staffing sits above queueing)."""
    out: dict[int, list] = {}
    rows = Ticket.objects.filter(
        center=center, status=Ticket.Status.DONE, day__gte=start, day__lte=end, finished_by__isnull=False
    ).values_list("finished_by_id", "served_at", "finished_at")
    for uid, served, finished in rows:
        n_sum = out.setdefault(uid, [0, 0.0, 0])
        n_sum[0] += 1
        if served and finished:
            n_sum[1] += (finished - served).total_seconds() / 60
            n_sum[2] += 1
    return {uid: (n, (s / k) if k else None) for uid, (n, s, k) in out.items()}


def compute(*, center, month: date) -> list[tuple]:
    """[(user, total score or None, [line dicts])] for the hall's counter staff."""
    start = month.replace(day=1)
    end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    w = weights(center.district_id)
    people = list(selectors.hall_staff(center))
    sheet = {
        row["user"].id: row["totals"]
        for row in selectors.attendance_sheet(center, start, users=people)["rows"]
    }
    tickets = _tickets(center, start, end)
    best_n = max((n for n, _ in tickets.values()), default=0)
    times = [m for _, m in tickets.values() if m]
    best_time = min(times) if times else None
    trained = set(
        TrainingRecord.objects.filter(user__in=people, passed=True, refresher_due__gte=end).values_list(
            "user_id", flat=True
        )
    )
    results = []
    for u in people:
        lines: list[dict[str, Any]] = []

        def line(code, value, score, explanation, lines=lines):
            lines.append(
                {"code": code, "weight": w[code], "value": value, "score": score, "explanation": explanation}
            )

        t = sheet[u.id]
        if t["expected"]:
            raw = (t["expected"] - t["absent"] - 0.5 * (t["late"] + t["early"])) / t["expected"] * 100
            line(
                Code.ATTENDANCE,
                f"应出勤{t['expected']}天，缺勤{t['absent']}，迟到{t['late']}，早退{t['early']}",
                _pct(raw),
                "（应出勤 − 缺勤 − 0.5×(迟到+早退)）÷ 应出勤 × 100；批准的请假不算缺勤",
            )
        else:
            line(Code.ATTENDANCE, "本月无应出勤日", None, "无应出勤日，不计入")
        measured = measures_for(user=u, center=center, start=start, end=end)
        for code, missing in MEASURED_ELSEWHERE.items():
            if code in measured:
                m = measured[code]
                line(code, m.value, _pct(m.score), m.explanation)
            else:
                line(code, *missing)
        n, minutes = tickets.get(u.id, (0, None))
        if best_n:
            line(
                Code.TICKETS,
                f"办结{n}个号（本厅最高{best_n}）",
                _pct(n / best_n * 100),
                "本人办结数 ÷ 本厅最高 × 100",
            )
        else:
            line(Code.TICKETS, "本厅本月无叫号办结记录", None, "本厅无叫号数据，不计入")
        if minutes and best_time:
            line(
                Code.SERVICE_TIME,
                f"平均 {minutes:.1f} 分钟（本厅最短 {best_time:.1f}）",
                _pct(best_time / minutes * 100),
                "本厅最短平均时长 ÷ 本人平均时长 × 100",
            )
        else:
            line(Code.SERVICE_TIME, "无办理时长记录", None, "本人无已办结的叫号，不计入")
        ok = u.id in trained
        line(
            Code.TRAINING,
            "有有效培训记录" if ok else "无有效培训记录",
            Decimal(100 if ok else 0).quantize(ONE),
            "月末持有合格且未到复训期的培训记录得 100，否则 0",
        )
        lines.sort(key=lambda ln: list(DEFAULT_WEIGHTS).index(ln["code"]))
        counted = [
            (ln["weight"], ln["score"]) for ln in lines if ln["score"] is not None and ln["weight"] > 0
        ]
        total_w = sum(wt for wt, _ in counted)
        total = (sum(wt * s for wt, s in counted) / total_w).quantize(ONE) if total_w else None
        results.append((u, total, lines))
    return results
