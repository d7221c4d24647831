# ── Feedback settings and staff-recorded complaints (issue 15) ─────────────────
"""Pages of the district's feedback deadlines (差评整改, 投诉反馈, 办不成事办结,
set by the district office on its district) and of the staff form that records
a complaint received at the 办不成事 window or by phone."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from govhall.accounts.models import User
from govhall.centers.services import district_feedback_deadlines_set, district_office_district
from govhall.core.forms import AccessibleForm
from govhall.core.page_errors import errors_show_on

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
