"""Ticket taking: our endpoint (POST /api/v1/halls/HC/tickets, the full app:
middleware, Ninja, the service with its idempotency check, counter, history)
against the stack's ceiling (a bare endpoint that inserts one numbered row),
in the same run, on the database the environment names (SQLite, or PostgreSQL
with DATABASE_URL).

Throughput: closed loop, 100 clients (wrk). Latency: open loop at 200
tickets/s (../shared/bench/openloop.py). Afterwards: numbers never repeated or
skipped. On SQLite the run is repeated without the writer lock, for comparison.

    .venv/bin/python bench/tickets.py [--clients 100] [--seconds 15] [--rate 200] [--no-compare]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))
from harness import ROOT, SHARED, Server, ceiling_venv_python, fresh_env, parse_result, prepare, shell  # noqa: E402

BODY = '{"queue": "A"}'
CHECK = """
from django.db.models import Count, Max
from govhall.queueing.models import Ticket
bad = 0
for row in Ticket.objects.values("origin_queue_id", "day").annotate(n=Count("id"), mx=Max("number"),
                                                                        d=Count("number", distinct=True)):
    bad += not (row["n"] == row["mx"] == row["d"])
print(f"rows={Ticket.objects.count()} gapless={bad == 0}")
"""


def run_ceiling(db: str, args) -> dict:
    env = dict(os.environ, RATE=str(args.rate))
    if db == "sqlite":
        env["CEIL_WRITER_LOCK"] = "1"  # the same writer lock as ours, so the ratio compares like with like
    out = subprocess.run(
        ["bash", str(SHARED / "ceiling" / "run.sh"), db, str(args.clients), str(args.seconds), "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    res = {}
    for line in out.stdout.splitlines():
        if line.startswith(("CAPACITY", "OPENLOOP", "CHECK")):
            res[line.split()[0]] = parse_result(line) | {"line": line}
    if "CAPACITY" not in res:
        raise RuntimeError("ceiling failed:\n" + out.stdout + out.stderr)
    return res


def run_ours(args, *, label: str, extra_env: dict | None = None) -> dict:
    env = fresh_env(f"tickets_{label}", extra_env)
    prepare(env)
    res = {}
    with Server(env, workers=2) as server:
        url = f"{server.base}/api/v1/halls/HC/tickets"
        wrk = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{args.clients}",
                f"-d{args.seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(SHARED / "ceiling" / "post.lua"),
                url,
            ],
            env=dict(os.environ, WRK_BODY=BODY),
            capture_output=True,
            text=True,
            timeout=600,
        )
        line = next((x for x in wrk.stdout.splitlines() if x.startswith("RESULT")), None)
        if line is None:
            raise RuntimeError("wrk failed:\n" + wrk.stdout + wrk.stderr)
        res["CAPACITY"] = parse_result(line) | {"line": line.replace("RESULT", "CAPACITY")}
        py = ceiling_venv_python()
        if py:
            ol = subprocess.run(
                [
                    py,
                    str(SHARED / "openloop.py"),
                    url,
                    "--rate",
                    str(args.rate),
                    "--seconds",
                    str(args.seconds),
                    "--body",
                    BODY,
                ],
                capture_output=True,
                text=True,
                timeout=600,
            )
            line = next((x for x in ol.stdout.splitlines() if x.startswith("RESULT")), None)
            if line:
                res["OPENLOOP"] = parse_result(line) | {"line": line.replace("RESULT", "OPENLOOP")}
    res["CHECK"] = shell(env, CHECK).splitlines()[-1]
    return res


def summary(name: str, res: dict) -> None:
    cap, ol = res["CAPACITY"], res.get("OPENLOOP", {})
    n = cap.get("n", 0) or 1
    err = (cap.get("non2xx", 0) + cap.get("errors", 0)) / n
    print(
        f"  {name:<28} capacity={cap.get('rps', 0):7.1f}/s closed-loop p50={cap.get('p50_ms', 0):.1f}ms "
        f"p99={cap.get('p99_ms', 0):.1f}ms errors={err:.2%}"
    )
    if ol:
        sent = ol.get("sent", 0) or 1
        ol_err = (ol.get("non2xx", 0) + ol.get("errors", 0)) / sent
        print(
            f"  {'':<28} open-loop {ol.get('rate', 0):.0f}/s: p50={ol.get('p50_ms', 0):.1f}ms "
            f"p95={ol.get('p95_ms', 0):.1f}ms p99={ol.get('p99_ms', 0):.1f}ms errors={ol_err:.2%}"
        )
    if "CHECK" in res:
        check = res["CHECK"]
        print(f"  {'':<28} {check['line'] if isinstance(check, dict) else check}")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--clients", type=int, default=100)
    p.add_argument("--seconds", type=int, default=15)
    p.add_argument("--rate", type=int, default=200)
    p.add_argument("--no-compare", action="store_true", help="SQLite: skip the run without the writer lock")
    args = p.parse_args()
    db = "pg" if os.environ.get("DATABASE_URL") else "sqlite"
    os.chdir(ROOT)
    ceiling = run_ceiling(db, args)
    ours = run_ours(args, label=db)
    print(
        f"tickets bench ({db}; {args.clients} clients closed loop, {args.rate}/s open loop, {args.seconds}s each)"
    )
    summary("ceiling (bare endpoint)", ceiling)
    summary("govhall ticket_issue", ours)
    ratio = ours["CAPACITY"]["rps"] / ceiling["CAPACITY"]["rps"]
    ol = ours.get("OPENLOOP", {})
    cap = ours["CAPACITY"]
    errors = cap.get("non2xx", 0) + cap.get("errors", 0) + ol.get("non2xx", 0) + ol.get("errors", 0)
    print(
        f"RESULT db={db} ours_rps={cap['rps']:.1f} ceiling_rps={ceiling['CAPACITY']['rps']:.1f} ratio={ratio:.2f} "
        f"open_p50_ms={ol.get('p50_ms', float('nan')):.1f} open_p95_ms={ol.get('p95_ms', float('nan')):.1f} "
        f"open_p99_ms={ol.get('p99_ms', float('nan')):.1f} errors={errors:.0f} "
        f"target=ratio>=0.5,p99<100ms,errors=0 ok={ratio >= 0.5 and ol.get('p99_ms', 1e9) < 100 and errors == 0}"
    )
    if db == "sqlite" and not args.no_compare:
        plain = run_ours(
            args, label="sqlite_nolock", extra_env={"GOVHALL_SQLITE_ENGINE": "django.db.backends.sqlite3"}
        )
        summary("govhall without writer lock", plain)
        print(
            f"RESULT writer_lock_compare with_lock_rps={cap['rps']:.1f} without_rps={plain['CAPACITY']['rps']:.1f} "
            f"with_lock_closed_p99_ms={cap['p99_ms']:.1f} without_closed_p99_ms={plain['CAPACITY']['p99_ms']:.1f}"
        )


if __name__ == "__main__":
    main()
