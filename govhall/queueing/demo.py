"""Demo queues, windows and appointment slots for the demo halls (合川区).
Run after centers' load_demo. Loading twice changes nothing."""

from datetime import date, time, timedelta

from django.db import transaction
from django.utils import timezone

from govhall.catalog.models import ServiceItem
from govhall.centers.models import Center

from . import services
from .hours import slot_refusal
from .models import AppointmentSlot, Queue, Window

# hall code → queues (letter, name), windows (number, name, letters)
HALLS = {
    "HC": (
        [("A", "综合受理"), ("B", "企业开办"), ("C", "不动产登记")],
        [
            (1, "综合受理窗口", "A"),
            (2, "综合受理窗口", "A"),
            (3, "企业开办窗口", "B"),
            (4, "企业开办窗口", "BA"),
            (5, "不动产登记窗口", "C"),
            (6, "综合服务窗口", "ABC"),
        ],
    ),
    "HC-MZ": (
        [("A", "结婚登记"), ("B", "离婚登记"), ("C", "婚姻证明与补证")],
        [(1, "结婚登记窗口", "A"), (2, "离婚登记窗口", "B"), (3, "综合窗口", "ABC")],
    ),
    "HC-RS": (
        [("A", "社会保险"), ("B", "就业创业"), ("C", "劳动关系")],
        [(1, "社保窗口", "A"), (2, "社保窗口", "A"), (3, "就业创业窗口", "B"), (4, "综合窗口", "ABC")],
    ),
    "HC-YC": ([("A", "烟草专卖许可")], [(1, "许可受理窗口", "A"), (2, "许可受理窗口", "A")]),
    "HC-CL": (
        [("A", "残疾人证办理"), ("B", "补贴与救助")],
        [(1, "残疾人证窗口", "A"), (2, "综合窗口", "AB")],
    ),
    "HC-GJJ": (
        [("A", "公积金提取"), ("B", "公积金贷款")],
        [(1, "提取窗口", "A"), (2, "提取窗口", "A"), (3, "贷款窗口", "B")],
    ),
    "HC-TY": (
        [("A", "优待证办理"), ("B", "退役安置与优抚")],
        [(1, "优待证窗口", "A"), (2, "综合窗口", "AB")],
    ),
}

# hall code → queue letter → the catalog items it covers (by name; "*" every item stationed at the
# hall, "dept:X" the hall's items of department X). The guides' 办理窗口 is derived from these links.
QUEUE_ITEMS: dict[str, dict[str, list[str]]] = {
    "HC": {"A": ["*"], "B": ["dept:SAMR"]},
    "HC-MZ": {"A": ["结婚登记"], "B": ["离婚登记"], "C": ["补领婚姻登记证"]},
    "HC-RS": {"A": ["社会保障卡申领", "失业保险金申领", "退休待遇核定"], "B": ["失业保险金申领"]},
    "HC-YC": {"A": ["*"]},
    "HC-CL": {"A": ["残疾人证核发"]},
    "HC-GJJ": {"A": ["住房公积金提取"], "B": ["住房公积金个人贷款"]},
    "HC-TY": {"A": ["退役军人优待证申领"]},
}

SLOT_TIMES = [
    (time(9), time(10)),
    (time(10), time(11)),
    (time(11), time(12)),
    (time(13, 30), time(14, 30)),
    (time(14, 30), time(15, 30)),
    (time(15, 30), time(16, 30)),
]
SLOT_DAYS = 14
SLOT_CAPACITY = 4


@transaction.atomic
def load_demo_queueing() -> dict[str, int]:
    created = {"queues": 0, "windows": 0, "slots": 0}
    today = timezone.localdate()
    for code, (queues, windows) in HALLS.items():
        center = Center.objects.filter(code=code).first()
        if center is None:
            continue
        by_letter = {}
        for order, (letter, name) in enumerate(queues):
            q = Queue.objects.filter(center=center, letter=letter).first()
            if q is None:
                q = services.queue_create(by=None, center=center, letter=letter, name=name, order=order)
                created["queues"] += 1
            by_letter[letter] = q
        for number, name, letters in windows:
            if not Window.objects.filter(center=center, number=number).exists():
                services.window_create(
                    by=None, center=center, number=number, name=name, queues=[by_letter[x] for x in letters]
                )
                created["windows"] += 1
        _link_items(center, by_letter)
        first = by_letter[queues[0][0]]
        for offset in range(SLOT_DAYS):
            day = today + timedelta(days=offset)
            for starts, ends in SLOT_TIMES:
                # Slots only on the hall's opening days and inside its hours (a make-up working
                # day has slots, a holiday or a closure none; an unknown year none either).
                if slot_refusal(center, day, starts, ends) is not None:
                    continue
                if not AppointmentSlot.objects.filter(queue=first, date=day, starts=starts).exists():
                    services.slot_create(
                        by=None, queue=first, day=day, starts=starts, ends=ends, capacity=SLOT_CAPACITY
                    )
                    created["slots"] += 1
    return created


def _link_items(center: Center, by_letter: dict[str, Queue]) -> None:
    """Link the hall's queues to the catalog items they cover, where a queue covers none yet (a
    demo loaded before the links gets them; a hall's own choice is kept)."""
    stationed = ServiceItem.objects.filter(center=center, is_active=True)
    for letter, names in QUEUE_ITEMS.get(center.code, {}).items():
        queue = by_letter.get(letter)
        if queue is None or queue.items.exists():
            continue
        items: list[ServiceItem] = []
        for name in names:
            if name == "*":
                items += stationed
            elif name.startswith("dept:"):
                items += stationed.filter(department__code=name.removeprefix("dept:"))
            else:
                items += stationed.filter(name=name)
        if items:
            services.queue_set_items(by=None, queue=queue, items=items)


@transaction.atomic
def hall_open_all_day(codes: list[str] | None = None, *, day: date | None = None) -> int:
    """Benchmarks and browser tests take numbers whatever the clock says: the demo
    halls (or `codes`) open all day on `day` (default today, 00:00–23:59:59, an
    exception of the hall's hours) and stop numbers only at closing. Recorded like
    any change of hours. Not for a real hall."""
    from govhall.centers.services import center_set_hours_exception

    day = day or timezone.localdate()
    done = 0
    for center in Center.objects.filter(code__in=codes or list(HALLS)):
        center_set_hours_exception(
            by=None,
            center=center,
            day=day,
            is_closed=False,
            opens=time(0),
            closes=time(23, 59, 59),
            note="全天取号（演示/压测）",
        )
        services.hall_rules_set(by=None, center=center, ticket_cutoff_minutes=0)
        done += 1
    return done
