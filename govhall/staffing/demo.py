"""Demo staffing for 婚姻登记分中心 (HC-MZ): two more demo clerks, a training
course for its queues, A/B posts for its three windows, and the civil affairs
bureau's leave rule. Run after load_demo and load_demo_queueing. Loading twice
changes nothing.

Posts (two more clerks are needed so that window 1's A and B can both be away
on one day with only window 1 left uncovered, which is the demo's story):
  1号 结婚登记窗口: A clerk_mz,   B clerk_mz_b
  2号 离婚登记窗口: A clerk_mz_b, B clerk_mz_d
  3号 综合窗口:     A clerk_mz_d, B clerk_mz
  clerk_mz_c holds no post: trained, a possible substitute (顶岗).

Attendance: the hall went live with the system the day the demo was first
loaded (考勤启用日期), so earlier days show "无数据", not absence; the clerks'
first days at the hall (进驻日期) are entered, 王芳 (clerk_mz_c) the newest.
Weights: the district office (admin) proposed the civil affairs bureau's
assessment weights and its leader (leader_mz) confirmed them (clause 一(一))."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from govhall.accounts.models import Role, User
from govhall.accounts.services import role_assign, user_create
from govhall.centers.demo import DEMO_PASSWORD
from govhall.centers.models import Center

from . import services
from .models import (
    AttendanceSetting,
    LeaveRule,
    Post,
    StaffPlacement,
    TrainingCourse,
    TrainingRecord,
    WeightSet,
)

CLERKS = [
    ("clerk_mz_c", "婚姻登记窗口 王芳（演示）"),
    ("clerk_mz_d", "婚姻登记窗口 李军（演示）"),
]
POSTS = [
    (1, "A", "clerk_mz"),
    (1, "B", "clerk_mz_b"),
    (2, "A", "clerk_mz_b"),
    (2, "B", "clerk_mz_d"),
    (3, "A", "clerk_mz_d"),
    (3, "B", "clerk_mz"),
]
TRAINED = ["clerk_mz", "clerk_mz_b", "clerk_mz_c", "clerk_mz_d"]
# First days at the hall (进驻日期); None: the day the demo was first loaded (a newcomer).
STARTED = [
    ("manager_mz", date(2021, 3, 1)),
    ("clerk_mz", date(2022, 5, 9)),
    ("clerk_mz_b", date(2023, 2, 13)),
    ("clerk_mz_d", date(2024, 9, 2)),
    ("clerk_mz_c", None),
]
# The civil affairs bureau's confirmed weights (together 100).
WEIGHTS = {
    "attendance": 25,
    "on_time_cases": 30,
    "tickets": 10,
    "service_time": 10,
    "ratings": 15,
    "complaints": 5,
    "training": 5,
}
COURSE = "婚姻登记业务与窗口服务规范培训（演示）"


@transaction.atomic
def load_demo_staffing() -> dict[str, int]:
    from govhall.queueing.models import Queue, Window

    created = {"users": 0, "courses": 0, "records": 0, "posts": 0, "rules": 0, "starts": 0, "weights": 0}
    hall = Center.objects.filter(code="HC-MZ").first()
    if hall is None or not Window.objects.filter(center=hall).exists():
        return created
    for username, full_name in CLERKS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                by=None, username=username, full_name=full_name, password=DEMO_PASSWORD, is_demo=True
            )
            created["users"] += 1
        role_assign(by=None, user=user, role=Role.CLERK, center=hall)
    course = TrainingCourse.objects.filter(center=hall, name=COURSE).first()
    if course is None:
        held = timezone.localdate() - timedelta(days=60)
        course = services.training_course_create(
            by=None,
            center=hall,
            name=COURSE,
            held_on=held,
            queues=list(Queue.objects.filter(center=hall)),
            hours=Decimal("8"),
            valid_months=24,
        )
        created["courses"] += 1
    for username in TRAINED:
        user = User.objects.filter(username=username).first()
        if user is not None and not TrainingRecord.objects.filter(course=course, user=user).exists():
            services.training_record_add(by=None, course=course, user=user)
            created["records"] += 1
    for number, role, username in POSTS:
        window = Window.objects.filter(center=hall, number=number).first()
        user = User.objects.filter(username=username).first()
        if window is None or user is None or Post.objects.filter(window=window, role=role).exists():
            continue
        services.post_assign(by=None, window=window, role=role, user=user)
        created["posts"] += 1
    department = hall.department
    if department is not None and not LeaveRule.objects.filter(department=department).exists():
        services.leave_rule_set(by=None, department=department, manager_max_days="3")
        created["rules"] += 1
    today = timezone.localdate()
    if not AttendanceSetting.objects.filter(center=hall).exists():
        services.attendance_since_set(by=None, center=hall, attendance_since=today)
    for username, started_on in STARTED:
        user = User.objects.filter(username=username).first()
        if user is not None and not StaffPlacement.objects.filter(user=user, center=hall).exists():
            services.staff_started_on_set(by=None, center=hall, user=user, started_on=started_on or today)
            created["starts"] += 1
    if department is not None and not WeightSet.objects.filter(department=department).exists():
        admin = User.objects.filter(username="admin").first()
        leader = User.objects.filter(username="leader_mz").first()
        proposal = services.weights_propose(
            by=admin, department=department, weights=WEIGHTS, note="加重按时办结与好差评（演示）"
        )
        services.weights_confirm(by=leader, weight_set=proposal)
        created["weights"] += 1
    return created
