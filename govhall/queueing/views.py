"""Pages: the kiosk, the phone ticket page, the hall board (with its SSE
stream), appointments, and the clerk's window console. Every change goes
through the services; a refused action is answered by the page door
(core.page_errors): its message on the page the request came from."""

from __future__ import annotations

import asyncio
import io
import json
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import segno
from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from govhall.accounts.selectors import centers_visible_to, visible_center_ids
from govhall.catalog.selectors import item_get
from govhall.core.db import release_connections
from govhall.core.errors import DomainError
from govhall.core.page_errors import errors_show_on
from govhall.core.qr import qr_svg

from . import citizen, live, selectors, services
from .events import board_payload
from .extensions import ticket_rating_path
from .hours import taking_day, taking_refusal
from .models import AppointmentSlot, Queue, Ticket, Window
from .permissions import access_hall, can

# --- kiosk and phone: taking a number ----------------------------------------------


def _queues_waiting(center) -> list[Queue]:
    """The hall's queues, each with its number of people waiting (`waiting`)."""
    queues = list(selectors.queues_of(center))
    counts = {q["letter"]: q["waiting"] for q in selectors.board_state(center, calls=0)["queues"]}
    for q in queues:
        q.waiting = counts.get(q.letter, 0)  # type: ignore[attr-defined]
    return queues


def _take_page(request, code: str, *, channel: str):
    center = selectors.hall_by_code(code)
    if (
        channel == Ticket.Channel.KIOSK
        and request.GET.get("large") != "0"
        and request.COOKIES.get("govhall_large") != "0"
    ):
        request.large_type = True  # 适老化 by default on the kiosk
    ctx = {
        "center": center,
        # Read only when the page is shown: a successful tap goes straight to its ticket.
        "queues": SimpleLazyObject(lambda: _queues_waiting(center)),
        "channel": channel,
        "idempotency_key": uuid.uuid4().hex,
        "reasons": Ticket.PriorityReason.choices,
        "large_type": getattr(request, "large_type", False),
        # Outside the hall's taking hours: the reason and the next time, before anyone taps.
        "closed": SimpleLazyObject(lambda: taking_refusal(center) or ""),
        # public17: a phone chooses the queue, then 绿色通道 once (one form), preselected from a guide.
        "chosen": request.POST.get("queue") or request.GET.get("queue", ""),
    }
    template = "queueing/kiosk.html" if channel == Ticket.Channel.KIOSK else "queueing/phone_take.html"
    if channel == Ticket.Channel.KIOSK:
        ctx |= _kiosk_mode(center)
        ctx["phone_url"] = request.build_absolute_uri(reverse("queueing:phone_take", args=[center.code]))
    if request.method == "POST":
        errors_show_on(request, template, ctx)
        queue = Queue.objects.filter(center=center, pk=request.POST.get("queue") or 0).first()
        if queue is None:
            raise DomainError("请选择要办理的业务。", field="queue")
        queue.center = center
        reason = request.POST.get("priority_reason", "")
        ticket = services.ticket_issue(
            queue=queue,
            kind="priority" if reason else "normal",
            priority_reason=reason,
            channel=channel,
            idempotency_key=request.POST.get("idempotency_key"),
        )
        url = reverse("queueing:ticket", args=[ticket.token])
        return redirect(
            f"{url}?from={channel}&hall={center.code}" if channel == Ticket.Channel.KIOSK else url
        )
    return render(request, template, ctx)


KIOSK_IDLE_SECONDS = 60


def _kiosk_mode(center) -> dict[str, Any]:
    """The kiosk's own frame: no site navigation or staff link, back to the start when idle."""
    return {
        "base_template": "queueing/kiosk_base.html",
        "kiosk_home": reverse("queueing:kiosk", args=[center.code]),
        "kiosk_hall_name": center.name,
        "kiosk_idle_seconds": KIOSK_IDLE_SECONDS,
    }


@require_http_methods(["GET", "POST"])
def kiosk(request, code):
    return _take_page(request, code, channel=Ticket.Channel.KIOSK)


@require_http_methods(["GET", "POST"])
def phone_take(request, code):
    return _take_page(request, code, channel=Ticket.Channel.PHONE)


@require_GET
def hall_qr(request, code):
    """The QR code on the hall's wall and kiosk: a phone opens the hall's take-a-number page."""
    center = selectors.hall_by_code(code)
    url = request.build_absolute_uri(reverse("queueing:phone_take", args=[center.code]))
    # A standalone SVG file (an <img> source) needs its XML namespace, unlike inline SVG in HTML.
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out, kind="svg", scale=6, title=f"{center.name} 手机取号", xmldecl=False, encoding="utf-8"
    )
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")  # XML: UTF-8 by default


def _ticket_context(ticket):
    return {"ticket": ticket, "position": selectors.ticket_position(ticket)}


def _rating_link(request, ticket) -> dict:
    """A finished ticket's 好差评 link and its QR, when a higher app answers
    `extensions.ticket_rating` (feedback does); nothing otherwise."""
    if ticket.status != Ticket.Status.DONE:
        return {}
    path = ticket_rating_path(ticket)
    if not path:
        return {}
    url = request.build_absolute_uri(path)
    return {"rating_url": url, "rating_qr": qr_svg(url, title="扫码评价本次服务")}


@require_GET
def ticket_page(request, token):
    ticket = selectors.ticket_get(token)
    ctx = _ticket_context(ticket) | _rating_link(request, ticket)
    ctx["from_kiosk"] = request.GET.get("from") == "kiosk"
    if ctx["from_kiosk"]:
        ctx |= _kiosk_mode(ticket.center)
    return render(request, "queueing/ticket.html", ctx)


@require_GET
def ticket_status(request, token):
    """The part of the phone page htmx refreshes every few seconds."""
    ticket = selectors.ticket_get(token)
    ctx = _ticket_context(ticket) | _rating_link(request, ticket)
    return render(request, "queueing/_ticket_status.html", ctx)


@require_POST
def ticket_requeue(request, token):
    """过号重排 by the ticket's holder (the phone page or the kiosk's ticket page)."""
    ticket = selectors.ticket_get(token)
    errors_show_on(request, "queueing/ticket.html", _ticket_context(ticket))
    ticket = services.ticket_requeue(ticket=ticket, by=request.user)
    messages.success(request, f"{ticket.code}号已重新排队，请留意叫号。")
    return redirect("queueing:ticket", token=token)


@require_POST
def ticket_sms(request, token):
    ticket = selectors.ticket_get(token)
    ctx = {**_ticket_context(ticket), "sms_phone": request.POST.get("phone", "")}
    errors_show_on(request, "queueing/ticket.html", ctx)
    services.ticket_set_phone(ticket=ticket, phone=request.POST.get("phone", ""))
    messages.success(request, "已登记：前面剩余人数较少时将短信提醒您。")
    return redirect("queueing:ticket", token=token)


# --- the board ---------------------------------------------------------------------


@require_GET
def board(request, code):
    center = selectors.hall_by_code(code)
    return render(request, "queueing/board.html", {**selectors.board_state(center), "code": center.code})


@require_GET
def board_live(request, code):
    center = selectors.hall_by_code(code)
    return render(request, "queueing/_board_live.html", selectors.board_state(center))


def _sse(event: str, payload: dict, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(payload, ensure_ascii=False, separators=(',', ':'))}\n\n"


KEEPALIVE_SECONDS = 15


def db_briefly(fn):
    """`fn` run in a thread (sync_to_async) that gives its database connection
    back when done: a board's stream stays open for hours, and holding a
    connection for each board would empty the pool."""

    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        finally:
            release_connections()

    return sync_to_async(run)


async def board_events(request, code):
    """Server-Sent Events: the board's live part at once, then on every call
    and change. EventSource reconnects by itself (after `retry`)."""
    center = await db_briefly(selectors.hall_get)(code)
    if center is None:
        raise Http404("没有找到该大厅。")
    return StreamingHttpResponse(
        board_stream(center),
        content_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


RECHECK_SECONDS = 5


def _latest_call_id(center) -> int:
    from .models import Call

    return Call.objects.filter(center=center).order_by("-id").values_list("id", flat=True).first() or 0


async def board_stream(center):
    """Without Redis a call made in another server process never reaches this
    one's pub/sub, so every few seconds the stream also looks for a newer call."""
    shared = bool(live.pubsub_url())
    async with live.subscribe(center.id) as queue:
        first = await db_briefly(board_payload)(center)
        last = first["last_call_id"]
        yield "retry: 2000\n\n"
        yield _sse("board", first, last)
        while True:
            try:
                data = await asyncio.wait_for(
                    queue.get(), timeout=KEEPALIVE_SECONDS if shared else RECHECK_SECONDS
                )
            except TimeoutError:
                if not shared and await db_briefly(_latest_call_id)(center) != last:
                    payload = await db_briefly(board_payload)(center)
                else:
                    yield ": keep-alive\n\n"
                    continue
            else:
                payload = json.loads(data)
            last = payload.get("last_call_id", last)
            yield _sse("board", payload, last)


# --- appointments ---------------------------------------------------------------------


def _booking_steps(request, center) -> dict[str, Any]:
    """The steps of a booking, read from the query string (so each works without JS):
    no queue → the items/queues with open slots; a queue → its days; a day → its slots."""
    ctx: dict[str, Any] = {"step": 1}
    item = item_get(request.GET.get("item", "")[:40]) if request.GET.get("item") else None
    queue = None
    if request.GET.get("queue", "").isdigit():
        queue = Queue.objects.filter(center=center, pk=int(request.GET["queue"]), is_active=True).first()
    posted = request.POST.get("slot", "")
    slot = AppointmentSlot.objects.filter(center=center, pk=int(posted)).first() if posted.isdigit() else None
    if slot is not None and queue is None:  # a posted slot says its queue and day (the form re-shown)
        queue = Queue.objects.filter(pk=slot.queue_id).first()
    options = citizen.booking_queues(center)
    if item is not None and queue is None:
        ctx["item"] = item
        fitting = [o for o in options if any(i.pk == item.pk for i in o.items)]
        if len(fitting) == 1:
            queue = fitting[0].queue
        elif not fitting:
            # Why this item cannot be booked here, and what to do instead.
            ctx["no_slots_for_item"] = True
            ctx["item_queues"] = citizen.queues_for_item(center, item)
        else:
            options = fitting
    ctx["options"] = options
    if queue is None:
        return ctx
    ctx.update(step=2, queue=queue, item=item, days=citizen.booking_days(center, queue))
    try:
        day = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        if slot is None or slot.queue_id != queue.pk:
            return ctx
        day = slot.date
    ctx.update(step=3, day=day, slots=citizen.booking_slots(center, queue, day))
    return ctx


@require_http_methods(["GET", "POST"])
def appointment_book(request, code):
    center = selectors.hall_by_code(code)
    values = {k: request.POST.get(k, "").strip() for k in ("slot", "name", "id_number", "phone")}
    ctx = {"center": center, "values": values, **_booking_steps(request, center)}
    if request.method == "POST":
        errors_show_on(request, "queueing/appointment_book.html", ctx)
        slot = (
            AppointmentSlot.objects.filter(center=center, pk=values["slot"] or 0)
            .select_related("center")
            .first()
        )
        if slot is None:
            raise DomainError("请选择预约时段。", field="slot")
        appointment = services.appointment_book(
            slot=slot,
            name=values["name"],
            id_number=values["id_number"],
            phone=values["phone"],
            by=request.user,
        )
        messages.success(request, "预约成功。请保存本页链接，办理当天到大厅签到。")
        return redirect("queueing:appointment", token=appointment.token)
    return render(request, "queueing/appointment_book.html", ctx)


@require_GET
def appointment_page(request, token):
    appointment = selectors.appointment_get(token)
    return render(request, "queueing/appointment.html", {"appointment": appointment})


@require_POST
def appointment_action(request, token, action):
    if action not in {"cancel", "check_in"}:
        raise Http404("没有找到该预约。")
    appointment = selectors.appointment_get(token)
    errors_show_on(request, "queueing/appointment.html", {"appointment": appointment})
    if action == "cancel":
        services.appointment_cancel(appointment=appointment, by=request.user)
        messages.success(request, "预约已取消。")
        return redirect("queueing:appointment", token=token)
    ticket = services.appointment_check_in(appointment=appointment, by=request.user)
    messages.success(request, f"签到成功，您的号码是 {ticket.code}。")
    return redirect("queueing:ticket", token=ticket.token)


# --- the clerk's window console --------------------------------------------------------


def _waiting_per_queue(window: Window) -> dict[Queue, int]:
    day = timezone.localdate()
    return {q: selectors.waiting_tickets([q.id], day=day).count() for q in window.queues.all()}


def _console_context(request) -> dict[str, Any]:
    """What the console shows; the counts are read only when it is shown (an
    action that goes through redirects without them)."""
    window = selectors.window_of_clerk(request.user)
    ctx: dict[str, Any] = {
        "window": window,
        "windows": selectors.windows_for_clerk(request.user),
        "issue_key": uuid.uuid4().hex,
    }
    if window is not None:
        day = timezone.localdate()
        ctx["current"] = SimpleLazyObject(lambda: selectors.window_current_ticket(window))
        ctx["waiting"] = SimpleLazyObject(lambda: _waiting_per_queue(window))
        ctx["hall_queues"] = selectors.queues_of(window.center)
        ctx["hall_windows"] = Window.objects.filter(center=window.center).exclude(pk=window.pk)
        ctx["recent"] = (
            Ticket.objects.filter(window=window, day=day)
            .exclude(status__in=[Ticket.Status.CALLED, Ticket.Status.SERVING])
            .order_by("-finished_at")[:8]
        )
        ctx["can_stats"] = can(request.user, window.center, "stats")
    ctx["rule_halls"] = [
        c for c in centers_visible_to(request.user).order_by("code") if can(request.user, c, "manage")
    ]
    return ctx


@login_required
@require_GET
def console(request):
    return render(request, "queueing/console.html", _console_context(request))


# action → (service, what to say when done; a call says which number it called)
WINDOW_ACTIONS: dict[str, tuple[Callable[..., Window | Ticket | None], str]] = {
    "open": (services.window_open, "已开窗，可以开始叫号。"),
    "call": (services.ticket_call_next, ""),
    "recall": (services.ticket_recall, "已重呼。"),
    "start": (services.ticket_start, "开始办理。"),
    "no_show": (services.ticket_no_show, "已标记过号。"),
    "finish": (services.ticket_finish, "已办结。"),
    "pause": (services.window_pause, "窗口已暂停。"),
    "resume": (services.window_resume, "窗口已恢复服务。"),
    "close": (services.window_close, "窗口已关闭。"),
    "transfer": (services.ticket_transfer, "已转移。"),
}


@login_required
@require_POST
def window_action(request, pk, action):
    if action not in WINDOW_ACTIONS:
        raise Http404
    window = selectors.window_get(user=request.user, pk=pk)
    fn, done = WINDOW_ACTIONS[action]
    kwargs = {}
    if action == "pause":
        kwargs["reason"] = request.POST.get("reason", "")
    if action == "transfer":
        kwargs["to_queue"] = Queue.objects.filter(
            center_id=window.center_id, pk=request.POST.get("to_queue") or 0
        ).first()
        kwargs["to_window"] = Window.objects.filter(
            center_id=window.center_id, pk=request.POST.get("to_window") or 0
        ).first()
    errors_show_on(request, "queueing/console.html", _console_context(request))
    result = fn(window=window, by=request.user, **kwargs)
    if action == "call":
        done = f"已叫 {result.code} 号。" if isinstance(result, Ticket) else "当前没有等候的号。"
    messages.success(request, done)
    return redirect("queueing:console")


@login_required
@require_POST
def clerk_requeue(request, pk):
    """过号重排 by a clerk at the console: a no-show ticket of a hall they can see."""
    ticket = get_object_or_404(Ticket, pk=pk, center_id__in=visible_center_ids(request.user))
    errors_show_on(request, "queueing/console.html", _console_context(request))
    ticket = services.ticket_requeue(ticket=ticket, by=request.user)
    messages.success(request, f"{ticket.code}号已过号重排。")
    return redirect("queueing:console")


@login_required
@require_POST
def clerk_issue(request):
    """A clerk takes a number for someone at the counter (e.g. without a phone)."""
    queue = get_object_or_404(Queue.objects.select_related("center"), pk=request.POST.get("queue") or 0)
    reason = request.POST.get("priority_reason", "")
    errors_show_on(request, "queueing/console.html", _console_context(request))
    ticket = services.ticket_issue(
        queue=queue,
        by=request.user,
        channel=Ticket.Channel.CLERK,
        kind="priority" if reason else "normal",
        priority_reason=reason,
        idempotency_key=request.POST.get("idempotency_key"),
    )
    messages.success(request, f"已代取号：{ticket.code}。")
    return redirect("queueing:console")


# --- the hall's queue rules: cutoff, 过号重排, 限号 ---------------------------------------------


def _int_or_none(value: str, field: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise DomainError("请填写非负整数。", field=field)
    return int(value)


@login_required
@require_http_methods(["GET", "POST"])
def hall_rules(request, code):
    """A hall's manager sets when numbers stop before closing, where a 过号 ticket
    goes back in line, and each queue's 限号; today's hours are shown beside them."""
    center = selectors.hall_by_code(code)
    access_hall(request.user, center, action="manage")
    queues = list(selectors.queues_of(center))
    ctx = {
        "center": center,
        "rules": selectors.hall_rules(center),
        "queues": queues,
        "today": taking_day(center, timezone.localdate()),
        "closed": taking_refusal(center),
    }
    if request.method == "POST":
        errors_show_on(request, "queueing/hall_rules.html", ctx)
        services.hall_rules_set(
            by=request.user,
            center=center,
            ticket_cutoff_minutes=_int_or_none(
                request.POST.get("ticket_cutoff_minutes", ""), "ticket_cutoff_minutes"
            ),
            no_show_requeue_after=_int_or_none(
                request.POST.get("no_show_requeue_after", ""), "no_show_requeue_after"
            ),
        )
        for q in queues:
            cap = _int_or_none(request.POST.get(f"cap-{q.pk}", ""), "daily_cap")
            if cap != q.daily_cap:
                services.queue_set_daily_cap(by=request.user, queue=q, daily_cap=cap)
        messages.success(request, "已保存排队规则。")
        return redirect("queueing:hall_rules", code=center.code)
    return render(request, "queueing/hall_rules.html", ctx)


@login_required
@require_GET
def waiting_list(request):
    """今天的号: today's tickets of the halls the user sees, waiting ones unless
    ?status=all or another status (the workbench's figures link here)."""
    from django.core.paginator import Paginator

    f = {k: request.GET.get(k, "").strip()[:20] for k in ("center", "queue", "status")}
    qs = selectors.tickets_today_visible_to(
        request.user, center=f["center"], queue=f["queue"], status=f["status"] or Ticket.Status.WAITING
    )
    return render(
        request,
        "queueing/waiting_list.html",
        {
            "page": Paginator(qs, 50).get_page(request.GET.get("page")),
            "f": f,
            "centers": centers_visible_to(request.user).order_by("code"),
            "statuses": Ticket.Status.choices,
            "now": timezone.now(),
        },
    )
