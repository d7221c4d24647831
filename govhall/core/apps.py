from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    name = "govhall.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        checks.register(audit_retention_check)


def audit_retention_check(app_configs, **kwargs):
    from .audit import MIN_RETENTION_DAYS, retention_days

    if retention_days() < MIN_RETENTION_DAYS:
        return [
            checks.Error(
                f"GOVHALL_AUDIT_RETENTION_DAYS={retention_days()}：操作记录至少保存 {MIN_RETENTION_DAYS} 天（网络安全法第二十一条）。",
                id="govhall.E001",
            )
        ]
    return []
