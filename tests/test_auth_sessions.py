"""Server-side sessions: limits enforced on every request, ended by the events that must end them,
old, forged and remember cookies refused, and reading pages never writing the register."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from register import create_app
from register.auth import sessions
from register.db import connect, migrate
from register.rules import sessions as rules

from .conftest import PASSWORD, add_user, data_version, sign_in

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


# ---- the pure rule ----

@pytest.mark.parametrize("created_ago, seen_ago, expected", [
    (dt.timedelta(minutes=5), dt.timedelta(minutes=1), None),
    (dt.timedelta(minutes=40), dt.timedelta(minutes=29, seconds=59), None),
    (dt.timedelta(minutes=40), dt.timedelta(minutes=30), rules.IDLE),
    (dt.timedelta(hours=8), dt.timedelta(hours=8), rules.IDLE),
    (dt.timedelta(hours=11, minutes=59), dt.timedelta(minutes=1), None),
    (dt.timedelta(hours=12), dt.timedelta(minutes=1), rules.TOO_OLD),
    (dt.timedelta(days=30), dt.timedelta(days=30), rules.TOO_OLD),
])
def test_expiry(created_ago, seen_ago, expected):
    assert rules.expiry(NOW - created_ago, NOW - seen_ago, NOW, idle_minutes=30,
                        max_hours=12) == expected


def test_ended_words():
    assert "30 minutes without activity" in rules.ended_words(rules.IDLE, idle_minutes=30,
                                                              max_hours=12)
    assert "more than 12 hours ago" in rules.ended_words(rules.TOO_OLD, idle_minutes=30,
                                                         max_hours=12)


# ---- helpers ----

def _signed_in(app, db, username="sec", role="secretary", address="127.0.0.1",
               agent="Test browser 1.0"):
    if not db.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
        add_user(db, role=role, username=username)
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": address, "HTTP_USER_AGENT": agent})
    assert sign_in(client, username).status_code == 302
    return client


def _session_rows(db, username="sec"):
    return [dict(r) for r in db.query(
        "SELECT sessions.* FROM sessions JOIN users ON users.id = sessions.user_id "
        "WHERE users.username = ? ORDER BY sessions.id", [username])]


def _age(app, db, session_id, *, created_ago, seen_ago):
    """Move a session back in time, as if it had been started and last used that long ago."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    db.execute("UPDATE sessions SET created_at = ?, last_seen_at = ? WHERE id = ?",
               [(now - created_ago).isoformat(), (now - created_ago).isoformat(), session_id])
    sessions.note_activity(app.config, session_id, now - seen_ago)


def _old_cookie(app, data: dict, age: dt.timedelta, key: str | None = None) -> str:
    """A session cookie holding `data`, signed `age` ago (or with another key)."""
    interface = SecureCookieSessionInterface()
    signed_at = int(time.time() - age.total_seconds())

    class SignedThen(TimestampSigner):
        def get_timestamp(self) -> int:
            return signed_at

    serializer = URLSafeTimedSerializer(
        key or app.secret_key, salt=interface.salt, serializer=interface.serializer,
        signer=SignedThen, signer_kwargs={"key_derivation": interface.key_derivation,
                                          "digest_method": interface.digest_method})
    return serializer.dumps(data)


def _cookie_data(app, client) -> dict:
    interface = SecureCookieSessionInterface()
    return dict(interface.get_signing_serializer(app).loads(client.get_cookie("session").value))


# ---- starting and recording ----

def test_sign_in_records_a_session_with_address_and_browser(app, db):
    _signed_in(app, db, address="198.51.100.7", agent="Mozilla/5.0 (Test)")
    [row] = _session_rows(db)
    assert row["address"] == "198.51.100.7"
    assert row["user_agent"] == "Mozilla/5.0 (Test)"
    assert row["ended_at"] is None
    # Only the hash of the session key is stored.
    assert len(row["token_hash"]) == 64


def test_behind_https_the_address_is_the_browsers(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                      "DATABASE": str(tmp_path / "r.sqlite3"), "BEHIND_HTTPS": True,
                      "WTF_CSRF_ENABLED": False})
    handle = connect(app.config["DATABASE"], foreign_keys=False)
    migrate(handle)
    add_user(handle, role="secretary", username="sec")
    client = app.test_client()
    response = client.post("/sign-in", data={"username": "sec", "password": PASSWORD},
                           headers={"X-Forwarded-For": "203.0.113.9",
                                    "X-Forwarded-Proto": "https"})
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]
    assert _session_rows(handle)[0]["address"] == "203.0.113.9"
    handle.close()


def test_reading_pages_never_writes_the_register(app, db):
    client = _signed_in(app, db)
    [row] = _session_rows(db)
    # Long enough since the last note that this request notes its activity (in the side file).
    _age(app, db, row["id"], created_ago=dt.timedelta(minutes=5),
         seen_ago=dt.timedelta(minutes=5))
    before = data_version(db)
    for url in ("/", "/account", "/interests/"):
        assert client.get(url).status_code == 200
    assert data_version(db) == before
    seen = sessions.last_seen(app.config, [row["id"]])[str(row["id"])]
    assert dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(seen) < dt.timedelta(minutes=1)


# ---- limits ----

def test_an_idle_session_no_longer_opens_pages(app, db):
    client = _signed_in(app, db)
    [row] = _session_rows(db)
    _age(app, db, row["id"], created_ago=dt.timedelta(hours=1),
         seen_ago=dt.timedelta(minutes=31))
    response = client.get("/account")
    assert response.status_code == 302 and "/sign-in" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert "signed out after 30 minutes without activity" in page
    # The cookie no longer opens pages even once the record looks fresh again.
    _age(app, db, row["id"], created_ago=dt.timedelta(minutes=1),
         seen_ago=dt.timedelta(minutes=1))
    assert client.get("/account").status_code == 302


def test_activity_keeps_a_session_open(app, db):
    client = _signed_in(app, db)
    [row] = _session_rows(db)
    _age(app, db, row["id"], created_ago=dt.timedelta(hours=3),
         seen_ago=dt.timedelta(minutes=29))
    assert client.get("/account").status_code == 200


def test_a_session_ends_twelve_hours_after_sign_in_whatever_the_activity(app, db):
    client = _signed_in(app, db)
    [row] = _session_rows(db)
    _age(app, db, row["id"], created_ago=dt.timedelta(hours=12, minutes=1),
         seen_ago=dt.timedelta(seconds=10))
    response = client.get("/")
    assert response.status_code == 302
    assert "more than 12 hours ago" in client.get(response.location).get_data(as_text=True)


def test_the_limits_are_settings(app, db):
    app.config["SESSION_IDLE_MINUTES"] = 5
    client = _signed_in(app, db)
    [row] = _session_rows(db)
    _age(app, db, row["id"], created_ago=dt.timedelta(minutes=10),
         seen_ago=dt.timedelta(minutes=6))
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("age", [dt.timedelta(hours=8), dt.timedelta(days=7),
                                 dt.timedelta(days=30)])
def test_a_cookie_signed_long_ago_no_longer_opens_pages(app, db, age):
    client = _signed_in(app, db)
    data = _cookie_data(app, client)
    [row] = _session_rows(db)
    # The browser kept the cookie that long; the server saw the session last when it was signed.
    _age(app, db, row["id"], created_ago=age, seen_ago=age)
    replay = app.test_client()
    replay.set_cookie("session", _old_cookie(app, data, age))
    assert replay.get("/").status_code == 302


def test_a_cookie_older_than_the_absolute_limit_is_refused_even_if_the_record_is_open(app, db):
    client = _signed_in(app, db)
    data = _cookie_data(app, client)
    replay = app.test_client()
    replay.set_cookie("session", _old_cookie(app, data, dt.timedelta(hours=13)))
    assert replay.get("/").status_code == 302
    # The same data signed now opens the page: it is the signature's age that was refused.
    fresh = app.test_client()
    fresh.set_cookie("session", _old_cookie(app, data, dt.timedelta(seconds=0)))
    assert fresh.get("/").status_code == 200


def test_a_forged_cookie_is_refused(app, db):
    client = _signed_in(app, db)
    data = _cookie_data(app, client)
    forged = app.test_client()
    forged.set_cookie("session", _old_cookie(app, data, dt.timedelta(0),
                                             key="another-key-of-the-same-length-as-any"))
    assert forged.get("/").status_code == 302


def test_a_cookie_without_a_server_side_session_is_refused(app, db):
    client = _signed_in(app, db)
    data = _cookie_data(app, client)
    data.pop(sessions.SESSION_KEY)
    stripped = app.test_client()
    stripped.set_cookie("session", _old_cookie(app, data, dt.timedelta(0)))
    assert stripped.get("/").status_code == 302
    data[sessions.SESSION_KEY] = "made-up-session-key"
    invented = app.test_client()
    invented.set_cookie("session", _old_cookie(app, data, dt.timedelta(0)))
    assert invented.get("/").status_code == 302


def test_a_remember_cookie_does_not_get_around_the_session(app, db):
    from flask_login.utils import _cookie_digest

    client = _signed_in(app, db)
    user_id = _cookie_data(app, client)["_user_id"]
    with app.test_request_context():
        remember = f"{user_id}|{_cookie_digest(user_id)}"
    other = app.test_client()
    other.set_cookie(app.config.get("REMEMBER_COOKIE_NAME", "remember_token"), remember)
    assert other.get("/").status_code == 302
    assert app.config["REMEMBER_COOKIE_DURATION"] == dt.timedelta(hours=12)
    assert app.config["REMEMBER_COOKIE_REFRESH_EACH_REQUEST"] is False


# ---- ending ----

def test_sign_out_ends_every_session_of_the_account(app, db):
    first = _signed_in(app, db, agent="Browser one")
    second = _signed_in(app, db, agent="Browser two")
    assert second.get("/").status_code == 200
    first.post("/sign-out")
    assert second.get("/").status_code == 302
    assert {r["ended_reason"] for r in _session_rows(db)} == {"signed out"}


def test_a_password_change_ends_every_session_and_starts_a_new_one_here(app, db):
    here = _signed_in(app, db, agent="Here")
    there = _signed_in(app, db, agent="There")
    response = here.post("/account", data={"current_password": PASSWORD,
                                           "new_password": "fine tundra marmalade",
                                           "confirm_password": "fine tundra marmalade"})
    assert response.status_code == 302
    assert there.get("/").status_code == 302
    assert here.get("/").status_code == 200
    rows = _session_rows(db)
    assert [r["ended_reason"] for r in rows] == ["password changed", "password changed", None]


def test_a_role_change_ends_the_accounts_sessions(app, db):
    admin = _signed_in(app, db, username="boss", role="admin")
    member = _signed_in(app, db, username="mem", role="member")
    member_id = db.execute("SELECT id FROM users WHERE username = 'mem'").fetchone()[0]
    response = admin.post(f"/accounts/{member_id}/edit", data={"role": "auditor", "person_id": ""})
    assert response.status_code == 302
    assert member.get("/").status_code == 302
    assert _session_rows(db, "mem")[0]["ended_reason"] == "role changed"
    # Saving without a role change leaves sessions alone.
    again = _signed_in(app, db, username="mem")
    admin.post(f"/accounts/{member_id}/edit", data={"role": "auditor", "person_id": ""})
    assert again.get("/").status_code == 200


def test_disabling_an_account_ends_its_session_records(app, db):
    admin = _signed_in(app, db, username="boss", role="admin")
    member = _signed_in(app, db, username="mem", role="member")
    member_id = db.execute("SELECT id FROM users WHERE username = 'mem'").fetchone()[0]
    admin.post(f"/accounts/{member_id}/disable")
    assert member.get("/").status_code == 302
    assert _session_rows(db, "mem")[0]["ended_reason"] == "account disabled"


def test_my_account_lists_sessions_and_ends_the_others(app, db):
    here = _signed_in(app, db, address="198.51.100.1", agent="Browser here")
    there = _signed_in(app, db, address="198.51.100.2", agent="Browser there")
    page = here.get("/account").get_data(as_text=True)
    assert "Your sessions" in page
    assert "198.51.100.1" in page and "198.51.100.2" in page
    assert "This session" in page and "Active" in page
    response = here.post("/account/sessions/end-others")
    assert response.status_code == 302
    assert "Signed out 1 other session." in here.get("/account").get_data(as_text=True)
    assert there.get("/").status_code == 302
    assert here.get("/").status_code == 200
    rows = _session_rows(db)
    assert [r["ended_reason"] for r in rows] == [None, "signed out from another session"]


def test_user_text_in_the_sessions_list_is_escaped(app, db):
    client = _signed_in(app, db, agent="<script>alert(1)</script>")
    page = client.get("/account").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_ending_other_sessions_needs_csrf(csrf_app):
    handle = connect(csrf_app.config["DATABASE"])
    add_user(handle, role="secretary", username="sec")
    handle.close()
    client = csrf_app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    client.post("/sign-in", data={"username": "sec", "password": PASSWORD,
                                  "csrf_token": token.group(1)})
    assert client.post("/account/sessions/end-others").status_code == 400


def test_activity_problems_do_not_break_pages(app, db, tmp_path):
    app.config["SESSION_ACTIVITY_DATABASE"] = str(tmp_path / "missing-folder" / "activity")
    client = _signed_in(app, db)
    assert client.get("/").status_code == 200


def test_the_activity_file_is_beside_the_database(app):
    assert sessions.activity_path(app.config) == app.config["DATABASE"] + ".activity"


# ---- confirming who you are at the identity provider (pure rules) -----------------------------

def test_a_provider_answer_confirms_only_a_sign_in_made_just_now():
    now = 1_800_000_000.0
    assert rules.reauthentication_problem(int(now) - 10, now) is None
    assert rules.reauthentication_problem(int(now) + 30, now) is None  # clocks a little apart
    assert rules.reauthentication_problem(None, now) == rules.NO_AUTH_TIME
    assert rules.reauthentication_problem(int(now) - 301, now) == rules.NOT_FRESH
    assert rules.reauthentication_problem(int(now) + 120, now) == rules.NOT_FRESH


def test_a_confirmation_lasts_ten_minutes():
    now = 1_800_000_000.0
    assert rules.confirmation_in_force(now - 599, now)
    assert not rules.confirmation_in_force(now - 601, now)
    assert not rules.confirmation_in_force(None, now)
    assert not rules.confirmation_in_force(now + 5, now)
