"""容缺受理 and 告知承诺制 on a guide: the editor page and the API let the
department set them, the public guide (page, PDF, API) says so, and settings
that do not hold together are refused with nothing saved."""

import json

import pytest
from django.test import Client

from govhall.catalog import services
from govhall.catalog.models import Guide, Material
from govhall.core.errors import DomainError

from .conftest import complete_guide, put_on_negative_list
from .test_staff_pages import full_guide_post

pytestmark = pytest.mark.django_db
API = "/api/v1"


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def _put(c, url, data):
    return c.put(API + url, json.dumps(data), content_type="application/json")


@pytest.fixture
def at_branch(world, marriage):
    put_on_negative_list(world, marriage)
    services.item_station(by=None, item=marriage, center=world["a"])
    return marriage


def _with_flags(**over):
    return full_guide_post(
        **{
            "materials-1-name": "婚姻状况证明",
            "materials-1-required": "1",
            "materials-1-form": "original",
            "materials-1-copies": "1",
            "materials-1-may_follow": "1",
            "materials-1-follow_days": "3",
            "materials-2-name": "无配偶声明",
            "materials-2-required": "1",
            "materials-2-form": "original",
            "materials-2-copies": "1",
            "materials-2-replaced_by_commitment": "1",
            "commitment_allowed": "on",
            **over,
        }
    )


def test_the_guide_editor_sets_follow_and_commitment_and_the_public_guide_says_so(world, at_branch):
    editor = client_for(world["manager_a"])  # the branch manager of the item's hall drafts
    page = editor.get(f"/staff/catalog/items/{at_branch.pk}/guide/").content.decode()
    assert "可容缺受理" in page and "实行告知承诺制" in page
    assert editor.post(f"/staff/catalog/items/{at_branch.pk}/guide/", _with_flags()).status_code == 302
    draft = at_branch.guides.get(status=Guide.Status.DRAFT)
    assert draft.commitment_allowed
    rows = {m.name: m for m in draft.materials.all()}
    assert rows["婚姻状况证明"].may_follow and rows["婚姻状况证明"].follow_days == 3
    assert rows["无配偶声明"].replaced_by_commitment and not rows["居民身份证"].may_follow
    assert rows["婚姻状况证明"].history.first().history_user == world["manager_a"]
    assert (
        client_for(world["admin"]).post(f"/staff/catalog/items/{at_branch.pk}/guide/publish/").status_code
        == 302
    )
    public = Client().get(f"/items/{at_branch.code}/").content.decode()
    assert "可容缺受理，受理后 3 个工作日内补交" in public
    assert "实行告知承诺制" in public and 'id="commitment-note"' in public
    assert Client().get(f"/items/{at_branch.code}/guide.pdf").status_code == 200
    guide = Client().get(f"{API}/items/{at_branch.code}/guide").json()
    assert guide["commitment_allowed"] is True
    by_name = {m["name"]: m for m in guide["materials"]}
    assert by_name["婚姻状况证明"]["may_follow"] and by_name["婚姻状况证明"]["follow_days"] == 3
    assert by_name["婚姻状况证明"]["acceptance_note"] == "可容缺受理，受理后 3 个工作日内补交"
    assert by_name["无配偶声明"]["replaced_by_commitment"]


def test_a_new_version_keeps_the_flags(world, at_branch):
    client_for(world["manager_a"]).post(f"/staff/catalog/items/{at_branch.pk}/guide/", _with_flags())
    services.guide_publish(by=None, guide=at_branch.guides.get())
    draft = services.guide_draft(by=None, item=at_branch)
    assert draft.commitment_allowed
    assert draft.materials.get(name="婚姻状况证明").follow_days == 3


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"materials-1-required": None}, "不是必要材料"),
        ({"materials-1-follow_days": "0"}, "容缺补交期限应为 1 至 60 个工作日"),
        ({"materials-1-follow_days": "61"}, "容缺补交期限应为 1 至 60 个工作日"),
        ({"materials-1-follow_days": "三"}, "容缺补交期限应为整数"),
        ({"materials-1-replaced_by_commitment": "1"}, "只能选一种"),
    ],
)
def test_bad_follow_settings_are_refused_next_to_the_materials_and_nothing_saved(
    world, at_branch, over, message
):
    r = client_for(world["manager_a"]).post(
        f"/staff/catalog/items/{at_branch.pk}/guide/", _with_flags(**over)
    )
    assert r.status_code == 400 and message in r.content.decode()
    assert 'id="materials-error"' in r.content.decode()
    assert not Material.objects.filter(name="婚姻状况证明").exists()


def test_publishing_commitment_materials_without_the_guide_flag_is_refused(world, at_branch):
    admin = client_for(world["admin"])
    admin.post(f"/staff/catalog/items/{at_branch.pk}/guide/", _with_flags(commitment_allowed=None))
    r = admin.post(f"/staff/catalog/items/{at_branch.pk}/guide/publish/")
    assert r.status_code == 400 and "未选择实行告知承诺制" in r.content.decode()
    assert at_branch.guides.get().status == Guide.Status.DRAFT
    at_branch.refresh_from_db()
    assert at_branch.current_guide is None


def test_publishing_commitment_without_any_material_it_replaces_is_refused(world, marriage):
    with pytest.raises(DomainError) as exc:
        complete_guide(marriage, commitment_allowed=True)
    assert exc.value.field == "commitment_allowed" and "请在申请材料中标注" in exc.value.message


def test_the_guide_api_sets_the_draft_and_the_district_office_publishes(world, at_branch):
    body = {
        "commitment_allowed": True,
        "materials": [
            {"name": "居民身份证"},
            {"name": "婚姻状况证明", "may_follow": True, "follow_days": 4},
            {"name": "无配偶声明", "replaced_by_commitment": True},
        ],
    }
    r = _put(client_for(world["manager_a"]), f"/items/{at_branch.code}/guide/draft", body)
    assert r.status_code == 200, r.content
    out = {m["name"]: m for m in r.json()["materials"]}
    assert out["婚姻状况证明"]["follow_days"] == 4 and r.json()["commitment_allowed"] is True
    services.guide_draft(
        by=None,
        item=at_branch,
        legal_days=1,
        promised_days=1,
        consult_phone="023-42800005",
        complaint_phone="12345",
    )
    services.guide_set_fees(by=None, guide=at_branch.guides.get(), fees=[], no_fee=True)
    assert (
        client_for(world["manager_a"]).post(f"{API}/items/{at_branch.code}/guide/draft/publish").status_code
        == 403
    )
    r = client_for(world["admin"]).post(f"{API}/items/{at_branch.code}/guide/draft/publish")
    assert r.status_code == 200 and r.json()["status"] == "published"


def test_the_guide_api_refuses_bad_input_and_other_people(world, at_branch):
    bad = {"materials": [{"name": "婚姻状况证明", "required": False, "may_follow": True}]}
    r = _put(client_for(world["manager_a"]), f"/items/{at_branch.code}/guide/draft", bad)
    assert r.status_code == 400 and "不是必要材料" in r.json()["detail"]
    assert not at_branch.guides.exists()  # all or nothing: not even the draft is left
    good = {"materials": [{"name": "婚姻状况证明", "may_follow": True}]}
    assert _put(client_for(world["clerk_a"]), f"/items/{at_branch.code}/guide/draft", good).status_code == 403
    assert (
        _put(client_for(world["manager_b"]), f"/items/{at_branch.code}/guide/draft", good).status_code == 404
    )
    assert not at_branch.guides.exists()


def test_the_demo_marks_a_material_to_follow_and_an_item_under_commitment_even_when_loaded_before():
    from govhall.catalog.demo import load_demo_catalog
    from govhall.catalog.models import ServiceItem
    from govhall.centers.demo import load_demo

    load_demo()
    load_demo_catalog()
    loan = ServiceItem.objects.get(name="住房公积金个人贷款").current_guide
    income = loan.materials.get(name="收入证明")
    assert income.may_follow and income.follow_days == 5
    assert (
        Client()
        .get(f"/items/{loan.item.code}/")
        .content.decode()
        .count("可容缺受理，受理后 5 个工作日内补交")
        == 1
    )
    tobacco = ServiceItem.objects.get(name="烟草专卖零售许可证新办")
    guide = tobacco.current_guide
    assert guide.commitment_allowed and "承诺" in guide.commitment_text
    assert [m.name for m in guide.materials.all() if m.replaced_by_commitment] == ["经营场所产权或租赁证明"]
    # A demo loaded before the flags existed gets them on the next load (a new version).
    draft = services.guide_draft(by=None, item=tobacco, commitment_allowed=False)
    services.guide_set_materials(
        by=None,
        guide=draft,
        materials=[{"name": m.name, "form": m.form, "shared": m.shared} for m in draft.materials.all()],
    )
    services.guide_publish(by=None, guide=draft)
    assert load_demo_catalog()["corrected"] == 1
    tobacco.refresh_from_db()
    assert tobacco.current_guide.commitment_allowed and tobacco.current_guide.version == draft.version + 1
    assert load_demo_catalog()["corrected"] == 0
