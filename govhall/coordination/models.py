"""Coordination between the district center and its halls (notice clause 二(三), 二(一)):
joint meetings and their action items, notices with receipts, 帮办代办, and cases
handed between halls. Each part keeps its models in its own block below."""

# --- meet18 ---
# 联席会议 (notice clause 二(三)): the district office convenes branches and departments;
# the minutes' decisions become action items with one owner and a due date, watched by
# 电子监察 (yellow near the date, red past it) until the owner closes them with evidence.
from django.conf import settings  # noqa: E402
from django.db import models  # noqa: F401
from simple_history.models import HistoricalRecords  # noqa: E402

from govhall.core.models import TimeStamped  # noqa: E402

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
        from datetime import timedelta

        if self.status != self.Status.OPEN:
            return ""
        if self.due_on < today:
            return "red"
        if self.due_on <= today + timedelta(days=ACTION_ITEM_NEAR_DAYS):
            return "yellow"
        return ""
