from datetime import time

import pytest

from govhall.centers import services
from govhall.centers.demo import load_demo
from govhall.centers.models import Center, CenterAlias
from govhall.centers.selectors import centers_public, hours_summary, standardisation_check
from govhall.core.errors import DomainError, NotFound, Refused

pytestmark = pytest.mark.django_db


def test_a_branch_name_must_follow_the_unified_pattern(world):
    with pytest.raises(DomainError) as exc:
        services.center_create(
            by=None,
            district=world["district"],
            kind=Center.Kind.BRANCH,
            name="测试区残联服务大厅",
            code="T-X",
            address="某路",
            parent=world["hub"],
            department=world["dep_a"],
        )
    assert exc.value.field == "name"
    assert "测试区政务服务中心××分中心" in exc.value.message
    assert not Center.objects.filter(code="T-X").exists()


def test_the_empty_middle_is_not_a_branch_name(world):
    with pytest.raises(DomainError):
        services.center_create(
            by=None,
            district=world["district"],
            kind=Center.Kind.BRANCH,
            name="测试区政务服务中心分中心",
            code="T-Y",
            address="某路",
            parent=world["hub"],
            department=world["dep_a"],
        )


def test_a_branch_cannot_become_active_without_both_leaders(world):
    c = services.center_create(
        by=None,
        district=world["district"],
        kind=Center.Kind.BRANCH,
        name="测试区政务服务中心残联分中心",
        code="T-C",
        address="某路",
        parent=world["hub"],
        department=world["dep_a"],
    )
    services.leadership_set(by=None, center=c, role="leader", name="甲", title="副理事长")
    with pytest.raises(DomainError) as exc:
        services.center_set_status(by=world["admin"], center=c, status=Center.Status.ACTIVE)
    assert "负责科级干部" in exc.value.message
    c.refresh_from_db()
    assert c.status == Center.Status.PLANNED
    services.leadership_set(by=world["admin"], center=c, role="cadre", name="乙", title="科长")
    services.center_set_status(by=world["admin"], center=c, status=Center.Status.ACTIVE)
    c.refresh_from_db()
    assert c.status == Center.Status.ACTIVE


def test_a_branch_address_moves_only_through_a_relocation(world):
    with pytest.raises(DomainError) as exc:
        services.center_update(by=world["manager_a"], center=world["a"], address="别处")
    assert exc.value.field == "address" and "搬迁" in exc.value.message
    world["a"].refresh_from_db()
    assert world["a"].address != "别处"


def test_renaming_keeps_the_old_name_as_an_alias(world):
    town = services.center_create(
        by=None,
        district=world["district"],
        kind=Center.Kind.TOWN,
        name="测试区东街便民服务中心",
        code="T-E",
        address="东街",
        parent=world["hub"],
    )
    services.center_update(by=world["admin"], center=town, name="测试区东城街道便民服务中心")
    assert CenterAlias.objects.filter(center=town, name="测试区东街便民服务中心").exists()


def test_a_wrong_name_on_rename_is_refused_and_changes_nothing(world):
    old = world["hub"].name
    with pytest.raises(DomainError):
        services.center_update(by=world["admin"], center=world["hub"], name="测试区便民大厅")
    assert Center.objects.get(pk=world["hub"].pk).name == old
    assert not CenterAlias.objects.filter(center=world["hub"]).exists()


def test_clerk_cannot_edit_their_hall_and_other_branch_is_hidden(world):
    with pytest.raises(Refused):
        services.center_update(by=world["clerk_a"], center=world["a"], phone="1")
    with pytest.raises(NotFound):
        services.center_set_zones(by=world["manager_b"], center=world["a"], kinds=[])
    world["a"].refresh_from_db()
    assert world["a"].phone == ""


def test_overlapping_hours_are_refused_and_old_hours_kept(world):
    before = list(world["a"].hours.values_list("weekday", "opens", "closes"))
    with pytest.raises(DomainError):
        services.center_set_hours(
            by=world["manager_a"],
            center=world["a"],
            periods=[(0, time(9), time(12)), (0, time(11), time(14))],
        )
    assert list(world["a"].hours.values_list("weekday", "opens", "closes")) == before


def test_hours_summary_joins_consecutive_days(world):
    services.center_set_hours(
        by=None,
        center=world["a"],
        periods=[(d, time(9), time(12)) for d in range(5)]
        + [(d, time(13, 30), time(17)) for d in range(5)]
        + [(5, time(9), time(12))],
    )
    assert hours_summary(world["a"]) == ["星期一至星期五 09:00-12:00、13:30-17:00", "星期六 09:00-12:00"]


def test_standardisation_check_scores_what_a_hall_has_and_lacks(world):
    services.center_set_zones(by=None, center=world["a"], kinds=["guidance", "windows", "waiting"])
    services.center_set_facilities(by=None, center=world["a"], kinds=["wifi"])
    check = standardisation_check(world["a"])
    assert "填单区" in check.lacks and "窗口区" in check.have and "无线网络（WIFI）" in check.have
    assert "分管班子成员" in check.have and "统一名称" in check.have
    assert check.score == round(100 * len(check.have) / (len(check.have) + len(check.lacks)))


def test_demo_district_loads_twice_without_changes():
    first = load_demo()
    assert first["centers"] == 9
    names = set(centers_public().values_list("name", flat=True))
    assert {
        "合川区政务服务中心",
        "合川区政务服务中心婚姻登记分中心",
        "合川区政务服务中心住房公积金管理分中心",
    } <= names
    history_rows = Center.history.count()
    assert load_demo() == {
        "districts": 0,
        "departments": 0,
        "centers": 0,
        "users": 0,
        "holiday_arrangements": 0,
    }
    assert Center.history.count() == history_rows


def test_only_a_hall_manager_may_add_an_alias(world):
    with pytest.raises(Refused):
        services.center_add_alias(by=world["clerk_a"], center=world["a"], name="某某大厅")
    with pytest.raises(NotFound):
        services.center_add_alias(by=world["manager_b"], center=world["a"], name="某某大厅")
    assert not CenterAlias.objects.filter(name="某某大厅").exists()
    services.center_add_alias(by=world["manager_a"], center=world["a"], name="某某大厅")
    assert CenterAlias.objects.filter(center=world["a"], name="某某大厅").exists()


def test_public_list_shows_the_district_center_first_then_branches_then_towns():
    load_demo()
    kinds = [c.kind for c in centers_public()]
    assert kinds[0] == Center.Kind.DISTRICT
    assert kinds == sorted(kinds, key=["district", "branch", "town"].index)
