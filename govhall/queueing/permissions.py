"""Who may work a window and manage a hall's queues.

`may_staff_window` is the ONE place that decides who may open and work a
window: a clerk or chief representative of the window's hall, whom every
answer to the `window_duty` extension point allows (staffing answers from the
A/B posts)."""

from django.utils import timezone

from govhall.accounts.models import Role
from govhall.accounts.selectors import roles_at, visible_center_ids
from govhall.core.errors import NotFound, Refused

from .extensions import duty_allows

WINDOW_ROLES = {Role.CLERK, Role.CHIEF_REP}
MANAGE_QUEUES = {Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER, Role.DISTRICT_ADMIN}
VIEW_STATS = MANAGE_QUEUES | {Role.CHIEF_REP, Role.APPROVER}
HALL_STAFF = WINDOW_ROLES | MANAGE_QUEUES


def may_staff_window(user, window) -> bool:
    """May `user` open and work `window` now? A clerk of its hall who holds its
    post on duty today: A, B covering, or the named substitute (staffing decides;
    a window whose A/B posts are not yet set stays open to the hall's clerks)."""
    return bool(roles_at(user, window.center) & WINDOW_ROLES) and duty_allows(
        user=user, window=window, day=timezone.localdate()
    )


def access_window(user, window, *, action: str = "work"):
    """Fetch-and-authorise for window actions: raise Refused unless `user` may work `window`."""
    if user is None or not user.is_authenticated:
        raise Refused("请先登录。")
    if not may_staff_window(user, window):
        raise Refused("您不是该窗口所在大厅的窗口工作人员，不能操作此窗口。")
    return window


def access_hall(user, center, *, action: str = "view"):
    """`view`: hall staff and managers; `manage`: queues, windows, slots; `stats`: statistics;
    `issue`: take a ticket on someone's behalf."""
    if center.id not in visible_center_ids(user):
        raise NotFound("没有找到该大厅，或您无权查看。")
    allowed = {
        "view": HALL_STAFF | VIEW_STATS,
        "manage": MANAGE_QUEUES,
        "stats": VIEW_STATS | WINDOW_ROLES,
        "issue": HALL_STAFF,
    }[action]
    if not roles_at(user, center) & allowed:
        raise Refused("您的角色无权在该大厅进行此操作。")
    return center


def can(user, center, action: str) -> bool:
    try:
        access_hall(user, center, action=action)
    except (NotFound, Refused):
        return False
    return True
