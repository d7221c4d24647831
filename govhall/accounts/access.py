"""The one check "may this user do this action at this center".

Every app asks it through `access_at_center`, keeping only its own table of
which roles may do which action (`<app>/permissions.py`). The answer is the
same for the pages and the API:

- a center the user cannot see → `NotFound` (404): another hall's record is
  not revealed, not even by a different message;
- a center they can see, where none of their roles there allows the action →
  `Refused` (403) with the reason;
- otherwise their roles at the center.

`user=None` is the system itself (the demo loader, scheduled jobs, a migration):
it may do everything and is recorded as nobody. A page or API request never
passes None: an anonymous visitor is an `AnonymousUser` and is refused.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from govhall.core.errors import NotFound, Refused

from .models import Role
from .selectors import roles_at, visible_center_ids

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

SYSTEM_ROLES = frozenset({Role.DISTRICT_ADMIN})
NOT_FOUND = "没有找到该记录，或您无权查看。"
REFUSED = "您的角色无权在该中心进行此操作。"


def access_at_center(
    user: User | AnonymousUser | None,
    center: Any,
    *,
    action: str,
    table: Mapping[str, Collection[str] | None],
    not_found: str = NOT_FOUND,
    refused: str | Mapping[str, str] = REFUSED,
) -> set[str]:
    """Raise unless `user` may do `action` at `center`; return their roles there.

    `table[action]` is the roles allowed (None: anyone who can see the center).
    `refused` is the reason given, or one reason per action."""
    if user is None:
        return set(SYSTEM_ROLES)
    if not user.is_authenticated:
        raise Refused("请先登录。")
    if center is None or center.id not in visible_center_ids(user):
        raise NotFound(not_found)
    roles = roles_at(user, center)
    allowed = table[action]
    if allowed is not None and not roles & set(allowed):
        reason = refused.get(action, REFUSED) if isinstance(refused, Mapping) else refused
        raise Refused(reason)
    return roles


def may_at_center(
    user: User | AnonymousUser | None,
    center: Any,
    *,
    action: str,
    table: Mapping[str, Collection[str] | None],
) -> bool:
    """`access_at_center` as a yes/no, for showing or hiding a button."""
    try:
        access_at_center(user, center, action=action, table=table)
    except (NotFound, Refused):
        return False
    return True
