"""Demo cases at 婚姻登记分中心 (HC-MZ) for 结婚登记: one submitted, one
awaiting correction, one accepted, one delivered. Needs the demo district and
catalog (load_demo, load_demo_catalog). Loading twice changes nothing."""

from __future__ import annotations

from django.db import transaction

from govhall.accounts.models import User
from govhall.catalog.models import ServiceItem
from govhall.centers.models import Center

from . import services
from .models import Case

DEMO = [  # name, ID number, phone, how far it goes
    ("陈演示", "110105199001011232", "13800000001", "submitted"),
    ("李演示", "510282199206154328", "13800000002", "correction"),
    ("王演示", "110105199001011232", "13800000003", "accepted"),
    ("赵演示", "510282199206154328", "13800000004", "delivered"),
]


@transaction.atomic
def load_demo_cases() -> int:
    center = Center.objects.filter(code="HC-MZ").first()
    item = ServiceItem.objects.filter(center=center, name="结婚登记").first() if center else None
    clerk = User.objects.filter(username="clerk_mz").first()
    if center is None or item is None or clerk is None or item.current_guide is None:
        return 0
    if Case.objects.filter(center=center, is_demo=True).exists():
        return 0
    materials = list(item.current_guide.materials.order_by("order"))
    made = 0
    for name, id_number, phone, stage in DEMO:
        handed = materials if stage in {"accepted", "delivered"} else materials[:-1]
        case = services.case_intake_window(
            by=clerk,
            center=center,
            item=item,
            applicant_name=name,
            applicant_id_number=id_number,
            contact_phone=phone,
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
        made += 1
    return made
