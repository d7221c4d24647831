"""Forms of the pages of 代收代办 (收受分离): receiving an application for another
hall's item, handing its materials over, and the handling hall's receipt. They
parse only; the services decide (see `forms.py`)."""

from __future__ import annotations

from typing import Any

from .forms import CasesForm, IntakeForm, checks, choice, text
from .models import HandOver


class ProxyIntakeForm(IntakeForm):
    """代收收件: the receiving hall, the other hall's item, the applicant, the paper
    materials received and where the applicant collects the result."""

    at = choice("收件大厅（本大厅）", needed=True)
    pickup = choice(
        "取件地点",
        [("receiving", "收件大厅（本大厅）"), ("handling", "办理大厅")],
        radio=True,
    )

    def __init__(self, *args: Any, halls: list[Any], items: list[Any], chosen: Any, **kwargs: Any) -> None:
        super().__init__(*args, items=items, chosen=chosen, **kwargs)
        self.set_choices("at", [(c.pk, c.name) for c in halls])
        # Another hall's items by their name, each with the hall that handles it.
        self.set_choices(
            "item", [("", "请选择"), *((i.pk, f"{i.name}（办理：{i.center.name}）") for i in items)]
        )
        self.fields["item"].label = "代收事项（其他大厅办理）"
        self.order_fields(["at", "item"])


class HandOverForm(CasesForm):
    """材料移交: which of the received materials, on paper or electronically."""

    form = choice("移交形式", HandOver.Form.choices, needed=True, radio=True)
    materials = checks("移交的材料")
    note = text("移交说明（选填）")

    def __init__(self, *args: Any, received: list[Any], **kwargs: Any) -> None:
        kwargs.setdefault("id_prefix", "ho")
        super().__init__(*args, **kwargs)
        self.set_choices("materials", [(m.pk, m.name) for m in received])

    def material_ids(self) -> list[int]:
        return [int(x) for x in self.cleaned_data.get("materials") or ()]


class HandOverReceiveForm(CasesForm):
    """接收移交材料 at the handling hall."""

    note = text("接收说明（选填）")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("id_prefix", "hr")
        super().__init__(*args, **kwargs)
