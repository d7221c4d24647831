from datetime import date, timedelta

import pytest
from django.utils import timezone

from govhall.catalog import selectors, services
from govhall.catalog.models import NegativeListEntry
from govhall.core.errors import DomainError, NotFound, Refused, WrongState

from .conftest import make_item, put_on_negative_list

pytestmark = pytest.mark.django_db


def test_branch_stationing_without_an_entry_is_refused(world, marriage):
    with pytest.raises(DomainError) as exc:
        services.item_station(by=world["admin"], item=marriage, center=world["a"])
    assert exc.value.field == "center" and "负面清单" in exc.value.message
    marriage.refresh_from_db()
    assert marriage.center == world["hub"]


def test_stationing_at_another_branch_than_the_entry_names_is_refused(world, marriage):
    put_on_negative_list(world, marriage, center=world["a"])
    with pytest.raises(DomainError):
        services.item_station(by=world["admin"], item=marriage, center=world["b"])
    marriage.refresh_from_db()
    assert marriage.center == world["hub"]


def test_entry_allows_stationing_at_its_branch_and_is_public(world, marriage):
    entry = put_on_negative_list(world, marriage)
    services.item_station(by=world["admin"], item=marriage, center=world["a"])
    marriage.refresh_from_db()
    assert marriage.center == world["a"]
    assert list(selectors.negative_list()) == [entry]
    rows = selectors.center_items(world["a"])
    assert rows[0]["item"] == marriage and rows[0]["entry"] == entry


def test_entry_needs_reason_basis_and_approval(world, marriage):
    with pytest.raises(DomainError) as exc:
        services.negative_entry_create(
            by=world["admin"],
            item=marriage,
            center=world["a"],
            reason="convenience",
            basis=" ",
            approval="",
            approved_on=timezone.localdate() + timedelta(days=3),
        )
    assert set(exc.value.errors) == {"reason", "basis", "approval", "approved_on"}
    assert not NegativeListEntry.objects.exists()


def test_entry_cannot_point_at_the_district_center(world, marriage):
    with pytest.raises(DomainError) as exc:
        put_on_negative_list(world, marriage, center=world["hub"])
    assert exc.value.field == "center"


def test_only_the_district_office_keeps_the_negative_list(world, marriage):
    # The item is at the hub, a hall branch a's manager does not see: not found there.
    with pytest.raises(NotFound):
        services.negative_entry_create(
            by=world["manager_a"],
            item=marriage,
            center=world["a"],
            reason="site",
            basis="场地",
            approval="批复",
            approved_on=date(2023, 1, 1),
        )
    put_on_negative_list(world, marriage)
    with pytest.raises(NotFound):
        services.item_station(by=world["manager_a"], item=marriage, center=world["a"])
    marriage = services.item_station(by=None, item=marriage, center=world["a"])
    with pytest.raises(Refused):  # at their own branch they see it, but only the district office stations
        services.item_station(by=world["manager_a"], item=marriage, center=world["hub"])
    assert not NegativeListEntry.objects.filter(created_by=world["manager_a"]).exists()


def test_an_entry_cannot_be_revoked_while_the_item_is_still_at_the_branch(world, marriage):
    entry = put_on_negative_list(world, marriage)
    services.item_station(by=world["admin"], item=marriage, center=world["a"])
    with pytest.raises(WrongState):
        services.negative_entry_revoke(by=world["admin"], entry=entry)
    services.item_station(by=world["admin"], item=marriage, center=world["hub"])
    services.negative_entry_revoke(by=world["admin"], entry=entry)
    entry.refresh_from_db()
    assert not entry.is_active
    with pytest.raises(DomainError):
        services.item_station(by=world["admin"], item=marriage, center=world["a"])


def test_item_code_is_unique_and_clerk_cannot_add_items(world, marriage):
    with pytest.raises(DomainError) as exc:
        make_item(world, "另一个", "T-MZ-001")
    assert exc.value.field == "code"
    with pytest.raises(Refused):
        services.item_create(
            by=world["clerk_hub"],
            district=world["district"],
            code="X1",
            name="某事项",
            item_type="license",
            department=world["dep_a"],
        )
