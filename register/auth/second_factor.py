"""The second factor of local accounts: enrol, check a code, use a recovery code, disable, reset.

The rules for which code is accepted are in rules/one_time_codes.py; this module stores their
results, each write in one transaction with its audit event."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_request_context, request
from sqlite_utils import Database

from .. import audit
from ..db import write_transaction
from ..rules import one_time_codes
from ..timeutil import utcnow, utcnow_iso
from . import models, passwords
from .roles import SECOND_FACTOR_REQUIRED

WRONG_CODE = "Enter a correct code from your authenticator app, or one of your recovery codes"
REUSED_CODE = ("That code has already been used. Wait for your app to show the next code, "
               "then enter it")


@dataclass(frozen=True)
class Outcome:
    """What came of a code typed at sign-in or sign-off."""

    ok: bool
    message: str = ""
    recovery_codes_left: int | None = None  # set when a recovery code was used


def required_for(role: str) -> bool:
    """Whether accounts with this role must have a second factor in this register."""
    return bool(current_app.config.get("REQUIRE_MFA")) and role in SECOND_FACTOR_REQUIRED


def recovery_codes_left(db: Database, user_id: int) -> int:
    """How many unused recovery codes an account has."""
    return db.execute("SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL",
                      [user_id]).fetchone()[0]


def enrol(db: Database, user_id: int, secret: str, typed: str, *, actor: str,
          now: dt.datetime | None = None) -> list[str] | None:
    """Turn on TOTP with a secret the user's app has shown a correct code for; returns the new
    recovery codes (to show once), or None if the code was not correct. Sessions are rotated."""
    check = one_time_codes.check_totp(secret, typed, now or utcnow(), None)
    if not check.accepted:
        return None
    codes = one_time_codes.new_recovery_codes()
    created = utcnow_iso()
    with write_transaction(db):
        db.execute("UPDATE users SET totp_secret = ?, totp_last_step = ?, totp_enrolled_at = ?"
                   " WHERE id = ?", [secret, check.step, created, user_id])
        db.execute("DELETE FROM recovery_codes WHERE user_id = ?", [user_id])
        db["recovery_codes"].insert_all(
            [{"user_id": user_id, "code_hash": passwords.hash_code(code), "created_at": created,
              "used_at": None} for code in codes])
        models.rotate_session_token(db, user_id)
        audit.record(db, actor=actor, action="enrol_second_factor", entity="user",
                     entity_id=user_id, changes={"method": "totp",
                                                 "recovery_codes": len(codes)})
    return codes


def remove(db: Database, user_id: int, *, actor: str, action: str) -> None:
    """Turn the second factor off (the user's choice, or an administrator's reset): the secret
    and the recovery codes are deleted and every session of the account ends."""
    with write_transaction(db):
        db.execute("UPDATE users SET totp_secret = NULL, totp_last_step = NULL,"
                   " totp_enrolled_at = NULL WHERE id = ?", [user_id])
        db.execute("DELETE FROM recovery_codes WHERE user_id = ?", [user_id])
        models.rotate_session_token(db, user_id)
        audit.record(db, actor=actor, action=action, entity="user", entity_id=user_id,
                     changes={"method": "totp"})


def check(db: Database, row: dict[str, Any], typed: str, *, purpose: str,
          now: dt.datetime | None = None) -> Outcome:
    """Check a TOTP code or a recovery code for an account; a code is accepted once.

    A failure is audited and counts towards the account's sign-in lockout, wherever it was typed
    (sign-in or sign-off)."""
    user_id, username = row["id"], row["username"]
    totp = one_time_codes.check_totp(row["totp_secret"] or "", typed, now or utcnow(),
                                     row["totp_last_step"]) if row["totp_secret"] else None
    if totp is not None and totp.accepted:
        with write_transaction(db):
            # Guarded so two requests racing with one code cannot both succeed.
            changed = db.execute(
                "UPDATE users SET totp_last_step = ? WHERE id = ?"
                " AND (totp_last_step IS NULL OR totp_last_step < ?)",
                [totp.step, user_id, totp.step]).rowcount
        if changed:
            return Outcome(ok=True)
        totp = one_time_codes.CodeCheck(accepted=False, reused=True)
    recovery = one_time_codes.normalise_recovery_code(typed)
    if recovery is not None and row["totp_secret"]:
        for code_row in db.query("SELECT id, code_hash FROM recovery_codes"
                                 " WHERE user_id = ? AND used_at IS NULL", [user_id]):
            if passwords.check_code(code_row["code_hash"], recovery):
                with write_transaction(db):
                    used = db.execute("UPDATE recovery_codes SET used_at = ? WHERE id = ?"
                                      " AND used_at IS NULL",
                                      [utcnow_iso(), code_row["id"]]).rowcount
                    if used:
                        left = recovery_codes_left(db, user_id)
                        audit.record(db, actor=username, action="recovery_code_used",
                                     entity="user", entity_id=user_id,
                                     changes={"purpose": purpose, "codes_left": left})
                if used:
                    return Outcome(ok=True, recovery_codes_left=left)
    reused = bool(totp and totp.reused)
    with write_transaction(db):
        audit.record(db, actor=username, action="second_factor_failed", entity="user",
                     entity_id=user_id,
                     changes={"purpose": purpose, "reason": "reused" if reused else "wrong"})
    # Counted for the address the code came from, as a wrong password is.
    models.note_failure(db, username, (request.remote_addr or "") if has_request_context() else "")
    return Outcome(ok=False, message=REUSED_CODE if reused else WRONG_CODE)
