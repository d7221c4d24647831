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


# --- meet18 ---
# 联席会议: a meeting is seen by the district office of its district and by the
# management of the halls (and departments) it invited; an action item by whoever sees
# its meeting, and by its owner. Pages, API, exports, workbench and 电子监察 all read here.
from datetime import date, timedelta  # noqa: E402
from typing import Any  # noqa: E402

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from govhall.accounts.selectors import center_ids_acting_as, roles_at  # noqa: E402
from govhall.centers.models import Center  # noqa: E402
from govhall.core.errors import NotFound  # noqa: E402

from .models import ACTION_ITEM_NEAR_DAYS, ActionItem, Meeting  # noqa: E402
from .permissions import ACTION_ITEM_NOT_FOUND, MEETING_NOT_FOUND, MEETING_TABLE, OWNER_ROLES  # noqa: E402

ACTION_LEVEL_LABELS = {"red": "红牌（已超期）", "yellow": "黄牌（临近期限）", "": "正常"}


def _meet_memo(user: Any, name: str, compute: Any) -> Any:
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

    return _meet_memo(user, "_meet18_districts", compute)


def _meet_halls(user: Any) -> tuple[set[int], set[int]]:
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

    return _meet_memo(user, "_meet18_halls", compute)


def may_see_meetings(user: Any) -> bool:
    """The meeting list opens for the district office and the halls' management (as the nav offers it)."""
    return bool(meeting_districts(user) or any(_meet_halls(user)))


def meetings_visible_to(user: Any) -> QuerySet[Meeting]:
    districts = meeting_districts(user)
    halls, deps = _meet_halls(user)
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
    halls, _ = _meet_halls(user)
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
    _, deps = _meet_halls(user)
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
