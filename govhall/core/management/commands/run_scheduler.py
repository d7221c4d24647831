import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from govhall.centers.services import changes_apply_due


class Command(BaseCommand):
    help = "Run the daily jobs every few minutes (idempotent): apply branch changes that are due."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=300, help="seconds between runs")
        parser.add_argument("--once", action="store_true")

    def handle(self, *args, interval=300, once=False, **options):
        while True:
            applied = changes_apply_due()
            if applied:
                self.stdout.write(f"{timezone.now():%Y-%m-%d %H:%M} applied {len(applied)} change(s)")
            from django.apps import apps

            if apps.is_installed("govhall.cases"):
                from govhall.cases.services import warnings_compute

                warned = warnings_compute()
                if warned["created"]:
                    self.stdout.write(f"{timezone.now():%Y-%m-%d %H:%M} raised {warned['created']} warning(s)")
            if once:
                return
            time.sleep(interval)
