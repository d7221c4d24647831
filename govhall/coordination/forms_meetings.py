"""Forms of the 联席会议 pages: the shape of the input only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from govhall.accounts.models import Role, User
from govhall.centers.models import Center, Department
from govhall.core.forms import AccessibleForm

from .models import MeetingInvitation

ROLE_CHOICES = [
    (Role.BRANCH_MANAGER.value, Role.BRANCH_MANAGER.label),
    (Role.DEPARTMENT_LEADER.value, Role.DEPARTMENT_LEADER.label),
    (Role.CHIEF_REP.value, Role.CHIEF_REP.label),
    (Role.CLERK.value, Role.CLERK.label),
    (Role.DISTRICT_ADMIN.value, Role.DISTRICT_ADMIN.label),
]


class ConveneForm(AccessibleForm):
    title = forms.CharField(label="会议名称", max_length=100, required=False)
    starts_at = forms.DateTimeField(
        label="召开时间",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label="地点", max_length=100, required=False)
    agenda = forms.CharField(
        label="议程", widget=forms.Textarea(attrs={"rows": 5}), max_length=4000, required=False
    )
    centers = forms.ModelMultipleChoiceField(
        label="受邀中心（分中心）",
        queryset=Center.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    departments = forms.ModelMultipleChoiceField(
        label="受邀部门（可选）",
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    roles = forms.MultipleChoiceField(
        label="参会角色",
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=[Role.BRANCH_MANAGER.value, Role.DEPARTMENT_LEADER.value],
    )

    def __init__(self, *args: Any, district_ids: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centers"].queryset = Center.objects.filter(district_id__in=district_ids).order_by(  # type: ignore[attr-defined]
            "kind", "code"
        )
        self.fields["departments"].queryset = Department.objects.filter(district_id__in=district_ids)  # type: ignore[attr-defined]


class AttendanceForm(AccessibleForm):
    """One choice and one name per invitee (fields attendance_<id>, attendee_<id>)."""

    def __init__(self, *args: Any, invitations: list[MeetingInvitation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invitations = invitations
        for inv in invitations:
            self.fields[f"attendance_{inv.pk}"] = forms.ChoiceField(
                label=f"{inv.invitee_name} 出席情况",
                choices=MeetingInvitation.Attendance.choices,
                required=False,
                initial=inv.attendance,
            )
            self.fields[f"attendee_{inv.pk}"] = forms.CharField(
                label=f"{inv.invitee_name} 参会人", max_length=100, required=False, initial=inv.attendee
            )

    def rows(self):
        return [(inv, self[f"attendance_{inv.pk}"], self[f"attendee_{inv.pk}"]) for inv in self.invitations]

    def attendance(self) -> dict[int, tuple[str, str]]:
        d = self.cleaned_data
        return {
            inv.pk: (d.get(f"attendance_{inv.pk}") or "", d.get(f"attendee_{inv.pk}") or "")
            for inv in self.invitations
        }


class MinutesForm(AccessibleForm):
    minutes = forms.CharField(
        label="会议纪要", widget=forms.Textarea(attrs={"rows": 6}), max_length=10000, required=False
    )


class DecisionForm(AccessibleForm):
    title = forms.CharField(label="议定事项", max_length=300, required=False)
    owner_center = forms.ModelChoiceField(
        label="责任中心", queryset=Center.objects.none(), required=False, empty_label="（不指定）"
    )
    owner_department = forms.ModelChoiceField(
        label="责任部门", queryset=Department.objects.none(), required=False, empty_label="（不指定）"
    )
    owner_user = forms.ModelChoiceField(
        label="责任人", queryset=User.objects.none(), required=False, empty_label="（不指定）"
    )
    due_on = forms.DateField(label="完成期限", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, district_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        centers = Center.objects.filter(district_id=district_id).order_by("kind", "code")
        self.fields["owner_center"].queryset = centers  # type: ignore[attr-defined]
        self.fields["owner_department"].queryset = Department.objects.filter(district_id=district_id)  # type: ignore[attr-defined]
        self.fields["owner_user"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(role_assignments__center__district_id=district_id, is_active=True)
            .exclude(role_assignments__role__in=[Role.APPLICANT, Role.API_CLIENT])
            .distinct()
            .order_by("full_name", "username")
        )


class CloseForm(AccessibleForm):
    evidence = forms.CharField(
        label="办结佐证（做了什么、结果如何）",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
    )
    evidence_file = forms.FileField(label="佐证材料（可选，PDF、JPG 或 PNG，不超过 10 MB）", required=False)
