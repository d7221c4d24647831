"""Who may see which centers. Every list of centers a user sees — pages, API,
exports — comes from `centers_visible_to`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django.db.models import Prefetch, Q, QuerySet

from govhall.core.crypto import lookup_hash
from govhall.core.db import Prepared
from govhall.core.errors import Refused

from .models import DISTRICT_WIDE_ROLES, ApiToken, CitizenAccount, Role, RoleAssignment, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    # Who asks: a person, an anonymous visitor, or None (nobody: sees nothing).
    Someone = User | AnonymousUser | None

# accounts sits below centers (pyproject.toml, import-linter): it reaches the
# centers' rows only through its own foreign key, never by importing centers
# (so the model is typed as Any here).
Center = cast(Any, RoleAssignment._meta.get_field("center").related_model)


def roles_of(user: Someone) -> set[str]:
    if not user or not user.is_authenticated:
        return set()
    return {a.role for a in _assignments(user)}


def forget_roles(user: User) -> None:
    """Drop what this user object remembers of its roles (after a role is given or taken)."""
    for name in ("_govhall_assignments", "_govhall_visible", "_govhall_visible_rows", "_govhall_acting"):
        user.__dict__.pop(name, None)


def _assignments(user: User) -> list[RoleAssignment]:
    """The user's role assignments with their centers, read once per user object (one request)."""
    memo = cast(Any, user)  # the user object (one request) carries what was read about it
    cached: list[RoleAssignment] | None = getattr(memo, "_govhall_assignments", None)
    if cached is None:
        cached = memo._govhall_assignments = _assignments_of.objects(user.pk)
    return cached


_assignments_of = Prepared(
    lambda user_id: RoleAssignment.objects.filter(user_id=user_id).select_related("center"), int
)


def has_role(user: Someone, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def visible_center_ids(user: Someone) -> set[int]:
    """Ids of the centers `user` may see: the centers of their assignments; every
    center of the district for the district office and the approver; the
    department's other halls for a department leader. An API token narrows
    this further to the centers it was issued for."""
    if user is None or not user.is_authenticated:
        return set()
    cached: set[int] | None = getattr(user, "_govhall_visible", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        ids = set(Center.objects.values_list("id", flat=True))
    else:
        assignments = _assignments(user)
        district_ids = {a.center.district_id for a in assignments if a.role in DISTRICT_WIDE_ROLES}
        department_ids = {
            a.center.department_id
            for a in assignments
            if a.role == Role.DEPARTMENT_LEADER and a.center.department_id
        }
        ids = {a.center_id for a in assignments}
        q = Q()
        if district_ids:
            q |= Q(district_id__in=district_ids)
        if department_ids:
            q |= Q(department_id__in=department_ids)
        if q:
            ids |= set(Center.objects.filter(q).values_list("id", flat=True))
    token_ids = getattr(user, "token_center_ids", None)
    if token_ids is not None:
        ids &= set(token_ids)
    cast(Any, user)._govhall_visible = ids
    return ids


def api_token_by_hash(key_hash: str) -> ApiToken | None:
    """The token with this key hash, with its user (active or not)."""
    return _token_by_hash.first(key_hash)


def api_token_center_ids(token: ApiToken) -> set[int]:
    """The centers a token was issued for."""
    return {center_id for (center_id,) in _token_centers.rows(token.pk)}


def api_token_user(token: ApiToken) -> User:
    """The token's account as a request made with the token acts: narrowed to the
    centers the token was issued for (`visible_center_ids` reads the narrowing)."""
    user = token.user
    cast(Any, user).token_center_ids = api_token_center_ids(token)
    return user


_token_by_hash = Prepared(lambda h: ApiToken.objects.select_related("user").filter(key_hash=h), str)
_token_centers = Prepared(
    lambda pk: ApiToken.centers.through.objects.filter(apitoken_id=pk).values_list("center_id"), int
)


def centers_visible_to(user: Someone) -> QuerySet[Any]:
    return Center.objects.filter(id__in=visible_center_ids(user))


def roles_at(user: Someone, center: Any) -> set[str]:
    """The roles `user` can act in at `center` (district-wide roles reach every
    center of their district; a department leader every hall of the department)."""
    if user is None or not user.is_authenticated or center is None:
        return set()
    if center.id not in visible_center_ids(user) and not user.is_superuser:
        return set()
    roles: set[str] = set()
    for a in _assignments(user):
        if a.center_id == center.id:
            roles.add(a.role)
        elif a.role in DISTRICT_WIDE_ROLES and a.center.district_id == center.district_id:
            roles.add(a.role)
        elif (
            a.role == Role.DEPARTMENT_LEADER
            and center.department_id
            and a.center.department_id == center.department_id
        ):
            roles.add(a.role)
    if user.is_superuser:
        roles.add(Role.DISTRICT_ADMIN)
    return roles


def center_ids_acting_as(user: Someone, roles: Iterable[str]) -> set[int]:
    """Ids of the visible centers where `user` acts in one of `roles` (as `roles_at`
    decides: a department leader reaches every hall of the department, the
    district office every center of its district)."""
    if user is None or not user.is_authenticated:
        return set()
    wanted = frozenset(roles)
    memo = cast(Any, user)  # read once per user object (one request), like its assignments
    acting: dict[frozenset[str], set[int]] = memo.__dict__.setdefault("_govhall_acting", {})
    if wanted not in acting:
        acting[wanted] = _acting_as(user, wanted)
    return set(acting[wanted])


def _acting_as(user: User, wanted: frozenset[str]) -> set[int]:
    """`center_ids_acting_as` worked out from the assignments once, not hall by hall: the
    halls of an assignment in `wanted`, every hall of its district for a district-wide role,
    every hall of its department for a department leader (a province has 1,000 halls)."""
    memo = cast(Any, user)
    rows: list[tuple[int, int, int | None]] | None = getattr(memo, "_govhall_visible_rows", None)
    if rows is None:
        rows = memo._govhall_visible_rows = list(
            centers_visible_to(user).values_list("id", "district_id", "department_id")
        )
    if user.is_superuser and Role.DISTRICT_ADMIN in wanted:
        return {center_id for center_id, _, _ in rows}
    mine = [a for a in _assignments(user) if a.role in wanted]
    here = {a.center_id for a in mine}
    districts = {a.center.district_id for a in mine if a.role in DISTRICT_WIDE_ROLES}
    departments = {
        a.center.department_id for a in mine if a.role == Role.DEPARTMENT_LEADER and a.center.department_id
    }
    return {
        center_id
        for center_id, district_id, department_id in rows
        if center_id in here or district_id in districts or (department_id and department_id in departments)
    }


def users_visible_to(user: Someone) -> QuerySet[User]:
    """People whose roles are at centers `user` can see (the district office: all)."""
    ids = visible_center_ids(user)
    return User.objects.filter(role_assignments__center_id__in=ids).distinct()


def api_tokens_visible_to(user: Someone) -> QuerySet[ApiToken]:
    """Fetch-and-authorise for API tokens: only the district office manages them,
    and it sees the tokens limited to centers it can see. Anyone else is refused."""
    if (
        user is None
        or not user.is_authenticated
        or not (user.is_superuser or has_role(user, Role.DISTRICT_ADMIN))
    ):
        raise Refused("只有区政务办可以管理接口令牌。")
    return (
        ApiToken.objects.filter(centers__id__in=visible_center_ids(user))
        .distinct()
        .select_related("user", "issued_by")
        .prefetch_related("centers")
        .order_by("-created_at")
    )


# --- people and tokens pages (appended) ---------------------------------------

PEOPLE_VIEW_ROLES = {Role.DISTRICT_ADMIN, Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER}


def can_view_people(user: Someone) -> bool:
    """The district office sees everyone; branch managers and department leaders
    see the people of their own hall(s), read-only."""
    return bool(
        user is not None
        and user.is_authenticated
        and (user.is_superuser or has_role(user, *PEOPLE_VIEW_ROLES))
    )


def can_manage_people(user: Someone) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and (user.is_superuser or has_role(user, Role.DISTRICT_ADMIN))
    )


def people_center_ids(user: Someone) -> set[int]:
    """Centers whose people `user` may see: every visible center for the district
    office; for others only the halls where they manage or lead."""
    if not can_view_people(user):
        return set()
    if can_manage_people(user):
        return visible_center_ids(user)
    return center_ids_acting_as(user, {Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER})


def people_list(*, user: Someone, q: str = "", role: str = "", center: Any = None) -> QuerySet[User]:
    """The people `user` may see, with `visible_roles` (their roles at those
    centers) prefetched. The district office also sees accounts with no role yet,
    so it can give them one."""
    ids = people_center_ids(user)
    held = RoleAssignment.objects.filter(center_id__in=ids)
    if role:
        held = held.filter(role=role)
    if center:
        held = held.filter(center=center)
    scope = Q(id__in=held.values("user_id"))
    if can_manage_people(user) and not role and not center:
        scope |= Q(role_assignments__isnull=True, is_superuser=False)
    qs = User.objects.filter(scope).distinct()
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    return qs.prefetch_related(
        Prefetch(
            "role_assignments",
            to_attr="visible_roles",
            queryset=RoleAssignment.objects.filter(center_id__in=ids)
            .select_related("center")
            .order_by("center__code", "role"),
        )
    ).order_by("full_name", "username")


def person_get(*, user: Someone, pk: int) -> User | None:
    """One person `user` may see, or None."""
    return people_list(user=user).filter(pk=pk).first()


def citizen_login_name(phone: str) -> str:
    """The login name of the citizen account with this phone (found by its
    lookup hash); for an unknown phone a name no account has, so signing in
    fails the ordinary way (and axes counts it against that name)."""
    digest = lookup_hash((phone or "").strip())
    account = CitizenAccount.objects.filter(phone_hash=digest).select_related("user").first()
    return account.user.username if account is not None else "c-" + digest[:20]
