"""窗口无否决权: a window clerk accepts, notifies once and escalates; refusing
(不予受理) and denying (不予许可) belong to the chief representative within the
department's written authorisation (首席代表授权书: which hall, which items, which
period, not revoked), or to the department. Pages and API alike."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from govhall.accounts.models import Role
from govhall.cases import services
from govhall.cases.models import Case, CaseEvent, ChiefAuthorization, Escalation
from govhall.cases.pdf import notice_lines
from govhall.cases.selectors import escalations_awaiting
from govhall.core.errors import DomainError, Refused, WrongState
from tests.support import make_user

from .conftest import client_for

pytestmark = pytest.mark.django_db
API = "/api/v1"
REASON = "申请人一方已有配偶（经婚姻登记信息系统核查）"
BASIS = "《婚姻登记条例》第六条"


def post(c, url, data):
    return c.post(API + url, json.dumps(data), content_type="application/json")


def _unchanged(case, status):
    case.refresh_from_db()
    assert case.status == status
    assert not case.notices.exclude(kind__in=["acceptance", "correction"]).exists()
    assert not case.events.filter(action__in=["reject", "complete"]).exists()


# --- the window cannot say no -----------------------------------------------------------------


def test_clerk_refusing_is_refused_on_the_page_and_in_the_api_and_nothing_changes(world, intake, chief):
    case = intake()
    c = client_for(world["clerk_a"])
    page = c.post(f"/staff/cases/{case.number}/act/reject/", {"reason": REASON, "legal_basis": BASIS})
    api = post(
        c, f"/cases/{case.number}/decisions", {"action": "reject", "reason": REASON, "legal_basis": BASIS}
    )
    assert page.status_code == api.status_code == 403
    assert "窗口无否决权" in page.content.decode() and "提请首席代表/部门决定" in page.content.decode()
    assert "窗口无否决权" in api.json()["detail"] and api.json()["code"] == "forbidden"
    _unchanged(case, Case.Status.SUBMITTED)
    with pytest.raises(Refused):
        services.case_reject(by=world["clerk_a"], case=case, reason=REASON, legal_basis=BASIS)


def test_clerk_denying_is_refused_on_the_page_and_in_the_api_and_nothing_changes(world, intake, chief):
    case = intake(4)
    services.case_accept(by=world["clerk_a"], case=case)
    c = client_for(world["clerk_a"])
    page = c.post(f"/staff/cases/{case.number}/act/complete/", {"outcome": "denied", "note": REASON})
    api = post(
        c, f"/cases/{case.number}/decisions", {"action": "complete", "outcome": "denied", "reason": REASON}
    )
    assert page.status_code == api.status_code == 403
    assert "窗口无否决权" in page.content.decode() and "窗口无否决权" in api.json()["detail"]
    _unchanged(case, Case.Status.ACCEPTED)
    # approving stays the window's (按部门审批结果)
    services.case_complete(by=world["clerk_a"], case=case, outcome="approved")
    case.refresh_from_db()
    assert case.outcome == Case.Outcome.APPROVED and case.decision_authority == Case.Authority.CLERK


def test_a_branch_manager_cannot_refuse_either(world, intake, chief):
    case = intake()
    with pytest.raises(Refused) as exc:
        services.case_reject(by=world["manager_a"], case=case, reason=REASON, legal_basis=BASIS)
    assert "窗口无否决权" in exc.value.message
    _unchanged(case, Case.Status.SUBMITTED)


def test_the_clerks_page_offers_escalation_not_refusal(world, intake, chief):
    case = intake()
    html = client_for(world["clerk_a"]).get(f"/staff/cases/{case.number}/").content.decode()
    assert "act/escalate/" in html and "act/reject/" not in html
    html = client_for(chief).get(f"/staff/cases/{case.number}/").content.decode()
    assert "act/reject/" in html


# --- escalation ---------------------------------------------------------------------------------


def test_escalation_is_recorded_and_is_work_for_the_chief_representative(world, intake, chief):
    case = intake()
    r = client_for(world["clerk_a"]).post(
        f"/staff/cases/{case.number}/act/escalate/", {"proposal": "reject", "reason": REASON}
    )
    assert r.status_code == 302
    event = CaseEvent.objects.get(case=case, action="escalate")
    assert event.by == world["clerk_a"] and event.reason == f"拟不予受理：{REASON}"
    esc = Escalation.objects.get(case=case)
    assert esc.raised_by == world["clerk_a"] and esc.resolved_at is None
    assert esc.history.first().history_user == world["clerk_a"]
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED  # awaiting, not decided

    detail = client_for(world["clerk_a"]).get(f"/staff/cases/{case.number}/").content.decode()
    assert "待首席代表/部门决定" in detail and REASON in detail
    listed = client_for(chief).get("/staff/escalations/").content.decode()
    assert case.number in listed and REASON in listed
    api = client_for(chief).get(f"{API}/escalations").json()
    assert [row["case_number"] for row in api["items"]] == [case.number]
    assert (
        client_for(chief).get(f"{API}/cases/{case.number}").json()["awaiting_decision"]["proposal"]
        == "reject"
    )
    workbench = client_for(chief).get("/staff/").content.decode()
    assert "/staff/escalations/" in workbench and "<strong>1</strong> 件" in workbench
    # not the clerk's, nor another hall's, work
    assert not escalations_awaiting(world["clerk_a"]).exists()
    assert client_for(world["clerk_b"]).get(f"{API}/escalations").json()["items"] == []


def test_escalation_needs_a_reason_fits_the_state_and_is_made_once(world, intake):
    case = intake()
    c = client_for(world["clerk_a"])
    r = c.post(f"/staff/cases/{case.number}/act/escalate/", {"proposal": "reject", "reason": " "})
    assert r.status_code == 400 and 'id="escalate-reason-error"' in r.content.decode()
    r = post(c, f"/cases/{case.number}/escalation", {"proposal": "deny", "reason": REASON})
    assert r.status_code == 409 and "不能提请不予许可" in r.json()["detail"]
    assert not Escalation.objects.exists() and not case.events.filter(action="escalate").exists()
    r = post(c, f"/cases/{case.number}/escalation", {"proposal": "reject", "reason": REASON})
    assert r.status_code == 200 and r.json()["awaiting_decision"]["reason"] == REASON
    with pytest.raises(WrongState):
        services.case_escalate(by=world["clerk_a"], case=case, proposal="reject", reason="再次")
    assert Escalation.objects.count() == 1


def test_an_accepted_case_is_escalated_for_denial(world, intake, chief):
    case = intake(4)
    services.case_accept(by=world["clerk_a"], case=case)
    services.case_escalate(by=world["clerk_a"], case=case, proposal="deny", reason="现场核查不符合条件")
    r = post(
        client_for(chief),
        f"/cases/{case.number}/decisions",
        {"action": "complete", "outcome": "denied", "reason": "不符合法定条件"},
    )
    assert r.status_code == 200, r.content
    assert r.json()["decision_authority"] == "chief_rep" and r.json()["awaiting_decision"] is None
    case.refresh_from_db()
    assert case.outcome == Case.Outcome.DENIED and case.decided_under is not None
    assert case.escalations.get().outcome == Escalation.Outcome.DECIDED
    assert case.decided_under.document_number in case.notices.get(kind="completion").body["authority"]


# --- the chief representative decides within the authorisation -----------------------------------


def test_an_authorised_chief_refuses_and_the_decision_is_recorded(world, intake, chief):
    case = intake()
    services.case_escalate(by=world["clerk_a"], case=case, proposal="reject", reason=REASON)
    r = client_for(chief).post(
        f"/staff/cases/{case.number}/act/reject/", {"reason": REASON, "legal_basis": BASIS}
    )
    assert r.status_code == 302
    case.refresh_from_db()
    auth = ChiefAuthorization.objects.get(representative=chief)
    assert case.status == Case.Status.REJECTED and case.decided_by == chief
    assert case.decision_authority == Case.Authority.CHIEF_REP and case.decided_under == auth
    event = case.events.get(action="reject")
    assert event.by == chief and auth.document_number in event.reason
    notice = case.notices.get(kind="rejection")
    assert "首席代表" in notice.body["authority"] and auth.document_number in notice.body["authority"]
    assert auth.document_number in " ".join(t for _, t in notice_lines(notice))
    esc = case.escalations.get()
    assert esc.outcome == Escalation.Outcome.DECIDED and esc.resolved_by == chief
    assert not escalations_awaiting(chief).exists()


def test_the_chief_may_send_the_case_back_to_the_window(world, intake, chief):
    case = intake()
    services.case_escalate(by=world["clerk_a"], case=case, proposal="reject", reason=REASON)
    r = post(client_for(chief), f"/cases/{case.number}/escalation/return", {"note": " "})
    assert r.status_code == 400 and r.json()["errors"]["note"]
    r = client_for(chief).post(
        f"/staff/cases/{case.number}/act/return/", {"note": "材料可补正，请一次性告知"}
    )
    assert r.status_code == 302
    esc = case.escalations.get()
    assert esc.outcome == Escalation.Outcome.RETURNED and esc.resolution_note == "材料可补正，请一次性告知"
    assert case.events.filter(action="escalation_return", by=chief).exists()
    assert not escalations_awaiting(chief).exists()
    # the clerk cannot send back an escalation: that is a decision too
    services.case_escalate(by=world["clerk_a"], case=case, proposal="reject", reason="再次核查")
    with pytest.raises(Refused):
        services.escalation_return(by=world["clerk_a"], case=case, note="自行退回")


def _other_item(world):
    from govhall.catalog import services as catalog

    return catalog.item_create(
        by=None,
        district=world["district"],
        code="T-MZ-009",
        name="收养登记",
        item_type="confirmation",
        department=world["dep_a"],
    )


def test_an_item_outside_the_authorisation_is_refused(world, intake, authorise):
    authorise(all_items=False, items=[_other_item(world)])
    case = intake()
    with pytest.raises(Refused) as exc:
        services.case_reject(by=world["chief_a"], case=case, reason=REASON, legal_basis=BASIS)
    assert "不包括“结婚登记”" in exc.value.message
    r = post(
        client_for(world["chief_a"]),
        f"/cases/{case.number}/decisions",
        {"action": "reject", "reason": REASON, "legal_basis": BASIS},
    )
    assert r.status_code == 403 and "不包括“结婚登记”" in r.json()["detail"]
    _unchanged(case, Case.Status.SUBMITTED)


def test_an_expired_authorisation_is_refused(world, intake, authorise):
    auth = authorise()
    today = timezone.localdate()
    # a year has passed since it was issued
    ChiefAuthorization.objects.filter(pk=auth.pk).update(
        valid_from=today - timedelta(days=400), valid_to=today - timedelta(days=1)
    )
    case = intake()
    with pytest.raises(Refused) as exc:
        services.case_reject(by=world["chief_a"], case=case, reason=REASON, legal_basis=BASIS)
    assert "到期" in exc.value.message
    _unchanged(case, Case.Status.SUBMITTED)


def test_an_authorisation_not_yet_in_force_is_refused(world, intake, authorise):
    today = timezone.localdate()
    authorise(valid_from=today + timedelta(days=3), valid_to=today + timedelta(days=300))
    case = intake()
    with pytest.raises(Refused) as exc:
        services.case_reject(by=world["chief_a"], case=case, reason=REASON, legal_basis=BASIS)
    assert "起生效" in exc.value.message


def test_a_revoked_authorisation_is_refused(world, intake, authorise):
    auth = authorise()
    with pytest.raises(DomainError) as exc:
        services.chief_authorization_revoke(by=world["admin"], authorization=auth, reason="")
    assert exc.value.field == "reason"
    r = client_for(world["admin"]).post(
        f"/staff/chief-authorizations/{auth.pk}/revoke/", {"reason": "人员调整"}
    )
    assert r.status_code == 302
    auth.refresh_from_db()
    assert auth.revoked_at is not None and auth.revoked_by == world["admin"]
    assert auth.history.first().history_change_reason.startswith("撤销授权书")
    case = intake()
    with pytest.raises(Refused) as exc:
        services.case_reject(by=world["chief_a"], case=case, reason=REASON, legal_basis=BASIS)
    assert "撤销" in exc.value.message
    _unchanged(case, Case.Status.SUBMITTED)


def test_an_authorisation_for_another_hall_is_refused(world, intake, authorise):
    from govhall.accounts.services import role_assign

    role_assign(by=None, user=world["chief_a"], role=Role.CHIEF_REP, center=world["b"])
    authorise(center=world["b"])
    case = intake()  # at branch a
    with pytest.raises(Refused) as exc:
        services.case_reject(by=world["chief_a"], case=case, reason=REASON, legal_basis=BASIS)
    assert "不适用于" in exc.value.message and world["a"].name in exc.value.message
    _unchanged(case, Case.Status.SUBMITTED)


def test_a_chief_without_any_authorisation_is_refused(world, intake):
    case = intake()
    with pytest.raises(Refused) as exc:
        services.case_reject(by=world["chief_a"], case=case, reason=REASON, legal_basis=BASIS)
    assert "没有部门出具的首席代表授权书" in exc.value.message


def test_the_department_may_decide(world, intake):
    case = intake()
    services.case_escalate(by=world["clerk_a"], case=case, proposal="reject", reason=REASON)
    assert [e.case_id for e in escalations_awaiting(world["leader_a"])] == [case.pk]
    r = client_for(world["leader_a"]).post(
        f"/staff/cases/{case.number}/act/reject/", {"reason": REASON, "legal_basis": BASIS}
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.REJECTED and case.decision_authority == Case.Authority.DEPARTMENT
    assert case.decided_by == world["leader_a"] and case.decided_under is None


# --- the authorisation: who records it, and it is public -------------------------------------------


def _issue_payload(world, marriage, **over):
    today = timezone.localdate()
    data = {
        "department": world["dep_a"].code,
        "center": world["a"].code,
        "representative": world["chief_a"].username,
        "document_number": "测民授〔2026〕8号",
        "title": "关于授权首席代表的决定",
        "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=365)).isoformat(),
        "items": [marriage.code],
    }
    data.update(over)
    return data


def test_a_branch_manager_cannot_record_an_authorisation(world, marriage, authorise):
    with pytest.raises(Refused) as exc:
        authorise(by=world["manager_a"])
    assert "只有部门（分管领导）或区政务办" in exc.value.message
    api = post(client_for(world["manager_a"]), "/chief-authorizations", _issue_payload(world, marriage))
    assert api.status_code == 403
    today = timezone.localdate()
    page = client_for(world["manager_a"]).post(
        "/staff/chief-authorizations/",
        {
            "department": world["dep_a"].pk,
            "center": world["a"].pk,
            "representative": world["chief_a"].pk,
            "document_number": "测民授〔2026〕9号",
            "title": "越权录入",
            "valid_from": today.isoformat(),
            "valid_to": (today + timedelta(days=30)).isoformat(),
            "all_items": "on",
        },
    )
    assert page.status_code == 403
    assert not ChiefAuthorization.objects.exists()


def test_the_department_records_only_its_own_authorisations(world, marriage, authorise):
    with pytest.raises(Refused) as exc:
        authorise(by=world["leader_a"], department=world["dep_b"])
    assert "本部门" in exc.value.message
    auth = authorise(by=world["leader_a"], all_items=False, items=[marriage])
    assert auth.issued_by == world["leader_a"] and list(auth.items.all()) == [marriage]
    assert auth.history.first().history_user == world["leader_a"]


def test_an_authorisation_is_checked_before_it_is_recorded(world, marriage, authorise):
    today = timezone.localdate()
    for kw, field in (
        ({"representative": world["clerk_a"]}, "representative"),
        ({"document_number": " "}, "document_number"),
        ({"valid_to": today - timedelta(days=1), "valid_from": today - timedelta(days=9)}, "valid_to"),
        ({"valid_to": today, "valid_from": today + timedelta(days=1)}, "valid_to"),
        ({"all_items": False}, "items"),
    ):
        with pytest.raises(DomainError) as exc:
            authorise(**kw)
        assert exc.value.field == field, kw
    c = client_for(world["admin"])
    r = post(c, "/chief-authorizations", _issue_payload(world, marriage, items=["NO-SUCH"]))
    assert r.status_code == 400 and r.json()["errors"]["items"]
    assert not ChiefAuthorization.objects.exists()


def test_the_district_office_records_through_the_page_and_api_and_it_is_public(world, marriage, client):
    c = client_for(world["admin"])
    assert "首席代表授权书" in c.get("/staff/").content.decode()
    today = timezone.localdate()
    r = c.post(
        "/staff/chief-authorizations/",
        {
            "department": world["dep_a"].pk,
            "center": world["a"].pk,
            "representative": world["chief_a"].pk,
            "document_number": "测民授〔2026〕3号",
            "title": "关于授权首席代表办理婚姻登记的决定",
            "valid_from": today.isoformat(),
            "valid_to": (today + timedelta(days=365)).isoformat(),
            "items": [marriage.pk],
        },
    )
    assert r.status_code == 302, r.content.decode()
    r = post(c, "/chief-authorizations", _issue_payload(world, marriage, document_number="测民授〔2026〕4号"))
    assert r.status_code == 201 and r.json()["items"] == [marriage.code] and r.json()["current"]
    revoked = r.json()["id"]
    assert (
        post(c, f"/chief-authorizations/{revoked}/revoke", {"reason": "重复录入"}).json()["current"] is False
    )

    center_page = client.get(f"/centers/{world['a'].code}/").content.decode()
    assert f"/centers/{world['a'].code}/chief-representatives/" in center_page
    public = client.get(f"/centers/{world['a'].code}/chief-representatives/").content.decode()
    assert "测民授〔2026〕3号" in public and world["chief_a"].display_name in public and "结婚登记" in public
    assert "测民授〔2026〕4号" not in public  # revoked: no longer shown
    api = client.get(f"{API}/public/centers/{world['a'].code}/chief-representatives").json()
    assert [a["document_number"] for a in api] == ["测民授〔2026〕3号"] and api[0]["item_names"] == [
        "结婚登记"
    ]
    listed = c.get(f"{API}/chief-authorizations").json()["items"]
    assert {a["document_number"] for a in listed} == {"测民授〔2026〕3号", "测民授〔2026〕4号"}


def test_another_halls_staff_see_no_authorisations_of_ours(world, authorise):
    authorise()
    other = make_user("tleader_b", Role.DEPARTMENT_LEADER, world["b"])
    assert client_for(other).get(f"{API}/chief-authorizations").json()["items"] == []
    assert client_for(world["admin"]).get(f"{API}/chief-authorizations").json()["count"] == 1


def test_the_demo_chief_representative_holds_a_current_authorisation(db):
    from govhall.accounts.models import User
    from govhall.cases.demo import load_demo_cases
    from govhall.catalog.demo import load_demo_catalog
    from govhall.centers.demo import load_demo

    load_demo()
    load_demo_catalog()
    load_demo_cases()
    chief = User.objects.get(username="chiefrep_mz")
    auth = ChiefAuthorization.objects.get(representative=chief)
    assert auth.is_current(timezone.localdate()) and auth.all_items
    awaiting = list(escalations_awaiting(chief))
    assert len(awaiting) == 1 and awaiting[0].proposal == "reject"
    services.case_reject(by=chief, case=awaiting[0].case, reason=REASON, legal_basis=BASIS)
    clerk = User.objects.get(username="clerk_mz")
    case = Case.objects.filter(status=Case.Status.ACCEPTED, is_demo=True).first()
    with pytest.raises(Refused):
        services.case_complete(by=clerk, case=case, outcome="denied", note="x")
    load_demo_cases()
    assert ChiefAuthorization.objects.count() == 1


def test_the_form_offers_only_the_chosen_departments_items_at_the_chosen_hall(world, marriage):
    """The district office sees every hall: the form lists items only once a department and
    a hall are chosen (reloaded with htmx), never every item of every hall."""
    from govhall.catalog import services as catalog

    other = catalog.item_create(
        by=None,
        district=world["district"],
        code="C-OTHER",
        name="其他部门事项",
        item_type=marriage.item_type,
        department=world["dep_b"],
    )
    c = client_for(world["admin"])
    blank = c.get("/staff/chief-authorizations/").content.decode()
    assert "先选择授权部门和派驻中心" in blank
    assert marriage.name not in blank and other.name not in blank
    chosen = {"department": world["dep_a"].pk, "center": marriage.center_id}
    part = c.get("/staff/chief-authorizations/", chosen, headers={"HX-Request": "true"}).content.decode()
    assert 'id="auth-items-box"' in part and "<h1>" not in part
    assert marriage.name in part and other.name not in part
    # Without JavaScript the same choice reloads the whole page with the list and keeps it selected.
    page = c.get("/staff/chief-authorizations/", chosen).content.decode()
    assert marriage.name in page and f'value="{world["dep_a"].pk}" selected' in page
