import pytest
from django.utils import timezone

from govhall.accounts.models import User
from govhall.centers import merging, services
from govhall.centers.models import Center

pytestmark = pytest.mark.django_db


def test_merge_with_every_app_demo_loaded_leaves_nothing_behind():
    from django.core.management import call_command

    call_command("load_demo", "--quiet", "--days", "0")
    old, new = Center.objects.get(code="HC-TY"), Center.objects.get(code="HC-MZ")
    admin, approver = User.objects.get(username="admin"), User.objects.get(username="approver")
    change = services.change_draft(
        by=admin,
        district=old.district,
        kind="merge",
        center=old,
        merge_into=new,
        effective_date=timezone.localdate(),
        description="撤并",
    )
    services.change_submit(by=admin, change=change)
    services.change_file(by=admin, change=change)
    services.change_approve(by=approver, change=change)
    assert merging.rows_left_behind(old) == {}
    # Each moved row that keeps a history says who merged it and into where.
    recorded = {
        key.label: key.model.history.filter(  # type: ignore[attr-defined]
            history_change_reason=f"撤并至{new.name}", history_user=approver
        ).count()
        for key in merging.keys_to_center()
        if hasattr(key.model, "history")
        and not key.many_to_many
        and not key.kept
        and key.label not in merging._handlers
    }
    assert sum(recorded.values()) > 0, recorded
    moved = change.events.get(step="applied").note
    for label, n in recorded.items():
        if n:
            assert f"{label} {n} 条" in moved
