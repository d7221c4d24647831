import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from govhall.core.extensions import periodic_jobs


class Command(BaseCommand):
    help = "Run every app's periodic jobs (core.extensions.periodic_jobs) every few minutes."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=300, help="seconds between runs")
        parser.add_argument("--once", action="store_true")

    def handle(self, *args, interval=300, once=False, **options):
        while True:
            for label, job in periodic_jobs.registered():
                try:
                    result = job()
                except Exception as exc:  # noqa: BLE001 - one failing job must not stop the others
                    self.stderr.write(f"{timezone.localtime():%Y-%m-%d %H:%M} {label} failed: {exc!r}")
                    continue
                count = len(result) if isinstance(result, list) else result
                if count:
                    self.stdout.write(f"{timezone.localtime():%Y-%m-%d %H:%M} {label}: {count}")
            if once:
                return
            time.sleep(interval)
