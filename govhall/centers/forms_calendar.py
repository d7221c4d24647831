"""Forms of the district office's working-day calendar pages. They parse the
shape of the input only; `centers.calendar` decides what is valid and its
DomainError is shown next to the field it names (`core.page_errors`)."""

from __future__ import annotations

from typing import Any

from django import forms

from govhall.core.forms import AccessibleForm


class _Needed(forms.Field):
    """Shown as required; an empty value is left for the service to refuse in its own words."""

    def validate(self, value: Any) -> None:
        if value not in self.empty_values:
            super().validate(value)


class _NeededChar(_Needed, forms.CharField):
    pass


class _NeededChoice(_Needed, forms.ChoiceField):
    pass


class _NeededDate(_Needed, forms.DateField):
    pass


class _NeededInt(_Needed, forms.IntegerField):
    pass


class CalendarForm(AccessibleForm):
    """One local day: a closure (停电闭厅 …) or a local extra working day."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "f-%s")
        super().__init__(*args, **kwargs)

    date = _NeededDate(
        label="日期",
        required=True,
        error_messages={"invalid": "日期格式应为 年-月-日，如 2027-01-01。"},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    is_workday = _NeededChoice(
        label="这一天",
        required=True,
        choices=[("0", "放假（闭厅）"), ("1", "上班（本区加班受理）")],
        widget=forms.RadioSelect,
    )
    note = _NeededChar(label="说明（如“因停电闭厅”）", required=True, strip=False)


class ArrangementForm(AccessibleForm):
    """A year's national arrangement: the notice, its holiday periods and make-up days,
    one a line."""

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "a-%s")
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["year"]
        else:
            del self.fields["reason"]

    year = _NeededInt(
        label="年份",
        required=True,
        error_messages={"invalid": "年份应为四位数字，如 2027。"},
        widget=forms.NumberInput(attrs={"min": 2000, "max": 2100}),
    )
    number = _NeededChar(
        label="通知文号",
        required=True,
        strip=False,
        help_text="国务院办公厅通知的文号，如“国办发明电〔2026〕1号”。",
    )
    title = forms.CharField(
        label="通知标题",
        required=False,
        help_text="空着即为“国务院办公厅关于 YYYY 年部分节假日安排的通知”。",
    )
    periods = _NeededChar(
        label="放假时段（每行一个）",
        required=True,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "2027-01-01 至 2027-01-03 元旦"}),
        help_text="每行：开始日期 至 结束日期 节日名称，如“2027-02-06 至 2027-02-13 春节”；只放一天写“2027-04-05 清明节”。",
    )
    makeups = forms.CharField(
        label="调休上班日（每行一个）",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "2027-02-20 春节调休"}),
        help_text="每行：日期 说明，如“2027-02-20 春节调休”。须为周六或周日。",
    )
    reason = forms.CharField(
        label="修改原因",
        required=False,
        help_text="修改已确认的安排须写明原因；修改后须由第二人重新确认。",
    )


class ReasonForm(AccessibleForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "r-%s")
        super().__init__(*args, **kwargs)

    reason = _NeededChar(label="原因", required=True, strip=False)


class PasswordPolicyForm(AccessibleForm):
    """The district's password expiry (等保); the range is the service's to refuse."""

    max_age_days = forms.IntegerField(
        label="密码最长使用天数",
        required=False,
        help_text="工作人员密码使用超过该天数后，登录时须先修改密码。留空或填 0 表示不过期。",
        error_messages={"invalid": "请填写整数天数。"},
    )
