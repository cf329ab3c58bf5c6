"""Reading and writing the breaches register."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from .. import audit
from ..db import write_transaction
from ..rules import breaches as rules
from ..timeutil import utcnow_iso

_SELECT = (
    "SELECT breaches.*, people.name AS person_name, decisions.reference AS reference,"
    " decisions.title AS decision_title FROM breaches"
    " LEFT JOIN people ON people.id = breaches.person_id"
    " LEFT JOIN decisions ON decisions.id = breaches.decision_id")


class StaleBreach(Exception):
    """Someone else changed the breach since the form was opened."""


def _described(row: dict[str, Any]) -> dict[str, Any]:
    row["kind_label"] = rules.kind_label(row["kind"])
    row["state"] = "Closed" if row["closed_on"] else "Open"
    return row


def breaches(db: Database, *, state: str = "") -> list[dict[str, Any]]:
    """Every breach (or only the open or closed ones), open first, newest found first."""
    where = {"open": " WHERE breaches.closed_on IS NULL",
             "closed": " WHERE breaches.closed_on IS NOT NULL"}.get(state, "")
    return [_described(dict(r)) for r in db.query(
        _SELECT + where + " ORDER BY breaches.closed_on IS NOT NULL,"
        " breaches.found_on DESC, breaches.id DESC")]


def get_breach(db: Database, breach_id: int) -> dict[str, Any] | None:
    """One breach with its person and decision, or None."""
    row = next(iter(db.query(_SELECT + " WHERE breaches.id = ?", [breach_id])), None)
    return _described(dict(row)) if row else None


def published(db: Database) -> list[dict[str, Any]]:
    """The anonymised summaries of closed breaches, newest first: kind, when found and closed,
    the summary and the lessons learned; no names or decision references."""
    return [{"kind_label": rules.kind_label(r["kind"]), "found_on": r["found_on"],
             "closed_on": r["closed_on"], "summary": r["public_summary"],
             "lessons": r["lessons"]}
            for r in db.query("SELECT * FROM breaches WHERE closed_on IS NOT NULL"
                              " AND public_summary != '' ORDER BY found_on DESC, id DESC")]


def create_breach(db: Database, values: Mapping[str, Any], *, user_id: int, actor: str) -> int:
    """Record a breach a governance lead found, with its audit event."""
    record = {**values, "recorded_by_user_id": user_id, "recorded_at": utcnow_iso(),
              "version": 1}
    with write_transaction(db):
        breach_id = db["breaches"].insert(record).last_pk
        audit.record(db, actor=actor, action="create", entity="breach", entity_id=breach_id,
                     after=record)
    return breach_id


def update_breach(db: Database, breach_id: int, version: int, values: Mapping[str, Any], *,
                  actor: str) -> None:
    """Record the investigation, outcome, lessons and summary (and closing), if nobody changed
    the breach meanwhile; raises StaleBreach otherwise."""
    with write_transaction(db):
        before = next(iter(db.query("SELECT * FROM breaches WHERE id = ?", [breach_id])))
        if before["version"] != version:
            raise StaleBreach
        assignments = ", ".join(f"{column} = :{column}" for column in values)
        db.execute(f"UPDATE breaches SET {assignments}, version = version + 1 WHERE id = :id",
                   {**values, "id": breach_id})
        after = next(iter(db.query("SELECT * FROM breaches WHERE id = ?", [breach_id])))
        audit.record(db, actor=actor, action="close" if values.get("closed_on") else "update",
                     entity="breach", entity_id=breach_id,
                     changes=audit.diff(dict(before), dict(after)))
