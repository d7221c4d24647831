"""Who may do what with cases and inquiries. Fetch-and-authorise: `access_case`
raises NotFound for a case the user cannot see (not revealing that it exists)
and Refused for one they can see but may not act on."""

from govhall.accounts.models import Role
from govhall.accounts.selectors import roles_at, visible_center_ids
from govhall.core.errors import NotFound, Refused

DECIDE = {Role.CLERK, Role.CHIEF_REP, Role.BRANCH_MANAGER}
INTAKE = {Role.CLERK, Role.CHIEF_REP, Role.BRANCH_MANAGER}
STAFF = {Role.CLERK, Role.CHIEF_REP, Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER, Role.DISTRICT_ADMIN}

ACTIONS = {
    "view": None,
    "decide": DECIDE,
    "intake": INTAKE,
    "justify": {Role.DISTRICT_ADMIN},
    "reveal": STAFF,
    "inquire": STAFF,
}


def can_view_center(user, center) -> bool:
    return center.id in visible_center_ids(user)


def require_at_center(user, center, action: str) -> set[str]:
    """The user's roles at `center`, or Refused if none of them allows `action`."""
    if user is None:
        return {Role.DISTRICT_ADMIN}  # the system itself
    roles = roles_at(user, center)
    allowed = ACTIONS[action]
    if allowed is not None and not roles & allowed:
        raise Refused(
            {
                "decide": "只有本中心的窗口工作人员、首席代表或分中心负责人可以办理该办件。",
                "intake": "只有本中心的窗口工作人员可以收件。",
                "justify": "只有区政务办可以批准补充告知。",
                "reveal": "您无权查看该办件的完整个人信息。",
                "inquire": "只有工作人员可以登记首问。",
            }[action]
        )
    return roles


def is_applicant(user, case) -> bool:
    return bool(user is not None and user.is_authenticated and case.applicant_user_id == user.id)


def access_case(user, case, *, action: str = "view"):
    """Raise unless `user` may do `action` on `case`; the applicant may view
    and withdraw their own case."""
    if user is None:
        return case
    if action in {"view", "withdraw"} and is_applicant(user, case):
        return case
    if not can_view_center(user, case.center):
        raise NotFound("没有找到该办件，或您无权查看。")
    if action == "withdraw":
        action = "decide"
    require_at_center(user, case.center, action)
    return case


def can(user, case, action: str) -> bool:
    try:
        access_case(user, case, action=action)
    except (NotFound, Refused):
        return False
    return True
