"""The rating pad (窗口评价器) under load: POST /api/v1/pads/rate (operation
`pads_rate`, the device token in X-Pad-Token) against ticket taking
(POST /api/v1/halls/HC/tickets) at the same rate, in the same run, on the real
ASGI server (uvicorn, 2 workers) and the database the environment names.

    .venv/bin/python bench/ratings.py [--rate 50] [--seconds 30] [--clients 20]
                                      [--closed-seconds 10] [--history 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/ratings.py

A pad rates the window's LAST ticket finished today, once. So that every request
has something to rate, the set-up (bulk, consistent with the model) gives the
demo hall HC one window per request it will send (rate × seconds for the open
loop plus a pool for the closed loop), each with its pad and one finished,
unrated ticket, plus `--history` tickets finished earlier today and already
rated on the pad (so the pad's lookup works on a realistic day, not on an empty
table). Each request uses a pad never used before; one in ten is a bad rating
(which opens a rectification), as in a real hall.

* OPEN: ratings at `--rate`/s for `--seconds`, latency counted from when each
  request was due (a stalled server cannot hide its queue), then tickets at the
  same rate and length; the ratio rating p99 ÷ ticket p99.
  Target: rating p99 < 100 ms, no errors.
* CLOSED: `--clients` clients flat out on the pad for `--closed-seconds`
  (capacity; its latency is only clients ÷ throughput). Target: ≥ 2 × rate.
* CHECK: ratings written = ratings accepted; rectifications = bad ratings;
  no ticket rated twice.

The load runs in this process (httpx, async); the server in its own processes.

Seen 2026-12-06 on this 2-core machine, quiet (load ≈ 1.5), defaults, after the set-up
runs ANALYZE on PostgreSQL (as autovacuum would after a bulk load):

| db | rating p50/p95/p99 at 50/s | ticket p99 at 50/s | ratio | errors | capacity (20 clients) |
| --- | --- | --- | --- | --- | --- |
| SQLite | 13 / 19 / 23 ms | 15 ms | 1.5 | 0 | 147/s |
| PostgreSQL | 18 / 28 / 37 ms | 21 ms | 1.8 | 0 | 106/s |

Without that ANALYZE the planner worked from the empty tables' statistics and
PostgreSQL's p99 was 222 ms (quiet) to 489 ms (loaded); before the pad press was cut
to one read before the insert (five reads, full hall/window/clerk rows) it could not
keep up with 50/s at all (34/s served, p99 21 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))
from harness import ROOT, Server, fresh_env, prepare, shell  # noqa: E402

TARGET_P99_MS = 100.0

# Runs in `manage.py shell`: windows, pads, finished tickets at hall HC, bulk.
SETUP = """
import secrets
from datetime import timedelta
from django.db import transaction
from django.utils import timezone
from govhall.accounts.models import User
from govhall.centers.models import Center
from govhall.feedback.models import Rating, RatingPad
from govhall.feedback.services import _hash
from govhall.queueing.models import Queue, Ticket, Window

N, HISTORY, OUT = {n}, {history}, {out!r}
center = Center.objects.get(code="HC")
clerk = User.objects.get(username="clerk_hc")
now = timezone.now()
today = timezone.localdate(now)
with transaction.atomic():
    # A queue of its own, so that the ticket numbers taken in the same run are not disturbed.
    queue = Queue.objects.create(center=center, letter="Z", name="评价压测", order=999)
    windows = Window.objects.bulk_create(
        [Window(center=center, number=1000 + i, name=f"压测窗口{{i}}", status="open", clerk=clerk)
         for i in range(N)], batch_size=2000)
    raws = [secrets.token_urlsafe(24) for _ in range(N)]
    RatingPad.objects.bulk_create(
        [RatingPad(window=w, token_hash=_hash(raw)) for w, raw in zip(windows, raws)], batch_size=2000)
    tickets, number = [], 0
    for i, w in enumerate(windows):
        for h in range(HISTORY + 1):  # the last one (h == HISTORY) is the one to rate
            number += 1
            done = now - timedelta(minutes=5 * (HISTORY - h) + 1)
            tickets.append(Ticket(
                center=center, queue=queue, origin_queue=queue, day=today, number=number,
                code=f"Z{{number:06d}}", status=Ticket.Status.DONE, sort_at=done - timedelta(minutes=10),
                taken_at=done - timedelta(minutes=10), called_at=done - timedelta(minutes=4),
                served_at=done - timedelta(minutes=4), finished_at=done, window=w, finished_by=clerk))
    tickets = Ticket.objects.bulk_create(tickets, batch_size=2000)
    Rating.objects.bulk_create(
        [Rating(event_kind="ticket", ticket=t, step="served", channel="pad", level=5, center=center,
                window=t.window, clerk=clerk) for t in tickets if t.number % (HISTORY + 1) != 0],
        batch_size=2000)
from django.db import connection
if connection.vendor == "postgresql":  # fresh statistics after the bulk load, as autovacuum would give
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
with open(OUT, "w") as f:
    f.write("\\n".join(raws))
print("SETUP windows=%d tickets=%d" % (N, len(tickets)))
"""

CHECK = """
from django.db.models import Count
from govhall.feedback.models import Rating, Rectification
new = Rating.objects.filter(channel="pad", window__number__gte=1000, created_at__gte={since!r})
dup = Rating.objects.filter(channel="pad").values("ticket").annotate(n=Count("id")).filter(n__gt=1).count()
print("CHECK ratings=%d bad=%d rectifications=%d tickets_rated_twice=%d" % (
    new.count(), new.filter(level__lte=2).count(),
    Rectification.objects.filter(rating__in=new).count(), dup))
"""

GOOD = json.dumps({"level": 5})
BAD = json.dumps({"level": 1, "indicators": ["attitude"], "text": "压测：等候时间太长"})


def q(xs: list[float]) -> tuple[float, float, float, float]:
    if len(xs) < 2:
        v = xs[0] * 1e3 if xs else float("nan")
        return v, v, v, v
    c = statistics.quantiles(xs, n=100)
    return c[49] * 1e3, c[94] * 1e3, c[98] * 1e3, max(xs) * 1e3


class Load:
    """Counts of one load run: latencies of successes, non-2xx and transport errors."""

    def __init__(self) -> None:
        self.lat: list[float] = []
        self.codes: dict[int, int] = {}
        self.errors = 0
        self.samples: list[str] = []

    async def send(self, client, url: str, body: str, headers: dict, due: float) -> None:
        try:
            r = await client.post(url, content=body, headers=headers)
        except Exception as exc:  # noqa: BLE001 - a load generator counts every failure
            self.errors += 1
            if len(self.samples) < 3:
                self.samples.append(repr(exc))
            return
        self.codes[r.status_code] = self.codes.get(r.status_code, 0) + 1
        if 200 <= r.status_code < 300:
            self.lat.append(time.perf_counter() - due)
        elif len(self.samples) < 3:
            self.samples.append(f"{r.status_code} {r.text[:200]}")

    @property
    def ok(self) -> int:
        return sum(n for c, n in self.codes.items() if 200 <= c < 300)

    @property
    def bad(self) -> int:
        return sum(n for c, n in self.codes.items() if not 200 <= c < 300)

    def line(self, tag: str, wall: float, **extra) -> str:
        p50, p95, p99, mx = q(self.lat)
        parts = [tag, *(f"{k}={v}" for k, v in extra.items())]
        parts += [
            f"sent={self.ok + self.bad + self.errors}",
            f"ok={self.ok}",
            f"non2xx={self.bad}",
            f"errors={self.errors}",
            f"per_s={self.ok / wall:.1f}",
            f"p50_ms={p50:.1f}",
            f"p95_ms={p95:.1f}",
            f"p99_ms={p99:.1f}",
            f"max_ms={mx:.1f}",
        ]
        return " ".join(parts)


def _client():
    import httpx

    return httpx.AsyncClient(
        timeout=30, limits=httpx.Limits(max_connections=500, max_keepalive_connections=500)
    )


async def open_loop(url: str, rate: float, seconds: float, request) -> tuple[Load, float]:
    """`request(i)` → (body, headers) of the i-th request; sent when due, whatever the server does."""
    load = Load()
    async with _client() as client:
        t0 = time.perf_counter() + 0.2
        tasks = []
        for i in range(int(rate * seconds)):
            due = t0 + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            body, headers = request(i)
            tasks.append(asyncio.create_task(load.send(client, url, body, headers, due)))
        await asyncio.gather(*tasks)
        return load, time.perf_counter() - t0


async def closed_loop(url: str, clients: int, seconds: float, request, limit: int) -> tuple[Load, float]:
    load = Load()
    seq = iter(range(limit))
    async with _client() as client:
        t0 = time.perf_counter()
        end = t0 + seconds

        async def worker() -> None:
            while time.perf_counter() < end:
                i = next(seq, None)
                if i is None:  # every pad used: the run ends early (the rate is still right)
                    return
                body, headers = request(i)
                await load.send(client, url, body, headers, time.perf_counter())

        await asyncio.gather(*(worker() for _ in range(clients)))
        return load, time.perf_counter() - t0


def pad_request(tokens: list[str]):
    def request(i: int) -> tuple[str, dict]:
        headers = {"Content-Type": "application/json", "X-Pad-Token": tokens[i]}
        return (BAD if i % 10 == 9 else GOOD), headers

    return request


def ticket_request(i: int) -> tuple[str, dict]:
    return '{"queue": "A"}', {"Content-Type": "application/json"}


def print_load(name: str, load: Load, line: str) -> None:
    print(f"  {name:<22} {line}", flush=True)
    for s in load.samples:
        print(f"  {'':<22} sample failure: {s}", flush=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rate", type=float, default=50)
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--closed-seconds", type=float, default=10)
    p.add_argument("--closed-pool", type=int, default=4000, help="pads kept for the closed loop")
    p.add_argument("--history", type=int, default=5, help="rated tickets per window earlier today")
    p.add_argument("--workers", type=int, default=2)
    a = p.parse_args()
    db = "pg" if os.environ.get("DATABASE_URL") else "sqlite"
    os.chdir(ROOT)
    n_open = int(a.rate * a.seconds)
    n = n_open + a.closed_pool
    env = fresh_env(f"ratings_{db}")
    t = time.perf_counter()
    prepare(env)
    out = Path(env["GOVHALL_VAR"]) / "pad_tokens.txt"
    print(shell(env, SETUP.format(n=n, history=a.history, out=str(out))).splitlines()[-1], end="")
    print(f" in {time.perf_counter() - t:.0f} s", flush=True)
    tokens = out.read_text().split("\n")
    since = shell(env, "from django.utils import timezone; print(timezone.now().isoformat())").splitlines()[
        -1
    ]

    with Server(env, workers=a.workers) as server:
        pad_url = f"{server.base}/api/v1/pads/rate"
        ticket_url = f"{server.base}/api/v1/halls/HC/tickets"
        # Warm both workers' imports and connections (pads from the closed pool's end).
        asyncio.run(closed_loop(pad_url, 4, 1, pad_request(tokens[-20:]), 20))
        asyncio.run(closed_loop(ticket_url, 4, 1, ticket_request, 20))
        rating, r_wall = asyncio.run(open_loop(pad_url, a.rate, a.seconds, pad_request(tokens[:n_open])))
        ticket, t_wall = asyncio.run(open_loop(ticket_url, a.rate, a.seconds, ticket_request))
        closed, c_wall = asyncio.run(
            closed_loop(
                pad_url, a.clients, a.closed_seconds, pad_request(tokens[n_open:-20]), n - n_open - 20
            )
        )
    check = shell(env, CHECK.format(since=since)).splitlines()[-1]

    print(
        f"ratings bench ({db}; {a.workers} uvicorn workers; open loop {a.rate:g}/s × {a.seconds:g} s; "
        f"closed loop {a.clients} clients × {a.closed_seconds:g} s; {a.history} rated tickets per window before)"
    )
    print_load("pads_rate open", rating, rating.line("OPEN", r_wall, endpoint="pads_rate", rate=a.rate))
    print_load("ticket_issue open", ticket, ticket.line("OPEN", t_wall, endpoint="tickets", rate=a.rate))
    print_load(
        "pads_rate closed", closed, closed.line("CLOSED", c_wall, endpoint="pads_rate", clients=a.clients)
    )
    print(f"  {check}")
    r99, t99 = q(rating.lat)[2], q(ticket.lat)[2]
    capacity = closed.ok / c_wall
    errors = rating.bad + rating.errors
    ok = r99 < TARGET_P99_MS and errors == 0 and capacity >= 2 * a.rate
    print(
        f"RESULT db={db} rating_p50_ms={q(rating.lat)[0]:.1f} rating_p95_ms={q(rating.lat)[1]:.1f} "
        f"rating_p99_ms={r99:.1f} rating_errors={errors} ticket_p99_ms={t99:.1f} "
        f"ratio_p99={r99 / t99:.2f} capacity_per_s={capacity:.1f} "
        f"target=p99<{TARGET_P99_MS:.0f}ms,errors=0,capacity>={2 * a.rate:g}/s ok={ok}",
        flush=True,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
