"""Database helpers shared by the apps."""

from django.db import connections


def release_connections() -> None:
    """Give this thread's database connections back (closed, or to the pool),
    except one inside a transaction, which its owner finishes."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close()
