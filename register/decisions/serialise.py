"""Decisions as data: the JSON document of one decision, and the register of procurement decisions
(filtered, sorted, and written as CSV).

The JSON shape is documented in docs/decisions-json.md; `SCHEMA_VERSION` changes whenever a key is
renamed or removed, never for an added key.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from ..db import one
from ..rules.decisions import CONTRACT_KINDS, REGIMES, process_label
from ..rules.departures import time_text
from ..rules.identifiers import SCHEMES
from ..rules.text import neutralise
from . import record
from .access import EXCLUDED_WORDS, visible
from .access import Viewer as Viewer  # re-exported: the register's callers name it here
from .queries import status_label
from .versioned import VersionedCache

SCHEMA_VERSION = 1



def pounds(pence: int | None) -> str | None:
    """Whole pence as a plain number of pounds, e.g. 12500050 -> '125000.50' (None for none)."""
    if pence is None:
        return None
    whole, rest = divmod(int(pence), 100)
    return f"{whole}.{rest:02d}"


def procurement_type(regime: str | None, process: str | None) -> str:
    """The regime and process in words, e.g. 'The Provider Selection Regime: Competitive process'."""
    if not regime:
        return process_label("", process) if process else ""
    label = REGIMES.get(regime, regime)
    return f"{label}: {process_label(regime, process)}" if process else label



def _in(values: Iterable[Any]) -> str:
    return ", ".join("?" for _ in values)


# ---- one decision as JSON ------------------------------------------------------------------------

def _person(person: record.Person | None) -> dict[str, str] | None:
    return {"name": person.name, "email": person.email} if person else None


def _organisation(org: record.Organisation | None) -> dict[str, Any] | None:
    if org is None:
        return None
    return {"name": org.name, "ods_code": org.ods_code,
            "companies_house_number": org.companies_house_number, "kind": org.kind,
            "registered_address": org.registered_address, "postcode": org.postcode,
            "charity_number": org.charity_number,
            "identifiers": identifiers_json(org.ods_code, org.companies_house_number,
                                            org.charity_number)}


def identifiers_json(ods_code: str | None, companies_house_number: str | None,
                     charity_number: str | None) -> list[dict[str, str]]:
    """Every identifier an organisation has, each with its Open Contracting organisation
    identifier scheme (GB-NHS, GB-COH, GB-CHC), so another system can match it."""
    held = {"ods_code": ods_code, "companies_house_number": companies_house_number,
            "charity_number": charity_number}
    return [{"scheme": SCHEMES[kind][1], "id": value} for kind, value in held.items() if value]


def decision_id_for(db: Database, reference: str) -> int | None:
    """The id of the decision with this reference, or None."""
    row = one(db, "SELECT id FROM decisions WHERE reference = ?", [reference])
    return row["id"] if row else None


def _count(count: record.QuorumCount) -> dict[str, Any]:
    return {"quorate": count.quorate, "summary": count.summary, "remaining": count.remaining,
            "arithmetic": list(count.arithmetic), "shortfall": list(count.shortfall)}


def quorum_json(quorum: record.Quorum | None) -> dict[str, Any] | None:
    """The record's quorum as data (null before any ruling is possible)."""
    if quorum is None:
        return None
    return {
        "rule": quorum.rule,
        "required": quorum.required,
        "voting_present": quorum.voting_present,
        "eligible_after_rulings": quorum.eligible_after_rulings,
        "quorate_after_rulings": quorum.quorate_after_rulings,
        "verdict": quorum.verdict,
        "awaiting_rulings": list(quorum.awaiting_rulings),
        "arithmetic": list(quorum.arithmetic),
        "before_rulings": _count(quorum.before_rulings),
        "at_meeting": _count(quorum.at_meeting) if quorum.at_meeting else None,
        "presiding": quorum.presiding,
    }


def sign_off_json(sign_off: record.SignOff | None) -> dict[str, Any] | None:
    """The sign-off in force, or else the latest one voided with why, as data."""
    if sign_off is None:
        return None
    return {"by": sign_off.signer_name, "role": sign_off.signer_role,
            "at": record.iso(sign_off.signed_at), "statement_sha256": sign_off.statement_sha256,
            "voided_at": record.iso(sign_off.voided_at),
            "void_reason": sign_off.void_reason or None}


def outcome_json(outcome: record.Outcome | None) -> dict[str, Any] | None:
    """The outcome recorded, with attendance, votes and who was out of the room, as data."""
    if outcome is None:
        return None
    return {
        "outcome": outcome.outcome, "awarded_provider": outcome.awarded_provider,
        "votes_for": outcome.votes_for, "votes_against": outcome.votes_against,
        "votes_abstaining": outcome.votes_abstaining, "notes": outcome.notes,
        "recorded_at": record.iso(outcome.recorded_at),
        "attendance": [{"name": a.name, "present": a.present, "vote": a.vote,
                        "proxy_for": a.proxy_for} for a in outcome.attendance],
        "left": [a.name for a in outcome.left],
        "departures": [{"person": a.name, "email": a.email,
                        "left_at": time_text(a.departure.left_at),
                        "returned_at": time_text(a.departure.returned_at),
                        "stage": a.departure.stage,
                        "ruling_carried_out": a.ruling_carried_out}
                       for a in outcome.departures if a.departure is not None],
        "proxies_refused": [{"for_person": {"name": r.for_person, "email": r.for_email},
                             "offered_to": {"name": r.offered_to, "email": r.offered_to_email},
                             "reason": r.reason} for r in outcome.proxies_refused],
    }


def record_document(rec: record.DecisionRecord) -> dict[str, Any]:
    """One decision's record as the JSON document (docs/decisions-json.md)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "id": rec.id,
        "reference": rec.reference,
        "title": rec.title,
        "description": rec.description,
        "choice": rec.choice,
        "contract_kind": rec.contract_kind,
        "regime": rec.regime,
        "process": rec.process,
        "procurement_type": procurement_type(rec.regime, rec.process),
        "total_value_pence": rec.total_value_pence,
        "total_value_pounds": pounds(rec.total_value_pence),
        "annual_value_pence": rec.annual_value_pence,
        "annual_value_pounds": pounds(rec.annual_value_pence),
        "contract_start": record.iso(rec.contract_start),
        "contract_end": record.iso(rec.contract_end),
        "committee": {"id": rec.committee_id, "name": rec.committee_name},
        "meeting_date": record.iso(rec.meeting_date),
        "decision_process": rec.decision_process,
        "offered_to_all_member_practices": rec.offered_to_all_member_practices,
        "clinical_lead": _person(rec.clinical_lead),
        "contract_manager": _person(rec.contract_manager),
        "participants": [{"name": p.name, "email": p.email, "role": p.role}
                         for p in rec.participants],
        "providers": [_organisation(p) for p in rec.providers],
        "awarded_provider": _organisation(rec.awarded_provider),
        "options": [{"position": o.position, "description": o.description,
                     "outcome": o.outcome, "reason": o.reason} for o in rec.options],
        "criteria": [{"criterion": c.criterion, "label": c.label, "weight": c.weight,
                      "how_applied": c.how_applied} for c in rec.criteria],
        "route": {"reasons": rec.route.reasons,
                  "selection_criteria": rec.route.selection_criteria,
                  "exclusions": rec.route.exclusions, "score_out_of": rec.route.score_out_of,
                  "scores": [{"organisation_id": s.organisation_id, "name": s.name,
                              "score": s.score, "assessment": s.assessment}
                             for s in rec.route.scores]},
        "justification": rec.justification,
        "comments": rec.comments,
        "status": rec.status,
        "submitted_at": record.iso(rec.submitted_at),
        "flagged": rec.flagged,
        "conflict_count": rec.conflict_count,
        "flags": [{
            "rule": f.rule, "rule_label": f.rule_label, "severity": f.severity,
            "person": ({"name": f.person_name, "email": f.person_email}
                       if f.person_id is not None else None),
            "organisation": ({"name": f.organisation_name, "ods_code": f.ods_code,
                              "companies_house_number": f.companies_house_number,
                              "charity_number": f.charity_number,
                              "identifiers": identifiers_json(
                                  f.ods_code, f.companies_house_number, f.charity_number)}
                             if f.organisation_id is not None else None),
            "evidence": dict(f.evidence),
            "sentence": f.sentence,
        } for f in rec.flags],
        "rulings": [{"person": {"name": r.name, "email": r.email}, "ruling": r.ruling,
                     "ruling_label": r.ruling_label, "reason": r.reason,
                     "is_exception": r.is_exception,
                     "exception_reason": r.exception_reason or None,
                     "ruled_by": r.ruled_by, "ruled_at": record.iso(r.ruled_at)}
                    for r in rec.rulings],
        "quorum": quorum_json(rec.quorum),
        "escalations": [{"kind": e.kind, "kind_label": e.kind_label, "words": e.words,
                         "in_force": e.in_force, "recorded_at": record.iso(e.recorded_at),
                         "superseded_at": record.iso(e.superseded_at),
                         "ratified_at": record.iso(e.ratified_at),
                         "ratified_meeting_date": record.iso(e.ratified_meeting_date)}
                        for e in rec.escalations],
        "sign_off": sign_off_json(rec.sign_off),
        "outcome": outcome_json(rec.outcome),
        "breaches": [{"kind": b.kind, "person": b.person, "detail": b.detail,
                      "recorded_at": record.iso(b.recorded_at)} for b in rec.breaches],
    }


def decision_document(db: Database, decision_id: int) -> dict[str, Any] | None:
    """One decision's whole record as plain data: the JSON document."""
    rec = record.load_record(db, decision_id)
    return record_document(rec) if rec is not None else None


def export_document(db: Database, decision_ids: Iterable[int]) -> dict[str, Any]:
    """Several decisions in one document, as `flask export decisions --format json` writes it."""
    from ..timeutil import utcnow_iso

    ids = list(decision_ids)
    return {"schema_version": SCHEMA_VERSION, "exported_at": utcnow_iso(),
            "decisions": [record_document(rec) for start in range(0, len(ids), 500)
                          for rec in record.load_records(db, ids[start:start + 500])]}


def to_json(document: Any) -> str:
    """JSON text as the register writes it: UTF-8 characters, two-space indents, stable keys."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# ---- the register of procurement decisions -------------------------------------------------------

REGISTER_SORTS = {
    "meeting": "decisions.meeting_date",
    "reference": "decisions.reference",
    "title": "decisions.title COLLATE NOCASE",
    "value": "decisions.total_value_pence",
    "status": "decisions.status",
}
DEFAULT_SORT, DEFAULT_DIRECTION = "meeting", "desc"
# The sorts whose column may be empty (the others are NOT NULL in the schema).
NULLABLE_SORTS = frozenset({"value"})


@dataclass
class RegisterFilters:
    """What the register is narrowed to; every field empty means every decision."""

    q: str = ""
    status: str = ""
    committee_id: int | None = None
    regime: str = ""
    flagged: str = ""  # "yes", "no" or "" for either
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    value_min_pence: int | None = None
    value_max_pence: int | None = None

    @property
    def active(self) -> bool:
        return any(value not in (None, "") for value in self.__dict__.values())


def fts_query(text: str) -> str:
    """A full-text query matching every word typed as a prefix; FTS syntax in the text is inert."""
    words = re.findall(r"\w+", text)
    return " ".join(f'"{word}"*' for word in words[:20])


def register_where(filters: RegisterFilters, viewer: Viewer) -> tuple[str, dict[str, Any]]:
    """The FROM ... WHERE text and parameters of the register for these filters and this viewer."""
    condition, params = visible(viewer)
    where = [condition]
    match = fts_query(filters.q) if filters.q else ""
    if match:
        where.append("decisions.id IN (SELECT rowid FROM decisions_fts "
                     "WHERE decisions_fts MATCH :fts)")
        params["fts"] = match
    if filters.status:
        where.append("decisions.status = :status")
        params["status"] = filters.status
    if filters.committee_id is not None:
        where.append("decisions.committee_id = :committee")
        params["committee"] = filters.committee_id
    if filters.regime:
        where.append("decisions.regime = :regime")
        params["regime"] = filters.regime
    if filters.flagged == "yes":
        where.append("decisions.flag_count > 0")
    elif filters.flagged == "no":
        where.append("decisions.flag_count = 0")
    if filters.date_from is not None:
        where.append("decisions.meeting_date >= :date_from")
        params["date_from"] = filters.date_from.isoformat()
    if filters.date_to is not None:
        where.append("decisions.meeting_date <= :date_to")
        params["date_to"] = filters.date_to.isoformat()
    if filters.value_min_pence is not None:
        where.append("decisions.total_value_pence >= :value_min")
        params["value_min"] = filters.value_min_pence
    if filters.value_max_pence is not None:
        where.append("decisions.total_value_pence <= :value_max")
        params["value_max"] = filters.value_max_pence
    return "FROM decisions WHERE " + " AND ".join(where), params


def register_order(sort: str, direction: str) -> tuple[str, str, str]:
    """(ORDER BY text, sort key, direction), from the whitelist only; anything else is the default."""
    if sort not in REGISTER_SORTS:
        sort, direction = DEFAULT_SORT, DEFAULT_DIRECTION
    direction = "asc" if direction == "asc" else "desc"
    column = REGISTER_SORTS[sort]
    bare = column.split(" ")[0]
    if sort not in NULLABLE_SORTS:
        # A column that always has a value: nothing to put last, and its index can serve the
        # order (the meeting date's does, one page at a time, instead of sorting every decision).
        return f"{column} {direction.upper()}, decisions.reference", sort, direction
    # Decisions with no value yet go last whichever way the list is sorted.
    return f"{bare} IS NULL, {column} {direction.upper()}, decisions.reference", sort, direction


@dataclass
class RegisterPage:
    """One page of the register, with what the pagination needs."""

    rows: list[dict[str, Any]]
    page: int
    pages: int
    total: int
    sort: str = DEFAULT_SORT
    direction: str = DEFAULT_DIRECTION
    columns: list[tuple[str, str]] = field(default_factory=list)
    # The (facts version, decision ids) the rows were read for, when read at a version: what is
    # drawn from the rows alone may be kept under it too.
    key: Hashable | None = None


def _register_rows(db: Database, ids: list[int]) -> list[dict[str, Any]]:
    """The register's row for each decision id, in the order given, from what the register
    reads of each one's record (`record.load_register_entries`)."""
    return [record_row(entry) for entry in record.load_register_entries(db, ids)]


_REGISTER_PAGES: VersionedCache[list[dict[str, Any]]] = VersionedCache(128)


@dataclass(frozen=True)
class ConflictWords:
    """One conflicted person on a decision in words: who, what interest, how it was managed."""

    person: str
    interest: str
    managed: str
    # The sentences `interest` joins, one per flag, in the record's order.
    sentences: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The whole conflict as one sentence group, for a cell or a line."""
        return f"{self.person}: {self.interest} Managed: {self.managed}."


WITHHELD_INTEREST_WORDS = "has a declared interest that is withheld from publication."


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def conflicts_in_words(rec: record.DecisionRecord | record.RegisterEntry,
                       withheld_interests: frozenset[int] = frozenset()) -> list[ConflictWords]:
    """Each conflicted person (confirmed name matches included) with the flag sentences that
    conflict them and the ruling that manages it; an interest withheld from publication (its id
    in `withheld_interests`) is named only as withheld."""
    out = []
    rulings = {r.person_id: r for r in rec.rulings}
    for person in rec.conflicted:
        sentences: list[str] = []
        for flag in rec.flags:
            if flag.person_id != person.person_id:
                continue
            if not (flag.severity == "conflict" or flag.match_outcome == "confirmed"):
                continue
            if flag.evidence.get("interest_id") in withheld_interests:
                words = f"{person.name} {WITHHELD_INTEREST_WORDS}"
            else:
                words = _sentence(flag.sentence or flag.rule_label)
            if words not in sentences:
                sentences.append(words)
        ruling = rulings.get(person.person_id)
        if ruling is None:
            managed = "not yet ruled on"
        else:
            managed = ruling.ruling_label + (f" ({ruling.reason.strip().rstrip('.')})"
                                             if ruling.reason.strip() else "")
        out.append(ConflictWords(person.name, " ".join(sentences) or person.reason_words,
                                 managed, tuple(sentences)))
    return out


def record_row(rec: record.DecisionRecord | record.RegisterEntry,
               withheld_interests: frozenset[int] = frozenset()) -> dict[str, Any]:
    """One decision's record as the register's columns: the conflicted people (confirmed name
    matches included) and the rulings that manage them, as every other output shows them; the
    contract term, where the award was published and each conflict in words besides."""
    awarded = rec.awarded_provider
    row = _record_columns(rec)
    row.update({
        "contract_start": rec.contract_start,
        "contract_end": rec.contract_end,
        "award_published_where": rec.award_published_where,
        "award_published_on": rec.award_published_on,
        "conflicts_in_words": conflicts_in_words(rec, withheld_interests),
        "awarded": awarded,
    })
    return row


def _record_columns(rec: record.DecisionRecord | record.RegisterEntry) -> dict[str, Any]:
    awarded = rec.awarded_provider
    return register_row({
        "id": rec.id, "reference": rec.reference, "title": rec.title,
        "description": rec.description, "contract_kind": rec.contract_kind,
        "regime": rec.regime, "process": rec.process,
        "clinical_lead_name": rec.clinical_lead.name if rec.clinical_lead else None,
        "contract_manager_name": rec.contract_manager.name if rec.contract_manager else None,
        "decision_process": rec.decision_process, "committee_name": rec.committee_name,
        "justification": rec.justification,
        "awarded_name": awarded.name if awarded else None,
        "awarded_address": awarded.registered_address if awarded else None,
        "awarded_postcode": awarded.postcode if awarded else None,
        "awarded_ods_code": awarded.ods_code if awarded else None,
        "awarded_companies_house_number": awarded.companies_house_number if awarded else None,
        "awarded_charity_number": awarded.charity_number if awarded else None,
        "total_value_pence": rec.total_value_pence,
        "annual_value_pence": rec.annual_value_pence, "comments": rec.comments,
        "status": rec.status, "meeting_date": record.iso(rec.meeting_date),
        "flag_count": rec.flag_count,
    }, [c.name for c in rec.conflicted], _mitigation(rec))


def _mitigation(rec: record.DecisionRecord | record.RegisterEntry) -> list[str]:
    """How each conflict was managed: the rulings, with when a person ruled out of the room
    left it, and the proxy votes the chair refused, as the record holds them."""
    departed = {a.person_id: a.departure.words.lower() for a in
                (rec.outcome.departures if rec.outcome else ()) if a.departure is not None}
    lines = [f"{r.name}: {r.ruling_label}"
             + (f" ({departed[r.person_id]})" if r.person_id in departed else "")
             for r in rec.rulings]
    lines += [f"Proxy vote refused: {p.for_person}'s vote offered to {p.offered_to}"
              for p in (rec.outcome.proxies_refused if rec.outcome else ())]
    return lines


def register_row(row: dict[str, Any], conflicted_names: list[str],
                 rulings: list[str] | None = None) -> dict[str, Any]:
    """One decision as the register's columns (values as plain text or numbers, None for none)."""
    address = ", ".join(part for part in (row.get("awarded_address") or "",
                                          row.get("awarded_postcode") or "") if part)
    return {
        "id": row["id"],
        "reference": row["reference"],
        "title": row["title"],
        "description": row["description"],
        "contract_kind": CONTRACT_KINDS.get(row["contract_kind"] or "", row["contract_kind"]),
        "procurement_type": procurement_type(row["regime"], row["process"]),
        "clinical_lead": row["clinical_lead_name"],
        "contract_manager": row["contract_manager_name"],
        "decision_process": row["decision_process"],
        "committee": row["committee_name"],
        "conflict_count": len(conflicted_names),
        "conflicted_people": "; ".join(conflicted_names),
        # How each conflict was managed: the governance lead's rulings, once made.
        "mitigation": "; ".join(rulings) if rulings else None,
        "justification": row["justification"],
        "supplier": row["awarded_name"],
        "supplier_address": address or None,
        "supplier_ods_code": row.get("awarded_ods_code"),
        "supplier_companies_house_number": row.get("awarded_companies_house_number"),
        "supplier_charity_number": row.get("awarded_charity_number"),
        "total_value_pence": row["total_value_pence"],
        "annual_value_pence": row["annual_value_pence"],
        "comments": row["comments"],
        "status": row["status"],
        "status_label": status_label(row["status"])[0],
        "status_colour": status_label(row["status"])[1],
        "meeting_date": row["meeting_date"],
        "flagged": bool(row["flag_count"]),
        "flag_count": row["flag_count"],
    }


def register_page(db: Database, filters: RegisterFilters, viewer: Viewer, *, sort: str = "",
                  direction: str = "", page: int = 1, page_size: int = 25,
                  version: Hashable | None = None) -> RegisterPage:
    """One page of the register for these filters. With the `version` of the facts
    (`versioned.facts_version`, read in the same snapshot), the rows of a page already read at
    that version are reused from memory (they are the same for every viewer: who may see which
    decisions decides only which ids are on the page)."""
    from_where, params = register_where(filters, viewer)
    order, sort, direction = register_order(sort, direction)
    total = db.execute(f"SELECT COUNT(*) {from_where}", params).fetchone()[0]
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    ids = [r["id"] for r in db.query(
        f"SELECT decisions.id {from_where} ORDER BY {order} LIMIT :_limit OFFSET :_offset",
        {**params, "_limit": page_size, "_offset": (page - 1) * page_size})]
    if version is None:
        return RegisterPage(_register_rows(db, ids), page, pages, total, sort, direction)
    key = (version, tuple(ids))
    rows = _REGISTER_PAGES.get(key, lambda: _register_rows(db, ids))
    return RegisterPage(rows, page, pages, total, sort, direction, key=key)


def register_ids(db: Database, filters: RegisterFilters, viewer: Viewer, *, sort: str = "",
                 direction: str = "") -> list[int]:
    """Every decision id in the register for these filters, in order, flags brought up to date."""
    from_where, params = register_where(filters, viewer)
    order, _, _ = register_order(sort, direction)
    return [r["id"] for r in db.query(f"SELECT decisions.id {from_where} ORDER BY {order}",
                                      params)]


# ---- the register as CSV --------------------------------------------------------------------------

# (key in register_row, heading): the NHS England template's columns, in its order.
CSV_COLUMNS: list[tuple[str, str]] = [
    ("reference", "Reference"),
    ("title", "Contract or service title"),
    ("description", "Description"),
    ("contract_kind", "Existing contract or new"),
    ("procurement_type", "Procurement type"),
    ("clinical_lead", "Clinical lead"),
    ("contract_manager", "Contract manager"),
    ("decision_process", "Decision-making process"),
    ("committee", "Committee that decided"),
    ("conflict_count", "Number of people with conflicts"),
    ("conflicted_people", "Conflicts of interest noted"),
    ("mitigation", "Actions to mitigate conflicts"),
    ("conflicts_in_words", "Each conflict in words: who, what interest, how it was managed"),
    ("justification", "Justification"),
    ("supplier", "Contract awarded: supplier"),
    ("supplier_address", "Supplier's registered address"),
    ("contract_start", "Contract start date"),
    ("contract_end", "Contract end date"),
    ("total_value", "Contract value, total (£)"),
    ("annual_value", "Contract value, annual (£)"),
    ("award_published_where", "Where the award was published"),
    ("award_published_on", "Date the award was published"),
    ("comments", "Comments"),
    ("status", "Status"),
    ("meeting_date", "Meeting date"),
    ("flagged", "Flagged"),
    # After the template's columns: what identifies the supplier, so it can be matched elsewhere.
    ("supplier_ods_code", "Supplier's ODS code"),
    ("supplier_companies_house_number", "Supplier's Companies House number"),
    ("supplier_charity_number", "Supplier's charity number"),
]

def csv_cells(row: dict[str, Any]) -> list[str | int]:
    """One register row as CSV cells: amounts as plain numbers of pounds, text neutralised."""
    cells: list[str | int] = []
    for key, _heading in CSV_COLUMNS:
        if key == "total_value":
            cells.append(pounds(row["total_value_pence"]) or "")
        elif key == "annual_value":
            cells.append(pounds(row["annual_value_pence"]) or "")
        elif key == "conflict_count":
            cells.append(row["conflict_count"])
        elif key == "flagged":
            cells.append("yes" if row["flagged"] else "no")
        elif key == "status":
            cells.append(neutralise(row["status_label"]))
        elif key == "conflicts_in_words":
            cells.append(neutralise("\n".join(c.text for c in row.get(key) or ())))
        elif key in ("contract_start", "contract_end", "award_published_on"):
            cells.append(row[key].isoformat() if row.get(key) else "")
        else:
            value = row[key]
            cells.append(neutralise(str(value)) if value not in (None, "") else "")
    return cells


def register_csv(db: Database, ids: list[int], excluded: Iterable[str] = ()) -> str:
    """The register of these decisions as CSV text, with a byte-order mark so Excel reads UTF-8;
    the `excluded` references (decisions the reader is excluded from) follow, by reference only."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([heading for _key, heading in CSV_COLUMNS])
    # A few hundred at a time keeps each IN (...) list short.
    for start in range(0, len(ids), 500):
        for row in _register_rows(db, ids[start:start + 500]):
            writer.writerow(csv_cells(row))
    for reference in excluded:
        writer.writerow([reference, EXCLUDED_WORDS, *("" for _ in CSV_COLUMNS[2:])])
    return out.getvalue()
