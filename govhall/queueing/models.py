"""Queues, windows, tickets, calls and appointments of a hall (取号、叫号、预约).

A hall is a `centers.Center` (the district center or a branch). Numbers run per
hall, queue and day (A001, A002 …) from one counter row per scope, incremented
inside the issuing transaction, so they never repeat or skip."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from govhall.core.fields import EncryptedCharField, EncryptedModelMixin, LookupHashField
from govhall.core.models import TimeStamped


def new_token() -> str:
    return secrets.token_urlsafe(12)


class HallRules(TimeStamped):
    """The rules a hall sets for its queues: how priority tickets (绿色通道) go
    ahead without starving the normal queue, how far ahead one may book, and
    when the SMS reminder goes out."""

    center = models.OneToOneField(
        "centers.Center", on_delete=models.CASCADE, related_name="queue_rules", verbose_name="大厅"
    )
    priority_run = models.PositiveSmallIntegerField(
        "优先连续叫号上限",
        default=2,
        help_text="每个窗口连续叫几个绿色通道/预约号后，若有普通号等候，必须叫一个普通号（防止普通队列长期无人叫）。",
    )
    booking_horizon_days = models.PositiveSmallIntegerField("可预约天数", default=30)
    sms_when_ahead = models.PositiveSmallIntegerField("前面剩几人时短信提醒", default=3)
    keep_place_on_transfer = models.BooleanField("转移时保留原排队位置", default=True)
    ticket_cutoff_minutes = models.PositiveSmallIntegerField(
        "停止取号（闭厅前分钟数）",
        default=30,
        help_text="当日最后一个办公时段结束前多少分钟停止取号（预约签到不受此限）。",
    )
    no_show_requeue_after = models.PositiveSmallIntegerField(
        "过号重排：排在其后等候人数",
        default=3,
        help_text="过号的号当天可重新排队一次，排在当时等候的前几位之后（不插到最前）。",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "大厅排队规则"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.center} 排队规则"

    def clean(self):
        if not 1 <= (self.priority_run or 0) <= 20:
            raise ValidationError({"priority_run": "优先连续叫号上限应在 1 到 20 之间。"})
        if not 1 <= (self.booking_horizon_days or 0) <= 180:
            raise ValidationError({"booking_horizon_days": "可预约天数应在 1 到 180 之间。"})
        if (self.ticket_cutoff_minutes or 0) > 240:
            raise ValidationError({"ticket_cutoff_minutes": "停止取号时间应在闭厅前 0 到 240 分钟之间。"})
        if (self.no_show_requeue_after or 0) > 50:
            raise ValidationError({"no_show_requeue_after": "过号重排位置应在 0 到 50 之间。"})


class Queue(TimeStamped):
    """A line of a hall: a letter prefix (A, B …) and the items it covers."""

    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="queues", verbose_name="大厅"
    )
    letter = models.CharField(
        "字母前缀", max_length=2, validators=[RegexValidator(r"^[A-Z]{1,2}$", "前缀应为 1–2 个大写字母。")]
    )
    name = models.CharField("队列名称", max_length=40)
    description = models.CharField("说明", max_length=200, blank=True)
    items = models.ManyToManyField(
        "catalog.ServiceItem", blank=True, related_name="queues", verbose_name="覆盖事项"
    )
    is_active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=100)
    daily_cap = models.PositiveIntegerField(
        "每日限号",
        null=True,
        blank=True,
        help_text="每天最多发多少个号（含预约签到的号；预约签到不受限）；留空为不限。",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "队列"
        verbose_name_plural = "队列"
        ordering = ["center", "order", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["center", "letter"], name="unique_queue_letter_per_hall")
        ]

    def __str__(self):
        return f"{self.letter} {self.name}"

    def clean(self):
        if self.daily_cap is not None and not 1 <= self.daily_cap <= 9999:
            raise ValidationError({"daily_cap": "每日限号应在 1 到 9999 之间；不限号请留空。"})


class Window(TimeStamped):
    """窗口: a counter of a hall, serving some queues; open, paused or closed."""

    class Status(models.TextChoices):
        CLOSED = "closed", "关闭"
        OPEN = "open", "开放"
        PAUSED = "paused", "暂停"

    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="windows", verbose_name="大厅"
    )
    number = models.PositiveSmallIntegerField("窗口号")
    name = models.CharField("窗口名称", max_length=40)
    queues = models.ManyToManyField(Queue, related_name="windows", verbose_name="服务队列", blank=True)
    items = models.ManyToManyField(
        "catalog.ServiceItem",
        blank=True,
        related_name="windows",
        verbose_name="可办事项",
        help_text="留空则按所服务队列覆盖的事项",
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.CLOSED)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="queue_windows",
        verbose_name="当前工作人员",
    )
    opened_at = models.DateTimeField("开窗时间", null=True, blank=True)
    pause_reason = models.CharField("暂停原因", max_length=60, blank=True)
    # How many priority/appointment tickets this window called in a row (the
    # hall's priority_run caps it when normal tickets wait).
    fast_streak = models.PositiveSmallIntegerField("连续优先叫号数", default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["fast_streak"])

    class Meta:
        verbose_name = "窗口"
        verbose_name_plural = "窗口"
        ordering = ["center", "number"]
        constraints = [
            models.UniqueConstraint(fields=["center", "number"], name="unique_window_number_per_hall")
        ]

    def __str__(self):
        return f"{self.number}号窗口 {self.name}"


class Ticket(EncryptedModelMixin, models.Model):
    """A numbered ticket of one hall, queue and day, and its service events:
    when it was taken, called, served and finished, by whom and where."""

    class Kind(models.TextChoices):
        NORMAL = "normal", "普通"
        PRIORITY = "priority", "绿色通道"
        APPOINTMENT = "appointment", "预约"

    class PriorityReason(models.TextChoices):
        ELDERLY = "elderly", "老年人"
        DISABLED = "disabled", "残疾人"
        PREGNANT = "pregnant", "孕妇"
        SERVICEMAN = "serviceman", "军人、退役军人（优待证）"

    class Status(models.TextChoices):
        WAITING = "waiting", "等候中"
        CALLED = "called", "已叫号"
        SERVING = "serving", "办理中"
        DONE = "done", "已办结"
        NO_SHOW = "no_show", "过号未到"
        CANCELLED = "cancelled", "已取消"

    class Channel(models.TextChoices):
        KIOSK = "kiosk", "自助取号机"
        PHONE = "phone", "手机扫码"
        CLERK = "clerk", "窗口代取"
        APPOINTMENT = "appointment", "预约签到"
        API = "api", "接口"

    ACTIVE = (Status.WAITING, Status.CALLED, Status.SERVING)

    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="tickets", verbose_name="大厅"
    )
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="tickets", verbose_name="队列")
    origin_queue = models.ForeignKey(
        Queue, on_delete=models.PROTECT, related_name="+", verbose_name="取号队列"
    )
    day = models.DateField("日期")
    number = models.PositiveIntegerField("序号")
    code = models.CharField("号码", max_length=8)
    token = models.CharField("查询码", max_length=24, unique=True, default=new_token, editable=False)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices, default=Kind.NORMAL)
    priority_reason = models.CharField("优先原因", max_length=12, choices=PriorityReason.choices, blank=True)
    channel = models.CharField("取号方式", max_length=12, choices=Channel.choices, default=Channel.KIOSK)
    idempotency_key = models.CharField("幂等键", max_length=64, null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.WAITING)
    # The place in line: the time the ticket queues from (kept on transfer by rule).
    sort_at = models.DateTimeField("排队时间")
    # An appointment ticket goes ahead of walk-ins until its slot ends.
    ahead_until = models.DateTimeField("优先截止", null=True, blank=True)
    target_window = models.ForeignKey(
        Window, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="指定窗口"
    )
    window = models.ForeignKey(
        Window,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name="办理窗口",
    )
    phone = EncryptedCharField("提醒手机号", max_length=20, blank=True)  # encrypted at rest (core.fields)
    phone_hash = LookupHashField(source="phone")  # "" when no reminder is asked for
    sms_sent_at = models.DateTimeField("短信提醒时间", null=True, blank=True)
    taken_at = models.DateTimeField("取号时间")
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="代取人",
    )
    called_at = models.DateTimeField("叫号时间", null=True, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="叫号人",
    )
    call_count = models.PositiveSmallIntegerField("呼叫次数", default=0)
    served_at = models.DateTimeField("开始办理", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="办结人",
    )
    note = models.CharField("备注", max_length=200, blank=True)
    # 过号重排: when a no-show ticket was put back in line (once, the same day).
    requeued_at = models.DateTimeField("过号重排时间", null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["token", "idempotency_key"])

    class Meta:
        verbose_name = "排队号"
        verbose_name_plural = "排队号"
        ordering = ["-day", "queue", "number"]
        constraints = [
            models.UniqueConstraint(fields=["origin_queue", "day", "number"], name="unique_ticket_number"),
            models.UniqueConstraint(
                fields=["center", "idempotency_key"],
                name="unique_ticket_idempotency",
                condition=Q(idempotency_key__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["center", "day", "status"], name="ticket_hall_day_status"),
            # Every hall's tickets of a range of days (the cockpit's rollups, dashboards.rollups).
            models.Index(fields=["day"], name="ticket_day"),
            # The waiting line of a queue in order, and how many are ahead of a ticket: every
            # column those queries read, so they are answered from the index alone.
            models.Index(
                fields=["queue", "day", "status", "sort_at", "kind", "ahead_until"], name="ticket_queue_line"
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def is_fast(self) -> bool:
        return self.kind != self.Kind.NORMAL

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class Call(models.Model):
    """One call of a ticket to a window (a recall is another call): what the board shows and says."""

    center = models.ForeignKey(
        "centers.Center", on_delete=models.CASCADE, related_name="+", verbose_name="大厅"
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="calls", verbose_name="排队号")
    window = models.ForeignKey(Window, on_delete=models.CASCADE, related_name="calls", verbose_name="窗口")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="叫号人",
    )
    at = models.DateTimeField("时间", db_index=True)
    is_recall = models.BooleanField("重呼", default=False)

    class Meta:
        verbose_name = "叫号记录"
        verbose_name_plural = verbose_name
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"请{self.ticket.code}号到{self.window.number}号窗口办理"

    @property
    def announcement(self) -> str:
        return f"请{self.ticket.code}号到{self.window.number}号窗口办理"


class AppointmentSlot(TimeStamped):
    """A time slot of a hall and queue (the items it covers) with a capacity."""

    center = models.ForeignKey(
        "centers.Center", on_delete=models.CASCADE, related_name="appointment_slots", verbose_name="大厅"
    )
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="slots", verbose_name="队列")
    date = models.DateField("日期")
    starts = models.TimeField("开始")
    ends = models.TimeField("结束")
    capacity = models.PositiveSmallIntegerField("可预约人数")
    booked = models.PositiveSmallIntegerField("已预约", default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["booked"])

    class Meta:
        verbose_name = "预约时段"
        verbose_name_plural = "预约时段"
        ordering = ["date", "starts", "queue"]
        constraints = [
            models.UniqueConstraint(fields=["queue", "date", "starts"], name="unique_slot"),
            models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="slot_ends_after_start"),
            models.CheckConstraint(condition=Q(booked__lte=models.F("capacity")), name="slot_not_overbooked"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.starts:%H:%M}-{self.ends:%H:%M} {self.queue.name}"

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.booked)


class Appointment(EncryptedModelMixin, TimeStamped):
    """预约: a booked slot; checked in at the hall it becomes a ticket served
    ahead of walk-ins within its slot. One booking per person, queue and day."""

    class Status(models.TextChoices):
        BOOKED = "booked", "已预约"
        CANCELLED = "cancelled", "已取消"
        CHECKED_IN = "checked_in", "已签到"
        NO_SHOW = "no_show", "爽约"

    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="appointments", verbose_name="大厅"
    )
    slot = models.ForeignKey(
        AppointmentSlot, on_delete=models.PROTECT, related_name="appointments", verbose_name="时段"
    )
    queue = models.ForeignKey(
        Queue, on_delete=models.PROTECT, related_name="appointments", verbose_name="队列"
    )
    date = models.DateField("日期")
    name = models.CharField("姓名", max_length=50)
    # Encrypted at rest (core.fields); one booking per person is kept through the hash.
    id_number = EncryptedCharField("身份证号", max_length=18)
    id_number_hash = LookupHashField(source="id_number")
    phone = EncryptedCharField("手机号", max_length=20)
    token = models.CharField("预约码", max_length=24, unique=True, default=new_token, editable=False)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.BOOKED)
    ticket = models.OneToOneField(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointment",
        verbose_name="签到取号",
    )
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="预约账号",
    )
    history = HistoricalRecords(excluded_fields=["token"])

    class Meta:
        verbose_name = "预约"
        verbose_name_plural = "预约"
        ordering = ["date", "slot__starts", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash", "queue", "date"],
                name="one_booking_per_person_queue_day",
                condition=Q(status__in=["booked", "checked_in"]),
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.slot}"
