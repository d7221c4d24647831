"""Demo cases at 婚姻登记分中心 (HC-MZ) for 结婚登记: one submitted (which the
window has handed up to the chief representative: 待我决定), one awaiting
correction, one accepted, one delivered — each with both parties; a 离婚登记
accepted and in its 30-day 冷静期; and the 民政局's written authorisation
(首席代表授权书) for its chief representative `chiefrep_mz` at that hall, shown on
the hall's public page. Needs the demo district and catalog (load_demo,
load_demo_catalog). Loading twice changes nothing."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from govhall.accounts.models import User
from govhall.catalog.models import ServiceItem
from govhall.centers.models import Center

from . import services
from .models import Case, ChiefAuthorization

DEMO = [  # name, ID number, phone, the other party (name, ID number, phone), how far it goes
    (
        "陈演示",
        "110105199001011232",
        "13800000001",
        ("周演示", "110105199102031849", "13800000011"),
        "submitted",
    ),
    (
        "李演示",
        "510282199206154328",
        "13800000002",
        ("吴演示", "510282199304171498", "13800000012"),
        "correction",
    ),
    (
        "王演示",
        "110105199001011232",
        "13800000003",
        ("郑演示", "110105198809091074", "13800000013"),
        "accepted",
    ),
    (
        "赵演示",
        "510282199206154328",
        "13800000004",
        ("孙演示", "510282199511221849", "13800000014"),
        "delivered",
    ),
]
# A divorce in its cooling-off period (冷静期): both parties, accepted on the day of receipt.
DIVORCE = ("钱演示", "110105199001011232", "13800000005", ("冯演示", "110105198706061286", "13800000015"))


@transaction.atomic
def load_demo_cases() -> int:
    center = Center.objects.filter(code="HC-MZ").first()
    item = ServiceItem.objects.filter(center=center, name="结婚登记").first() if center else None
    clerk = User.objects.filter(username="clerk_mz").first()
    if center is None or item is None or clerk is None or item.current_guide is None:
        return 0
    _load_demo_authorization(center, item)
    if Case.objects.filter(center=center, is_demo=True).exists():
        return 0
    materials = list(item.current_guide.materials.order_by("order"))
    made = 0
    for name, id_number, phone, (other, other_id, other_phone), stage in DEMO:
        handed = materials if stage in {"accepted", "delivered"} else materials[:-1]
        case = services.case_intake_window(
            by=clerk,
            center=center,
            item=item,
            applicant_name=name,
            applicant_id_number=id_number,
            contact_phone=phone,
            second_name=other,
            second_id_number=other_id,
            second_phone=other_phone,
            paper_material_ids=[m.id for m in handed],
            is_demo=True,
        )
        if stage == "correction":
            services.case_request_correction(
                by=clerk,
                case=case,
                items=[{"material_id": materials[-1].id, "problem": "missing", "reason": "须双方当场签署"}],
            )
        if stage in {"accepted", "delivered"}:
            services.case_accept(by=clerk, case=case)
        if stage == "delivered":
            services.case_complete(by=clerk, case=case, outcome="approved", note="当场登记")
            services.case_deliver(by=clerk, case=case, method="window")
        if stage == "submitted":  # 窗口无否决权: the window hands a refusal up
            services.case_escalate(
                by=clerk,
                case=case,
                proposal="reject",
                reason="申请人声明书与婚姻状况核查结果不一致（演示），拟不予受理，请首席代表决定。",
            )
        made += 1
    divorce = ServiceItem.objects.filter(center=center, name="离婚登记").first()
    if divorce is not None and divorce.current_guide is not None:
        name, id_number, phone, (other, other_id, other_phone) = DIVORCE
        case = services.case_intake_window(
            by=clerk,
            center=center,
            item=divorce,
            applicant_name=name,
            applicant_id_number=id_number,
            contact_phone=phone,
            second_name=other,
            second_id_number=other_id,
            second_phone=other_phone,
            paper_material_ids=list(divorce.current_guide.materials.values_list("id", flat=True)),
            is_demo=True,
        )
        services.case_accept(by=clerk, case=case, reason="双方到场，受理并发给《离婚登记申请受理回执单》")
        made += 1
    return made


def _load_demo_authorization(center: Center, item: ServiceItem) -> None:
    """民政局's authorisation for chiefrep_mz at HC-MZ: all its items, this year and next."""
    chief = User.objects.filter(username="chiefrep_mz").first()
    if chief is None or ChiefAuthorization.objects.filter(representative=chief, center=center).exists():
        return
    year = timezone.localdate().year
    services.chief_authorization_issue(
        by=None,
        department=item.department,
        center=center,
        representative=chief,
        document_number=f"合民授〔{year}〕1号",
        title="合川区民政局关于授权首席代表在婚姻登记分中心办理婚姻登记事项的决定（演示）",
        valid_from=date(year, 1, 1),
        valid_to=date(year + 1, 12, 31),
        all_items=True,
        is_demo=True,
    )
