from django.core.management.base import BaseCommand

from govhall.cases.demo import load_demo_cases


class Command(BaseCommand):
    help = "Demo cases for 结婚登记 at HC-MZ (run load_demo and load_demo_catalog first). Idempotent."

    def handle(self, *args, **options):
        self.stdout.write(f"demo cases: {load_demo_cases()} created")
