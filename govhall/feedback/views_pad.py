"""The window's rating pad (评价器): the public pad page bound to its window by
a device token (kept in a long-lived httpOnly cookie), its live stream (SSE,
woken by queueing's `service_finished`), and the hall manager's page that
issues and revokes pads. Every change goes through feedback.services."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from govhall.accounts.views import photo_response
from govhall.core.errors import Refused
from govhall.core.page_errors import errors_show_on
from govhall.queueing import live
from govhall.queueing.models import Window
from govhall.queueing.views import db_briefly

from . import selectors, services
from .models import BAD_LEVELS, OFFLINE_INDICATORS, Level, RatingPad

PAD_COOKIE = "govhall_pad"
PAD_COOKIE_AGE = 5 * 365 * 24 * 3600  # the tablet is bookmarked once and stays bound
PAD_PAGE = "feedback/pad.html"
RECHECK_SECONDS = 5
KEEPALIVE_SECONDS = 15
LEVELS = [(int(v), label) for v, label in Level.choices]  # 5 非常满意 … 1 非常不满意


# ── the pad (public) ──


def _raw(request: HttpRequest) -> str:
    return request.COOKIES.get(PAD_COOKIE, "")


def _unbound(request: HttpRequest) -> HttpResponse:
    response = render(request, "feedback/pad_unbound.html", status=404)
    response.delete_cookie(PAD_COOKIE)
    return response


def _photo_url(clerk: Any) -> str:
    if clerk is None or not clerk.photo:
        return ""
    return f"{reverse('feedback:pad_photo')}?v={clerk.pk}-{clerk.photo.name.rsplit('/', 1)[-1]}"


def _pad_context(pad: RatingPad, **extra: Any) -> dict[str, Any]:
    state = selectors.pad_state(pad)
    return {
        **state,
        "photo_url": _photo_url(state["clerk"]),
        "levels": LEVELS,
        "bad_levels": [int(x) for x in BAD_LEVELS],
        "indicators": list(OFFLINE_INDICATORS.items()),
        "mode": "lit" if state["event"] is not None else "idle",
        "errors": {},
        **extra,
    }


@require_GET
def pad(request: HttpRequest) -> HttpResponse:
    """The pad. `?token=` binds this device once (then the cookie keeps it) and
    is taken out of the address at once, so it stays in no history or bookmark."""
    token = request.GET.get("token")
    if token is not None:
        if selectors.pad_by_token(token) is None:
            return _unbound(request)
        response = redirect("feedback:pad")
        response.set_cookie(
            PAD_COOKIE,
            token,
            max_age=PAD_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
        return response
    found = selectors.pad_by_token(_raw(request))
    if found is None:
        return _unbound(request)
    return render(request, PAD_PAGE, _pad_context(found))


@require_GET
def pad_live(request: HttpRequest) -> HttpResponse:
    """The pad's live part (idle or lit): the polling fallback when SSE fails."""
    found = selectors.pad_by_token(_raw(request))
    if found is None:
        return HttpResponse("评价器未绑定或已停用，请联系大厅负责人。", status=404)
    return render(request, "feedback/_pad_live.html", _pad_context(found))


def _pad_payload(pad_id: int) -> dict[str, Any] | None:
    from django.template.loader import render_to_string

    found = RatingPad.objects.filter(pk=pad_id, revoked=False).first()
    if found is None:
        return None
    ctx = _pad_context(found)
    return {
        "html": render_to_string("feedback/_pad_live.html", ctx),
        "mode": ctx["mode"],
        "ticket": ctx["ticket_id"] or (f"case-step-{ctx['pad_step_id']}" if ctx["pad_step_id"] else None),
    }


async def pad_events(request: HttpRequest) -> StreamingHttpResponse:
    """Server-Sent Events: the pad's live part at once, then whenever its window
    finishes a service (and, without Redis, when a re-check every 5 s finds a change)."""
    found = await db_briefly(selectors.pad_by_token)(_raw(request))
    if found is None:
        raise Http404("评价器未绑定或已停用。")
    return StreamingHttpResponse(
        _pad_stream(found.pk, found.window_id),
        content_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _sse(payload: dict[str, Any]) -> str:
    return f"event: pad\ndata: {json.dumps(payload, ensure_ascii=False, separators=(',', ':'))}\n\n"


async def _pad_stream(pad_id: int, window_id: int):
    shared = bool(live.pubsub_url())
    async with live.subscribe(services.pad_channel(window_id)) as queue:
        payload = await db_briefly(_pad_payload)(pad_id)
        if payload is None:
            return
        last = (payload["mode"], payload["ticket"])
        yield "retry: 2000\n\n"
        yield _sse(payload)
        while True:
            try:
                await asyncio.wait_for(queue.get(), timeout=KEEPALIVE_SECONDS if shared else RECHECK_SECONDS)
            except TimeoutError:
                woken = False
            else:
                woken = True
            payload = await db_briefly(_pad_payload)(pad_id)
            if payload is None:  # revoked meanwhile: the page reloads and shows why
                yield _sse({"mode": "revoked", "html": "", "ticket": None})
                return
            now = (payload["mode"], payload["ticket"])
            if woken or now != last:
                last = now
                yield _sse(payload)
            else:
                yield ": keep-alive\n\n"


@require_GET
def pad_photo(request: HttpRequest) -> HttpResponseBase:
    """The photo of the clerk the pad shows (only to a bound pad)."""
    found = selectors.pad_by_token(_raw(request))
    if found is None:
        raise Http404("评价器未绑定或已停用。")
    clerk = selectors.pad_state(found)["clerk"]
    if clerk is None:
        raise Http404("没有照片。")
    return photo_response(clerk)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@require_POST
def pad_rate(request: HttpRequest) -> HttpResponse:
    """One rating from the pad. A bad level asks for the indicators first (a
    second page, so it works without JavaScript); then the thank-you page."""
    found = selectors.pad_by_token(_raw(request))
    if found is None:
        return _unbound(request)
    level = _int(request.POST.get("level"))
    ticket_id = _int(request.POST.get("ticket"))
    pad_step_id = _int(request.POST.get("pad_step"))
    ticked = request.POST.getlist("indicators")
    text = request.POST.get("text", "")
    details = request.POST.get("step") == "details"
    extra: dict[str, Any] = {"chosen": level, "ticked": ticked, "text": text}
    if level in BAD_LEVELS and not details:
        ctx = _pad_context(found, **extra, mode="details")
        if ctx["event"] is not None:
            return render(request, PAD_PAGE, ctx)
    ctx = _pad_context(found, **extra)
    if details:
        ctx["mode"] = "details"
    errors_show_on(request, PAD_PAGE, ctx)
    rating = services.rating_by_pad(
        raw=_raw(request),
        ticket_id=ticket_id,
        pad_step_id=pad_step_id,
        level=level,
        indicators=ticked,
        text=text,
    )
    thanks = _pad_context(found, mode="thanks", rating=rating)
    return render(request, PAD_PAGE, thanks)


# ── the hall manager's pads page ──


@login_required
@require_GET
def pads_manage(request: HttpRequest) -> HttpResponse:
    halls = selectors.pad_halls(request.user)
    if not halls:
        raise Refused("只有大厅负责人可以管理窗口评价器。")
    code = request.GET.get("hall")
    hall = next((h for h in halls if h.code == code), halls[0])
    return render(
        request,
        "feedback/pads_manage.html",
        {"halls": halls, "hall": hall, "windows": selectors.pad_windows(hall)},
    )


@login_required
@require_POST
def pad_issue(request: HttpRequest) -> HttpResponse:
    """Issue a device token; the pad's address is shown this once (never stored)."""
    window = get_object_or_404(Window.objects.select_related("center"), pk=_int(request.POST.get("window")))
    pad, raw = services.pad_issue(by=request.user, window=window)
    url = request.build_absolute_uri(reverse("feedback:pad")) + f"?token={raw}"
    response = render(
        request, "feedback/pad_issued.html", {"pad": pad, "window": window, "url": url, "token": raw}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def pad_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(RatingPad.objects.select_related("window", "window__center"), pk=pk)
    services.pad_revoke(by=request.user, pad=found)
    messages.success(request, f"已停用 {found.window.number}号窗口的评价器。")
    return redirect(f"{reverse('feedback:pads_manage')}?hall={found.window.center.code}")
