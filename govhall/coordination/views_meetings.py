"""Pages of 联席会议: the meeting list, the convene form, a meeting's detail (attendance,
minutes, decisions), the action item list by owner and lateness (with its Excel export)
and closing an item with evidence. They call the same selectors and services as the API."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from govhall.accounts.models import Role
from govhall.core.page_errors import errors_show_on
from govhall.core.pages import xlsx_response

from . import selectors, services
from .forms_meetings import AttendanceForm, CloseForm, ConveneForm, DecisionForm, MinutesForm
from .models import ActionItem, Meeting
from .permissions import MEETING_REFUSED

LEVELS = [("red", "红牌（已超期）"), ("yellow", "黄牌（临近期限）"), ("none", "正常")]
OWNER_KINDS = [("center", "中心"), ("department", "部门"), ("person", "个人")]


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def meeting_list(request):
    f = {
        "q": request.GET.get("q", "").strip()[:50],
        "status": request.GET.get("status", ""),
        "sort": request.GET.get("sort", ""),
    }
    if not selectors.may_see_meetings(request.user):
        raise PermissionDenied(MEETING_REFUSED["view"])
    page = Paginator(selectors.meetings_search(request.user, **f), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "coordination/meetings_list.html",
        {
            "page": page,
            "f": f,
            "statuses": Meeting.Status.choices,
            "query": _query(request),
            "may_convene": bool(selectors.meeting_districts(request.user)),
        },
    )


@login_required
def meeting_new(request):
    districts = selectors.meeting_districts(request.user)
    if not districts:
        raise PermissionDenied(MEETING_REFUSED["convene"])
    form = ConveneForm(request.POST or None, district_ids=districts)
    context = {"form": form}
    if request.method == "POST":
        form.is_valid()
        errors_show_on(request, "coordination/meetings_new.html", context, form=form)
        d = form.cleaned_data
        meeting = services.meeting_convene(
            by=request.user,
            title=d.get("title", ""),
            agenda=d.get("agenda", ""),
            starts_at=d.get("starts_at"),
            place=d.get("place", ""),
            centers=d.get("centers") or [],
            departments=d.get("departments") or [],
            roles=d.get("roles") or [],
        )
        messages.success(request, "已召集联席会议并通知受邀单位。")
        return redirect("coordination:meeting_detail", pk=meeting.pk)
    return render(request, "coordination/meetings_new.html", context)


def _detail_context(request, m: Meeting, **bound: Any) -> dict[str, Any]:
    invitations = list(m.invitations.select_related("center", "department"))
    may_run = selectors.may_run_meeting(request.user, m)
    return {
        "m": m,
        "invitations": invitations,
        "may_run": may_run and m.status != Meeting.Status.CANCELLED,
        "may_cancel": may_run and m.status == Meeting.Status.CONVENED,
        "roles": m.roles_invited,
        "role_labels": _role_labels(m.roles_invited),
        "items": selectors.action_items_search(request.user, meeting_id=m.pk, sort="due_on"),
        "attendance_form": bound.get("attendance") or AttendanceForm(invitations=invitations),
        "minutes_form": bound.get("minutes") or MinutesForm(initial={"minutes": m.minutes}),
        "decision_form": bound.get("decision") or DecisionForm(district_id=m.district_id),
    }


def _role_labels(roles: list[str]) -> str:
    labels = dict(Role.choices)
    return "、".join(str(labels.get(r, r)) for r in roles)


@login_required
def meeting_detail(request, pk: int):
    m = selectors.meeting_get(request.user, pk)
    return render(request, "coordination/meetings_detail.html", _detail_context(request, m))


@login_required
@require_POST
def meeting_attendance(request, pk: int):
    m = selectors.meeting_get(request.user, pk)
    invitations = list(m.invitations.select_related("center", "department"))
    form = AttendanceForm(request.POST, invitations=invitations)
    form.is_valid()
    errors_show_on(
        request, "coordination/meetings_detail.html", _detail_context(request, m, attendance=form), form=form
    )
    services.meeting_record_attendance(by=request.user, meeting=m, attendance=form.attendance())
    messages.success(request, "已登记出席情况。")
    return redirect("coordination:meeting_detail", pk=m.pk)


@login_required
@require_POST
def meeting_minutes(request, pk: int):
    m = selectors.meeting_get(request.user, pk)
    form = MinutesForm(request.POST)
    form.is_valid()
    errors_show_on(
        request, "coordination/meetings_detail.html", _detail_context(request, m, minutes=form), form=form
    )
    services.meeting_record_minutes(by=request.user, meeting=m, minutes=form.cleaned_data.get("minutes", ""))
    messages.success(request, "已登记会议纪要。")
    return redirect("coordination:meeting_detail", pk=m.pk)


@login_required
@require_POST
def meeting_decision(request, pk: int):
    m = selectors.meeting_get(request.user, pk)
    form = DecisionForm(request.POST, district_id=m.district_id)
    form.is_valid()
    context = _detail_context(request, m, decision=form)
    context["field_map"] = {"owner": "owner_center"}
    errors_show_on(request, "coordination/meetings_detail.html", context, form=form)
    d = form.cleaned_data
    services.action_item_add(
        by=request.user,
        meeting=m,
        title=d.get("title", ""),
        due_on=d.get("due_on"),
        owner_center=d.get("owner_center"),
        owner_department=d.get("owner_department"),
        owner_user=d.get("owner_user"),
    )
    messages.success(request, "已录入议定事项，责任单位的工作台将显示该事项。")
    return redirect("coordination:meeting_detail", pk=m.pk)


@login_required
@require_POST
def meeting_cancel(request, pk: int):
    m = selectors.meeting_get(request.user, pk)
    services.meeting_cancel(by=request.user, meeting=m)
    messages.success(request, "已取消会议。")
    return redirect("coordination:meeting_detail", pk=m.pk)


def _item_filters(request) -> dict[str, Any]:
    meeting = request.GET.get("meeting", "")
    return {
        "q": request.GET.get("q", "").strip()[:50],
        "status": request.GET.get("status", ""),
        "level": request.GET.get("level", ""),
        "owner_kind": request.GET.get("owner_kind", ""),
        "mine": request.GET.get("mine") == "1",
        "meeting_id": int(meeting) if meeting.isdigit() and int(meeting) < 2**63 else None,
        "sort": request.GET.get("sort", ""),
    }


@login_required
def action_item_list(request):
    f = _item_filters(request)
    page = Paginator(selectors.action_items_search(request.user, **f), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "coordination/meetings_items.html",
        {
            "page": page,
            "f": f,
            "statuses": ActionItem.Status.choices,
            "levels": LEVELS,
            "owner_kinds": OWNER_KINDS,
            "by_owner": selectors.action_items_by_owner(request.user),
            "query": _query(request),
        },
    )


@login_required
def action_item_export(request):
    return action_items_xlsx(request.user, _item_filters(request))


def action_items_xlsx(user: Any, f: dict[str, Any]) -> HttpResponse:
    """The page's and the API's export: the user's visible items, filtered as the list."""
    qs = selectors.action_items_search(user, **f)[:5000]
    rows = (
        [
            str(x.pk),
            x.meeting.title,
            x.title,
            {"center": "中心", "department": "部门", "person": "个人"}[x.owner_kind],
            x.owner_name,
            x.due_on.isoformat(),
            x.get_status_display(),
            selectors.ACTION_LEVEL_LABELS[x.level],
            x.evidence,
            str(x.closed_by) if x.closed_by_id else "",
        ]
        for x in qs
    )
    header = [
        "编号",
        "会议",
        "议定事项",
        "责任类型",
        "责任单位/责任人",
        "完成期限",
        "状态",
        "预警",
        "办结佐证",
        "销号人",
    ]
    return xlsx_response("联席会议议定事项.xlsx", "议定事项", header, rows)


def _item_context(request, x: Any, form: CloseForm | None = None) -> dict[str, Any]:
    return {
        "x": x,
        "may_close": x.status == ActionItem.Status.OPEN and selectors.is_owner(request.user, x),
        "form": form or CloseForm(),
        "level_label": selectors.ACTION_LEVEL_LABELS[x.level],
        "history": x.history.select_related("history_user").order_by("history_date"),
    }


@login_required
def action_item_detail(request, pk: int):
    x = selectors.action_item_get(request.user, pk)
    return render(request, "coordination/meetings_item.html", _item_context(request, x))


@login_required
@require_POST
def action_item_close(request, pk: int):
    x = selectors.action_item_get(request.user, pk)
    form = CloseForm(request.POST, request.FILES)
    form.is_valid()
    errors_show_on(request, "coordination/meetings_item.html", _item_context(request, x, form), form=form)
    services.action_item_close(
        by=request.user,
        item=x,
        evidence=form.cleaned_data.get("evidence", ""),
        evidence_file=form.cleaned_data.get("evidence_file") or request.FILES.get("evidence_file"),
    )
    messages.success(request, "已办结销号。")
    return redirect("coordination:action_item_detail", pk=x.pk)


@login_required
def action_item_evidence(request, pk: int):
    x = selectors.action_item_get(request.user, pk)
    if not x.evidence_file:
        raise Http404("该事项没有佐证材料。")
    return FileResponse(
        x.evidence_file.open("rb"), as_attachment=True, filename=x.evidence_file.name.rsplit("/", 1)[-1]
    )
