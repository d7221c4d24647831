"""API tokens: issued by the district office for named centers, shown once,
stored only as a hash, and limiting what a Bearer request sees to those centers."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from govhall.accounts.models import ApiToken, Role
from tests.support import make_user

pytestmark = pytest.mark.django_db

API = "/api/v1"


def session(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def issue(c: Client, **data):
    body = {"name": "民政业务系统", "username": "tsystem", "centers": ["T-A", "T-B"], **data}
    return c.post(API + "/tokens", json.dumps(body), content_type="application/json")


@pytest.fixture
def system(world):
    """An account for another system, with the api_client role at every center."""
    user = make_user("tsystem", Role.API_CLIENT, world["hub"])
    for key in ("a", "b"):
        make_user("tsystem", Role.API_CLIENT, world[key])
    return user


def test_district_admin_issues_a_token_and_bearer_requests_see_exactly_its_centers(world, system):
    r = issue(session(world["admin"]))
    assert r.status_code == 201, r.content
    key = r.json()["key"]
    assert r.json()["centers"] == ["T-A", "T-B"] and r.json()["username"] == "tsystem"
    listed = Client().get(API + "/centers", headers=bearer(key)).json()
    assert sorted(i["code"] for i in listed["items"]) == ["T-A", "T-B"]
    me = Client().get(API + "/me", headers=bearer(key)).json()
    assert me["visible_center_codes"] == ["T-A", "T-B"] and me["via_token"] is True
    assert Client().get(API + "/centers/T-HUB", headers=bearer(key)).status_code == 404
    assert ApiToken.objects.get().last_used_at is not None


def test_a_token_narrows_even_a_district_admin_account(world):
    r = issue(session(world["admin"]), username=world["admin"].username, centers=["T-A"])
    key = r.json()["key"]
    c = Client()
    assert [i["code"] for i in c.get(API + "/centers", headers=bearer(key)).json()["items"]] == ["T-A"]
    r = c.put(
        API + "/centers/T-B/zones",
        json.dumps({"kinds": ["guidance"]}),
        content_type="application/json",
        headers=bearer(key),
    )
    assert r.status_code == 404
    assert not world["b"].zones.exists()
    # Within its centers the token acts with the account's role; no CSRF token is needed for Bearer.
    c = Client(enforce_csrf_checks=True)
    r = c.put(
        API + "/centers/T-A/zones",
        json.dumps({"kinds": ["guidance"]}),
        content_type="application/json",
        headers=bearer(key),
    )
    assert r.status_code == 200 and [z["kind"] for z in r.json()["zones"]] == ["guidance"]


def test_revoked_wrong_and_expired_tokens_get_401(world, system):
    admin = session(world["admin"])
    first = issue(admin).json()
    second = issue(admin, name="到期令牌").json()
    assert Client().get(API + "/centers", headers=bearer(first["key"])).status_code == 200
    r = admin.post(API + f"/tokens/{first['id']}/revoke")
    assert r.status_code == 200 and r.json()["is_active"] is False
    ApiToken.objects.filter(pk=second["id"]).update(expires_at=timezone.now() - timedelta(minutes=1))
    for key in (first["key"], second["key"], first["key"] + "x", "gh_not-a-real-token", "nonsense"):
        r = Client().get(API + "/centers", headers=bearer(key))
        assert r.status_code == 401, key
        assert r.json()["code"] == "unauthenticated"


def test_branch_manager_cannot_issue_list_or_revoke_tokens(world, system):
    token = issue(session(world["admin"])).json()
    manager = session(world["manager_a"])
    r = issue(manager, centers=["T-A"])
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert manager.get(API + "/tokens").status_code == 403
    assert manager.post(API + f"/tokens/{token['id']}/revoke").status_code == 403
    assert ApiToken.objects.count() == 1
    assert ApiToken.objects.get().revoked_at is None


def test_tokens_are_managed_only_from_a_session_never_with_a_token(world):
    admin = session(world["admin"])
    key = issue(admin, username=world["admin"].username, centers=["T-A"]).json()["key"]
    token_id = ApiToken.objects.get().pk
    c = Client()
    assert c.get(API + "/tokens", headers=bearer(key)).status_code == 401
    r = c.post(
        API + "/tokens",
        json.dumps({"name": "再签发", "username": world["admin"].username, "centers": ["T-A"]}),
        content_type="application/json",
        headers=bearer(key),
    )
    assert r.status_code == 401
    assert c.post(API + f"/tokens/{token_id}/revoke", headers=bearer(key)).status_code == 401
    assert ApiToken.objects.count() == 1 and ApiToken.objects.get().revoked_at is None


def test_the_key_is_returned_once_and_only_its_hash_is_stored(world, system):
    admin = session(world["admin"])
    r = issue(admin)
    key = r.json()["key"]
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.values().get().values()]
    assert key not in stored and all(key not in v for v in stored)
    assert all(key not in str(v) for row in ApiToken.history.values() for v in row.values())
    listed = admin.get(API + "/tokens").json()
    assert listed["count"] == 1 and "key" not in listed["items"][0]
    assert key not in admin.get(API + "/tokens").content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"centers": []}, "centers"),
        ({"centers": ["NOPE"]}, "centers"),
        ({"username": "nobody"}, "username"),
        ({"name": "  "}, "name"),
        ({"expires_at": "2000-01-01T00:00:00"}, "expires_at"),
    ],
)
def test_bad_token_requests_are_400_on_the_field_and_issue_nothing(world, system, data, field):
    r = issue(session(world["admin"]), **data)
    assert r.status_code == 400, r.content
    assert field in r.json()["errors"]
    assert not ApiToken.objects.exists()


def test_a_token_cannot_be_issued_for_another_districts_center(world, other_world, system):
    r = issue(session(world["admin"]), centers=["T-A", "O-A"])
    assert r.status_code == 400 and "centers" in r.json()["errors"]
    assert not ApiToken.objects.exists()


def test_another_districts_admin_cannot_revoke_our_token(world, other_world, system):
    token = issue(session(world["admin"])).json()
    r = session(other_world["admin"]).post(API + f"/tokens/{token['id']}/revoke")
    assert r.status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_a_token_does_not_show_changes_outside_its_centers_even_ones_its_account_drafted(world):
    from govhall.centers import services

    drafted = services.change_draft(
        by=world["admin"],
        district=world["district"],
        kind="relocate",
        center=world["b"],
        new_address="新址路 9 号",
        effective_date=timezone.localdate() + timedelta(days=3),
        description="搬迁",
    )
    own = services.change_draft(
        by=world["manager_a"],
        district=world["district"],
        kind="renovate",
        center=world["a"],
        effective_date=timezone.localdate() + timedelta(days=3),
        description="改造",
    )
    key = issue(session(world["admin"]), username=world["admin"].username, centers=["T-A"]).json()["key"]
    listed = Client().get(API + "/changes", headers=bearer(key)).json()
    assert [c["id"] for c in listed["items"]] == [own.pk]
    assert Client().get(API + f"/changes/{drafted.pk}", headers=bearer(key)).status_code == 404
    # The same account by session still sees both.
    assert session(world["admin"]).get(API + "/changes").json()["count"] == 2
