"""Test helpers: a small district built through the services, and users with roles."""

from datetime import time

from govhall.accounts.models import Role, User
from govhall.accounts.services import role_assign, user_create
from govhall.centers import services as center_services
from govhall.centers.models import Center, Facility, Zone

PASSWORD = "a-long-test-password-42"


def make_user(username: str, role: str | None = None, center: Center | None = None, **extra) -> User:
    user = User.objects.filter(username=username).first() or user_create(
        by=None, username=username, full_name=extra.pop("full_name", username), password=PASSWORD, **extra
    )
    if role and center:
        role_assign(by=None, user=user, role=role, center=center)
    return user


def make_district(name: str = "测试区", code: str = "999001", prefix: str = "T") -> dict:
    """A district with its center and two active branches (A, B), each with leaders,
    and the usual people: district admin, approver, and a manager and clerk per branch."""
    district = center_services.district_create(by=None, name=name, code=code)
    dep_a = center_services.department_create(
        by=None, district=district, name=f"{name}民政局", code=f"{prefix}CIVIL"
    )
    dep_b = center_services.department_create(
        by=None, district=district, name=f"{name}人力社保局", code=f"{prefix}HRSS"
    )
    hub = center_services.center_create(
        by=None,
        district=district,
        kind=Center.Kind.DISTRICT,
        name=f"{name}政务服务中心",
        code=f"{prefix}-HUB",
        address="中心路 1 号",
        status=Center.Status.ACTIVE,
    )
    branches = {}
    for key, dep, label in (("a", dep_a, "婚姻登记"), ("b", dep_b, "人力社保")):
        c = center_services.center_create(
            by=None,
            district=district,
            kind=Center.Kind.BRANCH,
            name=f"{name}政务服务中心{label}分中心",
            code=f"{prefix}-{key.upper()}",
            address=f"{label}路 {len(branches) + 2} 号",
            parent=hub,
            department=dep,
        )
        center_services.leadership_set(by=None, center=c, role="leader", name="分管甲", title="副局长")
        center_services.leadership_set(by=None, center=c, role="cadre", name="科长乙", title="科长")
        center_services.center_set_hours(
            by=None, center=c, periods=[(d, time(9), time(17)) for d in range(5)]
        )
        center_services.center_set_status(by=None, center=c, status=Center.Status.ACTIVE)
        branches[key] = c
    p = prefix.lower()
    return {
        "district": district,
        "hub": hub,
        "a": branches["a"],
        "b": branches["b"],
        "dep_a": dep_a,
        "dep_b": dep_b,
        "admin": make_user(f"{p}admin", Role.DISTRICT_ADMIN, hub),
        "approver": make_user(f"{p}approver", Role.APPROVER, hub),
        "manager_a": make_user(f"{p}manager_a", Role.BRANCH_MANAGER, branches["a"]),
        "leader_a": make_user(f"{p}leader_a", Role.DEPARTMENT_LEADER, branches["a"]),
        "clerk_a": make_user(f"{p}clerk_a", Role.CLERK, branches["a"]),
        "chief_a": make_user(f"{p}chief_a", Role.CHIEF_REP, branches["a"]),
        "manager_b": make_user(f"{p}manager_b", Role.BRANCH_MANAGER, branches["b"]),
        "clerk_b": make_user(f"{p}clerk_b", Role.CLERK, branches["b"]),
        "clerk_hub": make_user(f"{p}clerk_hub", Role.CLERK, hub),
    }


ALL_ZONES = list(Zone.Kind.values)
ALL_FACILITIES = list(Facility.Kind.values)


# --- cases: an applicant and a published guide -------------------------------------------------

PERSON_ID = "110105199001011232"
OTHER_ID = "510282199206154328"
BUSINESS_ID = "91500117MA5U7XYA03"
PHONE = "13812345678"


def publish_guide(item, *, promised_days=5, legal_days=20):
    from govhall.catalog import services as catalog

    draft = catalog.guide_draft(
        by=None,
        item=item,
        conditions="双方自愿。",
        steps=["申请", "受理", "办结"],
        legal_days=legal_days,
        promised_days=promised_days,
        consult_phone="023-42800005",
        complaint_phone="12345",
    )
    catalog.guide_set_materials(
        by=None,
        guide=draft,
        materials=[
            {"name": "居民身份证", "form": "original"},
            {"name": "居民户口簿", "form": "original"},
            {"name": "2 寸合影照片", "form": "original", "copies": 3},
            {"name": "申请结婚登记声明书", "form": "original"},
        ],
    )
    catalog.guide_set_fees(by=None, guide=draft, fees=[], no_fee=True)
    return catalog.guide_publish(by=None, guide=draft)
