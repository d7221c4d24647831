"""A merge moves everything of the merged branch to the surviving one.

Every foreign key (and one-to-one, and many-to-many) to Center declared on any
installed model is found by walking the models themselves
(`django.apps.apps.get_models()`), not Center's reverse relations: a key
declared with `related_name="+"` has no reverse relation and would be missed.

Each key is either moved (a plain re-point, with a history row where the model
keeps history), handled by the app that owns it (`register`: unique numbers,
de-duplication), or kept with the merged hall as part of its own record
(`keep`: its zones, hours, aliases, leaders, change records). `rows_left_behind`
checks the same keys, so it proves nothing is orphaned."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Field, ForeignKey, ManyToManyField, Model

from govhall.core.history import update_recorded

if TYPE_CHECKING:
    from govhall.accounts.models import User

    from .models import Center

# These describe the merged hall itself and stay with it as its record. A label
# is a model ("app.Model": all its keys to Center) or one key ("app.Model.field").
KEPT_WITH_MERGED_CENTER = {
    "centers.CenterAlias",
    "centers.OpeningHours",
    "centers.HoursException",
    "centers.Zone",
    "centers.Facility",
    "centers.Leadership",
    "centers.CenterChange",
    # Halls merged into this one earlier stay recorded as merged into it.
    "centers.Center.merged_into",
}

_handlers: dict[str, Callable[..., None]] = {}


def keep(label: str) -> None:
    """`label`'s rows ("app.Model", or "app.Model.field" for one key) describe
    the merged hall itself and stay with it."""
    KEPT_WITH_MERGED_CENTER.add(label)


def register(model_label: str, handler: Callable[..., None]) -> None:
    """`handler(old=, new=, by=)` moves `model_label`'s rows from old to new."""
    _handlers[model_label] = handler


@dataclass(frozen=True)
class Key:
    """One key to Center on one model."""

    model: type[Model]
    field: Field

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def name(self) -> str:
        return f"{self.label}.{self.field.name}"

    @property
    def many_to_many(self) -> bool:
        return isinstance(self.field, ManyToManyField)

    @property
    def kept(self) -> bool:
        return self.label in KEPT_WITH_MERGED_CENTER or self.name in KEPT_WITH_MERGED_CENTER


def keys_to_center() -> Iterator[Key]:
    """Every key to Center on every installed model (foreign keys and one-to-ones,
    and many-to-many fields whose table Django makes), whatever its related_name.
    Historical models are left out: they keep their snapshot."""
    from .models import Center

    for model in apps.get_models():
        opts = model._meta
        if opts.proxy or not opts.managed or getattr(model, "instance_type", None):
            continue
        for field in opts.get_fields():
            if getattr(field, "related_model", None) is not Center or field.auto_created:
                continue
            if isinstance(field, ForeignKey) and field.concrete:  # OneToOneField is a ForeignKey
                yield Key(model, field)
            elif isinstance(field, ManyToManyField) and _table_made_by_django(field):
                # An explicit through model's own foreign keys are walked as foreign keys.
                yield Key(model, field)


def _table_made_by_django(field: ManyToManyField) -> bool:
    through = field.remote_field.through
    if not isinstance(through, type):  # pragma: no cover - resolved once apps are loaded
        raise TypeError(f"unresolved relation {field}")
    return bool(through._meta.auto_created)


def coverage() -> dict[str, str]:
    """How the merge treats each key to Center: "kept", "handled" or "moved"."""
    return {
        key.name: "kept" if key.kept else "handled" if key.label in _handlers else "moved"
        for key in keys_to_center()
    }


def _to_move() -> Iterator[Key]:
    for key in keys_to_center():
        if not key.kept:
            yield key


def move_everything(*, old: Center, new: Center, by: User | None) -> dict[str, int]:
    """Re-point every row that belongs to `old` to `new`. Returns counts by model."""
    moved: dict[str, int] = {}
    handled: set[str] = set()
    for key in _to_move():
        n = _count(key, old)
        if key.label in _handlers:
            if key.label not in handled:  # once per model, whatever its number of keys
                _handlers[key.label](old=old, new=new, by=by)
                handled.add(key.label)
        elif key.many_to_many:
            for obj in list(key.model._default_manager.filter(**{key.field.name: old})):
                getattr(obj, key.field.name).add(new)
                getattr(obj, key.field.name).remove(old)
        else:
            n = _repoint(key.model, key.field.name, old=old, new=new, by=by)
        moved[key.label] = moved.get(key.label, 0) + n
    return moved


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


def _count(key: Key, center: Center) -> int:
    return key.model._default_manager.filter(**{key.field.name: center}).count()


def rows_left_behind(center: Center) -> dict[str, int]:
    """Rows (other than the hall's own record) still pointing at `center`."""
    left = {}
    for key in _to_move():
        n = _count(key, center)
        if n:
            left[key.name] = n
    return left
