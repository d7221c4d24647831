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


class HolidayArrangement(models.Model):
    """One year's national holiday arrangement as the State Council published it
    (国务院办公厅关于 YYYY 年部分节假日安排的通知, 国办发明电〔…〕N号): every holiday
    period and every make-up working day, entered whole by a district office and
    confirmed by a second person of that office. Only a confirmed arrangement
    makes its year known to the working-day calendar; local closures
    (CalendarOverride) never do. No district: entered for every district (admin)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待确认"
        CONFIRMED = "confirmed", "已确认"

    year = models.PositiveSmallIntegerField("年份")
    number = models.CharField("文号", max_length=60, help_text="如：国办发明电〔2025〕7号")
    title = models.CharField("通知标题", max_length=120)
    district = models.ForeignKey(
        "centers.District",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="holiday_arrangements",
        verbose_name="录入区县（空为全部）",
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="录入人",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认人",
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = verbose_name
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "district"], name="unique_arrangement_per_district"),
            models.UniqueConstraint(
                fields=["year"],
                condition=models.Q(district__isnull=True),
                name="unique_arrangement_everywhere",
            ),
        ]

    def __str__(self):
        return f"{self.year} 年节假日安排（{self.get_status_display()}）"


class HolidayPeriod(models.Model):
    """A holiday of an arrangement: its name (元旦、春节 …) and its days off, start to end."""

    arrangement = models.ForeignKey(
        HolidayArrangement, on_delete=models.CASCADE, related_name="periods", verbose_name="节假日安排"
    )
    name = models.CharField("节日", max_length=20)
    start = models.DateField("放假开始")
    end = models.DateField("放假结束")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "放假时段"
        verbose_name_plural = verbose_name
        ordering = ["start"]

    def __str__(self):
        return f"{self.name} {self.start} 至 {self.end}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class MakeUpWorkday(models.Model):
    """A weekend day of an arrangement on which everyone works (调休上班)."""

    arrangement = models.ForeignKey(
        HolidayArrangement, on_delete=models.CASCADE, related_name="makeups", verbose_name="节假日安排"
    )
    date = models.DateField("调休上班日")
    name = models.CharField("说明", max_length=20, blank=True, help_text="如：春节调休")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "调休上班日"
        verbose_name_plural = verbose_name
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} 上班 {self.name}"


# ── 事项库 (catalog) ──
class PublicVersion(models.Model):
    """A number bumped, in the writer's transaction, whenever something the public
    pages show changes (govhall/core/public_cache.py): cached fragments are keyed by
    it, so a change is seen at once by every process, never after a timer."""

    name = models.CharField(max_length=40, primary_key=True)
    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "公开页面数据版本"
        verbose_name_plural = "公开页面数据版本"

    def __str__(self):
        return f"{self.name}={self.number}"
