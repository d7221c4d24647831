"""Who may do what with posts, leave, attendance, training and assessment."""

from govhall.accounts.models import Role
from govhall.accounts.selectors import roles_at, visible_center_ids
from govhall.core.errors import NotFound, Refused

# People who can hold a window post: the hall's own staff at the counter.
POST_HOLDERS = {Role.CLERK, Role.CHIEF_REP}
# People who keep attendance and take leave at a hall.
HALL_STAFF = POST_HOLDERS | {Role.BRANCH_MANAGER}
MANAGE = {Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER, Role.DISTRICT_ADMIN}
VIEW = MANAGE | POST_HOLDERS | {Role.APPROVER}

ACTIONS = {
    "view": VIEW,
    "manage": MANAGE,  # posts, substitutes, training records, attendance corrections
    "confirm": {Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER},  # assessment confirmation
    "district": {Role.DISTRICT_ADMIN},  # indicators and their weights
}


def access_hall(user, center, *, action: str = "view"):
    """Fetch-and-authorise: raise unless `user` may do `action` at `center`."""
    if user is None or not user.is_authenticated:
        raise Refused("请先登录。")
    if center.id not in visible_center_ids(user):
        raise NotFound("没有找到该大厅，或您无权查看。")
    if not roles_at(user, center) & ACTIONS[action]:
        raise Refused("您的角色无权在该大厅进行此操作。")
    return center


def can(user, center, action: str) -> bool:
    try:
        access_hall(user, center, action=action)
    except (NotFound, Refused):
        return False
    return True


def is_hall_staff(user, center, roles=POST_HOLDERS) -> bool:
    """Whether `user` holds one of `roles` at `center` itself (not reached from the district)."""
    from govhall.accounts.models import RoleAssignment

    return RoleAssignment.objects.filter(user=user, center=center, role__in=list(roles)).exists()
