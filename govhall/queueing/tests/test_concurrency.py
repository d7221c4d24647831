"""Tickets taken at the same instant, on PostgreSQL (threads, each with its own
connection). SQLite's in-memory test database cannot share a transaction
across threads; the writer lock and the two-process check are in bench/tickets.py."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from govhall.queueing import services
from govhall.queueing.models import Ticket

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a real server database"),
]


def _in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connection.close()

    return run


def test_concurrent_tickets_are_never_repeated_or_skipped(hall):
    queue = hall["qa"]
    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(_in_thread(lambda i: services.ticket_issue(queue=queue).number), range(200)))
    assert sorted(codes) == list(range(1, 201))
    assert Ticket.objects.filter(queue=queue).count() == 200


def test_concurrent_double_taps_give_one_ticket(hall):
    queue = hall["qa"]
    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(
            pool.map(
                _in_thread(lambda i: services.ticket_issue(queue=queue, idempotency_key="tap").pk), range(16)
            )
        )
    assert len(set(ids)) == 1
    assert Ticket.objects.count() == 1
    assert services.ticket_issue(queue=queue).number == 2  # the losers' increments rolled back


def test_two_windows_calling_at_once_never_share_a_ticket(hall):
    from tests.support import make_user

    other = make_user("tclerk_a2", "clerk", hall["center"])
    w1 = services.window_open(window=hall["w1"], by=hall["clerk_a"])
    w2 = services.window_open(window=hall["w2"], by=other)
    for _ in range(20):
        services.ticket_issue(queue=hall["qa"])

    def work(window, clerk):
        got = []
        while (t := services.ticket_call_next(window=window, by=clerk)) is not None:
            got.append(t.code)
            services.ticket_finish(window=window, by=clerk)
        return got

    with ThreadPoolExecutor(max_workers=2) as pool:
        a, b = pool.map(_in_thread(lambda args: work(*args)), [(w1, hall["clerk_a"]), (w2, other)])
    assert not set(a) & set(b)
    assert len(a) + len(b) == 20
