"""manage.py rollup_rebuild [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--days N]"""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from govhall.dashboards.rollups import rollup_days


class Command(BaseCommand):
    help = "重算驾驶舱统计（按日汇总），默认最近 60 天；可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument("--since", help="起始日期 YYYY-MM-DD")
        parser.add_argument("--until", help="截止日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--days", type=int, default=60, help="未给起始日期时，向前多少天（默认 60）")

    def handle(self, *args, since=None, until=None, days=60, **options):
        try:
            end = date.fromisoformat(until) if until else timezone.localdate()
            start = date.fromisoformat(since) if since else end - timedelta(days=max(days, 1) - 1)
        except ValueError as exc:
            raise CommandError("日期格式应为 YYYY-MM-DD。") from exc
        if start > end:
            raise CommandError("起始日期不能晚于截止日期。")
        step = timedelta(days=31)
        total = 0
        chunk = start
        while chunk <= end:
            last = min(chunk + step - timedelta(days=1), end)
            total += rollup_days(since=chunk, until=last)
            chunk = last + timedelta(days=1)
        self.stdout.write(f"已重算 {start} 至 {end}：{total} 条大厅日统计。")
