import pytest

from govhall.cases.demo import load_demo_cases
from govhall.cases.models import Case


@pytest.mark.django_db
def test_demo_cases_load_once():
    from govhall.catalog.demo import load_demo_catalog
    from govhall.centers.demo import load_demo

    load_demo()
    load_demo_catalog()
    assert load_demo_cases() == 5  # four marriages and a divorce in its 冷静期
    assert load_demo_cases() == 0
    assert set(Case.objects.values_list("status", flat=True)) == {
        "submitted",
        "correction",
        "accepted",
        "delivered",
    }
