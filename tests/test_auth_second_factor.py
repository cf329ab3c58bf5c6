"""The second factor: enrolment with a QR code, the code after the password, recovery codes used
once, replayed codes refused, failures towards the lockout, required roles, the administrator's
reset, and the sign-off asking for the code."""
from __future__ import annotations

import re
import time

import pyotp
import pytest

from register import create_app
from register.auth import second_factor
from register.db import connect, migrate

from .conftest import PASSWORD, add_person, add_user, sign_in
from .reading import markup
from .reading import words as text
from .test_reviews import reference, sign_off_data, status_of, submitted, world  # noqa: F401

STEP = 30


def steady_now() -> float:
    """Now, at least 8 seconds before the next TOTP step, so the steps a test uses (the one
    before, now, the one after) stay inside the accepted window for its whole run."""
    if time.time() % STEP > STEP - 8:
        time.sleep(STEP - time.time() % STEP + 0.2)
    return time.time()


def code(secret: str, now: float, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(now + steps * STEP)




def events(db, action: str) -> list[dict]:
    return [dict(r) for r in db.query("SELECT * FROM audit_events WHERE action = ? ORDER BY seq",
                                      [action])]


def user_row(db, username: str) -> dict:
    return dict(next(iter(db.query("SELECT * FROM users WHERE username = ?", [username]))))


def enrol(app, db, username: str, now: float) -> tuple[str, list[str]]:
    """Enrol an account directly, with a code from the step before now; returns the secret
    and the recovery codes."""
    secret = pyotp.random_base32(32)
    with app.app_context():
        codes = second_factor.enrol(db, user_row(db, username)["id"], secret,
                                    code(secret, now, -1), actor="test")
    assert codes is not None
    return secret, codes


def password_step(client, username: str = "member"):
    response = sign_in(client, username)
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in/code")
    return response


# ---- enrolment -------------------------------------------------------------------------------

def test_a_member_enrols_from_their_account_with_the_qr_code_and_sees_ten_codes_once(app, db,
                                                                                     as_role):
    client = as_role("member")
    page = client.get("/account")
    assert "Set up a second factor" in text(page)
    setup = client.get("/account/second-factor/set-up")
    body = setup.get_data(as_text=True)
    assert 'src="data:image/svg+xml' in body and "authenticator app" in body
    with client.session_transaction() as session:
        secret = session["enrol_secret"]
    assert " ".join(secret[i:i + 4] for i in range(0, 32, 4)) in body  # the key to type instead

    wrong = client.post("/account/second-factor/set-up", data={"code": "000000"})
    assert wrong.status_code == 200 and "The code is not correct" in text(wrong)
    assert user_row(db, "member")["totp_secret"] is None

    now = steady_now()
    done = client.post("/account/second-factor/set-up", data={"code": code(secret, now)})
    assert done.status_code == 302 and done.headers["Location"].endswith("/recovery-codes")
    shown = markup(client.get("/account/second-factor/recovery-codes"))
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", shown)
    assert len(codes) == 10 and "shown only once" in shown
    again = text(client.get("/account/second-factor/recovery-codes"))
    assert "<code>" not in again and "10 unused" in again

    row = user_row(db, "member")
    assert row["totp_secret"] == secret and row["totp_last_step"] == int(now) // STEP
    stored = [r["code_hash"] for r in db.query("SELECT code_hash FROM recovery_codes")]
    assert len(stored) == 10 and all(h.startswith("$argon2id$") for h in stored)
    assert not any(c in h for c in codes for h in stored)
    assert [e["changes"] for e in events(db, "enrol_second_factor")] == [
        '{"method":"totp","recovery_codes":10}']
    assert client.get("/account").status_code == 200  # still signed in, on the rotated token


# ---- signing in with the code ------------------------------------------------------------------

def test_sign_in_asks_for_the_code_after_the_password_and_only_then_signs_in(app, db):
    add_user(db, role="member", username="member")
    now = steady_now()
    secret, _ = enrol(app, db, "member", now)
    client = app.test_client()
    password_step(client)
    assert client.get("/decisions/").status_code == 302  # not signed in yet
    page = client.get("/sign-in/code")
    assert "Enter your security code" in text(page)
    response = client.post("/sign-in/code", data={"code": code(secret, now)})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/decisions/").status_code == 200
    sign_ins = events(db, "sign_in")
    assert '"method":"password and authenticator code"' in sign_ins[-1]["changes"]


def test_a_replayed_code_is_refused_even_inside_its_window(app, db):
    add_user(db, role="member", username="member")
    now = steady_now()
    secret, _ = enrol(app, db, "member", now)
    first = app.test_client()
    password_step(first)
    assert first.post("/sign-in/code", data={"code": code(secret, now)}).status_code == 302

    second = app.test_client()
    password_step(second)
    replay = second.post("/sign-in/code", data={"code": code(secret, now)})
    assert replay.status_code == 200
    assert "That code has already been used" in text(replay)
    assert second.get("/decisions/").status_code == 302
    failed = events(db, "second_factor_failed")
    assert len(failed) == 1 and '"reason":"reused"' in failed[0]["changes"]
    # The code from the step before is refused too: steps only move forward.
    older = second.post("/sign-in/code", data={"code": code(secret, now, -1)})
    assert "already been used" in text(older)
    # The next step's code works.
    assert second.post("/sign-in/code",
                       data={"code": code(secret, now, 1)}).status_code == 302


def test_a_recovery_code_signs_in_once(app, db):
    add_user(db, role="member", username="member")
    now = steady_now()
    _, codes = enrol(app, db, "member", now)
    first = app.test_client()
    password_step(first)
    used = first.post("/sign-in/code", data={"code": codes[3].upper()}, follow_redirects=True)
    assert "You signed in with a recovery code. You have 9 left." in text(used)
    assert second_factor.recovery_codes_left(db, user_row(db, "member")["id"]) == 9
    recorded = events(db, "recovery_code_used")
    assert len(recorded) == 1 and '"codes_left":9' in recorded[0]["changes"]

    second = app.test_client()
    password_step(second)
    again = second.post("/sign-in/code", data={"code": codes[3]})
    assert again.status_code == 200 and "Enter a correct code" in text(again)
    assert second.get("/decisions/").status_code == 302
    assert len(events(db, "second_factor_failed")) == 1


def test_wrong_codes_count_towards_the_accounts_lockout(app, db):
    add_user(db, role="member", username="member")
    now = steady_now()
    secret, _ = enrol(app, db, "member", now)
    client = app.test_client()
    password_step(client)
    threshold = app.config["LOCKOUT_THRESHOLD"]
    for _ in range(threshold):
        assert "Enter a correct code" in text(client.post("/sign-in/code",
                                                          data={"code": "000001"}))
    locked = client.post("/sign-in/code", data={"code": "000002"})
    assert "too many attempts" in text(locked)
    assert db.execute("SELECT count(*) FROM sign_in_locks").fetchone()[0] == 1
    # Locked: even the right password is refused, so the right code is never asked for.
    retry = sign_in(app.test_client(), "member")
    assert retry.status_code == 200 and "too many attempts" in text(retry)
    assert len(events(db, "second_factor_failed")) == threshold + 1


def test_the_code_step_expires_and_ends_with_a_password_change(app, db):
    add_user(db, role="member", username="member")
    now = steady_now()
    secret, _ = enrol(app, db, "member", now)
    client = app.test_client()
    password_step(client)
    db.execute("UPDATE users SET session_token = 'changed elsewhere' WHERE username = 'member'")
    response = client.post("/sign-in/code", data={"code": code(secret, now)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in")
    assert client.get("/decisions/").status_code == 302

    client = app.test_client()
    password_step(client)
    with client.session_transaction() as session:
        session["sign_in_pending"] = {**session["sign_in_pending"], "until": time.time() - 1}
    late = client.post("/sign-in/code", data={"code": code(secret, now)}, follow_redirects=True)
    assert "within 5 minutes" in text(late)


def test_no_code_page_without_a_correct_password(client):
    response = client.get("/sign-in/code")
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in")


def test_the_code_form_needs_its_csrf_token(csrf_app):
    db = connect(csrf_app.config["DATABASE"])
    add_user(db, role="member", username="member")
    enrol(csrf_app, db, "member", steady_now())
    client = csrf_app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    step = client.post("/sign-in", data={"csrf_token": token, "username": "member",
                                         "password": PASSWORD})
    assert step.headers["Location"].endswith("/sign-in/code")
    assert client.post("/sign-in/code", data={"code": "123456"}).status_code == 400
    db.close()


# ---- required roles ---------------------------------------------------------------------------

@pytest.fixture
def strict_app(tmp_path):
    """The app as in production: administrators and governance leads must have a second factor."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                      "DATABASE": str(tmp_path / "register.sqlite3"), "WTF_CSRF_ENABLED": False,
                      "REQUIRE_MFA": True})
    handle = connect(app.config["DATABASE"], foreign_keys=False)
    migrate(handle)
    handle.close()
    return app


def test_the_requirement_is_on_by_default_outside_testing(tmp_path, monkeypatch):
    monkeypatch.delenv("REGISTER_REQUIRE_MFA", raising=False)
    settings = {"SECRET_KEY": "x" * 64, "DATABASE": str(tmp_path / "r.sqlite3"),
                "AUDIT_KEY_FILE": str(tmp_path / "audit_key")}
    live = create_app(settings)
    assert live.config["REQUIRE_MFA"] is True
    monkeypatch.setenv("REGISTER_REQUIRE_MFA", "false")
    demo = create_app(settings)
    assert demo.config["REQUIRE_MFA"] is False


@pytest.mark.parametrize("role", ["admin", "governance"])
def test_required_roles_must_enrol_before_using_the_register(strict_app, role):
    db = connect(strict_app.config["DATABASE"])
    add_user(db, role=role, username=role, person_id=add_person(db, name=f"{role} person"))
    client = strict_app.test_client()
    assert sign_in(client, role).status_code == 302
    for path in ("/", "/decisions/", "/account"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].endswith("/account/second-factor/set-up")
    page = client.get("/account/second-factor/set-up")
    assert "you must sign in with a code" in text(page)
    with client.session_transaction() as session:
        secret = session["enrol_secret"]
    now = steady_now()
    assert client.post("/account/second-factor/set-up",
                       data={"code": code(secret, now)}).status_code == 302
    assert client.get("/decisions/").status_code == 200
    # Their own second factor cannot be turned off.
    off = client.post("/account/second-factor/turn-off",
                      data={"turn_off-password": PASSWORD}, follow_redirects=True)
    assert "Your role must keep a second factor" in text(off)
    assert user_row(db, role)["totp_secret"] == secret
    db.close()


@pytest.mark.parametrize("role", ["member", "secretary", "auditor"])
def test_other_roles_are_not_made_to_enrol(strict_app, role):
    db = connect(strict_app.config["DATABASE"])
    add_user(db, role=role, username=role)
    client = strict_app.test_client()
    sign_in(client, role)
    assert client.get("/").status_code == 200
    db.close()


def test_a_member_turns_it_off_with_their_password_ending_other_sessions(app, db):
    add_user(db, role="member", username="member")
    now = steady_now()
    secret, _ = enrol(app, db, "member", now)
    client = app.test_client()
    password_step(client)
    client.post("/sign-in/code", data={"code": code(secret, now)})
    other = app.test_client()
    password_step(other)
    other.post("/sign-in/code", data={"code": code(secret, now, 1)})
    assert other.get("/account").status_code == 200
    refused = client.post("/account/second-factor/turn-off",
                          data={"turn_off-password": "not my password"}, follow_redirects=True)
    assert "still on" in text(refused) and user_row(db, "member")["totp_secret"] == secret
    response = client.post("/account/second-factor/turn-off",
                           data={"turn_off-password": PASSWORD}, follow_redirects=True)
    assert "Your second factor is turned off" in text(response)
    assert user_row(db, "member")["totp_secret"] is None
    assert db.execute("SELECT count(*) FROM recovery_codes").fetchone()[0] == 0
    assert len(events(db, "disable_second_factor")) == 1
    assert other.get("/account").status_code == 302
    # Now the password alone signs in.
    assert sign_in(app.test_client(), "member").headers["Location"] == "/"


# ---- the administrator's reset ------------------------------------------------------------------

def test_an_administrator_resets_a_lost_second_factor(app, db, as_role):
    admin = as_role("admin")
    add_user(db, role="governance", username="lead")
    now = steady_now()
    secret, _ = enrol(app, db, "lead", now)
    lead = app.test_client()
    password_step(lead, "lead")
    lead.post("/sign-in/code", data={"code": code(secret, now)})
    assert lead.get("/reviews/").status_code == 200
    lead_id = user_row(db, "lead")["id"]
    page = text(admin.get(f"/accounts/{lead_id}/edit"))
    assert "10 unused recovery codes" in page and "Reset second factor" in page
    response = admin.post(f"/accounts/{lead_id}/second-factor/reset", follow_redirects=True)
    assert "The second factor of lead has been reset" in text(response)
    assert user_row(db, "lead")["totp_secret"] is None
    assert db.execute("SELECT count(*) FROM recovery_codes").fetchone()[0] == 0
    reset = events(db, "reset_second_factor")
    assert len(reset) == 1 and reset[0]["actor"] == "admin"
    assert lead.get("/reviews/").status_code == 302  # their sessions ended


def test_only_administrators_reset_a_second_factor(app, db, as_role):
    lead = as_role("governance")
    enrol(app, db, "governance", steady_now())
    secretary = as_role("secretary")
    target = user_row(db, "governance")["id"]
    assert secretary.post(f"/accounts/{target}/second-factor/reset").status_code == 403
    assert user_row(db, "governance")["totp_secret"] is not None
    assert lead is not None


# ---- sign-off --------------------------------------------------------------------------------

def test_sign_off_asks_for_the_code_when_the_account_has_one(app, db, world):  # noqa: F811
    add_user(db, role="governance", username="lead",
             person_id=add_person(db, name="Governance Person"))
    now = steady_now()
    secret, codes = enrol(app, db, "lead", now)
    lead = app.test_client()
    password_step(lead, "lead")
    lead.post("/sign-in/code", data={"code": code(secret, now)})
    decision = submitted(db, world)
    ref = reference(db, decision)
    assert 'name="security_code"' in lead.get(f"/reviews/{ref}").get_data(as_text=True)

    missing = lead.post(f"/reviews/{ref}", data=sign_off_data(lead, ref))
    assert "Enter the code from your authenticator app to sign off" in text(missing)
    replayed = lead.post(f"/reviews/{ref}", data=sign_off_data(lead, ref,
                                                              security_code=code(secret, now)))
    assert "That code has already been used" in text(replayed)
    assert status_of(db, decision) == "awaiting_review"
    refusals = [e for e in events(db, "sign_off_refused") if "second factor" in e["changes"]]
    assert len(refusals) == 1
    assert db.execute("SELECT count(*) FROM sign_in_failures").fetchone()[0] == 1

    signed = lead.post(f"/reviews/{ref}", data=sign_off_data(lead, ref,
                                                            security_code=code(secret, now, 1)))
    assert signed.status_code == 302 and status_of(db, decision) == "signed_off"


def test_sign_off_accepts_a_recovery_code_once(app, db, world):  # noqa: F811
    add_user(db, role="governance", username="lead",
             person_id=add_person(db, name="Governance Person"))
    now = steady_now()
    secret, codes = enrol(app, db, "lead", now)
    lead = app.test_client()
    password_step(lead, "lead")
    lead.post("/sign-in/code", data={"code": codes[0]})
    decision = submitted(db, world)
    ref = reference(db, decision)
    reused = lead.post(f"/reviews/{ref}", data=sign_off_data(lead, ref, security_code=codes[0]))
    assert "Enter a correct code" in text(reused) and status_of(db, decision) == "awaiting_review"
    signed = lead.post(f"/reviews/{ref}", data=sign_off_data(lead, ref, security_code=codes[1]))
    assert signed.status_code == 302 and status_of(db, decision) == "signed_off"
    assert [e["changes"].count('"purpose":"sign_off"')
            for e in events(db, "recovery_code_used")] == [0, 1]


def test_sign_off_without_a_second_factor_does_not_ask_for_a_code(app, db, world, as_role):  # noqa: F811
    lead = as_role("governance")
    decision = submitted(db, world)
    ref = reference(db, decision)
    assert 'name="security_code"' not in lead.get(f"/reviews/{ref}").get_data(as_text=True)
    assert lead.post(f"/reviews/{ref}", data=sign_off_data(lead, ref)).status_code == 302
    assert status_of(db, decision) == "signed_off"
