"""What each role sees first after logging in."""

from govhall.centers.models import Center, CenterChange
from govhall.centers.selectors import changes_visible_to, standardisation_report

from .models import Role
from .selectors import centers_visible_to, roles_of


def dashboard_context(user) -> dict:
    roles = roles_of(user)
    centers = centers_visible_to(user).order_by("kind", "code")
    changes = changes_visible_to(user)
    todo = []
    if Role.DISTRICT_ADMIN in roles:
        todo.append(("待备案的变更", changes.filter(status=CenterChange.Status.SUBMITTED).count(),
                     "centers:changes", "status=submitted"))
    if Role.APPROVER in roles:
        todo.append(("待审批的变更", changes.filter(status=CenterChange.Status.FILED).count(),
                     "centers:changes", "status=filed"))
    if roles & {Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER, Role.DISTRICT_ADMIN}:
        todo.append(("被退回待修改的变更", changes.filter(status=CenterChange.Status.RETURNED).count(),
                     "centers:changes", "status=returned"))
    checks = standardisation_report(user=user) if roles - {Role.CLERK, Role.CHIEF_REP, Role.API_CLIENT} else []
    return {
        "roles": [Role(r).label for r in sorted(roles)],
        "role_codes": roles,
        "centers": centers,
        "center_count": centers.count(),
        "active_count": centers.filter(status=Center.Status.ACTIVE).count(),
        "todo": todo,
        "recent_changes": changes.order_by("-updated_at")[:5],
        "weakest": checks[:5],
    }
