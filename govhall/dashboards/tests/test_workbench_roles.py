"""A workbench per role: every figure equals the rows behind its link, under the same scope."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govhall.cases import services as cases
from govhall.queueing import services as queueing
from govhall.staffing import services as staffing
from tests.support import PERSON_ID, PHONE

pytestmark = pytest.mark.django_db

# Tuesday 24 November 2026, 10:00 in the hall: a working day inside the test halls' hours.
OPEN_TIME = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _open_hall_clock(settings):
    settings.GOVHALL_PUBSUB_URL = None
    with time_machine.travel(OPEN_TIME, tick=True):
        yield


@pytest.fixture
def halls(world):
    """Queues A and B with a window each at branch a; queue A and a window at branch b."""
    from govhall.centers.models import Center

    a = Center.objects.get(pk=world["a"].pk)
    b = Center.objects.get(pk=world["b"].pk)
    qa = queueing.queue_create(by=None, center=a, letter="A", name="婚姻登记")
    qb = queueing.queue_create(by=None, center=a, letter="B", name="咨询")
    w1 = queueing.window_create(by=None, center=a, number=1, name="综合窗口", queues=[qa, qb])
    qx = queueing.queue_create(by=None, center=b, letter="A", name="社保")
    wx = queueing.window_create(by=None, center=b, number=1, name="社保窗口", queues=[qx])
    return {**world, "qa": qa, "qb": qb, "w1": w1, "qx": qx, "wx": wx}


def _intake(world, item, materials, *, by=None, center=None):
    return cases.case_intake_window(
        by=by or world["clerk_a"],
        center=center or world["a"],
        item=item,
        applicant_name="张三",
        applicant_id_number=PERSON_ID,
        contact_phone=PHONE,
        paper_material_ids=[m.id for m in materials],
    )


def _shown_count(client, url: str) -> int:
    """The count a list page shows: its results bar (共 N …) or, for the gap list, its caption."""
    html = client.get(url).content.decode()
    found = re.search(r'class="results-bar" role="status">共 (\d+)', html) or re.search(
        r"共 (\d+) 处断档", html
    )
    assert found, f"no count on {url}"
    return int(found.group(1))


def _pending_leave_rows(client, url: str) -> int:
    html = client.get(url).content.decode()
    if 'id="pending-h"' not in html:
        return 0
    section = html.split('id="pending-h"', 1)[1].split("</section>", 1)[0]
    return section.count("/staff/staffing/leave/")


def _figures(client) -> list[dict]:
    response = client.get("/api/v1/workbench")
    assert response.status_code == 200, response.content
    return response.json()["figures"]


def _assert_each_figure_equals_its_rows(client, figures):
    for f in figures:
        if f["url"] is None:  # a figure the user may read but not open (the approver's cases)
            continue
        if f["key"] == "leave_to_approve":
            shown = _pending_leave_rows(client, f["url"])
        elif f["key"] == "assessment_drafts":
            html = client.get(f["url"]).content.decode()
            shown = html.count('class="badge badge-draft"')
        else:
            shown = _shown_count(client, f["url"])
        assert shown == f["count"], f


# --- window clerk ---------------------------------------------------------------------------------


def test_clerk_case_figures_equal_their_case_lists_and_leave_out_other_clerks_cases(
    client, world, halls, marriage, materials
):
    waiting_accept = _intake(world, marriage, materials)
    accepted = _intake(world, marriage, materials)
    cases.case_accept(by=world["clerk_a"], case=accepted)
    from govhall.accounts.models import Role
    from tests.support import make_user

    colleague = make_user("tclerk_a9", Role.CLERK, world["a"])
    _intake(world, marriage, materials, by=colleague)  # a colleague's: not mine
    client.force_login(world["clerk_a"])
    figures = [f for f in _figures(client) if f["section"] == "clerk"]
    assert {f["key"]: f["count"] for f in figures} == {
        "accept": 1,
        "correction": 0,
        "notify": 0,
        "due_soon": 0,
    }
    _assert_each_figure_equals_its_rows(client, figures)
    listed = client.get(figures[0]["url"]).content.decode()
    assert waiting_accept.number in listed and accepted.number not in listed


def test_clerk_sees_own_window_the_next_ticket_and_the_console_link(client, world, halls):
    queueing.window_open(window=halls["w1"], by=world["clerk_a"])
    queueing.ticket_issue(queue=halls["qa"])
    first = queueing.ticket_issue(queue=halls["qb"])
    queueing.ticket_issue(queue=halls["qx"])  # branch b: never shown to clerk a
    client.force_login(world["clerk_a"])
    window = client.get("/api/v1/workbench").json()["window"]
    assert window["open"] and "1 号窗口" in window["label"]
    assert window["next"] == "A001"
    assert window["console_url"] == "/staff/queue/"
    html = client.get("/staff/").content.decode()
    assert 'id="workbench-console"' in html and "下一位：A001" in html
    assert first.code == "B001"
    client.force_login(world["clerk_b"])
    assert client.get("/api/v1/workbench").json()["window"]["open"] is False


def test_clerk_clocks_in_from_the_workbench_and_is_sent_back_to_it(client, world, halls):
    client.force_login(world["clerk_a"])
    html = client.get("/staff/").content.decode()
    assert 'id="workbench-clock"' in html and ">签到<" in html
    response = client.post("/staff/staffing/attendance/", {"kind": "in", "next": "/staff/"})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    html = client.get("/staff/").content.decode()
    assert "已于 10:0" in html and ">签退<" in html


# --- branch manager ---------------------------------------------------------------------------------


def test_manager_hall_figures_equal_their_lists(client, world, halls, marriage, materials):
    for q in (halls["qa"], halls["qa"], halls["qb"]):
        queueing.ticket_issue(queue=q)
    queueing.ticket_issue(queue=halls["qx"])
    staffing.leave_request(
        by=world["clerk_a"],
        kind="personal",
        start_date=OPEN_TIME.date().replace(day=30),
        end_date=OPEN_TIME.date().replace(day=30),
        reason="家事",
    )
    client.force_login(world["manager_a"])
    figures = [f for f in _figures(client) if f["section"] in {"manager", "hall"}]
    counts = {(f["hall"], f["key"]): f["count"] for f in figures}
    assert counts[("T-A", "waiting_now")] == 3
    assert counts[("T-A", "waiting_A")] == 2 and counts[("T-A", "waiting_B")] == 1
    assert counts[("", "leave_to_approve")] == 1
    _assert_each_figure_equals_its_rows(client, figures)


def test_branch_manager_never_sees_another_halls_figures(client, world, halls):
    queueing.ticket_issue(queue=halls["qx"])
    client.force_login(world["manager_a"])
    data = client.get("/api/v1/workbench").json()
    assert {f["hall"] for f in data["figures"]} <= {"", "T-A"}
    assert [h["code"] for h in data["halls"]] == ["T-A"]
    html = client.get("/staff/").content.decode()
    assert world["b"].name not in html
    assert client.get(f"/staff/workbench/halls/{world['b'].pk}/waiting/").status_code == 404
    # and the list behind the figure does not show branch b's ticket either
    assert _shown_count(client, f"/staff/queue/waiting/?center={world['b'].code}") == 0


def test_the_manager_waiting_block_is_polled_and_shows_a_new_ticket(client, world, halls):
    client.force_login(world["manager_a"])
    url = f"/staff/workbench/halls/{world['a'].pk}/waiting/"
    html = client.get("/staff/").content.decode()
    assert f'hx-get="{url}"' in html and 'hx-trigger="every 3s"' in html
    assert '<strong class="waiting-count">0</strong>' in client.get(url).content.decode()
    queueing.ticket_issue(queue=halls["qa"])
    assert '<strong class="waiting-count">1</strong>' in client.get(url).content.decode()


def test_department_leader_sees_the_halls_of_the_branch_they_lead_and_no_other(client, world, halls):
    """The department leader's workbench is the manager's, over the halls where they lead."""
    for q in (halls["qa"], halls["qb"]):
        queueing.ticket_issue(queue=q)
    queueing.ticket_issue(queue=halls["qx"])  # branch b: not theirs
    client.force_login(world["leader_a"])
    data = client.get("/api/v1/workbench").json()
    assert [h["code"] for h in data["halls"]] == ["T-A"]
    figures = [f for f in data["figures"] if f["section"] in {"manager", "hall"}]
    assert {f["hall"] for f in figures} <= {"", "T-A"}
    counts = {(f["hall"], f["key"]): f["count"] for f in figures}
    assert counts[("T-A", "waiting_now")] == 2
    _assert_each_figure_equals_its_rows(client, figures)
    html = client.get("/staff/").content.decode()
    assert f'hx-get="/staff/workbench/halls/{world["a"].pk}/waiting/"' in html
    assert world["b"].name not in html
    assert client.get(f"/staff/workbench/halls/{world['b'].pk}/waiting/").status_code == 404


# --- approver and chief representative ------------------------------------------------------------


def test_approver_headline_figures_equal_their_lists(client, world, halls, marriage, materials):
    queueing.ticket_issue(queue=halls["qa"])
    queueing.ticket_issue(queue=halls["qx"])
    _intake(world, marriage, materials)
    client.force_login(world["approver"])
    figures = [f for f in _figures(client) if f["section"] == "district"]
    counts = {f["key"]: f["count"] for f in figures}
    assert counts["tickets_today"] == 2 and counts["waiting_now"] == 2 and counts["cases_open"] == 1
    assert {f["key"] for f in figures if f["url"]} == {"tickets_today", "waiting_now"}
    _assert_each_figure_equals_its_rows(client, figures)


def test_chief_representative_sees_escalations_with_the_authorisation_they_fall_under(
    client, world, halls, marriage, materials
):
    from datetime import date

    auth = cases.chief_authorization_issue(
        by=world["admin"],
        department=world["dep_a"],
        center=world["a"],
        representative=world["chief_a"],
        document_number="测民授〔2026〕1号",
        title="首席代表授权书",
        all_items=True,
        items=[],
        valid_from=date(2026, 1, 1),
        valid_to=date(2027, 12, 31),
    )
    case = _intake(world, marriage, materials)
    cases.case_escalate(by=world["clerk_a"], case=case, proposal="reject", reason="不属于本机关职权范围")
    client.force_login(world["chief_a"])
    html = client.get("/staff/").content.decode()
    assert "提请我决定的办件（1）" in html
    assert case.number in html and auth.document_number in html
    chief = [f for f in _figures(client) if f["section"] == "chief"]
    assert chief[0]["count"] == 1


# --- speed: queries do not grow with rows -----------------------------------------------------------


def _workbench_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/staff/").status_code == 200
    return len(ctx.captured_queries)


def test_workbench_queries_do_not_grow_with_rows(client, world, halls, marriage, materials):
    def add(n):
        for _ in range(n):
            queueing.ticket_issue(queue=halls["qa"])
            _intake(world, marriage, materials)

    add(2)
    for user in ("manager_a", "clerk_a", "approver"):
        client.force_login(world[user])
        _workbench_queries(client)  # warm the per-process caches
    few = {}
    for user in ("manager_a", "clerk_a", "approver"):
        client.force_login(world[user])
        few[user] = _workbench_queries(client)
    add(20)
    for user in ("manager_a", "clerk_a", "approver"):
        client.force_login(world[user])
        assert _workbench_queries(client) <= few[user], user


def test_unknown_drill_down_filters_are_refused_in_chinese(client, world, halls):
    client.force_login(world["clerk_a"])
    page = client.get("/staff/cases/?wait=nonsense")
    assert page.status_code == 400 and "未知的待办类型" in page.content.decode()
    api = client.get("/api/v1/cases?wait=nonsense")
    assert api.status_code == 400 and api.json()["errors"]["wait"] == ["未知的待办类型。"]
    tickets = client.get("/staff/queue/waiting/?status=nonsense")
    assert tickets.status_code == 400 and "未知的号状态" in tickets.content.decode()
    assert client.get("/api/v1/queue-waiting?status=nonsense").status_code == 400
