"""Contract modifications and the contracts coming up for renewal: reading and writing them.

The rules (which grounds allow what, the current value and end date, the renewal dates) live in
`register/rules/modifications.py`; this module stores and reads. A modification never changes the
decision's own values: the record keeps the original beside every change. Modifications are not
among the facts a decision's conflict flags are computed from (people, providers, interests), so
recording one does not refresh flags.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from .. import audit
from ..db import write_transaction
from ..rules import modifications as rules
from ..rules.dates import iso_date
from ..rules.modifications import Modification
from ..timeutil import utcnow_iso

# Decisions whose contract may be modified, and which appear in the renewal list.
MODIFIABLE_STATUSES = ("decided", "published")


@dataclass(frozen=True)
class RecordedModification(Modification):
    """A modification as stored, with its id and what the regulations ask of it."""

    id: int = 0
    notice_required: bool = False

    @property
    def ground_words(self) -> str:
        """The permitted ground in words."""
        return rules.ground_label(self.ground)

    @property
    def notice_due_by(self) -> dt.date | None:
        """The last day to publish its notice, while one is required and not yet published."""
        if self.notice_required and self.published_on is None:
            return rules.notice_due_by(self.modified_on)
        return None




def load_for(db: Database, decision_ids: Sequence[int],
             originals: dict[int, int | None] | None = None
             ) -> dict[int, tuple[RecordedModification, ...]]:
    """Each decision's modifications, oldest first, by decision id (reads only).

    `originals` (decision id -> original total value) decides whether each needs a notice."""
    if originals is None:
        originals = {r["id"]: r["total_value_pence"] for r in db.query(
            "SELECT id, total_value_pence FROM decisions WHERE id IN"
            " (SELECT value FROM json_each(?))", [json.dumps(list(decision_ids))])}
    out: dict[int, list[RecordedModification]] = {i: [] for i in decision_ids}
    for row in db.query(
            "SELECT * FROM contract_modifications WHERE decision_id IN"
            " (SELECT value FROM json_each(?)) ORDER BY modified_on, id",
            [json.dumps(list(decision_ids))]):
        original = originals.get(row["decision_id"])
        out.setdefault(row["decision_id"], []).append(RecordedModification(
            modified_on=dt.date.fromisoformat(row["modified_on"]),
            what_changed=row["what_changed"],
            value_before_pence=row["value_before_pence"],
            value_after_pence=row["value_after_pence"],
            new_end=iso_date(row["new_end"]), ground=row["ground"] or "",
            published_where=row["published_where"] or "",
            published_on=iso_date(row["published_on"]), id=row["id"],
            notice_required=rules.notice_required(original, row["value_after_pence"])))
    return {key: tuple(value) for key, value in out.items()}


def add(db: Database, decision_id: int, modification: Modification, actor: str, *,
        now: str | None = None) -> int:
    """Record a modification (already checked against the rules) with its audit event; `now` is
    the time it is recorded (the real time unless given)."""
    values = {
        "decision_id": decision_id,
        "modified_on": modification.modified_on.isoformat(),
        "what_changed": modification.what_changed,
        "value_before_pence": modification.value_before_pence,
        "value_after_pence": modification.value_after_pence,
        "new_end": modification.new_end.isoformat() if modification.new_end else None,
        "ground": modification.ground,
        "published_where": modification.published_where,
        "published_on": (modification.published_on.isoformat()
                         if modification.published_on else None),
        "recorded_by": actor,
        "created_at": now or utcnow_iso(),
    }
    with write_transaction(db):
        cursor = db.execute(
            "INSERT INTO contract_modifications (" + ", ".join(values) + ") VALUES ("
            + ", ".join("?" for _ in values) + ")", list(values.values()))
        modification_id = int(cursor.lastrowid or 0)
        audit.record(db, actor=actor, action="create", entity="contract_modification",
                     entity_id=modification_id,
                     changes={k: v for k, v in values.items() if k not in ("created_at",)})
    return modification_id


def record_notice(db: Database, modification_id: int, where: str, on: dt.date,
                  actor: str) -> None:
    """Record where and when a modification's notice was published, with its audit event."""
    with write_transaction(db):
        db.execute("UPDATE contract_modifications SET published_where = ?, published_on = ?"
                   " WHERE id = ?", [where, on.isoformat(), modification_id])
        audit.record(db, actor=actor, action="update", entity="contract_modification",
                     entity_id=modification_id,
                     changes={"published_where": where, "published_on": on.isoformat()})


@dataclass(frozen=True)
class Renewal:
    """One contract in the renewal list."""

    reference: str
    title: str
    committee_name: str
    provider: str
    value_pence: int | None
    original_end: dt.date
    end: dt.date
    start_next_by: dt.date
    status: str


def renewals(db: Database, today: dt.date, months: int,
             lead_months: int = rules.RENEWAL_LEAD_MONTHS) -> list[Renewal]:
    """Decided or published contracts ending within `months` of today, after modifications,
    soonest first (reads only)."""
    rows = list(db.query(
        "SELECT decisions.id, decisions.reference, decisions.title, decisions.status,"
        " decisions.total_value_pence, decisions.contract_end,"
        " committees.name AS committee_name, organisations.name AS provider"
        " FROM decisions JOIN committees ON committees.id = decisions.committee_id"
        " LEFT JOIN organisations ON organisations.id = decisions.awarded_provider_id"
        " WHERE decisions.status IN (SELECT value FROM json_each(?))"
        " AND decisions.contract_end IS NOT NULL",
        [json.dumps(list(MODIFIABLE_STATUSES))]))
    mods = load_for(db, [r["id"] for r in rows],
                    {r["id"]: r["total_value_pence"] for r in rows})
    out = []
    for row in rows:
        changes = mods.get(row["id"], ())
        original_end = dt.date.fromisoformat(row["contract_end"])
        end = rules.current_end(original_end, changes)
        if not rules.ends_within(end, today, months) or end is None:
            continue
        out.append(Renewal(row["reference"], row["title"], row["committee_name"],
                           row["provider"] or "", rules.current_value(row["total_value_pence"],
                                                                      changes),
                           original_end, end, rules.start_next_decision_by(end, lead_months),
                           row["status"]))
    out.sort(key=lambda r: (r.end, r.reference))
    return out


def renewal_rows(found: Sequence[Renewal], money: Any) -> list[list[str]]:
    """The renewal list as CSV rows, header first (money formats whole pence)."""
    rows = [["Reference", "Title", "Committee", "Provider", "Current value", "Original end date",
             "End date after modifications", "Start the next decision by"]]
    for r in found:
        rows.append([r.reference, r.title, r.committee_name, r.provider, money(r.value_pence),
                     r.original_end.isoformat(), r.end.isoformat(), r.start_next_by.isoformat()])
    return rows
