"""Forms of the 帮办代办 pages: the shape of the input only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from govhall.accounts.models import User
from govhall.centers.models import Center
from govhall.core.forms import AccessibleForm

from .models import HelpAuthorization, HelpRequest

STAFF_CHANNELS = [
    (c.value, c.label)
    for c in (HelpRequest.Channel.DESK, HelpRequest.Channel.CLERK, HelpRequest.Channel.PHONE)
]


class HelpPublicForm(AccessibleForm):
    """What the kiosk and the phone ask: little, in large type."""

    kind = forms.ChoiceField(
        label="您需要", choices=HelpRequest.Kind.choices, widget=forms.RadioSelect, initial="help"
    )
    group = forms.ChoiceField(label="您是", choices=HelpRequest.Group.choices, widget=forms.RadioSelect)
    name = forms.CharField(label="姓名（或企业名称）", max_length=100)
    phone = forms.CharField(label="联系电话", max_length=20, help_text="工作人员会打这个电话与您联系。")
    needs = forms.CharField(label="想办的事", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class HelpNewForm(HelpPublicForm):
    """At the desk: the hall and the channel, and optionally the helper at once."""

    center = forms.ModelChoiceField(queryset=Center.objects.none(), label="大厅")
    channel = forms.ChoiceField(label="渠道", choices=STAFF_CHANNELS, initial="desk")

    field_order = ["center", "channel", "kind", "group", "name", "phone", "needs"]

    def __init__(self, *args: Any, centers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["center"].queryset = centers  # type: ignore[attr-defined]
        if centers.count() == 1:
            self.fields["center"].initial = centers.first()


class AssignForm(AccessibleForm):
    helper = forms.ModelChoiceField(queryset=User.objects.none(), label="帮代办员")

    def __init__(self, *args: Any, helpers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["helper"].queryset = helpers  # type: ignore[attr-defined]
        self.fields["helper"].label_from_instance = lambda u: u.full_name or u.username  # type: ignore[attr-defined]


class StepForm(AccessibleForm):
    note = forms.CharField(label="办理情况", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class AuthorizationForm(AccessibleForm):
    principal = forms.CharField(label="委托人", max_length=100)
    agent = forms.CharField(label="受托人", max_length=100)
    items = forms.CharField(label="委托事项", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    valid_until = forms.DateField(label="有效期至", widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label="委托书扫描件（PDF、JPG、PNG，不超过 10 MB）")


class CaseLinkForm(AccessibleForm):
    case = forms.CharField(label="办件编号", max_length=40)
    authorization = forms.ModelChoiceField(
        queryset=HelpAuthorization.objects.none(), label="依据的委托书", required=False
    )

    def __init__(self, *args: Any, authorizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authorization"].queryset = authorizations  # type: ignore[attr-defined]


class CloseForm(AccessibleForm):
    result = forms.CharField(label="办理结果", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
