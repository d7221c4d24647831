"""Encrypt personal data still stored in plain text (rows from before encryption) and fill
missing lookup hashes. Idempotent: a second run changes nothing."""

from django.core.management.base import BaseCommand
from django.db import transaction

from govhall.core.fields import fill_hashes, models_with_encrypted_fields, reencrypt_rows


class Command(BaseCommand):
    help = "加密尚为明文的个人信息（证件号码、手机号），并补齐查找用的散列；可重复执行。"

    def handle(self, *args, **options):
        total = 0
        for model in models_with_encrypted_fields():
            with transaction.atomic():
                encrypted = reencrypt_rows(model, rotate=False)
                hashed = fill_hashes(model)
            total += encrypted
            self.stdout.write(f"{model._meta.label}: 加密 {encrypted} 行，补散列 {hashed} 行")
        self.stdout.write(self.style.SUCCESS(f"共加密 {total} 行"))
