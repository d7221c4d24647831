from django.core.management.base import BaseCommand

from govhall.staffing.demo import load_demo_staffing


class Command(BaseCommand):
    help = (
        "Demo A/B posts, training and leave rule for 婚姻登记分中心 (after load_demo and load_demo_queueing). "
        "Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, quiet=False, **options):
        created = load_demo_staffing()
        if not quiet:
            self.stdout.write("人员管理演示数据：" + "，".join(f"{k} +{v}" for k, v in created.items()))
