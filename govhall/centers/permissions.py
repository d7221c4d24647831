"""What each role may do with centers and their changes (dual management): the
centers' role table over the one access check (`accounts.access.access_at_center`).

`user=None` is the system (the demo loader, the daily job applying changes): it
may do everything."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from govhall.accounts import access
from govhall.accounts.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from govhall.accounts.models import User

    from .models import Center

MANAGE_HALL = {Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER, Role.DISTRICT_ADMIN}
DRAFT_CHANGE = {Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER, Role.DISTRICT_ADMIN}

ACTIONS: dict[str, Collection[str] | None] = {
    "view": None,  # anyone who can see the center
    "manage": MANAGE_HALL,  # its details, hours, zones, facilities, leaders, status
    "draft_change": DRAFT_CHANGE,  # 新设/改造/搬迁/撤并 of a branch
    "file": {Role.DISTRICT_ADMIN},  # 备案
    "return": {Role.DISTRICT_ADMIN},  # send a submitted change back to its drafter
    "approve": {Role.APPROVER},  # 批准
    "reject": {Role.APPROVER},  # 不予批准
}
NOT_FOUND = "没有找到该中心，或您无权查看。"
REFUSED = {
    "file": "只有区政务办可以备案。",
    "return": "只有区政务办可以退回。",
    "approve": "只有区政府审批人可以批准。",
    "reject": "只有区政府审批人可以作出不予批准的决定。",
}


def access_center(user: User | AnonymousUser | None, center: Center, *, action: str = "view") -> Center:
    """Fetch-and-authorise: raise unless `user` may do `action` at `center`
    (NotFound for a center they cannot see, Refused for a role that may not)."""
    access.access_at_center(user, center, action=action, table=ACTIONS, not_found=NOT_FOUND, refused=REFUSED)
    return center


def may_at_center(user: User | AnonymousUser | None, center: Center, action: str) -> bool:
    """`access_center` as a yes/no, for showing or hiding a button."""
    return access.may_at_center(user, center, action=action, table=ACTIONS)
