"""Efficiency complaints (效能投诉): the flow, visibility, tracking, 12345, 办不成事, assessment."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from govhall.accounts.services import api_token_issue
from govhall.core.errors import DomainError, NotFound
from govhall.feedback import selectors, services
from govhall.feedback.models import Complaint, ComplaintEvent, Unresolved
from govhall.staffing.extensions import measures_for

pytestmark = pytest.mark.django_db
API = "/api/v1"
PHONE = "13812345678"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post(c, url, data, **extra):
    return c.post(API + url, json.dumps(data), content_type="application/json", **extra)


def about_clerk(world, **kw):
    data = {
        "by": None,
        "channel": Complaint.Channel.ONLINE,
        "center": world["a"],
        "about": Complaint.About.PERSON,
        "subject_user": world["clerk_a"],
        "text": "窗口人员态度生硬，推诿不办",
        "phone": PHONE,
        "name": "王小明",
    }
    data.update(kw)
    return services.complaint_submit(**data)


def test_flow_through_every_step_with_history(world):
    c = about_clerk(world)
    assert c.number.startswith("TS") and c.status == "pending"
    m = world["manager_a"]
    c = services.complaint_accept(by=m, complaint=c)
    c = services.complaint_investigate(by=m, complaint=c, finding="调取录像，属实")
    c = services.complaint_decide(by=m, complaint=c, outcome="upheld", measures="批评教育，扣考核分")
    c = services.complaint_reply(by=m, complaint=c, answer="经查属实，已处理，感谢监督")
    c = services.complaint_archive(by=world["admin"], complaint=c)
    assert c.status == "archived"
    events = list(ComplaintEvent.objects.filter(complaint=c).values_list("action", "by__username"))
    assert [a for a, _ in events] == ["submit", "accept", "investigate", "decide", "reply", "archive"]
    assert events[1][1] == m.username and events[5][1] == world["admin"].username
    hist = list(c.history.order_by("history_date").values_list("history_user__username", flat=True))
    assert len(hist) == 6 and hist[-1] == world["admin"].username


def test_wrong_order_is_refused_and_nothing_written(world):
    c = about_clerk(world)
    with pytest.raises(DomainError):
        services.complaint_reply(by=world["manager_a"], complaint=c, answer="x")
    c.refresh_from_db()
    assert c.status == "pending" and c.events.count() == 1


def test_refusal_needs_a_reason(world):
    c = about_clerk(world)
    with pytest.raises(DomainError) as e:
        services.complaint_refuse(by=world["manager_a"], complaint=c, reason="  ")
    assert e.value.field == "reason"
    c.refresh_from_db()
    assert c.status == "pending"
    r = post(client_for(world["manager_a"]), f"/complaints/{c.number}/refuse", {"reason": ""})
    assert r.status_code == 400 and r.json()["errors"]["reason"]
    c = services.complaint_refuse(by=world["manager_a"], complaint=c, reason="不属于效能投诉范围")
    assert c.status == "refused" and c.refuse_reason


def test_bad_public_input_is_400_and_writes_nothing(world):
    r = post(
        Client(),
        "/complaints/public",
        {"center": world["a"].code, "about": "hall", "text": "慢", "phone": "123"},
    )
    assert r.status_code == 400 and "phone" in r.json()["errors"]
    r = post(
        Client(),
        "/complaints/public",
        {"center": world["a"].code, "about": "person", "text": "慢", "phone": PHONE},
    )
    assert r.status_code == 400
    r = Client().post(
        "/complaints/new/", {"center": world["a"].pk, "about": "hall", "text": "", "phone": PHONE}
    )
    assert r.status_code == 400
    assert Complaint.objects.count() == 0


def test_deadline_past_is_red_and_the_job_is_idempotent(world):
    c = about_clerk(world)
    late = about_clerk(world)
    Complaint.objects.filter(pk=late.pk).update(reply_by=timezone.localdate() - timedelta(days=1))
    Complaint.objects.filter(pk=c.pk).update(reply_by=timezone.localdate() + timedelta(days=1))
    assert services.complaint_deadlines_run() == 2
    assert services.complaint_deadlines_run() == 0
    late.refresh_from_db()
    c.refresh_from_db()
    assert late.warning == "red" and c.warning == "yellow"
    # overdue first in the list
    assert list(selectors.complaints_visible_to(world["manager_a"]))[0].pk == late.pk


def test_the_named_clerk_cannot_see_it_before_decision(world):
    c = about_clerk(world)
    clerk = world["clerk_a"]
    cc = client_for(clerk)
    assert cc.get(f"/staff/complaints/{c.number}/").status_code == 404
    assert cc.get(f"{API}/complaints/{c.number}").status_code == 404
    assert c.number not in json.dumps(cc.get(f"{API}/complaints").json())
    # the hall manager and the district office see it; another hall's manager does not
    assert client_for(world["manager_a"]).get(f"/staff/complaints/{c.number}/").status_code == 200
    assert client_for(world["admin"]).get(f"{API}/complaints/{c.number}").status_code == 200
    assert client_for(world["manager_b"]).get(f"{API}/complaints/{c.number}").status_code == 404
    with pytest.raises(NotFound):
        services.complaint_accept(by=clerk, complaint=c)


def test_a_complaint_about_a_hall_is_the_district_offices(world):
    c = about_clerk(world, about="hall", subject_user=None)
    assert client_for(world["manager_a"]).get(f"{API}/complaints/{c.number}").status_code == 404
    assert client_for(world["admin"]).get(f"{API}/complaints/{c.number}").status_code == 200


def test_steps_through_the_pages(world):
    c = about_clerk(world)
    m = client_for(world["manager_a"])
    base = f"/staff/complaints/{c.number}/"
    assert m.post(base + "accept/").status_code == 302
    assert m.post(base + "investigate/", {"finding": ""}).status_code == 400
    assert m.post(base + "investigate/", {"finding": "属实"}).status_code == 302
    assert m.post(base + "decide/", {"outcome": "not_upheld", "measures": "解释说明"}).status_code == 302
    assert m.post(base + "reply/", {"answer": "经查不属实"}).status_code == 302
    c.refresh_from_db()
    assert c.status == "replied"
    page = m.get("/staff/complaints/").content.decode()
    assert c.number in page and PHONE not in page
    x = m.get("/staff/complaints/export.xlsx")
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxmlformats")


def hotline_client(world):
    _, key = api_token_issue(
        by=world["admin"], user=world["admin"], name="12345", centers=[world["a"], world["hub"]]
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_12345_twice_with_one_work_order_gives_one_complaint(world):
    c = hotline_client(world)
    body = {
        "order_number": "GD20261206001",
        "center": world["a"].code,
        "about": "hall",
        "text": "排队太久",
        "phone": PHONE,
    }
    r1 = post(c, "/complaints/12345", body)
    r2 = post(c, "/complaints/12345", body)
    assert r1.status_code == 201 and r2.status_code == 200
    assert r1.json()["number"] == r2.json()["number"]
    assert Complaint.objects.filter(order_number="GD20261206001").count() == 1
    s = c.get(f"{API}/complaints/12345/GD20261206001")
    assert s.status_code == 200 and s.json()["status"] == "pending" and s.json()["answer"] == ""
    assert c.get(f"{API}/complaints/12345/NOPE").status_code == 404
    # a clerk (not the district office) may not hand over
    r = post(client_for(world["clerk_a"]), "/complaints/12345", {**body, "order_number": "GD2"})
    assert r.status_code in (403, 404) and not Complaint.objects.filter(order_number="GD2").exists()


@pytest.mark.django_db(transaction=True)
def test_12345_concurrent_hand_over_gives_one_complaint(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL")
    errors = []

    def call():
        try:
            services.complaint_from_12345(
                by=world["admin"], order_number="GDC1", center=world["a"], text="慢", phone=PHONE
            )
        except Exception as exc:  # pragma: no cover
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and Complaint.objects.filter(order_number="GDC1").count() == 1


def test_tracking_by_number_and_phone_shows_the_answer(world):
    c = about_clerk(world)
    m = world["manager_a"]
    for step, kw in (
        ("accept", {}),
        ("investigate", {"finding": "属实"}),
        ("decide", {"outcome": "upheld", "measures": "整改"}),
        ("reply", {"answer": "已整改，谢谢"}),
    ):
        c = services.STEPS[step](by=m, complaint=c, **kw)
    r = Client().post("/complaints/track/", {"number": c.number, "phone": PHONE})
    page = r.content.decode()
    assert r.status_code == 200 and "已整改，谢谢" in page
    r = Client().post("/complaints/track/", {"number": c.number, "phone": "13900000000"})
    assert "已整改" not in r.content.decode() and r.status_code == 400
    r = post(Client(), "/complaints/track", {"number": c.number, "phone": "13900000000"})
    assert r.status_code == 404
    r = post(Client(), "/complaints/track", {"number": c.number, "phone": PHONE})
    assert r.status_code == 200 and r.json()["answer"] == "已整改，谢谢"


def test_public_tracking_page_shows_no_unmasked_personal_data(world):
    r = Client().post(
        "/complaints/new/",
        {"center": world["a"].pk, "about": "hall", "text": "排队太久", "phone": PHONE, "name": "王小明"},
    )
    assert r.status_code == 200
    c = Complaint.objects.get()
    assert c.channel == "online" and c.number in r.content.decode()
    page = Client().post("/complaints/track/", {"number": c.number, "phone": PHONE}).content.decode()
    assert c.number in page
    assert PHONE not in page and "王小明" not in page
    body = json.dumps(
        post(Client(), "/complaints/track", {"number": c.number, "phone": PHONE}).json(), ensure_ascii=False
    )
    assert PHONE not in body and "王小明" not in body
    staff = json.dumps(
        client_for(world["admin"]).get(f"{API}/complaints/{c.number}").json(), ensure_ascii=False
    )
    assert PHONE not in staff and "王小明" not in staff and "138****5678" in staff


def test_unresolved_grouped_by_item(world, marriage):
    clerk = world["clerk_a"]
    for i in range(3):
        services.unresolved_record(
            by=clerk, center=world["a"], wanted=f"想办{i}", item=marriage, owner_department=world["dep_a"]
        )
    u = services.unresolved_record(by=clerk, center=world["a"], wanted="其他", owner_center=world["a"])
    with pytest.raises(DomainError):
        services.unresolved_record(by=clerk, center=world["a"], wanted="无责任方")
    rows = selectors.unresolved_by_item(world["admin"])
    assert rows[0]["item__name"] == marriage.name and rows[0]["total"] == 3 and rows[0]["open"] == 3
    services.unresolved_close(by=world["manager_a"], record=u, status="explained", answer="已解释")
    assert Unresolved.objects.get(pk=u.pk).status == "explained"
    r = client_for(world["admin"]).get(f"{API}/unresolved/by-item")
    assert r.status_code == 200 and r.json()[0]["total"] == 3
    assert client_for(world["admin"]).get("/staff/unresolved/by-item/").status_code == 200
    # a clerk of another district's hall cannot record here
    with pytest.raises((NotFound, DomainError)):
        services.unresolved_record(
            by=world["clerk_b"], center=world["a"], wanted="x", owner_center=world["a"]
        )


def test_upheld_complaint_counts_in_the_clerks_assessment(world):
    c = about_clerk(world)
    m = world["manager_a"]
    for step, kw in (
        ("accept", {}),
        ("investigate", {"finding": "属实"}),
        ("decide", {"outcome": "upheld", "measures": "扣分"}),
    ):
        c = services.STEPS[step](by=m, complaint=c, **kw)
    today = timezone.localdate()
    found = measures_for(user=world["clerk_a"], center=world["a"], start=today.replace(day=1), end=today)
    assert found["complaints"].score == 80 and "1 件" in found["complaints"].value
    # after the decision the clerk sees it
    assert client_for(world["clerk_a"]).get(f"{API}/complaints/{c.number}").status_code == 200


def test_pages_reachable_from_home_and_workbench(world):
    assert 'href="/feedback/"' in Client().get("/").content.decode()  # 评价与投诉 in the header
    assert "/complaints/new/" in Client().get("/feedback/").content.decode()
    assert "/staff/complaints/" in client_for(world["manager_a"]).get("/staff/").content.decode()


def test_workbench_counts_the_complaints_to_handle_and_the_overdue(world):
    _, late, done = about_clerk(world), about_clerk(world), about_clerk(world)
    Complaint.objects.filter(pk=late.pk).update(reply_by=timezone.localdate() - timedelta(days=1))
    services.complaint_deadlines_run()
    services.complaint_refuse(by=world["manager_a"], complaint=done, reason="与本中心无关的重复投诉")
    assert selectors.complaint_counts(world["manager_a"]) == {"open": 2, "red": 1}
    page = client_for(world["manager_a"]).get("/staff/").content.decode()
    assert "投诉待处理" in page and "未办结 2 件，其中超期 1 件" in page
    # a clerk handles no complaints: no count, no link to the list
    assert selectors.complaint_counts(world["clerk_a"]) is None
    assert "投诉待处理" not in client_for(world["clerk_a"]).get("/staff/").content.decode()
