"""The staffing gap check over a district of 50 halls, 1,000 windows, 2,000
people and 90 days with realistic leave: its time (median and worst of the
runs) against reading the same rows with one query, measured in the same run.

    .venv/bin/python bench/staffing_gaps.py            # SQLite file var/bench/staffing.sqlite3 (recreated)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/staffing_gaps.py
                                                       # PostgreSQL database govhall_bench_staffing (recreated)
    options: --runs 7 --days 90 --keep (reuse the generated database)

Rows are written in bulk (not through the services, which would take minutes
with history); leave: every person takes 2–4 leaves of ½–5 working days in the
90 days (annual, sick, personal, training), so A and B are sometimes away on
the same day; about half of those days have a named substitute.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HALLS, WINDOWS_PER_HALL, PEOPLE_PER_HALL = 50, 20, 40
DB_NAME = "govhall_bench_staffing"
TARGET_S = 2.0


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
    path = ROOT / "var" / "bench" / "staffing.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not args.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    os.environ["SQLITE_PATH"] = str(path)
    return "sqlite"


def generate(start: date, days: int) -> None:
    from django.db import transaction

    from govhall.accounts.models import Role, RoleAssignment, User
    from govhall.centers.models import Center, Department, District, OpeningHours
    from govhall.queueing.models import Queue, Window
    from govhall.staffing.models import Leave, Post, Substitute

    rng = random.Random(6)
    with transaction.atomic():
        district = District.objects.create(name="基准区", code="999996")
        hub = Center.objects.create(
            district=district,
            kind="district",
            name="基准区政务服务中心",
            code="BS-HUB",
            address="基准路 1 号",
            status="active",
        )
        deps = Department.objects.bulk_create(
            [Department(district=district, name=f"基准部门{i}", code=f"BD{i}") for i in range(HALLS)]
        )
        halls = Center.objects.bulk_create(
            [
                Center(
                    district=district,
                    kind="branch",
                    parent=hub,
                    department=deps[i],
                    name=f"基准区政务服务中心第{i}分中心",
                    code=f"BS-{i:02d}",
                    address="基准路",
                    status="active",
                )
                for i in range(HALLS)
            ]
        )
        OpeningHours.objects.bulk_create(
            [
                OpeningHours(center=h, weekday=d, opens=o, closes=c)
                for h in halls
                for d in range(5)
                for o, c in ((dtime(9), dtime(12)), (dtime(13, 30), dtime(17)))
            ]
        )
        queues = Queue.objects.bulk_create([Queue(center=h, letter="A", name="综合") for h in halls])
        windows = Window.objects.bulk_create(
            [
                Window(center=h, number=n + 1, name=f"{n + 1}号窗口")
                for h in halls
                for n in range(WINDOWS_PER_HALL)
            ]
        )
        Window.queues.through.objects.bulk_create(
            [
                Window.queues.through(window_id=w.id, queue_id=queues[i // 20].id)
                for i, w in enumerate(windows)
            ]
        )
        users = User.objects.bulk_create(
            [
                User(username=f"bs{i:04d}", full_name=f"基准人员{i}", password="!")
                for i in range(HALLS * PEOPLE_PER_HALL)
            ]
        )
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(user=u, role=Role.CLERK, center=halls[i // PEOPLE_PER_HALL])
                for i, u in enumerate(users)
            ]
        )
        posts = []
        for h in range(HALLS):
            people = users[h * PEOPLE_PER_HALL : (h + 1) * PEOPLE_PER_HALL]
            for n in range(WINDOWS_PER_HALL):
                w = windows[h * WINDOWS_PER_HALL + n]
                posts += [
                    Post(window=w, role="A", user=people[2 * n]),
                    Post(window=w, role="B", user=people[2 * n + 1]),
                ]
        Post.objects.bulk_create(posts)
        kinds = ["annual", "sick", "personal", "training"]
        leaves = []
        for i, u in enumerate(users):
            for _ in range(rng.randint(2, 4)):
                first = start + timedelta(days=rng.randrange(days))
                length = rng.choice([0, 0, 1, 2, 4])
                leaves.append(
                    Leave(
                        user=u,
                        center=halls[i // PEOPLE_PER_HALL],
                        kind=rng.choice(kinds),
                        start_date=first,
                        end_date=first + timedelta(days=length),
                        start_pm=rng.random() < 0.1,
                        end_am=length > 0 and rng.random() < 0.1,
                        reason="基准",
                        status=rng.choice(["approved", "approved", "on_leave", "reported_back", "requested"]),
                        planned_days=length + 1,
                    )
                )
        Leave.objects.bulk_create(leaves, batch_size=2000)
    # Name substitutes for about half of the gaps, like managers do.
    from govhall.staffing import selectors

    cov = selectors.coverage(
        center_ids=[h.id for h in halls], start=start, end=start + timedelta(days=days - 1)
    )
    by_window = {w.id: w for w in windows}
    leave_of = {}
    for lv in Leave.objects.filter(status__in=Leave.AWAY).only("id", "user_id", "start_date", "end_date"):
        leave_of.setdefault(lv.user_id, []).append(lv)
    subs = []
    for cell in cov.gaps():
        if rng.random() < 0.5:
            continue
        w = by_window[cell.window_id]
        a = cov.posts[w.id]["A"]
        leave = next((lv for lv in leave_of.get(a, []) if lv.start_date <= cell.day <= lv.end_date), None)
        if leave is None:
            continue
        h = halls.index(next(x for x in halls if x.id == w.center_id))
        spare = users[h * PEOPLE_PER_HALL + rng.randrange(PEOPLE_PER_HALL)]
        subs.append(Substitute(leave=leave, day=cell.day, window=w, user=spare))
    Substitute.objects.bulk_create(subs, ignore_conflicts=True)


def one_query_baseline(center_ids, start, end):
    """The rows the check reads (windows, posts, leave, substitutes, hours, exceptions), in one query."""
    from django.db import connection

    ids = ",".join(str(int(i)) for i in center_ids)
    sql = f"""
      SELECT 'w', w.id, w.center_id, CAST(NULL AS VARCHAR(20)), CAST(NULL AS DATE), CAST(NULL AS DATE) FROM queueing_window w WHERE w.center_id IN ({ids})
      UNION ALL
      SELECT 'p', p.window_id, p.user_id, p.role, NULL, NULL FROM staffing_post p
        JOIN queueing_window w ON w.id = p.window_id WHERE w.center_id IN ({ids})
      UNION ALL
      SELECT 'l', l.user_id, l.id, l.status, l.start_date, l.end_date FROM staffing_leave l
        WHERE l.center_id IN ({ids}) AND l.status IN ('approved','on_leave','reported_back')
          AND l.start_date <= %s AND l.end_date >= %s
      UNION ALL
      SELECT 's', s.window_id, s.user_id, NULL, s.day, NULL FROM staffing_substitute s
        JOIN queueing_window w ON w.id = s.window_id WHERE w.center_id IN ({ids}) AND s.day BETWEEN %s AND %s
      UNION ALL
      SELECT 'h', h.center_id, h.weekday, NULL, NULL, NULL FROM centers_openinghours h WHERE h.center_id IN ({ids})
      UNION ALL
      SELECT 'x', e.center_id, NULL, NULL, e.date, NULL FROM centers_hoursexception e
        WHERE e.center_id IN ({ids}) AND e.date BETWEEN %s AND %s
    """
    with connection.cursor() as cur:
        cur.execute(sql, [end, start, start, end, start, end])
        return len(cur.fetchall())


def timed(fn, runs: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--keep", action="store_true", help="reuse the generated database")
    args = parser.parse_args()
    vendor = configure(args)

    import django

    django.setup()
    from django.core.management import call_command

    from govhall.centers.models import Center
    from govhall.queueing.models import Window
    from govhall.staffing import selectors
    from govhall.staffing.models import Leave, Post, Substitute

    call_command("migrate", verbosity=0)
    start = date(2026, 9, 1)  # across Mid-Autumn and National Day, with the make-up Saturday
    end = start + timedelta(days=args.days - 1)
    if not Post.objects.exists():
        print(
            f"generating {HALLS} halls, {HALLS * WINDOWS_PER_HALL:,} windows, {HALLS * PEOPLE_PER_HALL:,} people "
            f"on {vendor} …"
        )
        generate(start, args.days)
    center_ids = list(
        Center.objects.filter(code__startswith="BS-", kind="branch").values_list("id", flat=True)
    )
    print(
        f"{vendor}: {len(center_ids)} halls, {Window.objects.filter(center_id__in=center_ids).count():,} windows, "
        f"{Post.objects.count():,} posts, {Leave.objects.count():,} leaves, {Substitute.objects.count():,} "
        f"substitutes; {start} … {end}"
    )

    result = {}

    def check():
        cov = selectors.coverage(center_ids=center_ids, start=start, end=end)
        result["gaps"] = len(cov.gaps())
        result["cells"] = len(cov.cells)

    def baseline():
        result["rows"] = one_query_baseline(center_ids, start, end)

    t_check = timed(check, args.runs)
    t_base = timed(baseline, args.runs)
    med_c, med_b = statistics.median(t_check), statistics.median(t_base)
    print(f"\n{'':<24} {'median s':>9} {'worst s':>9}")
    print(
        f"{'gap check':<24} {med_c:9.3f} {max(t_check):9.3f}   {result['cells']:,} window-days, "
        f"{result['gaps']:,} gaps"
    )
    print(f"{'one query, same rows':<24} {med_b:9.3f} {max(t_base):9.3f}   {result['rows']:,} rows")
    print(f"ratio (gap check / one query): {med_c / med_b:.1f}x")
    ok = max(t_check) < TARGET_S
    print(f"worst gap check {max(t_check):.3f} s — target < {TARGET_S:.0f} s: {'OK' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
