"""明进暗不进 / 体外循环: where an item is declared stationed at a hall but is not
really handled there, and where a window is kept open with nothing done at it.

The rules, for the district office (each finding names what is missing and the
dates or counts behind it):

* `no_window` — an active item stationed at a hall (`ServiceItem.center`) that no
  window of that hall serves: no active queue of the hall covers it, or no window
  serving such a queue takes it (the same reading as the guide's 办理窗口).
* `no_training` — an item stationed at a hall for which none of the hall's counter
  staff (clerks, chief representatives) holds a passed training whose refresher is
  not yet due, from a course naming the item or a queue covering it.
* `no_activity` — an item stationed at a hall with no case made there and no ticket
  taken there in a queue covering it for `ACTIVITY_DAYS` (30) days, while cases for it
  were accepted at other halls in those days: the work goes elsewhere. "Cases for it"
  are the item's own (accepted before it was stationed here) and those of every item
  sharing its 基本目录编码 (the same basic item implemented at another hall).
* `idle_window` — a window open or paused right now at which no ticket was called for
  `IDLE_DAYS` (7) days and whose clerk took in no case at that hall in those days.

Everything is read in bulk through the lower apps' selectors: a fixed number of
queries whatever the number of halls, items and windows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import TextChoices
from django.utils import timezone

from govhall.accounts.models import Role, User
from govhall.accounts.selectors import has_role, visible_center_ids
from govhall.cases.selectors import cases_accepted_since, cases_received_by, last_case_made_where_stationed
from govhall.catalog.models import ServiceItem
from govhall.catalog.selectors import items_sharing_catalog_codes, items_stationed_at
from govhall.centers.models import Center
from govhall.core.errors import Refused
from govhall.queueing.selectors import last_ticket_day_by_queue, register_of, windows_kept_open
from govhall.staffing.selectors import trained_item_ids_by_center

ACTIVITY_DAYS = 30
IDLE_DAYS = 7


class CheckKind(TextChoices):
    NO_WINDOW = "no_window", "进驻事项无窗口或队列办理"
    NO_TRAINING = "no_training", "进驻事项无培训合格人员"
    NO_ACTIVITY = "no_activity", f"进驻事项{ACTIVITY_DAYS}天无办件、他处在办"
    IDLE_WINDOW = "idle_window", f"窗口开放但{IDLE_DAYS}天无业务"


@dataclass(frozen=True)
class Finding:
    """One thing the check found, with the evidence a reader can verify."""

    kind: str
    center_id: int
    center_code: str
    center_name: str
    subject: str  # the item (code and name) or the window
    evidence: str
    last_seen: date | None = None  # the last activity found, if any

    @property
    def kind_label(self) -> str:
        return CheckKind(self.kind).label


def may_run_checks(user: User) -> bool:
    return user.is_superuser or has_role(user, Role.DISTRICT_ADMIN)


def access_checks(user: User) -> None:
    """Only the district office runs the stationing check."""
    if not may_run_checks(user):
        raise Refused("只有区政务办可以查看明进暗不进检查。")


def _day(at: datetime | None) -> date | None:
    return timezone.localdate(at) if at else None


def stationing_findings(*, user: User, center_id: int | None = None, kind: str = "") -> list[Finding]:
    """Every finding in the halls `user` (the district office) sees, optionally of one
    hall and one kind, ordered by hall, kind and subject."""
    access_checks(user)
    center_ids = set(visible_center_ids(user))  # a copy: the user object remembers its own
    if center_id is not None:
        center_ids &= {center_id}
    centers = {
        c.pk: c
        for c in Center.objects.filter(pk__in=center_ids).exclude(
            status__in=[Center.Status.MERGED, Center.Status.CLOSED]
        )
    }
    ids = list(centers)
    today = timezone.localdate()
    now = timezone.now()
    findings: list[Finding] = []
    if kind in ("", CheckKind.NO_WINDOW, CheckKind.NO_TRAINING, CheckKind.NO_ACTIVITY):
        findings += _item_findings(ids, today=today, now=now, kind=kind)
    if kind in ("", CheckKind.IDLE_WINDOW):
        findings += _window_findings(ids, now=now)
    order = list(CheckKind.values)
    return sorted(
        findings, key=lambda f: (centers[f.center_id].kind, f.center_code, order.index(f.kind), f.subject)
    )


def _item_findings(center_ids: list[int], *, today: date, now: datetime, kind: str) -> list[Finding]:
    items = list(items_stationed_at(center_ids))
    register = register_of(center_ids)
    want = {kind} if kind else set(CheckKind.values)
    trained = trained_item_ids_by_center(center_ids, today) if CheckKind.NO_TRAINING in want else {}
    since = now - timedelta(days=ACTIVITY_DAYS)
    last_made = last_case_made_where_stationed([i.pk for i in items]) if CheckKind.NO_ACTIVITY in want else {}
    last_ticket = (
        last_ticket_day_by_queue(register.queue_center, since=timezone.localdate(since))
        if CheckKind.NO_ACTIVITY in want
        else {}
    )
    queues_of_item: dict[tuple[int, int], list[int]] = {}
    for queue_id, item_ids in register.queue_items.items():
        for item_id in item_ids:
            queues_of_item.setdefault((register.queue_center[queue_id], item_id), []).append(queue_id)
    out = []
    quiet: list[tuple[ServiceItem, datetime | None]] = []  # no case made here, no ticket: worked elsewhere?
    for item in items:
        hall = item.center
        subject = f"{item.code} {item.name}"

        def finding(
            k: str, evidence: str, last: date | None = None, hall: Center = hall, subject: str = subject
        ):
            return Finding(k, hall.pk, hall.code, hall.name, subject, evidence, last)

        if CheckKind.NO_WINDOW in want and item.pk not in register.served.get(hall.pk, set()):
            queues = queues_of_item.get((hall.pk, item.pk), [])
            out.append(
                finding(
                    CheckKind.NO_WINDOW,
                    f"本大厅有 {len(queues)} 个启用队列覆盖该事项，但没有窗口办理"
                    if queues
                    else "本大厅没有启用队列覆盖该事项",
                )
            )
        if CheckKind.NO_TRAINING in want and item.pk not in trained.get(hall.pk, set()):
            out.append(finding(CheckKind.NO_TRAINING, "本大厅窗口人员无该事项（或其队列）的有效培训合格记录"))
        if CheckKind.NO_ACTIVITY in want:
            made = last_made.get(item.pk)
            if made is not None and made >= since:
                continue
            tickets = [d for q in queues_of_item.get((hall.pk, item.pk), []) if (d := last_ticket.get(q))]
            if not tickets:
                quiet.append((item, made))
    out += _work_elsewhere(quiet, since=since)
    return out


def _work_elsewhere(quiet: list[tuple[ServiceItem, datetime | None]], *, since: datetime) -> list[Finding]:
    """`no_activity` findings: of the quiet items (no case made at their hall and no ticket
    in its queues for them since `since`), those whose basic item (the item itself, or any
    sharing its 基本目录编码) had cases accepted at other halls since then."""
    if not quiet:
        return []
    same = {item.pk: f"#{item.pk}" for item, _ in quiet}  # item → what makes two items the same basic item
    same.update(items_sharing_catalog_codes({item.catalog_code for item, _ in quiet}))
    accepted: dict[str, dict[int, int]] = {}  # basic item → hall → accepted there
    for (center_id, item_id), n in cases_accepted_since(list(same), since=since).items():
        by_hall = accepted.setdefault(same[item_id], {})
        by_hall[center_id] = by_hall.get(center_id, 0) + n
    out = []
    for item, made in quiet:
        hall = item.center
        elsewhere = sum(n for c, n in accepted.get(same[item.pk], {}).items() if c != hall.pk)
        if elsewhere:
            out.append(
                Finding(
                    CheckKind.NO_ACTIVITY,
                    hall.pk,
                    hall.code,
                    hall.name,
                    f"{item.code} {item.name}",
                    f"近 {ACTIVITY_DAYS} 天本大厅无该事项办件、无相关队列取号；同期其他大厅受理 {elsewhere} 件",
                    _day(made),
                )
            )
    return out


def _window_findings(center_ids: list[int], *, now: datetime) -> list[Finding]:
    since = now - timedelta(days=IDLE_DAYS)
    last_call: dict[int, datetime | None] = {}
    windows = []
    for w in windows_kept_open(center_ids):
        at: datetime | None = w.last_call_at  # type: ignore[attr-defined]  # annotated by the selector
        last_call[w.pk] = at
        if at is None or at < since:
            windows.append(w)
    clerks = [w.clerk_id for w in windows if w.clerk_id]
    received = cases_received_by(clerks, center_ids=center_ids, since=since) if clerks else {}
    out = []
    for w in windows:
        if w.clerk_id and received.get((w.clerk_id, w.center_id)):
            continue
        last = _day(last_call[w.pk])
        called = f"最后叫号 {last:%Y-%m-%d}" if last else "从未叫号"
        opened = f"{_day(w.opened_at):%Y-%m-%d} 开窗，" if w.opened_at else ""
        clerk = f"，当前人员 {w.clerk.display_name} 同期未收件" if w.clerk else "，无当前人员"
        out.append(
            Finding(
                CheckKind.IDLE_WINDOW,
                w.center_id,
                w.center.code,
                w.center.name,
                f"{w.number}号窗口 {w.name}",
                f"{w.get_status_display()}；{opened}{called}（{IDLE_DAYS} 天内无叫号）{clerk}",
                last,
            )
        )
    return out
