"""The merge sees every foreign key to Center on every model, including those
declared with related_name="+" (which Center's reverse relations do not list),
and moves their rows to the surviving hall."""

from datetime import date

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from govhall.accounts.models import User
from govhall.centers import merging
from govhall.centers.models import Center
from govhall.queueing.models import Window
from govhall.staffing.models import AttendanceCorrection, StaffingWarning, TrainingCourse

pytestmark = pytest.mark.django_db


def _keys_to_center_by_introspection() -> set[str]:
    """Written apart from merging.keys_to_center on purpose: every relation field
    declared on an installed model (historical snapshots aside) whose target is
    Center. Auto-made many-to-many tables are not models of their own here: the
    many-to-many field is the key."""
    found = set()
    for model in apps.get_models():
        if getattr(model, "instance_type", None) or model._meta.proxy:
            continue
        for field in model._meta.get_fields(include_hidden=True):
            if field.auto_created or not field.is_relation or field.related_model is not Center:
                continue  # reverse relations are declared on the other model
            if (
                isinstance(field, models.ManyToManyField)
                and not field.remote_field.through._meta.auto_created
            ):
                continue  # an explicit through model's own foreign keys are the keys
            found.add(f"{model._meta.label}.{field.name}")
    return found


def test_every_key_to_center_is_moved_handled_or_kept():
    """Fails when a model gains a key to Center that the merge neither moves nor keeps."""
    covered = merging.coverage()
    assert set(covered) == _keys_to_center_by_introspection()
    assert set(covered.values()) <= {"moved", "handled", "kept"}
    # The keys Center's reverse relations cannot see are covered too.
    for name in (
        "queueing.Call.center",
        "staffing.AttendanceCorrection.center",
        "staffing.StaffingWarning.center",
        "staffing.TrainingCourse.center",
    ):
        assert covered[name] == "moved", name
    assert covered["staffing.MonthlyAssessment.center"] == "kept"
    assert covered["queueing.Queue.center"] == covered["queueing.Window.center"] == "handled"


def test_registered_handlers_and_kept_labels_name_real_keys():
    """A typo in register() or keep() would silently move rows meant to be kept."""
    labels = {name.rsplit(".", 1)[0] for name in merging.coverage()}
    names = set(merging.coverage())
    assert set(merging._handlers) <= labels
    for label in merging.KEPT_WITH_MERGED_CENTER:
        assert label in labels or label in names, label


def test_rows_behind_related_name_plus_keys_move_to_the_survivor(world):
    old, new = world["a"], world["b"]
    window = Window.objects.create(center=old, number=1, name="综合窗口")
    warning = StaffingWarning.objects.create(center=old, window=window, day=date(2026, 12, 1), message="断档")
    course = TrainingCourse.objects.create(
        district=world["district"], center=old, name="婚姻登记业务培训", held_on=date(2026, 11, 1)
    )
    correction = AttendanceCorrection.objects.create(
        user=world["clerk_a"],
        center=old,
        day=date(2026, 11, 2),
        kind=AttendanceCorrection.Kind.CLOCK_IN,
        at=timezone.now(),
        reason="忘记签到",
    )
    before = merging.rows_left_behind(old)
    for name in (
        "staffing.StaffingWarning.center",
        "staffing.TrainingCourse.center",
        "staffing.AttendanceCorrection.center",
    ):
        assert before[name] == 1, before

    merging.move_everything(old=old, new=new, by=None)

    assert merging.rows_left_behind(old) == {}
    for row in (warning, course, correction, window):
        row.refresh_from_db()
        assert row.center == new, row
    # A row that keeps history says the merge moved it.
    assert course.history.latest().history_change_reason == f"撤并至{new.name}"  # type: ignore[attr-defined]
    assert correction.history.latest().history_change_reason == f"撤并至{new.name}"  # type: ignore[attr-defined]


def test_a_kept_key_stays_with_the_merged_hall(world):
    old, new = world["a"], world["b"]
    earlier = Center.objects.create(
        district=old.district,
        code="T-OLD",
        name="早先撤并的分中心",
        kind=old.kind,
        status=Center.Status.MERGED,
        merged_into=old,
    )
    merging.move_everything(old=old, new=new, by=None)
    earlier.refresh_from_db()
    assert earlier.merged_into == old
    assert merging.rows_left_behind(old) == {}


def test_merging_uses_the_acting_user_in_history(world):
    old, new = world["a"], world["b"]
    course = TrainingCourse.objects.create(
        district=world["district"], center=old, name="窗口礼仪", held_on=date(2026, 11, 3)
    )
    admin = User.objects.get(pk=world["admin"].pk)
    merging.move_everything(old=old, new=new, by=admin)
    assert course.history.latest().history_user == admin  # type: ignore[attr-defined]
