from django.db import transaction
from django.db.models import F

from .models import Counter


def counter_next(*, scope: str) -> int:
    """The next number in `scope`: 1, 2, 3 … never repeated, never skipped
    (if the surrounding transaction rolls back, so does the increment)."""
    with transaction.atomic():
        Counter.objects.get_or_create(scope=scope)
        Counter.objects.filter(scope=scope).update(value=F("value") + 1)
        return Counter.objects.select_for_update().values_list("value", flat=True).get(scope=scope)
