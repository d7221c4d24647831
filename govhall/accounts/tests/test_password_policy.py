"""Password policy (等保): no reuse of the last 5, the district's optional expiry,
the self-service change page and API, and the lockout behind proxies."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from govhall.accounts import services
from govhall.accounts.models import CitizenAccount, PasswordHistory
from govhall.centers import services as center_services
from govhall.core.errors import DomainError, Refused
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db

PAGE = "/staff/password/"
API = "/api/v1/me/password"
NEW = [f"Fresh-pass-{n}x" for n in range(1, 7)]  # six passwords of three kinds


def _change(client, old, new, again=None):
    return client.post(PAGE, {"old_password": old, "new_password": new, "new_password_again": again or new})


def _walk_through_five(user):
    """PASSWORD, then NEW[0..4]: the last five set are NEW[0..4], PASSWORD the 6th-last."""
    old = PASSWORD
    for new in NEW[:5]:
        services.password_change(by=user, user=user, old_password=old, new_password=new)
        old = new
    user.refresh_from_db()
    return old


def test_each_of_the_last_five_is_refused_on_the_page_next_to_the_field(client, world):
    user = world["clerk_a"]
    current = _walk_through_five(user)
    assert PasswordHistory.objects.filter(user=user).count() == 5  # only the last five kept
    client.force_login(user)
    for reused in NEW[:5]:
        response = _change(client, current, reused)
        html = response.content.decode()
        assert response.status_code == 400
        assert "不能与当前密码或最近 5 次使用过的密码相同" in html
        assert (
            'id="id_new_password_error"' in html
            or "id_new_password" in html.split("不能与当前密码")[0][-600:]
        )
        user.refresh_from_db()
        assert user.check_password(current)  # nothing changed
    response = _change(client, current, PASSWORD)  # the 6th-last may come back
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_each_of_the_last_five_is_refused_by_the_api(client, world):
    user = world["clerk_a"]
    current = _walk_through_five(user)
    client.force_login(user)
    for reused in NEW[:5]:
        response = client.post(
            API, {"old_password": current, "new_password": reused}, content_type="application/json"
        )
        assert response.status_code in (400, 422)
        body = response.json()
        assert "最近 5 次" in body["detail"] and "new_password" in str(body.get("errors"))
    response = client.post(
        API, {"old_password": current, "new_password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_wrong_old_password_is_refused_and_nothing_changes(client, world):
    user = world["clerk_a"]
    client.force_login(user)
    response = _change(client, "Not-my-password-1", NEW[0])
    assert response.status_code == 400
    assert 'id="id_old_password-error">原密码不正确' in response.content.decode()
    response = client.post(
        API, {"old_password": "Not-my-password-1", "new_password": NEW[0]}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["errors"] == {"old_password": ["原密码不正确。"]}
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert PasswordHistory.objects.filter(user=user).count() == 1


def test_the_two_new_passwords_must_match(client, world):
    client.force_login(world["clerk_a"])
    response = _change(client, PASSWORD, NEW[0], again=NEW[1])
    assert response.status_code == 400 and "两次输入的新密码不一致" in response.content.decode()
    world["clerk_a"].refresh_from_db()
    assert world["clerk_a"].check_password(PASSWORD)


def test_change_is_recorded_without_the_password_and_the_session_stays(client, world):
    user = world["clerk_a"]
    client.force_login(user)
    response = _change(client, PASSWORD, NEW[0])
    assert response.status_code == 302
    assert "密码已修改" in client.get(response["Location"]).content.decode()  # still logged in
    last = get_user_model().history.filter(id=user.pk).latest("history_date")
    assert last.history_change_reason == "本人修改密码" and last.history_user_id == user.pk
    assert not hasattr(last, "password")


def test_one_user_cannot_change_another_users_password(client, world):
    with pytest.raises(Refused):
        services.password_change(
            by=world["clerk_b"], user=world["clerk_a"], old_password=PASSWORD, new_password=NEW[0]
        )
    # The API has no user argument: it always changes the caller's own password.
    client.force_login(world["clerk_b"])
    response = client.post(
        API,
        {"old_password": PASSWORD, "new_password": NEW[0], "user": world["clerk_a"].pk},
        content_type="application/json",
    )
    assert response.status_code == 200
    world["clerk_a"].refresh_from_db()
    assert world["clerk_a"].check_password(PASSWORD)


def test_api_tokens_cannot_change_a_password(client, world):
    token, key = services.api_token_issue(
        by=world["admin"], user=world["clerk_a"], name="系统", centers=[world["a"]]
    )
    response = client.post(
        API,
        {"old_password": PASSWORD, "new_password": NEW[0]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 401
    world["clerk_a"].refresh_from_db()
    assert world["clerk_a"].check_password(PASSWORD)


def test_a_citizen_changes_theirs_from_their_account_page(client, world):
    citizen = services.user_create(by=None, username="13900001111", full_name="群众", password=PASSWORD)
    CitizenAccount.objects.create(user=citizen, phone="13900001111")
    client.force_login(citizen)
    my = client.get("/my/").content.decode()
    assert 'href="/staff/password/"' in my
    page = client.get(PAGE)
    assert page.status_code == 200 and "修改密码" in page.content.decode()
    assert _change(client, PASSWORD, NEW[0])["Location"] == "/my/"
    citizen.refresh_from_db()
    assert citizen.check_password(NEW[0])


def test_the_page_is_linked_from_the_workbench(client, world):
    import re

    client.force_login(world["clerk_a"])
    html = client.get("/staff/").content.decode()
    href = re.search(r'<a href="([^"]+)" id="workbench-password">修改密码</a>', html).group(1)
    assert client.get(href).status_code == 200


# --- expiry -----------------------------------------------------------------


def _set_max_age(world, days):
    center_services.district_password_policy_set(
        by=world["admin"], district=world["district"], max_age_days=days
    )


def test_expired_password_sends_staff_to_the_change_page_until_changed(client, world):
    _set_max_age(world, 90)
    with time_machine.travel(timezone.now() + timedelta(days=91), tick=False):
        response = client.post("/staff/login/", {"username": "tclerk_a", "password": PASSWORD})
        assert response.status_code == 302
        to_change = client.get(response["Location"])
        assert to_change.status_code == 302 and to_change["Location"] == PAGE
        assert client.get("/staff/cases/").status_code == 302  # every other staff page too
        page = client.get(PAGE).content.decode()
        assert "您的密码已使用超过 90 天" in page
        assert client.get("/api/v1/me").status_code == 200  # the API is not held back
        assert _change(client, PASSWORD, NEW[0]).status_code == 302
        assert client.get("/staff/").status_code == 200


def test_password_younger_than_the_max_age_is_not_sent_to_change(client, world):
    _set_max_age(world, 90)
    with time_machine.travel(timezone.now() + timedelta(days=89), tick=False):
        client.post("/staff/login/", {"username": "tclerk_a", "password": PASSWORD})
        assert client.get("/staff/").status_code == 200


def test_without_a_max_age_nothing_happens(client, world):
    PasswordHistory.objects.filter(user=world["clerk_a"]).update(set_at=timezone.now() - timedelta(days=1000))
    client.post("/staff/login/", {"username": "tclerk_a", "password": PASSWORD})
    assert client.get("/staff/").status_code == 200


def test_citizens_are_not_held_to_the_district_expiry(world):
    _set_max_age(world, 90)
    citizen = services.user_create(by=None, username="13900002222", full_name="群众", password=PASSWORD)
    CitizenAccount.objects.create(user=citizen, phone="13900002222")
    PasswordHistory.objects.filter(user=citizen).update(set_at=timezone.now() - timedelta(days=400))
    assert services.password_expired_days(citizen) is None


def test_district_max_age_is_set_by_its_office_only_and_recorded(client, world):
    with pytest.raises(Refused):
        center_services.district_password_policy_set(
            by=world["manager_a"], district=world["district"], max_age_days=30
        )
    with pytest.raises(DomainError) as exc:
        center_services.district_password_policy_set(
            by=world["admin"], district=world["district"], max_age_days=-1
        )
    assert exc.value.field == "max_age_days"
    client.force_login(world["admin"])
    workbench = client.get("/staff/").content.decode()
    assert 'href="/staff/district/password-policy/"' in workbench
    bad = client.post("/staff/district/password-policy/", {"max_age_days": "5000"})
    assert bad.status_code == 400 and "0 至 3650" in bad.content.decode()
    assert client.post("/staff/district/password-policy/", {"max_age_days": "90"}).status_code == 302
    world["district"].refresh_from_db()
    assert world["district"].password_max_age_days == 90
    last = world["district"].history.latest("history_date")
    assert last.history_user_id == world["admin"].pk and "90" in last.history_change_reason
    response = client.put(
        "/api/v1/district/password-policy", {"max_age_days": 0}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["max_age_days"] is None
    client.force_login(world["manager_a"])
    assert client.get("/staff/district/password-policy/").status_code == 403
    assert (
        client.put(
            "/api/v1/district/password-policy", {"max_age_days": 1}, content_type="application/json"
        ).status_code
        == 403
    )


# --- lockout behind proxies ----------------------------------------------------


def test_forged_forwarded_for_from_an_untrusted_address_does_not_escape_the_lockout(client, world):
    for n in range(5):
        response = client.post(
            "/staff/login/",
            {"username": "tclerk_a", "password": "wrong-password-123"},
            REMOTE_ADDR="203.0.113.9",
            headers={"X-Forwarded-For": f"198.51.100.{n + 1}", "X-Real-IP": f"198.51.100.{n + 1}"},
        )
        assert response.status_code == (400 if n < 4 else 429)  # the fifth failure locks
    response = client.post(
        "/staff/login/",
        {"username": "tclerk_a", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
        headers={"X-Forwarded-For": "192.0.2.77"},
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
