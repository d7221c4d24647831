from datetime import date

import pytest
import time_machine

from govhall.accounts.models import Role
from govhall.queueing import services as queueing
from govhall.staffing import services
from govhall.staffing.models import TrainingCourse, TrainingRecord
from tests.support import make_user

# A Monday in September 2026, before National Day (10-01..10-07 off, Saturday 10-10 a make-up working day).
NOW = date(2026, 9, 14)


@pytest.fixture
def frozen():
    with time_machine.travel(date(2026, 9, 14), tick=False):
        yield NOW


@pytest.fixture
def staff(world, frozen):
    """Branch A with queue A and windows 1 and 2; trained clerks clerk_a, clerk_a2, clerk_a3 (substitute) and
    an untrained clerk_a4; window 1: A clerk_a, B clerk_a2; window 2: A clerk_a2, B clerk_a5. clerk_a3 holds no
    post (a possible substitute)."""
    center = world["a"]
    qa = queueing.queue_create(by=None, center=center, letter="A", name="婚姻登记")
    w1 = queueing.window_create(by=None, center=center, number=1, name="结婚登记窗口", queues=[qa])
    w2 = queueing.window_create(by=None, center=center, number=2, name="综合窗口", queues=[qa])
    a2 = make_user("tclerk_a2", Role.CLERK, center, full_name="乙")
    a3 = make_user("tclerk_a3", Role.CLERK, center, full_name="丙")
    a4 = make_user("tclerk_a4", Role.CLERK, center, full_name="丁（未培训）")
    a5 = make_user("tclerk_a5", Role.CLERK, center, full_name="戊")
    course = TrainingCourse.objects.create(
        district=world["district"],
        center=center,
        name="婚姻登记业务",
        held_on=date(2025, 1, 6),
        valid_months=60,
    )
    course.queues.set([qa])
    for u in (world["clerk_a"], a2, a3, a5):
        TrainingRecord.objects.create(course=course, user=u, passed=True, refresher_due=date(2030, 1, 6))
    services.post_assign(by=world["manager_a"], window=w1, role="A", user=world["clerk_a"])
    services.post_assign(by=world["manager_a"], window=w1, role="B", user=a2)
    services.post_assign(by=world["manager_a"], window=w2, role="A", user=a2)
    services.post_assign(by=world["manager_a"], window=w2, role="B", user=a5)
    return {
        **world,
        "center": center,
        "qa": qa,
        "w1": w1,
        "w2": w2,
        "a2": a2,
        "a3": a3,
        "a4": a4,
        "a5": a5,
        "course": course,
    }
