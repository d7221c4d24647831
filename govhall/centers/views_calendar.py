"""工作日调整: the district office's calendar pages — each year's national holiday
arrangement (entered by one person, confirmed by a second) and local closures.
Views keep the happy path; `centers.calendar` decides and records, and a
DomainError is shown next to its field by the page door (core.page_errors)."""

from __future__ import annotations

from itertools import chain
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from govhall.accounts.models import User
from govhall.core.calendar import first_unknown_year
from govhall.core.errors import NotFound
from govhall.core.history import changed_fields
from govhall.core.models import HolidayArrangement
from govhall.core.page_errors import errors_show_on

from . import calendar as cal
from .forms_calendar import ArrangementForm, CalendarForm, PasswordPolicyForm, ReasonForm

HISTORY_KINDS = {"+": "新增", "~": "修改", "-": "删除"}


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


def _district_id(request: HttpRequest) -> int:
    return cal._district_admin_district(_me(request))  # Refused (403) unless the district office


@login_required
@require_http_methods(["GET", "POST"])
def calendar_page(request: HttpRequest) -> HttpResponse:
    """The year's arrangements with their status, and the district's local closures."""
    me = _me(request)
    district_id = _district_id(request)
    form = CalendarForm(request.POST or None)
    today = timezone.localdate()
    ctx: dict[str, Any] = {
        "form": form,
        "rows": list(cal.calendar_overrides_of(me)),
        "arrangements": list(cal.holiday_arrangements_of(me)),
        "today": today,
        "unknown_year": first_unknown_year(today, district=district_id),
    }
    if not (request.method == "POST" and form.is_valid()):
        return render(request, "centers/calendar.html", ctx, status=400 if form.errors else 200)
    errors_show_on(request, "centers/calendar.html", ctx, form=form)
    row = cal.calendar_override_add(
        by=me,
        day=form.cleaned_data["date"],
        note=form.cleaned_data["note"] or "",
        is_workday={"1": True, "0": False}.get(form.cleaned_data["is_workday"] or ""),
    )
    messages.success(
        request,
        f"已录入 {row.date:%Y-%m-%d}（{'上班' if row.is_workday else '放假'}），受影响办件的期限已重新计算。",
    )
    return redirect("centers:calendar")


@login_required
@require_POST
def calendar_override_remove(request: HttpRequest, pk: int) -> HttpResponse:
    row = cal.calendar_override_get(by=_me(request), pk=pk)
    if row.district_id is None:
        raise NotFound("适用于全部区县的调整在后台维护。")
    cal.calendar_override_delete(by=_me(request), override=row)
    messages.success(request, f"已删除 {row.date:%Y-%m-%d} 的调整，受影响办件的期限已重新计算。")
    return redirect("centers:calendar")


def _arrangement_input(form: ArrangementForm) -> dict[str, Any]:
    """The form's text as the service takes it (a badly written line: DomainError on its field)."""
    data = form.cleaned_data
    return {
        "number": data.get("number") or "",
        "title": data.get("title") or "",
        "periods": cal.periods_from_text(data.get("periods") or ""),
        "makeups": cal.makeups_from_text(data.get("makeups") or ""),
    }


@login_required
@require_http_methods(["GET", "POST"])
def arrangement_new(request: HttpRequest) -> HttpResponse:
    """Enter a year's national arrangement whole; it waits for a second person."""
    _district_id(request)
    form = ArrangementForm(request.POST or None)
    ctx: dict[str, Any] = {"form": form, "arrangement": None}
    if not (request.method == "POST" and form.is_valid()):
        return render(request, "centers/arrangement_form.html", ctx, status=400 if form.errors else 200)
    errors_show_on(request, "centers/arrangement_form.html", ctx, form=form)
    arrangement = cal.holiday_arrangement_create(
        by=_me(request), year=form.cleaned_data.get("year"), **_arrangement_input(form)
    )
    messages.success(
        request, f"已录入 {arrangement.year} 年节假日安排，须由区政务办另一位工作人员核对确认后生效。"
    )
    return redirect("centers:arrangement", arrangement.pk)


@login_required
@require_http_methods(["GET", "POST"])
def arrangement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    arrangement = cal.holiday_arrangement_get(by=_me(request), pk=pk)
    initial = {
        "number": arrangement.number,
        "title": arrangement.title,
        "periods": cal.periods_as_text(arrangement),
        "makeups": cal.makeups_as_text(arrangement),
    }
    form = ArrangementForm(request.POST or None, initial=initial, editing=True)
    ctx: dict[str, Any] = {"form": form, "arrangement": arrangement}
    if not (request.method == "POST" and form.is_valid()):
        return render(request, "centers/arrangement_form.html", ctx, status=400 if form.errors else 200)
    errors_show_on(request, "centers/arrangement_form.html", ctx, form=form)
    changed = cal.holiday_arrangement_update(
        by=_me(request),
        arrangement=arrangement,
        reason=form.cleaned_data.get("reason") or "",
        **_arrangement_input(form),
    )
    messages.success(
        request,
        f"已修改 {arrangement.year} 年节假日安排，须由第二人重新确认。"
        + (f"{changed.cases_changed} 件办件的期限改为待定。" if changed.cases_changed else ""),
    )
    return redirect("centers:arrangement", arrangement.pk)


def _history(arrangement: HolidayArrangement) -> list[Any]:
    """The arrangement's history with its periods' and make-up days', newest first."""
    from govhall.core.models import HolidayPeriod, MakeUpWorkday

    labels = {
        f.name: str(f.verbose_name)
        for f in HolidayArrangement._meta.get_fields()
        if hasattr(f, "verbose_name")
    }
    rows = list(
        chain(
            arrangement.history.select_related("history_user"),
            HolidayPeriod.history.filter(arrangement_id=arrangement.pk).select_related("history_user"),
            MakeUpWorkday.history.filter(arrangement_id=arrangement.pk).select_related("history_user"),
        )
    )
    rows.sort(key=lambda r: (r.history_date, r.history_id), reverse=True)
    for record in rows:
        record.kind_label = HISTORY_KINDS.get(record.history_type, record.history_type)
        record.who = record.history_user.display_name if record.history_user else "系统"
        record.what = str(record.instance) if not isinstance(record.instance, HolidayArrangement) else ""
        record.field_changes = (
            [{**c, "label": labels.get(c["field"], c["field"])} for c in changed_fields(record)]
            if isinstance(record.instance, HolidayArrangement)
            else []
        )
    return rows


@login_required
def arrangement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    me = _me(request)
    arrangement = cal.holiday_arrangement_get(by=me, pk=pk)
    ctx = {
        "arrangement": arrangement,
        "history": _history(arrangement),
        "mine": arrangement.entered_by_id == me.pk,
        "editable": arrangement.district_id is not None,
        "reason_form": ReasonForm(),
    }
    return render(request, "centers/arrangement_detail.html", ctx)


@login_required
@require_POST
def arrangement_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """确认 (a second person), 退回待确认, 删除 — each with its consequence on the deadlines."""
    me = _me(request)
    arrangement = cal.holiday_arrangement_get(by=me, pk=pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason") or ""
    ctx = {
        "arrangement": arrangement,
        "history": _history(arrangement),
        "mine": arrangement.entered_by_id == me.pk,
        "editable": arrangement.district_id is not None,
        "reason_form": form,
    }
    errors_show_on(request, "centers/arrangement_detail.html", ctx, form=form)
    year = arrangement.year
    if action == "confirm":
        changed = cal.holiday_arrangement_confirm(by=me, arrangement=arrangement)
        messages.success(
            request, f"已确认 {year} 年节假日安排。已计算或调整 {changed.cases_changed} 件办件的期限。"
        )
    elif action == "reopen":
        changed = cal.holiday_arrangement_reopen(by=me, arrangement=arrangement, reason=reason)
        messages.success(
            request, f"{year} 年节假日安排已退回待确认。{changed.cases_changed} 件办件的期限改为待定。"
        )
    elif action == "delete":
        n = cal.holiday_arrangement_delete(by=me, arrangement=arrangement, reason=reason)
        messages.success(
            request, f"已删除 {year} 年节假日安排。" + (f"{n} 件办件的期限改为待定。" if n else "")
        )
        return redirect("centers:calendar")
    else:
        raise NotFound("没有这个操作。")
    return redirect("centers:arrangement", arrangement.pk)


# --- the district's password expiry (kept with the district's other settings) -------------------


@login_required
@require_http_methods(["GET", "POST"])
def password_policy(request: HttpRequest) -> HttpResponse:
    """The district office sets how long its staff's passwords may be used."""
    from .services import district_password_policy_set, password_policy_district

    district = password_policy_district(_me(request))
    form = PasswordPolicyForm(request.POST or None, initial={"max_age_days": district.password_max_age_days})
    ctx: dict[str, Any] = {"form": form, "district": district}
    if not (request.method == "POST" and form.is_valid()):
        return render(request, "centers/password_policy.html", ctx, status=400 if form.errors else 200)
    errors_show_on(request, "centers/password_policy.html", ctx, form=form)
    district = district_password_policy_set(
        by=_me(request), district=district, max_age_days=form.cleaned_data["max_age_days"]
    )
    days = district.password_max_age_days
    messages.success(request, f"已设置：工作人员密码{f'最长使用 {days} 天' if days else '不过期'}。")
    return redirect("centers:password_policy")
