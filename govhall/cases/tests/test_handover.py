"""代收代办、收受分离 (issue 18): a hall receives an application for an item another
hall handles; the materials are handed over on record; the handling hall receives
them once, then accepts or notifies. Deadlines, supervision and scope follow the
handling hall; both halls see the case, a third sees nothing."""

import json
from datetime import UTC, date, datetime

import pytest
import time_machine

from govhall.cases import selectors, services
from govhall.cases.models import Case, CaseEvent, HandOver
from govhall.core.calendar import add_working_days
from govhall.core.errors import DomainError, NotFound, WrongState
from govhall.core.models import CalendarOverride

from .conftest import PERSON_ID, PHONE, client_for

pytestmark = pytest.mark.django_db
API = "/api/v1"


def post(c, url, data):
    return c.post(API + url, json.dumps(data), content_type="application/json")


@pytest.fixture
def proxy(world, marriage, materials):
    """A function: 结婚登记 (handled at branch a) received at the main hall by clerk_hub."""

    def make(**kw):
        data = {
            "by": world["clerk_hub"],
            "center": world["a"],
            "item": marriage,
            "receiving_center": world["hub"],
            "paper_material_ids": [m.id for m in materials],
            "applicant_name": "张三",
            "applicant_id_number": PERSON_ID,
            "contact_phone": PHONE,
            "second_name": "李四",
            "second_id_number": "110105199102031849",
            "second_phone": "13800000011",
        }
        data.update(kw)
        return services.case_intake_window(**data)

    return make


def test_a_case_received_for_another_hall_records_both_halls_and_starts_at_receipt(world, proxy):
    case = proxy(pickup_center=world["hub"])
    assert case.center == world["a"] and case.receiving_center == world["hub"]
    assert case.received_elsewhere and case.pickup_hall == world["hub"]
    assert case.status == Case.Status.SUBMITTED and case.submitted_at is not None
    assert case.received_by == world["clerk_hub"]
    assert case.events.get().label == "代收收件"
    assert case.history.latest().receiving_center_id == world["hub"].id


def test_pickup_is_one_of_the_two_halls(world, proxy):
    with pytest.raises(DomainError) as e:
        proxy(pickup_center=world["b"])
    assert e.value.field == "pickup_center"
    assert not Case.objects.exists()


def test_a_clerk_of_a_third_hall_cannot_receive_for_it(world, proxy):
    # clerk_b serves branch b only: the main hall is not theirs to receive at.
    with pytest.raises(NotFound):
        proxy(by=world["clerk_b"])
    assert not Case.objects.exists()


def test_the_handling_hall_decides_only_after_the_hand_over_is_received(world, proxy):
    case = proxy()
    with pytest.raises(WrongState) as e:
        services.case_accept(by=world["clerk_a"], case=case)
    assert e.value.code == "handover_pending"
    handover = services.case_hand_over(by=world["clerk_hub"], case=case, form="paper")
    assert handover.materials == [m.name for m in case.materials.order_by("handed_in_at", "id")]
    assert handover.from_center == world["hub"] and handover.to_center == world["a"]
    with pytest.raises(WrongState):
        services.case_accept(by=world["clerk_a"], case=case)
    services.handover_receive(by=world["clerk_a"], case=case)
    case = services.case_accept(by=world["clerk_a"], case=case)
    assert case.status == Case.Status.ACCEPTED
    actions = list(case.events.values_list("action", flat=True))
    assert actions == ["submit", "hand_over", "handover_receive", "accept"]
    hist = [h.history_change_reason for h in HandOver.objects.get().history.order_by("history_date")]
    assert hist == ["材料移交", "接收移交材料"]


def test_a_hand_over_cannot_be_received_twice(world, proxy):
    case = proxy()
    services.case_hand_over(by=world["clerk_hub"], case=case, form="electronic")
    services.handover_receive(by=world["clerk_a"], case=case)
    before = (HandOver.history.count(), CaseEvent.objects.count(), HandOver.objects.get().received_at)
    with pytest.raises(WrongState) as e:
        services.handover_receive(by=world["manager_a"], case=case)
    assert e.value.code == "handover_received" and "不能重复接收" in e.value.message
    assert (HandOver.history.count(), CaseEvent.objects.count(), HandOver.objects.get().received_at) == before
    assert HandOver.objects.get().received_by == world["clerk_a"]


def test_materials_are_handed_over_only_once_and_only_by_the_receiving_hall(world, proxy):
    case = proxy()
    with pytest.raises(NotFound):  # the handling hall cannot see the main hall
        services.case_hand_over(by=world["clerk_a"], case=case, form="paper")
    with pytest.raises(DomainError) as e:
        services.case_hand_over(by=world["clerk_hub"], case=case, form="fax")
    assert e.value.field == "form"
    services.case_hand_over(by=world["clerk_hub"], case=case, form="paper")
    with pytest.raises(WrongState):
        services.case_hand_over(by=world["clerk_hub"], case=case, form="paper")
    assert HandOver.objects.count() == 1


def test_both_halls_see_the_case_and_a_third_hall_sees_nothing(world, proxy):
    case = proxy()
    for who in ("clerk_hub", "clerk_a", "manager_a"):
        assert case in selectors.cases_visible_to(world[who])
        assert selectors.case_get(user=world[who], number=case.number) == case
    assert case not in selectors.cases_visible_to(world["clerk_b"])
    with pytest.raises(NotFound):
        selectors.case_get(user=world["clerk_b"], number=case.number)
    # The receiving hall sees, but the decisions stay the handling hall's.
    with pytest.raises(NotFound):
        services.case_accept(by=world["clerk_hub"], case=case)


def test_deadlines_follow_the_handling_halls_calendar(world, other_world, marriage, materials):
    # Received in the neighbouring district (婚姻登记全国通办), handled at branch a: a closure
    # in branch a's district moves the deadline; the receiving district's calendar does not count.
    CalendarOverride.objects.create(
        date=date(2026, 11, 17), is_workday=False, note="停电闭厅", district=world["district"]
    )
    receiver = other_world["clerk_hub"]
    with time_machine.travel(datetime(2026, 11, 16, 2, tzinfo=UTC), tick=False):  # Monday
        case = services.case_intake_window(
            by=receiver,
            center=world["a"],
            item=marriage,
            receiving_center=other_world["hub"],
            paper_material_ids=[m.id for m in materials],
            applicant_name="张三",
            applicant_id_number=PERSON_ID,
            contact_phone=PHONE,
            second_name="李四",
            second_id_number="110105199102031849",
            second_phone="13800000011",
        )
        # 5 working days to accept run from the receipt at the other hall, on the handling hall's calendar.
        assert services.acceptance_due(case) == date(2026, 11, 24)
        services.case_hand_over(by=receiver, case=case, form="paper")
        services.handover_receive(by=world["clerk_a"], case=case)
        case = services.case_accept(by=world["clerk_a"], case=case)
    assert case.limit_days == 5
    assert case.deadline == date(2026, 11, 24)
    assert case.deadline == add_working_days(date(2026, 11, 16), 5, district=world["district"])
    assert case.deadline != add_working_days(date(2026, 11, 16), 5, district=other_world["district"])


# --- API ---------------------------------------------------------------------------------------


def _api_intake(world, marriage, materials, **over):
    data = {
        "receiving_center": world["hub"].code,
        "item": marriage.code,
        "pickup": "receiving",
        "applicant_name": "张三",
        "applicant_id_number": PERSON_ID,
        "contact_phone": PHONE,
        "second_name": "李四",
        "second_id_number": "110105199102031849",
        "second_phone": "13800000011",
        "paper_material_ids": [m.id for m in materials],
    }
    data.update(over)
    return post(client_for(world["clerk_hub"]), "/handovers/intake", data)


def test_the_whole_flow_through_the_api_and_a_second_receipt_is_409(world, marriage, materials):
    r = _api_intake(world, marriage, materials)
    assert r.status_code == 201, r.content
    body = r.json()
    number = body["number"]
    assert body["center"] == world["a"].code and body["receiving_center"] == world["hub"].code
    assert body["pickup_center"] == world["hub"].code
    hub, branch = client_for(world["clerk_hub"]), client_for(world["clerk_a"])
    assert branch.get(f"{API}/cases/{number}/handover").status_code == 404
    r = post(branch, f"/cases/{number}/decisions", {"action": "accept"})
    assert r.status_code == 409 and r.json()["code"] == "handover_pending"
    r = post(hub, f"/cases/{number}/handover", {"form": "paper"})
    assert r.status_code == 201, r.content
    assert r.json()["received_at"] is None and len(r.json()["materials"]) == len(materials)
    r = post(hub, f"/cases/{number}/handover", {"form": "paper"})
    assert r.status_code == 409 and r.json()["code"] == "handed_over"
    r = post(branch, f"/cases/{number}/handover/receive", {})
    assert r.status_code == 200 and r.json()["received_by"] == world["clerk_a"].display_name
    r = post(branch, f"/cases/{number}/handover/receive", {})
    assert r.status_code == 409 and r.json()["code"] == "handover_received"
    assert "不能重复接收" in r.json()["detail"]
    assert HandOver.history.count() == 2
    r = post(branch, f"/cases/{number}/decisions", {"action": "accept"})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    # Both halls list it; the third hall neither lists nor reads it.
    assert [c["number"] for c in hub.get(f"{API}/handovers").json()["items"]] == [number]
    assert [c["number"] for c in branch.get(f"{API}/handovers?wait=received").json()["items"]] == [number]
    third = client_for(world["clerk_b"])
    assert third.get(f"{API}/handovers").json()["items"] == []
    assert third.get(f"{API}/cases/{number}").status_code == 404
    assert third.get(f"{API}/cases/{number}/handover").status_code == 404
    assert post(third, f"/cases/{number}/handover/receive", {}).status_code == 404


def test_api_bad_input_is_a_chinese_4xx(world, marriage, materials):
    r = _api_intake(world, marriage, materials, item="NO-SUCH")
    assert r.status_code == 400 and "没有找到该事项" in r.json()["detail"]
    r = _api_intake(world, marriage, materials, receiving_center=world["b"].code)
    assert r.status_code == 404
    r = _api_intake(world, marriage, materials, applicant_id_number="110105199001011233")
    assert r.status_code == 400
    assert not Case.objects.exists()
    number = _api_intake(world, marriage, materials).json()["number"]
    r = post(
        client_for(world["clerk_hub"]), f"/cases/{number}/handover", {"form": "paper", "material_ids": [0]}
    )
    assert r.status_code == 400 and "不是该办件已收取的材料" in r.json()["detail"]
    assert not HandOver.objects.exists()


def test_openapi_lists_the_hand_over_endpoints(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/cases/{number}/handover"]
    assert "post" in paths["/api/v1/cases/{number}/handover/receive"]
    assert "post" in paths["/api/v1/handovers/intake"]
    assert "get" in paths["/api/v1/handovers"]


# --- pages -------------------------------------------------------------------------------------


def test_pages_receive_hand_over_and_receive_once(world, marriage, materials):
    hub, branch = client_for(world["clerk_hub"]), client_for(world["clerk_a"])
    page = hub.get("/staff/handovers/receive-for-other-hall/")
    assert page.status_code == 200
    assert f"结婚登记（办理：{world['a'].name}）".encode() in page.content
    data = {
        "go": "submit",
        "at": world["hub"].pk,
        "item": marriage.pk,
        "applicant_kind": "person",
        "applicant_name": "张三",
        "applicant_id_number": PERSON_ID,
        "contact_phone": PHONE,
        "second_name": "李四",
        "second_id_number": "110105199102031849",
        "second_phone": "13800000011",
        "materials": [m.id for m in materials],
        "pickup": "receiving",
    }
    r = hub.post("/staff/handovers/receive-for-other-hall/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    case = Case.objects.get()
    assert case.receiving_center == world["hub"] and case.center == world["a"]
    detail = hub.get(f"/staff/cases/{case.number}/").content.decode()
    assert "移交材料给" in detail and world["a"].name in detail
    assert branch.get(f"/staff/cases/{case.number}/").status_code == 200
    assert client_for(world["clerk_b"]).get(f"/staff/cases/{case.number}/").status_code == 404
    r = hub.post(f"/staff/cases/{case.number}/handover/", {"form": "electronic"})
    assert r.status_code == 302
    assert "确认接收" in branch.get(f"/staff/cases/{case.number}/").content.decode()
    r = branch.post(f"/staff/cases/{case.number}/handover/receive/", {})
    assert r.status_code == 302
    before = (HandOver.history.count(), CaseEvent.objects.count())
    r = client_for(world["manager_a"]).post(f"/staff/cases/{case.number}/handover/receive/", {})
    assert r.status_code == 409 and "不能重复接收" in r.content.decode()
    assert (HandOver.history.count(), CaseEvent.objects.count()) == before
    listing = branch.get("/staff/handovers/?wait=received").content.decode()
    assert case.number in listing and "138****5678" in listing and PHONE not in listing
    assert case.number not in client_for(world["clerk_b"]).get("/staff/handovers/").content.decode()


def test_page_bad_input_is_shown_next_to_the_field(world, proxy):
    case = proxy()
    r = client_for(world["clerk_hub"]).post(f"/staff/cases/{case.number}/handover/", {"form": ""})
    assert r.status_code == 400 and "移交形式" in r.content.decode()
    assert not HandOver.objects.exists()


def test_tracking_shows_both_halls_pickup_and_the_hand_over(world, proxy, client):
    case = proxy(pickup_center=world["hub"])
    services.case_hand_over(by=world["clerk_hub"], case=case, form="paper")
    r = client.post("/track/", {"number": case.number, "phone": PHONE})
    html = r.content.decode()
    assert r.status_code == 200
    for text in ("收件大厅", world["hub"].name, "办理大厅", world["a"].name, "取件地点", "待办理大厅接收"):
        assert text in html, text


def test_the_workbench_nav_offers_the_hand_over_list(world):
    from govhall.dashboards.nav import visible_entries

    assert "/staff/handovers/" in [e["url"] for e in visible_entries(world["clerk_hub"])]


def test_the_export_masks_personal_data(world, proxy):
    from io import BytesIO

    from openpyxl import load_workbook

    case = proxy()
    r = client_for(world["clerk_a"]).get("/staff/handovers/export.xlsx")
    assert r.status_code == 200
    rows = list(load_workbook(BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == case.number and rows[1][5] == "138****5678" and rows[1][-1] == "待移交"
    assert PHONE not in str(rows) and PERSON_ID not in str(rows)
    r = client_for(world["clerk_b"]).get("/staff/handovers/export.xlsx")
    assert len(list(load_workbook(BytesIO(r.content)).active.iter_rows(values_only=True))) == 1


def test_the_workbench_counts_what_waits_on_each_hall(world, proxy):
    from govhall.cases.selectors import handover_workbench

    assert handover_workbench(world["clerk_hub"]) is None
    case = proxy()
    hub = handover_workbench(world["clerk_hub"])
    assert [(link["label"], link["count"]) for link in hub["links"]] == [("待移交材料", 1), ("待接收移交", 0)]
    assert handover_workbench(world["clerk_a"]) is None  # nothing handed to branch a yet
    services.case_hand_over(by=world["clerk_hub"], case=case, form="paper")
    branch = handover_workbench(world["clerk_a"])
    assert [(link["label"], link["count"]) for link in branch["links"]] == [
        ("待移交材料", 0),
        ("待接收移交", 1),
    ]
    assert handover_workbench(world["clerk_b"]) is None
    assert "待接收移交" in client_for(world["clerk_a"]).get("/staff/").content.decode()


def test_my_cases_page_shows_both_halls_to_the_applicant(world, proxy):
    from django.utils import timezone

    from govhall.accounts.models import CitizenAccount
    from tests.support import make_user

    case = proxy(pickup_center=world["hub"])
    user = make_user("zhangsan")
    CitizenAccount.objects.create(user=user, phone=PHONE, verified_at=timezone.now())
    # Set-up only: the applicant's own account on the case (as an online application has it).
    Case.objects.filter(pk=case.pk).update(applicant_user=user)
    page = client_for(user).get(f"/my/cases/{case.pk}/").content.decode()
    for text in ("收件大厅", world["hub"].name, "办理大厅", world["a"].name, "取件地点", "待收件大厅移交"):
        assert text in page, text
