from django.core.management.base import BaseCommand

from govhall.catalog.demo import load_demo_catalog


class Command(BaseCommand):
    help = "Load the demo catalog of Hechuan (items, guides, negative list). Idempotent."

    def handle(self, *args, **options):
        created = load_demo_catalog()
        self.stdout.write(f"demo catalog: {created}")
