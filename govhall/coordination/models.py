"""Coordination between the district center and its halls (notice clause 二(三), 二(一)):
joint meetings and their action items, notices with receipts, 帮办代办, and cases
handed between halls (代收代办, whose models live in `cases`, beside the case they move).
One section a part: 信息沟通 (notices), 联席会议 (joint meetings), 帮办代办 (help requests)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from govhall.core.fields import EncryptedCharField, EncryptedModelMixin, LookupHashField
from govhall.core.masking import mask_name, mask_phone
from govhall.core.models import TimeStamped

# ── 信息沟通 (notices) ──
# Notices from the district office down to the halls (通知) and reports
# from a branch up to the district office (报告), each with one receipt per
# recipient (read once, the first time kept; a reply when one is asked for).


class Notice(TimeStamped):
    """A notice (通知, district office → halls) or a report (报告, a branch → the
    district office). Recipients are resolved once, when it is sent: one
    `NoticeReceipt` per person then holding an addressed role at an addressed hall."""

    class Kind(models.TextChoices):
        DOWN = "down", "通知（区政务办→各大厅）"
        UP = "up", "报告（分中心→区政务办）"

    class Audience(models.TextChoices):
        ALL = "all", "全部大厅"
        HALLS = "halls", "指定大厅"
        ROLES = "roles", "指定角色（全部大厅）"
        OFFICE = "office", "区政务办"

    kind = models.CharField("类型", max_length=6, choices=Kind.choices)
    title = models.CharField("标题", max_length=120)
    body = models.TextField("正文", max_length=5000)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notices_sent",
        verbose_name="发送人",
    )
    sender_center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="notices_sent", verbose_name="发送单位"
    )
    audience = models.CharField("发送范围", max_length=8, choices=Audience.choices)
    halls = models.ManyToManyField(
        "centers.Center", blank=True, related_name="notices_addressed", verbose_name="指定大厅"
    )
    roles = models.JSONField("指定角色", default=list, blank=True)
    reply_required = models.BooleanField("须回复", default=False)
    reply_by = models.DateField("回复期限", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间")
    history = HistoricalRecords(m2m_fields=[halls])

    class Meta:
        verbose_name = "通知与报告"
        verbose_name_plural = verbose_name
        ordering = ["-sent_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()[:2]}：{self.title}"


class NoticeReceipt(models.Model):
    """One recipient of a notice: when they first read it (kept: reading again
    changes nothing), their reply, and the reminders sent to them."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="receipts", verbose_name="通知")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notice_receipts",
        verbose_name="收件人",
    )
    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="notice_receipts", verbose_name="所在大厅"
    )
    role = models.CharField("角色", max_length=30)
    read_at = models.DateTimeField("首次阅读时间", null=True, blank=True)
    reply_text = models.TextField("回复内容", max_length=2000, blank=True)
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    reminded_at = models.DateTimeField("最近提醒时间", null=True, blank=True)
    reminders = models.PositiveSmallIntegerField("提醒次数", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "阅读回执"
        verbose_name_plural = verbose_name
        ordering = ["center_id", "id"]
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="notice_receipt_once")]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_receipt_inbox")]

    def __str__(self):
        return f"{self.notice_id} → {self.user_id}"

    @property
    def reply_pending(self) -> bool:
        return self.notice.reply_required and self.replied_at is None

    @property
    def masked_phone(self) -> str:
        return mask_phone(getattr(self.user, "phone", ""))


def _notice_upload_to(instance, filename: str) -> str:
    return f"coordination/notices/{filename}"


class NoticeAttachment(models.Model):
    """A file sent with a notice (PDF, Office or OFD, at most 10 MB, type checked by
    its content). Stored under MEDIA with a random name; served only to the
    sender's side and the recipients."""

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="attachments", verbose_name="通知"
    )
    file = models.FileField("文件", upload_to=_notice_upload_to, max_length=200)
    name = models.CharField("文件名", max_length=120)
    file_type = models.CharField("类型", max_length=5)
    size = models.PositiveIntegerField("大小（字节）")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "通知附件"
        verbose_name_plural = verbose_name
        ordering = ["id"]

    def __str__(self):
        return self.name


# ── 联席会议 (joint meetings) ──
# Notice clause 二(三): the district office convenes branches and departments;
# the minutes' decisions become action items with one owner and a due date, watched by
# 电子监察 (yellow near the date, red past it) until the owner closes them with evidence.


ACTION_ITEM_NEAR_DAYS = 2  # yellow: the due date is this many calendar days away or less


class Meeting(TimeStamped):
    """联席会议: convened by the district office for some or all of its halls."""

    class Status(models.TextChoices):
        CONVENED = "convened", "已通知"
        HELD = "held", "已召开"
        CANCELLED = "cancelled", "已取消"

    district = models.ForeignKey(
        "centers.District", on_delete=models.PROTECT, related_name="meetings", verbose_name="区县"
    )
    title = models.CharField("会议名称", max_length=100)
    agenda = models.TextField("议程", max_length=4000)
    starts_at = models.DateTimeField("召开时间")
    place = models.CharField("地点", max_length=100)
    roles_invited = models.JSONField("参会角色", default=list, blank=True)
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings_convened",
        verbose_name="召集人",
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.CONVENED)
    minutes = models.TextField("会议纪要", max_length=10000, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "联席会议"
        verbose_name_plural = "联席会议"
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["district", "starts_at"], name="meeting_district_starts")]

    def __str__(self):
        return self.title


class MeetingInvitation(models.Model):
    """One invitee of a meeting (a hall, or a department) and its recorded attendance."""

    class Attendance(models.TextChoices):
        UNKNOWN = "", "未登记"
        PRESENT = "present", "出席"
        ABSENT = "absent", "缺席"
        EXCUSED = "excused", "请假"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="invitations", verbose_name="会议"
    )
    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_invitations",
        verbose_name="受邀中心",
    )
    department = models.ForeignKey(
        "centers.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_invitations",
        verbose_name="受邀部门",
    )
    attendance = models.CharField(
        "出席情况", max_length=10, choices=Attendance.choices, default="", blank=True
    )
    attendee = models.CharField("参会人", max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "参会单位"
        verbose_name_plural = "参会单位"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(center__isnull=False, department__isnull=True)
                | models.Q(center__isnull=True, department__isnull=False),
                name="invitation_center_xor_department",
            ),
        ]

    def __str__(self):
        return self.invitee_name

    @property
    def invitee_name(self) -> str:
        return self.center.name if self.center_id else self.department.name  # type: ignore[union-attr]


class ActionItem(TimeStamped):
    """A decision of a meeting: what, whose (exactly one hall, department or person), by when."""

    class Status(models.TextChoices):
        OPEN = "open", "办理中"
        CLOSED = "closed", "已销号"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="action_items", verbose_name="会议"
    )
    title = models.CharField("议定事项", max_length=300)
    owner_center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name="责任中心",
    )
    owner_department = models.ForeignKey(
        "centers.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name="责任部门",
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name="责任人",
    )
    due_on = models.DateField("完成期限")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    evidence = models.TextField("办结佐证", max_length=4000, blank=True)
    evidence_file = models.FileField("佐证材料", upload_to="coordination/evidence/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items_created",
        verbose_name="登记人",
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items_closed",
        verbose_name="销号人",
    )
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "会议议定事项"
        verbose_name_plural = "会议议定事项"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="action_item_open_due")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    owner_center__isnull=False, owner_department__isnull=True, owner_user__isnull=True
                )
                | models.Q(owner_center__isnull=True, owner_department__isnull=False, owner_user__isnull=True)
                | models.Q(
                    owner_center__isnull=True, owner_department__isnull=True, owner_user__isnull=False
                ),
                name="action_item_one_owner",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def owner_kind(self) -> str:
        if self.owner_center_id:
            return "center"
        if self.owner_department_id:
            return "department"
        return "person"

    @property
    def owner_name(self) -> str:
        owner = self.owner_center or self.owner_department or self.owner_user
        return str(owner) if owner is not None else ""

    def level_on(self, today) -> str:
        """'red' past the due date, 'yellow' within ACTION_ITEM_NEAR_DAYS of it, '' otherwise or closed."""
        if self.status != self.Status.OPEN:
            return ""
        if self.due_on < today:
            return "red"
        if self.due_on <= today + timedelta(days=ACTION_ITEM_NEAR_DAYS):
            return "yellow"
        return ""


# ── 帮办代办 (help requests) ──
# A request for help or for acting on someone's behalf,
# its helper, its steps, the person's 委托书 and the cases it produced.


class HelpRequest(EncryptedModelMixin, TimeStamped):
    """帮办代办: someone (elderly, disabled, a key-project enterprise …) asks a hall to help
    them through an application (帮办) or to apply on their behalf (代办)."""

    class Kind(models.TextChoices):
        HELP = "help", "帮办"
        PROXY = "proxy", "代办"

    class Group(models.TextChoices):
        ELDERLY = "elderly", "老年人"
        DISABLED = "disabled", "残疾人"
        KEY_PROJECT = "key_project", "重点项目企业"
        OTHER = "other", "其他"

    class Channel(models.TextChoices):
        KIOSK = "kiosk", "自助终端"
        PHONE = "phone", "电话"
        DESK = "desk", "帮代办窗口"
        CLERK = "clerk", "窗口工作人员"

    class Status(models.TextChoices):
        NEW = "new", "待分派"
        ASSIGNED = "assigned", "办理中"
        DONE = "done", "已办结"

    number = models.CharField("编号", max_length=30, unique=True)
    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="help_requests", verbose_name="大厅"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    group = models.CharField("对象", max_length=12, choices=Group.choices)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    person_name = models.CharField("申请人", max_length=100)
    # Encrypted at rest like every phone (core.fields); found through the hash beside it.
    person_phone = EncryptedCharField("联系电话", max_length=20)
    person_phone_hash = LookupHashField(source="person_phone", db_index=True)
    needs = models.TextField("需要帮助的事项", max_length=2000)
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="help_requests",
        verbose_name="帮代办员",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.NEW)
    result = models.TextField("办理结果", blank=True, max_length=2000)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "帮办代办"
        verbose_name_plural = verbose_name
        ordering = ["-id"]
        indexes = [models.Index(fields=["center", "status"], name="help_center_status")]

    def __str__(self):
        return f"{self.number} {self.get_kind_display()}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.person_phone)

    @property
    def masked_name(self) -> str:
        return mask_name(self.person_name)


class HelpStep(models.Model):
    """One logged step of a help request: who, when, what (append-only)."""

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("操作", max_length=20)
    label = models.CharField("说明", max_length=80)
    note = models.TextField("内容", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "帮办代办记录"
        verbose_name_plural = verbose_name
        ordering = ["at", "id"]

    def __str__(self):
        return self.label


class HelpAuthorization(TimeStamped):
    """委托书: the person (principal) authorises the agent to act for them on these items
    until a date; the signed document is scanned (PDF, JPEG or PNG)."""

    request = models.ForeignKey(
        HelpRequest, on_delete=models.PROTECT, related_name="authorizations", verbose_name="帮办代办"
    )
    principal = models.CharField("委托人", max_length=100)
    agent = models.CharField("受托人", max_length=100)
    items = models.TextField("委托事项", max_length=1000)
    valid_until = models.DateField("有效期至")
    file = models.FileField("委托书扫描件", upload_to="coordination/authorizations/%Y/%m/")
    content_type = models.CharField("文件类型", max_length=40)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "委托书"
        verbose_name_plural = verbose_name
        ordering = ["-valid_until", "-id"]

    def __str__(self):
        return f"{self.principal} → {self.agent}（至 {self.valid_until}）"


class HelpCase(TimeStamped):
    """A case a help request produced (代办: under which 委托书)."""

    request = models.ForeignKey(HelpRequest, on_delete=models.PROTECT, related_name="case_links")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name="办件")
    authorization = models.ForeignKey(
        HelpAuthorization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="委托书",
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "帮办代办办件"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["request", "case"], name="help_case_once")]

    def __str__(self):
        return f"{self.request_id} → {self.case_id}"
