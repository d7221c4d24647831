"""The district cockpit: figures from the rollups, drill-down to the tickets, Excel, scope."""

from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook

from govhall.dashboards.rollups import rollup_days
from govhall.queueing.models import Ticket

from .conftest import DAY, at

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
MASKED = "138****5678"
QUERY = f"period=day&on={DAY}"


@pytest.fixture
def rolled(activity):
    from govhall.queueing import services as q

    with time_machine.travel(at(DAY, 16), tick=False):
        q.ticket_issue(queue=activity["qa"], phone=PHONE)
    with time_machine.travel(at(DAY, 18), tick=False):
        rollup_days(since=DAY, until=DAY)
    return activity


def _as(client, user):
    client.force_login(user)
    return client


def _rows(response):
    wb = load_workbook(BytesIO(response.content), read_only=True)
    return [list(r) for r in wb.active.iter_rows(values_only=True)]


def test_district_office_sees_each_halls_waiting_in_plain_words(client, rolled):
    with time_machine.travel(at(DAY, 18), tick=False):
        page = _as(client, rolled["admin"]).get(f"/staff/cockpit/?{QUERY}")
        api = client.get(f"/api/v1/cockpit?{QUERY}").json()
    assert page.status_code == 200
    hall = next(h for h in api["halls"] if h["code"] == rolled["a"].code)
    assert hall["tickets"] == Ticket.objects.filter(center=rolled["a"], day=DAY).count() == 7
    assert hall["wait_p90_words"] in page.content.decode()
    assert hall["wait_p90_words"].startswith(("九成群众等候不超过", "一成以上群众等候超过"))
    assert api["total"]["tickets"] == 7 and api["previous"]["start"] == "2026-11-23"


def test_each_halls_ticket_figure_equals_its_drill_down_rows(client, rolled):
    with time_machine.travel(at(DAY, 18), tick=False):
        c = _as(client, rolled["admin"])
        api = c.get(f"/api/v1/cockpit?{QUERY}").json()
        for hall in api["halls"]:
            link = hall["links"]["tickets"]
            assert link.startswith("/staff/cockpit/tickets/?")
            rows = c.get("/api/v1/cockpit/tickets?" + link.split("?", 1)[1] + "&limit=200").json()
            assert rows["count"] == hall["tickets"], hall["code"]
            assert c.get(link).status_code == 200


def test_ticket_drill_down_and_its_export_mask_the_phone(client, rolled):
    c = _as(client, rolled["admin"])
    query = f"hall={rolled['a'].code}&since={DAY}&until={DAY}"
    page = c.get(f"/staff/cockpit/tickets/?{query}").content.decode()
    assert MASKED in page and PHONE not in page
    export = c.get(f"/staff/cockpit/tickets/export.xlsx?{query}")
    cells = [str(v) for row in _rows(export) for v in row if v is not None]
    assert MASKED in cells and PHONE not in cells
    assert len(_rows(export)) == 1 + 7
    api = c.get(f"/api/v1/cockpit/tickets?{query}").json()
    assert MASKED in [r["phone"] for r in api["results"]] and PHONE not in str(api)


def test_cockpit_export_lists_every_hall(client, rolled):
    with time_machine.travel(at(DAY, 18), tick=False):
        response = _as(client, rolled["admin"]).get(f"/staff/cockpit/export.xlsx?{QUERY}")
    rows = _rows(response)
    assert rows[0][:3] == ["排名", "中心", "取号"]
    assert [r[2] for r in rows[1:] if r[1] == rolled["a"].name] == ["7"] or [
        r[2] for r in rows[1:] if r[1] == rolled["a"].name
    ] == [7]


@pytest.mark.parametrize(
    "url",
    [
        f"/staff/cockpit/?{QUERY}",
        f"/staff/cockpit/export.xlsx?{QUERY}",
        f"/staff/cockpit/tickets/?since={DAY}",
        f"/staff/cockpit/tickets/export.xlsx?since={DAY}",
        f"/api/v1/cockpit?{QUERY}",
        f"/api/v1/cockpit/tickets?since={DAY}",
    ],
)
@pytest.mark.parametrize("who", ["manager_a", "clerk_a", "leader_a"])
def test_only_the_district_office_opens_the_cockpit(client, rolled, url, who):
    response = _as(client, rolled[who]).get(url)
    assert response.status_code == 403
    text = response.json()["detail"] if url.startswith("/api/") else response.content.decode()
    assert "驾驶舱仅供区政务服务管理办公室使用" in text


def test_the_district_office_never_sees_another_districts_halls(client, rolled, other_world):
    c = _as(client, rolled["admin"])
    codes = {h["code"] for h in c.get(f"/api/v1/cockpit?{QUERY}").json()["halls"]}
    assert rolled["a"].code in codes and other_world["a"].code not in codes
    assert c.get(f"/staff/cockpit/tickets/?hall={other_world['a'].code}").status_code == 400


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=year", "统计周期只能是"),
        ("on=2026-13-01", "日期格式应为"),
        ("on=1800-01-01", "日期超出"),
    ],
)
def test_bad_period_is_a_clear_400(client, rolled, query, message):
    c = _as(client, rolled["admin"])
    assert c.get(f"/api/v1/cockpit?{query}").status_code == 400
    page = c.get(f"/staff/cockpit/?{query}")
    assert page.status_code == 400 and message in page.content.decode()


def test_bad_drill_down_range_is_a_clear_400(client, rolled):
    c = _as(client, rolled["admin"])
    for query, message in (
        ("since=2026-11-24&until=2026-11-01", "起始日期不能晚于"),
        ("since=2026-01-01&until=2026-12-01", "最多查看 92 天"),
    ):
        response = c.get(f"/api/v1/cockpit/tickets?{query}")
        assert response.status_code == 400 and message in response.json()["detail"]


def test_workbench_links_the_district_office_to_the_cockpit(client, world):
    assert 'href="/staff/cockpit/"' in _as(client, world["admin"]).get("/staff/").content.decode()
    client.logout()
    assert 'href="/staff/cockpit/"' not in _as(client, world["manager_a"]).get("/staff/").content.decode()


def test_the_hall_table_is_paged_and_searchable_while_the_ranking_stays_district_wide(
    client, rolled, monkeypatch
):
    from govhall.dashboards import views_cockpit

    monkeypatch.setattr(views_cockpit, "HALLS_PER_PAGE", 1)
    with time_machine.travel(at(DAY, 18), tick=False):
        c = _as(client, rolled["admin"])
        ranked = c.get(f"/api/v1/cockpit?{QUERY}").json()["halls"]
        assert len(ranked) >= 2
        second = c.get(f"/staff/cockpit/?{QUERY}&page=2").content.decode()
        assert (
            f'data-hall="{ranked[1]["code"]}"' in second and f'data-hall="{ranked[0]["code"]}"' not in second
        )
        assert f"第 2 / {len(ranked)} 页" in second
        found = c.get(f"/staff/cockpit/?{QUERY}&q={ranked[-1]['code'].lower()}").content.decode()
        assert f'data-hall="{ranked[-1]["code"]}"' in found and f"<td>{ranked[-1]['rank']}</td>" in found
        assert "共 1 个中心" in found
        none = c.get(f"/staff/cockpit/?{QUERY}&q=不存在的中心")
        assert none.status_code == 200 and "没有名称或编码含“不存在的中心”的中心。" in none.content.decode()
