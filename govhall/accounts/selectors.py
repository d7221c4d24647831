"""Who may see which centers. Every list of centers a user sees — pages, API,
exports — comes from `centers_visible_to`."""

from django.db.models import Q, QuerySet

from .models import DISTRICT_WIDE_ROLES, Role, RoleAssignment


def roles_of(user) -> set[str]:
    if not user or not user.is_authenticated:
        return set()
    cached = getattr(user, "_govhall_roles", None)
    if cached is None:
        cached = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
        user._govhall_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def visible_center_ids(user) -> set[int]:
    """Ids of the centers `user` may see: the centers of their assignments; every
    center of the district for the district office and the approver; the
    department's other halls for a department leader. An API token narrows
    this further to the centers it was issued for."""
    from govhall.centers.models import Center

    if not user or not user.is_authenticated:
        return set()
    cached = getattr(user, "_govhall_visible", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        ids = set(Center.objects.values_list("id", flat=True))
    else:
        assignments = list(RoleAssignment.objects.filter(user=user).select_related("center"))
        district_ids = {a.center.district_id for a in assignments if a.role in DISTRICT_WIDE_ROLES}
        department_ids = {a.center.department_id for a in assignments
                          if a.role == Role.DEPARTMENT_LEADER and a.center.department_id}
        q = Q(id__in=[a.center_id for a in assignments])
        if district_ids:
            q |= Q(district_id__in=district_ids)
        if department_ids:
            q |= Q(department_id__in=department_ids)
        ids = set(Center.objects.filter(q).values_list("id", flat=True)) if assignments else set()
    token_ids = getattr(user, "token_center_ids", None)
    if token_ids is not None:
        ids &= set(token_ids)
    user._govhall_visible = ids
    return ids


def centers_visible_to(user) -> QuerySet:
    from govhall.centers.models import Center

    return Center.objects.filter(id__in=visible_center_ids(user))


def roles_at(user, center) -> set[str]:
    """The roles `user` can act in at `center` (district-wide roles reach every
    center of their district; a department leader every hall of the department)."""
    if not user or not user.is_authenticated or center is None:
        return set()
    if center.id not in visible_center_ids(user) and not user.is_superuser:
        return set()
    roles = set()
    for a in RoleAssignment.objects.filter(user=user).select_related("center"):
        if a.center_id == center.id:
            roles.add(a.role)
        elif a.role in DISTRICT_WIDE_ROLES and a.center.district_id == center.district_id:
            roles.add(a.role)
        elif (a.role == Role.DEPARTMENT_LEADER and center.department_id
              and a.center.department_id == center.department_id):
            roles.add(a.role)
    if user.is_superuser:
        roles.add(Role.DISTRICT_ADMIN)
    return roles


def users_visible_to(user) -> QuerySet:
    """People whose roles are at centers `user` can see (the district office: all)."""
    from .models import User

    ids = visible_center_ids(user)
    return User.objects.filter(role_assignments__center_id__in=ids).distinct()
