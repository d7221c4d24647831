"""The statistics page and its Excel export."""

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from govhall.accounts.selectors import centers_visible_to
from govhall.core.errors import DomainError
from govhall.core.page_errors import errors_show_on
from govhall.core.pages import xlsx_download

from .permissions import can
from .stats import COLUMNS, GROUPS, stats_workbook, ticket_stats

BAD_DATE = "日期格式应为 YYYY-MM-DD。"


def _date(value: str, default: date, field: str, errors: dict[str, list[str]]) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = [BAD_DATE]
        return default


def stat_centers(user):
    return [c for c in centers_visible_to(user).order_by("kind", "code") if can(user, c, "stats")]


@login_required
@require_GET
def stats(request):
    today = timezone.localdate()
    centers = stat_centers(request.user)
    errors: dict[str, list[str]] = {}
    until = _date(request.GET.get("until", ""), today, "until", errors)
    since = _date(request.GET.get("since", ""), until - timedelta(days=6), "since", errors)
    if since > until:
        errors.setdefault("since", ["开始日期不能晚于结束日期。"])
    group = request.GET.get("group", "queue")
    group = group if group in GROUPS else "queue"
    hall = request.GET.get("hall", "")
    ctx = {
        "centers": centers,
        "rows": [],
        "since": since,
        "until": until,
        "group": group,
        "groups": GROUPS,
        "hall": hall,
        "columns": COLUMNS,
    }
    if errors:
        errors_show_on(request, "queueing/stats.html", ctx)
        field, (message, *_) = next(iter(errors.items()))
        raise DomainError(message, field=field, errors=errors)
    chosen = [c for c in centers if not hall or c.code == hall]
    ctx["rows"] = ticket_stats(center_ids=[c.id for c in chosen], since=since, until=until, group=group)
    if request.GET.get("format") == "xlsx":
        content = stats_workbook(
            ctx["rows"], title=f"排队叫号统计 {since:%Y-%m-%d} 至 {until:%Y-%m-%d}（按{GROUPS[group]}）"
        )
        return xlsx_download(f"queue-stats-{since:%Y%m%d}-{until:%Y%m%d}.xlsx", content)
    return render(request, "queueing/stats.html", ctx)
