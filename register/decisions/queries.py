"""Reading and writing make-or-buy decisions and their child rows (options, participants,
providers and key criteria)."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

from sqlite_utils import Database

from .. import audit
from ..db import write_transaction
from ..editing import STALE_MESSAGE as STALE_MESSAGE  # re-exported for the views
from ..listing import Page, paginate
from ..meetings import store as meeting_store
from ..organisations import identity
from ..rules import workflow
from ..rules.companies_house import is_dissolved
from ..rules.decisions import next_reference
from ..timeutil import utcnow_iso
from . import access, lifecycle
from .record import route_parts

EDITABLE_STATUSES = ("draft", "returned")

# One set of words and colours for the statuses everywhere (pages, registers, PDFs).
STATUSES = {status: (label, workflow.STATUS_COLOURS.get(status, "grey"))
            for status, label in workflow.STATUS_LABELS.items()}

# The columns of the decision row that the edit form writes.
FIELDS = ("title", "description", "choice", "contract_kind", "regime", "process",
          "total_value_pence", "annual_value_pence", "contract_start", "contract_end",
          "clinical_lead_id", "contract_manager_id", "meeting_date", "decision_process",
          "offered_to_all_member_practices", "awarded_provider_id", "justification", "comments",
          "route_reasons", "selection_criteria", "exclusions", "score_out_of")


def status_label(status: str) -> tuple[str, str]:
    """The words and tag colour for a decision status."""
    return STATUSES.get(status, (status.replace("_", " ").capitalize(), "grey"))


def actor_names(db: Database, actors: set[str]) -> dict[str, str]:
    """The names of the people behind audit-trail actors (usernames); actors with no linked
    person (the demo loader, an import, an unlinked account) keep their username."""
    if not actors:
        return {}
    marks = ", ".join("?" for _ in actors)
    return {row["username"]: row["name"] for row in db.query(
        "SELECT users.username, people.name FROM users JOIN people ON people.id = users.person_id"
        f" WHERE users.username IN ({marks})", sorted(actors))}


def return_note(db: Database, decision: dict[str, Any]) -> dict[str, Any] | None:
    """Why a decision returned for more information was sent back, by whom and when (from the
    audit trail, where the governance lead's words are kept); None unless it is returned."""
    if decision.get("status") != "returned":
        return None
    event = next(iter(db.query(
        "SELECT actor, at, changes FROM audit_events WHERE entity = 'decision' AND entity_id = ?"
        " AND action = 'return' ORDER BY seq DESC LIMIT 1", [str(decision["id"])])), None)
    if event is None:
        return None
    changes = json.loads(event["changes"] or "{}")
    reason = changes.get("reason") if isinstance(changes, dict) else None
    return {"reason": reason if isinstance(reason, str) else "", "at": event["at"],
            "who": actor_names(db, {event["actor"]}).get(event["actor"], event["actor"])}


# ---- reference data for the forms ----------------------------------------------------------

def committee_choices(db: Database) -> list[dict[str, Any]]:
    """Every committee, by name."""
    return list(db.query("SELECT id, name FROM committees ORDER BY name COLLATE NOCASE"))


def committee_members(db: Database, committee_id: int) -> list[dict[str, Any]]:
    """A committee's members with their names and whether they vote, chair first."""
    return list(db.query(
        "SELECT committee_members.person_id, committee_members.role, committee_members.category,"
        " committee_members.voting, people.name FROM committee_members"
        " JOIN people ON people.id = committee_members.person_id"
        " WHERE committee_members.committee_id = ?"
        " ORDER BY CASE committee_members.role WHEN 'chair' THEN 0 WHEN 'vice_chair' THEN 1"
        " ELSE 2 END, people.name COLLATE NOCASE", [committee_id]))


def people_choices(db: Database) -> list[dict[str, Any]]:
    """Every person, by name, for the people pickers."""
    return list(db.query("SELECT id, name FROM people ORDER BY name COLLATE NOCASE, id"))


def people_names(db: Database, ids: list[int]) -> dict[int, str]:
    """The names of the given people (unknown ids are left out)."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    return {r["id"]: r["name"] for r in db.query(
        f"SELECT id, name FROM people WHERE id IN ({marks})", ids)}


# ---- providers typed by name or ODS code ---------------------------------------------------

def provider_text(organisation: dict[str, Any]) -> str:
    """How an organisation is written in a provider box: 'Name (identifier)', or the name alone."""
    return identity.label(organisation)


def resolve_organisation(db: Database, text: str) -> tuple[dict[str, Any] | None, str | None]:
    """The organisation typed as any identifier, 'Name (identifier)' or an exact name, or why
    not."""
    typed = (text or "").strip()
    found = identity.find_typed(db, typed)
    if found.problem:
        return None, found.problem
    if found.organisation_id is None:
        return None, (f"No organisation matches '{typed}'. Check the name, ODS code, Companies "
                      "House number or charity number")
    return next(iter(db.query(
        "SELECT id, name, ods_code, companies_house_number, charity_number, kind"
        " FROM organisations WHERE id = ?", [found.organisation_id]))), None


# ---- reading -------------------------------------------------------------------------------

def get_decision(db: Database, reference: str) -> dict[str, Any] | None:
    """The decision row with the given reference (any case), with its committee's name."""
    return next(iter(db.query(
        "SELECT decisions.*, committees.name AS committee_name FROM decisions"
        " JOIN committees ON committees.id = decisions.committee_id"
        " WHERE decisions.reference = ?", [(reference or "").strip().upper()])), None)


def load_children(db: Database, decision_id: int) -> dict[str, list[dict[str, Any]]]:
    """A decision's options, participants, providers and key criteria, in display order."""
    return {
        "options": list(db.query(
            "SELECT position, description, outcome, reason FROM decision_options"
            " WHERE decision_id = ? ORDER BY position", [decision_id])),
        "participants": list(db.query(
            "SELECT decision_participants.person_id, decision_participants.role, people.name,"
            " committee_members.person_id IS NOT NULL AS is_member FROM decision_participants"
            " JOIN people ON people.id = decision_participants.person_id"
            " JOIN decisions ON decisions.id = decision_participants.decision_id"
            " LEFT JOIN committee_members ON committee_members.person_id ="
            " decision_participants.person_id"
            " AND committee_members.committee_id = decisions.committee_id"
            " WHERE decision_participants.decision_id = ?"
            " ORDER BY people.name COLLATE NOCASE", [decision_id])),
        "providers": [{**p, "dissolved": is_dissolved(p["company_status"], p["dissolved_on"])}
                      for p in db.query(
            "SELECT organisations.id, organisations.name, organisations.ods_code,"
            " organisations.companies_house_number, organisations.charity_number,"
            " organisations.kind, organisations.is_member_practice,"
            " organisations.company_status, organisations.dissolved_on FROM decision_providers"
            " JOIN organisations ON organisations.id = decision_providers.organisation_id"
            " WHERE decision_providers.decision_id = ? ORDER BY decision_providers.id",
            [decision_id])],
        "criteria": list(db.query(
            "SELECT criterion, weight, how_applied FROM decision_criteria"
            " WHERE decision_id = ? ORDER BY id", [decision_id])),
        "scores": list(db.query(
            "SELECT decision_scores.organisation_id, organisations.name, decision_scores.score,"
            " decision_scores.assessment FROM decision_scores"
            " JOIN organisations ON organisations.id = decision_scores.organisation_id"
            " WHERE decision_scores.decision_id = ? ORDER BY decision_scores.id",
            [decision_id])),
    }


def load_for_display(db: Database, reference: str) -> dict[str, Any] | None:
    """A decision with everything its page shows, or None if there is no such reference."""
    decision = get_decision(db, reference)
    if decision is None:
        return None
    people = people_names(db, [i for i in (decision["clinical_lead_id"],
                                           decision["contract_manager_id"]) if i])
    awarded = None
    if decision["awarded_provider_id"]:
        awarded = next(iter(db.query(
            "SELECT id, name, ods_code, companies_house_number, charity_number,"
            " registered_address, postcode FROM organisations"
            " WHERE id = ?", [decision["awarded_provider_id"]])), None)
    author = next(iter(db.query(
        "SELECT users.username, people.name FROM users LEFT JOIN people"
        " ON people.id = users.person_id WHERE users.id = ?",
        [decision["author_user_id"]])), None) if decision["author_user_id"] else None
    children = load_children(db, decision["id"])
    return {
        "decision": decision,
        **children,
        "route": route_parts(decision, children["scores"]),
        "clinical_lead": people.get(decision["clinical_lead_id"]),
        "contract_manager": people.get(decision["contract_manager_id"]),
        "awarded": awarded,
        "author": (author["name"] or author["username"]) if author else None,
    }


def list_decisions(db: Database, user: Any, page: int, page_size: int) -> Page:
    """The decisions a user may see, newest meeting first, a page at a time."""
    condition, params = access.visible(user)
    where = " WHERE " + condition
    result = paginate(
        db, "SELECT decisions.id, decisions.reference, decisions.title, decisions.meeting_date,"
        " decisions.status, decisions.flag_count, committees.name AS committee_name",
        "FROM decisions JOIN committees ON committees.id = decisions.committee_id" + where,
        params, "decisions.meeting_date DESC, decisions.id DESC", page, page_size)
    return result


# ---- writing -------------------------------------------------------------------------------

def _issue_reference(db: Database, year: int) -> str:
    """The next reference of a year: the counter moves on for good, even if the draft is dropped."""
    row = db.execute("SELECT last_number FROM reference_counters WHERE year = ?",
                     [year]).fetchone()
    last = row[0] if row else 0
    reference = next_reference(year, last)
    # Decisions loaded from elsewhere may already hold a number the counter has not reached.
    while db.execute("SELECT 1 FROM decisions WHERE reference = ?", [reference]).fetchone():
        last += 1
        reference = next_reference(year, last)
    db.execute("INSERT INTO reference_counters (year, last_number) VALUES (?, ?)"
               " ON CONFLICT (year) DO UPDATE SET last_number = excluded.last_number",
               [year, last + 1])
    return reference


def create_draft(db: Database, *, title: str, committee_id: int, meeting_date: dt.date,
                 user_id: int, actor: str, choice: str | None = None,
                 regime: str | None = None, process: str | None = None) -> str:
    """Start a draft decision with a fresh reference and the committee's members taking part
    (and, when given, whether it is make or buy and its procurement route)."""
    now = utcnow_iso()
    with write_transaction(db):
        reference = _issue_reference(db, meeting_date.year)
        row = {"reference": reference, "title": title, "committee_id": committee_id,
               "meeting_date": meeting_date.isoformat(), "status": "draft",
               "author_user_id": user_id, "created_at": now, "updated_at": now, "version": 1}
        if choice:
            row["choice"] = choice
        if regime and process:
            row.update(regime=regime, process=process)
        decision_id = db["decisions"].insert(row).last_pk
        participants = [{"decision_id": decision_id, "person_id": m["person_id"],
                         "role": "voting" if m["voting"] else "attendee"}
                        for m in committee_members(db, committee_id)]
        if participants:
            db["decision_participants"].insert_all(participants)
        after = next(iter(db.query("SELECT * FROM decisions WHERE id = ?", [decision_id])))
        changes = audit.diff(None, _audited(after))
        changes["participants"] = [[], [[p["person_id"], p["role"]] for p in participants]]
        audit.record(db, actor=actor, action="create", entity="decision", entity_id=decision_id,
                     changes=changes)
        meeting_store.place_decision(db, decision_id, now=now, actor=actor)
        lifecycle.refresh(db, [decision_id], actor=actor)
    return reference


def _audited(row: dict[str, Any]) -> dict[str, Any]:
    # Flag bookkeeping changes on its own (and is audited when the flags change).
    return {k: v for k, v in row.items()
            if k not in ("flag_count", "conflict_count", "flags_computed_at")}


def _child_summary(children: dict[str, list[dict[str, Any]]]) -> dict[str, list[Any]]:
    """The child rows reduced to what an auditor needs to see changed."""
    return {
        "participants": sorted([c["person_id"], c["role"]] for c in children["participants"]),
        "providers": sorted(c["organisation_id"] for c in children["providers"]),
        "options": [[c["description"], c["outcome"], c["reason"]] for c in children["options"]],
        "criteria": sorted([c["criterion"], c["weight"], c["how_applied"]]
                           for c in children["criteria"]),
        "scores": sorted([c["organisation_id"], c["score"], c["assessment"]]
                         for c in children.get("scores", ())),
    }


def _stored_children(db: Database, decision_id: int) -> dict[str, list[dict[str, Any]]]:
    return {
        "participants": list(db.query(
            "SELECT person_id, role FROM decision_participants WHERE decision_id = ?",
            [decision_id])),
        "providers": list(db.query(
            "SELECT organisation_id FROM decision_providers WHERE decision_id = ? ORDER BY id",
            [decision_id])),
        "options": list(db.query(
            "SELECT description, outcome, reason FROM decision_options WHERE decision_id = ?"
            " ORDER BY position", [decision_id])),
        "criteria": list(db.query(
            "SELECT criterion, weight, how_applied FROM decision_criteria WHERE decision_id = ?",
            [decision_id])),
        "scores": list(db.query(
            "SELECT organisation_id, score, assessment FROM decision_scores"
            " WHERE decision_id = ?", [decision_id])),
    }


def save_decision(db: Database, decision_id: int, version: int, values: dict[str, Any],
                  children: dict[str, list[dict[str, Any]]], actor: str) -> bool:
    """Save an editable decision and replace its child rows; False if it changed meanwhile."""
    with write_transaction(db):
        before = next(iter(db.query("SELECT * FROM decisions WHERE id = ?", [decision_id])), None)
        if before is None:
            return False
        assignments = ", ".join(f"{name} = :{name}" for name in FIELDS)
        cursor = db.execute(
            f"UPDATE decisions SET {assignments}, updated_at = :now, version = version + 1"
            " WHERE id = :id AND version = :version AND status IN ('draft', 'returned')",
            {**{name: values[name] for name in FIELDS}, "now": utcnow_iso(), "id": decision_id,
             "version": version})
        if cursor.rowcount == 0:
            return False
        old_children = _child_summary(_stored_children(db, decision_id))
        # Replacing the child rows wholesale keeps the save simple; the flags are recomputed
        # below either way.
        for table in ("decision_participants", "decision_providers", "decision_options",
                      "decision_criteria", "decision_scores"):
            db.execute(f"DELETE FROM {table} WHERE decision_id = ?", [decision_id])
        for table, key in (("decision_participants", "participants"),
                           ("decision_providers", "providers"),
                           ("decision_options", "options"), ("decision_criteria", "criteria"),
                           ("decision_scores", "scores")):
            rows = [{"decision_id": decision_id, **row} for row in children.get(key, ())]
            if rows:
                db[table].insert_all(rows)
        new_children = _child_summary(_stored_children(db, decision_id))
        after = next(iter(db.query("SELECT * FROM decisions WHERE id = ?", [decision_id])))
        changes = audit.diff(_audited(before), _audited(after))
        for key, old in old_children.items():
            if old != new_children[key]:
                changes[key] = [old, new_children[key]]
        audit.record(db, actor=actor, action="update", entity="decision",
                     entity_id=decision_id, changes=changes)
        meeting_store.place_decision(db, decision_id, now=after["updated_at"], actor=actor)
        lifecycle.refresh(db, [decision_id], actor=actor)
    return True


class NotDeletable(Exception):
    """A draft that cannot be deleted; the message says why, in the user's words."""


# What a draft may hold: everything else about a decision comes after it is submitted.
_DRAFT_CHILDREN = ("decision_participants", "decision_providers", "decision_options",
                   "decision_criteria", "decision_scores", "decision_flags",
                   "match_resolutions")


def delete_draft(db: Database, decision_id: int, version: int, *, user_id: int,
                 actor: str) -> str:
    """Delete a draft nobody wants: only its author, only while it is a draft never submitted.
    The deletion is audited with what the draft held, and its reference is never issued again.
    Returns the reference; raises NotDeletable saying why not."""
    with write_transaction(db):
        row = next(iter(db.query("SELECT * FROM decisions WHERE id = ?", [decision_id])), None)
        if row is None:
            raise NotDeletable("This decision no longer exists")
        if row["status"] != "draft" or row["submitted_at"]:
            raise NotDeletable("Only a draft that was never submitted can be deleted: a "
                               "submitted decision is kept for good (withdraw it instead)")
        if row["author_user_id"] != user_id:
            raise NotDeletable("Only the person who started this draft can delete it")
        if row["version"] != version:
            raise NotDeletable("Someone changed this draft since you opened it: look at it "
                               "again before deleting it")
        children = _child_summary(_stored_children(db, decision_id))
        meeting_store.remove_decision(db, decision_id, actor=actor)
        try:
            for table in _DRAFT_CHILDREN:
                db.execute(f"DELETE FROM {table} WHERE decision_id = ?", [decision_id])
            db.execute("DELETE FROM decisions WHERE id = ?", [decision_id])
        except sqlite3.IntegrityError as error:
            raise NotDeletable("Something else in the register refers to this draft (a breach "
                               "recorded against it, for example), so it cannot be deleted"
                               ) from error
        audit.record(db, actor=actor, action="delete", entity="decision", entity_id=decision_id,
                     changes={"deleted": _audited(row), **children})
    return row["reference"]
