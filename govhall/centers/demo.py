"""The demo district: Hechuan (合川区) with its district center and the six
branches named in the attachment of 合川府办发〔2023〕79号. Addresses, phones and
people are invented and marked as demo data. Loading twice changes nothing."""

from datetime import date, time

from django.db import transaction

from govhall.accounts.models import Role, User
from govhall.accounts.services import role_assign, user_create
from govhall.core.models import HolidayArrangement

from . import services
from .models import Center, Department, District, Facility, Zone

DEMO_PASSWORD = "govhall-demo-2026"  # noqa: S105 - the published password of the demo accounts only

DEPARTMENTS = [
    ("HRSS", "区人力社保局"),
    ("VETS", "区退役军人事务局"),
    ("TOBACCO", "区烟草局"),
    ("DPF", "区残联"),
    ("CIVIL", "区民政局"),
    ("HPF", "住房公积金合川分中心"),
]

# code, official name, department code, demo address, phone, former names, facilities lacking
BRANCHES = [
    (
        "HC-RS",
        "合川区政务服务中心人力社保分中心",
        "HRSS",
        "合川区南津街街道希尔安大道 1 号（演示地址）",
        "023-42800001",
        ["合川区人力资源和社会保障局办事大厅"],
        [],
    ),
    (
        "HC-TY",
        "合川区政务服务中心退役军人服务分中心",
        "VETS",
        "合川区钓鱼城街道学士路 8 号（演示地址）",
        "023-42800002",
        ["合川区退役军人服务中心"],
        ["self_service"],
    ),
    (
        "HC-YC",
        "合川区政务服务中心烟草分中心",
        "TOBACCO",
        "合川区合阳城街道久长街 66 号（演示地址）",
        "023-42800003",
        ["合川区烟草专卖局办证大厅"],
        ["umbrella", "self_service", "agent_service"],
    ),
    (
        "HC-CL",
        "合川区政务服务中心残联分中心",
        "DPF",
        "合川区钓鱼城街道花园路 12 号（演示地址）",
        "023-42800004",
        ["合川区残疾人联合会服务大厅"],
        [],
    ),
    (
        "HC-MZ",
        "合川区政务服务中心婚姻登记分中心",
        "CIVIL",
        "合川区南津街街道文明街 20 号（演示地址）",
        "023-42800005",
        ["合川区民政局婚姻登记处"],
        ["reading_glasses"],
    ),
    (
        "HC-GJJ",
        "合川区政务服务中心住房公积金管理分中心",
        "HPF",
        "合川区南津街街道北滨路 99 号（演示地址）",
        "023-42800006",
        ["重庆市住房公积金管理中心合川分中心服务大厅"],
        [],
    ),
]

TOWNS = [
    ("HC-DYC", "合川区钓鱼城街道便民服务中心", "合川区钓鱼城街道办事处一楼（演示地址）", "023-42800101"),
    ("HC-NJJ", "合川区南津街街道便民服务中心", "合川区南津街街道办事处一楼（演示地址）", "023-42800102"),
]

WEEKDAY_HOURS = [(d, time(9, 0), time(12, 0)) for d in range(5)] + [
    (d, time(13, 30), time(17, 0)) for d in range(5)
]

# username, full name, role, center code
ACCOUNTS = [
    ("admin", "区政务办 王主任（演示）", Role.DISTRICT_ADMIN, "HC"),
    ("admin2", "区政务办 钱科员（演示）", Role.DISTRICT_ADMIN, "HC"),
    ("approver", "区政府 李副区长（演示）", Role.APPROVER, "HC"),
    ("clerk_hc", "区中心窗口 赵敏（演示）", Role.CLERK, "HC"),
    ("manager_mz", "婚姻登记分中心 陈科长（演示）", Role.BRANCH_MANAGER, "HC-MZ"),
    ("leader_mz", "区民政局 刘副局长（演示）", Role.DEPARTMENT_LEADER, "HC-MZ"),
    ("clerk_mz", "婚姻登记窗口 张丽（演示）", Role.CLERK, "HC-MZ"),
    ("clerk_mz_b", "婚姻登记窗口 周强（演示）", Role.CLERK, "HC-MZ"),
    ("chiefrep_mz", "区民政局首席代表 孙磊（演示）", Role.CHIEF_REP, "HC-MZ"),
    ("manager_rs", "人力社保分中心 何科长（演示）", Role.BRANCH_MANAGER, "HC-RS"),
    ("clerk_rs", "人力社保窗口 吴芳（演示）", Role.CLERK, "HC-RS"),
    ("apiclient", "部门业务系统（演示）", Role.API_CLIENT, "HC-RS"),
]


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create what is missing of the demo district; never overwrite. Returns counts created."""
    created = {"districts": 0, "departments": 0, "centers": 0, "users": 0}
    district = District.objects.filter(code="500117").first()
    if district is None:
        district = services.district_create(by=None, name="合川区", code="500117", full_name="重庆市合川区")
        created["districts"] += 1
    departments = {}
    for code, name in DEPARTMENTS:
        dep = Department.objects.filter(district=district, code=code).first()
        if dep is None:
            dep = services.department_create(by=None, district=district, name=name, code=code)
            created["departments"] += 1
        departments[code] = dep

    hc = Center.objects.filter(code="HC").first()
    if hc is None:
        hc = services.center_create(
            by=None,
            district=district,
            kind=Center.Kind.DISTRICT,
            name="合川区政务服务中心",
            code="HC",
            address="合川区南津街街道南屏路 666 号（演示地址）",
            phone="023-42800000",
            aliases=("合川区行政服务中心",),
            description="区政务服务中心（区行政服务中心），统筹指导各分中心。",
            is_demo=True,
        )
        _furnish(hc, lacking=[])
        services.center_set_status(by=None, center=hc, status=Center.Status.ACTIVE)
        created["centers"] += 1

    for code, name, dep_code, address, phone, aliases, lacking in BRANCHES:
        if Center.objects.filter(code=code).exists():
            continue
        branch = services.center_create(
            by=None,
            district=district,
            kind=Center.Kind.BRANCH,
            name=name,
            code=code,
            address=address,
            phone=phone,
            parent=hc,
            department=departments[dep_code],
            aliases=tuple(aliases),
            is_demo=True,
            description=f"由{departments[dep_code].name}和区行政服务中心双重管理。",
        )
        _furnish(branch, lacking=lacking)
        dep_name = departments[dep_code].name
        services.leadership_set(
            by=None,
            center=branch,
            role="leader",
            name=f"{dep_name}分管领导（演示）",
            title=f"{dep_name}党组成员、副局长",
        )
        services.leadership_set(
            by=None, center=branch, role="cadre", name=f"{dep_name}大厅负责人（演示）", title="科长"
        )
        services.center_set_status(by=None, center=branch, status=Center.Status.ACTIVE)
        created["centers"] += 1

    for code, name, address, phone in TOWNS:
        if Center.objects.filter(code=code).exists():
            continue
        town = services.center_create(
            by=None,
            district=district,
            kind=Center.Kind.TOWN,
            name=name,
            code=code,
            address=address,
            phone=phone,
            parent=hc,
            is_demo=True,
        )
        _furnish(town, lacking=["self_service", "medicine"])
        services.center_set_status(by=None, center=town, status=Center.Status.ACTIVE)
        created["centers"] += 1

    for username, full_name, role, center_code in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                by=None, username=username, full_name=full_name, password=DEMO_PASSWORD, is_demo=True
            )
            created["users"] += 1
        center = Center.objects.get(code=center_code)
        role_assign(by=None, user=user, role=role, center=center)
    created["holiday_arrangements"] = _demo_holiday_arrangement(district)
    return created


# The 2027 arrangement as the district office would enter it. The State Council's notice for 2027
# is not known to this demo: these dates are an EXAMPLE (示例), not the published arrangement.
DEMO_2027 = {
    "year": 2027,
    "number": "国办发明电〔2026〕□号（示例）",
    "title": "国务院办公厅关于 2027 年部分节假日安排的通知（示例：日期非正式公布内容，待通知公布后按原文修改）",
    "periods": [
        ("元旦", date(2027, 1, 1), date(2027, 1, 3)),
        ("春节", date(2027, 2, 5), date(2027, 2, 13)),
        ("清明节", date(2027, 4, 3), date(2027, 4, 5)),
        ("劳动节", date(2027, 5, 1), date(2027, 5, 5)),
        ("端午节", date(2027, 6, 9), date(2027, 6, 9)),
        ("中秋节", date(2027, 9, 15), date(2027, 9, 15)),
        ("国庆节", date(2027, 10, 1), date(2027, 10, 7)),
    ],
    "makeups": [
        (date(2027, 2, 20), "春节调休（示例）"),
        (date(2027, 4, 25), "劳动节调休（示例）"),
        (date(2027, 5, 8), "劳动节调休（示例）"),
        (date(2027, 9, 26), "国庆节调休（示例）"),
        (date(2027, 10, 9), "国庆节调休（示例）"),
    ],
}


def _demo_holiday_arrangement(district: District) -> int:
    """2027 entered by one district-office person and left 待确认: until a second person
    (admin2) confirms it, 2027 stays unknown and the workbench shows the cases waiting."""
    from .calendar import holiday_arrangement_create

    if HolidayArrangement.objects.filter(year=2027, district=district).exists():
        return 0
    admin = User.objects.get(username="admin")
    holiday_arrangement_create(by=admin, **DEMO_2027)  # type: ignore[arg-type]
    return 1


def _furnish(center: Center, *, lacking: list[str]) -> None:
    services.center_set_hours(by=None, center=center, periods=WEEKDAY_HOURS)
    services.center_set_zones(by=None, center=center, kinds=[k for k in Zone.Kind.values if k not in lacking])
    services.center_set_facilities(
        by=None, center=center, kinds=[k for k in Facility.Kind.values if k not in lacking]
    )
