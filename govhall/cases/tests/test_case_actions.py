"""The staff case page offers the actions valid in the case's state, the expected next one
first as the primary button, the irreversible ones (不予受理, 撤回) behind a confirmation,
and no 受理 while a required material is missing (it says why instead)."""

import re

import pytest

from govhall.cases import services
from govhall.cases.models import Case
from govhall.cases.views import case_actions_in_order

from .conftest import client_for

S = Case.Status
FORM = re.compile(
    r'<form method="post" action="[^"]*/act/(\w+)/" class="card([^"]*)" data-action="\1">(.*?)</form>', re.S
)


@pytest.mark.parametrize(
    ("status", "allowed", "escalated", "expected"),
    [
        (S.SUBMITTED, {"accept", "receive", "request_correction", "withdraw"}, False, "accept"),
        (S.SUBMITTED, {"receive", "request_correction", "escalate", "withdraw"}, False, "receive"),
        (S.CORRECTION, {"request_correction", "withdraw"}, False, "request_correction"),
        (S.ACCEPTED, {"start", "suspend", "complete", "withdraw"}, False, "start"),
        (S.IN_PROGRESS, {"suspend", "complete", "withdraw"}, False, "complete"),
        (S.SUSPENDED, {"resume", "withdraw"}, False, "resume"),
        (S.COMPLETED, {"deliver"}, False, "deliver"),
        (S.SUBMITTED, {"reject", "return", "withdraw"}, True, "return"),
        (S.DELIVERED, set(), False, ""),
    ],
)
def test_the_expected_next_action_per_state_comes_first(status, allowed, escalated, expected):
    actions, first = case_actions_in_order(status, allowed, escalated=escalated)
    assert first == expected
    assert set(actions) == allowed
    if expected:
        assert actions[0] == expected
    # the irreversible ones are never the default
    assert first not in {"reject", "withdraw"}
    assert case_actions_in_order(S.SUBMITTED, {"reject", "withdraw"})[1] == ""


def _forms(html: str) -> list[tuple[str, str, str]]:
    section = html.split('id="case-actions"', 1)[1].split("</div>\n\n<h2>文书</h2>", 1)[0]
    return FORM.findall(section)


def _primary(form_body: str) -> bool:
    return bool(re.search(r'<button class="button" type="submit"', form_body))


@pytest.mark.django_db
def test_no_accept_while_a_material_is_missing_and_the_page_says_why(world, intake, materials):
    case = intake(2)  # two of the required materials missing
    html = client_for(world["clerk_a"]).get(f"/staff/cases/{case.number}/").content.decode()
    forms = _forms(html)
    names = [name for name, _, _ in forms]
    assert "accept" not in names and "/act/accept/" not in html
    assert 'id="accept-blocked"' in html and "暂不能受理" in html
    for m in materials[2:]:
        assert f"“{m.name}”" in html.split('id="accept-blocked"', 1)[1].split("</p>", 1)[0]
    assert names[0] == "receive" and _primary(forms[0][2]) and "case-next" in forms[0][1]
    assert sum(_primary(body) for _, _, body in forms) == 1
    # 撤回 is irreversible: asked first, never the primary button
    withdraw = next(body for name, _, body in forms if name == "withdraw")
    assert "data-confirm=" in withdraw and "button-danger" in withdraw


@pytest.mark.django_db
def test_a_complete_application_offers_accept_first_and_the_action_set_follows_the_state(world, intake):
    clerk = world["clerk_a"]
    case = intake(4)
    page = client_for(clerk)

    def shown():
        forms = _forms(page.get(f"/staff/cases/{case.number}/").content.decode())
        return [name for name, _, _ in forms], [name for name, _, body in forms if _primary(body)]

    names, primary = shown()
    assert names[0] == "accept" and primary == ["accept"]
    assert not {"start", "complete", "deliver", "resume"} & set(names)

    services.case_accept(by=clerk, case=case)
    names, primary = shown()
    assert names[0] == "start" and primary == ["start"]
    assert not {"accept", "receive", "request_correction", "deliver", "resume"} & set(names)

    services.case_start(by=clerk, case=Case.objects.get(pk=case.pk))
    names, primary = shown()
    assert names[0] == "complete" and primary == ["complete"] and "start" not in names

    services.case_complete(by=clerk, case=Case.objects.get(pk=case.pk), outcome="approved")
    names, primary = shown()
    assert names == ["deliver"] and primary == ["deliver"]

    services.case_deliver(by=clerk, case=Case.objects.get(pk=case.pk), method="window")
    html = page.get(f"/staff/cases/{case.number}/").content.decode()
    assert _forms(html) == [] and "<h2>办理</h2>" not in html


@pytest.mark.django_db
def test_reject_is_behind_a_confirmation_for_the_chief_rep(world, intake, chief):
    case = intake(2)
    forms = _forms(client_for(chief).get(f"/staff/cases/{case.number}/").content.decode())
    reject = next(body for name, _, body in forms if name == "reject")
    assert 'data-confirm="确认不予受理？' in reject and "button-danger" in reject and not _primary(reject)


@pytest.mark.django_db
def test_intake_lists_items_by_name_not_by_code(world, marriage):
    html = client_for(world["clerk_a"]).get("/staff/cases/new/").content.decode()
    options = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', html)
    assert marriage.name in options
    assert not any(" · " in o or marriage.center.code in o for o in options)
