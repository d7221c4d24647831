"""The demo's marriage guides follow the revised 婚姻登记条例 (国务院令第804号, in
force 2025-05-10: no 户口簿, registration at any registry in the country), and
the negative list cites 合川府办发〔2023〕79号 with the notice's own date."""

import re
from datetime import date

import pytest
from django.core.management import call_command

from govhall.catalog.models import NegativeListEntry, ServiceItem

pytestmark = pytest.mark.django_db

MARRIAGE_NAMES = {"结婚登记", "离婚登记", "补领婚姻登记证"}


@pytest.fixture
def demo():
    call_command("load_demo", "--quiet", "--days", "0")


def _marriage_items():
    items = list(ServiceItem.objects.filter(themes__code="marriage", is_demo=True).distinct())
    assert {i.name for i in items} >= MARRIAGE_NAMES
    return items


def test_no_marriage_guide_asks_for_the_household_register(demo):
    for item in _marriage_items():
        guide = item.current_guide
        assert guide is not None, item.name
        names = list(guide.materials.values_list("name", flat=True))
        assert names, item.name
        assert not [n for n in names if "户口" in n], (item.name, names)
        assert "居民身份证" in names, (item.name, names)


def test_marriage_guides_do_not_require_residence_in_hechuan(demo):
    for item in _marriage_items():
        texts = [item.current_guide.conditions] + [f["a"] for f in item.current_guide.faq]
        for text in texts:
            assert not re.search(r"户口[^，。；]*在合川|户籍[^，。；]*合川|持户口簿", text), (item.name, text)
        assert "全国" in item.current_guide.conditions or item.name == "补领婚姻登记证", item.name


def test_marriage_items_cite_the_revised_regulation(demo):
    for item in _marriage_items():
        assert "国务院令第804号" in item.legal_basis, (item.name, item.legal_basis)
        assert "2025年5月10日" in item.legal_basis, (item.name, item.legal_basis)


def test_divorce_cooling_off_is_not_a_working_day_time_limit(demo):
    guide = ServiceItem.objects.get(name="离婚登记", is_demo=True).current_guide
    assert guide.legal_days != 30 and guide.promised_days != 30
    assert "三十日（自然日）" in guide.conditions
    assert "第一千零七十七条" in guide.conditions


def test_negative_list_cites_notice_79_with_its_date(demo):
    entries = NegativeListEntry.objects.filter(approval__contains="79号")
    assert entries.count() >= 6
    assert set(entries.values_list("approved_on", flat=True)) == {date(2023, 9, 12)}


def test_a_demo_loaded_before_the_correction_is_corrected_once(demo):
    """A demo database loaded with the old data (户口簿, old basis, 2023-06-30) is
    corrected by the next load, as a new guide version; a further load changes nothing."""
    from govhall.catalog import services
    from govhall.catalog.demo import load_demo_catalog
    from govhall.core.history import save_recorded

    item = ServiceItem.objects.get(name="结婚登记", is_demo=True)
    old = services.guide_draft(by=None, item=item)
    materials = [
        {f: getattr(m, f) for f in ("name", "form", "copies", "source", "shared", "required")}
        for m in item.current_guide.materials.order_by("order")
    ]
    materials.insert(
        1, {"name": "居民户口簿", "form": "original", "copies": 1, "source": "公安机关", "shared": True}
    )
    services.guide_set_materials(by=None, guide=old, materials=materials)
    services.guide_publish(by=None, guide=old)
    services.item_update(by=None, item=item, legal_basis="《婚姻登记条例》第四条至第七条")
    for entry in NegativeListEntry.objects.filter(approval__contains="79号"):
        entry.approved_on = date(2023, 6, 30)
        save_recorded(entry, by=None, reason="test: the old demo data")

    assert load_demo_catalog()["corrected"] > 1
    item.refresh_from_db()
    assert item.current_guide.version == old.version + 1
    assert not item.current_guide.materials.filter(name__contains="户口").exists()
    assert "国务院令第804号" in item.legal_basis
    assert set(NegativeListEntry.objects.values_list("approved_on", flat=True)) == {date(2023, 9, 12)}
    assert load_demo_catalog() == {"items": 0, "negative_list": 0, "synonyms": 0, "corrected": 0}
