"""GET /api/v1/cockpit and /api/v1/cockpit/tickets: the cockpit's JSON door (same selectors as the pages)."""

from datetime import date
from typing import Any

from ninja import Query, Router, Schema

from govhall.core.paging import limit_field, offset_field

from .cockpit import cockpit_figures, cockpit_tickets, period_parse, ticket_row

router = Router(tags=["驾驶舱"])


class CockpitQuery(Schema):
    period: str = "day"
    on: str = ""


class TicketsQuery(Schema):
    hall: str = ""
    since: str = ""
    until: str = ""
    limit: int = limit_field()
    offset: int = offset_field()


class TicketOut(Schema):
    day: date
    hall: str
    code: str
    queue: str
    status: str
    taken_at: str
    called_at: str
    wait_minutes: float | None
    window: str
    phone: str


class TicketsOut(Schema):
    hall: str
    hall_name: str
    since: date
    until: date
    count: int
    results: list[TicketOut]


@router.get("/cockpit", response=dict[str, Any], summary="驾驶舱：各中心的现状与两个周期对比（区政务办）")
def cockpit(request, q: Query[CockpitQuery]):
    return cockpit_figures(user=request.user, period=period_parse(q.period, q.on))


@router.get("/cockpit/tickets", response=TicketsOut, summary="驾驶舱下钻：某中心某时段的排队号及等候时间")
def cockpit_ticket_list(request, q: Query[TicketsQuery]):
    data = cockpit_tickets(user=request.user, hall=q.hall, since=q.since, until=q.until)
    qs = data.pop("tickets")
    rows = qs[q.offset : q.offset + q.limit]
    return {**data, "count": qs.count(), "results": [ticket_row(t) for t in rows]}
