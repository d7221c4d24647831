import pytest

from govhall.catalog import services as catalog
from govhall.catalog.models import NegativeListEntry

PERSON_ID = "110105199001011232"
OTHER_ID = "510282199206154328"
BUSINESS_ID = "91500117MA5U7XYA03"
PHONE = "13812345678"


def publish_guide(item, *, promised_days=5, legal_days=20):
    draft = catalog.guide_draft(by=None, item=item, conditions="双方自愿。", steps=["申请", "受理", "办结"],
                                legal_days=legal_days, promised_days=promised_days, consult_phone="023-42800005",
                                complaint_phone="12345")
    catalog.guide_set_materials(by=None, guide=draft, materials=[
        {"name": "居民身份证", "form": "original"},
        {"name": "居民户口簿", "form": "original"},
        {"name": "2 寸合影照片", "form": "original", "copies": 3},
        {"name": "申请结婚登记声明书", "form": "original"},
    ])
    catalog.guide_set_fees(by=None, guide=draft, fees=[], no_fee=True)
    return catalog.guide_publish(by=None, guide=draft)


@pytest.fixture
def marriage(world):
    """结婚登记, stationed at branch a, with a published guide of four materials."""
    from datetime import date

    item = catalog.item_create(by=None, district=world["district"], code="T-MZ-001", name="结婚登记",
                               item_type="confirmation", department=world["dep_a"])
    catalog.negative_entry_create(by=None, item=item, center=world["a"], reason=NegativeListEntry.Reason.SITE,
                                  basis="须设颁证厅。", approval="测试〔2023〕1号", approved_on=date(2023, 6, 1))
    catalog.item_station(by=None, item=item, center=world["a"], reason="负面清单")
    publish_guide(item)
    item.refresh_from_db()
    return item


@pytest.fixture
def materials(marriage):
    return list(marriage.current_guide.materials.order_by("order"))


@pytest.fixture
def intake(world, marriage, materials):
    """A function: a window case at branch a with the first `n` materials handed in."""
    from govhall.cases import services

    def make(n=2, **kw):
        data = {"applicant_name": "张三", "applicant_id_number": PERSON_ID, "contact_phone": PHONE}
        data.update(kw)
        return services.case_intake_window(by=world["clerk_a"], center=world["a"], item=marriage,
                                           paper_material_ids=[m.id for m in materials[:n]], **data)

    return make
