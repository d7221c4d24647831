"""The staff navigation shows each demo role only the pages it may use: every link
shown opens (200) for that user, and the pages the user's role cannot open are not shown."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from govhall.accounts.models import User
from govhall.dashboards.nav import ENTRIES, visible_entries

DEMO_USERS = [
    "admin",
    "approver",
    "clerk_hc",
    "manager_mz",
    "leader_mz",
    "clerk_mz",
    "chiefrep_mz",
    "manager_rs",
    "clerk_rs",
]
# Pages that refuse (403/404) a role that may not use them; the others open for any staff
# user but are a role's tool (the register for management, the console for the counter).
REFUSING = {
    "cases:list",
    "cases:supervision",
    "cases:inquiries",
    "accounts:people",
    "accounts:audit",
    "accounts:tokens",
    "catalog:staff_list",
}
NAV = re.compile(r'<nav class="staff-nav"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"[^>]*>([^<]+)</a>')


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from govhall.centers.demo import load_demo

    with django_db_blocker.unblock():
        load_demo()  # the district, its halls and the demo accounts with their roles
        yield
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


def _shown(client: Client) -> dict[str, str]:
    html = client.get(reverse("dashboards:workbench")).content.decode()
    nav = NAV.search(html)
    assert nav, "the workbench has the staff navigation"
    return {label: href for href, label in LINK.findall(nav.group(1))}


@pytest.mark.django_db
@pytest.mark.parametrize("username", DEMO_USERS)
def test_every_link_shown_opens_and_what_the_role_cannot_open_is_hidden(demo, username):
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    shown = _shown(client)
    assert shown == {e["label"]: e["url"] for e in visible_entries(user)}
    for label, href in shown.items():
        assert client.get(href).status_code == 200, f"{username}: {label} {href}"
    for entry in ENTRIES:
        if entry.view_name in REFUSING and entry.label not in shown:
            # A page that refuses those who may not use it: hidden exactly when it refuses.
            assert client.get(entry.url).status_code in (403, 404), f"{username}: {entry.label}"


@pytest.mark.django_db
def test_the_approver_is_not_sent_to_pages_that_refuse_them(demo):
    shown = visible_entries(User.objects.get(username="approver"))
    labels = {e["label"] for e in shown}
    assert not labels & {"办件", "电子监察", "首问登记", "窗口叫号", "事项库", "操作记录"}
    assert {"工作台", "中心登记", "变更备案", "人员管理"} <= labels


@pytest.mark.django_db
def test_clerks_do_not_see_the_register_or_the_standardisation_check(demo):
    labels = {e["label"] for e in visible_entries(User.objects.get(username="clerk_mz"))}
    assert "中心登记" not in labels and "标准化检查" not in labels and "变更备案" not in labels
    assert {"窗口叫号", "办件", "首问登记", "考勤打卡", "我收到的评价"} <= labels
    admin = {e["label"] for e in visible_entries(User.objects.get(username="admin"))}
    assert {"中心登记", "标准化检查", "事项库", "操作记录", "接口令牌", "办件"} <= admin


@pytest.mark.django_db
def test_anonymous_gets_no_staff_navigation():
    from django.contrib.auth.models import AnonymousUser

    assert visible_entries(AnonymousUser()) == []
