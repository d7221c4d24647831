"""Who may do what with ratings and rectifications (the one access check,
`accounts.access.access_at_center`, with this app's table)."""

from __future__ import annotations

from govhall.accounts.models import Role

# ── Ratings ──

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
