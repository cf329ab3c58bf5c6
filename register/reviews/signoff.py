"""Signing off a decision's conflicts, and voiding the sign-off when the decision changes.

A sign-off keeps the signer's name and role, the time (UTC), the statement they confirmed, and the
SHA-256 of the canonical JSON of the decision's material content at that moment: its providers,
the people taking part and their roles, its values, meeting date and awarded provider, the keys of
its conflict flags, and the rulings. `check_material_change` recomputes that hash; when it differs
from the sign-off in force, the sign-off is voided with a reason naming what changed and the
decision goes back to the governance queue.

At most one sign-off is in force per decision: the write takes the lock first (BEGIN IMMEDIATE),
checks the decision's version, and a partial unique index refuses a second row in any case.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import Any

from sqlite_utils import Database

from .. import audit
from ..auth import passwords
from ..auth.roles import ROLE_LABELS
from ..db import write_transaction
from ..decisions import flagging, reviewers
from ..rules import workflow
from ..rules.quorum import QuorumResult, escalation_words
from ..rules.rulings import RULINGS
from ..timeutil import long_date, utcnow_iso
from . import queries

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


class SignOffRefused(Exception):
    """A sign-off that cannot be recorded; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AlreadySignedOff(SignOffRefused):
    """Someone signed the decision off first (or this form was sent twice)."""


class DecisionChanged(SignOffRefused):
    """The decision changed after the page was loaded, so the form is out of date."""


# ---- the content a sign-off covers ---------------------------------------------------------

def content_snapshot(db: Database, decision_id: int) -> dict[str, Any]:
    """The decision's material content now, flags made current first."""
    flagging.ensure_current(db, [decision_id])
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


# ---- the statement -------------------------------------------------------------------------

def statement_text(review: queries.Review, people: list[dict[str, Any]],
                   selections: dict[int, dict[str, Any]], quorum: QuorumResult,
                   presiding: str, signer_name: str, signer_role: str,
                   escalation: dict[str, Any] | None = None) -> str:
    """The statement a governance lead confirms: the decision, each ruling, quorum and chair."""
    decision = review.decision
    lines = [f"I, {signer_name} ({role_label(signer_role)}), confirm how the "
             f"conflicts of interest are managed on decision {decision['reference']} "
             f"\u201c{decision['title']}\u201d, taken by the {decision['committee_name']} at "
             f"its meeting on {long_date(decision['meeting_date'])}:"]
    for person in people:
        chosen = selections.get(person["person_id"], {})
        ruling = chosen.get("ruling")
        words = RULINGS.get(ruling, "no ruling selected").lower() if ruling else \
            "no ruling selected"
        extra = (" (sole-expertise exception: " + chosen.get("exception_reason", "") + ")"
                 if chosen.get("is_exception") else "")
        lines.append(f"- {person['name']}: {words}{extra}.")
    if not people:
        lines.append("- No one taking part is conflicted.")
    lines.append(f"Quorum: {quorum.summary}. " + "; ".join(quorum.arithmetic) + ".")
    lines.append(f"{presiding}.")
    if escalation:
        lines.append(f"How the decision will be taken: "
                     f"{escalation_words(escalation['kind'], escalation['details'])}.")
    lines.append("I am not conflicted on this decision and took no part in making it.")
    return "\n".join(lines)


def stored_statement(review: queries.Review, signer_name: str, signer_role: str
                     ) -> tuple[str, QuorumResult, list[dict[str, Any]]]:
    """What a sign-off signs: the statement over the rulings as stored, with the quorum they
    leave and the people needing a ruling."""
    rulings = {pid: row["ruling"] for pid, row in review.rulings.items()}
    people = review.people()
    quorum = review.quorum(rulings)
    _presiding_id, presiding = review.presiding(rulings)
    selections = {pid: {"ruling": row["ruling"], "is_exception": row["is_exception"],
                        "exception_reason": row["exception_reason"]}
                  for pid, row in review.rulings.items()}
    statement = statement_text(review, people, selections, quorum, presiding, signer_name,
                               signer_role, review.escalation)
    return statement, quorum, people


def statement_digest(statement: str) -> str:
    """A short fingerprint of a statement, so a form confirms the statement it showed."""
    return hashlib.sha256(statement.encode("utf-8")).hexdigest()[:20]


# ---- who may sign ----------------------------------------------------------------------------

def signer_problem(review: queries.Review, user: Any, db: Database) -> str | None:
    """Why this user may not sign off (or rule on) the decision, or None if they may: a governance
    lead who took no part, else the committee's independent reviewer (rules/reviewers.py)."""
    return reviewers.review_problem(db, review.decision["id"], user)


def acting_role(review: queries.Review, user: Any, db: Database) -> str:
    """The role in which this user reviews the decision: "governance", or "independent_reviewer"
    when it is routed to them as the committee's independent reviewer."""
    return reviewers.acting_role(db, review.decision["id"], user)


def role_label(role: str) -> str:
    """What a reviewing role is called in a statement and on a sign-off."""
    return workflow.REVIEWER_ROLE_LABELS.get(role) or ROLE_LABELS.get(role, role)


def password_ok(db: Database, user_id: int, password: str) -> bool:
    """Whether the password re-entered matches the account's (argon2 check)."""
    row = db.execute("SELECT password_hash FROM users WHERE id = ?", [user_id]).fetchone()
    return passwords.check_password(row[0] if row else None, password or "")


def record_refusal(db: Database, decision_id: int, actor: str, reason: str,
                   action: str = "sign_off_refused") -> None:
    """Write a refused sign-off (or review) attempt to the audit trail, in its own transaction."""
    with write_transaction(db):
        audit.record(db, actor=actor, action=action, entity="decision", entity_id=decision_id,
                     changes={"reason": reason})


def already_signed_message(sign_off: dict[str, Any]) -> str:
    """The message a second signer sees."""
    return (f"This decision has already been signed off by {sign_off['signer_name']} "
            f"({sign_off['signer_role']})")


# ---- signing -------------------------------------------------------------------------------

def sign_off(db: Database, decision: dict[str, Any], *, user: Any, role: str,
             expected_version: int, statement: str, quorate: bool,
             escalation: dict[str, Any] | None) -> str:
    """Record the sign-off and move the decision on; returns its new status.

    Call inside the write transaction that saved the rulings, after checking the version.
    Raises TransitionRefused (the status machine says no) or AlreadySignedOff.
    """
    existing = queries.sign_off_in_force(db, decision["id"])
    if existing is not None:
        raise AlreadySignedOff(already_signed_message(existing))
    status = workflow.next_status(
        decision["status"], "sign_off", role, flagged=decision["flag_count"] > 0,
        signed_off=False, quorate=quorate, escalation=escalation["kind"] if escalation else None)
    snapshot = content_snapshot(db, decision["id"])
    now = utcnow_iso()
    row = {"decision_id": decision["id"], "signer_user_id": user.id,
           "signer_name": user.display_name, "signer_role": role_label(role),
           "statement": statement, "content_hash": content_hash(snapshot),
           "content": audit.canonical(snapshot), "signed_at": now, "voided_at": None,
           "void_reason": ""}
    try:
        sign_off_id = db["sign_offs"].insert(row).last_pk
    except sqlite3.IntegrityError as error:
        existing = queries.sign_off_in_force(db, decision["id"])
        if existing is None:
            raise
        raise AlreadySignedOff(already_signed_message(existing)) from error
    changed = db.execute("UPDATE decisions SET status = ?, updated_at = ?, version = version + 1"
                         " WHERE id = ? AND version = ?",
                         [status, now, decision["id"], expected_version]).rowcount
    if changed != 1:
        raise DecisionChanged("Someone else changed this decision while you were reviewing it, "
                              "so it has not been signed off. Check it again.")
    audit.record(db, actor=user.actor, action="sign_off", entity="sign_off", entity_id=sign_off_id,
                 after={k: v for k, v in row.items() if k != "content"})
    audit.record(db, actor=user.actor, action="sign_off", entity="decision",
                 entity_id=decision["id"],
                 changes={"status": [decision["status"], status],
                          "content_hash": [None, row["content_hash"]]})
    return status


def supersede_escalations(db: Database, decision_id: int, now: str) -> None:
    """End the escalations of a decision whose review starts again."""
    db.execute("UPDATE escalations SET superseded_at = ? WHERE decision_id = ?"
               " AND superseded_at IS NULL", [now, decision_id])


def check_material_change(db: Database, decision_id: int, actor: str = "system") -> str | None:
    """Void the sign-off in force if the decision's material content changed; returns the reason.

    Also moves a decision between the queue and "ready for decision" when its flags come or go.
    Safe to call inside another write transaction (it nests), and cheap when nothing is signed.
    """
    with write_transaction(db):
        # Flags first: recomputing them may itself check (and void) the sign-off.
        flagging.ensure_current(db, [decision_id])
        decision = next(iter(db.query("SELECT * FROM decisions WHERE id = ?", [decision_id])),
                        None)
        if decision is None:
            return None
        in_force = queries.sign_off_in_force(db, decision_id)
        if in_force is not None and workflow.sign_off_voided(decision["status"]):
            snapshot = content_snapshot(db, decision_id)
            if content_hash(snapshot) == in_force["content_hash"]:
                return None
            before = json.loads(in_force["content"]) if in_force["content"] else {}
            reason = void_reason(changed_parts(before, snapshot))
            decision = next(iter(db.query("SELECT * FROM decisions WHERE id = ?", [decision_id])))
            flagged = decision["flag_count"] > 0
            # The status machine must allow it; the target then depends on the flags.
            workflow.next_status(decision["status"], "void_sign_off", workflow.SYSTEM,
                                 flagged=flagged, signed_off=True)
            status = workflow.status_after_material_change(decision["status"], flagged=flagged)
            now = utcnow_iso()
            db.execute("UPDATE sign_offs SET voided_at = ?, void_reason = ? WHERE id = ?",
                       [now, reason, in_force["id"]])
            supersede_escalations(db, decision_id, now)
            db.execute("UPDATE decisions SET status = ?, updated_at = ?, version = version + 1"
                       " WHERE id = ?", [status, now, decision_id])
            audit.record(db, actor=actor, action="void", entity="sign_off",
                         entity_id=in_force["id"],
                         changes={"voided_at": [None, now], "void_reason": ["", reason]})
            audit.record(db, actor=actor, action="sign_off_voided", entity="decision",
                         entity_id=decision_id,
                         changes={"status": [decision["status"], status], "reason": reason})
            return reason
        if in_force is None and decision["status"] in ("ready_for_decision", "awaiting_review",
                                                       "escalated"):
            flagged = decision["flag_count"] > 0
            joins = decision["status"] == "ready_for_decision" and flagged
            leaves = decision["status"] != "ready_for_decision" and not flagged
            if joins or leaves:
                status = workflow.status_after_material_change(decision["status"],
                                                               flagged=flagged)
                now = utcnow_iso()
                if leaves:
                    supersede_escalations(db, decision_id, now)
                db.execute("UPDATE decisions SET status = ?, updated_at = ?,"
                           " version = version + 1 WHERE id = ?", [status, now, decision_id])
                reason = ("Conflicts were flagged after it was submitted" if joins
                          else "No conflicts are flagged any more")
                audit.record(db, actor=actor, action="flags_moved_status", entity="decision",
                             entity_id=decision_id,
                             changes={"status": [decision["status"], status], "reason": reason})
                return reason
    return None
