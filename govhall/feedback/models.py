"""Feedback: 好差评 ratings and their rectification, efficiency complaints,
the 办不成事 window and the 12345 hand-over. Sits above cases, staffing and
queueing and reaches them only through their selectors and extension points."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from govhall.core.masking import mask_name, mask_phone
from govhall.core.models import TimeStamped

COMPLAINT_REPLY_DAYS = 10  # working days to answer the complainant (district default)
COMPLAINT_ACCEPT_DAYS = 1  # working days to accept or refuse
UNRESOLVED_DAYS = 5  # working days to solve or explain a 办不成事 problem


class Complaint(TimeStamped):
    """效能投诉. About a person (a clerk at a hall), a hall, or an item at a hall."""

    class Channel(models.TextChoices):
        ONLINE = "online", "网上投诉"
        ACCOUNT = "account", "群众账号"
        WINDOW = "window", "办不成事反映窗口"
        PHONE = "phone", "电话"
        HOTLINE = "12345", "12345热线转办"

    class About(models.TextChoices):
        PERSON = "person", "工作人员"
        HALL = "hall", "大厅（中心）"
        ITEM = "item", "事项"

    class Status(models.TextChoices):
        PENDING = "pending", "待受理"
        ACCEPTED = "accepted", "已受理"
        REFUSED = "refused", "不予受理"
        INVESTIGATING = "investigating", "调查中"
        HANDLED = "handled", "已处置"
        REPLIED = "replied", "已反馈"
        ARCHIVED = "archived", "已归档"

    class Outcome(models.TextChoices):
        UPHELD = "upheld", "投诉成立"
        NOT_UPHELD = "not_upheld", "投诉不成立"

    class Warning(models.TextChoices):
        NONE = "", "正常"
        YELLOW = "yellow", "黄牌（临近期限）"
        RED = "red", "红牌（已超期）"

    OPEN = (Status.PENDING, Status.ACCEPTED, Status.INVESTIGATING, Status.HANDLED)

    number = models.CharField("投诉编号", max_length=30, unique=True)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    status = models.CharField("状态", max_length=15, choices=Status.choices, default=Status.PENDING)
    about = models.CharField("投诉对象类型", max_length=10, choices=About.choices)
    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="complaints", verbose_name="所涉中心"
    )
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_about",
        verbose_name="被投诉人",
    )
    item = models.ForeignKey(
        "catalog.ServiceItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name="所涉事项",
    )
    complainant_name = models.CharField("投诉人", max_length=100, blank=True)
    complainant_phone = models.CharField("投诉人电话", max_length=20)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints_made",
        verbose_name="投诉账号",
    )
    text = models.TextField("投诉内容", max_length=2000)
    order_number = models.CharField("12345工单号", max_length=40, unique=True, null=True, blank=True)
    accept_by = models.DateField("受理期限")
    reply_by = models.DateField("反馈期限")
    warning = models.CharField("预警", max_length=6, choices=Warning.choices, default="", blank=True)
    refuse_reason = models.TextField("不予受理理由", blank=True)
    finding = models.TextField("调查情况", blank=True)
    outcome = models.CharField("处理结论", max_length=12, choices=Outcome.choices, blank=True)
    measures = models.TextField("处置措施", blank=True)
    answer = models.TextField("答复内容", blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    decided_at = models.DateTimeField("处置时间", null=True, blank=True)
    replied_at = models.DateTimeField("反馈时间", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "效能投诉"
        verbose_name_plural = "效能投诉"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "reply_by"], name="complaint_open_due"),
            models.Index(fields=["center", "status"], name="complaint_center_status"),
        ]

    def __str__(self):
        return f"{self.number} {self.get_status_display()}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.complainant_phone)

    @property
    def masked_name(self) -> str:
        return mask_name(self.complainant_name) or "匿名"

    @property
    def decided(self) -> bool:
        return bool(self.outcome) or self.status == self.Status.REFUSED

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class ComplaintEvent(models.Model):
    """One step of a complaint: who, when, what."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=20)
    label = models.CharField("说明", max_length=60)
    from_status = models.CharField("原状态", max_length=15, blank=True)
    to_status = models.CharField("新状态", max_length=15)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    note = models.TextField("内容", blank=True)

    class Meta:
        verbose_name = "投诉办理记录"
        verbose_name_plural = verbose_name
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.label} {self.at:%Y-%m-%d %H:%M}"


class Unresolved(TimeStamped):
    """办不成事反映: what someone could not get done, routed to an owner, solved or explained."""

    class Status(models.TextChoices):
        OPEN = "open", "办理中"
        SOLVED = "solved", "已解决"
        EXPLAINED = "explained", "已解释说明"

    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="unresolved", verbose_name="反映地点"
    )
    item = models.ForeignKey(
        "catalog.ServiceItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="unresolved",
        verbose_name="所涉事项",
    )
    wanted = models.TextField("想办的事", max_length=2000)
    person_name = models.CharField("反映人", max_length=100, blank=True)
    person_phone = models.CharField("联系电话", max_length=20, blank=True)
    owner_department = models.ForeignKey(
        "centers.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="责任部门",
    )
    owner_center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="责任大厅",
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    due = models.DateField("办理期限")
    # Set by services.unresolved_deadlines_run (yellow: due within 2 days, red: past due).
    warning = models.CharField(
        "预警", max_length=6, choices=Complaint.Warning.choices, default="", blank=True
    )
    answer = models.TextField("办理结果", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "办不成事反映"
        verbose_name_plural = verbose_name
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "due"], name="unresolved_open_due")]

    def __str__(self):
        return f"{self.center} {self.wanted[:20]}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.person_phone)

    @property
    def owner_label(self) -> str:
        if self.owner_department is not None:
            return self.owner_department.name
        return self.owner_center.name if self.owner_center is not None else ""


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

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.created_at:%Y-%m-%d}"

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

    def __str__(self) -> str:
        return f"评价器 {self.window_id}"


class PadStep(models.Model):
    """A case step (接件, 受理, 办结) a clerk did while holding a window open: what
    that window's pad asks the applicant about, beside its finished tickets. A log
    line written once by the system (no history of its own)."""

    window = models.ForeignKey("queueing.Window", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    step = models.CharField("环节", max_length=10, choices=Rating.Step.choices)
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "评价器待评环节"
        verbose_name_plural = "评价器待评环节"
        indexes = [models.Index(fields=["window", "at"], name="padstep_window_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step} @ {self.window_id}"


class RatingInvitation(models.Model):
    """The one SMS inviting a rating of a completed case nobody rated after 3 days."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = "评价邀请"
        verbose_name_plural = "评价邀请"

    def __str__(self) -> str:
        return f"邀评 {self.case_id}"


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

    def __str__(self) -> str:
        return f"差评整改 {self.pk}"
