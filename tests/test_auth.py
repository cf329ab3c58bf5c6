"""Sign-in, sign-out, lockout, sessions and account administration."""
from __future__ import annotations

import pytest

from register import audit
from register.auth import passwords
from register.auth.roles import CAPABILITIES, ROLE_LABELS, can

from .conftest import PASSWORD, add_person, add_user, sign_in


def test_sign_in_page_and_redirect_when_signed_out(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/sign-in" in response.location
    page = client.get("/sign-in")
    assert b"Sign in" in page.data


def test_sign_in_and_out(client, db):
    add_user(db, role="secretary", username="sec")
    response = sign_in(client, "sec")
    assert response.status_code == 302 and response.location == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert b"Board secretary" in home.data
    out = client.post("/sign-out")
    assert out.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("username, password", [
    ("nobody", PASSWORD),          # unknown user
    ("sec", "wrong password 123"),  # wrong password
])
def test_unknown_user_and_wrong_password_look_alike(client, db, username, password):
    add_user(db, role="secretary", username="sec")
    response = sign_in(client, username, password)
    assert response.status_code == 200
    assert b"Enter a correct username and password" in response.data
    assert b"Error: Sign in" in response.data


@pytest.mark.parametrize("data, message", [
    ({"username": "", "password": "x"}, b"Enter your username"),
    ({"username": "sec", "password": ""}, b"Enter your password"),
])
def test_sign_in_form_errors(client, data, message):
    response = client.post("/sign-in", data=data)
    assert message in response.data


def test_next_parameter_only_follows_local_paths(client, db):
    add_user(db, role="secretary", username="sec")
    response = client.post("/sign-in?next=//evil.example/x",
                           data={"username": "sec", "password": PASSWORD})
    assert response.location == "/"
    client.post("/sign-out")
    response = client.post("/sign-in?next=/account", data={"username": "sec", "password": PASSWORD})
    assert response.location == "/account"


def test_lockout_after_more_than_ten_failures_survives_restart(app, db):
    add_user(db, role="secretary", username="sec")
    client = app.test_client()
    for _ in range(10):
        assert b"Enter a correct" in sign_in(client, "sec", "wrong password 123").data
    eleventh = sign_in(client, "sec", "wrong password 123")
    assert b"too many attempts" in eleventh.data
    # The right password is refused while locked, and the lock is in the database.
    assert b"too many attempts" in sign_in(client, "sec").data
    from register import create_app

    restarted = create_app({"TESTING": True, "SECRET_KEY": "another-test-key-value-also-long-enough",
                            "DATABASE": app.config["DATABASE"], "WTF_CSRF_ENABLED": False})
    assert b"too many attempts" in sign_in(restarted.test_client(), "sec").data


def test_unknown_usernames_lock_the_same_way(client):
    for _ in range(11):
        response = sign_in(client, "ghost", "wrong password 123")
    assert b"too many attempts" in response.data


def test_sign_out_ends_a_copied_session_cookie(app, db):
    add_user(db, role="secretary", username="sec")
    first = app.test_client()
    sign_in(first, "sec")
    copy = app.test_client()
    cookie = first.get_cookie("session")
    copy.set_cookie("session", cookie.value)
    assert copy.get("/").status_code == 200
    first.post("/sign-out")
    assert copy.get("/").status_code == 302


def test_disabling_an_account_ends_its_sessions(app, db):
    add_user(db, role="admin", username="boss")
    victim_id = add_user(db, role="member", username="mem")
    admin = app.test_client()
    sign_in(admin, "boss")
    member = app.test_client()
    sign_in(member, "mem")
    assert member.get("/").status_code == 200
    response = admin.post(f"/accounts/{victim_id}/disable")
    assert response.status_code == 302
    assert member.get("/").status_code == 302
    assert b"Enter a correct" in sign_in(app.test_client(), "mem").data


def test_session_cookie_flags(client, db):
    add_user(db, role="secretary", username="sec")
    response = sign_in(client, "sec")
    header = "; ".join(response.headers.getlist("Set-Cookie"))
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


def test_secure_cookie_when_configured(tmp_path):
    from register import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "k" * 40, "SESSION_COOKIE_SECURE": True,
                      "DATABASE": str(tmp_path / "r.sqlite3"), "WTF_CSRF_ENABLED": False})
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("password, problem", [
    ("short", "12 characters or more"),
    ("x" * 257, "256 characters or fewer"),
    (" " * 12, "not be only spaces"),
    ("a long enough passphrase", None),
])
def test_password_rules(password, problem):
    found = passwords.password_problem(password)
    assert (found is None) if problem is None else (problem in found)


def test_passwords_are_argon2id_and_not_truncated():
    long = "p" * 200
    hashed = passwords.hash_password(long)
    assert hashed.startswith("$argon2id$")
    assert passwords.check_password(hashed, long)
    assert not passwords.check_password(hashed, long[:-1])
    assert not passwords.check_password(None, long)


def test_paste_is_allowed_on_password_fields(client):
    page = client.get("/sign-in").data.decode()
    assert "onpaste" not in page
    assert 'autocomplete="current-password"' in page


def test_admin_creates_account_with_errors_kept(as_role, db):
    admin = as_role("admin")
    response = admin.post("/accounts/new", data={"username": "new user", "role": "",
                                                 "new_password": "short",
                                                 "confirm_password": "different"})
    text = response.data.decode()
    assert "Username must not contain spaces" in text
    assert "Choose a role" in text
    assert "Password must be 12 characters or more" in text
    assert 'value="new user"' in text
    assert db["users"].count == 1
    person = add_person(db, name="Nia Evans")
    ok = admin.post("/accounts/new", data={"username": "nia", "role": "member",
                                           "person_id": str(person),
                                           "new_password": PASSWORD, "confirm_password": PASSWORD})
    assert ok.status_code == 302
    assert db["users"].count == 2
    duplicate = admin.post("/accounts/new", data={"username": "NIA", "role": "member",
                                                  "new_password": PASSWORD,
                                                  "confirm_password": PASSWORD})
    assert b"already taken" in duplicate.data


@pytest.mark.parametrize("role", ["secretary", "governance", "member", "auditor"])
def test_only_admins_manage_accounts(as_role, db, role):
    client = as_role(role)
    other = add_user(db, role="member", username="other")
    assert client.get("/accounts").status_code == 403
    assert client.get("/accounts/new").status_code == 403
    assert client.post("/accounts/new", data={}).status_code == 403
    assert client.post(f"/accounts/{other}/disable").status_code == 403
    assert client.post(f"/accounts/{other}/password", data={}).status_code == 403


def test_change_own_password(as_role):
    client = as_role("member")
    wrong = client.post("/account", data={"current_password": "not it at all",
                                          "new_password": "another long password",
                                          "confirm_password": "another long password"})
    assert b"current password is not correct" in wrong.data
    ok = client.post("/account", data={"current_password": PASSWORD,
                                       "new_password": "another long password",
                                       "confirm_password": "another long password"})
    assert ok.status_code == 302
    assert client.get("/").status_code == 200  # this session carries on


def test_every_capability_names_known_roles():
    for roles in CAPABILITIES.values():
        assert roles <= set(ROLE_LABELS)
    assert not can("auditor", "edit_reference_data")
    assert not can("member", "no_such_capability")


def test_auditor_changes_nothing():
    writes = [cap for cap in CAPABILITIES if not cap.startswith(("read", "see"))]
    assert all(not can("auditor", cap) for cap in writes)


def test_an_administrator_changes_their_own_password_on_their_account_page(app, db):
    add_user(db, role="admin", username="self-admin")
    client = app.test_client()
    assert sign_in(client, "self-admin").status_code == 302
    own = db.execute("SELECT id FROM users WHERE username = 'self-admin'").fetchone()[0]
    response = client.get(f"/accounts/{own}/password")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    assert client.get("/").status_code == 200  # still signed in


def test_an_administrator_changes_an_accounts_role_and_person(app, db):
    add_user(db, role="admin", username="boss")
    add_user(db, role="member", username="nop-member")  # created with no person
    ada = add_person(db, "Ada Lovelace")
    taken = add_person(db, "Bea Taken")
    add_user(db, role="member", username="bea", person_id=taken)
    admin = app.test_client()
    assert sign_in(admin, "boss").status_code == 302
    target = db.execute("SELECT id FROM users WHERE username = 'nop-member'").fetchone()[0]
    assert "Change account nop-member" in admin.get(f"/accounts/{target}/edit").get_data(
        as_text=True)
    refused = admin.post(f"/accounts/{target}/edit", data={"role": "member",
                                                          "person_id": str(taken)})
    assert "That person already has another account" in refused.get_data(as_text=True)
    saved = admin.post(f"/accounts/{target}/edit", data={"role": "secretary",
                                                        "person_id": str(ada)})
    assert saved.status_code == 302
    assert db.execute("SELECT role, person_id FROM users WHERE id = ?", [target]).fetchone() == \
        ("secretary", ada)
    event = audit.history(db, "user", target)[-1]
    assert event["action"] == "update" and event["changes"]["role"] == ["member", "secretary"]
    # The new role applies on the account's next page.
    user = app.test_client()
    assert sign_in(user, "nop-member").status_code == 302
    assert user.get("/decisions/new").status_code == 200
    # Nobody changes their own role.
    own = db.execute("SELECT id FROM users WHERE username = 'boss'").fetchone()[0]
    response = admin.post(f"/accounts/{own}/edit", data={"role": "member", "person_id": ""})
    assert "You cannot change your own role" in response.get_data(as_text=True)
    assert db.execute("SELECT role FROM users WHERE id = ?", [own]).fetchone()[0] == "admin"
    # Only administrators.
    assert user.get(f"/accounts/{own}/edit").status_code == 403
