"""The staff pages of the register and of branch changes, through the Django test client."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from govhall.centers import services
from govhall.centers.models import Center, CenterAlias, CenterChange, Facility, HoursException, Zone
from govhall.centers.tests.drafts import relocation_draft

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def _codes(response) -> list[str]:
    return re.findall(r'<tr data-code="([^"]+)"', response.content.decode())


def _error_text(response, field_id: str) -> str:
    """The text of the error message linked to the input `field_id`."""
    html = response.content.decode()
    match = re.search(rf'<p class="field-error" id="{re.escape(field_id)}-error"[^>]*>(.*?)</p>', html, re.S)
    return match.group(1) if match else ""


def _sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    workbook = load_workbook(BytesIO(response.content))
    return list(workbook.active.iter_rows(values_only=True))


def _relocation(world, *, by="manager_a", days=0, address="新址路 9 号"):
    return relocation_draft(world, by=by, days=days, address=address)


def _planned_branch(world):
    return services.center_create(
        by=None,
        district=world["district"],
        kind=Center.Kind.BRANCH,
        name="测试区政务服务中心不动产登记分中心",
        code="T-C",
        address="不动产路 5 号",
        parent=world["hub"],
        department=world["dep_a"],
    )


# --- the register -------------------------------------------------------------


def test_register_requires_login(client, world):
    response = client.get(reverse("centers:list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_branch_clerk_sees_only_their_branch_in_the_register(client, world):
    response = _as(client, world["clerk_a"]).get(reverse("centers:list"))
    assert response.status_code == 200
    assert _codes(response) == ["T-A"]
    assert world["b"].name not in response.content.decode()


def test_district_admin_sees_every_center_in_the_register(client, world):
    response = _as(client, world["admin"]).get(reverse("centers:list"))
    assert sorted(_codes(response)) == ["T-A", "T-B", "T-HUB"]


def test_register_search_matches_alias_code_and_address(client, world):
    services.center_add_alias(by=None, center=world["b"], name="社保大厅")
    c = _as(client, world["admin"])
    assert _codes(c.get(reverse("centers:list"), {"q": "社保大厅"})) == ["T-B"]
    assert _codes(c.get(reverse("centers:list"), {"q": "T-A"})) == ["T-A"]
    assert _codes(c.get(reverse("centers:list"), {"q": "中心路"})) == ["T-HUB"]
    assert _codes(c.get(reverse("centers:list"), {"q": "没有这个"})) == []


def test_register_filters_by_kind_status_and_department(client, world):
    services.center_set_status(by=None, center=world["b"], status=Center.Status.SUSPENDED, reason="装修")
    c = _as(client, world["admin"])
    assert _codes(c.get(reverse("centers:list"), {"kind": "district"})) == ["T-HUB"]
    assert sorted(_codes(c.get(reverse("centers:list"), {"kind": "branch"}))) == ["T-A", "T-B"]
    assert _codes(c.get(reverse("centers:list"), {"status": "suspended"})) == ["T-B"]
    assert _codes(c.get(reverse("centers:list"), {"department": world["dep_a"].pk})) == ["T-A"]


def test_register_filter_cannot_widen_the_scope(client, world):
    response = _as(client, world["clerk_a"]).get(reverse("centers:list"), {"department": world["dep_b"].pk})
    assert _codes(response) == ["T-A"]


def test_register_sorts_by_the_clicked_column(client, world):
    c = _as(client, world["admin"])
    ascending = _codes(c.get(reverse("centers:list"), {"sort": "code"}))
    assert ascending == ["T-A", "T-B", "T-HUB"]
    response = c.get(reverse("centers:list"), {"sort": "-code"})
    assert _codes(response) == ["T-HUB", "T-B", "T-A"]
    assert 'aria-sort="descending"' in response.content.decode()
    # the header of the current column now offers the other direction
    assert "sort=code" in response.content.decode()


def test_register_pages_25_at_a_time(client, world):
    for n in range(27):
        services.center_create(
            by=None,
            district=world["district"],
            kind=Center.Kind.TOWN,
            name=f"第{n:02d}镇便民服务中心",
            code=f"T-TOWN-{n:02d}",
            address=f"镇街路 {n} 号",
            parent=world["hub"],
        )
    c = _as(client, world["admin"])
    first = c.get(reverse("centers:list"), {"sort": "code"})
    second = c.get(reverse("centers:list"), {"sort": "code", "page": 2})
    assert len(_codes(first)) == 25
    assert len(_codes(second)) == 5
    assert set(_codes(first)).isdisjoint(_codes(second))
    assert "下一页" in first.content.decode()


def test_htmx_filter_returns_only_the_results(client, world):
    response = _as(client, world["admin"]).get(
        reverse("centers:list"), {"kind": "district"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert 'id="center-results"' in html
    assert "<h1>" not in html
    assert _codes(response) == ["T-HUB"]


def test_export_is_an_xlsx_of_the_visible_rows_with_masked_leader_phones(client, world):
    services.leadership_set(
        by=None, center=world["a"], role="leader", name="分管甲", title="副局长", phone="13812345678"
    )
    rows = _sheet_rows(_as(client, world["clerk_a"]).get(reverse("centers:export")))
    assert rows[0][0] == "名称"
    assert [r[1] for r in rows[1:]] == ["T-A"]
    cells = [str(v) for r in rows for v in r if v]
    assert "138****5678" in cells
    assert not any("13812345678" in v for v in cells)


def test_export_applies_the_same_filters(client, world):
    rows = _sheet_rows(_as(client, world["admin"]).get(reverse("centers:export"), {"kind": "branch"}))
    assert sorted(r[1] for r in rows[1:]) == ["T-A", "T-B"]


# --- the detail page and its forms ------------------------------------------------


def test_detail_shows_the_hall(client, world):
    services.center_add_alias(by=None, center=world["a"], name="婚姻登记处")
    response = _as(client, world["clerk_a"]).get(reverse("centers:detail", args=["T-A"]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        world["a"].name,
        "婚姻登记处",
        world["dep_a"].name,
        "婚姻登记路",
        "星期一至星期五 09:00-17:00",
        "分管甲",
        "科长乙",
        "标准化检查",
        reverse("centers:history", args=["T-A"]),
    ):
        assert text in html
    assert "保存信息" not in html  # a clerk sees it read-only


def test_detail_of_another_branch_is_404_for_a_branch_clerk(client, world):
    response = _as(client, world["clerk_a"]).get(reverse("centers:detail", args=["T-B"]))
    assert response.status_code == 404


def test_manager_sees_the_edit_forms(client, world):
    html = _as(client, world["manager_a"]).get(reverse("centers:detail", args=["T-A"])).content.decode()
    for text in (
        "保存信息",
        "保存办公时间",
        "添加例外",
        "保存功能区",
        "保存便民设施",
        "保存分管领导",
        "添加名称",
        "暂停服务",
    ):
        assert text in html


def test_clerk_editing_a_hall_is_refused_and_changes_nothing(client, world):
    response = _as(client, world["clerk_a"]).post(
        reverse("centers:edit", args=["T-A", "info"]),
        {
            "info-name": world["a"].name,
            "info-address": world["a"].address,
            "info-phone": "023-1234",
            "info-description": "改了",
        },
    )
    assert response.status_code == 403
    assert "无权" in response.content.decode()
    world["a"].refresh_from_db()
    assert world["a"].phone == "" and world["a"].description == ""


def test_clerk_adding_an_alias_is_refused(client, world):
    response = _as(client, world["clerk_a"]).post(
        reverse("centers:edit", args=["T-A", "alias"]), {"alias-name": "旧名"}
    )
    assert response.status_code == 403
    assert not CenterAlias.objects.filter(name="旧名").exists()


def test_unknown_edit_form_is_404(client, world):
    response = _as(client, world["manager_a"]).post(reverse("centers:edit", args=["T-A", "nonsense"]), {})
    assert response.status_code == 404


def test_manager_edits_phone_and_description(client, world):
    response = _as(client, world["manager_a"]).post(
        reverse("centers:edit", args=["T-A", "info"]),
        {
            "info-name": world["a"].name,
            "info-address": world["a"].address,
            "info-phone": "023-42751234",
            "info-description": "办理婚姻登记",
        },
    )
    assert response.status_code == 302
    world["a"].refresh_from_db()
    assert (world["a"].phone, world["a"].description) == ("023-42751234", "办理婚姻登记")


def test_branch_address_edit_shows_the_relocation_message_next_to_the_address(client, world):
    old = world["a"].address
    response = _as(client, world["manager_a"]).post(
        reverse("centers:edit", args=["T-A", "info"]),
        {"info-name": world["a"].name, "info-address": "别处路 1 号", "info-phone": "023-1"},
    )
    assert response.status_code == 400
    assert "搬迁" in _error_text(response, "id_info-address")
    assert 'aria-describedby="id_info-address-error' in response.content.decode()
    world["a"].refresh_from_db()
    assert world["a"].address == old and world["a"].phone == ""


def test_activation_without_both_leaders_shows_the_message(client, world):
    branch = _planned_branch(world)
    response = _as(client, world["admin"]).post(
        reverse("centers:edit", args=["T-C", "status"]), {"status-status": "active"}
    )
    assert response.status_code == 400
    assert "分管班子成员" in _error_text(response, "id_status-status")
    branch.refresh_from_db()
    assert branch.status == Center.Status.PLANNED


def test_suspending_needs_a_reason(client, world):
    c = _as(client, world["manager_a"])
    response = c.post(reverse("centers:edit", args=["T-A", "status"]), {"status-status": "suspended"})
    assert response.status_code == 400
    assert "原因" in _error_text(response, "id_status-reason")
    world["a"].refresh_from_db()
    assert world["a"].status == Center.Status.ACTIVE
    response = c.post(
        reverse("centers:edit", args=["T-A", "status"]),
        {"status-status": "suspended", "status-reason": "设备检修"},
    )
    assert response.status_code == 302
    world["a"].refresh_from_db()
    assert world["a"].status == Center.Status.SUSPENDED


def test_manager_sets_weekly_hours_with_two_periods(client, world):
    response = _as(client, world["manager_a"]).post(
        reverse("centers:edit", args=["T-A", "hours"]),
        {
            "hours-d0_p1_opens": "09:00",
            "hours-d0_p1_closes": "12:00",
            "hours-d0_p2_opens": "13:30",
            "hours-d0_p2_closes": "17:00",
            "hours-d5_p1_opens": "09:00",
            "hours-d5_p1_closes": "12:00",
        },
    )
    assert response.status_code == 302
    assert [(h.weekday, f"{h.opens:%H:%M}") for h in world["a"].hours.order_by("weekday", "opens")] == [
        (0, "09:00"),
        (0, "13:30"),
        (5, "09:00"),
    ]


def test_overlapping_hours_are_refused_and_change_nothing(client, world):
    before = world["a"].hours.count()
    response = _as(client, world["manager_a"]).post(
        reverse("centers:edit", args=["T-A", "hours"]),
        {
            "hours-d0_p1_opens": "09:00",
            "hours-d0_p1_closes": "14:00",
            "hours-d0_p2_opens": "13:00",
            "hours-d0_p2_closes": "17:00",
        },
    )
    assert response.status_code == 400
    assert "重叠" in response.content.decode()
    assert world["a"].hours.count() == before


def test_half_filled_period_is_an_error_next_to_the_missing_time(client, world):
    response = _as(client, world["manager_a"]).post(
        reverse("centers:edit", args=["T-A", "hours"]), {"hours-d1_p1_opens": "09:00"}
    )
    assert response.status_code == 400
    assert "星期二时段一" in _error_text(response, "id_hours-d1_p1_closes")


def test_manager_adds_an_hours_exception(client, world):
    day = timezone.localdate() + timedelta(days=10)
    c = _as(client, world["manager_a"])
    response = c.post(
        reverse("centers:edit", args=["T-A", "exception"]),
        {"exception-date": day.isoformat(), "exception-is_closed": "on", "exception-note": "消防演练"},
    )
    assert response.status_code == 302
    assert HoursException.objects.get(center=world["a"], date=day).note == "消防演练"
    assert "消防演练" in c.get(reverse("centers:detail", args=["T-A"])).content.decode()


def test_exception_with_other_hours_needs_both_times(client, world):
    day = timezone.localdate() + timedelta(days=10)
    response = _as(client, world["manager_a"]).post(
        reverse("centers:edit", args=["T-A", "exception"]),
        {"exception-date": day.isoformat(), "exception-opens": "09:00"},
    )
    assert response.status_code == 400
    assert _error_text(response, "id_exception-closes")
    assert not HoursException.objects.exists()


def test_manager_sets_zones_and_facilities(client, world):
    c = _as(client, world["manager_a"])
    assert (
        c.post(
            reverse("centers:edit", args=["T-A", "zones"]), {"zones-kinds": ["guidance", "windows"]}
        ).status_code
        == 302
    )
    assert (
        c.post(
            reverse("centers:edit", args=["T-A", "facilities"]), {"facilities-kinds": ["wifi"]}
        ).status_code
        == 302
    )
    assert set(Zone.objects.filter(center=world["a"]).values_list("kind", flat=True)) == {
        "guidance",
        "windows",
    }
    assert list(Facility.objects.filter(center=world["a"]).values_list("kind", flat=True)) == ["wifi"]


def test_manager_sets_leadership_and_the_phone_is_shown_masked(client, world):
    c = _as(client, world["manager_a"])
    response = c.post(
        reverse("centers:edit", args=["T-A", "leadership"]),
        {
            "leadership-role": "cadre",
            "leadership-name": "新科长",
            "leadership-title": "科长",
            "leadership-phone": "13900001111",
        },
    )
    assert response.status_code == 302
    html = c.get(reverse("centers:detail", args=["T-A"])).content.decode()
    assert "新科长" in html and "139****1111" in html and "13900001111" not in html


def test_leadership_without_a_name_shows_the_error_next_to_the_name(client, world):
    response = _as(client, world["manager_a"]).post(
        reverse("centers:edit", args=["T-A", "leadership"]),
        {"leadership-role": "cadre", "leadership-name": "", "leadership-title": "科长"},
    )
    assert response.status_code == 400
    assert "姓名" in _error_text(response, "id_leadership-name")
    assert world["a"].leadership.get(role="cadre").name == "科长乙"


def test_manager_adds_an_alias(client, world):
    response = _as(client, world["manager_a"]).post(
        reverse("centers:edit", args=["T-A", "alias"]),
        {"alias-name": "婚姻登记处", "alias-note": "群众习惯叫法"},
    )
    assert response.status_code == 302
    assert CenterAlias.objects.filter(center=world["a"], name="婚姻登记处").exists()


def test_history_page_shows_who_why_and_what_changed(client, world):
    c = _as(client, world["manager_a"])
    c.post(
        reverse("centers:edit", args=["T-A", "info"]),
        {"info-name": world["a"].name, "info-address": world["a"].address, "info-phone": "023-42751234"},
    )
    html = c.get(reverse("centers:history", args=["T-A"])).content.decode()
    assert "修改中心信息" in html and "咨询电话" in html and "023-42751234" in html
    assert world["manager_a"].display_name in html


def test_history_of_another_branch_is_404(client, world):
    assert _as(client, world["clerk_a"]).get(reverse("centers:history", args=["T-B"])).status_code == 404


# --- changes -----------------------------------------------------------------------


def _draft_post(world, **overrides):
    data = {
        "kind": "relocate",
        "center": world["a"].pk,
        "new_address": "新址路 9 号",
        "effective_date": timezone.localdate().isoformat(),
        "description": "原址租约到期",
    }
    data.update(overrides)
    return data


def test_manager_drafts_a_change_and_is_sent_to_its_page(client, world):
    response = _as(client, world["manager_a"]).post(reverse("centers:change_new"), _draft_post(world))
    change = CenterChange.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("centers:change_detail", args=[change.pk])
    assert (change.kind, change.center, change.status) == ("relocate", world["a"], CenterChange.Status.DRAFT)


def test_draft_form_offers_only_branches_the_user_may_draft_for(client, world):
    html = _as(client, world["manager_a"]).get(reverse("centers:change_new")).content.decode()
    select = re.search(r'<select name="center".*?</select>', html, re.S).group(0)
    assert world["a"].name in select and world["b"].name not in select
    assert 'type="date"' in html


def test_wrong_branch_name_is_shown_next_to_new_name_and_creates_nothing(client, world):
    response = _as(client, world["admin"]).post(
        reverse("centers:change_new"),
        _draft_post(
            world,
            kind="establish",
            center="",
            new_name="婚姻登记中心",
            new_code="T-NEW",
            department=world["dep_a"].pk,
            new_address="新路 1 号",
        ),
    )
    assert response.status_code == 400
    assert "分中心名称应为" in _error_text(response, "id_new_name")
    assert not CenterChange.objects.exists()


def test_merge_into_itself_is_shown_next_to_merge_into(client, world):
    response = _as(client, world["admin"]).post(
        reverse("centers:change_new"), _draft_post(world, kind="merge", merge_into=world["a"].pk)
    )
    assert response.status_code == 400
    assert "不能并入自身" in _error_text(response, "id_merge_into")
    assert not CenterChange.objects.exists()


def test_past_effective_date_is_shown_next_to_the_date(client, world):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = _as(client, world["manager_a"]).post(
        reverse("centers:change_new"), _draft_post(world, effective_date=yesterday)
    )
    assert response.status_code == 400
    assert "不能早于今天" in _error_text(response, "id_effective_date")
    assert not CenterChange.objects.exists()


def test_clerk_cannot_draft_a_change(client, world):
    response = _as(client, world["clerk_a"]).post(reverse("centers:change_new"), _draft_post(world))
    assert response.status_code in (400, 403)
    assert not CenterChange.objects.exists()


def test_change_list_is_scoped_and_filtered(client, world):
    mine = _relocation(world)
    other = services.change_draft(
        by=world["manager_b"],
        district=world["district"],
        kind="renovate",
        center=world["b"],
        effective_date=timezone.localdate(),
        description="翻新",
    )
    html = _as(client, world["clerk_a"]).get(reverse("centers:changes")).content.decode()
    assert f'data-change="{mine.pk}"' in html and f'data-change="{other.pk}"' not in html
    c = _as(client, world["admin"])
    assert f'data-change="{other.pk}"' in c.get(reverse("centers:changes")).content.decode()
    services.change_submit(by=world["manager_a"], change=mine)
    submitted = c.get(reverse("centers:changes"), {"status": "submitted"}).content.decode()
    assert f'data-change="{mine.pk}"' in submitted and f'data-change="{other.pk}"' not in submitted
    assert "备案号" in submitted and "起草人" in submitted


def test_whole_flow_submit_file_approve_through_the_pages(client, world):
    change = _relocation(world)
    url = lambda action: reverse("centers:change_action", args=[change.pk, action])  # noqa: E731
    assert _as(client, world["manager_a"]).post(url("submit")).status_code == 302
    assert _as(client, world["admin"]).post(url("file")).status_code == 302
    change.refresh_from_db()
    assert change.status == CenterChange.Status.FILED and change.filing_number
    assert _as(client, world["approver"]).post(url("approve"), {"note": "同意"}).status_code == 302
    change.refresh_from_db()
    assert change.status == CenterChange.Status.APPLIED  # effective today: applied at once
    assert change.decision_reason == "同意"
    world["a"].refresh_from_db()
    assert world["a"].address == "新址路 9 号"
    html = client.get(reverse("centers:change_detail", args=[change.pk])).content.decode()
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', html, re.S).group(1)
    steps = re.findall(r"<strong>(.*?)</strong>", timeline)
    assert steps == ["起草", "报送备案", "备案", "批准", "生效"]
    assert world["admin"].display_name in timeline and change.filing_number in html


def test_approving_an_unfiled_change_is_409_and_changes_nothing(client, world):
    change = _relocation(world)
    response = _as(client, world["approver"]).post(
        reverse("centers:change_action", args=[change.pk, "approve"])
    )
    assert response.status_code == 409
    assert "只有已备案的变更才能批准" in response.content.decode()
    change.refresh_from_db()
    assert change.status == CenterChange.Status.DRAFT and change.events.count() == 1


def test_clerk_cannot_file_a_change(client, world):
    change = _relocation(world)
    services.change_submit(by=world["manager_a"], change=change)
    response = _as(client, world["clerk_a"]).post(reverse("centers:change_action", args=[change.pk, "file"]))
    assert response.status_code == 403
    assert "只有区政务办可以备案" in response.content.decode()
    change.refresh_from_db()
    assert change.status == CenterChange.Status.SUBMITTED and not change.filing_number


def test_another_branch_cannot_see_or_act_on_a_change(client, world):
    change = _relocation(world)
    c = _as(client, world["manager_b"])
    assert c.get(reverse("centers:change_detail", args=[change.pk])).status_code == 404
    assert c.post(reverse("centers:change_action", args=[change.pk, "withdraw"])).status_code == 404
    change.refresh_from_db()
    assert change.status == CenterChange.Status.DRAFT


def test_unknown_action_is_404(client, world):
    change = _relocation(world)
    response = _as(client, world["admin"]).post(reverse("centers:change_action", args=[change.pk, "explode"]))
    assert response.status_code == 404


def test_returning_needs_a_reason_shown_next_to_it(client, world):
    change = _relocation(world)
    services.change_submit(by=world["manager_a"], change=change)
    c = _as(client, world["admin"])
    response = c.post(reverse("centers:change_action", args=[change.pk, "return"]), {"reason": "  "})
    assert response.status_code == 400
    assert "必须说明理由" in _error_text(response, "return-reason")
    change.refresh_from_db()
    assert change.status == CenterChange.Status.SUBMITTED
    assert (
        c.post(
            reverse("centers:change_action", args=[change.pk, "return"]), {"reason": "材料不全"}
        ).status_code
        == 302
    )
    change.refresh_from_db()
    assert (change.status, change.return_reason) == (CenterChange.Status.RETURNED, "材料不全")
    assert "材料不全" in c.get(reverse("centers:change_detail", args=[change.pk])).content.decode()


def test_rejecting_needs_a_reason(client, world):
    change = _relocation(world)
    services.change_submit(by=world["manager_a"], change=change)
    services.change_file(by=world["admin"], change=change)
    c = _as(client, world["approver"])
    response = c.post(reverse("centers:change_action", args=[change.pk, "reject"]), {"reason": ""})
    assert response.status_code == 400
    assert "不予批准时必须说明理由" in _error_text(response, "reject-reason")
    change.refresh_from_db()
    assert change.status == CenterChange.Status.FILED


def test_drafter_withdraws_a_change(client, world):
    change = _relocation(world)
    response = _as(client, world["manager_a"]).post(
        reverse("centers:change_action", args=[change.pk, "withdraw"])
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == CenterChange.Status.WITHDRAWN


def test_buttons_are_shown_only_to_who_may_use_them_in_the_right_state(client, world):
    change = _relocation(world)
    page = reverse("centers:change_detail", args=[change.pk])
    drafter = _as(client, world["manager_a"]).get(page).content.decode()
    assert ">报送备案</button>" in drafter and ">修改</a>" in drafter and ">撤回</button>" in drafter
    assert ">备案</button>" not in drafter and ">批准</button>" not in drafter
    clerk = _as(client, world["clerk_a"]).get(page).content.decode()
    assert 'id="actions-h"' not in clerk and ">报送备案</button>" not in clerk
    admin_draft = _as(client, world["admin"]).get(page).content.decode()
    assert ">备案</button>" not in admin_draft  # not yet submitted
    services.change_submit(by=world["manager_a"], change=change)
    admin = client.get(page).content.decode()
    assert ">备案</button>" in admin and ">退回</button>" in admin and 'data-confirm="' in admin
    approver = _as(client, world["approver"]).get(page).content.decode()
    assert ">批准</button>" not in approver  # not yet filed
    services.change_file(by=world["admin"], change=change)
    approver = client.get(page).content.decode()
    assert ">批准</button>" in approver and ">不予批准</button>" in approver


def test_drafter_edits_a_returned_change(client, world):
    change = _relocation(world)
    services.change_submit(by=world["manager_a"], change=change)
    services.change_return(by=world["admin"], change=change, reason="地址写错")
    c = _as(client, world["manager_a"])
    assert c.get(reverse("centers:change_edit", args=[change.pk])).status_code == 200
    response = c.post(
        reverse("centers:change_edit", args=[change.pk]),
        {
            "new_address": "新址路 10 号",
            "effective_date": change.effective_date.isoformat(),
            "description": "原址租约到期，地址已更正",
        },
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.new_address == "新址路 10 号" and change.kind == "relocate" and change.center == world["a"]


def test_clerk_is_not_offered_the_edit_form(client, world):
    change = _relocation(world)
    response = _as(client, world["clerk_a"]).get(reverse("centers:change_edit", args=[change.pk]))
    assert response.status_code == 403
    assert 'name="description"' not in response.content.decode()


def test_editing_a_filed_change_is_refused(client, world):
    change = _relocation(world)
    services.change_submit(by=world["manager_a"], change=change)
    services.change_file(by=world["admin"], change=change)
    response = _as(client, world["manager_a"]).post(
        reverse("centers:change_edit", args=[change.pk]),
        {"new_address": "别处", "effective_date": change.effective_date.isoformat(), "description": "x"},
    )
    assert response.status_code == 409
    change.refresh_from_db()
    assert change.new_address == "新址路 9 号"


# --- standardisation --------------------------------------------------------------------


def test_standards_page_shows_scores_and_lacks_in_scope(client, world):
    services.center_set_zones(by=None, center=world["a"], kinds=list(Zone.Kind.values))
    html = _as(client, world["manager_a"]).get(reverse("centers:standards")).content.decode()
    assert world["a"].name in html and world["b"].name not in html
    assert "<meter" in html and "56 分" in html  # name, 6 zones and 2 leaders: 9 of 16 items
    assert "无线网络（WIFI）" in html and "咨询导引区" not in html
    admin = _as(client, world["admin"]).get(reverse("centers:standards")).content.decode()
    assert world["b"].name in admin and world["hub"].name in admin


def test_standards_export_lists_visible_halls(client, world):
    rows = _sheet_rows(_as(client, world["manager_b"]).get(reverse("centers:standards_export")))
    assert rows[0][:2] == ("名称", "编码")
    assert [r[1] for r in rows[1:]] == ["T-B"]
    assert "无线网络（WIFI）" in rows[1][6]


def test_staff_nav_links_the_centers_pages(client, world):
    html = _as(client, world["manager_a"]).get(reverse("centers:changes")).content.decode()
    for name in ("centers:list", "centers:changes", "centers:standards"):
        assert f'href="{reverse(name)}"' in html
    assert 'aria-current="page">变更备案' in html
    # a window clerk oversees no hall: the register's pages are not in their navigation
    clerk = _as(client, world["clerk_a"]).get(reverse("dashboards:workbench")).content.decode()
    assert f'href="{reverse("centers:changes")}"' not in clerk
