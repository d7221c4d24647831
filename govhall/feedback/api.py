from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from govhall.accounts.api import READ_ERRORS, WRITE_ERRORS
from govhall.core.errors import NotFound
from govhall.queueing.models import Window

router = Router(tags=["好差评与投诉"])

# ── Ratings ──
from . import selectors, services  # noqa: E402
from .models import Rating, Rectification  # noqa: E402


class RateIn(Schema):
    level: int
    indicators: list[str] = []
    text: str = ""


class RatingOut(Schema):
    id: int
    level: int
    bad: bool
    rectification: int | None


def _rating_out(r: Rating) -> dict[str, Any]:
    rect = Rectification.objects.filter(rating=r).values_list("pk", flat=True).first()
    return {"id": r.pk, "level": r.level, "bad": r.is_bad, "rectification": rect}


def _user(request: HttpRequest) -> Any:
    user = getattr(request, "auth", None) or request.user
    return user if getattr(user, "is_authenticated", False) else None


@router.post(
    "/ratings/qr/{token}",
    auth=None,
    response={201: RatingOut, **WRITE_ERRORS},
    summary="手机扫码评价（二维码令牌，7 天有效，一次一评）",
    operation_id="ratings_by_qr",
)
def ratings_by_qr(request, token: str, payload: RateIn):
    r = services.rating_by_qr(token=token, rater=_user(request), **payload.dict())
    return Status(201, _rating_out(r))


@router.post(
    "/pads/rate",
    auth=None,
    response={201: RatingOut, **WRITE_ERRORS},
    summary="窗口评价器提交评价（请求头 X-Pad-Token 为设备令牌）",
    operation_id="pads_rate",
)
def pads_rate(request, payload: RateIn):
    r = services.rating_by_pad(raw=request.headers.get("X-Pad-Token", ""), **payload.dict())
    return Status(201, _rating_out(r))


class PadIn(Schema):
    window: int


class PadOut(Schema):
    id: int
    window: int
    token: str


@router.post(
    "/pads",
    response={201: PadOut, **WRITE_ERRORS},
    summary="发放窗口评价器设备令牌（大厅负责人；令牌只返回一次）",
    operation_id="pads_issue",
)
def pads_issue(request, payload: PadIn):
    window = Window.objects.select_related("center").filter(pk=payload.window).first()
    if window is None:
        raise NotFound("没有找到该窗口。")
    pad, raw = services.pad_issue(by=_user(request), window=window)
    return Status(201, {"id": pad.pk, "window": window.pk, "token": raw})


class RatingMineOut(Schema):
    id: int
    at: datetime
    step: str
    channel: str
    level: int
    level_label: str
    indicators: list[str]
    text: str
    clerk: str


class RatingRowOut(RatingMineOut):
    rater: str = Field(..., description="实名/匿名")
    rater_phone: str = Field(..., description="已脱敏")


@router.get(
    "/ratings",
    response={200: list[RatingRowOut], **READ_ERRORS},
    summary="好差评明细（本中心；区政务办全部）",
    operation_id="ratings_list",
)
def ratings_list(request):
    return [selectors.rating_row(r) for r in selectors.ratings_for(_user(request))[:500]]


@router.get(
    "/ratings/mine",
    response={200: list[RatingMineOut], **READ_ERRORS},
    summary="我收到的评价（不显示评价人）",
    operation_id="ratings_mine",
)
def ratings_mine(request):
    return selectors.ratings_received(_user(request))


class RectOut(Schema):
    id: int
    center: str
    status: str
    status_label: str
    warning: str
    revisit_due: date | None
    fix_due: date
    revisited: bool
    finding: str
    finding_reason: str
    fix: str
    answer: str
    on_time: bool | None
    after_level: int | None
    rating: RatingRowOut


def _rect(request, pk: int, action: str = "view") -> Rectification:
    allowed = selectors.rectifications_for(_user(request))
    rect = allowed.filter(pk=pk).first()
    if rect is None:
        raise NotFound("没有找到该整改，或您无权查看。")
    return rect


@router.get(
    "/rectifications",
    response={200: list[RectOut], **READ_ERRORS},
    summary="差评整改（红牌在前）",
    operation_id="rectifications_list",
)
def rectifications_list(request):
    return [selectors.rectification_row(x) for x in selectors.rectifications_for(_user(request))[:500]]


class RevisitIn(Schema):
    note: str


class FindingIn(Schema):
    valid: bool
    reason: str = ""


class ReviewIn(Schema):
    overturn: bool
    reason: str = ""


class FixIn(Schema):
    fix: str
    answer: str


def _after(x: Rectification) -> dict[str, Any]:
    return selectors.rectification_row(Rectification.objects.select_related("rating", "center").get(pk=x.pk))


@router.post(
    "/rectifications/{pk}/revisit",
    response={200: RectOut, **WRITE_ERRORS},
    summary="回访",
    operation_id="rectifications_revisit",
)
def rectifications_revisit(request, pk: int, payload: RevisitIn):
    return _after(services.rect_revisit(by=_user(request), rect=_rect(request, pk), note=payload.note))


@router.post(
    "/rectifications/{pk}/finding",
    response={200: RectOut, **WRITE_ERRORS},
    summary="核实",
    operation_id="rectifications_finding",
)
def rectifications_finding(request, pk: int, payload: FindingIn):
    return _after(
        services.rect_finding(
            by=_user(request), rect=_rect(request, pk), valid=payload.valid, reason=payload.reason
        )
    )


@router.post(
    "/rectifications/{pk}/review",
    response={200: RectOut, **WRITE_ERRORS},
    summary="区政务办复核不属实",
    operation_id="rectifications_review",
)
def rectifications_review(request, pk: int, payload: ReviewIn):
    return _after(
        services.rect_review(
            by=_user(request), rect=_rect(request, pk), overturn=payload.overturn, reason=payload.reason
        )
    )


@router.post(
    "/rectifications/{pk}/fix",
    response={200: RectOut, **WRITE_ERRORS},
    summary="整改并答复评价人",
    operation_id="rectifications_fix",
)
def rectifications_fix(request, pk: int, payload: FixIn):
    return _after(
        services.rect_fix(by=_user(request), rect=_rect(request, pk), fix=payload.fix, answer=payload.answer)
    )


class FiguresOut(Schema):
    revisit_rate: float | None
    on_time_rate: float | None
    satisfaction_after: float | None


@router.get(
    "/rectifications/figures",
    response={200: FiguresOut, **READ_ERRORS},
    summary="回访率、按期办结率、整改后满意度",
    operation_id="rectifications_figures",
)
def rectifications_figures(request):
    return selectors.rectification_figures(selectors.rectifications_for(_user(request)))
