"""The staff workbench: one section per role held."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from govhall.centers import services as center_services

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
MASKED = "138****5678"


def _as(client, user):
    client.force_login(user)
    return client


def _relocation(world, address="新址路 9 号"):
    return center_services.change_draft(
        by=world["manager_a"],
        district=world["district"],
        kind="relocate",
        center=world["a"],
        new_address=address,
        effective_date=timezone.localdate() + timedelta(days=5),
        description="原址租约到期",
    )


def _sheet_rows(response):
    wb = load_workbook(BytesIO(response.content), read_only=True)
    return [list(r) for r in wb.active.iter_rows(values_only=True)]


# --- dashboard -------------------------------------------------------------------


def test_district_office_dashboard_shows_counts_todo_weakest_and_links(client, world):
    change = _relocation(world)
    center_services.change_submit(by=world["manager_a"], change=change)
    html = _as(client, world["admin"]).get("/staff/").content.decode()
    assert "待备案的变更（1）" in html
    assert f"/staff/changes/{change.pk}/" in html
    assert "已退回待修改的变更（0）" in html
    assert '<span class="stat-number">3</span> <span class="stat-label">运行中</span>' in html
    assert "标准化得分最低的中心" in html and "咨询导引区" in html
    for url in ("/staff/people/", "/staff/audit/", "/staff/tokens/", "/staff/centers/", "/staff/standards/"):
        assert f'href="{url}"' in html


def test_returned_change_shows_on_the_district_dashboard(client, world):
    change = _relocation(world)
    center_services.change_submit(by=world["manager_a"], change=change)
    center_services.change_return(by=world["admin"], change=change, reason="材料不全")
    html = _as(client, world["admin"]).get("/staff/").content.decode()
    assert "已退回待修改的变更（1）" in html
    assert "待备案的变更（0）" in html


def test_approver_dashboard_lists_changes_waiting_for_approval(client, world):
    change = _relocation(world)
    center_services.change_submit(by=world["manager_a"], change=change)
    center_services.change_file(by=world["admin"], change=change)
    html = _as(client, world["approver"]).get("/staff/").content.decode()
    assert "待审批的变更（1）" in html
    assert f"/staff/changes/{change.pk}/" in html
    assert "接口令牌" not in html  # no district-office links for the approver


def test_branch_manager_dashboard_shows_own_hall_score_lacks_and_open_changes(client, world):
    change = _relocation(world)
    html = _as(client, world["manager_a"]).get("/staff/").content.decode()
    assert world["a"].name in html
    assert world["b"].name not in html
    assert "标准化得分" in html and "咨询导引区" in html
    assert f"/staff/changes/{change.pk}/" in html
    assert "操作记录" not in html


def test_clerk_dashboard_shows_own_hall_address_and_hours(client, world):
    html = _as(client, world["clerk_a"]).get("/staff/").content.decode()
    assert world["a"].address in html
    assert "星期一至星期五 09:00-17:00" in html
    assert world["b"].address not in html
    assert "人员与角色" not in html


def test_district_office_is_told_which_year_of_holidays_is_missing_and_how_many_cases_wait(
    client, world, marriage, materials
):
    from datetime import UTC, datetime

    import time_machine

    from govhall.cases import services as cases
    from tests.support import PERSON_ID, PHONE

    with time_machine.travel(datetime(2026, 12, 29, 2, 0, tzinfo=UTC), tick=False):
        case = cases.case_intake_window(
            by=world["clerk_a"],
            center=world["a"],
            item=marriage,
            applicant_name="张三",
            applicant_id_number=PERSON_ID,
            contact_phone=PHONE,
            paper_material_ids=[m.id for m in materials],
        )
        cases.case_accept(by=world["clerk_a"], case=case)
        case.refresh_from_db()
        assert case.deadline_unknown  # 5 working days from 29 Dec reach into 2027, not known yet
        client.force_login(world["admin"])
        html = client.get(reverse("dashboards:workbench")).content.decode()
        assert "2027 年节假日安排尚未录入 — 1 件办件期限待定" in html
        assert reverse("centers:calendar") in html
        client.force_login(world["clerk_a"])
        assert "节假日安排尚未录入" not in client.get(reverse("dashboards:workbench")).content.decode()


def test_workbench_says_the_year_waits_for_a_second_persons_confirmation(client, world):
    """A draft arrangement of the coming year does not close the gap: the district
    office is sent to confirm it (issue 13), and 工作日调整 is always linked."""
    from datetime import date

    from govhall.centers import calendar as cal

    a = cal.holiday_arrangement_create(
        by=world["admin"],
        year=2027,
        number="国办发明电〔2026〕示例号",
        periods=[("元旦", date(2027, 1, 1), date(2027, 1, 3))],
        makeups=[],
    )
    client.force_login(world["admin"])
    html = client.get(reverse("dashboards:workbench")).content.decode()
    assert "2027 年节假日安排已录入、尚待第二人确认 — 0 件办件期限待定" in html
    assert reverse("centers:arrangement", args=[a.pk]) in html
    assert f'href="{reverse("centers:calendar")}"' in html
