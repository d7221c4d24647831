"""Pages of 差评整改 (the hall manager's and the district office's list, detail and
step forms, Excel export), the ratings list, and the rated person's 我收到的评价.
They call the same selectors and services as the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from govhall.accounts.access import may_at_center
from govhall.accounts.selectors import centers_visible_to
from govhall.core.errors import DomainError
from govhall.core.forms import AccessibleForm
from govhall.core.page_errors import errors_show_on
from govhall.core.pages import xlsx_response

from . import permissions, selectors, services
from .models import Level, Rating, Rectification


def _rect_filters(request) -> dict[str, Any]:
    return {
        "q": request.GET.get("q", "").strip()[:50],
        "status": request.GET.get("status", ""),
        "warning": request.GET.get("warning", ""),
        "sort": request.GET.get("sort", ""),
    }


WARNINGS = [("red", "红牌（已超期）"), ("yellow", "黄牌（临近期限）"), ("none", "正常")]


@login_required
def rect_list(request):
    f = _rect_filters(request)
    qs = selectors.rectifications_search(request.user, **f)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "feedback/rect_list.html",
        {
            "page": page,
            "f": f,
            "statuses": Rectification.Status.choices,
            "warnings": WARNINGS,
            "figures": selectors.rectification_figures(selectors.rectifications_for(request.user)),
            "query": query.urlencode(),
        },
    )


@login_required
def rect_export(request):
    return rect_xlsx(request.user, _rect_filters(request))


def rect_xlsx(user: Any, f: dict[str, Any]) -> HttpResponse:
    """The page's and the API's export: the filtered list, personal data masked
    (the rater shown only as 实名/匿名)."""
    qs = selectors.rectifications_search(user, **f)[:5000]
    rows = (
        [
            str(x.pk),
            x.center.name,
            selectors.rating_event_label(x.rating),
            x.rating.item.name if x.rating.item is not None else "",
            x.rating.clerk.full_name if x.rating.clerk is not None else "",
            Level(x.rating.level).label,
            "、".join(x.rating.indicator_labels()),
            x.rating.get_channel_display(),
            "实名" if x.rating.real_name else "匿名",
            x.get_status_display(),
            x.get_warning_display(),
            x.revisit_due.isoformat() if x.revisit_due else "",
            x.fix_due.isoformat(),
            "" if x.on_time is None else ("按期" if x.on_time else "超期"),
        ]
        for x in qs
    )
    header = [
        "编号",
        "责任大厅",
        "评价对象",
        "事项",
        "被评价人",
        "评价等级",
        "不满意的指标",
        "渠道",
        "评价人",
        "状态",
        "预警",
        "回访期限",
        "整改期限",
        "是否按期",
    ]
    return xlsx_response("差评整改.xlsx", "差评整改", header, rows)


class RevisitForm(AccessibleForm):
    note = forms.CharField(label="回访记录", widget=forms.Textarea, max_length=2000, required=False)


class FindingForm(AccessibleForm):
    finding = forms.ChoiceField(
        label="核实结论", choices=Rectification.Finding.choices, widget=forms.RadioSelect, required=False
    )
    reason = forms.CharField(
        label="不属实理由（核实为不属实时必填）", widget=forms.Textarea, max_length=2000, required=False
    )


class ReviewForm(AccessibleForm):
    decision = forms.ChoiceField(
        label="复核结论",
        choices=[("overturn", "改判属实"), ("keep", "维持不属实")],
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(label="复核理由", widget=forms.Textarea, max_length=2000, required=False)


class FixForm(AccessibleForm):
    fix = forms.CharField(label="整改措施", widget=forms.Textarea, max_length=2000, required=False)
    answer = forms.CharField(label="答复评价人", widget=forms.Textarea, max_length=2000, required=False)


STEP_FORMS: dict[str, type[AccessibleForm]] = {
    "revisit": RevisitForm,
    "finding": FindingForm,
    "review": ReviewForm,
    "fix": FixForm,
}


def _detail_context(request, x: Rectification, **bound: AccessibleForm) -> dict[str, Any]:
    user = request.user
    may_handle = may_at_center(user, x.center, action="handle", table=permissions.TABLE)
    may_review = may_at_center(user, x.center, action="review", table=permissions.TABLE)
    if x.rating.clerk_id == user.pk:  # the person rated never handles their own rating
        may_handle = may_review = False
    S = Rectification.Status
    step = {
        S.OPEN: "revisit" if x.rating.real_name else "finding",
        S.REVISITED: "finding",
        S.CHECKING: "review",
        S.FIXING: "fix",
    }.get(x.status)  # type: ignore[call-overload]
    allowed = may_review if step == "review" else may_handle
    forms_ = {name: bound.get(name) or cls() for name, cls in STEP_FORMS.items()}
    return {
        "x": x,
        "r": x.rating,
        "event_label": selectors.rating_event_label(x.rating),
        "rater": selectors.rater_identity(x) if selectors.rater_identity_visible(user, x) else None,
        "steps": selectors.rectification_steps(x),
        "step": step if allowed else None,
        "waiting_review": step == "review" and not may_review,
        "forms": forms_,
    }


@login_required
def rect_detail(request, pk: int):
    x = selectors.rectification_get(request.user, pk)
    return render(request, "feedback/rect_detail.html", _detail_context(request, x))


@login_required
@require_POST
def rect_step(request, pk: int, step: str):
    x = selectors.rectification_get(request.user, pk)
    if step not in STEP_FORMS:
        raise DomainError("没有该办理步骤。")
    form = STEP_FORMS[step](request.POST)
    form.is_valid()
    errors_show_on(
        request, "feedback/rect_detail.html", _detail_context(request, x, **{step: form}), form=form
    )
    d = form.cleaned_data
    by = request.user
    if step == "revisit":
        services.rect_revisit(by=by, rect=x, note=d.get("note", ""))
        done = "已记录回访。"
    elif step == "finding":
        if d.get("finding") not in Rectification.Finding.values:
            raise DomainError("请选择核实结论（属实或不属实）。", field="finding")
        services.rect_finding(by=by, rect=x, valid=d["finding"] == "valid", reason=d.get("reason", ""))
        done = "已记录核实结论。"
    elif step == "review":
        if d.get("decision") not in {"overturn", "keep"}:
            raise DomainError("请选择复核结论（改判属实或维持不属实）。", field="decision")
        services.rect_review(by=by, rect=x, overturn=d["decision"] == "overturn", reason=d.get("reason", ""))
        done = "已复核。"
    else:
        services.rect_fix(by=by, rect=x, fix=d.get("fix", ""), answer=d.get("answer", ""))
        done = "已整改并答复评价人，本件已办结。"
    messages.success(request, done)
    return redirect("feedback:rect_detail", pk=x.pk)


# ── 好差评明细 (managers, district office) ──


def _rating_filters(request) -> dict[str, Any]:
    def num(name: str) -> int | None:
        v = request.GET.get(name, "")
        return int(v) if v.isdigit() else None

    month = request.GET.get("month", "")
    return {
        "center": num("center"),
        "level": num("level"),
        "channel": request.GET.get("channel", ""),
        "bad": request.GET.get("bad") == "1",
        "month": month if len(month) == 7 and month[4] == "-" else "",
    }


@login_required
def rating_list(request):
    f = _rating_filters(request)
    page = Paginator(selectors.ratings_search(request.user, **f), 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "feedback/rating_list.html",
        {
            "page": page,
            "f": f,
            "centers": centers_visible_to(request.user).filter(
                pk__in=selectors.ratings_for(request.user).values("center_id").distinct()
            ),
            "levels": Level.choices,
            "channels": Rating.Channel.choices,
            "query": query.urlencode(),
            "rows": [(r, selectors.rating_event_label(r)) for r in page],
        },
    )


@login_required
def rating_export(request):
    return rating_xlsx(request.user, _rating_filters(request))


def rating_xlsx(user: Any, f: dict[str, Any]) -> HttpResponse:
    qs = selectors.ratings_search(user, **f)[:5000]
    rows = (
        [
            timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),  # Beijing time, as on the page
            r.center.name,
            selectors.rating_event_label(r),
            r.item.name if r.item is not None else "",
            r.clerk.full_name if r.clerk is not None else "",
            r.get_channel_display(),
            Level(r.level).label,
            "、".join(r.indicator_labels()),
            r.text,
            "实名" if r.real_name else "匿名",
        ]
        for r in qs
    )
    header = [
        "评价时间",
        "大厅",
        "评价对象",
        "事项",
        "被评价人",
        "渠道",
        "等级",
        "不满意的指标",
        "评价内容",
        "评价人",
    ]
    return xlsx_response("好差评明细.xlsx", "好差评明细", header, rows)


# ── 我收到的评价 (the person rated) ──


@login_required
def my_ratings(request):
    page = Paginator(selectors.my_ratings(request.user), 25).get_page(request.GET.get("page"))
    rows = []
    for r in page:
        rect = getattr(r, "rectification", None) if r.is_bad else None
        rows.append({"r": r, "event": selectors.rating_event_label(r), "rect": rect})
    return render(request, "feedback/my_ratings.html", {"page": page, "rows": rows})
