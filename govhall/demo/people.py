"""The demo district's people: every hall (the main hall, the six branches and
the two towns) gets a manager, enough clerks for an A and a B post at each of
its windows plus one trained substitute, the training course that qualifies
them for the hall's queues, and — at a branch, where a department sits — a
chief representative with the department's written authorisation. The towns get
their queues and windows here (queueing's demo covers the halls with items).

Kept as they were: every account of `centers.demo.ACCOUNTS` and 婚姻登记分中心's
staffing story (`staffing.demo`); `clerk_hc` and `clerk_rs` become their halls'
first clerk (A at window 1). Loading twice changes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from govhall.accounts.models import Role, RoleAssignment, User
from govhall.accounts.services import role_assign, user_create
from govhall.cases import services as case_services
from govhall.cases.models import ChiefAuthorization
from govhall.centers.demo import DEMO_PASSWORD
from govhall.centers.models import Center
from govhall.queueing import services as queue_services
from govhall.queueing.models import Queue, Window
from govhall.staffing import services as staff_services
from govhall.staffing.models import AttendanceSetting, LeaveRule, Post, StaffPlacement, TrainingCourse

# hall code → (username suffix, short name used in the people's titles)
HALLS = {
    "HC": ("hc", "区中心"),
    "HC-RS": ("rs", "人力社保"),
    "HC-TY": ("ty", "退役军人服务"),
    "HC-YC": ("yc", "烟草"),
    "HC-CL": ("cl", "残联"),
    "HC-GJJ": ("gjj", "住房公积金"),
    "HC-DYC": ("dyc", "钓鱼城街道便民服务中心"),
    "HC-NJJ": ("njj", "南津街街道便民服务中心"),
}
# The towns' own queues and windows (the halls with catalog items get theirs from queueing's demo).
TOWN_HALLS = {
    "HC-DYC": (
        [("A", "综合便民服务"), ("B", "社保医保代办")],
        [(1, "综合窗口", "AB"), (2, "综合窗口", "AB")],
    ),
    "HC-NJJ": ([("A", "综合便民服务"), ("B", "社保医保代办")], [(1, "综合窗口", "AB"), (2, "代办窗口", "B")]),
}
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "婷", "华", "建国", "晓东", "雪", "琳", "浩", "欣"]  # fmt: skip
# People's first days at their halls, so attendance expects them over the whole history.
LONG_AGO = date(2022, 3, 1)


def _name(n: int) -> str:
    return SURNAMES[(n * 7) % len(SURNAMES)] + GIVEN[(n * 11) % len(GIVEN)]


def _person(username: str, full_name: str, role: str, center: Center, made: dict[str, int]) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            by=None, username=username, full_name=full_name, password=DEMO_PASSWORD, is_demo=True
        )
        made["users"] += 1
    if not RoleAssignment.objects.filter(user=user, role=role, center=center).exists():
        role_assign(by=None, user=user, role=role, center=center)
        made["roles"] += 1
    return user


def clerk_usernames(code: str) -> list[str]:
    """The hall's clerks in post order: A at window i is the i-th, B the next one; the last is the substitute."""
    suffix = HALLS[code][0]
    windows = Window.objects.filter(center__code=code).count()
    count = max(windows, 2) + 1
    return [f"clerk_{suffix}"] + [f"clerk_{suffix}_{chr(ord('b') + i)}" for i in range(count - 1)]


@transaction.atomic
def load_demo_people(*, days: int) -> dict[str, int]:
    """Staff every demo hall but 婚姻登记分中心 (staffed by staffing's demo); set each
    hall's 考勤启用日期 to the first day of the history (`days` before today)."""
    made = {"users": 0, "roles": 0, "queues": 0, "windows": 0, "courses": 0, "posts": 0, "authorizations": 0}
    today = timezone.localdate()
    _town_windows(made)
    for demo_hall in Center.objects.filter(is_demo=True).select_related("department"):
        if not AttendanceSetting.objects.filter(center=demo_hall).exists():
            staff_services.attendance_since_set(
                by=None, center=demo_hall, attendance_since=today - timedelta(days=days)
            )
        department = demo_hall.department
        if department is not None and not LeaveRule.objects.filter(department=department).exists():
            staff_services.leave_rule_set(by=None, department=department, manager_max_days="3")
    serial = 0
    for code, (suffix, short) in HALLS.items():
        hall = Center.objects.filter(code=code).first()
        if hall is None or not Window.objects.filter(center=hall).exists():
            continue
        serial += 10
        manager = f"manager_{suffix}"
        _person(manager, f"{short}负责人 {_name(serial)}（演示）", Role.BRANCH_MANAGER, hall, made)
        clerks = []
        for i, username in enumerate(clerk_usernames(code)):
            clerks.append(
                _person(username, f"{short}窗口 {_name(serial + i + 1)}（演示）", Role.CLERK, hall, made)
            )
        chief = None
        if hall.kind == Center.Kind.BRANCH and hall.department is not None:
            chief = _person(
                f"chiefrep_{suffix}",
                f"{hall.department.name}首席代表 {_name(serial + 9)}（演示）",
                Role.CHIEF_REP,
                hall,
                made,
            )
        _train(hall, clerks + ([chief] if chief else []), today=today, days=days, made=made)
        _posts(hall, clerks, made)
        for user in [*clerks, User.objects.get(username=manager), *([chief] if chief else [])]:
            if not StaffPlacement.objects.filter(user=user, center=hall).exists():
                staff_services.staff_started_on_set(by=None, center=hall, user=user, started_on=LONG_AGO)
        if chief is not None:
            _authorize(hall, chief, today, made)
    return made


def _town_windows(made: dict[str, int]) -> None:
    for code, (queues, windows) in TOWN_HALLS.items():
        hall = Center.objects.filter(code=code).first()
        if hall is None:
            continue
        by_letter = {}
        for order, (letter, name) in enumerate(queues):
            queue = Queue.objects.filter(center=hall, letter=letter).first()
            if queue is None:
                queue = queue_services.queue_create(
                    by=None, center=hall, letter=letter, name=name, order=order
                )
                made["queues"] += 1
            by_letter[letter] = queue
        for number, name, letters in windows:
            if not Window.objects.filter(center=hall, number=number).exists():
                queue_services.window_create(
                    by=None, center=hall, number=number, name=name, queues=[by_letter[x] for x in letters]
                )
                made["windows"] += 1


def _train(hall: Center, people: list[User], *, today: date, days: int, made: dict[str, int]) -> None:
    name = f"{hall.name}业务与窗口服务规范培训（演示）"
    course = TrainingCourse.objects.filter(center=hall, name=name).first()
    if course is None:
        course = staff_services.training_course_create(
            by=None,
            center=hall,
            name=name,
            held_on=today - timedelta(days=days + 30),
            queues=list(Queue.objects.filter(center=hall)),
            hours=Decimal("8"),
            valid_months=36,
        )
        made["courses"] += 1
    trained = set(course.records.values_list("user_id", flat=True))
    for user in people:
        if user.pk not in trained:
            staff_services.training_record_add(by=None, course=course, user=user)


def _posts(hall: Center, clerks: list[User], made: dict[str, int]) -> None:
    windows = list(Window.objects.filter(center=hall).order_by("number"))
    n = len(windows)
    for i, window in enumerate(windows):
        for role, holder in ((Post.Role.A, clerks[i]), (Post.Role.B, clerks[(i + 1) % max(n, 2)])):
            if not Post.objects.filter(window=window, role=role).exists():
                staff_services.post_assign(by=None, window=window, role=role, user=holder)
                made["posts"] += 1


def _authorize(hall: Center, chief: User, today: date, made: dict[str, int]) -> None:
    if ChiefAuthorization.objects.filter(representative=chief, center=hall).exists():
        return
    if hall.department is None:
        return
    case_services.chief_authorization_issue(
        by=None,
        department=hall.department,
        center=hall,
        representative=chief,
        document_number=f"合{hall.department.code}授〔{today.year}〕1号（演示）",
        title=f"{hall.department.name}关于授权首席代表在{hall.name}办理本部门事项的决定（演示）",
        valid_from=date(today.year, 1, 1),
        valid_to=date(today.year + 1, 12, 31),
        all_items=True,
        is_demo=True,
    )
    made["authorizations"] += 1
