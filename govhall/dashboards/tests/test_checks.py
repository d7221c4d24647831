"""明进暗不进 / 体外循环: the check finds each planted case and nothing else."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from govhall.cases import services as cases
from govhall.catalog import services as catalog
from govhall.catalog.models import NegativeListEntry
from govhall.dashboards.checks import stationing_findings
from govhall.queueing import services as queueing
from govhall.queueing.demo import hall_open_all_day
from govhall.queueing.models import Window
from govhall.staffing import services as staffing
from tests.support import PERSON_ID, PHONE, publish_guide

pytestmark = pytest.mark.django_db


def _item(world, code, name, catalog_code=""):
    return catalog.item_create(
        by=None,
        district=world["district"],
        code=code,
        name=name,
        item_type="public_service",
        department=world["dep_b"],
        catalog_code=catalog_code,
    )


def _case(world, *, clerk, center, item, accept=False):
    case = cases.case_intake_window(
        by=clerk,
        center=center,
        item=item,
        applicant_name="张三",
        applicant_id_number=PERSON_ID,
        contact_phone=PHONE,
        paper_material_ids=list(item.current_guide.materials.values_list("id", flat=True)),
    )
    if accept:
        cases.case_accept(by=clerk, case=case)
    return case


def _left_open(window, *, clerk=None, days_ago=10):
    # Opening a window takes a clerk on duty (staffing's posts); the check reads only
    # the window's state, so the test puts the window in it directly.
    Window.objects.filter(pk=window.pk).update(
        status=Window.Status.OPEN, clerk=clerk, opened_at=timezone.now() - timedelta(days=days_ago)
    )


@pytest.fixture
def planted(world):
    """At the district center (hub): a healthy item, and one item or window of each
    kind of problem; at branch b, a healthy sibling of the idle item whose cases are
    accepted there."""
    from govhall.centers.models import Center

    hub, b = (
        Center.objects.get(pk=world[k].pk) for k in ("hub", "b")
    )  # the fixture's objects predate activation
    healthy = _item(world, "T-OK-1", "健康事项")
    no_window = _item(world, "T-NW-1", "无窗口事项")
    no_training = _item(world, "T-NT-1", "无培训事项")
    idle = _item(world, "T-ID-1", "体外循环事项", catalog_code="CAT-X")
    by_ticket = _item(world, "T-TK-1", "有取号事项", catalog_code="CAT-X")
    sibling = _item(world, "T-SB-1", "分中心同类事项", catalog_code="CAT-X")
    catalog.negative_entry_create(
        by=None,
        item=sibling,
        center=b,
        reason=NegativeListEntry.Reason.SITE,
        basis="须在专业场所办理。",
        approval="测试〔2024〕2号",
        approved_on=date(2024, 1, 2),
    )
    catalog.item_station(by=None, item=sibling, center=b, reason="负面清单")

    qa = queueing.queue_create(by=None, center=hub, letter="A", name="综合")
    queueing.queue_set_items(by=None, queue=qa, items=[healthy, idle])
    qb = queueing.queue_create(by=None, center=hub, letter="B", name="未培训")
    queueing.queue_set_items(by=None, queue=qb, items=[no_training])
    qt = queueing.queue_create(by=None, center=hub, letter="T", name="取号")
    queueing.queue_set_items(by=None, queue=qt, items=[by_ticket])
    w1 = queueing.window_create(by=None, center=hub, number=1, name="综合窗口", queues=[qa])
    queueing.window_create(by=None, center=hub, number=2, name="未培训窗口", queues=[qb])
    queueing.window_create(by=None, center=hub, number=3, name="取号窗口", queues=[qt])
    w4 = queueing.window_create(by=None, center=hub, number=4, name="闲置窗口")
    qs = queueing.queue_create(by=None, center=b, letter="S", name="同类")
    queueing.queue_set_items(by=None, queue=qs, items=[sibling])
    queueing.window_create(by=None, center=b, number=1, name="同类窗口", queues=[qs])

    held = timezone.localdate() - timedelta(days=10)
    course = staffing.training_course_create(
        by=None, center=hub, name="综合业务", held_on=held, queues=[qa, qt], items=[no_window]
    )
    staffing.training_record_add(by=None, course=course, user=world["clerk_hub"])
    course_b = staffing.training_course_create(by=None, center=b, name="同类业务", held_on=held, queues=[qs])
    staffing.training_record_add(by=None, course=course_b, user=world["clerk_b"])

    for item in (healthy, sibling):
        publish_guide(item)
        item.refresh_from_db()
    _case(world, clerk=world["clerk_hub"], center=hub, item=healthy)
    _case(world, clerk=world["clerk_b"], center=b, item=sibling, accept=True)
    hall_open_all_day([hub.code])
    queueing.ticket_issue(queue=qt)

    _left_open(w1, clerk=world["clerk_hub"])  # no call, but its clerk took in a case today
    _left_open(w4)  # no call, nobody, for 10 days
    return {"no_window": no_window, "no_training": no_training, "idle": idle, "w4": w4}


def _found(findings):
    return sorted((f.kind, f.center_code, f.subject) for f in findings)


def test_check_finds_each_planted_case_and_nothing_else(world, planted):
    hub = world["hub"].code
    assert _found(stationing_findings(user=world["admin"])) == sorted(
        [
            ("no_window", hub, "T-NW-1 无窗口事项"),
            ("no_training", hub, "T-NT-1 无培训事项"),
            ("no_activity", hub, "T-ID-1 体外循环事项"),
            ("idle_window", hub, "4号窗口 闲置窗口"),
        ]
    )


def test_each_finding_gives_its_evidence(world, planted):
    by_kind = {f.kind: f for f in stationing_findings(user=world["admin"])}
    assert by_kind["no_window"].evidence == "本大厅没有启用队列覆盖该事项"
    assert "同期其他大厅受理 1 件" in by_kind["no_activity"].evidence
    assert "从未叫号" in by_kind["idle_window"].evidence and "无当前人员" in by_kind["idle_window"].evidence
    opened = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert f"{opened} 开窗" in by_kind["idle_window"].evidence


def test_a_recent_call_makes_an_open_window_active(world, planted):
    from govhall.queueing.models import Call, Ticket

    ticket = Ticket.objects.filter(center=world["hub"]).get()
    Call.objects.create(center=world["hub"], ticket=ticket, window=planted["w4"], at=timezone.now())
    assert "idle_window" not in {f.kind for f in stationing_findings(user=world["admin"])}


def test_filters_by_hall_and_kind(world, planted):
    only_b = stationing_findings(user=world["admin"], center_id=world["b"].pk)
    assert only_b == []
    kinds = stationing_findings(user=world["admin"], kind="no_training")
    assert [f.subject for f in kinds] == ["T-NT-1 无培训事项"]


def test_page_lists_findings_and_the_workbench_links_to_it(client, world, planted):
    client.force_login(world["admin"])
    assert 'href="/staff/checks/stationing/"' in client.get("/staff/").content.decode()
    html = client.get("/staff/checks/stationing/", {"kind": "no_window"}).content.decode()
    assert "T-NW-1 无窗口事项" in html and "T-NT-1" not in html
    assert "共 1 项" in html


def test_page_says_when_nothing_is_found(client, world):
    client.force_login(world["admin"])
    html = client.get("/staff/checks/stationing/", {"kind": "idle_window"}).content.decode()
    assert "没有发现问题。" in html and "共 0 项" in html and "导出 Excel" in html


def test_api_gives_the_same_findings(client, world, planted):
    client.force_login(world["admin"])
    body = client.get("/api/v1/checks/stationing", {"center": world["hub"].pk}).json()
    assert body["count"] == 4
    assert {row["kind"] for row in body["items"]} == {
        "no_window",
        "no_training",
        "no_activity",
        "idle_window",
    }


def test_export_has_a_row_per_finding(client, world, planted):
    client.force_login(world["admin"])
    response = client.get("/staff/checks/stationing/export.xlsx")
    rows = list(load_workbook(BytesIO(response.content), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("大厅编码", "大厅", "问题类型", "事项或窗口")
    assert sorted(r[3] for r in rows[1:]) == sorted(
        ["T-NW-1 无窗口事项", "T-NT-1 无培训事项", "T-ID-1 体外循环事项", "4号窗口 闲置窗口"]
    )


@pytest.mark.parametrize("path", ["/staff/checks/stationing/", "/staff/checks/stationing/export.xlsx"])
def test_branch_manager_is_refused_the_page_and_export(client, world, path):
    client.force_login(world["manager_a"])
    response = client.get(path)
    assert response.status_code == 403
    assert "只有区政务办" in response.content.decode()


def test_branch_manager_is_refused_the_api(client, world):
    client.force_login(world["manager_a"])
    response = client.get("/api/v1/checks/stationing")
    assert response.status_code == 403
    assert response.json()["detail"] == "只有区政务办可以查看明进暗不进检查。"


def test_bad_filters_are_a_clear_4xx(client, world):
    client.force_login(world["admin"])
    page = client.get("/staff/checks/stationing/", {"kind": "nonsense", "center": "x"})
    assert page.status_code == 400
    assert client.get("/api/v1/checks/stationing", {"kind": "nonsense"}).status_code == 422
