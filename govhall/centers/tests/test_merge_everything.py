import pytest
from django.utils import timezone

from govhall.accounts.models import User
from govhall.centers import merging, services
from govhall.centers.models import Center

pytestmark = pytest.mark.django_db


def test_merge_with_every_app_demo_loaded_leaves_nothing_behind():
    from django.core.management import call_command

    call_command("load_demo", "--quiet")
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
