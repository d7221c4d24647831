"""Pages of 信息沟通: the inbox, composing a notice or report, the notice itself
(reading it is the receipt; the reply form), and the sender's tracking page
(who has not read or replied, per hall; 一键提醒; Excel export). They call the
same selectors and services as the API."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from govhall.accounts.models import Role
from govhall.core.errors import NotFound, Refused
from govhall.core.page_errors import errors_show_on
from govhall.core.pages import xlsx_response

from . import selectors, services
from .forms_notices import NoticeForm, ReplyForm
from .models import Notice, NoticeReceipt

INBOX_STATUSES = [("unread", "未读"), ("reply_due", "待回复")]
TRACK_STATUSES = [("pending", "未读或未回复"), ("unread", "未读"), ("unreplied", "未回复")]


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def notice_inbox(request):
    f = {
        "q": request.GET.get("q", "").strip()[:50],
        "status": request.GET.get("status", ""),
        "sort": request.GET.get("sort", ""),
    }
    page = Paginator(selectors.notice_inbox(request.user, **f), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "coordination/notices_inbox.html",
        {
            "page": page,
            "f": f,
            "statuses": INBOX_STATUSES,
            "query": _query(request),
            "kinds": selectors.notice_compose_kinds(request.user),
            "counts": selectors.notice_counts(request.user),
        },
    )


@login_required
def notice_sent(request):
    f = {
        "q": request.GET.get("q", "").strip()[:50],
        "kind": request.GET.get("kind", ""),
        "sort": request.GET.get("sort", ""),
    }
    page = Paginator(selectors.notices_sent(request.user, **f), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "coordination/notices_sent.html",
        {"page": page, "f": f, "kinds": Notice.Kind.choices, "query": _query(request)},
    )


def _compose_form(request, data=None, files=None) -> NoticeForm:
    kinds = selectors.notice_compose_kinds(request.user)
    if not kinds:
        raise Refused("只有区政务办可以发通知，分中心负责人可以向区政务办报送报告。")
    halls: list[Any] = []
    if "down" in kinds:
        halls = selectors.notice_district_halls(selectors.notice_compose_centers(request.user, "down")[0])
    return NoticeForm(data, files, kinds=kinds, halls=halls)


@login_required
def notice_new(request):
    if request.method != "POST":
        return render(request, "coordination/notices_new.html", {"form": _compose_form(request)})
    form = _compose_form(request, request.POST, request.FILES)
    context = {"form": form}
    errors_show_on(request, "coordination/notices_new.html", context, form=form)
    if not form.is_valid():
        return render(request, "coordination/notices_new.html", context, status=400)
    d = form.cleaned_data
    notice = services.notice_send(
        by=request.user,
        kind=d["kind"],
        title=d["title"],
        body=d["body"],
        audience=d.get("audience") or Notice.Audience.ALL,
        halls=d.get("halls") or [],
        roles=d.get("roles") or [],
        reply_required=d["reply_required"],
        reply_by=d.get("reply_by"),
        attachments=d.get("attachments") or [],
    )
    messages.success(request, f"已发送给 {notice.receipts.count()} 位收件人。")
    return redirect("coordination:notice_track", pk=notice.pk)


def _detail_context(request, notice: Notice, receipt: NoticeReceipt | None, sender_side: bool, form=None):
    return {
        "n": notice,
        "receipt": receipt,
        "sender_side": sender_side,
        "attachments": list(notice.attachments.all()),
        "form": form or ReplyForm(),
        "halls": list(notice.halls.all()) if notice.audience == Notice.Audience.HALLS else [],
        "role_labels": _role_labels(notice),
    }


def _role_labels(notice: Notice) -> str:
    return "、".join(Role(r).label for r in notice.roles if r in Role.values)


@login_required
def notice_detail(request, pk: int):
    notice, receipt, sender_side = selectors.notice_get(request.user, pk)
    if receipt is not None and receipt.read_at is None:
        receipt = services.notice_read(by=request.user, notice=notice)  # opening it is the read receipt
    return render(
        request, "coordination/notices_detail.html", _detail_context(request, notice, receipt, sender_side)
    )


@login_required
@require_POST
def notice_reply(request, pk: int):
    notice, receipt, sender_side = selectors.notice_get(request.user, pk)
    form = ReplyForm(request.POST)
    context = _detail_context(request, notice, receipt, sender_side, form)
    errors_show_on(request, "coordination/notices_detail.html", context, form=form)
    if not form.is_valid():
        return render(request, "coordination/notices_detail.html", context, status=400)
    services.notice_reply(by=request.user, notice=notice, text=form.cleaned_data["reply_text"])
    messages.success(request, "已回复。")
    return redirect("coordination:notice_detail", pk=notice.pk)


def _track_filters(request) -> dict[str, str]:
    return {"status": request.GET.get("status", ""), "q": request.GET.get("q", "").strip()[:50]}


@login_required
def notice_track(request, pk: int):
    notice = selectors.notice_for_sender(request.user, pk)
    f = _track_filters(request)
    page = Paginator(selectors.notice_tracking(notice, **f), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "coordination/notices_track.html",
        {
            "n": notice,
            "page": page,
            "f": f,
            "statuses": TRACK_STATUSES,
            "figures": selectors.notice_figures(notice),
            "query": _query(request),
        },
    )


@login_required
@require_POST
def notice_remind(request, pk: int):
    notice = selectors.notice_for_sender(request.user, pk)
    done = services.notice_remind(by=request.user, notice=notice)
    text = f"已向 {done['reminded']} 位未读或未回复的收件人发送短信提醒。"
    if done["no_phone"]:
        text += f"另有 {done['no_phone']} 位未登记手机号，无法短信提醒。"
    messages.success(request, text)
    return redirect("coordination:notice_track", pk=notice.pk)


@login_required
def notice_track_export(request, pk: int):
    notice = selectors.notice_for_sender(request.user, pk)
    return notice_track_xlsx(notice, _track_filters(request))


def notice_track_xlsx(notice: Notice, f: dict[str, str]) -> HttpResponse:
    """The tracking list as Excel: phones masked."""

    def when(t):
        return timezone.localtime(t).strftime("%Y-%m-%d %H:%M") if t else ""

    rows = (
        [
            r.center.name,
            r.user.full_name or r.user.masked_username,
            r.masked_phone,
            when(r.read_at) or "未读",
            (when(r.replied_at) or "未回复") if notice.reply_required else "无须回复",
            r.reply_text,
            r.reminders,
            when(r.reminded_at),
        ]
        for r in selectors.notice_tracking(notice, **f)[:5000]
    )
    header = ["大厅", "收件人", "手机号（脱敏）", "阅读时间", "回复时间", "回复内容", "提醒次数", "最近提醒"]
    return xlsx_response(f"阅读情况-{notice.pk}.xlsx", "阅读与回复情况", header, rows)


@login_required
def notice_attachment(request, pk: int, aid: int):
    notice, _receipt, _sender_side = selectors.notice_get(request.user, pk)
    return attachment_response(notice, aid)


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "ofd": "application/ofd",
}


def attachment_response(notice: Notice, aid: int) -> FileResponse:
    """A notice's attachment as a download, with its checked type (the caller has
    authorised the notice)."""
    att = notice.attachments.filter(pk=aid).first()
    if att is None:
        raise NotFound("没有该附件。")
    try:
        handle = att.file.storage.open(att.file.name, "rb")
    except FileNotFoundError:
        raise NotFound("没有该附件。") from None
    response = FileResponse(
        handle, as_attachment=True, filename=att.name, content_type=CONTENT_TYPES.get(att.file_type)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
