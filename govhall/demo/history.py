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
from govhall.centers import services as center_services
from govhall.centers.models import Center, CenterChange
from govhall.core.errors import DomainError
from govhall.core.history import python_clock
from govhall.feedback import services as feedback_services
from govhall.feedback.models import Complaint, Rating
from govhall.queueing import services as queue_services
from govhall.queueing.hours import taking_day
from govhall.queueing.models import Ticket, Window
from govhall.staffing import services as staff_services
from govhall.staffing.models import Leave, Post

# Expected tickets per open window on an ordinary day, at most; over a long history the district
# takes about TICKET_BUDGET numbers in all (each costs four services: `make run` stays within budget).
TICKETS_PER_WINDOW = 9.0
TICKET_BUDGET = 800
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
CASES_PER_HALL_DAY = 2
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

    def __init__(self, hall: Center, day: date, rng: random.Random, traveller: Any, per_window: float):
        self.hall, self.day, self.rng, self.traveller = hall, day, rng, traveller
        self.per_window = per_window

    def at(self, moment: time | datetime) -> datetime:
        when = moment if isinstance(moment, datetime) else datetime.combine(self.day, moment)
        when = timezone.make_aware(when) if timezone.is_naive(when) else when
        self.traveller.move_to(when)
        return when


def load_demo_history(*, days: int, progress: Callable[[str], Any] | None = None) -> dict[str, int]:
    """Live the `days` days before today at every demo hall that has windows."""
    made = {
        "days": 0,
        "tickets": 0,
        "cases": 0,
        "inquiries": 0,
        "attendance": 0,
        "leaves": 0,
        "ratings": 0,
        "complaints": 0,
        "changes": 0,
    }
    if days <= 0:
        return made
    today = timezone.localdate()
    halls = list(Center.objects.filter(is_demo=True, windows__isnull=False).distinct().order_by("code"))
    first = today - timedelta(days=days)
    windows = Window.objects.filter(center__in=halls).count()
    per_window = min(TICKETS_PER_WINDOW, max(1.0, TICKET_BUDGET / (days * 5 / 7 * max(windows, 1))))
    with (
        python_clock(),
        time_machine.travel(timezone.make_aware(datetime.combine(first, time(8))), tick=False) as t,
    ):
        for hall in halls:
            made["leaves"] += _plan_leave(hall, first, today, t)
        made["changes"] += _center_changes(first, today, t)
        later: dict[date, list[tuple[int, str]]] = {}
        for offset in range(days, 0, -1):
            day = today - timedelta(days=offset)
            lived = 0
            for hall in halls:
                if not taking_day(hall, day).periods:
                    continue  # weekend, holiday, or the hall closed that day
                if Ticket.objects.filter(center=hall, day=day).exists():
                    continue  # lived already
                rng = random.Random(f"{hall.code}:{day.isoformat()}")  # noqa: S311 - a seeded demo
                d = Day(hall, day, rng, t, per_window)
                counts = _live_day(d, later)
                for key, value in counts.items():
                    made[key] += value
                lived += 1
            _case_steps_due(later.pop(day, []), day, t)
            made["days"] += 1 if lived else 0
            if progress is not None and lived and day.day in (1, 15):
                progress(f"  历史（history）：已生成至 {day:%Y-%m-%d}")
    for hall in halls:
        made["leaves"] += _pending_leave(hall, today)
    case_services.warnings_compute(today=today)
    return made


# --- leave ------------------------------------------------------------------------------------------


def _plan_leave(hall: Center, first: date, today: date, t: Any) -> int:
    """About one leave per clerk over two months, never both posts of a window away at once;
    the most recent one still pending (待审批)."""
    rng = random.Random(f"leave:{hall.code}")  # noqa: S311 - a seeded demo, not a secret
    posts = list(Post.objects.filter(window__center=hall, role=Post.Role.A).select_related("user"))
    manager = (
        User.objects.filter(role_assignments__center=hall, role_assignments__role="branch_manager")
        .order_by("id")
        .first()
    )
    made = 0
    span = (today - first).days
    if span < 4 or manager is None:
        return 0
    if Ticket.objects.filter(center=hall, day__gte=first, day__lt=today).exists():
        return 0  # this hall's past was lived by an earlier run: its leave was planned then
    for i, post in enumerate(posts):
        start = first + timedelta(days=1 + (i * 9 + rng.randrange(5)) % max(span - 3, 1))
        while start.weekday() >= 5:
            start += timedelta(days=1)
        end = start + timedelta(days=rng.choice([0, 0, 1]))
        if end >= today:
            continue
        user = post.user
        if Leave.objects.filter(user=user, start_date=start).exists():
            continue
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
                staff_services.leave_approve(leave=leave, by=manager, note="同意，B 岗顶岗（演示）")
        except DomainError:
            continue
        made += 1
    return made


def _pending_leave(hall: Center, today: date) -> int:
    """One request waiting for the manager (待审批) next week, asked today. Not at 婚姻登记分中心,
    whose posts and leave tell their own story (staffing's demo)."""
    if hall.code == "HC-MZ":
        return 0
    post = (
        Post.objects.filter(window__center=hall, role=Post.Role.A)
        .select_related("user")
        .order_by("window__number")
        .first()
    )
    if post is None or Leave.objects.filter(user=post.user, status=Leave.Status.REQUESTED).exists():
        return 0
    start = today + timedelta(days=8)
    while start.weekday() >= 5:
        start += timedelta(days=1)
    try:
        staff_services.leave_request(
            by=post.user,
            kind=Leave.Kind.ANNUAL,
            start_date=start,
            end_date=start,
            reason="年休假（演示）",
            center=hall,
        )
    except DomainError:
        return 0
    return 1


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
    made = {"tickets": 0, "cases": 0, "inquiries": 0, "attendance": 0, "ratings": 0, "complaints": 0}
    away = _on_leave(d.hall, d.day)
    windows = list(Window.objects.filter(center=d.hall).prefetch_related("queues").order_by("number"))
    staff = list(
        User.objects.filter(
            role_assignments__center=d.hall,
            role_assignments__role__in=["clerk", "chief_rep", "branch_manager"],
        )
        .exclude(id__in=away)
        .distinct()
        .order_by("id")
    )
    arrived = _clock_in(d, staff)
    made["attendance"] += len(arrived)
    duty = _on_duty(d, windows, arrived, away)
    Serving(d, windows, duty, arrived).run(made)
    made["cases"] += _cases(d, list(duty.values()), staff, later)
    made["inquiries"] += _inquiries(d, staff)
    made["complaints"] += _complaint(d, staff)
    closing = timezone.make_aware(datetime.combine(d.day, time(17)))
    for user in staff:
        when = d.at(closing + timedelta(minutes=d.rng.randint(1, 40)))
        staff_services.attendance_clock(by=user, kind="out", now=when, center=d.hall)
    return made


def _clock_in(d: Day, staff: list[User]) -> dict[int, datetime]:
    """Most clock in before nine, about one in eight a few minutes late."""
    arrived: dict[int, datetime] = {}
    for user in staff:
        minute = d.rng.randint(1, 18) if d.rng.random() < 0.12 else -d.rng.randint(2, 25)
        when = d.at(datetime.combine(d.day, time(9)) + timedelta(minutes=minute))
        staff_services.attendance_clock(by=user, kind="in", now=when, center=d.hall)
        arrived[user.id] = when
    return arrived


def _on_duty(d: Day, windows: list[Window], arrived: dict[int, datetime], away: set[int]) -> dict[int, User]:
    """Each window's A holder; its B holder only where A is away (the duty rule), once every
    present A has taken their own window. A window with neither stays closed (a gap)."""
    posts = {
        (p.window_id, p.role): p.user
        for p in Post.objects.filter(window__center=d.hall).select_related("user")
    }
    duty: dict[int, User] = {}
    busy: set[int] = set()
    for role in (Post.Role.A, Post.Role.B):
        for window in windows:
            user = posts.get((window.id, role))
            if window.id in duty or user is None or user.id not in arrived or user.id in busy:
                continue
            a_holder = posts.get((window.id, Post.Role.A))
            if role == Post.Role.B and a_holder is not None and a_holder.id not in away:
                continue
            duty[window.id] = user
            busy.add(user.id)
    return duty


class Serving:
    """The hall's queues for one day as a small event simulation: arrivals on the day curve
    take numbers; each open window, when free, calls the next, serves (or marks 过号) and
    calls again until nobody waits, then closes at 17:00 or after its last person."""

    def __init__(self, d: Day, windows: list[Window], duty: dict[int, User], arrived: dict[int, datetime]):
        self.d, self.duty, self.arrived = d, duty, arrived
        self.windows = [w for w in windows if w.id in duty]
        self.serving = {w.id: {q.id for q in w.queues.all()} for w in self.windows}
        # People take numbers only where an open window serves them (a queue left without its clerk
        # that day gets none: nobody would be there to call them).
        self.queues = list({q.id: q for w in self.windows for q in w.queues.all() if q.is_active}.values())
        self.events: list[tuple[datetime, int, str, Any]] = []
        self.seq = 0
        self.idle: list[Window] = []
        self.last: dict[int, datetime] = {}

    def push(self, when: datetime, kind: str, payload: Any) -> None:
        self.seq += 1
        heapq.heappush(self.events, (when, self.seq, kind, payload))

    def run(self, made: dict[str, int]) -> None:
        d = self.d
        nine = timezone.make_aware(datetime.combine(d.day, time(9)))
        for window in self.windows:
            opens = d.at(max(self.arrived[self.duty[window.id].id], nine))
            queue_services.window_open(window=window, by=self.duty[window.id])
            self.push(opens, "free", window)
        self._arrivals()
        while self.events:
            when, _, kind, payload = heapq.heappop(self.events)
            d.at(when)
            if kind == "arrive":
                made["tickets"] += self._arrive(when, payload)
            elif kind == "free":
                self._call(when, payload)
            else:
                made["ratings"] += self._step(when, kind, payload)
        closing = timezone.make_aware(datetime.combine(d.day, time(17)))
        for window in self.windows:
            d.at(max(closing, self.last.get(window.id, closing)))
            queue_services.window_close(window=window, by=self.duty[window.id])

    def _arrivals(self) -> None:
        d, rng = self.d, self.d.rng
        total = d.per_window * len(self.windows) * WEEKDAY_FACTOR[d.day.weekday()] * rng.uniform(0.85, 1.15)
        weight = sum(w for _, _, w in CURVE)
        for starts, ends, w in CURVE:
            span = (datetime.combine(d.day, ends) - datetime.combine(d.day, starts)).seconds
            for _ in range(_poisson(rng, total * w / weight)):
                at = datetime.combine(d.day, starts) + timedelta(seconds=rng.randrange(span))
                self.push(timezone.make_aware(at), "arrive", rng.choice(self.queues))

    def _arrive(self, when: datetime, queue: Any) -> int:
        try:
            queue_services.ticket_issue(queue=queue, channel=Ticket.Channel.KIOSK)
        except DomainError:
            return 0  # after the cutoff
        for window in self.idle:
            if queue.id in self.serving[window.id]:
                self.idle.remove(window)
                self.push(when, "free", window)
                break
        return 1

    def _call(self, when: datetime, window: Window) -> None:
        rng = self.d.rng
        if queue_services.ticket_call_next(window=window, by=self.duty[window.id]) is None:
            self.idle.append(window)
            self.last[window.id] = when
        elif rng.random() < NO_SHOW:
            self.push(when + timedelta(seconds=rng.randint(60, 150)), "no_show", window)
        else:
            self.push(when + timedelta(seconds=rng.randint(20, 90)), "start", window)

    def _step(self, when: datetime, kind: str, window: Window) -> int:
        rng, clerk = self.d.rng, self.duty[window.id]
        if kind == "start":
            queue_services.ticket_start(window=window, by=clerk)
            self.push(when + timedelta(seconds=rng.randint(180, 900)), "finish", window)
            return 0
        if kind == "no_show":
            queue_services.ticket_no_show(window=window, by=clerk)
            self.push(when + timedelta(seconds=10), "free", window)
            return 0
        done = queue_services.ticket_finish(window=window, by=clerk)
        self.push(when + timedelta(seconds=rng.randint(15, 60)), "free", window)
        return _rate(self.d, done)


def _poisson(rng: random.Random, mean: float) -> int:
    """Arrivals in a slot: a sum of Bernoulli trials is plenty for a demo."""
    n = int(mean * 2) + 1
    p = mean / n
    return sum(1 for _ in range(n) if rng.random() < p)


# --- cases -------------------------------------------------------------------------------------------


def _person(rng: random.Random) -> tuple[str, str, str]:
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(16000))
    body = f"110105{born:%Y%m%d}{rng.randrange(1000):03d}"  # a region code python-stdnum knows
    return (
        rng.choice(SURNAMES) + rng.choice("伟芳娜敏静丽强磊洋艳勇军杰娟涛明超霞平刚") + "（演示）",
        body + ric.calc_check_digit(body + "0"),
        f"139{rng.randrange(10**8):08d}",
    )


def _cases(d: Day, clerks: list[User], staff: list[User], later: dict[date, list[tuple[int, str]]]) -> int:
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
    chief = next((u for u in staff if u.username.startswith("chiefrep_")), None)
    made = 0
    for _ in range(d.rng.randint(0, CASES_PER_HALL_DAY)):
        item, clerk = d.rng.choice(items), d.rng.choice(clerks)
        guide = item.current_guide
        if guide is None:
            continue
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
                if (
                    0.9 <= roll < 0.93 and chief is not None
                ):  # 窗口无否决权: handed up, refused by the chief rep
                    case_services.case_escalate(
                        by=clerk,
                        case=case,
                        proposal="reject",
                        reason="申请事项不属于本部门职权范围（演示），拟不予受理。",
                    )
                    case_services.case_reject(
                        by=chief,
                        case=case,
                        reason="申请事项不属于本部门职权范围（演示）",
                        legal_basis="《中华人民共和国行政许可法》第三十二条",
                    )
                elif 0.93 <= roll < 0.95:
                    pass  # received today, waiting to be accepted
                elif roll < 0.12 and materials:
                    case_services.case_request_correction(
                        by=clerk,
                        case=case,
                        items=[
                            {"material_id": materials[-1], "problem": "missing", "reason": "未提交（演示）"}
                        ],
                    )
                else:
                    case_services.case_accept(by=clerk, case=case)
                    if roll < 0.18:  # a written withdrawal, recorded by the clerk
                        case_services.case_withdraw(by=clerk, case=case, reason="申请人书面申请撤回（演示）")
                    elif roll < 0.21:
                        pass  # left to run: overdue or warned by now
                    elif roll < 0.24:
                        case_services.case_start(by=clerk, case=case)  # 办理中, left to run
                    elif roll < 0.26:
                        case_services.case_suspend(
                            by=clerk, case=case, kind=Case.Suspension.SITE, reason="需现场勘查（演示）"
                        )
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
                case_services.case_complete(
                    by=clerk, case=case, outcome=Case.Outcome.APPROVED, note="准予（演示）"
                )
                _at(t, day, time(16, case_id % 60))
                case_services.case_deliver(by=clerk, case=case, method="window")
        except DomainError:
            continue


# --- first inquiries ---------------------------------------------------------------------------------


def _inquiries(d: Day, staff: list[User]) -> int:
    """Now and then a 首问登记; most answered on the spot, some handed over to a colleague."""
    made = 0
    for _ in range(d.rng.choice([0, 0, 0, 1, 1])):
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
                    case_services.inquiry_hand_over(
                        by=first, inquiry=inquiry, to=other, note="转业务窗口（演示）"
                    )
        except DomainError:
            continue
        made += 1
    return made


# --- ratings and complaints ---------------------------------------------------------------------------

LEVELS = [5] * 62 + [4] * 24 + [3] * 8 + [2] * 4 + [1] * 2
BAD_WHY = [["attitude"], ["efficiency"], ["level", "efficiency"]]


def _rate(d: Day, ticket: Ticket) -> int:
    """About one served person in four rates by phone (扫码); a bad rating opens its
    rectification (整改), left open: the manager's to handle."""
    if d.rng.random() >= 0.25:
        return 0
    level = d.rng.choice(LEVELS)
    event = feedback_services.event_resolve(Rating.EventKind.TICKET, ticket.pk, Rating.Step.SERVED)
    feedback_services.rating_submit(
        event=event,
        channel=Rating.Channel.QR,
        level=level,
        indicators=d.rng.choice(BAD_WHY) if level <= 2 else (),
        text="等候时间太长，窗口人员解释不清（演示）" if level <= 2 else "",
    )
    return 1


COMPLAINT_STEPS = ["pending", "accepted", "investigating", "handled", "replied", "archived", "refused"]


def _complaint(d: Day, staff: list[User]) -> int:
    """Now and then a complaint about a clerk at the 办不成事反映窗口, taken as far as the hall's
    manager got with it."""
    if d.rng.random() >= 0.07:
        return 0
    manager = next((u for u in staff if u.username.startswith("manager_")), None)
    clerks = [u for u in staff if u.username.startswith("clerk_")]
    if manager is None or not clerks:
        return 0
    name, _, phone = _person(d.rng)
    d.at(time(d.rng.choice([10, 11, 15]), d.rng.randrange(60)))
    goal = d.rng.choice(COMPLAINT_STEPS)
    try:
        with transaction.atomic():
            c = feedback_services.complaint_submit(
                by=manager,
                channel=Complaint.Channel.WINDOW,
                center=d.hall,
                about=Complaint.About.PERSON,
                subject_user=d.rng.choice(clerks),
                text="窗口工作人员解释不耐心，让我来回跑了两次（演示）",
                phone=phone,
                name=name,
            )
            if goal == "refused":
                feedback_services.complaint_refuse(
                    by=manager, complaint=c, reason="不属于本中心职责范围（演示）"
                )
                return 1
            steps = COMPLAINT_STEPS.index(goal)
            if steps >= 1:
                c = feedback_services.complaint_accept(by=manager, complaint=c)
            if steps >= 2:
                c = feedback_services.complaint_investigate(
                    by=manager, complaint=c, finding="核实属实（演示）"
                )
            if steps >= 3:
                c = feedback_services.complaint_decide(
                    by=manager, complaint=c, outcome="upheld", measures="高峰时段增开窗口（演示）"
                )
            if steps >= 4:
                c = feedback_services.complaint_reply(
                    by=manager, complaint=c, answer="已增开窗口，感谢监督（演示）"
                )
            if steps >= 5:
                feedback_services.complaint_archive(by=manager, complaint=c)
    except DomainError:
        return 0
    return 1


# --- center changes -----------------------------------------------------------------------------------

# hall, kind, how far it went, what (the description marks it as the demo's)
CHANGES = [  # a branch has one open change at a time: 残联's withdrawn one comes first
    ("HC-CL", CenterChange.Kind.RENOVATE, "withdrawn", "更换叫号屏（演示）"),
    ("HC-YC", CenterChange.Kind.RENOVATE, "draft", "大厅自助服务区改造（演示）"),
    ("HC-CL", CenterChange.Kind.RENOVATE, "submitted", "无障碍通道与母婴室改造（演示）"),
    ("HC-TY", CenterChange.Kind.RENOVATE, "returned", "等候区扩建（演示）"),
    ("HC-GJJ", CenterChange.Kind.RENOVATE, "filed", "窗口柜台降低改造（演示）"),
    ("HC-RS", CenterChange.Kind.RENOVATE, "approved", "增设综合窗口两个（演示）"),
    ("HC-MZ", CenterChange.Kind.RENOVATE, "rejected", "颁证厅重新装修（演示）"),
]


def _center_changes(first: date, today: date, t: Any) -> int:
    """Changes of the branches (改造) in each state, proposed by their managers over the history,
    filed by the district office and decided by the district government; each takes effect
    after today, so none changes a hall yet."""
    admin = User.objects.filter(username="admin").first()
    approver = User.objects.filter(username="approver").first()
    made = 0
    for i, (code, kind, goal, what) in enumerate(CHANGES):
        hall = Center.objects.filter(code=code).select_related("district").first()
        suffix = code.lower().removeprefix("hc-")
        manager = User.objects.filter(username=f"manager_{suffix}").first()
        if hall is None or manager is None or admin is None or approver is None:
            continue
        if CenterChange.objects.filter(center=hall, description=what).exists():
            continue
        day = first + timedelta(days=min(i * 3, max((today - first).days - 1, 0)))
        _at(t, day, time(10, 30))
        try:
            with transaction.atomic():
                change = center_services.change_draft(
                    by=manager,
                    district=hall.district,
                    kind=kind,
                    effective_date=today + timedelta(days=90 + i),
                    description=what,
                    center=hall,
                )
                if goal != "draft":
                    change = center_services.change_submit(by=manager, change=change)
                if goal == "returned":
                    center_services.change_return(by=admin, change=change, reason="请补充改造图纸（演示）")
                if goal == "withdrawn":
                    center_services.change_withdraw(by=manager, change=change, reason="暂缓实施（演示）")
                if goal in {"filed", "approved", "rejected"}:
                    _at(t, day + timedelta(days=1), time(9, 40))
                    change = center_services.change_file(by=admin, change=change)
                if goal == "approved":
                    _at(t, day + timedelta(days=2), time(15, 10))
                    center_services.change_approve(by=approver, change=change, note="同意（演示）")
                if goal == "rejected":
                    _at(t, day + timedelta(days=2), time(15, 10))
                    center_services.change_reject(by=approver, change=change, reason="预算未安排（演示）")
        except DomainError:
            continue
        made += 1
    return made
