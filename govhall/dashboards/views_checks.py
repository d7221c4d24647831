"""The district office's 明进暗不进 check: a filtered, paged list and its Excel export."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from govhall.accounts.models import User
from govhall.accounts.selectors import centers_visible_to
from govhall.centers.models import Center
from govhall.core.forms import AccessibleForm, limit_choices
from govhall.core.pages import xlsx_response

from .checks import ACTIVITY_DAYS, IDLE_DAYS, CheckKind, Finding, access_checks, stationing_findings

PAGE_SIZE = 50


class StationingFilterForm(AccessibleForm):
    center: forms.ModelChoiceField[Center] = forms.ModelChoiceField(
        label="大厅", required=False, queryset=None, empty_label="全部大厅"
    )
    kind = forms.ChoiceField(label="问题类型", required=False, choices=[("", "全部类型"), *CheckKind.choices])

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "center", centers_visible_to(user).order_by("kind", "code"))


def _findings(request: HttpRequest) -> tuple[StationingFilterForm, list[Finding]]:
    user = cast(User, request.user)  # login_required
    access_checks(user)
    form = StationingFilterForm(request.GET or None, user=user)
    if request.GET and not form.is_valid():
        return form, []
    data = form.cleaned_data if request.GET else {}
    center = data.get("center")
    return form, stationing_findings(
        user=user, center_id=center.pk if center else None, kind=data.get("kind", "")
    )


@login_required
def stationing(request: HttpRequest) -> HttpResponse:
    form, findings = _findings(request)
    page = Paginator(findings, PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "querystring": querystring.urlencode(),
        "activity_days": ACTIVITY_DAYS,
        "idle_days": IDLE_DAYS,
    }
    return render(request, "dashboards/checks_stationing.html", context, status=400 if form.errors else 200)


@login_required
def stationing_export(request: HttpRequest) -> HttpResponse:
    form, findings = _findings(request)
    if form.errors:
        return render(request, "dashboards/checks_stationing.html", {"form": form, "page": None}, status=400)
    rows = [
        [f.center_code, f.center_name, f.kind_label, f.subject, f.evidence, f.last_seen or ""]
        for f in findings
    ]
    return xlsx_response(
        "明进暗不进检查.xlsx",
        "明进暗不进检查",
        ["大厅编码", "大厅", "问题类型", "事项或窗口", "依据", "最后一次业务"],
        rows,
    )
