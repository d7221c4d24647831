"""A day of generated activity at branch a, through the services, for the rollup and cockpit tests."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.support import PERSON_ID, PHONE

HALL_TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 24)  # a Tuesday: the test halls open Monday to Friday 09:00–17:00


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=HALL_TZ)


@pytest.fixture(autouse=True)
def _in_process_pubsub(settings):
    settings.GOVHALL_PUBSUB_URL = None


@pytest.fixture
def hall(world):
    from govhall.centers.models import Center
    from govhall.queueing import services

    center = Center.objects.get(pk=world["a"].pk)
    qa = services.queue_create(by=None, center=center, letter="A", name="婚姻登记")
    qb = services.queue_create(by=None, center=center, letter="B", name="咨询")
    w1 = services.window_create(by=None, center=center, number=1, name="综合窗口", queues=[qa, qb])
    w2 = services.window_create(by=None, center=center, number=2, name="婚姻登记窗口", queues=[qa])
    return {"center": center, "qa": qa, "qb": qb, "w1": w1, "w2": w2, **world}


@pytest.fixture
def activity(hall, marriage, materials):
    """Branch a's day: tickets taken morning and afternoon, called after 2, 25, 40 and 50
    minutes, finished or not shown, one still waiting; a case received 10 days before and now
    overdue (red-warned), one received, accepted and completed today, one only received."""
    from govhall.cases import services as cases
    from govhall.cases.models import Case
    from govhall.queueing import services as q

    clerk = hall["clerk_a"]

    def case():
        return cases.case_intake_window(
            by=clerk,
            center=hall["a"],
            item=marriage,
            paper_material_ids=[m.id for m in materials],
            applicant_name="张三",
            applicant_id_number=PERSON_ID,
            contact_phone=PHONE,
        )

    with time_machine.travel(at(date(2026, 11, 10), 10), tick=False) as clock:
        late = case()
        cases.case_accept(by=clerk, case=late)
        clock.move_to(at(DAY, 9))
        q.window_open(window=hall["w1"], by=clerk)
        tickets = [q.ticket_issue(queue=hall["qa"]) for _ in range(4)]
        q.ticket_issue(queue=hall["qb"])
        clock.move_to(at(DAY, 9, 2))
        q.ticket_call_next(window=hall["w1"], by=clerk)
        q.ticket_start(window=hall["w1"], by=clerk)
        clock.move_to(at(DAY, 9, 10))
        today_case = case()
        cases.case_accept(by=clerk, case=today_case)
        cases.case_complete(by=clerk, case=Case.objects.get(pk=today_case.pk), outcome="approved")
        q.ticket_finish(window=hall["w1"], by=clerk)
        clock.move_to(at(DAY, 9, 25))
        q.ticket_call_next(window=hall["w1"], by=clerk)
        q.ticket_no_show(window=hall["w1"], by=clerk)
        clock.move_to(at(DAY, 9, 40))
        q.ticket_call_next(window=hall["w1"], by=clerk)
        q.ticket_start(window=hall["w1"], by=clerk)
        clock.move_to(at(DAY, 9, 55))
        q.ticket_finish(window=hall["w1"], by=clerk)
        clock.move_to(at(DAY, 14))
        q.ticket_issue(queue=hall["qa"])
        clock.move_to(at(DAY, 14, 50))
        q.ticket_call_next(window=hall["w1"], by=clerk)
        q.ticket_start(window=hall["w1"], by=clerk)
        clock.move_to(at(DAY, 15, 5))
        q.ticket_finish(window=hall["w1"], by=clerk)
        case()
        cases.warnings_compute(today=DAY)
    return {"tickets": tickets, "late": late, **hall}
