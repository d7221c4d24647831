from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from govhall.core.backup import backup_create


class Command(BaseCommand):
    help = "备份数据库和上传文件到一个目录（默认 var/backups）。可由 cron/systemd timer 每日运行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--to", default=str(Path(getattr(settings, "VAR_DIR", settings.BASE_DIR / "var")) / "backups")
        )

    def handle(self, *args, **options):
        folder = backup_create(to=Path(options["to"]))
        self.stdout.write(f"已备份到 {folder}")
