"""Writing the review of a decision: rulings, match resolutions, escalations and ratification,
each audited. Status changes, the sign-off and the outcome belong to the decision's lifecycle
(`register/decisions/lifecycle.py`).

Every function here runs inside the caller's write transaction (they nest), so a refusal from the
status machine rolls back everything written with it.
"""
from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from .. import audit
from ..interests import linking
from ..rules.rulings import RULINGS
from ..timeutil import utcnow_iso
from . import queries


def save_rulings(db: Database, review: queries.Review, selections: dict[int, dict[str, Any]],
                 matches: dict[tuple[int, int], dict[str, str]], user_id: int,
                 actor: str, *, now: str | None = None) -> bool:
    """Store the match resolutions and rulings chosen; drop rulings on people no longer
    conflicted. One audit event on the decision lists what changed; returns whether anything did.
    `now` is the time of the rulings (the real time unless given).
    """
    decision_id = review.decision["id"]
    now = now or utcnow_iso()
    changes: dict[str, Any] = {}
    for (person_id, interest_id), chosen in sorted(matches.items()):
        outcome = {"confirm": "confirmed", "dismiss": "dismissed"}[chosen["outcome"]]
        reason = chosen.get("reason", "") if outcome == "dismissed" else ""
        old = review.resolutions.get((person_id, interest_id))
        if old and old["outcome"] == outcome and old["reason"] == reason:
            continue
        db.execute(
            "INSERT INTO match_resolutions (decision_id, person_id, interest_id, outcome, reason,"
            " resolved_by_user_id, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(decision_id, person_id, interest_id) DO UPDATE SET"
            " outcome = excluded.outcome, reason = excluded.reason,"
            " resolved_by_user_id = excluded.resolved_by_user_id,"
            " resolved_at = excluded.resolved_at",
            [decision_id, person_id, interest_id, outcome, reason, user_id, now])
        changes[f"match:{person_id}:{interest_id}"] = [
            old["outcome"] if old else None, outcome + (f" ({reason})" if reason else "")]
    confirmed = {key for key, chosen in matches.items() if chosen["outcome"] == "confirm"}
    confirmed |= {key for key, row in review.resolutions.items()
                  if row["outcome"] == "confirmed" and key not in matches}
    people = {p["person_id"]: p for p in review.people(confirmed)}
    for person_id, chosen in sorted(selections.items()):
        if person_id not in people:
            continue
        person = people[person_id]
        values = {
            "ruling": chosen["ruling"],
            "reason": person["proposal_reason"] if chosen["ruling"] == person["proposal"] else
            f"Changed from the proposal, “{RULINGS.get(person['proposal'], person['proposal'])}"
            f"”: {person['proposal_reason']}",
            "proposed_ruling": person["proposal"],
            "is_exception": int(bool(chosen.get("is_exception"))),
            "exception_reason": chosen.get("exception_reason", "") if chosen.get("is_exception")
            else "",
            "exception_mitigation": chosen.get("exception_mitigation", "")
            if chosen.get("is_exception") else "",
        }
        old = review.rulings.get(person_id)
        if old and all(old[k] == v for k, v in values.items()):
            continue
        if old:
            db.execute(
                "UPDATE decision_rulings SET ruling = :ruling, reason = :reason,"
                " proposed_ruling = :proposed_ruling, is_exception = :is_exception,"
                " exception_reason = :exception_reason,"
                " exception_mitigation = :exception_mitigation, ruled_by_user_id = :user,"
                " ruled_at = :now, version = version + 1 WHERE id = :id",
                {**values, "user": user_id, "now": now, "id": old["id"]})
            ruling_id = old["id"]
        else:
            ruling_id = db["decision_rulings"].insert({
                "decision_id": decision_id, "person_id": person_id, **values,
                "ruled_by_user_id": user_id, "ruled_at": now, "version": 1}).last_pk
        # An event about the ruling itself, so the trail vouches for its content.
        audit.record(db, actor=actor, action="update" if old else "create", entity="ruling",
                     entity_id=ruling_id,
                     changes=audit.diff({k: old[k] for k in values} if old else None, values))
        changes[f"ruling:{person_id}"] = [old["ruling"] if old else None,
                                          values["ruling"] + (" (exception)"
                                                              if values["is_exception"] else "")]
    for person_id, old in review.rulings.items():
        if person_id not in people:
            db.execute("DELETE FROM decision_rulings WHERE id = ?", [old["id"]])
            audit.record(db, actor=actor, action="delete", entity="ruling", entity_id=old["id"],
                         changes={"ruling": [old["ruling"], None]})
            changes[f"ruling:{person_id}"] = [old["ruling"], None]
    if changes:
        audit.record(db, actor=actor, action="rulings", entity="decision", entity_id=decision_id,
                     changes=changes)
    _link_confirmed(db, review, matches, actor=actor, user_id=user_id, now=now)
    return bool(changes)


def _link_confirmed(db: Database, review: queries.Review,
                    matches: dict[tuple[int, int], dict[str, str]], *, actor: str,
                    user_id: int, now: str | None = None) -> None:
    """A confirmed match links the free-text interest to the organisation for good, so every
    later decision sees the conflict (and its lateness); the resolution stays as the record of
    who confirmed it here. A name that matched several organisations is not linked: which one
    it is stays a question for each decision."""
    for group in review.match_groups():
        key = (group["person_id"], group["interest_id"])
        if key not in matches or matches[key]["outcome"] != "confirm":
            continue
        matched = {flag["evidence"].get("matched_organisation_id") for flag in group["flags"]}
        matched.discard(None)
        # A possible undeclared interest (a negative key, a Companies House record) links nothing.
        if len(matched) == 1 and (group["interest_id"] or 0) > 0:
            linking.confirm_match(db, group["interest_id"], matched.pop(), actor=actor,
                                  user_id=user_id, reference=review.decision["reference"],
                                  now=now)


def record_escalation(db: Database, decision: dict[str, Any], kind: str,
                      details: dict[str, Any], user_id: int, actor: str, *,
                      now: str | None = None) -> int:
    """Store the escalation chosen for an inquorate meeting (at `now`, the real time unless
    given); returns its id."""
    now = now or utcnow_iso()
    for old in db.query("SELECT id FROM escalations WHERE decision_id = ?"
                        " AND superseded_at IS NULL", [decision["id"]]):
        db.execute("UPDATE escalations SET superseded_at = ? WHERE id = ?", [now, old["id"]])
    row = {"decision_id": decision["id"], "kind": kind, "details": audit.canonical(details),
           "recorded_by_user_id": user_id, "recorded_at": now}
    escalation_id = db["escalations"].insert(row).last_pk
    audit.record(db, actor=actor, action="create", entity="escalation", entity_id=escalation_id,
                 after=row)
    return escalation_id


def record_ratification(db: Database, escalation: dict[str, Any], meeting_date: str,
                        user_id: int, actor: str) -> None:
    """Record the quorate meeting that ratified a chair and accountable officer action."""
    now = utcnow_iso()
    db.execute("UPDATE escalations SET ratified_at = ?, ratified_meeting_date = ?,"
               " ratified_by_user_id = ? WHERE id = ?",
               [now, meeting_date, user_id, escalation["id"]])
    audit.record(db, actor=actor, action="ratify", entity="escalation", entity_id=escalation["id"],
                 changes={"ratified_meeting_date": [None, meeting_date]})
