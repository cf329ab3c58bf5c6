"""Lockout per name and address, a per-address throttle, and the password rules."""
from __future__ import annotations

import pytest

from register.auth import passwords

from .conftest import add_user, count, sign_in

WRONG = "wrong password 123"


def _client(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_a_lock_holds_only_for_the_address_that_failed(app, db):
    add_user(db, role="secretary", username="sec")
    attacker = _client(app, "198.51.100.66")
    for _ in range(11):
        response = sign_in(attacker, "sec", WRONG)
    assert b"too many attempts" in response.data
    assert b"too many attempts" in sign_in(attacker, "sec").data
    # The account's owner, elsewhere, still signs in.
    owner = _client(app, "192.0.2.10")
    assert sign_in(owner, "sec").status_code == 302
    # Signing in there does not lift the lock at the attacker's address.
    assert b"too many attempts" in sign_in(_client(app, "198.51.100.66"), "sec").data


def test_an_address_trying_many_names_is_throttled(app, db):
    app.config["LOCKOUT_ADDRESS_THRESHOLD"] = 6
    add_user(db, role="secretary", username="sec")
    sprayer = _client(app, "198.51.100.77")
    for name in ("ann", "bob", "cat", "dan", "eve", "fay"):
        sign_in(sprayer, name, WRONG)
    response = sign_in(sprayer, "sec")
    assert response.status_code == 200
    assert b"too many failed sign-ins from your network" in response.data
    assert sign_in(_client(app, "192.0.2.10"), "sec").status_code == 302


def test_the_wrong_current_password_on_my_account_counts_towards_the_lock(app, db):
    add_user(db, role="secretary", username="sec")
    client = _client(app, "198.51.100.5")
    assert sign_in(client, "sec").status_code == 302
    data = {"current_password": WRONG, "new_password": "fine tundra marmalade",
            "confirm_password": "fine tundra marmalade"}
    for _ in range(10):
        assert b"current password is not correct" in client.post("/account", data=data).data
    response = client.post("/account", data=data)
    assert response.status_code == 302 and "/sign-in" in response.location
    assert client.get("/").status_code == 302
    assert b"too many attempts" in sign_in(client, "sec").data


@pytest.mark.parametrize("password, problem", [
    ("password1234", "too easy to guess"),
    ("qwertyuiop123", "too easy to guess"),
    ("iloveyou2026", "too easy to guess"),
    ("Password12345!", "too easy to guess"),
    ("demo-password-2026", "demo password"),
    ("Demo Password 2026", "demo password"),
    ("sec-admin-account-99", "your username"),
    ("Northvale rocks hard", "organisation"),
    ("NORTHVALEgpcommissioningconsortium", "organisation"),
    ("fine tundra marmalade", None),
    ("correct horse battery", None),
])
def test_password_rules_refuse_guessable_passwords(password, problem):
    found = passwords.password_problem(password, username="sec-admin",
                                       organisation="Northvale GP Commissioning Consortium")
    if problem is None:
        assert found is None
    else:
        assert problem in found


@pytest.mark.parametrize("password, message", [
    ("password1234", "too easy to guess"),
    ("demo-password-2026", "demo password"),
    ("newbie account 2026", "your username"),
])
def test_a_new_account_with_a_guessable_password_is_refused(as_role, db, password, message):
    admin = as_role("admin")
    response = admin.post("/accounts/new", data={"username": "newbie", "role": "member",
                                                 "person_id": "", "new_password": password,
                                                 "confirm_password": password})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(db, "users") == 1


def test_create_user_command_refuses_the_demo_password(runner, db):
    result = runner.invoke(args=["create-user", "--username", "ops", "--role", "admin",
                                 "--password", "demo-password-2026"])
    assert result.exit_code != 0
    assert "demo password" in result.output
    assert count(db, "users") == 0


def test_the_demo_itself_still_uses_its_password(app, db):
    from register.demo import DEMO_PASSWORD, load_demo

    load_demo(db)
    assert sign_in(app.test_client(), "admin", DEMO_PASSWORD).status_code == 302
