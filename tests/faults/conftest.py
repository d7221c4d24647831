"""Fault tests: real server processes (uvicorn) on a database of their own, a
load of clients taking tickets and submitting cases, and a fault in the middle
(a server SIGKILLed and restarted, Redis stopped). Afterwards the database is
read directly: every success a client was told of is there, nothing twice,
numbers gapless. Marked `faults` (`pytest -m faults`)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
HALL = "HC-MZ"
ON_POSTGRES = (os.environ.get("DATABASE_URL") or "").startswith("postgres")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/faults" in str(item.fspath):
            item.add_marker(pytest.mark.faults)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- a database of the test's own -------------------------------------------------------------

SETUP = f"""
import datetime, json
from django.utils import timezone
from govhall.accounts.models import Role, RoleAssignment, User
from govhall.accounts.services import api_token_issue
from govhall.catalog.models import ServiceItem
from govhall.centers.models import Center
from govhall.queueing.demo import hall_open_all_day
today = timezone.localdate()
# Numbers are given only in the hall's hours: open all day today and tomorrow (a run across midnight).
for day in (today, today + datetime.timedelta(days=1)):
    hall_open_all_day(["{HALL}"], day=day)
center = Center.objects.get(code="{HALL}")
admin = RoleAssignment.objects.filter(role=Role.DISTRICT_ADMIN, center__district=center.district).first().user
clerk = User.objects.get(username="clerk_mz")
_, key = api_token_issue(by=admin, user=clerk, name="faults", centers=[center])
item = ServiceItem.objects.get(center=center, name="结婚登记")
print("SETUP " + json.dumps({{"token": key, "item": item.code,
      "materials": [m.id for m in item.current_guide.materials.all()]}}))
"""

# Read back what the database holds, straight from the tables (ORM on the test's database).
STATE = """
import json
from govhall.cases.models import Case
from govhall.core.models import Counter
from govhall.queueing.models import Ticket
print("STATE " + json.dumps({
    "tickets": [[t.origin_queue_id, str(t.day), t.number, t.token, t.idempotency_key]
                for t in Ticket.objects.order_by("id")],
    "cases": list(Case.objects.exclude(number=None).filter(is_demo=False).values_list("number", flat=True)),
    "counters": dict(Counter.objects.values_list("scope", "value")),
}))
"""


class Stack:
    """A migrated database with the demo halls, HC-MZ open all day, a clerk's API
    token; server processes started, killed and restarted on their ports."""

    def __init__(self, name: str, extra_env: dict | None = None, template: Stack | None = None):
        self.tmp = Path(tempfile.mkdtemp(prefix=f"govhall-faults-{name}-"))
        env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL"}}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "GOVHALL_VAR": str(self.tmp),
                "GOVHALL_DEPLOYMENT": f"faults{os.getpid()}{name}",
                "DEBUG": "0",
                "PYTHONUNBUFFERED": "1",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
            }
        )
        self.pg_url = None
        if ON_POSTGRES:
            import psycopg

            base, _, _ = os.environ["DATABASE_URL"].rpartition("/")
            db = f"govhall_faults_{os.getpid()}_{name}"
            # A copy of the prepared template (CREATE DATABASE … TEMPLATE), or an empty one.
            like = f' TEMPLATE "{template.pg_url.rpartition("/")[2]}"' if template and template.pg_url else ""
            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{db}"{like}')
            self.pg_url = env["DATABASE_URL"] = f"{base}/{db}"
        else:
            env.pop("DATABASE_URL", None)
            env["SQLITE_PATH"] = str(self.tmp / "faults.sqlite3")
            if template:
                shutil.copyfile(template.env["SQLITE_PATH"], env["SQLITE_PATH"])
        env.update(extra_env or {})
        self.env = env
        self.setup = template.setup if template else {}
        self.procs: dict[int, subprocess.Popen] = {}
        self.logs: list[Path] = []

    def manage(self, *args: str) -> str:
        out = subprocess.run(
            [PY, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300
        )
        assert out.returncode == 0, out.stderr[-3000:]
        return out.stdout

    def shell_json(self, code: str, tag: str) -> dict:
        for line in self.manage("shell", "-c", code).splitlines():
            if line.startswith(tag + " "):
                return json.loads(line[len(tag) + 1 :])
        raise AssertionError(f"no {tag} line")

    def prepare(self) -> dict:
        self.manage("migrate", "--noinput", "-v0")
        # The halls and accounts, the queues and the catalog's items (cases need 结婚登记's guide).
        # One Django process for all of it: each start costs seconds on a loaded machine.
        demo = (
            "from govhall.centers.demo import load_demo; load_demo()\n"
            "from govhall.catalog.demo import load_demo_catalog; load_demo_catalog()\n"
            "from govhall.queueing.demo import load_demo_queueing; load_demo_queueing()\n"
        )
        self.setup = self.shell_json(demo + SETUP, "SETUP")
        return self.setup

    # --- servers ---

    def start(self, port: int, env: dict | None = None) -> None:
        log = self.tmp / f"server-{port}-{len(self.logs)}.log"
        self.logs.append(log)
        self.procs[port] = subprocess.Popen(
            [
                PY,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                "--lifespan",
                "off",
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.procs[port].poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"server on {port} did not start:\n{self.tail()}")

    def kill(self, port: int) -> None:
        proc = self.procs.pop(port)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        for port in list(self.procs):
            proc = self.procs.pop(port)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)

    def tail(self, lines: int = 40) -> str:
        out = []
        for log in self.logs:
            text = log.read_text(errors="replace").splitlines() if log.exists() else []
            out.append(f"--- {log.name}\n" + "\n".join(text[-lines:]))
        return "\n".join(out)

    def close(self) -> None:
        self.stop_all()
        if self.pg_url:
            import psycopg

            base, _, db = self.pg_url.rpartition("/")
            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def prepared():
    """Migrated and loaded once per run; each test works on its own copy."""
    template = Stack("template")
    template.prepare()
    yield template
    template.close()


@pytest.fixture
def stack_factory(request, prepared):
    made: list[Stack] = []

    def make(name: str, extra_env: dict | None = None) -> Stack:
        s = Stack(name, extra_env, template=prepared)
        made.append(s)
        return s

    yield make
    failed = getattr(request.node, "rep_call", None)
    for s in made:
        if failed is not None and failed.failed:
            print("\nserver logs (tail):\n" + s.tail())
        s.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


# --- the load -----------------------------------------------------------------------------------


def _post(url: str, body: dict, headers: dict | None = None, timeout: float = 10) -> tuple[int, dict]:
    """(status, json) or (0, {}) when the connection failed: never a claimed success."""
    req = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.loads(e.read() or b"{}")
        except ValueError:
            return e.code, {}
    except (OSError, ValueError):
        return 0, {}


@dataclass
class Tally:
    """What the clients were told: every 2xx answer, and what went wrong."""

    tickets: list[dict] = field(default_factory=list)  # claimed: token, number, day, queue, key
    cases: list[str] = field(default_factory=list)  # claimed case numbers
    ticket_statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    case_statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    ticket_after_fault: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Load:
    """The clients' side of a run: the servers, the token, what they were told."""

    def __init__(self, ports: list[int], setup: dict, cases: bool, queues: tuple[str, ...]):
        self.ports, self.setup, self.cases, self.queues = ports, setup, cases, queues
        self.tally = Tally()
        self.stop = threading.Event()
        self.fault_done = threading.Event()
        self.headers = {"Authorization": f"Bearer {setup['token']}"}

    def take_ticket(self, i: int, n: int, queue: str) -> None:
        # On a connection error or 5xx, the same request (same key) on the next server.
        key = uuid.uuid4().hex
        for attempt in range(4):
            p = self.ports[(i + n + attempt) % len(self.ports)]
            after = self.fault_done.is_set()
            status, data = _post(
                f"http://127.0.0.1:{p}/api/v1/halls/{HALL}/tickets", {"queue": queue, "idempotency_key": key}
            )
            with self.tally.lock:
                self.tally.ticket_statuses[status] += 1
                if after:
                    self.tally.ticket_after_fault[status] += 1
                if status >= 400 and len(self.tally.samples) < 5:
                    self.tally.samples.append(f"ticket {status} {data}")
                if 200 <= status < 300:
                    self.tally.tickets.append({**data, "key": key})
            if 200 <= status < 500:
                return
            time.sleep(0.05)

    def submit_case(self, i: int, n: int, port: int) -> int:
        status, data = _post(
            f"http://127.0.0.1:{port}/api/v1/cases",
            {
                "center": HALL,
                "item": self.setup["item"],
                "applicant_name": f"故障测试{i}-{n}",
                "applicant_id_number": "110105199001011232",
                "contact_phone": "13800000009",
                "second_name": f"故障测试乙{i}-{n}",
                "second_id_number": "510282199206154328",
                "second_phone": "13800000010",
                "paper_material_ids": self.setup["materials"],
            },
            self.headers,
        )
        with self.tally.lock:
            self.tally.case_statuses[status] += 1
            if status >= 400 and len(self.tally.samples) < 5:
                self.tally.samples.append(f"case {status} {data}")
            if 200 <= status < 300:
                self.tally.cases.append(data["number"])
        return status

    def client(self, i: int) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            self.take_ticket(i, n, self.queues[(i + n) % len(self.queues)])
            if (
                self.cases
                and not self.stop.is_set()
                and self.submit_case(i, n, self.ports[(i + n) % len(self.ports)]) == 0
            ):
                time.sleep(0.05)  # a dead server: do not spin


def run_load(
    ports: list[int],
    setup: dict,
    *,
    clients: int = 8,
    seconds: float = 9.0,
    fault=None,
    fault_at: float = 3.0,
    cases: bool = True,
    queues: tuple[str, ...] = ("A", "B"),
) -> Tally:
    """`clients` threads alternate between the servers for `seconds` (and at least
    3 s after the fault is over), each round a
    ticket (with an idempotency key, retried on a lost answer with the same key)
    and a case submission. `fault()` runs in its own thread at `fault_at` s."""
    load = Load(ports, setup, cases, queues)
    stop, fault_done = load.stop, load.fault_done

    def run_fault() -> None:
        if stop.wait(fault_at):
            return
        fault()
        fault_done.set()

    threads = [threading.Thread(target=load.client, args=(i,), daemon=True) for i in range(clients)]
    if fault:
        threads.append(threading.Thread(target=run_fault, daemon=True))
    for t in threads:
        t.start()
    time.sleep(seconds)
    # A slow restart on a loaded machine: the load goes on until 3 s after the fault is over.
    if fault and fault_done.wait(90):
        time.sleep(3)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert fault is None or fault_done.is_set(), "the fault did not happen"
    return load.tally


def check_database(stack: Stack, tally: Tally) -> dict:
    """Every claimed ticket and case is in the database; no number twice; the
    numbers of each queue and day (and each hall's case numbers of a day) run
    1..max with no hole, and their counter stands at max (nothing consumed and lost)."""
    state = stack.shell_json(STATE, "STATE")
    tickets = state["tickets"]
    by_token = {t[3]: t for t in tickets}
    missing = [c for c in tally.tickets if c["token"] not in by_token]
    assert not missing, f"claimed tickets not in the database: {missing[:5]}"
    for c in tally.tickets:
        row = by_token[c["token"]]
        assert (row[1], row[2]) == (str(c["day"]), c["number"]), (c, row)
    # One idempotency key, one ticket: retries after a lost answer did not take a second number.
    keys = [t[4] for t in tickets if t[4]]
    assert len(keys) == len(set(keys)), "an idempotency key gave two tickets"
    assert len({c["token"] for c in tally.tickets}) == len({c["key"] for c in tally.tickets})

    per_scope: dict[tuple, list[int]] = defaultdict(list)
    for queue_id, day, number, _, _ in tickets:
        per_scope[(queue_id, day)].append(number)
    for scope, numbers in per_scope.items():
        assert len(numbers) == len(set(numbers)), f"duplicate ticket numbers in {scope}"
        assert sorted(numbers) == list(range(1, max(numbers) + 1)), f"gap in ticket numbers of {scope}"
        counter = state["counters"].get(f"ticket:{scope[0]}:{scope[1].replace('-', '')}")
        if counter is not None:
            assert counter == max(numbers), f"counter of {scope} at {counter}, tickets up to {max(numbers)}"

    db_cases = state["cases"]
    assert len(db_cases) == len(set(db_cases)), "duplicate case numbers"
    lost = set(tally.cases) - set(db_cases)
    assert not lost, f"claimed cases not in the database: {sorted(lost)[:5]}"
    per_day: dict[str, list[int]] = defaultdict(list)
    for number in db_cases:
        prefix, _, n = number.rpartition("-")
        per_day[prefix].append(int(n))
    for prefix, numbers in per_day.items():
        assert sorted(numbers) == list(range(1, max(numbers) + 1)), f"gap in case numbers {prefix}"
    # Each hall-day's case counter stands at its last number: none consumed and lost.
    taken = sum(v for k, v in state["counters"].items() if k.startswith("case:"))
    assert taken == len(db_cases), f"case counters gave {taken} numbers, {len(db_cases)} cases hold one"
    return {"tickets": len(tickets), "cases": len(db_cases), "ticket_scopes": len(per_scope)}
