"""Readers of coordination's records, scoped to what the user may see."""

# --- notice18 ---
# 信息沟通: a user's inbox (their receipts), what they sent, and the sender's tracking.
from typing import Any as _N18Any  # noqa: E402

from django.db.models import Case as _N18Case  # noqa: E402
from django.db.models import Count as _N18Count  # noqa: E402
from django.db.models import IntegerField as _N18IntegerField  # noqa: E402
from django.db.models import Q as _N18Q  # noqa: E402
from django.db.models import QuerySet as _N18QuerySet  # noqa: E402
from django.db.models import When as _N18When  # noqa: E402

from govhall.accounts.models import RoleAssignment as _N18RoleAssignment  # noqa: E402
from govhall.core.errors import NotFound as _N18NotFound  # noqa: E402
from govhall.core.errors import Refused as _N18Refused  # noqa: E402

from .models import Notice, NoticeReceipt  # noqa: E402
from .permissions import NOTICE_COMPOSE, NOTICE_NOT_FOUND  # noqa: E402


def _n18_user(user: _N18Any) -> _N18Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def notice_compose_centers(user: _N18Any, kind: str) -> list[_N18Any]:
    """The centers `user` may send a notice of `kind` from: the district center where
    they are the district office (通知), or the branch they manage (报告)."""
    user = _n18_user(user)
    if user is None:
        return []
    kinds = {"down": ["district"], "up": ["branch", "town"]}[kind]
    rows = (
        _N18RoleAssignment.objects.filter(user=user, role__in=NOTICE_COMPOSE[kind], center__kind__in=kinds)
        .exclude(center__status__in=["merged", "closed"])
        .select_related("center", "center__district")
        .order_by("center_id")
    )
    return [a.center for a in rows]


def notice_district_halls(center: _N18Any) -> list[_N18Any]:
    """The halls a notice from `center` can address: the district's branches and
    town centers that are not merged or closed."""
    Center = type(center)
    return list(
        Center.objects.filter(district_id=center.district_id, kind__in=["branch", "town"])
        .exclude(status__in=["merged", "closed"])
        .order_by("id")
    )


def notice_compose_kinds(user: _N18Any) -> list[str]:
    """The kinds of notice `user` may send ("down", "up")."""
    return [k for k in ("down", "up") if notice_compose_centers(user, k)]


def _n18_sender_side(user: _N18Any) -> _N18Q:
    """Notices whose sender side `user` is on: they sent it, or they hold its
    composing role at its sending center."""
    held = _N18RoleAssignment.objects.filter(user=user)
    q = _N18Q(sender=user)
    for kind, roles in NOTICE_COMPOSE.items():
        centers = held.filter(role__in=roles).values("center_id")
        q |= _N18Q(kind=kind, sender_center_id__in=centers)
    return q


def notices_sent(user: _N18Any, *, q: str = "", kind: str = "", sort: str = "") -> _N18QuerySet[Notice]:
    """What `user`'s side sent, with its counts (recipients, read, replied)."""
    user = _n18_user(user)
    if user is None:
        return Notice.objects.none()
    qs = Notice.objects.filter(_n18_sender_side(user)).select_related("sender", "sender_center")
    if q:
        qs = qs.filter(_N18Q(title__icontains=q) | _N18Q(body__icontains=q))
    if kind in ("down", "up"):
        qs = qs.filter(kind=kind)
    qs = qs.annotate(
        n_recipients=_N18Count("receipts", distinct=True),
        n_read=_N18Count("receipts", filter=_N18Q(receipts__read_at__isnull=False), distinct=True),
        n_replied=_N18Count("receipts", filter=_N18Q(receipts__replied_at__isnull=False), distinct=True),
    )
    order = {"sent_at": ["sent_at", "id"], "title": ["title", "-id"]}.get(sort, ["-sent_at", "-id"])
    return qs.order_by(*order)


def notice_inbox(
    user: _N18Any, *, q: str = "", status: str = "", sort: str = ""
) -> _N18QuerySet[NoticeReceipt]:
    """`user`'s receipts: unread first, then the newest (or by reply deadline)."""
    user = _n18_user(user)
    if user is None:
        return NoticeReceipt.objects.none()
    qs = NoticeReceipt.objects.filter(user=user).select_related(
        "notice", "notice__sender", "notice__sender_center", "center"
    )
    if q:
        qs = qs.filter(_N18Q(notice__title__icontains=q) | _N18Q(notice__body__icontains=q))
    if status == "unread":
        qs = qs.filter(read_at__isnull=True)
    elif status == "reply_due":
        qs = qs.filter(notice__reply_required=True, replied_at__isnull=True)
    unread_first = _N18Case(
        _N18When(read_at__isnull=True, then=0), default=1, output_field=_N18IntegerField()
    )
    if sort == "reply_by":
        return qs.order_by("notice__reply_by", "-notice__sent_at", "-id")
    if sort == "newest":
        return qs.order_by("-notice__sent_at", "-id")
    return qs.order_by(unread_first, "-notice__sent_at", "-id")


def notice_get(user: _N18Any, pk: int) -> tuple[Notice, NoticeReceipt | None, bool]:
    """The notice with `user`'s receipt and whether they are on its sender side.
    Anyone neither sender nor recipient gets NotFound (404)."""
    user = _n18_user(user)
    notice = Notice.objects.select_related("sender", "sender_center").filter(pk=pk).first() if user else None
    if notice is None:
        raise _N18NotFound(NOTICE_NOT_FOUND)
    receipt = NoticeReceipt.objects.filter(notice=notice, user=user).first()
    sender_side = Notice.objects.filter(_n18_sender_side(user), pk=notice.pk).exists()
    if receipt is None and not sender_side:
        raise _N18NotFound(NOTICE_NOT_FOUND)
    return notice, receipt, sender_side


def notice_for_sender(user: _N18Any, pk: int) -> Notice:
    """Fetch-and-authorise for tracking: the sender's side only (a recipient is
    refused with 403, anyone else does not see it: 404)."""
    notice, _receipt, sender_side = notice_get(user, pk)
    if not sender_side:
        raise _N18Refused("只有发送方可以查看阅读和回复情况。")
    return notice


def notice_tracking(notice: Notice, *, status: str = "", q: str = "") -> _N18QuerySet[NoticeReceipt]:
    """The notice's receipts for its sender, by hall: `status` "unread",
    "unreplied" (asked to reply and has not) or "pending" (either)."""
    qs = notice.receipts.select_related("user", "center", "notice")
    if status == "unread":
        qs = qs.filter(read_at__isnull=True)
    elif status == "unreplied":
        qs = qs.filter(replied_at__isnull=True) if notice.reply_required else qs.none()
    elif status == "pending":
        qs = qs.filter(notice_receipts_pending_q(notice))
    if q:
        qs = qs.filter(_N18Q(user__full_name__icontains=q) | _N18Q(center__name__icontains=q))
    return qs.order_by("center__name", "read_at", "user__full_name", "id")


def notice_receipts_pending_q(notice: Notice) -> _N18Q:
    """Receipts still owing something: not read, or (when a reply is asked) not replied."""
    q = _N18Q(read_at__isnull=True)
    if notice.reply_required:
        q |= _N18Q(replied_at__isnull=True)
    return q


def notice_figures(notice: Notice) -> dict[str, _N18Any]:
    """Counts for the sender: in all and per hall (read, unread, replied, not replied)."""
    rows = (
        notice.receipts.values("center_id", "center__name")
        .annotate(
            total=_N18Count("id"),
            read=_N18Count("id", filter=_N18Q(read_at__isnull=False)),
            replied=_N18Count("id", filter=_N18Q(replied_at__isnull=False)),
        )
        .order_by("center__name")
    )
    halls = []
    for r in rows:
        halls.append(
            {
                "center_id": r["center_id"],
                "center": r["center__name"],
                "total": r["total"],
                "read": r["read"],
                "unread": r["total"] - r["read"],
                "replied": r["replied"],
                "unreplied": (r["total"] - r["replied"]) if notice.reply_required else 0,
            }
        )
    total = sum(h["total"] for h in halls)
    read = sum(h["read"] for h in halls)
    replied = sum(h["replied"] for h in halls)
    return {
        "total": total,
        "read": read,
        "unread": total - read,
        "replied": replied,
        "unreplied": (total - replied) if notice.reply_required else 0,
        "halls": halls,
    }


def notice_counts(user: _N18Any) -> dict[str, int]:
    """`user`'s unread notices and the replies they still owe."""
    user = _n18_user(user)
    if user is None:
        return {"unread": 0, "reply_due": 0}
    mine = NoticeReceipt.objects.filter(user=user)
    return {
        "unread": mine.filter(read_at__isnull=True).count(),
        "reply_due": mine.filter(notice__reply_required=True, replied_at__isnull=True).count(),
    }


def notice_workbench(user: _N18Any) -> dict[str, _N18Any] | None:
    """Answer to core's `workbench_sections`: 信息沟通 (unread notices, replies due,
    composing and tracking for those who send)."""
    from django.urls import reverse

    user = _n18_user(user)
    if user is None:
        return None
    counts = notice_counts(user)
    kinds = notice_compose_kinds(user)
    has_any = counts["unread"] or NoticeReceipt.objects.filter(user=user).exists()
    if not has_any and not kinds:
        return None
    links: list[dict[str, _N18Any]] = [
        {
            "label": "未读通知",
            "url": reverse("coordination:notice_inbox") + "?status=unread",
            "count": counts["unread"],
            "note": f"未读 {counts['unread']} 份",
            "note_class": "badge-warn-yellow" if counts["unread"] else "muted",
        },
        {
            "label": "待回复",
            "url": reverse("coordination:notice_inbox") + "?status=reply_due",
            "count": counts["reply_due"],
            "note": f"须回复而未回复 {counts['reply_due']} 份",
            "note_class": "badge-warn-yellow" if counts["reply_due"] else "muted",
        },
    ]
    if kinds:
        label = "发通知" if "down" in kinds else "报送报告"
        links.append({"label": label, "url": reverse("coordination:notice_new")})
        links.append({"label": "已发出（阅读与回复情况）", "url": reverse("coordination:notice_sent")})
    return {"title": "信息沟通", "links": links}
