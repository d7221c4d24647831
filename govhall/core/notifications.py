"""Notifications to people: the one place every app sends an SMS from.

A pluggable backend: settings.GOVHALL_SMS_BACKEND names a class with
`send(phone, text)`; the default only logs (masked) and keeps an outbox, so a
hall without an SMS gateway still works and tests can read what was sent. A
failed send is logged and never breaks the action that sent it."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from govhall.core.masking import mask_phone

log = logging.getLogger("govhall.core.notifications")


class LogBackend:
    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.outbox.append((phone, text))
        del self.outbox[:-200]
        log.info("短信 %s：%s", mask_phone(phone), text)


def send_sms(phone: str, text: str) -> None:
    backend = import_string(
        getattr(settings, "GOVHALL_SMS_BACKEND", "govhall.core.notifications.LogBackend")
    )()
    try:
        backend.send(phone, text)
    except Exception:  # noqa: BLE001 - a failed message must not break the action that sent it
        log.exception("短信发送失败 %s", mask_phone(phone))
