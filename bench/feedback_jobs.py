"""The feedback daily jobs, each run twice (the second must write nothing), each
under 30 s:

* complaint_deadlines_run over `--rows` open complaints (default 100,000),
  against a plain COUNT of the same rows measured in the same run;
* invitations_send (one SMS per completed case nobody rated after 3 days) over
  `--cases` completed cases (default 200,000; the issue's figure is
  `--cases 1000000`, built in about a minute on PostgreSQL);
* rectification_warnings_compute over `--rects` open rectifications of bad
  ratings (default 100,000, at most half the cases; each rating is of one case).

    .venv/bin/python bench/feedback_jobs.py            # SQLite file var/bench/feedback.sqlite3 (recreated)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/feedback_jobs.py
                                                       # PostgreSQL database govhall_bench_feedback (recreated)
    options: --rows 100000 --cases 200000 --rects 100000 (0 skips a job) --pg-db NAME
    the issue's figures: DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_fb REDIS_URL=redis://127.0.0.1:6379/7 \
        .venv/bin/python bench/feedback_jobs.py --cases 1000000 --pg-db bench_fb

Rows are bulk-inserted (not through the services). Complaints: answer deadlines
spread from 20 days ago to 20 days ahead, so about half end red and a tenth
yellow. Cases: one block of 3,650 is created through the ORM (so the phone and
ID number are encrypted and hashed by their fields; four distinct phones), with
completion times spread over the past 365 days, then copied in SQL (INSERT …
SELECT, only the number changed) up to `--cases`: about 7 % fall in the
invitation window (completed 3 to 30 days ago). Rectifications: fix deadlines
spread from 20 days ago to 20 days ahead, revisit deadlines on half of them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_NAME = "govhall_bench_feedback"
TARGET_S = 30.0


def configure(db_name: str = DB_NAME) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    url = os.environ.get("DATABASE_URL")
    if url:
        base, _, _ = url.rpartition("/")
        import psycopg

        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{db_name}"')
        os.environ["DATABASE_URL"] = f"{base}/{db_name}"
        return "postgresql"
    path = ROOT / "var" / "bench" / "feedback.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    os.environ["SQLITE_PATH"] = str(path)
    return "sqlite"


def generate(n: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from govhall.centers.models import Center, District
    from govhall.feedback.models import Complaint

    today = timezone.localdate()
    with transaction.atomic():
        district = District.objects.create(name="基准区", code="999995")
        hub = Center.objects.create(
            district=district,
            kind="district",
            name="基准区政务服务中心",
            code="BF-HUB",
            address="基准路 1 号",
            status="active",
        )
        statuses = ["pending", "accepted", "investigating", "handled"]
        batch = []
        for i in range(n):
            batch.append(
                Complaint(
                    number=f"TSB{i:08d}",
                    channel="online",
                    status=statuses[i % 4],
                    about="hall",
                    center=hub,
                    complainant_phone="13800000000",
                    text="基准投诉",
                    accept_by=today + timedelta(days=(i % 3) - 1),
                    reply_by=today + timedelta(days=(i % 41) - 20),
                )
            )
            if len(batch) == 5000:
                Complaint.objects.bulk_create(batch)
                batch = []
        Complaint.objects.bulk_create(batch)


TEMPLATE = 3650  # cases made through the ORM, then copied in SQL


def generate_cases(n: int) -> int:
    """`n` completed cases (rounded up to whole copies of the template block)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from govhall.cases.models import Case
    from govhall.catalog.models import ServiceItem
    from govhall.centers.models import Center

    center = Center.objects.get(code="BF-HUB")
    item = ServiceItem.objects.filter(current_guide__isnull=False).select_related("current_guide").first()
    if item is None:
        raise RuntimeError("no service item with a guide: the catalog demo did not load")
    now = timezone.now()
    phones = ["13800000001", "13900000002", "13700000003", ""]  # "": no phone, never invited
    block = min(n, TEMPLATE)
    with transaction.atomic():
        cases = []
        for i in range(block):
            done = now - timedelta(days=i % 365, seconds=(i * 137) % 86400)
            cases.append(
                Case(
                    number=f"BJ{i:06d}",
                    channel="window",
                    status="completed",
                    center=center,
                    item=item,
                    guide=item.current_guide,
                    applicant_name="基准申请人",
                    applicant_id_number="110105199001011232",
                    contact_phone=phones[i % 4],
                    submitted_at=done - timedelta(days=5),
                    accepted_at=done - timedelta(days=5),
                    completed_at=done,
                    outcome="approved",
                )
            )
        Case.objects.bulk_create(cases, batch_size=2000)
        copies = -(-n // block) - 1
        if copies > 0:
            table = Case._meta.db_table
            cols = [f.column for f in Case._meta.concrete_fields if not f.primary_key]
            q = connection.ops.quote_name
            select = ", ".join(
                f"t.{q(c)} || '-' || CAST(g.x AS TEXT)" if c == "number" else f"t.{q(c)}" for c in cols
            )
            if connection.vendor == "postgresql":
                series = f"generate_series(1, {copies}) AS g(x)"
                prefix = ""
            else:
                prefix = (
                    f"WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < {copies}) "
                )
                series = "g"
            with connection.cursor() as cur:
                cur.execute(
                    f"{prefix}INSERT INTO {q(table)} ({', '.join(q(c) for c in cols)}) "
                    f"SELECT {select} FROM {q(table)} t CROSS JOIN {series} WHERE t.number LIKE 'BJ%%'"
                )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {connection.ops.quote_name(Case._meta.db_table)}")
    return Case.objects.count()


def generate_rects(n: int) -> int:
    """`n` bad ratings of the first cases, each with its open rectification."""
    from django.db import transaction
    from django.utils import timezone

    from govhall.cases.models import Case
    from govhall.feedback.models import Rating, Rectification

    today = timezone.localdate()
    statuses = ["open", "revisited", "checking", "fixing"]
    ids = list(Case.objects.order_by("pk").values_list("pk", "center_id", "item_id")[:n])
    with transaction.atomic():
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            ratings = Rating.objects.bulk_create(
                [
                    Rating(
                        event_kind="case",
                        case_id=pk,
                        step="completed",
                        channel="qr",
                        level=1,
                        indicators=["overall"],
                        center_id=center_id,
                        item_id=item_id,
                    )
                    for pk, center_id, item_id in chunk
                ]
            )
            Rectification.objects.bulk_create(
                [
                    Rectification(
                        rating=r,
                        center_id=r.center_id,
                        status=statuses[i % 4],
                        fix_due=today + timedelta(days=(i % 41) - 20),
                        revisit_due=today + timedelta(days=(i % 13) - 6) if i % 2 else None,
                    )
                    for i, r in enumerate(ratings, start=start)
                ]
            )
    return Rectification.objects.exclude(status="closed").count()


def timed(job, *args, **kwargs) -> tuple[int, float]:
    t = time.perf_counter()
    written = job(*args, **kwargs)
    return written, time.perf_counter() - t


def report(
    name: str, rows: str, first: tuple[int, float], second: tuple[int, float], extra: str = ""
) -> bool:
    ok = first[1] < TARGET_S and second[1] < TARGET_S and second[0] == 0
    print(
        f"{name} over {rows}: first run wrote {first[0]:,} in {first[1]:.2f} s{extra}; "
        f"second run wrote {second[0]} in {second[1]:.2f} s — {'PASS' if ok else 'FAIL'}",
        flush=True,
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="open complaints (0: skip)")
    parser.add_argument("--cases", type=int, default=200_000, help="completed cases (0: skip)")
    parser.add_argument(
        "--rects", type=int, default=100_000, help="open rectifications (0: skip; at most half the cases)"
    )
    parser.add_argument(
        "--pg-db", default=DB_NAME, help="PostgreSQL database to (re)create beside DATABASE_URL"
    )
    args = parser.parse_args()
    vendor = configure(args.pg_db)
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/7")
    import logging

    import django

    django.setup()
    # The SMS backend logs each message; 70,000 log lines would time the terminal, not the job.
    logging.getLogger("govhall.core.notifications").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from govhall.cases.models import Case
    from govhall.feedback.models import Complaint, RatingInvitation
    from govhall.feedback.services import (
        complaint_deadlines_run,
        invitations_send,
        rectification_warnings_compute,
    )

    oks = []
    print(f"generating {args.rows:,} open complaints on {vendor} …", flush=True)
    generate(args.rows)
    if args.rows:
        t = time.perf_counter()
        base_n = Complaint.objects.filter(status__in=Complaint.OPEN).count()
        baseline = time.perf_counter() - t
        first = timed(complaint_deadlines_run)
        second = timed(complaint_deadlines_run)
        red = Complaint.objects.filter(warning="red").count()
        print(f"open complaints: {base_n:,}; baseline COUNT: {baseline * 1000:.1f} ms")
        oks.append(
            report(
                "complaint_deadlines_run",
                f"{base_n:,} open complaints",
                first,
                second,
                f" (red now {red:,}; {first[1] / max(baseline, 1e-6):.1f}x the COUNT)",
            )
        )
    if args.cases:
        from govhall.catalog.demo import load_demo_catalog

        t = time.perf_counter()
        from govhall.centers.demo import load_demo

        load_demo()
        load_demo_catalog()
        n = generate_cases(args.cases)
        print(f"generated {n:,} completed cases in {time.perf_counter() - t:.0f} s", flush=True)
        if args.rects:
            t = time.perf_counter()
            r = generate_rects(min(args.rects, n // 2))  # half the cases stay unrated: invitations
            print(
                f"generated {r:,} open rectifications (bad ratings) in {time.perf_counter() - t:.0f} s",
                flush=True,
            )
            first = timed(rectification_warnings_compute)
            second = timed(rectification_warnings_compute)
            oks.append(report("rectification_warnings_compute", f"{r:,} open rectifications", first, second))
        import govhall.feedback.services as fs

        sms = [0]
        real_send = fs.send_sms

        def counted(phone: str, text: str) -> None:  # every SMS still goes through send_sms
            sms[0] += 1
            real_send(phone, text)

        fs.send_sms = counted
        first = timed(invitations_send)
        second = timed(invitations_send)
        made = RatingInvitation.objects.count()
        oks.append(
            report(
                "invitations_send",
                f"{Case.objects.count():,} completed cases",
                first,
                second,
                f" ({made:,} invitations stored, {sms[0]:,} SMS sent)",
            )
        )
    ok = all(oks)
    print(f"target < {TARGET_S:.0f} s each and second runs write nothing: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
