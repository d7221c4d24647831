"""Reads of the register: what the public sees, what staff see, the
standardisation check, and the changes a user may see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time
from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When

from govhall.accounts.selectors import centers_visible_to, visible_center_ids
from govhall.core.calendar import CalendarUnknown, is_workday

from .models import WEEKDAYS, Center, CenterChange, Facility, HoursException, Leadership, OpeningHours, Zone

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from govhall.accounts.models import User

    Someone = User | AnonymousUser | None

PUBLIC_STATUSES = [Center.Status.ACTIVE, Center.Status.SUSPENDED, Center.Status.PLANNED]
# The district center first, then its branches, then town centers.
KIND_RANK = Case(
    When(kind=Center.Kind.DISTRICT, then=Value(0)),
    When(kind=Center.Kind.BRANCH, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
SORTS = {
    "code": "code",
    "-code": "-code",
    "name": "name",
    "-name": "-name",
    "kind": "kind_rank",
    "-kind": "-kind_rank",
    "status": "status",
    "-status": "-status",
    "updated": "updated_at",
    "-updated": "-updated_at",
}


def _with_details(qs: QuerySet[Center]) -> QuerySet[Center]:
    return qs.select_related("department", "district", "parent").prefetch_related(
        "aliases",
        "zones",
        "facilities",
        "leadership",
        Prefetch("hours", queryset=OpeningHours.objects.order_by("weekday", "opens")),
    )


def centers_public() -> QuerySet[Center]:
    """The halls the public may visit: the district center first, then branches, then towns."""
    return (
        _with_details(Center.objects.filter(status__in=PUBLIC_STATUSES))
        .annotate(kind_rank=KIND_RANK)
        .order_by("kind_rank", "code")
    )


def center_public_get(code: str) -> Center | None:
    return _with_details(Center.objects.filter(code=code)).first()


def center_search(qs: QuerySet[Center], q: str) -> QuerySet[Center]:
    """Match the official name, a former name (alias), the code or the address."""
    q = (q or "").strip()
    if not q:
        return qs
    return qs.filter(
        Q(name__icontains=q)
        | Q(aliases__name__icontains=q)
        | Q(code__icontains=q)
        | Q(address__icontains=q)
        | Q(department__name__icontains=q)
    ).distinct()


def centers_list(
    *,
    user: Someone,
    q: str = "",
    kind: str = "",
    status: str = "",
    department: int | str | None = None,
    sort: str = "kind",
) -> QuerySet[Center]:
    """The register as `user` may see it, filtered and sorted. Used by the page, the API and the export."""
    qs = _with_details(centers_visible_to(user))
    qs = center_search(qs, q)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if department:
        qs = qs.filter(department_id=department)
    return qs.annotate(kind_rank=KIND_RANK).order_by(SORTS.get(sort, "kind_rank"), "code")


def hours_summary(center: Center) -> list[str]:
    """Weekly hours as lines, consecutive days with the same periods joined:
    ['星期一至星期五 09:00-12:00、13:30-17:00']."""
    by_day: dict[int, tuple[str, ...]] = {}
    for h in center.hours.all():
        by_day.setdefault(h.weekday, ())
        by_day[h.weekday] += (f"{h.opens:%H:%M}-{h.closes:%H:%M}",)
    names = dict(WEEKDAYS)
    lines: list[str] = []
    run: list[int] = []
    for day in range(7):
        spans = by_day.get(day)
        if run and spans == by_day.get(run[-1]) and spans:
            run.append(day)
            continue
        if run:
            lines.append(_hours_line(run, by_day[run[0]], names))
        run = [day] if spans else []
    if run:
        lines.append(_hours_line(run, by_day[run[0]], names))
    return lines or ["暂未公布"]


def _hours_line(days: list[int], spans: tuple[str, ...], names: dict[int, str]) -> str:
    label = names[days[0]] if len(days) == 1 else f"{names[days[0]]}至{names[days[-1]]}"
    return f"{label} {'、'.join(spans)}"


@dataclass
class StandardCheck:
    """A hall against the notice's standards: unified name, six zones, facilities, leaders."""

    center: Center
    have: list[str] = field(default_factory=list)
    lacks: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.have) + len(self.lacks)

    @property
    def score(self) -> int:
        return round(100 * len(self.have) / self.total) if self.total else 100


def standardisation_check(center: Center, parts: StandardParts | None = None) -> StandardCheck:
    """What a hall has and lacks of the standard (name, zones, facilities, leadership).
    `parts` are its zones, facilities and leadership roles read in bulk
    (`_standard_parts`); without them they are read from the hall."""
    from .models import check_center_name

    check = StandardCheck(center=center)
    if parts is None:
        parts = (
            {z.kind for z in center.zones.all()},
            {f.kind for f in center.facilities.all()},
            {p.role for p in center.leadership.all()},
        )
    zones, facilities, roles = parts

    def item(ok: bool, label: str) -> None:
        (check.have if ok else check.lacks).append(label)

    item(check_center_name(center.kind, center.name, center.district) is None, "统一名称")
    for value, label in Zone.Kind.choices:
        item(value in zones, label)
    for value, label in Facility.Kind.choices:
        item(value in facilities, label)
    if center.kind == Center.Kind.BRANCH:
        item("leader" in roles, "分管班子成员")
        item("cadre" in roles, "负责科级干部")
    return check


StandardParts = tuple[set[str], set[str], set[str]]  # zone kinds, facility kinds, leadership roles


def _standard_parts(centers: QuerySet[Center]) -> dict[int, StandardParts]:
    """Each hall's zone kinds, facility kinds and leadership roles: three queries for any
    number of halls (a province's thousand), no model object per row."""
    parts: dict[int, StandardParts] = {}

    def of(center_id: int) -> StandardParts:
        return parts.setdefault(center_id, (set(), set(), set()))

    ids = centers.values("id")
    for center_id, kind in Zone.objects.filter(center__in=ids).values_list("center_id", "kind"):
        of(center_id)[0].add(kind)
    for center_id, kind in Facility.objects.filter(center__in=ids).values_list("center_id", "kind"):
        of(center_id)[1].add(kind)
    for center_id, role in Leadership.objects.filter(center__in=ids).values_list("center_id", "role"):
        of(center_id)[2].add(role)
    return parts


def _standard_checks(centers: QuerySet[Center]) -> list[StandardCheck]:
    parts = _standard_parts(centers)
    empty: StandardParts = (set(), set(), set())
    return [standardisation_check(c, parts.get(c.id, empty)) for c in centers.select_related("district")]


def standardisation_report(*, user: Someone) -> list[StandardCheck]:
    """Every hall in service `user` sees, weakest first."""
    qs = centers_visible_to(user).exclude(status__in=[Center.Status.MERGED, Center.Status.CLOSED])
    return sorted(_standard_checks(qs.order_by("kind", "code")), key=lambda c: c.score)


def changes_visible_to(user: Someone) -> QuerySet[CenterChange]:
    """Changes of the branches `user` sees; new-branch drafts are seen by the district
    office and the approver (who see the district center) and by their drafter."""
    ids = visible_center_ids(user)
    district_ids = set(
        Center.objects.filter(id__in=ids, kind=Center.Kind.DISTRICT).values_list("district_id", flat=True)
    )
    q = Q(center_id__in=ids) | Q(merge_into_id__in=ids)
    if user is not None and user.is_authenticated and getattr(user, "token_center_ids", None) is None:
        # An API token sees only its centers, not everything its account drafted.
        q |= Q(drafted_by=user)
    if district_ids:
        q |= Q(center__isnull=True, district_id__in=district_ids)
    return (
        CenterChange.objects.filter(q)
        .select_related("center", "merge_into", "department", "drafted_by", "district")
        .distinct()
    )


def changes_list(*, user: Someone, status: str = "", kind: str = "", q: str = "") -> QuerySet[CenterChange]:
    qs = changes_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(
            Q(center__name__icontains=q)
            | Q(new_name__icontains=q)
            | Q(filing_number__icontains=q)
            | Q(description__icontains=q)
        )
    return qs.order_by("-created_at")


def change_get(*, user: Someone, pk: int) -> CenterChange | None:
    return changes_visible_to(user).filter(pk=pk).prefetch_related("events__by").first()


# --- a hall's hours on one day ---------------------------------------------------------------


@dataclass(frozen=True)
class DayHours:
    """A hall's opening periods on one day; empty when it does not open. `why_closed`
    says why (a holiday, the hall's own closure); `unknown_year` is set when the
    day's year has no holiday arrangement yet, so nobody can say whether it opens."""

    day: date
    periods: tuple[tuple[time, time], ...] = ()
    why_closed: str = ""
    unknown_year: int | None = None

    @property
    def is_open(self) -> bool:
        return bool(self.periods)


def opening_hours_on(center: Center, day: date) -> DayHours:
    """The hall's hours on `day`, as the hall and the calendar set them:

    1. the hall's exception for that day wins (a closure, or other hours — even
       on a holiday, e.g. a hall that opens specially);
    2. otherwise a day that is not a working day (statutory holiday, weekend) is
       closed; a year whose arrangement is not known is not guessed
       (`unknown_year`, no periods);
    3. a working day opens with the hall's weekly hours of that weekday; a
       make-up working day (调休) on a weekend, which has no weekly hours, opens
       with the hours of the hall's first weekday with hours (Monday's normally)."""
    exc = HoursException.objects.filter(center=center, date=day).first()
    if exc is not None:
        if exc.is_closed or exc.opens is None or exc.closes is None:
            return DayHours(day, why_closed=exc.note or "大厅当日不办公")
        return DayHours(day, ((exc.opens, exc.closes),))
    try:
        workday = is_workday(day, district=center.district_id)
    except CalendarUnknown as unknown:
        return DayHours(day, why_closed=f"{unknown.year} 年节假日安排尚未录入", unknown_year=unknown.year)
    if not workday:
        return DayHours(day, why_closed="法定节假日" if day.weekday() < 5 else "休息日")
    rows = list(
        OpeningHours.objects.filter(center=center)
        .order_by("weekday", "opens")
        .values_list("weekday", "opens", "closes")
    )
    same = tuple((o, c) for wd, o, c in rows if wd == day.weekday())
    if not same and day.weekday() >= 5:
        weekdays = [wd for wd, _, _ in rows if wd < 5]
        if weekdays:
            same = tuple((o, c) for wd, o, c in rows if wd == weekdays[0])
    return DayHours(day, same, why_closed="" if same else "大厅当日不办公")


def active_center_ids() -> set[int]:
    """Every hall in service now (运行中), in every district: the cockpit's rollups cover them."""
    return set(Center.objects.filter(status=Center.Status.ACTIVE).values_list("id", flat=True))


def standardisation_scores(center_ids: Iterable[int]) -> dict[int, int]:
    """Each hall's standardisation score now (`standardisation_check`), for the cockpit's rollups."""
    return {c.center.id: c.score for c in _standard_checks(Center.objects.filter(id__in=list(center_ids)))}
