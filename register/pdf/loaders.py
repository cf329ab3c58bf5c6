"""What the printed records show, read from the database: the only module in `register.pdf` with SQL.

Each loader reads everything it needs inside one read transaction (`snapshot`), so a pack is one
consistent picture of the register even while others are writing, and returns plain dicts and
lists. The lock is held only while reading: the PDF is laid out after it has been released.
Related rows for many decisions are read with one query per table (ids passed as a JSON array),
never one query per decision, so a pack's cost grows in proportion to its decisions.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlite_utils import Database

from .. import audit
from ..decisions import access
from ..decisions.flagging import MATCH_JOIN
from ..interests import history as interest_history
from ..organisations.queries import KINDS as ORGANISATION_KINDS
from ..rules import conflicts as conflict_rules
from ..rules.decisions import CHOICES, KEY_CRITERIA, PARTICIPANT_ROLES, REGIMES, format_money
from ..rules.decisions import process_label as process_words
from ..rules.interests import INTEREST_TYPES, days_late, is_late
from ..rules.quorum import CATEGORIES, ESCALATIONS, QuorumRule, count_quorum, escalation_words
from ..rules.rulings import RULINGS, may_be_present, presiding_member
from ..rules.workflow import STATUS_LABELS
from ..timeutil import long_date, uk_time, utcnow_iso

CONTRACT_KINDS = {"existing": "Existing contract", "new": "New contract"}
CHOICE_SHORT = {"make": "Make", "buy": "Buy", "mixed": "Mixed"}
MEMBER_ROLES = {"chair": "Chair", "vice_chair": "Vice-chair", "member": "Member"}
CATEGORY_LABELS = {"gp": "GP", "lay": "lay member", "executive": "executive", "other": "other"}
VOTES = {"for": "For", "against": "Against", "abstain": "Abstained"}


@contextlib.contextmanager
def snapshot(db: Database) -> Iterator[Database]:
    """One read transaction: every query inside sees the same committed state of the register."""
    if db.conn.in_transaction:
        yield db
        return
    db.conn.execute("BEGIN")
    # A deferred transaction takes its read lock at the first read; take it now.
    db.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    try:
        yield db
    finally:
        if db.conn.in_transaction:
            db.conn.execute("COMMIT")


def _ids_json(ids: Sequence[int]) -> str:
    return json.dumps(list(ids))


def _grouped(db: Database, sql: str, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Rows of a child table for many decisions at once, grouped by decision id."""
    groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if ids:
        for row in db.query(sql, [_ids_json(ids)]):
            groups[row["decision_id"]].append(row)
    return groups


def _day(value: str | None) -> str:
    return long_date(value) if value else ""


def _when(value: str | None) -> str:
    return uk_time(value) if value else ""


def head_of_trail(db: Database) -> dict[str, Any]:
    """The audit trail as verify-audit sees it now: event count, head hash, and whether it verified."""
    result = audit.verify(db)
    return {"hash": result.head_hash, "count": result.count, "ok": result.ok,
            "problem": "" if result.ok else f"event {result.first_bad_seq}: {result.reason}"}


def last_event_at(db: Database) -> str | None:
    """When the last audit event was recorded: the "printed" time of a reproducible document."""
    row = next(iter(db.query("SELECT at FROM audit_events ORDER BY seq DESC LIMIT 1")), None)
    return row["at"] if row else None


def organisation_kind(kind: str | None) -> str:
    """An organisation kind in words."""
    return ORGANISATION_KINDS.get(kind or "", (kind or "").replace("_", " ").capitalize())


# ---- decisions ------------------------------------------------------------------------------

_DECISIONS_SQL = """
SELECT decisions.*, committees.name AS committee_name,
    committees.quorum_min_voting, committees.quorum_min_gp, committees.quorum_min_lay,
    committees.quorum_min_executive, committees.quorum_min_other,
    committees.common_interest_policy,
    lead.name AS clinical_lead_name, manager.name AS contract_manager_name,
    awarded.name AS awarded_name, awarded.ods_code AS awarded_ods_code,
    awarded.registered_address AS awarded_address, awarded.postcode AS awarded_postcode,
    coalesce(author_person.name, author.username) AS author_name,
    (SELECT signed_at FROM sign_offs WHERE sign_offs.decision_id = decisions.id
        AND sign_offs.voided_at IS NULL) AS signed_at
FROM decisions
JOIN committees ON committees.id = decisions.committee_id
LEFT JOIN people AS lead ON lead.id = decisions.clinical_lead_id
LEFT JOIN people AS manager ON manager.id = decisions.contract_manager_id
LEFT JOIN organisations AS awarded ON awarded.id = decisions.awarded_provider_id
LEFT JOIN users AS author ON author.id = decisions.author_user_id
LEFT JOIN people AS author_person ON author_person.id = author.person_id
"""

_IN = "(SELECT value FROM json_each(?))"


def decision_ids_in_period(db: Database, committee_id: int, date_from: dt.date,
                           date_to: dt.date) -> list[int]:
    """The committee's decisions with a meeting date in the period, earliest first."""
    return [r["id"] for r in db.query(
        "SELECT id FROM decisions WHERE committee_id = ? AND meeting_date BETWEEN ? AND ?"
        " ORDER BY meeting_date, reference", [committee_id, date_from.isoformat(),
                                              date_to.isoformat()])]


def _decision_rows(db: Database, ids: Sequence[int]) -> list[dict[str, Any]]:
    found = {r["id"]: r for r in db.query(_DECISIONS_SQL + f" WHERE decisions.id IN {_IN}",
                                          [_ids_json(ids)])} if ids else {}
    return [found[i] for i in ids if i in found]


def _decision_fields(row: dict[str, Any]) -> dict[str, Any]:
    """A decision row with every field in the words the printed record uses."""
    address = ", ".join(p for p in (row["awarded_address"], row["awarded_postcode"]) if p)
    awarded = ""
    if row["awarded_name"]:
        awarded = row["awarded_name"] + (f" ({row['awarded_ods_code']})"
                                         if row["awarded_ods_code"] else "")
        awarded += f"\n{address}" if address else ""
    start, end = _day(row["contract_start"]), _day(row["contract_end"])
    return {
        **row,
        "status_label": STATUS_LABELS.get(row["status"], row["status"]),
        "meeting_date_text": _day(row["meeting_date"]),
        "choice_label": CHOICES.get(row["choice"] or "", row["choice"]),
        "choice_short": CHOICE_SHORT.get(row["choice"] or "", "Not recorded"),
        "contract_kind_label": CONTRACT_KINDS.get(row["contract_kind"] or "", row["contract_kind"]),
        "regime_label": REGIMES.get(row["regime"] or "", row["regime"]),
        "process_label": process_words(row["regime"] or "", row["process"]) if row["process"]
        else None,
        "total_value": format_money(row["total_value_pence"]),
        "annual_value": format_money(row["annual_value_pence"]),
        "contract_dates": (f"{start or 'not set'} to {end or 'not set'}"
                           if start or end else None),
        "clinical_lead": row["clinical_lead_name"],
        "contract_manager": row["contract_manager_name"],
        "awarded_text": awarded or None,
        "supplier": row["awarded_name"],
        "supplier_address": address,
        "author": row["author_name"],
        "submitted_text": _when(row["submitted_at"]) or None,
    }


def _records(db: Database, ids: Sequence[int]) -> list[dict[str, Any]]:
    """Full printed records for many decisions, with one query per related table."""
    rows = _decision_rows(db, ids)
    ids = [r["id"] for r in rows]
    options = _grouped(db, "SELECT * FROM decision_options WHERE decision_id IN " + _IN
                       + " ORDER BY position, id", ids)
    criteria = _grouped(db, "SELECT * FROM decision_criteria WHERE decision_id IN " + _IN
                        + " ORDER BY id", ids)
    providers = _grouped(db, (
        "SELECT decision_providers.decision_id, organisations.* FROM decision_providers"
        " JOIN organisations ON organisations.id = decision_providers.organisation_id"
        " WHERE decision_providers.decision_id IN " + _IN
        + " ORDER BY organisations.name COLLATE NOCASE, organisations.id"), ids)
    participants = _grouped(db, (
        "SELECT decision_participants.decision_id, decision_participants.person_id,"
        " decision_participants.role, people.name, committee_members.role AS member_role,"
        " committee_members.category, committee_members.voting AS member_voting"
        " FROM decision_participants"
        " JOIN people ON people.id = decision_participants.person_id"
        " JOIN decisions ON decisions.id = decision_participants.decision_id"
        " LEFT JOIN committee_members ON committee_members.person_id ="
        " decision_participants.person_id AND committee_members.committee_id ="
        " decisions.committee_id"
        " WHERE decision_participants.decision_id IN " + _IN
        + " ORDER BY CASE decision_participants.role WHEN 'voting' THEN 0 WHEN 'attendee' THEN 1"
        " ELSE 2 END, people.name COLLATE NOCASE"), ids)
    chairs = _grouped(db, (
        "SELECT decisions.id AS decision_id, committee_members.person_id, committee_members.role"
        " FROM decisions JOIN committee_members ON committee_members.committee_id ="
        " decisions.committee_id AND committee_members.role IN ('chair', 'vice_chair')"
        " WHERE decisions.id IN " + _IN), ids)
    flags = _grouped(db, (
        "SELECT decision_flags.*, people.name AS person_name, organisations.name AS"
        " organisation_name, match_resolutions.outcome AS match_outcome,"
        " match_resolutions.reason AS match_reason FROM decision_flags"
        " LEFT JOIN people ON people.id = decision_flags.person_id"
        " LEFT JOIN organisations ON organisations.id = decision_flags.organisation_id"
        + MATCH_JOIN +
        " WHERE decision_flags.decision_id IN " + _IN + " ORDER BY decision_flags.position"), ids)
    rulings = _grouped(db, (
        "SELECT decision_rulings.*, people.name, coalesce(ruler_person.name, ruler.username)"
        " AS ruled_by FROM decision_rulings"
        " JOIN people ON people.id = decision_rulings.person_id"
        " LEFT JOIN users AS ruler ON ruler.id = decision_rulings.ruled_by_user_id"
        " LEFT JOIN people AS ruler_person ON ruler_person.id = ruler.person_id"
        " WHERE decision_rulings.decision_id IN " + _IN + " ORDER BY people.name COLLATE NOCASE"),
        ids)
    escalations = _grouped(db, "SELECT * FROM escalations WHERE decision_id IN " + _IN
                           + " ORDER BY recorded_at, id", ids)
    sign_offs = _grouped(db, "SELECT * FROM sign_offs WHERE decision_id IN " + _IN
                         + " ORDER BY signed_at, id", ids)
    outcomes = _grouped(db, (
        "SELECT decision_outcomes.*, organisations.name AS awarded_name FROM decision_outcomes"
        " LEFT JOIN organisations ON organisations.id = decision_outcomes.awarded_provider_id"
        " WHERE decision_outcomes.decision_id IN " + _IN), ids)
    attendance = _grouped(db, (
        "SELECT outcome_attendance.*, people.name, proxy.name AS proxy_name"
        " FROM outcome_attendance JOIN people ON people.id = outcome_attendance.person_id"
        " LEFT JOIN people AS proxy ON proxy.id = outcome_attendance.proxy_for_person_id"
        " WHERE outcome_attendance.decision_id IN " + _IN
        + " ORDER BY people.name COLLATE NOCASE"), ids)
    breaches = _grouped(db, (
        "SELECT breaches.*, people.name AS person_name FROM breaches"
        " LEFT JOIN people ON people.id = breaches.person_id"
        " WHERE breaches.decision_id IN " + _IN + " ORDER BY breaches.recorded_at, breaches.id"),
        ids)
    events: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if ids:
        for event in db.query(
                "SELECT seq, at, actor, action, entity_id, changes FROM audit_events"
                " WHERE entity = 'decision' AND entity_id IN (SELECT CAST(value AS TEXT)"
                " FROM json_each(?)) ORDER BY seq", [_ids_json(ids)]):
            events[int(event["entity_id"])].append(event)
    return [_record(row, options[row["id"]], criteria[row["id"]], providers[row["id"]],
                    participants[row["id"]], chairs[row["id"]], flags[row["id"]],
                    rulings[row["id"]], escalations[row["id"]], sign_offs[row["id"]],
                    (outcomes[row["id"]] or [None])[0], attendance[row["id"]],
                    breaches[row["id"]], events[row["id"]]) for row in rows]


def _fields_changed(changes: str) -> str:
    try:
        data = json.loads(changes)
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    names = sorted(data)
    return ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")


def _record(row: dict[str, Any], options: list, criteria: list, providers: list,
            participants: list, chairs: list, flags: list, rulings: list, escalations: list,
            sign_offs: list, outcome: dict | None, attendance: list, breaches: list,
            events: list) -> dict[str, Any]:
    """One decision's printed record, from its rows."""
    criteria_order = list(KEY_CRITERIA)
    ruling_by_person = {r["person_id"]: r["ruling"] for r in rulings}
    reasons: dict[int, list[str]] = defaultdict(list)
    for flag in flags:
        if flag["person_id"] is not None and flag["severity"] == "conflict":
            label = conflict_rules.RULES.get(flag["rule"], flag["rule"]).lower()
            if label not in reasons[flag["person_id"]]:
                reasons[flag["person_id"]].append(label)
    return {
        "decision": _decision_fields(row),
        "options": [{**o, "outcome_label": "Chosen" if o["outcome"] == "chosen" else "Rejected"}
                    for o in options],
        "criteria": sorted(({**c, "label": KEY_CRITERIA.get(c["criterion"], c["criterion"])}
                            for c in criteria),
                           key=lambda c: criteria_order.index(c["criterion"])
                           if c["criterion"] in criteria_order else len(criteria_order)),
        "providers": [{**p, "kind_label": organisation_kind(p["kind"])} for p in providers],
        "participants": [{
            **p, "role_label": PARTICIPANT_ROLES.get(p["role"], p["role"]),
            "membership": (f"{MEMBER_ROLES.get(p['member_role'], p['member_role'])}, "
                           f"{CATEGORY_LABELS.get(p['category'], p['category'])}"
                           f"{'' if p['member_voting'] else ', non-voting'}")
            if p["member_role"] else "Not a member of the committee",
        } for p in participants],
        "flags": [{**f, "rule_label": conflict_rules.RULES.get(f["rule"], f["rule"])}
                  for f in flags],
        "rulings": [{
            **r, "ruling_label": RULINGS.get(r["ruling"], r["ruling"]),
            "ruled_text": ", ".join(p for p in (r["ruled_by"], _when(r["ruled_at"])) if p),
        } for r in rulings],
        "quorum": _quorum(row, participants, chairs, ruling_by_person, reasons, attendance),
        "escalations": [{
            **e, "kind_label": ESCALATIONS.get(e["kind"], e["kind"]),
            "details": _details(e["kind"], e["details"]),
            "recorded_text": _when(e["recorded_at"]),
            "ratified_text": (f"{_when(e['ratified_at'])}"
                              + (f" (meeting of {_day(e['ratified_meeting_date'])})"
                                 if e["ratified_meeting_date"] else ""))
            if e["ratified_at"] else (
                f"No longer applies: replaced {_when(e['superseded_at'])}"
                if e.get("superseded_at") else
                "Not yet" if e["kind"] == "chair_action" else "Not needed"),
        } for e in escalations],
        "sign_offs": [{
            **s, "signed_text": _when(s["signed_at"]), "voided_text": _when(s["voided_at"]),
        } for s in sign_offs],
        "outcome": {
            **outcome, "outcome_label": CHOICES.get(outcome["outcome"], outcome["outcome"]),
            "awarded": outcome["awarded_name"],
            "votes_text": (f"{outcome['votes_for']} for, {outcome['votes_against']} against, "
                           f"{outcome['votes_abstaining']} abstaining"),
            "recorded_text": _when(outcome["recorded_at"]),
        } if outcome else None,
        "attendance": [{**a, "vote_label": VOTES.get(a["vote"] or "", "No vote"),
                        "proxy_for": a["proxy_name"] or ""} for a in attendance],
        "breaches": [{**b, "kind_label": b["kind"].replace("_", " ").capitalize(),
                      "person": b["person_name"] or "", "recorded_text": _when(b["recorded_at"])}
                     for b in breaches],
        "events": [{"seq": e["seq"], "at_text": _when(e["at"]), "actor": e["actor"],
                    "action": e["action"].replace("_", " "),
                    "fields": _fields_changed(e["changes"])} for e in events],
    }


def _details(kind: str, text: str) -> str:
    """An escalation's details in the sentence the review page uses (stored as JSON; older
    plain-word details are printed as they are)."""
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if isinstance(data, dict):
        return escalation_words(kind, data) + "."
    return str(data)


def _quorum(row: dict[str, Any], participants: list, chairs: list,
            rulings: dict[int, str], reasons: dict[int, list[str]],
            attendance: list) -> dict[str, Any]:
    """The quorum arithmetic on the rulings, and again on the attendance once it is recorded."""
    rule = QuorumRule(row["quorum_min_voting"],
                      {c: row[f"quorum_min_{c}"] for c in CATEGORIES if row[f"quorum_min_{c}"]})
    voting = [(p["person_id"], p["category"] or "other") for p in participants
              if p["role"] == "voting"]
    why = {person: ", ".join(words) for person, words in reasons.items()}
    counts = []
    before = count_quorum(rule, voting, rulings, reasons=why)
    counts.append({"title": "Counted on the voting members taking part, after the rulings:",
                   "arithmetic": before.arithmetic, "summary": before.summary})
    if attendance:
        present = {a["person_id"] for a in attendance if a["present"]}
        at_meeting = count_quorum(rule, voting, rulings, present, reasons=why)
        counts.append({"title": "Counted on the attendance recorded at the meeting:",
                       "arithmetic": at_meeting.arithmetic, "summary": at_meeting.summary})
    chair = next((c["person_id"] for c in chairs if c["role"] == "chair"), None)
    vice = next((c["person_id"] for c in chairs if c["role"] == "vice_chair"), None)
    _, presiding = presiding_member(chair, vice, rulings)
    return {"rule": rule.describe(), "counts": counts, "presiding": presiding + "."}


def decision_for_reference(db: Database, reference: str) -> dict[str, Any] | None:
    """The id, committee and status of the decision with this reference (any case), or None."""
    return next(iter(db.query(
        "SELECT id, reference, status, author_user_id FROM decisions WHERE reference = ?",
        [(reference or "").strip().upper()])), None)




def decision_record(db: Database, reference: str, *, organisation: str,
                    printed_at: str | None = None) -> dict[str, Any] | None:
    """Everything the printed audit record of one decision shows, or None for no such decision."""
    found = decision_for_reference(db, reference)
    if found is None:
        return None
    with snapshot(db):
        records = _records(db, [found["id"]])
        head = head_of_trail(db)
    if not records:
        return None
    printed_at = printed_at or utcnow_iso()
    return {**records[0], "organisation": organisation, "printed_at": printed_at,
            "printed_text": uk_time(printed_at), "head": head}


# ---- the board's audit pack -----------------------------------------------------------------

def committee_by_name(db: Database, name: str) -> dict[str, Any] | None:
    """The committee with this name (any case), or None."""
    return next(iter(db.query("SELECT * FROM committees WHERE name = ? COLLATE NOCASE",
                              [(name or "").strip()])), None)


def committee_choices(db: Database) -> list[dict[str, Any]]:
    """Every committee, by name, for the pack form."""
    return list(db.query("SELECT id, name FROM committees ORDER BY name COLLATE NOCASE"))


def _register_rows(rows: list[dict[str, Any]], conflicted: dict[int, list[str]],
                   mitigation: dict[int, list[str]]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        fields = _decision_fields(row)
        out.append({
            **fields,
            "procurement_type": ": ".join(p for p in (fields["regime_label"],
                                                       fields["process_label"]) if p),
            "contract_kind": fields["contract_kind_label"],
            "committee": row["committee_name"],
            "conflicts": "; ".join(conflicted.get(row["id"], [])),
            "mitigation": "; ".join(mitigation.get(row["id"], [])),
            "flagged": bool(row["flag_count"]),
        })
    return out


def audit_pack(db: Database, committee: dict[str, Any], date_from: dt.date, date_to: dt.date, *,
               organisation: str, prepared_by: str, purpose: str, recommendation: str,
               marking: str = "OFFICIAL", printed_at: str | None = None,
               viewer: access.Viewer | None = None) -> dict[str, Any]:
    """Everything the board's audit pack for a committee and period shows, to this viewer: the
    papers of a decision the viewer is excluded from are left out, and its reference is listed
    in `excluded` (None: printed from the command line, every decision)."""
    ids = decision_ids_in_period(db, committee["id"], date_from, date_to)
    with snapshot(db):
        ids = decision_ids_in_period(db, committee["id"], date_from, date_to)
        left_out: list[int] = []
        if viewer is not None:
            ids, left_out = access.split_readable(db, viewer, ids)
        excluded = [row[0] for row in db.execute(
            "SELECT reference FROM decisions WHERE id IN " + _IN + " ORDER BY reference",
            [_ids_json(left_out)]).fetchall()] if left_out else []
        rows = _decision_rows(db, ids)
        conflicted: dict[int, list[str]] = defaultdict(list)
        for r in db.query(
                "SELECT DISTINCT decision_flags.decision_id, people.name FROM decision_flags"
                " JOIN people ON people.id = decision_flags.person_id"
                " WHERE decision_flags.severity = 'conflict' AND decision_flags.decision_id IN "
                + _IN + " ORDER BY people.name COLLATE NOCASE", [_ids_json(ids)]):
            conflicted[r["decision_id"]].append(r["name"])
        mitigation: dict[int, list[str]] = defaultdict(list)
        for r in db.query(
                "SELECT decision_rulings.decision_id, decision_rulings.ruling, people.name"
                " FROM decision_rulings JOIN people ON people.id = decision_rulings.person_id"
                " WHERE decision_rulings.decision_id IN " + _IN
                + " ORDER BY people.name COLLATE NOCASE", [_ids_json(ids)]):
            mitigation[r["decision_id"]].append(
                f"{r['name']}: {RULINGS.get(r['ruling'], r['ruling']).lower()}")
        flagged_ids = [r["id"] for r in rows if r["flag_count"]]
        records = _records(db, flagged_ids)
        members = _members_register(db, committee["id"], date_to, marking=marking)
        found = _breaches(db, committee["id"], ids, date_from, date_to)
        head = head_of_trail(db)
    printed_at = printed_at or utcnow_iso()
    return {
        "organisation": organisation,
        "committee": {"id": committee["id"], "name": committee["name"]},
        "date_from": date_from.isoformat(), "date_to": date_to.isoformat(),
        "period_text": f"{long_date(date_from)} to {long_date(date_to)}",
        "period_short": f"{date_from.day} {date_from:%b %Y} to {date_to.day} {date_to:%b %Y}",
        "prepared_by": prepared_by, "purpose": purpose, "recommendation": recommendation,
        "marking": marking, "printed_at": printed_at, "printed_text": uk_time(printed_at),
        "decisions": _register_rows(rows, conflicted, mitigation),
        "excluded": excluded,
        "records": records,
        "interests": members,
        "breaches": found,
        "head": head,
    }


def interest_row(person: dict[str, Any], interest: dict[str, Any] | None, *,
                 show_withheld: bool = False, note_lateness: bool = False) -> dict[str, Any]:
    """One line of a register of interests (a person with no interests when `interest` is None)."""
    base = {"name": person["name"], "positions": person.get("positions_text")
            or person.get("positions") or "", "withheld": False, "no_interests": ""}
    if interest is None:
        return {**base, "no_interests": "No interests declared"}
    withheld = not interest["consent_to_publish"]
    if withheld and not show_withheld:
        return {**base, "withheld": True}
    late = ""
    if note_lateness and is_late(interest["date_from"], interest["declared_on"]):
        late = f"{days_late(interest['date_from'], interest['declared_on'])} days late"
    return {
        **base,
        "organisation": interest["organisation_name"] or interest.get("linked_name") or "",
        "business": interest["organisation_business"],
        "type": interest["interest_type"],
        "type_label": INTEREST_TYPES.get(interest["interest_type"], interest["interest_type"]),
        "direct_text": (f"Indirect ({interest['associate_relationship']})"
                        if interest["associate_relationship"] else "Indirect")
        if interest["is_indirect"] else "Direct",
        "nature": interest["nature"] + ("\n(Withheld from publication)" if withheld else ""),
        "mitigation": interest["mitigation"],
        "date_from": interest["date_from"], "date_from_text": _day(interest["date_from"]),
        "date_to": interest["date_to"], "date_to_text": _day(interest["date_to"]),
        "declared_on": interest["declared_on"], "declared_text": _day(interest["declared_on"]),
        "late_text": late,
    }


_INTERESTS_SQL = (
    "SELECT interests.*, organisations.name AS linked_name FROM interests"
    " LEFT JOIN organisations ON organisations.id = interests.organisation_id"
    " WHERE interests.person_id IN " + _IN +
    " ORDER BY interests.date_from, interests.id")


def _members_register(db: Database, committee_id: int, on: dt.date, *,
                      marking: str) -> dict[str, Any]:
    """The register of interests of a committee's members as it stood at the end of a day."""
    members = list(db.query(
        "SELECT people.id, people.name, people.positions, committee_members.role,"
        " committee_members.category FROM committee_members"
        " JOIN people ON people.id = committee_members.person_id"
        " WHERE committee_members.committee_id = ?"
        " ORDER BY people.name COLLATE NOCASE, people.id", [committee_id]))
    ids = [m["id"] for m in members]
    by_person: dict[int, list[dict[str, Any]]] = defaultdict(list)
    interests = list(db.query(_INTERESTS_SQL, [_ids_json(ids)])) if ids else []
    # Declared by then, begun by then, not withdrawn by then, not ended more than six months
    # before, each entry as it read then.
    for interest in interest_history.register_on(db, interests, on):
        by_person[interest["person_id"]].append(interest)
    sensitive = marking == "OFFICIAL-SENSITIVE"
    rows = []
    for member in members:
        person = {**member, "positions_text": ", ".join(p for p in (
            MEMBER_ROLES.get(member["role"], member["role"]),
            CATEGORY_LABELS.get(member["category"], member["category"]),
            member["positions"]) if p)}
        held = by_person.get(member["id"], [])
        if not held:
            rows.append(interest_row(person, None))
        for interest in held:
            rows.append(interest_row(person, interest, show_withheld=sensitive,
                                     note_lateness=True))
    withheld = ("Entries withheld from publication are shown in full because this pack is "
                "marked OFFICIAL-SENSITIVE." if sensitive else
                "Entries withheld from publication for privacy or safety are shown as "
                "\"Withheld\"; print the pack as OFFICIAL-SENSITIVE to include them.")
    return {
        "title": "Register of interests of the committee's members",
        "explanation": (f"As it stood on {long_date(on)}: interests declared by then, held then "
                        f"or ended in the six months before. {withheld}"),
        "rows": rows,
    }


def _breaches(db: Database, committee_id: int, ids: Sequence[int], date_from: dt.date,
              date_to: dt.date) -> dict[str, Any]:
    """Late declarations, ruled-out people present for a vote, flagged and recorded breaches."""
    decision_refs = {r["id"]: r["reference"] for r in db.query(
        "SELECT id, reference FROM decisions WHERE id IN " + _IN, [_ids_json(ids)])} if ids else {}
    late = []
    for r in db.query(
            "SELECT interests.*, people.name FROM interests"
            " JOIN people ON people.id = interests.person_id"
            " JOIN committee_members ON committee_members.person_id = interests.person_id"
            " AND committee_members.committee_id = ?"
            " WHERE interests.withdrawn = 0 AND interests.declared_on BETWEEN ? AND ?"
            " ORDER BY interests.declared_on, people.name COLLATE NOCASE",
            [committee_id, date_from.isoformat(), date_to.isoformat()]):
        if is_late(r["date_from"], r["declared_on"]):
            late.append([r["name"], " — ".join(p for p in (r["organisation_name"], r["nature"])
                                               if p),
                         _day(r["date_from"]), _day(r["declared_on"]),
                         days_late(r["date_from"], r["declared_on"])])
    present = []
    for r in db.query(
            "SELECT outcome_attendance.decision_id, outcome_attendance.vote, people.name,"
            " decision_rulings.ruling FROM outcome_attendance"
            " JOIN people ON people.id = outcome_attendance.person_id"
            " JOIN decision_rulings ON decision_rulings.decision_id ="
            " outcome_attendance.decision_id AND decision_rulings.person_id ="
            " outcome_attendance.person_id"
            " WHERE outcome_attendance.present = 1 AND outcome_attendance.decision_id IN " + _IN
            + " ORDER BY outcome_attendance.decision_id, people.name COLLATE NOCASE",
            [_ids_json(ids)]):
        if not may_be_present(r["ruling"]):
            present.append([decision_refs.get(r["decision_id"], ""), r["name"],
                            RULINGS.get(r["ruling"], r["ruling"]),
                            VOTES.get(r["vote"] or "", "No vote")])
    flagged = []
    for r in db.query(
            "SELECT decision_flags.decision_id, decision_flags.rule, decision_flags.sentence"
            " FROM decision_flags WHERE decision_flags.severity = 'breach'"
            " AND decision_flags.decision_id IN " + _IN
            + " ORDER BY decision_flags.decision_id, decision_flags.position", [_ids_json(ids)]):
        flagged.append([decision_refs.get(r["decision_id"], ""),
                        conflict_rules.RULES.get(r["rule"], r["rule"]), r["sentence"]])
    recorded = []
    for r in db.query(
            "SELECT breaches.*, people.name FROM breaches"
            " LEFT JOIN people ON people.id = breaches.person_id"
            " WHERE breaches.decision_id IN " + _IN + " ORDER BY breaches.recorded_at, breaches.id",
            [_ids_json(ids)]):
        recorded.append([decision_refs.get(r["decision_id"], ""), r["name"] or "",
                         r["kind"].replace("_", " ").capitalize(), r["detail"],
                         _when(r["recorded_at"])])
    return {
        "explanation": (f"Interests the committee's members declared between "
                        f"{long_date(date_from)} and {long_date(date_to)} more than 28 days after "
                        f"they arose; people recorded as present for an item they were ruled out "
                        f"of; breaches the conflict checks flagged on the period's decisions; and "
                        f"breaches recorded against those decisions."),
        "late_declarations": late, "present_when_ruled_out": present,
        "flagged": flagged, "recorded": recorded,
    }


# ---- the published register of interests ---------------------------------------------------

def published_interests(db: Database, on: dt.date, *, organisation: str,
                        printed_at: str | None = None) -> dict[str, Any]:
    """The register of interests for publication as it stood at the end of a day: decision-makers
    only; entries declared by then, each as it read then (see `interests.history`); interests
    ended more than six months before left out; withheld entries without detail; entries
    withdrawn by then (entered in error) left out."""
    with snapshot(db):
        people = list(db.query(
            "SELECT id, name, positions FROM people WHERE is_decision_maker = 1"
            " ORDER BY name COLLATE NOCASE, id"))
        interests = list(db.query(
            "SELECT interests.*, organisations.name AS linked_name FROM interests"
            " JOIN people ON people.id = interests.person_id AND people.is_decision_maker = 1"
            " LEFT JOIN organisations ON organisations.id = interests.organisation_id"
            " WHERE " + interest_history.candidates_sql() +
            " ORDER BY interests.date_from, interests.id",
            {"on": on.isoformat(), "cutoff": interest_history.end_of_day(on)}))
        entries = interest_history.register_on(db, interests, on)
    by_person: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for interest in sorted(entries, key=lambda i: (i["date_from"], i["id"])):
        by_person[interest["person_id"]].append(interest)
    rows = []
    for person in people:
        held = by_person.get(person["id"], [])
        if not held:
            rows.append(interest_row(person, None))
        for interest in held:
            rows.append(interest_row(person, interest))
    printed_at = printed_at or utcnow_iso()
    return {
        "organisation": organisation,
        "on": on.isoformat(), "on_text": long_date(on),
        "printed_at": printed_at, "printed_text": uk_time(printed_at),
        "title": "Register of interests",
        "explanation": (f"The interests declared by {organisation}'s decision-makers, as the "
                        f"register stood at the end of {long_date(on)}: only what had been "
                        f"declared by then, each entry as it read then (changes, end dates and "
                        f"withdrawals recorded later are not applied). An interest stays on this "
                        f"register until six months after it ended. Where an entry is withheld "
                        f"for an overriding privacy or safety reason it is shown as "
                        f"\"Withheld\"; it is still recorded and still counts. Names and "
                        f"positions are shown as they are now."),
        "rows": rows,
    }
