"""Reads of the catalog, used alike by the public pages, the staff pages, the API and exports."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet, Sum

from govhall.centers.models import Center

from . import search
from .models import Guide, Material, NegativeListEntry, SearchTerm, ServiceItem, Synonym


def items_public() -> QuerySet:
    """Active items, with what a list shows."""
    return (ServiceItem.objects.filter(is_active=True)
            .select_related("department", "center", "current_guide").prefetch_related("themes"))


def items_filtered(*, center: str | int | None = None, department: str | int | None = None,
                   serving: str = "", theme: str = "", item_type: str = "", qs: QuerySet | None = None) -> QuerySet:
    """Browse filters: a center or department by code or id, a serving party, a theme code."""
    qs = items_public() if qs is None else qs
    if center:
        qs = qs.filter(center__id=center) if str(center).isdigit() else qs.filter(center__code=center)
    if department:
        qs = (qs.filter(department__id=department) if str(department).isdigit()
              else qs.filter(department__code=department))
    if serving:
        qs = qs.filter(serving__in=[serving, ServiceItem.Serving.BOTH]) if serving != "both" else qs.filter(
            serving=serving)
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
    return (Guide.objects.filter(pk=guide.pk)
            .prefetch_related(Prefetch("materials", queryset=Material.objects.order_by("order", "id")), "fees")
            .select_related("item", "item__center", "item__department", "published_by").first())


def guide_current(item: ServiceItem) -> Guide | None:
    """The published version a case is made under."""
    return guide_with_details(item.guides.published().first())


def guide_versions(item: ServiceItem) -> QuerySet:
    """Published and superseded versions, newest first (drafts are not public)."""
    return item.guides.exclude(status=Guide.Status.DRAFT).order_by("-version")


def guide_version_get(item: ServiceItem, version: int) -> Guide | None:
    guide = item.guides.exclude(status=Guide.Status.DRAFT).filter(version=version).first()
    return guide_with_details(guide)


def negative_list(*, center: Center | None = None) -> QuerySet:
    qs = (NegativeListEntry.objects.filter(is_active=True)
          .select_related("item", "item__department", "center").order_by("center__code", "item__name"))
    if center is not None:
        qs = qs.filter(center=center)
    return qs


def center_items(center: Center) -> list[dict]:
    """What a hall handles and, for a branch, why each item is there."""
    entries = {e.item_id: e for e in negative_list(center=center)}
    return [{"item": item, "entry": entries.get(item.id)}
            for item in items_public().filter(center=center).order_by("name")]


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


def synonyms_map() -> dict[str, list[str]]:
    return {s.word: s.expansion_list for s in Synonym.objects.all()}


def _run_alternative(alt: search.Alternative, base: QuerySet | None, cap: int) -> list[tuple[int, int]]:
    terms = alt.terms
    if len(terms) == 1:
        # One term: an item has it at most once, so the index (term, weight, item) gives the order directly.
        qs = SearchTerm.objects.filter(term=terms[0])
        if base is not None:
            qs = qs.filter(item__in=base.values("pk"))
        return list(qs.order_by("-weight", "-item_id").values_list("item_id", "weight")[:cap])
    qs = SearchTerm.objects.filter(term__in=terms)
    if base is not None:
        qs = qs.filter(item__in=base.values("pk"))
    qs = qs.values("item_id").annotate(score=Sum("weight"), hits=Count("id"))
    needed = alt.relaxed_min if alt.relaxed_min else len(terms)
    if needed > 1:
        qs = qs.filter(hits__gte=needed)
    return list(qs.order_by("-hits", "-score", "item_id").values_list("item_id", "score")[:cap])


def search_item_ids(q: str, *, base: QuerySet | None = None, cap: int = search.MAX_CANDIDATES) -> SearchResult:
    """Ids of the items matching `q`, best first: name matches before keyword,
    theme and body matches. At most `cap` results (`capped` says if there were more)."""
    parsed = search.parse_query(q, synonyms_map() if Synonym.objects.exists() else None)
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
                if value > best.get(item_id, -10**9):
                    best[item_id] = value
        if best:
            break
    ordered = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:cap]
    result.ids = [i for i, _ in ordered]
    result.scores = dict(ordered)
    return result


def search_items(q: str, *, base: QuerySet | None = None, offset: int = 0, limit: int = 20
                 ) -> tuple[SearchResult, list[ServiceItem]]:
    """One page of matching items, in rank order."""
    result = search_item_ids(q, base=base)
    page_ids = result.ids[offset:offset + limit]
    found = {i.id: i for i in items_public().filter(pk__in=page_ids)}
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


def completeness_report(*, district=None, center: Center | None = None) -> list[CompletenessRow]:
    """Every item and what its current guide lacks (incomplete first)."""
    from .services import guide_missing

    qs = ServiceItem.objects.filter(is_active=True).select_related("center", "department", "current_guide")
    if district is not None:
        qs = qs.filter(district=district)
    if center is not None:
        qs = qs.filter(center=center)
    drafts = {g.item_id: g for g in Guide.objects.filter(status=Guide.Status.DRAFT, item__in=qs)}
    rows = []
    for item in qs.order_by("center__kind", "center__code", "name"):
        guide = item.current_guide
        missing = ["尚无已发布的办事指南"] if guide is None else guide_missing(guide)
        rows.append(CompletenessRow(item=item, guide=guide, draft=drafts.get(item.id), missing=missing))
    rows.sort(key=lambda r: r.complete)
    return rows
