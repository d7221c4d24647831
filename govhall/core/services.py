from django.db import connection, transaction

from .models import Counter


def counter_next(*, scope: str) -> int:
    """The next number in `scope`: 1, 2, 3 … never repeated, never skipped.

    One UPDATE … RETURNING: it increments and row-locks the counter until the
    caller's transaction ends, so concurrent takers queue on that row, and a
    rollback gives the number back. A new scope's row is created first."""
    sql = f"UPDATE {connection.ops.quote_name(Counter._meta.db_table)} SET value = value + 1 WHERE scope = %s RETURNING value"
    with connection.cursor() as cursor:
        cursor.execute(sql, [scope])
        row = cursor.fetchone()
        if row is None:
            with (
                transaction.atomic()
            ):  # a savepoint: a racing creator's IntegrityError is handled by get_or_create
                Counter.objects.get_or_create(scope=scope)
            cursor.execute(sql, [scope])
            row = cursor.fetchone()
    return int(row[0])
