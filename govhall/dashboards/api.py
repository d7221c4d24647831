"""The workbench's API door: the same figures as the page, for the caller."""

from typing import cast

from ninja import Field, Router, Schema

from govhall.accounts.api import READ_ERRORS
from govhall.accounts.models import User

from .selectors import workbench_figures

router = Router(tags=["工作台"])


class FigureOut(Schema):
    section: str = Field(description="clerk、chief、manager、hall、district")
    hall: str = Field(description="中心编码（分中心的数字），其余为空")
    key: str
    label: str
    count: int
    url: str | None = Field(description="这个数字背后的列表（同一范围，条数相同）")


class WindowOut(Schema):
    open: bool
    label: str
    status: str
    current: str | None
    next: str | None
    console_url: str | None


class HallNowOut(Schema):
    code: str
    name: str
    longest_wait_minutes: int | None
    windows_open: int
    posts_on_duty: int
    clocked_in: int


class WorkbenchOut(Schema):
    roles: list[str]
    figures: list[FigureOut]
    window: WindowOut | None
    halls: list[HallNowOut]


@router.get(
    "/workbench",
    response={200: WorkbenchOut, **READ_ERRORS},
    summary="我的工作台：各项数字及其明细列表地址",
    operation_id="workbench",
)
def workbench(request):
    return workbench_figures(cast(User, request.user))
