"""办结 — optionally starting a case for the ticket: service, API and the console's intake page."""

import pytest
from django.test import Client
from django.urls import reverse

from govhall.cases import services as case_services
from govhall.cases.models import Case
from govhall.core.errors import DomainError
from govhall.queueing import services
from govhall.queueing.models import Ticket
from tests.support import PERSON_ID, PHONE


@pytest.fixture
def serving(hall, open_w1):
    services.ticket_issue(queue=hall["qa"])
    return services.ticket_call_next(window=open_w1, by=hall["clerk_a"])


def applicant(**kw):
    return {"applicant_name": "张三", "applicant_id_number": PERSON_ID, "contact_phone": PHONE, **kw}


def test_finishing_with_a_case_does_both(hall, open_w1, serving, marriage, materials):
    ticket, case = case_services.ticket_finish_with_case(
        window=open_w1,
        by=hall["clerk_a"],
        item=marriage,
        paper_material_ids=[m.id for m in materials[:2]],
        **applicant(),
    )
    assert Ticket.objects.get(pk=serving.pk).status == Ticket.Status.DONE
    case = Case.objects.get(pk=case.pk)
    assert case.ticket_number == serving.code == "A001" and case.channel == Case.Channel.WINDOW
    assert case.center_id == hall["center"].id and case.received_by == hall["clerk_a"]
    assert case.materials.count() == 2


def test_a_bad_application_leaves_the_ticket_being_served(hall, open_w1, serving, marriage):
    with pytest.raises(DomainError) as exc:
        case_services.ticket_finish_with_case(
            window=open_w1,
            by=hall["clerk_a"],
            item=marriage,
            **applicant(applicant_id_number="110105199001011233"),
        )
    assert exc.value.field == "applicant_id_number"
    assert Ticket.objects.get(pk=serving.pk).status == Ticket.Status.CALLED
    assert not Case.objects.exists()


def test_by_api(hall, serving, marriage):
    api = Client()
    api.force_login(hall["clerk_a"])
    url = f"/api/v1/windows/{hall['w1'].pk}/finish-with-case"
    r = api.post(url, {"item": "NO-SUCH", **applicant()}, content_type="application/json")
    assert r.status_code == 400 and r.json()["errors"]["item"]
    assert Ticket.objects.get(pk=serving.pk).status == Ticket.Status.CALLED and not Case.objects.exists()
    r = api.post(url, {"item": marriage.code, **applicant()}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["ticket"]["status"] == "done"
    assert Case.objects.get(number=r.json()["case_number"]).ticket_number == "A001"


def test_by_api_a_clerk_of_another_hall_is_refused(hall, serving, marriage):
    api = Client()
    api.force_login(hall["clerk_b"])
    r = api.post(
        f"/api/v1/windows/{hall['w1'].pk}/finish-with-case",
        {"item": marriage.code, **applicant()},
        content_type="application/json",
    )
    assert r.status_code in (403, 404)
    assert Ticket.objects.get(pk=serving.pk).status == Ticket.Status.CALLED and not Case.objects.exists()


def test_from_the_console_page(hall, serving, marriage, materials):
    web = Client()
    web.force_login(hall["clerk_a"])
    console = web.get(reverse("queueing:console")).content.decode()
    assert f"/staff/cases/new/?window={hall['w1'].pk}" in console  # the console's 办结并收件 link
    page = web.get(f"/staff/cases/new/?window={hall['w1'].pk}&item={marriage.pk}")
    assert page.status_code == 200 and "A001" in page.content.decode()
    r = web.post(
        "/staff/cases/new/",
        {
            "window": hall["w1"].pk,
            "item": marriage.pk,
            "go": "submit",
            "applicant_kind": "person",
            "materials": [materials[0].id],
            **applicant(),
        },
    )
    assert r.status_code == 302, r.content.decode()[:500]
    case = Case.objects.get()
    assert r["Location"].endswith(f"/staff/cases/{case.number}/") and case.ticket_number == "A001"
    assert Ticket.objects.get(pk=serving.pk).status == Ticket.Status.DONE


def test_the_page_ignores_a_window_the_clerk_has_not_opened(hall, serving, marriage):
    web = Client()
    web.force_login(hall["manager_a"])
    page = web.get(f"/staff/cases/new/?window={hall['w1'].pk}")
    assert page.status_code == 200 and 'id="serving-ticket"' not in page.content.decode()
