"""The pages and the API give the same answer for the same refusal: both ask the
one access check (accounts.access_at_center through centers.permissions)."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from govhall.centers import services
from govhall.centers.models import CenterChange
from govhall.centers.tests.drafts import relocation_draft

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _page_edit(user, code: str) -> int:
    return (
        _client(user)
        .post(reverse("centers:edit", args=[code, "info"]), {"info-name": "x", "info-address": "y"})
        .status_code
    )


def _api_edit(user, code: str) -> int:
    return (
        _client(user)
        .patch(f"/api/v1/centers/{code}", json.dumps({"phone": "023-1"}), content_type="application/json")
        .status_code
    )


@pytest.mark.parametrize(
    ("who", "code", "status"),
    [
        ("clerk_a", "T-A", 403),  # their own hall: a clerk's role may not edit it
        ("clerk_a", "T-B", 404),  # another hall: not revealed
        ("manager_b", "T-A", 404),
    ],
)
def test_editing_a_hall_is_refused_alike_on_the_page_and_the_api(world, who, code, status):
    before = world["a"].history.count()
    assert _page_edit(world[who], code) == status
    assert _api_edit(world[who], code) == status
    assert world["a"].history.count() == before


def test_filing_by_a_clerk_is_403_on_the_page_and_the_api_with_the_same_reason(world):
    change = relocation_draft(world, days=3)
    services.change_submit(by=world["manager_a"], change=change)
    page = _client(world["clerk_a"]).post(reverse("centers:change_action", args=[change.pk, "file"]))
    api = _client(world["clerk_a"]).post(f"/api/v1/changes/{change.pk}/file", content_type="application/json")
    assert page.status_code == api.status_code == 403
    assert api.json()["detail"] in page.content.decode()
    change.refresh_from_db()
    assert change.status == CenterChange.Status.SUBMITTED and change.events.count() == 2
