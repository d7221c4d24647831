"""Forms of the catalog's staff pages. They only parse and type the input; the
services decide what is allowed and valid, and a DomainError they raise is put
next to the field it names by the page door (`core.page_errors`)."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from govhall.centers.models import Center, Department, District
from govhall.core.forms import AccessibleForm

from .models import (
    DEFAULT_FOLLOW_DAYS,
    PARTY_CHOICES,
    Guide,
    LimitUnit,
    Material,
    NegativeListEntry,
    ServiceItem,
    Theme,
)
from .services import GUIDE_FIELDS


def _choices(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


class ItemForm(AccessibleForm):
    code = forms.CharField(label="实施编码", max_length=80)
    name = forms.CharField(label="事项名称", max_length=200)
    catalog_code = forms.CharField(label="基本目录编码", max_length=40, required=False)
    item_type = forms.ChoiceField(label="事项类型", choices=ServiceItem.Type.choices)
    serving = forms.ChoiceField(label="服务对象", choices=ServiceItem.Serving.choices)
    department = forms.ModelChoiceField(
        label="实施部门", queryset=Department.objects.none(), empty_label="请选择"
    )
    level = forms.ChoiceField(
        label="行使层级", choices=ServiceItem.Level.choices, initial=ServiceItem.Level.COUNTY
    )
    legal_basis = forms.CharField(label="设定依据", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    keywords = forms.CharField(
        label="关键词/别称", max_length=200, required=False, help_text="以空格或顿号分隔，用于搜索"
    )
    themes = forms.ModelMultipleChoiceField(
        label="主题", queryset=Theme.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(label="在用", required=False, initial=True)

    def __init__(self, *args: Any, district: District, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "department").queryset = Department.objects.filter(district=district).order_by("name")
        if editing:
            self.fields["code"].disabled = True
        else:
            del self.fields["is_active"]


class StationForm(AccessibleForm):
    center = forms.ModelChoiceField(label="进驻中心", queryset=Center.objects.none(), empty_label="请选择")

    def __init__(self, *args: Any, district: District, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "center").queryset = (
            Center.objects.filter(district=district)
            .exclude(status__in=[Center.Status.MERGED, Center.Status.CLOSED])
            .order_by("kind", "code")
        )


MATERIAL_COLUMNS = (
    "name",
    "required",
    "form",
    "copies",
    "source",
    "shared",
    "may_follow",
    "follow_days",
    "replaced_by_commitment",
    "note",
)
FEE_COLUMNS = ("name", "standard", "basis", "reduction")
FAQ_COLUMNS = ("q", "a")
CHECKBOX_COLUMNS = {"required", "shared", "may_follow", "replaced_by_commitment"}
MATERIAL_FORMS = Material.Form.choices
# The column names of the guide page's tables, in the order of the columns above.
MATERIAL_HEAD = (
    "材料名称",
    "必要",
    "形式",
    "份数",
    "来源渠道",
    "免提交",
    "可容缺受理",
    "补交期限（工作日）",
    "可承诺代替",
    "备注",
)
FEE_HEAD = ("收费项目", "收费标准", "收费依据", "减免政策")


def posted_rows(
    data: Any, prefix: str, columns: tuple[str, ...], significant: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """The rows `prefix-N-column` of a posted list, in order; rows whose
    `significant` text columns (default: all text columns) are blank are left out."""
    indexes = sorted(
        {
            int(key.split("-")[1])
            for key in data
            if key.startswith(prefix + "-") and key.count("-") == 2 and key.split("-")[1].isdigit()
        }
    )
    rows = []
    for i in indexes:
        row: dict[str, Any] = {
            c: (data.get(f"{prefix}-{i}-{c}") or "").strip() for c in columns if c not in CHECKBOX_COLUMNS
        }
        if not any(row.get(c) for c in (significant or row)):
            continue
        for c in columns:
            if c in CHECKBOX_COLUMNS:
                row[c] = bool(data.get(f"{prefix}-{i}-{c}"))
        rows.append(row)
    return rows


class RowsInput(forms.Widget):
    """Reads back a table of inputs named `<name>-N-<column>`; the page lays the
    table out itself (catalog/_material_row.html and the like)."""

    def __init__(self, columns: tuple[str, ...], significant: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.columns, self.significant = columns, significant

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[dict[str, Any]]:
        return posted_rows(data, name, self.columns, self.significant)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False


class RowsField(forms.Field):
    """A list of rows typed into a table of inputs; blank rows are left out. A
    refusal naming the list (`field="fees"`) is shown above its table."""

    def __init__(self, *, columns: tuple[str, ...], significant: tuple[str, ...] = (), **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(widget=RowsInput(columns, significant), **kwargs)

    def to_python(self, value: Any) -> list[dict[str, Any]]:
        return list(value or [])


class MaterialsField(RowsField):
    """The materials of a guide: the number of copies is a whole number; an
    unknown form counts as the original."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(columns=MATERIAL_COLUMNS, significant=("name", "source", "note"), **kwargs)

    def to_python(self, value: Any) -> list[dict[str, Any]]:
        rows = []
        for i, row in enumerate(super().to_python(value), start=1):
            copies = str(row.get("copies") or "1")
            if not copies.isdigit():
                raise forms.ValidationError(f"第{i}项材料：份数应为整数。", code="copies")
            kind = row.get("form") if row.get("form") in Material.Form.values else Material.Form.ORIGINAL
            follow = str(row.get("follow_days") or DEFAULT_FOLLOW_DAYS)
            if not follow.isdigit():
                raise forms.ValidationError(
                    f"第{i}项材料：容缺补交期限应为整数（工作日）。", code="follow_days"
                )
            rows.append({**row, "form": kind, "copies": int(copies), "follow_days": int(follow)})
        return rows


GUIDE_ROWS = ("materials", "fees", "faq")
# The guide's fields typed as they are stored (steps are lines; 不收费 and the tables apart).
GUIDE_PLAIN_FIELDS = tuple(name for name in GUIDE_FIELDS if name not in ("steps", "no_fee", *GUIDE_ROWS))


class GuideForm(AccessibleForm):
    conditions = forms.CharField(label="受理条件", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    steps = forms.CharField(
        label="办理流程", required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="每行一个步骤"
    )
    legal_days = forms.IntegerField(
        label="法定办结时限（0 为即时办结）", required=False, min_value=0, max_value=3650
    )
    promised_days = forms.IntegerField(label="承诺办结时限", required=False, min_value=0, max_value=3650)
    limit_unit = forms.TypedChoiceField(
        label="时限计算单位",
        choices=LimitUnit.choices,
        required=False,
        empty_value=LimitUnit.WORKDAY,
        help_text="法律规定按自然日或月计算的，选择相应单位",
    )
    parties = forms.TypedChoiceField(
        label="申请人", choices=PARTY_CHOICES, coerce=int, required=False, empty_value=None
    )
    waiting_name = forms.CharField(label="等待期名称（选填）", max_length=30, required=False)
    waiting_days = forms.IntegerField(
        label="等待期（不计入办结时限）", required=False, min_value=1, max_value=3650
    )
    waiting_unit = forms.TypedChoiceField(
        label="等待期单位", choices=LimitUnit.choices, required=False, empty_value=LimitUnit.DAY
    )
    collect_days = forms.IntegerField(
        label="期满后到场申请期限（自然日，逾期视为撤回）", required=False, min_value=1, max_value=3650
    )
    visits = forms.IntegerField(label="到办事现场次数", required=False, min_value=0, max_value=20)
    place = forms.CharField(label="办理地点", max_length=200, required=False)
    hours = forms.CharField(label="办理时间", max_length=200, required=False)
    consult_phone = forms.CharField(label="咨询电话", max_length=60, required=False)
    complaint_phone = forms.CharField(label="投诉电话", max_length=60, required=False)
    online_url = forms.URLField(label="网上办理地址", max_length=300, required=False, assume_scheme="https")
    change_note = forms.CharField(label="修订说明", max_length=200, required=False)
    commitment_allowed = forms.BooleanField(
        label="实行告知承诺制（申请人签署告知承诺书后，免交标注“可承诺代替”的材料）", required=False
    )
    commitment_text = forms.CharField(
        label="告知承诺书内容",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="留空则使用标准文本：申请人承诺所述情况真实、符合条件，愿意承担不实承诺的法律责任",
    )
    no_fee = forms.BooleanField(label="不收费", required=False)
    materials = MaterialsField(label="申请材料")
    fees = RowsField(label="收费", columns=FEE_COLUMNS)
    faq = RowsField(label="常见问题", columns=FAQ_COLUMNS)

    ROWS = GUIDE_ROWS
    FIELDS = GUIDE_PLAIN_FIELDS

    @classmethod
    def initial_of(cls, guide: Guide | None) -> dict[str, Any]:
        """What the form shows of a saved version (the draft, or the published one a new draft starts from)."""
        if guide is None:
            return {}
        initial: dict[str, Any] = {name: getattr(guide, name) for name in cls.FIELDS}
        initial["steps"] = "\n".join(guide.steps or [])
        initial["no_fee"] = guide.no_fee
        initial["materials"] = [{c: getattr(m, c) for c in MATERIAL_COLUMNS} for m in guide.materials.all()]
        initial["fees"] = [{c: getattr(f, c) for c in FEE_COLUMNS} for f in guide.fees.all()]
        initial["faq"] = list(guide.faq or [])
        return initial

    def plain_fields(self) -> list[forms.BoundField]:
        """The fields laid out one under another (not the tables, not 不收费)."""
        return [self[name] for name in self.fields if name not in (*self.ROWS, "no_fee")]

    def guide_fields(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.FIELDS}
        data["parties"] = data["parties"] or 1
        data["steps"] = [line.strip() for line in self.cleaned_data["steps"].splitlines() if line.strip()]
        data["faq"] = self.cleaned_data["faq"]
        return data

    def add_error(self, field: str | None, error: Any) -> None:
        # Publishing shows its refusal on the saved draft's unbound form; Django's add_error
        # expects the cleaned_data only a bound form has.
        if not self.is_bound and not hasattr(self, "cleaned_data"):
            self.cleaned_data = {}
        super().add_error(field, error)


class NegativeEntryForm(AccessibleForm):
    item = forms.ModelChoiceField(label="事项", queryset=ServiceItem.objects.none(), empty_label="请选择")
    center = forms.ModelChoiceField(
        label="办理地点（分中心）", queryset=Center.objects.none(), empty_label="请选择"
    )
    reason = forms.ChoiceField(
        label="不进驻理由", choices=NegativeListEntry.Reason.choices, widget=forms.RadioSelect
    )
    basis = forms.CharField(label="具体依据", widget=forms.Textarea(attrs={"rows": 3}))
    approval = forms.CharField(label="批准文件", max_length=120, help_text="如：合川府办发〔2023〕79号")
    approved_on = forms.DateField(label="批准日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, district: District, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "item").queryset = ServiceItem.objects.filter(
            district=district, is_active=True
        ).order_by("name")
        _choices(self, "center").queryset = (
            Center.objects.filter(district=district).exclude(kind=Center.Kind.DISTRICT).order_by("code")
        )


class SynonymForm(AccessibleForm):
    word = forms.CharField(label="检索词", max_length=30, help_text="如：社保")
    expansions = forms.CharField(
        label="同义词", max_length=200, help_text="以顿号、逗号或空格分隔，如：社会保险、社会保障"
    )


class ImportForm(AccessibleForm):
    file = forms.FileField(
        label="Excel 文件（.xlsx）",
        error_messages={"required": "请选择要导入的 Excel 文件（.xlsx）。"},
        widget=forms.FileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
