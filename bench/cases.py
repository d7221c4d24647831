"""Case submission and acceptance under load, against the stack's ceiling in the same run.

    .venv/bin/python bench/cases.py [--clients 50] [--rate 100] [--seconds 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/cases.py

A fresh database (var/bench/cases.sqlite3, or the PostgreSQL database
govhall_bench_cases beside DATABASE_URL, created and dropped here), migrated,
loaded with the demo; uvicorn with 2 workers on a free port; a clerk of
婚姻登记分中心 (HC-MZ) with an API token. One operation = POST /api/v1/cases
(window intake of 结婚登记 with every material) then POST
/api/v1/cases/{number}/decisions {"action": "accept"}.

* CLOSED: N clients flat out (throughput; its latency is only N ÷ throughput).
* OPEN: submissions at a fixed rate (each followed by its acceptance), latency
  counted from when the request was due — the figure the target is about
  (p99 < 150 ms, no errors).
* CEILING: ../shared/bench/ceiling/run.sh on the same database kind, same
  clients and seconds, its open loop at the same submission rate; then the ratios.

The load itself runs in the ceiling's virtualenv (it has aiohttp): this file
re-runs itself there with --drive.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# ../shared/bench beside the checkout (as CI lays it out); GOVHALL_SHARED_BENCH overrides.
SHARED = Path(os.environ.get("GOVHALL_SHARED_BENCH", str(ROOT.parent / "shared" / "bench")))
VAR = ROOT / "var" / "bench"
PG_NAME = "govhall_bench_cases"
TARGET_P99_MS = 150.0

SETUP = """
from govhall.accounts.models import Role, RoleAssignment, User
from govhall.accounts.services import api_token_issue
from govhall.catalog.models import ServiceItem
from govhall.centers.models import Center
center = Center.objects.get(code="HC-MZ")
admin = RoleAssignment.objects.filter(role=Role.DISTRICT_ADMIN, center__district=center.district).first().user
clerk = User.objects.get(username="clerk_mz")
_, key = api_token_issue(by=admin, user=clerk, name="bench", centers=[center])
item = ServiceItem.objects.get(center=center, name="结婚登记")
print("SETUP", key, item.code, ",".join(str(m.id) for m in item.current_guide.materials.all()))
"""

CHECK = """
from django.db.models import Count
from govhall.cases.models import Case, CaseEvent, Notice
c = Case.objects.filter(is_demo=False)
print("CHECK cases=%d accepted=%d distinct_numbers=%d events=%d notices=%d" % (
    c.count(), c.filter(status="accepted").count(), c.order_by().values("number").distinct().count(),
    CaseEvent.objects.filter(case__is_demo=False).count(), Notice.objects.filter(case__is_demo=False).count()))
"""


# --- the load (runs in the ceiling's virtualenv, which has aiohttp) ------------------------------


def _q(xs: list[float]) -> tuple[float, float, float]:
    if len(xs) < 2:
        return (xs[0] * 1e3 if xs else 0.0,) * 3
    q = statistics.quantiles(xs, n=100)
    return q[49] * 1e3, q[94] * 1e3, q[98] * 1e3


def _line(tag: str, lat: dict[str, list[float]], ok: int, bad: int, errors: int, wall: float, **extra) -> str:
    parts = [tag] + [f"{k}={v}" for k, v in extra.items()]
    parts += [
        f"ops={ok}",
        f"ops_per_s={ok / wall:.1f}",
        f"req_per_s={(len(lat['submit']) + len(lat['accept'])) / wall:.1f}",
        f"non2xx={bad}",
        f"errors={errors}",
        f"error_rate={(bad + errors) / max(1, ok + bad + errors) * 100:.2f}%",
    ]
    for name in ("submit", "accept", "op"):
        p50, p95, p99 = _q(lat[name])
        parts += [f"{name}_p50_ms={p50:.1f}", f"{name}_p95_ms={p95:.1f}", f"{name}_p99_ms={p99:.1f}"]
    return " ".join(parts)


async def _drive(a) -> None:
    import aiohttp

    headers = {"Authorization": f"Bearer {a.token}", "Content-Type": "application/json"}
    mats = [int(x) for x in a.materials.split(",") if x]
    lat: dict[str, list[float]] = {"submit": [], "accept": [], "op": []}
    counts = {"ok": 0, "bad": 0, "errors": 0}
    seq = iter(range(10**9))

    def body() -> str:
        n = next(seq)
        return json.dumps(
            {
                "center": "HC-MZ",
                "item": a.item,
                "applicant_name": f"压测{n}",
                "applicant_id_number": "110105199001011232",
                "contact_phone": "13800000009",
                "paper_material_ids": mats,
            }
        )

    async def one(s, due: float) -> None:
        """Submit then accept; latencies from when each was due."""
        try:
            async with s.post(f"{a.base}/api/v1/cases", data=body(), headers=headers) as r:
                data = await r.read()
                if r.status != 201:
                    counts["bad"] += 1
                    if counts["bad"] <= 3:
                        print("SUBMIT", r.status, data[:300], file=sys.stderr)
                    return
            t1 = time.perf_counter()
            lat["submit"].append(t1 - due)
            number = json.loads(data)["number"]
            async with s.post(
                f"{a.base}/api/v1/cases/{number}/decisions", data='{"action": "accept"}', headers=headers
            ) as r:
                data = await r.read()
                if r.status != 200:
                    counts["bad"] += 1
                    if counts["bad"] <= 3:
                        print("ACCEPT", r.status, data[:300], file=sys.stderr)
                    return
            t2 = time.perf_counter()
            lat["accept"].append(t2 - t1)
            lat["op"].append(t2 - due)
            counts["ok"] += 1
        except Exception as exc:  # noqa: BLE001 - a load generator counts every failure
            counts["errors"] += 1
            if counts["errors"] <= 3:
                print("ERROR", repr(exc), file=sys.stderr)

    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=500), timeout=timeout) as s:
        if a.mode == "closed":
            t0 = time.perf_counter()
            end = t0 + a.seconds

            async def client():
                while time.perf_counter() < end:
                    await one(s, time.perf_counter())

            await asyncio.gather(*(client() for _ in range(a.clients)))
            print(
                _line(
                    "CLOSED",
                    lat,
                    counts["ok"],
                    counts["bad"],
                    counts["errors"],
                    time.perf_counter() - t0,
                    clients=a.clients,
                ),
                flush=True,
            )
        else:
            t0 = time.perf_counter() + 0.2
            tasks = []
            for i in range(int(a.rate * a.seconds)):
                due = t0 + i / a.rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(one(s, due)))
            await asyncio.gather(*tasks)
            print(
                _line(
                    "OPEN",
                    lat,
                    counts["ok"],
                    counts["bad"],
                    counts["errors"],
                    time.perf_counter() - t0,
                    rate=a.rate,
                ),
                flush=True,
            )


# --- set-up, server, ceiling (the project's virtualenv) ---------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> tuple[dict, str | None]:
    VAR.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "PYTHONUNBUFFERED": "1",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "GOVHALL_VAR": str(VAR / "cases-var"),
        }
    )
    shutil.rmtree(VAR / "cases-var", ignore_errors=True)
    if os.environ.get("DATABASE_URL"):
        import psycopg

        base = os.environ["DATABASE_URL"].rpartition("/")[0]
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PG_NAME}"')
        env["DATABASE_URL"] = f"{base}/{PG_NAME}"
        return env, base
    path = VAR / "cases.sqlite3"
    for p in VAR.glob("cases.sqlite3*"):
        p.unlink()
    env["SQLITE_PATH"] = str(path)
    return env, None


def _drop(base: str | None) -> None:
    if base:
        import psycopg

        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')


def _manage(env: dict, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    if out.returncode:
        raise RuntimeError(out.stderr)
    return out.stdout


def _ceiling(kind: str, clients: int, seconds: int, rate: float) -> dict[str, str]:
    run = SHARED / "ceiling" / "run.sh"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["RATE"] = str(int(rate))
    # Our own work directory (its SQLite file and log), the shared virtualenv.
    env.setdefault("CEIL_VENV", str(Path(_ceiling_python()).parents[1]))
    env["CEIL_WORK"] = str(VAR / "ceiling")
    out = subprocess.run(
        ["bash", str(run), kind, str(clients), str(seconds), "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    lines = {line.split()[0]: line for line in out.stdout.splitlines() if line[:1].isupper() and " " in line}
    if out.returncode or "CAPACITY" not in lines:
        raise RuntimeError(f"ceiling failed:\n{out.stdout}\n{out.stderr}")
    return lines


def _fields(line: str) -> dict[str, float]:
    out = {}
    for part in line.split()[1:]:
        k, _, v = part.partition("=")
        with contextlib.suppress(ValueError):
            out[k] = float(v.rstrip("%"))
    return out


def _ceiling_python() -> str:
    work = Path(
        os.environ.get("CEIL_WORK")
        or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "govhall-ceiling"
    )
    return str(Path(os.environ.get("CEIL_VENV") or work / "venv") / "bin" / "python")


def main(a) -> int:
    kind = "pg" if os.environ.get("DATABASE_URL") else "sqlite"
    print(
        f"# cases bench · {kind} · {a.clients} clients closed loop, {a.rate:g} submissions/s open loop, "
        f"{a.seconds}s each · uvicorn 2 workers",
        flush=True,
    )
    # The ceiling first: it also makes the virtualenv (with aiohttp) the load runs in.
    ceiling = _ceiling(kind, a.clients, a.seconds, a.rate)
    for tag in ("CAPACITY", "OPENLOOP", "CHECK"):
        print(f"CEILING_{ceiling.get(tag, tag + ' missing')}", flush=True)
    env, pg_base = _env()
    proc = None
    try:
        _manage(env, "migrate", "--noinput", "-v0")
        _manage(env, "load_demo", "--quiet")
        setup = next(
            line for line in _manage(env, "shell", "-c", SETUP).splitlines() if line.startswith("SETUP")
        )
        _, token, item, materials = setup.split()
        port = _free_port()
        log = VAR / "cases-server.log"
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "2",
                "--lifespan",
                "off",
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not start:\n" + log.read_text())
        time.sleep(1)
        drive = [
            _ceiling_python(),
            __file__,
            "--drive",
            "--base",
            base,
            "--token",
            token,
            "--item",
            item,
            "--materials",
            materials,
            "--clients",
            str(a.clients),
            "--rate",
            str(a.rate),
            "--seconds",
            str(a.seconds),
        ]
        results = {}
        for mode in ("closed", "open"):
            out = subprocess.run(
                [*drive, "--mode", mode], capture_output=True, text=True, timeout=a.seconds + 600
            )
            sys.stderr.write(out.stderr)
            line = next((x for x in out.stdout.splitlines() if x.startswith(("CLOSED", "OPEN"))), "")
            print(line or f"{mode.upper()} failed", flush=True)
            results[mode] = _fields(line)
        print(next(x for x in _manage(env, "shell", "-c", CHECK).splitlines() if x.startswith("CHECK")))
    finally:
        if proc and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        _drop(pg_base)
    cap, openl = _fields(ceiling["CAPACITY"]), _fields(ceiling["OPENLOOP"])
    closed, opened = results["closed"], results["open"]
    print(
        f"RATIO closed-loop requests/s: cases {closed.get('req_per_s', 0):.1f} ÷ ceiling {cap.get('rps', 0):.1f} "
        f"= {closed.get('req_per_s', 0) / max(cap.get('rps', 0), 1e-9):.2f} "
        f"(operations/s {closed.get('ops_per_s', 0):.1f}: one operation = 2 requests)"
    )
    for name in ("submit", "accept"):
        ours = opened.get(f"{name}_p99_ms", 0)
        print(
            f"RATIO open-loop p99 {name}: cases {ours:.1f} ms ÷ ceiling {openl.get('p99_ms', 0):.1f} ms "
            f"= {ours / max(openl.get('p99_ms', 0), 1e-9):.1f}x"
        )
    worst = max(opened.get("submit_p99_ms", 1e9), opened.get("accept_p99_ms", 1e9))
    errs = (
        opened.get("non2xx", 1) + opened.get("errors", 1) + closed.get("non2xx", 1) + closed.get("errors", 1)
    )
    met = worst < TARGET_P99_MS and errs == 0
    print(
        f"TARGET p99 < {TARGET_P99_MS:g} ms at {a.rate:g}/s and no errors: {'MET' if met else 'MISSED'} "
        f"(worst open-loop p99 {worst:.1f} ms, errors {int(errs)})"
    )
    return 0


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--rate", type=float, default=100)
    p.add_argument("--seconds", type=int, default=20)
    p.add_argument("--drive", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--mode", default="closed", help=argparse.SUPPRESS)
    p.add_argument("--base", help=argparse.SUPPRESS)
    p.add_argument("--token", help=argparse.SUPPRESS)
    p.add_argument("--item", help=argparse.SUPPRESS)
    p.add_argument("--materials", default="", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.drive:
        asyncio.run(_drive(args))
    else:
        sys.exit(main(args))
