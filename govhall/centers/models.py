"""The register of a district's service centers: the district center, its
branches (分中心, under dual management) and town/street service centers."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from govhall.core.models import TimeStamped


class District(TimeStamped):
    """A county-level district (区/县). Everything else hangs off one."""

    name = models.CharField("区县名称", max_length=30, unique=True, help_text="如：合川区")
    full_name = models.CharField("全称", max_length=60, blank=True, help_text="如：重庆市合川区")
    code = models.CharField("行政区划代码", max_length=12, unique=True)
    password_max_age_days = models.PositiveSmallIntegerField(
        "密码最长使用天数",
        null=True,
        blank=True,
        help_text="工作人员密码使用超过该天数须修改；留空或 0 表示不过期。",
    )
    # Feedback deadlines the district sets (working days, 1–60): read by feedback's services.
    rectify_days = models.PositiveSmallIntegerField(
        "差评整改时限（工作日）",
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="差评从评价之日起核实整改并答复的工作日数。",
    )
    complaint_reply_days = models.PositiveSmallIntegerField(
        "投诉反馈时限（工作日）",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="效能投诉从提交之日起答复投诉人的工作日数。",
    )
    unresolved_days = models.PositiveSmallIntegerField(
        "办不成事办结时限（工作日）",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="办不成事反映从登记之日起解决或解释说明的工作日数。",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "区县"
        verbose_name_plural = "区县"

    def __str__(self):
        return self.name

    @property
    def center_name(self) -> str:
        return f"{self.name}政务服务中心"


class Department(TimeStamped):
    """业务主管部门: owns a branch, its people, site and equipment."""

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="departments", verbose_name="区县"
    )
    name = models.CharField("部门名称", max_length=60)
    code = models.CharField("部门代码", max_length=30)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "业务主管部门"
        verbose_name_plural = "业务主管部门"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="unique_department_name"),
            models.UniqueConstraint(fields=["district", "code"], name="unique_department_code"),
        ]

    def __str__(self):
        return self.name


class Center(TimeStamped):
    """A hall: the district center, a branch, or a town service center."""

    class Kind(models.TextChoices):
        DISTRICT = "district", "区政务服务中心"
        BRANCH = "branch", "分中心"
        TOWN = "town", "便民服务中心"

    class Status(models.TextChoices):
        PLANNED = "planned", "筹建中"
        ACTIVE = "active", "运行中"
        SUSPENDED = "suspended", "暂停服务"
        MERGED = "merged", "已撤并"
        CLOSED = "closed", "已撤销"

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="centers", verbose_name="区县"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级中心",
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("正式名称", max_length=80, unique=True)
    code = models.SlugField("编码", max_length=30, unique=True, help_text="字母、数字、连字符，如 HC-MZ")
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="centers",
        verbose_name="业务主管部门",
    )
    address = models.CharField("地址", max_length=200)
    phone = models.CharField("咨询电话", max_length=40, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PLANNED)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="并入中心"
    )
    description = models.TextField("简介", blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "政务服务中心"
        verbose_name_plural = "政务服务中心"
        ordering = ["kind", "code"]

    def __str__(self):
        return self.name

    def clean(self):
        errors: dict[str, list[str]] = {}
        district = self.district if self.district_id else None
        if self.code and not re.fullmatch(r"[A-Za-z0-9-]+", self.code):
            errors.setdefault("code", []).append("编码只能包含字母、数字和连字符。")
        if district and self.name:
            message = check_center_name(self.kind, self.name, district)
            if message:
                errors.setdefault("name", []).append(message)
        if self.kind == self.Kind.DISTRICT:
            if self.parent_id:
                errors.setdefault("parent", []).append("区政务服务中心没有上级中心。")
        elif self.parent is None:
            errors.setdefault("parent", []).append("分中心和便民服务中心必须隶属于区政务服务中心。")
        elif self.parent.kind != self.Kind.DISTRICT or self.parent.district_id != self.district_id:
            errors.setdefault("parent", []).append("上级中心必须是本区县的区政务服务中心。")
        if self.kind == self.Kind.BRANCH and not self.department_id:
            errors.setdefault("department", []).append("分中心必须有业务主管部门（双重管理）。")
        if self.department is not None and district and self.department.district_id != district.id:
            errors.setdefault("department", []).append("业务主管部门必须属于本区县。")
        if self.status == self.Status.MERGED and not self.merged_into_id:
            errors.setdefault("merged_into", []).append("已撤并的中心必须注明并入哪个中心。")
        if errors:
            raise ValidationError(errors)


def check_center_name(kind: str, name: str, district: District) -> str | None:
    """The notice's unified naming rule. Returns a message, or None if the name is right."""
    prefix = district.center_name
    if kind == Center.Kind.DISTRICT:
        if name != prefix:
            return f"区政务服务中心的正式名称应为“{prefix}”。"
    elif kind == Center.Kind.BRANCH:
        middle = (
            name[len(prefix) : -len("分中心")] if name.startswith(prefix) and name.endswith("分中心") else ""
        )
        if not middle.strip():
            return f"分中心名称应为“{prefix}××分中心”，例如“{prefix}婚姻登记分中心”；原有名称可作为别名保留。"
    elif kind == Center.Kind.TOWN and not name.endswith("便民服务中心"):
        return "镇街便民服务中心的名称应以“便民服务中心”结尾。"
    return None


class CenterAlias(TimeStamped):
    """原有名称: a name the hall was or is also known by, kept and searchable."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="aliases", verbose_name="中心")
    name = models.CharField("名称", max_length=80)
    note = models.CharField("说明", max_length=120, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "原有名称"
        verbose_name_plural = "原有名称"
        constraints = [models.UniqueConstraint(fields=["center", "name"], name="unique_alias_per_center")]

    def __str__(self):
        return self.name


WEEKDAYS = [
    (0, "星期一"),
    (1, "星期二"),
    (2, "星期三"),
    (3, "星期四"),
    (4, "星期五"),
    (5, "星期六"),
    (6, "星期日"),
]


class OpeningHours(models.Model):
    """One opening period on one weekday (a day may have a morning and an afternoon)."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="hours", verbose_name="中心")
    weekday = models.PositiveSmallIntegerField("星期", choices=WEEKDAYS)
    opens = models.TimeField("开始")
    closes = models.TimeField("结束")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "办公时间"
        verbose_name_plural = "办公时间"
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="hours_close_after_open"
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class HoursException(models.Model):
    """A day that differs from the weekly hours: closed, or other hours."""

    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="hours_exceptions", verbose_name="中心"
    )
    date = models.DateField("日期")
    is_closed = models.BooleanField("全天不办公", default=True)
    opens = models.TimeField("开始", null=True, blank=True)
    closes = models.TimeField("结束", null=True, blank=True)
    note = models.CharField("说明", max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "办公时间例外"
        verbose_name_plural = "办公时间例外"
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["center", "date"], name="unique_exception_per_day")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {'不办公' if self.is_closed else '调整时间'}"

    def clean(self):
        if not self.is_closed and (not self.opens or not self.closes or self.closes <= self.opens):
            raise ValidationError({"closes": "非全天关闭时，请填写有效的开始和结束时间。"})


class Zone(models.Model):
    """功能区: one of the six zones a hall must have."""

    class Kind(models.TextChoices):
        GUIDANCE = "guidance", "咨询导引区"
        OFFICE = "office", "办公区"
        WINDOWS = "windows", "窗口区"
        FORM_FILLING = "form_filling", "填单区"
        WAITING = "waiting", "等候区"
        SELF_SERVICE = "self_service", "自助服务区"

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="zones", verbose_name="中心")
    kind = models.CharField("功能区", max_length=20, choices=Kind.choices)
    note = models.CharField("位置/说明", max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "功能区"
        verbose_name_plural = "功能区"
        constraints = [models.UniqueConstraint(fields=["center", "kind"], name="unique_zone_per_center")]

    def __str__(self):
        return self.get_kind_display()


class Facility(models.Model):
    """便民设施 the notice asks for."""

    class Kind(models.TextChoices):
        WIFI = "wifi", "无线网络（WIFI）"
        ACCESSIBILITY = "accessibility", "无障碍设施"
        MEDICINE = "medicine", "便民用品：常用药"
        READING_GLASSES = "reading_glasses", "便民用品：老花眼镜"
        UMBRELLA = "umbrella", "便民用品：雨伞"
        SELF_SERVICE = "self_service", "自助服务设备"
        AGENT_SERVICE = "agent_service", "帮代办服务"

    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="facilities", verbose_name="中心"
    )
    kind = models.CharField("设施", max_length=20, choices=Kind.choices)
    note = models.CharField("说明", max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "便民设施"
        verbose_name_plural = "便民设施"
        constraints = [models.UniqueConstraint(fields=["center", "kind"], name="unique_facility_per_center")]

    def __str__(self):
        return self.get_kind_display()


class Leadership(TimeStamped):
    """The department's two named people for the hall (notice, 保障措施一)."""

    class Role(models.TextChoices):
        LEADER = "leader", "分管班子成员"
        CADRE = "cadre", "负责科级干部"

    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="leadership", verbose_name="中心"
    )
    role = models.CharField("职责", max_length=10, choices=Role.choices)
    name = models.CharField("姓名", max_length=50)
    title = models.CharField("职务", max_length=80)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "分管领导"
        verbose_name_plural = "分管领导"
        constraints = [models.UniqueConstraint(fields=["center", "role"], name="unique_leadership_role")]

    def __str__(self):
        return f"{self.get_role_display()}：{self.name}"


class CenterChange(TimeStamped):
    """新设/改造/搬迁/撤并 of a branch: drafted → submitted → filed with the district
    office (备案号) or returned → approved or rejected by the district government
    → applied on its effective date."""

    class Kind(models.TextChoices):
        ESTABLISH = "establish", "新设"
        RENOVATE = "renovate", "改造"
        RELOCATE = "relocate", "搬迁"
        MERGE = "merge", "撤并"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已报送"
        RETURNED = "returned", "已退回"
        FILED = "filed", "已备案"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未批准"
        APPLIED = "applied", "已生效"
        WITHDRAWN = "withdrawn", "已撤回"

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="center_changes", verbose_name="区县"
    )
    kind = models.CharField("事项", max_length=10, choices=Kind.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, null=True, blank=True, related_name="changes", verbose_name="分中心"
    )
    # establish
    new_name = models.CharField("新设名称", max_length=80, blank=True)
    new_code = models.CharField("新设编码", max_length=30, blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="业务主管部门",
    )
    # establish, relocate
    new_address = models.CharField("新地址", max_length=200, blank=True)
    # merge
    merge_into = models.ForeignKey(
        Center, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="并入中心"
    )
    effective_date = models.DateField("生效日期")
    description = models.TextField("事由与内容")
    filing_number = models.CharField("备案号", max_length=40, unique=True, null=True, blank=True)
    return_reason = models.TextField("退回理由", blank=True)
    decision_reason = models.TextField("审批意见", blank=True)
    drafted_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="起草人"
    )
    applied_at = models.DateTimeField("生效时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "分中心变更"
        verbose_name_plural = "分中心变更"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.subject_name}"

    @property
    def subject_name(self) -> str:
        """The branch the change is about: its name, or the name a new one will have."""
        return self.center.name if self.center is not None else self.new_name


class CenterChangeEvent(models.Model):
    """One step of a change, for its timeline."""

    class Step(models.TextChoices):
        DRAFTED = "drafted", "起草"
        EDITED = "edited", "修改"
        SUBMITTED = "submitted", "报送备案"
        RETURNED = "returned", "退回"
        FILED = "filed", "备案"
        APPROVED = "approved", "批准"
        REJECTED = "rejected", "不予批准"
        APPLIED = "applied", "生效"
        WITHDRAWN = "withdrawn", "撤回"

    change = models.ForeignKey(
        CenterChange, on_delete=models.CASCADE, related_name="events", verbose_name="变更"
    )
    step = models.CharField("环节", max_length=10, choices=Step.choices)
    by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="经办人",
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "变更环节"
        verbose_name_plural = "变更环节"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_step_display()} {self.at:%Y-%m-%d %H:%M}"
