"""Forms of the staff pages. They only parse and type the input; the services
decide what is allowed and what is valid (their DomainError is shown next to
the field it names by the page door, core.page_errors)."""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet

from govhall.accounts.selectors import visible_center_ids
from govhall.core.forms import AccessibleForm, limit_choices

from .models import WEEKDAYS, Center, CenterChange, Department, District, Facility, Leadership, Zone
from .permissions import may_at_center

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from govhall.accounts.models import User

    Staff = User | AnonymousUser

CLOSED_STATUSES = [Center.Status.MERGED, Center.Status.CLOSED]


# --- the register -------------------------------------------------------------


class CenterFilterForm(AccessibleForm):
    q = forms.CharField(
        label="查找",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "名称、原有名称、编码或地址"}),
    )
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *Center.Kind.choices])
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *Center.Status.choices]
    )
    department = forms.ModelChoiceField(
        label="业务主管部门", required=False, queryset=Department.objects.none(), empty_label="全部部门"
    )

    def __init__(self, *args: Any, user: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = visible_center_ids(user)
        limit_choices(self, "department", Department.objects.filter(centers__id__in=ids).distinct())

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments; an invalid choice is simply ignored."""
        data = self.cleaned_data if self.is_valid() else {}
        department = data.get("department")
        return {
            "q": data.get("q", ""),
            "kind": data.get("kind", ""),
            "status": data.get("status", ""),
            "department": department.pk if department else None,
        }


class CenterForm(AccessibleForm):
    """A form of a center's manage panel, built for that center."""

    def __init__(self, *args: Any, center: Center | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.center = center

    def service_args(self) -> dict[str, Any]:
        """The saving service's keyword arguments (by default the fields, by their names)."""
        return dict(self.cleaned_data)


class CenterEditForm(CenterForm):
    name = forms.CharField(label="正式名称", max_length=80, help_text="更名后，原名称自动保留为原有名称。")
    address = forms.CharField(label="地址", max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.center is not None and self.center.kind == Center.Kind.BRANCH:
            self.fields["address"].help_text = "分中心搬迁须提交“搬迁”变更，报区政务办备案并经区政府批准。"

    phone = forms.CharField(
        label="咨询电话", max_length=40, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    description = forms.CharField(label="简介", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class HoursForm(CenterForm):
    """The weekly hours: for each weekday up to two periods (e.g. morning and afternoon)."""

    PERIODS = ((1, "时段一"), (2, "时段二"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current: dict[int, list[Any]] = {}
        if self.center is not None and not self.is_bound:
            for h in self.center.hours.all():
                current.setdefault(h.weekday, []).append(h)
        for day, day_label in WEEKDAYS:
            spans = current.get(day, [])
            for n, period_label in self.PERIODS:
                span = spans[n - 1] if len(spans) >= n else None
                for part, part_label, attr in (("opens", "开始", "opens"), ("closes", "结束", "closes")):
                    self.fields[f"d{day}_p{n}_{part}"] = forms.TimeField(
                        label=f"{day_label}{period_label}{part_label}",
                        required=False,
                        initial=getattr(span, attr) if span else None,
                        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                    )

    def days(self) -> list[tuple[str, list[forms.BoundField]]]:
        """(label, [bound fields]) per weekday, for the template."""
        return [
            (label, [self[f"d{day}_p{n}_{part}"] for n, _ in self.PERIODS for part in ("opens", "closes")])
            for day, label in WEEKDAYS
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.periods: list[tuple[int, time, time]] = []
        for day, day_label in WEEKDAYS:
            for n, period_label in self.PERIODS:
                opens, closes = data.get(f"d{day}_p{n}_opens"), data.get(f"d{day}_p{n}_closes")
                if bool(opens) != bool(closes):
                    self.add_error(
                        f"d{day}_p{n}_closes" if opens else f"d{day}_p{n}_opens",
                        f"请同时填写{day_label}{period_label}的开始和结束时间。",
                    )
                elif opens and closes:
                    self.periods.append((day, opens, closes))
        return data

    def service_args(self) -> dict[str, Any]:
        return {"periods": self.periods}


class HoursExceptionForm(CenterForm):
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    is_closed = forms.BooleanField(label="全天不办公", required=False, initial=True)
    opens = forms.TimeField(
        label="开始时间",
        required=False,
        help_text="非全天不办公时填写。",
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    closes = forms.TimeField(label="结束时间", required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    note = forms.CharField(label="例外说明", max_length=100, required=False)

    def service_args(self) -> dict[str, Any]:
        args = dict(self.cleaned_data)
        args["day"] = args.pop("date")
        return args


class ZonesForm(CenterForm):
    kinds = forms.MultipleChoiceField(
        label="功能区", required=False, choices=Zone.Kind.choices, widget=forms.CheckboxSelectMultiple
    )


class FacilitiesForm(CenterForm):
    kinds = forms.MultipleChoiceField(
        label="便民设施", required=False, choices=Facility.Kind.choices, widget=forms.CheckboxSelectMultiple
    )


class LeadershipForm(CenterForm):
    role = forms.ChoiceField(label="职责", choices=Leadership.Role.choices)
    name = forms.CharField(label="姓名", max_length=50, required=False)
    title = forms.CharField(label="职务", max_length=80, required=False)
    phone = forms.CharField(
        label="联系电话", max_length=20, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )


class AliasForm(CenterForm):
    name = forms.CharField(label="原有名称", max_length=80, required=False)
    note = forms.CharField(label="别名说明", max_length=120, required=False)


class StatusForm(CenterForm):
    status = forms.ChoiceField(
        label="状态", choices=[(Center.Status.ACTIVE, "投入运行"), (Center.Status.SUSPENDED, "暂停服务")]
    )
    reason = forms.CharField(
        label="原因",
        required=False,
        help_text="暂停服务时必须说明原因。",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- changes of a branch --------------------------------------------------------


def draftable_branches(user: Staff) -> QuerySet[Center]:
    """The branches `user` may draft a change for."""
    qs = (
        Center.objects.filter(id__in=visible_center_ids(user), kind=Center.Kind.BRANCH)
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("department", "district", "parent")
    )
    return Center.objects.filter(
        pk__in=[c.pk for c in qs if may_at_center(user, c, "draft_change")]
    ).order_by("code")


def user_district_ids(user: Staff) -> set[int]:
    return set(Center.objects.filter(id__in=visible_center_ids(user)).values_list("district_id", flat=True))


class ChangeForm(AccessibleForm):
    """Draft (or, with `change`, edit) a 新设/改造/搬迁/撤并 of a branch."""

    kind = forms.ChoiceField(label="事项", choices=CenterChange.Kind.choices)
    center = forms.ModelChoiceField(
        label="分中心",
        required=False,
        queryset=Center.objects.none(),
        empty_label="（新设时不选）",
        help_text="改造、搬迁、撤并时选择；只列出您可以起草变更的分中心。",
    )
    merge_into = forms.ModelChoiceField(
        label="并入中心",
        required=False,
        queryset=Center.objects.none(),
        empty_label="（撤并时选择）",
        help_text="撤并时选择并入的中心。",
    )
    new_name = forms.CharField(
        label="新设名称",
        max_length=80,
        required=False,
        help_text="新设时填写，应为“××区政务服务中心××分中心”。",
    )
    new_code = forms.CharField(
        label="新设编码", max_length=30, required=False, help_text="新设时填写：字母、数字、连字符。"
    )
    department = forms.ModelChoiceField(
        label="业务主管部门",
        required=False,
        queryset=Department.objects.none(),
        empty_label="（新设时选择）",
        help_text="新设时选择。",
    )
    new_address = forms.CharField(
        label="新地址", max_length=200, required=False, help_text="新设或搬迁时填写。"
    )
    effective_date = forms.DateField(
        label="生效日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    description = forms.CharField(
        label="事由与内容", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    EDITABLE = (
        "merge_into",
        "new_name",
        "new_code",
        "department",
        "new_address",
        "effective_date",
        "description",
    )

    def __init__(self, *args: Any, user: Staff, change: CenterChange | None = None, **kwargs: Any) -> None:
        if change is not None and not kwargs.get("initial"):
            kwargs["initial"] = {name: getattr(change, name) for name in ("kind", "center", *self.EDITABLE)}
        super().__init__(*args, **kwargs)
        self.change = change
        districts = user_district_ids(user)
        if change is not None:
            districts = {change.district_id}
        limit_choices(
            self,
            "merge_into",
            Center.objects.filter(district_id__in=districts)
            .exclude(status__in=CLOSED_STATUSES)
            .order_by("kind", "code"),
        )
        limit_choices(self, "department", Department.objects.filter(district_id__in=districts))
        if change is None:
            limit_choices(self, "center", draftable_branches(user))
        else:
            # The kind and the branch of a change are fixed once drafted.
            limit_choices(self, "center", Center.objects.filter(pk=change.center_id or 0))
            for name in ("kind", "center"):
                self.fields[name].disabled = True

    def district(self, user: Staff) -> District | None:
        """The district the change belongs to: its branch's, its department's, or the user's own."""
        data = self.cleaned_data
        if data.get("center"):
            return data["center"].district
        if data.get("department"):
            return data["department"].district
        return District.objects.filter(id__in=user_district_ids(user)).order_by("id").first()

    def edited_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.EDITABLE}
