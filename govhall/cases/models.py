"""Cases (办件): one application for one item, online or at a window, from
submission to delivery; the notices kept with it; the one-time notification
(一次性告知); supervision warnings (电子监察); first inquiries (首问负责制);
and the citizen's portal account."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from govhall.catalog.models import LimitUnit, limit_label
from govhall.centers.models import Center
from govhall.core.fields import EncryptedCharField, EncryptedModelMixin, LookupHashField
from govhall.core.masking import mask_id_number, mask_phone
from govhall.core.models import TimeStamped


class Case(EncryptedModelMixin, TimeStamped):
    """办件. The guide version it was made under is kept, so later guide
    changes never change what was asked of the applicant."""

    class Channel(models.TextChoices):
        ONLINE = "online", "网上申请"
        WINDOW = "window", "窗口受理"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交，待受理"
        CORRECTION = "correction", "待补正"
        ACCEPTED = "accepted", "已受理"
        REJECTED = "rejected", "不予受理"
        IN_PROGRESS = "in_progress", "办理中"
        SUSPENDED = "suspended", "特别程序（暂停计时）"
        COMPLETED = "completed", "已办结"
        DELIVERED = "delivered", "已送达"
        WITHDRAWN = "withdrawn", "已撤回"

    class ApplicantKind(models.TextChoices):
        PERSON = "person", "个人"
        BUSINESS = "business", "法人/企业"

    class Outcome(models.TextChoices):
        APPROVED = "approved", "准予"
        DENIED = "denied", "不予准予"

    class Authority(models.TextChoices):
        CLERK = "clerk", "窗口经办（按部门审批结果）"
        CHIEF_REP = "chief_rep", "首席代表现场决定（授权审批）"
        MANAGER = "manager", "分中心负责人"
        DEPARTMENT = "department", "部门决定"

    class Delivery(models.TextChoices):
        WINDOW = "window", "窗口领取"
        MAIL = "mail", "邮寄送达"
        ELECTRONIC = "electronic", "电子送达"

    class Suspension(models.TextChoices):
        HEARING = "hearing", "听证"
        TESTING = "testing", "检验检测"
        EXPERT = "expert", "专家评审"
        SITE = "site", "现场勘查"
        OTHER = "other", "其他特别程序"

    CLOCK_STATES = {Status.ACCEPTED, Status.IN_PROGRESS}

    number = models.CharField("办件编号", max_length=40, unique=True, null=True, blank=True)
    channel = models.CharField("申请渠道", max_length=10, choices=Channel.choices)
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="cases", verbose_name="受理中心"
    )
    item = models.ForeignKey(
        "catalog.ServiceItem", on_delete=models.PROTECT, related_name="cases", verbose_name="事项"
    )
    guide = models.ForeignKey(
        "catalog.Guide", on_delete=models.PROTECT, related_name="cases", verbose_name="所依据的指南版本"
    )
    applicant_kind = models.CharField(
        "申请人类型", max_length=10, choices=ApplicantKind.choices, default=ApplicantKind.PERSON
    )
    applicant_name = models.CharField("申请人", max_length=100, blank=True)
    # Encrypted at rest (core.fields); found through the *_hash beside each (ARCHITECTURE.md).
    applicant_id_number = EncryptedCharField(
        "证件号码", max_length=18, blank=True, help_text="个人：公民身份号码；企业：统一社会信用代码"
    )
    applicant_id_number_hash = LookupHashField(source="applicant_id_number", db_index=True)
    contact_phone = EncryptedCharField("联系电话", max_length=20, blank=True)
    contact_phone_hash = LookupHashField(source="contact_phone", db_index=True)
    # The other party of an item both parties apply for together (结婚、离婚登记: Guide.parties == 2).
    second_name = models.CharField("另一方当事人", max_length=100, blank=True)
    second_id_number = EncryptedCharField(
        "另一方证件号码", max_length=18, blank=True, help_text="公民身份号码"
    )
    second_id_number_hash = LookupHashField(source="second_id_number")
    second_phone = EncryptedCharField("另一方联系电话", max_length=20, blank=True)
    second_phone_hash = LookupHashField(source="second_phone", db_index=True)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applied_cases",
        verbose_name="网上申请账号",
    )
    note = models.TextField("申请说明", blank=True)
    ticket_number = models.CharField("排队号", max_length=20, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="收件人",
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    limit_days = models.PositiveSmallIntegerField("办结时限", null=True, blank=True)
    limit_unit = models.CharField(
        "时限单位", max_length=10, choices=LimitUnit.choices, default=LimitUnit.WORKDAY
    )
    deadline = models.DateField("办结期限", null=True, blank=True)
    deadline_unknown = models.BooleanField(
        "期限无法计算", default=False, help_text="期限落在尚无节假日数据的年份，须补录工作日调整后重算"
    )
    suspended_since = models.DateField("暂停计时起", null=True, blank=True)
    suspension_kind = models.CharField("特别程序", max_length=10, choices=Suspension.choices, blank=True)
    suspended_days = models.PositiveSmallIntegerField(
        "已暂停天数", default=0, help_text="工作日时限按工作日计，自然日或月时限按自然日计"
    )
    # A waiting period of the guide (离婚冷静期): it ends on `waiting_ends_on`; both parties
    # must then come by `collect_by`, or the application counts as withdrawn.
    waiting_ends_on = models.DateField("冷静期（等待期）届满日", null=True, blank=True)
    collect_by = models.DateField("申请发证截止日", null=True, blank=True)
    waiting_notified_on = models.DateField("已提醒等待期届满", null=True, blank=True)
    collect_notified_on = models.DateField("已提醒申请发证截止", null=True, blank=True)
    outcome = models.CharField("办理结果", max_length=10, choices=Outcome.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="决定人",
    )
    decision_authority = models.CharField("决定权限", max_length=12, choices=Authority.choices, blank=True)
    decision_note = models.TextField("决定说明", blank=True)
    decided_under = models.ForeignKey(
        "ChiefAuthorization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name="所依据的首席代表授权书",
    )
    delivery_method = models.CharField("送达方式", max_length=12, choices=Delivery.choices, blank=True)
    tracking_number = models.CharField("邮件单号", max_length=40, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    # 代收代办、收受分离 (issue 18): `center` stays the handling hall (办理大厅), whose
    # deadlines, supervision and scope the case follows; a case received at another hall
    # names it here (null: received where it is handled, as before).
    receiving_center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_received_for_others",
        verbose_name="收件大厅",
    )
    # 取件地点: where the applicant chose to collect the result (null: the handling hall).
    pickup_center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_to_collect",
        verbose_name="取件地点",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["center", "status"], name="case_center_status"),
            models.Index(fields=["contact_phone_hash"], name="case_phone"),
            # The cockpit's rollups read a range of days by each of these (dashboards.rollups).
            models.Index(fields=["submitted_at"], name="case_submitted_at"),
            models.Index(fields=["accepted_at"], name="case_accepted_at"),
            models.Index(fields=["completed_at"], name="case_completed_at"),
            # 明进暗不进 (dashboards.checks): the last case of an item at its hall, and an
            # item's cases accepted in the last 30 days, without reading its whole history.
            models.Index(fields=["item", "center", "created_at"], name="case_item_hall_made"),
            models.Index(fields=["item", "accepted_at"], name="case_item_accepted"),
            # The few cases waiting for next year's holidays (the workbench counts them).
            models.Index(
                fields=["center"], name="case_deadline_unknown", condition=models.Q(deadline_unknown=True)
            ),
        ]

    def __str__(self):
        return f"{self.number or '草稿'} {self.item.name if self.item_id else ''} {self.applicant_name}"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.applicant_id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def masked_second_id_number(self) -> str:
        return mask_id_number(self.second_id_number)

    @property
    def masked_second_phone(self) -> str:
        return mask_phone(self.second_phone)

    @property
    def limit_label(self) -> str:
        """ "20 个工作日", "30 日（自然日）", "3 个月" (empty before a limit is set)."""
        return limit_label(self.limit_days, self.limit_unit)

    @property
    def received_elsewhere(self) -> bool:
        """收受分离: received at another hall than the one handling it."""
        return self.receiving_center_id is not None and self.receiving_center_id != self.center_id

    @property
    def receiving_hall(self) -> Center:
        """收件大厅 (the handling hall when received there)."""
        if self.received_elsewhere and self.receiving_center is not None:
            return self.receiving_center
        return self.center

    @property
    def pickup_hall(self) -> Center:
        """取件地点 (the handling hall unless the applicant chose another)."""
        return self.pickup_center if self.pickup_center is not None else self.center

    @property
    def in_waiting(self) -> bool:
        """Whether the waiting period (离婚冷静期) is still running today."""
        from django.utils import timezone

        return self.waiting_ends_on is not None and timezone.localdate() <= self.waiting_ends_on


class CaseEvent(models.Model):
    """One step of a case: what happened, from which state to which, who, when and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name="办件")
    action = models.CharField("操作", max_length=30)
    label = models.CharField("说明", max_length=60)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    reason = models.TextField("原因/说明", blank=True)

    class Meta:
        verbose_name = "办件过程"
        verbose_name_plural = verbose_name
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.case_id} {self.label}"


class CaseMaterial(models.Model):
    """A material handed in for a case: a file uploaded online, or a paper one
    recorded at the window. `material` points at the guide's material list."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials", verbose_name="办件")
    material = models.ForeignKey(
        "catalog.Material",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="指南材料",
    )
    name = models.CharField("材料名称", max_length=200)
    file = models.FileField("文件", upload_to="cases/%Y/%m/", blank=True)
    content_type = models.CharField("文件类型", max_length=60, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    paper = models.BooleanField("纸质材料（窗口收取）", default=False)
    handed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提交/收取人",
    )
    handed_in_at = models.DateTimeField("提交时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "办件材料"
        verbose_name_plural = verbose_name
        ordering = ["case", "handed_in_at", "id"]

    def __str__(self):
        return self.name


class Notice(models.Model):
    """A numbered written notice kept with the case. Its text is frozen in
    `body` when issued; the printable page and the PDF are made from it."""

    class Kind(models.TextChoices):
        ACCEPTANCE = "acceptance", "受理通知书"
        REJECTION = "rejection", "不予受理通知书"
        CORRECTION = "correction", "一次性告知书"
        COMPLETION = "completion", "办结通知"

    CODES = {"acceptance": "SL", "rejection": "BSL", "correction": "GZ", "completion": "BJ"}

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notices", verbose_name="办件")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    number = models.CharField("文书编号", max_length=50, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="出具人",
    )
    issued_at = models.DateTimeField("出具时间", auto_now_add=True)
    body = models.JSONField("内容", default=dict)

    class Meta:
        verbose_name = "办件文书"
        verbose_name_plural = verbose_name
        ordering = ["case", "issued_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"


class FollowUpMaterial(models.Model):
    """容缺受理: a required material the guide lets follow, missing when the case
    was accepted. Due `follow_days` working days after acceptance; supervision
    warns when the day passes without it; receiving it (paper or upload) closes it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups", verbose_name="办件")
    material = models.ForeignKey(
        "catalog.Material", on_delete=models.PROTECT, related_name="+", verbose_name="指南材料"
    )
    name = models.CharField("材料名称", max_length=200)
    due_on = models.DateField(
        "补交截止日", null=True, blank=True, help_text="空：截止日落在尚无节假日数据的年份，待录入后确定"
    )
    received = models.ForeignKey(
        CaseMaterial,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="补交的材料",
    )
    received_at = models.DateTimeField("补交时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "容缺补交材料"
        verbose_name_plural = verbose_name
        ordering = ["case", "due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "material"], name="one_follow_up_per_case_material")
        ]

    def __str__(self):
        return f"{self.name}（{'已补交' if self.received_at else '待补交'}）"


class Commitment(models.Model):
    """告知承诺书 signed by the applicant for a case of a 告知承诺制 item: the
    materials it replaces and the text signed, frozen when recorded."""

    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="commitment", verbose_name="办件"
    )
    signed_by = models.CharField("承诺人（签字）", max_length=100)
    text = models.TextField("承诺书内容")
    materials = models.JSONField("代替的材料", default=list, help_text='[{"id": 1, "name": "…"}]')
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "告知承诺书"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.case.number} 告知承诺书（{self.signed_by}）"

    @property
    def material_ids(self) -> set[int]:
        return {int(m["id"]) for m in self.materials}

    @property
    def material_names(self) -> list[str]:
        return [m["name"] for m in self.materials]


class CorrectionNotice(models.Model):
    """一次性告知: all missing or defective materials named at once."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="corrections", verbose_name="办件")
    notice = models.OneToOneField(
        Notice, on_delete=models.PROTECT, related_name="correction", verbose_name="文书"
    )
    sequence = models.PositiveSmallIntegerField("第几次告知")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="出具人",
    )
    issued_at = models.DateTimeField("告知时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "一次性告知"
        verbose_name_plural = verbose_name
        ordering = ["case", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="unique_correction_sequence")
        ]

    def __str__(self):
        return f"{self.case.number} 第{self.sequence}次告知"


class CorrectionItem(models.Model):
    """One material named in a correction notice, and what is wrong with it."""

    class Problem(models.TextChoices):
        MISSING = "missing", "缺少"
        DEFECTIVE = "defective", "不符合要求"

    correction = models.ForeignKey(
        CorrectionNotice, on_delete=models.CASCADE, related_name="items", verbose_name="告知书"
    )
    material = models.ForeignKey(
        "catalog.Material",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="指南材料",
    )
    name = models.CharField("材料名称", max_length=200)
    problem = models.CharField("问题", max_length=10, choices=Problem.choices, default=Problem.MISSING)
    reason = models.CharField("具体说明", max_length=300)

    class Meta:
        verbose_name = "告知材料"
        verbose_name_plural = verbose_name
        ordering = ["correction", "id"]

    def __str__(self):
        return self.name


class CorrectionException(models.Model):
    """A district administrator's recorded justification for demanding, in a
    later notice, a material the first notice did not name. Reported in supervision."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="correction_exceptions", verbose_name="办件"
    )
    material = models.ForeignKey(
        "catalog.Material", on_delete=models.PROTECT, related_name="+", verbose_name="指南材料"
    )
    justification = models.TextField("理由")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="批准人"
    )
    granted_at = models.DateTimeField("批准时间", auto_now_add=True)
    used_in = models.ForeignKey(
        CorrectionNotice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exceptions",
        verbose_name="用于告知书",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "一次性告知例外"
        verbose_name_plural = verbose_name
        ordering = ["-granted_at"]

    def __str__(self):
        return f"{self.case.number} 补充告知“{self.material.name}”"


class FirstInquiry(TimeStamped):
    """首问负责制: the first staff member asked owns the question until it is
    answered or handed over on record to a named colleague who accepts it."""

    class Status(models.TextChoices):
        OPEN = "open", "办理中"
        HANDOVER = "handover", "移交待接收"
        ANSWERED = "answered", "已答复"

    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="inquiries", verbose_name="中心"
    )
    asker_name = models.CharField("咨询人", max_length=60)
    asker_contact = models.CharField("联系方式", max_length=40)
    topic = models.TextField("咨询事项")
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="首问人"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_inquiries",
        verbose_name="当前责任人",
    )
    handover_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inquiries_offered",
        verbose_name="移交给",
    )
    handover_note = models.CharField("移交说明", max_length=300, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    answer = models.TextField("答复", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    due_on = models.DateField("应办结日期", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "首问登记"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"首问 #{self.pk} {self.asker_name}"

    @property
    def masked_contact(self) -> str:
        return mask_phone(self.asker_contact)


class InquiryEvent(models.Model):
    """One step of an inquiry: recorded, handed over, accepted, declined, answered."""

    inquiry = models.ForeignKey(FirstInquiry, on_delete=models.CASCADE, related_name="events")
    label = models.CharField("操作", max_length=60)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return self.label


class Warning(models.Model):
    """电子监察 warning. One row per (case, level) or (inquiry, level), so the
    job that computes them can run any number of times without double counting."""

    class Level(models.TextChoices):
        YELLOW = "yellow", "黄牌预警"
        RED = "red", "红牌（超期）"
        FLAG = "flag", "期限无法计算"
        FOLLOW_UP = "follow_up", "容缺材料逾期未补交"

    level = models.CharField("级别", max_length=10, choices=Level.choices)
    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="warnings", verbose_name="中心"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="warnings")
    inquiry = models.ForeignKey(
        FirstInquiry, on_delete=models.CASCADE, null=True, blank=True, related_name="warnings"
    )
    message = models.CharField("内容", max_length=200)
    due_on = models.DateField("期限", null=True, blank=True)
    raised_at = models.DateTimeField("预警时间", auto_now_add=True)
    resolved_at = models.DateTimeField("解除时间", null=True, blank=True)

    class Meta:
        verbose_name = "监察预警"
        verbose_name_plural = verbose_name
        ordering = ["resolved_at", "-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "level"],
                condition=models.Q(case__isnull=False),
                name="one_warning_per_case_level",
            ),
            models.UniqueConstraint(
                fields=["inquiry", "level"],
                condition=models.Q(inquiry__isnull=False),
                name="one_warning_per_inquiry_level",
            ),
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) ^ models.Q(inquiry__isnull=False),
                name="warning_is_about_one_thing",
            ),
        ]

    def __str__(self):
        return f"{self.get_level_display()} {self.message}"


# --- 窗口无否决权: the chief representative's authorisation and escalations ----------------------


class ChiefAuthorization(TimeStamped):
    """首席代表授权书: a department's written authorisation for one person to
    decide at one hall — refusing (不予受理) and denying (不予许可) included — on
    the items it lists (or all the department's items). A window clerk has no
    such power. Once issued it is not edited: it is revoked and a new one issued."""

    department = models.ForeignKey(
        "centers.Department",
        on_delete=models.PROTECT,
        related_name="chief_authorizations",
        verbose_name="授权部门",
    )
    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="chief_authorizations",
        verbose_name="派驻中心",
    )
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="chief_authorizations",
        verbose_name="首席代表",
    )
    document_number = models.CharField("授权书文号", max_length=60)
    title = models.CharField("授权书标题", max_length=200)
    all_items = models.BooleanField("本部门在该中心的全部事项", default=False)
    items = models.ManyToManyField(
        "catalog.ServiceItem", blank=True, related_name="chief_authorizations", verbose_name="授权事项"
    )
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("截止日期")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="录入人",
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="撤销人",
    )
    revoke_reason = models.CharField("撤销原因", max_length=300, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "首席代表授权书"
        verbose_name_plural = verbose_name
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "document_number"], name="unique_chief_authorization_number"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")), name="chief_authorization_period"
            ),
        ]

    def __str__(self):
        return f"{self.document_number} {self.representative}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "截止日期不能早于生效日期。"})
        if self.center_id and self.department_id:
            district_id = self.center.district_id
            if self.department.district_id != district_id:
                raise ValidationError({"department": "授权部门必须属于该中心所在区县。"})

    def is_current(self, day) -> bool:
        return self.revoked_at is None and self.valid_from <= day <= self.valid_to


class Escalation(TimeStamped):
    """提请首席代表/部门决定: a window clerk, who may not refuse or deny, hands the
    decision up with the reason and the decision proposed. It stays open (the
    case shows "待首席代表/部门决定") until the chief representative or the
    department refuses/denies, or sends it back for the window to continue."""

    class Proposal(models.TextChoices):
        REJECT = "reject", "不予受理"
        DENY = "deny", "不予许可"

    class Outcome(models.TextChoices):
        DECIDED = "decided", "已作出决定"
        RETURNED = "returned", "退回窗口继续办理"
        CLOSED = "closed", "办件已结束"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations", verbose_name="办件")
    proposal = models.CharField("拟作决定", max_length=10, choices=Proposal.choices)
    reason = models.TextField("提请理由")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提请人",
    )
    outcome = models.CharField("处理结果", max_length=10, choices=Outcome.choices, blank=True)
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )
    resolution_note = models.TextField("处理说明", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "提请决定"
        verbose_name_plural = verbose_name
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_open_escalation_per_case",
            )
        ]

    def __str__(self):
        return f"{self.case} {self.get_proposal_display()}"


# --- 代收代办、收受分离: materials handed from the receiving hall to the handling hall -------


class HandOver(models.Model):
    """材料移交: the receiving hall hands a case's materials to the handling hall —
    who, when, which materials, on paper or electronically — and the handling hall
    records their receipt, once. Until then the handling hall cannot decide on the
    case (it has not seen the materials); the acceptance clock already runs from
    the receiving hall's moment of receipt."""

    class Form(models.TextChoices):
        PAPER = "paper", "纸质材料"
        ELECTRONIC = "electronic", "电子材料"

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="handover", verbose_name="办件")
    from_center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="handovers_out", verbose_name="移交大厅"
    )
    to_center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="handovers_in", verbose_name="接收大厅"
    )
    form = models.CharField("移交形式", max_length=10, choices=Form.choices)
    materials = models.JSONField("移交材料", default=list, help_text='["材料名称", …]')
    note = models.CharField("移交说明", max_length=300, blank=True)
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="移交人",
    )
    handed_at = models.DateTimeField("移交时间")
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="接收人",
    )
    received_at = models.DateTimeField("接收时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "材料移交"
        verbose_name_plural = verbose_name
        ordering = ["-handed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_center=models.F("to_center")), name="handover_between_two_halls"
            )
        ]

    def __str__(self):
        return f"{self.case_id} {self.from_center_id}→{self.to_center_id}"

    @property
    def is_received(self) -> bool:
        return self.received_at is not None

    @property
    def status_label(self) -> str:
        return "已接收" if self.is_received else "已移交，待接收"
