"""Configuration layers: defaults, instance/config.py, REGISTER_* environment variables, test config."""
from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask

log = logging.getLogger("register")

# Secret keys that appear in tutorials and examples: never acceptable outside debug or testing.
KNOWN_DEFAULT_KEYS = {"", "dev", "development", "secret", "change-me", "changeme", "test"}

# WAL is safe only from SQLite 3.51.3, which fixed the WAL-reset corruption bug that can strike when
# several connections write at once; older libraries use the rollback journal.
WAL_SAFE_FROM = (3, 51, 3)

# A signing key shorter than this can be guessed offline from one signed cookie.
MIN_SECRET_KEY_BYTES = 32


def defaults(instance_path: str) -> dict[str, Any]:
    """The built-in settings; every one may be overridden by the later layers."""
    return {
        "DATABASE": os.path.join(instance_path, "register.sqlite3"),
        "SECRET_KEY": None,
        "ORGANISATION_NAME": "Northvale GP Commissioning Consortium",
        "SERVICE_NAME": "Conflicts and decisions register",
        # Far more than any form needs, enough for a full national epraccur extract.
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "LOCKOUT_THRESHOLD": 10,
        "LOCKOUT_WINDOW_SECONDS": 300,
        "LOCKOUT_SECONDS": 900,
        # Failed sign-ins from one address, whatever the names typed, before it must wait.
        "LOCKOUT_ADDRESS_THRESHOLD": 50,
        # Sessions end after this long without a request, and this long after signing in.
        "SESSION_IDLE_MINUTES": 30,
        "SESSION_MAX_HOURS": 12,
        # Where each session's last request is noted; None: beside the database file, as
        # "<database>.activity" (kept apart so that reading a page never writes the register).
        "SESSION_ACTIVITY_DATABASE": None,
        # Served over HTTPS behind a reverse proxy: ProxyFix, Secure cookies and HSTS.
        "BEHIND_HTTPS": False,
        "BUSY_TIMEOUT_MS": 10000,
        "PAGE_SIZE": 25,
        # The register of procurement decisions, a page at a time (the NHS England template's
        # columns, one decision a row).
        "REGISTER_PAGE_SIZE": 50,
        "REVIEW_TARGET_WORKING_DAYS": 5,
        "JOURNAL_MODE": None,  # None: chosen from the SQLite version
        # The audit trail's HMAC key: a file generated owner-only on first run, never in the
        # database. Point it at other storage to keep it apart from the database's backups.
        "AUDIT_KEY_FILE": os.path.join(instance_path, "audit_key"),
        # The anchor log; None: beside the database file, as "<database>.anchors".
        "AUDIT_ANCHORS": None,
        # Continuous off-machine copy through Litestream (replica.py): a path or a file:// or
        # s3:// URL. Setting it switches the database to WAL, which Litestream reads.
        "REPLICA_URL": None,
        # The Open Contracting ocid prefix of the public register's open data ("ocds-" and six
        # letters or digits, registered with the Open Contracting Partnership); None: no OCDS
        # download until it is set.
        "OCDS_PREFIX": None,
        # Single sign-on with OpenID Connect: off until an issuer and a client are set.
        "OIDC_ISSUER": None,
        "OIDC_CLIENT_ID": None,
        "OIDC_CLIENT_SECRET": None,
        "OIDC_BUTTON_TEXT": "Sign in with NHSmail",
        # Administrators and governance leads must use a second factor. None: required, except
        # in testing and where `make run` serves the demo with REGISTER_REQUIRE_MFA=false.
        "REQUIRE_MFA": None,
    }


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Apply the four layers in order and settle the secret key and journal mode."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("REGISTER")
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    if app.config["SECRET_KEY"] in KNOWN_DEFAULT_KEYS and not (app.debug or app.testing):
        raise RuntimeError(
            "Refusing to start: SECRET_KEY is a well-known default. Remove it so one is generated "
            "in the instance folder, or set REGISTER_SECRET_KEY to a long random value."
        )
    key_length = len(app.config["SECRET_KEY"].encode() if isinstance(app.config["SECRET_KEY"], str)
                     else app.config["SECRET_KEY"])
    if key_length < MIN_SECRET_KEY_BYTES:
        raise RuntimeError(
            f"Refusing to start: SECRET_KEY is {key_length} bytes long and must be at least "
            f"{MIN_SECRET_KEY_BYTES} random bytes. Remove it so one is generated in the instance "
            "folder, or set REGISTER_SECRET_KEY to the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`."
        )
    _session_settings(app)
    if app.config.get("OCDS_PREFIX") is not None:
        from .rules.publication import ocds_prefix_problem

        problem = ocds_prefix_problem(app.config["OCDS_PREFIX"])
        if problem:
            raise RuntimeError(f"Refusing to start: REGISTER_OCDS_PREFIX is wrong. {problem}.")
    if not app.config.get("AUDIT_KEY"):
        from .audit import load_key

        app.config["AUDIT_KEY"] = load_key(app.config["AUDIT_KEY_FILE"])
    elif isinstance(app.config["AUDIT_KEY"], str):  # set as hex in an environment variable
        app.config["AUDIT_KEY"] = bytes.fromhex(app.config["AUDIT_KEY"])
    if app.config.get("REQUIRE_MFA") is None:
        app.config["REQUIRE_MFA"] = not app.testing
    if not app.config.get("JOURNAL_MODE"):
        app.config["JOURNAL_MODE"] = choose_journal_mode(sqlite3.sqlite_version_info,
                                                         replica=bool(app.config["REPLICA_URL"]))


def choose_journal_mode(version: tuple[int, int, int], *, replica: bool = False) -> str:
    """WAL where the SQLite library has the WAL-reset fix, otherwise the rollback journal; and WAL
    whenever a Litestream replica is configured, because Litestream copies the write-ahead log.

    The trade: SQLite before 3.51.3 can, rarely, corrupt a WAL database when a checkpoint races
    a write that resets the log. With a replica the register accepts that small risk for a
    continuous off-machine copy that can be restored to any recent moment; without one it keeps
    the rollback journal, which has no such bug."""
    return "wal" if replica or tuple(version) >= WAL_SAFE_FROM else "delete"
def _session_settings(app: Flask) -> None:
    """Cookie lifetimes from the session limits, and Secure cookies when served over HTTPS."""
    hours = dt.timedelta(hours=float(app.config["SESSION_MAX_HOURS"]))
    # Flask refuses a session cookie signed longer ago than this, whatever the server-side record
    # says; Flask-Login's remember cookie may not outlive a session either (and opens nothing on
    # its own: register/auth/sessions.py).
    app.config["PERMANENT_SESSION_LIFETIME"] = hours
    app.config["REMEMBER_COOKIE_DURATION"] = hours
    app.config["REMEMBER_COOKIE_REFRESH_EACH_REQUEST"] = False
    if app.config["BEHIND_HTTPS"]:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True



def _instance_secret_key(instance: Path) -> str:
    """Read the instance's secret key, generating it (owner-only) on first run."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
