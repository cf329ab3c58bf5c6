"""Who hears of what, by email: the wording of each message, queued in the write that it tells of
(mail.py sends it). Messages carry the decision's reference, title and dates and a link; never
the reasons, conflicts or anything else the reader must sign in to see."""
from __future__ import annotations

import logging
from typing import Any

from sqlite_utils import Database

from . import mail
from .timeutil import long_date

log = logging.getLogger("register")


def _secretary_addresses(db: Database, decision: dict[str, Any]) -> list[str]:
    """Who hears about a decision's progress on the secretary's side: the person who recorded it,
    else every active board secretary with an email."""
    rows = list(db.query(
        "SELECT people.email FROM users JOIN people ON people.id = users.person_id"
        " WHERE users.id = ? AND users.active = 1 AND people.email != ''",
        [decision.get("author_user_id")]))
    if not rows:
        rows = list(db.query(
            "SELECT people.email FROM users JOIN people ON people.id = users.person_id"
            " WHERE users.role = 'secretary' AND users.active = 1 AND people.email != ''"
            " ORDER BY users.id"))
    return sorted({r["email"] for r in rows})


def _wants_summary(db: Database, address: str) -> bool:
    """Whether the person with this address chose one daily summary over each message at once."""
    row = db.execute("SELECT max(users.email_daily) FROM users JOIN people"
                     " ON people.id = users.person_id WHERE lower(people.email) = lower(?)",
                     [address]).fetchone()
    return bool(row and row[0])


def _queue_all(db: Database, addresses: list[str], message: dict[str, Any]) -> None:
    for address in addresses:
        try:
            mail.queue(db, mail.Message(to=address, **message),
                       digest=_wants_summary(db, address))
        except mail.MailProblem as problem:
            # The event itself stands: a person's malformed address is logged, not fatal.
            log.warning("email not queued: %s", problem)


def _governance_addresses(db: Database) -> list[str]:
    """Every active governance lead with an email."""
    return sorted({r["email"].strip() for r in db.query(
        "SELECT people.email FROM users JOIN people ON people.id = users.person_id"
        " WHERE users.role = 'governance' AND users.active = 1 AND people.email != ''")})


def after_move(db: Database, decision: dict[str, Any], action: str, status: str) -> None:
    """The messages a decision's move sends (called by lifecycle.move in the same write)."""
    reference, title = decision["reference"], decision["title"]
    link = f"/decisions/{reference}"
    if status == "awaiting_review" and action in ("submit", "flags_raised", "void_sign_off"):
        _queue_all(db, _governance_addresses(db), {
            "subject": f"{reference} is waiting for a conflicts review",
            "lines": (f"{reference}, {title}, has conflicts flagged and is waiting for a "
                      f"governance lead to review them.",),
            "link_path": f"/reviews/{reference}", "link_text": "Open the review",
            "kind": "flagged_decision"})
    if action == "return":
        _queue_all(db, _secretary_addresses(db, decision), {
            "subject": f"{reference} was returned for more information",
            "lines": (f"The governance lead returned {reference}, {title}, for more information.",
                      "Sign in to read what is needed, correct the decision and submit it "
                      "again."),
            "link_path": link, "link_text": "Open the decision", "kind": "decision_returned"})
    elif action == "void_sign_off":
        _queue_all(db, _secretary_addresses(db, decision), {
            "subject": f"The sign-off of {reference} was voided",
            "lines": (f"A change to {reference}, {title}, voided its conflicts sign-off.",
                      "It is back with the governance lead; sign in to see what changed."),
            "link_path": link, "link_text": "Open the decision", "kind": "sign_off_voided"})


def declaration_decided(db: Database, interest_id: int, *, approved: bool) -> None:
    """Tell the person who declared an interest that a governance lead approved it (it is now
    on the public register) or returned it for changes."""
    row = next(iter(db.query(
        "SELECT people.email, interests.declared_on FROM interests"
        " JOIN people ON people.id = interests.person_id WHERE interests.id = ?",
        [interest_id])), None)
    if row is None or not (row["email"] or "").strip():
        return
    if approved:
        message = {"subject": "Your declaration of interests was approved",
                   "lines": (f"A governance lead approved your declaration of "
                             f"{long_date(row['declared_on'])}. It is now on the published "
                             f"register.",),
                   "kind": "declaration_approved"}
    else:
        message = {"subject": "Your declaration of interests was returned",
                   "lines": (f"A governance lead returned your declaration of "
                             f"{long_date(row['declared_on'])} for changes.",
                             "Sign in to read why, change it and save it again."),
                   "kind": "declaration_returned"}
    _queue_all(db, [row["email"].strip()], {**message,
                                            "link_path": f"/interests/{interest_id}",
                                            "link_text": "Open the declaration"})
