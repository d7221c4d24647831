# ── Complaints ──────────────────────────────────────────────────────────────
"""Who may see and handle complaints and 办不成事 records. A complaint about a
person or an item is the hall manager's and the district office's; about a hall,
the district office's only. The person complained about never sees it before it
is decided (404, as if it did not exist)."""

from __future__ import annotations

from typing import Any

from govhall.accounts.access import access_at_center
from govhall.accounts.models import Role
from govhall.core.errors import NotFound, Refused

COMPLAINT_NOT_FOUND = "没有找到该投诉，或您无权查看。"
HANDLERS = {Role.BRANCH_MANAGER, Role.DISTRICT_ADMIN}
COMPLAINT_TABLE: dict[str, Any] = {
    "handle": HANDLERS,
    "hall": {Role.DISTRICT_ADMIN},
    "record": {Role.CLERK, Role.CHIEF_REP, Role.BRANCH_MANAGER, Role.DISTRICT_ADMIN},
    "district": {Role.DISTRICT_ADMIN},
}


def access_complaint(user: Any, complaint: Any, *, action: str = "handle") -> set[str]:
    """Raise NotFound unless `user` may `action` ("view" or "handle") `complaint`;
    their roles. The person complained about may view it once it is decided."""
    if user is not None and complaint.subject_user_id == getattr(user, "id", None):
        if not complaint.decided or action != "view":
            raise NotFound(COMPLAINT_NOT_FOUND)
        return set()
    action = "hall" if complaint.about == "hall" else "handle"
    try:
        return access_at_center(
            user, complaint.center, action=action, table=COMPLAINT_TABLE, not_found=COMPLAINT_NOT_FOUND
        )
    except Refused:
        # A complaint is not revealed to whoever may not handle it.
        raise NotFound(COMPLAINT_NOT_FOUND) from None


def access_record(user: Any, center: Any) -> set[str]:
    """Staff of `center` may record a complaint or a 办不成事 problem there."""
    return access_at_center(
        user, center, action="record", table=COMPLAINT_TABLE, refused="只有本中心工作人员可以登记。"
    )


def access_district(user: Any, center: Any) -> set[str]:
    return access_at_center(
        user, center, action="district", table=COMPLAINT_TABLE, refused="只有区政务办可以进行此操作。"
    )


MANAGE = {Role.BRANCH_MANAGER, Role.DISTRICT_ADMIN}
TABLE = {
    "view": {Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER, Role.DISTRICT_ADMIN, Role.CHIEF_REP},
    "pad": MANAGE,
    "handle": MANAGE,
    "review": {Role.DISTRICT_ADMIN},
}
REFUSED = {
    "view": "只有大厅负责人和区政务办可以查看好差评明细。",
    "pad": "只有大厅负责人可以发放窗口评价器。",
    "handle": "只有责任大厅的负责人可以办理差评整改。",
    "review": "只有区政务办可以复核不属实的差评。",
}
