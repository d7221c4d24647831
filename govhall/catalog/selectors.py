"""Reads of the catalog, used alike by the public pages, the staff pages, the API and exports."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from govhall.centers.models import Center, District
from govhall.core.cache import shared_delete, shared_get, shared_set

from . import search
from .models import Fee, Guide, Material, NegativeListEntry, SearchTerm, ServiceItem, Synonym, TermStat


def items_public() -> QuerySet[ServiceItem]:
    """Active items, with what a list shows."""
    return (
        ServiceItem.objects.filter(is_active=True)
        .select_related("department", "center", "current_guide")
        .prefetch_related("themes")
    )


def items_filtered(
    *,
    center: str | int | None = None,
    department: str | int | None = None,
    serving: str = "",
    theme: str = "",
    item_type: str = "",
    qs: QuerySet[ServiceItem] | None = None,
) -> QuerySet[ServiceItem]:
    """Browse filters: a center or department by code or id, a serving party, a theme code."""
    qs = items_public() if qs is None else qs
    if center:
        qs = qs.filter(center__id=center) if str(center).isdigit() else qs.filter(center__code=center)
    if department:
        qs = (
            qs.filter(department__id=department)
            if str(department).isdigit()
            else qs.filter(department__code=department)
        )
    if serving:
        qs = (
            qs.filter(serving__in=[serving, ServiceItem.Serving.BOTH])
            if serving != "both"
            else qs.filter(serving=serving)
        )
    if theme:
        qs = qs.filter(themes__code=theme)
    if item_type:
        qs = qs.filter(item_type=item_type)
    return qs


def item_get(key: str | int) -> ServiceItem | None:
    """An active item by its implementation code, or by id."""
    key = str(key)
    qs = items_public()
    found = qs.filter(code=key).first()
    if found is None and key.isdigit():
        found = qs.filter(pk=int(key)).first()
    return found


def guide_with_details(guide: Guide | None) -> Guide | None:
    if guide is None:
        return None
    return (
        Guide.objects.filter(pk=guide.pk)
        .prefetch_related(Prefetch("materials", queryset=Material.objects.order_by("order", "id")), "fees")
        .select_related("item", "item__center", "item__department", "published_by")
        .first()
    )


def guide_current(item: ServiceItem) -> Guide | None:
    """The published version a case is made under."""
    return guide_with_details(item.guides.published().first())


def guide_versions(item: ServiceItem) -> QuerySet[Guide]:
    """Published and superseded versions, newest first (drafts are not public)."""
    return item.guides.exclude(status=Guide.Status.DRAFT).order_by("-version")


def guide_version_get(item: ServiceItem, version: int) -> Guide | None:
    guide = item.guides.exclude(status=Guide.Status.DRAFT).filter(version=version).first()
    return guide_with_details(guide)


def negative_list(*, center: Center | None = None) -> QuerySet[NegativeListEntry]:
    qs = (
        NegativeListEntry.objects.filter(is_active=True)
        .select_related("item", "item__department", "center")
        .order_by("center__code", "item__name_pinyin")
    )
    if center is not None:
        qs = qs.filter(center=center)
    return qs


def negative_entries_of(district: District) -> QuerySet[NegativeListEntry]:
    """Every entry of the district's negative list, revoked ones last (the staff page)."""
    return (
        NegativeListEntry.objects.filter(item__district=district)
        .select_related("item", "center")
        .order_by("-is_active", "center__code", "item__name_pinyin")
    )


def active_entry(item: ServiceItem) -> NegativeListEntry | None:
    """The item's negative-list entry in force, if any."""
    return NegativeListEntry.objects.filter(item=item, is_active=True).select_related("center").first()


def guide_draft_of(item: ServiceItem) -> Guide | None:
    """The item's open draft, if any."""
    return item.guides.filter(status=Guide.Status.DRAFT).first()


def guide_published_of(item: ServiceItem) -> Guide | None:
    """The item's published version, if any (without its details; see `guide_current`)."""
    return item.guides.published().first()


def guide_missing_fields(
    guide: Guide, *, has_materials: bool | None = None, has_fee_basis: bool | None = None
) -> dict[str, str]:
    """field → the required element `guide` lacks there, in the order of the guide.
    A list passes `has_materials` / `has_fee_basis` read for all its guides at once."""
    missing = {}
    if has_materials is None:
        has_materials = guide.materials.exists()
    if not has_materials:
        missing["materials"] = "申请材料"
    if guide.legal_days is None:
        missing["legal_days"] = "法定办结时限"
    if guide.promised_days is None:
        missing["promised_days"] = "承诺办结时限"
    if not guide.no_fee and not (
        has_fee_basis if has_fee_basis is not None else guide.fees.exclude(basis="").exists()
    ):
        missing["fees"] = "收费依据（或注明“不收费”）"
    if not guide.consult_phone.strip():
        missing["consult_phone"] = "咨询电话"
    if not guide.complaint_phone.strip():
        missing["complaint_phone"] = "投诉电话"
    return missing


def guide_missing(guide: Guide) -> list[str]:
    """The required elements `guide` lacks, in plain Chinese, in the order of the guide."""
    return list(guide_missing_fields(guide).values())


def center_items(center: Center) -> list[dict[str, Any]]:
    """What a hall handles and, for a branch, why each item is there."""
    entries = {e.item_id: e for e in negative_list(center=center)}
    return [
        {"item": item, "entry": entries.get(item.id)}
        for item in items_public().filter(center=center).order_by("name_pinyin", "id")
    ]


# --- search -----------------------------------------------------------------------------


@dataclass
class SearchResult:
    query: str
    ids: list[int] = field(default_factory=list)
    scores: dict[int, int] = field(default_factory=dict)
    capped: bool = False
    synonyms_used: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.ids)


SYNONYMS_CACHE_KEY = "catalog:synonyms"
SYNONYMS_CACHE_SECONDS = 300


def synonyms_map() -> dict[str, list[str]]:
    """word → expansions, cached; `synonyms_forget` drops the cache when a synonym changes."""
    found = shared_get(SYNONYMS_CACHE_KEY)
    if found is None:
        found = {
            w: Synonym(word=w, expansions=e).expansion_list
            for w, e in Synonym.objects.values_list("word", "expansions")
        }
        shared_set(SYNONYMS_CACHE_KEY, found, SYNONYMS_CACHE_SECONDS)
    return found


def synonyms_forget() -> None:
    shared_delete(SYNONYMS_CACHE_KEY)


def items_search_scope(
    *, center: str = "", department: str = "", serving: str = "", theme: str = "", item_type: str = ""
) -> QuerySet[ServiceItem] | None:
    """The browse filters as a search scope; None when there are none (only
    active items carry search terms, so no scope is needed and none is paid for)."""
    if not any((center, department, serving, theme, item_type)):
        return None
    return items_filtered(
        center=center, department=department, serving=serving, theme=theme, item_type=item_type
    )


# How the terms of one alternative are looked up (see docs/ARCHITECTURE.md, "Catalog"):
#
# * one term: the (term, weight, item) index yields the ranked items directly;
# * every term required: start from the rarest term (counts in TermStat) and
#   check each other term per candidate item on the (item, term, weight) index,
#   as a join in that order. SQLite's planner cannot tell a rare term from a
#   common one (sqlite_stat1 has one average for all), so the order is forced
#   with CROSS JOIN; PostgreSQL plans the same SQL from its own statistics.
#   Nothing is grouped, however common a term ("#dj" is on 14 % of items).
# * at least m of k terms (a long query's fallback): an item that has m of them
#   must have one of the k-m+1 rarest, so only those items are counted.
MAX_JOINED_TERMS = 8
MAX_WEIGHT_CLASSES = 16


def _scope_sql(base: QuerySet[ServiceItem] | None, column: str) -> tuple[str, list[Any]]:
    if base is None:
        return "", []
    sql, params = base.order_by().values("pk").query.sql_with_params()
    return f" AND {column} IN ({sql})", list(params)


def _by_rarity(terms: list[str]) -> list[str]:
    counts = dict(TermStat.objects.filter(term__in=terms).values_list("term", "items"))
    return sorted(terms, key=lambda t: (counts.get(t, 0), terms.index(t)))


def _weights_present(terms: list[str]) -> dict[str, list[int]]:
    """Which weights each term occurs with: one index probe per (term, weight)."""
    probes = [(t, w) for t in terms for w in search.WEIGHTS]
    table = SearchTerm._meta.db_table
    sql = " UNION ALL ".join(
        f"SELECT {i} FROM (SELECT 1 AS x FROM {table} WHERE term = %s AND weight = %s LIMIT 1) p{i}"
        for i in range(len(probes))
    )
    found: dict[str, list[int]] = {t: [] for t in terms}
    with connection.cursor() as cur:
        cur.execute(sql, [v for probe in probes for v in probe])
        for (i,) in cur.fetchall():
            term, weight = probes[i]
            found[term].append(weight)
    return found


def _all_terms(ordered: list[str], base: QuerySet[ServiceItem] | None, cap: int) -> list[tuple[int, int]]:
    """Items carrying every term, best `cap` by (score desc, id): the rarest term
    drives a join that checks each other term on the (item, term) index.

    An item's score is the sum of its terms' weights, so the matches split into
    classes by their weights (10 + 10, 10 + 6, …). Within a class the score is
    the same, the driving index yields items in id order and the query stops at
    LIMIT; classes are read best first until `cap` are found. "#kz + #xk" reads
    about 600 of its 8,400 driving rows instead of all of them."""
    present = _weights_present(ordered)
    if not all(present.values()):
        return []
    classes = list(itertools.product(*(present[t] for t in ordered)))
    table = SearchTerm._meta.db_table
    n = len(ordered)
    tables = " CROSS JOIN ".join(f"{table} t{i}" for i in range(n))
    joins = "".join(f" AND t{i}.item_id = t0.item_id AND t{i}.term = %s" for i in range(1, n))
    scope, scope_params = _scope_sql(base, "t0.item_id")
    if len(classes) > MAX_WEIGHT_CLASSES:
        score_sql = " + ".join(f"t{i}.weight" for i in range(n))
        sql = (
            f"SELECT t0.item_id, {score_sql} AS score FROM {tables} WHERE t0.term = %s{joins}{scope} "
            f"ORDER BY score DESC, t0.item_id LIMIT %s"
        )
        with connection.cursor() as cur:
            cur.execute(sql, [*ordered, *scope_params, cap])
            return [(item_id, score) for item_id, score in cur.fetchall()]
    weights = "".join(f" AND t{i}.weight = %s" for i in range(n))
    sql = (
        f"SELECT t0.item_id FROM {tables} WHERE t0.term = %s{joins}{weights}{scope} "
        f"ORDER BY t0.item_id LIMIT %s"
    )
    rows: list[tuple[int, int]] = []
    by_score: dict[int, list[tuple[int, ...]]] = {}
    for combo in classes:
        by_score.setdefault(sum(combo), []).append(combo)
    with connection.cursor() as cur:
        for score in sorted(by_score, reverse=True):
            wanted = cap - len(rows)
            ids: list[int] = []
            for combo in by_score[score]:
                cur.execute(sql, [*ordered, *combo, *scope_params, wanted])
                ids += [r[0] for r in cur.fetchall()]
            rows += [(i, score) for i in sorted(ids)[:wanted]]
            if len(rows) >= cap:
                break
    return rows


def _run_alternative(
    alt: search.Alternative, base: QuerySet[ServiceItem] | None, cap: int
) -> list[tuple[int, int]]:
    terms = alt.terms
    if len(terms) == 1:
        # One term: an item has it at most once, so the index (term, weight, item) gives the order directly.
        qs = SearchTerm.objects.filter(term=terms[0])
        if base is not None:
            qs = qs.filter(item__in=base.values("pk"))
        return list(qs.order_by("-weight", "-item_id").values_list("item_id", "weight")[:cap])
    table = SearchTerm._meta.db_table
    ordered = _by_rarity(terms)
    needed = alt.relaxed_min if alt.relaxed_min else len(terms)
    if needed == len(terms) and len(terms) <= MAX_JOINED_TERMS:
        return _all_terms(ordered, base, cap)
    drivers = ordered[: len(terms) - needed + 1]
    marks, driver_marks = ", ".join(["%s"] * len(terms)), ", ".join(["%s"] * len(drivers))
    scope, scope_params = _scope_sql(base, "c.item_id")
    sql = (
        f"SELECT s.item_id, SUM(s.weight) AS score FROM {table} s "
        f"WHERE s.term IN ({marks}) AND s.item_id IN "
        f"(SELECT c.item_id FROM {table} c WHERE c.term IN ({driver_marks}){scope}) "
        f"GROUP BY s.item_id HAVING COUNT(*) >= %s ORDER BY COUNT(*) DESC, score DESC, s.item_id LIMIT %s"
    )
    params = [*terms, *drivers, *scope_params, needed, cap]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return [(item_id, score) for item_id, score in cur.fetchall()]


def search_item_ids(
    q: str, *, base: QuerySet[ServiceItem] | None = None, cap: int = search.MAX_CANDIDATES
) -> SearchResult:
    """Ids of the items matching `q`, best first: name matches before keyword,
    theme and body matches. At most `cap` results (`capped` says if there were more)."""
    parsed = search.parse_query(q, synonyms_map())
    result = SearchResult(query=parsed.text)
    if parsed.empty:
        return result
    best: dict[int, int] = {}
    strict = [a for a in parsed.alternatives if a.relaxed_min is None and a.terms]
    relaxed = [a for a in parsed.alternatives if a.relaxed_min is not None]
    for group in (strict, relaxed):
        for alt in group:
            rows = _run_alternative(alt, base, cap)
            if len(rows) >= cap:
                result.capped = True
            if rows and alt.label:
                result.synonyms_used.append(alt.label)
            for item_id, score in rows:
                # Per-term average keeps a four-slice query from outranking a name match of two.
                value = score * 100 // len(alt.terms) + alt.bonus * 5
                if alt.relaxed_min:
                    value = value // 4
                if value > best.get(item_id, -(10**9)):
                    best[item_id] = value
        if best:
            break
    # A name holding the query in a row beats scattered pairs (one query for the names).
    names = dict(ServiceItem.objects.filter(pk__in=list(best)).values_list("id", "name"))
    for item_id in best:
        best[item_id] += search.contiguous_bonus(parsed.text, names.get(item_id, ""))
    ordered = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:cap]
    result.ids = [i for i, _ in ordered]
    result.scores = dict(ordered)
    return result


def search_items(
    q: str, *, base: QuerySet[ServiceItem] | None = None, offset: int = 0, limit: int = 20
) -> tuple[SearchResult, list[ServiceItem]]:
    """One page of matching items, in rank order."""
    result = search_item_ids(q, base=base)
    page_ids = result.ids[offset : offset + limit]
    found = {i.id: i for i in items_public().filter(pk__in=page_ids).order_by()}
    return result, [found[i] for i in page_ids if i in found]


# --- completeness -----------------------------------------------------------------------


@dataclass
class CompletenessRow:
    item: ServiceItem
    guide: Guide | None
    draft: Guide | None
    missing: list[str]

    @property
    def complete(self) -> bool:
        return not self.missing


def completeness_report(
    *, district: District | None = None, center: Center | None = None
) -> list[CompletenessRow]:
    """Every item and what its current guide lacks (incomplete first), in a fixed
    number of queries (the guides' materials and fee bases are annotated)."""
    qs = ServiceItem.objects.filter(is_active=True).select_related("center", "department", "current_guide")
    if district is not None:
        qs = qs.filter(district=district)
    if center is not None:
        qs = qs.filter(center=center)
    drafts = {g.item_id: g for g in Guide.objects.filter(status=Guide.Status.DRAFT, item__in=qs)}
    rows = []
    annotated = qs.annotate(
        has_materials=Exists(Material.objects.filter(guide_id=OuterRef("current_guide_id"))),
        has_fee_basis=Exists(Fee.objects.filter(guide_id=OuterRef("current_guide_id")).exclude(basis="")),
    )
    for item in annotated.order_by("center__kind", "center__code", "name_pinyin", "id"):
        guide = item.current_guide
        missing = (
            ["尚无已发布的办事指南"]
            if guide is None
            else list(
                guide_missing_fields(
                    guide,
                    has_materials=item.has_materials,
                    has_fee_basis=item.has_fee_basis,
                ).values()
            )
        )
        rows.append(CompletenessRow(item=item, guide=guide, draft=drafts.get(item.id), missing=missing))
    rows.sort(key=lambda r: r.complete)
    return rows


def items_stationed_at(center_ids: Iterable[int]) -> QuerySet[ServiceItem]:
    """Active items declared stationed (`ServiceItem.center`) at any of `center_ids`, with their hall."""
    return (
        ServiceItem.objects.filter(is_active=True, center_id__in=list(center_ids))
        .select_related("center")
        .order_by("center__code", "code")
    )


def items_sharing_catalog_codes(codes: Iterable[str]) -> dict[int, str]:
    """Every active item whose 基本目录编码 is one of `codes`, wherever it is stationed:
    {item id: catalog code} (one query). The same basic item implemented at several halls."""
    wanted = [c for c in codes if c]
    if not wanted:
        return {}
    return dict(
        ServiceItem.objects.filter(is_active=True, catalog_code__in=wanted).values_list("id", "catalog_code")
    )


# --- catalog17: the staff catalog, searched, filtered, sorted and paged ----------------------

STAFF_SORTS = {
    "name": ("name_pinyin", "id"),
    "-name": ("-name_pinyin", "-id"),
    "code": ("code",),
    "-code": ("-code",),
    "department": ("department__name", "name_pinyin", "id"),
    "center": ("center__kind", "center__code", "name_pinyin", "id"),
    "updated": ("-updated_at", "-id"),
}
STAFF_STATUSES = {
    "active": "在用",
    "inactive": "停用",
    "incomplete": "指南缺要素",
    "complete": "指南齐全",
    "draft": "有待发布草稿",
}


def _incomplete_q() -> Any:
    """An item whose current guide lacks a required element (or that has none), as a filter;
    the same rules as `guide_missing_fields`, on `has_materials` / `has_fee_basis` annotations."""
    from django.db.models import Q

    g = "current_guide__"
    return (
        Q(current_guide__isnull=True)
        | Q(has_materials=False)
        | Q(**{f"{g}legal_days__isnull": True})
        | Q(**{f"{g}promised_days__isnull": True})
        | Q(**{f"{g}no_fee": False}, has_fee_basis=False)
        | Q(**{f"{g}consult_phone": ""})
        | Q(**{f"{g}complaint_phone": ""})
    )


def staff_items(
    *,
    district: District,
    q: str = "",
    department: str = "",
    item_type: str = "",
    center: str = "",
    status: str = "",
    sort: str = "",
) -> tuple[QuerySet[ServiceItem] | list[int], QuerySet[ServiceItem]]:
    """The district's items as the staff catalog lists them: (what to page, the annotated
    query a page's ids are read from). With a query and no sort, the ids in rank order
    (search first, then codes containing the query); otherwise a sorted queryset."""
    qs = ServiceItem.objects.filter(district=district).annotate(
        has_materials=Exists(Material.objects.filter(guide_id=OuterRef("current_guide_id"))),
        has_fee_basis=Exists(Fee.objects.filter(guide_id=OuterRef("current_guide_id")).exclude(basis="")),
    )
    if department:
        qs = qs.filter(department__code=department)
    if item_type:
        qs = qs.filter(item_type=item_type)
    if center:
        qs = qs.filter(center__code=center)
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    elif status == "incomplete":
        qs = qs.filter(_incomplete_q())
    elif status == "complete":
        qs = qs.exclude(_incomplete_q())
    elif status == "draft":
        qs = qs.filter(Exists(Guide.objects.filter(item_id=OuterRef("pk"), status=Guide.Status.DRAFT)))
    shown = qs.select_related("center", "department", "current_guide")
    q = q.strip()
    if q:
        from django.db.models import Q

        ranked = search_item_ids(q, base=qs.order_by()).ids
        by_code = qs.filter(Q(code__icontains=q) | Q(catalog_code__icontains=q)).exclude(pk__in=ranked)
        if sort not in STAFF_SORTS:
            extra = list(by_code.order_by("code").values_list("pk", flat=True)[:500])
            return [*ranked, *extra], shown
        qs = qs.filter(Q(pk__in=ranked) | Q(code__icontains=q) | Q(catalog_code__icontains=q))
        shown = qs.select_related("center", "department", "current_guide")
    return shown.order_by(*STAFF_SORTS.get(sort, STAFF_SORTS["name"])), shown


def staff_rows(items: Iterable[ServiceItem]) -> list[CompletenessRow]:
    """Completeness rows for one page of annotated items (their drafts in one query)."""
    items = list(items)
    drafts = {
        g.item_id: g
        for g in Guide.objects.filter(status=Guide.Status.DRAFT, item_id__in=[i.pk for i in items])
    }
    rows = []
    for item in items:
        guide = item.current_guide
        missing = (
            ["尚无已发布的办事指南"]
            if guide is None
            else list(
                guide_missing_fields(
                    guide,
                    has_materials=getattr(item, "has_materials", None),
                    has_fee_basis=getattr(item, "has_fee_basis", None),
                ).values()
            )
        )
        rows.append(CompletenessRow(item=item, guide=guide, draft=drafts.get(item.id), missing=missing))
    return rows


def staff_incomplete_count(district: District) -> int:
    return (
        ServiceItem.objects.filter(district=district, is_active=True)
        .annotate(
            has_materials=Exists(Material.objects.filter(guide_id=OuterRef("current_guide_id"))),
            has_fee_basis=Exists(Fee.objects.filter(guide_id=OuterRef("current_guide_id")).exclude(basis="")),
        )
        .filter(_incomplete_q())
        .count()
    )
