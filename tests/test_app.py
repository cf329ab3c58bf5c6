"""Configuration, connections, CSRF, request limits and the flask commands."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from register import audit, create_app
from register.config import choose_journal_mode
from register.db import connect, migrate

from .conftest import add_committee, add_user, sign_in


def test_config_layers(tmp_path, monkeypatch):
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text("ORGANISATION_NAME = 'From instance'\nPAGE_SIZE = 7\n")
    monkeypatch.setenv("REGISTER_PAGE_SIZE", "9")
    from flask import Flask

    from register import config

    app = Flask("register", instance_path=str(instance), instance_relative_config=True)
    config.load(app, {"LOCKOUT_THRESHOLD": 3})
    assert app.config["ORGANISATION_NAME"] == "From instance"
    assert app.config["PAGE_SIZE"] == 9  # the environment beats the instance file
    assert app.config["LOCKOUT_THRESHOLD"] == 3  # the test config beats everything


def test_secret_key_generated_once_into_instance(tmp_path):
    from flask import Flask

    from register import config

    app = Flask("register", instance_path=str(tmp_path / "i"), instance_relative_config=True)
    config.load(app, None)
    key = app.config["SECRET_KEY"]
    assert len(key) == 64
    assert (tmp_path / "i" / "secret_key").stat().st_mode & 0o077 == 0
    again = Flask("register", instance_path=str(tmp_path / "i"), instance_relative_config=True)
    config.load(again, None)
    assert again.config["SECRET_KEY"] == key


def test_refuses_a_known_default_key_outside_testing(tmp_path, monkeypatch):
    monkeypatch.setenv("REGISTER_SECRET_KEY", "dev")
    with pytest.raises(RuntimeError, match="well-known default"):
        create_app({"DATABASE": str(tmp_path / "x.sqlite3")})


@pytest.mark.parametrize("version, mode", [
    ((3, 40, 1), "delete"), ((3, 51, 2), "delete"), ((3, 51, 3), "wal"), ((3, 52, 0), "wal"),
])
def test_journal_mode_follows_the_sqlite_version(version, mode):
    assert choose_journal_mode(version) == mode


def test_every_connection_has_the_settings(app):
    db = connect(app.config["DATABASE"], journal_mode=app.config["JOURNAL_MODE"])
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 10000
    expected = "wal" if sqlite3.sqlite_version_info >= (3, 51, 3) else "delete"
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == expected
    db.close()


def test_templates_are_compiled_once_and_reloaded_only_when_debugging(app):
    assert app.jinja_env.auto_reload is False
    debugging = create_app({"TESTING": True, "DEBUG": True, "DATABASE": app.config["DATABASE"],
                            "SECRET_KEY": "test-secret-key-not-for-production"})
    assert debugging.jinja_env.auto_reload is True


def test_post_without_csrf_token_is_refused(csrf_app):
    db = connect(csrf_app.config["DATABASE"])
    add_user(db, role="secretary", username="sec")
    db.close()
    client = csrf_app.test_client()
    response = client.post("/sign-in", data={"username": "sec", "password": "x" * 20})
    assert response.status_code == 400
    assert b"nothing was saved" in response.data


def test_post_with_csrf_token_is_accepted(csrf_app):
    import re

    db = connect(csrf_app.config["DATABASE"])
    add_user(db, role="secretary", username="sec")
    db.close()
    client = csrf_app.test_client()
    page = client.get("/sign-in").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/sign-in", data={"username": "sec", "password": "correct horse battery",
                                             "csrf_token": token})
    assert response.status_code == 302


def test_request_body_far_too_large_is_refused(client):
    response = client.post("/sign-in", data={"username": "x" * (9 * 1024 * 1024)})
    assert response.status_code == 413
    assert b"too large" in response.data


def test_security_headers(client):
    response = client.get("/sign-in")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_init_db_is_idempotent(runner, app):
    first = runner.invoke(args=["init-db"])
    assert first.exit_code == 0
    assert "up to date" in first.output


@pytest.fixture
def serve_calls(monkeypatch):
    """Stands in for waitress so a test can see whether serving would have started (and with
    which switch interval); puts back the interpreter's settings serving changes."""
    import gc
    import sys

    import waitress

    calls: list[dict] = []
    switching = sys.getswitchinterval()
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: calls.append(
        {**kw, "switch_interval": sys.getswitchinterval()}))
    yield calls
    sys.setswitchinterval(switching)
    gc.unfreeze()


def test_serve_refuses_while_migrations_are_pending(tmp_path, serve_calls):
    from register.migrations import migrations

    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                      "DATABASE": str(tmp_path / "old.sqlite3")})
    db = connect(app.config["DATABASE"], foreign_keys=False)
    migrations.apply(db, stop_before="m002_decisions")  # a database from an older release
    db.close()
    result = app.test_cli_runner().invoke(args=["serve", "--port", "5830"])
    assert result.exit_code == 1
    assert "Run `flask --app register init-db` first" in result.output
    assert "m002_decisions" in result.output
    assert serve_calls == []


def test_serve_refuses_when_there_is_no_database(tmp_path, serve_calls):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                      "DATABASE": str(tmp_path / "missing.sqlite3")})
    result = app.test_cli_runner().invoke(args=["serve"])
    assert result.exit_code == 1
    assert "There is no database" in result.output and "init-db" in result.output
    assert not (tmp_path / "missing.sqlite3").exists()
    assert serve_calls == []


def test_serve_starts_once_the_database_is_up_to_date(runner, serve_calls):
    result = runner.invoke(args=["serve", "--port", "5830"])
    assert result.exit_code == 0, result.output
    # Threads hand the interpreter's lock over every millisecond while serving, so waitress's
    # reading and sending thread is not kept waiting behind the page threads.
    assert serve_calls == [{"host": "127.0.0.1", "port": 5830, "threads": 8,
                            "switch_interval": 0.001}]


def test_serve_can_migrate_and_load_the_demo_first_in_one_process(tmp_path, serve_calls):
    """`make run` asks serve to do init-db and demo-data --if-empty itself: one start, not three."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                      "DATABASE": str(tmp_path / "fresh.sqlite3"),
                      "AUDIT_KEY_FILE": str(tmp_path / "audit_key")})
    first = app.test_cli_runner().invoke(args=["serve", "--init-db", "--demo-if-empty",
                                               "--port", "5831"])
    assert first.exit_code == 0, first.output
    assert "Applied" in first.output and "Loaded the demo consortium" in first.output
    again = app.test_cli_runner().invoke(args=["serve", "--init-db", "--demo-if-empty",
                                               "--port", "5831"])
    assert again.exit_code == 0, again.output
    assert "up to date" in again.output and "demo data not loaded" in again.output
    assert serve_calls == [{"host": "127.0.0.1", "port": 5831, "threads": 8,
                            "switch_interval": 0.001}] * 2


def test_backup_makes_a_checked_copy(runner, app, db, tmp_path):
    add_user(db, role="admin", username="boss")
    target = tmp_path / "copy.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "integrity check: ok" in result.output
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT username FROM users").fetchall() == [("boss",)]
    copy.close()
    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code != 0 and "already exists" in again.output


def test_create_user_command(runner, db):
    result = runner.invoke(args=["create-user", "--username", "clerk", "--role", "secretary",
                                 "--password", "a sensible passphrase"])
    assert result.exit_code == 0, result.output
    assert db["users"].count == 1
    short = runner.invoke(args=["create-user", "--username", "c2", "--role", "secretary",
                                "--password", "short"])
    assert short.exit_code != 0 and "12 characters" in short.output


def test_verify_audit_passes_then_names_a_tampered_event(runner, app, db):
    add_user(db, role="admin", username="boss")
    add_user(db, role="member", username="mem")
    # A register's anchor log is started by init-db and kept by anchor-audit.
    assert runner.invoke(args=["anchor-audit"]).exit_code == 0
    ok = runner.invoke(args=["verify-audit"])
    assert ok.exit_code == 0, ok.output
    head = audit.verify(db).head_hash
    assert f"2 events verified. Head hash: {head}" in ok.output
    raw = sqlite3.connect(app.config["DATABASE"])
    raw.execute("DROP TRIGGER audit_events_no_update")
    raw.execute("UPDATE audit_events SET actor = 'someone else' WHERE seq = 1")
    raw.commit()
    raw.close()
    bad = runner.invoke(args=["verify-audit"])
    assert bad.exit_code == 1
    assert "Audit event 1 does not verify" in bad.output


def test_audit_events_cannot_be_changed_through_sql(db):
    add_user(db, role="admin", username="boss")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE audit_events SET actor = 'x'")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("DELETE FROM audit_events")


def test_every_command_has_help(app):
    for name, command in app.cli.commands.items():
        if name in {"run", "shell", "routes"}:
            continue
        assert command.help and len(command.help) > 10, name


def test_every_route_checks_sign_in(app):
    """Every page except sign-in, public pages and static files sends a visitor to sign in."""
    client = app.test_client()
    # Signing in itself, and single sign-on's two steps (a 404 here: no provider is configured,
    # see test_auth_sso for them with one).
    public = {"auth.sign_in", "auth.sso_start", "auth.sso_callback", "static"}
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in public or rule.endpoint.startswith("public"):
            continue
        url = rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        assert response.status_code == 302, (rule.endpoint, response.status_code)
        assert "/sign-in" in response.location, rule.endpoint
        checked += 1
    assert checked > 90


def test_signed_in_home(client, db):
    add_user(db, role="auditor", username="aud")
    sign_in(client, "aud")
    assert b"Auditor" in client.get("/").data


ODD_NUMBERS = ["%C2%B2", "99999999999999999999999999", "-1", "1e3", "%EF%BC%91"]
ODD_NUMBER_PATHS = [
    "/people/?page={n}", "/organisations/?page={n}", "/committees/?page={n}",
    "/decisions/?page={n}", "/decisions/register?page={n}", "/decisions/register?committee={n}",
    "/decisions/register.csv?committee={n}", "/organisations/links/new?member_id={n}",
    "/organisations/links/new?parent_id={n}", "/interests/?page={n}", "/reviews/?page={n}",
    "/organisations/{n}", "/people/{n}", "/committees/{n}", "/interests/{n}",
    "/interests/person/{n}",
]


@pytest.mark.parametrize("number", ODD_NUMBERS)
def test_odd_numbers_in_addresses_never_break_a_page(app, db, number):
    """A superscript ² (which Python calls a digit but int() refuses), a number too large for
    the database, negatives and full-width digits: each page answers without a server error."""
    add_user(db, role="admin", username="odd-admin")
    client = app.test_client()
    assert sign_in(client, "odd-admin").status_code == 302
    for path in ODD_NUMBER_PATHS:
        response = client.get(path.format(n=number))
        assert response.status_code in (200, 302, 400, 403, 404), (path, number)


def test_init_db_brings_an_older_databases_stale_flags_up_to_date(tmp_path, serve_calls):
    """A database from before flags were kept at write time: its triggers left a decision stale.
    Migrating lists it; serve asks for init-db until init-db has recomputed it, once."""
    from register.migrations import migrations

    from .conftest import add_committee, add_organisation, add_person

    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                      "DATABASE": str(tmp_path / "old.sqlite3")})
    db = connect(app.config["DATABASE"], foreign_keys=False)
    migrations.apply(db, stop_before="m012_audit_keyed")
    practice = add_organisation(db, "Riverside Surgery", ods_code="Y90001", is_member_practice=1)
    gp = add_person(db, "Dr Asha Patel", home_practice_id=practice)
    committee = add_committee(db)
    now = "2026-01-01T00:00:00+00:00"
    decision = db["decisions"].insert({
        "reference": "MOB-2026-0001", "title": "Anticoagulation", "committee_id": committee,
        "meeting_date": "2026-03-10", "status": "draft", "created_at": now, "updated_at": now,
        }).last_pk
    db["decision_providers"].insert({"decision_id": decision, "organisation_id": practice})
    db["decision_participants"].insert({"decision_id": decision, "person_id": gp,
                                        "role": "voting"})
    assert db.execute("SELECT flags_stale FROM decisions").fetchone()[0] == 1
    migrate(db)  # as any command does: the stale decision is listed, not yet recomputed
    db.close()
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["serve", "--port", "5830"])
    assert refused.exit_code == 1 and "init-db" in refused.output
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Brought the flags of 1 decision(s) up to date." in result.output
    db = connect(app.config["DATABASE"])
    assert db.execute("SELECT flag_count > 0, flags_computed_at IS NOT NULL FROM decisions"
                      ).fetchone() == (1, 1)
    assert not db["flags_to_refresh"].exists()
    assert "flags_stale" not in db["decisions"].columns_dict
    # The organisation written before names had keys gained its key in the migration.
    assert db.execute("SELECT name_key FROM organisations").fetchone()[0] == "riverside surgery"
    db.close()
    assert "Brought the flags" not in runner.invoke(args=["init-db"]).output
    assert runner.invoke(args=["serve", "--port", "5830"]).exit_code == 0


@pytest.mark.parametrize("key", ["abc", "x" * 31, "test-secret-key"])
def test_refuses_a_secret_key_shorter_than_32_bytes(tmp_path, key):
    with pytest.raises(RuntimeError, match="at least 32 random bytes"):
        create_app({"TESTING": True, "SECRET_KEY": key, "DATABASE": str(tmp_path / "x.sqlite3")})


def test_accepts_a_32_byte_key_and_the_generated_one(tmp_path):
    create_app({"TESTING": True, "SECRET_KEY": "k" * 32, "DATABASE": str(tmp_path / "x.sqlite3")})
    generated = create_app({"TESTING": True, "DATABASE": str(tmp_path / "y.sqlite3")})
    assert len(generated.config["SECRET_KEY"]) == 64


@pytest.mark.parametrize("host, warned", [
    ("127.0.0.1", False), ("localhost", False), ("::1", False), ("0.0.0.0", True),
    ("192.168.1.20", True), ("register.example.nhs.uk", True),
])
def test_serve_warns_on_a_network_address_without_https(runner, serve_calls, host, warned):
    result = runner.invoke(args=["serve", "--host", host, "--port", "5830"])
    assert result.exit_code == 0, result.output
    assert ("REGISTER_BEHIND_HTTPS=true" in result.output) is warned
    assert serve_calls[0]["host"] == host


def test_serve_does_not_warn_behind_https(tmp_path, serve_calls):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                      "DATABASE": str(tmp_path / "r.sqlite3"), "BEHIND_HTTPS": True})
    db = connect(app.config["DATABASE"], foreign_keys=False)
    migrate(db)
    db.close()
    result = app.test_cli_runner().invoke(args=["serve", "--host", "0.0.0.0", "--port", "5830"])
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.output


def test_behind_https_secure_cookies_and_hsts(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                      "DATABASE": str(tmp_path / "r.sqlite3"), "BEHIND_HTTPS": True,
                      "WTF_CSRF_ENABLED": False})
    db = connect(app.config["DATABASE"], foreign_keys=False)
    migrate(db)
    db.close()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    client = app.test_client()
    response = client.get("/sign-in", headers={"X-Forwarded-Proto": "https",
                                               "X-Forwarded-For": "203.0.113.9"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_hsts_without_https(client):
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers


@pytest.mark.parametrize(("role", "path", "label"), [
    ("secretary", "/decisions/", "Decisions, scrolls sideways"),
    ("governance", "/reviews/", "Governance queue, scrolls sideways"),
    ("secretary", "/decisions/register", "Register of procurement decisions, scrolls sideways"),
])
def test_wide_lists_keep_the_page_width_and_scroll_inside_their_box(db, as_role, role, path,
                                                                     label):
    """The header's width container holds the page, so its left edge is the header's; the
    table scrolls inside a focusable, named region instead of widening the page."""
    from .conftest import add_committee, add_decision, add_organisation

    practice = add_organisation(db, "Riverside Surgery", ods_code="Y90001", is_member_practice=1)
    add_decision(db, add_committee(db), providers=(practice,), status="awaiting_review",
                 submitted_at="2026-03-02T10:00:00+00:00")
    html = as_role(role).get(path).get_data(as_text=True)
    main = html[html.index("</header>"):html.index('<main class="nhsuk-main-wrapper"')]
    assert '<div class="nhsuk-width-container">' in main
    assert "app-width-container-wide" not in html
    assert (f'<div class="app-table-wrap" tabindex="0" role="region" aria-label="{label}">'
            in html)


def test_starting_the_app_loads_no_pdf_library(tmp_path):
    """The PDF library (and the imaging one it brings) is loaded when a PDF is first made, not at
    start: every command, `verify-audit` included, and every server start would pay for it."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from register import create_app\n"
        f"create_app({{'TESTING': True, 'SECRET_KEY': 'x' * 40,"
        f" 'DATABASE': {str(tmp_path / 'r.sqlite3')!r},"
        f" 'AUDIT_KEY_FILE': {str(tmp_path / 'audit_key')!r}}})\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'reportlab', 'PIL', 'svglib'}))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, cwd=str(Path(__file__).resolve().parent.parent))
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(("path", "role"), [
    ("/gifts/declare", "admin"), ("/breaches/new", "governance"),
    ("/campaigns/new", "governance"), ("/decisions/new", "secretary"),
    ("/interests/declare", "admin")])
def test_a_form_with_errors_says_error_once_in_the_title(as_role, db, path, role):
    """A page whose form has errors begins its title with "Error: " once, whether the page or
    the layout adds it."""
    add_committee(db)
    client = as_role(role)
    response = client.post(path, data={})
    html = response.get_data(as_text=True)
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert response.status_code == 200 and title.startswith("Error: "), (path, title)
    assert "Error: Error:" not in title, (path, title)
