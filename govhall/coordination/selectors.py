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


# --- help18 ---
# 帮办代办 readers (scope decided once, in help_requests_visible_to) and 公示公开:
# a hall's public disclosure, read from the records of the lower apps.
import calendar as _disc_calendar  # noqa: E402
from datetime import date as _help_date  # noqa: E402
from typing import Any as _HelpAny  # noqa: E402

from django.db.models import Count as _HelpCount  # noqa: E402
from django.db.models import Q as _HelpQ  # noqa: E402
from django.db.models import QuerySet as _HelpQS  # noqa: E402
from django.utils import timezone as _help_tz  # noqa: E402

from govhall.accounts.selectors import center_ids_acting_as as _help_acting  # noqa: E402
from govhall.core.errors import NotFound as _HelpNotFound  # noqa: E402

from .models import HelpRequest  # noqa: E402
from .permissions import HELP_MANAGE, HELP_NOT_FOUND, HELP_STAFF  # noqa: E402

HELP_SORTS = {"number", "-number", "created_at", "-created_at", "status", "-status", "center", "-center"}


def help_managed_center_ids(user: _HelpAny) -> set[int]:
    """Halls whose every help request `user` sees: as hall manager or district office."""
    if user is None or not user.is_authenticated:
        return set()
    return _help_acting(user, HELP_MANAGE)


def help_requests_visible_to(user: _HelpAny) -> _HelpQS[HelpRequest]:
    """A hall's manager and the district office see the hall's requests; a helper the
    ones assigned to them; whoever recorded one, that one."""
    if user is None or not user.is_authenticated:
        return HelpRequest.objects.none()
    return (
        HelpRequest.objects.filter(
            _HelpQ(center_id__in=help_managed_center_ids(user))
            | _HelpQ(helper=user)
            | _HelpQ(recorded_by=user)
        )
        .select_related("center", "helper")
        .order_by("-id")
    )


def help_requests_search(
    user: _HelpAny,
    *,
    q: str = "",
    status: str = "",
    kind: str = "",
    group: str = "",
    center: str = "",
    mine: bool = False,
    sort: str = "",
) -> _HelpQS[HelpRequest]:
    """The one filter of the list page, its Excel export and the API."""
    qs = help_requests_visible_to(user)
    if q:
        qs = qs.filter(
            _HelpQ(number__icontains=q) | _HelpQ(person_name__icontains=q) | _HelpQ(needs__icontains=q)
        )
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


def help_request_get(user: _HelpAny, number: str) -> HelpRequest:
    found = help_requests_visible_to(user).filter(number=number).first()
    if found is None:
        raise _HelpNotFound(HELP_NOT_FOUND)
    return found


def help_helpers_of(center: _HelpAny) -> _HelpQS[_HelpAny]:
    """Staff holding a role at the hall itself: whom a request there may be assigned to."""
    from govhall.accounts.models import User

    return (
        User.objects.filter(
            role_assignments__center=center, role_assignments__role__in=list(HELP_STAFF), is_active=True
        )
        .distinct()
        .order_by("full_name", "username")
    )


def help_record_centers(user: _HelpAny) -> _HelpQS[_HelpAny]:
    """Halls where `user` may record a request at the desk."""
    from govhall.centers.models import Center

    return Center.objects.filter(id__in=_help_acting(user, HELP_STAFF)).order_by("code")


def help_figures(user: _HelpAny, *, since: _help_date | None = None, until: _help_date | None = None) -> dict:
    """Counted by hall and by helper (of the requests `user` sees, created in the range)."""
    qs = help_requests_visible_to(user)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    counts = {
        "total": _HelpCount("id"),
        "new": _HelpCount("id", filter=_HelpQ(status=HelpRequest.Status.NEW)),
        "assigned": _HelpCount("id", filter=_HelpQ(status=HelpRequest.Status.ASSIGNED)),
        "done": _HelpCount("id", filter=_HelpQ(status=HelpRequest.Status.DONE)),
        "proxy": _HelpCount("id", filter=_HelpQ(kind=HelpRequest.Kind.PROXY)),
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


def help_counts_mine(user: _HelpAny) -> dict[str, int]:
    qs = HelpRequest.objects.filter(helper=user)
    return {
        "open": qs.exclude(status=HelpRequest.Status.DONE).count(),
        "done": qs.filter(status=HelpRequest.Status.DONE).count(),
    }


def help_workbench(user: _HelpAny) -> dict[str, _HelpAny] | None:
    """Answer to core's `workbench_sections`: a helper's own requests; the hall's list,
    the new-request form and the figures for staff of a hall."""
    from django.urls import reverse

    if user is None or not user.is_authenticated:
        return None
    links: list[dict[str, _HelpAny]] = []
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
    if _help_acting(user, HELP_STAFF):
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


# ── 公示公开 ──

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


def disclosure_month(raw: str | None, *, today: _help_date | None = None) -> tuple[_help_date, _help_date]:
    """First and last day of `raw` (YYYY-MM; default this month). Malformed or future: refused."""
    from govhall.core.errors import DomainError

    today = today or _help_tz.localdate()
    if not raw:
        year, month = today.year, today.month
    else:
        try:
            y, m = raw.split("-")
            if len(y) != 4 or len(m) != 2:
                raise ValueError
            year, month = int(y), int(m)
            _help_date(year, month, 1)
        except ValueError:
            raise DomainError("月份格式应为 YYYY-MM，例如 2026-11。", field="month") from None
        if (year, month) > (today.year, today.month):
            raise DomainError("只能查看本月及以前的月份。", field="month")
    return _help_date(year, month, 1), _help_date(year, month, _disc_calendar.monthrange(year, month)[1])


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def disclosure_figures(center: _HelpAny, first: _help_date, last: _help_date) -> dict[str, _HelpAny]:
    """A hall's service figures of one month, each read from its own app's records:
    tickets (queueing), cases accepted and completed and on time (cases), satisfaction
    (the 好差评 answer to queueing's hall_satisfaction), complaints (the answers to
    core's hall_day_figures), help requests (here)."""
    from govhall.cases.selectors import case_day_counts
    from govhall.core.extensions import hall_day_figures
    from govhall.queueing.extensions import satisfaction_of_halls
    from govhall.queueing.selectors import ticket_day_counts

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


def disclosure(center: _HelpAny, *, month: str | None = None) -> dict[str, _HelpAny]:
    """Everything a hall's 公示公开 shows, generated from the records (never typed twice)."""
    from govhall.cases.selectors import chief_representatives_public
    from govhall.catalog.selectors import items_stationed_at
    from govhall.centers.selectors import hours_summary
    from govhall.staffing.selectors import posts_of_hall

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
