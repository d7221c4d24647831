# ── Complaints ──────────────────────────────────────────────────────────────
"""Pages for complaints: the public form and tracking; the hall manager's and
the district office's lists (overdue first), detail with the step forms, Excel
export; the 办不成事 window and its grouping by item."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from govhall.accounts.models import User
from govhall.accounts.selectors import centers_visible_to
from govhall.catalog.models import ServiceItem
from govhall.centers.models import Center, Department
from govhall.core.errors import DomainError
from govhall.core.forms import AccessibleForm
from govhall.core.page_errors import errors_show_on
from govhall.core.pages import xlsx_response

from . import selectors, services
from .models import Complaint


class ComplaintForm(AccessibleForm):
    center = forms.ModelChoiceField(Center.objects.none(), label="所涉中心")
    about = forms.ChoiceField(choices=Complaint.About.choices, label="投诉对象")
    subject_user = forms.CharField(label="被投诉人工号（用户名）", required=False, max_length=150)
    item = forms.ModelChoiceField(ServiceItem.objects.all(), label="所涉事项", required=False)
    text = forms.CharField(label="投诉内容", widget=forms.Textarea, max_length=2000)
    name = forms.CharField(label="您的姓名（可不填）", required=False, max_length=100)
    phone = forms.CharField(label="联系电话（用于查询和答复）", max_length=20)

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.fields["center"].queryset = Center.objects.filter(status=Center.Status.ACTIVE)  # type: ignore[attr-defined]


class TrackForm(AccessibleForm):
    number = forms.CharField(label="投诉编号", max_length=30)
    phone = forms.CharField(label="投诉时填写的电话", max_length=20)


def complaint_new(request):
    form = ComplaintForm(request.POST or None)
    ctx: dict[str, Any] = {"form": form, "receipt": None}
    if request.method == "POST" and form.is_valid():
        errors_show_on(request, "feedback/complaint_new.html", ctx, form=form)
        d = form.cleaned_data
        subject = None
        if d["subject_user"]:
            subject = User.objects.filter(username=d["subject_user"]).first()
            if subject is None:
                raise DomainError("没有该工作人员，请核对工号。", field="subject_user")
        user = request.user if request.user.is_authenticated else None
        c = services.complaint_submit(
            by=user,
            channel=Complaint.Channel.ACCOUNT if user else Complaint.Channel.ONLINE,
            center=d["center"],
            about=d["about"],
            text=d["text"],
            phone=d["phone"],
            name=d["name"],
            subject_user=subject,
            item=d["item"],
        )
        ctx["receipt"] = c
        ctx["form"] = None
    return render(request, "feedback/complaint_new.html", ctx, status=400 if form.errors else 200)


def complaint_track(request):
    form = TrackForm(request.POST or None)
    ctx: dict[str, Any] = {"form": form, "complaint": None}
    if request.method == "POST" and form.is_valid():
        errors_show_on(request, "feedback/complaint_track.html", ctx, form=form)
        c = selectors.complaint_track(number=form.cleaned_data["number"], phone=form.cleaned_data["phone"])
        if c is None:
            raise DomainError("没有找到投诉，请核对投诉编号和电话。")
        ctx["complaint"] = c
        ctx["form"] = TrackForm(initial={"number": c.number})  # the phone is not shown back
        ctx["steps"] = c.events.all()
        ctx["answer"] = c.answer if c.status in {"replied", "archived", "refused"} else ""
    return render(request, "feedback/complaint_track.html", ctx, status=400 if form.errors else 200)


def _filters(request) -> dict[str, Any]:
    return {
        "q": request.GET.get("q", "")[:50],
        "status": request.GET.get("status", ""),
        "overdue": request.GET.get("overdue") == "1",
        "sort": request.GET.get("sort", ""),
    }


@login_required
def complaint_list(request):
    f = _filters(request)
    page = Paginator(selectors.complaints_search(request.user, **f), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/complaint_list.html",
        {"page": page, "f": f, "statuses": Complaint.Status.choices, "query": request.GET.urlencode()},
    )


@login_required
def complaint_export(request):
    qs = selectors.complaints_search(request.user, **_filters(request))[:5000]
    rows = (
        [
            c.number,
            c.get_channel_display(),
            c.center.name,
            c.get_about_display(),
            c.subject_user.full_name if c.subject_user is not None else "",
            c.masked_name,
            c.masked_phone,
            c.get_status_display(),
            c.get_warning_display(),
            c.reply_by.isoformat(),
            c.get_outcome_display() if c.outcome else "",
        ]
        for c in qs
    )
    header = [
        "投诉编号",
        "渠道",
        "中心",
        "对象",
        "被投诉人",
        "投诉人",
        "电话",
        "状态",
        "预警",
        "反馈期限",
        "结论",
    ]
    return xlsx_response("效能投诉.xlsx", "效能投诉", header, rows)


class StepForm(AccessibleForm):
    reason = forms.CharField(label="不予受理理由", required=False, widget=forms.Textarea, max_length=2000)
    finding = forms.CharField(label="调查情况", required=False, widget=forms.Textarea, max_length=2000)
    outcome = forms.ChoiceField(
        label="投诉是否成立", required=False, choices=[("", "请选择"), *Complaint.Outcome.choices]
    )
    measures = forms.CharField(label="处置措施", required=False, widget=forms.Textarea, max_length=2000)
    answer = forms.CharField(label="答复投诉人", required=False, widget=forms.Textarea, max_length=2000)


STEP_ARGS = {
    "accept": (),
    "refuse": ("reason",),
    "investigate": ("finding",),
    "decide": ("outcome", "measures"),
    "reply": ("answer",),
    "archive": (),
}


@login_required
def complaint_detail(request, number):
    c = selectors.complaint_get(request.user, number, action="view")
    return render(
        request,
        "feedback/complaint_detail.html",
        {"c": c, "events": c.events.select_related("by"), "form": StepForm()},
    )


@login_required
@require_POST
def complaint_step(request, number, step):
    c = selectors.complaint_get(request.user, number)
    if step not in STEP_ARGS:
        raise DomainError("没有该办理步骤。")
    form = StepForm(request.POST)
    form.is_valid()
    errors_show_on(
        request,
        "feedback/complaint_detail.html",
        {"c": c, "events": c.events.select_related("by"), "form": form},
        form=form,
    )
    args = {k: form.cleaned_data.get(k, "") for k in STEP_ARGS[step]}
    services.STEPS[step](by=request.user, complaint=c, **args)
    messages.success(request, "已办理。")
    return redirect("feedback:complaint_detail", number=c.number)


# ── 办不成事反映窗口 ──


class UnresolvedForm(AccessibleForm):
    center = forms.ModelChoiceField(Center.objects.none(), label="反映地点（中心）")
    item = forms.ModelChoiceField(ServiceItem.objects.all(), label="所涉事项", required=False)
    wanted = forms.CharField(label="群众想办的事", widget=forms.Textarea, max_length=2000)
    owner_department = forms.ModelChoiceField(Department.objects.all(), label="责任部门", required=False)
    owner_center = forms.ModelChoiceField(Center.objects.none(), label="责任大厅", required=False)
    name = forms.CharField(label="反映人", required=False, max_length=100)
    phone = forms.CharField(label="联系电话", required=False, max_length=20)


class CloseForm(AccessibleForm):
    status = forms.ChoiceField(label="办理结果", choices=[("solved", "已解决"), ("explained", "已解释说明")])
    answer = forms.CharField(label="说明", widget=forms.Textarea, max_length=2000)


@login_required
def unresolved_list(request):
    form = UnresolvedForm(request.POST or None)
    visible = centers_visible_to(request.user)
    form.fields["center"].queryset = visible  # type: ignore[attr-defined]
    form.fields["owner_center"].queryset = visible  # type: ignore[attr-defined]
    page = Paginator(selectors.unresolved_visible_to(request.user), 25).get_page(request.GET.get("page"))
    ctx: dict[str, Any] = {"form": form, "page": page, "today": timezone.localdate(), "close": CloseForm()}
    if request.method == "POST" and form.is_valid():
        errors_show_on(request, "feedback/unresolved_list.html", ctx, form=form)
        d = form.cleaned_data
        services.unresolved_record(
            by=request.user,
            center=d["center"],
            wanted=d["wanted"],
            item=d["item"],
            owner_department=d["owner_department"],
            owner_center=d["owner_center"],
            name=d["name"],
            phone=d["phone"],
        )
        messages.success(request, "已登记。")
        return redirect("feedback:unresolved_list")
    return render(request, "feedback/unresolved_list.html", ctx, status=400 if form.errors else 200)


@login_required
@require_POST
def unresolved_close(request, pk):
    u = selectors.unresolved_visible_to(request.user).filter(pk=pk).first()
    if u is None:
        from django.http import Http404

        raise Http404
    form = CloseForm(request.POST)
    form.is_valid()
    services.unresolved_close(
        by=request.user,
        record=u,
        status=form.cleaned_data.get("status", ""),
        answer=form.cleaned_data.get("answer", ""),
    )
    messages.success(request, "已办结。")
    return redirect("feedback:unresolved_list")


@login_required
def unresolved_by_item(request):
    return render(
        request, "feedback/unresolved_by_item.html", {"rows": selectors.unresolved_by_item(request.user)}
    )
