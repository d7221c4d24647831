"""The statistics page and its Excel export."""

from datetime import date, timedelta
from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from govhall.accounts.selectors import centers_visible_to

from .permissions import can
from .stats import COLUMNS, GROUPS, stats_workbook, ticket_stats


def _date(value: str, default: date) -> tuple[date, str | None]:
    if not value:
        return default, None
    try:
        return date.fromisoformat(value), None
    except ValueError:
        return default, "日期格式应为 YYYY-MM-DD。"


def stat_centers(user):
    return [c for c in centers_visible_to(user).order_by("kind", "code") if can(user, c, "stats")]


@login_required
@require_GET
def stats(request):
    today = timezone.localdate()
    centers = stat_centers(request.user)
    until, err_until = _date(request.GET.get("until", ""), today)
    since, err_since = _date(request.GET.get("since", ""), until - timedelta(days=6))
    errors = {k: v for k, v in (("since", err_since), ("until", err_until)) if v}
    if since > until:
        errors["since"] = "开始日期不能晚于结束日期。"
    group = request.GET.get("group", "queue")
    group = group if group in GROUPS else "queue"
    hall = request.GET.get("hall", "")
    chosen = [c for c in centers if not hall or c.code == hall]
    rows = (
        []
        if errors
        else ticket_stats(center_ids=[c.id for c in chosen], since=since, until=until, group=group)
    )
    if request.GET.get("format") == "xlsx" and not errors:
        wb = stats_workbook(
            rows, title=f"排队叫号统计 {since:%Y-%m-%d} 至 {until:%Y-%m-%d}（按{GROUPS[group]}）"
        )
        buf = BytesIO()
        wb.save(buf)
        resp = HttpResponse(
            buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        resp["Content-Disposition"] = f'attachment; filename="queue-stats-{since:%Y%m%d}-{until:%Y%m%d}.xlsx"'
        return resp
    return render(
        request,
        "queueing/stats.html",
        {
            "centers": centers,
            "rows": rows,
            "since": since,
            "until": until,
            "group": group,
            "groups": GROUPS,
            "hall": hall,
            "errors": errors,
            "columns": COLUMNS,
        },
        status=400 if errors else 200,
    )
