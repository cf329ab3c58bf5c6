"""Kinds of import for what the register records after its decisions and about its people: PSR
notices with the representations made during the standstill, contract modifications, gifts and
hospitality, breaches, and interests declared at a meeting for an item.

A whole-register export writes each of them (see export.py), so an export imported into an empty
register loses none of them. Each row is checked with the rules the pages use (rules/standstill,
rules/modifications, rules/gifts, rules/breaches), against the register and the rows before it,
so one file may hold a decision's intention notice, its representations and then its award. Rows
are written through the same store functions as the pages, each with its audit event.

Decisions from an export arrive as submitted (their review starts again), so a notice or a
modification is accepted for any decision that is not a draft; every rule of dates, values,
grounds, routes and standstill still applies.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from ..rules import breaches as breach_rules
from ..rules import csvrows, standstill
from ..rules import gifts as gift_rules
from ..rules import modifications as modification_rules
from ..timeutil import today_uk
from . import parsers
from .parsers import (
    Change,
    Column,
    Format,
    Plan,
    Register,
    _check_interests,
    _choice,
    _date,
    _yes_no,
)

REFERENCE_HELP = ("named as in every file: its ODS code, or companies_house:NUMBER, "
                  "charity:NUMBER or name:Its Exact Name")
DECISION_HELP = "The decision's reference, like MOB-2026-0007. It must already be in the register."
NOTICE_RECORDS = ("intention_notice", "representation", "award_notice")
NOT_YET_DECIDED = ("draft", "returned", "withdrawn")
# The pages' own length limits, so whatever a page accepted an export can carry back.
LONG_TEXT_LIMIT = 4000  # a representation, its response, a breach and its investigation
PROVIDER_NAME_LIMIT = 300
NOTICE_REFERENCE_LIMIT = 200
GIFT_DESCRIPTION_LIMIT = 1000

NOTICES_FORMAT = Format(
    "notices", "PSR notices and representations",
    "A decision's intention to award notice, the representations providers made during its "
    "standstill (with the responses) and its award confirmation notice, one a row in that order, "
    "with a header row.",
    (
        Column("decision_reference", True, DECISION_HELP, csvrows.CODE_LIMIT),
        Column("record", True, "intention_notice, representation or award_notice."),
        Column("date", True, "The date the notice was published, or the representation "
               "received: YYYY-MM-DD or DD/MM/YYYY. A notice is not before the meeting; a "
               "representation falls within the standstill."),
        Column("published_where", False, "Where the notice was published (needed for a "
               "notice).", csvrows.ADDRESS_LIMIT),
        Column("notice_reference", False, "The notice's own reference, if it has one.",
               NOTICE_REFERENCE_LIMIT),
        Column("standstill_end", False, "For an intention notice, the standstill end if "
               "stated: it must be the computed one, 8 working days later."),
        Column("provider_name", False, "Who made the representation (needed for one).",
               PROVIDER_NAME_LIMIT),
        Column("summary", False, "What the representation said (needed for one).",
               LONG_TEXT_LIMIT),
        Column("response", False, "The response to the representation, once answered.",
               LONG_TEXT_LIMIT),
        Column("responded_on", False, "The date of the response (with the response)."),
    ),
    "decision_reference,record,date,published_where,notice_reference,standstill_end,"
    "provider_name,summary,response,responded_on\n"
    "MOB-2026-0001,intention_notice,2026-09-21,https://www.find-tender.service.gov.uk/Notice/1,"
    "2026/S 000-1,,,,,\n"
    "MOB-2026-0001,representation,2026-09-24,,,,Hill Surgery,Our access score was added up "
    "wrongly,The scores were checked again and stand,2026-09-28\n"
    "MOB-2026-0001,award_notice,2026-10-09,https://www.find-tender.service.gov.uk/Notice/2,"
    "2026/S 000-2,,,,,\n",
)

MODIFICATIONS_FORMAT = Format(
    "modifications", "Contract modifications",
    "Changes to a decided contract under regulation 13 of the Provider Selection Regime, one a "
    "row, oldest first, with a header row. The decision's own values are never changed.",
    (
        Column("decision_reference", True, DECISION_HELP, csvrows.CODE_LIMIT),
        Column("modified_on", True, "The date of the modification, not before the meeting."),
        Column("what_changed", True, "What changed.", csvrows.TEXT_LIMIT),
        Column("value_before", False, "The contract value before, in pounds and pence: the "
               "contract's current value. Give both values or neither."),
        Column("value_after", False, "The contract value after (no negative amounts)."),
        Column("new_end", False, "The new contract end date, if the term changed."),
        Column("ground", False, "The permitted ground, a to e: needed when the value or the end "
               "date changes, within that ground's limits."),
        Column("published_where", False, "Where the notice of the modification was published.",
               csvrows.ADDRESS_LIMIT),
        Column("published_on", False, "When it was published (with published_where)."),
    ),
    "decision_reference,modified_on,what_changed,value_before,value_after,new_end,ground,"
    "published_where,published_on\n"
    "MOB-2026-0001,2027-06-01,Two more clinic sessions a week,250000.00,280000.00,,e,"
    "https://www.find-tender.service.gov.uk/Notice/3,2027-06-20\n",
)

GIFTS_FORMAT = Format(
    "gifts", "Gifts, hospitality and sponsorship",
    "Offers made to people in the register, accepted or declined, one a row, with a header row.",
    (
        Column("person_email", True, "The email of the person it was offered to. The person "
               "must already be in the register.", csvrows.EMAIL_LIMIT),
        Column("kind", True, "gift, hospitality or sponsorship."),
        Column("description", True, "What was offered.", GIFT_DESCRIPTION_LIMIT),
        Column("organisation", False, f"Who offered it, if in the register, {REFERENCE_HELP}.",
               csvrows.NAME_LIMIT),
        Column("offered_by", False, "Who offered it, if not in the register (one of "
               "organisation and offered_by).", csvrows.NAME_LIMIT),
        Column("from_supplier", False, "yes or no (blank means no): the giver does, or may "
               "do, business with the organisation."),
        Column("value", True, "The estimated value in pounds and pence (no negative amounts)."),
        Column("offered_on", True, "The date it was offered, within the last 6 years."),
        Column("accepted", True, "yes (accepted) or no (declined)."),
        Column("approved_by", False, "Who approved accepting it: needed for hospitality over "
               "the approval limit that was accepted.", csvrows.NAME_LIMIT),
        Column("declared_on", True, "When it was declared (not in the future)."),
    ),
    "person_email,kind,description,organisation,offered_by,from_supplier,value,offered_on,"
    "accepted,approved_by,declared_on\n"
    "asha.patel@example.nhs.uk,hospitality,Dinner after a conference,companies_house:09990002,,"
    "yes,60.00,2026-05-02,yes,,2026-05-10\n"
    "tom.hughes@example.nhs.uk,gift,Bottle of wine,,A grateful patient,no,20,2026-04-01,no,,"
    "2026-04-03\n",
)

BREACHES_FORMAT = Format(
    "breaches", "Breaches",
    "Breaches of the conflicts of interest policy, one a row, with a header row: what happened, "
    "the investigation and, once closed, the outcome, lessons and the summary that is published.",
    (
        Column("kind", True, "One of: " + ", ".join(breach_rules.KINDS) + "."),
        Column("detail", True, "What happened.", LONG_TEXT_LIMIT),
        Column("person_email", False, "The person involved, if any: already in the register.",
               csvrows.EMAIL_LIMIT),
        Column("decision_reference", False, "The decision it touched, if any: already in the "
               "register.", csvrows.CODE_LIMIT),
        Column("found_on", True, "The date it was found (not in the future)."),
        Column("investigation", False, "The investigation.", LONG_TEXT_LIMIT),
        Column("outcome", False, "Its outcome.", LONG_TEXT_LIMIT),
        Column("lessons", False, "The lessons learned.", LONG_TEXT_LIMIT),
        Column("public_summary", False, "The summary to publish, without names.",
               csvrows.TEXT_LIMIT),
        Column("closed_on", False, "When it was closed, if it is: needs the outcome, lessons "
               "and summary."),
    ),
    "kind,detail,person_email,decision_reference,found_on,investigation,outcome,lessons,"
    "public_summary,closed_on\n"
    "late_declaration,Shares declared four months late,sam.lee@example.nhs.uk,,2026-03-01,"
    "Checked with the person,Declared and noted,Remind members every quarter,An interest was "
    "declared late and did not affect a decision,2026-03-20\n",
)

# Interests declared at a meeting for an item: the columns of the interests file, and the item.
MEETING_DECLARATIONS_FORMAT = Format(
    "meeting_declarations", "Interests declared at a meeting",
    "Interests someone declared at a meeting for a decision, that were not on the register: the "
    "columns of the interests file, and the decision. Each waits for a governance lead's "
    "approval unless awaiting_approval is no.",
    (
        Column("decision_reference", True, DECISION_HELP, csvrows.CODE_LIMIT),
        *parsers.FORMATS["interests"].columns,
        Column("awaiting_approval", False, "yes (blank means this) or no, once a governance "
               "lead approved it."),
    ),
    "decision_reference," + parsers.FORMATS["interests"].example.splitlines()[0]
    + ",awaiting_approval\n"
    "MOB-2026-0001,ben.carter@example.nhs.uk,Y90001,,,,GP practice,financial,direct,,Locum "
    "sessions at the practice,2026-01-01,,,2026-09-15,yes,,yes\n",
)

WORDS = {
    "decision_notice": ("notice", "notices"),
    "decision_representation": ("representation", "representations"),
    "contract_modification": ("contract modification", "contract modifications"),
    "gift": ("gift, hospitality or sponsorship offer", "gift, hospitality or sponsorship offers"),
    "breach": ("breach", "breaches"),
}


# ---- checking -----------------------------------------------------------------------------------

def _decision(plan: Plan, line: int, text: str, register: Register, *,
              required: bool = True, column: str = "decision_reference"
              ) -> dict[str, Any] | None:
    if not text:
        if required:
            plan.problem(line, f"Enter the {column}, like MOB-2026-0007")
        return None
    found = next(iter(register.db.query(
        "SELECT id, reference, status, regime, process, meeting_date, contract_start,"
        " contract_end, total_value_pence FROM decisions WHERE reference = ? COLLATE NOCASE",
        [text])), None)
    if found is None:
        plan.problem(line, f"{column}: no decision in the register has the reference {text}: "
                           "import the decisions first")
    return found


def _decided(plan: Plan, line: int, decision: dict[str, Any], what: str) -> bool:
    if decision["status"] in NOT_YET_DECIDED:
        plan.problem(line, f"{decision['reference']} is {decision['status']}: {what} is "
                           "recorded only for a decision that has been submitted or decided")
        return False
    return True


def _person(plan: Plan, line: int, email: str, register: Register, *,
            required: bool) -> dict[str, Any] | None:
    if not email:
        if required:
            plan.problem(line, "Enter the person_email")
        return None
    person = register.person_by_email(email)
    if person is None:
        plan.problem(line, f"no person in the register has the email {email}: import or add "
                           "them first")
    return person


def _cells(records: list[tuple[int, dict[str, str]]]) -> list[tuple[int, dict[str, str]]]:
    """The rows with the apostrophe a spreadsheet-safe export put before a formula removed."""
    from .decisions_kind import _text

    return [(line, {name: _text(value) for name, value in record.items()})
            for line, record in records]


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


@dataclass
class _Standstill:
    """One decision's notices and representations as the rows before have left them."""

    intention_on: dt.date | None = None
    award: bool = False
    open_representations: int = 0
    received: list[dt.date] = field(default_factory=list)


def check_notices(plan: Plan, records: list[tuple[int, dict[str, str]]],
                  register: Register) -> None:
    """Each row a notice or a representation, checked with the standstill's rules in file order."""
    today = today_uk()
    states: dict[int, _Standstill] = {}
    for line, record in _cells(records):
        before = len(plan.problems)
        decision = _decision(plan, line, record["decision_reference"], register)
        kind = _choice(plan, line, "record", record["record"], NOTICE_RECORDS)
        on = _date(plan, line, "date", record["date"], required=True)
        if decision is None or kind is None or on is None or len(plan.problems) > before:
            continue
        if not _decided(plan, line, decision, "a notice or representation"):
            continue
        state = states.get(decision["id"]) or _state(register.db, decision["id"])
        states[decision["id"]] = state
        meeting = dt.date.fromisoformat(decision["meeting_date"])
        values: dict[str, Any] = {"decision_id": decision["id"], "on": on.isoformat()}
        if kind in ("intention_notice", "award_notice"):
            notice = kind.removesuffix("_notice")
            words = standstill.NOTICE_KINDS[notice].lower()
            problem = standstill.notice_route_problem(notice, decision["regime"],
                                                      decision["process"]) \
                or standstill.notice_date_problem(notice, on, meeting_date=meeting, today=today)
            if not problem and not record.get("published_where"):
                problem = f"Enter where the {words} was published, in published_where"
            if not problem and state.award:
                problem = f"{decision['reference']} already has its award confirmation notice"
            if not problem and notice == "intention":
                if state.intention_on is not None:
                    problem = f"{decision['reference']} already has its intention to award notice"
                else:
                    stated = _date(plan, line, "standstill_end", record.get("standstill_end", ""),
                                   required=False)
                    problem = standstill.typed_end_problem(stated, on)
            elif not problem:
                problem = standstill.award_confirmation_problem(
                    on, regime=decision["regime"], process=decision["process"],
                    intention_on=state.intention_on,
                    open_representations=state.open_representations)
            if problem:
                plan.problem(line, problem)
                continue
            if notice == "intention":
                state.intention_on = on
            else:
                state.award = True
            values.update(kind=notice, published_where=record["published_where"],
                          reference=record.get("notice_reference", ""))
            plan.changes.append(Change(line, "decision_notice", "create", values))
            continue
        # A representation, and the response if it has one.
        problem = None
        if state.award:
            problem = "The award has been confirmed: representations are closed"
        problem = problem or standstill.representation_problem(on, notice_on=state.intention_on,
                                                               today=today)
        if problem:
            plan.problem(line, f"date: {problem}")
        for column, words in (("provider_name", "who made the representation"),
                              ("summary", "what the representation said")):
            if not record.get(column):
                plan.problem(line, f"Enter {words}, in {column}")
        response = record.get("response", "")
        answered = _date(plan, line, "responded_on", record.get("responded_on", ""),
                         required=False)
        if response and answered is None and record.get("responded_on", "") == "":
            plan.problem(line, "Enter the responded_on date of the response")
        elif answered is not None and not response:
            plan.problem(line, "Enter the response given on responded_on")
        elif answered is not None and (problem := standstill.response_problem(
                answered, received_on=on, today=today)):
            plan.problem(line, f"responded_on: {problem}")
        if len(plan.problems) > before:
            continue
        if answered is None:
            state.open_representations += 1
        values.update(provider_name=record["provider_name"], summary=record["summary"],
                      response=response, responded_on=_iso(answered))
        plan.changes.append(Change(line, "decision_representation", "create", values))


def _state(db: Database, decision_id: int) -> _Standstill:
    state = _Standstill()
    for row in db.query("SELECT kind, published_on FROM decision_notices WHERE decision_id = ?",
                        [decision_id]):
        if row["kind"] == "intention":
            state.intention_on = dt.date.fromisoformat(row["published_on"])
        else:
            state.award = True
    state.open_representations = db.execute(
        "SELECT count(*) FROM decision_representations WHERE decision_id = ?"
        " AND responded_on IS NULL", [decision_id]).fetchone()[0]
    return state


def check_modifications(plan: Plan, records: list[tuple[int, dict[str, str]]],
                        register: Register) -> None:
    """Each row a modification, checked as the modification form checks it, in file order (the
    value before is the contract's value after the modifications before it)."""
    from ..decisions.modifications import load_for
    from .decisions_kind import _money

    earlier: dict[int, list[modification_rules.Modification]] = {}
    for line, record in _cells(records):
        before = len(plan.problems)
        decision = _decision(plan, line, record["decision_reference"], register)
        modified_on = _date(plan, line, "modified_on", record["modified_on"], required=True)
        new_end = _date(plan, line, "new_end", record.get("new_end", ""), required=False)
        published_on = _date(plan, line, "published_on", record.get("published_on", ""),
                             required=False)
        what = record["what_changed"]
        if not what:
            plan.problem(line, "Enter what changed")
        value_before = _money(plan, line, "value_before", record.get("value_before", ""),
                              "the contract value before")
        value_after = _money(plan, line, "value_after", record.get("value_after", ""),
                             "the contract value after")
        if (bool(record.get("value_before")) != bool(record.get("value_after"))):
            plan.problem(line, "Enter both the value_before and the value_after, or neither")
        ground = csvrows.choice_key(record.get("ground", "")).strip("()")
        if decision is None or len(plan.problems) > before or modified_on is None:
            continue
        if not _decided(plan, line, decision, "a contract modification"):
            continue
        current = earlier.get(decision["id"])
        if current is None:
            current = list(load_for(register.db, [decision["id"]]).get(decision["id"], ()))
            earlier[decision["id"]] = current
        original = decision["total_value_pence"]
        start = dt.date.fromisoformat(decision["contract_start"]) \
            if decision["contract_start"] else None
        old_end = modification_rules.current_end(
            dt.date.fromisoformat(decision["contract_end"]) if decision["contract_end"] else None,
            current)
        problem = (
            modification_rules.value_before_problem(
                value_before, modification_rules.current_value(original, current))
            or modification_rules.dates_problem(
                modified_on, dt.date.fromisoformat(decision["meeting_date"]), start, new_end)
            or modification_rules.ground_problem(ground, original, value_before, value_after,
                                                 new_end is not None and new_end != old_end)
            or modification_rules.published_problem(modified_on, published_on,
                                                    record.get("published_where", "")))
        if problem:
            plan.problem(line, problem)
            continue
        modification = modification_rules.Modification(
            modified_on, what, value_before, value_after, new_end, ground,
            record.get("published_where", ""), published_on)
        current.append(modification)
        plan.changes.append(Change(line, "contract_modification", "create", {
            "decision_id": decision["id"], "modification": modification}))


def check_gifts(plan: Plan, records: list[tuple[int, dict[str, str]]],
                register: Register) -> None:
    """Each row an offer, checked as the declaring form checks it."""
    from .decisions_kind import _money, _organisation

    today = today_uk()
    configured = _gift_limits()
    for line, record in _cells(records):
        before = len(plan.problems)
        person = _person(plan, line, record["person_email"], register, required=True)
        kind = _choice(plan, line, "kind", record["kind"], tuple(gift_rules.KINDS))
        if not record["description"]:
            plan.problem(line, "Describe what was offered, in description")
        organisation_id = None
        if record.get("organisation") and record.get("offered_by"):
            plan.problem(line, "Give who offered it in organisation or in offered_by, not both")
        elif record.get("organisation"):
            organisation_id = _organisation(plan, line, "organisation", record["organisation"],
                                            register)
        elif not record.get("offered_by"):
            plan.problem(line, "Enter who offered it, in organisation or offered_by")
        from_supplier = _yes_no(plan, line, "from_supplier", record.get("from_supplier", ""),
                                default=False)
        pence = _money(plan, line, "value", record["value"], "the estimated value")
        if pence is None and not record["value"]:
            plan.problem(line, "Enter the estimated value in pounds and pence, like 45.00")
        offered_on = _date(plan, line, "offered_on", record["offered_on"], required=True)
        if offered_on and (problem := gift_rules.offered_on_problem(offered_on, today)):
            plan.problem(line, f"offered_on: {problem}")
        accepted = _yes_no(plan, line, "accepted", record["accepted"], default=None)
        declared_on = _date(plan, line, "declared_on", record["declared_on"], required=True)
        if declared_on and declared_on > today:
            plan.problem(line, "declared_on must be today or in the past")
        if len(plan.problems) > before or kind is None or pence is None or accepted is None:
            continue
        assessment = gift_rules.assess(kind, bool(from_supplier), pence, accepted, configured)
        approved_by = record.get("approved_by", "") if accepted else ""
        if problem := gift_rules.approval_problem(assessment, approved_by):
            plan.problem(line, f"approved_by: {problem}")
            continue
        plan.changes.append(Change(line, "gift", "create", {
            "person_id": person["id"], "declared_on": declared_on.isoformat(),
            "kind": kind, "description": record["description"],
            "organisation_id": organisation_id,
            "offered_by": "" if organisation_id else record.get("offered_by", ""),
            "from_supplier": int(bool(from_supplier)), "value_pence": pence,
            "offered_on": offered_on.isoformat(), "accepted": int(accepted),
            "approved_by": approved_by}))


def _gift_limits() -> dict[str, int] | None:
    """The organisation's configured limits when the import runs in the app."""
    from flask import current_app, has_app_context

    return current_app.config.get("GIFT_LIMITS") if has_app_context() else None


def check_breaches(plan: Plan, records: list[tuple[int, dict[str, str]]],
                   register: Register) -> None:
    """Each row a breach, checked as the breaches pages check it."""
    today = today_uk()
    for line, record in _cells(records):
        before = len(plan.problems)
        kind = _choice(plan, line, "kind", record["kind"], tuple(breach_rules.KINDS))
        if not record["detail"]:
            plan.problem(line, "Describe what happened, in detail")
        person = _person(plan, line, record.get("person_email", ""), register, required=False)
        decision = _decision(plan, line, record.get("decision_reference", ""), register,
                             required=False)
        found_on = _date(plan, line, "found_on", record["found_on"], required=True)
        if found_on and (problem := breach_rules.found_on_problem(found_on, today)):
            plan.problem(line, f"found_on: {problem}")
        closed_on = _date(plan, line, "closed_on", record.get("closed_on", ""), required=False)
        closing = {k: record.get(k, "") for k in ("investigation", "outcome", "lessons",
                                                  "public_summary")}
        if closed_on and found_on and closed_on < found_on:
            plan.problem(line, "closed_on must be the same as or after found_on")
        elif closed_on and closed_on > today:
            plan.problem(line, "closed_on must be today or in the past")
        elif closed_on and (problem := breach_rules.closing_problem(
                closing["outcome"], closing["lessons"], closing["public_summary"])):
            plan.problem(line, problem)
        if closing["public_summary"] and person and (
                problem := breach_rules.named_in_summary_problem(closing["public_summary"],
                                                                 [person["name"]])):
            plan.problem(line, f"public_summary: {problem}")
        if len(plan.problems) > before or kind is None or found_on is None:
            continue
        plan.changes.append(Change(line, "breach", "create", {
            "kind": kind, "detail": record["detail"],
            "person_id": person["id"] if person else None,
            "decision_id": decision["id"] if decision else None,
            "found_on": found_on.isoformat(), "closing": closing, "closed_on": _iso(closed_on)}))


def check_meeting_declarations(plan: Plan, records: list[tuple[int, dict[str, str]]],
                               register: Register) -> None:
    """Each row an interest, checked as the interests file is, declared for a decision."""
    decisions: dict[int, dict[str, Any]] = {}
    kept: list[tuple[int, dict[str, str]]] = []
    pending: dict[int, bool] = {}
    for line, record in _cells(records):
        before = len(plan.problems)
        decision = _decision(plan, line, record["decision_reference"], register)
        waits = _yes_no(plan, line, "awaiting_approval", record.get("awaiting_approval", ""),
                        default=True)
        if len(plan.problems) > before:
            continue
        decisions[line], pending[line] = decision, bool(waits)
        kept.append((line, record))
    _check_interests(plan, kept, register)
    for change in plan.changes:
        if change.entity == "interest":
            change.values["declared_at_decision_id"] = decisions[change.line]["id"]
            change.values["approval"] = "pending" if pending[change.line] else None


# ---- writing (through the pages' own store functions) -------------------------------------------

def _write_notice(db: Database, values: dict[str, Any], actor: str) -> int:
    from ..decisions import record
    from ..notices import store

    rec = record.load_record(db, values["decision_id"])
    store.record_notice(db, rec, values["kind"],
                        published_on=dt.date.fromisoformat(values["on"]),
                        published_where=values["published_where"],
                        reference=values["reference"], today=today_uk(), actor=actor,
                        imported=True)
    return int(db.execute("SELECT id FROM decision_notices WHERE decision_id = ? AND kind = ?",
                          [values["decision_id"], values["kind"]]).fetchone()[0])


def _write_representation(db: Database, values: dict[str, Any], actor: str) -> int:
    from ..decisions import record
    from ..notices import store

    today = today_uk()
    rec = record.load_record(db, values["decision_id"])
    new_id = store.record_representation(
        db, rec, received_on=dt.date.fromisoformat(values["on"]),
        provider_name=values["provider_name"], summary=values["summary"], today=today,
        actor=actor, imported=True)
    if values["responded_on"]:
        store.respond(db, record.load_record(db, values["decision_id"]), new_id,
                      response=values["response"],
                      responded_on=dt.date.fromisoformat(values["responded_on"]), today=today,
                      actor=actor, imported=True)
    return new_id


def _write_modification(db: Database, values: dict[str, Any], actor: str) -> int:
    from ..decisions import modifications

    return modifications.add(db, values["decision_id"], values["modification"], actor)


def _write_gift(db: Database, values: dict[str, Any], actor: str) -> int:
    from ..gifts.queries import create_gift

    fields = {k: v for k, v in values.items() if k not in ("person_id", "declared_on")}
    return int(create_gift(db, fields, person_id=values["person_id"],
                           declared_on=dt.date.fromisoformat(values["declared_on"]), actor=actor))


def _write_breach(db: Database, values: dict[str, Any], actor: str) -> int:
    from ..breaches.queries import create_breach, update_breach

    breach_id = int(create_breach(db, {k: values[k] for k in (
        "kind", "detail", "person_id", "decision_id", "found_on")}, user_id=None, actor=actor))
    closing = {k: v for k, v in values["closing"].items() if v}
    if values["closed_on"]:
        closing["closed_on"] = values["closed_on"]
    if closing:
        update_breach(db, breach_id, 1, closing, actor=actor)
    return breach_id


# Entities written by a store function rather than inserted as a row (see writers.write_plan):
# the function takes the change's values and the actor and returns the new record's id.
WRITERS: dict[str, Callable[[Database, dict[str, Any], str], int]] = {
    "decision_notice": _write_notice,
    "decision_representation": _write_representation,
    "contract_modification": _write_modification,
    "gift": _write_gift,
    "breach": _write_breach,
}


# The framework finds each kind through these tables (parsers.py imports this module).
for _format, _check in ((NOTICES_FORMAT, check_notices),
                        (MODIFICATIONS_FORMAT, check_modifications),
                        (GIFTS_FORMAT, check_gifts), (BREACHES_FORMAT, check_breaches),
                        (MEETING_DECLARATIONS_FORMAT, check_meeting_declarations)):
    parsers.FORMATS[_format.kind] = _format
    parsers.CHECKS[_format.kind] = _check
parsers.ENTITY_WORDS.update(WORDS)
