"""What a governance lead signs: the statement over the rulings, who may sign it, and refusals.

The sign-off itself, and its voiding when the decision changes, belong to the decision's lifecycle
(`register/decisions/lifecycle.py`): a sign-off keeps the signer's name and role, the time (UTC),
the statement they confirmed, and the SHA-256 of the decision's material content at that moment.
"""
from __future__ import annotations

import hashlib
from typing import Any

from sqlite_utils import Database

from .. import audit
from ..auth import passwords
from ..auth.roles import ROLE_LABELS
from ..db import write_transaction
from ..decisions import reviewers
from ..rules import workflow
from ..rules.quorum import QuorumResult, escalation_words
from ..rules.rulings import RULINGS
from ..timeutil import long_date
from . import queries

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
