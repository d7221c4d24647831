from datetime import date

from django.core.management.base import BaseCommand

from govhall.centers.services import changes_apply_due


class Command(BaseCommand):
    help = "Apply approved branch changes whose effective date has come (run daily; safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="apply as of this date (YYYY-MM-DD); default today")

    def handle(self, *args, date=None, **options):
        today = _parse(date) if date else None
        applied = changes_apply_due(today=today)
        self.stdout.write(f"applied {len(applied)} change(s)")
        for change in applied:
            self.stdout.write(f"  {change.filing_number} {change}")


def _parse(value: str):
    return date.fromisoformat(value)
