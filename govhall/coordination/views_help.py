"""Pages of 帮办代办 (issue 18, part 4): the public forms on the kiosk and the phone;
the staff list (search, filters, sorting, paging, masked Excel export), the desk form,
the detail with its steps, and the figures by hall and helper. Services decide;
a DomainError is shown next to its field by core.page_errors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from govhall.core.forms import AccessibleForm
from govhall.core.page_errors import errors_show_on
from govhall.core.pages import xlsx_response
from govhall.queueing.selectors import hall_by_code

from . import forms_help as forms
from . import selectors, services
from .models import HelpAuthorization, HelpRequest

# ── public: the kiosk and the phone ──


def _public(request, code: str, *, channel: str):
    center = hall_by_code(code)
    kiosk = channel == HelpRequest.Channel.KIOSK
    form = forms.HelpPublicForm(request.POST or None)
    ctx: dict[str, Any] = {
        "center": center,
        "form": form,
        "receipt": None,
        "channel": channel,
        # 适老化: large type by default on both doors (the person may switch it off)
        "large_type": request.GET.get("large") != "0",
    }
    if kiosk:
        ctx |= {
            "base_template": "queueing/kiosk_base.html",
            "kiosk_home": reverse("queueing:kiosk", args=[center.code]),
            "kiosk_hall_name": center.name,
            "kiosk_idle_seconds": 120,
        }
    if request.method == "POST":
        errors_show_on(request, "coordination/help_public.html", ctx, form=form)
        if form.is_valid():
            d = form.cleaned_data
            ctx["receipt"] = services.help_request_submit(
                by=None,
                center=center,
                kind=d["kind"],
                group=d["group"],
                channel=channel,
                name=d["name"],
                phone=d["phone"],
                needs=d["needs"],
            )
            ctx["form"] = None
        else:
            return render(request, "coordination/help_public.html", ctx, status=400)
    return render(request, "coordination/help_public.html", ctx)


@require_http_methods(["GET", "POST"])
def help_kiosk(request, code: str):
    return _public(request, code, channel=HelpRequest.Channel.KIOSK)


@require_http_methods(["GET", "POST"])
def help_phone(request, code: str):
    return _public(request, code, channel=HelpRequest.Channel.PHONE)


# ── staff ──


def _filters(request) -> dict[str, Any]:
    g = request.GET
    return {
        "q": g.get("q", "")[:50].strip(),
        "status": g.get("status", "") if g.get("status") in HelpRequest.Status.values else "",
        "kind": g.get("kind", "") if g.get("kind") in HelpRequest.Kind.values else "",
        "group": g.get("group", "") if g.get("group") in HelpRequest.Group.values else "",
        "center": g.get("center", "")[:30],
        "mine": g.get("mine") == "1",
        "sort": g.get("sort", "") if g.get("sort") in selectors.HELP_SORTS else "",
    }


SORT_CHOICES = [
    ("", "最新登记在前"),
    ("created_at", "最早登记在前"),
    ("status", "按状态"),
    ("center", "按大厅"),
    ("number", "按编号"),
]


@login_required
def help_list(request):
    f = _filters(request)
    page = Paginator(selectors.help_requests_search(request.user, **f), 25).get_page(request.GET.get("page"))
    managed = selectors.help_managed_center_ids(request.user)
    return render(
        request,
        "coordination/help_list.html",
        {
            "page": page,
            "f": f,
            "statuses": HelpRequest.Status.choices,
            "kinds": HelpRequest.Kind.choices,
            "groups": HelpRequest.Group.choices,
            "sorts": SORT_CHOICES,
            "query": request.GET.urlencode(),
            "may_export": bool(managed),
            "may_record": selectors.help_record_centers(request.user).exists(),
        },
    )


@login_required
def help_export(request):
    """Admins' export (hall managers, the district office): names and phones masked."""
    if not selectors.help_managed_center_ids(request.user):
        raise PermissionDenied("只有大厅负责人和区政务办可以导出。")
    qs = selectors.help_requests_search(request.user, **_filters(request))[:5000]
    header = [
        "编号",
        "大厅",
        "类型",
        "对象",
        "渠道",
        "申请人",
        "电话",
        "帮代办员",
        "状态",
        "登记时间",
        "办理结果",
    ]
    rows = (
        [
            r.number,
            r.center.name,
            r.get_kind_display(),
            r.get_group_display(),
            r.get_channel_display(),
            r.masked_name,
            r.masked_phone,
            (r.helper.full_name or r.helper.username) if r.helper else "",
            r.get_status_display(),
            f"{r.created_at:%Y-%m-%d %H:%M}",
            r.result,
        ]
        for r in qs
    )
    return xlsx_response("帮办代办.xlsx", "帮办代办", header, rows)


@login_required
@require_http_methods(["GET", "POST"])
def help_new(request):
    centers = selectors.help_record_centers(request.user)
    if not centers.exists():
        raise PermissionDenied("只有大厅工作人员可以登记帮办代办。")
    form = forms.HelpNewForm(request.POST or None, centers=centers)
    ctx: dict[str, Any] = {"form": form}
    if request.method == "POST":
        errors_show_on(request, "coordination/help_new.html", ctx, form=form)
        if not form.is_valid():
            return render(request, "coordination/help_new.html", ctx, status=400)
        d = form.cleaned_data
        req = services.help_request_submit(
            by=request.user,
            center=d["center"],
            kind=d["kind"],
            group=d["group"],
            channel=d["channel"],
            name=d["name"],
            phone=d["phone"],
            needs=d["needs"],
        )
        messages.success(request, f"已登记帮办代办 {req.number}。")
        return redirect("coordination:help_detail", number=req.number)
    return render(request, "coordination/help_new.html", ctx)


def _detail_context(request, req: HelpRequest) -> dict[str, Any]:
    user = request.user
    manages = req.center_id in selectors.help_managed_center_ids(user)
    handles = manages or req.helper_id == user.pk
    open_ = req.status != HelpRequest.Status.DONE
    auths = req.authorizations.all()
    return {
        "req": req,
        "steps": req.steps.select_related("by"),
        "authorizations": auths,
        "links": req.case_links.select_related("case", "authorization"),
        "manages": manages and open_,
        "handles": handles and open_,
        "assign_form": forms.AssignForm(helpers=selectors.help_helpers_of(req.center), prefix="assign"),
        "step_form": forms.StepForm(prefix="step"),
        "auth_form": forms.AuthorizationForm(prefix="auth"),
        "case_form": forms.CaseLinkForm(authorizations=auths, prefix="case"),
        "close_form": forms.CloseForm(prefix="close"),
    }


@login_required
def help_detail(request, number: str):
    req = selectors.help_request_get(request.user, number)
    return render(request, "coordination/help_detail.html", _detail_context(request, req))


STEPS = {"assign", "step", "auth", "case", "close"}


@login_required
@require_POST
def help_reveal(request, number: str):
    """The full phone, shown once on the detail page; the look is recorded."""
    req = selectors.help_request_get(request.user, number)
    ctx = _detail_context(request, req)
    errors_show_on(request, "coordination/help_detail.html", ctx)
    ctx["full_phone"] = services.help_phone_reveal(
        by=request.user, request=req, reason=request.POST.get("reason", "")[:200]
    )
    return render(request, "coordination/help_detail.html", ctx)


@login_required
@require_POST
def help_action(request, number: str, step: str):
    if step not in STEPS:
        raise Http404("没有该操作。")
    req = selectors.help_request_get(request.user, number)
    ctx = _detail_context(request, req)
    user = request.user
    form: AccessibleForm
    if step == "assign":
        form = forms.AssignForm(request.POST, helpers=selectors.help_helpers_of(req.center), prefix="assign")
    elif step == "step":
        form = forms.StepForm(request.POST, prefix="step")
    elif step == "auth":
        form = forms.AuthorizationForm(request.POST, request.FILES, prefix="auth")
    elif step == "case":
        form = forms.CaseLinkForm(request.POST, authorizations=req.authorizations.all(), prefix="case")
    else:
        form = forms.CloseForm(request.POST, prefix="close")
    ctx[f"{step}_form"] = form
    errors_show_on(request, "coordination/help_detail.html", ctx, form=form)
    if not form.is_valid():
        return render(request, "coordination/help_detail.html", ctx, status=400)
    d = form.cleaned_data
    if step == "assign":
        services.help_assign(by=user, request=req, helper=d["helper"])
        messages.success(request, "已分派帮代办员。")
    elif step == "step":
        services.help_step_add(by=user, request=req, note=d["note"])
        messages.success(request, "已记录办理情况。")
    elif step == "auth":
        services.help_authorization_add(
            by=user,
            request=req,
            principal=d["principal"],
            agent=d["agent"],
            items=d["items"],
            valid_until=d["valid_until"],
            file=d["file"],
        )
        messages.success(request, "已登记委托书。")
    elif step == "case":
        services.help_case_link(by=user, request=req, case_number=d["case"], authorization=d["authorization"])
        messages.success(request, "已关联办件。")
    else:
        services.help_close(by=user, request=req, result=d["result"])
        messages.success(request, "已办结。")
    return redirect("coordination:help_detail", number=req.number)


@login_required
def help_authorization_file(request, number: str, pk: int):
    """The scanned 委托书, for whoever may see the request."""
    req = selectors.help_request_get(request.user, number)
    auth = HelpAuthorization.objects.filter(request=req, pk=pk).first()
    if auth is None or not auth.file:
        raise Http404("没有找到该委托书。")
    response = FileResponse(auth.file.open("rb"), content_type=auth.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def help_figures(request):
    if not selectors.help_managed_center_ids(request.user):
        raise PermissionDenied("只有大厅负责人和区政务办可以查看统计。")
    month = request.GET.get("month", "")
    first, last = selectors.disclosure_month(month) if month else (None, None)
    return render(
        request,
        "coordination/help_figures.html",
        {"figures": selectors.help_figures(request.user, since=first, until=last), "month": month},
    )
