"""Issue 17's ranking rules: a name holding the query in a row before scattered
matches, an exact character match before a homophone, lists in pinyin order.
Run on SQLite by default and on PostgreSQL with DATABASE_URL."""

import json
from pathlib import Path

import pytest

from govhall.catalog import search, selectors
from govhall.catalog.models import ServiceItem

from .conftest import make_item

pytestmark = pytest.mark.django_db

REAL = Path("/work/shared/data/real/guangan-district-items.json")


def names(q, **kw):
    _, items = selectors.search_items(q, **kw)
    return [i.name for i in items]


def real_names() -> list[str]:
    if REAL.exists():
        rows = json.loads(REAL.read_text(encoding="utf-8"))
        return [s["name"] for dep in rows for it in dep["items"] for s in it["sub_items"]]
    subset = Path(search.__file__).parent / "data" / "guangan-items-subset.json"
    return [r["name"] for r in json.loads(subset.read_text(encoding="utf-8"))]


def test_initials_in_a_row_rank_above_scattered_pairs_on_the_real_list(world):
    """Every real item whose initials hold j-h, h-d and d-j (宗教活动场所…登记审批:
    z-j-h-d-c-s…d-j scattered) is indexed before 结婚登记, so ids would put it first."""
    scattered = [
        n
        for n in real_names()
        if all(p in search.name_readings(n)[1] for p in ("jh", "hd", "dj"))
        and "jhdj" not in search.name_readings(n)[1]
    ]
    assert len(scattered) >= 4  # 宗教活动场所法人登记审批, …注销登记审批, …
    for i, name in enumerate(scattered):
        make_item(world, name, f"R-{i:04d}")
    make_item(world, "结婚登记", "R-MZ")
    found = names("jhdj")
    assert found[0] == "结婚登记"
    assert set(found[1:]) == set(scattered)


def test_full_pinyin_in_a_row_ranks_above_syllables_apart(world):
    make_item(world, "结算户口婚姻证明", "P-1")  # jie … hun: both syllables, apart
    make_item(world, "户口婚姻结算", "P-2")
    make_item(world, "结婚登记", "P-3")
    assert names("jiehun")[0] == "结婚登记"


def test_exact_characters_rank_above_a_homophone(world):
    make_item(world, "混音设备备案", "H-1")  # hunyin, other characters
    make_item(world, "婚姻登记", "H-2")
    make_item(world, "结婚登记", "H-3", keywords="婚姻")
    found = names("婚姻")
    assert found == ["婚姻登记", "结婚登记", "混音设备备案"]  # name, keyword, then the homophone


def test_a_homophone_is_found_when_no_character_matches(world):
    make_item(world, "婚姻登记", "H-4")
    assert names("昏因") == ["婚姻登记"]


def test_contiguous_bonus_rules():
    assert search.contiguous_bonus("jhdj", "结婚登记") == search.CONTIGUOUS_BONUS
    assert search.contiguous_bonus("jhdj", "宗教活动场所登记审批") == 0
    assert search.contiguous_bonus("jiehund", "结婚登记") == search.CONTIGUOUS_BONUS
    assert search.contiguous_bonus("婚登", "结婚登记") == search.CONTIGUOUS_BONUS
    assert search.contiguous_bonus("结登", "结婚登记") == 0


def test_lists_sort_by_pinyin_not_code_point(world):
    # Code points: 中 (4E2D) < 婚 (5A5A) < 爱 (7231); pinyin: ai < hun < zhong.
    for code, name in (("Z-1", "中国护照换发"), ("Z-2", "婚姻登记"), ("Z-3", "爱心捐赠登记")):
        make_item(world, name, code)
    report = [r.item.name for r in selectors.completeness_report(district=world["district"])]
    assert report == ["爱心捐赠登记", "婚姻登记", "中国护照换发"]
    item = ServiceItem.objects.get(code="Z-2")
    assert item.name_pinyin.startswith("hun yin")
