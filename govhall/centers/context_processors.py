"""What every public page's header shows: the district's name (issue 17).

One district per installation in practice; with several, the first by code.
Read once per process and forgotten when a district or center is saved or
deleted (core.cache.ProcessCache's signals), so a busy page costs no query."""

from __future__ import annotations

from django.utils.functional import lazy

from govhall.core.cache import ProcessCache

from .models import Center, District

GENERIC = "政务服务一体化平台"

_site_name = ProcessCache(
    "public-site-name", depends_on=("centers.District", "centers.Center"), seconds=3600.0
)


def _load() -> str:
    district = District.objects.order_by("code").first()
    if district is None:
        return GENERIC
    main = (
        Center.objects.filter(district=district, kind=Center.Kind.DISTRICT)
        .exclude(status__in=[Center.Status.CLOSED, Center.Status.MERGED])
        .values_list("name", flat=True)
        .first()
    )
    return main or f"{district.name}政务服务中心"


def site_name() -> str:
    """The district center's name (合川区政务服务中心), or the generic title without a district."""
    return _site_name.get("name", _load)


def public_site(request) -> dict:
    # Lazy: a page that never shows the header (staff pages, fragments) reads nothing.
    return {"site_name": lazy(site_name, str)()}
