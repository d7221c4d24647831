"""Who may do what with the catalog: only the role table; the check itself is
`accounts.access.access_at_center`, the same for the pages and the API.

An item is checked at the hall it is stationed at (the district office reaches
every hall of its district), a district's catalog at its district center. Another
hall's item is not found (404); a role that may not act is refused (403).
`by=None` is the system (the demo loader, imports run as jobs): allowed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govhall.accounts.access import access_at_center, may_at_center
from govhall.accounts.models import Role
from govhall.accounts.selectors import visible_center_ids
from govhall.centers.models import Center, District
from govhall.core.errors import Refused

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from govhall.accounts.models import User

    from .models import ServiceItem

    Someone = User | AnonymousUser | None

KEEP = "keep"  # keep the catalog: items, stationing, the negative list, publishing, synonyms, Excel
DRAFT = "draft"  # draft an item's guide
TABLE = {
    KEEP: {Role.DISTRICT_ADMIN},
    DRAFT: {Role.DISTRICT_ADMIN, Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER},
}
REFUSED = {
    KEEP: "只有区政务办可以管理事项库。",
    DRAFT: "只有区政务办或该事项所在分中心的负责人可以编辑办事指南。",
}
NOT_FOUND = "没有找到该事项，或您无权查看。"


def district_center(district: District) -> Center | None:
    """The district center of `district`, where its district office sits."""
    return Center.objects.filter(district=district, kind=Center.Kind.DISTRICT).first()


def access_district(user: Someone, district: District, *, refused: str | None = None) -> None:
    """Raise unless `user` keeps the catalog of `district` (its district office)."""
    access_at_center(user, district_center(district), action=KEEP, table=TABLE, refused=refused or REFUSED)


def access_item(user: Someone, item: ServiceItem, *, action: str, refused: str | None = None) -> ServiceItem:
    """Fetch-and-authorise for one item: raise unless `user` may do `action` to it."""
    access_at_center(
        user, item.center, action=action, table=TABLE, not_found=NOT_FOUND, refused=refused or REFUSED
    )
    return item


def may_item(user: Someone, item: ServiceItem, *, action: str) -> bool:
    """`access_item` as a yes/no, for showing or hiding a form or button."""
    return may_at_center(user, item.center, action=action, table=TABLE)


def district_kept_by(user: Someone) -> District:
    """The district whose catalog `user` keeps (the district office's), or Refused."""
    if user is not None and user.is_authenticated:
        hubs = Center.objects.filter(kind=Center.Kind.DISTRICT, id__in=visible_center_ids(user))
        for hub in hubs.select_related("district").order_by("id"):
            if may_at_center(user, hub, action=KEEP, table=TABLE):
                return hub.district
    raise Refused(REFUSED[KEEP])
