"""The district cockpit at province size (PostgreSQL only; opt-in: BENCH_PROVINCE=1).

    BENCH_PROVINCE=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/cockpit_province.py
    options: --halls 1000 --tickets 20000000 --cases 10000000 --days 365 --runs 20 --rebuild

Makes (once; reused while its size matches, --rebuild to start again) database
`bench_province`: one district of `--halls` halls with 5 windows and clerks each, then
`--tickets` tickets and `--cases` cases over `--days` days written by
`INSERT … SELECT generate_series` (a bench fixture: the services would take days). Then
builds the rollups with the project's own code path (`rollups.rollup_days`, a month at a
time, timed), and measures every cockpit view's selector as the district office:
p50/p95/p99 against computing the same figure from the raw rows in the same run.
Then every cockpit and workbench page whole (middleware, view, template) as its reader.
Target: every view p95 < 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_NAME = "bench_province"
TARGET_S = 1.0
WINDOWS = 5


def configure() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    base, _, _ = os.environ["DATABASE_URL"].rpartition("/")
    import psycopg

    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone():
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    os.environ["DATABASE_URL"] = f"{base}/{DB_NAME}"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def fill_defaults(cursor, table: str, given: dict[str, str]) -> tuple[str, str]:
    """Column list and select list: `given` expressions, and a plain default for every other
    NOT NULL column without one ('' / 0 / false / now())."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
        [table],
    )
    cols = dict(given)
    for name, kind in cursor.fetchall():
        if name in cols:
            continue
        if "char" in kind or kind == "text":
            cols[name] = "''"
        elif kind in ("integer", "smallint", "bigint", "numeric"):
            cols[name] = "0"
        elif kind == "boolean":
            cols[name] = "false"
        elif kind.startswith("timestamp"):
            cols[name] = "now()"
        elif kind == "date":
            cols[name] = "current_date"
        elif kind == "jsonb":
            cols[name] = "'{}'::jsonb"
        else:
            raise SystemExit(f"{table}.{name}: no default for {kind}")
    return ", ".join(f'"{c}"' for c in cols), ", ".join(cols.values())


def generate(args, start: date) -> None:
    from django.db import connection, transaction

    from govhall.accounts.models import Role, RoleAssignment, User
    from govhall.catalog import services as catalog
    from govhall.catalog.models import ServiceItem
    from govhall.centers.models import Center, Department, District
    from govhall.queueing.models import Queue, Window
    from tests.support import publish_guide

    t0 = time.perf_counter()
    if Center.objects.filter(code="BP-HUB").exists():  # resuming an interrupted run
        halls = list(Center.objects.filter(code__startswith="BP-").order_by("id"))
        queues = list(Queue.objects.filter(center__in=halls).order_by("id"))
        windows = list(Window.objects.filter(center__in=halls).order_by("id"))
        clerks = list(User.objects.filter(username__startswith="bp0").order_by("id"))
        item = ServiceItem.objects.get(code="BP-001")
        guide = item.guides.order_by("id").first()
    else:
        with transaction.atomic():
            district = District.objects.create(name="基准省", code="990000")
            dep = Department.objects.create(district=district, name="基准局", code="BP-DEP")
            hub = Center.objects.create(
                district=district,
                kind="district",
                name="基准省政务服务中心",
                code="BP-HUB",
                address="1 号",
                status="active",
            )
            halls = Center.objects.bulk_create(
                [
                    Center(
                        district=district,
                        kind="branch",
                        parent=hub,
                        department=dep,
                        name=f"基准省政务服务中心第{i}分中心",
                        code=f"BP-{i:04d}",
                        address="基准路",
                        status="active",
                    )
                    for i in range(args.halls - 1)
                ]
            )
            halls = [hub, *halls]
            queues = Queue.objects.bulk_create([Queue(center=h, letter="A", name="综合") for h in halls])
            windows = Window.objects.bulk_create(
                [Window(center=h, number=n + 1, name=f"{n + 1}号窗口") for h in halls for n in range(WINDOWS)]
            )
            clerks = User.objects.bulk_create(
                [
                    User(username=f"bp{i:05d}", full_name=f"基准人员{i}", password="!")
                    for i in range(len(windows))
                ]
            )
            RoleAssignment.objects.bulk_create(
                [
                    RoleAssignment(user=u, role=Role.CLERK, center=halls[i // WINDOWS])
                    for i, u in enumerate(clerks)
                ]
            )
            admin = User.objects.create(username="bp-admin", full_name="基准区政务办", password="!")
            RoleAssignment.objects.create(user=admin, role=Role.DISTRICT_ADMIN, center=hub)
            item = catalog.item_create(
                by=None,
                district=district,
                code="BP-001",
                name="基准事项",
                item_type="confirmation",
                department=dep,
            )
            guide = publish_guide(item)
    h0, q0, w0, u0 = halls[0].id, queues[0].id, windows[0].id, clerks[0].id
    assert [h.id for h in halls] == list(range(h0, h0 + len(halls))), "hall ids are not consecutive"
    assert queues[-1].id == q0 + len(halls) - 1 and windows[-1].id == w0 + len(windows) - 1
    assert clerks[-1].id == u0 + len(clerks) - 1
    H, N, C, D = len(halls), args.tickets, args.cases, args.days
    with connection.cursor() as cur:
        # Tickets: hall i % H, spread evenly over the days; taken 08:30–16:30 local, waits
        # skewed short (random()^3 × 2 h); 85 % done, 6 % no-show, the rest cancelled.
        per_day = max(1, N // D)
        day = f"(DATE '{start}' + (i / {per_day})::int)"
        taken = f"({day} + TIME '00:30' + (random() * 480) * INTERVAL '1 minute')"  # 08:30 local = 00:30 UTC
        cols, select = fill_defaults(
            cur,
            "queueing_ticket",
            {
                "center_id": f"{h0} + i % {H}",
                "queue_id": f"{q0} + i % {H}",
                "origin_queue_id": f"{q0} + i % {H}",
                "day": day,
                "number": "i",
                "code": "'A' || i % 1000000",  # 8 characters at most
                "token": "'bp' || i",
                "status": "CASE WHEN r < 0.85 THEN 'done' WHEN r < 0.91 THEN 'no_show' ELSE 'cancelled' END",
                "kind": "'normal'",
                "channel": "'kiosk'",
                "sort_at": "t",
                "taken_at": "t",
                "called_at": "CASE WHEN r < 0.91 THEN t + (random() ^ 3) * INTERVAL '2 hours' END",
                "window_id": f"CASE WHEN r < 0.91 THEN {w0} + (i % {H}) * {WINDOWS} + (i / {H}) % {WINDOWS} END",
                "finished_by_id": f"CASE WHEN r < 0.85 THEN {u0} + (i % {H}) * {WINDOWS} + (i / {H}) % {WINDOWS} END",
                "call_count": "1",
            },
        )
        batch = 2_000_000
        cur.execute("SELECT coalesce(max(number) + 1, 0) FROM queueing_ticket WHERE center_id >= %s", [h0])
        for lo in range(cur.fetchone()[0], N, batch):
            hi = min(N, lo + batch) - 1
            cur.execute(
                f"INSERT INTO queueing_ticket ({cols}) SELECT {select} FROM "
                f"(SELECT i, random() AS r, {taken} AS t FROM generate_series({lo}, {hi}) AS i) AS g"
            )
            print(f"  tickets {hi + 1:,} ({time.perf_counter() - t0:.0f} s)", flush=True)
        # Cases: submitted evenly over the days, accepted an hour later, a 10-day deadline;
        # 80 % completed after 1–14 days (some late), the rest still in progress.
        per_day = max(1, C // D)
        sub = (
            f"(DATE '{start}' + (i / {per_day})::int + TIME '01:00' + (random() * 420) * INTERVAL '1 minute')"
        )
        cols, select = fill_defaults(
            cur,
            "cases_case",
            {
                "number": "'BP' || i",
                "channel": "'window'",
                "status": "CASE WHEN r < 0.8 THEN 'completed' ELSE 'in_progress' END",
                "center_id": f"{h0} + i % {H}",
                "item_id": str(item.id),
                "guide_id": str(guide.id),
                "applicant_kind": "'person'",
                "submitted_at": "s",
                "accepted_at": "s + INTERVAL '1 hour'",
                "completed_at": "CASE WHEN r < 0.8 THEN s + (1 + floor(random() * 14)) * INTERVAL '1 day' END",
                "deadline": "(s + INTERVAL '10 days')::date",
                "limit_days": "10",
                "limit_unit": "'natural'",
                "created_at": "s",
                "updated_at": "s",
            },
        )
        cur.execute("SELECT count(*) FROM cases_case WHERE number LIKE 'BP%%'")
        for lo in range(cur.fetchone()[0], C, batch):
            hi = min(C, lo + batch) - 1
            cur.execute(
                f"INSERT INTO cases_case ({cols}) SELECT {select} FROM "
                f"(SELECT i, random() AS r, {sub} AS s FROM generate_series({lo}, {hi}) AS i) AS g"
            )
            print(f"  cases {hi + 1:,} ({time.perf_counter() - t0:.0f} s)", flush=True)
        cur.execute("ANALYZE queueing_ticket")
        cur.execute("ANALYZE cases_case")
    print(f"generated in {time.perf_counter() - t0:.0f} s", flush=True)


def size_of() -> tuple[int, int, int]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM centers_center WHERE code LIKE 'BP-%%'")
        halls = cur.fetchone()[0]
        cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'queueing_ticket'")
        tickets = cur.fetchone()[0]
        cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'cases_case'")
        cases = cur.fetchone()[0]
    return halls, tickets, cases


def timed(fn, runs: int) -> list[float]:
    """`runs` timings of `fn`, after one untimed call: a server process answers a page
    for the first time once (templates compiled, modules imported), not per request."""
    fn()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def line(name: str, times: list[float], raw: list[float] | None = None) -> bool:
    p50, p95, p99 = pct(times, 50), pct(times, 95), pct(times, 99)
    ratio = (
        f"  raw p50 {statistics.median(raw) * 1000:8.0f} ms  ratio raw/rollup {statistics.median(raw) / p50:6.1f}×"
        if raw
        else ""
    )
    ok = p95 < TARGET_S
    print(
        f"{name:60s} p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms{ratio}  {'OK' if ok else 'SLOW'}"
    )
    return ok


def pages(admin, on: date, runs: int, raw_s: float) -> bool:
    """Every cockpit and workbench page as its reader gets it (the whole response, in
    process: middleware, view, template), as the district office, a branch manager of
    one hall (made here if missing), a clerk of that hall and the public lobby screen.
    The ratio is to the month's headline figures computed from raw rows (above)."""
    from django.test import Client

    from govhall.accounts.models import Role, RoleAssignment, User
    from govhall.centers.models import Center

    hall = Center.objects.get(code="BP-0007")
    manager, _ = User.objects.get_or_create(
        username="bp-manager", defaults={"full_name": "基准分中心负责人", "password": "!"}
    )
    RoleAssignment.objects.get_or_create(user=manager, role=Role.BRANCH_MANAGER, center=hall)
    clerk = RoleAssignment.objects.filter(role=Role.CLERK, center=hall).order_by("user_id").first().user
    day, month = f"period=day&on={on}", f"period=month&on={on}"
    readers = [
        (admin, "/staff/"),
        (admin, f"/staff/cockpit/?{day}"),
        (admin, f"/staff/cockpit/?period=week&on={on}"),
        (admin, f"/staff/cockpit/?{month}"),
        (admin, f"/staff/cockpit/?{month}&page=20"),
        (admin, f"/staff/cockpit/?{month}&q=BP-09"),
        (admin, f"/staff/cockpit/tickets/?hall=BP-0007&since={on}&until={on}"),
        (admin, "/staff/lobby/district/"),
        (admin, "/staff/lobby/district/live/"),
        (admin, "/staff/checks/stationing/"),
        (manager, "/staff/"),
        (manager, f"/staff/workbench/halls/{hall.pk}/waiting/"),
        (manager, "/staff/lobby/BP-0007/"),
        (clerk, "/staff/"),
        (None, "/lobby/BP-0007/"),
        (None, "/lobby/BP-0007/live/"),
    ]
    ok = True
    for user, path in readers:
        client = Client()
        if user is not None:
            client.force_login(user)

        def get(client=client, path=path):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        times = timed(get, runs)
        who = "public" if user is None else user.username
        ok &= line(f"page {path[:40]} ({who})", times, [raw_s])
    return ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--halls", type=int, default=1000)
    parser.add_argument("--tickets", type=int, default=20_000_000)
    parser.add_argument("--cases", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--raw-runs", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL") or os.environ.get("BENCH_PROVINCE") != "1":
        print("cockpit_province: skipped (PostgreSQL and BENCH_PROVINCE=1 only; it runs for tens of minutes)")
        return 0
    configure()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from govhall.accounts.models import User
    from govhall.dashboards import cockpit
    from govhall.dashboards.models import HallDay
    from govhall.dashboards.rollups import rollup_days

    today = timezone.localdate()
    start = today - timedelta(days=args.days - 1)
    if args.rebuild:
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    built = size_of()
    if (
        built[0] != args.halls
        or abs(built[1] - args.tickets) > args.tickets * 0.02
        or built[2] < args.cases * 0.98
    ):
        if built[0] and built[0] != args.halls:
            raise SystemExit(f"bench_province holds another size {built}: run with --rebuild")
        generate(args, start)  # or go on with an interrupted one
        HallDay.objects.all().delete()
    halls, tickets, cases = size_of()
    print(f"size: {halls:,} halls, ~{tickets:,} tickets, ~{cases:,} cases over {args.days} days (PostgreSQL)")

    if not HallDay.objects.exists():
        t = time.perf_counter()
        chunk = start
        while chunk <= today:
            last = min(chunk + timedelta(days=30), today)
            rollup_days(since=chunk, until=last)
            chunk = last + timedelta(days=1)
        print(f"rollups built (rollup_days, a month at a time): {time.perf_counter() - t:.0f} s", flush=True)
        with connection.cursor() as cur:
            for table in ("dashboards_hallday", "dashboards_hallhour", "dashboards_servedday"):
                cur.execute(f"ANALYZE {table}")
    t = time.perf_counter()
    rollup_days(since=today - timedelta(days=1), until=today)
    print(f"periodic job (today and yesterday): {time.perf_counter() - t:.1f} s")

    admin = User.objects.get(username="bp-admin")
    on = today - timedelta(days=3)
    import gc

    gc.freeze()  # as config/asgi.py does once the server has loaded
    ok = True
    for kind in ("day", "week", "month"):
        period = cockpit.period_of(kind, on)
        times = timed(lambda period=period: cockpit.cockpit_figures(user=admin, period=period), args.runs)
        first, last = period.start, period.end

        def raw(first=first, last=last):
            # The same headline figures straight from the raw rows: tickets, mean and p90 wait
            # per hall; cases accepted, completed, on time per hall.
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT center_id, count(*), avg(extract(epoch FROM called_at - taken_at)), "
                    "percentile_cont(0.9) WITHIN GROUP (ORDER BY called_at - taken_at) "
                    "FROM queueing_ticket WHERE day BETWEEN %s AND %s GROUP BY center_id",
                    [first, last],
                )
                cur.fetchall()
                cur.execute(
                    "SELECT center_id, count(*), count(*) FILTER (WHERE completed_at::date <= deadline) "
                    "FROM cases_case WHERE completed_at >= %s AND completed_at < %s GROUP BY center_id",
                    [first, last + timedelta(days=1)],
                )
                cur.fetchall()

        raw_times = timed(raw, args.raw_runs)
        ok &= line(f"cockpit ({kind}, {first}..{last})", times, raw_times)

    def drill():
        found = cockpit.cockpit_tickets(user=admin, hall="BP-0007", since=str(on), until=str(on))
        return list(found["tickets"][:50])

    ok &= line("drill-down: one hall's tickets", timed(drill, args.runs))
    ok &= pages(admin, on, args.runs, statistics.median(raw_times))
    print("every cockpit and workbench view p95 < 1 s:", "yes" if ok else "NO")
    return 0


if __name__ == "__main__":
    sys.exit(main())
