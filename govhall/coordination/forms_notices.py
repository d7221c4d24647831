"""Forms of the 信息沟通 pages: they check the input's shape only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from govhall.accounts.models import Role
from govhall.core.forms import AccessibleForm

from .models import Notice
from .permissions import NOTICE_HALL_ROLES


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented way); the service checks each."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.ofd"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, (list, tuple)):
            return [f for f in data if f]
        return [data] if data else []


class NoticeForm(AccessibleForm):
    kind = forms.ChoiceField(label="类型", choices=Notice.Kind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label="标题", max_length=120)
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 8}), max_length=5000)
    audience = forms.ChoiceField(
        label="发送范围（通知）",
        choices=[c for c in Notice.Audience.choices if c[0] != Notice.Audience.OFFICE],
        widget=forms.RadioSelect,
        required=False,
        initial=Notice.Audience.ALL,
    )
    halls = forms.TypedMultipleChoiceField(
        label="指定大厅（发送范围为“指定大厅”时）",
        coerce=int,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    roles = forms.MultipleChoiceField(
        label="收件角色（不选即全部）",
        choices=[(r, Role(r).label) for r in NOTICE_HALL_ROLES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    reply_required = forms.BooleanField(label="要求收件人回复", required=False)
    reply_by = forms.DateField(
        label="回复期限",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="期限前一日和当日 9 时起，系统每天自动短信提醒一次尚未回复的收件人。",
    )
    attachments = MultipleFileField(
        label="附件",
        required=False,
        help_text="可多选，最多 5 个；PDF、Word、Excel、PowerPoint 或 OFD，每个不超过 10 MB。",
    )

    def __init__(self, *args: Any, kinds: list[str], halls: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["kind"]
        kind_field.choices = [c for c in Notice.Kind.choices if c[0] in kinds]  # type: ignore[attr-defined]
        if len(kinds) == 1:
            kind_field.initial = kinds[0]
        self.fields["halls"].choices = [(h.pk, h.name) for h in halls]  # type: ignore[attr-defined]
        if "down" not in kinds:
            for name in ("audience", "halls", "roles"):
                del self.fields[name]


class ReplyForm(AccessibleForm):
    reply_text = forms.CharField(label="回复内容", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
