import logging

from django.core.management.base import BaseCommand, CommandError

from govhall.core.audit import audit_prune, retention_days
from govhall.core.errors import DomainError

log = logging.getLogger("govhall.audit")


class Command(BaseCommand):
    help = "删除超过保存期限（GOVHALL_AUDIT_RETENTION_DAYS，至少 183 天）的操作记录和个人信息查看记录。"

    def handle(self, *args, **options):
        try:
            removed = audit_prune()
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        total = sum(removed.values())
        log.warning("操作记录清理：保存期限 %s 天，删除 %s 条 %s", retention_days(), total, removed)
        self.stdout.write(f"保存期限 {retention_days()} 天：删除 {total} 条早于期限的记录。")
