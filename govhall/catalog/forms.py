"""Forms of the catalog's staff pages. They only parse and type the input; the
services decide what is allowed and valid, and their DomainError is shown next
to the field it names (`show_domain_error`)."""

from __future__ import annotations

from django import forms

from govhall.centers.forms import AccessibleForm, show_domain_error  # noqa: F401  (re-exported for the views)
from govhall.centers.models import Center, Department

from .models import Material, NegativeListEntry, ServiceItem, Theme


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

    def __init__(self, *args, district, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(district=district).order_by("name")
        if editing:
            self.fields["code"].disabled = True
        else:
            del self.fields["is_active"]


class StationForm(AccessibleForm):
    center = forms.ModelChoiceField(label="进驻中心", queryset=Center.objects.none(), empty_label="请选择")

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["center"].queryset = (
            Center.objects.filter(district=district)
            .exclude(status__in=[Center.Status.MERGED, Center.Status.CLOSED])
            .order_by("kind", "code")
        )


class GuideForm(AccessibleForm):
    conditions = forms.CharField(label="受理条件", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    steps = forms.CharField(
        label="办理流程", required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="每行一个步骤"
    )
    legal_days = forms.IntegerField(
        label="法定办结时限（工作日）", required=False, min_value=0, max_value=3650
    )
    promised_days = forms.IntegerField(
        label="承诺办结时限（工作日）", required=False, min_value=0, max_value=3650
    )
    visits = forms.IntegerField(label="到办事现场次数", required=False, min_value=0, max_value=20)
    place = forms.CharField(label="办理地点", max_length=200, required=False)
    windows = forms.CharField(label="办理窗口", max_length=200, required=False)
    hours = forms.CharField(label="办理时间", max_length=200, required=False)
    consult_phone = forms.CharField(label="咨询电话", max_length=60, required=False)
    complaint_phone = forms.CharField(label="投诉电话", max_length=60, required=False)
    online_url = forms.URLField(label="网上办理地址", max_length=300, required=False, assume_scheme="https")
    change_note = forms.CharField(label="修订说明", max_length=200, required=False)
    no_fee = forms.BooleanField(label="不收费", required=False)

    FIELDS = (
        "conditions",
        "legal_days",
        "promised_days",
        "visits",
        "place",
        "windows",
        "hours",
        "consult_phone",
        "complaint_phone",
        "online_url",
        "change_note",
    )

    def guide_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.FIELDS}
        data["steps"] = [line.strip() for line in self.cleaned_data["steps"].splitlines() if line.strip()]
        return data


MATERIAL_COLUMNS = ("name", "required", "form", "copies", "source", "shared", "note")
FEE_COLUMNS = ("name", "standard", "basis", "reduction")
FAQ_COLUMNS = ("q", "a")
CHECKBOX_COLUMNS = {"required", "shared"}
MATERIAL_FORMS = Material.Form.choices


def posted_rows(data, prefix: str, columns: tuple[str, ...], significant: tuple[str, ...] = ()) -> list[dict]:
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
        row = {c: (data.get(f"{prefix}-{i}-{c}") or "").strip() for c in columns if c not in CHECKBOX_COLUMNS}
        if not any(row.get(c) for c in (significant or row)):
            continue
        for c in columns:
            if c in CHECKBOX_COLUMNS:
                row[c] = bool(data.get(f"{prefix}-{i}-{c}"))
        rows.append(row)
    return rows


def material_rows(data) -> tuple[list[dict], list[dict], str | None]:
    """(rows as shown back, rows for the service, an error message or None)."""
    shown = posted_rows(data, "materials", MATERIAL_COLUMNS, significant=("name", "source", "note"))
    typed, error = [], None
    for i, row in enumerate(shown, start=1):
        copies = row.get("copies") or "1"
        if not copies.isdigit():
            error = error or f"第{i}项材料：份数应为整数。"
            continue
        if row.get("form") not in Material.Form.values:
            row["form"] = Material.Form.ORIGINAL
        typed.append({**row, "copies": int(copies)})
    return shown, typed, error


def material_rows_of(guide) -> list[dict]:
    return [{c: getattr(m, c) for c in MATERIAL_COLUMNS} for m in guide.materials.all()] if guide else []


def fee_rows_of(guide) -> list[dict]:
    return [{c: getattr(f, c) for c in FEE_COLUMNS} for f in guide.fees.all()] if guide else []


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

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = ServiceItem.objects.filter(district=district, is_active=True).order_by(
            "name"
        )
        self.fields["center"].queryset = (
            Center.objects.filter(district=district).exclude(kind=Center.Kind.DISTRICT).order_by("code")
        )


class SynonymForm(AccessibleForm):
    word = forms.CharField(label="检索词", max_length=30, help_text="如：社保")
    expansions = forms.CharField(
        label="同义词", max_length=200, help_text="以顿号、逗号或空格分隔，如：社会保险、社会保障"
    )
