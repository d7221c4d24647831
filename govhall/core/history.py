"""Every change to a record is kept by django-simple-history: who, when, what.
Services pass the acting user explicitly, so history is right outside requests too."""

from django.core.exceptions import ValidationError
from django.db import models

from .errors import from_django_validation


def save_recorded(instance: models.Model, *, by, reason: str = "", validate: bool = True) -> models.Model:
    """Validate and save `instance`, recording `by` and `reason` in its history."""
    if validate:
        try:
            instance.full_clean()
        except ValidationError as exc:
            raise from_django_validation(exc) from exc
    instance._history_user = by
    instance._change_reason = reason[:100] if reason else ""
    try:
        instance.save()
    finally:
        # A later plain save() of the same object must not reuse this actor and reason.
        del instance._history_user, instance._change_reason
    return instance


def delete_recorded(instance: models.Model, *, by, reason: str = "") -> None:
    instance._history_user = by
    instance._change_reason = reason[:100] if reason else ""
    instance.delete()


def changed_fields(record) -> list[dict]:
    """What a historical record changed compared with the one before it."""
    prev = record.prev_record
    if prev is None:
        return []
    delta = record.diff_against(prev)
    return [{"field": c.field, "old": c.old, "new": c.new} for c in delta.changes]
