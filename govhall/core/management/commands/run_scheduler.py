import time

from django.core.management.base import BaseCommand
from django.utils import timezone

# The periodic jobs of every app, each idempotent (running twice adds nothing).
JOBS = [
    ("applied branch changes", "govhall.centers.services", "changes_apply_due"),
    ("case and inquiry warnings", "govhall.cases.services", "warnings_compute"),
    ("leaves started", "govhall.staffing.services", "leaves_start_due"),
    ("staffing gap warnings", "govhall.staffing.services", "staffing_gaps_warn"),
    ("appointment no-shows", "govhall.queueing.services", "appointments_mark_no_show"),
    ("appointment reminders", "govhall.queueing.services", "appointments_remind"),
]


class Command(BaseCommand):
    help = "Run the periodic jobs every few minutes: due branch changes, supervision warnings, staffing gaps, appointments."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=300, help="seconds between runs")
        parser.add_argument("--once", action="store_true")

    def handle(self, *args, interval=300, once=False, **options):
        from importlib import import_module

        while True:
            for label, module, name in JOBS:
                try:
                    result = getattr(import_module(module), name)()
                except Exception as exc:  # noqa: BLE001 - one failing job must not stop the others
                    self.stderr.write(f"{timezone.now():%Y-%m-%d %H:%M} {label} failed: {exc!r}")
                    continue
                count = len(result) if isinstance(result, list) else result
                if count:
                    self.stdout.write(f"{timezone.now():%Y-%m-%d %H:%M} {label}: {count}")
            if once:
                return
            time.sleep(interval)
