from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from simple_history.models import HistoricalRecords


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


class PersonalDataAccess(models.Model):
    """One look at a full phone or ID number: who looked, at whose record, which
    field, when and why. Lists, logs and exports show these numbers masked; the
    full number is shown only on request, and every request is kept here."""

    class Field(models.TextChoices):
        PHONE = "phone", "手机号"
        ID_NUMBER = "id_number", "身份证号"

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="查看人"
    )
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name="记录类型"
    )
    subject_id = models.CharField("记录编号", max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_label = models.CharField("记录", max_length=200)
    field = models.CharField("字段", max_length=20, choices=Field.choices)
    reason = models.CharField("原因", max_length=200, blank=True)
    at = models.DateTimeField("查看时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "个人信息查看记录"
        verbose_name_plural = verbose_name
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="pda_subject")]

    def __str__(self):
        return f"{self.viewer} 查看 {self.subject_label} 的{self.get_field_display()}"


class CalendarOverride(models.Model):
    """A local correction of the working-day calendar, kept by the district
    office: a closure (is_workday=False), an extra working day, or the holidays
    of a year the `chinesecalendar` package does not know yet. A row with no
    district applies everywhere; a district's own row wins over it."""

    date = models.DateField("日期")
    is_workday = models.BooleanField("工作日")
    note = models.CharField("说明", max_length=100, blank=True, help_text="如：2027 年元旦；因停电闭厅")
    district = models.ForeignKey(
        "centers.District",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_overrides",
        verbose_name="区县（空为全部）",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = verbose_name
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["date", "district"], name="unique_override_per_district"),
            models.UniqueConstraint(
                fields=["date"], condition=models.Q(district__isnull=True), name="unique_override_everywhere"
            ),
        ]

    def __str__(self):
        return f"{self.date} {'上班' if self.is_workday else '休息'} {self.note}"
