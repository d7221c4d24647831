from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    name = "govhall.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        checks.register(audit_retention_check)
        checks.register(field_keys_check)


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


def field_keys_check(app_configs, **kwargs):
    """Production needs its own encryption and lookup keys; malformed keys are an error anywhere."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    from .crypto import keyring, keys_configured

    if getattr(settings, "PRODUCTION", False) and not keys_configured():
        return [
            checks.Error(
                "生产环境须设置 GOVHALL_FIELD_KEYS 与 GOVHALL_LOOKUP_KEY（个人信息加密存储的密钥）。",
                hint="python -c \"import os,base64;print('k1:'+base64.b64encode(os.urandom(32)).decode())\"",
                id="govhall.E002",
            )
        ]
    try:
        keyring()
    except ImproperlyConfigured as e:
        return [checks.Error(f"个人信息加密密钥配置有误：{e}", id="govhall.E003")]
    return []
