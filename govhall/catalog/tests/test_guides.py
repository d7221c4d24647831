import pytest

from govhall.catalog import selectors, services
from govhall.catalog.models import Guide, GuideFrozen, Material
from govhall.core.errors import DomainError, NotFound, Refused, WrongState

from .conftest import complete_guide

pytestmark = pytest.mark.django_db


def test_new_item_is_stationed_at_the_district_center(world, marriage):
    assert marriage.center == world["hub"]


def test_publishing_an_incomplete_guide_is_refused_naming_every_gap(world, marriage):
    draft = services.guide_draft(by=world["admin"], item=marriage, conditions="达到法定婚龄")
    with pytest.raises(DomainError) as exc:
        services.guide_publish(by=world["admin"], guide=draft)
    for gap in ("申请材料", "法定办结时限", "承诺办结时限", "收费依据", "咨询电话", "投诉电话"):
        assert gap in exc.value.message
    assert exc.value.code == "guide_incomplete"
    assert list(exc.value.errors) == [
        "materials",
        "legal_days",
        "promised_days",
        "fees",
        "consult_phone",
        "complaint_phone",
    ]  # each missing element at its field
    draft.refresh_from_db()
    assert draft.status == Guide.Status.DRAFT and draft.published_at is None
    marriage.refresh_from_db()
    assert marriage.current_guide is None


def test_one_missing_phone_is_named_alone(world, marriage):
    with pytest.raises(DomainError) as exc:
        complete_guide(marriage, by=world["admin"], complaint_phone="")
    assert exc.value.errors == {"complaint_phone": ["缺少投诉电话"]}


def test_fee_without_basis_is_refused(world, marriage):
    draft = services.guide_draft(by=world["admin"], item=marriage)
    with pytest.raises(DomainError) as exc:
        services.guide_set_fees(by=world["admin"], guide=draft, fees=[{"name": "工本费", "standard": "9 元"}])
    assert "收费依据" in exc.value.message
    assert not draft.fees.exists()


def test_complete_guide_is_published_and_becomes_current(world, marriage):
    guide = complete_guide(marriage, by=world["admin"])
    assert guide.status == Guide.Status.PUBLISHED and guide.version == 1
    marriage.refresh_from_db()
    assert marriage.current_guide == guide
    assert selectors.guide_current(marriage) == guide


def test_editing_a_published_version_is_refused(world, marriage):
    guide = complete_guide(marriage, by=world["admin"])
    with pytest.raises(WrongState):
        services.guide_update(by=world["admin"], guide=guide, promised_days=5)
    with pytest.raises(WrongState):
        services.guide_set_materials(by=world["admin"], guide=guide, materials=[{"name": "照片"}])
    with pytest.raises(WrongState):
        services.guide_set_fees(by=world["admin"], guide=guide, fees=[], no_fee=True)
    with pytest.raises(WrongState):
        services.guide_publish(by=world["admin"], guide=guide)
    guide.refresh_from_db()
    assert guide.promised_days == 1 and guide.materials.count() == 2


def test_no_code_path_can_rewrite_a_published_version(world, marriage):
    guide = complete_guide(marriage, by=world["admin"])
    guide.consult_phone = "000"
    with pytest.raises(GuideFrozen):
        guide.save()
    with pytest.raises(GuideFrozen):
        Material.objects.filter(guide=guide).first().delete()
    assert Guide.objects.get(pk=guide.pk).consult_phone == "023-42800005"


def test_new_version_supersedes_the_old_one_which_stays_readable(world, marriage):
    v1 = complete_guide(marriage, by=world["admin"])
    v2 = services.guide_draft(by=world["admin"], item=marriage, promised_days=1, change_note="简化材料")
    assert v2.version == 2 and v2.materials.count() == 2  # copied from v1
    services.guide_set_materials(by=world["admin"], guide=v2, materials=[{"name": "居民身份证"}])
    services.guide_publish(by=world["admin"], guide=v2)
    v1.refresh_from_db()
    assert v1.status == Guide.Status.SUPERSEDED and v1.superseded_at is not None
    assert v1.materials.count() == 2  # the old version is unchanged
    assert [g.version for g in selectors.guide_versions(marriage)] == [2, 1]
    marriage.refresh_from_db()
    assert marriage.current_guide_id == v2.id


def test_drafting_twice_returns_the_same_draft(world, marriage):
    a = services.guide_draft(by=world["admin"], item=marriage)
    b = services.guide_draft(by=world["admin"], item=marriage)
    assert a.pk == b.pk


def test_promised_time_limit_cannot_exceed_the_legal_one(world, marriage):
    draft = services.guide_draft(by=world["admin"], item=marriage)
    with pytest.raises(DomainError) as exc:
        services.guide_update(by=world["admin"], guide=draft, legal_days=5, promised_days=10)
    assert exc.value.field == "promised_days"
    draft.refresh_from_db()
    assert draft.legal_days is None


def test_clerk_cannot_draft_and_branch_manager_cannot_publish(world, marriage):
    with pytest.raises(Refused):
        services.guide_draft(by=world["clerk_hub"], item=marriage)
    assert not Guide.objects.exists()
    draft = services.guide_draft(by=world["admin"], item=marriage)
    # The item is at the hub, another hall than branch a's: not found, as any other hall's record.
    with pytest.raises(NotFound):
        services.guide_update(by=world["manager_a"], guide=draft, promised_days=1)
    with pytest.raises(NotFound):
        services.guide_publish(by=world["manager_a"], guide=draft)


def test_branch_manager_drafts_for_an_item_at_their_branch(world, marriage):
    from .conftest import put_on_negative_list

    put_on_negative_list(world, marriage)
    services.item_station(by=world["admin"], item=marriage, center=world["a"])
    draft = services.guide_draft(by=world["manager_a"], item=marriage, promised_days=1)
    assert draft.drafted_by == world["manager_a"]
    with pytest.raises(Refused):
        services.guide_publish(by=world["manager_a"], guide=draft)


def test_completeness_report_lists_each_items_gaps(world, marriage):
    from .conftest import make_item

    complete_guide(marriage, by=world["admin"])
    other = make_item(world, "离婚登记", "T-MZ-002")
    rows = {r.item.code: r for r in selectors.completeness_report(district=world["district"])}
    assert rows["T-MZ-001"].complete and rows["T-MZ-001"].missing == []
    assert rows["T-MZ-002"].missing == ["尚无已发布的办事指南"]
    assert selectors.completeness_report(district=world["district"])[0].item == other
