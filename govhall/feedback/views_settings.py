# ── Feedback settings and staff-recorded complaints (issue 15) ─────────────────
"""Pages of the district's feedback deadlines (差评整改, 投诉反馈, 办不成事办结,
set by the district office on its district) and of the staff form that records
a complaint received at the 办不成事 window or by phone."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from govhall.accounts.models import User
from govhall.accounts.selectors import center_ids_acting_as
from govhall.catalog.models import ServiceItem
from govhall.centers.models import Center
from govhall.centers.services import district_feedback_deadlines_set, district_office_district
from govhall.core.errors import DomainError, Refused
from govhall.core.forms import AccessibleForm
from govhall.core.page_errors import errors_show_on

from . import services
from .models import Complaint
from .permissions import COMPLAINT_TABLE

DAYS_ERRORS = {"invalid": "请填写整数工作日数。", "required": "请填写工作日数。"}


class FeedbackDeadlinesForm(AccessibleForm):
    """The district's feedback deadlines; the range (1–60) is the service's to refuse."""

    rectify_days = forms.IntegerField(
        label="差评整改时限（工作日）",
        help_text="差评从评价之日起核实、整改并答复评价人的工作日数（1–60）。",
        error_messages=DAYS_ERRORS,
    )
    complaint_reply_days = forms.IntegerField(
        label="投诉反馈时限（工作日）",
        help_text="效能投诉从提交之日起答复投诉人的工作日数（1–60）。",
        error_messages=DAYS_ERRORS,
    )
    unresolved_days = forms.IntegerField(
        label="办不成事办结时限（工作日）",
        help_text="办不成事反映从登记之日起解决或解释说明的工作日数（1–60）。",
        error_messages=DAYS_ERRORS,
    )


FIELDS = ("rectify_days", "complaint_reply_days", "unresolved_days")


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@require_http_methods(["GET", "POST"])
def feedback_deadlines(request: HttpRequest) -> HttpResponse:
    """The district office sets its district's feedback deadlines; new records use them."""
    district = district_office_district(_me(request), refused="只有区政务办可以设置好差评与投诉时限。")
    form = FeedbackDeadlinesForm(request.POST or None, initial={f: getattr(district, f) for f in FIELDS})
    ctx: dict[str, Any] = {"form": form, "district": district}
    if not (request.method == "POST" and form.is_valid()):
        return render(request, "feedback/feedback_deadlines.html", ctx, status=400 if form.errors else 200)
    errors_show_on(request, "feedback/feedback_deadlines.html", ctx, form=form)
    district = district_feedback_deadlines_set(
        by=_me(request), district=district, **{f: form.cleaned_data[f] for f in FIELDS}
    )
    messages.success(
        request,
        f"已保存：差评整改 {district.rectify_days} 个工作日，投诉反馈 {district.complaint_reply_days} 个工作日，"
        f"办不成事办结 {district.unresolved_days} 个工作日。此后登记的记录按新时限计算。",
    )
    return redirect("feedback:feedback_deadlines")


# ── Complaints received at the 办不成事 window or by phone, recorded by staff ──

STAFF_CHANNELS = [
    (Complaint.Channel.WINDOW.value, Complaint.Channel.WINDOW.label),
    (Complaint.Channel.PHONE.value, Complaint.Channel.PHONE.label),
]


class StaffComplaintForm(AccessibleForm):
    """A complaint a hall's staff take down for someone at the window or on the phone."""

    channel = forms.ChoiceField(choices=STAFF_CHANNELS, label="受理渠道")
    center = forms.ModelChoiceField(Center.objects.none(), label="所涉中心")
    about = forms.ChoiceField(choices=Complaint.About.choices, label="投诉对象")
    subject_user = forms.CharField(
        label="被投诉人工号（用户名）",
        required=False,
        max_length=150,
        help_text="投诉工作人员时填写。",
    )
    item = forms.ModelChoiceField(
        ServiceItem.objects.all(), label="所涉事项", required=False, help_text="投诉事项时选择。"
    )
    name = forms.CharField(label="投诉人姓名（可不填）", required=False, max_length=100)
    phone = forms.CharField(label="投诉人联系电话", max_length=20, help_text="手机号或固定电话，用于答复。")
    text = forms.CharField(label="投诉内容", widget=forms.Textarea, max_length=2000)


def _recordable_centers(user: User) -> QuerySet[Center]:
    """Centers where `user` may record a complaint (the service checks again)."""
    return Center.objects.filter(id__in=center_ids_acting_as(user, COMPLAINT_TABLE["record"])).order_by(
        "name"
    )


@login_required
@require_http_methods(["GET", "POST"])
def complaint_record(request: HttpRequest) -> HttpResponse:
    """登记投诉: staff record a complaint received at the window or by phone."""
    me = _me(request)
    centers = _recordable_centers(me)
    if not centers.exists():
        raise Refused("只有大厅工作人员可以登记窗口或电话投诉。")
    form = StaffComplaintForm(request.POST or None)
    form.fields["center"].queryset = centers  # type: ignore[attr-defined]
    if len(centers) == 1:
        form.fields["center"].initial = centers[0].pk
    ctx: dict[str, Any] = {"form": form, "receipt": None}
    if not (request.method == "POST" and form.is_valid()):
        return render(request, "feedback/complaint_record.html", ctx, status=400 if form.errors else 200)
    errors_show_on(request, "feedback/complaint_record.html", ctx, form=form)
    d = form.cleaned_data
    subject = None
    if d["subject_user"]:
        subject = User.objects.filter(username=d["subject_user"].strip()).first()
        if subject is None:
            raise DomainError("没有该工作人员，请核对工号。", field="subject_user")
    c = services.complaint_submit(
        by=me,
        channel=d["channel"],
        center=d["center"],
        about=d["about"],
        text=d["text"],
        phone=d["phone"],
        name=d["name"],
        subject_user=subject,
        item=d["item"],
    )
    ctx.update(receipt=c, form=None)
    return render(request, "feedback/complaint_record.html", ctx)
