import datetime as dt
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from shequ.accounts.models import ApiToken, Resident, User
from shequ.accounts.services import api_token_create, resident_register
from shequ.audit.models import Action, AuditEvent
from shequ.regions.tests.factories import PASSWORD, World


def post_login(client: Client, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_staff_login_lands_on_the_overview(world: World, client: Client) -> None:
    response = post_login(client, "gridworker", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action=Action.LOGIN, actor_name="gridworker").count() == 1


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_MINUTES=15)
def test_lockout_after_repeated_failures(world: World, client: Client, zh: None) -> None:
    for left in (2, 1):
        response = post_login(client, "gridworker", "wrong")
        assert f"还可尝试{left}次" in response.content.decode()
    response = post_login(client, "gridworker", "wrong")
    assert "已被锁定" in response.content.decode()
    user = User.objects.get(username="gridworker")
    assert user.locked_until is not None
    assert user.locked_until > timezone.now() + dt.timedelta(minutes=14)
    # Even the right password is refused while locked, and nothing logs in.
    response = post_login(client, "gridworker", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=Action.LOCKED).count() == 1
    # After the lock expires the right password works again.
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert post_login(client, "gridworker", PASSWORD).status_code == 302


def test_unknown_user_gets_the_same_message(world: World, client: Client, zh: None) -> None:
    response = post_login(client, "nobody", "x")
    assert "用户名或密码错误" in response.content.decode()


def test_session_expires_with_the_browser_and_after_hours(settings: object) -> None:
    from django.conf import settings as live

    assert live.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert live.SESSION_COOKIE_AGE == 8 * 3600


def test_password_change(world: World, client: Client) -> None:
    client.force_login(world.users["window"])
    response = client.post(
        "/accounts/password/", {"old_password": "wrong", "new_password": "Another-pass-2026"}
    )
    assert response.status_code == 200
    assert User.objects.get(username="window").check_password(PASSWORD)
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password": "Another-pass-2026"}
    )
    assert response.status_code == 302
    assert User.objects.get(username="window").check_password("Another-pass-2026")
    assert AuditEvent.objects.filter(action=Action.PASSWORD).count() == 1


def test_argon2_hashes_passwords_by_default() -> None:
    from django.contrib.auth.hashers import get_hasher

    from config import settings as cfg

    assert cfg.PASSWORD_HASHERS[-2] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert get_hasher("argon2").algorithm == "argon2"


def test_resident_accounts_are_apart_from_staff(world: World, client: Client) -> None:
    resident = resident_register(phone="139 1234 5678", name="李娜", password="Shequ-resident-1")
    assert resident.phone_masked == "139****5678"
    assert "13912345678" not in resident.phone_enc
    # A resident's credentials do not open the staff login, and the portal knows the resident.
    assert post_login(client, "13912345678", "Shequ-resident-1").status_code == 200
    response = client.post(
        "/portal/login/", {"phone": "13912345678", "password": "Shequ-resident-1"}
    )
    assert response.status_code == 302
    assert "李娜" in client.get("/portal/").content.decode()
    assert client.get("/").status_code == 302  # the staff overview still wants a staff login


def test_resident_lockout(world: World, client: Client) -> None:
    resident_register(phone="13912345678", name="李娜", password="Shequ-resident-1")
    with override_settings(LOGIN_MAX_FAILURES=2):
        client.post("/portal/login/", {"phone": "13912345678", "password": "x"})
        client.post("/portal/login/", {"phone": "13912345678", "password": "x"})
    assert Resident.objects.get().is_locked()


def test_api_token_authenticates_with_the_users_scope(world: World, client: Client) -> None:
    _token, raw = api_token_create(actor=world.users["gridworker"], name="grid app")
    assert ApiToken.objects.get().token_hash != raw
    response = client.get("/api/v1/accounts/me", headers={"authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["username"] == "gridworker"
    assert response.json()["assignments"][0]["region_code"] == world.grid.code
    response = client.get("/api/v1/regions", headers={"authorization": f"Bearer {raw}"})
    assert [r["code"] for r in response.json()] == [world.grid.code]
    assert (
        client.get("/api/v1/accounts/me", headers={"authorization": "Bearer nope"}).status_code
        == 401
    )


def test_revoked_token_is_refused(world: World, client: Client) -> None:
    token, raw = api_token_create(actor=world.users["gridworker"], name="grid app")
    client.force_login(world.users["gridworker"])
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    client.logout()
    assert (
        client.get("/api/v1/accounts/me", headers={"authorization": f"Bearer {raw}"}).status_code
        == 401
    )


@pytest.mark.parametrize("username", ["gridworker", "director", "street", "supervisor"])
def test_admin_only_for_district_administrators(
    world: World, client: Client, username: str
) -> None:
    client.force_login(world.users[username])
    assert client.get("/admin/").status_code == 302
    client.force_login(world.users["admin"])
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/regions/roleassignment/").status_code == 200
