"""Feedback: 好差评 ratings and their rectification, efficiency complaints,
the 办不成事 window and the 12345 hand-over. Sits above cases, staffing and
queueing and reaches them only through their selectors and extension points."""

# ── Complaints ──────────────────────────────────────────────────────────────
# 效能投诉 (GB/T 36113 flow), the 办不成事反映窗口 and the 12345 hand-over.

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from govhall.core.masking import mask_phone
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
        n = self.complainant_name
        return (n[0] + "*" * (len(n) - 1)) if n else "匿名"

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
    answer = models.TextField("办理结果", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "办不成事反映"
        verbose_name_plural = verbose_name
        ordering = ["-id"]

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
