"""Drafts the tests of several apps start from."""

from datetime import timedelta

from django.utils import timezone

from govhall.centers import services


def relocation_draft(
    world, *, by="manager_a", center=None, days=0, address="新址路 9 号", description="原址租约到期"
):
    """A drafted relocation (搬迁) of branch A (or `center`), effective in `days` days.
    `by` is a user or the name of one in `world`."""
    return services.change_draft(
        by=world[by] if isinstance(by, str) else by,
        district=world["district"],
        kind="relocate",
        center=center or world["a"],
        new_address=address,
        effective_date=timezone.localdate() + timedelta(days=days),
        description=description,
    )
