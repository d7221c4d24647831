"""A merge moves everything of the merged branch to the surviving one.

Every foreign key to Center that is not part of the hall's own description
(its zones, hours, aliases, leaders, change records) is moved. An app whose rows
need more than a plain re-point (unique numbers, de-duplication) registers a
handler here. `rows_left_behind` proves nothing is orphaned."""

from collections.abc import Callable

# These describe the merged hall itself and stay with it as its record.
KEPT_WITH_MERGED_CENTER = {
    "centers.CenterAlias",
    "centers.OpeningHours",
    "centers.HoursException",
    "centers.Zone",
    "centers.Facility",
    "centers.Leadership",
    "centers.CenterChange",
}

_handlers: dict[str, Callable] = {}


def keep(model_label: str) -> None:
    """`model_label`'s rows describe the merged hall itself and stay with it."""
    KEPT_WITH_MERGED_CENTER.add(model_label)


def register(model_label: str, handler: Callable) -> None:
    """`handler(old=, new=, by=)` moves `model_label`'s rows from old to new."""
    _handlers[model_label] = handler


def _relations():
    from .models import Center

    for rel in Center._meta.related_objects:
        model = rel.related_model
        label = model._meta.label
        if label in KEPT_WITH_MERGED_CENTER or getattr(model, "instance_type", None):
            continue  # historical models keep their snapshot
        yield rel, label


def move_everything(*, old, new, by) -> dict[str, int]:
    """Re-point every row that belongs to `old` to `new`. Returns counts by model."""
    moved: dict[str, int] = {}
    for rel, label in _relations():
        model = rel.related_model
        if label in _handlers:
            before = _count(rel, old)
            _handlers[label](old=old, new=new, by=by)
            moved[label] = before
        elif rel.many_to_many:
            accessor = getattr(old, rel.get_accessor_name())
            for obj in list(accessor.all()):
                getattr(obj, rel.field.name).add(new)
                getattr(obj, rel.field.name).remove(old)
                moved[label] = moved.get(label, 0) + 1
        else:
            field = rel.field.name
            if label == "centers.Center" and field == "merged_into":
                n = model.objects.filter(merged_into=old).update(merged_into=new)
            else:
                n = model.objects.filter(**{field: old}).update(**{field: new})
            moved[label] = moved.get(label, 0) + n
    return moved


def _count(rel, center) -> int:
    if rel.many_to_many:
        return getattr(center, rel.get_accessor_name()).count()
    return rel.related_model.objects.filter(**{rel.field.name: center}).count()


def rows_left_behind(center) -> dict[str, int]:
    """Rows (other than the hall's own record) still pointing at `center`."""
    left = {}
    for rel, label in _relations():
        n = _count(rel, center)
        if n:
            left[f"{label}.{rel.field.name}"] = n
    return left
