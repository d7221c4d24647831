"""Calendar API: the district office's holiday arrangements (one a year, entered
whole, confirmed by a second person) and local closures. Thin doors to the
same services as the 工作日调整 page (`centers.calendar`); domain errors become
JSON 4xx in config/api.py."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import QuerySet
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from govhall.accounts.api import WRITE_ERRORS, error_responses
from govhall.core.models import CalendarOverride, HolidayArrangement
from govhall.core.paging import Paging

from . import calendar as cal

router = Router(tags=["calendar"])


class PeriodIO(Schema):
    name: str = Field(..., description="节日名称，如“春节”")
    start: date = Field(..., description="放假第一天")
    end: date = Field(..., description="放假最后一天")


class MakeUpIO(Schema):
    date: date
    name: str = Field("", description="说明，如“春节调休”")


class ArrangementIn(Schema):
    year: int = Field(..., description="年份，如 2027")
    number: str = Field(..., description="通知文号，如“国办发明电〔2026〕1号”")
    title: str = Field("", description="通知标题；空即“国务院办公厅关于 YYYY 年部分节假日安排的通知”")
    periods: list[PeriodIO] = Field(..., description="每一个放假时段")
    makeups: list[MakeUpIO] = Field(default_factory=list, description="每一个调休上班日（周六或周日）")


class ArrangementUpdateIn(Schema):
    number: str
    title: str = ""
    periods: list[PeriodIO]
    makeups: list[MakeUpIO] = Field(default_factory=list)
    reason: str = Field("", description="修改原因（修改已确认的安排时必填）；修改后须第二人重新确认")


class ReasonIn(Schema):
    reason: str


class ArrangementOut(Schema):
    id: int
    year: int
    number: str
    title: str
    status: str = Field(..., description="draft = 待确认（未生效），confirmed = 已确认（该年已知）")
    status_label: str
    district: str | None = Field(None, description="录入区县编码；空为全部区县")
    entered_by: str | None
    confirmed_by: str | None
    confirmed_at: datetime | None
    periods: list[PeriodIO]
    makeups: list[MakeUpIO]

    @staticmethod
    def resolve_status_label(obj: HolidayArrangement) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_district(obj: HolidayArrangement) -> str | None:
        return obj.district.code if obj.district is not None else None

    @staticmethod
    def resolve_entered_by(obj: HolidayArrangement) -> str | None:
        return obj.entered_by.display_name if obj.entered_by is not None else None

    @staticmethod
    def resolve_confirmed_by(obj: HolidayArrangement) -> str | None:
        return obj.confirmed_by.display_name if obj.confirmed_by is not None else None

    @staticmethod
    def resolve_periods(obj: HolidayArrangement) -> list[dict]:
        return [{"name": p.name, "start": p.start, "end": p.end} for p in obj.periods.all()]

    @staticmethod
    def resolve_makeups(obj: HolidayArrangement) -> list[dict]:
        return [{"date": m.date, "name": m.name} for m in obj.makeups.all()]


class ArrangementChangeOut(Schema):
    arrangement: ArrangementOut
    cases_changed: int = Field(..., description="期限因此计算、调整或改为待定的办件数")


class OverrideIn(Schema):
    date: date
    is_workday: bool = Field(..., description="false = 放假/闭厅，true = 本区加班受理")
    note: str = Field(..., description="原因，如“因停电闭厅”")


class OverrideOut(Schema):
    id: int
    date: date
    is_workday: bool
    note: str
    everywhere: bool = Field(..., description="适用于全部区县（在后台维护）")

    @staticmethod
    def resolve_everywhere(obj: CalendarOverride) -> bool:
        return obj.district_id is None


def _periods(rows: list[PeriodIO]) -> list[cal.Period]:
    return [(p.name, p.start, p.end) for p in rows]


def _makeups(rows: list[MakeUpIO]) -> list[cal.MakeUp]:
    return [(m.date, m.name) for m in rows]


def _get(request, arrangement_id: int) -> HolidayArrangement:
    return cal.holiday_arrangement_get(by=request.user, pk=arrangement_id)


def _fresh(request, arrangement: HolidayArrangement) -> HolidayArrangement:
    return cal.holiday_arrangement_get(by=request.user, pk=arrangement.pk)


@router.get(
    "/calendar/arrangements",
    response={200: list[ArrangementOut], **error_responses(401, 403, 422)},
    summary="各年节假日安排（区政务办）",
    operation_id="calendar_arrangements_list",
)
@paginate(Paging)
def arrangements_list(request) -> QuerySet[HolidayArrangement]:
    return cal.holiday_arrangements_of(request.user).select_related("district")


@router.get(
    "/calendar/arrangements/{arrangement_id}",
    response={200: ArrangementOut, **error_responses(401, 403, 404, 422)},
    summary="某年节假日安排详情",
    operation_id="calendar_arrangements_get",
)
def arrangements_get(request, arrangement_id: int):
    return _get(request, arrangement_id)


@router.post(
    "/calendar/arrangements",
    response={201: ArrangementOut, **WRITE_ERRORS},
    summary="录入某年节假日安排（整体录入，待第二人确认后生效）",
    operation_id="calendar_arrangements_create",
)
def arrangements_create(request, data: ArrangementIn):
    arrangement = cal.holiday_arrangement_create(
        by=request.user,
        year=data.year,
        number=data.number,
        title=data.title,
        periods=_periods(data.periods),
        makeups=_makeups(data.makeups),
    )
    return Status(201, _fresh(request, arrangement))


@router.put(
    "/calendar/arrangements/{arrangement_id}",
    response={200: ArrangementChangeOut, **WRITE_ERRORS},
    summary="修改节假日安排（已确认的退回待确认，须第二人重新确认）",
    operation_id="calendar_arrangements_update",
)
def arrangements_update(request, arrangement_id: int, data: ArrangementUpdateIn):
    changed = cal.holiday_arrangement_update(
        by=request.user,
        arrangement=_get(request, arrangement_id),
        number=data.number,
        title=data.title,
        periods=_periods(data.periods),
        makeups=_makeups(data.makeups),
        reason=data.reason,
    )
    return {"arrangement": _fresh(request, changed.arrangement), "cases_changed": changed.cases_changed}


@router.post(
    "/calendar/arrangements/{arrangement_id}/confirm",
    response={200: ArrangementChangeOut, **WRITE_ERRORS},
    summary="确认节假日安排（区政务办另一位工作人员；录入人不能确认）",
    operation_id="calendar_arrangements_confirm",
)
def arrangements_confirm(request, arrangement_id: int):
    changed = cal.holiday_arrangement_confirm(by=request.user, arrangement=_get(request, arrangement_id))
    return {"arrangement": _fresh(request, changed.arrangement), "cases_changed": changed.cases_changed}


@router.post(
    "/calendar/arrangements/{arrangement_id}/reopen",
    response={200: ArrangementChangeOut, **WRITE_ERRORS},
    summary="退回待确认（该年重新视为未知，相关期限改为待定）",
    operation_id="calendar_arrangements_reopen",
)
def arrangements_reopen(request, arrangement_id: int, data: ReasonIn):
    changed = cal.holiday_arrangement_reopen(
        by=request.user, arrangement=_get(request, arrangement_id), reason=data.reason
    )
    return {"arrangement": _fresh(request, changed.arrangement), "cases_changed": changed.cases_changed}


class DeletedOut(Schema):
    cases_changed: int


@router.post(
    "/calendar/arrangements/{arrangement_id}/delete",
    response={200: DeletedOut, **WRITE_ERRORS},
    summary="删除节假日安排（须写明原因）",
    operation_id="calendar_arrangements_delete",
)
def arrangements_delete(request, arrangement_id: int, data: ReasonIn):
    n = cal.holiday_arrangement_delete(
        by=request.user, arrangement=_get(request, arrangement_id), reason=data.reason
    )
    return {"cases_changed": n}


@router.get(
    "/calendar/overrides",
    response={200: list[OverrideOut], **error_responses(401, 403, 422)},
    summary="本区临时调整（闭厅、加班受理）",
    operation_id="calendar_overrides_list",
)
@paginate(Paging)
def overrides_list(request) -> QuerySet[CalendarOverride]:
    return cal.calendar_overrides_of(request.user)


@router.post(
    "/calendar/overrides",
    response={201: OverrideOut, **WRITE_ERRORS},
    summary="录入本区临时调整（不会使某一年变为已知）",
    operation_id="calendar_overrides_create",
)
def overrides_create(request, data: OverrideIn):
    row = cal.calendar_override_add(
        by=request.user, day=data.date, is_workday=data.is_workday, note=data.note
    )
    return Status(201, row)


@router.delete(
    "/calendar/overrides/{override_id}",
    response={204: None, **WRITE_ERRORS},
    summary="删除本区临时调整",
    operation_id="calendar_overrides_delete",
)
def overrides_delete(request, override_id: int):
    row = cal.calendar_override_get(by=request.user, pk=override_id)
    cal.calendar_override_delete(by=request.user, override=row)
    return Status(204, None)
