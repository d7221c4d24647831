"""A server SIGKILLed mid-load and restarted, and Redis stopped mid-load: what
the clients were told is what the database holds (tests/faults/conftest.py)."""

import subprocess
import time

import pytest

from .conftest import ON_POSTGRES, check_database, free_port, run_load

pytestmark = pytest.mark.faults


def _kill_and_restart(stack, port):
    def fault():
        stack.kill(port)
        time.sleep(1)
        stack.start(port)

    return fault


def _report(name, tally, held):
    print(
        f"\n{name}: tickets claimed={len(tally.tickets)} statuses={dict(tally.ticket_statuses)}; "
        f"cases claimed={len(tally.cases)} statuses={dict(tally.case_statuses)}; in database {held}; "
        f"first refusals {tally.samples}"
    )


@pytest.mark.skipif(not ON_POSTGRES, reason="two server processes: the PostgreSQL deployment")
def test_server_killed_mid_load_loses_no_success_on_postgres(stack_factory):
    stack = stack_factory("kill")
    setup = stack.setup
    ports = [free_port(), free_port()]
    for port in ports:
        stack.start(port)
    tally = run_load(ports, setup, fault=_kill_and_restart(stack, ports[0]))
    held = check_database(stack, tally)
    _report("postgres kill", tally, held)
    # The load went on through the fault, and the restarted server answered again.
    assert len(tally.tickets) > 30 and len(tally.cases) > 10
    assert tally.ticket_statuses[0] > 0, "the kill was not seen by any client"
    assert tally.ticket_after_fault[201] > 0, "no ticket given after the restart"
    assert all(s in (0, 201) for s in tally.ticket_statuses), dict(tally.ticket_statuses)


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite: one server process, run in the SQLite pass")
def test_server_killed_mid_load_loses_no_success_on_sqlite(stack_factory):
    stack = stack_factory("kill")
    setup = stack.setup
    port = free_port()
    stack.start(port)
    tally = run_load([port], setup, clients=6, fault=_kill_and_restart(stack, port))
    held = check_database(stack, tally)
    _report("sqlite kill", tally, held)
    assert len(tally.tickets) > 20 and len(tally.cases) > 10
    assert tally.ticket_statuses[0] > 0, "the kill was not seen by any client"
    # One process: whatever was given after the fault, the restarted server gave.
    assert tally.ticket_after_fault[201] > 0, "the restarted server gave no ticket"
    assert all(s in (0, 201) for s in tally.ticket_statuses), dict(tally.ticket_statuses)


@pytest.mark.skipif(not ON_POSTGRES, reason="Redis under two server processes: the PostgreSQL deployment")
def test_tickets_keep_coming_with_redis_stopped_mid_load(stack_factory):
    redis_port = free_port()
    redis = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(50):
            ping = subprocess.run(
                ["redis-cli", "-p", str(redis_port), "ping"], capture_output=True, text=True
            )
            if ping.stdout.strip() == "PONG":
                break
            time.sleep(0.1)
        stack = stack_factory("redis", {"REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"})
        setup = stack.setup
        ports = [free_port(), free_port()]
        for port in ports:
            stack.start(port)

        used = []

        def fault():
            # The servers were talking to this Redis (cache, pub/sub) until it died.
            info = subprocess.run(
                ["redis-cli", "-p", str(redis_port), "info", "stats"], capture_output=True, text=True
            ).stdout
            used.extend(
                int(v)
                for k, _, v in (ln.partition(":") for ln in info.split())
                if k == "total_commands_processed"
            )
            redis.kill()
            redis.wait(timeout=10)

        tally = run_load(ports, setup, fault=fault)
        held = check_database(stack, tally)
        _report("postgres redis stopped", tally, held)
        print(f"redis commands before the stop: {used}")
        assert used and used[0] > 10, f"the servers hardly used Redis before it stopped: {used}"
        # Every ticket asked for after Redis died was given (2xx), and there were many.
        after = dict(tally.ticket_after_fault)
        assert set(after) == {201} and after[201] > 30, after
        assert all(s == 201 for s in tally.case_statuses), dict(tally.case_statuses)
    finally:
        if redis.poll() is None:
            redis.kill()
            redis.wait(timeout=10)
