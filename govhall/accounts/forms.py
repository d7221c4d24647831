"""Forms of the accounts pages. They check the shape of the input only; the
services decide (a DomainError they raise is put next to its field by the page
door, core.page_errors)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import QuerySet
from django.http import HttpRequest

from govhall.core.audit import audited_models
from govhall.core.forms import AccessibleForm, limit_choices

from .models import Role, User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。连续失败 5 次将被暂时锁定 30 分钟。",
        "inactive": "该账号已停用，请联系区政务办。",
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        self.fields["username"].error_messages["required"] = "请填写用户名。"
        self.fields["password"].error_messages["required"] = "请填写密码。"

    def full_clean(self) -> None:
        super().full_clean()
        if self.non_field_errors():
            for name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": "login-error"}
                )
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"{self[name].auto_id}-error"}
                )


ASSIGNABLE_ROLES = [(r.value, r.label) for r in Role if r != Role.APPLICANT]


class PeopleFilterForm(AccessibleForm):
    q = forms.CharField(
        label="姓名或用户名", required=False, max_length=50, widget=forms.TextInput(attrs={"type": "search"})
    )
    role = forms.ChoiceField(label="角色", required=False, choices=[("", "全部角色"), *ASSIGNABLE_ROLES])
    center: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="中心", required=False, queryset=None, empty_label="全部中心"
    )

    def __init__(self, *args: Any, centers: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "center", centers)


class PersonCreateForm(AccessibleForm):
    username = forms.CharField(label="用户名", max_length=150, help_text="登录用，字母、数字或 @/./+/-/_。")
    full_name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(
        label="手机号",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    password = forms.CharField(
        label="初始密码",
        strip=False,
        help_text="至少 10 位，不能只用数字或常见密码。",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class RoleAssignForm(AccessibleForm):
    role = forms.ChoiceField(label="角色", choices=ASSIGNABLE_ROLES)
    center: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="所属中心", queryset=None, empty_label="请选择中心"
    )

    def __init__(self, *args: Any, centers: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "center", centers)


class PhoneRevealForm(AccessibleForm):
    reason = forms.CharField(label="查看原因", max_length=200, help_text="必填，将记录查看人、时间和原因。")


class TokenIssueForm(AccessibleForm):
    name = forms.CharField(label="令牌名称", max_length=100, help_text="如：市一体化平台对接")
    username = forms.CharField(
        label="使用账号（用户名）",
        max_length=150,
        help_text="令牌以该账号的身份访问接口，通常是“接口客户端”角色的账号。",
    )
    centers: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label="限定中心", queryset=None, widget=forms.CheckboxSelectMultiple
    )
    expires_at = forms.DateTimeField(
        label="到期时间（可不填）",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="不填则长期有效，可随时吊销。",
    )

    def __init__(self, *args: Any, centers: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "centers", centers)
        self.fields["centers"].error_messages["required"] = "请至少选择一个中心。"

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        account = User.objects.filter(username=username).first()
        if account is None:
            raise forms.ValidationError(f"没有用户名为“{username}”的账号。")
        self.account = account
        return username


class AuditFilterForm(AccessibleForm):
    model = forms.ChoiceField(label="记录类型", required=False)
    user: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label="操作人", required=False, queryset=None, empty_label="全部操作人"
    )
    since = forms.DateField(label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    month = forms.RegexField(
        label="按月",
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        error_messages={"invalid": "请按“2026-11”的格式填写月份。"},
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"}),
        help_text="选择月份时，按整月导出（忽略开始和结束日期）。",
    )

    def __init__(self, *args: Any, users: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model = self.fields["model"]
        if isinstance(model, forms.ChoiceField):
            model.choices = [("", "全部类型"), *audited_models()]
        limit_choices(self, "user", users)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", "结束日期不能早于开始日期。")
        return data


class PasswordChangeForm(AccessibleForm):
    """Old password, the new one twice. The rules are the service's (password_change)."""

    old_password = forms.CharField(
        label="原密码",
        strip=False,
        error_messages={"required": "请填写原密码。"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label="新密码",
        strip=False,
        max_length=128,
        help_text="至少 10 位，含小写字母、大写字母、数字、符号中的至少 3 种，不能与最近 5 次使用过的密码相同。",
        error_messages={"required": "请填写新密码。"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label="再次输入新密码",
        strip=False,
        max_length=128,
        error_messages={"required": "请再次输入新密码。"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new, again = data.get("new_password"), data.get("new_password_again")
        if new and again and new != again:
            self.add_error("new_password_again", "两次输入的新密码不一致。")
        return data


class BadgeForm(AccessibleForm):
    """工号与照片, shown on the window's rating pad."""

    staff_number = forms.CharField(
        label="工号", max_length=20, required=False, help_text="字母、数字或连字符"
    )
    photo = forms.FileField(
        label="照片（可不填）",
        required=False,
        help_text="PNG 或 JPEG，不超过 512 KB。未上传时评价器显示姓名首字。",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_photo = forms.BooleanField(label="删除现有照片", required=False)
