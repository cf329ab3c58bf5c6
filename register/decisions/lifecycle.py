"""The only code that changes a decision's state.

Every move of a decision's status goes through `move()`, which asks the status machine in
`register/rules/workflow.py` whether it is allowed and writes its audit event: submitting,
returning, escalating, signing off, ratifying, recording the outcome, publishing, withdrawing, and
the moves the register makes itself when a decision's facts change (voiding a sign-off, joining
or leaving the governance queue).

Derived facts are kept current at write time: `refresh()` recomputes the flags of the decisions a
write affected, voids a sign-off whose material content changed, and moves a decision in or out
of the queue, inside the caller's transaction. Every write that can change a decision's facts
calls `refresh(db, dependencies.affected(...))` before it commits, so every reader only reads.

A sign-off covers the SHA-256 of the canonical JSON of the decision's material content at that
moment (`content_snapshot`): its providers, the people taking part and their roles, its values,
meeting date and awarded provider, the keys of its conflict flags, and the rulings. At most one
sign-off is in force per decision: the write takes the lock first (BEGIN IMMEDIATE), checks the
decision's version, and a partial unique index refuses a second row in any case.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from .. import audit, notifications
from ..db import write_transaction
from ..rules import workflow
from ..timeutil import utcnow_iso
from . import dependencies, flagging

STALE_DECISION = ("Someone else changed this decision while you were working on it, so nothing "
                  "has been saved. Check it again.")

# What each part of the material content is called when a change to it voids a sign-off.
MATERIAL_PARTS = {
    "providers": "the providers",
    "participants": "the people taking part",
    "values": "the value",
    "meeting_date": "the meeting date",
    "awarded_provider": "the provider awarded",
    "flags": "the conflicts flagged (an interest or a practice link changed)",
    "rulings": "the rulings",
}

# The statuses in which a change of flags moves a decision in or out of the governance queue.
QUEUE_MOVES = ("ready_for_decision", "awaiting_review", "escalated")


class DecisionChanged(Exception):
    """The decision moved on since the form was loaded, so nothing was saved."""

    def __init__(self, message: str = STALE_DECISION) -> None:
        super().__init__(message)
        self.message = message


class AlreadySignedOff(DecisionChanged):
    """Someone signed the decision off first (or this form was sent twice)."""


_DECISION_SELECT = (
    "SELECT decisions.*, committees.name AS committee_name, committees.common_interest_policy,"
    " users.person_id AS author_person_id, users.username AS author_username FROM decisions"
    " JOIN committees ON committees.id = decisions.committee_id"
    " LEFT JOIN users ON users.id = decisions.author_user_id")


def decision_row(db: Database, *, decision_id: int | None = None,
                 reference: str | None = None) -> dict[str, Any] | None:
    """A decision as it is now, by id or reference (any case), with its committee's name and
    policy and its author's person; None if there is no such decision."""
    if decision_id is not None:
        where, param = "decisions.id = ?", decision_id
    else:
        where, param = "decisions.reference = ?", (reference or "").strip().upper()
    return next(iter(db.query(f"{_DECISION_SELECT} WHERE {where}", [param])), None)


def fresh(db: Database, decision_id: int) -> dict[str, Any]:
    """The decision as it is now (inside a write transaction: as this write will leave it)."""
    row = decision_row(db, decision_id=decision_id)
    if row is None:
        raise DecisionChanged("This decision no longer exists.")
    return row


def sign_off_in_force(db: Database, decision_id: int) -> dict[str, Any] | None:
    """The sign-off in force on a decision, or None."""
    return next(iter(db.query("SELECT * FROM sign_offs WHERE decision_id = ? AND voided_at IS NULL",
                              [decision_id])), None)


# ---- moving a decision through the status machine -----------------------------------------

def move(db: Database, decision: dict[str, Any], action: str, role: str, actor: str, *,
         expected_version: int | None = None, quorate: bool = True,
         escalation: str | None = None, signed_off: bool | None = None,
         changes: dict[str, Any] | None = None, extra: dict[str, Any] | None = None,
         now: str | None = None) -> str:
    """Move a decision on by `action` through the status machine; returns the new status.

    `extra` names other columns the same UPDATE sets (for example `submitted_at`); `now` is the
    time stamped on the row (the real time unless given). Raises TransitionRefused with the
    machine's message, or DecisionChanged on a stale version.
    """
    if expected_version is not None and decision["version"] != expected_version:
        raise DecisionChanged()
    if signed_off is None:
        signed_off = sign_off_in_force(db, decision["id"]) is not None
    status = workflow.next_status(decision["status"], action, role,
                                  flagged=decision["flag_count"] > 0, signed_off=signed_off,
                                  quorate=quorate, escalation=escalation)
    now = now or utcnow_iso()
    extra = dict(extra or {})
    assignments = "".join(f", {name} = :{name}" for name in extra)
    changed = db.execute(
        f"UPDATE decisions SET status = :status, updated_at = :now, version = version + 1"
        f"{assignments} WHERE id = :id AND version = :version",
        {**extra, "status": status, "now": now, "id": decision["id"],
         "version": decision["version"]}).rowcount
    if changed != 1:
        raise DecisionChanged()
    if action in ("return", "withdraw"):
        # The review starts again (or not at all): an escalation chosen for it no longer applies.
        supersede_escalations(db, decision["id"], now)
    audit.record(db, actor=actor, action=action, entity="decision", entity_id=decision["id"],
                 changes={"status": [decision["status"], status], **(changes or {})})
    notifications.after_move(db, decision, action, status)
    return status


def submit(db: Database, decision_id: int, version: int, actor: str, *,
           now: str | None = None) -> str | None:
    """Send an editable decision on, flags current; its new status, or None if it changed
    meanwhile (or is no longer editable). `now` is the time stamped (the real time unless
    given)."""
    now = now or utcnow_iso()
    with write_transaction(db):
        refresh(db, [decision_id], actor=actor, now=now)
        decision = decision_row(db, decision_id=decision_id)
        if decision is None or decision["version"] != version \
                or decision["status"] not in ("draft", "returned"):
            return None
        return move(db, decision, "submit", workflow.SECRETARY, actor,
                    extra={"submitted_at": now}, now=now)


def bump_version(db: Database, decision_id: int) -> None:
    """Mark a decision changed (its review records changed), so forms opened before refuse."""
    db.execute("UPDATE decisions SET version = version + 1, updated_at = ? WHERE id = ?",
               [utcnow_iso(), decision_id])


def supersede_escalations(db: Database, decision_id: int, now: str | None = None) -> None:
    """End the escalations of a decision whose review starts again."""
    db.execute("UPDATE escalations SET superseded_at = ? WHERE decision_id = ?"
               " AND superseded_at IS NULL", [now or utcnow_iso(), decision_id])


# ---- the content a sign-off covers ---------------------------------------------------------

def content_snapshot(db: Database, decision_id: int) -> dict[str, Any]:
    """The decision's material content as stored now."""
    decision = next(iter(db.query("SELECT * FROM decisions WHERE id = ?", [decision_id])))
    flags = sorted({f"{r['rule']}:{r['person_id'] or ''}:{r['organisation_id'] or ''}"
                    for r in db.query("SELECT rule, person_id, organisation_id FROM decision_flags"
                                      " WHERE decision_id = ? AND severity IN"
                                      " ('conflict', 'possible')", [decision_id])})
    return {
        "reference": decision["reference"],
        "providers": [r[0] for r in db.execute(
            "SELECT organisation_id FROM decision_providers WHERE decision_id = ?"
            " ORDER BY organisation_id", [decision_id])],
        "participants": [[r[0], r[1]] for r in db.execute(
            "SELECT person_id, role FROM decision_participants WHERE decision_id = ?"
            " ORDER BY person_id", [decision_id])],
        "values": {"total_value_pence": decision["total_value_pence"],
                   "annual_value_pence": decision["annual_value_pence"]},
        "meeting_date": decision["meeting_date"],
        "awarded_provider": decision["awarded_provider_id"],
        "flags": flags,
        "rulings": [[r[0], r[1], r[2]] for r in db.execute(
            "SELECT person_id, ruling, is_exception FROM decision_rulings WHERE decision_id = ?"
            " ORDER BY person_id", [decision_id])],
    }


def content_hash(snapshot: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a content snapshot."""
    return hashlib.sha256(audit.canonical(snapshot).encode("utf-8")).hexdigest()


def changed_parts(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The parts of the material content that differ, in the order of MATERIAL_PARTS."""
    return [part for part in MATERIAL_PARTS if before.get(part) != after.get(part)]


def void_reason(parts: list[str]) -> str:
    """A sentence naming what changed: 'The decision changed after it was signed off: ...'."""
    words = [MATERIAL_PARTS[p] for p in parts] or ["its content"]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return f"The decision changed after it was signed off: {listed}."


def already_signed_message(sign_off: dict[str, Any]) -> str:
    """The message a second signer sees."""
    return (f"This decision has already been signed off by {sign_off['signer_name']} "
            f"({sign_off['signer_role']})")


def sign_off(db: Database, decision: dict[str, Any], *, user: Any, role: str, role_label: str,
             statement: str, quorate: bool, escalation: dict[str, Any] | None,
             now: str | None = None) -> str:
    """Record the sign-off and move the decision on; returns its new status.

    Call inside the write transaction that saved the rulings; `now` is the time signed (the real
    time unless given). Raises TransitionRefused (the status machine says no), AlreadySignedOff
    or DecisionChanged.
    """
    existing = sign_off_in_force(db, decision["id"])
    if existing is not None:
        raise AlreadySignedOff(already_signed_message(existing))
    snapshot = content_snapshot(db, decision["id"])
    now = now or utcnow_iso()
    row = {"decision_id": decision["id"], "signer_user_id": user.id,
           "signer_name": user.display_name, "signer_role": role_label,
           "statement": statement, "content_hash": content_hash(snapshot),
           "content": audit.canonical(snapshot), "signed_at": now, "voided_at": None,
           "void_reason": ""}
    try:
        sign_off_id = db["sign_offs"].insert(row).last_pk
    except sqlite3.IntegrityError as error:
        existing = sign_off_in_force(db, decision["id"])
        if existing is None:
            raise
        raise AlreadySignedOff(already_signed_message(existing)) from error
    audit.record(db, actor=user.actor, action="sign_off", entity="sign_off", entity_id=sign_off_id,
                 after={k: v for k, v in row.items() if k != "content"})
    return move(db, decision, "sign_off", role, user.actor, quorate=quorate, signed_off=False,
                escalation=escalation["kind"] if escalation else None,
                changes={"content_hash": [None, row["content_hash"]]}, now=now)


# ---- keeping derived facts current at write time ------------------------------------------

def refresh(db: Database, decision_ids: Iterable[int], *, actor: str = "system",
            now: str | None = None) -> list[str]:
    """Bring the flags of these decisions up to date and act on what changed, in the caller's
    transaction: void a sign-off whose material content changed, and move a decision in or out
    of the governance queue. Returns the reasons of the moves made (for messages and tests).
    `now` is the time stamped on what it voids or moves (the real time unless given)."""
    ids = sorted(set(decision_ids))
    reasons: list[str] = []
    if not ids:
        return reasons
    with write_transaction(db):
        for start in range(0, len(ids), flagging.BATCH):
            batch = ids[start:start + flagging.BATCH]
            flagging.recompute_many(db, batch, actor=actor,
                                    gathered=flagging.gather_facts_many(db, batch))
            for decision_id in batch:
                reason = _after_facts_changed(db, decision_id, actor, now)
                if reason:
                    reasons.append(reason)
    return reasons


def refresh_affected(db: Database, *, actor: str = "system", now: str | None = None,
                     **changed: Iterable[int | None]) -> list[str]:
    """Refresh the decisions a change touches (`dependencies.affected(db, **changed)`), in the
    caller's transaction; call it after the change (`now` as for `refresh`)."""
    return refresh(db, dependencies.affected(db, **changed), actor=actor, now=now)


def _after_facts_changed(db: Database, decision_id: int, actor: str,
                         now: str | None = None) -> str | None:
    status = db.execute("SELECT status FROM decisions WHERE id = ?", [decision_id]).fetchone()
    if status is None or not (workflow.sign_off_voided(status[0]) or status[0] in QUEUE_MOVES):
        return None  # drafts and settled decisions keep their status whatever their flags
    decision = decision_row(db, decision_id=decision_id)
    if decision is None:
        return None
    flagged = decision["flag_count"] > 0
    in_force = sign_off_in_force(db, decision_id)
    if in_force is not None and workflow.sign_off_voided(decision["status"]):
        snapshot = content_snapshot(db, decision_id)
        if content_hash(snapshot) == in_force["content_hash"]:
            return None
        before = json.loads(in_force["content"]) if in_force["content"] else {}
        reason = void_reason(changed_parts(before, snapshot))
        now = now or utcnow_iso()
        db.execute("UPDATE sign_offs SET voided_at = ?, void_reason = ? WHERE id = ?",
                   [now, reason, in_force["id"]])
        audit.record(db, actor=actor, action="void", entity="sign_off", entity_id=in_force["id"],
                     changes={"voided_at": [None, now], "void_reason": ["", reason]})
        supersede_escalations(db, decision_id, now)
        move(db, decision, "void_sign_off", workflow.SYSTEM, actor, signed_off=True,
             changes={"reason": reason}, now=now)
        return reason
    if in_force is None and decision["status"] in QUEUE_MOVES:
        joins = decision["status"] == "ready_for_decision" and flagged
        leaves = decision["status"] != "ready_for_decision" and not flagged
        if joins:
            reason = "Conflicts were flagged after it was submitted"
            move(db, decision, "flags_raised", workflow.SYSTEM, actor, signed_off=False,
                 changes={"reason": reason}, now=now)
            return reason
        if leaves:
            reason = "No conflicts are flagged any more"
            supersede_escalations(db, decision_id, now)
            move(db, decision, "flags_cleared", workflow.SYSTEM, actor, signed_off=False,
                 changes={"reason": reason}, now=now)
            return reason
    return None


def refresh_left_stale(db: Database) -> int:
    """Recompute, once, the decisions a database from before flags were kept current at write
    time left stale (migration m014 lists them); `init-db` calls it. Returns how many."""
    if not db["flags_to_refresh"].exists():
        return 0
    with write_transaction(db):
        ids = [row[0] for row in db.execute("SELECT decision_id FROM flags_to_refresh")]
        refresh(db, ids, actor="system")
        db.execute("DROP TABLE flags_to_refresh")
    return len(ids)


def refresh_all(db: Database, *, actor: str = "system") -> int:
    """Recompute every decision's flags (after a bulk import, or a database from before flags
    were kept current at write time); returns how many decisions were looked at."""
    ids = [r[0] for r in db.execute("SELECT id FROM decisions ORDER BY id")]
    refresh(db, ids, actor=actor)
    return len(ids)


# ---- the outcome ---------------------------------------------------------------------------

def record_outcome(db: Database, decision: dict[str, Any], values: dict[str, Any],
                   attendance: list[dict[str, Any]], breaches: list[tuple[int, str]],
                   user_id: int, actor: str, *, role: str = workflow.SECRETARY,
                   refused_proxies: Iterable[dict[str, Any]] = (), now: str | None = None) -> str:
    """Store the outcome, who was in the room, who left and when, how they voted, the proxy
    votes the chair refused, and any breaches, then move the decision to decided; returns its
    new status. Call inside a write transaction; `now` is the time recorded (the real time
    unless given)."""
    signed = sign_off_in_force(db, decision["id"]) is not None
    # The status machine is asked first, so a refusal writes nothing.
    workflow.next_status(decision["status"], "record_outcome", role,
                         flagged=decision["flag_count"] > 0, signed_off=signed)
    now = now or utcnow_iso()
    row = {"decision_id": decision["id"], **values, "recorded_by_user_id": user_id,
           "recorded_at": now}
    db["decision_outcomes"].insert(row, replace=True)
    db.execute("DELETE FROM outcome_attendance WHERE decision_id = ?", [decision["id"]])
    for entry in attendance:
        db["outcome_attendance"].insert({"decision_id": decision["id"], **entry})
    refused = [{"for_person_id": r["for_person_id"],
                "offered_to_person_id": r["offered_to_person_id"], "reason": r["reason"]}
               for r in refused_proxies]
    db.execute("DELETE FROM outcome_refused_proxies WHERE decision_id = ?", [decision["id"]])
    for entry in refused:
        db["outcome_refused_proxies"].insert({"decision_id": decision["id"], **entry})
    for person_id, detail in breaches:
        breach_id = db["breaches"].insert({
            "decision_id": decision["id"], "person_id": person_id,
            "kind": "present_when_ruled_out", "detail": detail, "recorded_at": now,
            "found_on": now[:10]}).last_pk
        audit.record(db, actor=actor, action="create", entity="breach", entity_id=breach_id,
                     changes={"person_id": [None, person_id], "detail": [None, detail]})
    audit.record(db, actor=actor, action="create", entity="outcome", entity_id=decision["id"],
                 after={**row, "attendance": attendance, "proxies_refused": refused})
    # The register of procurement decisions shows what was actually decided.
    status = move(db, decision, "record_outcome", role, actor, signed_off=signed,
                  changes={"outcome": values["outcome"],
                           "awarded_provider_id": [decision["awarded_provider_id"],
                                                   values["awarded_provider_id"]]},
                  extra={"choice": values["outcome"],
                         "awarded_provider_id": values["awarded_provider_id"]}, now=now)
    refresh(db, [decision["id"]], actor=actor, now=now)
    return status
