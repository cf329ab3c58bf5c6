"""A whole register as the import files that build it again, and importing such a set at once.

`register_files` writes one file per import kind, in the order they must be imported (organisations,
people, committees, interests, decisions, then the notices, modifications, gifts, breaches and
interests declared at a meeting), each in exactly the layout docs/imports.md describes, so
`flask export register DIR` followed by `flask import register DIR` on an empty register gives the
same register apart from ids and timestamps. `import_register` reads the set back in one
transaction: if any file has a problem, nothing at all is written.

Cells a spreadsheet could run as a formula are written with a leading apostrophe, which the imports
take off again (see decisions_kind `_safe`).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from ..db import write_transaction
from ..rules import csvrows
from ..rules.identifiers import reference_for
from ..rules.quorum import CATEGORIES
from ..rules.text import neutralise as _safe
from .decisions_kind import import_csv
from .parsers import FORMATS, Plan, Progress, check_file
from .writers import write_plan

# The kinds a whole register is made of, in the order they import (each refers to the ones before).
# Memberships and home practices go in files of their own, one dated period a row, so history
# (a practice that left and rejoined, a GP who moved) reads back as it was.
# Then what follows the decisions: notices and representations, contract modifications, gifts
# and hospitality, breaches, and interests declared at a meeting for an item.
ORDER = ("organisations", "memberships", "people", "home_practices", "committees", "interests",
         "decisions", "notices", "modifications", "gifts", "breaches", "meeting_declarations")


def _csv(kind: str, rows: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=[c.name for c in FORMATS[kind].columns],
                            lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def _yes(value: Any) -> str:
    return "yes" if value else "no"


def _reference(org: dict[str, Any], prefix: str = "") -> str:
    return reference_for(org[f"{prefix}ods_code"], org[f"{prefix}companies_house_number"],
                         org[f"{prefix}charity_number"], org[f"{prefix}name"])


def _organisation_rows(db: Database) -> list[dict[str, Any]]:
    rows = db.query("SELECT * FROM organisations ORDER BY kind NOT IN ('network', 'federation'),"
                    " name COLLATE NOCASE, id")
    return [{
        "name": _safe(org["name"]), "kind": org["kind"], "ods_code": org["ods_code"] or "",
        "companies_house_number": org["companies_house_number"] or "",
        "charity_number": org["charity_number"] or "",
        "registered_address": _safe(org["registered_address"]), "postcode": org["postcode"],
        "is_member_practice": _yes(org["is_member_practice"]), "member_of": "",
    } for org in rows]


def _membership_rows(db: Database) -> list[dict[str, Any]]:
    rows = db.query(
        "SELECT m.ods_code, m.companies_house_number, m.charity_number, m.name,"
        " p.ods_code AS p_ods_code, p.companies_house_number AS p_companies_house_number,"
        " p.charity_number AS p_charity_number, p.name AS p_name, l.date_from, l.date_to"
        " FROM organisation_links l JOIN organisations m ON m.id = l.member_id"
        " JOIN organisations p ON p.id = l.parent_id"
        " ORDER BY m.name COLLATE NOCASE, m.id, p.name COLLATE NOCASE, p.id,"
        " l.date_from IS NOT NULL, l.date_from")
    return [{"member": _safe(_reference(r)), "network_or_federation": _safe(_reference(r, "p_")),
             "date_from": r["date_from"] or "", "date_to": r["date_to"] or ""} for r in rows]


def _home_practice_rows(db: Database) -> list[dict[str, Any]]:
    rows = db.query(
        "SELECT people.email, o.ods_code, o.companies_house_number, o.charity_number, o.name,"
        " h.date_from, h.date_to FROM home_practices h JOIN people ON people.id = h.person_id"
        " JOIN organisations o ON o.id = h.organisation_id"
        " ORDER BY people.email, h.date_from IS NOT NULL, h.date_from, h.id")
    return [{"person_email": r["email"], "practice": _safe(_reference(r)),
             "date_from": r["date_from"] or "", "date_to": r["date_to"] or ""} for r in rows]


def _people_rows(db: Database) -> list[dict[str, Any]]:
    # Home practices are in their own file, with their dates.
    rows = db.query("SELECT * FROM people ORDER BY name COLLATE NOCASE, id")
    return [{"name": _safe(p["name"]), "email": p["email"], "positions": _safe(p["positions"]),
             "is_decision_maker": _yes(p["is_decision_maker"]), "home_practice_ods": "",
             "birth_month": p["birth_month"] or "", "birth_year": p["birth_year"] or ""}
            for p in rows]


def quorum_text(committee: dict[str, Any]) -> str:
    """A committee's quorum as the committees import reads it: '5 including 1 lay, 1 executive'."""
    parts = [f"{committee[f'quorum_min_{category}']} {category}" for category in CATEGORIES
             if committee[f"quorum_min_{category}"]]
    return str(committee["quorum_min_voting"]) + (" including " + ", ".join(parts) if parts
                                                    else "")


def _committee_rows(db: Database) -> list[dict[str, Any]]:
    rows = db.query(
        "SELECT c.*, p.email, m.role, m.category, m.voting FROM committee_members m"
        " JOIN committees c ON c.id = m.committee_id"
        " JOIN people p ON p.id = m.person_id ORDER BY c.name COLLATE NOCASE, m.id")
    return [{"committee": _safe(r["name"]), "quorum": quorum_text(r),
             "common_interest_policy": r["common_interest_policy"], "person_email": r["email"],
             "role": r["role"], "category": r["category"], "voting": _yes(r["voting"])}
            for r in rows]


def _interest_rows(db: Database, *, at_meeting: bool = False) -> list[dict[str, Any]]:
    # Interests declared at a meeting go in a file of their own, after the decisions they name.
    rows = db.query(
        "SELECT i.*, p.email, o.ods_code AS org_ods, o.companies_house_number AS org_ch,"
        " o.charity_number AS org_charity, o.name AS org_name, d.reference AS at_reference"
        " FROM interests i JOIN people p ON p.id = i.person_id"
        " LEFT JOIN organisations o ON o.id = i.organisation_id"
        " LEFT JOIN decisions d ON d.id = i.declared_at_decision_id"
        " WHERE i.withdrawn = 0 AND (i.declared_at_decision_id IS NOT NULL) = ?"
        " ORDER BY d.reference, p.email, i.date_from, i.id", [int(at_meeting)])
    extra: Any = (lambda i: {"decision_reference": i["at_reference"],
                             "awaiting_approval": _yes(i["approval"] is not None)}) \
        if at_meeting else (lambda i: {})
    return [{**extra(i),
        "person_email": i["email"], "organisation_ods": i["org_ods"] or "",
        "organisation_companies_house_number": i["org_ch"] or "",
        "organisation_charity_number": i["org_charity"] or "",
        # The name as typed; for an organisation with no identifier, its registered name, which
        # finds it again (an exact name); free text stays as typed.
        "organisation_name": _safe(i["org_name"] if i["organisation_id"] and not (
            i["org_ods"] or i["org_ch"] or i["org_charity"]) else i["organisation_name"]),
        "organisation_business": _safe(i["organisation_business"]),
        "interest_type": i["interest_type"],
        "direct_or_indirect": "indirect" if i["is_indirect"] else "direct",
        "relationship": _safe(i["associate_relationship"]), "nature": _safe(i["nature"]),
        "date_from": i["date_from"], "date_to": i["date_to"] or "",
        "mitigation": _safe(i["mitigation"]), "declared_on": i["declared_on"],
        "consent_to_publish": _yes(i["consent_to_publish"]),
        "withheld_reason": _safe(i["withheld_reason"]),
    } for i in rows]


def _notice_rows(db: Database) -> list[dict[str, Any]]:
    # A decision's intention notice, its representations, then its award: the order they import.
    rows = db.query(
        "SELECT d.reference, 0 AS step, n.published_on AS on_date, n.id, n.published_where,"
        " n.reference AS notice_reference, '' AS provider_name, '' AS summary, '' AS response,"
        " NULL AS responded_on, n.kind FROM decision_notices n"
        " JOIN decisions d ON d.id = n.decision_id WHERE n.kind = 'intention'"
        " UNION ALL SELECT d.reference, 1, r.received_on, r.id, '', '', r.provider_name,"
        " r.summary, r.response, r.responded_on, 'representation'"
        " FROM decision_representations r JOIN decisions d ON d.id = r.decision_id"
        " UNION ALL SELECT d.reference, 2, n.published_on, n.id, n.published_where, n.reference,"
        " '', '', '', NULL, n.kind FROM decision_notices n"
        " JOIN decisions d ON d.id = n.decision_id WHERE n.kind = 'award'"
        " ORDER BY 1, 2, 3, 4")
    return [{"decision_reference": r["reference"],
             "record": r["kind"] if r["kind"] == "representation" else f"{r['kind']}_notice",
             "date": r["on_date"], "published_where": _safe(r["published_where"]),
             "notice_reference": _safe(r["notice_reference"]), "standstill_end": "",
             "provider_name": _safe(r["provider_name"]), "summary": _safe(r["summary"]),
             "response": _safe(r["response"]), "responded_on": r["responded_on"] or ""}
            for r in rows]


def _money(pence: int | None) -> str:
    from ..decisions.serialise import pounds

    return pounds(pence) or ""


def _modification_rows(db: Database) -> list[dict[str, Any]]:
    rows = db.query("SELECT m.*, d.reference FROM contract_modifications m"
                    " JOIN decisions d ON d.id = m.decision_id"
                    " ORDER BY d.reference, m.modified_on, m.id")
    return [{"decision_reference": r["reference"], "modified_on": r["modified_on"],
             "what_changed": _safe(r["what_changed"]),
             "value_before": _money(r["value_before_pence"]),
             "value_after": _money(r["value_after_pence"]), "new_end": r["new_end"] or "",
             "ground": r["ground"] or "", "published_where": _safe(r["published_where"]),
             "published_on": r["published_on"] or ""} for r in rows]


def _gift_rows(db: Database) -> list[dict[str, Any]]:
    rows = db.query(
        "SELECT g.*, p.email, o.ods_code, o.companies_house_number, o.charity_number, o.name"
        " FROM gifts g JOIN people p ON p.id = g.person_id"
        " LEFT JOIN organisations o ON o.id = g.organisation_id"
        " ORDER BY g.offered_on, p.email, g.id")
    return [{"person_email": r["email"], "kind": r["kind"],
             "description": _safe(r["description"]),
             "organisation": _safe(_reference(r)) if r["organisation_id"] else "",
             "offered_by": "" if r["organisation_id"] else _safe(r["offered_by"]),
             "from_supplier": _yes(r["from_supplier"]), "value": _money(r["value_pence"]),
             "offered_on": r["offered_on"], "accepted": _yes(r["accepted"]),
             "approved_by": _safe(r["approved_by"]), "declared_on": r["declared_on"]}
            for r in rows]


def _breach_rows(db: Database) -> list[dict[str, Any]]:
    rows = db.query(
        "SELECT b.*, p.email, d.reference FROM breaches b"
        " LEFT JOIN people p ON p.id = b.person_id LEFT JOIN decisions d ON d.id = b.decision_id"
        " ORDER BY b.found_on, b.id")
    return [{"kind": r["kind"], "detail": _safe(r["detail"]), "person_email": r["email"] or "",
             "decision_reference": r["reference"] or "", "found_on": r["found_on"],
             **{k: _safe(r[k]) for k in ("investigation", "outcome", "lessons",
                                         "public_summary")},
             "closed_on": r["closed_on"] or ""} for r in rows]


def register_files(db: Database) -> dict[str, str]:
    """Every import file of the register, by kind, in import order (UTF-8 with a byte-order mark).
    Withdrawn interests are left out: an import only declares."""
    from ..decisions import serialise

    ids = serialise.register_ids(db, serialise.RegisterFilters(), serialise.Viewer(sees_all=True),
                                 sort="meeting", direction="asc")
    return {
        "organisations": _csv("organisations", _organisation_rows(db)),
        "memberships": _csv("memberships", _membership_rows(db)),
        "people": _csv("people", _people_rows(db)),
        "home_practices": _csv("home_practices", _home_practice_rows(db)),
        "committees": _csv("committees", _committee_rows(db)),
        "interests": _csv("interests", _interest_rows(db)),
        "decisions": import_csv(serialise.decision_document(db, i) for i in ids),
        "notices": _csv("notices", _notice_rows(db)),
        "modifications": _csv("modifications", _modification_rows(db)),
        "gifts": _csv("gifts", _gift_rows(db)),
        "breaches": _csv("breaches", _breach_rows(db)),
        "meeting_declarations": _csv("meeting_declarations",
                                     _interest_rows(db, at_meeting=True)),
    }


def file_name(kind: str) -> str:
    """The file each kind is written to and read from."""
    return f"{ORDER.index(kind) + 1}-{kind}.csv"


def import_register(db: Database, folder: Path, *, actor: str,
                    progress: Progress | None = None) -> list[tuple[str, Plan]]:
    """Import every file of a register export in order, all in one transaction: the plans, and
    nothing written if any plan has problems (checking stops at the first file with problems).
    `progress`, if given, hears how far each file's check and write has got, the stage naming
    the file ("checking people.csv")."""
    plans: list[tuple[str, Plan]] = []
    try:
        with write_transaction(db):
            for kind in ORDER:
                path = folder / file_name(kind)
                if not path.exists():
                    continue
                data = path.read_bytes()
                if _header_only(data):
                    # A kind the exported register held none of: nothing to import.
                    plans.append((kind, Plan(kind)))
                    continue
                told = None if progress is None else _naming(progress, file_name(kind))
                plan = check_file(kind, data, db, progress=told)
                plans.append((kind, plan))
                if not plan.ok:
                    raise _Refused
                write_plan(db, plan, actor=actor, progress=told)
    except _Refused:
        pass  # rolled back: nothing of the set is written
    return plans


def _naming(progress: Progress, name: str) -> Progress:
    """`progress` with the file's name added to each stage."""
    def told(stage: str, done: int, total: int) -> None:
        progress(f"{stage} {name}", done, total)
    return told


def _header_only(data: bytes) -> bool:
    """Whether a file of the set is its header row and nothing else (as export writes a kind the
    register holds none of); a file that cannot be read is left for the check to describe."""
    try:
        rows = csvrows.read_rows(csvrows.decode(data))
    except csvrows.FileProblem:
        return False
    return len([row for row in rows if not csvrows.is_blank(row.cells)]) == 1


class _Refused(Exception):
    """A file of the set has problems: the transaction rolls back."""
