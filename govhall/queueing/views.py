"""Pages: the kiosk, the phone ticket page, the hall board (with its SSE
stream), appointments, and the clerk's window console. Every change goes
through the services; a refused action shows the service's message."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date

import segno
from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from govhall.core.db import release_connections
from govhall.core.errors import DomainError

from . import live, selectors, services
from .events import board_payload
from .models import AppointmentSlot, Queue, Ticket, Window
from .permissions import can

# --- kiosk and phone: taking a number ----------------------------------------------


def _hall_or_404(code: str):
    center = selectors.hall_get(code)
    if center is None:
        raise Http404("没有找到该大厅。")
    return center


def _take_page(request, code: str, *, channel: str):
    center = _hall_or_404(code)
    if (
        channel == Ticket.Channel.KIOSK
        and request.GET.get("large") != "0"
        and request.COOKIES.get("govhall_large") != "0"
    ):
        request.large_type = True  # 适老化 by default on the kiosk
    error = None
    status = 200
    if request.method == "POST":
        queue = Queue.objects.filter(center=center, pk=request.POST.get("queue") or 0).first()
        reason = request.POST.get("priority_reason", "")
        try:
            if queue is None:
                raise DomainError("请选择要办理的业务。", field="queue")
            ticket = services.ticket_issue(
                queue=queue,
                kind="priority" if reason else "normal",
                priority_reason=reason,
                channel=channel,
                idempotency_key=request.POST.get("idempotency_key"),
            )
        except DomainError as exc:
            error, status = exc.message, 400
        else:
            url = reverse("queueing:ticket", args=[ticket.token])
            return redirect(
                f"{url}?from={channel}&hall={center.code}" if channel == Ticket.Channel.KIOSK else url
            )
    queues = list(selectors.queues_of(center))
    counts = {q["letter"]: q["waiting"] for q in selectors.board_state(center, calls=0)["queues"]}
    for q in queues:
        q.waiting = counts.get(q.letter, 0)
    return render(
        request,
        "queueing/kiosk.html",
        {
            "center": center,
            "queues": queues,
            "channel": channel,
            "error": error,
            "idempotency_key": uuid.uuid4().hex,
            "reasons": Ticket.PriorityReason.choices,
            "large_type": getattr(request, "large_type", False),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def kiosk(request, code):
    return _take_page(request, code, channel=Ticket.Channel.KIOSK)


@require_http_methods(["GET", "POST"])
def phone_take(request, code):
    return _take_page(request, code, channel=Ticket.Channel.PHONE)


@require_GET
def hall_qr(request, code):
    """The QR code on the hall's wall and kiosk: a phone opens the hall's take-a-number page."""
    center = _hall_or_404(code)
    url = request.build_absolute_uri(reverse("queueing:phone_take", args=[center.code]))
    svg = segno.make(url, error="m").svg_inline(scale=6, title=f"{center.name} 手机取号")
    return HttpResponse(svg, content_type="image/svg+xml")


def _ticket_context(ticket):
    return {"ticket": ticket, "position": selectors.ticket_position(ticket)}


@require_GET
def ticket_page(request, token):
    ticket = selectors.ticket_by_token(token)
    if ticket is None:
        raise Http404("没有找到该排队号。")
    ctx = _ticket_context(ticket)
    ctx["from_kiosk"] = request.GET.get("from") == "kiosk"
    return render(request, "queueing/ticket.html", ctx)


@require_GET
def ticket_status(request, token):
    """The part of the phone page htmx refreshes every few seconds."""
    ticket = selectors.ticket_by_token(token)
    if ticket is None:
        raise Http404("没有找到该排队号。")
    return render(request, "queueing/_ticket_status.html", _ticket_context(ticket))


@require_POST
def ticket_sms(request, token):
    ticket = selectors.ticket_by_token(token)
    if ticket is None:
        raise Http404("没有找到该排队号。")
    try:
        services.ticket_set_phone(ticket=ticket, phone=request.POST.get("phone", ""))
    except DomainError as exc:
        ctx = _ticket_context(ticket)
        ctx.update(sms_error=exc.message, sms_phone=request.POST.get("phone", ""))
        return render(request, "queueing/ticket.html", ctx, status=400)
    messages.success(request, "已登记：前面剩余人数较少时将短信提醒您。")
    return redirect("queueing:ticket", token=token)


# --- the board ---------------------------------------------------------------------


@require_GET
def board(request, code):
    center = _hall_or_404(code)
    return render(request, "queueing/board.html", {**selectors.board_state(center), "code": center.code})


@require_GET
def board_live(request, code):
    center = _hall_or_404(code)
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


@require_http_methods(["GET", "POST"])
def appointment_book(request, code):
    center = _hall_or_404(code)
    slots = list(selectors.slots_open(center))
    errors, values, status = {}, {}, 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in ("slot", "name", "id_number", "phone")}
        slot = (
            AppointmentSlot.objects.filter(center=center, pk=values["slot"] or 0)
            .select_related("center")
            .first()
        )
        try:
            if slot is None:
                raise DomainError("请选择预约时段。", field="slot")
            appointment = services.appointment_book(
                slot=slot,
                name=values["name"],
                id_number=values["id_number"],
                phone=values["phone"],
                by=request.user,
            )
        except DomainError as exc:
            errors = {exc.field or "top": exc.message}
            status = 400
        else:
            messages.success(request, "预约成功。请保存本页链接，办理当天到大厅签到。")
            return redirect("queueing:appointment", token=appointment.token)
    days: dict[date, list] = {}
    for s in slots:
        days.setdefault(s.date, []).append(s)
    return render(
        request,
        "queueing/appointment_book.html",
        {"center": center, "days": days, "errors": errors, "values": values},
        status=status,
    )


@require_GET
def appointment_page(request, token):
    appointment = selectors.appointment_by_token(token)
    if appointment is None:
        raise Http404("没有找到该预约。")
    return render(request, "queueing/appointment.html", {"appointment": appointment})


@require_POST
def appointment_action(request, token, action):
    appointment = selectors.appointment_by_token(token)
    if appointment is None or action not in {"cancel", "check_in"}:
        raise Http404("没有找到该预约。")
    try:
        if action == "cancel":
            services.appointment_cancel(appointment=appointment, by=request.user)
            messages.success(request, "预约已取消。")
        else:
            ticket = services.appointment_check_in(appointment=appointment, by=request.user)
            messages.success(request, f"签到成功，您的号码是 {ticket.code}。")
            return redirect("queueing:ticket", token=ticket.token)
    except DomainError as exc:
        return render(
            request,
            "queueing/appointment.html",
            {"appointment": appointment, "error": exc.message},
            status=400,
        )
    return redirect("queueing:appointment", token=token)


# --- the clerk's window console --------------------------------------------------------


def _console_context(request, **extra):
    window = selectors.window_of_clerk(request.user)
    ctx = {
        "window": window,
        "windows": selectors.windows_for_clerk(request.user),
        "issue_key": uuid.uuid4().hex,
        **extra,
    }
    if window is not None:
        ctx["current"] = selectors.window_current_ticket(window)
        day = timezone.localdate()
        counts = {}
        for q in window.queues.all():
            counts[q] = selectors.waiting_tickets([q.id], day=day).count()
        ctx["waiting"] = counts
        ctx["hall_queues"] = selectors.queues_of(window.center)
        ctx["hall_windows"] = Window.objects.filter(center=window.center).exclude(pk=window.pk)
        ctx["recent"] = (
            Ticket.objects.filter(window=window, day=day)
            .exclude(status__in=[Ticket.Status.CALLED, Ticket.Status.SERVING])
            .order_by("-finished_at")[:8]
        )
        ctx["can_stats"] = can(request.user, window.center, "stats")
    return ctx


@login_required
@require_GET
def console(request):
    return render(request, "queueing/console.html", _console_context(request))


WINDOW_ACTIONS = {
    "open": (services.window_open, "已开窗，可以开始叫号。"),
    "call": (services.ticket_call_next, None),
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
    window = get_object_or_404(Window.objects.select_related("center"), pk=pk)
    if action not in WINDOW_ACTIONS:
        raise Http404
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
    try:
        result = fn(window=window, by=request.user, **kwargs)
    except DomainError as exc:
        return render(
            request,
            "queueing/console.html",
            _console_context(request, error=exc.message, error_field=exc.field),
            status=400,
        )
    if action == "call":
        messages.success(request, f"已叫 {result.code} 号。" if result else "当前没有等候的号。")
    else:
        messages.success(request, done)
    return redirect("queueing:console")


@login_required
@require_POST
def clerk_issue(request):
    """A clerk takes a number for someone at the counter (e.g. without a phone)."""
    queue = get_object_or_404(Queue.objects.select_related("center"), pk=request.POST.get("queue") or 0)
    reason = request.POST.get("priority_reason", "")
    try:
        ticket = services.ticket_issue(
            queue=queue,
            by=request.user,
            channel=Ticket.Channel.CLERK,
            kind="priority" if reason else "normal",
            priority_reason=reason,
            idempotency_key=request.POST.get("idempotency_key"),
        )
    except DomainError as exc:
        return render(
            request, "queueing/console.html", _console_context(request, error=exc.message), status=400
        )
    messages.success(request, f"已代取号：{ticket.code}。")
    return redirect("queueing:console")
