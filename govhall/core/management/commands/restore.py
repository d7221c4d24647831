from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from govhall.core.backup import backup_restore
from govhall.core.errors import DomainError


class Command(BaseCommand):
    help = "从备份目录恢复数据库和上传文件，并逐表核对。会覆盖当前数据：须加 --yes。"

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--yes", action="store_true", help="确认覆盖当前数据")

    def handle(self, *args, **options):
        if not options["yes"]:
            raise CommandError("恢复会覆盖当前的数据库和上传文件。确认无误后加 --yes 再运行。")
        try:
            manifest = backup_restore(folder=Path(options["folder"]))
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已恢复 {manifest['created_at']} 的备份，{len(manifest['tables'])} 张表核对一致。")
