"""Issue 17: the hall's staff page in sections — tabs as plain links, one section open at a time."""

import re

import pytest
from django.urls import reverse

from govhall.centers.models import Center

pytestmark = pytest.mark.django_db

PANEL = re.compile(r'<(?:section|div) [^>]*\bid="tab-([a-z]+)"[^>]*>')


def _as(client, user):
    client.force_login(user)
    return client


def _panels(html: str) -> dict[str, bool]:
    """Each section of the page → whether it is shown (its opening tag has no `hidden`)."""
    return {m.group(1): " hidden" not in m.group(0) for m in PANEL.finditer(html)}


def _open(html: str) -> list[str]:
    return [name for name, shown in _panels(html).items() if shown]


def _current_tab(html: str) -> list[str]:
    return re.findall(r'<a id="tab-link-([a-z]+)"[^>]*aria-current="page"', html)


def test_the_overview_is_the_first_tab_and_open_by_default(client, world):
    html = _as(client, world["manager_a"]).get(reverse("centers:detail", args=["T-A"])).content.decode()
    links = re.findall(r'<a id="tab-link-([a-z]+)" href="([^"]+)"', html)
    detail = reverse("centers:detail", args=["T-A"])
    assert [name for name, _ in links] == [
        "overview",
        "info",
        "hours",
        "exception",
        "zones",
        "facilities",
        "leadership",
        "alias",
        "status",
    ]
    # plain links that work without JavaScript
    assert all(href == f"{detail}?tab={name}" for name, href in links)
    assert _open(html) == ["overview"]
    assert _current_tab(html) == ["overview"]
    assert '<nav class="tabs" aria-label="中心信息分区">' in html


@pytest.mark.parametrize(
    "tab", ["info", "hours", "exception", "zones", "facilities", "leadership", "alias", "status"]
)
def test_each_tab_link_opens_its_form_alone(client, world, tab):
    response = _as(client, world["manager_a"]).get(reverse("centers:detail", args=["T-A"]), {"tab": tab})
    html = response.content.decode()
    assert response.status_code == 200
    assert _open(html) == [tab]
    assert _current_tab(html) == [tab]
    # the open section holds the form that posts to this tab's endpoint
    action = reverse("centers:edit", args=["T-A", tab])
    section = re.search(rf'id="tab-{tab}".*?</section>', html, re.S).group(0)
    assert f'action="{action}"' in section


def test_an_unknown_tab_falls_back_to_the_overview(client, world):
    html = (
        _as(client, world["manager_a"])
        .get(reverse("centers:detail", args=["T-A"]), {"tab": "<script>"})
        .content.decode()
    )
    assert _open(html) == ["overview"]
    assert "<script>" not in html.split('id="center-sections"')[1]


def test_a_clerk_sees_only_the_overview_and_no_tab_list(client, world):
    html = (
        _as(client, world["clerk_a"])
        .get(reverse("centers:detail", args=["T-A"]), {"tab": "info"})
        .content.decode()
    )
    assert 'class="tabs"' not in html
    assert _open(html) == ["overview"]
    assert "保存信息" not in html


def test_a_failed_post_opens_the_tab_of_the_form_with_the_error_next_to_its_field(client, world):
    response = _as(client, world["manager_a"]).post(
        reverse("centers:edit", args=["T-A", "leadership"]),
        {"leadership-role": "cadre", "leadership-name": "", "leadership-title": "科长"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert _open(html) == ["leadership"]
    assert _current_tab(html) == ["leadership"]
    assert re.search(r'<p class="field-error" id="id_leadership-name-error"', html)
    # the tab links lead back to the detail page, not to the POST endpoint
    assert f'href="{reverse("centers:detail", args=["T-A"])}?tab=overview"' in html


def test_a_refusal_from_the_service_also_opens_the_form_tab(client, world):
    # a branch's address is changed only by a relocation: the service refuses, after the form validated
    response = _as(client, world["manager_a"]).post(
        reverse("centers:edit", args=["T-A", "info"]),
        {"info-name": world["a"].name, "info-address": "别处路 1 号", "info-phone": "023-1"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert _open(html) == ["info"]
    assert "搬迁" in html


def test_a_saved_form_returns_to_its_tab(client, world):
    response = _as(client, world["manager_a"]).post(
        reverse("centers:edit", args=["T-A", "alias"]), {"alias-name": "旧称", "alias-note": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("centers:detail", args=["T-A"]) + "?tab=alias"


def test_a_closed_center_has_no_status_tab(client, world):
    Center.objects.filter(pk=world["a"].pk).update(status=Center.Status.CLOSED)
    c = _as(client, world["admin"])
    html = c.get(reverse("centers:detail", args=["T-A"]), {"tab": "status"}).content.decode()
    assert "tab-link-info" in html  # the admin manages it: the other tabs are there
    assert "tab-link-status" not in html
    assert _open(html) == ["overview"]
