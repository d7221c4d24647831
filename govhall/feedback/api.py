from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from govhall.accounts.api import READ_ERRORS, WRITE_ERRORS
from govhall.core.errors import NotFound
from govhall.queueing.models import Window

router = Router(tags=["好差评与投诉"])

# ── Complaints ──────────────────────────────────────────────────────────────
# Efficiency complaints, the 办不成事 window and the 12345 hand-over: thin doors
# to the same services as the pages. Personal data is masked in every answer.

from typing import Literal  # noqa: E402

from ninja.pagination import paginate  # noqa: E402

from govhall.accounts.api import error_responses  # noqa: E402
from govhall.accounts.models import User  # noqa: E402
from govhall.catalog.models import ServiceItem  # noqa: E402
from govhall.centers.models import Center, Department  # noqa: E402
from govhall.core.errors import DomainError  # noqa: E402
from govhall.core.paging import Paging  # noqa: E402

from . import selectors as complaint_selectors  # noqa: E402
from . import services as complaint_services  # noqa: E402
from .models import Complaint, Unresolved  # noqa: E402


class ComplaintEventOut(Schema):
    action: str
    label: str
    from_status: str
    to_status: str
    by: str | None
    at: datetime
    note: str


class ComplaintOut(Schema):
    number: str
    channel: str
    status: str
    status_label: str
    about: str
    center: str
    subject: str | None = Field(None, description="被投诉人（姓名）")
    item: str | None
    complainant_name: str = Field(..., description="已脱敏")
    complainant_phone: str = Field(..., description="已脱敏")
    text: str
    order_number: str | None = Field(None, description="12345工单号")
    accept_by: date
    reply_by: date
    warning: str = Field(..., description="''正常、yellow 临近期限、red 已超期")
    refuse_reason: str
    finding: str
    outcome: str
    measures: str
    answer: str
    events: list[ComplaintEventOut] = []


def _complaint_out(c: Complaint, *, events: bool = False) -> dict:
    return {
        "number": c.number,
        "channel": c.channel,
        "status": c.status,
        "status_label": c.get_status_display(),
        "about": c.about,
        "center": c.center.name,
        "subject": c.subject_user.full_name if c.subject_user is not None else None,
        "item": c.item.name if c.item is not None else None,
        "complainant_name": c.masked_name,
        "complainant_phone": c.masked_phone,
        "text": c.text,
        "order_number": c.order_number,
        "accept_by": c.accept_by,
        "reply_by": c.reply_by,
        "warning": c.warning,
        "refuse_reason": c.refuse_reason,
        "finding": c.finding,
        "outcome": c.outcome,
        "measures": c.measures,
        "answer": c.answer,
        "events": [
            {
                "action": e.action,
                "label": e.label,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "by": e.by.full_name if e.by is not None else None,
                "at": e.at,
                "note": e.note,
            }
            for e in c.events.select_related("by")
        ]
        if events
        else [],
    }


class ComplaintIn(Schema):
    center: str = Field(..., max_length=40, description="所涉中心编码")
    about: Literal["person", "hall", "item"]
    text: str = Field(..., max_length=2000)
    phone: str = Field(..., max_length=20)
    name: str = Field("", max_length=100)
    subject_staff: str = Field("", max_length=150, description="被投诉人的用户名（投诉工作人员时）")
    item: str = Field("", max_length=80, description="事项编码（投诉事项时）")


class HotlineIn(ComplaintIn):
    order_number: str = Field(..., max_length=40, description="12345工单号（幂等）")
    about: Literal["person", "hall", "item"] = "hall"


class PublicReceiptOut(Schema):
    number: str
    status_label: str
    reply_by: date


class TrackIn(Schema):
    number: str = Field(..., max_length=30)
    phone: str = Field(..., max_length=20)


class TrackOut(Schema):
    number: str
    status: str
    status_label: str
    reply_by: date
    answer: str
    steps: list[str]


class HotlineStatusOut(Schema):
    order_number: str
    number: str
    status: str
    status_label: str
    outcome: str
    answer: str


class StepIn(Schema):
    reason: str = Field("", max_length=2000)
    finding: str = Field("", max_length=2000)
    outcome: str = Field("", max_length=12)
    measures: str = Field("", max_length=2000)
    answer: str = Field("", max_length=2000)


def _resolve(data: ComplaintIn) -> dict:
    center = Center.objects.filter(code=data.center).select_related("district").first()
    if center is None:
        raise DomainError("没有该中心。", field="center")
    subject = item = None
    if data.subject_staff:
        subject = User.objects.filter(username=data.subject_staff).first()
        if subject is None:
            raise DomainError("没有该工作人员。", field="subject_staff")
    if data.item:
        item = ServiceItem.objects.filter(code=data.item).first()
        if item is None:
            raise DomainError("没有该事项。", field="item")
    return {
        "center": center,
        "about": data.about,
        "text": data.text,
        "phone": data.phone,
        "name": data.name,
        "subject_user": subject,
        "item": item,
    }


@router.post(
    "/complaints/12345",
    response={200: ComplaintOut, 201: ComplaintOut, **WRITE_ERRORS},
    summary="12345热线转办投诉（按工单号幂等：重复提交返回同一投诉，200）",
    operation_id="complaints_hotline_create",
)
def complaints_hotline_create(request, data: HotlineIn):
    c, created = complaint_services.complaint_from_12345(
        by=request.user, order_number=data.order_number, **_resolve(data)
    )
    return Status(201 if created else 200, _complaint_out(c))


@router.get(
    "/complaints/12345/{order}",
    response={200: HotlineStatusOut, **READ_ERRORS},
    summary="12345工单的办理状态与答复",
    operation_id="complaints_hotline_status",
)
def complaints_hotline_status(request, order: str):
    c = complaint_selectors.complaint_by_order(request.user, order)
    return {
        "order_number": c.order_number,
        "number": c.number,
        "status": c.status,
        "status_label": c.get_status_display(),
        "outcome": c.outcome,
        "answer": c.answer if c.status in {"replied", "archived", "refused"} else "",
    }


@router.post(
    "/complaints/public",
    auth=None,
    response={201: PublicReceiptOut, **error_responses(400, 422, 429)},
    summary="群众提交效能投诉（可匿名，须留电话；返回投诉编号）",
    operation_id="complaints_public_create",
)
def complaints_public_create(request, data: ComplaintIn):
    user = request.user if request.user.is_authenticated else None
    channel = Complaint.Channel.ACCOUNT if user else Complaint.Channel.ONLINE
    c = complaint_services.complaint_submit(by=user, channel=channel, **_resolve(data))
    return Status(201, {"number": c.number, "status_label": c.get_status_display(), "reply_by": c.reply_by})


@router.post(
    "/complaints/track",
    auth=None,
    response={200: TrackOut, **error_responses(404, 422, 429)},
    summary="按投诉编号和电话查询进度与答复",
    operation_id="complaints_track",
)
def complaints_track(request, data: TrackIn):
    c = complaint_selectors.complaint_track(number=data.number, phone=data.phone)
    if c is None:
        raise NotFound("没有找到投诉，请核对投诉编号和电话。")
    return {
        "number": c.number,
        "status": c.status,
        "status_label": c.get_status_display(),
        "reply_by": c.reply_by,
        "answer": c.answer if c.status in {"replied", "archived", "refused"} else "",
        "steps": [e.label for e in c.events.all()],
    }


@router.get(
    "/complaints",
    response={200: list[ComplaintOut], **READ_ERRORS},
    summary="效能投诉列表（本人可处理的；超期在前）",
    operation_id="complaints_list",
)
@paginate(Paging)
def complaints_list(request, q: str = "", status: str = "", overdue: bool = False, sort: str = ""):
    return [
        _complaint_out(c)
        for c in complaint_selectors.complaints_search(
            request.user, q=q, status=status, overdue=overdue, sort=sort
        )
    ]


@router.get(
    "/complaints/{number}",
    response={200: ComplaintOut, **READ_ERRORS},
    summary="效能投诉详情（含每一步的办理记录）",
    operation_id="complaints_get",
)
def complaints_get(request, number: str):
    return _complaint_out(complaint_selectors.complaint_get(request.user, number, action="view"), events=True)


@router.post(
    "/complaints/{number}/{step}",
    response={200: ComplaintOut, **WRITE_ERRORS},
    summary="办理一步：accept 受理、refuse 不予受理（须理由）、investigate 调查、decide 处置、reply 反馈、archive 归档",
    operation_id="complaints_step",
)
def complaints_step(
    request,
    number: str,
    step: Literal["accept", "refuse", "investigate", "decide", "reply", "archive"],
    data: StepIn,
):
    c = complaint_selectors.complaint_get(request.user, number)
    args = {
        "accept": {},
        "refuse": {"reason": data.reason},
        "investigate": {"finding": data.finding},
        "decide": {"outcome": data.outcome, "measures": data.measures},
        "reply": {"answer": data.answer},
        "archive": {},
    }[step]
    c = complaint_services.STEPS[step](by=request.user, complaint=c, **args)
    return _complaint_out(c, events=True)


# ── 办不成事反映窗口 ──


class UnresolvedOut(Schema):
    id: int
    center: str
    item: str | None
    wanted: str
    person_name: str
    person_phone: str = Field(..., description="已脱敏")
    owner: str
    status: str
    due: date
    warning: str = Field("", description="''正常、yellow 临近期限、red 已超期")
    answer: str


class UnresolvedIn(Schema):
    center: str = Field(..., max_length=40)
    wanted: str = Field(..., max_length=2000)
    item: str = Field("", max_length=80)
    owner_department: str = Field("", max_length=40, description="责任部门编码")
    owner_center: str = Field("", max_length=40, description="责任大厅编码")
    name: str = Field("", max_length=100)
    phone: str = Field("", max_length=20)


class UnresolvedCloseIn(Schema):
    status: Literal["solved", "explained"]
    answer: str = Field(..., max_length=2000)


class ItemCountOut(Schema):
    item_id: int
    item: str
    total: int
    open: int
    overdue: int = Field(0, description="未办结且已超期（红牌）")


def _unresolved_out(u: Unresolved) -> dict:
    return {
        "id": u.id,
        "center": u.center.name,
        "item": u.item.name if u.item is not None else None,
        "wanted": u.wanted,
        "person_name": (u.person_name[:1] + "*" * (len(u.person_name) - 1)) if u.person_name else "",
        "person_phone": u.masked_phone,
        "owner": u.owner_label,
        "status": u.status,
        "due": u.due,
        "warning": u.warning,
        "answer": u.answer,
    }


@router.get(
    "/unresolved",
    response={200: list[UnresolvedOut], **READ_ERRORS},
    summary="办不成事反映列表",
    operation_id="unresolved_list",
)
@paginate(Paging)
def unresolved_list(request):
    return [_unresolved_out(u) for u in complaint_selectors.unresolved_visible_to(request.user)]


@router.get(
    "/unresolved/by-item",
    response={200: list[ItemCountOut], **READ_ERRORS},
    summary="办不成事按事项归集（哪些事项办不成）",
    operation_id="unresolved_by_item",
)
def unresolved_by_item(request):
    return [
        {
            "item_id": r["item_id"],
            "item": r["item__name"],
            "total": r["total"],
            "open": r["open"],
            "overdue": r["overdue"],
        }
        for r in complaint_selectors.unresolved_by_item(request.user)
    ]


@router.post(
    "/unresolved",
    response={201: UnresolvedOut, **WRITE_ERRORS},
    summary="登记办不成事反映",
    operation_id="unresolved_create",
)
def unresolved_create(request, data: UnresolvedIn):
    center = Center.objects.filter(code=data.center).select_related("district").first()
    if center is None:
        raise DomainError("没有该中心。", field="center")
    item = ServiceItem.objects.filter(code=data.item).first() if data.item else None
    dep = Department.objects.filter(code=data.owner_department).first() if data.owner_department else None
    owner_center = Center.objects.filter(code=data.owner_center).first() if data.owner_center else None
    u = complaint_services.unresolved_record(
        by=request.user,
        center=center,
        wanted=data.wanted,
        item=item,
        owner_department=dep,
        owner_center=owner_center,
        name=data.name,
        phone=data.phone,
    )
    return Status(201, _unresolved_out(u))


@router.post(
    "/unresolved/{record_id}/close",
    response={200: UnresolvedOut, **WRITE_ERRORS},
    summary="办不成事反映办结（解决或解释说明）",
    operation_id="unresolved_close",
)
def unresolved_close(request, record_id: int, data: UnresolvedCloseIn):
    u = complaint_selectors.unresolved_visible_to(request.user).filter(pk=record_id).first()
    if u is None:
        raise NotFound("没有找到该记录，或您无权查看。")
    u = complaint_services.unresolved_close(by=request.user, record=u, status=data.status, answer=data.answer)
    return _unresolved_out(u)


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
    # Only a bad rating opens a rectification (rating_submit): no query for a good one.
    rect = Rectification.objects.filter(rating=r).values_list("pk", flat=True).first() if r.is_bad else None
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


class RatingFilters(Schema):
    center: int | None = Field(None, ge=1, le=2_147_483_647, description="大厅 id")
    level: int | None = Field(None, ge=1, le=5, description="评价等级 1–5")
    channel: str = Field("", description="pad / qr / account")
    bad: bool = Field(False, description="只看差评")
    month: str = Field("", description="月份 YYYY-MM")


@router.get(
    "/ratings",
    response={200: list[RatingRowOut], **READ_ERRORS},
    summary="好差评明细（本中心；区政务办全部）",
    operation_id="ratings_list",
)
def ratings_list(request, filters: Query[RatingFilters]):
    qs = selectors.ratings_search(_user(request), **filters.dict())
    return selectors.rater_hidden_unless_manager(_user(request), [selectors.rating_row(r) for r in qs[:500]])


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
def rectifications_list(request, q: str = "", status: str = "", warning: str = "", sort: str = ""):
    qs = selectors.rectifications_search(_user(request), q=q, status=status, warning=warning, sort=sort)
    rows = [selectors.rectification_row(x) for x in qs[:500]]
    return selectors.rater_hidden_unless_manager(_user(request), rows)


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


def _after(x: Rectification, user: Any) -> dict[str, Any]:
    row = selectors.rectification_row(Rectification.objects.select_related("rating", "center").get(pk=x.pk))
    return selectors.rater_hidden_unless_manager(user, [row])[0]


@router.post(
    "/rectifications/{pk}/revisit",
    response={200: RectOut, **WRITE_ERRORS},
    summary="回访",
    operation_id="rectifications_revisit",
)
def rectifications_revisit(request, pk: int, payload: RevisitIn):
    return _after(
        services.rect_revisit(by=_user(request), rect=_rect(request, pk), note=payload.note), _user(request)
    )


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
        ),
        _user(request),
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
        ),
        _user(request),
    )


@router.post(
    "/rectifications/{pk}/fix",
    response={200: RectOut, **WRITE_ERRORS},
    summary="整改并答复评价人",
    operation_id="rectifications_fix",
)
def rectifications_fix(request, pk: int, payload: FixIn):
    return _after(
        services.rect_fix(by=_user(request), rect=_rect(request, pk), fix=payload.fix, answer=payload.answer),
        _user(request),
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


# ── Feedback settings and staff-recorded complaints (issue 15) ──
from govhall.centers.services import district_feedback_deadlines_set, district_office_district  # noqa: E402


class FeedbackDeadlinesIn(Schema):
    rectify_days: int = Field(..., description="差评整改时限（工作日，1–60）")
    complaint_reply_days: int = Field(..., description="投诉反馈时限（工作日，1–60）")
    unresolved_days: int = Field(..., description="办不成事办结时限（工作日，1–60）")


class FeedbackDeadlinesOut(FeedbackDeadlinesIn):
    district: str = Field(..., description="区县行政区划代码")


def _deadlines_out(d: Any) -> dict[str, Any]:
    return {
        "district": d.code,
        "rectify_days": d.rectify_days,
        "complaint_reply_days": d.complaint_reply_days,
        "unresolved_days": d.unresolved_days,
    }


DEADLINES_REFUSED = "只有区政务办可以查看和设置好差评与投诉时限。"


@router.get(
    "/district/feedback-deadlines",
    response={200: FeedbackDeadlinesOut, **error_responses(401, 403, 422)},
    summary="本区好差评与投诉时限（区政务办）",
    operation_id="district_feedback_deadlines_get",
)
def district_feedback_deadlines_get(request):
    return _deadlines_out(district_office_district(request.user, refused=DEADLINES_REFUSED))


@router.put(
    "/district/feedback-deadlines",
    response={200: FeedbackDeadlinesOut, **WRITE_ERRORS},
    summary="设置本区好差评与投诉时限：差评整改、投诉反馈、办不成事办结（工作日，区政务办）",
    operation_id="district_feedback_deadlines_set",
)
def district_feedback_deadlines_put(request, data: FeedbackDeadlinesIn):
    district = district_office_district(request.user, refused=DEADLINES_REFUSED)
    district = district_feedback_deadlines_set(by=request.user, district=district, **data.dict())
    return _deadlines_out(district)


class StaffComplaintIn(ComplaintIn):
    channel: Literal["window", "phone"] = Field(..., description="window 办不成事反映窗口、phone 电话")


@router.post(
    "/complaints",
    response={201: ComplaintOut, **WRITE_ERRORS},
    summary="工作人员登记投诉（办不成事反映窗口或电话受理；本中心工作人员）",
    operation_id="complaints_staff_create",
)
def complaints_staff_create(request, data: StaffComplaintIn):
    fields = _resolve(data)
    c = complaint_services.complaint_submit(by=request.user, channel=data.channel, **fields)
    return Status(201, _complaint_out(c))


# ── Ratings: public figures, the account channel, rating the fix (issue 15) ──
from govhall.cases.models import Case  # noqa: E402

from . import views_public  # noqa: E402


class LevelCountOut(Schema):
    level: int
    label: str
    n: int
    bad: bool


class ItemRatingOut(Schema):
    code: str
    name: str
    n: int
    satisfaction: float | None


class WindowRatingOut(Schema):
    number: int
    name: str
    n: int
    satisfaction: float | None


class FixedOut(Schema):
    at: datetime | None
    step: str
    level: str
    indicators: list[str]
    fix: str = Field(..., description="整改措施（电话、身份证号已脱敏）")


class CenterRatingsOut(Schema):
    center: str
    month: str = Field(..., description="YYYY-MM")
    total: int
    bad: int
    satisfaction: float | None = Field(None, description="满意率（%，基本满意及以上）；无评价时为空")
    by_level: list[LevelCountOut]
    by_item: list[ItemRatingOut]
    by_window: list[WindowRatingOut]
    fixed: list[FixedOut] = Field(..., description="本月整改完成的差评（不含评价人信息）")


@router.get(
    "/public/centers/{code}/ratings",
    auth=None,
    response={200: CenterRatingsOut, **error_responses(400, 404, 422)},
    summary="大厅好差评月度公示（按等级、事项、窗口；已整改差评；不含个人信息）",
    operation_id="public_center_ratings",
)
def public_center_ratings(request, code: str, month: str = ""):
    center = views_public.public_center(code)
    first, last = views_public.month_bounds(month)
    return {
        "center": center.name,
        "month": f"{first:%Y-%m}",
        **selectors.center_month(center.pk, first, last),
    }


class RatingOfferOut(Schema):
    step: str = Field(..., description="submitted 接件 / accepted 受理 / completed 办结")
    label: str
    rated: bool
    level_label: str = Field(..., description="已给出的评价；未评价为空")
    note: str = Field(..., description="差评的整改进展")


def _own_case(request: HttpRequest, case_id: int) -> Case:
    user = _user(request)
    case = Case.objects.filter(pk=case_id).first()
    if case is None or user is None or case.applicant_user_id != user.pk:
        raise NotFound("没有找到该办件。")
    return case


@router.get(
    "/ratings/cases/{case_id}",
    response={200: list[RatingOfferOut], **READ_ERRORS},
    summary="我的办件可评价的环节（群众账号：接件、受理、办结）",
    operation_id="ratings_case_offers",
)
def ratings_case_offers(request, case_id: int):
    case = _own_case(request, case_id)
    return [
        {"step": o.step, "label": o.label, "rated": bool(o.given), "level_label": o.given, "note": o.note}
        for o in selectors.case_rating_offers_answer(case=case, user=_user(request))
    ]


@router.post(
    "/ratings/cases/{case_id}/{step}",
    response={201: RatingOut, **WRITE_ERRORS},
    summary="群众账号评价自己办件的一个环节（一次一评）",
    operation_id="ratings_by_account",
)
def ratings_by_account(request, case_id: int, step: str, payload: RateIn):
    case = _own_case(request, case_id)
    r = services.rating_by_account(case=case, step=step, by=_user(request), **payload.dict())
    return Status(201, _rating_out(r))


class FixRateIn(Schema):
    level: int


class FixRatedOut(Schema):
    rectification: int
    after_level: int


@router.post(
    "/ratings/{rating_id}/fix-rating",
    response={200: FixRatedOut, **WRITE_ERRORS},
    summary="评价人（群众账号）评价差评的整改结果",
    operation_id="ratings_rate_fix",
)
def ratings_rate_fix(request, rating_id: int, payload: FixRateIn):
    rating = Rating.objects.filter(pk=rating_id).first()
    if rating is None:
        raise NotFound("没有找到该评价。")
    rect = services.rect_rate_fix_by_account(by=_user(request), rating=rating, level=payload.level)
    return {"rectification": rect.pk, "after_level": rect.after_level}


@router.post(
    "/ratings/qr/{token}/fix-rating",
    auth=None,
    response={200: FixRatedOut, **WRITE_ERRORS},
    summary="扫码评价人评价差评的整改结果（原评价二维码令牌）",
    operation_id="ratings_qr_rate_fix",
)
def ratings_qr_rate_fix(request, token: str, payload: FixRateIn):
    rect = services.rect_rate_fix(token=token, level=payload.level)
    return {"rectification": rect.pk, "after_level": rect.after_level}


# ── Rectification pages: the API side of the detail and the exports ──


class RectStepOut(Schema):
    at: datetime
    by: str
    what: str
    note: str


class RaterOut(Schema):
    name: str = Field(..., description="已脱敏")
    phone: str = Field(..., description="已脱敏")


class RectRatingOut(RatingMineOut):
    event_label: str
    item: str
    window: str
    center_name: str


class RectDetailOut(RectOut):
    rating: RectRatingOut  # type: ignore[assignment]
    rater: RaterOut | None = Field(None, description="评价人（已脱敏），只向责任大厅负责人显示")
    steps: list[RectStepOut]


@router.get(
    "/rectifications/export",
    response={200: bytes, **READ_ERRORS},
    summary="差评整改导出 Excel（个人信息已脱敏；筛选条件同列表）",
    operation_id="rectifications_export",
)
def rectifications_export(request, q: str = "", status: str = "", warning: str = "", sort: str = ""):
    from .views_rect import rect_xlsx

    return rect_xlsx(_user(request), {"q": q, "status": status, "warning": warning, "sort": sort})


@router.get(
    "/ratings/export",
    response={200: bytes, **READ_ERRORS},
    summary="好差评明细导出 Excel（个人信息已脱敏；筛选条件同列表）",
    operation_id="ratings_export",
)
def ratings_export(request, filters: Query[RatingFilters]):
    from .views_rect import rating_xlsx

    return rating_xlsx(_user(request), filters.dict())


@router.get(
    "/rectifications/{int:pk}",
    response={200: RectDetailOut, **READ_ERRORS},
    summary="差评整改详情（含评价、期限、办理记录）",
    operation_id="rectifications_get",
)
def rectifications_get(request, pk: int):
    user = _user(request)
    return selectors.rectification_detail(user, selectors.rectification_get(user, pk))


# ── Rating pads (评价器): list, revoke, the pad's own state ──


class PadRowOut(Schema):
    id: int
    window: int
    window_number: int
    issued_by: str | None
    issued_at: datetime
    revoked: bool


@router.get(
    "/pads",
    response={200: list[PadRowOut], **READ_ERRORS},
    summary="窗口评价器列表（大厅负责人、区政务办；hall 为大厅编码）",
    operation_id="pads_list",
)
def pads_list(request, hall: str):
    center = next((h for h in selectors.pad_halls(_user(request)) if h.code == hall), None)
    if center is None:
        raise NotFound("没有找到该大厅，或您无权管理其评价器。")
    return [
        {
            "id": p.pk,
            "window": w.pk,
            "window_number": w.number,
            "issued_by": p.issued_by.display_name if p.issued_by else None,
            "issued_at": p.issued_at,
            "revoked": p.revoked,
        }
        for w in selectors.pad_windows(center)
        for p in w.pads
    ]


@router.post(
    "/pads/{pad_id}/revoke",
    response={200: PadRowOut, **WRITE_ERRORS},
    summary="停用窗口评价器（大厅负责人；不可恢复）",
    operation_id="pads_revoke",
)
def pads_revoke(request, pad_id: int):
    from .models import RatingPad

    pad = RatingPad.objects.select_related("window", "window__center", "issued_by").filter(pk=pad_id).first()
    if pad is None:
        raise NotFound("没有找到该评价器。")
    pad = services.pad_revoke(by=_user(request), pad=pad)
    return {
        "id": pad.pk,
        "window": pad.window.pk,
        "window_number": pad.window.number,
        "issued_by": pad.issued_by.display_name if pad.issued_by else None,
        "issued_at": pad.issued_at,
        "revoked": pad.revoked,
    }


class PadStateOut(Schema):
    center: str
    window: int
    window_number: int
    clerk: str | None = Field(None, description="当前为群众服务的工作人员姓名")
    staff_number: str | None = Field(None, description="工号")
    waiting: bool = Field(..., description="是否有待评价的服务（评价器亮起）")
    ticket: int | None = Field(None, description="待评价的排队号 id（提交时作为 ticket 传回）")
    label: str | None = None


@router.get(
    "/pads/current",
    auth=None,
    response={200: PadStateOut, **READ_ERRORS},
    summary="评价器当前状态：窗口、在岗工作人员、待评价的服务（请求头 X-Pad-Token）",
    operation_id="pads_current",
)
def pads_current(request):
    pad = selectors.pad_by_token(request.headers.get("X-Pad-Token", ""))
    if pad is None:
        raise NotFound("评价器未绑定或已停用，请联系大厅负责人。")
    state = selectors.pad_state(pad)
    clerk = state["clerk"]
    return {
        "center": state["center"].name,
        "window": state["window"].pk,
        "window_number": state["window"].number,
        "clerk": (clerk.full_name or clerk.username) if clerk else None,
        "staff_number": clerk.staff_number if clerk else None,
        "waiting": state["event"] is not None,
        "ticket": state["ticket_id"],
        "label": state["event"].label if state["event"] is not None else None,
    }
