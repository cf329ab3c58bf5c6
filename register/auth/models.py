"""The signed-in user, and the account records behind it."""
from __future__ import annotations

import datetime as dt
import math
import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app, g
from flask_login import UserMixin
from sqlite_utils import Database

from .. import audit
from ..db import get_db, write_transaction
from ..extensions import login_manager
from ..timeutil import utcnow, utcnow_iso
from . import passwords, sessions
from .roles import ROLE_LABELS, can


@dataclass
class User(UserMixin):
    """A signed-in account. Its id carries the session token, so rotating it ends every session."""

    id: int
    username: str
    role: str
    person_id: int | None
    person_name: str | None
    session_token: str
    active: bool
    has_second_factor: bool = False
    password_allowed: bool = True

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def display_name(self) -> str:
        return self.person_name or self.username

    def can(self, capability: str) -> bool:
        """Whether this user's role has the capability."""
        return can(self.role, capability)

    @property
    def actor(self) -> str:
        """How this user is named in the audit trail."""
        return self.username


def _user_from_row(row: dict[str, Any]) -> User:
    return User(
        id=row["id"], username=row["username"], role=row["role"], person_id=row["person_id"],
        person_name=row.get("person_name"), session_token=row["session_token"],
        active=bool(row["active"]),
        has_second_factor=bool(row.get("totp_secret")),
        password_allowed=bool(row.get("password_allowed", 1)),
    )


USER_SQL = (
    "SELECT users.*, people.name AS person_name FROM users "
    "LEFT JOIN people ON people.id = users.person_id "
)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Find the account for a session; a stale token or a disabled account ends the session."""
    ident, _, token = user_id.partition(":")
    if not ident.isdecimal() or not token:
        return None
    row = next(iter(get_db().query(USER_SQL + "WHERE users.id = ?", [int(ident)])), None)
    if row is None or not row["active"] or not secrets.compare_digest(row["session_token"], token):
        return None
    # The server-side session must be open, not idle too long and not too old (auth/sessions.py):
    # a cookie, or Flask-Login's remember cookie, opens nothing on its own.
    session_id = sessions.current_id(get_db(), row["id"])
    if session_id is None:
        return None
    g.session_id = session_id
    return _user_from_row(row)


def find_by_username(db: Database, username: str) -> dict[str, Any] | None:
    """The account row for a username, ignoring case."""
    return next(iter(db.query(USER_SQL + "WHERE users.username = ?", [username.strip()])), None)


def create_user(db: Database, *, username: str, password: str, role: str,
                person_id: int | None = None, actor: str = "system") -> int:
    """Create an account (the password is checked and hashed here)."""
    now = utcnow_iso()
    record = {
        "username": username.strip(), "password_hash": passwords.hash_password(password),
        "role": role, "person_id": person_id, "active": 1,
        "session_token": secrets.token_urlsafe(24), "created_at": now, "version": 1,
    }
    with write_transaction(db):
        user_id = db["users"].insert(record).last_pk
        audit.record(db, actor=actor, action="create", entity="user", entity_id=user_id,
                     after={k: v for k, v in record.items() if k != "password_hash"})
    return user_id


def rotate_session_token(db: Database, user_id: int, reason: str = "signed out") -> None:
    """End every session of an account at once (inside the caller's transaction)."""
    db.execute("UPDATE users SET session_token = ? WHERE id = ?",
               [secrets.token_urlsafe(24), user_id])
    sessions.end_all(db, user_id, reason)


# ---- failed sign-in counting, kept in the database so a restart does not reset it ----
#
# A name locks only for the address its failures came from, so nobody can lock somebody else out
# from one address; each address also has a limit over every name it tries (a global throttle).

LOCKED_OUT = "There have been too many attempts to sign in with this username. Try again later."


def _minutes(remaining: dt.timedelta) -> str:
    minutes = max(1, math.ceil(remaining.total_seconds() / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def refusal(db: Database, username: str, address: str) -> str | None:
    """Why a password may not be tried now for this name from this address, or None."""
    remaining = lock_remaining(db, username, address)
    if remaining:
        return (f"There have been too many attempts to sign in with this username. "
                f"Try again in {_minutes(remaining)}.")
    wait = address_wait(db, address)
    if wait:
        return (f"There have been too many failed sign-ins from your network. "
                f"Try again in {_minutes(wait)}.")
    return None


def lock_remaining(db: Database, username: str, address: str = "") -> dt.timedelta | None:
    """How long the name typed stays locked at this address, or None if it is not locked."""
    row = next(iter(db.query("SELECT locked_until FROM sign_in_locks WHERE username = ? "
                             "AND address = ?", [username.strip(), address])), None)
    if row is None:
        return None
    until = dt.datetime.fromisoformat(row["locked_until"])
    now = utcnow()
    return until - now if until > now else None


def address_wait(db: Database, address: str) -> dt.timedelta | None:
    """How long this address must wait after too many failures under any names, or None."""
    config = current_app.config
    now = utcnow()
    window = dt.timedelta(seconds=config["LOCKOUT_WINDOW_SECONDS"])
    rows = db.execute("SELECT at FROM sign_in_failures WHERE address = ? AND at >= ? "
                      "ORDER BY at DESC LIMIT ?",
                      [address, (now - window).isoformat(),
                       int(config["LOCKOUT_ADDRESS_THRESHOLD"])]).fetchall()
    if len(rows) < int(config["LOCKOUT_ADDRESS_THRESHOLD"]):
        return None
    # Free again once the oldest of the last THRESHOLD failures leaves the window.
    wait = dt.datetime.fromisoformat(rows[-1][0]) + window - now
    return wait if wait > dt.timedelta(0) else None


def note_failure(db: Database, username: str, address: str = "") -> bool:
    """Count a failed password (sign-in or sign-off); True when it locks the name at this address."""
    config = current_app.config
    name = username.strip()
    now = utcnow()
    window_start = (now - dt.timedelta(seconds=config["LOCKOUT_WINDOW_SECONDS"])).isoformat()
    with write_transaction(db):
        db["sign_in_failures"].insert({"username": name, "address": address, "at": now.isoformat()})
        count = db.execute(
            "SELECT count(*) FROM sign_in_failures WHERE username = ? AND address = ? AND at >= ?",
            [name, address, window_start],
        ).fetchone()[0]
        if count > config["LOCKOUT_THRESHOLD"]:
            until = (now + dt.timedelta(seconds=config["LOCKOUT_SECONDS"])).isoformat()
            db.execute(
                "INSERT INTO sign_in_locks (username, address, locked_until) VALUES (?, ?, ?) "
                "ON CONFLICT(username, address) DO UPDATE SET locked_until = excluded.locked_until",
                [name, address, until],
            )
            audit.record(db, actor=name or "(blank)", action="lock", entity="sign_in",
                         entity_id=name, changes={"failed_attempts": count, "address": address})
            return True
    return False


def clear_failures(db: Database, username: str, address: str | None = None) -> None:
    """Forget a name's failures: at one address after it signs in there, or everywhere (None)."""
    name = username.strip()
    where, params = ("username = ?", [name]) if address is None else (
        "username = ? AND address = ?", [name, address])
    with write_transaction(db):
        db.execute(f"DELETE FROM sign_in_failures WHERE {where}", params)
        db.execute(f"DELETE FROM sign_in_locks WHERE {where}", params)
