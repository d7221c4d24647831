"""好差评 for the public (issue 15): the phone channel (`/rate/<token>/`, the QR
on the ticket page and on each case notice), the account channel (the
citizen's own cases: rate a step, then rate the fix of a bad rating), and the
monthly figures of a hall (`/centers/<code>/ratings/`). Also the answers to the
lower apps' extension points that ask where something may be rated.

No page here shows personal data: not the rater, not the applicant's name,
phone or ID number."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from govhall.cases.models import Case
from govhall.centers.models import Center
from govhall.centers.selectors import PUBLIC_STATUSES, center_public_get
from govhall.core.errors import DomainError, NotFound
from govhall.core.forms import AccessibleForm
from govhall.core.page_errors import errors_show_on

from . import selectors, services
from .models import OFFLINE_INDICATORS, ONLINE_INDICATORS, Level, Rating

LEVEL_CHOICES = [(int(lv), lv.label) for lv in sorted(Level, reverse=True)]


class RateForm(AccessibleForm):
    """Five levels; a bad one asks which indicators and (optionally) what went wrong."""

    level = forms.TypedChoiceField(
        label="您对本次服务的评价", choices=LEVEL_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    indicators = forms.MultipleChoiceField(
        label="不满意的方面",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="选择“不满意”或“非常不满意”时请至少勾选一项。",
    )
    text = forms.CharField(
        label="意见或建议（可不填）", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *a: Any, online: bool = False, **kw: Any) -> None:
        super().__init__(*a, **kw)
        names = ONLINE_INDICATORS if online else OFFLINE_INDICATORS
        self.fields["indicators"].choices = list(names.items())  # type: ignore[attr-defined]


class FixRateForm(AccessibleForm):
    level = forms.TypedChoiceField(
        label="您对整改结果的评价", choices=LEVEL_CHOICES, coerce=int, widget=forms.RadioSelect
    )


def _what(event: services.Event) -> dict[str, str]:
    """What is rated, as the page shows it: never a person's data."""
    if event.ticket is not None:
        service = event.ticket.queue.name if event.ticket.queue_id else ""
        where = f"{event.window.number} 号窗口" if event.window is not None else ""
    else:
        service = event.item.name if event.item is not None else ""
        where = "网上办理" if event.online else "窗口办理"
    return {"label": event.label, "center": event.center.name, "service": service, "where": where}


def _rated(event: services.Event, channel: str) -> Rating | None:
    return (
        Rating.objects.filter(ticket=event.ticket, case=event.case, step=event.step, channel=channel)
        .select_related("rectification")
        .first()
    )


def _problem_status(exc: DomainError) -> int:
    return 404 if isinstance(exc, NotFound) else (409 if exc.status == 409 else 400)


def _rate_page(request, event: Any, channel: str, **extra: Any) -> tuple[str, Any, Any, Any, dict[str, Any]]:
    """What both rating pages (phone and account) show and read: the rating given by this
    channel if any, the rating form, the form to rate the fix, and the page's context."""
    rating = _rated(event, channel)
    action = request.POST.get("action", "rate")
    posted = request.method == "POST"
    form = RateForm(request.POST if posted and action == "rate" else None, online=event.online)
    fix_form = FixRateForm(request.POST if posted and action == "fix" else None)
    ctx: dict[str, Any] = {
        "what": _what(event),
        "rating": rating,
        "rect": selectors.rating_fix_answered(rating),
        "form": form,
        "fix_form": fix_form,
        "action_url": request.path,
        **extra,
    }
    return action, rating, form, fix_form, ctx


@require_http_methods(["GET", "POST"])
def rate(request, token: str):
    """The phone channel: the page a QR opens. Real-name when the citizen is signed in."""
    try:
        event = services.qr_event(token)
    except DomainError as exc:
        # Expired, forged or not yet happened: a plain message instead of the form; nothing written.
        return render(request, "feedback/rate.html", {"problem": exc.message}, status=_problem_status(exc))
    action, rating, form, fix_form, ctx = _rate_page(request, event, Rating.Channel.QR)
    if request.method == "POST":
        if action == "fix":
            errors_show_on(request, "feedback/rate.html", ctx, form=fix_form)
            if fix_form.is_valid():
                services.rect_rate_fix(token=token, level=fix_form.cleaned_data["level"])
                messages.success(request, "感谢您对整改结果的评价。")
                return redirect(request.path)
        else:
            errors_show_on(request, "feedback/rate.html", ctx, form=form)
            if form.is_valid():
                d = form.cleaned_data
                services.rating_by_qr(
                    token=token,
                    level=d["level"],
                    indicators=d["indicators"],
                    text=d["text"],
                    rater=request.user,
                )
                messages.success(request, "感谢您的评价！")
                return redirect(request.path)
        return render(request, "feedback/rate.html", ctx, status=400)
    return render(request, "feedback/rate.html", ctx)


# ── the account channel: the citizen's own case ──


def _citizen_case(request, pk: int) -> Case:
    case = Case.objects.select_related("center", "item").filter(pk=pk).first()
    if case is None or case.applicant_user_id != request.user.pk:
        raise Http404("没有找到该办件。")
    return case


@require_http_methods(["GET", "POST"])
def my_rate(request, pk: int, step: str):
    """The citizen rates a step of their own case (接件/受理/办结), then may rate the fix."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('cases:citizen_login')}?next={quote(request.get_full_path())}")
    case = _citizen_case(request, pk)
    if step not in services.CASE_STEPS:
        raise Http404("没有该环节。")
    back = reverse("cases:my")
    try:
        event = services.event_resolve(Rating.EventKind.CASE, case.pk, step)
    except DomainError as exc:
        return render(
            request, "feedback/rate.html", {"problem": exc.message, "back": back}, status=_problem_status(exc)
        )
    action, rating, form, fix_form, ctx = _rate_page(request, event, Rating.Channel.ACCOUNT, back=back)
    if request.method == "POST":
        if action == "fix":
            errors_show_on(request, "feedback/rate.html", ctx, form=fix_form)
            if fix_form.is_valid():
                if rating is None:
                    raise DomainError("该环节尚未评价。")
                services.rect_rate_fix_by_account(
                    by=request.user, rating=rating, level=fix_form.cleaned_data["level"]
                )
                messages.success(request, "感谢您对整改结果的评价。")
                return redirect(request.path)
        else:
            errors_show_on(request, "feedback/rate.html", ctx, form=form)
            if form.is_valid():
                d = form.cleaned_data
                services.rating_by_account(
                    case=case,
                    step=step,
                    by=request.user,
                    level=d["level"],
                    indicators=d["indicators"],
                    text=d["text"],
                )
                messages.success(request, "感谢您的评价！")
                return redirect(request.path)
        return render(request, "feedback/rate.html", ctx, status=400)
    return render(request, "feedback/rate.html", ctx)


# ── the public monthly figures of a hall ──


def month_bounds(raw: str | None, *, today: date | None = None) -> tuple[date, date]:
    """The first and last day of `raw` (YYYY-MM; default this month). Refused when
    malformed or in the future."""
    today = today or timezone.localdate()
    if not raw:
        year, month = today.year, today.month
    else:
        try:
            y, m = raw.split("-")
            if len(y) != 4 or len(m) != 2:
                raise ValueError
            year, month = int(y), int(m)
            date(year, month, 1)
        except ValueError:
            raise DomainError("月份格式应为 YYYY-MM，例如 2026-11。", field="month") from None
        if (year, month) > (today.year, today.month):
            raise DomainError("只能查看本月及以前的月份。", field="month")
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _months_before(first: date, n: int = 12) -> list[str]:
    out, y, m = [], first.year, first.month
    for _ in range(n):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        out.append(f"{y:04d}-{m:02d}")
    return out


def public_center(code: str) -> Center:
    center = center_public_get(code)
    if center is None or center.status not in [*PUBLIC_STATUSES, Center.Status.MERGED]:
        raise NotFound("没有找到该中心。")
    return center


def center_ratings(request, code: str):
    """好差评 of one hall for a month: by level, item and window; rectified bad ratings."""
    center = public_center(code)
    first, last = month_bounds(request.GET.get("month"))
    figures = selectors.center_month(center.pk, first, last)
    return render(
        request,
        "feedback/center_ratings.html",
        {
            "center": center,
            "month": f"{first:%Y-%m}",
            "month_label": f"{first.year} 年 {first.month} 月",
            "earlier": _months_before(first),
            "f": figures,
        },
    )
