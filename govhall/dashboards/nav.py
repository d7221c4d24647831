"""The staff navigation: each role sees only the pages it may use.

Every entry asks the same question the page itself asks (the apps' permission
tables and checks), so a link shown opens and a page that would refuse (404 or
403) is not offered. `dashboards` is the top layer: it may read every app's
permissions. `staff_nav` is the context processor; `visible_entries` the rule."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from govhall.accounts.models import STAFF_ROLES, Role
from govhall.accounts.selectors import PEOPLE_VIEW_ROLES, can_manage_people, can_view_people, roles_of
from govhall.cases.permissions import STAFF as CASES_STAFF
from govhall.catalog.permissions import district_kept_by
from govhall.centers.permissions import DRAFT_CHANGE, MANAGE_HALL
from govhall.core.errors import DomainError
from govhall.queueing.permissions import WINDOW_ROLES
from govhall.staffing.permissions import HALL_STAFF as STAFFING_HALL_STAFF
from govhall.staffing.permissions import MANAGE as STAFFING_MANAGE
from govhall.staffing.permissions import POST_HOLDERS
from govhall.staffing.permissions import VIEW as STAFFING_VIEW

# Who oversees the centers' register, their changes and the standardisation check:
# those who manage a hall or draft its changes, the district office (files) and the approver.
CENTER_OVERSIGHT: set[str] = set(MANAGE_HALL) | set(DRAFT_CHANGE) | {Role.DISTRICT_ADMIN, Role.APPROVER}
RECTIFY: set[str] = set(PEOPLE_VIEW_ROLES)  # the hall's management follows up bad ratings
RATED: set[str] = {Role.CLERK, Role.CHIEF_REP}
MEETING_ROLES: set[str] = {Role.DISTRICT_ADMIN, Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER, Role.CHIEF_REP}
HELP_ROLES: set[str] = {Role.CLERK, Role.CHIEF_REP, Role.BRANCH_MANAGER, Role.DISTRICT_ADMIN}


@dataclass(frozen=True)
class NavEntry:
    label: str
    view_name: str
    allowed: Callable[[Any, set[str]], bool]

    @property
    def url(self) -> str:
        return reverse(self.view_name)


def _any(roles: Collection[str]) -> Callable[[Any, set[str]], bool]:
    return lambda user, held: bool(held & set(roles))


def _keeps_catalog(user: Any, held: set[str]) -> bool:
    if Role.DISTRICT_ADMIN not in held:
        return False
    try:
        district_kept_by(user)
    except DomainError:
        return False
    return True


ENTRIES: list[NavEntry] = [
    NavEntry("工作台", "dashboards:workbench", lambda user, held: True),
    NavEntry("中心登记", "centers:list", _any(CENTER_OVERSIGHT)),
    NavEntry("变更备案", "centers:changes", _any(CENTER_OVERSIGHT)),
    NavEntry("标准化检查", "centers:standards", _any(CENTER_OVERSIGHT)),
    NavEntry("窗口叫号", "queueing:console", _any(WINDOW_ROLES)),
    NavEntry("人员与角色", "accounts:people", lambda user, held: can_view_people(user)),
    NavEntry("事项库", "catalog:staff_list", _keeps_catalog),
    NavEntry("操作记录", "accounts:audit", lambda user, held: can_manage_people(user)),
    NavEntry("接口令牌", "accounts:tokens", lambda user, held: can_manage_people(user)),
    NavEntry("人员管理", "staffing:index", _any(STAFFING_VIEW)),
    NavEntry("请销假", "staffing:leave_list", _any(set(STAFFING_HALL_STAFF) | set(STAFFING_MANAGE))),
    NavEntry("考勤打卡", "staffing:attendance", _any(set(POST_HOLDERS) | set(STAFFING_HALL_STAFF))),
    NavEntry("办件", "cases:list", _any(CASES_STAFF)),
    NavEntry("电子监察", "cases:supervision", _any(CASES_STAFF)),
    NavEntry("首问登记", "cases:inquiries", _any(CASES_STAFF)),
    NavEntry("差评整改", "feedback:rect_list", _any(RECTIFY)),
    NavEntry("我收到的评价", "feedback:my_ratings", _any(RATED)),
    # ── 代收代办 (收受分离): cases received at one hall for another, to hand over or receive ──
    NavEntry("代收代办", "cases:handovers", _any(CASES_STAFF)),
    # ── Coordination (issue 18) ──
    # Named by view: dashboards does not import its sibling `coordination`, so the role
    # sets are spelled here from accounts' roles.
    # 信息沟通: every staff member has an inbox.
    NavEntry("信息沟通", "coordination:notice_inbox", _any(STAFF_ROLES)),
    # 联席会议: the district office and the halls' (and departments') management.
    NavEntry("联席会议", "coordination:meeting_list", _any(MEETING_ROLES)),
    # 议定事项: every staff member sees the items of their meetings and those they own.
    NavEntry("议定事项督办", "coordination:action_item_list", _any(CASES_STAFF)),
    # 帮办代办: hall staff record and handle; the manager and the district office assign.
    NavEntry("帮办代办", "coordination:help_list", _any(HELP_ROLES)),
]


def held_roles(user: Any) -> set[str]:
    """The user's roles as the pages read them (a superuser counts as the district office)."""
    if user is None or not user.is_authenticated:
        return set()
    held = set(roles_of(user))
    if user.is_superuser:
        held.add(Role.DISTRICT_ADMIN)
    return held


def visible_entries(user: Any) -> list[dict[str, str]]:
    """The navigation entries `user` may open: `{label, url, view_name}` in menu order."""
    if user is None or not user.is_authenticated:
        return []
    held = held_roles(user)
    return [
        {"label": e.label, "url": e.url, "view_name": e.view_name} for e in ENTRIES if e.allowed(user, held)
    ]


def staff_nav(request) -> dict[str, Any]:
    """Context processor: `staff_nav`, read only when a staff page shows it."""
    user = getattr(request, "user", None)
    return {"staff_nav": SimpleLazyObject(lambda: visible_entries(user))}
