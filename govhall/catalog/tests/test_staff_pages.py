"""The catalog's staff pages: items, guide drafts and publishing, versions, the
negative list, stationing and synonyms. Refusals change nothing."""

from datetime import date

import pytest
from django.test import Client

from govhall.catalog import selectors, services
from govhall.catalog.models import Guide, NegativeListEntry, ServiceItem, Synonym
from govhall.core.errors import NotFound

from .conftest import complete_guide, make_item, put_on_negative_list

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def full_guide_post(**overrides):
    data = {
        "conditions": "双方均无配偶。",
        "steps": "申请\n受理\n登记发证",
        "legal_days": "1",
        "promised_days": "1",
        "visits": "1",
        "place": "婚姻登记大厅",
        "hours": "工作日",
        "consult_phone": "023-42800005",
        "complaint_phone": "023-12345",
        "online_url": "",
        "change_note": "首次发布",
        "no_fee": "on",
        "materials-0-name": "居民身份证",
        "materials-0-required": "1",
        "materials-0-form": "original",
        "materials-0-copies": "1",
        "materials-0-source": "申请人自备",
        "materials-1-name": "",
        "materials-1-copies": "1",
        "materials-1-form": "original",
        "faq-0-q": "需要照片吗？",
        "faq-0-a": "需要 2 寸合影 3 张。",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def at_branch(world, marriage):
    put_on_negative_list(world, marriage)
    services.item_station(by=None, item=marriage, center=world["a"])
    return marriage


# --- items --------------------------------------------------------------------------------


def test_district_admin_adds_an_item_stationed_at_the_district_center(world):
    r = client_for(world["admin"]).post(
        "/staff/catalog/items/new/",
        {
            "code": "T-NEW-1",
            "name": "残疾人证核发",
            "item_type": "confirmation",
            "serving": "person",
            "department": world["dep_a"].pk,
            "level": "county",
            "keywords": "残疾证",
        },
    )
    assert r.status_code == 302
    item = ServiceItem.objects.get(code="T-NEW-1")
    assert item.center == world["hub"]
    assert [i.name for i in selectors.search_items("cjrz")[1]] == ["残疾人证核发"]


def test_clerk_cannot_add_an_item(world):
    r = client_for(world["clerk_hub"]).post(
        "/staff/catalog/items/new/",
        {
            "code": "T-NEW-1",
            "name": "残疾人证核发",
            "item_type": "confirmation",
            "serving": "person",
            "department": world["dep_a"].pk,
            "level": "county",
        },
    )
    assert r.status_code == 403
    assert not ServiceItem.objects.filter(code="T-NEW-1").exists()


def test_duplicate_code_is_shown_next_to_the_code_field(world, marriage):
    r = client_for(world["admin"]).post(
        "/staff/catalog/items/new/",
        {
            "code": marriage.code,
            "name": "另一个事项",
            "item_type": "confirmation",
            "serving": "person",
            "department": world["dep_a"].pk,
            "level": "county",
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert 'id="id_code-error"' in html and "已被使用" in html
    assert ServiceItem.objects.filter(name="另一个事项").count() == 0


def test_admin_edits_an_item_and_a_clerk_cannot(world, marriage):
    data = {
        "action": "item",
        "name": "结婚登记（内地居民）",
        "item_type": "confirmation",
        "serving": "person",
        "department": world["dep_a"].pk,
        "level": "county",
        "keywords": "婚姻登记",
        "is_active": "on",
    }
    assert (
        client_for(world["clerk_hub"]).post(f"/staff/catalog/items/{marriage.pk}/", data).status_code == 403
    )
    marriage.refresh_from_db()
    assert marriage.name == "结婚登记"
    assert client_for(world["admin"]).post(f"/staff/catalog/items/{marriage.pk}/", data).status_code == 302
    marriage.refresh_from_db()
    assert marriage.name == "结婚登记（内地居民）"


def test_item_page_refuses_a_clerk(world, marriage):
    assert client_for(world["clerk_hub"]).get(f"/staff/catalog/items/{marriage.pk}/").status_code == 403
    assert client_for(world["admin"]).get(f"/staff/catalog/items/{marriage.pk}/").status_code == 200


def test_empty_name_is_refused_with_nothing_changed(world, marriage):
    r = client_for(world["admin"]).post(
        f"/staff/catalog/items/{marriage.pk}/",
        {
            "action": "item",
            "name": "",
            "item_type": "confirmation",
            "serving": "person",
            "department": world["dep_a"].pk,
            "level": "county",
        },
    )
    assert r.status_code == 400 and 'id="id_name-error"' in r.content.decode()
    marriage.refresh_from_db()
    assert marriage.name == "结婚登记"


# --- stationing -------------------------------------------------------------------------------


def test_stationing_at_a_branch_without_an_entry_is_refused_next_to_the_field(world, marriage):
    r = client_for(world["admin"]).post(
        f"/staff/catalog/items/{marriage.pk}/", {"action": "station", "center": world["a"].pk}
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert 'id="id_center-error"' in html and "未列入负面清单" in html
    assert 'aria-describedby="id_center-error"' in html
    marriage.refresh_from_db()
    assert marriage.center == world["hub"]


def test_stationing_at_the_approved_branch(world, marriage):
    put_on_negative_list(world, marriage)
    r = client_for(world["admin"]).post(
        f"/staff/catalog/items/{marriage.pk}/", {"action": "station", "center": world["a"].pk}
    )
    assert r.status_code == 302
    marriage.refresh_from_db()
    assert marriage.center == world["a"]


def test_branch_manager_cannot_restation_an_item(world, at_branch):
    r = client_for(world["manager_a"]).post(
        f"/staff/catalog/items/{at_branch.pk}/", {"action": "station", "center": world["hub"].pk}
    )
    assert r.status_code == 403
    at_branch.refresh_from_db()
    assert at_branch.center == world["a"]


# --- guides -----------------------------------------------------------------------------------


def test_branch_manager_drafts_the_guide_of_an_item_at_their_branch(world, at_branch):
    r = client_for(world["manager_a"]).post(f"/staff/catalog/items/{at_branch.pk}/guide/", full_guide_post())
    assert r.status_code == 302
    draft = at_branch.guides.get(status=Guide.Status.DRAFT)
    assert draft.drafted_by == world["manager_a"] and draft.steps == ["申请", "受理", "登记发证"]
    assert [m.name for m in draft.materials.all()] == ["居民身份证"]
    assert draft.no_fee and draft.faq == [{"q": "需要照片吗？", "a": "需要 2 寸合影 3 张。"}]


def test_other_branch_manager_and_clerk_cannot_draft(world, at_branch):
    # Branch b's manager does not see branch a's item at all (404); branch a's clerk sees it but may not draft (403).
    for user, status in ((world["manager_b"], 404), (world["clerk_a"], 403)):
        c = client_for(user)
        assert c.get(f"/staff/catalog/items/{at_branch.pk}/guide/").status_code == status
        assert c.post(f"/staff/catalog/items/{at_branch.pk}/guide/", full_guide_post()).status_code == status
    assert not at_branch.guides.exists()


def test_branch_manager_cannot_publish(world, at_branch):
    client_for(world["manager_a"]).post(f"/staff/catalog/items/{at_branch.pk}/guide/", full_guide_post())
    r = client_for(world["manager_a"]).post(f"/staff/catalog/items/{at_branch.pk}/guide/publish/")
    assert r.status_code == 403
    assert at_branch.guides.get().status == Guide.Status.DRAFT


def test_publishing_an_incomplete_guide_names_every_missing_element_and_changes_nothing(world, marriage):
    admin = client_for(world["admin"])
    r = admin.post(
        f"/staff/catalog/items/{marriage.pk}/guide/",
        full_guide_post(
            legal_days="",
            promised_days="",
            consult_phone="",
            complaint_phone="",
            no_fee=None,
            **{"materials-0-name": "", "materials-0-source": ""},
        ),
    )
    assert r.status_code == 302
    r = admin.post(f"/staff/catalog/items/{marriage.pk}/guide/publish/")
    assert r.status_code == 400
    html = r.content.decode()
    for label in ("申请材料", "法定办结时限", "承诺办结时限", "收费依据", "咨询电话", "投诉电话"):
        assert f"缺少{label}" in html, label
    for field in ("legal_days", "promised_days", "consult_phone", "complaint_phone"):
        assert f'id="id_{field}-error"' in html and f'aria-describedby="id_{field}-error"' in html
    assert 'id="materials-error"' in html and 'id="fees-error"' in html
    guide = marriage.guides.get()
    assert guide.status == Guide.Status.DRAFT and guide.published_at is None
    marriage.refresh_from_db()
    assert marriage.current_guide is None


def test_publish_button_asks_for_confirmation(world, marriage):
    admin = client_for(world["admin"])
    admin.post(f"/staff/catalog/items/{marriage.pk}/guide/", full_guide_post())
    html = admin.get(f"/staff/catalog/items/{marriage.pk}/guide/").content.decode()
    assert f'action="/staff/catalog/items/{marriage.pk}/guide/publish/" data-confirm="' in html


def test_admin_publishes_and_the_next_version_supersedes_it(world, marriage):
    admin = client_for(world["admin"])
    admin.post(f"/staff/catalog/items/{marriage.pk}/guide/", full_guide_post())
    assert admin.post(f"/staff/catalog/items/{marriage.pk}/guide/publish/").status_code == 302
    v1 = marriage.guides.get(version=1)
    assert v1.status == Guide.Status.PUBLISHED
    # Editing again drafts version 2; version 1 stays as published.
    assert (
        admin.post(
            f"/staff/catalog/items/{marriage.pk}/guide/", full_guide_post(consult_phone="023-99999999")
        ).status_code
        == 302
    )
    v1.refresh_from_db()
    assert v1.consult_phone == "023-42800005" and marriage.guides.get(version=2).status == Guide.Status.DRAFT
    assert admin.post(f"/staff/catalog/items/{marriage.pk}/guide/publish/").status_code == 302
    v1.refresh_from_db()
    assert v1.status == Guide.Status.SUPERSEDED
    html = admin.get(f"/staff/catalog/items/{marriage.pk}/versions/").content.decode()
    assert "第 1 版" in html and "第 2 版" in html and "已废止" in html
    old = admin.get(f"/staff/catalog/items/{marriage.pk}/versions/1/").content.decode()
    assert "023-42800005" in old and "不能修改" in old
    assert admin.get(f"/staff/catalog/items/{marriage.pk}/versions/9/").status_code == 404


def test_bad_copies_and_fee_with_no_fee_are_refused_and_create_no_draft(world, marriage):
    admin = client_for(world["admin"])
    r = admin.post(
        f"/staff/catalog/items/{marriage.pk}/guide/", full_guide_post(**{"materials-0-copies": "两"})
    )
    assert r.status_code == 400 and "份数应为整数" in r.content.decode()
    r = admin.post(
        f"/staff/catalog/items/{marriage.pk}/guide/",
        full_guide_post(
            **{"fees-0-name": "工本费", "fees-0-standard": "9 元", "fees-0-basis": "发改价格〔2019〕1 号"}
        ),
    )
    assert r.status_code == 400 and "不收费" in r.content.decode()
    r = admin.post(
        f"/staff/catalog/items/{marriage.pk}/guide/", full_guide_post(promised_days="5", legal_days="1")
    )
    assert r.status_code == 400 and 'id="id_promised_days-error"' in r.content.decode()
    assert not marriage.guides.exists()


def test_a_fee_row_without_basis_is_refused(world, marriage):
    r = client_for(world["admin"]).post(
        f"/staff/catalog/items/{marriage.pk}/guide/",
        full_guide_post(no_fee=None, **{"fees-0-name": "工本费", "fees-0-standard": "9 元"}),
    )
    assert r.status_code == 400 and "收费依据" in r.content.decode()
    assert not marriage.guides.exists()


# --- the negative list --------------------------------------------------------------------------


def entry_post(world, item, **overrides):
    data = {
        "item": item.pk,
        "center": world["a"].pk,
        "reason": "site",
        "basis": "须设颁证厅。",
        "approval": "测试府办发〔2023〕79号",
        "approved_on": "2023-06-01",
    }
    data.update(overrides)
    return data


def test_admin_puts_an_item_on_the_negative_list(world, marriage):
    r = client_for(world["admin"]).post("/staff/catalog/negative-list/", entry_post(world, marriage))
    assert r.status_code == 302
    entry = NegativeListEntry.objects.get(item=marriage)
    assert entry.center == world["a"] and entry.reason == "site" and entry.approved_on == date(2023, 6, 1)


def test_negative_entry_at_the_district_center_or_without_reason_is_refused(world, marriage):
    admin = client_for(world["admin"])
    r = admin.post("/staff/catalog/negative-list/", entry_post(world, marriage, center=world["hub"].pk))
    assert r.status_code == 400  # the hub is not offered: a branch only
    r = admin.post("/staff/catalog/negative-list/", entry_post(world, marriage, reason="convenience"))
    assert r.status_code == 400 and 'id="id_reason-error"' in r.content.decode()
    r = admin.post("/staff/catalog/negative-list/", entry_post(world, marriage, approved_on="2999-01-01"))
    assert r.status_code == 400 and "不能晚于今天" in r.content.decode()
    assert not NegativeListEntry.objects.exists()


def test_clerk_cannot_manage_the_negative_list(world, marriage):
    c = client_for(world["clerk_a"])
    assert c.get("/staff/catalog/negative-list/").status_code == 403
    assert c.post("/staff/catalog/negative-list/", entry_post(world, marriage)).status_code == 403
    entry = put_on_negative_list(world, marriage)
    assert c.post(f"/staff/catalog/negative-list/{entry.pk}/revoke/").status_code == 403
    entry.refresh_from_db()
    assert entry.is_active


def test_revoke_needs_the_item_back_at_the_district_center(world, at_branch):
    admin = client_for(world["admin"])
    entry = NegativeListEntry.objects.get(item=at_branch)
    html = admin.get("/staff/catalog/negative-list/").content.decode()
    assert f'action="/staff/catalog/negative-list/{entry.pk}/revoke/" data-confirm="' in html
    r = admin.post(f"/staff/catalog/negative-list/{entry.pk}/revoke/")
    assert r.status_code == 409 and "请先将其进驻区政务服务中心" in r.content.decode()
    entry.refresh_from_db()
    assert entry.is_active
    services.item_station(by=None, item=at_branch, center=world["hub"])
    assert admin.post(f"/staff/catalog/negative-list/{entry.pk}/revoke/").status_code == 302
    entry.refresh_from_db()
    assert not entry.is_active


# --- synonyms -------------------------------------------------------------------------------------


def test_admin_adds_edits_and_deletes_a_synonym(world):
    make_item(world, "社会保险登记", "T-RS-001")
    admin = client_for(world["admin"])
    assert (
        admin.post("/staff/catalog/synonyms/", {"word": "社保", "expansions": "社会保险"}).status_code == 302
    )
    assert [i.name for i in selectors.search_items("社保")[1]] == ["社会保险登记"]
    syn = Synonym.objects.get(word="社保")
    r = admin.post(f"/staff/catalog/synonyms/{syn.pk}/", {"word": "社保", "expansions": "社会保障"})
    assert r.status_code == 302
    assert selectors.search_items("社保")[1] == []
    html = admin.get("/staff/catalog/synonyms/").content.decode()
    assert f'action="/staff/catalog/synonyms/{syn.pk}/delete/" data-confirm="' in html
    assert admin.post(f"/staff/catalog/synonyms/{syn.pk}/delete/").status_code == 302
    assert not Synonym.objects.exists()


def test_synonym_without_expansions_or_renamed_onto_another_is_refused(world):
    admin = client_for(world["admin"])
    r = admin.post("/staff/catalog/synonyms/", {"word": "社保", "expansions": "社保"})
    assert r.status_code == 400 and 'id="id_expansions-error"' in r.content.decode()
    services.synonym_set(by=None, word="社保", expansions="社会保险")
    other = services.synonym_set(by=None, word="医保", expansions="医疗保险")
    r = admin.post(f"/staff/catalog/synonyms/{other.pk}/", {"word": "社保", "expansions": "医疗保险"})
    assert r.status_code == 400 and 'id="id_word-error"' in r.content.decode()
    assert Synonym.objects.get(pk=other.pk).word == "医保"


def test_clerk_cannot_change_synonyms(world):
    syn = services.synonym_set(by=None, word="社保", expansions="社会保险")
    c = client_for(world["clerk_hub"])
    assert c.post("/staff/catalog/synonyms/", {"word": "医保", "expansions": "医疗保险"}).status_code == 403
    assert c.post(f"/staff/catalog/synonyms/{syn.pk}/delete/").status_code == 403
    assert list(Synonym.objects.values_list("word", flat=True)) == ["社保"]


def test_anonymous_is_sent_to_login(world, marriage):
    r = Client().get(f"/staff/catalog/items/{marriage.pk}/guide/")
    assert r.status_code == 302 and "login" in r["Location"]


def test_published_guide_page_is_complete_for_citizens(world, marriage):
    complete_guide(marriage)
    assert client_for(world["admin"]).get(f"/staff/catalog/items/{marriage.pk}/guide/").status_code == 200


# --- another hall's item ------------------------------------------------------------------------


def test_another_districts_item_is_not_found_on_the_pages_and_in_the_services_alike(
    world, other_world, marriage
):
    """Another hall's item looks like no item at all: 404 on every staff page (not a
    403 that would say it exists), and NotFound from the services, which the API
    answers with the same 404 (config/api.py)."""
    complete_guide(marriage)
    outsider = client_for(other_world["admin"])
    for url in ("", "guide/", "versions/", "versions/1/"):
        r = outsider.get(f"/staff/catalog/items/{marriage.pk}/{url}")
        assert r.status_code == 404, url
        assert marriage.name not in r.content.decode()
    assert outsider.post(f"/staff/catalog/items/{marriage.pk}/guide/", full_guide_post()).status_code == 404
    assert outsider.post(f"/staff/catalog/items/{marriage.pk}/guide/publish/").status_code == 404
    data = {
        "action": "item",
        "name": "抢占",
        "item_type": "confirmation",
        "serving": "person",
        "level": "county",
    }
    assert outsider.post(f"/staff/catalog/items/{marriage.pk}/", data).status_code == 404
    with pytest.raises(NotFound) as exc:
        services.item_update(by=other_world["admin"], item=marriage, name="抢占")
    assert exc.value.status == 404
    marriage.refresh_from_db()
    assert marriage.name == "结婚登记" and marriage.guides.count() == 1


def test_refusals_of_the_guide_tables_are_shown_above_their_table(world, marriage):
    admin = client_for(world["admin"])
    r = admin.post(
        f"/staff/catalog/items/{marriage.pk}/guide/", full_guide_post(**{"materials-0-copies": "两"})
    )
    html = r.content.decode()
    assert (
        r.status_code == 400
        and '<p class="field-error" id="materials-error">第1项材料：份数应为整数。' in html
    )
    r = admin.post(
        f"/staff/catalog/items/{marriage.pk}/guide/",
        full_guide_post(**{"fees-0-name": "工本费", "fees-0-standard": "9 元", "fees-0-basis": "某依据"}),
    )
    html = r.content.decode()
    assert r.status_code == 400 and '<p class="field-error" id="fees-error">已选择“不收费”' in html
    assert 'value="工本费"' in html  # what was typed is shown back
    assert not marriage.guides.exists()


def test_import_without_a_file_is_refused_next_to_the_file_field(world):
    r = client_for(world["admin"]).post("/staff/catalog/import/", {})
    html = r.content.decode()
    assert r.status_code == 400
    assert 'id="id_file-error"' in html and "请选择要导入的 Excel 文件" in html
    assert 'aria-describedby="id_file-error"' in html
