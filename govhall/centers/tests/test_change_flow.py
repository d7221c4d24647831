from datetime import timedelta

import pytest
from django.utils import timezone

from govhall.centers import merging, services
from govhall.centers.models import Center, CenterAlias, CenterChange
from govhall.centers.tests.drafts import relocation_draft
from govhall.core.errors import DomainError, NotFound, Refused, WrongState

pytestmark = pytest.mark.django_db


def _relocation(world, days=3, address="新址路 9 号"):
    return relocation_draft(world, days=days, address=address)


def test_relocation_changes_address_on_its_effective_date(world):
    change = _relocation(world)
    services.change_submit(by=world["manager_a"], change=change)
    change = services.change_file(by=world["admin"], change=change)
    assert change.filing_number.startswith("测试区政务备〔")
    change = services.change_approve(by=world["approver"], change=change)
    assert change.status == CenterChange.Status.APPROVED
    world["a"].refresh_from_db()
    assert world["a"].address != "新址路 9 号"
    services.changes_apply_due(today=change.effective_date - timedelta(days=1))
    world["a"].refresh_from_db()
    assert world["a"].address != "新址路 9 号"
    applied = services.changes_apply_due(today=change.effective_date)
    assert [c.pk for c in applied] == [change.pk]
    world["a"].refresh_from_db()
    assert world["a"].address == "新址路 9 号"
    assert services.changes_apply_due(today=change.effective_date) == []  # twice is harmless
    steps = list(change.events.values_list("step", flat=True))
    assert steps == ["drafted", "submitted", "filed", "approved", "applied"]


def test_approving_an_unfiled_change_is_refused_and_changes_nothing(world):
    change = _relocation(world)
    with pytest.raises(WrongState):
        services.change_approve(by=world["approver"], change=change)
    change.refresh_from_db()
    assert change.status == CenterChange.Status.DRAFT
    assert change.events.count() == 1


def test_merge_into_itself_is_refused(world):
    with pytest.raises(DomainError) as exc:
        services.change_draft(
            by=world["admin"],
            district=world["district"],
            kind="merge",
            center=world["a"],
            merge_into=world["a"],
            effective_date=timezone.localdate(),
            description="撤并",
        )
    assert exc.value.field == "merge_into"
    assert not CenterChange.objects.exists()


def test_merge_moves_staff_and_keeps_old_name_as_alias(world):
    change = services.change_draft(
        by=world["admin"],
        district=world["district"],
        kind="merge",
        center=world["b"],
        merge_into=world["a"],
        effective_date=timezone.localdate(),
        description="撤并",
    )
    services.change_submit(by=world["admin"], change=change)
    services.change_file(by=world["admin"], change=change)
    services.change_approve(by=world["approver"], change=change)
    old, new = Center.objects.get(pk=world["b"].pk), Center.objects.get(pk=world["a"].pk)
    assert old.status == Center.Status.MERGED and old.merged_into == new
    assert CenterAlias.objects.filter(center=new, name=old.name).exists()
    assert merging.rows_left_behind(old) == {}
    assert new.role_assignments.filter(user=world["clerk_b"]).exists()


def test_clerk_cannot_draft_and_other_branch_is_not_found(world):
    with pytest.raises(Refused):
        _relocation({**world, "manager_a": world["clerk_a"]})
    with pytest.raises(NotFound):
        _relocation({**world, "manager_a": world["manager_b"]})
    assert not CenterChange.objects.exists()


def test_wrong_branch_name_is_refused(world):
    with pytest.raises(DomainError) as exc:
        services.change_draft(
            by=world["admin"],
            district=world["district"],
            kind="establish",
            new_name="测试区残联服务大厅",
            new_code="T-CL",
            department=world["dep_a"],
            new_address="某路",
            effective_date=timezone.localdate(),
            description="新设",
        )
    assert exc.value.field == "new_name"
    assert "分中心名称应为" in exc.value.message
