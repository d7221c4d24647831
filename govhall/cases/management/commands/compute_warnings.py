from django.core.management.base import BaseCommand

from govhall.cases.services import deadlines_recompute, warnings_compute


class Command(BaseCommand):
    help = "电子监察：计算办件和首问的黄牌/红牌预警（可重复运行，不重复计数）。"

    def handle(self, *args, **options):
        recomputed = deadlines_recompute()
        result = warnings_compute()
        self.stdout.write(
            f"recomputed {recomputed} deadline(s); warnings created {result['created']}, "
            f"resolved {result['resolved']}, open {result['open']}"
        )
