from django.core.management.base import BaseCommand

from govhall.centers.demo import ACCOUNTS, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo district (合川区). Idempotent: a second run changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, quiet=False, **options):
        created = load_demo()
        if quiet:
            return
        self.stdout.write("演示数据（demo data）：" + "，".join(f"{k} +{v}" for k, v in created.items()))
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, full_name, role, center in ACCOUNTS:
            self.stdout.write(f"  {username:<12} {role.label:<10} {center:<7} {full_name}")
