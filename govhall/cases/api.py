"""Cases API: create and read cases, decide, notices, first inquiries and
supervision warnings — thin doors to the same services as the pages."""

from datetime import date, datetime
from typing import Literal

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from govhall.accounts.api import READ_ERRORS, WRITE_ERRORS, error_responses
from govhall.accounts.models import User
from govhall.accounts.selectors import centers_visible_to
from govhall.catalog.models import Material, ServiceItem
from govhall.centers.models import Department
from govhall.centers.selectors import PUBLIC_STATUSES, center_public_get
from govhall.core.errors import DomainError, NotFound
from govhall.core.paging import Paging
from govhall.queueing.api import WindowActionOut, window_action_out, window_for

from . import selectors, services
from .extensions import notice_rating_path
from .models import Case, ChiefAuthorization, CorrectionException, Escalation, FirstInquiry, Notice
from .pdf import notice_pdf
from .permissions import access_case

router = Router(tags=["cases"])


class EventOut(Schema):
    action: str
    label: str
    from_status: str
    to_status: str
    by: str | None
    at: datetime
    reason: str


class NoticeOut(Schema):
    number: str
    kind: str
    kind_label: str
    issued_at: datetime
    pdf_url: str


class CaseOut(Schema):
    number: str
    status: str
    status_label: str
    channel: str
    center: str
    item_code: str
    item: str
    guide_version: int
    applicant_kind: str
    applicant_name: str
    applicant_id_number: str = Field(..., description="已脱敏")
    contact_phone: str = Field(..., description="已脱敏")
    second_name: str = Field("", description="另一方当事人（结婚、离婚登记等双方共同申请的事项）")
    second_id_number: str = Field("", description="另一方证件号码，已脱敏")
    second_phone: str = Field("", description="另一方联系电话，已脱敏")
    submitted_at: datetime | None
    accepted_at: datetime | None
    completed_at: datetime | None
    limit_days: int | None
    limit_unit: str = Field(..., description="时限单位：workday 工作日、day 自然日、month 月")
    limit_label: str = Field(..., description="如“办结时限 20 个工作日”中的“20 个工作日”")
    deadline: date | None
    deadline_unknown: bool
    suspended_days: int
    waiting_ends_on: date | None = Field(None, description="冷静期（等待期）届满日：自收到申请之日起计算")
    collect_by: date | None = Field(None, description="申请发证截止日：逾期双方未申请的，视为撤回申请")
    outcome: str
    decision_authority: str
    delivery_method: str
    tracking_number: str
    receiving_center: str = Field("", description="收件大厅编码（代收代办：在其他大厅收件时；否则为空）")
    pickup_center: str = Field(..., description="取件地点（大厅编码）")


class CaseMaterialOut(Schema):
    id: int = Field(..., description="办件材料 id")
    material_id: int | None = Field(
        None, description="指南材料 id：一次性告知（items[].material_id）和补充告知例外用它"
    )
    name: str
    paper: bool = Field(..., description="纸质材料（窗口收取）")
    handed_in_at: datetime


class EscalationOut(Schema):
    proposal: str = Field(..., description="reject 不予受理 / deny 不予许可")
    proposal_label: str
    reason: str
    raised_by: str | None
    raised_at: datetime


class MaterialStateOut(Schema):
    material_id: int = Field(..., description="指南材料 id")
    name: str
    required: bool
    status: str = Field(
        ...,
        description="received 已提交 / missing 未提交 / may_follow 可容缺受理 / to_follow 待补交 / "
        "followed 已补交 / replaced 已由告知承诺书代替 / shared 免提交 / optional 非必要",
    )
    status_label: str
    due_on: date | None = Field(None, description="容缺补交截止日")


class CommitmentOut(Schema):
    signed_by: str = Field(..., description="签署人")
    text: str = Field(..., description="承诺书内容（签署时的文本）")
    material_ids: list[int] = Field(..., description="代替的指南材料 id")
    materials: list[str]
    recorded_by: str | None
    recorded_at: datetime


class CaseDetailOut(CaseOut):
    events: list[EventOut]
    notices: list[NoticeOut]
    materials: list[CaseMaterialOut] = Field(..., description="已提交/收取的材料")
    materials_status: list[MaterialStateOut] = Field(
        ..., description="按指南逐项：是否收到、容缺补交、承诺代替"
    )
    commitment: CommitmentOut | None = Field(None, description="告知承诺书（告知承诺制事项）")
    awaiting_decision: EscalationOut | None = Field(
        None, description="窗口已提请首席代表/部门决定、尚待决定时"
    )


def _case_out(case: Case) -> dict:
    return {
        "number": case.number,
        "status": case.status,
        "status_label": case.get_status_display(),
        "channel": case.channel,
        "center": case.center.code,
        "item_code": case.item.code,
        "item": case.item.name,
        "guide_version": case.guide.version,
        "applicant_kind": case.applicant_kind,
        "applicant_name": case.applicant_name,
        "applicant_id_number": case.masked_id_number,
        "contact_phone": case.masked_phone,
        "second_name": case.second_name,
        "second_id_number": case.masked_second_id_number,
        "second_phone": case.masked_second_phone,
        "submitted_at": case.submitted_at,
        "accepted_at": case.accepted_at,
        "completed_at": case.completed_at,
        "limit_days": case.limit_days,
        "limit_unit": case.limit_unit,
        "limit_label": case.limit_label,
        "deadline": case.deadline,
        "deadline_unknown": case.deadline_unknown,
        "suspended_days": case.suspended_days,
        "waiting_ends_on": case.waiting_ends_on,
        "collect_by": case.collect_by,
        "outcome": case.outcome,
        "decision_authority": case.decision_authority,
        "delivery_method": case.delivery_method,
        "tracking_number": case.tracking_number,
        "receiving_center": case.receiving_hall.code if case.received_elsewhere else "",
        "pickup_center": case.pickup_hall.code,
    }


def _detail(case: Case) -> dict:
    out = _case_out(case)
    out["events"] = [
        {
            "action": e.action,
            "label": e.label,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "by": e.by.display_name if e.by else None,
            "at": e.at,
            "reason": e.reason,
        }
        for e in selectors.case_events(case)
    ]
    out["notices"] = [_notice_out(case, n) for n in selectors.case_notices(case)]
    out["materials"] = selectors.case_materials(case)
    out["materials_status"] = [
        {
            "material_id": row["m"].id,
            "name": row["m"].name,
            "required": row["m"].required,
            "status": row["status"],
            "status_label": row["label"],
            "due_on": row["due_on"],
        }
        for row in selectors.case_material_states(case)
    ]
    c = selectors.commitment_of(case)
    out["commitment"] = (
        {
            "signed_by": c.signed_by,
            "text": c.text,
            "material_ids": sorted(c.material_ids),
            "materials": c.material_names,
            "recorded_by": c.recorded_by.display_name if c.recorded_by else None,
            "recorded_at": c.recorded_at,
        }
        if c is not None
        else None
    )
    escalation = services.open_escalation(case)
    out["awaiting_decision"] = _escalation_out(escalation) if escalation is not None else None
    return out


def _escalation_out(e: Escalation) -> dict:
    return {
        "proposal": e.proposal,
        "proposal_label": e.get_proposal_display(),
        "reason": e.reason,
        "raised_by": e.raised_by.display_name if e.raised_by else None,
        "raised_at": e.created_at,
    }


def _notice_out(case, n: Notice) -> dict:
    return {
        "number": n.number,
        "kind": n.kind,
        "kind_label": n.get_kind_display(),
        "issued_at": n.issued_at,
        "pdf_url": f"/api/v1/cases/{case.number}/notices/{n.number}.pdf",
    }


class WindowIntakeIn(Schema):
    """What a window takes in for a case (also when a queue ticket is finished with one)."""

    item: str = Field(..., description="事项实施编码")
    applicant_kind: Literal["person", "business"] = "person"
    applicant_name: str
    applicant_id_number: str = Field(..., description="公民身份号码或统一社会信用代码")
    contact_phone: str
    paper_material_ids: list[int] = Field(default_factory=list, description="已收取的纸质材料（指南材料 id）")
    note: str = ""
    second_name: str = Field(
        "", description="另一方当事人姓名（指南 parties=2 的事项必填，如结婚、离婚登记）"
    )
    second_id_number: str = Field("", description="另一方公民身份号码（parties=2 必填）")
    second_phone: str = Field("", description="另一方联系电话（parties=2 必填）")


class CaseIn(WindowIntakeIn):
    center: str = Field(..., description="受理中心编码，如 HC-MZ")
    ticket_number: str = ""


class CorrectionItemIn(Schema):
    material_id: int
    problem: Literal["missing", "defective"] = "missing"
    reason: str


class DecisionIn(Schema):
    action: Literal[
        "accept",
        "request_correction",
        "reject",
        "start",
        "suspend",
        "resume",
        "complete",
        "deliver",
        "withdraw",
    ]
    reason: str = ""
    legal_basis: str = ""
    items: list[CorrectionItemIn] = Field(default_factory=list, description="request_correction：告知的材料")
    kind: str = Field("", description="suspend：hearing/testing/expert/site/other")
    outcome: str = Field("", description="complete：approved/denied")
    method: str = Field("", description="deliver：window/mail/electronic")
    tracking_number: str = ""
    party: int | None = Field(None, description="withdraw：冷静期内提出撤回的一方，1 申请人、2 另一方当事人")


def _case(request, number: str) -> Case:
    return selectors.case_get(user=request.user, number=number)


class CaseFilters(Schema):
    """The case list's filters, the same as the staff page's."""

    q: str = Field("", max_length=50, description="编号、申请人、事项、完整证件号或手机号")
    status: str = Field("", max_length=12)
    center: str = Field("", max_length=20, description="中心编码")
    channel: str = Field("", max_length=10)
    warned: str = Field("", max_length=10, description="有未解除的该级别预警")
    wait: str = Field(
        "", max_length=10, description="待办：accept、correction、notify、due_soon、overdue、open"
    )
    mine: str = Field("", max_length=5, description="1：只看我的办件（我收件的，及尚无人收件的待受理申请）")


@router.get(
    "/cases",
    response={200: list[CaseOut], **error_responses(401, 422)},
    summary="办件列表",
    operation_id="cases_list",
)
@paginate(Paging)
def cases_list(request, filters: Query[CaseFilters]):
    return [_case_out(c) for c in selectors.cases_filtered(user=request.user, **filters.model_dump())]


@router.post(
    "/cases",
    response={201: CaseDetailOut, **WRITE_ERRORS},
    summary="窗口收件（创建办件）",
    operation_id="cases_create",
)
def cases_create(request, data: CaseIn):
    center = selectors.center_for_intake(request.user, data.center)
    if center is None:
        raise NotFound("没有找到该中心，或您无权查看。")
    item = selectors.item_for_intake(center, data.item)
    if item is None:
        raise DomainError("没有找到该事项。", field="item")
    case = services.case_intake_window(
        by=request.user, center=center, item=item, **data.dict(exclude={"center", "item"})
    )
    return Status(201, _detail(case))


@router.get(
    "/cases/{number}",
    response={200: CaseDetailOut, **READ_ERRORS},
    summary="办件详情",
    operation_id="cases_get",
)
def cases_get(request, number: str):
    return _detail(_case(request, number))


@router.post(
    "/cases/{number}/decisions",
    response={200: CaseDetailOut, **WRITE_ERRORS},
    summary="办理（受理、补正告知、不予受理、开始、暂停、恢复、办结、送达、撤回）",
    operation_id="cases_decide",
)
def cases_decide(request, number: str, data: DecisionIn):
    case, by = _case(request, number), request.user
    match data.action:
        case "accept":
            services.case_accept(by=by, case=case, reason=data.reason)
        case "request_correction":
            services.case_request_correction(by=by, case=case, items=[i.dict() for i in data.items])
        case "reject":
            services.case_reject(by=by, case=case, reason=data.reason, legal_basis=data.legal_basis)
        case "start":
            services.case_start(by=by, case=case)
        case "suspend":
            services.case_suspend(by=by, case=case, kind=data.kind, reason=data.reason)
        case "resume":
            services.case_resume(by=by, case=case, reason=data.reason)
        case "complete":
            services.case_complete(by=by, case=case, outcome=data.outcome, note=data.reason)
        case "deliver":
            services.case_deliver(by=by, case=case, method=data.method, tracking_number=data.tracking_number)
        case "withdraw":
            services.case_withdraw(by=by, case=case, reason=data.reason, party=data.party)
    return _detail(_case(request, number))


class CommitmentIn(Schema):
    signed_by: str = Field(..., description="签署告知承诺书的申请人姓名")


@router.post(
    "/cases/{number}/commitment",
    response={200: CaseDetailOut, **WRITE_ERRORS},
    summary="登记告知承诺书（告知承诺制事项，受理前）",
    operation_id="cases_commitment_record",
)
def cases_commitment(request, number: str, data: CommitmentIn):
    services.case_commitment_record(by=request.user, case=_case(request, number), signed_by=data.signed_by)
    return _detail(_case(request, number))


class PaperMaterialsIn(Schema):
    material_ids: list[int] = Field(..., description="收到的纸质材料（指南材料 id）；受理后只能补交容缺材料")


@router.post(
    "/cases/{number}/paper-materials",
    response={200: CaseDetailOut, **WRITE_ERRORS},
    summary="窗口收取纸质材料（补正材料，或受理后补交容缺材料）",
    operation_id="cases_receive_paper",
)
def cases_receive_paper(request, number: str, data: PaperMaterialsIn):
    services.case_receive_paper(by=request.user, case=_case(request, number), material_ids=data.material_ids)
    return _detail(_case(request, number))


@router.get(
    "/cases/{number}/notices",
    response={200: list[NoticeOut], **READ_ERRORS},
    summary="办件文书",
    operation_id="cases_notices",
)
def cases_notices(request, number: str):
    case = _case(request, number)
    return [_notice_out(case, n) for n in case.notices.all()]


@router.get(
    "/cases/{number}/notices/{notice}.pdf",
    response={200: None, **READ_ERRORS},
    summary="文书 PDF",
    operation_id="cases_notice_pdf",
)
def cases_notice_pdf(request, number: str, notice: str):
    n = selectors.notice_get(case=_case(request, number), number=notice)
    path = notice_rating_path(n)  # 好差评: the same rating link as the notice page's PDF
    rating_url = request.build_absolute_uri(path) if path else ""
    response = HttpResponse(notice_pdf(n, rating_url=rating_url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{n.number}.pdf"'
    return response


# --- one-time notice exceptions (a district administrator's recorded justification) ---


class CorrectionExceptionOut(Schema):
    id: int
    case_number: str
    center: str
    material_id: int = Field(..., description="指南材料 id")
    material: str = Field(..., description="材料名称")
    justification: str = Field(..., description="理由")
    granted_by: str = Field(..., description="批准人")
    granted_at: datetime
    used: bool = Field(..., description="已用于补充告知书")


class CorrectionExceptionIn(Schema):
    material_id: int = Field(
        ..., description="指南材料 id（办件所依据版本中的材料，见指南或办件的 materials）"
    )
    justification: str = Field(..., max_length=2000, description="为何需要补充告知此前未列出的材料")


def _exception_out(e: CorrectionException) -> dict:
    return {
        "id": e.id,
        "case_number": e.case.number,
        "center": e.case.center.code,
        "material_id": e.material_id,
        "material": e.material.name,
        "justification": e.justification,
        "granted_by": e.granted_by.display_name,
        "granted_at": e.granted_at,
        "used": e.used_in_id is not None,
    }


@router.get(
    "/correction-exceptions",
    response={200: list[CorrectionExceptionOut], **error_responses(401, 422)},
    summary="一次性告知例外（补充告知批准记录，监察中报告）",
    operation_id="correction_exceptions_list",
)
@paginate(Paging)
def correction_exceptions_list(request, case: str = Query("", max_length=50, description="办件编号")):
    qs = selectors.correction_exceptions_visible_to(request.user)
    if case:
        qs = qs.filter(case__number=case)
    return [_exception_out(e) for e in qs]


@router.post(
    "/cases/{number}/correction-exceptions",
    response={201: CorrectionExceptionOut, **WRITE_ERRORS},
    summary="批准补充告知（区政务办登记理由）",
    operation_id="correction_exceptions_grant",
)
def correction_exceptions_grant(request, number: str, data: CorrectionExceptionIn):
    case = _case(request, number)
    access_case(request.user, case, action="justify")  # refuse before looking the material up
    material = Material.objects.filter(pk=data.material_id).first()
    if material is None:
        raise DomainError("请选择该办件所依据指南中的材料。", field="material_id")
    row = services.correction_exception_grant(
        by=request.user, case=case, material=material, justification=data.justification
    )
    return Status(201, _exception_out(row))


class WarningOut(Schema):
    level: str
    level_label: str
    center: str
    case_number: str | None
    inquiry_id: int | None
    message: str
    due_on: date | None
    raised_at: datetime


@router.get(
    "/warnings",
    response={200: list[WarningOut], **error_responses(401, 422)},
    summary="电子监察预警（区政务办看全部，分中心看本中心）",
    operation_id="warnings_list",
)
@paginate(Paging)
def warnings_list(request, level: str = ""):
    return [
        {
            "level": w.level,
            "level_label": w.get_level_display(),
            "center": w.center.code,
            "case_number": w.case.number if w.case else None,
            "inquiry_id": w.inquiry_id,
            "message": w.message,
            "due_on": w.due_on,
            "raised_at": w.raised_at,
        }
        for w in selectors.warnings_visible_to(request.user, level=level)
    ]


class InquiryOut(Schema):
    id: int
    center: str
    status: str
    status_label: str
    asker_name: str
    asker_contact: str = Field(..., description="已脱敏")
    topic: str
    owner: str
    handover_to: str | None
    answer: str
    due_on: date | None
    created_at: datetime


def _inq_out(i: FirstInquiry) -> dict:
    return {
        "id": i.pk,
        "center": i.center.code,
        "status": i.status,
        "status_label": i.get_status_display(),
        "asker_name": i.asker_name,
        "asker_contact": i.masked_contact,
        "topic": i.topic,
        "owner": i.owner.username,
        "handover_to": i.handover_to.username if i.handover_to else None,
        "answer": i.answer,
        "due_on": i.due_on,
        "created_at": i.created_at,
    }


class InquiryIn(Schema):
    center: str
    asker_name: str
    asker_contact: str
    topic: str


class InquiryActionIn(Schema):
    action: Literal["answer", "hand_over", "accept", "decline"]
    answer: str = ""
    to: str = Field("", description="hand_over：接收同事的用户名")
    note: str = ""


@router.get(
    "/inquiries",
    response={200: list[InquiryOut], **error_responses(401, 422)},
    summary="首问登记",
    operation_id="inquiries_list",
)
@paginate(Paging)
def inquiries_list(request, status: str = ""):
    return [_inq_out(i) for i in selectors.inquiries_visible_to(request.user, status=status)]


@router.post(
    "/inquiries",
    response={201: InquiryOut, **WRITE_ERRORS},
    summary="登记首问",
    operation_id="inquiries_create",
)
def inquiries_create(request, data: InquiryIn):
    center = centers_visible_to(request.user).filter(code=data.center).first()
    if center is None:
        raise NotFound("没有找到该中心，或您无权查看。")
    inq = services.inquiry_record(
        by=request.user,
        center=center,
        asker_name=data.asker_name,
        asker_contact=data.asker_contact,
        topic=data.topic,
    )
    return Status(201, _inq_out(inq))


@router.post(
    "/inquiries/{inquiry_id}/actions",
    response={200: InquiryOut, **WRITE_ERRORS},
    summary="答复、移交、接收或退回首问",
    operation_id="inquiries_act",
)
def inquiries_act(request, inquiry_id: int, data: InquiryActionIn):
    inq, by = selectors.inquiry_get(user=request.user, pk=inquiry_id), request.user
    if data.action == "answer":
        inq = services.inquiry_answer(by=by, inquiry=inq, answer=data.answer)
    elif data.action == "hand_over":
        to = User.objects.filter(username=data.to, is_active=True).first()
        if to is None:
            raise DomainError("没有找到该同事。", field="to")
        inq = services.inquiry_hand_over(by=by, inquiry=inq, to=to, note=data.note)
    elif data.action == "accept":
        inq = services.inquiry_accept(by=by, inquiry=inq)
    else:
        inq = services.inquiry_decline(by=by, inquiry=inq, note=data.note)
    return _inq_out(inq)


# --- 窗口无否决权: escalation, 待我决定, chief representatives' authorisations ------------------------


class EscalateIn(Schema):
    proposal: Literal["reject", "deny"] = Field(
        ..., description="拟作决定：reject 不予受理（受理前）/ deny 不予许可（受理后）"
    )
    reason: str = Field(..., description="提请理由（事实与依据）")


class EscalationReturnIn(Schema):
    note: str = Field(..., description="退回窗口继续办理的意见")


class EscalationRowOut(EscalationOut):
    case_number: str
    center: str
    item_code: str
    item: str


@router.post(
    "/cases/{number}/escalation",
    response={200: CaseDetailOut, **WRITE_ERRORS},
    summary="提请首席代表/部门决定（窗口无否决权：窗口不能不予受理、不予许可）",
    operation_id="cases_escalate",
)
def cases_escalate(request, number: str, data: EscalateIn):
    services.case_escalate(
        by=request.user, case=_case(request, number), proposal=data.proposal, reason=data.reason
    )
    return _detail(_case(request, number))


@router.post(
    "/cases/{number}/escalation/return",
    response={200: CaseDetailOut, **WRITE_ERRORS},
    summary="首席代表/部门退回窗口继续办理",
    operation_id="cases_escalation_return",
)
def cases_escalation_return(request, number: str, data: EscalationReturnIn):
    services.escalation_return(by=request.user, case=_case(request, number), note=data.note)
    return _detail(_case(request, number))


@router.get(
    "/escalations",
    response={200: list[EscalationRowOut], **error_responses(401, 422)},
    summary="待我决定：窗口提请首席代表/部门决定的办件",
    operation_id="escalations_awaiting",
)
@paginate(Paging)
def escalations_list(request):
    return [
        {
            **_escalation_out(e),
            "case_number": e.case.number,
            "center": e.case.center.code,
            "item_code": e.case.item.code,
            "item": e.case.item.name,
        }
        for e in selectors.escalations_awaiting(request.user)
    ]


class AuthorizationOut(Schema):
    id: int
    document_number: str
    title: str
    department: str = Field(..., description="授权部门编码")
    department_name: str
    center: str = Field(..., description="派驻中心编码")
    center_name: str
    representative: str = Field(..., description="首席代表用户名")
    representative_name: str
    all_items: bool
    items: list[str] = Field(..., description="授权事项实施编码（all_items 为真时为空）")
    item_names: list[str]
    valid_from: date
    valid_to: date
    revoked_at: datetime | None
    revoke_reason: str
    current: bool


class PublicAuthorizationOut(Schema):
    document_number: str
    title: str
    department_name: str
    representative_name: str
    all_items: bool
    item_names: list[str]
    valid_from: date
    valid_to: date


class AuthorizationIn(Schema):
    department: str = Field(..., description="授权部门编码")
    center: str = Field(..., description="派驻中心编码")
    representative: str = Field(..., description="首席代表用户名（须在该中心担任首席代表）")
    document_number: str
    title: str
    valid_from: date
    valid_to: date
    all_items: bool = False
    items: list[str] = Field(default_factory=list, description="授权事项实施编码")


class RevokeIn(Schema):
    reason: str


def _authorization_out(a: ChiefAuthorization) -> dict:
    items = [] if a.all_items else list(a.items.all())
    return {
        "id": a.pk,
        "document_number": a.document_number,
        "title": a.title,
        "department": a.department.code,
        "department_name": a.department.name,
        "center": a.center.code,
        "center_name": a.center.name,
        "representative": a.representative.username,
        "representative_name": a.representative.display_name,
        "all_items": a.all_items,
        "items": [i.code for i in items],
        "item_names": [i.name for i in items],
        "valid_from": a.valid_from,
        "valid_to": a.valid_to,
        "revoked_at": a.revoked_at,
        "revoke_reason": a.revoke_reason,
        "current": a.is_current(timezone.localdate()),
    }


@router.get(
    "/chief-authorizations",
    response={200: list[AuthorizationOut], **error_responses(401, 422)},
    summary="首席代表授权书（本人可见中心）",
    operation_id="chief_authorizations_list",
)
@paginate(Paging)
def chief_authorizations_list(request, center: str = "", current: bool = False):
    return [
        _authorization_out(a)
        for a in selectors.chief_authorizations_visible_to(
            request.user, center=center, current="1" if current else ""
        )
    ]


@router.post(
    "/chief-authorizations",
    response={201: AuthorizationOut, **WRITE_ERRORS},
    summary="录入首席代表授权书（部门或区政务办）",
    operation_id="chief_authorizations_issue",
)
def chief_authorizations_issue(request, data: AuthorizationIn):
    center = centers_visible_to(request.user).filter(code=data.center).first()
    if center is None:
        raise NotFound("没有找到该中心，或您无权查看。")
    department = Department.objects.filter(code=data.department, district_id=center.district_id).first()
    if department is None:
        raise DomainError("没有找到该部门。", field="department")
    representative = User.objects.filter(username=data.representative, is_active=True).first()
    if representative is None:
        raise DomainError("没有找到该首席代表。", field="representative")
    items = list(ServiceItem.objects.filter(code__in=data.items, district_id=center.district_id))
    missing = sorted(set(data.items) - {i.code for i in items})
    if missing:
        raise DomainError(f"没有找到事项：{'、'.join(missing)}。", field="items")
    auth = services.chief_authorization_issue(
        by=request.user,
        department=department,
        center=center,
        representative=representative,
        document_number=data.document_number,
        title=data.title,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        all_items=data.all_items,
        items=items,
    )
    return Status(201, _authorization_out(selectors.chief_authorization_get(user=request.user, pk=auth.pk)))


@router.post(
    "/chief-authorizations/{authorization_id}/revoke",
    response={200: AuthorizationOut, **WRITE_ERRORS},
    summary="撤销首席代表授权书（部门或区政务办）",
    operation_id="chief_authorizations_revoke",
)
def chief_authorizations_revoke(request, authorization_id: int, data: RevokeIn):
    auth = selectors.chief_authorization_get(user=request.user, pk=authorization_id)
    services.chief_authorization_revoke(by=request.user, authorization=auth, reason=data.reason)
    return _authorization_out(selectors.chief_authorization_get(user=request.user, pk=authorization_id))


@router.get(
    "/public/centers/{code}/chief-representatives",
    auth=None,
    tags=["public"],
    response={200: list[PublicAuthorizationOut], **error_responses(404)},
    summary="公开：本中心现行首席代表及授权事项（无需登录）",
    operation_id="public_chief_representatives",
)
def public_chief_representatives(request, code: str):
    center = center_public_get(code)
    if center is None or center.status not in PUBLIC_STATUSES:
        raise NotFound("没有找到该中心。")
    out = []
    for a in selectors.chief_representatives_public(center):
        items = [] if a.all_items else [i.name for i in a.items.all()]
        out.append(
            {
                "document_number": a.document_number,
                "title": a.title,
                "department_name": a.department.name,
                "representative_name": a.representative.display_name,
                "all_items": a.all_items,
                "item_names": items,
                "valid_from": a.valid_from,
                "valid_to": a.valid_to,
            }
        )
    return out


# --- a ticket finished with its case (the window console's 办结并收件) ------------------------------


class FinishWithCaseOut(WindowActionOut):
    case_number: str = Field(..., description="新办件编号")


@router.post(
    "/windows/{window_id}/finish-with-case",
    response={200: FinishWithCaseOut, **WRITE_ERRORS},
    summary="办结当前号并为其窗口收件（创建办件，记排队号）",
    operation_id="queueing_window_finish_with_case",
    tags=["queueing"],
)
def window_finish_with_case(request, window_id: int, data: WindowIntakeIn):
    window = window_for(request, window_id)
    item = ServiceItem.objects.filter(code=data.item, center_id=window.center_id).first()
    if item is None:
        raise DomainError("本大厅没有这个事项。", field="item")
    ticket, case = services.ticket_finish_with_case(
        window=window, by=request.user, item=item, **data.dict(exclude={"item"})
    )
    return {**window_action_out(window, ticket), "case_number": case.number}


# --- handover18: 代收代办、收受分离 (cases handed between halls) ---------------------------


class ProxyIntakeIn(WindowIntakeIn):
    """代收收件: an application received at one hall for an item another hall handles."""

    receiving_center: str = Field(..., description="收件大厅编码（本人可收件的大厅）")
    pickup: Literal["receiving", "handling"] = Field("receiving", description="取件地点：收件大厅或办理大厅")
    ticket_number: str = ""


class HandOverIn(Schema):
    form: Literal["paper", "electronic"] = Field(..., description="移交形式：paper 纸质、electronic 电子")
    material_ids: list[int] | None = Field(None, description="移交的已收取材料（办件材料 id）；不填为全部")
    note: str = Field("", max_length=300)


class HandOverReceiveIn(Schema):
    note: str = Field("", max_length=300)


class HandOverOut(Schema):
    case: str
    from_center: str
    from_center_name: str
    to_center: str
    to_center_name: str
    form: str
    form_label: str
    materials: list[str]
    note: str
    handed_by: str | None
    handed_at: datetime
    received_by: str | None
    received_at: datetime | None
    status_label: str


class CaseAcrossOut(CaseOut):
    handover: HandOverOut | None = None


def _handover_out(h) -> dict:
    return {
        "case": h.case.number,
        "from_center": h.from_center.code,
        "from_center_name": h.from_center.name,
        "to_center": h.to_center.code,
        "to_center_name": h.to_center.name,
        "form": h.form,
        "form_label": h.get_form_display(),
        "materials": list(h.materials),
        "note": h.note,
        "handed_by": h.handed_by.display_name if h.handed_by else None,
        "handed_at": h.handed_at,
        "received_by": h.received_by.display_name if h.received_by else None,
        "received_at": h.received_at,
        "status_label": h.status_label,
    }


@router.post(
    "/handovers/intake",
    response={201: CaseDetailOut, **WRITE_ERRORS},
    summary="代收收件（收受分离：在本大厅收取由其他大厅办理事项的申请）",
    operation_id="cases_proxy_intake",
)
def cases_proxy_intake(request, data: ProxyIntakeIn):
    at = selectors.center_for_intake(request.user, data.receiving_center)
    if at is None:
        raise NotFound("没有找到该中心，或您无权查看。")
    item = selectors.items_received_for_others(at).filter(code=data.item).first()
    if item is None:
        raise DomainError("没有找到该事项，或该事项由本大厅办理（请使用窗口收件）。", field="item")
    case = services.case_intake_window(
        by=request.user,
        center=item.center,
        item=item,
        receiving_center=at,
        pickup_center=at if data.pickup == "receiving" else item.center,
        **data.dict(exclude={"receiving_center", "item", "pickup"}),
    )
    return Status(201, _detail(case))


@router.get(
    "/cases/{number}/handover",
    response={200: HandOverOut, **READ_ERRORS},
    summary="材料移交记录（代收办件）",
    operation_id="cases_handover_get",
)
def cases_handover_get(request, number: str):
    h = selectors.handover_of(_case(request, number))
    if h is None:
        raise NotFound("该办件尚未移交材料。")
    return _handover_out(h)


@router.post(
    "/cases/{number}/handover",
    response={201: HandOverOut, **WRITE_ERRORS},
    summary="移交材料（收件大厅→办理大厅；每件一次）",
    operation_id="cases_handover_create",
)
def cases_handover_create(request, number: str, data: HandOverIn):
    h = services.case_hand_over(
        by=request.user,
        case=_case(request, number),
        form=data.form,
        material_ids=data.material_ids,
        note=data.note,
    )
    return Status(201, _handover_out(h))


@router.post(
    "/cases/{number}/handover/receive",
    response={200: HandOverOut, **WRITE_ERRORS},
    summary="接收移交材料（办理大厅；只能接收一次，重复接收 409）",
    operation_id="cases_handover_receive",
)
def cases_handover_receive(request, number: str, data: HandOverReceiveIn):
    h = services.handover_receive(by=request.user, case=_case(request, number), note=data.note)
    return _handover_out(h)


@router.get(
    "/handovers",
    response={200: list[CaseAcrossOut], **error_responses(401, 422)},
    summary="代收代办办件（本人所在大厅代收或办理的）",
    operation_id="handovers_list",
)
@paginate(Paging)
def handovers_list(
    request,
    wait: str = Query("", max_length=12, description="to_hand 待移交、to_receive 待接收、received 已接收"),
    q: str = Query("", max_length=50, description="编号、申请人、事项"),
):
    rows = []
    for c in selectors.cases_across_halls(request.user, wait=wait, q=q).order_by("-submitted_at", "-id"):
        out = _case_out(c)
        h = selectors.handover_in(c)
        out["handover"] = _handover_out(h) if h is not None else None
        rows.append(out)
    return rows
