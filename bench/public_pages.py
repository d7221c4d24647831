"""Public pages under a wave of citizens: home, item search, a guide and a center page
each ≥ 300 pages/s closed loop and p99 < 100 ms open loop at 100 pages/s.

The demo district (`load_demo`) on a fresh database, the real server (uvicorn, 2 workers).
In the same run, for each page and for `/healthz` (the bare stack, the baseline):

* closed loop: `--clients` clients ask for the page again and again for `--seconds`
  → pages/s, and its ratio to `/healthz`'s pages/s;
* open loop: requests leave on schedule at `--rate` per second whatever the server
  does, each timed from when it was due → p50/p95/p99.

    .venv/bin/python bench/public_pages.py [--db sqlite|pg] [--clients 4] [--seconds 10] [--rate 100]

Prints one line per page, then
RESULT db=… clients=… rate=… healthz_rps=… worst_page=… worst_rps=… worst_p99_ms=… verdict=OK|SLOW"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))
from harness import Server, demo_env, manage, shell  # noqa: E402

PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"
MIN_RPS = 300.0
MAX_P99_MS = 100.0

# Run inside the bench database: a guide and a hall that exist (found, never assumed).
TARGETS = r"""
from govhall.catalog.models import ServiceItem
from govhall.centers.models import Center
item = ServiceItem.objects.filter(is_active=True, current_guide__isnull=False).order_by("id").first()
hall = Center.objects.filter(kind="district").order_by("id").first()
print("TARGETS", item.code if item else "", hall.code if hall else "")
"""


def _quantiles(xs: list[float]) -> tuple[float, float, float]:
    if len(xs) < 2:
        v = xs[0] if xs else 0.0
        return v, v, v
    q = statistics.quantiles(xs, n=100, method="inclusive")
    return q[49], q[94], q[98]


async def _closed(client: httpx.AsyncClient, path: str, clients: int, seconds: float) -> tuple[float, int]:
    """pages/s with `clients` clients asking back to back; and how many answers were not 200."""
    stop = time.perf_counter() + seconds
    done = bad = 0

    async def loop() -> None:
        nonlocal done, bad
        while time.perf_counter() < stop:
            try:
                r = await client.get(path)
                bad += r.status_code != 200
            except httpx.HTTPError:
                bad += 1
            done += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(clients)))
    return done / (time.perf_counter() - t0), bad


async def _open(client: httpx.AsyncClient, path: str, rate: float, seconds: float) -> tuple[list[float], int]:
    lat: list[float] = []
    bad = 0

    async def one(due: float) -> None:
        nonlocal bad
        try:
            r = await client.get(path)
            bad += r.status_code != 200
        except httpx.HTTPError:
            bad += 1
            return
        lat.append((time.perf_counter() - due) * 1e3)

    n = int(rate * seconds)
    t0 = time.perf_counter() + 0.1
    tasks = []
    for i in range(n):
        due = t0 + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    return lat, bad


async def _run(base: str, pages: dict[str, str], args) -> dict[str, dict]:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    out: dict[str, dict] = {}
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        for path in pages.values():  # warm every page once (and every worker's cache, roughly)
            for _ in range(args.workers * 2):
                await client.get(path)
        for name, path in pages.items():
            rps, bad_closed = await _closed(client, path, args.clients, args.seconds)
            lat, bad_open = await _open(client, path, args.rate, args.seconds)
            out[name] = {"rps": rps, "lat": lat, "bad": bad_closed + bad_open}
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument(
        "--db", choices=["sqlite", "pg"], default="pg" if os.environ.get("DATABASE_URL") else "sqlite"
    )
    p.add_argument("--clients", type=int, default=4, help="closed loop: clients asking back to back")
    p.add_argument("--seconds", type=float, default=10, help="each phase, each page")
    p.add_argument("--rate", type=float, default=100, help="open loop: requests per second")
    p.add_argument("--query", default="hydj", help="the search page's query")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument(
        "--demo",
        choices=["full", "light"],
        default="full",
        help="full: load_demo; light: only the halls and the catalog (a quick run on a busy machine)",
    )
    p.add_argument(
        "--demo-from",
        default="",
        help="skip load_demo: copy this SQLite file, or (pg) clone this database as a template",
    )
    args = p.parse_args()

    started = time.perf_counter()
    env = demo_env("public_pages", db=args.db, demo_from=args.demo_from, pg_url=PG_URL)
    if args.demo_from:
        pass
    elif args.demo == "full":
        manage(env, "load_demo", "--quiet")
    else:
        shell(
            env,
            "from govhall.centers.demo import load_demo; load_demo(); "
            "from govhall.catalog.demo import load_demo_catalog; load_demo_catalog()",
        )
    loaded_s = time.perf_counter() - started
    line = next(x for x in shell(env, TARGETS).splitlines() if x.startswith("TARGETS"))
    _, item_code, hall_code = (line.split() + ["", ""])[:3]
    pages = {
        "home": "/",
        "search": f"/items/?q={args.query}",
        "guide": f"/items/{item_code}/",
        "center": f"/centers/{hall_code}/",
        "/healthz": "/healthz",
    }
    print(f"# demo loaded in {loaded_s:.0f} s; guide {item_code}, center {hall_code}")

    with Server(env, workers=args.workers) as server:
        res = asyncio.run(_run(server.base, pages, args))

    health = res["/healthz"]["rps"]
    print(
        f"{'page':9} {'path':34} {'pages/s':>8} {'x_healthz':>9} {'p50_ms':>7} {'p95_ms':>7} {'p99_ms':>7} bad"
    )
    worst = None
    for name, path in pages.items():
        r = res[name]
        p50, p95, p99 = _quantiles(r["lat"])
        ratio = r["rps"] / health if health else 0.0
        ok = name == "/healthz" or (r["rps"] >= MIN_RPS and p99 < MAX_P99_MS and not r["bad"])
        verdict = "" if name == "/healthz" else ("OK" if ok else "SLOW")
        print(
            f"{name:9} {path[:34]:34} {r['rps']:8.0f} {ratio:9.2f} {p50:7.1f} {p95:7.1f} {p99:7.1f} "
            f"{r['bad']:3d} {verdict}"
        )
        if name != "/healthz" and (worst is None or r["rps"] < worst[1]):
            worst = (name, r["rps"], p99, ok)
    slow = [n for n in pages if n != "/healthz" and not (res[n]["rps"] >= MIN_RPS and not res[n]["bad"])]
    slow += [
        n for n in pages if n != "/healthz" and _quantiles(res[n]["lat"])[2] >= MAX_P99_MS and n not in slow
    ]
    w = worst or ("-", 0.0, 0.0, True)
    print(
        f"RESULT db={args.db} clients={args.clients} rate={args.rate:g} healthz_rps={health:.0f} "
        f"worst_page={w[0]} worst_rps={w[1]:.0f} worst_p99_ms={w[2]:.1f} slow={','.join(slow) or '-'} "
        f"verdict={'OK' if not slow else 'SLOW'}"
    )


if __name__ == "__main__":
    main()
