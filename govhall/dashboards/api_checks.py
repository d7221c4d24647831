"""The 明进暗不进 check as JSON: the same findings as the page, paged."""

from datetime import date
from typing import Any

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from govhall.core.paging import Paging

from .checks import CheckKind, stationing_findings

router = Router(tags=["明进暗不进检查"])


class StationingFilter(Schema):
    center: int | None = None
    kind: CheckKind | None = None


class FindingOut(Schema):
    kind: str
    kind_label: str
    center_id: int
    center_code: str
    center_name: str
    subject: str
    evidence: str
    last_seen: date | None


@router.get("/checks/stationing", response=list[FindingOut], summary="明进暗不进 / 体外循环检查（区政务办）")
@paginate(Paging)
def stationing(request: Any, filters: Query[StationingFilter]) -> list[Any]:
    """Items stationed at a hall but not served, trained for or handled there, and windows
    open with no activity; only the district office (403 for anyone else)."""
    return stationing_findings(
        user=request.user, center_id=filters.center, kind=filters.kind.value if filters.kind else ""
    )
