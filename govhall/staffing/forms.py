"""Forms of the staffing pages: they parse and type the input only; the
services decide (the page door puts their DomainError next to the field it names)."""

from typing import Any, cast

from django import forms

from govhall.core.forms import AccessibleForm

from .models import AssessmentIndicator, AttendanceCorrection, Leave, Post

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"})


class ChoicesForm(AccessibleForm):
    """A form whose choices are the records the page offers (windows, people, courses)."""

    def choices_of(self, name: str, choices: list[tuple[Any, str]]) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = choices


class PostForm(ChoicesForm):
    window = forms.ChoiceField(label="窗口")
    role = forms.ChoiceField(label="岗位", choices=Post.Role.choices)
    user = forms.ChoiceField(
        label="工作人员", help_text="须为本大厅窗口工作人员，并持有该窗口所办事项的有效培训记录"
    )

    def __init__(self, *args, windows=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.choices_of("window", [(w.id, str(w)) for w in windows])
        self.choices_of("user", [("", "请选择")] + [(u.id, u.display_name) for u in people])


class LeaveRequestForm(AccessibleForm):
    kind = forms.ChoiceField(label="假别", choices=[("", "请选择")] + list(Leave.Kind.choices))
    start_date = forms.DateField(label="开始日期", widget=DATE)
    start_pm = forms.BooleanField(label="自下午开始（半天）", required=False)
    end_date = forms.DateField(label="结束日期", widget=DATE)
    end_am = forms.BooleanField(label="至上午结束（半天）", required=False)
    reason = forms.CharField(label="事由", max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class LeaveRejectForm(AccessibleForm):
    note = forms.CharField(
        label="不批准的理由", max_length=200, error_messages={"required": "不批准时请写明理由。"}
    )


class ReportBackForm(AccessibleForm):
    back_date = forms.DateField(
        label="返岗日期", widget=DATE, error_messages={"required": "请填写返岗日期。"}
    )
    back_pm = forms.BooleanField(label="自下午返岗", required=False)


class ApproveForm(AccessibleForm):
    """Approval, with one substitute select per gap the approval would open."""

    approval_note = forms.CharField(label="审批意见（可选）", max_length=200, required=False)

    def __init__(self, *args, gaps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.gap_fields = []
        for gap in gaps:
            name = f"sub_{gap['window'].id}_{gap['day']:%Y%m%d}"
            self.fields[name] = forms.ChoiceField(
                label=f"{gap['day']:%m月%d日} {gap['window'].number}号窗口 顶岗人员",
                required=False,
                choices=[("", "请选择")] + [(u.id, u.display_name) for u in gap["candidates"]],
            )
            self.gap_fields.append((name, gap))

    def substitutes(self):
        from govhall.accounts.models import User

        out = []
        for name, gap in self.gap_fields:
            uid = self.cleaned_data.get(name)
            if uid:
                out.append({"window": gap["window"], "day": gap["day"], "user": User.objects.get(pk=uid)})
        return out


class CorrectionForm(AccessibleForm):
    day = forms.DateField(label="日期", widget=DATE)
    kind = forms.ChoiceField(label="更正项", choices=AttendanceCorrection.Kind.choices)
    at_time = forms.TimeField(label="更正为（时间）", widget=TIME)
    reason = forms.CharField(label="原因", max_length=200)


class CourseForm(ChoicesForm):
    name = forms.CharField(label="课程名称", max_length=80)
    held_on = forms.DateField(label="培训日期", widget=DATE)
    hours = forms.DecimalField(label="学时", min_value=0, max_value=200, decimal_places=1, initial=4)
    valid_months = forms.IntegerField(label="有效期（月）", initial=12)
    queues = forms.MultipleChoiceField(
        label="可办理队列", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, queues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.choices_of("queues", [(q.id, str(q)) for q in queues])


class RecordForm(ChoicesForm):
    course = forms.ChoiceField(label="课程")
    user = forms.ChoiceField(label="人员")
    passed = forms.BooleanField(label="考核合格", required=False, initial=True)

    def __init__(self, *args, courses=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.choices_of("course", [(c.id, f"{c.name}（{c.held_on:%Y-%m-%d}）") for c in courses])
        self.choices_of("user", [("", "请选择")] + [(u.id, u.display_name) for u in people])


class IndicatorForm(AccessibleForm):
    code = forms.ChoiceField(label="指标", choices=AssessmentIndicator.Code.choices)
    weight = forms.DecimalField(label="权重", decimal_places=1)


class LeaveRuleForm(AccessibleForm):
    manager_max_days = forms.DecimalField(label="分中心负责人可批天数（含）", decimal_places=1)


class StartedOnForm(ChoicesForm):
    user = forms.ChoiceField(label="工作人员")
    started_on = forms.DateField(
        label="入职/进驻日期",
        widget=DATE,
        error_messages={"required": "请填写入职/进驻日期。"},
        help_text="考勤自此日起计应出勤",
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.choices_of("user", [("", "请选择")] + [(u.id, u.display_name) for u in people])


class GoLiveForm(AccessibleForm):
    attendance_since = forms.DateField(
        label="考勤启用日期",
        widget=DATE,
        error_messages={"required": "请填写考勤启用日期。"},
        help_text="此日之前本大厅未在系统中考勤，显示“无数据”，不算缺勤",
    )


class WeightsForm(ChoicesForm):
    """A weight per indicator (together 100), proposed for a department's halls."""

    department = forms.ChoiceField(label="业务主管部门")
    note = forms.CharField(label="提议说明（可选）", max_length=200, required=False)

    def __init__(self, *args, departments=(), initial_weights=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices_of("department", [("", "请选择")] + [(d.id, d.name) for d in departments])
        for code, label in AssessmentIndicator.Code.choices:
            self.fields[code] = forms.DecimalField(
                label=f"{label}权重",
                required=False,
                min_value=0,
                max_value=100,
                decimal_places=1,
                initial=(initial_weights or {}).get(code),
            )

    def weights(self) -> dict:
        return {code: self.cleaned_data.get(code) for code in AssessmentIndicator.Code.values}


class WeightRejectForm(AccessibleForm):
    reason = forms.CharField(
        label="不同意的理由", max_length=200, error_messages={"required": "不同意时请写明理由。"}
    )
