"""Re-encrypt every personal-data value under the current key (the first of
GOVHALL_FIELD_KEYS); the old key must still be listed until this has run. With --lookup,
recompute every lookup hash under the current GOVHALL_LOOKUP_KEY (the values are decrypted
for it, so the old lookup key is not needed)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from govhall.core import crypto
from govhall.core.fields import fill_hashes, models_with_encrypted_fields, reencrypt_rows


class Command(BaseCommand):
    help = "用当前密钥重新加密全部个人信息；--lookup 同时按当前查找密钥重算散列。"

    def add_arguments(self, parser):
        parser.add_argument("--lookup", action="store_true", help="按当前 GOVHALL_LOOKUP_KEY 重算查找散列")

    def handle(self, *args, lookup=False, **options):
        current = crypto.keyring().current
        total = rehashed = 0
        for model in models_with_encrypted_fields():
            with transaction.atomic():
                changed = reencrypt_rows(model, rotate=True)
                hashed = fill_hashes(model) if lookup else 0
            total += changed
            rehashed += hashed
            self.stdout.write(
                f"{model._meta.label}: 重新加密 {changed} 行" + (f"，重算散列 {hashed} 行" if lookup else "")
            )
        self.stdout.write(
            self.style.SUCCESS(f"当前密钥 {current}：共重新加密 {total} 行，重算散列 {rehashed} 行")
        )
