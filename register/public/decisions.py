"""The public register of procurement decisions: which decisions the public sees, and each one
as the columns of NHS England's register of procurement decisions.

Only decisions whose status is *published* appear (a withdrawn decision never reaches it, and a
draft or decided one not yet). Every row comes from the decision's one record
(`register.decisions.record`) through the register's own row (`serialise.record_row`); an
interest withheld from the published register of interests is named only as withheld.
Reads only: nothing here writes.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from ..decisions import record, serialise
from ..decisions.access import Viewer
from ..decisions.serialise import RegisterFilters
from ..rules.decisions import format_money

PUBLISHED = "published"
# The public sees every published decision, whoever recorded it.
PUBLIC = Viewer(sees_all=True)

# (key in public_row, heading, kind): NHS England's register of procurement decisions, in its
# order, with the contract term and where the award was published. Kinds: text, date, money.
COLUMNS: list[tuple[str, str, str]] = [
    ("reference", "Reference", "text"),
    ("title", "Contract or service title", "text"),
    ("description", "Description", "text"),
    ("contract_kind", "Existing contract or new", "text"),
    ("procurement_type", "Procurement type", "text"),
    ("clinical_lead", "Clinical lead", "text"),
    ("contract_manager", "Contract manager", "text"),
    ("decision_process", "Decision-making process", "text"),
    ("committee", "Committee that decided", "text"),
    ("meeting_date", "Meeting date", "date"),
    ("conflicts", "Conflicts of interest noted", "text"),
    ("mitigation", "How each conflict was managed", "text"),
    ("justification", "Justification", "text"),
    ("supplier", "Contract awarded: supplier", "text"),
    ("supplier_address", "Supplier's registered address", "text"),
    ("contract_start", "Contract start date", "date"),
    ("contract_end", "Contract end date", "date"),
    ("total_value", "Contract value, total (£)", "money"),
    ("annual_value", "Contract value, annual (£)", "money"),
    ("published_where", "Where the award was published", "text"),
    ("published_on", "Date the award was published", "date"),
    ("intention_notice_on", "Intention to award notice published", "date"),
    ("intention_notice_where", "Where the intention to award notice was published", "text"),
    ("standstill_end", "Standstill ended", "date"),
    ("comments", "Comments", "text"),
]

NO_CONFLICTS = "None noted"


@dataclass
class PublicPage:
    """One page of the public register."""

    rows: list[dict[str, Any]]
    page: int
    pages: int
    total: int


def public_filters(committee_id: int | None = None, regime: str = "",
                   date_from: dt.date | None = None,
                   date_to: dt.date | None = None) -> RegisterFilters:
    """The register filters of the public register: published decisions only, then whatever the
    reader narrowed it to."""
    return RegisterFilters(status=PUBLISHED, committee_id=committee_id, regime=regime,
                           date_from=date_from, date_to=date_to)


def withheld_interest_ids(db: Database, records: Sequence[record.DecisionRecord]) -> frozenset[int]:
    """The interests named by these decisions' flags that may not be published."""
    ids = sorted({f.evidence.get("interest_id") for rec in records for f in rec.flags
                  if isinstance(f.evidence.get("interest_id"), int)})
    if not ids:
        return frozenset()
    return frozenset(r["id"] for r in db.query(
        "SELECT id FROM interests WHERE consent_to_publish = 0"
        " AND id IN (SELECT value FROM json_each(?))", [json.dumps(ids)]))


def public_row(rec: record.DecisionRecord,
               withheld: frozenset[int] = frozenset()) -> dict[str, Any]:
    """One published decision as the public register's columns (dates as dates, money in
    pence), with its conflicts in words."""
    row = serialise.record_row(rec, withheld)
    words: list[serialise.ConflictWords] = row["conflicts_in_words"]
    return {
        "reference": rec.reference,
        "title": rec.title,
        "description": rec.description,
        "contract_kind": row["contract_kind"],
        "procurement_type": row["procurement_type"],
        "clinical_lead": row["clinical_lead"],
        "contract_manager": row["contract_manager"],
        "decision_process": row["decision_process"],
        "committee": rec.committee_name,
        "meeting_date": rec.meeting_date,
        "conflict_words": words,
        "conflicts": "\n".join(f"{w.person}: {w.interest}" for w in words) or NO_CONFLICTS,
        "mitigation": "\n".join(f"{w.person}: {w.managed}" for w in words),
        "justification": row["justification"],
        "supplier": row["supplier"],
        "supplier_address": row["supplier_address"],
        "contract_start": rec.contract_start,
        "contract_end": rec.contract_end,
        "total_value_pence": rec.total_value_pence,
        "annual_value_pence": rec.annual_value_pence,
        "total_value_text": format_money(rec.total_value_pence),
        "annual_value_text": format_money(rec.annual_value_pence),
        "published_where": rec.award_published_where,
        "published_on": rec.award_published_on,
        "comments": row["comments"],
        "regime": rec.regime,
        "process": rec.process,
        "modifications": rec.modifications,
        "current_value_text": format_money(rec.current_value_pence),
        "current_end": rec.current_end,
        **public_notices(rec),
    }


def ocds_modifications(records: Sequence[record.DecisionRecord]
                       ) -> dict[int, list[dict[str, Any]]]:
    """Each record's contract modifications in the shape the OCDS builder reads (by id)."""
    out: dict[int, list[dict[str, Any]]] = {}
    for rec in records:
        for m in rec.modifications:
            change = m.what_changed
            if m.value_after_pence is not None and m.value_after_pence != m.value_before_pence:
                change += (f" (value {format_money(m.value_before_pence)} to "
                           f"{format_money(m.value_after_pence)})")
            out.setdefault(rec.id, []).append({
                "id": f"{rec.reference}-modification-{m.id}", "date": m.modified_on,
                "ground": m.ground_words or None, "description": change,
                "value_after_pence": m.value_after_pence, "new_end": m.new_end})
    return out


def public_notices(rec: record.DecisionRecord) -> dict[str, Any]:
    """The intention to award notice and the standstill end, for a published PSR decision whose
    route has a standstill (empty values otherwise)."""
    notice = rec.intention_notice if rec.has_standstill else None
    return {"intention_notice_on": notice.published_on if notice else None,
            "intention_notice_where": notice.published_where if notice else "",
            "intention_notice_reference": notice.reference if notice else "",
            "standstill_end": rec.standstill_end if notice else None}


def public_rows(db: Database, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The public rows of these decisions, in the order given."""
    out: list[dict[str, Any]] = []
    for start in range(0, len(ids), 500):
        records = record.load_records(db, ids[start:start + 500])
        withheld = withheld_interest_ids(db, records)
        out.extend(public_row(rec, withheld) for rec in records)
    return out


def public_ids(db: Database, filters: RegisterFilters) -> list[int]:
    """Every published decision matching the filters, latest meeting first."""
    return serialise.register_ids(db, filters, PUBLIC, sort="meeting", direction="desc")


def public_page(db: Database, filters: RegisterFilters, page: int,
                page_size: int) -> PublicPage:
    """One page of the public register for these filters."""
    ids = public_ids(db, filters)
    pages = max(1, math.ceil(len(ids) / page_size))
    page = min(max(1, page), pages)
    chosen = ids[(page - 1) * page_size:page * page_size]
    return PublicPage(public_rows(db, chosen), page, pages, len(ids))


def published_record(db: Database, reference: str) -> record.DecisionRecord | None:
    """The record of the published decision with this reference, or None (also for a decision
    that exists but is not published: the public cannot tell the two apart)."""
    found = next(iter(db.query("SELECT id FROM decisions WHERE reference = ? AND status = ?",
                               [reference.strip().upper(), PUBLISHED])), None)
    return record.load_record(db, found["id"]) if found else None


def cell_text(row: dict[str, Any], key: str, kind: str) -> str:
    """One cell as text, for the CSV file: dates as YYYY-MM-DD, money as plain pounds."""
    if kind == "money":
        return serialise.pounds(row[f"{key}_pence"]) or ""
    value = row.get(key)
    if kind == "date":
        return value.isoformat() if value else ""
    return serialise.neutralise(str(value)) if value not in (None, "") else ""
