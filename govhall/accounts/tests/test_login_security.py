"""Login safety: plain errors, lock-out after 5 failures (username + address),
Argon2 hashes, the length rule, and the 30-minute idle timeout."""

import time

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from govhall.accounts import services
from govhall.core.errors import DomainError
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/staff/login/"


def _login(client, username, password, ip="10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_page_labels_every_input(client):
    html = client.get(LOGIN).content.decode()
    assert '<label for="id_username">用户名' in html
    assert '<label for="id_password">密码' in html
    assert 'id="id_username"' in html and 'id="id_password"' in html


def test_wrong_password_shows_plain_chinese_alert_and_does_not_log_in(client, world):
    response = _login(client, "tclerk_a", "wrong-password-123")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in html
    assert "用户名或密码不正确" in html
    assert 'aria-describedby="login-error"' in html
    assert "_auth_user_id" not in client.session


def test_right_password_logs_in_and_goes_to_dashboard(client, world):
    response = _login(client, "tclerk_a", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:workbench")
    assert client.session["_auth_user_id"] == str(world["clerk_a"].pk)


def test_five_failures_lock_the_username_even_with_the_right_password(client, world):
    for _ in range(4):
        assert _login(client, "tclerk_a", "wrong-password-123").status_code == 400
    _login(client, "tclerk_a", "wrong-password-123")  # the fifth failure
    response = _login(client, "tclerk_a", PASSWORD)
    assert response.status_code == 429
    assert "暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_does_not_reach_another_username_from_the_same_address(client, world):
    for _ in range(5):
        _login(client, "tclerk_a", "wrong-password-123")
    assert _login(client, "tclerk_a", PASSWORD).status_code == 429
    response = _login(client, "tclerk_b", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world["clerk_b"].pk)


def test_lockout_does_not_reach_the_same_username_from_another_address(client, world):
    for _ in range(5):
        _login(client, "tclerk_a", "wrong-password-123", ip="10.1.1.1")
    assert _login(client, "tclerk_a", PASSWORD, ip="10.1.1.1").status_code == 429
    assert _login(client, "tclerk_a", PASSWORD, ip="10.2.2.2").status_code == 302


@pytest.mark.real_hasher
def test_passwords_are_stored_with_argon2(db):
    user = services.user_create(
        by=None, username="hashcheck", full_name="哈希", password="a-long-test-password-42"
    )
    stored = get_user_model().objects.get(pk=user.pk).password
    assert stored.startswith("argon2")
    assert "a-long-test-password-42" not in stored


def test_short_password_is_refused_on_the_password_field(world):
    with pytest.raises(DomainError) as exc:
        services.user_create(by=world["admin"], username="shorty", full_name="短", password="Ab3$xyz")
    assert exc.value.field == "password"
    assert "10" in exc.value.message
    assert not get_user_model().objects.filter(username="shorty").exists()


def _set_last_seen(client, seconds_ago: int) -> None:
    session = client.session
    session["last_seen"] = int(time.time()) - seconds_ago
    session.save()


def test_idle_staff_session_ends_after_30_minutes(client, world):
    client.force_login(world["clerk_a"])
    assert client.get("/staff/").status_code == 200
    _set_last_seen(client, 31 * 60)
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "timeout=1" in response["Location"]
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "30 分钟未操作" in page


def test_idle_timeout_with_the_clock_moving(client, world):
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False) as traveller:
        client.force_login(world["manager_a"])
        assert client.get("/staff/").status_code == 200
        traveller.shift(29 * 60)
        assert client.get("/staff/").status_code == 200  # active: the clock restarts
        traveller.shift(29 * 60)
        assert client.get("/staff/").status_code == 200
        traveller.shift(31 * 60)
        assert client.get("/staff/").status_code == 302


def test_active_user_is_not_logged_out(client, world):
    client.force_login(world["clerk_a"])
    client.get("/staff/")
    _set_last_seen(client, 29 * 60)
    assert client.get("/staff/").status_code == 200
    assert client.session["_auth_user_id"] == str(world["clerk_a"].pk)


def test_htmx_request_after_idle_timeout_gets_a_redirect_header(client, world):
    client.force_login(world["clerk_a"])
    client.get("/staff/")
    _set_last_seen(client, 31 * 60)
    response = client.get("/staff/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))


def test_logout_is_post_only_and_ends_the_session(client, world):
    client.force_login(world["clerk_a"])
    assert client.get("/staff/logout/").status_code == 405
    client.post("/staff/logout/")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logging_in_is_not_recorded_as_a_change_to_the_person(client):
    from tests.support import PASSWORD, make_user

    user = make_user("nochange")
    rows = user.history.count()
    assert client.post("/staff/login/", {"username": "nochange", "password": PASSWORD}).status_code == 302
    user.refresh_from_db()
    assert user.last_login is not None
    assert user.history.count() == rows


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/staff/", "http:/\\evil.example"])
def test_off_site_next_after_login_goes_to_the_workbench(client, world, target):
    response = client.post(LOGIN, {"username": "tclerk_a", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:workbench")


def test_same_site_next_after_login_is_followed(client, world):
    response = client.post(LOGIN, {"username": "tclerk_a", "password": PASSWORD, "next": "/staff/centers/"})
    assert response["Location"] == "/staff/centers/"


def test_idle_timeout_sends_back_to_the_same_page_after_login(client, world):
    client.force_login(world["clerk_a"])
    client.get("/staff/")
    _set_last_seen(client, 31 * 60)
    to_login = client.get("/staff/changes/?status=draft")["Location"]
    assert "next=%2Fstaff%2Fchanges%2F%3Fstatus%3Ddraft" in to_login
    response = client.post(to_login, {"username": "tclerk_a", "password": PASSWORD})
    assert response["Location"] == "/staff/changes/?status=draft"


@pytest.mark.parametrize("weak", ["abcdefghijkl", "abcdefgh1234", "ABCDEFGH!!!!"])
def test_a_password_of_fewer_than_three_kinds_of_character_is_refused(world, weak):
    with pytest.raises(DomainError) as exc:
        services.user_create(by=world["admin"], username="weakling", full_name="弱", password=weak)
    assert exc.value.field == "password" and "至少 3 种" in exc.value.message
    assert not get_user_model().objects.filter(username="weakling").exists()
    services.user_create(by=world["admin"], username="strong", full_name="强", password="Abcdefgh1234")


def test_staff_accounts_idle_for_90_days_are_disabled_and_recorded(world):
    from datetime import timedelta

    from django.utils import timezone

    from govhall.core.extensions import periodic_jobs

    User = get_user_model()
    now = timezone.now()
    User.objects.filter(pk=world["clerk_a"].pk).update(last_login=now - timedelta(days=91))
    User.objects.filter(pk=world["clerk_b"].pk).update(last_login=now - timedelta(days=89))
    never = services.user_create(by=None, username="never-used", full_name="从未登录", password=PASSWORD)
    User.objects.filter(pk=never.pk).update(date_joined=now - timedelta(days=120))
    citizen = services.user_create(by=None, username="13900009999", full_name="群众", password=PASSWORD)
    from govhall.accounts.models import CitizenAccount

    CitizenAccount.objects.create(user=citizen, phone="13900009999")
    User.objects.filter(pk=citizen.pk).update(last_login=now - timedelta(days=400))

    assert services.idle_accounts_disable in [fn for _, fn in periodic_jobs.registered()]
    assert sorted(services.idle_accounts_disable(now=now)) == ["never-used", world["clerk_a"].username]
    assert not User.objects.get(pk=world["clerk_a"].pk).is_active
    assert User.objects.get(pk=world["clerk_b"].pk).is_active and User.objects.get(pk=citizen.pk).is_active
    last = User.history.filter(id=world["clerk_a"].pk).latest("history_date")
    assert last.history_change_reason == "90 天未登录，系统自动停用" and not last.is_active
    assert services.idle_accounts_disable(now=now) == []  # idempotent


def test_many_logins_from_one_address_pass_and_only_failures_count(client, world):
    """A hall's clerks signing in at opening from one address (one NAT) are never refused:
    the per-address limit counts failed logins only (30 in 5 minutes)."""
    for _ in range(40):
        assert _login(client, "tclerk_a", PASSWORD, ip="10.7.7.7").status_code == 302
        client.logout()
    # 30 failures from that address, each with another username (axes locks one after 5).
    for i in range(30):
        assert _login(client, f"nobody{i}", "wrong-password-123", ip="10.7.7.7").status_code == 400
    refused = _login(client, "tclerk_b", PASSWORD, ip="10.7.7.7")
    assert refused.status_code == 429 and "操作过于频繁" in refused.content.decode()
    assert _login(client, "tclerk_b", PASSWORD, ip="10.8.8.8").status_code == 302  # another address
