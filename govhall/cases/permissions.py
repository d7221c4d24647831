"""Who may do what with cases and inquiries: the cases app's table for the one
access check (`accounts.access.access_at_center`). A case at a center the user
cannot see is NotFound (404, not revealing that it exists); one they can see
but may not act on is Refused (403) with the reason. `user=None` is the system
(the demo loader, scheduled jobs): it may do everything."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from govhall.accounts.access import access_at_center, may_at_center
from govhall.accounts.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from govhall.accounts.models import User
    from govhall.centers.models import Center

    from .models import Case

DECIDE = {Role.CLERK, Role.CHIEF_REP, Role.BRANCH_MANAGER}
INTAKE = {Role.CLERK, Role.CHIEF_REP, Role.BRANCH_MANAGER}
STAFF = {Role.CLERK, Role.CHIEF_REP, Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER, Role.DISTRICT_ADMIN}
# 窗口无否决权: saying no (不予受理, 不予许可) is the chief representative's, within the
# department's written authorisation, or the department's (its leader) — never the window's.
REFUSE = {Role.CHIEF_REP, Role.DEPARTMENT_LEADER}
# Who records a chief representative's authorisation: the department, or the district office for it.
AUTHORIZE = {Role.DEPARTMENT_LEADER, Role.DISTRICT_ADMIN}

# action → the roles at the case's center that may take it (None: anyone who can see the center)
TABLE: dict[str, Collection[str] | None] = {
    "view": None,
    "decide": DECIDE,
    "refuse": REFUSE,
    "escalate": DECIDE,
    "authorize": AUTHORIZE,
    "intake": INTAKE,
    "justify": {Role.DISTRICT_ADMIN},
    "reveal": STAFF,
    "inquire": STAFF,
}
REFUSED = {
    "decide": "只有本中心的窗口工作人员、首席代表或分中心负责人可以办理该办件。",
    "refuse": "窗口无否决权：不予受理、不予许可须由部门授权的首席代表或部门作出。"
    "请使用“提请首席代表/部门决定”。",
    "escalate": "只有本中心的窗口工作人员可以提请首席代表/部门决定。",
    "authorize": "只有部门（分管领导）或区政务办可以录入首席代表授权书。",
    "intake": "只有本中心的窗口工作人员可以收件。",
    "justify": "只有区政务办可以批准补充告知。",
    "reveal": "您无权查看该办件的完整个人信息。",
    "inquire": "只有工作人员可以登记首问。",
}
CASE_NOT_FOUND = "没有找到该办件，或您无权查看。"


def access_center(
    user: User | AnonymousUser | None, center: Center, action: str, *, not_found: str = CASE_NOT_FOUND
) -> set[str]:
    """Raise unless `user` may take `action` at `center`; their roles there."""
    return access_at_center(user, center, action=action, table=TABLE, not_found=not_found, refused=REFUSED)


def is_applicant(user: Any, case: Case) -> bool:
    return bool(user is not None and user.is_authenticated and case.applicant_user_id == user.id)


def is_party(user: Any, case: Case) -> bool:
    """The applicant, or the other party of a case both apply for (结婚、离婚登记):
    a citizen whose verified phone is the one the other party gave."""
    if is_applicant(user, case):
        return True
    if not case.second_phone or user is None or not user.is_authenticated:
        return False
    citizen = getattr(user, "citizen", None)
    return bool(citizen is not None and citizen.verified_at and citizen.phone == case.second_phone)


def access_case(user: User | AnonymousUser | None, case: Case, *, action: str = "view") -> Case:
    """Raise unless `user` may take `action` on `case`; the applicant (and the
    other party, where both apply) may view and withdraw their own case (a clerk
    withdraws it as a decision)."""
    if action in {"view", "withdraw"} and is_party(user, case):
        return case
    if action == "view" and _sees_as_receiving_hall(user, case):
        return case
    access_center(user, case.center, "decide" if action == "withdraw" else action)
    return case


def _sees_as_receiving_hall(user: User | AnonymousUser | None, case: Case) -> bool:
    """收受分离: the hall that received a case for another hall sees it too (both halls
    see the case); deciding on it stays the handling hall's."""
    return case.received_elsewhere and may_at_center(user, case.receiving_center, action="view", table=TABLE)


def can(user: User | AnonymousUser | None, case: Case, action: str) -> bool:
    """`access_case` as a yes/no, for showing or hiding a button."""
    if action in {"view", "withdraw"} and is_party(user, case):
        return True
    if action == "view" and _sees_as_receiving_hall(user, case):
        return True
    return may_at_center(user, case.center, action="decide" if action == "withdraw" else action, table=TABLE)
