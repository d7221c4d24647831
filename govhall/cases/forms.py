"""Forms of the cases pages. They parse the input only; the services decide what
is valid, and a DomainError they raise is put next to the field it names by the
page door (`core.page_errors`). A field the service needs is shown as required
(its label says 必填, the browser asks for it), but an empty one is still passed
on: the service says what is missing, in its own words."""

from __future__ import annotations

from typing import Any

from django import forms

from govhall.core.forms import AccessibleForm

from .models import Case, CorrectionItem, Escalation
from .services import ApplicantFields


class Needed(forms.Field):
    """Shown as required; an empty value is left for the service to refuse."""

    def validate(self, value: Any) -> None:
        if value not in self.empty_values:
            super().validate(value)


class NeededCharField(Needed, forms.CharField):
    pass


class NeededChoiceField(Needed, forms.ChoiceField):
    pass


class NeededDateField(Needed, forms.DateField):
    pass


def text(label: str, *, needed: bool = False, area: bool = False, **attrs: Any) -> forms.CharField:
    """A text field the service checks (`needed`: one it requires)."""
    widget = forms.Textarea(attrs={"rows": 3, **attrs}) if area else forms.TextInput(attrs=attrs)
    field_class = NeededCharField if needed else forms.CharField
    return field_class(label=label, required=needed, strip=False, widget=widget)


def choice(
    label: str, choices: Any = (), *, needed: bool = False, radio: bool = False, **attrs: Any
) -> forms.ChoiceField:
    widget = forms.RadioSelect(attrs=attrs) if radio else forms.Select(attrs=attrs)
    field_class = NeededChoiceField if needed else forms.ChoiceField
    return field_class(label=label, required=needed, choices=choices, widget=widget)


def checks(label: str, choices: Any = ()) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, required=False, choices=choices, widget=forms.CheckboxSelectMultiple
    )


class CasesForm(AccessibleForm):
    """The cases pages' forms: ids `f-<name>` (or `<prefix>-<name>`), names unchanged."""

    def __init__(self, *args: Any, id_prefix: str = "f", **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{id_prefix}-%s")
        super().__init__(*args, **kwargs)

    def value(self, name: str) -> str:
        """The posted text of a field, as the service takes it."""
        return str(self.cleaned_data.get(name) or "")

    def set_choices(self, name: str, choices: list[tuple[Any, str]]) -> None:
        field = self.fields[name]
        if isinstance(field, forms.ChoiceField):
            field.choices = choices


# --- the applicant ---------------------------------------------------------------------------


class ApplicantForm(CasesForm):
    applicant_kind = choice(
        "申请人类型",
        [("person", "个人（公民身份号码）"), ("business", "法人/企业（统一社会信用代码）")],
    )
    applicant_name = text("申请人姓名或单位名称", needed=True, autocomplete="name")
    applicant_id_number = NeededCharField(
        label="证件号码", strip=False, help_text="18 位公民身份号码或统一社会信用代码，将核验校验位"
    )
    contact_phone = text("联系电话", needed=True, type="tel", autocomplete="tel")
    # The other party, for an item both parties apply for (结婚、离婚登记); shown only there.
    second_name = text("另一方当事人姓名", needed=True)
    second_id_number = NeededCharField(
        label="另一方公民身份号码", strip=False, help_text="18 位公民身份号码，将核验校验位"
    )
    second_phone = text("另一方联系电话", needed=True, type="tel")
    note = text("申请说明（选填）", area=True)

    APPLICANT = (
        "applicant_kind",
        "applicant_name",
        "applicant_id_number",
        "contact_phone",
        "second_name",
        "second_id_number",
        "second_phone",
        "note",
    )
    SECOND = ("second_name", "second_id_number", "second_phone")

    def __init__(self, *args: Any, parties: int = 1, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if parties != 2:  # shown (as required) only where both parties apply
            for name in self.SECOND:
                del self.fields[name]

    def applicant(self) -> ApplicantFields:
        """The service's keyword arguments for the applicant (and the other party)."""
        fields = ApplicantFields(
            applicant_kind=self.value("applicant_kind"),
            applicant_name=self.value("applicant_name"),
            applicant_id_number=self.value("applicant_id_number"),
            contact_phone=self.value("contact_phone"),
            note=self.value("note"),
        )
        if "second_name" in self.fields:
            fields["second_name"] = self.value("second_name")
            fields["second_id_number"] = self.value("second_id_number")
            fields["second_phone"] = self.value("second_phone")
        return fields


def intake_item_labels(items: list[Any]) -> list[tuple[Any, str]]:
    """Items by their name (not their hall's code); the hall's name is added only where the
    clerk serves several halls, so the same item in two halls can be told apart."""
    several = len({i.center_id for i in items}) > 1
    return [(i, f"{i.name}（{i.center.name}）" if several else i.name) for i in items]


class IntakeForm(ApplicantForm):
    """窗口收件: the item, the applicant and the paper materials handed in."""

    item = choice("办理事项", needed=True)
    materials = checks("已收取的材料")

    def __init__(self, *args: Any, items: list[Any], chosen: Any, **kwargs: Any) -> None:
        parties = chosen.current_guide.parties if chosen is not None and chosen.current_guide else 1
        super().__init__(*args, parties=parties, **kwargs)
        self.set_choices("item", [("", "请选择"), *((i.pk, label) for i, label in intake_item_labels(items))])
        self.order_fields(["item"])
        if chosen is None:
            del self.fields["materials"]
            return
        guide = chosen.current_guide
        self.fields["materials"].label = f"已收取的材料（按第 {guide.version} 版办事指南）"
        self.set_choices(
            "materials",
            [(m.id, f"{m.name}（{m.get_form_display()} {m.copies} 份）") for m in guide.materials.all()],
        )

    def material_ids(self) -> list[int]:
        return [int(x) for x in self.cleaned_data.get("materials") or ()]


# --- a citizen's own case ---------------------------------------------------------------------


class MyCaseForm(ApplicantForm):
    """Every input of a citizen's case page: one form object, shown as the
    draft, upload and withdrawal forms, so an error lands next to its field
    whichever button was pressed (a resubmission missing its file: at the file)."""

    material = choice("对应材料")
    file = forms.FileField(
        label="文件（PDF、JPG、PNG，不超过 10 MB）",
        required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    reason = text("撤回原因")

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, parties=case.guide.parties, **kwargs)
        self.set_choices("material", [("", "请选择"), *((m.id, m.name) for m in case.guide.materials.all())])


# --- staff: a case's decisions ------------------------------------------------------------------


class RevealForm(CasesForm):
    """Show an applicant's full ID number or phone (every look is recorded)."""

    field = choice(
        "查看完整信息（将被记录）",
        [
            ("id_number", "证件号码"),
            ("phone", "联系电话"),
            ("second_id_number", "另一方证件号码"),
            ("second_phone", "另一方联系电话"),
        ],
    )
    reason = forms.CharField(label="查看原因", max_length=200, help_text="必填，如“电话通知补正”。")


class ActionForm(CasesForm):
    """A decision without inputs (受理, 开始办理)."""


class ReceiveForm(CasesForm):
    materials = checks("收取纸质材料")


class CorrectionForm(CasesForm):
    """一次性告知: the materials and their problems are laid out by the page
    (one line per material); the service's message is shown at the top."""


class RejectForm(CasesForm):
    reason = text("不予受理的理由", needed=True, area=True)
    legal_basis = text("法律依据", needed=True, area=True)


class SuspendForm(CasesForm):
    kind = choice("程序", Case.Suspension.choices)
    reason = text("原因", needed=True)


class ResumeForm(CasesForm):
    reason = text("说明")


class CompleteForm(CasesForm):
    outcome = choice("办理结果", Case.Outcome.choices, radio=True)
    note = text("说明（不予准予的须写明理由和依据）", area=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].initial = Case.Outcome.choices[0][0]


class DeliverForm(CasesForm):
    method = choice("送达方式", Case.Delivery.choices)
    tracking_number = text("邮件单号（邮寄送达时必填）")


class WithdrawForm(CasesForm):
    party = choice("提出撤回的一方", [("", "请选择"), ("1", "申请人"), ("2", "另一方当事人")])
    reason = text("撤回原因", needed=True)

    def __init__(self, *args: Any, case: Case | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if case is None or not case.waiting_ends_on:
            del self.fields["party"]
        else:
            self.set_choices(
                "party",
                [("", "请选择"), ("1", f"申请人 {case.applicant_name}"), ("2", f"另一方 {case.second_name}")],
            )


class EscalateForm(CasesForm):
    """提请首席代表/部门决定: the window cannot refuse or deny; it proposes and hands up."""

    proposal = choice("拟作出的决定", Escalation.Proposal.choices, radio=True)
    reason = text("提请理由（事实与依据）", needed=True, area=True)


class EscalationReturnForm(CasesForm):
    note = text("意见（退回窗口继续办理）", needed=True, area=True)


class CommitmentForm(CasesForm):
    """告知承诺制: the applicant has signed the 告知承诺书 at the window."""

    signed_by = text("签署人（申请人姓名）", needed=True)


class GrantForm(CasesForm):
    material = choice("材料")
    justification = text("理由", needed=True, area=True)


ACTION_FORMS: dict[str, type[CasesForm]] = {
    "receive": ReceiveForm,
    "accept": ActionForm,
    "request_correction": CorrectionForm,
    "grant": GrantForm,
    "commitment": CommitmentForm,
    "reject": RejectForm,
    "start": ActionForm,
    "suspend": SuspendForm,
    "resume": ResumeForm,
    "complete": CompleteForm,
    "deliver": DeliverForm,
    "withdraw": WithdrawForm,
    "escalate": EscalateForm,
    "return": EscalationReturnForm,
}
PROBLEMS = CorrectionItem.Problem.choices


def action_forms(
    case: Case,
    materials: list[dict[str, Any]],
    data: Any = None,
    action: str = "",
    *,
    outcomes: list[str] | None = None,
) -> dict[str, CasesForm]:
    """One form per decision, ids `<action>-<name>`; the one just posted is bound to its data.
    `outcomes`: the results of 办结 this user may choose (a window clerk cannot deny)."""
    made: dict[str, CasesForm] = {}
    for name, form_class in ACTION_FORMS.items():
        extra = {"case": case} if name == "withdraw" else {}
        form = form_class(data if name == action else None, id_prefix=name, **extra)
        if name == "complete" and outcomes is not None:
            form.set_choices("outcome", [(v, label) for v, label in Case.Outcome.choices if v in outcomes])
            form.fields["outcome"].initial = outcomes[0] if outcomes else None
        elif name == "escalate":
            proposal = "deny" if case.status in {Case.Status.ACCEPTED, Case.Status.IN_PROGRESS} else "reject"
            form.set_choices(
                "proposal", [(v, label) for v, label in Escalation.Proposal.choices if v == proposal]
            )
            form.fields["proposal"].initial = proposal
        if name == "receive":
            # After acceptance only the materials to follow (待补交) can be received.
            to_follow = [row for row in materials if row.get("status") == "to_follow"]
            form.set_choices("materials", [(row["m"].id, row["m"].name) for row in to_follow or materials])
        elif name == "commitment":
            form.fields["signed_by"].initial = case.applicant_name
        elif name == "grant":
            form.set_choices(
                "material", [(row["m"].id, row["m"].name) for row in materials if not row["named"]]
            )
        made[name] = form
    return made


# --- staff: chief representatives' authorisations ----------------------------------------------


class ChiefAuthorizationForm(CasesForm):
    """录入首席代表授权书: the department's written authorisation, as issued."""

    department = choice("授权部门", needed=True)
    center = choice("派驻中心", needed=True)
    representative = choice("首席代表", needed=True)
    document_number = text("授权书文号（如 合民授〔2026〕1号）", needed=True)
    title = text("授权书标题", needed=True)
    valid_from = NeededDateField(
        label="生效日期",
        error_messages={"invalid": "日期格式应为 年-月-日。"},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    valid_to = NeededDateField(
        label="截止日期",
        error_messages={"invalid": "日期格式应为 年-月-日。"},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    all_items = forms.BooleanField(label="授权本部门在该中心的全部事项", required=False)
    items = checks("授权事项（未勾选“全部事项”时必选）")

    def __init__(
        self, *args: Any, departments: Any, centers: Any, representatives: Any, items: Any, **kw: Any
    ):
        super().__init__(*args, **kw)
        self.set_choices("department", [("", "请选择"), *((d.pk, d.name) for d in departments)])
        self.set_choices("center", [("", "请选择"), *((c.pk, c.name) for c in centers)])
        self.set_choices(
            "representative", [("", "请选择"), *((u.pk, u.display_name) for u in representatives)]
        )
        self.set_choices(
            "items", [(i.pk, f"{i.name}（{i.department.name} · {i.center.name}）") for i in items]
        )


class RevokeAuthorizationForm(CasesForm):
    reason = text("撤销原因", needed=True)


# --- staff: first inquiries -----------------------------------------------------------------------


class InquiryForm(CasesForm):
    center = choice("中心")
    asker_name = text("咨询人", needed=True)
    asker_contact = text("联系方式", needed=True)
    topic = text("咨询事项", needed=True, area=True)

    def __init__(self, *args: Any, centers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("center", [(c.pk, c.name) for c in centers])


class InquiryActionForm(CasesForm):
    """答复, 移交 and 退回 on one inquiry page (each its own <form>; the fields differ)."""

    answer = text("答复内容", needed=True, area=True)
    to = choice("接收人")
    note = text("移交说明", needed=True)
    decline_note = text("退回原因")

    def __init__(self, *args: Any, colleagues: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("to", [("", "请选择"), *((u.pk, u.display_name) for u in colleagues)])


# --- citizens --------------------------------------------------------------------------------------


class RegisterForm(CasesForm):
    phone = text("手机号", needed=True, type="tel", autocomplete="tel")
    code = text("短信验证码", autocomplete="one-time-code")
    full_name = text("姓名（选填）", autocomplete="name")
    password = forms.CharField(
        label="设置密码（至少 10 位）",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class LoginForm(CasesForm):
    phone = text("手机号", needed=True, type="tel", autocomplete="tel")
    password = NeededCharField(
        label="密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class TrackForm(CasesForm):
    number = text("办件编号", needed=True)
    phone = text("申请时填写的手机号", needed=True, type="tel", autocomplete="tel")
