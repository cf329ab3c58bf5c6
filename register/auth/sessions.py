"""Server-side sessions: one record per sign-in, checked on every request, ended at once by
signing out, a password change, disabling the account or a role change.

The browser's signed cookie carries a random session key; the register keeps only its SHA-256 in
the `sessions` table, written when a session starts or ends (both POSTs). Each request's time is
noted in a small SQLite file beside the database (`SESSION_ACTIVITY_DATABASE`, at most once a
minute per session), so reading a page never writes the register itself. A session opens pages
while its record is not ended, it was started less than `SESSION_MAX_HOURS` ago and its last
request was less than `SESSION_IDLE_MINUTES` ago (rules/sessions.py).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_login import user_logged_in, user_logged_out
from sqlite_utils import Database
from werkzeug.wrappers import Response

from .. import audit
from ..db import get_db, write_transaction
from ..rules import sessions as rules
from ..timeutil import utcnow

log = logging.getLogger("register")

# The key of the flask session that holds this session's random key.
SESSION_KEY = "_register_session"
# A request is noted at most this often per session: the idle limit is counted in minutes.
NOTE_EVERY = dt.timedelta(seconds=60)
USER_AGENT_LIMIT = 300


@dataclass(frozen=True)
class SessionRow:
    """One session of an account, as "My account" lists it."""

    id: int
    created_at: str
    last_seen_at: str
    ended_at: str | None
    ended_reason: str | None
    address: str
    user_agent: str
    current: bool

    @property
    def status(self) -> str:
        """'This session', 'Active', or why it ended."""
        if self.current:
            return "This session"
        if self.ended_reason:
            return "Ended: " + self.ended_reason
        return "Active"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _limits(config: Any) -> dict[str, float]:
    return {"idle_minutes": float(config["SESSION_IDLE_MINUTES"]),
            "max_hours": float(config["SESSION_MAX_HOURS"])}


# ---- the activity file: last request per session, kept apart from the register ----

def activity_path(config: Any) -> str:
    """Where each session's last request is noted: the setting, or beside the database."""
    return config.get("SESSION_ACTIVITY_DATABASE") or config["DATABASE"] + ".activity"


@contextlib.contextmanager
def _activity(config: Any) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(activity_path(config), timeout=2, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")  # a lost note only brings the idle limit nearer
        conn.execute("CREATE TABLE IF NOT EXISTS activity "
                     "(session_id INTEGER PRIMARY KEY, last_seen TEXT NOT NULL)")
        yield conn
    finally:
        conn.close()


def last_seen(config: Any, session_ids: list[int]) -> dict[str, str]:
    """The last request noted for each session (absent when none was noted since sign-in)."""
    if not session_ids:
        return {}
    try:
        with _activity(config) as conn:
            marks = ",".join("?" * len(session_ids))
            return {str(sid): seen for sid, seen in conn.execute(
                f"SELECT session_id, last_seen FROM activity WHERE session_id IN ({marks})",
                session_ids)}
    except sqlite3.Error as error:
        log.warning("Could not read session activity from %s: %s", activity_path(config), error)
        return {}


def note_activity(config: Any, session_id: int, when: dt.datetime) -> None:
    """Note a request of a session (best effort: a busy or full file is logged, not fatal)."""
    try:
        with _activity(config) as conn:
            conn.execute("INSERT INTO activity (session_id, last_seen) VALUES (?, ?) "
                         "ON CONFLICT(session_id) DO UPDATE SET last_seen = excluded.last_seen",
                         [session_id, when.isoformat()])
    except sqlite3.Error as error:
        log.warning("Could not note session activity in %s: %s", activity_path(config), error)
        return
    _remember_seen(config, session_id, when)


# ---- starting, checking and ending sessions ----

def begin(db: Database, user_id: int, actor: str) -> str:
    """Start a session for an account from this request; returns the key for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow().isoformat()
    with write_transaction(db):
        session_id = db["sessions"].insert({
            "user_id": user_id, "token_hash": _hash(token), "created_at": now,
            "last_seen_at": now, "ended_at": None, "ended_reason": None,
            "address": request.remote_addr or "",
            "user_agent": (request.user_agent.string or "")[:USER_AGENT_LIMIT],
        }).last_pk
        audit.record(db, actor=actor, action="start_session", entity="user", entity_id=user_id,
                     changes={"session": session_id, "address": request.remote_addr or ""})
    return token


def current_id(db: Database, user_id: int) -> int | None:
    """The id of the session this request belongs to, if it may still open pages.

    Reads only the register; notes the request in the activity file. An ended or expired
    session is forgotten from the cookie, and an expired one says why on the sign-in page.
    """
    token = session.get(SESSION_KEY)
    if not token or not isinstance(token, str):
        return None
    row = db.execute("SELECT id, user_id, created_at, last_seen_at, ended_at FROM sessions "
                     "WHERE token_hash = ?", [_hash(token)]).fetchone()
    if row is None or row[1] != user_id or row[4] is not None:
        session.pop(SESSION_KEY, None)
        return None
    session_id, _, created, seen_at_start, _ = row
    config = current_app.config
    now = utcnow()
    created_at = dt.datetime.fromisoformat(created)
    known = _known_seen(config, session_id, now)
    if known is not None:
        # Seen here less than a minute ago: not idle, and nothing to note or read.
        seen_at = known
    else:
        seen = last_seen(config, [session_id]).get(str(session_id), seen_at_start)
        seen_at = dt.datetime.fromisoformat(seen)
    reason = rules.expiry(created_at, seen_at, now, **_limits(config))
    if reason:
        session.pop(SESSION_KEY, None)
        flash(rules.ended_words(reason, **_limits(config)), "info")
        return None
    if known is None:
        if now - max(seen_at, created_at) >= NOTE_EVERY:
            note_activity(config, session_id, now)
        else:
            _remember_seen(config, session_id, max(seen_at, created_at))
    return session_id


# What this process last knew of each session's last request: a time it was certainly seen at
# or after (a note it wrote, or the note it read). Within NOTE_EVERY of it a request needs neither
# to read the activity file nor to note itself; other processes' notes can only be later.
_seen_here: dict[tuple[str, int], dt.datetime] = {}
_seen_lock = threading.Lock()
_SEEN_KEPT = 10_000


def _known_seen(config: Any, session_id: int, now: dt.datetime) -> dt.datetime | None:
    known = _seen_here.get((activity_path(config), session_id))
    if known is not None and dt.timedelta(0) <= now - known < NOTE_EVERY:
        return known
    return None


def _remember_seen(config: Any, session_id: int, when: dt.datetime) -> None:
    with _seen_lock:
        if len(_seen_here) >= _SEEN_KEPT:
            _seen_here.clear()
        _seen_here[(activity_path(config), session_id)] = when


def end_all(db: Database, user_id: int, reason: str) -> int:
    """End every open session of an account (inside the caller's transaction); how many."""
    return _end(db, "user_id = ?", [user_id], reason)


def end_others(db: Database, user_id: int, keep: int, actor: str) -> int:
    """End the account's open sessions other than `keep`; how many (its own transaction)."""
    with write_transaction(db):
        ended = _end(db, "user_id = ? AND id != ?", [user_id, keep],
                     "signed out from another session")
        if ended:
            audit.record(db, actor=actor, action="end_other_sessions", entity="user",
                         entity_id=user_id, changes={"sessions_ended": ended})
    return ended


def end_one(db: Database, session_id: int | None, user_id: int, actor: str, reason: str) -> None:
    """End one session of an account (its own transaction), for example after a lockout."""
    if session_id is None:
        return
    with write_transaction(db):
        if _end(db, "id = ? AND user_id = ?", [session_id, user_id], reason):
            audit.record(db, actor=actor, action="end_session", entity="user", entity_id=user_id,
                         changes={"session": session_id, "reason": reason})


def _end(db: Database, where: str, params: list[Any], reason: str) -> int:
    rows = db.execute(f"SELECT id, last_seen_at FROM sessions WHERE {where} AND ended_at IS NULL",
                      params).fetchall()
    if not rows:
        return 0
    seen = last_seen(current_app.config, [r[0] for r in rows])
    now = utcnow().isoformat()
    for session_id, seen_at_start in rows:
        db.execute("UPDATE sessions SET ended_at = ?, ended_reason = ?, last_seen_at = ? "
                   "WHERE id = ?", [now, reason, seen.get(str(session_id), seen_at_start),
                                    session_id])
    return len(rows)


def of_account(db: Database, user_id: int, current: int | None, limit: int = 20
               ) -> list[SessionRow]:
    """The account's sessions, newest first, with expired ones shown as ended (reads only)."""
    config = current_app.config
    rows = db.execute("SELECT id, created_at, last_seen_at, ended_at, ended_reason, address, "
                      "user_agent FROM sessions WHERE user_id = ? ORDER BY id DESC LIMIT ?",
                      [user_id, limit]).fetchall()
    seen = last_seen(config, [r[0] for r in rows if r[3] is None])
    now = utcnow()
    result = []
    for sid, created, seen_at, ended, reason, address, agent in rows:
        seen_at = seen.get(str(sid), seen_at)
        if ended is None:
            expired = rules.expiry(dt.datetime.fromisoformat(created),
                                   dt.datetime.fromisoformat(seen_at), now, **_limits(config))
            if expired == rules.IDLE:
                reason = "no activity"
            elif expired == rules.TOO_OLD:
                reason = "signed in too long ago"
        result.append(SessionRow(sid, created, seen_at, ended, reason, address, agent,
                                 sid == current))
    return result


def locked_out() -> Response:
    """End this session after a wrong password locked its account at this address (at sign-off
    or on "My account"), and send the browser to the sign-in page saying why."""
    from flask_login import current_user, logout_user

    from . import models

    db = get_db()
    username = current_user.username
    end_one(db, g.get("session_id"), current_user.id, current_user.actor,
            "too many wrong passwords")
    logout_user()
    flash(models.refusal(db, username, request.remote_addr or "") or models.LOCKED_OUT, "info")
    return redirect(url_for("auth.sign_in"))


def _started(app: Flask, user: Any) -> None:
    """Flask-Login signed someone in (by any route): give the browser a new session."""
    session[SESSION_KEY] = begin(get_db(), user.id, user.actor)


def _ended(app: Flask, user: Any) -> None:
    session.pop(SESSION_KEY, None)


def init_app(app: Flask) -> None:
    """Start a server-side session whenever Flask-Login signs someone in, by whatever route."""
    user_logged_in.connect(_started, app)
    user_logged_out.connect(_ended, app)
