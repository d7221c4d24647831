"""Window staffing (AB岗), leave (请销假), attendance (考勤), training and
assessment (考核) of a hall's staff.

A window (`queueing.Window`) has one principal (A) and one backup (B). When A
is away (leave, training) B serves; when both are away a substitute named at
approval serves; a window and opening day with nobody is a gap (断档)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from govhall.core.models import TimeStamped

from .halfdays import HalfDay, leave_span


class Post(TimeStamped):
    """One person's post at one window: A (principal) or B (backup)."""

    class Role(models.TextChoices):
        A = "A", "A岗（主岗）"
        B = "B", "B岗（备岗）"

    window = models.ForeignKey(
        "queueing.Window", on_delete=models.CASCADE, related_name="posts", verbose_name="窗口"
    )
    role = models.CharField("岗位", max_length=1, choices=Role.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts", verbose_name="工作人员"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "AB岗"
        verbose_name_plural = "AB岗"
        ordering = ["window__center", "window__number", "role"]
        constraints = [
            models.UniqueConstraint(fields=["window", "role"], name="one_person_per_window_role"),
            models.UniqueConstraint(fields=["window", "user"], name="a_and_b_are_different_people"),
        ]

    def __str__(self):
        return f"{self.window} {self.role}岗：{self.user}"


class LeaveRule(TimeStamped):
    """How a department's halls approve leave: up to `manager_max_days` working
    days by the branch manager, longer by the department leader."""

    department = models.OneToOneField(
        "centers.Department", on_delete=models.CASCADE, related_name="leave_rule", verbose_name="业务主管部门"
    )
    manager_max_days = models.DecimalField(
        "分中心负责人可批天数", max_digits=4, decimal_places=1, default=Decimal("1")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "请假审批规则"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.department}：{self.manager_max_days} 天以内由分中心负责人审批"


DEFAULT_MANAGER_MAX_DAYS = Decimal("1")


class Leave(TimeStamped):
    """请假: a request, its approval, and the report of return (销假).
    Half days: `start_pm` starts in the afternoon, `end_am` ends at noon."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", "年休假"
        SICK = "sick", "病假"
        PERSONAL = "personal", "事假"
        MARRIAGE = "marriage", "婚假"
        MATERNITY = "maternity", "产假"
        OFFICIAL = "official", "公务外出"
        TRAINING = "training", "参加培训"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        REQUESTED = "requested", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未批准"
        ON_LEAVE = "on_leave", "休假中"
        REPORTED_BACK = "reported_back", "已销假"
        CANCELLED = "cancelled", "已撤销"

    # A leave in one of these makes its person away on its days.
    AWAY = (Status.APPROVED, Status.ON_LEAVE, Status.REPORTED_BACK)
    # Requests that block an overlapping new one.
    LIVE = (Status.REQUESTED, Status.APPROVED, Status.ON_LEAVE, Status.REPORTED_BACK)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="leaves", verbose_name="请假人"
    )
    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="leaves", verbose_name="所在大厅"
    )
    kind = models.CharField("假别", max_length=12, choices=Kind.choices)
    start_date = models.DateField("开始日期")
    start_pm = models.BooleanField("自下午开始", default=False)
    end_date = models.DateField("结束日期")
    end_am = models.BooleanField("至上午结束", default=False)
    reason = models.CharField("事由", max_length=200)
    status = models.CharField("状态", max_length=14, choices=Status.choices, default=Status.REQUESTED)
    planned_days = models.DecimalField("请假天数", max_digits=5, decimal_places=1, default=Decimal("0"))
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审批人",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)
    # 销假: the first half-day back at work; the leave really ended just before it.
    back_date = models.DateField("销假返岗日期", null=True, blank=True)
    back_pm = models.BooleanField("自下午返岗", default=False)
    actual_days = models.DecimalField("实际休假天数", max_digits=5, decimal_places=1, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "请销假"
        verbose_name_plural = "请销假"
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["user", "start_date"], name="leave_user_start"),
            models.Index(fields=["center", "status", "start_date"], name="leave_center_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="leave_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.user} {self.get_kind_display()} {self.start_date}–{self.end_date}"

    def clean(self):
        if self.start_date and self.end_date:
            if self.end_date < self.start_date:
                raise ValidationError({"end_date": "结束日期不能早于开始日期。"})
            if self.end_date == self.start_date and self.start_pm and self.end_am:
                raise ValidationError({"end_am": "同一天不能既自下午开始又至上午结束。"})

    @property
    def periods(self) -> tuple[HalfDay, HalfDay]:
        """(first half-day, last half-day) away, as (date, 0=上午/1=下午); after
        销假 the last is the half-day before the return."""
        return leave_span(
            start_date=self.start_date,
            start_pm=self.start_pm,
            end_date=self.end_date,
            end_am=self.end_am,
            back_date=self.back_date,
            back_pm=self.back_pm,
        )


class Substitute(TimeStamped):
    """A person named, when a leave was approved, to serve a window on a day
    on which neither its A nor its B is there."""

    leave = models.ForeignKey(
        Leave, on_delete=models.CASCADE, related_name="substitutes", verbose_name="请假"
    )
    day = models.DateField("日期")
    window = models.ForeignKey(
        "queueing.Window", on_delete=models.CASCADE, related_name="substitutes", verbose_name="窗口"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="substitutions",
        verbose_name="顶岗人员",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "顶岗"
        verbose_name_plural = "顶岗"
        ordering = ["day", "window__number"]
        constraints = [
            models.UniqueConstraint(fields=["leave", "window", "day"], name="one_substitute_per_gap")
        ]

    def __str__(self):
        return f"{self.day} {self.window}：{self.user}"


class Attendance(TimeStamped):
    """考勤: one person's clock-in and clock-out at a hall on a day, with the IPs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name="工作人员",
    )
    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="attendances", verbose_name="大厅"
    )
    day = models.DateField("日期")
    clock_in = models.DateTimeField("签到时间", null=True, blank=True)
    clock_in_ip = models.GenericIPAddressField("签到IP", null=True, blank=True)
    clock_out = models.DateTimeField("签退时间", null=True, blank=True)
    clock_out_ip = models.GenericIPAddressField("签退IP", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "考勤"
        verbose_name_plural = "考勤"
        ordering = ["-day", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_attendance_per_person_day")]
        indexes = [models.Index(fields=["center", "day"], name="attendance_center_day")]

    def __str__(self):
        return f"{self.user} {self.day}"


class AttendanceCorrection(TimeStamped):
    """A request to correct a clock time (forgot to clock, device down); an
    approved one changes the attendance record, with the history kept."""

    class Kind(models.TextChoices):
        CLOCK_IN = "in", "补签到"
        CLOCK_OUT = "out", "补签退"

    class Status(models.TextChoices):
        REQUESTED = "requested", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未批准"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="+", verbose_name="大厅"
    )
    day = models.DateField("日期")
    kind = models.CharField("更正项", max_length=3, choices=Kind.choices)
    at = models.DateTimeField("更正为")
    reason = models.CharField("原因", max_length=200)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.REQUESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审批人",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "考勤更正"
        verbose_name_plural = "考勤更正"
        ordering = ["-day", "-id"]

    def __str__(self):
        return f"{self.user} {self.day} {self.get_kind_display()}"


class TrainingCourse(TimeStamped):
    """A course; passing it qualifies a person for the queues (and the items
    they serve) it names, until its refresher is due."""

    district = models.ForeignKey(
        "centers.District", on_delete=models.PROTECT, related_name="+", verbose_name="区县"
    )
    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="举办大厅",
        help_text="空为区政务办统一举办",
    )
    name = models.CharField("课程名称", max_length=80)
    held_on = models.DateField("培训日期")
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1, default=Decimal("4"))
    queues = models.ManyToManyField("queueing.Queue", blank=True, related_name="+", verbose_name="可办理队列")
    items = models.ManyToManyField(
        "catalog.ServiceItem", blank=True, related_name="+", verbose_name="可办理事项"
    )
    valid_months = models.PositiveSmallIntegerField("有效期（月）", default=12)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "培训课程"
        verbose_name_plural = "培训课程"
        ordering = ["-held_on", "name"]

    def __str__(self):
        return self.name


class TrainingRecord(TimeStamped):
    """Who attended a course, whether they passed, and when the refresher is due."""

    course = models.ForeignKey(
        TrainingCourse, on_delete=models.CASCADE, related_name="records", verbose_name="课程"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="training_records",
        verbose_name="人员",
    )
    passed = models.BooleanField("考核合格", default=True)
    refresher_due = models.DateField("复训到期日")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "培训记录"
        verbose_name_plural = "培训记录"
        ordering = ["-course__held_on"]
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="one_record_per_course_person")
        ]

    def __str__(self):
        return f"{self.user} · {self.course}"


class AssessmentIndicator(TimeStamped):
    """A named indicator and its weight, set by the district office."""

    class Code(models.TextChoices):
        ATTENDANCE = "attendance", "考勤"
        ON_TIME_CASES = "on_time_cases", "按时办结率"
        TICKETS = "tickets", "办件（叫号）量"
        SERVICE_TIME = "service_time", "平均办理时长"
        RATINGS = "ratings", "好差评"
        COMPLAINTS = "complaints", "投诉"
        TRAINING = "training", "培训"

    district = models.ForeignKey(
        "centers.District", on_delete=models.CASCADE, related_name="+", verbose_name="区县"
    )
    code = models.CharField("指标", max_length=16, choices=Code.choices)
    weight = models.DecimalField("权重", max_digits=5, decimal_places=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"
        ordering = ["district", "code"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="one_weight_per_indicator")]

    def __str__(self):
        return f"{self.get_code_display()}（{self.weight}）"


class MonthlyAssessment(TimeStamped):
    """One clerk's score at one hall for one month; confirmed by the branch
    manager, after which it is locked."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待确认"
        CONFIRMED = "confirmed", "已确认"

    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="+", verbose_name="大厅"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="工作人员"
    )
    month = models.DateField("月份", help_text="该月 1 日")
    score = models.DecimalField("得分", max_digits=5, decimal_places=1, null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
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
        verbose_name = "月度考核"
        verbose_name_plural = "月度考核"
        ordering = ["-month", "center", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["center", "user", "month"], name="one_assessment_per_month")
        ]

    def __str__(self):
        return f"{self.user} {self.month:%Y-%m} {self.score}"

    def save(self, *args, **kwargs):
        # A confirmed month is locked: no path may change it afterwards.
        if self.pk and MonthlyAssessment.objects.filter(pk=self.pk, status=self.Status.CONFIRMED).exists():
            from govhall.core.errors import WrongState

            raise WrongState("该月考核已确认并锁定，不能修改。")
        super().save(*args, **kwargs)


class AssessmentLine(models.Model):
    """One indicator of one assessment: the measured value, its score, and how
    it was computed. `score` is None when the source is absent (not zero)."""

    assessment = models.ForeignKey(
        MonthlyAssessment, on_delete=models.CASCADE, related_name="lines", verbose_name="考核"
    )
    code = models.CharField("指标", max_length=16, choices=AssessmentIndicator.Code.choices)
    weight = models.DecimalField("权重", max_digits=5, decimal_places=1)
    value = models.CharField("数据", max_length=120, blank=True)
    score = models.DecimalField("得分", max_digits=5, decimal_places=1, null=True, blank=True)
    explanation = models.CharField("计算说明", max_length=300)

    class Meta:
        verbose_name = "考核明细"
        verbose_name_plural = "考核明细"
        ordering = ["assessment", "code"]

    def __str__(self):
        return f"{self.get_code_display()} {self.score}"


class StaffingWarning(TimeStamped):
    """A gap warned about: one window and day with nobody on duty. One row per
    window and day, so the daily job can run again without warning twice."""

    center = models.ForeignKey(
        "centers.Center", on_delete=models.CASCADE, related_name="+", verbose_name="大厅"
    )
    window = models.ForeignKey(
        "queueing.Window", on_delete=models.CASCADE, related_name="+", verbose_name="窗口"
    )
    day = models.DateField("日期")
    message = models.CharField("内容", max_length=200)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="staffing_warnings", verbose_name="提醒对象"
    )
    resolved_at = models.DateTimeField("已补岗", null=True, blank=True)

    class Meta:
        verbose_name = "断档预警"
        verbose_name_plural = "断档预警"
        ordering = ["day", "center", "window"]
        constraints = [models.UniqueConstraint(fields=["window", "day"], name="one_warning_per_window_day")]

    def __str__(self):
        return self.message


class StaffPlacement(TimeStamped):
    """进驻: a person's first day at a hall. Attendance counts expected days
    from it; days before it are not the person's to be absent on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="placements", verbose_name="工作人员"
    )
    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="+", verbose_name="大厅"
    )
    started_on = models.DateField("入职/进驻日期")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "进驻日期"
        verbose_name_plural = "进驻日期"
        ordering = ["center", "started_on"]
        constraints = [models.UniqueConstraint(fields=["user", "center"], name="one_placement_per_hall")]

    def __str__(self):
        return f"{self.user} 自 {self.started_on} 进驻"


class AttendanceSetting(TimeStamped):
    """A hall's attendance go-live (考勤启用日期): before it the system was not
    in use there, and its days show "无数据", never absence. Without a row the
    go-live is the day of the hall's first attendance record."""

    center = models.OneToOneField(
        "centers.Center", on_delete=models.CASCADE, related_name="+", verbose_name="大厅"
    )
    attendance_since = models.DateField("考勤启用日期")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "考勤启用日期"
        verbose_name_plural = "考勤启用日期"

    def __str__(self):
        return f"{self.center} 自 {self.attendance_since} 启用考勤"


class WeightSet(TimeStamped):
    """考核权重方案 (notice clause 一(一)): the district office proposes the
    weights for a department's halls, the department confirms (or rejects with
    a reason). Only a confirmed set is used; the latest confirmed one wins."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "待部门确认"
        CONFIRMED = "confirmed", "已确认"
        REJECTED = "rejected", "部门未同意"

    department = models.ForeignKey(
        "centers.Department", on_delete=models.PROTECT, related_name="+", verbose_name="业务主管部门"
    )
    weights = models.JSONField("各指标权重", help_text="{指标代码: 权重}，合计 100")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PROPOSED)
    note = models.CharField("提议说明", max_length=200, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提议人（区政务办）",
    )
    proposed_at = models.DateTimeField("提议时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认人（业务主管部门）",
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    reason = models.CharField("不同意的理由", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "考核权重方案"
        verbose_name_plural = "考核权重方案"
        ordering = ["-proposed_at", "-id"]
        indexes = [models.Index(fields=["department", "status", "decided_at"], name="weightset_dept_status")]

    def __str__(self):
        return f"{self.department} 考核权重（{self.get_status_display()}）"
