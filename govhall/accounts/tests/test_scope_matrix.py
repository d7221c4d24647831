"""Who may do what where: role × (own center / another branch) × action.

The expected outcome is written out here from the rules (not imported from
govhall.centers.permissions), so a change of the rules in code fails a test:

- view: any role at its own center; only the district office and the approver
  see another branch (clerk and chief_rep see only their own center);
- edit details, set zones, draft a change: branch_manager, department_leader,
  district_admin (MANAGE_HALL / DRAFT_CHANGE);
- file: district_admin; approve: approver.

A center the user cannot see is NotFound (its existence is not revealed); one
they see but may not act on is Refused. Every refusal changes nothing."""

import json

import pytest
from django.test import Client

from govhall.centers import services
from govhall.centers.models import Center, CenterChange, CenterChangeEvent, Facility, Zone
from govhall.centers.permissions import access_center
from govhall.centers.tests.drafts import relocation_draft
from govhall.core.errors import NotFound, Refused

pytestmark = pytest.mark.django_db

ROLES = {  # role -> the world user holding it at branch A (or at the hub, for district-wide roles)
    "clerk": "clerk_a",
    "chief_rep": "chief_a",
    "branch_manager": "manager_a",
    "department_leader": "leader_a",
    "district_admin": "admin",
    "approver": "approver",
}
SEES_OTHER_BRANCHES = {"district_admin", "approver"}
MANAGE = {"branch_manager", "department_leader", "district_admin"}
ALLOWED = {
    "view": set(ROLES),
    "edit": MANAGE,
    "zones": MANAGE,
    "draft": MANAGE,
    "file": {"district_admin"},
    "approve": {"approver"},
}
WHERE = {"own": "a", "other": "b"}


def expected(role: str, where: str, action: str) -> str:
    if where == "other" and role not in SEES_OTHER_BRANCHES:
        return "not_found"
    return "ok" if role in ALLOWED[action] else "refused"


def _relocation(world, center, *, by=None):
    return relocation_draft(world, by=by or "admin", center=center, days=5, description="搬迁")


def prepare(world, action: str, center):
    """The record the action works on: a submitted change to file, a filed one to approve."""
    if action == "file":
        return services.change_submit(by=world["admin"], change=_relocation(world, center))
    if action == "approve":
        change = services.change_submit(by=world["admin"], change=_relocation(world, center))
        return services.change_file(by=world["admin"], change=change)
    return None


def do(world, action: str, user, center, change):
    if action == "view":
        access_center(user, center, action="view")
    elif action == "edit":
        services.center_update(by=user, center=center, phone="023-99999999")
    elif action == "zones":
        services.center_set_zones(by=user, center=center, kinds=["guidance", "waiting"])
    elif action == "draft":
        _relocation(world, center, by=user)
    elif action == "file":
        services.change_file(by=user, change=change)
    elif action == "approve":
        services.change_approve(by=user, change=change)


def snapshot() -> tuple:
    """Everything the actions could touch."""
    return (
        list(Center.objects.order_by("pk").values()),
        sorted(Zone.objects.values_list("center_id", "kind")),
        sorted(Facility.objects.values_list("center_id", "kind")),
        list(CenterChange.objects.order_by("pk").values()),
        CenterChangeEvent.objects.count(),
        Center.history.count(),
        Zone.history.count(),
        CenterChange.history.count(),
    )


def check_done(world, action: str, center, change):
    center.refresh_from_db()
    if action == "edit":
        assert center.phone == "023-99999999"
    elif action == "zones":
        assert set(center.zones.values_list("kind", flat=True)) == {"guidance", "waiting"}
    elif action == "draft":
        assert CenterChange.objects.filter(center=center, status="draft").exists()
    elif action == "file":
        change.refresh_from_db()
        assert change.status == "filed" and change.filing_number
    elif action == "approve":
        change.refresh_from_db()
        assert change.status == "approved"


CASES = [(role, where, action) for action in ALLOWED for role in ROLES for where in WHERE]


@pytest.mark.parametrize(("role", "where", "action"), CASES)
def test_scope_matrix_through_the_services(world, role, where, action):
    user, center = world[ROLES[role]], world[WHERE[where]]
    change = prepare(world, action, center)
    before = snapshot()
    outcome = expected(role, where, action)
    if outcome == "ok":
        do(world, action, user, center, change)
        check_done(world, action, center, change)
        return
    with pytest.raises(NotFound if outcome == "not_found" else Refused):
        do(world, action, user, center, change)
    assert snapshot() == before


def test_the_matrix_covers_both_outcomes_of_every_action():
    for action in ALLOWED:
        outcomes = {expected(r, w, action) for r in ROLES for w in WHERE}
        assert "ok" in outcomes and "not_found" in outcomes
        if action != "view":
            assert "refused" in outcomes


def test_clerk_and_chief_rep_see_only_their_own_center(world):
    from govhall.accounts.selectors import centers_visible_to

    for key in ("clerk_a", "chief_a"):
        assert list(centers_visible_to(world[key])) == [world["a"]]
    assert list(centers_visible_to(world["clerk_hub"])) == [world["hub"]]


# --- a few of the same through the API ------------------------------------------------------

STATUS = {"ok": 200, "refused": 403, "not_found": 404}
API_ACTIONS = ["view", "zones", "file"]


def api_call(c: Client, action: str, center, change):
    if action == "view":
        return c.get(f"/api/v1/centers/{center.code}")
    if action == "zones":
        return c.put(
            f"/api/v1/centers/{center.code}/zones",
            json.dumps({"kinds": ["guidance", "waiting"]}),
            content_type="application/json",
        )
    return c.post(f"/api/v1/changes/{change.pk}/{action}", "{}", content_type="application/json")


@pytest.mark.parametrize(
    ("role", "where", "action"), [(r, w, a) for a in API_ACTIONS for r in ROLES for w in WHERE]
)
def test_scope_matrix_through_the_api(world, role, where, action):
    user, center = world[ROLES[role]], world[WHERE[where]]
    change = prepare(world, action, center)
    before = snapshot()
    c = Client()
    c.force_login(user)
    r = api_call(c, action, center, change)
    outcome = expected(role, where, action)
    assert r.status_code == STATUS[outcome], r.content
    if outcome != "ok":
        assert r.json()["code"] == {"refused": "forbidden", "not_found": "not_found"}[outcome]
        assert snapshot() == before
    else:
        check_done(world, action, center, change)


def test_centers_acting_as_agrees_with_roles_at_hall_by_hall(world, other_world, django_user_model):
    """`center_ids_acting_as` works from the assignments in one pass; it must name exactly the
    halls where `roles_at` gives one of the roles — for every role set and every kind of user
    (one role, several roles, a department leader, a superuser, another district)."""
    from itertools import combinations

    from govhall.accounts.models import Role, RoleAssignment
    from govhall.accounts.selectors import center_ids_acting_as, centers_visible_to, roles_at
    from govhall.centers import services as center_services
    from govhall.centers.models import Center

    center_services.center_create(  # a second hall of department A: its leader reaches it
        by=None,
        district=world["district"],
        kind=Center.Kind.BRANCH,
        name=f"{world['district'].name}政务服务中心婚姻登记第二分中心",
        code="T-A2",
        address="第二路 1 号",
        parent=world["hub"],
        department=world["dep_a"],
    )
    several = world["manager_b"]
    RoleAssignment.objects.create(user=several, role=Role.CLERK, center=world["a"])
    RoleAssignment.objects.create(user=several, role=Role.DEPARTMENT_LEADER, center=world["b"])
    root = django_user_model.objects.create(username="root-check", is_superuser=True)
    users = [world[k] for k in (*ROLES.values(), "clerk_hub")] + [several, root, other_world["admin"]]
    role_sets = [set(c) for n in (1, 2) for c in combinations(sorted(Role.values), n)]
    for user in users:
        for roles in role_sets:
            fresh = django_user_model.objects.get(pk=user.pk)  # nothing remembered
            expected = {c.id for c in centers_visible_to(fresh) if roles_at(fresh, c) & roles}
            assert center_ids_acting_as(fresh, roles) == expected, (user.username, roles)
