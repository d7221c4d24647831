"""Our SQLite engine on a real database file: connections are reused across
threads, never while a transaction is open, and writers take turns."""

import threading
import time

import pytest
from django.db.utils import ConnectionHandler

from govhall.core.db.sqlite import base as engine


@pytest.fixture
def db_file(tmp_path, django_db_blocker):
    path = str(tmp_path / "engine.sqlite3")
    with django_db_blocker.unblock():  # our own throwaway database file, not the test database
        yield path
    for raw in engine._idle.pop(path, []):
        raw.close()


def wrapper(path):
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "govhall.core.db.sqlite",
                "NAME": path,
                "OPTIONS": {"transaction_mode": "IMMEDIATE"},
            }
        }
    )
    return handler["default"]


def test_a_closed_connection_is_reused_by_the_next_thread(db_file):
    first = wrapper(db_file)
    first.ensure_connection()
    raw = first.connection
    first.close()
    assert engine._idle[db_file] == [raw]

    taken = {}

    def other_thread():
        second = wrapper(db_file)
        second.ensure_connection()
        taken["raw"] = second.connection
        with second.cursor() as cur:
            cur.execute("SELECT 1")
            taken["row"] = cur.fetchone()
        second.close()

    t = threading.Thread(target=other_thread)
    t.start()
    t.join()
    assert taken["raw"] is raw and taken["row"] == (1,)


def test_a_connection_inside_a_transaction_is_closed_not_kept(db_file):
    conn = wrapper(db_file)
    conn.ensure_connection()
    raw = conn.connection
    raw.execute("BEGIN")
    conn._close()
    assert raw not in engine._idle.get(db_file, [])


def test_the_pool_is_bounded(db_file):
    conns = [wrapper(db_file) for _ in range(engine.POOL_SIZE + 3)]
    for c in conns:
        c.ensure_connection()
    for c in conns:
        c.close()
    assert len(engine._idle[db_file]) == engine.POOL_SIZE


def test_a_writer_holds_the_lock_from_begin_to_commit(db_file):
    c = wrapper(db_file)
    assert not engine._thread_lock.locked()
    with _atomic(c):
        assert engine._thread_lock.locked() and c._writer_lock_file is not None
        with c.cursor() as cur:
            cur.execute("CREATE TABLE t (n INTEGER)")
    assert not engine._thread_lock.locked() and c._writer_lock_file is None
    c.close()


def test_a_second_writer_waits_for_the_first(db_file):
    first, order = wrapper(db_file), []
    with _atomic(first):

        def second_writer():
            second = wrapper(db_file)
            with _atomic(second):
                order.append("second")
            second.close()

        t = threading.Thread(target=second_writer)
        t.start()
        time.sleep(0.2)
        order.append("first")
    t.join()
    first.close()
    assert order == ["first", "second"]


class _atomic:
    """BEGIN … COMMIT on one wrapper: the two steps transaction.atomic takes on a connection."""

    def __init__(self, conn):
        self.conn = conn

    def __enter__(self):
        self.conn.ensure_connection()
        self.conn._start_transaction_under_autocommit()

    def __exit__(self, *exc):
        self.conn._commit()
