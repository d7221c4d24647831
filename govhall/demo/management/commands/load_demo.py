from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from govhall.cases.demo import load_demo_cases
from govhall.catalog.demo import load_demo_catalog
from govhall.centers.demo import ACCOUNTS, DEMO_PASSWORD, load_demo
from govhall.coordination.demo import load_demo_coordination
from govhall.dashboards.rollups import rollup_days
from govhall.demo.history import load_demo_history
from govhall.demo.people import load_demo_people
from govhall.queueing.demo import load_demo_queueing
from govhall.staffing.demo import load_demo_staffing


class Command(BaseCommand):
    help = (
        "Load the demo district (合川区): centers, catalog, queues, cases, people at every hall, "
        "coordination (a joint meeting, notices, help requests) and the last N days lived through the services (--days, default 60). Idempotent: a second run "
        "changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true")
        parser.add_argument(
            "--only-centers", action="store_true", help="the district, its centers and accounts only"
        )
        parser.add_argument(
            "--days", type=int, default=60, help="days of history before today (0: none; default 60)"
        )

    def handle(self, *args, quiet=False, only_centers=False, days=60, **options):
        if not 0 <= days <= 366:
            raise CommandError("--days 应在 0 到 366 之间。")
        report: dict[str, object] = {"centers": load_demo()}
        if not only_centers:
            report["catalog"] = load_demo_catalog()
            report["queueing"] = load_demo_queueing()
            report["cases"] = load_demo_cases()
            # Before staffing's demo: every hall's 考勤启用日期 is the history's first day.
            report["people"] = load_demo_people(days=days)
            report["staffing"] = load_demo_staffing()
            history = load_demo_history(days=days, progress=None if quiet else self.stdout.write)
            report["history"] = history
            # After the history: the 代办 links to a case the history's halls received.
            report["coordination"] = load_demo_coordination()
            if history["days"]:  # the cockpit reads rollups: build them for the days just lived
                today = timezone.localdate()
                report["rollups"] = {
                    "hall_days": rollup_days(since=today - timedelta(days=days), until=today)
                }
        if quiet:
            return
        for part, created in report.items():
            summary = (
                "，".join(f"{k} +{v}" for k, v in created.items()) if isinstance(created, dict) else created
            )
            self.stdout.write(f"演示数据（demo data）[{part}]：{summary}")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, full_name, role, center in ACCOUNTS:
            self.stdout.write(f"  {username:<12} {role.label:<10} {center:<7} {full_name}")
