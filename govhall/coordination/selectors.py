"""Readers of coordination's records, scoped to what the user may see: pages, API, exports,
the workbench sections and 电子监察 all read here. Sections: 信息沟通 (notices), 联席会议
(joint meetings and action items), 帮办代办 (help requests) and 公示公开 (a hall's public
disclosure, read from the records of the lower apps)."""

import calendar
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, CharField, Count, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from govhall.accounts.models import RoleAssignment, User
from govhall.accounts.selectors import center_ids_acting_as, roles_at
from govhall.cases.selectors import case_day_counts, chief_representatives_public
from govhall.catalog.selectors import items_stationed_at
from govhall.centers.models import Center
from govhall.centers.selectors import hours_summary
from govhall.core.errors import DomainError, NotFound, Refused
from govhall.core.extensions import hall_day_figures
from govhall.queueing.extensions import satisfaction_of_halls
from govhall.queueing.selectors import ticket_day_counts
from govhall.staffing.selectors import posts_of_hall

from .models import ACTION_ITEM_NEAR_DAYS, ActionItem, HelpRequest, Meeting, Notice, NoticeReceipt
from .permissions import (
    ACTION_ITEM_NOT_FOUND,
    HELP_MANAGE,
    HELP_NOT_FOUND,
    HELP_STAFF,
    MEETING_NOT_FOUND,
    MEETING_TABLE,
    NOTICE_COMPOSE,
    NOTICE_NOT_FOUND,
    OWNER_ROLES,
)

# ── 信息沟通 (notices) ──
# A user's inbox (their receipts), what they sent, and the sender's tracking.


def _signed_in_or_none(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def notice_compose_centers(user: Any, kind: str) -> list[Any]:
    """The centers `user` may send a notice of `kind` from: the district center where
    they are the district office (通知), or the branch they manage (报告)."""
    user = _signed_in_or_none(user)
    if user is None:
        return []
    kinds = {"down": ["district"], "up": ["branch", "town"]}[kind]
    rows = (
        RoleAssignment.objects.filter(user=user, role__in=NOTICE_COMPOSE[kind], center__kind__in=kinds)
        .exclude(center__status__in=["merged", "closed"])
        .select_related("center", "center__district")
        .order_by("center_id")
    )
    return [a.center for a in rows]


def notice_district_halls(center: Any) -> list[Any]:
    """The halls a notice from `center` can address: the district's branches and
    town centers that are not merged or closed."""
    return list(
        Center.objects.filter(district_id=center.district_id, kind__in=["branch", "town"])
        .exclude(status__in=["merged", "closed"])
        .order_by("id")
    )


def notice_compose_kinds(user: Any) -> list[str]:
    """The kinds of notice `user` may send ("down", "up")."""
    return [k for k in ("down", "up") if notice_compose_centers(user, k)]


def _notice_sender_side(user: Any) -> Q:
    """Notices whose sender side `user` is on: they sent it, or they hold its
    composing role at its sending center."""
    held = RoleAssignment.objects.filter(user=user)
    q = Q(sender=user)
    for kind, roles in NOTICE_COMPOSE.items():
        centers = held.filter(role__in=roles).values("center_id")
        q |= Q(kind=kind, sender_center_id__in=centers)
    return q


def notices_sent(user: Any, *, q: str = "", kind: str = "", sort: str = "") -> QuerySet[Notice]:
    """What `user`'s side sent, with its counts (recipients, read, replied)."""
    user = _signed_in_or_none(user)
    if user is None:
        return Notice.objects.none()
    qs = Notice.objects.filter(_notice_sender_side(user)).select_related("sender", "sender_center")
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(body__icontains=q))
    if kind in ("down", "up"):
        qs = qs.filter(kind=kind)
    qs = qs.annotate(
        n_recipients=Count("receipts", distinct=True),
        n_read=Count("receipts", filter=Q(receipts__read_at__isnull=False), distinct=True),
        n_replied=Count("receipts", filter=Q(receipts__replied_at__isnull=False), distinct=True),
    )
    order = {"sent_at": ["sent_at", "id"], "title": ["title", "-id"]}.get(sort, ["-sent_at", "-id"])
    return qs.order_by(*order)


def notice_inbox(user: Any, *, q: str = "", status: str = "", sort: str = "") -> QuerySet[NoticeReceipt]:
    """`user`'s receipts: unread first, then the newest (or by reply deadline)."""
    user = _signed_in_or_none(user)
    if user is None:
        return NoticeReceipt.objects.none()
    qs = NoticeReceipt.objects.filter(user=user).select_related(
        "notice", "notice__sender", "notice__sender_center", "center"
    )
    if q:
        qs = qs.filter(Q(notice__title__icontains=q) | Q(notice__body__icontains=q))
    if status == "unread":
        qs = qs.filter(read_at__isnull=True)
    elif status == "reply_due":
        qs = qs.filter(notice__reply_required=True, replied_at__isnull=True)
    unread_first = Case(When(read_at__isnull=True, then=0), default=1, output_field=IntegerField())
    if sort == "reply_by":
        return qs.order_by("notice__reply_by", "-notice__sent_at", "-id")
    if sort == "newest":
        return qs.order_by("-notice__sent_at", "-id")
    return qs.order_by(unread_first, "-notice__sent_at", "-id")


def notice_get(user: Any, pk: int) -> tuple[Notice, NoticeReceipt | None, bool]:
    """The notice with `user`'s receipt and whether they are on its sender side.
    Anyone neither sender nor recipient gets NotFound (404)."""
    user = _signed_in_or_none(user)
    notice = Notice.objects.select_related("sender", "sender_center").filter(pk=pk).first() if user else None
    if notice is None:
        raise NotFound(NOTICE_NOT_FOUND)
    receipt = NoticeReceipt.objects.filter(notice=notice, user=user).first()
    sender_side = Notice.objects.filter(_notice_sender_side(user), pk=notice.pk).exists()
    if receipt is None and not sender_side:
        raise NotFound(NOTICE_NOT_FOUND)
    return notice, receipt, sender_side


def notice_for_sender(user: Any, pk: int) -> Notice:
    """Fetch-and-authorise for tracking: the sender's side only (a recipient is
    refused with 403, anyone else does not see it: 404)."""
    notice, _receipt, sender_side = notice_get(user, pk)
    if not sender_side:
        raise Refused("只有发送方可以查看阅读和回复情况。")
    return notice


def notice_tracking(notice: Notice, *, status: str = "", q: str = "") -> QuerySet[NoticeReceipt]:
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
        qs = qs.filter(Q(user__full_name__icontains=q) | Q(center__name__icontains=q))
    return qs.order_by("center__name", "read_at", "user__full_name", "id")


def notice_receipts_pending_q(notice: Notice) -> Q:
    """Receipts still owing something: not read, or (when a reply is asked) not replied."""
    q = Q(read_at__isnull=True)
    if notice.reply_required:
        q |= Q(replied_at__isnull=True)
    return q


def notice_figures(notice: Notice) -> dict[str, Any]:
    """Counts for the sender: in all and per hall (read, unread, replied, not replied)."""
    rows = (
        notice.receipts.values("center_id", "center__name")
        .annotate(
            total=Count("id"),
            read=Count("id", filter=Q(read_at__isnull=False)),
            replied=Count("id", filter=Q(replied_at__isnull=False)),
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


def notice_counts(user: Any) -> dict[str, int]:
    """`user`'s unread notices and the replies they still owe."""
    user = _signed_in_or_none(user)
    if user is None:
        return {"unread": 0, "reply_due": 0}
    mine = NoticeReceipt.objects.filter(user=user)
    return {
        "unread": mine.filter(read_at__isnull=True).count(),
        "reply_due": mine.filter(notice__reply_required=True, replied_at__isnull=True).count(),
    }


def notice_workbench(user: Any) -> dict[str, Any] | None:
    """Answer to core's `workbench_sections`: 信息沟通 (unread notices, replies due,
    composing and tracking for those who send)."""
    user = _signed_in_or_none(user)
    if user is None:
        return None
    counts = notice_counts(user)
    kinds = notice_compose_kinds(user)
    has_any = counts["unread"] or NoticeReceipt.objects.filter(user=user).exists()
    if not has_any and not kinds:
        return None
    links: list[dict[str, Any]] = [
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


# ── 联席会议 (joint meetings) ──
# A meeting is seen by the district office of its district and by the
# management of the halls (and departments) it invited; an action item by whoever sees
# its meeting, and by its owner. Pages, API, exports, workbench and 电子监察 all read here.


ACTION_LEVEL_LABELS = {"red": "红牌（已超期）", "yellow": "黄牌（临近期限）", "": "正常"}


def _memo_on_user(user: Any, name: str, compute: Any) -> Any:
    if user is None or not getattr(user, "is_authenticated", False):
        return compute(None)
    cached = user.__dict__.get(name)
    if cached is None:
        cached = user.__dict__[name] = compute(user)
    return cached


def meeting_districts(user: Any) -> set[int]:
    """Districts where `user` acts as the district office (may convene)."""

    def compute(u: Any) -> set[int]:
        if u is None:
            return set()
        ids = center_ids_acting_as(u, MEETING_TABLE["convene"])
        return set(Center.objects.filter(id__in=ids).values_list("district_id", flat=True))

    return _memo_on_user(user, "_meeting_districts", compute)


def _meeting_halls_of(user: Any) -> tuple[set[int], set[int]]:
    """(hall ids, department ids) where `user` sees the meetings of the hall / department."""

    def compute(u: Any) -> tuple[set[int], set[int]]:
        if u is None:
            return set(), set()
        halls = center_ids_acting_as(u, MEETING_TABLE["view"])
        deps = set(
            Center.objects.filter(
                id__in=center_ids_acting_as(u, OWNER_ROLES), department__isnull=False
            ).values_list("department_id", flat=True)
        )
        return halls, deps

    return _memo_on_user(user, "_meeting_halls", compute)


def may_see_meetings(user: Any) -> bool:
    """The meeting list opens for the district office and the halls' management (as the nav offers it)."""
    return bool(meeting_districts(user) or any(_meeting_halls_of(user)))


def meetings_visible_to(user: Any) -> QuerySet[Meeting]:
    districts = meeting_districts(user)
    halls, deps = _meeting_halls_of(user)
    if not (districts or halls or deps):
        return Meeting.objects.none()
    ids = Meeting.objects.filter(
        Q(district_id__in=districts)
        | Q(invitations__center_id__in=halls)
        | Q(invitations__department_id__in=deps)
    ).values("id")
    return Meeting.objects.filter(id__in=ids).select_related("district", "convened_by")


MEETING_SORTS = {"starts_at": "starts_at", "-starts_at": "-starts_at", "title": "title"}


def meetings_search(user: Any, *, q: str = "", status: str = "", sort: str = "") -> QuerySet[Meeting]:
    """The meeting list of pages and API: search in title, agenda, place; newest first by default."""
    qs = meetings_visible_to(user)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(agenda__icontains=q) | Q(place__icontains=q))
    if status in Meeting.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by(MEETING_SORTS.get(sort, "-starts_at"), "-id")


def meeting_get(user: Any, pk: int) -> Meeting:
    m = meetings_visible_to(user).filter(pk=pk).first()
    if m is None:
        raise NotFound(MEETING_NOT_FOUND)
    return m


def meetings_to_attend(user: Any) -> list[Meeting]:
    """Meetings not yet held, at or after now, to which one of `user`'s roles at an invited
    hall (or at a hall of an invited department) was invited — soonest first."""
    halls, _ = _meeting_halls_of(user)
    if not halls:
        return []
    upcoming = (
        meetings_visible_to(user)
        .filter(status=Meeting.Status.CONVENED, starts_at__gte=timezone.now())
        .prefetch_related("invitations__center", "invitations__department")
        .order_by("starts_at")[:50]
    )
    found = []
    for m in upcoming:
        invited = set(m.roles_invited or [])
        for inv in m.invitations.all():
            centers = (
                [inv.center]
                if inv.center_id
                else list(Center.objects.filter(department=inv.department, id__in=halls))
            )
            if any(roles_at(user, c) & invited for c in centers if c is not None and c.id in halls):
                found.append(m)
                break
    return found


def may_run_meeting(user: Any, meeting: Meeting) -> bool:
    return meeting.district_id in meeting_districts(user)


def _owned_q(user: Any) -> Q:
    if user is None or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    owner_halls = center_ids_acting_as(user, OWNER_ROLES)
    _, deps = _meeting_halls_of(user)
    return Q(owner_center_id__in=owner_halls) | Q(owner_department_id__in=deps) | Q(owner_user_id=user.pk)


def action_items_owned_by(user: Any) -> QuerySet[ActionItem]:
    """The items `user` answers for: their halls', their departments' and their own."""
    return ActionItem.objects.filter(_owned_q(user))


def action_items_visible_to(user: Any) -> QuerySet[ActionItem]:
    """Items of the meetings `user` sees, and the items they own."""
    ids = ActionItem.objects.filter(
        Q(meeting__in=meetings_visible_to(user).values("id")) | _owned_q(user)
    ).values("id")
    return ActionItem.objects.filter(id__in=ids).select_related(
        "meeting", "owner_center", "owner_department", "owner_user", "closed_by"
    )


def action_items_with_level(qs: QuerySet[ActionItem], today: date | None = None) -> QuerySet[Any]:
    # QuerySet[Any]: the rows carry the annotated `level`, which the model does not declare.
    """Annotate `level` ('red', 'yellow', '') as ActionItem.level_on decides it."""
    today = today or timezone.localdate()
    return qs.annotate(
        level=Case(
            When(~Q(status=ActionItem.Status.OPEN), then=Value("")),
            When(due_on__lt=today, then=Value("red")),
            When(due_on__lte=today + timedelta(days=ACTION_ITEM_NEAR_DAYS), then=Value("yellow")),
            default=Value(""),
            output_field=CharField(),
        )
    ).annotate(
        level_rank=Case(
            When(level="red", then=Value(0)), When(level="yellow", then=Value(1)), default=Value(2)
        ),
    )


ITEM_SORTS = {
    "": ("level_rank", "due_on", "id"),
    "due_on": ("due_on", "id"),
    "-due_on": ("-due_on", "-id"),
    "owner": ("owner_center__name", "owner_department__name", "owner_user__full_name", "due_on"),
    "-created_at": ("-created_at", "-id"),
}


def action_items_search(
    user: Any,
    *,
    q: str = "",
    status: str = "",
    level: str = "",
    owner_kind: str = "",
    mine: bool = False,
    meeting_id: int | None = None,
    sort: str = "",
) -> QuerySet[Any]:
    """The action item list of pages, API and export (red first by default)."""
    qs = action_items_with_level(action_items_owned_by(user) if mine else action_items_visible_to(user))
    if mine:
        qs = qs.select_related("meeting", "owner_center", "owner_department", "owner_user", "closed_by")
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(meeting__title__icontains=q)
            | Q(owner_center__name__icontains=q)
            | Q(owner_department__name__icontains=q)
            | Q(owner_user__full_name__icontains=q)
        )
    if status in ActionItem.Status.values:
        qs = qs.filter(status=status)
    if level in ("red", "yellow"):
        qs = qs.filter(level=level)
    elif level == "none":
        qs = qs.filter(level="")
    if owner_kind == "center":
        qs = qs.filter(owner_center__isnull=False)
    elif owner_kind == "department":
        qs = qs.filter(owner_department__isnull=False)
    elif owner_kind == "person":
        qs = qs.filter(owner_user__isnull=False)
    if meeting_id:
        qs = qs.filter(meeting_id=meeting_id)
    return qs.order_by(*ITEM_SORTS.get(sort, ITEM_SORTS[""]))


def action_item_get(user: Any, pk: int) -> Any:
    x = action_items_with_level(action_items_visible_to(user)).filter(pk=pk).first()
    if x is None:
        raise NotFound(ACTION_ITEM_NOT_FOUND)
    return x


def is_owner(user: Any, item: ActionItem) -> bool:
    return action_items_owned_by(user).filter(pk=item.pk).exists()


def action_items_by_owner(user: Any) -> list[dict[str, Any]]:
    """The district office's overview: open items per owner, with the yellow and red among them."""
    if not meeting_districts(user):
        return []
    qs = action_items_with_level(action_items_visible_to(user).filter(status=ActionItem.Status.OPEN))
    rows = qs.values(
        "owner_center__name", "owner_department__name", "owner_user__full_name", "owner_user__username"
    ).annotate(
        open=Count("id"),
        red=Count("id", filter=Q(level="red")),
        yellow=Count("id", filter=Q(level="yellow")),
    )
    out = []
    for r in rows:
        if r["owner_center__name"]:
            kind, name = "中心", r["owner_center__name"]
        elif r["owner_department__name"]:
            kind, name = "部门", r["owner_department__name"]
        else:
            kind, name = "个人", r["owner_user__full_name"] or r["owner_user__username"]
        out.append({"kind": kind, "owner": name, "open": r["open"], "red": r["red"], "yellow": r["yellow"]})
    return sorted(out, key=lambda r: (-r["red"], -r["yellow"], -r["open"], r["owner"]))


def action_item_row(x: ActionItem) -> dict[str, Any]:
    """An item as the API answers it."""
    level = getattr(x, "level", None)
    if level is None:
        level = x.level_on(timezone.localdate())
    return {
        "id": x.pk,
        "meeting_id": x.meeting_id,
        "meeting": x.meeting.title,
        "title": x.title,
        "owner_kind": x.owner_kind,
        "owner": x.owner_name,
        "owner_center_id": x.owner_center_id,
        "owner_department_id": x.owner_department_id,
        "owner_user_id": x.owner_user_id,
        "due_on": x.due_on,
        "status": x.status,
        "status_label": x.get_status_display(),
        "level": level,
        "level_label": ACTION_LEVEL_LABELS[level],
        "evidence": x.evidence,
        "has_evidence_file": bool(x.evidence_file),
        "closed_by": str(x.closed_by) if x.closed_by_id else None,
        "closed_at": x.closed_at,
    }


def action_item_supervision(user: Any, level: str = "") -> list[dict[str, Any]]:
    """Answer to cases' `supervision_rows`: the open yellow/red items `user` may see."""
    qs = action_items_with_level(action_items_visible_to(user).filter(status=ActionItem.Status.OPEN)).filter(
        level__in=[level] if level in ("red", "yellow") else ["red", "yellow"]
    )
    return [
        {
            "level": x.level,
            "level_label": "红牌（超期）" if x.level == "red" else "黄牌预警",
            "kind": "联席会议议定事项",
            "center": x.owner_name,
            "label": f"{x.title}（{x.meeting.title}）",
            "url": reverse("coordination:action_item_detail", args=[x.pk]),
            "due_on": x.due_on,
        }
        for x in qs.order_by("due_on")[:500]
    ]


def action_item_workbench(user: Any) -> dict[str, Any] | None:
    """Answer to core's `workbench_sections`: the owner's open items; the district office's counts."""
    links: list[dict[str, Any]] = []
    mine = action_items_with_level(action_items_owned_by(user).filter(status=ActionItem.Status.OPEN))
    n_mine = mine.count()
    if n_mine:
        red = mine.filter(level="red").count()
        links.append(
            {
                "label": "我的督办事项",
                "url": reverse("coordination:action_item_list") + "?mine=1",
                "count": n_mine,
                "note": f"未销号 {n_mine} 项，其中超期 {red} 项",
                "note_class": "badge-warn-red" if red else "muted",
            }
        )
        for x in mine.order_by("due_on")[:5]:
            links.append(
                {
                    "label": f"{x.title}（{x.due_on:%Y-%m-%d} 前）",
                    "url": reverse("coordination:action_item_detail", args=[x.pk]),
                    "note": ACTION_LEVEL_LABELS[x.level] if x.level else "",
                    "note_class": f"badge-warn-{x.level}" if x.level else "muted",
                }
            )
    if meeting_districts(user):
        open_ = action_items_with_level(action_items_visible_to(user).filter(status=ActionItem.Status.OPEN))
        n_open = open_.count()
        red = open_.filter(level="red").count()
        yellow = open_.filter(level="yellow").count()
        links.append(
            {
                "label": "议定事项督办",
                "url": reverse("coordination:action_item_list"),
                "count": n_open,
                "note": f"未销号 {n_open} 项：红牌 {red}，黄牌 {yellow}",
                "note_class": "badge-warn-red" if red else "muted",
            }
        )
    upcoming = meetings_to_attend(user)
    if upcoming:
        links.append(
            {
                "label": "待参加的联席会议",
                "url": reverse("coordination:meeting_list") + "?status=convened&sort=starts_at",
                "count": len(upcoming),
                "note": f"最近一次：{upcoming[0].title}（{timezone.localtime(upcoming[0].starts_at):%m-%d %H:%M}）",
            }
        )
    if may_see_meetings(user):
        links.append({"label": "联席会议", "url": reverse("coordination:meeting_list")})
    return {"title": "联席会议", "links": links} if links else None


# ── 帮办代办 (help requests) ──
# Scope is decided once, in help_requests_visible_to.


HELP_SORTS = {"number", "-number", "created_at", "-created_at", "status", "-status", "center", "-center"}


def help_managed_center_ids(user: Any) -> set[int]:
    """Halls whose every help request `user` sees: as hall manager or district office."""
    if user is None or not user.is_authenticated:
        return set()
    return center_ids_acting_as(user, HELP_MANAGE)


def help_requests_visible_to(user: Any) -> QuerySet[HelpRequest]:
    """A hall's manager and the district office see the hall's requests; a helper the
    ones assigned to them; whoever recorded one, that one."""
    if user is None or not user.is_authenticated:
        return HelpRequest.objects.none()
    return (
        HelpRequest.objects.filter(
            Q(center_id__in=help_managed_center_ids(user)) | Q(helper=user) | Q(recorded_by=user)
        )
        .select_related("center", "helper")
        .order_by("-id")
    )


def help_requests_search(
    user: Any,
    *,
    q: str = "",
    status: str = "",
    kind: str = "",
    group: str = "",
    center: str = "",
    mine: bool = False,
    sort: str = "",
) -> QuerySet[HelpRequest]:
    """The one filter of the list page, its Excel export and the API."""
    qs = help_requests_visible_to(user)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(person_name__icontains=q) | Q(needs__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if group:
        qs = qs.filter(group=group)
    if center:
        qs = qs.filter(center__code=center)
    if mine:
        qs = qs.filter(helper=user)
    if sort in HELP_SORTS:
        field = sort.replace("center", "center__code")
        qs = qs.order_by(field, "-id")
    return qs


def help_request_get(user: Any, number: str) -> HelpRequest:
    found = help_requests_visible_to(user).filter(number=number).first()
    if found is None:
        raise NotFound(HELP_NOT_FOUND)
    return found


def help_helpers_of(center: Any) -> QuerySet[Any]:
    """Staff holding a role at the hall itself: whom a request there may be assigned to."""
    return (
        User.objects.filter(
            role_assignments__center=center, role_assignments__role__in=list(HELP_STAFF), is_active=True
        )
        .distinct()
        .order_by("full_name", "username")
    )


def help_record_centers(user: Any) -> QuerySet[Any]:
    """Halls where `user` may record a request at the desk."""
    return Center.objects.filter(id__in=center_ids_acting_as(user, HELP_STAFF)).order_by("code")


def help_figures(user: Any, *, since: date | None = None, until: date | None = None) -> dict:
    """Counted by hall and by helper (of the requests `user` sees, created in the range)."""
    qs = help_requests_visible_to(user)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    counts = {
        "total": Count("id"),
        "new": Count("id", filter=Q(status=HelpRequest.Status.NEW)),
        "assigned": Count("id", filter=Q(status=HelpRequest.Status.ASSIGNED)),
        "done": Count("id", filter=Q(status=HelpRequest.Status.DONE)),
        "proxy": Count("id", filter=Q(kind=HelpRequest.Kind.PROXY)),
    }
    by_hall = list(
        qs.order_by().values("center__code", "center__name").annotate(**counts).order_by("center__code")
    )
    by_helper = list(
        qs.exclude(helper=None)
        .order_by()
        .values("center__code", "center__name", "helper__username", "helper__full_name")
        .annotate(**counts)
        .order_by("center__code", "helper__full_name")
    )
    return {"by_hall": by_hall, "by_helper": by_helper}


def help_counts_mine(user: Any) -> dict[str, int]:
    qs = HelpRequest.objects.filter(helper=user)
    return {
        "open": qs.exclude(status=HelpRequest.Status.DONE).count(),
        "done": qs.filter(status=HelpRequest.Status.DONE).count(),
    }


def help_workbench(user: Any) -> dict[str, Any] | None:
    """Answer to core's `workbench_sections`: a helper's own requests; the hall's list,
    the new-request form and the figures for staff of a hall."""
    if user is None or not user.is_authenticated:
        return None
    links: list[dict[str, Any]] = []
    mine = help_counts_mine(user)
    if mine["open"] or mine["done"]:
        links.append(
            {
                "label": "我负责的帮办代办",
                "url": reverse("coordination:help_list") + "?mine=1",
                "count": mine["open"],
                "note": f"办理中 {mine['open']} 件，已办结 {mine['done']} 件",
            }
        )
    if center_ids_acting_as(user, HELP_STAFF):
        managed = help_managed_center_ids(user)
        if managed:
            waiting = HelpRequest.objects.filter(center_id__in=managed, status=HelpRequest.Status.NEW).count()
            links.append(
                {
                    "label": "帮办代办（本大厅）",
                    "url": reverse("coordination:help_list"),
                    "count": waiting,
                    "note": f"待分派 {waiting} 件",
                }
            )
            links.append(
                {"label": "帮办代办统计（按大厅、帮代办员）", "url": reverse("coordination:help_figures")}
            )
        links.append({"label": "登记帮办代办（帮代办窗口）", "url": reverse("coordination:help_new")})
    return {"title": "帮办代办", "links": links} if links else None


# ── 公示公开 (disclosure) ──
# A hall's public disclosure, generated from the records of the lower apps.

MECHANISMS = [
    ("first_inquiry", "首问负责", "您第一个询问的工作人员负责解答或引导到位，不推诿。"),
    ("one_notice", "一次性告知", "材料不齐的，一次性书面告知需补正的全部内容，不得再提新要求。"),
    ("time_limit", "限时办结", "按办事指南承诺的时限（工作日）办结，可凭办件编号查询进度。"),
    ("complaint", "投诉处理", "效能投诉限时受理、调查、处置并答复投诉人。"),
    ("ab_post", "AB岗", "每个窗口设 A 岗和 B 岗，A 岗不在时由 B 岗顶岗，服务不断档。"),
    (
        "help",
        "帮办代办",
        "为老年人、残疾人和重点项目企业提供帮办、代办服务，可在自助终端、手机或帮代办窗口申请。",
    ),
]


def disclosure_month(raw: str | None, *, today: date | None = None) -> tuple[date, date]:
    """First and last day of `raw` (YYYY-MM; default this month). Malformed or future: refused."""
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


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def disclosure_figures(center: Any, first: date, last: date) -> dict[str, Any]:
    """A hall's service figures of one month, each read from its own app's records:
    tickets (queueing), cases accepted and completed and on time (cases), satisfaction
    (the 好差评 answer to queueing's hall_satisfaction), complaints (the answers to
    core's hall_day_figures), help requests (here)."""
    cid = center.pk
    tickets = [r for r in ticket_day_counts(since=first, until=last) if r["center_id"] == cid]
    cases = case_day_counts(since=first, until=last)

    def case_sum(key: str, field: str = "n") -> int:
        return sum(r[field] for r in cases[key] if r["center_id"] == cid)

    due, on_time = case_sum("done", "with_deadline"), case_sum("done", "on_time")
    satisfaction = (satisfaction_of_halls(center_ids=[cid], since=first, until=last) or {}).get(cid) or {}
    complaints: int | None = None
    for _, answer in hall_day_figures.registered():
        for (center_id, _day), figures in answer(since=first, until=last).items():
            if center_id == cid and "complaints" in figures:
                complaints = (complaints or 0) + figures["complaints"]
    helps = HelpRequest.objects.filter(center=center, created_at__date__gte=first, created_at__date__lte=last)
    return {
        "tickets": sum(r["tickets"] for r in tickets),
        "tickets_served": sum(r["served"] for r in tickets),
        "cases_accepted": case_sum("accepted"),
        "cases_completed": case_sum("done"),
        "cases_due": due,
        "cases_on_time": on_time,
        "on_time_rate": _rate(on_time, due),
        "ratings": satisfaction.get("count", 0),
        "satisfaction": satisfaction.get("rate"),
        "complaints": complaints,
        "help_requests": helps.count(),
        "help_done": helps.filter(status=HelpRequest.Status.DONE).count(),
    }


def disclosure(center: Any, *, month: str | None = None) -> dict[str, Any]:
    """Everything a hall's 公示公开 shows, generated from the records (never typed twice)."""
    first, last = disclosure_month(month)
    chiefs = [
        {
            "name": a.representative.full_name or a.representative.username,
            "department": a.department.name,
            "document_number": a.document_number,
            "title": a.title,
            "items": "本部门在本中心的全部事项" if a.all_items else "、".join(i.name for i in a.items.all()),
            "valid_from": a.valid_from,
            "valid_to": a.valid_to,
        }
        for a in chief_representatives_public(center)
    ]
    complaint_phones = sorted(
        {
            phone.strip()
            for phone in items_stationed_at([center.pk])
            .exclude(current_guide=None)
            .values_list("current_guide__complaint_phone", flat=True)
            if phone and phone.strip()
        }
    )
    posts = posts_of_hall(center)
    windows = {p.window_id for p in posts}
    with_both = {w for w in windows if {p.role for p in posts if p.window_id == w} >= {"A", "B"}}
    return {
        "center": {
            "code": center.code,
            "name": center.name,
            "address": center.address,
            "phone": center.phone,
            "hours": hours_summary(center),
            "department": center.department.name if center.department_id else "",
        },
        "month": f"{first:%Y-%m}",
        "month_label": f"{first.year} 年 {first.month} 月",
        "mechanisms": [{"code": c, "name": n, "text": t} for c, n, t in MECHANISMS],
        "chief_representatives": chiefs,
        "complaint": {
            "phones": complaint_phones,
            "consult_phone": center.phone,
            "address": center.address,
        },
        "ab_posts": {"windows": len(windows), "with_a_and_b": len(with_both)},
        "figures": disclosure_figures(center, first, last),
    }
