from datetime import date

import pytest

from govhall.catalog import services
from govhall.catalog.models import NegativeListEntry, ServiceItem


def complete_guide(item, by=None, **overrides):
    """A draft with every required element, published."""
    fields = {
        "conditions": "双方均无配偶，达到法定婚龄。",
        "steps": ["申请", "受理", "审查", "登记发证"],
        "legal_days": 1,
        "promised_days": 1,
        "visits": 1,
        "consult_phone": "023-42800005",
        "complaint_phone": "023-12345",
        "place": "婚姻登记大厅",
        "hours": "工作日 9:00-17:00",
        "faq": [{"q": "需要带照片吗？", "a": "需要 2 寸合影 3 张。"}],
    }
    fields.update(overrides)
    draft = services.guide_draft(by=by, item=item, **fields)
    services.guide_set_materials(
        by=by,
        guide=draft,
        materials=[
            {"name": "居民身份证", "form": "original", "copies": 1, "source": "申请人自备"},
            {"name": "户口簿", "form": "original", "copies": 1, "shared": True, "source": "公安机关"},
        ],
    )
    services.guide_set_fees(by=by, guide=draft, fees=[], no_fee=True)
    return services.guide_publish(by=by, guide=draft)


def make_item(world, name, code, *, department=None, keywords="", item_type=ServiceItem.Type.CONFIRMATION):
    return services.item_create(
        by=None,
        district=world["district"],
        code=code,
        name=name,
        item_type=item_type,
        department=department or world["dep_a"],
        keywords=keywords,
    )


def put_on_negative_list(world, item, center=None):
    return services.negative_entry_create(
        by=None,
        item=item,
        center=center or world["a"],
        reason=NegativeListEntry.Reason.SITE,
        basis="婚姻登记须设颁证厅，区中心无此场地。",
        approval="测试府办发〔2023〕79号",
        approved_on=date(2023, 6, 1),
    )


@pytest.fixture
def marriage(world):
    item = make_item(world, "结婚登记", "T-MZ-001", keywords="婚姻登记 领证")
    return item


@pytest.fixture(autouse=True)
def _fresh_synonym_cache():
    """The synonym map is cached across requests; a rolled-back test must not leave its synonyms behind."""
    from govhall.catalog.selectors import synonyms_forget

    synonyms_forget()
    yield
    synonyms_forget()
