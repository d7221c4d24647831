"""Who may work a window and manage a hall's queues: queueing's role table over
the one access check (`accounts.access.access_at_center`).

`may_staff_window` is the ONE place that decides who may open and work a
window: a clerk or chief representative of the window's hall, whom every
answer to the `window_duty` extension point allows (staffing answers from the
A/B posts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from govhall.accounts.access import access_at_center, may_at_center
from govhall.accounts.models import Role
from govhall.accounts.selectors import roles_at
from govhall.core.errors import Refused

from .extensions import duty_allows

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from govhall.accounts.models import User
    from govhall.centers.models import Center

    from .models import Window

WINDOW_ROLES = {Role.CLERK, Role.CHIEF_REP}
MANAGE_QUEUES = {Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER, Role.DISTRICT_ADMIN}
VIEW_STATS = MANAGE_QUEUES | {Role.CHIEF_REP, Role.APPROVER}
HALL_STAFF = WINDOW_ROLES | MANAGE_QUEUES

ACTIONS: dict[str, set[Role] | None] = {
    "view": HALL_STAFF | VIEW_STATS,
    "manage": MANAGE_QUEUES,  # queues, windows, slots, the hall's rules
    "stats": VIEW_STATS | WINDOW_ROLES,
    "issue": HALL_STAFF,  # take a ticket on someone's behalf
    "work": WINDOW_ROLES,  # open and work a window (and the post on duty: may_staff_window)
}
HALL_NOT_FOUND = "没有找到该大厅，或您无权查看。"
WINDOW_NOT_FOUND = "没有找到该窗口，或您无权查看。"
REFUSED = {
    "work": "您不是窗口工作人员，不能操作此窗口。",
}
NOT_ON_DUTY = "您今天不在该窗口的岗位上（A岗、B岗或指定的顶岗人员），不能操作此窗口。"


def access_hall(user: User | AnonymousUser | None, center: Center, *, action: str = "view") -> Center:
    """Raise unless `user` may do `action` at `center` (NotFound for a hall they cannot see)."""
    access_at_center(
        user,
        center,
        action=action,
        table=ACTIONS,
        not_found=HALL_NOT_FOUND,
        refused=REFUSED.get(action, "您的角色无权在该大厅进行此操作。"),
    )
    return center


def can(user: User | AnonymousUser | None, center: Center, action: str) -> bool:
    return may_at_center(user, center, action=action, table=ACTIONS)


def may_staff_window(user: Any, window: Window) -> bool:
    """May `user` open and work `window` now? A clerk of its hall who holds its
    post on duty today: A, B covering, or the named substitute (staffing decides;
    a window whose A/B posts are not yet set stays open to the hall's clerks)."""
    return bool(roles_at(user, window.center) & WINDOW_ROLES) and duty_allows(
        user=user, window=window, day=timezone.localdate()
    )


def access_window(user: User | AnonymousUser | None, window: Window) -> Window:
    """Raise unless `user` may work `window` now: NotFound for another hall's
    window (it is not revealed), Refused with the reason for someone of its hall
    who is no window clerk or not on its post today. A window is always worked
    by a person: the system (None) cannot."""
    if user is None:
        raise Refused("窗口须由工作人员本人操作。")
    access_at_center(
        user, window.center, action="work", table=ACTIONS, not_found=WINDOW_NOT_FOUND, refused=REFUSED["work"]
    )
    if not may_staff_window(user, window):
        raise Refused(NOT_ON_DUTY)
    return window
