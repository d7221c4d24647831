"""The demo district's last N days, lived through the services at past moments.

Every row comes from the service a person would have used (ticket_issue,
ticket_call_next … attendance_clock, leave_request, case_intake_window …), run
under `time_machine` at the moment it would have happened, so history rows,
ticket numbers per day and every timestamp come out as in a real hall. The
database's clock does not travel: inside `core.history.python_clock()` the
ticket numbering takes Python's clock (see docs/ARCHITECTURE.md "Generated
history").

A day at a hall: its staff clock in (some late), each window is opened by its A
post holder (B when A is on leave), people take numbers on a day curve (a
morning peak, a smaller afternoon one, Mondays busier), the windows call,
serve (or mark 过号) until nobody waits, then close; clerks receive cases,
some get a 一次性告知 (补正), most are accepted and completed on a later day, a
few are left to run late (overdue and warned once the warning job runs);
first inquiries are recorded. Only the hall's opening days (the calendar and
its hours) are lived. Deterministic: every hall-day has its own seeded random.
Idempotent: a hall-day that already has tickets is not lived again."""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import time_machine
from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric

from govhall.accounts.models import User
from govhall.cases import services as case_services
from govhall.cases.models import Case
from govhall.catalog.models import ServiceItem
from govhall.centers.models import Center
from govhall.core.errors import DomainError
from govhall.core.history import python_clock
from govhall.queueing import services as queue_services
from govhall.queueing.hours import taking_day
from govhall.queueing.models import Ticket, Window
from govhall.staffing import services as staff_services
from govhall.staffing.models import Leave, Post

# Expected tickets per open window on an ordinary day; the weekday factors and the half-hour curve.
TICKETS_PER_WINDOW = 9
WEEKDAY_FACTOR = [1.45, 1.0, 0.95, 0.9, 0.85, 0.6, 0.6]  # Monday … Sunday (make-up working days)
CURVE = [  # (from, to, weight): the morning peak around 10:00, a smaller one around 14:30
    (time(9, 0), time(9, 30), 1.0),
    (time(9, 30), time(10, 0), 1.7),
    (time(10, 0), time(10, 30), 2.0),
    (time(10, 30), time(11, 0), 1.5),
    (time(11, 0), time(11, 30), 0.9),
    (time(11, 30), time(12, 0), 0.5),
    (time(13, 30), time(14, 0), 0.6),
    (time(14, 0), time(14, 30), 1.0),
    (time(14, 30), time(15, 0), 1.2),
    (time(15, 0), time(15, 30), 0.8),
    (time(15, 30), time(16, 30), 0.6),
]
NO_SHOW = 0.06
CASES_PER_HALL_DAY = 3
INQUIRY_TOPICS = [
    "咨询办理所需材料",
    "咨询办理时限和进度",
    "咨询是否可以网上办理",
    "咨询委托他人代办的要求",
    "咨询异地办理",
    "咨询收费标准",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"


class Day:
    """One hall's opening day being lived: its staff on duty and its seeded random."""

    def __init__(self, hall: Center, day: date, rng: random.Random, traveller: Any):
        self.hall, self.day, self.rng, self.traveller = hall, day, rng, traveller

    def at(self, moment: time | datetime) -> datetime:
        when = moment if isinstance(moment, datetime) else datetime.combine(self.day, moment)
        when = timezone.make_aware(when) if timezone.is_naive(when) else when
        self.traveller.move_to(when)
        return when


def load_demo_history(*, days: int, progress: Callable[[str], Any] | None = None) -> dict[str, int]:
    """Live the `days` days before today at every demo hall that has windows."""
    made = {"days": 0, "tickets": 0, "cases": 0, "inquiries": 0, "attendance": 0, "leaves": 0}
    if days <= 0:
        return made
    today = timezone.localdate()
    halls = list(Center.objects.filter(is_demo=True, windows__isnull=False).distinct().order_by("code"))
    first = today - timedelta(days=days)
    with python_clock(), time_machine.travel(timezone.make_aware(datetime.combine(first, time(8))), tick=False) as t:
        for hall in halls:
            made["leaves"] += _plan_leave(hall, first, today, t)
        later: dict[date, list[tuple[int, str]]] = {}
        for offset in range(days, 0, -1):
            day = today - timedelta(days=offset)
            lived = 0
            for hall in halls:
                if not taking_day(hall, day).periods:
                    continue  # weekend, holiday, or the hall closed that day
                if Ticket.objects.filter(center=hall, day=day).exists():
                    continue  # lived already
                rng = random.Random(f"{hall.code}:{day.isoformat()}")
                d = Day(hall, day, rng, t)
                counts = _live_day(d, later)
                for key, value in counts.items():
                    made[key] += value
                lived += 1
            _case_steps_due(later.pop(day, []), day, t)
            made["days"] += 1 if lived else 0
            if progress is not None and lived and day.day in (1, 15):
                progress(f"  历史（history）：已生成至 {day:%Y-%m-%d}")
    case_services.warnings_compute(today=today)
    return made


# --- leave ------------------------------------------------------------------------------------------


def _plan_leave(hall: Center, first: date, today: date, t: Any) -> int:
    """About one leave per clerk over two months, never both posts of a window away at once;
    the most recent one still pending (待审批)."""
    rng = random.Random(f"leave:{hall.code}")
    posts = list(Post.objects.filter(window__center=hall, role=Post.Role.A).select_related("user"))
    manager = User.objects.filter(role_assignments__center=hall, role_assignments__role="branch_manager").order_by("id").first()
    made = 0
    span = (today - first).days
    if span < 10 or manager is None:
        return 0
    for i, post in enumerate(posts):
        start = first + timedelta(days=5 + (i * 9 + rng.randrange(5)) % max(span - 8, 1))
        while start.weekday() >= 5:
            start += timedelta(days=1)
        end = start + timedelta(days=rng.choice([0, 0, 1]))
        user = post.user
        if Leave.objects.filter(user=user, start_date=start).exists():
            continue
        pending = start >= today - timedelta(days=2)
        _at(t, start - timedelta(days=3), time(16, 30))
        try:
            with transaction.atomic():
                leave = staff_services.leave_request(
                    by=user,
                    kind=rng.choice([Leave.Kind.ANNUAL, Leave.Kind.PERSONAL, Leave.Kind.SICK]),
                    start_date=start,
                    end_date=end,
                    reason="家中有事（演示）",
                    center=hall,
                )
                if not pending:
                    staff_services.leave_approve(leave=leave, by=manager, note="同意，B 岗顶岗（演示）")
        except DomainError:
            continue
        made += 1
    return made


def _on_leave(hall: Center, day: date) -> set[int]:
    return set(
        Leave.objects.filter(
            center=hall, status=Leave.Status.APPROVED, start_date__lte=day, end_date__gte=day
        ).values_list("user_id", flat=True)
    )


def _at(t: Any, day: date, moment: time) -> datetime:
    when = timezone.make_aware(datetime.combine(day, moment))
    t.move_to(when)
    return when


# --- a day at a hall --------------------------------------------------------------------------------


@transaction.atomic
def _live_day(d: Day, later: dict[date, list[tuple[int, str]]]) -> dict[str, int]:
    made = {"tickets": 0, "cases": 0, "inquiries": 0, "attendance": 0}
    hall, rng = d.hall, d.rng
    away = _on_leave(hall, d.day)
    windows = list(Window.objects.filter(center=hall).prefetch_related("queues").order_by("number"))
    posts = {(p.window_id, p.role): p.user for p in Post.objects.filter(window__center=hall).select_related("user")}
    staff = list(
        User.objects.filter(
            role_assignments__center=hall, role_assignments__role__in=["clerk", "chief_rep", "branch_manager"]
        )
        .exclude(id__in=away)
        .distinct()
        .order_by("id")
    )
    # Clock in: most before nine, about one in eight a few minutes late.
    arrived: dict[int, datetime] = {}
    for user in staff:
        minute = rng.randint(1, 18) if rng.random() < 0.12 else -rng.randint(2, 25)
        when = d.at(datetime.combine(d.day, time(9)) + timedelta(minutes=minute))
        staff_services.attendance_clock(by=user, kind="in", now=when, center=hall)
        arrived[user.id] = when
        made["attendance"] += 1
    # Each window: its A holder, else its B holder, if present and not already at another window.
    duty: dict[int, User] = {}
    busy: set[int] = set()
    for window in windows:
        for role in (Post.Role.A, Post.Role.B):
            user = posts.get((window.id, role))
            if user is not None and user.id in arrived and user.id not in busy:
                duty[window.id] = user
                busy.add(user.id)
                break
    events: list[tuple[datetime, int, str, Any]] = []
    seq = 0

    def push(when: datetime, kind: str, payload: Any) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, (when, seq, kind, payload))

    serving: dict[int, set[int]] = {}
    for window in windows:
        clerk = duty.get(window.id)
        if clerk is None:
            continue
        opens = max(arrived[clerk.id], timezone.make_aware(datetime.combine(d.day, time(9))))
        d.at(opens)
        queue_services.window_open(window=window, by=clerk)
        serving[window.id] = {q.id for q in window.queues.all()}
        push(opens, "free", window)
    queues = list({q.id: q for w in windows for q in w.queues.all() if q.is_active}.values())
    total = TICKETS_PER_WINDOW * len(serving) * WEEKDAY_FACTOR[d.day.weekday()] * rng.uniform(0.85, 1.15)
    weight = sum(w for _, _, w in CURVE)
    for starts, ends, w in CURVE:
        span = (datetime.combine(d.day, ends) - datetime.combine(d.day, starts)).seconds
        for _ in range(_poisson(rng, total * w / weight)):
            when = timezone.make_aware(datetime.combine(d.day, starts) + timedelta(seconds=rng.randrange(span)))
            push(when, "arrive", rng.choice(queues))
    idle: list[Window] = []
    last: dict[int, datetime] = {}
    while events:
        when, _, kind, payload = heapq.heappop(events)
        d.at(when)
        if kind == "arrive":
            try:
                queue_services.ticket_issue(queue=payload, channel=Ticket.Channel.KIOSK)
            except DomainError:
                continue  # after the cutoff
            made["tickets"] += 1
            for window in idle:
                if payload.id in serving[window.id]:
                    idle.remove(window)
                    push(when, "free", window)
                    break
        elif kind == "free":
            clerk = duty[payload.id]
            ticket = queue_services.ticket_call_next(window=payload, by=clerk)
            if ticket is None:
                idle.append(payload)
                last[payload.id] = when
                continue
            if rng.random() < NO_SHOW:
                push(when + timedelta(seconds=rng.randint(60, 150)), "no_show", payload)
            else:
                push(when + timedelta(seconds=rng.randint(20, 90)), "start", payload)
        elif kind == "start":
            queue_services.ticket_start(window=payload, by=duty[payload.id])
            push(when + timedelta(seconds=rng.randint(180, 900)), "finish", payload)
        elif kind == "finish":
            queue_services.ticket_finish(window=payload, by=duty[payload.id])
            push(when + timedelta(seconds=rng.randint(15, 60)), "free", payload)
        elif kind == "no_show":
            queue_services.ticket_no_show(window=payload, by=duty[payload.id])
            push(when + timedelta(seconds=10), "free", payload)
    closing = timezone.make_aware(datetime.combine(d.day, time(17)))
    for window in windows:
        if window.id in duty:
            d.at(max(closing, last.get(window.id, closing)))
            queue_services.window_close(window=window, by=duty[window.id])
    made["cases"] += _cases(d, list(duty.values()), later)
    made["inquiries"] += _inquiries(d, staff)
    for user in staff:
        d.at(closing + timedelta(minutes=rng.randint(1, 40)))
        staff_services.attendance_clock(by=user, kind="out", now=timezone.now(), center=hall)
    return made


def _poisson(rng: random.Random, mean: float) -> int:
    """Arrivals in a slot: a sum of Bernoulli trials is plenty for a demo."""
    n = int(mean * 2) + 1
    p = mean / n
    return sum(1 for _ in range(n) if rng.random() < p)


# --- cases -------------------------------------------------------------------------------------------


def _person(rng: random.Random) -> tuple[str, str, str]:
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(16000))
    body = f"500117{born:%Y%m%d}{rng.randrange(1000):03d}"
    return (
        rng.choice(SURNAMES) + rng.choice("伟芳娜敏静丽强磊洋艳勇军杰娟涛明超霞平刚") + "（演示）",
        body + ric.calc_check_digit(body),
        f"139{rng.randrange(10**8):08d}",
    )


def _cases(d: Day, clerks: list[User], later: dict[date, list[tuple[int, str]]]) -> int:
    """A few window cases a day at the hall's items that need no second party: about one in
    eight gets a 一次性告知, a few are withdrawn, most are accepted; of those most are completed
    and delivered some working days later, a few are left to run late."""
    items = list(
        ServiceItem.objects.filter(center=d.hall, is_active=True, current_guide__isnull=False)
        .exclude(name__in=["结婚登记", "离婚登记"])
        .select_related("current_guide")
        .order_by("id")
    )
    if not items or not clerks:
        return 0
    made = 0
    for _ in range(d.rng.randint(1, CASES_PER_HALL_DAY)):
        item, clerk = d.rng.choice(items), d.rng.choice(clerks)
        guide = item.current_guide
        assert guide is not None
        materials = list(guide.materials.order_by("order").values_list("id", flat=True))
        name, id_number, phone = _person(d.rng)
        d.at(time(d.rng.choice([9, 10, 10, 11, 14, 15]), d.rng.randrange(60)))
        roll = d.rng.random()
        try:
            with transaction.atomic():
                case = case_services.case_intake_window(
                    by=clerk,
                    center=d.hall,
                    item=item,
                    applicant_name=name,
                    applicant_id_number=id_number,
                    contact_phone=phone,
                    paper_material_ids=materials if roll >= 0.12 else materials[:-1],
                    is_demo=True,
                )
                if roll < 0.12 and materials:
                    case_services.case_request_correction(
                        by=clerk,
                        case=case,
                        items=[{"material_id": materials[-1], "problem": "missing", "reason": "未提交（演示）"}],
                    )
                elif roll < 0.16:
                    case_services.case_withdraw(by=clerk, case=case, reason="申请人主动撤回（演示）")
                else:
                    case_services.case_accept(by=clerk, case=case)
                    if roll < 0.24:
                        pass  # left to run: overdue or warned by now
                    else:
                        due = d.day + timedelta(days=d.rng.randint(1, 12))
                        later.setdefault(due, []).append((case.pk, "complete"))
        except DomainError:
            continue
        made += 1
    return made


def _case_steps_due(steps: list[tuple[int, str]], day: date, t: Any) -> None:
    """Complete and deliver the cases due today (by whoever accepted them), at 15:00–16:00."""
    for case_id, _ in steps:
        case = Case.objects.select_related("center", "received_by").get(pk=case_id)
        if not taking_day(case.center, day).periods:
            continue  # not an opening day of its hall: left to run
        clerk = case.received_by
        _at(t, day, time(15, case_id % 60))
        try:
            with transaction.atomic():
                case_services.case_complete(by=clerk, case=case, outcome=Case.Outcome.APPROVED, note="准予（演示）")
                _at(t, day, time(16, case_id % 60))
                case_services.case_deliver(by=clerk, case=case, method="window")
        except DomainError:
            continue


# --- first inquiries ---------------------------------------------------------------------------------


def _inquiries(d: Day, staff: list[User]) -> int:
    """Zero to two 首问登记 a day; most answered on the spot, some handed over to a colleague."""
    made = 0
    for _ in range(d.rng.choice([0, 0, 1, 1, 2])):
        if len(staff) < 2:
            break
        first, other = d.rng.sample(staff, 2)
        name, _, phone = _person(d.rng)
        d.at(time(d.rng.choice([9, 10, 11, 14, 15]), d.rng.randrange(60)))
        try:
            with transaction.atomic():
                inquiry = case_services.inquiry_record(
                    by=first,
                    center=d.hall,
                    asker_name=name,
                    asker_contact=phone,
                    topic=d.rng.choice(INQUIRY_TOPICS),
                )
                roll = d.rng.random()
                if roll < 0.7:
                    case_services.inquiry_answer(by=first, inquiry=inquiry, answer="已当场解答（演示）")
                elif roll < 0.85:
                    case_services.inquiry_hand_over(by=first, inquiry=inquiry, to=other, note="转业务窗口（演示）")
        except DomainError:
            continue
        made += 1
    return made

