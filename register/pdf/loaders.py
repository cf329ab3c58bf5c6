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
from ..decisions import access, chains, history_words, serialise
from ..decisions import record as record_model
from ..decisions.record import iso
from ..interests import history as interest_history
from ..organisations.queries import KINDS as ORGANISATION_KINDS
from ..reports import figures as figure_queries
from ..rules import standstill
from ..rules.decisions import CHOICES, CONTRACT_KINDS, REGIMES, format_money
from ..rules.decisions import process_label as process_words
from ..rules.interests import INTEREST_TYPES, days_late, is_late
from ..rules.rulings import RULINGS
from ..rules.workflow import STATUS_LABELS
from ..timeutil import long_date, uk_time, utcnow_iso

CHOICE_SHORT = {"make": "Make", "buy": "Buy", "mixed": "Mixed"}
MEMBER_ROLES = {"chair": "Chair", "vice_chair": "Vice-chair", "member": "Member"}
CATEGORY_LABELS = {"gp": "GP", "lay": "lay member", "executive": "executive", "other": "other"}


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

_IN = "(SELECT value FROM json_each(?))"


def decision_ids_in_period(db: Database, committee_id: int, date_from: dt.date,
                           date_to: dt.date) -> list[int]:
    """The committee's decisions with a meeting date in the period, earliest first."""
    return [r["id"] for r in db.query(
        "SELECT id FROM decisions WHERE committee_id = ? AND meeting_date BETWEEN ? AND ?"
        " ORDER BY meeting_date, reference", [committee_id, date_from.isoformat(),
                                              date_to.isoformat()])]


def _row_of(rec: record_model.DecisionRecord) -> dict[str, Any]:
    """A decision's record as the flat fields the printed tables word."""
    awarded, signed = rec.awarded_provider, rec.sign_off
    return {
        "id": rec.id, "reference": rec.reference, "title": rec.title,
        "description": rec.description, "status": rec.status, "choice": rec.choice,
        "contract_kind": rec.contract_kind, "regime": rec.regime, "process": rec.process,
        "total_value_pence": rec.total_value_pence,
        "annual_value_pence": rec.annual_value_pence,
        "contract_start": iso(rec.contract_start), "contract_end": iso(rec.contract_end),
        "committee_id": rec.committee_id, "committee_name": rec.committee_name,
        "meeting_date": iso(rec.meeting_date), "decision_process": rec.decision_process,
        "offered_to_all_member_practices": rec.offered_to_all_member_practices,
        "justification": rec.justification, "comments": rec.comments,
        "submitted_at": iso(rec.submitted_at), "flag_count": rec.flag_count,
        "conflict_count": rec.conflict_count,
        "clinical_lead_name": rec.clinical_lead.name if rec.clinical_lead else None,
        "contract_manager_name": rec.contract_manager.name if rec.contract_manager else None,
        "awarded_name": awarded.name if awarded else None,
        "awarded_ods_code": awarded.ods_code if awarded else None,
        "awarded_address": awarded.registered_address if awarded else None,
        "awarded_postcode": awarded.postcode if awarded else None,
        "author_name": rec.author,
        "signed_at": iso(signed.signed_at) if signed and signed.voided_at is None else None,
    }


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
    """Full printed records for many decisions: each decision's one record (read with one
    query per table), worded for print, with its audit events."""
    return _printed(db, record_model.load_records(db, ids))


def _printed(db: Database, built: Sequence[record_model.DecisionRecord]) -> list[dict[str, Any]]:
    """Records worded for print, each with its decision's audit events."""
    wanted = [r.id for r in built]
    events: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if wanted:
        for event in db.query(
                "SELECT seq, at, actor, action, entity_id, changes FROM audit_events"
                " WHERE entity = 'decision' AND entity_id IN (SELECT CAST(value AS TEXT)"
                " FROM json_each(?)) ORDER BY seq", [_ids_json(wanted)]):
            events[int(event["entity_id"])].append(event)
    svgs = chains.svgs_for(db, built)
    return [{**printed_record(r, events[r.id]), "chain_svg": svgs[r.id]} for r in built]


def chain_svg(db: Database, rec: record_model.DecisionRecord) -> str | None:
    """The decision's conflict chain diagram as SVG (None when unflagged or without `dot`)."""
    diagram = chains.diagram_for(db, rec)
    return diagram.svg if diagram else None


def _fields_changed(action: str, changes: str) -> str:
    """The fields an event changed, in the words the decision's page uses (a decision's
    creation names none: it sets them all)."""
    if action == "create":
        return ""
    try:
        names = history_words.fields_in_words(json.loads(changes))
    except ValueError:
        return ""
    return ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")


def _count(count: record_model.QuorumCount) -> dict[str, Any]:
    return {"title": count.title, "arithmetic": list(count.arithmetic), "summary": count.summary}


def printed_quorum(quorum: record_model.Quorum | None) -> dict[str, Any]:
    """The record's quorum in the words the printed record uses (the same verdict as the
    review page and the JSON)."""
    if quorum is None:
        return {"rule": None, "counts": [], "presiding": "",
                "verdict": "Not counted yet: the quorum is counted once the decision is "
                           "submitted for review."}
    after = _count(quorum.after_rulings)
    if quorum.quorate_after_rulings is None:
        after["summary"] = (f"Not known yet: {len(quorum.awaiting_rulings)} conflicted "
                            f"{'person awaits' if len(quorum.awaiting_rulings) == 1 else 'people await'}"
                            f" a ruling ({', '.join(quorum.awaiting_rulings)}).")
    counts = [_count(quorum.before_rulings), after]
    if quorum.at_meeting is not None:
        counts.append(_count(quorum.at_meeting))
    return {"rule": quorum.rule, "counts": counts, "presiding": quorum.presiding + ".",
            "verdict": f"Verdict after the rulings: {quorum.verdict}."}


def printed_notices(rec: record_model.DecisionRecord) -> dict[str, Any] | None:
    """The PSR notices, standstill and representations as the decision record prints them, or
    None when the decision is not under the regime."""
    if not standstill.notices_apply(rec.regime):
        return None
    notices = [{"label": n.kind_label, "date_text": long_date(n.published_on),
                "where": n.published_where, "reference": n.reference} for n in rec.notices]
    end = rec.standstill_end
    if not rec.has_standstill:
        words = "This route has no standstill."
    elif end is not None:
        words = (f"Standstill ends {standstill.long_day(end)} (8 working days after the "
                 f"intention to award notice).")
    else:
        words = "Standstill: no intention to award notice recorded."
    return {"notices": notices, "standstill_text": words, "has_standstill": rec.has_standstill,
            "representations": [{
                "received_text": long_date(r.received_on), "provider": r.provider_name,
                "summary": r.summary,
                "response": (f"{r.response} ({long_date(r.responded_on)})" if r.answered
                             else "Waiting for a response")} for r in rec.representations]}


def _standstill_line(rec: record_model.DecisionRecord) -> str:
    """The register table's one line on the standstill, or empty."""
    end = rec.standstill_end
    return f"Standstill ended {long_date(end)}" if rec.has_standstill and end else ""


def printed_record(rec: record_model.DecisionRecord,
                   events: list[dict[str, Any]]) -> dict[str, Any]:
    """One decision's record in the words the printed record uses."""
    return {
        "decision": _decision_fields(_row_of(rec)),
        "options": [{"position": o.position, "description": o.description,
                     "outcome": o.outcome, "reason": o.reason,
                     "outcome_label": "Chosen" if o.outcome == "chosen" else "Rejected"}
                    for o in rec.options],
        "criteria": [{"criterion": c.criterion, "label": c.label, "weight": c.weight,
                      "how_applied": c.how_applied} for c in rec.criteria],
        "route": {"reasons": rec.route.reasons,
                  "selection_criteria": rec.route.selection_criteria,
                  "exclusions": rec.route.exclusions, "score_out_of": rec.route.score_out_of,
                  "scores": [{"name": s.name, "score": s.score_text,
                              "assessment": s.assessment} for s in rec.route.scores]},
        "providers": [{"name": p.name, "ods_code": p.ods_code, "kind": p.kind,
                       "kind_label": organisation_kind(p.kind),
                       "is_member_practice": p.is_member_practice} for p in rec.providers],
        "participants": [{"person_id": p.person_id, "name": p.name, "role": p.role,
                          "role_label": p.role_label, "membership": p.membership}
                         for p in rec.participants],
        "flags": [{"rule": f.rule, "rule_label": f.rule_label, "severity": f.severity,
                   "person_id": f.person_id, "person_name": f.person_name,
                   "organisation_name": f.organisation_name, "sentence": f.sentence,
                   "match_outcome": f.match_outcome, "match_reason": f.match_reason}
                  for f in rec.flags],
        "rulings": [{
            "person_id": r.person_id, "name": r.name, "ruling": r.ruling,
            "ruling_label": r.ruling_label, "reason": r.reason, "is_exception": r.is_exception,
            "exception_reason": r.exception_reason,
            "exception_mitigation": r.exception_mitigation,
            "ruled_text": ", ".join(p for p in (r.ruled_by, uk_time(r.ruled_at)) if p),
        } for r in rec.rulings],
        "quorum": printed_quorum(rec.quorum),
        "escalations": [{
            "kind": e.kind, "kind_label": e.kind_label, "details": e.words,
            "recorded_text": uk_time(e.recorded_at),
            "ratified_text": (uk_time(e.ratified_at)
                              + (f" (meeting of {long_date(e.ratified_meeting_date)})"
                                 if e.ratified_meeting_date else ""))
            if e.ratified_at else (
                f"No longer applies: replaced {uk_time(e.superseded_at)}"
                if e.superseded_at else
                "Not yet" if e.kind == "chair_action" else "Not needed"),
        } for e in rec.escalations],
        "sign_offs": [{
            "signer_name": s.signer_name, "signer_role": s.signer_role,
            "statement": s.statement, "content_hash": s.content_hash,
            "void_reason": s.void_reason, "signed_text": uk_time(s.signed_at),
            "voided_text": uk_time(s.voided_at),
        } for s in rec.sign_offs],
        "outcome": {
            "outcome": rec.outcome.outcome, "outcome_label": rec.outcome.outcome_label,
            "awarded": rec.outcome.awarded_provider, "votes_text": rec.outcome.votes_text,
            "notes": rec.outcome.notes, "recorded_text": uk_time(rec.outcome.recorded_at),
        } if rec.outcome else None,
        "attendance": [{"name": a.name, "present": a.present, "vote_label": a.vote_label,
                        "proxy_for": a.proxy_for or "",
                        "left": "\n".join(w for w in (a.left_words, a.ruling_carried_out or "")
                                          if w)}
                       for a in (rec.outcome.attendance if rec.outcome else ())],
        "proxies_refused": [{"for_person": r.for_person, "offered_to": r.offered_to,
                             "reason": r.reason}
                            for r in (rec.outcome.proxies_refused if rec.outcome else ())],
        "psr_notices": printed_notices(rec),
        "breaches": [{"kind_label": b.kind_label, "person": b.person or "",
                      "detail": b.detail, "recorded_text": uk_time(b.recorded_at)}
                     for b in rec.breaches],
        "modifications": printed_modifications(rec),
        "events": [{"seq": e["seq"], "at_text": _when(e["at"]), "actor": e["actor"],
                    "action": history_words.action_words(e["action"]),
                    "fields": _fields_changed(e["action"], e["changes"])} for e in events],
    }


def printed_modifications(rec: record_model.DecisionRecord) -> dict[str, Any]:
    """The contract's modifications in the words the printed record uses, with its value and
    end date at award and after them."""
    return {
        "original_text": (f"{format_money(rec.total_value_pence) or 'No value recorded'}, "
                          f"ending {long_date(rec.contract_end) or 'on a date not recorded'}"),
        "current_text": (f"{format_money(rec.current_value_pence) or 'No value recorded'}, "
                         f"ending {long_date(rec.current_end) or 'on a date not recorded'}"),
        "rows": [{
            "date_text": long_date(m.modified_on),
            "what_changed": m.what_changed + (f"\nNew end date {long_date(m.new_end)}"
                                              if m.new_end else ""),
            "values_text": (f"{format_money(m.value_before_pence)} to "
                            f"{format_money(m.value_after_pence)}"
                            if m.value_after_pence is not None else "Unchanged"),
            "ground": m.ground_words or "None",
            "notice_text": (f"Published {long_date(m.published_on)}: {m.published_where}"
                            if m.published_on else
                            f"Notice due by {long_date(m.notice_due_by)}" if m.notice_due_by
                            else "Not required"),
        } for m in rec.modifications],
    }


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


def _register_rows(records: Sequence[record_model.DecisionRecord]) -> list[dict[str, Any]]:
    """The pack's register of procurement decisions, each row from its decision's record."""
    out = []
    for rec in records:
        fields = _decision_fields(_row_of(rec))
        out.append({
            **fields,
            "procurement_type": ": ".join(p for p in (fields["regime_label"],
                                                       fields["process_label"]) if p),
            "contract_kind": fields["contract_kind_label"],
            "committee": rec.committee_name,
            "conflicts": "; ".join(c.name for c in rec.conflicted),
            "mitigation": "; ".join(f"{r.name}: {r.ruling_label.lower()}"
                                    for r in rec.rulings),
            "flagged": rec.flagged,
            **_conflicts_and_term(rec),
            "standstill_line": _standstill_line(rec),
        })
    return out


def _conflicts_and_term(rec: record_model.DecisionRecord) -> dict[str, Any]:
    """Each conflict in words (who and what interest; how it was managed) and the contract
    term, as the pack's register table prints them."""
    words = serialise.conflicts_in_words(rec)
    term = None
    if rec.contract_start or rec.contract_end:
        term = (f"{long_date(rec.contract_start) or 'not set'} to "
                f"{long_date(rec.contract_end) or 'not set'}")
    conflict_lines = [f"{w.person}: {w.interest}" for w in words]
    mitigation_lines = [f"{w.person}: {w.managed}" for w in words]
    others = _other_flag_lines(rec)
    if others:
        conflict_lines += others
        if not words:
            mitigation_lines = ["No one taking part is conflicted"
                                + ("; signed off" if rec.sign_off and rec.sign_off.voided_at is None
                                   else "; for the governance review")]
    return {"conflict_lines": conflict_lines, "mitigation_lines": mitigation_lines,
            "contract_term": term}


def _other_flag_lines(rec: record_model.DecisionRecord) -> list[str]:
    """What makes a flagged decision flagged besides its conflicted people: the decision's own
    flags (a provider that is a member practice, or is owned by members), late or missing
    declarations and the name matches still to confirm, each as its flag's sentence; so that the
    register never says "None noted" beside "Flagged". Nothing for a decision not flagged."""
    if not rec.flagged:
        return []
    conflicted = {c.person_id for c in rec.conflicted}
    lines: list[str] = []
    for flag in rec.flags:
        if flag.severity == "context" or flag.match_outcome == "dismissed":
            continue
        if flag.person_id is not None and flag.person_id in conflicted:
            continue  # already named, with its ruling, in the person's own line
        words = (flag.sentence or flag.rule_label).strip()
        if flag.severity == "possible":
            words = f"To confirm or dismiss: {words}"
        if words not in lines:
            lines.append(words)
    return lines


def period_text(date_from: dt.date, date_to: dt.date) -> str:
    """A pack's period in words, as its cover sheet and its job's page say it."""
    return f"{long_date(date_from)} to {long_date(date_to)}"


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
        in_period = record_model.load_records(db, ids)
        records = _printed(db, [r for r in in_period if r.flagged])
        members = _members_register(db, committee["id"], date_to, marking=marking)
        found = _breaches(db, committee["id"], in_period, date_from, date_to)
        offered = _members_gifts(db, committee["id"], date_from, date_to)
        facts = figure_queries.load_facts(db, date_from, date_to, committee_id=committee["id"])
        head = head_of_trail(db)
    printed_at = printed_at or utcnow_iso()
    return {
        "organisation": organisation,
        "committee": {"id": committee["id"], "name": committee["name"]},
        "date_from": date_from.isoformat(), "date_to": date_to.isoformat(),
        "period_text": period_text(date_from, date_to),
        "period_short": f"{date_from.day} {date_from:%b %Y} to {date_to.day} {date_to:%b %Y}",
        "prepared_by": prepared_by, "purpose": purpose, "recommendation": recommendation,
        "marking": marking, "printed_at": printed_at, "printed_text": uk_time(printed_at),
        "decisions": _register_rows(in_period),
        "excluded": excluded,
        "records": records,
        "interests": members,
        "breaches": found,
        "gifts": offered,
        "figure_facts": facts,
        "head": head,
    }


def gift_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Offers (gifts/queries.py rows) in the words the printed tables use."""
    return [{"name": r["person_name"], "what": f"{r['kind_label']}: {r['description']}",
             "from": r["from_name"] + (" (supplier or contractor)" if r["from_supplier"] else ""),
             "value": r["value_text"], "offered": long_date(r["offered_on"]),
             "outcome": r["outcome"] + (f", approved by {r['approved_by']}" if r["approved_by"]
                                        else "")
             + (", should have been declined" if r["assessment"].should_decline
                and r["accepted"] else ""),
             "declared": long_date(r["declared_on"])
             + (f" ({r['days_late']} days late)" if r["days_late"] else "")} for r in rows]


def _members_gifts(db: Database, committee_id: int, date_from: dt.date,
                   date_to: dt.date) -> list[dict[str, Any]]:
    """The gifts, hospitality and sponsorship the committee's members declared as offered in
    the period (the ones the guidance says are declared), oldest first."""
    from ..gifts.queries import published

    members = {r[0] for r in db.execute(
        "SELECT person_id FROM committee_members WHERE committee_id = ?", [committee_id])}
    rows = [r for r in published(db) if r["person_id"] in members
            and date_from.isoformat() <= r["offered_on"] <= date_to.isoformat()]
    return gift_rows(sorted(rows, key=lambda r: (r["offered_on"], r["id"])))


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
        # What identifies the organisation, where the interest is linked to a registered one.
        "organisation_ods_code": interest.get("linked_ods_code") or "",
        "organisation_companies_house_number": interest.get("linked_companies_house_number")
        or "",
        "organisation_charity_number": interest.get("linked_charity_number") or "",
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


def _breaches(db: Database, committee_id: int,
              records: Sequence[record_model.DecisionRecord], date_from: dt.date,
              date_to: dt.date) -> dict[str, Any]:
    """Late declarations, and from the period's decision records: ruled-out people present for
    a vote, flagged and recorded breaches."""
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
    present, flagged, recorded = [], [], []
    for rec in records:
        for attended in record_model.present_when_ruled_out(rec):
            present.append([rec.reference, attended.name,
                            RULINGS.get(attended.ruling or "", attended.ruling),
                            attended.vote_label])
        flagged += [[rec.reference, f.rule_label, f.sentence] for f in rec.flags
                    if f.severity == "breach"]
    breaches = sorted(((b, rec.reference) for rec in records for b in rec.breaches),
                      key=lambda pair: (iso(pair[0].recorded_at) or "", pair[0].id))
    recorded = [[reference, b.person or "", b.kind_label, b.detail, uk_time(b.recorded_at)]
                for b, reference in breaches]
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
            "SELECT interests.*, organisations.name AS linked_name,"
            " organisations.ods_code AS linked_ods_code,"
            " organisations.companies_house_number AS linked_companies_house_number,"
            " organisations.charity_number AS linked_charity_number FROM interests"
            " JOIN people ON people.id = interests.person_id AND people.is_decision_maker = 1"
            " LEFT JOIN organisations ON organisations.id = interests.organisation_id"
            " WHERE " + interest_history.candidates_sql() +
            " ORDER BY interests.date_from, interests.id",
            {"on": on.isoformat(), "cutoff": interest_history.end_of_day(on)}))
        # Only what a governance lead has approved is published.
        entries = interest_history.approved_readings(
            db, interest_history.register_on(db, interests, on))
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
