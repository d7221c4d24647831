"""The one form base of every page. Forms check the shape of the input only; the
services decide, and a DomainError they raise is put next to its field by the
page door (`core.page_errors`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet


class AccessibleForm(forms.Form):
    """A field with an error says so (aria-invalid) and points at its message and
    help (aria-describedby → `<id>-error`, `<id>_helptext`, rendered by
    core/_field.html), so a screen reader reads the message with the field."""

    def add_error(self, field: str | None, error: Any) -> None:
        if not hasattr(self, "cleaned_data"):  # an unbound or not yet cleaned form: Django reads it
            self.cleaned_data = {}
        super().add_error(field, error)
        self.mark_errors()

    def full_clean(self) -> None:
        super().full_clean()
        self.mark_errors()

    def mark_errors(self) -> None:
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            ids = [f"{bound.auto_id}-error"]
            if bound.help_text:
                ids.append(f"{bound.auto_id}_helptext")
            attrs = self.fields[name].widget.attrs
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = " ".join(ids)


def limit_choices(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    """Offer in the choice field `name` only `queryset` (what the user may pick)."""
    field = form.fields[name]
    if isinstance(field, forms.ModelChoiceField):
        field.queryset = queryset
