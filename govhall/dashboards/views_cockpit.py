"""The district cockpit's pages: the figures, the tickets behind them, and their Excel files.
The API (api_cockpit.py) calls the same selectors (cockpit.py)."""

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from govhall.accounts.models import User
from govhall.core.pages import xlsx_response

from .cockpit import cockpit_figures, cockpit_tickets, period_parse, ticket_row

EXPORT_MAX = 50_000
TICKET_HEADER = [
    "日期",
    "中心",
    "号码",
    "队列",
    "状态",
    "取号",
    "叫号",
    "等候（分钟）",
    "窗口",
    "手机（脱敏）",
]


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # login_required: never anonymous here


HALLS_PER_PAGE = 50


def _charts(data: dict[str, Any], halls: list[dict[str, Any]]) -> dict[str, Any]:
    """What cockpit.js draws (also shown in the tables beside each chart); the side-by-side
    chart compares the halls of the table's page."""
    return {
        "trend": data["trend"],
        "by_hour": data["by_hour"],
        "halls": [
            {
                "name": h["name"],
                "tickets": h["tickets"],
                "wait_mean": h["wait_mean"],
                "wait_p90": h["wait_p90"],
            }
            for h in halls
        ],
    }


@login_required
def cockpit(request: HttpRequest) -> HttpResponse:
    period = period_parse(request.GET.get("period"), request.GET.get("on"))
    data = cockpit_figures(user=_user(request), period=period)
    # The ranking is over every hall; the table shows one page of it (a province has 1,000),
    # optionally only the halls whose name or code holds `q`.
    q = (request.GET.get("q") or "").strip()[:50]
    halls = [h for h in data["halls"] if q in h["name"] or q.upper() in h["code"]] if q else data["halls"]
    page = Paginator(halls, HALLS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboards/cockpit.html",
        {
            **data,
            "halls_page": page,
            "q": q,
            "charts": _charts(data, list(page.object_list)),
            "kinds": [("day", "日"), ("week", "周"), ("month", "月")],
        },
    )


@login_required
def cockpit_export(request: HttpRequest) -> HttpResponse:
    period = period_parse(request.GET.get("period"), request.GET.get("on"))
    data = cockpit_figures(user=_user(request), period=period)
    header = [
        "排名", "中心", "取号", "办结", "过号", "平均等候（分钟）", "九成等候不超过（分钟）", "上期取号",
        "受理", "办结办件", "按期办结率（%）", "超期", "黄牌", "红牌", "设岗窗口·天", "缺岗半天",
        "评价", "差评", "整改未办结", "投诉", "标准化得分",
    ]  # fmt: skip
    rows = [
        [
            h["rank"],
            h["name"],
            h["tickets"],
            h["served"],
            h["no_show"],
            h["wait_mean"],
            h["wait_p90"],
            h["previous_tickets"],
            h["cases_accepted"],
            h["cases_done"],
            h["on_time_rate"],
            h["cases_overdue"],
            h["warned_yellow"],
            h["warned_red"],
            h["posts"],
            h["gaps"],
            h["ratings"],
            h["ratings_bad"],
            h["rect_open"],
            h["complaints"],
            h["standard_score"],
        ]  # fmt: skip
        for h in data["halls"]
    ]
    label = data["period"]["label"]
    return xlsx_response(f"驾驶舱 {label}.xlsx", "各中心", header, rows)


def _tickets(request: HttpRequest) -> dict[str, Any]:
    return cockpit_tickets(
        user=_user(request),
        hall=request.GET.get("hall", "").strip(),
        since=request.GET.get("since", "").strip(),
        until=request.GET.get("until", "").strip(),
    )


@login_required
def tickets(request: HttpRequest) -> HttpResponse:
    data = _tickets(request)
    page = Paginator(data["tickets"], 50).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboards/cockpit_tickets.html",
        {**data, "page": page, "rows": [ticket_row(t) for t in page.object_list]},
    )


@login_required
def tickets_export(request: HttpRequest) -> HttpResponse:
    data = _tickets(request)
    rows = [list(ticket_row(t).values()) for t in data["tickets"][:EXPORT_MAX]]
    return xlsx_response(
        f"排队等候明细 {data['hall_name']} {data['since']}至{data['until']}.xlsx",
        "排队号",
        TICKET_HEADER,
        rows,
    )
