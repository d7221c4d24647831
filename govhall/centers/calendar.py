"""The district office keeps its working-day calendar (core.calendar reads it):

- each year's national holiday arrangement (国务院办公厅关于 YYYY 年部分节假日安排的
  通知), entered whole — its number, every holiday period, every make-up working
  day — checked for consistency, and confirmed by a second person of the district
  office. Only a confirmed arrangement makes a year known. Changing a confirmed
  arrangement (editing it, reopening it, removing it) puts it back to 待确认: the
  year is unknown again until a second person confirms it, so no deadline is
  ever computed on holidays only one person has vouched for;
- local corrections of single days (停电闭厅, a local extra working day), which
  never make a year known.

Every change is written with its history (who, when, why) and announced through
`core.calendar.calendar_changed`, so the deadlines it moves are recomputed — or
flagged again — in the same transaction."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from govhall.accounts.models import Role, RoleAssignment, User
from govhall.core.calendar import calendar_changed_announce
from govhall.core.errors import DomainError, NotFound, Refused, WrongState
from govhall.core.history import delete_recorded, save_recorded
from govhall.core.models import CalendarOverride, HolidayArrangement, HolidayPeriod, MakeUpWorkday

log = logging.getLogger("govhall.calendar")

A = HolidayArrangement.Status
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _district_admin_district(by: User | None) -> int:
    """The district `by` runs as district office, or Refused."""
    row = (
        RoleAssignment.objects.filter(user=by, role=Role.DISTRICT_ADMIN).select_related("center").first()
        if by is not None and by.is_authenticated
        else None
    )
    if row is None:
        raise Refused("只有区政务办可以维护工作日调整。")
    return row.center.district_id


# --- local corrections of single days (never make a year known) --------------------------------


def calendar_overrides_of(by: User) -> QuerySet[CalendarOverride]:
    """The override rows the district office of `by` keeps (its own and those for everywhere)."""
    district_id = _district_admin_district(by)
    return CalendarOverride.objects.filter(Q(district_id=district_id) | Q(district__isnull=True)).order_by(
        "date"
    )


def calendar_override_get(*, by: User, pk: int) -> CalendarOverride:
    """One row the district office of `by` sees (NotFound otherwise)."""
    row = calendar_overrides_of(by).filter(pk=pk).first()
    if row is None:
        raise NotFound("没有找到该调整记录，或它不由本区维护。")
    return row


def _duplicate(day: date) -> DomainError:
    return DomainError(f"{day:%Y-%m-%d} 已有调整记录，如需更改请先删除。", field="date", code="duplicate")


@transaction.atomic
def calendar_override_add(
    *, by: User, day: date | None, is_workday: bool | None, note: str = ""
) -> CalendarOverride:
    """The district office records one local day: a closure (is_workday=False, 如停电闭厅)
    or a local extra working day. It corrects a known year; it never makes a year known
    (that takes the year's confirmed arrangement). Deadlines it moves are recomputed."""
    district_id = _district_admin_district(by)
    if day is None:
        raise DomainError("请填写日期（如 2027-01-01）。", field="date")
    if is_workday is None:
        raise DomainError("请选择这一天是放假还是上班。", field="is_workday")
    note = (note or "").strip()
    if len(note) > 100:
        raise DomainError("说明最多 100 个字。", field="note")
    if not note:
        raise DomainError("请写明原因，如“因停电闭厅”。", field="note")
    if CalendarOverride.objects.filter(date=day, district_id=district_id).exists():
        raise _duplicate(day)
    row = CalendarOverride(date=day, is_workday=is_workday, note=note, district_id=district_id)
    try:
        with transaction.atomic():
            save_recorded(row, by=by, reason=note)
    except IntegrityError:
        raise _duplicate(day) from None
    log.info("工作日调整：%s 新增 %s %s（%s）", by.username, day, "上班" if is_workday else "放假", note)
    calendar_changed_announce(
        district_id=district_id,
        start=day,
        end=day,
        by=by,
        reason=f"工作日调整：{day:%Y-%m-%d} {'上班' if is_workday else '放假'}（{note}），重算期限",
    )
    return row


@transaction.atomic
def calendar_override_delete(*, by: User, override: CalendarOverride) -> None:
    """Remove one of the district's own rows (rows for everywhere are kept in the admin);
    the deadlines it had moved are recomputed."""
    district_id = _district_admin_district(by)
    if override.district_id != district_id:
        raise NotFound("没有找到该调整记录，或它不由本区维护。")
    day = override.date
    log.info(
        "工作日调整：%s 删除 %s %s（%s）",
        by.username,
        day,
        "上班" if override.is_workday else "放假",
        override.note,
    )
    delete_recorded(override, by=by, reason="删除工作日调整")
    calendar_changed_announce(
        district_id=district_id,
        start=day,
        end=day,
        by=by,
        reason=f"删除工作日调整 {day:%Y-%m-%d}（{override.note}），重算期限",
    )


# --- the year's national arrangement ------------------------------------------------------------

Period = tuple[str, date, date]  # name, first day off, last day off
MakeUp = tuple[date, str]  # the weekend day worked, its note


class ArrangementChange(NamedTuple):
    """An arrangement after a change, and how many cases' deadlines moved with it."""

    arrangement: HolidayArrangement
    cases_changed: int


def default_title(year: int) -> str:
    return f"国务院办公厅关于 {year} 年部分节假日安排的通知"


def holiday_arrangements_of(by: User) -> QuerySet[HolidayArrangement]:
    """The arrangements the district office of `by` sees: its own and those for everywhere."""
    district_id = _district_admin_district(by)
    return (
        HolidayArrangement.objects.filter(Q(district_id=district_id) | Q(district__isnull=True))
        .select_related("entered_by", "confirmed_by")
        .prefetch_related("periods", "makeups")
        .order_by("-year", "id")
    )


def holiday_arrangement_get(*, by: User, pk: int) -> HolidayArrangement:
    """One arrangement the district office of `by` sees (NotFound otherwise)."""
    found = holiday_arrangements_of(by).filter(pk=pk).first()
    if found is None:
        raise NotFound("没有找到该节假日安排，或它不由本区维护。")
    return found


def _may_change(by: User | None, arrangement: HolidayArrangement) -> None:
    """Only the district office of the arrangement's district (the system: any)."""
    if by is None:
        return
    district_id = _district_admin_district(by)
    if arrangement.district_id is None:
        raise Refused("该节假日安排适用于全部区县，由系统管理员在后台维护。")
    if arrangement.district_id != district_id:
        raise NotFound("没有找到该节假日安排，或它不由本区维护。")


def _year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


Bad = Callable[[str, str], None]


def arrangement_check(
    *, year: int | None, number: str, title: str, periods: list[Period], makeups: list[MakeUp]
) -> None:
    """The notice is consistent, or DomainError with every message next to its field:
    the year and number given, at least one holiday period, each inside the year with
    its start not after its end and not overlapping another, each make-up working day
    inside the year, on a weekend, and not also a day off."""
    errors: dict[str, list[str]] = {}

    def bad(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        bad("year", f"请填写年份（{FIRST_YEAR}–{LAST_YEAR}），如 2027。")
        year = None
    _check_notice(number, title, bad)
    off = _check_periods(year, periods, bad)
    _check_makeups(year, makeups, off, bad)
    if errors:
        first = next(iter(errors))
        raise DomainError(
            "；".join(m for ms in errors.values() for m in ms),
            field=first,
            errors=errors,
            code="inconsistent",
        )


def _check_notice(number: str, title: str, bad: Bad) -> None:
    if not number.strip():
        bad("number", "请填写通知文号，如“国办发明电〔2026〕1号”。")
    elif len(number.strip()) > 60:
        bad("number", "文号最多 60 个字。")
    if not title.strip():
        bad("title", "请填写通知标题。")
    elif len(title.strip()) > 120:
        bad("title", "标题最多 120 个字。")


def _check_periods(year: int | None, periods: list[Period], bad: Bad) -> dict[date, str]:
    """Each period's own rules; returns the days off with their holiday's name."""
    if not periods:
        bad("periods", "请至少录入一个放假时段（如“2027-01-01 至 2027-01-03 元旦”）。")
    off: dict[date, str] = {}
    for i, (name, start, end) in enumerate(periods, 1):
        label = f"第 {i} 个放假时段（{name or '未命名'}）"
        if not name:
            bad("periods", f"第 {i} 个放假时段：请写明节日名称，如“春节”。")
        elif len(name) > 20:
            bad("periods", f"{label}：节日名称最多 20 个字。")
        if start > end:
            bad("periods", f"{label}：开始日期 {start:%Y-%m-%d} 晚于结束日期 {end:%Y-%m-%d}。")
        elif year is not None and (start.year != year or end.year != year):
            bad("periods", f"{label}：{start:%Y-%m-%d} 至 {end:%Y-%m-%d} 不在 {year} 年内。")
        elif (end - start).days > 31:
            bad("periods", f"{label}：一个放假时段不超过 31 天，请核对日期。")
        else:
            clash = next((d for d in _days(start, end) if d in off), None)
            if clash is not None:
                bad("periods", f"{label}：{clash:%Y-%m-%d} 已在“{off[clash]}”放假时段内，时段不能重叠。")
            off.update(dict.fromkeys(_days(start, end), name))
    return off


def _check_makeups(year: int | None, makeups: list[MakeUp], off: dict[date, str], bad: Bad) -> None:
    seen: set[date] = set()
    for i, (day, _note) in enumerate(makeups, 1):
        label = f"第 {i} 个调休上班日 {day:%Y-%m-%d}"
        if day in seen:
            bad("makeups", f"{label}：重复录入。")
        elif year is not None and day.year != year:
            bad("makeups", f"{label}：不在 {year} 年内。")
        elif day in off:
            bad("makeups", f"{label}：同一天既放假（{off[day]}）又上班，请核对。")
        elif day.weekday() < 5:
            bad("makeups", f"{label}：是周一至周五，本来就上班；调休上班日应为周六或周日。")
        seen.add(day)


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _clean(periods: list[Period], makeups: list[MakeUp]) -> tuple[list[Period], list[MakeUp]]:
    return (
        [((n or "").strip(), s, e) for n, s, e in periods],
        [(d, (n or "").strip()) for d, n in makeups],
    )


def _write_days(
    arrangement: HolidayArrangement,
    periods: list[Period],
    makeups: list[MakeUp],
    *,
    by: User | None,
    reason: str,
) -> None:
    """Replace the arrangement's periods and make-up days, each change recorded."""
    for p in list(arrangement.periods.all()):
        delete_recorded(p, by=by, reason=reason)
    for m in list(arrangement.makeups.all()):
        delete_recorded(m, by=by, reason=reason)
    for name, start, end in sorted(periods, key=lambda p: p[1]):
        save_recorded(
            HolidayPeriod(arrangement=arrangement, name=name, start=start, end=end), by=by, reason=reason
        )
    for day, note in sorted(makeups):
        save_recorded(MakeUpWorkday(arrangement=arrangement, date=day, name=note[:20]), by=by, reason=reason)


def _announce(arrangement: HolidayArrangement, *, by: User | None, reason: str) -> int:
    start, end = _year_range(arrangement.year)
    return calendar_changed_announce(
        district_id=arrangement.district_id, start=start, end=end, by=by, reason=reason
    )


@transaction.atomic
def holiday_arrangement_create(
    *,
    by: User | None,
    year: int | None,
    number: str,
    title: str = "",
    periods: list[Period],
    makeups: list[MakeUp],
    district_id: int | None = None,
) -> HolidayArrangement:
    """A district office enters a year's national arrangement whole; it waits (待确认)
    for a second person of the office. The system (`by=None`) may enter one for
    `district_id`, or for every district when that is None."""
    district_id = _district_admin_district(by) if by is not None else district_id
    number, title = (number or "").strip(), (title or "").strip() or (default_title(year) if year else "")
    periods, makeups = _clean(periods, makeups)
    arrangement_check(year=year, number=number, title=title, periods=periods, makeups=makeups)
    year = int(year or 0)  # checked above
    mine = HolidayArrangement.objects.filter(year=year)
    mine = mine.filter(district_id=district_id) if district_id else mine.filter(district__isnull=True)
    if mine.exists():
        raise DomainError(
            f"{year} 年的节假日安排已经录入，请在原记录上修改。", field="year", code="duplicate"
        )
    arrangement = HolidayArrangement(
        year=year, number=number, title=title, district_id=district_id, status=A.DRAFT, entered_by=by
    )
    save_recorded(arrangement, by=by, reason=f"录入 {year} 年节假日安排（{number}）")
    _write_days(arrangement, periods, makeups, by=by, reason=f"录入 {year} 年节假日安排")
    return arrangement


@transaction.atomic
def holiday_arrangement_update(
    *,
    by: User | None,
    arrangement: HolidayArrangement,
    number: str,
    title: str = "",
    periods: list[Period],
    makeups: list[MakeUp],
    reason: str = "",
) -> ArrangementChange:
    """Correct an arrangement. The one who corrects it becomes its 录入人 and a second
    person must confirm it again: a confirmed one goes back to 待确认 and its year is
    unknown until then (its deadlines are flagged again, each case recorded)."""
    arrangement = HolidayArrangement.objects.select_for_update().get(pk=arrangement.pk)
    _may_change(by, arrangement)
    number = (number or "").strip()
    title = (title or "").strip() or default_title(arrangement.year)
    periods, makeups = _clean(periods, makeups)
    arrangement_check(year=arrangement.year, number=number, title=title, periods=periods, makeups=makeups)
    was_confirmed = arrangement.status == A.CONFIRMED
    if was_confirmed and not (reason or "").strip():
        raise DomainError("修改已确认的节假日安排须写明原因。", field="reason")
    why = f"修改 {arrangement.year} 年节假日安排" + (f"：{reason.strip()}" if (reason or "").strip() else "")
    arrangement.number, arrangement.title = number, title
    arrangement.status, arrangement.entered_by = A.DRAFT, by
    arrangement.confirmed_by, arrangement.confirmed_at = None, None
    save_recorded(arrangement, by=by, reason=why)
    _write_days(arrangement, periods, makeups, by=by, reason=why)
    n = 0
    if was_confirmed:
        n = _announce(
            arrangement, by=by, reason=f"{arrangement.year} 年节假日安排已修改、待重新确认，期限待定"
        )
    return ArrangementChange(arrangement, n)


@transaction.atomic
def holiday_arrangement_confirm(*, by: User | None, arrangement: HolidayArrangement) -> ArrangementChange:
    """A second person of the district office confirms the arrangement against the
    notice: the year becomes known, and every deadline waiting for it is computed
    (each case recorded). The person who entered it cannot confirm it."""
    arrangement = HolidayArrangement.objects.select_for_update().get(pk=arrangement.pk)
    _may_change(by, arrangement)
    if arrangement.status == A.CONFIRMED:
        raise WrongState(f"{arrangement.year} 年节假日安排已经确认。", field="status")
    if by is not None and arrangement.entered_by_id == by.pk:
        raise Refused(
            "录入人不能确认自己录入的节假日安排：须由区政务办另一位工作人员对照国务院通知核对后确认。"
        )
    arrangement.status, arrangement.confirmed_by, arrangement.confirmed_at = A.CONFIRMED, by, timezone.now()
    save_recorded(arrangement, by=by, reason=f"确认 {arrangement.year} 年节假日安排（{arrangement.number}）")
    n = _announce(
        arrangement, by=by, reason=f"{arrangement.year} 年节假日安排已确认（{arrangement.number}），计算期限"
    )
    log.info(
        "节假日安排：%s 确认 %s 年（%s），%s 件办件期限重算", by, arrangement.year, arrangement.number, n
    )
    return ArrangementChange(arrangement, n)


@transaction.atomic
def holiday_arrangement_reopen(
    *, by: User | None, arrangement: HolidayArrangement, reason: str
) -> ArrangementChange:
    """Take a confirmed arrangement back to 待确认 (an error found in it): its year is
    unknown again and the deadlines that counted on it are flagged, each recorded."""
    arrangement = HolidayArrangement.objects.select_for_update().get(pk=arrangement.pk)
    _may_change(by, arrangement)
    if arrangement.status != A.CONFIRMED:
        raise WrongState(f"{arrangement.year} 年节假日安排尚未确认，无须退回。", field="status")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请写明退回待确认的原因。", field="reason")
    arrangement.status, arrangement.confirmed_by, arrangement.confirmed_at = A.DRAFT, None, None
    save_recorded(arrangement, by=by, reason=f"退回待确认：{reason}")
    n = _announce(arrangement, by=by, reason=f"{arrangement.year} 年节假日安排退回待确认，期限待定")
    return ArrangementChange(arrangement, n)


@transaction.atomic
def holiday_arrangement_delete(*, by: User | None, arrangement: HolidayArrangement, reason: str) -> int:
    """Remove an arrangement with its days (recorded). If it was confirmed, the year
    is unknown again and its deadlines are flagged; returns how many cases moved."""
    arrangement = HolidayArrangement.objects.select_for_update().get(pk=arrangement.pk)
    _may_change(by, arrangement)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请写明删除的原因。", field="reason")
    was_confirmed = arrangement.status == A.CONFIRMED
    why = f"删除 {arrangement.year} 年节假日安排：{reason}"
    _write_days(arrangement, [], [], by=by, reason=why)
    delete_recorded(arrangement, by=by, reason=why)
    if not was_confirmed:
        return 0
    return _announce(arrangement, by=by, reason=f"{arrangement.year} 年节假日安排已删除，期限待定")


# --- the page's textareas: one period or make-up day a line ------------------------------------

_DAY = r"(\d{4}-\d{1,2}-\d{1,2})"
_PERIOD_LINE = re.compile(rf"^{_DAY}(?:\s*(?:至|到|~|～|—|－)\s*{_DAY})?\s+(\S.*)$")
_MAKEUP_LINE = re.compile(rf"^{_DAY}(?:\s+(.*))?$")


def _day(text: str, field: str, line: int) -> date:
    try:
        return date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        raise DomainError(f"第 {line} 行：{text} 不是有效日期。", field=field) from None


def periods_from_text(text: str) -> list[Period]:
    """“2027-02-06 至 2027-02-13 春节” (or “2027-01-01 元旦” for one day), one a line."""
    out: list[Period] = []
    for i, raw in enumerate((text or "").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        m = _PERIOD_LINE.match(line)
        if m is None:
            raise DomainError(
                f"第 {i} 行格式不对：应为“2027-02-06 至 2027-02-13 春节”（开始 至 结束 节日名称）。",
                field="periods",
            )
        start = _day(m.group(1), "periods", i)
        end = _day(m.group(2), "periods", i) if m.group(2) else start
        out.append((m.group(3).strip(), start, end))
    return out


def makeups_from_text(text: str) -> list[MakeUp]:
    """“2027-02-20 春节调休”, one a line."""
    out: list[MakeUp] = []
    for i, raw in enumerate((text or "").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        m = _MAKEUP_LINE.match(line)
        if m is None:
            raise DomainError(f"第 {i} 行格式不对：应为“2027-02-20 春节调休”（日期 说明）。", field="makeups")
        out.append((_day(m.group(1), "makeups", i), (m.group(2) or "").strip()))
    return out


def periods_as_text(arrangement: HolidayArrangement) -> str:
    return "\n".join(
        f"{p.start:%Y-%m-%d} 至 {p.end:%Y-%m-%d} {p.name}"
        if p.end != p.start
        else f"{p.start:%Y-%m-%d} {p.name}"
        for p in arrangement.periods.all()
    )


def makeups_as_text(arrangement: HolidayArrangement) -> str:
    return "\n".join(f"{m.date:%Y-%m-%d} {m.name}".strip() for m in arrangement.makeups.all())
