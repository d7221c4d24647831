"""Model fields for personal data at rest (see govhall.core.crypto and ARCHITECTURE.md).

``EncryptedCharField`` stores AES-GCM ciphertext and hands the model the plain text; it
refuses every lookup but ``isnull`` — equality on ciphertext never matches, so a forgotten
``filter(phone=...)`` fails loudly instead of silently finding nothing. Look up by the
companion ``LookupHashField`` (``<name>_hash``) with ``crypto.lookup_hash(value)``.

``LookupHashField(source="phone")`` recomputes itself from the source attribute whenever the
row is saved (``pre_save``), so it cannot drift from the value. Saving with
``update_fields=["phone"]`` must also name ``phone_hash``: ``EncryptedModelMixin.save`` adds
it. ``QuerySet.update()`` and ``bulk_create`` bypass both; the models here are not written
that way (grep before you start).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldError
from django.db import models

from govhall.core import crypto


class EncryptedCharField(models.TextField):
    """A short text (phone, ID number) stored encrypted. ``max_length`` only bounds the
    plain value in forms; the column is text (ciphertext is longer)."""

    description = "Encrypted text (AES-256-GCM)"

    def from_db_value(self, value, expression, connection):
        return crypto.decrypt(value)

    def to_python(self, value):
        if value is None or isinstance(value, str):
            return value
        return str(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return crypto.encrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted: `{lookup_name}` cannot compare ciphertext; "
            f"filter on its lookup hash (crypto.lookup_hash) instead."
        )

    def get_transform(self, lookup_name: str) -> Any:
        raise FieldError(f"{self.model.__name__}.{self.name} is encrypted: no transforms.")


class LookupHashField(models.CharField):
    """HMAC-SHA256 (hex) of another field's normalised value, set on every save."""

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for k, v in (("max_length", 64), ("blank", True), ("default", ""), ("editable", False)):
            if kwargs.get(k) == v:
                kwargs.pop(k)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = crypto.lookup_hash(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


class EncryptedModelMixin(models.Model):
    """Keeps ``<name>_hash`` in ``update_fields`` whenever ``<name>`` is saved."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            names = set(update_fields)
            for f in self._meta.concrete_fields:
                if isinstance(f, LookupHashField) and f.source in names:
                    names.add(f.name)
            kwargs["update_fields"] = names
        return super().save(*args, **kwargs)

    def set_lookup_hashes(self) -> None:
        for f in self._meta.concrete_fields:
            if isinstance(f, LookupHashField):
                f.pre_save(self, False)

    def validate_unique(self, exclude=None):
        self.set_lookup_hashes()  # unique checks on a hash must see the current value's hash
        super().validate_unique(exclude=exclude)

    def validate_constraints(self, exclude=None):
        self.set_lookup_hashes()
        super().validate_constraints(exclude=exclude)


def hash_fields(model) -> list[LookupHashField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, LookupHashField)]


def encrypted_fields(model) -> list[EncryptedCharField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]


def fill_hashes(model, *, batch: int = 500) -> int:
    """Set every ``LookupHashField`` of ``model`` from its (decrypted) source, by primary key
    in batches; rows already right are not written. Used by the migrations that add the
    hashes (legacy rows) and by ``encrypt_personal_data``. Returns the rows changed."""
    fields = hash_fields(model)
    if not fields:
        return 0
    names = [n for f in fields for n in (f.source, f.attname)]
    changed, last = 0, None
    while True:
        qs = model._base_manager.order_by("pk")
        if last is not None:
            qs = qs.filter(pk__gt=last)
        rows = list(qs.values_list("pk", *names)[:batch])
        if not rows:
            return changed
        for pk, *values in rows:
            want = {f.attname: crypto.lookup_hash(values[2 * i]) for i, f in enumerate(fields)}
            if any(values[2 * i + 1] != v for i, v in enumerate(want.values())):
                model._base_manager.filter(pk=pk).update(**want)
                changed += 1
        last = rows[-1][0]


def fill_hashes_operation(*model_names: str):
    """A migration's RunPython filling the hash columns of existing rows (app label, model)."""
    from django.db import migrations

    def forward(apps, schema_editor):
        for label in model_names:
            fill_hashes(apps.get_model(label))

    return migrations.RunPython(forward, migrations.RunPython.noop)


def models_with_encrypted_fields() -> list:
    """Every installed model (history tables included) holding an ``EncryptedCharField``."""
    from django.apps import apps

    return [m for m in apps.get_models() if encrypted_fields(m) and not m._meta.proxy]


def reencrypt_rows(model, *, rotate: bool, batch: int = 500) -> int:
    """Rewrite the stored values of ``model``: plain legacy values are encrypted; with
    ``rotate`` also values under a key other than the current one are re-encrypted under
    it. Reads the raw columns (by primary key, in batches). Returns the rows changed."""
    from django.db import connection

    fields = encrypted_fields(model)
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    current = crypto.keyring().current
    changed, last = 0, None
    while True:
        after = "" if last is None else f"WHERE {pk} > %s "
        sql = f"SELECT {pk}, {cols} FROM {table} {after}ORDER BY {pk} LIMIT %s"  # noqa: S608 - names quoted, values bound
        with connection.cursor() as cur:
            cur.execute(sql, [batch] if last is None else [last, batch])
            rows = cur.fetchall()
        if not rows:
            return changed
        for row_pk, *stored in rows:
            new = {}
            for f, raw in zip(fields, stored, strict=True):
                if not raw:
                    continue
                if not crypto.is_encrypted(raw) or (rotate and crypto.key_id(raw) != current):
                    new[f.attname] = crypto.decrypt(raw)  # update() encrypts under the current key
            if new:
                model._base_manager.filter(pk=row_pk).update(**new)
                changed += 1
        last = rows[-1][0]
