"""Search cases of the issue. Run on SQLite by default and on PostgreSQL with DATABASE_URL."""

import pytest

from govhall.catalog import selectors, services
from govhall.catalog.search import parse_query, segment_pinyin

from .conftest import make_item

pytestmark = pytest.mark.django_db

NAMES = [
    ("结婚登记", "婚姻登记 领证"),
    ("离婚登记", "婚姻登记"),
    ("补领婚姻登记证", ""),
    ("中国内地公民婚姻登记", ""),
    ("社会保障卡申领", ""),
    ("失业保险金申领", ""),
    ("城乡居民基本养老保险参保登记", ""),
    ("社会保险费缴费证明打印", ""),
    ("残疾人证核发", ""),
    ("残疾人两项补贴发放", ""),
    ("住房公积金提取", ""),
    ("住房公积金个人贷款", ""),
    ("烟草专卖零售许可证新办", ""),
    ("西安市户籍迁入", ""),
    ("机动车登记", ""),
]


@pytest.fixture
def catalog(world):
    items = {}
    for i, (name, kw) in enumerate(NAMES, start=1):
        items[name] = make_item(world, name, f"S-{i:03d}", keywords=kw)
    services.synonym_set(by=None, word="社保", expansions="社会保险、社会保障")
    services.synonym_set(by=None, word="公积金", expansions="住房公积金")
    return items


def names(q, **kw):
    _, items = selectors.search_items(q, **kw)
    return [i.name for i in items]


def test_two_character_chinese_finds_every_name_containing_it(catalog):
    assert set(names("婚姻")) == {"补领婚姻登记证", "中国内地公民婚姻登记", "结婚登记", "离婚登记"}
    assert set(names("残疾")) == {"残疾人证核发", "残疾人两项补贴发放"}


def test_name_matches_come_before_keyword_matches(catalog):
    found = names("婚姻")
    assert set(found[:2]) == {"补领婚姻登记证", "中国内地公民婚姻登记"}  # 婚姻 in the name
    assert set(found[2:]) == {"结婚登记", "离婚登记"}  # 婚姻 only in the keywords


def test_one_character_chinese(catalog):
    assert set(names("婚")) == {"结婚登记", "离婚登记", "补领婚姻登记证", "中国内地公民婚姻登记"}


def test_synonym_expands_shebao_to_social_insurance_and_security(catalog):
    assert set(names("社保")) == {"社会保障卡申领", "社会保险费缴费证明打印"}
    assert set(names("公积金")) == {"住房公积金提取", "住房公积金个人贷款"}


def test_full_pinyin(catalog):
    assert set(names("hunyin")) == {"补领婚姻登记证", "中国内地公民婚姻登记", "结婚登记", "离婚登记"}
    assert names("jiehundengji") == ["结婚登记"]
    assert set(names("canji")) == {"残疾人证核发", "残疾人两项补贴发放"}


def test_pinyin_initials(catalog):
    found = names("hydj")
    assert found[0] in {"补领婚姻登记证", "中国内地公民婚姻登记"}
    assert "结婚登记" in found  # through its keyword 婚姻登记
    assert set(names("gjj")) == {"住房公积金提取", "住房公积金个人贷款"}
    assert names("jhdj") == ["结婚登记"]


def test_mixed_chinese_and_pinyin(catalog):
    assert set(names("婚yin")) == {"补领婚姻登记证", "中国内地公民婚姻登记", "结婚登记", "离婚登记"}
    assert names("结婚dj") == ["结婚登记"]
    assert set(names("残ji")) == {"残疾人证核发", "残疾人两项补贴发放"}


def test_full_width_spaces_and_case_are_normalised(catalog):
    assert names("ＨＹＤＪ") == names("hydj")
    assert set(names(" Hun Yin ")) == set(names("hunyin"))


def test_ambiguous_pinyin_tries_syllables_and_initials(catalog):
    assert segment_pinyin("xian")[0].value == "xian"
    assert "西安市户籍迁入" in names("xian")  # xi'an as initials x-a of 西安


def test_nothing_found_and_empty_query(catalog):
    assert names("火星") == []
    assert names("   ") == []
    assert parse_query("!!!").empty


def test_longer_query_falls_back_to_most_slices(catalog):
    assert names("办理结婚登记")[0] == "结婚登记"


def test_search_respects_browse_filters(world, catalog):
    services.item_update(by=None, item=catalog["残疾人证核发"], department=world["dep_b"])
    base = selectors.items_filtered(department=world["dep_b"].code)
    assert names("残疾", base=base) == ["残疾人证核发"]


def test_inactive_items_are_not_found(catalog):
    services.item_update(by=None, item=catalog["结婚登记"], is_active=False)
    assert "结婚登记" not in names("婚姻")


def test_published_guide_materials_are_searchable_as_body(world, catalog):
    from .conftest import complete_guide

    complete_guide(catalog["机动车登记"])
    assert names("户口簿") == ["机动车登记"]


QUERIES = [
    "婚",
    "婚姻",
    "社保",
    "公积金",
    "hunyin",
    "hydj",
    "gjj",
    "jhdj",
    "婚yin",
    "结婚dj",
    "xian",
    "办理结婚登记",
]


def ranked(q, **kw):
    return selectors.search_item_ids(q, **kw).ids


def test_term_counts_follow_every_reindex(world, catalog):
    from govhall.catalog.models import TermStat

    def count(term):
        return TermStat.objects.filter(term=term).values_list("items", flat=True).first() or 0

    assert count("婚姻") == 4  # two names and two keywords
    services.item_update(by=None, item=catalog["补领婚姻登记证"], name="补领结婚证")
    assert count("婚姻") == 3
    services.item_update(by=None, item=catalog["结婚登记"], is_active=False)
    assert count("婚姻") == 2


def test_wrong_term_counts_change_speed_never_results(catalog):
    from govhall.catalog.models import TermStat

    before = {q: ranked(q) for q in QUERIES}
    TermStat.objects.all().update(items=0)
    TermStat.objects.filter(term__in=["#dj", "#hy", "婚", "登记"]).update(items=10**6)
    assert {q: ranked(q) for q in QUERIES} == before
    TermStat.objects.all().delete()
    assert {q: ranked(q) for q in QUERIES} == before


def test_a_capped_multi_term_search_keeps_the_best_of_the_full_ranking(catalog):
    # (A one-term search caps on its index order, newest first among equals, as it always has.)
    for q in ["hydj", "gjj", "jhdj", "婚yin", "办理结婚登记", "社保"]:
        full = ranked(q)
        for cap in (1, 2, 3):
            result = selectors.search_item_ids(q, cap=cap)
            assert result.ids == full[:cap]
            if q != "社保":  # (capped says one reading reached the cap; 社保 has three readings)
                assert result.capped == (len(full) >= cap)


def test_weight_classes_and_one_sorted_join_rank_alike(catalog, monkeypatch):
    before = {q: (ranked(q), selectors.search_item_ids(q).scores) for q in QUERIES}
    monkeypatch.setattr(selectors, "MAX_WEIGHT_CLASSES", 0)
    assert {q: (ranked(q), selectors.search_item_ids(q).scores) for q in QUERIES} == before


def test_initials_respect_browse_scope(world, catalog):
    services.item_update(by=None, item=catalog["结婚登记"], department=world["dep_b"])
    scope = selectors.items_search_scope(department=world["dep_b"].code)
    assert names("hydj", base=scope) == ["结婚登记"]
    assert names("办理结婚登记", base=scope) == ["结婚登记"]
    assert selectors.items_search_scope() is None


def test_deleted_synonym_no_longer_expands(world, catalog):
    from govhall.catalog.models import Synonym

    services.synonym_delete(by=None, synonym=Synonym.objects.get(word="社保"))
    assert names("社保") == []
