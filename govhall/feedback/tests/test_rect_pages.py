"""差评整改 pages: lists scoped to the hall, step forms with errors next to the field
and nothing changed, the district office's review, the rater hidden from the person
rated, masked exports, the workbench and supervision links, the detail API."""

import io
import json
from datetime import date, timedelta

import pytest
from django.test import Client
from openpyxl import load_workbook

from govhall.feedback import services
from govhall.feedback.models import Rectification
from tests.support import PHONE, make_user

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def qr(ticket) -> str:
    return services.qr_token("ticket", ticket.pk, "served")


@pytest.fixture
def bad(finish):
    """A function: a bad rating of a finished ticket (real-name when a phone is given)."""

    def make(phone: str = "", rater=None, text: str = "态度冷淡"):
        t = finish(phone=phone)
        r = services.rating_by_qr(token=qr(t), level=2, indicators=["attitude"], text=text, rater=rater)
        return r.rectification

    return make


def url(x, step: str = "") -> str:
    return f"/staff/rectifications/{x.pk}/" + (f"{step}/" if step else "")


def test_list_is_scoped_to_the_hall_and_district(world, bad):
    x = bad()
    assert (
        f"差评整改 #{x.pk}" in client_for(world["manager_a"]).get("/staff/rectifications/").content.decode()
    )
    assert f"差评整改 #{x.pk}" in client_for(world["admin"]).get("/staff/rectifications/").content.decode()
    other = client_for(world["manager_b"])
    assert f"差评整改 #{x.pk}" not in other.get("/staff/rectifications/").content.decode()
    assert other.get(url(x)).status_code == 404
    assert other.post(url(x, "finding"), {"finding": "valid"}).status_code == 404
    assert other.get(f"/api/v1/rectifications/{x.pk}").status_code == 404
    assert client_for(world["clerk_a"]).get("/staff/rectifications/").status_code == 403
    assert client_for(world["manager_a"]).post(url(x, "nonsense"), {}).status_code == 400
    x.refresh_from_db()
    assert x.status == Rectification.Status.OPEN and x.history.count() == 1


def test_list_red_first_search_and_filter(world, bad):
    a, b = bad(), bad(text="等太久")
    Rectification.objects.filter(pk=b.pk).update(fix_due=date(2026, 11, 20))
    services.rectification_warnings_compute()
    m = client_for(world["manager_a"])
    page = m.get("/staff/rectifications/").content.decode()
    assert page.index(f"#{b.pk}<") < page.index(f"#{a.pk}<")  # red first
    assert f"#{a.pk}<" not in m.get("/staff/rectifications/?warning=red").content.decode()
    assert f"#{b.pk}<" in m.get("/staff/rectifications/?warning=red").content.decode()
    clerk_name = world["clerk_a"].full_name
    assert f"#{a.pk}<" in m.get(f"/staff/rectifications/?q={clerk_name}").content.decode()
    assert f"#{a.pk}<" not in m.get("/staff/rectifications/?q=不存在的人").content.decode()
    assert f"#{a.pk}<" not in m.get("/staff/rectifications/?status=closed").content.decode()
    api = m.get("/api/v1/rectifications?warning=red").json()
    assert [r["id"] for r in api] == [b.pk]


def test_figures_on_the_list(world, bad):
    x = bad()
    services.rect_finding(by=world["manager_a"], rect=x, valid=True)
    services.rect_fix(by=world["manager_a"], rect=x, fix="已批评教育", answer="感谢监督")
    page = client_for(world["admin"]).get("/staff/rectifications/").content.decode()
    assert 'id="fig-on-time">100.0%' in page and "整改后满意度" in page and "回访率" in page


def test_manager_steps_through_the_forms_and_closes_on_time(world, bad):
    x = bad(phone=PHONE)
    m = client_for(world["manager_a"])
    assert "记录回访" in m.get(url(x)).content.decode()
    assert m.post(url(x, "revisit"), {"note": "电话回访，评价人说等了很久"}).status_code == 302
    assert m.post(url(x, "finding"), {"finding": "valid"}).status_code == 302
    page = m.get(url(x)).content.decode()
    assert "整改并答复" in page and 'data-confirm="整改并答复后本件办结' in page
    res = m.post(url(x, "fix"), {"fix": "增开窗口", "answer": "已增开窗口，感谢监督"})
    assert res.status_code == 302
    x.refresh_from_db()
    assert x.status == "closed" and x.on_time is True
    page = m.get(url(x)).content.decode()
    assert "已办结（按期）" in page
    steps = page[page.index('id="rect-steps"') :]
    assert "回访" in steps and "核实属实" in steps and "整改并答复" in steps
    assert world["manager_a"].full_name in steps


@pytest.mark.parametrize(
    "case",
    [
        ("revisit", {"note": ""}, "note", "请填写回访记录"),
        ("finding", {}, "finding", "请选择核实结论"),
        ("finding", {"finding": "invalid", "reason": ""}, "reason", "须写明理由"),
    ],
)
def test_bad_step_input_shows_message_next_to_field_and_changes_nothing(world, bad, case):
    step, data, field, message = case
    x = bad(phone=PHONE) if step == "revisit" else bad()
    before = x.history.count()
    res = client_for(world["manager_a"]).post(url(x, step), data)
    assert res.status_code == 400
    page = res.content.decode()
    error_at = page.index(f'id="id_{field}-error"')
    assert message in page[error_at : error_at + 200]
    x.refresh_from_db()
    assert x.status == Rectification.Status.OPEN and x.history.count() == before


def test_fix_without_answer_refused_next_to_answer(world, bad):
    x = bad()
    services.rect_finding(by=world["manager_a"], rect=x, valid=True)
    res = client_for(world["manager_a"]).post(url(x, "fix"), {"fix": "增开窗口", "answer": ""})
    assert res.status_code == 400
    page = res.content.decode()
    assert 'id="id_answer-error"' in page and "请填写答复评价人的内容" in page
    x.refresh_from_db()
    assert x.status == "fixing" and x.fix_text == ""


def test_finding_before_revisit_of_real_name_is_refused(world, bad):
    x = bad(phone=PHONE)
    res = client_for(world["manager_a"]).post(url(x, "finding"), {"finding": "valid"})
    assert res.status_code == 409 and "须先回访" in res.content.decode()
    x.refresh_from_db()
    assert x.finding == ""


def test_only_the_district_office_reviews_an_invalid_finding(world, bad):
    x = bad()
    m = client_for(world["manager_a"])
    m.post(url(x, "finding"), {"finding": "invalid", "reason": "当日录像显示态度正常"})
    x.refresh_from_db()
    assert x.status == "checking"
    assert "待区政务办复核" in m.get(url(x)).content.decode()
    assert m.post(url(x, "review"), {"decision": "keep", "reason": "x"}).status_code == 403
    admin = client_for(world["admin"])
    page = admin.get(url(x)).content.decode()
    assert "提交复核" in page and "维持不属实将办结本件" in page
    res = admin.post(url(x, "review"), {"decision": "keep", "reason": ""})
    assert res.status_code == 400 and "维持不属实须写明复核理由" in res.content.decode()
    x.refresh_from_db()
    assert x.status == "checking"
    assert admin.post(url(x, "review"), {"decision": "keep", "reason": "录像为证"}).status_code == 302
    x.refresh_from_db()
    assert x.status == "closed"
    assert "维持不属实：录像为证" in admin.get(url(x)).content.decode()


def test_district_overturns_then_hall_fixes(world, bad):
    x = bad()
    services.rect_finding(by=world["manager_a"], rect=x, valid=False, reason="不属实")
    assert client_for(world["admin"]).post(url(x, "review"), {"decision": "overturn"}).status_code == 302
    x.refresh_from_db()
    assert x.status == "fixing" and x.overturned


def test_rater_identity_masked_for_manager_hidden_from_others(world, bad):
    citizen = make_user("rater_citizen", full_name="李四", phone=PHONE)
    x = bad(phone=PHONE, rater=citizen)
    manager = client_for(world["manager_a"]).get(url(x)).content.decode()
    assert 'id="rater"' in manager and "李*" in manager and "138****5678" in manager
    assert PHONE not in manager and "李四" not in manager
    for who in ("admin", "leader_a"):
        page = client_for(world[who]).get(url(x)).content.decode()
        assert 'id="rater"' not in page and "5678" not in page and "李" not in page
    api = client_for(world["manager_a"]).get(f"/api/v1/rectifications/{x.pk}").json()
    assert api["rater"] == {"name": "李*", "phone": "138****5678"}
    assert api["rating"]["event_label"].startswith("排队号") and api["steps"][0]["what"] == "差评自动开启整改"
    assert client_for(world["admin"]).get(f"/api/v1/rectifications/{x.pk}").json()["rater"] is None


def test_rated_clerk_sees_own_ratings_without_the_rater(world, bad):
    citizen = make_user("rater_citizen", full_name="李四", phone=PHONE)
    x = bad(phone=PHONE, rater=citizen, text="办得太慢")
    c = client_for(world["clerk_a"])
    page = c.get("/staff/my-ratings/").content.decode()
    assert "办得太慢" in page and "服务态度" in page and "不满意" in page and "待回访" in page
    assert "李" not in page and "5678" not in page
    assert c.get(url(x)).status_code == 403  # the rated clerk has no access to the case file
    # a manager who is themselves the person rated does not see the rater either
    x.rating.clerk = world["manager_a"]
    x.rating.save()
    page = client_for(world["manager_a"]).get(url(x)).content.decode()
    assert 'id="rater"' not in page and "记录回访" not in page


def test_exports_are_masked_and_scoped(world, bad):
    citizen = make_user("rater_citizen", full_name="李四", phone=PHONE)
    bad(phone=PHONE, rater=citizen)
    for path in (
        "/staff/rectifications/export.xlsx",
        "/staff/ratings/export.xlsx",
        "/api/v1/rectifications/export",
        "/api/v1/ratings/export?bad=true",
    ):
        res = client_for(world["manager_a"]).get(path)
        assert res.status_code == 200, path
        cells = [
            str(c.value)
            for row in load_workbook(io.BytesIO(res.content)).active.iter_rows()
            for c in row
            if c.value is not None
        ]
        text = " ".join(cells)
        assert "实名" in text and "服务态度" in text, path
        assert "李四" not in text and "5678" not in text, path
    res = client_for(world["manager_b"]).get("/staff/rectifications/export.xlsx")
    rows = list(load_workbook(io.BytesIO(res.content)).active.iter_rows())
    assert len(rows) == 1  # the header only: another hall's rectifications are not exported


def test_ratings_list_filters(world, finish):
    services.rating_by_qr(token=qr(finish()), level=5)
    services.rating_by_qr(token=qr(finish()), level=1, indicators=["efficiency"], text="太慢了")
    m = client_for(world["manager_a"])
    page = m.get("/staff/ratings/").content.decode()
    assert "非常满意" in page and "非常不满意" in page
    bad_only = m.get("/staff/ratings/?bad=1").content.decode()
    assert "<td>非常满意</td>" not in bad_only and "<td>非常不满意</td>" in bad_only
    assert "<td>非常不满意</td>" not in m.get("/staff/ratings/?month=2020-01").content.decode()
    assert "<td>非常不满意</td>" not in m.get("/staff/ratings/?channel=pad").content.decode()
    assert len(m.get("/api/v1/ratings?level=5").json()) == 1
    assert m.get("/api/v1/ratings?level=9").status_code == 422
    assert len(m.get("/api/v1/ratings?month=99999999999999999999-01").json()) == 2  # ignored, not a 500
    assert client_for(world["manager_b"]).get("/api/v1/ratings").json() == []
    assert client_for(world["clerk_a"]).get("/staff/ratings/").status_code == 403


def test_workbench_links_with_counts(world, bad):
    x = bad()
    Rectification.objects.filter(pk=x.pk).update(fix_due=date(2026, 11, 20))
    services.rectification_warnings_compute()
    page = client_for(world["manager_a"]).get("/staff/").content.decode()
    assert 'href="/staff/rectifications/"' in page and "未办结 1 件，其中红牌 1 件" in page
    page = client_for(world["manager_b"]).get("/staff/").content.decode()
    assert "未办结 0 件，其中红牌 0 件" in page
    leader = client_for(world["leader_a"]).get("/staff/").content.decode()
    assert "未办结 1 件，其中红牌 1 件" in leader
    clerk = client_for(world["clerk_a"]).get("/staff/").content.decode()
    assert 'href="/staff/my-ratings/"' in clerk and "未办结" not in clerk


def test_past_fix_deadline_is_red_in_supervision(world, bad):
    x = bad()
    services.rectification_warnings_compute(today=x.created_at.date())
    assert (
        'id="supervision-others"'
        not in client_for(world["admin"]).get("/staff/supervision/").content.decode()
    )
    services.rectification_warnings_compute(today=x.fix_due + timedelta(days=1))
    x.refresh_from_db()
    assert x.warning == "red"
    page = client_for(world["admin"]).get("/staff/supervision/").content.decode()
    section = page[page.index('id="supervision-others"') :]
    assert f'href="/staff/rectifications/{x.pk}/"' in section and "badge-warn-red" in section
    assert (
        f"/staff/rectifications/{x.pk}/"
        in client_for(world["admin"]).get("/staff/supervision/?level=red").content.decode()
    )
    assert (
        f"/staff/rectifications/{x.pk}/"
        not in client_for(world["manager_b"]).get("/staff/supervision/").content.decode()
    )


def test_detail_api_lists_steps(world, bad):
    x = bad()
    services.rect_finding(by=world["manager_a"], rect=x, valid=True)
    body = client_for(world["admin"]).get(f"/api/v1/rectifications/{x.pk}").json()
    assert [s["what"] for s in body["steps"]] == ["差评自动开启整改", "核实属实"]
    assert body["steps"][1]["by"] == world["manager_a"].full_name
    assert json.dumps(body, ensure_ascii=False).count("rater_phone") == 0


def test_api_lists_show_the_masked_rater_phone_to_the_hall_manager_only(world, bad):
    bad(phone=PHONE)
    m = client_for(world["manager_a"])
    assert m.get("/api/v1/ratings").json()[0]["rater_phone"] == "138****5678"
    assert m.get("/api/v1/rectifications").json()[0]["rating"]["rater_phone"] == "138****5678"
    for who in ("admin", "leader_a"):
        c = client_for(world[who])
        assert c.get("/api/v1/ratings").json()[0]["rater_phone"] == ""
        assert c.get("/api/v1/rectifications").json()[0]["rating"]["rater_phone"] == ""
    assert "clerk_id" not in m.get("/api/v1/ratings").content.decode()


def test_step_answers_hide_the_rater_from_the_district_office(world, bad):
    x = bad(phone=PHONE)
    services.rect_revisit(by=world["manager_a"], rect=x, note="已回访")
    res = client_for(world["manager_a"]).post(
        f"/api/v1/rectifications/{x.pk}/finding",
        {"valid": False, "reason": "录像显示正常"},
        content_type="application/json",
    )
    assert res.status_code == 200 and res.json()["rating"]["rater_phone"] == "138****5678"
    res = client_for(world["admin"]).post(
        f"/api/v1/rectifications/{x.pk}/review", {"overturn": True}, content_type="application/json"
    )
    assert res.status_code == 200 and res.json()["rating"]["rater_phone"] == ""


def test_the_ratings_export_writes_beijing_time(world, bad):
    # --- devices17: dates and times in Beijing time everywhere ---
    from datetime import UTC
    from zoneinfo import ZoneInfo

    x = bad()
    at = x.rating.created_at
    res = client_for(world["manager_a"]).get("/staff/ratings/export.xlsx")
    cells = [c.value for row in load_workbook(io.BytesIO(res.content)).active.iter_rows() for c in row]
    assert at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M") in cells
    assert at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") not in cells
