"""Service items (政务服务事项), their versioned guides (办事指南) and the negative list.

An item carries the fields of a national implementation list (GB/T 39554 style).
Its guide is versioned: an editor drafts, the district office publishes; a
published version never changes — a new version supersedes it, and a case
records the version it was made under. Every item is stationed at the district
center (应进必进) unless an approved negative-list entry (负面清单) sends it to a branch.
"""

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from govhall.core.models import TimeStamped

from .search import sort_key as name_sort_key


class Theme(models.Model):
    """A browsing theme (主题), e.g. 婚姻登记, 社会保障, 残疾人服务."""

    name = models.CharField("主题名称", max_length=30, unique=True)
    code = models.SlugField("编码", max_length=30, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "主题"
        verbose_name_plural = "主题"
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class ServiceItem(TimeStamped):
    """政务服务事项: one line of the implementation list."""

    class Type(models.TextChoices):
        LICENSE = "license", "行政许可"
        PAYMENT = "payment", "行政给付"
        CONFIRMATION = "confirmation", "行政确认"
        LEVY = "levy", "行政征收"
        AWARD = "award", "行政奖励"
        RULING = "ruling", "行政裁决"
        OTHER_POWER = "other_power", "其他行政权力"
        PUBLIC_SERVICE = "public_service", "公共服务"

    class Serving(models.TextChoices):
        PERSON = "person", "个人"
        LEGAL = "legal", "法人"
        BOTH = "both", "个人、法人"

    class Level(models.TextChoices):
        NATIONAL = "national", "国家级"
        PROVINCIAL = "provincial", "省级"
        CITY = "city", "市级"
        COUNTY = "county", "县级"
        TOWN = "town", "乡级"

    district = models.ForeignKey(
        "centers.District", on_delete=models.PROTECT, related_name="service_items", verbose_name="区县"
    )
    code = models.CharField("实施编码", max_length=80, unique=True)
    catalog_code = models.CharField("基本目录编码", max_length=40, blank=True)
    name = models.CharField("事项名称", max_length=200)
    item_type = models.CharField("事项类型", max_length=20, choices=Type.choices)
    serving = models.CharField("服务对象", max_length=10, choices=Serving.choices, default=Serving.PERSON)
    department = models.ForeignKey(
        "centers.Department", on_delete=models.PROTECT, related_name="service_items", verbose_name="实施部门"
    )
    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="service_items", verbose_name="进驻中心"
    )
    legal_basis = models.TextField("设定依据", blank=True)
    level = models.CharField("行使层级", max_length=12, choices=Level.choices, default=Level.COUNTY)
    themes = models.ManyToManyField(Theme, blank=True, related_name="items", verbose_name="主题")
    keywords = models.CharField(
        "关键词/别称", max_length=200, blank=True, help_text="以空格或顿号分隔，用于搜索"
    )
    is_active = models.BooleanField("在用", default=True)
    is_demo = models.BooleanField("演示数据", default=False)
    current_guide = models.ForeignKey(
        "Guide",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="现行指南",
        editable=False,
    )
    # How lists sort (by pinyin, 婚 under h); kept from the name on every save and bulk write.
    name_pinyin = models.CharField("名称拼音", max_length=255, blank=True, editable=False, default="")
    history = HistoricalRecords(excluded_fields=["current_guide", "name_pinyin"])

    class Meta:
        verbose_name = "政务服务事项"
        verbose_name_plural = "政务服务事项"
        ordering = ["code"]
        indexes = [
            models.Index(fields=["center", "is_active"]),
            models.Index(fields=["department", "is_active"]),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_pinyin = name_sort_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_pinyin"}
        super().save(*args, **kwargs)

    def clean(self):
        errors: dict[str, list[str]] = {}
        if self.center_id and self.district_id and self.center.district_id != self.district_id:
            errors.setdefault("center", []).append("进驻中心必须属于本区县。")
        if self.department_id and self.district_id and self.department.district_id != self.district_id:
            errors.setdefault("department", []).append("实施部门必须属于本区县。")
        if errors:
            raise ValidationError(errors)


class LimitUnit(models.TextChoices):
    """How a time limit is counted: 工作日 (statutory holidays and weekends skipped,
    行政许可法 art. 82), 自然日 (every day counts, e.g. 民法典 art. 1077's 冷静期), or
    months (the same day N months later, the month's last day if it has no such day)."""

    WORKDAY = "workday", "工作日"
    DAY = "day", "自然日"
    MONTH = "month", "月"


def limit_label(days: int | None, unit: str = LimitUnit.WORKDAY, *, instant: str = "即时办结") -> str:
    """A time limit as people read it: "20 个工作日", "30 日（自然日）", "3 个月" (0: `instant`)."""
    if days is None:
        return ""
    if days == 0 and instant:
        return instant
    if unit == LimitUnit.DAY:
        return f"{days} 日（自然日）"
    if unit == LimitUnit.MONTH:
        return f"{days} 个月"
    return f"{days} 个工作日"


PARTY_CHOICES = [(1, "一方申请"), (2, "双方当事人共同申请")]


class GuideQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Guide.Status.PUBLISHED)


class Guide(TimeStamped):
    """办事指南, one version of it. Drafts change; a published version never does."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "现行"
        SUPERSEDED = "superseded", "已废止（被新版本替代）"

    # What may still change on a published version: only its retirement.
    MUTABLE_AFTER_PUBLISH = {"status", "superseded_at", "updated_at"}

    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="guides", verbose_name="事项"
    )
    version = models.PositiveIntegerField("版本号")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    conditions = models.TextField("受理条件", blank=True)
    steps = models.JSONField("办理流程", default=list, blank=True, help_text="步骤列表")
    legal_days = models.PositiveSmallIntegerField("法定办结时限", null=True, blank=True)
    promised_days = models.PositiveSmallIntegerField("承诺办结时限", null=True, blank=True)
    limit_unit = models.CharField(
        "时限计算单位",
        max_length=10,
        choices=LimitUnit.choices,
        default=LimitUnit.WORKDAY,
        help_text="法定与承诺办结时限的单位：工作日、自然日或月",
    )
    # A waiting period (等待期) is not a processing limit: the applicant waits (离婚冷静期),
    # then must come within `collect_days` or the application counts as withdrawn.
    waiting_name = models.CharField("等待期名称", max_length=30, blank=True, help_text="如：离婚冷静期")
    waiting_days = models.PositiveSmallIntegerField(
        "等待期", null=True, blank=True, help_text="自收到申请之日起计算；不计入办结时限"
    )
    waiting_unit = models.CharField(
        "等待期单位", max_length=10, choices=LimitUnit.choices, default=LimitUnit.DAY
    )
    collect_days = models.PositiveSmallIntegerField(
        "期满后到场申请期限（自然日）",
        null=True,
        blank=True,
        help_text="等待期届满后须在此期限内到场申请，逾期视为撤回申请",
    )
    parties = models.PositiveSmallIntegerField(
        "申请人",
        choices=PARTY_CHOICES,
        default=1,
        help_text="结婚、离婚登记：双方当事人共同申请，均须核验身份证件",
    )
    visits = models.PositiveSmallIntegerField("到办事现场次数", null=True, blank=True)
    no_fee = models.BooleanField("不收费", default=False)
    place = models.CharField("办理地点", max_length=200, blank=True)
    # No longer shown or edited: where to go is derived from the window register
    # (catalog.extensions.item_places); the column keeps what old versions were published with.
    windows = models.CharField("办理窗口", max_length=200, blank=True)
    hours = models.CharField("办理时间", max_length=200, blank=True)
    consult_phone = models.CharField("咨询电话", max_length=60, blank=True)
    complaint_phone = models.CharField("投诉电话", max_length=60, blank=True)
    online_url = models.URLField("网上办理地址", max_length=300, blank=True)
    faq = models.JSONField("常见问题", default=list, blank=True, help_text='[{"q": "问题", "a": "解答"}]')
    # 告知承诺制: the applicant's signed commitment replaces the materials marked `replaced_by_commitment`.
    commitment_allowed = models.BooleanField(
        "实行告知承诺制", default=False, help_text="申请人签署告知承诺书后，可免交标注“承诺代替”的材料"
    )
    commitment_text = models.TextField(
        "告知承诺书内容",
        blank=True,
        help_text="申请人签署的承诺内容；留空则使用标准文本",
    )
    change_note = models.CharField("修订说明", max_length=200, blank=True)
    drafted_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="起草人",
    )
    published_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发布人",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    superseded_at = models.DateTimeField("废止时间", null=True, blank=True)
    history = HistoricalRecords()

    objects = GuideQuerySet.as_manager()

    class Meta:
        verbose_name = "办事指南"
        verbose_name_plural = "办事指南"
        ordering = ["item", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="unique_guide_version"),
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(status="published"), name="one_published_guide_per_item"
            ),
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(status="draft"), name="one_draft_guide_per_item"
            ),
        ]

    def __str__(self):
        return f"{self.item.name} 第{self.version}版"

    @property
    def legal_label(self) -> str:
        return limit_label(self.legal_days, self.limit_unit)

    @property
    def promised_label(self) -> str:
        return limit_label(self.promised_days, self.limit_unit)

    @property
    def brief_limit_label(self) -> str:
        """The one line an item list shows: the waiting period, else the promised limit."""
        if self.waiting_days:
            return f"{self.waiting_name or '等待期'} {limit_label(self.waiting_days, self.waiting_unit)}"
        if self.promised_days is None:
            return ""
        return "即时办结" if self.promised_days == 0 else f"承诺 {self.promised_label}"

    @property
    def waiting_label(self) -> str:
        """ "离婚冷静期 30 日（自然日），期满后 30 日内到场申请，逾期视为撤回申请" (empty: no waiting period)."""
        if not self.waiting_days:
            return ""
        text = f"{self.waiting_name or '等待期'} {limit_label(self.waiting_days, self.waiting_unit)}"
        text += "，自收到申请之日起计算，不计入办结时限"
        if self.collect_days:
            text += f"；期满后 {self.collect_days} 日内须到场申请，逾期视为撤回申请"
        return text

    def save(self, *args, **kwargs):
        # Defence in depth: services already refuse, but no code path may rewrite a published version.
        if self.pk:
            old = Guide.objects.filter(pk=self.pk).values().first()
            if old and old["status"] != self.Status.DRAFT:
                changed = {
                    f.attname
                    for f in self._meta.concrete_fields
                    if getattr(self, f.attname) != old[f.attname]
                } - self.MUTABLE_AFTER_PUBLISH
                if changed:
                    raise GuideFrozen(self)
        super().save(*args, **kwargs)


class GuideFrozen(Exception):
    """Raised when code tries to change a published guide version."""

    def __init__(self, guide):
        super().__init__(f"指南第{guide.version}版已发布，不能修改。")


def _guide_must_be_draft(guide: Guide) -> None:
    if guide.status != Guide.Status.DRAFT:
        raise GuideFrozen(guide)


class GuidePart(models.Model):
    """A row of one guide version (a material, a fee): it changes only while that version is a draft."""

    guide: Guide  # each part declares its own foreign key (its own related_name)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        _guide_must_be_draft(self.guide)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _guide_must_be_draft(self.guide)
        return super().delete(*args, **kwargs)


DEFAULT_FOLLOW_DAYS = 5  # 容缺受理: working days after acceptance, unless the guide says otherwise
MAX_FOLLOW_DAYS = 60


class Material(GuidePart):
    """申请材料 of one guide version."""

    class Form(models.TextChoices):
        ORIGINAL = "original", "原件"
        COPY = "copy", "复印件"
        BOTH = "both", "原件和复印件"
        ELECTRONIC = "electronic", "电子材料"

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="materials", verbose_name="指南")
    order = models.PositiveSmallIntegerField("序号", default=1)
    name = models.CharField("材料名称", max_length=200)
    required = models.BooleanField("必要", default=True)
    form = models.CharField("材料形式", max_length=12, choices=Form.choices, default=Form.ORIGINAL)
    copies = models.PositiveSmallIntegerField("份数", default=1)
    paper_size = models.CharField("纸张规格", max_length=20, blank=True, default="A4")
    media = models.CharField("介质要求", max_length=40, blank=True, default="纸质")
    source = models.CharField("来源渠道", max_length=100, blank=True, help_text="如：申请人自备、公安机关")
    blank_form = models.FileField("空白表格", upload_to="catalog/forms/", blank=True)
    sample = models.FileField("填写样例", upload_to="catalog/samples/", blank=True)
    shared = models.BooleanField("免提交（可通过数据共享获取）", default=False)
    note = models.CharField("备注", max_length=200, blank=True)
    # 容缺受理: a required material that may follow within `follow_days` working days of acceptance.
    may_follow = models.BooleanField("可容缺受理", default=False)
    follow_days = models.PositiveSmallIntegerField(
        "容缺补交期限（工作日）", default=DEFAULT_FOLLOW_DAYS, help_text="受理后多少个工作日内补交"
    )
    replaced_by_commitment = models.BooleanField(
        "可由告知承诺书代替", default=False, help_text="仅在指南实行告知承诺制时有效"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["guide", "order", "id"]

    def __str__(self):
        return self.name

    @property
    def acceptance_note(self) -> str:
        """What the guide tells the applicant about handing this material in late or not at all."""
        if not self.required:
            return ""
        if self.may_follow:
            return f"可容缺受理，受理后 {self.follow_days} 个工作日内补交"
        if self.replaced_by_commitment and self.guide.commitment_allowed:
            return "实行告知承诺制：签署告知承诺书的，可免交"
        return ""


class Fee(GuidePart):
    """收费项目 of one guide version: name, standard, basis and reductions."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="fees", verbose_name="指南")
    name = models.CharField("收费项目", max_length=100)
    standard = models.CharField("收费标准", max_length=200)
    basis = models.CharField("收费依据", max_length=300)
    reduction = models.CharField("减免政策", max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "收费项目"
        verbose_name_plural = "收费项目"
        ordering = ["guide", "id"]

    def __str__(self):
        return self.name


class NegativeListEntry(TimeStamped):
    """负面清单: why an item is not handled at the district center, and where it goes."""

    class Reason(models.TextChoices):
        LAW = "law", "法律法规有明确规定"
        SITE = "site", "有特殊场地要求"
        SECRET = "secret", "涉及国家秘密"

    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="negative_entries", verbose_name="事项"
    )
    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="negative_entries",
        verbose_name="办理地点（分中心）",
    )
    reason = models.CharField("不进驻理由", max_length=10, choices=Reason.choices)
    basis = models.TextField("具体依据")
    approval = models.CharField("批准文件", max_length=120, help_text="如：合川府办发〔2023〕79号")
    approved_on = models.DateField("批准日期")
    is_active = models.BooleanField("有效", default=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "负面清单"
        verbose_name_plural = "负面清单"
        ordering = ["center__code", "item__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(is_active=True), name="one_active_negative_entry_per_item"
            )
        ]

    def __str__(self):
        return f"{self.item.name} → {self.center.name}"


class Synonym(models.Model):
    """A search synonym kept by the district office: 社保 → 社会保险、社会保障."""

    word = models.CharField("检索词", max_length=30, unique=True)
    expansions = models.CharField("同义词", max_length=200, help_text="以顿号、逗号或空格分隔")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "检索同义词"
        verbose_name_plural = "检索同义词"
        ordering = ["word"]

    def __str__(self):
        return f"{self.word} → {self.expansions}"

    @property
    def expansion_list(self) -> list[str]:
        import re

        return [w for w in re.split(r"[、,，;；\s]+", self.expansions) if w and w != self.word]


class SearchTerm(models.Model):
    """One search term of one item: a character, a two-character slice, a pinyin
    syllable pair, initials, a word. Plain rows with a B-tree index, so search
    runs the same on SQLite and PostgreSQL (see catalog/search.py)."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="+", db_index=True)
    term = models.CharField(max_length=40)
    weight = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = "检索词条"
        verbose_name_plural = "检索词条"
        indexes = [
            # Rank one term's items: term = ? in weight order, read from the index alone.
            models.Index(fields=["term", "weight", "item"], name="catalog_term_weight_item"),
            # Check the other terms of a query for a few candidate items: (item, term) = (?, ?).
            models.Index(fields=["item", "term", "weight"], name="catalog_term_item_term"),
        ]

    def __str__(self):
        return self.term


class TermStat(models.Model):
    """How many items carry a search term: the query planner of catalog search
    starts from the rarest term of a query. Kept by `item_reindex`; a count that
    drifts only makes a query slower, never its result different."""

    term = models.CharField(max_length=40, primary_key=True)
    items = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "检索词频"
        verbose_name_plural = "检索词频"

    def __str__(self):
        return f"{self.term}: {self.items}"


# --- catalog-17 ---
class CatalogImport(models.Model):
    """One Excel import of a district's catalog, run in the background: the page
    polls its progress (rows checked of all) and then shows its result."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        CHECKING = "checking", "检查中"
        WRITING = "writing", "写入中"
        DONE = "done", "已完成"
        REJECTED = "rejected", "未导入"
        FAILED = "failed", "出错"

    district = models.ForeignKey("centers.District", on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField("文件名", max_length=200, blank=True)
    data = models.BinaryField("文件内容", editable=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField("总行数", default=0)
    done = models.PositiveIntegerField("已处理行数", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    message = models.CharField("结果说明", max_length=300, blank=True)
    problems = models.JSONField("问题行", default=list, blank=True)
    rows = models.JSONField("逐行结果", default=list, blank=True)  # [[row, code, name, "新增"/"更新"], …]
    queued_at = models.DateTimeField("提交时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "事项库导入"
        verbose_name_plural = "事项库导入"
        ordering = ["-queued_at", "-id"]

    def __str__(self):
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REJECTED, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0
