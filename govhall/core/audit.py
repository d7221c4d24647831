"""The audit history: every recorded change (django-simple-history) of the
records that matter, merged newest first across models; and the record of who
looked at a full phone or ID number (PersonalDataAccess).

Another app adds its models to the history with `register_audited`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import connection
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Value, prefetch_related_objects

from .errors import DomainError
from .history import changes_between
from .masking import mask_id_number, mask_phone, mask_text
from .models import PersonalDataAccess

# key → "app_label.ModelName"; the key is what the filter on the page sends.
AUDITED: dict[str, str] = {
    "district": "centers.District",
    "department": "centers.Department",
    "center": "centers.Center",
    "alias": "centers.CenterAlias",
    "hours": "centers.OpeningHours",
    "hours_exception": "centers.HoursException",
    "zone": "centers.Zone",
    "facility": "centers.Facility",
    "leadership": "centers.Leadership",
    "change": "centers.CenterChange",
    "user": "accounts.User",
    "role": "accounts.RoleAssignment",
    "token": "accounts.ApiToken",
}

KIND_LABELS = {"+": "新增", "~": "修改", "-": "删除"}


def register_audited(key: str, model_label: str) -> None:
    """Show the history of `model_label` ("app.Model", with HistoricalRecords) in the audit page."""
    AUDITED[key] = model_label


def audited_models() -> list[tuple[str, str]]:
    """(key, label) of every audited model whose app is installed, for the filter."""
    out = []
    for key in AUDITED:
        model = _model(key)
        if model is not None:
            out.append((key, str(model._meta.verbose_name)))
    return out


def _model(key: str):
    try:
        return apps.get_model(AUDITED[key])
    except (KeyError, LookupError):
        return None


def _history_model(key: str):
    model = _model(key)
    if model is None:
        return None
    # `model.history` builds a new manager class on every access (≈ 8 ms, simple-history's
    # HistoryDescriptor); a page asks for each audited model several times.
    hist = _HISTORY_MODELS.get(model)
    if hist is None:
        hist = _HISTORY_MODELS[model] = model.history.model
    return hist


_HISTORY_MODELS: dict[Any, Any] = {}


def _mask(name: str, value: Any) -> Any:
    if value in (None, ""):
        return value
    if "id_number" in name:
        return mask_id_number(str(value))
    if "phone" in name:
        return mask_phone(str(value))
    return value


@dataclass
class AuditEntry:
    """One change of one record, ready to show: personal data masked."""

    model_key: str
    model_label: str
    history_id: int
    object_id: Any
    object_repr: str
    kind: str
    when: datetime
    user: Any
    reason: str
    changes: list[dict] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def user_label(self) -> str:
        return self.user.display_name if self.user is not None else "系统"


def _filtered(key: str, *, user_id, since, until) -> QuerySet | None:
    hist = _history_model(key)
    if hist is None:
        return None
    qs = hist.objects.all()
    if user_id is not None:
        qs = qs.filter(history_user_id=user_id)
    if since is not None:
        qs = qs.filter(history_date__gte=since)
    if until is not None:
        qs = qs.filter(history_date__lt=until)
    return qs


def _keys(models) -> list[str]:
    if not models:
        return list(AUDITED)
    return [k for k in models if k in AUDITED]


def _display(model, name: str, value):
    try:
        f = model._meta.get_field(name)
    except FieldDoesNotExist:
        return str(name), _mask(name, value)
    if f.choices and value not in (None, ""):
        value = dict(f.flatchoices).get(value, value)
    return str(getattr(f, "verbose_name", name)), _mask(name, value)


def _label(instance) -> str:
    try:
        return str(instance)
    except (ObjectDoesNotExist, ValueError, AttributeError):
        return ""


def _labels(records: list) -> dict[int, str]:
    """The name of each record's object as it was then, in a fixed number of queries:
    the objects are rebuilt from the history rows (`history_object`: no query, unlike
    `instance`, which reads the fields the history leaves out), and the foreign keys the
    first one's `__str__` follows are read for all the others at once."""
    objects = [(r.history_id, r.history_object) for r in records]
    if not objects:
        return {}
    first = objects[0][1]
    labels = {objects[0][0]: _label(first)}
    followed = [
        f.name
        for f in first._meta.concrete_fields
        if f.many_to_one and getattr(first, f.attname) is not None and f.is_cached(first)
    ]
    if followed and len(objects) > 1:
        prefetch_related_objects([o for _, o in objects[1:]], *followed)
    labels.update((hid, _label(o)) for hid, o in objects[1:])
    return labels


def _page_records(key: str, ids: list[int]) -> list:
    """The history rows `ids` of one model with their user, each with `prev` (the row
    before it of the same object, for a change) — three queries whatever the page."""
    hist = _history_model(key)
    pk_name = _model(key)._meta.pk.attname
    before = (
        hist.objects.filter(**{pk_name: OuterRef(pk_name)}, history_date__lt=OuterRef("history_date"))
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    records = list(
        hist.objects.filter(history_id__in=ids)
        .select_related("history_user")
        .annotate(prev_history_id=Subquery(before))
    )
    wanted = [r.prev_history_id for r in records if r.history_type == "~" and r.prev_history_id]
    previous = hist.objects.in_bulk(wanted) if wanted else {}
    for r in records:
        r.prev = previous.get(r.prev_history_id)
    return records


def _entry(key: str, record, label: str) -> AuditEntry:
    model = _model(key)
    pk_name = model._meta.pk.attname
    object_id = getattr(record, pk_name, None)
    changes = []
    if record.history_type == "~":
        for c in changes_between(record, record.prev):
            verbose, old = _display(model, c["field"], c["old"])
            _, new = _display(model, c["field"], c["new"])
            changes.append(
                {
                    "field": c["field"],
                    "label": verbose,
                    "old": None if old == "" else old,
                    "new": None if new == "" else new,
                }
            )
    return AuditEntry(
        model_key=key,
        model_label=str(model._meta.verbose_name),
        history_id=record.history_id,
        object_id=object_id,
        object_repr=mask_text(label) if label else f"#{object_id}",
        kind=record.history_type,
        when=record.history_date,
        user=record.history_user,
        reason=record.history_change_reason or "",
        changes=changes,
    )


def audit_entries(
    *,
    models: list[str] | None = None,
    user_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[AuditEntry]:
    """Recorded changes, newest first, across the audited models.

    `since` is inclusive and `until` exclusive. One statement merges the newest
    offset+limit (date, id) pairs of each model and cuts the page; then only the
    page's rows are loaded, a few queries per model that appears on it."""
    window = offset + limit
    parts = _filtered_parts(models, user_id=user_id, since=since, until=until)
    if not parts or window <= 0:
        return []
    # One statement: each model's newest `window` (date, id), merged and cut to the page.
    selects: list[str] = []
    params: list[Any] = []
    for n, (_key, qs) in enumerate(parts):
        sql, p = (
            qs.order_by("-history_date", "-history_id")
            .annotate(src=Value(n, output_field=IntegerField()))
            .values_list("history_date", "history_id", "src")[:window]
            .query.sql_with_params()
        )
        selects.append(f"SELECT * FROM ({sql}) AS part{n}")  # noqa: S608 - Django's own SQL
        params.extend(p)
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(selects) + f" ORDER BY 1 DESC, 2 DESC LIMIT {int(limit)} OFFSET {int(offset)}",
            params,
        )
        page = [(when, parts[src][0], hid) for when, hid, src in cursor.fetchall()]
    wanted: dict[str, list[int]] = {}
    for _, key, hid in page:
        wanted.setdefault(key, []).append(hid)
    loaded = {}
    for key, ids in wanted.items():
        records = _page_records(key, ids)
        labels = _labels(records)
        for record in records:
            loaded[(key, record.history_id)] = _entry(key, record, labels[record.history_id])
    return [loaded[(key, hid)] for _, key, hid in page if (key, hid) in loaded]


def audit_count(
    *,
    models: list[str] | None = None,
    user_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> int:
    """How many entries `audit_entries` would page through with the same filters (one statement)."""
    parts = _filtered_parts(models, user_id=user_id, since=since, until=until)
    if not parts:
        return 0
    counts: list[str] = []
    params: list[Any] = []
    for n, (_key, qs) in enumerate(parts):
        sql, p = qs.order_by().values_list("history_id").query.sql_with_params()
        counts.append(f"(SELECT COUNT(*) FROM ({sql}) AS part{n})")  # noqa: S608 - Django's own SQL
        params.extend(p)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + " + ".join(counts), params)
        return int(cursor.fetchone()[0] or 0)


def _filtered_parts(models, *, user_id, since, until) -> list[tuple[str, QuerySet]]:
    found = ((key, _filtered(key, user_id=user_id, since=since, until=until)) for key in _keys(models))
    return [(key, qs) for key, qs in found if qs is not None]


def personal_data_access_record(*, by, obj, field: str, reason: str = "") -> PersonalDataAccess:
    """Keep a record that `by` looked at the full `field` of `obj`. Callers check
    permission first (e.g. accounts.services.user_phone_reveal). A look needs a
    stated reason (等保: every access to personal data is accountable)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            "请填写查看原因（如“电话通知补正”），查看将被记录。", field="reason", code="reason_required"
        )
    return PersonalDataAccess.objects.create(
        viewer=by,
        subject_type=ContentType.objects.get_for_model(obj),
        subject_id=str(obj.pk),
        subject_label=str(obj)[:200],
        field=field,
        reason=reason[:200],
    )


def personal_data_accesses(*, obj=None, viewer_id: int | None = None) -> QuerySet:
    """Who looked at full numbers, newest first; optionally of one record or by one viewer."""
    qs = PersonalDataAccess.objects.select_related("viewer", "subject_type")
    if obj is not None:
        qs = qs.filter(subject_type=ContentType.objects.get_for_model(obj), subject_id=str(obj.pk))
    if viewer_id is not None:
        qs = qs.filter(viewer_id=viewer_id)
    return qs.order_by("-at", "-id")


# --- retention ----------------------------------------------------------------------------
# 网络安全法 art. 21: logs of network operations are kept at least six months.
# The history of every record and the record of every personal-data look are
# kept for settings.GOVHALL_AUDIT_RETENTION_DAYS (default three years, never
# under 183 — a system check refuses less). No page deletes them; only the
# `audit_prune` command (run by operations, itself logged) removes what is older.

MIN_RETENTION_DAYS = 183


def retention_days() -> int:
    from django.conf import settings

    return int(getattr(settings, "GOVHALL_AUDIT_RETENTION_DAYS", 3 * 365))


def audit_prune(*, now: datetime | None = None) -> dict[str, int]:
    """Delete history rows and personal-data looks older than the retention period."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    days = retention_days()
    if days < MIN_RETENTION_DAYS:
        raise DomainError(
            f"操作记录至少保存 {MIN_RETENTION_DAYS} 天（网络安全法第二十一条），当前设置为 {days} 天。"
        )
    cutoff = (now or timezone.now()) - timedelta(days=days)
    removed: dict[str, int] = {}
    with transaction.atomic():
        for model in apps.get_models():
            # A many-to-many history row (no date of its own) goes with its parent's row.
            if (model._meta.model_name or "").startswith("historical") and any(
                f.name == "history_date" for f in model._meta.fields
            ):
                n, _ = model._default_manager.filter(history_date__lt=cutoff).delete()
                if n:
                    removed[model._meta.label] = n
        n, _ = PersonalDataAccess.objects.filter(at__lt=cutoff).delete()
        if n:
            removed[PersonalDataAccess._meta.label] = n
    return removed
