"""Lobby screens API: the same readers as the pages (dashboards.lobby)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from ninja import Field, Router, Schema

from govhall.accounts.api import error_responses
from govhall.accounts.models import User

from .lobby import district_screen, hall_for_screen, hall_for_staff_screen, hall_screen

router = Router(tags=["lobby"])


class LobbyQueueOut(Schema):
    letter: str
    name: str
    waiting: int = Field(..., description="现在等候人数")
    longest_wait_minutes: int | None = Field(None, description="等候最久者已等分钟数")


class LobbyWindowOut(Schema):
    number: int
    name: str
    status: str = Field(..., description="open/paused/closed")
    status_label: str
    serving: str = Field("", description="正在叫号或办理的号码")


class LobbyStaffWindowOut(LobbyWindowOut):
    clerk: str = Field("", description="窗口工作人员（姓名）")


class LobbyHallOut(Schema):
    code: str
    name: str
    as_of: datetime
    tickets_taken: int = Field(..., description="今日取号数")
    tickets_served: int = Field(..., description="今日办结数")
    waiting: int = Field(..., description="现在等候人数")
    longest_wait_minutes: int | None
    wait_mean_minutes: int | None = Field(None, description="今日平均等候（取号到叫号，分钟）")
    wait_p90_minutes: int | None = Field(None, description="九成群众等候不超过（分钟，向上取整）")
    queues: list[LobbyQueueOut]
    windows_open: int
    windows_total: int
    windows: list[LobbyWindowOut]
    cases_accepted: int = Field(..., description="今日受理件数")
    cases_completed: int = Field(..., description="今日办结件数")
    satisfaction_rate: float | None = Field(None, description="本月满意度（%），无评价时为空")
    satisfaction_count: int


class LobbyHallStaffOut(LobbyHallOut):
    windows: list[LobbyStaffWindowOut]  # type: ignore[assignment]
    cases_overdue: int = Field(..., description="逾期未办结件数")


class LobbyDistrictHallOut(Schema):
    code: str
    name: str
    waiting: int
    windows_open: int
    windows_total: int
    tickets_taken: int
    tickets_served: int
    longest_wait_minutes: int | None
    on_time_due: int = Field(..., description="本月办结且有期限的件数")
    on_time_done: int = Field(..., description="其中期限内办结的件数")
    on_time_rate: float | None = Field(None, description="本月按时办结率（%）")
    busy: bool = Field(..., description="等候较多（大屏突出显示）")
    url: str


class LobbyDistrictTotalsOut(Schema):
    halls: int
    busy: int
    waiting: int
    windows_open: int
    windows_total: int
    tickets_taken: int
    tickets_served: int
    longest_wait_minutes: int | None
    on_time_rate: float | None


class LobbyDistrictOut(Schema):
    as_of: datetime
    halls: list[LobbyDistrictHallOut]
    totals: LobbyDistrictTotalsOut


@router.get(
    "/lobby/centers/{code}",
    response={200: LobbyHallOut, **error_responses(404)},
    auth=None,
    summary="大厅大屏（公开）",
)
def lobby_hall(request, code: str):
    """What the hall's public lobby screen shows: no personal data, no login."""
    return hall_screen(hall_for_screen(code))


@router.get(
    "/lobby/centers/{code}/staff",
    response={200: LobbyHallStaffOut, **error_responses(401, 404)},
    summary="大厅大屏（本中心工作人员）",
)
def lobby_hall_staff(request, code: str):
    """The staff variant: adds each window's clerk and the overdue cases; only for the people of that hall."""
    return hall_screen(hall_for_staff_screen(cast(User, request.user), code), staff=True)


@router.get(
    "/lobby/district",
    response={200: LobbyDistrictOut, **error_responses(401, 403)},
    summary="区政务办大屏",
)
def lobby_district(request):
    """Every hall side by side with the district's totals; only for the district office."""
    return district_screen(cast(User, request.user))
