from django.db import models


class TimeStamped(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class Counter(models.Model):
    """One row per numbering scope (filing numbers, later case and ticket
    numbers). Incremented inside the caller's transaction with the row locked,
    so numbers never repeat or skip. No max()+1, no database sequences."""

    scope = models.CharField("范围", max_length=120, unique=True)
    value = models.PositiveBigIntegerField("当前值", default=0)

    class Meta:
        verbose_name = "编号计数器"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.scope}={self.value}"
