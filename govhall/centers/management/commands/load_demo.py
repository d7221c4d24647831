from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand

from govhall.centers.demo import ACCOUNTS, DEMO_PASSWORD, load_demo

# Each app that has demo data, in the order their data depend on each other.
APP_DEMOS = [
    ("govhall.catalog", "load_demo_catalog"),
    ("govhall.queueing", "load_demo_queueing"),
    ("govhall.cases", "load_demo_cases"),
    ("govhall.staffing", "load_demo_staffing"),
]


class Command(BaseCommand):
    help = (
        "Load the demo district (合川区) and every app's demo data. Idempotent: a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true")
        parser.add_argument(
            "--only-centers", action="store_true", help="the district, its centers and accounts only"
        )

    def handle(self, *args, quiet=False, only_centers=False, **options):
        report = {"centers": load_demo()}
        if not only_centers:
            for app, loader in APP_DEMOS:
                if not apps.is_installed(app):
                    continue
                try:
                    module = import_module(f"{app}.demo")
                except ModuleNotFoundError:
                    continue
                if hasattr(module, loader):
                    report[app.rsplit(".", 1)[1]] = getattr(module, loader)()
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
