"""The decisions kind of import: one make-or-buy decision a row, people by email, organisations by
ODS code (or exact name where there is none).

An import only adds decisions: a reference already in the register is refused. Rows with a blank
reference get the next references of their meeting year. A row with status `submitted` is sent on
after its flags are computed, exactly as the decision page sends it: to governance review when it
is flagged, otherwise ready for decision.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from .. import audit
from ..db import one
from ..decisions import lifecycle
from ..meetings import store as meeting_store
from ..rules import csvrows, routes
from ..rules import meetings as meeting_rules
from ..rules.decisions import (
    CONTRACT_KINDS,
    MONEY_FORMAT_MESSAGE,
    PROCESSES,
    REGIMES,
    assesses_key_criteria,
    criteria_not_assessed_problem,
    dates_problem,
    meeting_date_problem,
    next_reference,
    parse_money,
    parse_reference,
    regime_problem,
    weights_problem,
)
from ..rules.identifiers import IdentifierError, parse_organisation_reference, reference_for
from ..rules.text import is_email, unneutralise
from ..rules.text import neutralise as _safe
from ..timeutil import long_date, today_uk, utcnow_iso
from . import parsers
from .parsers import Change, Column, Format, Plan, Register, _choice, _date, _yes_no

CHOICES = ("make", "buy", "mixed")
IMPORT_STATUSES = ("draft", "submitted")
ROLE_COLUMNS = (("voting_emails", "voting"), ("attendee_emails", "attendee"),
                ("evaluator_emails", "evaluator"))
REFERENCES_LISTED = 10  # in the preview's note; more are counted
MEETING_PLACE_LIMIT = 300  # as the meeting form

DECISION_TABLES = {
    "decision": "decisions",
    "decision_participant": "decision_participants",
    "decision_provider": "decision_providers",
    "decision_criterion": "decision_criteria",
    "decision_score": "decision_scores",
}
DECISION_ENTITY_WORDS = {
    "decision": ("decision", "decisions"),
    "decision_participant": ("person taking part", "people taking part"),
    "decision_provider": ("proposed provider", "proposed providers"),
    "decision_criterion": ("key criterion weight", "key criteria weights"),
    "decision_score": ("provider's score", "providers' scores"),
}

_WEIGHTS_EXAMPLE = ("quality_innovation=30; value=25; integration_collaboration_sustainability=20; "
                    "access_inequalities_choice=15; social_value=10")

DECISIONS_FORMAT = Format(
    "decisions", "Make-or-buy decisions",
    "Decisions for the register of procurement decisions, one a row, with a header row. "
    "Decisions are only added, never changed.",
    (
        Column("reference", False, "Leave blank to give the decision the next reference of its "
               "meeting year. A reference like MOB-2026-0007 is kept, unless it is already in "
               "the register or has been issued before.", csvrows.CODE_LIMIT),
        Column("title", True, "The contract or service title.", csvrows.NAME_LIMIT),
        Column("description", False, "The service description.", csvrows.TEXT_LIMIT),
        Column("choice", False, "make, buy or mixed."),
        Column("contract_kind", False, "existing or new."),
        Column("regime", False, "psr (the Provider Selection Regime, decisions from 1 January "
               "2024) or pcr2013 (the 2013 procurement regulations, decisions before then)."),
        Column("process", False, "The process within the regime. psr: "
               + ", ".join(PROCESSES["psr"]) + ". pcr2013: " + ", ".join(PROCESSES["pcr2013"])
               + "."),
        Column("total_value", False, "The estimated total value in pounds and pence, like "
               "125000.50 (no negative amounts)."),
        Column("annual_value", False, "The estimated annual value, in the same way."),
        Column("contract_start", False, "YYYY-MM-DD or DD/MM/YYYY."),
        Column("contract_end", False, "Same formats, not before contract_start."),
        Column("clinical_lead_email", False, "The clinical lead's email. The person must "
               "already be in the register.", csvrows.EMAIL_LIMIT),
        Column("contract_manager_email", False, "The contract manager's email, in the same "
               "way.", csvrows.EMAIL_LIMIT),
        Column("committee", True, "The name of the committee that decided. It must already be "
               "in the register.", csvrows.NAME_LIMIT),
        Column("meeting_date", True, "The date of the meeting: YYYY-MM-DD or DD/MM/YYYY."),
        Column("meeting_starts_at", False, "The meeting's start time, like 10:00 or 10am. Set "
               "on a meeting the import creates; for a meeting already in the register it must "
               "be blank or that meeting's start time."),
        Column("meeting_place", False, "Where the meeting is held, like 'Board room, Riverside "
               "House'. Set on a meeting the import creates; for a meeting already in the "
               "register it must be blank or that meeting's place.", MEETING_PLACE_LIMIT),
        Column("decision_process", False, "How the decision was made.", csvrows.TEXT_LIMIT),
        Column("offered_to_all", False, "yes or no (blank means no): whether the scheme is "
               "offered to every member practice."),
        Column("voting_emails", False, "Emails of the voting members present, separated by "
               "';'.", csvrows.TEXT_LIMIT),
        Column("attendee_emails", False, "Emails of the other attendees, separated by ';'.",
               csvrows.TEXT_LIMIT),
        Column("evaluator_emails", False, "Emails of the evaluators, separated by ';'. A person "
               "may be listed once only, in one of the three columns.", csvrows.TEXT_LIMIT),
        Column("provider_ods", False, "The proposed providers, separated by ';': each an ODS "
               "code, or the exact name of an organisation without one.", csvrows.TEXT_LIMIT),
        Column("awarded_provider_ods", False, "The provider awarded, once decided: one of the "
               "proposed providers.", csvrows.NAME_LIMIT),
        Column("key_criteria_weights", False, "Provider Selection Regime only: the weight of "
               "each key criterion, adding up to 100, like '" + _WEIGHTS_EXAMPLE + "'. Needed to "
               "submit a decision by direct_award_c, most_suitable_provider or "
               "competitive_process, the processes that assess the key criteria; left blank for "
               "direct_award_a, direct_award_b and urgent_award, which assess none.",
               csvrows.ADDRESS_LIMIT),
        Column("route_reasons", False, "Why this route was chosen: needed to submit a decision "
               "by any process.", csvrows.TEXT_LIMIT),
        Column("selection_criteria", False, "How the providers met the basic selection "
               "criteria: needed to submit by direct_award_c, most_suitable_provider, "
               "competitive_process, competitive_tender or any_qualified_provider, and refused "
               "for the other processes.", csvrows.TEXT_LIMIT),
        Column("exclusions", False, "How the providers were checked against the grounds for "
               "exclusion: needed to submit by every process except urgent_award, single_tender "
               "and extension, and refused for those.", csvrows.TEXT_LIMIT),
        Column("score_out_of", False, "competitive_process and competitive_tender only: the "
               "top of the published scoring scale, a whole number from 1 to 1000."),
        Column("provider_scores", False, "competitive_process and competitive_tender only: each "
               "proposed provider's score, as it is named in provider_ods, '=' and the score, "
               "separated by ';', like 'Y90091=72.5; Go-To-Doc Ltd=64'. Needed for every "
               "proposed provider to submit.", csvrows.TEXT_LIMIT),
        Column("justification", False, "The justification.", csvrows.TEXT_LIMIT),
        Column("comments", False, "Comments.", csvrows.TEXT_LIMIT),
        Column("status", False, "draft (blank means this) or submitted. A submitted decision "
               "needs its choice, contract kind, regime, process, values, at least one provider "
               "and one voting member, and goes to governance review if it is flagged."),
    ),
    "title,description,choice,contract_kind,regime,process,total_value,annual_value,"
    "contract_start,contract_end,clinical_lead_email,contract_manager_email,committee,"
    "meeting_date,decision_process,offered_to_all,voting_emails,attendee_emails,"
    "evaluator_emails,provider_ods,awarded_provider_ods,key_criteria_weights,route_reasons,"
    "selection_criteria,exclusions,justification,comments,status\n"
    "Community anticoagulation service,Warfarin monitoring in every member practice,make,new,"
    "psr,direct_award_c,250000.00,50000.00,2027-01-01,2031-12-31,asha.patel@example.nhs.uk,"
    "grace.okafor@example.nhs.uk,Primary Care Committee,2026-09-15,Vote of the committee,yes,"
    "tom.hughes@example.nhs.uk;grace.okafor@example.nhs.uk;asha.patel@example.nhs.uk;"
    "ben.carter@example.nhs.uk,sam.lee@example.nhs.uk,,Y90091,Y90091,"
    "quality_innovation=30; value=25; integration_collaboration_sustainability=20; "
    "access_inequalities_choice=15; social_value=10,The practices are meeting the current "
    "contract and will go on doing so,Accounts; insurance and CQC ratings checked,"
    "Declarations against the grounds for exclusion checked: none excluded,"
    "Care closer to home,,submitted\n"
    "Online consultations pilot,,buy,new,psr,competitive_process,80000,40000,,,,,"
    "Primary Care Committee,2026-10-20,,no,tom.hughes@example.nhs.uk;"
    "grace.okafor@example.nhs.uk,,,Go-To-Doc Ltd,,,,,,,Evaluation still open,draft\n",
)


# ---- checking -----------------------------------------------------------------------------------

def _text(value: str) -> str:
    """A text cell with the apostrophe a spreadsheet-safe export put before a formula removed."""
    return unneutralise(value)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _money(plan: Plan, line: int, column: str, value: str, noun: str) -> int | None:
    if not value:
        return None
    try:
        return parse_money(value, noun)
    except ValueError as error:
        message = str(error)
        if message == MONEY_FORMAT_MESSAGE:
            message = "must be in pounds and pence, like 125000.50"
        plan.problem(line, f"{column} '{value}': {message}")
        return None


def _person(plan: Plan, line: int, column: str, email: str,
            register: Register) -> dict[str, Any] | None:
    if not is_email(email):
        plan.problem(line, f"{column}: '{email}' must be an email address, like "
                           "name@example.nhs.uk")
        return None
    person = register.person_by_email(email)
    if person is None:
        plan.problem(line, f"{column}: no person in the register has the email {email}: import "
                           "or add them first")
    return person


def _organisation(plan: Plan, line: int, column: str, text: str,
                  register: Register) -> int | None:
    """An organisation's id, by any identifier or its exact name (see
    `rules.identifiers.parse_organisation_reference`)."""
    try:
        reference = parse_organisation_reference(text)
    except IdentifierError as error:
        plan.problem(line, f"{column}: {error}")
        return None
    found = register.resolver.find_reference(reference)
    if found.problem:
        plan.problem(line, f"{column}: {found.problem}")
    elif found.organisation_id is None:
        plan.problem(line, f"{column}: no organisation in the register has the ODS code or the "
                           f"name {text}" if not reference.prefixed else
                           f"{column}: no organisation in the register is {text}")
    return found.organisation_id


def _weights(plan: Plan, line: int, value: str) -> dict[str, int] | None:
    weights: dict[str, Any] = {}
    for part in _split(value):
        key, equals, number = part.partition("=")
        key = csvrows.choice_key(key)
        if not equals:
            plan.problem(line, f"key_criteria_weights: '{part}' must be a criterion, '=' and a "
                               f"weight, like '{_WEIGHTS_EXAMPLE}'")
            return None
        if key in weights:
            plan.problem(line, f"key_criteria_weights gives {key} twice")
            return None
        weights[key] = number.strip()
    problem = weights_problem(weights)
    if problem:
        plan.problem(line, f"key_criteria_weights: {problem}")
        return None
    return {key: int(number) for key, number in weights.items()}


_ROUTE_COLUMNS = ((routes.SELECTION_CRITERIA, "selection_criteria"),
                  (routes.EXCLUSIONS, "exclusions"))


def _route_parts(plan: Plan, line: int, record: dict[str, str], regime: str, process: str,
                 submitted: bool, providers: list[int], register: Register
                 ) -> tuple[int | None, list[tuple[int, float]]]:
    """What the row's route records besides the key criteria (rules/routes.py): needed parts
    present to submit, parts the route does not record refused; the scoring scale and each
    provider's score, checked against the scale and the providers proposed."""
    needed = routes.parts_for(regime or None, process or None)
    if submitted and process and not record.get("route_reasons", "").strip():
        plan.problem(line, "Enter the route_reasons to submit the decision")
    for part, column in _ROUTE_COLUMNS:
        typed = record.get(column, "").strip()
        if part in needed:
            if submitted and process and not typed:
                plan.problem(line, f"Enter the {column} to submit a decision by {process}")
        elif typed and (problem := routes.not_needed_problem(part, regime, process)):
            plan.problem(line, f"{column}: {problem}")
    typed_scale = record.get("score_out_of", "").strip()
    typed_scores = record.get("provider_scores", "").strip()
    if routes.ASSESSMENTS not in needed:
        problem = routes.not_needed_problem(routes.ASSESSMENTS, regime, process)
        if problem and (typed_scale or typed_scores):
            plan.problem(line, f"{'score_out_of' if typed_scale else 'provider_scores'}: "
                               f"{problem}")
        return None, []
    scale = None
    if typed_scale or typed_scores or submitted:
        problem = routes.scale_problem(typed_scale)
        if problem:
            plan.problem(line, f"score_out_of: {problem}")
        else:
            scale = int(typed_scale)
    scores: list[tuple[int, float]] = []
    for part in _split(typed_scores):
        named, equals, number = part.rpartition("=")
        if not equals or not named.strip():
            plan.problem(line, f"provider_scores: '{part}' must be a provider, '=' and a score, "
                               f"like 'Y90091=72.5'")
            continue
        organisation_id = _organisation(plan, line, "provider_scores", named.strip(), register)
        if organisation_id is None:
            continue
        if organisation_id not in providers:
            plan.problem(line, f"provider_scores: {named.strip()} must also be one of the "
                               f"provider_ods")
            continue
        if any(organisation_id == scored for scored, _score in scores):
            plan.problem(line, f"provider_scores gives {named.strip()} twice")
            continue
        if problem := routes.score_problem(number, scale, named.strip()):
            plan.problem(line, f"provider_scores: {problem}")
            continue
        scores.append((organisation_id, float(number.strip())))
    if submitted and len(scores) < len(providers) and not plan.problems:
        plan.problem(line, f"Enter the provider_scores of every proposed provider to submit a "
                           f"decision by {process}")
    return scale, scores


def _regime(plan: Plan, line: int, regime: str, process: str, meeting: dt.date | None,
            submitted: bool) -> None:
    if not (submitted or regime or process):
        return
    if regime and regime not in REGIMES:
        plan.problem(line, f"regime '{regime}' is not one of: {', '.join(REGIMES)}")
        return
    if not submitted and regime in REGIMES and not process:
        # A draft may name the regime before the process is chosen: check the date alone.
        process = next(iter(PROCESSES[regime]))
    problem = regime_problem(regime or None, process or None, meeting)
    if problem:
        plan.problem(line, f"regime and process: {problem}")


def check_decisions(plan: Plan, records: list[tuple[int, dict[str, str]]],
                    register: Register) -> None:
    """Check every decision row; plan each decision with its people, providers and weights."""
    db = register.db
    given: dict[str, int] = {}  # reference -> line
    seen: dict[tuple[Any, ...], int] = {}
    meetings_seen: dict[tuple[int, dt.date], tuple[int, str | None, str]] = {}
    new: list[tuple[Change, int]] = []  # (decision change, meeting year) needing a reference
    for line, raw in records:
        record = {name: _text(value) for name, value in raw.items()}
        before = len(plan.problems)
        status = _choice(plan, line, "status", record.get("status", ""), IMPORT_STATUSES,
                         default="draft")
        submitted = status == "submitted"
        reference = record.get("reference", "").upper()
        if reference:
            parsed = parse_reference(reference)
            if parsed is None:
                plan.problem(line, f"reference '{reference}' must look like MOB-2026-0007, or be "
                                   "left blank for a new reference")
            elif reference in given:
                plan.problem(line, f"reference {reference} is also on line {given[reference]}")
            elif one(db, "SELECT id FROM decisions WHERE reference = ?",
                      [reference]) is not None:
                # The reference only: whoever imports may be excluded from that decision.
                plan.problem(line, f"reference {reference} is already in the register: an "
                                   "import adds decisions and never changes one")
            elif parsed[1] <= _last_issued(db, parsed[0]):
                plan.problem(line, f"reference {reference} has already been issued: leave it "
                                   "blank for a new reference")
            else:
                given[reference] = line
        title = record["title"]
        if not title:
            plan.problem(line, "Enter the decision's title")
        choice = _choice(plan, line, "choice", record.get("choice", ""), CHOICES,
                         default=None if submitted else "")
        contract_kind = _choice(plan, line, "contract_kind", record.get("contract_kind", ""),
                                CONTRACT_KINDS, default=None if submitted else "")
        regime = csvrows.choice_key(record.get("regime", ""))
        process = csvrows.choice_key(record.get("process", ""))
        committee = None
        if not record["committee"]:
            plan.problem(line, "Enter the committee that decided")
        else:
            committee = one(db, "SELECT * FROM committees WHERE name = ? COLLATE NOCASE",
                             [record["committee"]])
            if committee is None:
                plan.problem(line, f"no committee in the register is called "
                                   f"{record['committee']}")
        meeting = _date(plan, line, "meeting_date", record["meeting_date"], required=True)
        if meeting is not None and (problem := meeting_date_problem(meeting, today_uk())):
            plan.problem(line, problem)
            meeting = None
        _regime(plan, line, regime, process, meeting, submitted)
        details = _meeting_details(db, plan, line, record, committee, meeting, meetings_seen)
        total = _money(plan, line, "total_value", record.get("total_value", ""),
                       "the total value")
        annual = _money(plan, line, "annual_value", record.get("annual_value", ""),
                        "the annual value")
        if submitted:
            for column, value in (("total_value", record.get("total_value")),
                                  ("annual_value", record.get("annual_value"))):
                if not value:
                    plan.problem(line, f"Enter the {column} to submit the decision")
        start = _date(plan, line, "contract_start", record.get("contract_start", ""), False)
        end = _date(plan, line, "contract_end", record.get("contract_end", ""), False)
        if dates_problem(start, end):
            plan.problem(line, "contract_end must be the same as or after contract_start")
        lead = manager = None
        if record.get("clinical_lead_email"):
            lead = _person(plan, line, "clinical_lead_email", record["clinical_lead_email"],
                           register)
        if record.get("contract_manager_email"):
            manager = _person(plan, line, "contract_manager_email",
                              record["contract_manager_email"], register)
        offered = _yes_no(plan, line, "offered_to_all", record.get("offered_to_all", ""),
                          default=False)
        participants: list[tuple[int, str]] = []
        listed: dict[int, str] = {}
        for column, role in ROLE_COLUMNS:
            for email in _split(record.get(column, "")):
                person = _person(plan, line, column, email, register)
                if person is None:
                    continue
                if person["id"] in listed:
                    plan.problem(line, f"{email} is listed more than once ({listed[person['id']]}"
                                       f" and {column}): list each person once")
                    continue
                listed[person["id"]] = column
                participants.append((person["id"], role))
        if submitted and not any(role == "voting" for _, role in participants):
            plan.problem(line, "Enter at least one of the voting_emails to submit the decision")
        providers: list[int] = []
        for text in _split(record.get("provider_ods", "")):
            organisation_id = _organisation(plan, line, "provider_ods", text, register)
            if organisation_id is None:
                continue
            if organisation_id in providers:
                plan.problem(line, f"provider_ods lists {text} more than once")
                continue
            providers.append(organisation_id)
        # A scheme offered to every member practice has them all as its providers.
        if submitted and not record.get("provider_ods") and not offered:
            plan.problem(line, "Enter at least one of the provider_ods to submit the decision "
                               "(or offered_to_all yes, for a scheme offered to every member "
                               "practice)")
        awarded = None
        if record.get("awarded_provider_ods"):
            awarded = _organisation(plan, line, "awarded_provider_ods",
                                    record["awarded_provider_ods"], register)
            if awarded is not None and awarded not in providers:
                plan.problem(line, f"awarded_provider_ods {record['awarded_provider_ods']} must "
                                   "also be one of the provider_ods")
        weights = None
        if record.get("key_criteria_weights"):
            if regime != "psr":
                plan.problem(line, "key_criteria_weights are only for decisions under the "
                                   "Provider Selection Regime (regime psr)")
            elif problem := criteria_not_assessed_problem(regime, process, True):
                plan.problem(line, f"key_criteria_weights: {problem}")
            else:
                weights = _weights(plan, line, record["key_criteria_weights"])
        elif submitted and assesses_key_criteria(regime, process):
            plan.problem(line, "Enter the key_criteria_weights to submit a decision under the "
                               "Provider Selection Regime")
        scale, scores = _route_parts(plan, line, record, regime, process, submitted, providers,
                                     register)
        if len(plan.problems) > before:
            continue
        key = (title.casefold(), committee["id"], meeting)
        if key in seen:
            plan.problem(line, f"this decision is the same as the one on line {seen[key]} (same "
                               "title, committee and meeting date)")
            continue
        if (other := one(db, "SELECT reference FROM decisions WHERE title = ? COLLATE NOCASE "
                              "AND committee_id = ? AND meeting_date = ?",
                          [title, committee["id"], meeting.isoformat()])) is not None:
            plan.problem(line, f"this decision is already in the register as "
                               f"{other['reference']} (same title, committee and meeting date)")
            continue
        seen[key] = line
        if details is not None:
            plan.meeting_details[line] = details
        # The first row for a committee and date makes its meeting: later rows must agree.
        meetings_seen.setdefault((committee["id"], meeting), (line, *(details or (None, ""))))
        now = utcnow_iso()
        decision = Change(line, "decision", "create", {
            "reference": reference or None, "title": title,
            "description": record.get("description", ""), "choice": choice or None,
            "contract_kind": contract_kind or None, "regime": regime or None,
            "process": process or None, "total_value_pence": total,
            "annual_value_pence": annual,
            "contract_start": start.isoformat() if start else None,
            "contract_end": end.isoformat() if end else None,
            "clinical_lead_id": lead["id"] if lead else None,
            "contract_manager_id": manager["id"] if manager else None,
            "committee_id": committee["id"], "meeting_date": meeting.isoformat(),
            "decision_process": record.get("decision_process", ""),
            "offered_to_all_member_practices": int(bool(offered)),
            "awarded_provider_id": awarded,
            "justification": record.get("justification", ""),
            "comments": record.get("comments", ""),
            "route_reasons": record.get("route_reasons", ""),
            "selection_criteria": record.get("selection_criteria", ""),
            "exclusions": record.get("exclusions", ""),
            "score_out_of": scale,
            # A submitted decision is written as a draft and submitted once its flags are
            # current, at the end of the same transaction.
            "status": "draft", "author_user_id": None, "submitted_at": None,
            "created_at": now, "updated_at": now, "version": 1,
        })
        plan.changes.append(decision)
        if status == "submitted":
            plan.to_submit.append(decision)
        if not reference:
            new.append((decision, meeting.year))
        for person_id, role in participants:
            plan.changes.append(Change(line, "decision_participant", "create",
                                       {"person_id": person_id, "role": role},
                                       refs={"decision_id": decision}))
        for organisation_id in providers:
            plan.changes.append(Change(line, "decision_provider", "create",
                                       {"organisation_id": organisation_id},
                                       refs={"decision_id": decision}))
        for criterion, weight in (weights or {}).items():
            plan.changes.append(Change(line, "decision_criterion", "create",
                                       {"criterion": criterion, "weight": weight,
                                        "how_applied": ""},
                                       refs={"decision_id": decision}))
        for organisation_id, score in scores:
            plan.changes.append(Change(line, "decision_score", "create",
                                       {"organisation_id": organisation_id, "score": score,
                                        "assessment": ""},
                                       refs={"decision_id": decision}))
    if plan.problems:
        return
    _give_references(db, new, set(given))
    if new:
        given_now = [change.values["reference"] for change, _year in new]
        shown = given_now[:REFERENCES_LISTED]
        if len(given_now) > len(shown):
            listed = ", ".join(shown) + f" and {len(given_now) - len(shown)} more"
        elif len(shown) > 1:
            listed = ", ".join(shown[:-1]) + " and " + shown[-1]
        else:
            listed = shown[0]
        plan.notes.append(f"New reference{'s' if len(given_now) > 1 else ''} will be given: "
                          f"{listed}. They are final once the import is confirmed."
                          if len(given_now) > 1 else f"New reference will be given: {listed}. "
                          "It is final once the import is confirmed.")
    submitted_count = len(plan.to_submit)
    if submitted_count:
        plan.notes.append(f"{submitted_count} decision{' is' if submitted_count == 1 else 's are'}"
                          " submitted: each goes to governance review if it is flagged, "
                          "otherwise it is ready for decision.")



def _last_issued(db: Database, year: int) -> int:
    row = one(db, "SELECT last_number FROM reference_counters WHERE year = ?", [year])
    return row["last_number"] if row else 0


def _give_references(db: Database, new: list[tuple[Change, int]], taken: set[str]) -> None:
    """The next free references of each meeting year, in file order (written by finish_decisions)."""
    last: dict[int, int] = {}
    for change, year in new:
        number = last.get(year, _last_issued(db, year))
        reference = next_reference(year, number)
        while reference in taken or one(db, "SELECT 1 AS x FROM decisions WHERE reference = ?",
                                         [reference]):
            number += 1
            reference = next_reference(year, number)
        last[year] = number + 1
        taken.add(reference)
        change.values["reference"] = reference


def _meeting_details(db: Database, plan: Plan, line: int, record: dict[str, str],
                     committee: dict[str, Any] | None, meeting: dt.date | None,
                     meetings_seen: dict[tuple[int, dt.date], tuple[int, str | None, str]]
                     ) -> tuple[str | None, str] | None:
    """The row's meeting start time and place (None when neither is given), with a problem for
    a time that cannot be read, or for one that differs from the meeting already in the register
    (or given on an earlier line) for that committee and date: an import never changes a
    meeting."""
    starts_text = (record.get("meeting_starts_at") or "").strip()
    place = " ".join((record.get("meeting_place") or "").split())
    starts_at, problem = meeting_rules.parse_time(starts_text)
    if problem:
        plan.problem(line, f"meeting_starts_at: the start time {problem}")
        return None
    if starts_at is None and not place:
        return None
    if committee is None or meeting is None:
        return None
    day = long_date(meeting)
    existing = one(db, "SELECT starts_at, place FROM meetings WHERE committee_id = ?"
                       " AND meeting_date = ? ORDER BY coalesce(starts_at, ''), id LIMIT 1",
                   [committee["id"], meeting.isoformat()])
    if existing is not None:
        source, had_time, had_place = ("the register", existing["starts_at"],
                                       existing["place"] or "")
    elif (earlier := meetings_seen.get((committee["id"], meeting))) is not None:
        source, had_time, had_place = f"line {earlier[0]}", earlier[1], earlier[2]
    else:
        return starts_at, place
    if starts_at is not None and starts_at != had_time:
        plan.problem(line, f"meeting_starts_at: the {committee['name']} meeting on {day} "
                           f"already starts at {had_time or 'no time set'} in {source}; an "
                           f"import does not change a meeting: leave meeting_starts_at blank "
                           f"or give {had_time or 'it blank'}, and change the meeting on its "
                           f"page")
    if place and place != had_place:
        plan.problem(line, f"meeting_place: the {committee['name']} meeting on {day} is "
                           f"already held at {had_place or 'no place set'} in {source}; an "
                           f"import does not change a meeting: leave meeting_place blank or "
                           f"give the same place, and change the meeting on its page")
    return None


# ---- after writing ------------------------------------------------------------------------------

def finish_decisions(db: Database, plan: Plan, *, actor: str) -> None:
    """Move the reference counters on and send on the submitted decisions, their flags already
    current (inside the import's transaction)."""
    decisions = [c for c in plan.changes if c.entity == "decision"]
    to_submit = {id(change) for change in plan.to_submit}
    for change in decisions:
        # Each decision goes on the agenda of its committee's meeting on its date.
        starts_at, place = plan.meeting_details.get(change.line, (None, ""))
        meeting_store.place_decision(db, change.record_id, now=change.values["created_at"],
                                     actor=actor, starts_at=starts_at, place=place)
        parsed = parse_reference(change.values["reference"])
        if parsed:
            year, number = parsed
            db.execute("INSERT INTO reference_counters (year, last_number) VALUES (?, ?) "
                       "ON CONFLICT (year) DO UPDATE SET "
                       "last_number = max(last_number, excluded.last_number)", [year, number])
        if id(change) not in to_submit:
            # The decision's own event came before its rows of people, providers and criteria:
            # one more vouches for the whole record as imported.
            audit.record(db, actor=actor, action="imported", entity="decision",
                         entity_id=change.record_id, changes={})
            continue
        lifecycle.move(db, lifecycle.fresh(db, change.record_id), "submit", "secretary", actor,
                       extra={"submitted_at": utcnow_iso()})


# ---- a file the import reads back ---------------------------------------------------------------

def _organisation_key(organisation: dict[str, Any]) -> str:
    return reference_for(organisation.get("ods_code"), organisation.get("companies_house_number"),
                         organisation.get("charity_number"), organisation["name"])


def import_row(document: dict[str, Any]) -> dict[str, str]:
    """One decision document (see decision_document) as a row of the decisions import."""
    emails = {role: ";".join(p["email"] for p in document["participants"] if p["role"] == role)
              for _, role in ROLE_COLUMNS}
    weights = "; ".join(f"{c['criterion']}={c['weight']}" for c in document["criteria"])
    route = document.get("route") or {}
    by_name = {p["name"]: p for p in reversed(document["providers"])}
    return {
        "reference": document["reference"],
        "title": _safe(document["title"]),
        "description": _safe(document["description"]),
        "choice": document["choice"] or "",
        "contract_kind": document["contract_kind"] or "",
        "regime": document["regime"] or "",
        "process": document["process"] or "",
        "total_value": document["total_value_pounds"] or "",
        "annual_value": document["annual_value_pounds"] or "",
        "contract_start": document["contract_start"] or "",
        "contract_end": document["contract_end"] or "",
        "clinical_lead_email": (document["clinical_lead"] or {}).get("email", ""),
        "contract_manager_email": (document["contract_manager"] or {}).get("email", ""),
        "committee": _safe(document["committee"]["name"]),
        "meeting_date": document["meeting_date"],
        "decision_process": _safe(document["decision_process"]),
        "offered_to_all": "yes" if document["offered_to_all_member_practices"] else "no",
        "voting_emails": emails["voting"],
        "attendee_emails": emails["attendee"],
        "evaluator_emails": emails["evaluator"],
        "provider_ods": _safe(";".join(_organisation_key(p) for p in document["providers"])),
        "awarded_provider_ods": _safe(_organisation_key(document["awarded_provider"])
                                      if document["awarded_provider"] else ""),
        "key_criteria_weights": weights,
        "route_reasons": _safe(route.get("reasons", "")),
        "selection_criteria": _safe(route.get("selection_criteria", "")),
        "exclusions": _safe(route.get("exclusions", "")),
        "score_out_of": str(route.get("score_out_of") or ""),
        "provider_scores": _safe("; ".join(
            f"{_organisation_key(by_name[s['name']])}={s['score']:g}"
            for s in route.get("scores", ()) if s["name"] in by_name)),
        "justification": _safe(document["justification"]),
        "comments": _safe(document["comments"]),
        "status": "draft" if document["status"] in ("draft", "returned") else "submitted",
    }


def import_csv(documents: Iterable[dict[str, Any]]) -> str:
    """Decision documents as a decisions import file (UTF-8 with a byte-order mark)."""
    out = io.StringIO()
    out.write("\ufeff")
    columns = [column.name for column in DECISIONS_FORMAT.columns]
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for document in documents:
        writer.writerow(import_row(document))
    return out.getvalue()


# The framework finds each kind through these tables (parsers.py imports this module).
parsers.FORMATS["decisions"] = DECISIONS_FORMAT
parsers.CHECKS["decisions"] = check_decisions
parsers.ENTITY_WORDS.update(DECISION_ENTITY_WORDS)
