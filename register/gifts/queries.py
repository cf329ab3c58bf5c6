"""Reading and writing the register of gifts, hospitality and sponsorship."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from .. import audit
from ..db import write_transaction
from ..rules import gifts as rules
from ..rules.decisions import format_money
from ..timeutil import utcnow_iso

_SELECT = (
    "SELECT gifts.*, people.name AS person_name, people.positions AS positions,"
    " organisations.name AS organisation_name FROM gifts"
    " JOIN people ON people.id = gifts.person_id"
    " LEFT JOIN organisations ON organisations.id = gifts.organisation_id")


def create_gift(db: Database, values: Mapping[str, Any], *, person_id: int,
                declared_on: dt.date, actor: str) -> int:
    """Record one offer, accepted or declined, with an audit event in the same write."""
    now = utcnow_iso()
    record = {**values, "person_id": person_id, "declared_on": declared_on.isoformat(),
              "created_at": now, "updated_at": now, "version": 1}
    with write_transaction(db):
        gift_id = db["gifts"].insert(record).last_pk
        audit.record(db, actor=actor, action="create", entity="gift", entity_id=gift_id,
                     after=record)
    return gift_id


def _described(row: dict[str, Any], configured: Mapping[str, int] | None) -> dict[str, Any]:
    offered_on = dt.date.fromisoformat(row["offered_on"])
    declared_on = dt.date.fromisoformat(row["declared_on"])
    row["kind_label"] = rules.KINDS.get(row["kind"], row["kind"])
    row["from_name"] = row["organisation_name"] or row["offered_by"]
    row["value_text"] = format_money(row["value_pence"])
    row["outcome"] = "Accepted" if row["accepted"] else "Declined"
    row["days_late"] = rules.days_late(offered_on, declared_on)
    row["assessment"] = rules.assess(row["kind"], bool(row["from_supplier"]),
                                     row["value_pence"], bool(row["accepted"]), configured)
    return row


def gifts(db: Database, *, person_id: int | None = None,
          configured: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """Every offer recorded (or one person's), newest first, each with the guidance's words."""
    where, params = ("", []) if person_id is None else (" WHERE gifts.person_id = ?", [person_id])
    return [_described(dict(r), configured) for r in db.query(
        _SELECT + where + " ORDER BY gifts.offered_on DESC, gifts.id DESC", params)]


def published(db: Database, configured: Mapping[str, int] | None = None
              ) -> list[dict[str, Any]]:
    """The public register: every offer the guidance says is declared, accepted or declined."""
    return [row for row in gifts(db, configured=configured) if row["assessment"].must_declare]


def from_providers(db: Database, organisation_ids: list[int],
                   configured: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """Offers made by these organisations (a decision's providers), newest first."""
    if not organisation_ids:
        return []
    marks = ", ".join("?" for _ in organisation_ids)
    return [_described(dict(r), configured) for r in db.query(
        _SELECT + f" WHERE gifts.organisation_id IN ({marks})"
        " ORDER BY gifts.offered_on DESC, gifts.id DESC", organisation_ids)]


def offered_in_decision(db: Database, organisation_ids: list[int], person_ids: list[int],
                        configured: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """Offers a decision's providers made to the people taking part in it, newest first."""
    people = set(person_ids)
    return [row for row in from_providers(db, organisation_ids, configured)
            if row["person_id"] in people]
