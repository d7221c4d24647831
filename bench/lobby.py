"""The lobby screens over a busy day: a district of 200 halls, 10 queues and 20 windows
each, 400 numbers taken per hall today (80,000) and yesterday's as many. Times
(p50/p95/p99 of the runs) of one hall's screen and of the district screen, each
against reading the same rows of today with one raw query, measured in the same run.

    .venv/bin/python bench/lobby.py            # SQLite file var/bench/lobby.sqlite3 (recreated)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/lobby.py
                                               # PostgreSQL database bench_lobby16 (recreated)
    options: --runs 40 --halls 200 --keep (reuse the generated database)

Rows are written in bulk (not through the services). Cases and ratings are not
generated: their readers are one grouped query each and run on empty tables here.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUEUES_PER_HALL, WINDOWS_PER_HALL, TICKETS_PER_HALL = 10, 20, 400
DB_NAME = "bench_lobby16"
TARGET_S = {"hall screen": 0.2, "district screen": 1.0}


def configure(args) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    url = os.environ.get("DATABASE_URL")
    if url:
        base, _, _ = url.rpartition("/")
        if not args.keep:
            import psycopg

            with psycopg.connect(base + "/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{DB_NAME}"')
        os.environ["DATABASE_URL"] = f"{base}/{DB_NAME}"
        return "postgresql"
    path = ROOT / "var" / "bench" / "lobby.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not args.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    os.environ["SQLITE_PATH"] = str(path)
    return "sqlite"


def generate(halls_n: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from govhall.accounts.models import Role, RoleAssignment, User
    from govhall.centers.models import Center, District
    from govhall.queueing.models import Queue, Ticket, Window

    rng = random.Random(16)
    today = timezone.localdate()
    with transaction.atomic():
        district = District.objects.create(name="基准区", code="999916")
        hub = Center.objects.create(
            district=district, kind="district", name="基准区政务服务中心", code="BL-HUB", address="基准路 1 号",
            status="active",
        )  # fmt: skip
        halls = Center.objects.bulk_create(
            [
                Center(
                    district=district,
                    kind="branch",
                    parent=hub,
                    name=f"基准区第{i}分中心",
                    code=f"BL-{i:03d}",
                    address="基准路",
                    status="active",
                )  # fmt: skip
                for i in range(halls_n)
            ]
        )
        admin = User.objects.create(username="bl-admin", full_name="基准区政务办", password="!")
        RoleAssignment.objects.create(user=admin, role=Role.DISTRICT_ADMIN, center=hub)
        queues = Queue.objects.bulk_create(
            [
                Queue(center=h, letter="ABCDEFGHJK"[n], name=f"队列{n}")
                for h in halls
                for n in range(QUEUES_PER_HALL)
            ]
        )
        windows = Window.objects.bulk_create(
            [
                Window(center=h, number=n + 1, name=f"{n + 1}号窗口", status="open" if n < 14 else "closed")
                for h in halls
                for n in range(WINDOWS_PER_HALL)
            ]
        )
        tickets = []
        for day in (today - timedelta(days=1), today):
            start = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=9)
            for h_i, h in enumerate(halls):
                hall_queues = queues[h_i * QUEUES_PER_HALL : (h_i + 1) * QUEUES_PER_HALL]
                hall_windows = windows[h_i * WINDOWS_PER_HALL : (h_i + 1) * WINDOWS_PER_HALL]
                for n in range(TICKETS_PER_HALL):
                    q = hall_queues[n % QUEUES_PER_HALL]
                    taken = start + timedelta(seconds=n * 60 + rng.randrange(60))
                    # The last 40 of today still wait; 14 are at a window; the rest are done or no-show.
                    if day == today and n >= TICKETS_PER_HALL - 40:
                        status, called, window = "waiting", None, None
                    else:
                        called = taken + timedelta(seconds=rng.randrange(60, 1800))
                        window = hall_windows[n % 14]
                        status = (
                            "called"
                            if day == today and n >= TICKETS_PER_HALL - 54
                            else ("no_show" if rng.random() < 0.05 else "done")
                        )
                    tickets.append(
                        Ticket(
                            center=h,
                            queue=q,
                            origin_queue=q,
                            day=day,
                            number=n + 1,
                            code=f"{q.letter}{n + 1:03d}",
                            status=status,
                            sort_at=taken,
                            taken_at=taken,
                            called_at=called,
                            window=window,
                            served_at=called,
                            finished_at=called + timedelta(minutes=8) if status == "done" else None,
                        )  # fmt: skip
                    )
        Ticket.objects.bulk_create(tickets, batch_size=5000)


def one_query_baseline(center_ids: list[int], day) -> int:
    """Today's rows the screens read (tickets of the halls), in one raw query."""
    from django.db import connection

    ids = ",".join(str(int(i)) for i in center_ids)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT center_id, queue_id, window_id, status, taken_at, called_at, code FROM queueing_ticket "
            f"WHERE day = %s AND center_id IN ({ids})",
            [day],
        )
        return len(cur.fetchall())


def timed(fn, runs: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--halls", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="reuse the generated database")
    args = parser.parse_args()
    vendor = configure(args)

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from govhall.accounts.models import User
    from govhall.centers.models import Center
    from govhall.dashboards.lobby import district_screen, hall_screen
    from govhall.queueing.models import Ticket

    call_command("migrate", verbosity=0)
    if not Center.objects.filter(code="BL-HUB").exists():
        print(f"generating {args.halls} halls, {args.halls * TICKETS_PER_HALL * 2:,} tickets on {vendor} …")
        generate(args.halls)
    halls = list(Center.objects.filter(code__startswith="BL-", kind="branch").order_by("code"))
    admin = User.objects.get(username="bl-admin")
    today = timezone.localdate()
    print(f"{vendor}: {len(halls)} halls, {Ticket.objects.filter(day=today).count():,} tickets today")

    one = halls[len(halls) // 2]
    ids = [h.id for h in halls]
    cases = {
        "hall screen": (lambda: hall_screen(one, staff=True), lambda: one_query_baseline([one.id], today)),
        "district screen": (lambda: district_screen(admin), lambda: one_query_baseline(ids, today)),
    }
    ok = True
    print(f"\n{'':<34} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, (screen, base) in cases.items():
        t_s, t_b = timed(screen, args.runs), timed(base, args.runs)
        for label, ts in ((name, t_s), ("  one raw query, same rows", t_b)):
            print(f"{label:<34} {pct(ts, 50) * 1e3:8.1f} {pct(ts, 95) * 1e3:8.1f} {pct(ts, 99) * 1e3:8.1f}")
        ratio = pct(t_s, 50) / pct(t_b, 50)
        hit = pct(t_s, 95) < TARGET_S[name]
        ok &= hit
        print(f"  ratio (screen / raw query, p50): {ratio:.1f}x — p95 target < {TARGET_S[name] * 1e3:.0f} ms: "
              f"{'OK' if hit else 'MISSED'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
