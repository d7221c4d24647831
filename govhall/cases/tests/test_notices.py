import pytest

from govhall.cases import services
from govhall.cases.pdf import notice_lines, notice_pdf

pytestmark = pytest.mark.django_db


def test_notices_render_as_pdf_and_lines(world, intake, materials, chief):
    case = intake(1)
    correction = services.case_request_correction(
        by=world["clerk_a"],
        case=case,
        items=[{"material_id": m.id, "problem": "missing", "reason": "未提交"} for m in materials[1:]],
    )
    pdf = notice_pdf(correction.notice)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    text = " ".join(t for _, t in notice_lines(correction.notice))
    assert all(m.name in text for m in materials[1:]) and "一次性告知书" in text
    services.case_reject(by=chief, case=case, reason="不符合条件", legal_basis="《婚姻登记条例》第六条")
    text = " ".join(t for _, t in notice_lines(case.notices.get(kind="rejection")))
    assert "行政复议" in text and "婚姻登记条例" in text
