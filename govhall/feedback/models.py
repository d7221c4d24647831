"""Feedback: 好差评 ratings and their rectification, efficiency complaints,
the 办不成事 window and the 12345 hand-over. Sits above cases, staffing and
queueing and reaches them only through their selectors and extension points."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

# ── Ratings (好差评, GB/T 39734 online / GB/T 39735 offline) ──


class Level(models.IntegerChoices):
    VERY_GOOD = 5, "非常满意"
    GOOD = 4, "满意"
    FAIR = 3, "基本满意"
    BAD = 2, "不满意"
    VERY_BAD = 1, "非常不满意"


BAD_LEVELS = (Level.BAD, Level.VERY_BAD)

# Offline indicators (a window: a ticket, or a case taken in at a window) and online ones.
OFFLINE_INDICATORS = {
    "overall": "整体满意度",
    "efficiency": "服务效率",
    "level": "服务水平",
    "attitude": "服务态度",
}
ONLINE_INDICATORS = {
    "overall": "整体满意度",
    "efficiency": "办事效率",
    "guide": "办事指南精确度",
    "convenience": "办事便捷度",
    "platform": "平台操作性",
}


class Rating(models.Model):
    """One rating of one service event (一次一评) by one channel. The clerk, hall,
    window and item are copied from the event for the statistics."""

    class EventKind(models.TextChoices):
        TICKET = "ticket", "窗口服务（排队号）"
        CASE = "case", "办件"

    class Step(models.TextChoices):
        SERVED = "served", "窗口办结"
        SUBMITTED = "submitted", "接件"
        ACCEPTED = "accepted", "受理"
        COMPLETED = "completed", "办结"

    class Channel(models.TextChoices):
        PAD = "pad", "窗口评价器"
        QR = "qr", "手机扫码"
        ACCOUNT = "account", "群众账号"

    event_kind = models.CharField("评价对象", max_length=8, choices=EventKind.choices)
    ticket = models.ForeignKey(
        "queueing.Ticket", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="ratings"
    )
    step = models.CharField("环节", max_length=10, choices=Step.choices)
    channel = models.CharField("评价渠道", max_length=8, choices=Channel.choices)
    level = models.PositiveSmallIntegerField("评价等级", choices=Level.choices)
    online = models.BooleanField("线上指标", default=False)
    indicators = models.JSONField("不满意的指标", default=list, blank=True)
    text = models.CharField("评价内容", max_length=500, blank=True)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ratings_received",
        verbose_name="被评价人",
    )
    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="ratings", verbose_name="大厅"
    )
    window = models.ForeignKey(
        "queueing.Window", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    item = models.ForeignKey(
        "catalog.ServiceItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="ratings"
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ratings_given",
        verbose_name="评价人（实名）",
    )
    rater_phone = models.CharField("评价人电话", max_length=20, blank=True)
    created_at = models.DateTimeField("评价时间", auto_now_add=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "好差评"
        verbose_name_plural = "好差评"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "step", "channel"],
                condition=models.Q(ticket__isnull=False),
                name="one_rating_per_ticket_step_channel",
            ),
            models.UniqueConstraint(
                fields=["case", "step", "channel"],
                condition=models.Q(case__isnull=False),
                name="one_rating_per_case_step_channel",
            ),
        ]
        indexes = [models.Index(fields=["center", "created_at"], name="rating_center_at")]

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS

    @property
    def real_name(self) -> bool:
        return self.rater_id is not None or bool(self.rater_phone)

    def indicator_labels(self) -> list[str]:
        names = ONLINE_INDICATORS if self.online else OFFLINE_INDICATORS
        return [names.get(code, code) for code in self.indicators]


class RatingPad(models.Model):
    """A window's rating pad (评价器): a tablet bound to the window by a device
    token the hall manager issues. Only the token's hash is kept."""

    window = models.ForeignKey("queueing.Window", on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField("发放时间", auto_now_add=True)
    revoked = models.BooleanField("已停用", default=False)
    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        verbose_name = "窗口评价器"
        verbose_name_plural = "窗口评价器"


class RatingInvitation(models.Model):
    """The one SMS inviting a rating of a completed case nobody rated after 3 days."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = "评价邀请"
        verbose_name_plural = "评价邀请"


class Rectification(models.Model):
    """差评整改: opened by each bad rating, owned by the hall that served."""

    class Status(models.TextChoices):
        OPEN = "open", "待回访"
        REVISITED = "revisited", "已回访，待核实"
        CHECKING = "checking", "核实为不属实，待区政务办复核"
        FIXING = "fixing", "整改中"
        CLOSED = "closed", "已办结"

    class Finding(models.TextChoices):
        VALID = "valid", "属实"
        INVALID = "invalid", "不属实"

    class Warning(models.TextChoices):
        NONE = "", "正常"
        YELLOW = "yellow", "黄牌（临近期限）"
        RED = "red", "红牌（已超期）"

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="rectifications", verbose_name="责任大厅"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    revisit_due = models.DateField("回访期限", null=True, blank=True)
    revisited_at = models.DateTimeField("回访时间", null=True, blank=True)
    revisit_note = models.TextField("回访记录", blank=True)
    finding = models.CharField("核实结论", max_length=8, choices=Finding.choices, blank=True)
    finding_reason = models.TextField("不属实理由", blank=True)
    overturned = models.BooleanField("区政务办已改判为属实", default=False)
    fix_due = models.DateField("整改期限")
    fix_text = models.TextField("整改措施", blank=True)
    answer_text = models.TextField("答复评价人", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    on_time = models.BooleanField("按期办结", null=True, blank=True)
    warning = models.CharField("预警", max_length=8, choices=Warning.choices, blank=True, default="")
    after_level = models.PositiveSmallIntegerField("整改后评价", choices=Level.choices, null=True, blank=True)
    created_at = models.DateTimeField("开启时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改"
        ordering = ["fix_due"]
        indexes = [models.Index(fields=["status", "fix_due"], name="rect_status_due")]
