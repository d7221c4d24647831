from django.core.management.base import BaseCommand

from govhall.queueing.demo import load_demo_queueing


class Command(BaseCommand):
    help = "Demo queues, windows and appointment slots for the demo halls (after load_demo). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, quiet=False, **options):
        created = load_demo_queueing()
        if not quiet:
            self.stdout.write("排队叫号演示数据：" + "，".join(f"{k} +{v}" for k, v in created.items()))
