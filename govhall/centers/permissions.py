"""What each role may do with centers and their changes (dual management)."""

from govhall.accounts.models import Role
from govhall.accounts.selectors import roles_at, visible_center_ids
from govhall.core.errors import NotFound, Refused

MANAGE_HALL = {Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER, Role.DISTRICT_ADMIN}
DRAFT_CHANGE = {Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER, Role.DISTRICT_ADMIN}


def can_view_center(user, center) -> bool:
    return center.id in visible_center_ids(user)


def access_center(user, center, *, action: str = "view"):
    """Fetch-and-authorise: raise unless `user` may do `action` at `center`."""
    if not can_view_center(user, center):
        # Do not reveal that another branch's record exists.
        raise NotFound("没有找到该中心，或您无权查看。")
    if action == "view":
        return center
    roles = roles_at(user, center)
    allowed = {
        "manage": MANAGE_HALL,
        "draft_change": DRAFT_CHANGE,
        "file": {Role.DISTRICT_ADMIN},
        "approve": {Role.APPROVER},
    }[action]
    if not roles & allowed:
        raise Refused("您的角色无权在该中心进行此操作。")
    return center


def can(user, center, action: str) -> bool:
    try:
        access_center(user, center, action=action)
    except (NotFound, Refused):
        return False
    return True
