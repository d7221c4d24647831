"""The district office keeps its working-day calendar: local corrections of the
national holidays (core.calendar reads them). A holiday entry moves every
deadline, so each row is written with its history (who, when, why)."""

from __future__ import annotations

import logging
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from govhall.accounts.models import Role, RoleAssignment, User
from govhall.core.errors import DomainError, NotFound, Refused
from govhall.core.history import delete_recorded, save_recorded
from govhall.core.models import CalendarOverride

log = logging.getLogger("govhall.calendar")


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


def calendar_overrides_of(by: User) -> QuerySet[CalendarOverride]:
    """The override rows the district office of `by` keeps (its own and those for everywhere)."""
    district_id = _district_admin_district(by)
    return CalendarOverride.objects.filter(Q(district_id=district_id) | Q(district__isnull=True)).order_by(
        "date"
    )


def _duplicate(day: date) -> DomainError:
    return DomainError(f"{day:%Y-%m-%d} 已有调整记录，如需更改请先删除。", field="date", code="duplicate")


def calendar_override_add(
    *, by: User, day: date | None, is_workday: bool | None, note: str = ""
) -> CalendarOverride:
    """The district office records a day: a holiday or closure (is_workday=False)
    or a working day (a make-up day, or a weekday of a year the package lacks)."""
    district_id = _district_admin_district(by)
    if day is None:
        raise DomainError("请填写日期（如 2027-01-01）。", field="date")
    if is_workday is None:
        raise DomainError("请选择这一天是放假还是上班。", field="is_workday")
    note = (note or "").strip()
    if len(note) > 100:
        raise DomainError("说明最多 100 个字。", field="note")
    if not note:
        raise DomainError("请写明原因，如“2027 年春节”或“因停电闭厅”。", field="note")
    if CalendarOverride.objects.filter(date=day, district_id=district_id).exists():
        raise _duplicate(day)
    row = CalendarOverride(date=day, is_workday=is_workday, note=note, district_id=district_id)
    try:
        with transaction.atomic():
            save_recorded(row, by=by, reason=note)
    except IntegrityError:
        raise _duplicate(day) from None
    log.info("工作日调整：%s 新增 %s %s（%s）", by.username, day, "上班" if is_workday else "放假", note)
    return row


def calendar_override_delete(*, by: User, override: CalendarOverride) -> None:
    """Remove one of the district's own rows (rows for everywhere are kept in the admin)."""
    district_id = _district_admin_district(by)
    if override.district_id != district_id:
        raise NotFound("没有找到该调整记录，或它不由本区维护。")
    log.info(
        "工作日调整：%s 删除 %s %s（%s）",
        by.username,
        override.date,
        "上班" if override.is_workday else "放假",
        override.note,
    )
    with transaction.atomic():
        delete_recorded(override, by=by, reason="删除工作日调整")
