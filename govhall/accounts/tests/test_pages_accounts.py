"""Pages of the accounts app: the dashboard per role, people and roles, API tokens."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from govhall.accounts import services
from govhall.accounts.models import ApiToken, Role, RoleAssignment, User
from govhall.centers.models import CenterChange
from govhall.centers.tests.drafts import relocation_draft
from govhall.core.models import PersonalDataAccess
from tests.support import make_user

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
MASKED = "138****5678"


def _as(client, user):
    client.force_login(user)
    return client


def _relocation(world, address="新址路 9 号"):
    return relocation_draft(world, days=5, address=address)


def _sheet_rows(response):
    wb = load_workbook(BytesIO(response.content), read_only=True)
    return [list(r) for r in wb.active.iter_rows(values_only=True)]


# --- people: who sees whom -----------------------------------------------------


def test_district_office_sees_everyone_with_masked_phones(client, world):
    make_user("phoned", Role.CLERK, world["b"], phone=PHONE, full_name="张电话")
    html = _as(client, world["admin"]).get("/staff/people/").content.decode()
    for who in ("tclerk_a", "tclerk_b", "tmanager_b", "phoned"):
        assert who in html
    assert MASKED in html
    assert PHONE not in html


def test_branch_manager_sees_only_their_halls_people_read_only(client, world):
    html = _as(client, world["manager_a"]).get("/staff/people/").content.decode()
    assert "tclerk_a" in html and "tchief_a" in html
    assert "tclerk_b" not in html and "tmanager_b" not in html and "tclerk_hub" not in html
    assert 'href="/staff/people/new/"' not in html
    assert client.get(f"/staff/people/{world['clerk_b'].pk}/").status_code == 404
    detail = client.get(f"/staff/people/{world['clerk_a'].pk}/").content.decode()
    assert "撤销" not in detail and "分配角色" not in detail


def test_clerk_cannot_open_the_people_page(client, world):
    assert _as(client, world["clerk_a"]).get("/staff/people/").status_code == 403


def test_people_search_by_name_and_filter_by_role_and_center(client, world):
    make_user("zhangsan", Role.CLERK, world["a"], full_name="张三丰")
    c = _as(client, world["admin"])
    html = c.get("/staff/people/", {"q": "三丰"}).content.decode()
    assert "zhangsan" in html and "tclerk_a" not in html
    html = c.get("/staff/people/", {"role": Role.BRANCH_MANAGER}).content.decode()
    assert "tmanager_a" in html and "tmanager_b" in html and "tclerk_a" not in html
    html = c.get("/staff/people/", {"role": Role.CLERK, "center": world["b"].pk}).content.decode()
    assert "tclerk_b" in html and "tclerk_a" not in html and "tmanager_b" not in html


def test_people_list_is_paged(client, world):
    for i in range(52):
        make_user(f"pager{i:02d}", Role.CLERK, world["a"], full_name=f"翻页{i:02d}")
    c = _as(client, world["admin"])
    first = c.get("/staff/people/").content.decode()
    assert "第 1 / 2 页" in first
    second = c.get("/staff/people/", {"page": 2}).content.decode()
    assert "第 2 / 2 页" in second
    on_first = set(re.findall(r'href="/staff/people/(\d+)/"', first))
    on_second = set(re.findall(r'href="/staff/people/(\d+)/"', second))
    assert len(on_first) == 50
    assert not on_first & on_second
    assert len(on_first | on_second) == User.objects.filter(is_superuser=False).count()


def test_people_export_masks_phones_and_keeps_scope(client, world):
    make_user("phoned", Role.CLERK, world["a"], phone=PHONE)
    make_user("phoned_b", Role.CLERK, world["b"], phone="13900001111")
    response = _as(client, world["manager_a"]).get("/staff/people/export.xlsx")
    assert response.status_code == 200
    rows = _sheet_rows(response)
    assert rows[0][:3] == ["用户名", "姓名", "手机号（已脱敏）"]
    usernames = {r[0] for r in rows[1:]}
    assert "phoned" in usernames and "phoned_b" not in usernames
    flat = " ".join(str(v) for r in rows for v in r if v)
    assert MASKED in flat and PHONE not in flat


def test_a_user_name_that_is_a_phone_number_is_masked_in_the_list_detail_and_export(client, world):
    """Citizens sign in with their phone number: it is masked like every phone."""
    person = make_user("13900002222", Role.CLERK, world["a"], full_name="")
    c = _as(client, world["manager_a"])
    for html in (
        c.get("/staff/people/").content.decode(),
        c.get(f"/staff/people/{person.pk}/").content.decode(),
    ):
        assert "139****2222" in html and "13900002222" not in html
    flat = " ".join(str(v) for r in _sheet_rows(c.get("/staff/people/export.xlsx")) for v in r if v)
    assert "139****2222" in flat and "13900002222" not in flat


# --- people: creating users and roles --------------------------------------------


def test_district_office_creates_a_user(client, world):
    response = _as(client, world["admin"]).post(
        "/staff/people/new/",
        {
            "username": "newclerk",
            "full_name": "新同事",
            "phone": PHONE,
            "password": "a-good-long-passphrase-7",
        },
    )
    person = User.objects.get(username="newclerk")
    assert response.status_code == 302 and response["Location"] == f"/staff/people/{person.pk}/"
    assert person.check_password("a-good-long-passphrase-7")
    assert person.history.first().history_user == world["admin"]


def test_duplicate_username_is_shown_next_to_the_field_and_nothing_created(client, world):
    before = User.objects.count()
    response = _as(client, world["admin"]).post(
        "/staff/people/new/",
        {"username": "tclerk_a", "full_name": "重名", "password": "a-good-long-passphrase-7"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_username-error"' in html and "该用户名已被使用" in html
    assert 'aria-describedby="id_username-error' in html
    assert User.objects.count() == before


def test_short_password_is_shown_next_to_the_field_and_nothing_created(client, world):
    response = _as(client, world["admin"]).post(
        "/staff/people/new/", {"username": "shorty", "full_name": "短密码", "password": "abc12"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    error = html[html.index('id="id_password-error"') :]
    assert "太短" in error[:300] or "10" in error[:300]
    assert not User.objects.filter(username="shorty").exists()


def test_branch_manager_cannot_create_users(client, world):
    c = _as(client, world["manager_a"])
    assert c.get("/staff/people/new/").status_code == 403
    response = c.post(
        "/staff/people/new/", {"username": "sneaky", "full_name": "x", "password": "a-good-long-passphrase-7"}
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="sneaky").exists()


def test_district_office_assigns_a_role(client, world):
    person = make_user("rolee")
    response = _as(client, world["admin"]).post(
        f"/staff/people/{person.pk}/roles/", {"role": Role.CLERK, "center": world["a"].pk}
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=person, role=Role.CLERK, center=world["a"]).exists()


def test_district_role_at_a_branch_is_refused_next_to_the_center_field(client, world):
    person = make_user("rolee")
    response = _as(client, world["admin"]).post(
        f"/staff/people/{person.pk}/roles/", {"role": Role.DISTRICT_ADMIN, "center": world["a"].pk}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_center-error"' in html and "区政务服务中心" in html
    assert not RoleAssignment.objects.filter(user=person).exists()


def test_branch_manager_cannot_assign_or_revoke_roles(client, world):
    c = _as(client, world["manager_a"])
    person = world["clerk_a"]
    response = c.post(f"/staff/people/{person.pk}/roles/", {"role": Role.CHIEF_REP, "center": world["a"].pk})
    assert response.status_code == 403
    assert not RoleAssignment.objects.filter(user=person, role=Role.CHIEF_REP).exists()
    assignment = RoleAssignment.objects.get(user=person, role=Role.CLERK)
    assert c.post(f"/staff/people/{person.pk}/roles/{assignment.pk}/revoke/").status_code == 403
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_district_office_revokes_a_role_after_confirming(client, world):
    c = _as(client, world["admin"])
    person = world["clerk_a"]
    assignment = RoleAssignment.objects.get(user=person, role=Role.CLERK)
    detail = c.get(f"/staff/people/{person.pk}/").content.decode()
    assert f'action="/staff/people/{person.pk}/roles/{assignment.pk}/revoke/"' in detail
    assert "data-confirm=" in detail
    assert c.get(f"/staff/people/{person.pk}/roles/{assignment.pk}/revoke/").status_code == 405
    response = c.post(f"/staff/people/{person.pk}/roles/{assignment.pk}/revoke/")
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()


# --- full phone numbers -----------------------------------------------------------


def test_full_phone_is_shown_only_on_request_and_the_look_is_recorded(client, world):
    person = make_user("phoned", Role.CLERK, world["a"], phone=PHONE)
    c = _as(client, world["admin"])
    detail = c.get(f"/staff/people/{person.pk}/").content.decode()
    assert MASKED in detail and PHONE not in detail and "查看完整号码" in detail
    assert c.get(f"/staff/people/{person.pk}/phone/").status_code == 405
    refused = c.post(f"/staff/people/{person.pk}/phone/", {"reason": " "})
    assert refused.status_code == 400 and PHONE not in refused.content.decode()
    assert not PersonalDataAccess.objects.exists()
    response = c.post(f"/staff/people/{person.pk}/phone/", {"reason": "通知排班"})
    assert response.status_code == 200
    assert PHONE in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    access = PersonalDataAccess.objects.get()
    assert access.viewer == world["admin"]
    assert access.subject == person
    assert access.field == "phone"
    assert access.reason == "通知排班"
    assert access.at is not None


def test_branch_manager_cannot_see_the_phone_of_another_halls_person(client, world):
    person = make_user("phoned_b", Role.CLERK, world["b"], phone=PHONE)
    response = _as(client, world["manager_a"]).post(f"/staff/people/{person.pk}/phone/")
    assert response.status_code == 404
    assert PHONE not in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_clerk_cannot_reveal_phones(client, world):
    person = make_user("phoned", Role.CLERK, world["a"], phone=PHONE)
    response = _as(client, world["clerk_a"]).post(f"/staff/people/{person.pk}/phone/")
    assert response.status_code == 403
    assert not PersonalDataAccess.objects.exists()


# --- API tokens --------------------------------------------------------------------


def _issue(client, world, **overrides):
    data = {"name": "市平台对接", "username": "tclerk_hub", "centers": [world["a"].pk]}
    data.update(overrides)
    return client.post("/staff/tokens/", data)


def test_district_office_issues_a_token_and_sees_the_key_once(client, world):
    c = _as(client, world["admin"])
    expiry = (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    response = _issue(c, world, expires_at=expiry, centers=[world["a"].pk, world["b"].pk])
    html = response.content.decode()
    assert response.status_code == 200
    token = ApiToken.objects.get()
    key = html.split('id="issued-key" type="text" readonly value="')[1].split('"')[0]
    assert key.startswith("gh_") and ApiToken.hash_key(key) == token.key_hash
    assert "离开本页后将无法再次查看" in html
    assert token.issued_by == world["admin"] and token.user == world["clerk_hub"]
    assert set(token.centers.all()) == {world["a"], world["b"]}
    assert token.expires_at is not None
    listing = c.get("/staff/tokens/").content.decode()
    assert token.prefix in listing and key not in listing


def test_token_with_expiry_in_the_past_is_refused_next_to_the_field(client, world):
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = _issue(_as(client, world["admin"]), world, expires_at=past)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_expires_at-error"' in html and "到期时间必须晚于现在" in html
    assert not ApiToken.objects.exists()


def test_token_for_unknown_account_or_without_centers_is_refused(client, world):
    c = _as(client, world["admin"])
    response = _issue(c, world, username="nobody")
    assert response.status_code == 400 and 'id="id_username-error"' in response.content.decode()
    response = _issue(c, world, centers=[])
    assert response.status_code == 400 and 'id="id_centers-error"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_branch_manager_cannot_see_or_issue_tokens(client, world):
    c = _as(client, world["manager_a"])
    assert c.get("/staff/tokens/").status_code == 403
    assert _issue(c, world).status_code == 403
    assert not ApiToken.objects.exists()


def test_district_office_revokes_a_token_and_others_cannot(client, world):
    token, _ = services.api_token_issue(
        by=world["admin"], user=world["clerk_hub"], name="旧令牌", centers=[world["a"]]
    )
    listing = _as(client, world["admin"]).get("/staff/tokens/").content.decode()
    assert f'action="/staff/tokens/{token.pk}/revoke/"' in listing and "data-confirm=" in listing
    assert _as(client, world["manager_a"]).post(f"/staff/tokens/{token.pk}/revoke/").status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
    assert _as(client, world["admin"]).post(f"/staff/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "已吊销" in client.get("/staff/tokens/").content.decode()


def test_open_change_statuses_exist():
    # The dashboard's "open changes" are the statuses still in progress.
    from govhall.dashboards.selectors import OPEN_CHANGE_STATUSES

    assert CenterChange.Status.APPLIED not in OPEN_CHANGE_STATUSES
    assert CenterChange.Status.SUBMITTED in OPEN_CHANGE_STATUSES
