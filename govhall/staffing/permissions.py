"""Who may do what with posts, leave, attendance, training and assessment:
staffing's role table over the one access check (`accounts.access.access_at_center`)."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from govhall.accounts.access import access_at_center, may_at_center
from govhall.accounts.models import Role
from govhall.accounts.selectors import roles_at

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from govhall.accounts.models import User
    from govhall.centers.models import Center

# People who can hold a window post: the hall's own staff at the counter.
POST_HOLDERS = {Role.CLERK, Role.CHIEF_REP}
# People who keep attendance and take leave at a hall.
HALL_STAFF = POST_HOLDERS | {Role.BRANCH_MANAGER}
MANAGE = {Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER, Role.DISTRICT_ADMIN}
VIEW = MANAGE | POST_HOLDERS | {Role.APPROVER}

ACTIONS: dict[str, set[Role] | None] = {
    "view": VIEW,
    "manage": MANAGE,  # posts, substitutes, training records, attendance corrections
    "confirm": {Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER},  # assessment confirmation
    "district": {Role.DISTRICT_ADMIN},  # indicators and their weights
}
NOT_FOUND = "没有找到该大厅，或您无权查看。"
REFUSED = "您的角色无权在该大厅进行此操作。"


def access_hall(user: User | AnonymousUser | None, center: Center, *, action: str = "view") -> Center:
    """Raise unless `user` may do `action` at `center` (NotFound for a hall they cannot see)."""
    access_at_center(user, center, action=action, table=ACTIONS, not_found=NOT_FOUND, refused=REFUSED)
    return center


def can(user: User | AnonymousUser | None, center: Center, action: str) -> bool:
    return may_at_center(user, center, action=action, table=ACTIONS)


def is_hall_staff(user: User, center: Center, roles: Collection[str] = POST_HOLDERS) -> bool:
    """Whether `user` holds one of `roles` (counter roles: clerk, chief
    representative, branch manager) at `center` itself. No counter role reaches
    another center, so the roles `user` acts in there answer it."""
    return bool(roles_at(user, center) & set(roles))
