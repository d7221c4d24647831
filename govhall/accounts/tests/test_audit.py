"""The audit history: every recorded change, newest first, merged across models,
with who, when (Asia/Shanghai), what, the kind, the reason and the changed fields."""

from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook

from govhall.accounts import services
from govhall.accounts.models import Role, RoleAssignment, User
from govhall.centers import services as center_services
from govhall.core.audit import AUDITED, audit_count, audit_entries
from govhall.core.history import save_recorded
from tests.support import make_user

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def _all_history(keys=None):
    """Every historical row of the audited models, newest first (the brute-force truth)."""
    from django.apps import apps

    rows = []
    for key, label in AUDITED.items():
        if keys and key not in keys:
            continue
        for r in apps.get_model(label).history.model.objects.all():
            rows.append((r.history_date, key, r.history_id))
    return sorted(rows, reverse=True)


# --- who may look ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["clerk_a", "manager_a", "leader_a", "approver", "chief_a"])
def test_only_the_district_office_may_read_the_audit_history(client, world, who):
    c = _as(client, world[who])
    assert c.get("/staff/audit/").status_code == 403
    assert c.get("/staff/audit/export.xlsx").status_code == 403


def test_anonymous_visitor_is_sent_to_login(client, world):
    response = client.get("/staff/audit/")
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


# --- the selector --------------------------------------------------------------------


def test_entries_are_merged_newest_first_and_pages_cover_everything_once(world):
    center_services.center_update(by=world["admin"], center=world["hub"], phone="023-12345678")
    services.api_token_issue(by=world["admin"], user=world["clerk_hub"], name="对接", centers=[world["a"]])
    truth = _all_history()
    assert audit_count() == len(truth)
    seen = []
    for offset in range(0, len(truth), 7):
        seen += [(e.when, e.model_key, e.history_id) for e in audit_entries(limit=7, offset=offset)]
    assert seen == truth


def test_a_change_shows_who_why_and_which_fields_changed(world):
    center_services.center_update(by=world["admin"], center=world["hub"], description="新的简介")
    entry = audit_entries(limit=1)[0]
    assert entry.model_key == "center"
    assert entry.kind == "~" and entry.kind_label == "修改"
    assert entry.user == world["admin"]
    assert entry.reason == "修改中心信息"
    assert entry.object_repr == world["hub"].name
    assert [(c["label"], c["old"], c["new"]) for c in entry.changes] == [("简介", None, "新的简介")]


def test_creation_and_deletion_are_marked(world):
    person = make_user("someone")
    assignment = services.role_assign(by=world["admin"], user=person, role=Role.CLERK, center=world["a"])
    services.role_revoke(by=world["admin"], assignment=assignment)
    kinds = [(e.kind, e.reason) for e in audit_entries(models=["role"], limit=2)]
    assert kinds == [("-", "撤销角色"), ("+", "分配角色")]
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_filters_by_model_user_and_dates(world):
    with time_machine.travel(datetime(2027, 3, 2, 2, 0, tzinfo=UTC), tick=False):
        center_services.center_update(by=world["admin"], center=world["hub"], description="三月")
    with time_machine.travel(datetime(2027, 4, 10, 2, 0, tzinfo=UTC), tick=False):
        center_services.center_update(by=world["manager_a"], center=world["a"], description="四月")
    by_manager = audit_entries(user_id=world["manager_a"].pk, limit=50)
    assert [e.changes[0]["new"] for e in by_manager] == ["四月"]
    march = audit_entries(
        models=["center"],
        since=datetime(2027, 3, 1, tzinfo=UTC),
        until=datetime(2027, 3, 31, tzinfo=UTC),
        limit=50,
    )
    assert [e.changes[0]["new"] for e in march] == ["三月"]
    assert (
        audit_count(
            models=["center"], since=datetime(2027, 3, 1, tzinfo=UTC), until=datetime(2027, 3, 31, tzinfo=UTC)
        )
        == 1
    )
    only_tokens = audit_entries(models=["token"], limit=50)
    assert only_tokens == []


def test_phone_numbers_are_masked_in_changed_fields(world):
    person = make_user("phoned", phone="13812345678")
    person.phone = "13900001111"
    save_recorded(person, by=world["admin"], reason="更新手机号")
    entry = audit_entries(models=["user"], limit=1)[0]
    assert [(c["old"], c["new"]) for c in entry.changes] == [("138****5678", "139****1111")]


# --- the page -------------------------------------------------------------------------


def test_audit_page_shows_entries_in_shanghai_time_with_reason_and_fields(client, world):
    with time_machine.travel(datetime(2027, 3, 2, 1, 30, tzinfo=UTC), tick=False):
        center_services.center_update(by=world["admin"], center=world["hub"], description="新的简介")
    html = _as(client, world["admin"]).get("/staff/audit/").content.decode()
    assert "2027-03-02 09:30:00" in html  # 01:30 UTC is 09:30 in Beijing
    assert "修改中心信息" in html
    assert "简介：（空） → 新的简介" in html
    assert world["admin"].display_name in html


def test_audit_page_filters_by_model_and_user(client, world):
    services.api_token_issue(
        by=world["admin"], user=world["clerk_hub"], name="对接令牌", centers=[world["a"]]
    )
    c = _as(client, world["admin"])
    html = c.get("/staff/audit/", {"model": "token"}).content.decode()
    assert "签发令牌" in html and "分配角色" not in html
    assert "共 1 条" in html
    html = c.get("/staff/audit/", {"user": world["admin"].pk}).content.decode()
    assert "签发令牌" in html and "创建用户" not in html  # the fixture's users were made by the system


def test_audit_page_date_range_and_paging(client, world):
    day = date(2027, 5, 6)
    with time_machine.travel(datetime(2027, 5, 6, 3, 0, tzinfo=UTC), tick=False):
        for i in range(55):
            center_services.center_update(by=world["admin"], center=world["hub"], description=f"第{i}次")
    c = _as(client, world["admin"])
    params = {"since": day.isoformat(), "until": day.isoformat()}
    first = c.get("/staff/audit/", params).content.decode()
    assert "共 55 条" in first and "第 1 / 3 页" in first  # 25 a page
    last = c.get("/staff/audit/", {**params, "page": 3}).content.decode()
    assert "第 3 / 3 页" in last
    assert last.count("<tr>") == 5 + 1  # five rows and the header
    empty = c.get("/staff/audit/", {"since": "2027-05-07"}).content.decode()
    assert "第54次" not in empty


def test_end_date_before_start_date_is_shown_next_to_the_field(client, world):
    response = _as(client, world["admin"]).get(
        "/staff/audit/", {"since": "2027-05-07", "until": "2027-05-01"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_until-error"' in html and "结束日期不能早于开始日期" in html
    assert "共 0 条" in html  # an invalid filter lists nothing rather than everything


def test_audit_export_is_an_excel_file_with_masked_phones(client, world):
    c = _as(client, world["admin"])
    person = make_user("phoned", phone="13812345678")
    person.phone = "13900001111"
    save_recorded(person, by=world["admin"], reason="更新手机号")
    response = c.get("/staff/audit/export.xlsx", {"model": "user"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.content), read_only=True).active.iter_rows(values_only=True))
    assert rows[0] == ("时间", "操作人", "记录类型", "记录", "操作", "原因", "变更内容")
    assert len(rows) - 1 == User.history.count()
    flat = " ".join(str(v) for r in rows for v in r if v)
    assert "139****1111" in flat and "13900001111" not in flat and "13812345678" not in flat
    assert rows[1][5] == "更新手机号"


def test_history_user_survives_when_entries_come_from_several_models(world):
    center_services.center_update(by=world["admin"], center=world["hub"], description="x")
    entries = audit_entries(limit=1000)
    assert {e.model_key for e in entries} >= {"center", "user", "role", "leadership", "hours"}
    assert all(entries[i].when >= entries[i + 1].when for i in range(len(entries) - 1))
    assert timedelta(0) <= entries[0].when - entries[-1].when


def test_audit_export_by_month_holds_that_month_only(client, world):
    c = _as(client, world["admin"])
    person = make_user("monthly")
    with time_machine.travel(datetime(2026, 10, 15, 3, tzinfo=UTC), tick=False):
        person.full_name = "十月改名"
        save_recorded(person, by=world["admin"], reason="十月的修改")
    with time_machine.travel(datetime(2026, 11, 2, 3, tzinfo=UTC), tick=False):
        person.full_name = "十一月改名"
        save_recorded(person, by=world["admin"], reason="十一月的修改")
    response = c.get("/staff/audit/export.xlsx", {"model": "user", "month": "2026-10"})
    assert response.status_code == 200 and "audit-2026-10.xlsx" in response["Content-Disposition"]
    reasons = [
        r[5] for r in load_workbook(BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True)
    ]
    assert "十月的修改" in reasons and "十一月的修改" not in reasons
    bad = c.get("/staff/audit/", {"month": "2026-13"})
    assert bad.status_code == 400 and "2026-11" in bad.content.decode()


def test_history_is_kept_for_the_retention_period_and_pruned_only_after(world, settings):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from govhall.core.apps import audit_retention_check
    from govhall.core.audit import audit_prune

    person = make_user("old-history")
    with time_machine.travel(datetime(2025, 1, 1, tzinfo=UTC), tick=False):
        person.full_name = "很久以前"
        save_recorded(person, by=world["admin"], reason="旧记录")
    with time_machine.travel(datetime(2026, 9, 1, tzinfo=UTC), tick=False):
        person.full_name = "三个月前"
        save_recorded(person, by=world["admin"], reason="近记录")
    settings.GOVHALL_AUDIT_RETENTION_DAYS = 100
    assert [e.id for e in audit_retention_check(None)] == ["govhall.E001"]
    with pytest.raises(CommandError, match="至少保存 183 天"):
        call_command("audit_prune")
    assert User.history.filter(history_change_reason="旧记录").exists()
    settings.GOVHALL_AUDIT_RETENTION_DAYS = 365
    assert audit_retention_check(None) == []
    removed = audit_prune(now=datetime(2026, 11, 29, tzinfo=UTC))
    assert removed["accounts.HistoricalUser"] >= 1
    assert not User.history.filter(history_change_reason="旧记录").exists()
    assert User.history.filter(history_change_reason="近记录").exists()
