from django.core.management.base import BaseCommand

from govhall.staffing.services import leaves_start_due, staffing_gaps_warn


class Command(BaseCommand):
    help = (
        "Daily: mark started leave as 休假中 and warn branch managers and the district office of every "
        "staffing gap in the next 30 days. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, days=30, quiet=False, **options):
        started = leaves_start_due()
        result = staffing_gaps_warn(days=days)
        if not quiet:
            self.stdout.write(
                f"假期开始 {started} 条；断档 {result['gaps']} 处，新预警 {result['warned']} 条，"
                f"已补岗 {result['resolved']} 条。"
            )
