"""A merge moves everything of the merged branch to the surviving one.

Every foreign key to Center that is not part of the hall's own description
(its zones, hours, aliases, leaders, change records) is moved. An app whose rows
need more than a plain re-point (unique numbers, de-duplication) registers a
handler here. `rows_left_behind` proves nothing is orphaned."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from django.db.models import Model
from django.db.models.fields.reverse_related import ForeignObjectRel

from govhall.core.history import update_recorded

if TYPE_CHECKING:
    from govhall.accounts.models import User

    from .models import Center

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

_handlers: dict[str, Callable[..., None]] = {}


def keep(model_label: str) -> None:
    """`model_label`'s rows describe the merged hall itself and stay with it."""
    KEPT_WITH_MERGED_CENTER.add(model_label)


def register(model_label: str, handler: Callable[..., None]) -> None:
    """`handler(old=, new=, by=)` moves `model_label`'s rows from old to new."""
    _handlers[model_label] = handler


def _relations() -> Iterator[tuple[ForeignObjectRel, str]]:
    from .models import Center

    for rel in Center._meta.related_objects:
        model = _model(rel)
        label = model._meta.label
        if label in KEPT_WITH_MERGED_CENTER or getattr(model, "instance_type", None):
            continue  # historical models keep their snapshot
        yield rel, label


def move_everything(*, old: Center, new: Center, by: User | None) -> dict[str, int]:
    """Re-point every row that belongs to `old` to `new`. Returns counts by model."""
    moved: dict[str, int] = {}
    for rel, label in _relations():
        n = _count(rel, old)
        if label in _handlers:
            _handlers[label](old=old, new=new, by=by)
        elif rel.many_to_many:
            for obj in list(_reverse(old, rel).all()):
                getattr(obj, rel.field.name).add(new)
                getattr(obj, rel.field.name).remove(old)
        else:
            n = _repoint(_model(rel), rel.field.name, old=old, new=new, by=by)
        moved[label] = moved.get(label, 0) + n
    return moved


def _model(rel: ForeignObjectRel) -> type[Model]:
    model = rel.related_model
    if not isinstance(model, type):  # pragma: no cover - resolved once apps are loaded
        raise TypeError(f"unresolved relation {rel}")
    return model


def _reverse(center: Center, rel: ForeignObjectRel) -> Any:
    """The rows of a many-to-many relation to `center` (its related manager)."""
    return getattr(center, rel.get_accessor_name() or "")


def _repoint(model: type[Model], field: str, *, old: Center, new: Center, by: User | None) -> int:
    """Point `model`'s rows at `new`, each with its history row (who merged, into where)."""
    rows = model._default_manager.filter(**{field: old})
    if getattr(model._meta, "simple_history_manager_attribute", None) is None:
        # No history is kept of these rows (the system recomputes them, e.g. warnings).
        return rows.update(**{field: new})
    moved = list(rows)
    for obj in moved:
        setattr(obj, field, new)
        update_recorded(obj, by=by, reason=f"撤并至{new.name}")
    return len(moved)


def _count(rel: ForeignObjectRel, center: Center) -> int:
    if rel.many_to_many:
        return int(_reverse(center, rel).count())
    return _model(rel)._default_manager.filter(**{rel.field.name: center}).count()


def rows_left_behind(center: Center) -> dict[str, int]:
    """Rows (other than the hall's own record) still pointing at `center`."""
    left = {}
    for rel, label in _relations():
        n = _count(rel, center)
        if n:
            left[f"{label}.{rel.field.name}"] = n
    return left
