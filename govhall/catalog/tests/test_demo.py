import pytest

from govhall.catalog import selectors
from govhall.catalog.demo import load_demo_catalog
from govhall.catalog.models import NegativeListEntry, ServiceItem
from govhall.centers.demo import load_demo

pytestmark = pytest.mark.django_db


def test_demo_catalog_loads_once_with_complete_branch_guides():
    load_demo()
    first = load_demo_catalog()
    assert first["items"] > 50
    assert load_demo_catalog() == {"items": 0, "negative_list": 0, "synonyms": 0, "corrected": 0}
    for code in ("HC-MZ", "HC-RS", "HC-YC", "HC-CL", "HC-GJJ", "HC-TY"):
        items = ServiceItem.objects.filter(center__code=code)
        assert items.exists(), code
        for item in items:
            assert NegativeListEntry.objects.filter(item=item, center__code=code, is_active=True).exists()
            assert item.current_guide is not None
    rows = selectors.completeness_report()
    assert any(not r.complete for r in rows)  # some demo drafts are left incomplete on purpose
    _, found = selectors.search_items("hydj")
    assert "结婚登记" in [i.name for i in found]
