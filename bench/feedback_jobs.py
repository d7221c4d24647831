"""The complaints deadline job (feedback.services.complaint_deadlines_run) over
100,000 open complaints: first run (sets yellow/red), second run (must write
nothing), against a plain COUNT of the same rows measured in the same run.

    .venv/bin/python bench/feedback_jobs.py            # SQLite file var/bench/feedback.sqlite3 (recreated)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/feedback_jobs.py
                                                       # PostgreSQL database govhall_bench_feedback (recreated)
    options: --rows 100000

Rows are bulk-inserted (not through the services); their answer deadlines are
spread from 20 days ago to 20 days ahead, so about half end red and a tenth yellow.
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


def configure() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    url = os.environ.get("DATABASE_URL")
    if url:
        base, _, _ = url.rpartition("/")
        import psycopg

        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
        os.environ["DATABASE_URL"] = f"{base}/{DB_NAME}"
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    vendor = configure()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from govhall.feedback.models import Complaint
    from govhall.feedback.services import complaint_deadlines_run

    print(f"generating {args.rows:,} open complaints on {vendor} …", flush=True)
    generate(args.rows)
    t = time.perf_counter()
    base_n = Complaint.objects.filter(status__in=Complaint.OPEN).count()
    baseline = time.perf_counter() - t
    t = time.perf_counter()
    first = complaint_deadlines_run()
    first_s = time.perf_counter() - t
    t = time.perf_counter()
    second = complaint_deadlines_run()
    second_s = time.perf_counter() - t
    red = Complaint.objects.filter(warning="red").count()
    print(f"open complaints: {base_n:,}; baseline COUNT: {baseline * 1000:.1f} ms")
    print(
        f"first run: {first:,} warnings set in {first_s:.2f} s (red now {red:,}); ratio to baseline {first_s / max(baseline, 1e-6):.1f}x"
    )
    print(f"second run: {second} written in {second_s:.2f} s")
    ok = first_s < TARGET_S and second == 0
    print(f"target < {TARGET_S:.0f} s and second run writes nothing: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
