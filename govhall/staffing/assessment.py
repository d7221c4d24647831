"""How a month's score is built. Each indicator gives a score out of 100, or
None when its source is absent (尚未接入: no installed app measures it) or has
nothing to count this month (无数据): such an indicator is left out of the
weighted mean, never counted as zero. Indicators other apps measure come through the
`assessment_sources` extension point (staffing/extensions.py)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from govhall.queueing.models import Ticket

from . import selectors
from .extensions import measures_for
from .models import AssessmentIndicator, TrainingRecord, WeightSet

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
    Code.RATINGS: ("尚未接入", None, "好差评数据来源尚未接入，上线后计入；目前不计入总分，不按零分"),
    Code.COMPLAINTS: ("无数据", None, "本人本月无效能投诉数据，不计入（不按零分）"),
}


def weights(district_id) -> dict[str, Decimal]:
    """The district's default weights: those the district office set, else the built-in ones."""
    set_ = dict(AssessmentIndicator.objects.filter(district_id=district_id).values_list("code", "weight"))
    return {code: Decimal(set_.get(code, default)) for code, default in DEFAULT_WEIGHTS.items()}


@dataclass(frozen=True)
class WeightsInEffect:
    """The weights a hall's assessment uses, and where they come from (in words)."""

    weights: dict[str, Decimal]
    source: str
    weight_set: WeightSet | None = None


def weights_for(center) -> WeightsInEffect:
    """The weights of `center`'s assessment: the latest set its department
    confirmed (proposed by the district office, clause 一(一)); a set only
    proposed, or rejected, is never used. Without a confirmed set: the
    district's default weights."""
    confirmed = (
        WeightSet.objects.filter(department_id=center.department_id, status=WeightSet.Status.CONFIRMED)
        .select_related("department", "decided_by", "proposed_by")
        .order_by("-decided_at", "-id")
        .first()
        if center.department_id
        else None
    )
    if confirmed is not None:
        w = {str(code): Decimal(str(confirmed.weights.get(code, 0))) for code in DEFAULT_WEIGHTS}
        by = confirmed.decided_by.display_name if confirmed.decided_by else "系统"
        when = timezone.localtime(confirmed.decided_at) if confirmed.decided_at else None
        source = (
            f"{confirmed.department.name}确认的权重方案（区政务办提议；{by}"
            f"{f' 于 {when:%Y-%m-%d}' if when else ''}确认）"
        )
        return WeightsInEffect(w, source, confirmed)
    explicit = AssessmentIndicator.objects.filter(district_id=center.district_id).exists()
    source = (
        "区政务办设置的默认权重（本部门尚无确认的权重方案）"
        if explicit
        else "系统默认权重（本部门尚无确认的权重方案）"
    )
    return WeightsInEffect(weights(center.district_id), source)


def _n(x: Decimal | float | int) -> str:
    """A number as written in an explanation: 18, 0.5, 87.5."""
    d = Decimal(str(x)).quantize(ONE)
    return f"{d.normalize():f}" if d == d.to_integral() else f"{d}"


def attendance_line(t: dict[str, Any]) -> tuple[str, Decimal | None, str]:
    """(value, score, explanation) of the attendance measure from a sheet row's totals.
    Only days with data count; a month with none is "无数据", never zero."""
    expected, absent, late, early, no_data = (
        t["expected"],
        t["absent"],
        t["late"],
        t["early"],
        t.get("no_data", 0),
    )
    skipped = f"；考勤启用前的 {no_data} 个办公日无数据，不计入" if no_data else ""
    if not expected:
        if no_data:
            return (
                "无数据",
                None,
                f"本月考勤启用前无数据（{no_data} 个办公日），不计入总分（不按零分）",
            )
        return ("本月无应出勤日", None, "无应出勤日（或当日办公时间尚未结束），不计入")
    raw = (expected - absent - 0.5 * (late + early)) / expected * 100
    score = _pct(raw)
    present = expected - absent
    value = f"出勤 {present}/{expected} 天，缺勤 {absent}，迟到 {late}，早退 {early}" + (
        f"，无数据 {no_data} 天" if no_data else ""
    )
    explanation = (
        f"（应出勤 {expected} − 缺勤 {absent} − 0.5×(迟到 {late} + 早退 {early})）÷ 应出勤 {expected} × 100"
        f" = {_n(score)}；批准的请假不算缺勤，当日办公时间结束前不计入{skipped}"
    )
    return value, score, explanation


def total_explanation(lines: list[dict[str, Any]] | Any) -> str:
    """How the total is made from the lines: Σ(权重×得分) ÷ Σ计入的权重, with the figures."""
    counted, left_out = [], []
    for ln in lines:
        code, weight, score = (
            (ln["code"], ln["weight"], ln["score"])
            if isinstance(ln, dict)
            else (
                ln.code,
                ln.weight,
                ln.score,
            )
        )
        label = Code(code).label
        if score is None or not weight:
            left_out.append(label)
        else:
            counted.append((label, Decimal(weight), Decimal(score)))
    if not counted:
        return "没有可计入的指标，总分无数据"
    total_w = sum((w for _, w, _ in counted), Decimal(0))
    total = (sum((w * s for _, w, s in counted), Decimal(0)) / total_w).quantize(ONE)
    terms = " + ".join(f"{_n(w)}×{_n(s)}" for _, w, s in counted)
    out = f"总分 =（{terms}）÷ {_n(total_w)} = {_n(total)}"
    if left_out:
        out += f"；不计入（无数据或尚未接入）：{'、'.join(left_out)}"
    return out


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


def compute(*, center, month: date, now=None) -> list[tuple]:
    """[(user, total score or None, [line dicts])] for the hall's counter staff."""
    start = month.replace(day=1)
    end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    w = weights_for(center).weights
    people = list(selectors.hall_staff(center))
    sheet = {
        row["user"].id: row["totals"]
        for row in selectors.attendance_sheet(center, start, users=people, now=now)["rows"]
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

        line(Code.ATTENDANCE, *attendance_line(sheet[u.id]))
        measured = measures_for(user=u, center=center, start=start, end=end)
        for code, missing in MEASURED_ELSEWHERE.items():
            if code in measured:
                m = measured[code]
                line(code, m.value, None if m.score is None else _pct(m.score), m.explanation)
            else:
                line(code, *missing)
        n, minutes = tickets.get(u.id, (0, None))
        if best_n:
            score = _pct(n / best_n * 100)
            line(
                Code.TICKETS,
                f"办结{n}个号（本厅最高{best_n}）",
                score,
                f"本人办结数 {n} ÷ 本厅最高 {best_n} × 100 = {_n(score)}",
            )
        else:
            line(Code.TICKETS, "本厅本月无叫号办结记录", None, "本厅无叫号数据，不计入")
        if minutes and best_time:
            score = _pct(best_time / minutes * 100)
            line(
                Code.SERVICE_TIME,
                f"平均 {minutes:.1f} 分钟（本厅最短 {best_time:.1f}）",
                score,
                f"本厅最短平均时长 {best_time:.1f} ÷ 本人平均时长 {minutes:.1f} × 100 = {_n(score)}",
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
