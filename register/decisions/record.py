"""A decision's whole record, read once: the one read model every page, PDF and export renders.

`load_record` reads one decision and `load_records` many (one query per table, so a pack of
thousands of decisions costs in proportion to its size). Both only read what is stored: flags
are the stored flags, never recomputed here, and nothing is written.

The quorum is counted here, from the committee's rule, its voting members, the people taking
part and any members co-opted for the item, by `count_decision_quorum`; the interactive review
page counts through the same function, so the page, the PDF and the JSON agree word for word.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlite_utils import Database

from ..rules import conflicts as conflict_rules
from ..rules import modifications as modification_rules
from ..rules import standstill
from ..rules.companies_house import is_dissolved
from ..rules.decisions import CHOICES, KEY_CRITERIA, PARTICIPANT_ROLES
from ..rules.departures import Departure, departure_from, ruling_carried_out
from ..rules.quorum import (
    CATEGORIES,
    ESCALATIONS,
    QuorumResult,
    QuorumRule,
    count_quorum,
    escalation_words,
)
from ..rules.rulings import RULINGS, may_be_present, presiding_member
from .modifications import RecordedModification
from .modifications import load_for as load_modifications
from .versioned import VersionedCache

MEMBER_ROLES = {"chair": "Chair", "vice_chair": "Vice-chair", "member": "Member"}
CATEGORY_LABELS = {"gp": "GP", "lay": "lay member", "executive": "executive", "other": "other"}
VOTES = {"for": "For", "against": "Against", "abstain": "Abstained"}
ROLE_ORDER = {"voting": 0, "co_opted": 1, "attendee": 2, "evaluator": 3}
CO_OPTED_ROLE = "Co-opted for the item"
# Before submission no one can rule on the conflicts, so there is no quorum to count yet.
NOT_YET_REVIEWABLE = ("draft", "returned")


# ---- dates at the edges ------------------------------------------------------------------------

def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def _moment(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def iso(value: dt.date | dt.datetime | None) -> str | None:
    """A date or moment as ISO 8601 text for JSON and CSV (None stays None)."""
    return value.isoformat() if value is not None else None


# ---- the record --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    """Someone named on the record."""

    id: int
    name: str
    email: str


@dataclass(frozen=True)
class Organisation:
    """A provider proposed or awarded."""

    id: int
    name: str
    kind: str
    ods_code: str | None
    companies_house_number: str | None
    registered_address: str | None
    postcode: str | None
    is_member_practice: bool
    company_status: str | None = None
    dissolved_on: str | None = None
    charity_number: str | None = None

    @property
    def dissolved(self) -> bool:
        """Whether Companies House records the company as dissolved."""
        return is_dissolved(self.company_status, self.dissolved_on)


@dataclass(frozen=True)
class Option:
    """An option considered, chosen or rejected, with why."""

    position: int
    description: str | None
    outcome: str
    reason: str | None


@dataclass(frozen=True)
class Criterion:
    """A Provider Selection Regime key criterion, its weight and how it was applied."""

    criterion: str
    label: str
    weight: int | None
    how_applied: str | None


@dataclass(frozen=True)
class Score:
    """One competing provider's score on the published scale, and the assessment behind it."""

    organisation_id: int
    name: str
    score: float
    assessment: str

    @property
    def score_text(self) -> str:
        """The score as typed: 72 rather than 72.0."""
        return f"{self.score:g}"


@dataclass(frozen=True)
class RouteParts:
    """What the decision's procurement route records besides the key criteria (rules/routes.py):
    why the route was chosen, how the providers met the basic selection criteria, how they were
    checked against the grounds for exclusion, and each competing provider's score."""

    reasons: str = ""
    selection_criteria: str = ""
    exclusions: str = ""
    score_out_of: int | None = None
    scores: tuple[Score, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.reasons or self.selection_criteria or self.exclusions or self.scores)


@dataclass(frozen=True)
class Participant:
    """Someone taking part in the item: voting, co-opted, an attendee or an evaluator."""

    person_id: int
    name: str
    email: str
    role: str
    role_label: str
    member_role: str | None
    category: str | None
    member_voting: bool | None

    @property
    def membership(self) -> str:
        """Their place on the committee in words: 'Chair, lay member' or 'Not a member...'."""
        if self.role == "co_opted":
            return f"Co-opted, {CATEGORY_LABELS.get(self.category or '', self.category)}"
        if not self.member_role:
            return "Not a member of the committee"
        return (f"{MEMBER_ROLES.get(self.member_role, self.member_role)}, "
                f"{CATEGORY_LABELS.get(self.category or '', self.category)}"
                f"{'' if self.member_voting else ', non-voting'}")


@dataclass(frozen=True)
class Flag:
    """A stored conflict flag with its sentence."""

    rule: str
    rule_label: str
    severity: str
    person_id: int | None
    person_name: str | None
    person_email: str | None
    organisation_id: int | None
    organisation_name: str | None
    ods_code: str | None
    evidence: Mapping[str, Any]
    sentence: str
    match_outcome: str | None
    match_reason: str | None
    companies_house_number: str | None = None
    charity_number: str | None = None


@dataclass(frozen=True)
class Conflicted:
    """A person conflicted on the decision (confirmed name matches included), with why."""

    person_id: int
    name: str
    reason_words: str
    ruling: str | None


@dataclass(frozen=True)
class Ruling:
    """The ruling recorded on one conflicted person."""

    person_id: int
    name: str
    email: str
    ruling: str
    ruling_label: str
    reason: str
    proposed_ruling: str | None
    is_exception: bool
    exception_reason: str
    exception_mitigation: str
    ruled_by: str | None
    ruled_at: dt.datetime | None


@dataclass(frozen=True)
class QuorumCount:
    """One count of the meeting against the rule, with the arithmetic in words."""

    title: str
    quorate: bool
    summary: str
    remaining: int
    arithmetic: tuple[str, ...]
    shortfall: tuple[str, ...]


@dataclass(frozen=True)
class Quorum:
    """The quorum before and after the rulings (and at the meeting once attendance is in)."""

    rule: str
    required: int
    voting_present: int
    before_rulings: QuorumCount
    after_rulings: QuorumCount
    awaiting_rulings: tuple[str, ...]
    at_meeting: QuorumCount | None
    presiding: str

    @property
    def eligible_after_rulings(self) -> int:
        """Voting members left who may vote once the rulings apply."""
        return self.after_rulings.remaining

    @property
    def quorate_after_rulings(self) -> bool | None:
        """Quorate after the rulings; None while a conflicted person still awaits a ruling."""
        return None if self.awaiting_rulings else self.after_rulings.quorate

    @property
    def verdict(self) -> str:
        """'Quorate', 'Inquorate' or 'Not known yet', in the same words everywhere."""
        quorate = self.quorate_after_rulings
        return "Not known yet" if quorate is None else "Quorate" if quorate else "Inquorate"

    @property
    def arithmetic(self) -> tuple[str, ...]:
        """The arithmetic after the rulings."""
        return self.after_rulings.arithmetic


@dataclass(frozen=True)
class Escalation:
    """What was done because the meeting would have been inquorate."""

    id: int
    kind: str
    kind_label: str
    words: str
    details: Mapping[str, Any]
    recorded_at: dt.datetime | None
    superseded_at: dt.datetime | None
    ratified_at: dt.datetime | None
    ratified_meeting_date: dt.date | None

    @property
    def in_force(self) -> bool:
        """Whether this escalation still applies (a later one replaces it)."""
        return self.superseded_at is None


@dataclass(frozen=True)
class SignOff:
    """A governance lead's sign-off, and its voiding if a later change voided it."""

    id: int
    signer_name: str
    signer_role: str
    signed_at: dt.datetime | None
    statement: str
    content_hash: str
    voided_at: dt.datetime | None
    void_reason: str

    @property
    def statement_sha256(self) -> str:
        """The SHA-256 of the statement signed, in hex."""
        return hashlib.sha256(self.statement.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Attendance:
    """One person at the item as recorded with the outcome: present, vote, proxy."""

    person_id: int
    name: str
    present: bool
    vote: str | None
    vote_label: str
    proxy_for: str | None
    ruling: str | None
    email: str = ""
    departure: Departure | None = None
    # For someone ruled out of the room: whether the ruling was carried out, in words.
    ruling_carried_out: str | None = None

    @property
    def left_words(self) -> str:
        """When they left the room for the item, in words, as every output shows it."""
        if self.departure is not None:
            return self.departure.words
        return "Did not leave" if self.present else "Not recorded"

    @property
    def ruling_label(self) -> str:
        """Their ruling in words, or 'Not conflicted'."""
        return RULINGS.get(self.ruling, self.ruling) if self.ruling else "Not conflicted"


@dataclass(frozen=True)
class RefusedProxy:
    """A proxy vote offered at the meeting that the chair refused, and why."""

    for_person: str
    for_email: str
    offered_to: str
    offered_to_email: str
    reason: str


@dataclass(frozen=True)
class Outcome:
    """What the meeting decided, who was in the room and how they voted."""

    outcome: str
    outcome_label: str
    awarded_provider: str | None
    votes_for: int
    votes_against: int
    votes_abstaining: int
    notes: str
    recorded_at: dt.datetime | None
    attendance: tuple[Attendance, ...]
    proxies_refused: tuple[RefusedProxy, ...] = ()

    @property
    def departures(self) -> tuple[Attendance, ...]:
        """Who was recorded as leaving the room for the item, earliest first."""
        return tuple(sorted((a for a in self.attendance if a.departure is not None),
                            key=lambda a: (a.departure.left_at, a.name.casefold())))

    @property
    def votes_text(self) -> str:
        """'4 for, 1 against, 0 abstaining'."""
        return (f"{self.votes_for} for, {self.votes_against} against, "
                f"{self.votes_abstaining} abstaining")

    @property
    def left(self) -> tuple[Attendance, ...]:
        """Who was not in the room for the item (left or absent)."""
        return tuple(a for a in self.attendance if not a.present)

    @property
    def proxies(self) -> tuple[Attendance, ...]:
        """Votes cast on behalf of someone else."""
        return tuple(a for a in self.attendance if a.proxy_for)


@dataclass(frozen=True)
class Breach:
    """A breach recorded against the decision."""

    id: int
    kind: str
    kind_label: str
    person: str | None
    detail: str
    recorded_at: dt.datetime | None


@dataclass(frozen=True)
class Notice:
    """A PSR notice published for the decision: the intention to award or the award confirmation."""

    kind: str
    kind_label: str
    published_on: dt.date
    published_where: str
    reference: str


@dataclass(frozen=True)
class Representation:
    """A representation a provider made during the standstill, and the response to it."""

    id: int
    received_on: dt.date
    provider_name: str
    summary: str
    response: str
    responded_on: dt.date | None

    @property
    def answered(self) -> bool:
        """Whether the representation has had its response."""
        return self.responded_on is not None


@dataclass(frozen=True)
class DecisionRecord:
    """Everything known about one decision, as stored, in one typed value."""

    id: int
    reference: str
    title: str
    description: str
    status: str
    choice: str | None
    contract_kind: str | None
    regime: str | None
    process: str | None
    total_value_pence: int | None
    annual_value_pence: int | None
    contract_start: dt.date | None
    contract_end: dt.date | None
    committee_id: int
    committee_name: str
    meeting_date: dt.date | None
    decision_process: str | None
    offered_to_all_member_practices: bool
    justification: str | None
    comments: str | None
    submitted_at: dt.datetime | None
    author: str | None
    author_user_id: int | None
    flag_count: int
    conflict_count: int
    clinical_lead: Person | None
    contract_manager: Person | None
    awarded_provider: Organisation | None
    providers: tuple[Organisation, ...]
    options: tuple[Option, ...]
    criteria: tuple[Criterion, ...]
    participants: tuple[Participant, ...]
    flags: tuple[Flag, ...]
    conflicted: tuple[Conflicted, ...]
    rulings: tuple[Ruling, ...]
    quorum: Quorum | None
    escalations: tuple[Escalation, ...]
    sign_offs: tuple[SignOff, ...]
    outcome: Outcome | None
    breaches: tuple[Breach, ...]
    # Where and on what day the award was published (asked for when it is published).
    award_published_where: str = ""
    award_published_on: dt.date | None = None
    # What the route records besides the key criteria.
    route: RouteParts = RouteParts()
    # Contract modifications (regulation 13), oldest first: see `with_modifications`.
    modifications: tuple[RecordedModification, ...] = ()

    @property
    def current_value_pence(self) -> int | None:
        """The contract value after its modifications (the original value when none)."""
        return modification_rules.current_value(self.total_value_pence, self.modifications)

    @property
    def current_end(self) -> dt.date | None:
        """The contract end date after its modifications (the original when none)."""
        return modification_rules.current_end(self.contract_end, self.modifications)
    # The PSR notices and the representations made during the standstill (_with_notices).
    notices: tuple[Notice, ...] = ()
    representations: tuple[Representation, ...] = ()

    # ---- notices and standstill (rules/standstill.py) ----
    @property
    def intention_notice(self) -> Notice | None:
        """The PSR intention to award notice, if recorded."""
        return next((n for n in self.notices if n.kind == "intention"), None)

    @property
    def award_notice(self) -> Notice | None:
        """The PSR award confirmation notice, if recorded."""
        return next((n for n in self.notices if n.kind == "award"), None)

    @property
    def has_standstill(self) -> bool:
        """Whether the decision's route needs an intention notice and a standstill."""
        return standstill.has_standstill(self.regime, self.process)

    @property
    def standstill_end(self) -> dt.date | None:
        """The last day of the standstill, computed from the intention notice."""
        notice = self.intention_notice
        return standstill.standstill_end(notice.published_on) if notice else None

    @property
    def open_representations(self) -> tuple[Representation, ...]:
        """Representations still waiting for a response."""
        return tuple(r for r in self.representations if not r.answered)

    @property
    def flagged(self) -> bool:
        """Whether the decision needs governance review."""
        return bool(self.flag_count)

    @property
    def escalation(self) -> Escalation | None:
        """The escalation in force, if any."""
        return next((e for e in reversed(self.escalations) if e.in_force), None)

    @property
    def sign_off(self) -> SignOff | None:
        """The sign-off in force, or else the latest voided one (with why), or None."""
        in_force = [s for s in self.sign_offs if s.voided_at is None]
        if in_force:
            return in_force[-1]
        return self.sign_offs[-1] if self.sign_offs else None

    @property
    def voided_sign_offs(self) -> tuple[SignOff, ...]:
        """Sign-offs a later change voided, newest first."""
        return tuple(reversed([s for s in self.sign_offs if s.voided_at is not None]))


@dataclass(frozen=True)
class RegisterEntry:
    """One decision as the register of procurement decisions shows it (its page, CSV and
    spreadsheet): the decision's own columns, the people named on it, the provider awarded,
    its flags, the conflicted people, the rulings and the outcome; the same values, under the
    same names, as its `DecisionRecord`, read by `load_register_entries` without the rest of
    the record (participants, quorum, options, sign-offs...)."""

    id: int
    reference: str
    title: str
    description: str
    status: str
    contract_kind: str | None
    regime: str | None
    process: str | None
    total_value_pence: int | None
    annual_value_pence: int | None
    contract_start: dt.date | None
    contract_end: dt.date | None
    committee_name: str
    meeting_date: dt.date | None
    decision_process: str | None
    justification: str | None
    comments: str | None
    flag_count: int
    clinical_lead: Person | None
    contract_manager: Person | None
    awarded_provider: Organisation | None
    flags: tuple[Flag, ...]
    conflicted: tuple[Conflicted, ...]
    rulings: tuple[Ruling, ...]
    outcome: Outcome | None
    award_published_where: str = ""
    award_published_on: dt.date | None = None

    @property
    def flagged(self) -> bool:
        """Whether the decision needs governance review."""
        return bool(self.flag_count)


# ---- the quorum: one count for every reader ----------------------------------------------------

def co_opted(escalation: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The members co-opted by an escalation in force (a row or its details), if a co-option."""
    if not escalation or escalation.get("kind") != "co_opt":
        return []
    return list((escalation.get("details") or {}).get("co_opted", []))


def voting_members(members: Mapping[int, Mapping[str, Any]],
                   participants: Mapping[int, Mapping[str, Any]],
                   escalation: Mapping[str, Any] | None) -> list[tuple[int, str]]:
    """The committee's voting members, any other voting participant (as 'other') and any
    members co-opted for the item, as (person id, category) pairs."""
    pairs = [(pid, m["category"]) for pid, m in members.items() if m["voting"]]
    seen = {pid for pid, _ in pairs}
    for pid, participant in participants.items():
        if participant["role"] == "voting" and pid not in seen:
            pairs.append((pid, "other"))
    for person in co_opted(escalation):
        if person["person_id"] not in seen:
            pairs.append((person["person_id"], person["category"]))
    return pairs


def taking_part(participants: Iterable[int], escalation: Mapping[str, Any] | None) -> set[int]:
    """Who is taking part in the item: the participants and any members co-opted."""
    return set(participants) | {p["person_id"] for p in co_opted(escalation)}


def name_the_co_opted(quorum: QuorumResult,
                      escalation: Mapping[str, Any] | None) -> QuorumResult:
    """Say in the arithmetic who was co-opted, so a count larger than the people taking part
    is explained."""
    added = co_opted(escalation)
    if added and quorum.arithmetic:
        names = ", ".join(f"{p['name']} ({p['category_label']})" for p in added)
        # Straight after "N voting members present", which the co-opted are part of.
        at = next((i + 1 for i, line in enumerate(quorum.arithmetic)
                   if line.endswith(" present")), 1)
        quorum.arithmetic.insert(at, f"including {len(added)} co-opted for the item: {names}")
    return quorum


def count_decision_quorum(rule: QuorumRule, members: Mapping[int, Mapping[str, Any]],
                          participants: Mapping[int, Mapping[str, Any]],
                          escalation: Mapping[str, Any] | None, rulings: Mapping[int, str], *,
                          reasons: Mapping[int, str] | None = None,
                          present: set[int] | None = None) -> QuorumResult:
    """A decision's quorum with these rulings: the one count the review page, the record, the
    PDF and the JSON all use. `present` defaults to everyone taking part."""
    in_room = taking_part(participants, escalation) if present is None else present
    result = count_quorum(rule, voting_members(members, participants, escalation),
                          dict(rulings), in_room, reasons=dict(reasons or {}))
    return name_the_co_opted(result, escalation)


def short_reason(flags: Iterable[conflict_rules.Flag]) -> str:
    """A few words for why someone is ruled out, from their first conflict: 'common interest'."""
    for flag in flags:
        if flag.severity == "conflict":
            return conflict_rules.RULES.get(flag.rule, flag.rule).lower()
    return ""


def conflicted_flags(flags: Iterable[Mapping[str, Any] | Flag],
                     confirmed: set[tuple[int, int]]) -> dict[int, list[conflict_rules.Flag]]:
    """Each conflicted person with their flags (stored rows, or the record's Flags with their
    evidence already read), counting the confirmed name matches ((person, interest) pairs) as
    conflicts."""
    objects = []
    for row in flags:
        if isinstance(row, Flag):
            rule, person_id, organisation_id, sentence, severity = (
                row.rule, row.person_id, row.organisation_id, row.sentence, row.severity)
            evidence = dict(row.evidence)
        else:
            rule, person_id, organisation_id, sentence, severity = (
                row["rule"], row["person_id"], row["organisation_id"], row["sentence"],
                row["severity"])
            evidence = row["evidence"] if isinstance(row["evidence"], dict) else \
                json.loads(row["evidence"])
        if severity == "possible" and (person_id, evidence.get("interest_id")) in confirmed:
            severity = "conflict"
        objects.append(conflict_rules.Flag(rule, person_id, organisation_id, evidence, sentence,
                                           severity))
    return conflict_rules.conflicted_people(objects)


def _count(title: str, result: QuorumResult) -> QuorumCount:
    return QuorumCount(title, result.quorate, result.summary, result.remaining,
                       tuple(result.arithmetic), tuple(result.shortfall))


# ---- reading ----------------------------------------------------------------------------------

_IN = "(SELECT value FROM json_each(?))"

_DECISIONS_SQL = """
SELECT decisions.*, committees.name AS committee_name,
    committees.quorum_min_voting, committees.quorum_min_gp, committees.quorum_min_lay,
    committees.quorum_min_executive, committees.quorum_min_other,
    coalesce(author_person.name, author.username) AS author_name
FROM decisions
JOIN committees ON committees.id = decisions.committee_id
LEFT JOIN users AS author ON author.id = decisions.author_user_id
LEFT JOIN people AS author_person ON author_person.id = author.person_id
WHERE decisions.id IN """ + _IN


# The parts of the record the register also reads (`load_register_entries`): one text each.
_FLAGS_SQL = (
    "SELECT decision_flags.*, people.name AS person_name, people.email AS person_email,"
    " organisations.name AS organisation_name, organisations.ods_code,"
    " organisations.companies_house_number, organisations.charity_number,"
    " match_resolutions.outcome AS match_outcome, match_resolutions.reason AS match_reason"
    " FROM decision_flags"
    " LEFT JOIN people ON people.id = decision_flags.person_id"
    " LEFT JOIN organisations ON organisations.id = decision_flags.organisation_id"
    " LEFT JOIN match_resolutions ON decision_flags.severity = 'possible'"
    " AND match_resolutions.decision_id = decision_flags.decision_id"
    " AND match_resolutions.person_id = decision_flags.person_id"
    " AND match_resolutions.interest_id = json_extract(decision_flags.evidence,"
    " '$.interest_id')"
    " WHERE decision_flags.decision_id IN " + _IN + " ORDER BY decision_flags.position,"
    " decision_flags.id")
_CONFIRMED_SQL = ("SELECT decision_id, person_id, interest_id FROM match_resolutions"
                  " WHERE outcome = 'confirmed' AND decision_id IN " + _IN)
_RULINGS_SQL = (
    "SELECT decision_rulings.*, people.name, people.email,"
    " coalesce(ruler_person.name, ruler.username) AS ruled_by FROM decision_rulings"
    " JOIN people ON people.id = decision_rulings.person_id"
    " LEFT JOIN users AS ruler ON ruler.id = decision_rulings.ruled_by_user_id"
    " LEFT JOIN people AS ruler_person ON ruler_person.id = ruler.person_id"
    " WHERE decision_rulings.decision_id IN " + _IN
    + " ORDER BY people.name COLLATE NOCASE, people.id")
_OUTCOMES_SQL = (
    "SELECT decision_outcomes.*, organisations.name AS awarded_name FROM decision_outcomes"
    " LEFT JOIN organisations ON organisations.id = decision_outcomes.awarded_provider_id"
    " WHERE decision_outcomes.decision_id IN " + _IN)
_ATTENDANCE_SQL = (
    "SELECT outcome_attendance.*, people.name, people.email, proxy.name AS proxy_name"
    " FROM outcome_attendance JOIN people ON people.id = outcome_attendance.person_id"
    " LEFT JOIN people AS proxy ON proxy.id = outcome_attendance.proxy_for_person_id"
    " WHERE outcome_attendance.decision_id IN " + _IN
    + " ORDER BY people.name COLLATE NOCASE, people.id")
_REFUSED_SQL = (
    "SELECT outcome_refused_proxies.decision_id, outcome_refused_proxies.reason,"
    " holder.name AS for_name, holder.email AS for_email,"
    " offered.name AS offered_name, offered.email AS offered_email"
    " FROM outcome_refused_proxies"
    " JOIN people AS holder ON holder.id = outcome_refused_proxies.for_person_id"
    " JOIN people AS offered ON offered.id = outcome_refused_proxies.offered_to_person_id"
    " WHERE outcome_refused_proxies.decision_id IN " + _IN
    + " ORDER BY outcome_refused_proxies.id")


def _grouped(db: Database, sql: str, ids_json: str,
             key: str = "decision_id") -> dict[int, list[dict[str, Any]]]:
    groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in db.query(sql, [ids_json]):
        groups[row[key]].append(row)
    return groups


def _organisation(row: Mapping[str, Any]) -> Organisation:
    return Organisation(row["id"], row["name"], row["kind"], row["ods_code"],
                        row["companies_house_number"], row["registered_address"],
                        row["postcode"], bool(row["is_member_practice"]),
                        row.get("company_status"), row.get("dissolved_on"),
                        row.get("charity_number"))


def load_record(db: Database, decision_id: int) -> DecisionRecord | None:
    """One decision's whole record as stored, or None if there is no such decision."""
    found = load_records(db, [decision_id])
    return found[0] if found else None


_RECORDS: VersionedCache[DecisionRecord | None] = VersionedCache(256)


def load_record_at(db: Database, decision_id: int, version: Hashable) -> DecisionRecord | None:
    """`load_record`, reused from memory while the facts' version (`versioned.facts_version`,
    read in the same snapshot or before) is unchanged: records are frozen, so every page that
    asks for the same decision at the same version can share one."""
    return _RECORDS.get((version, decision_id), lambda: load_record(db, decision_id))


def load_records(db: Database, decision_ids: Sequence[int]) -> list[DecisionRecord]:
    """The records of many decisions, in the order given (unknown ids left out), read with one
    query per table. Reads only; call it inside one read transaction for a consistent picture."""
    if not decision_ids:
        return []
    ids_json = json.dumps(list(decision_ids))
    rows = {r["id"]: r for r in db.query(_DECISIONS_SQL, [ids_json])}
    if not rows:
        return []
    people_ids = sorted({i for r in rows.values()
                         for i in (r["clinical_lead_id"], r["contract_manager_id"]) if i})
    leads = {r["id"]: Person(r["id"], r["name"], r["email"]) for r in db.query(
        "SELECT id, name, email FROM people WHERE id IN " + _IN, [json.dumps(people_ids)])}
    awarded_ids = sorted({r["awarded_provider_id"] for r in rows.values()
                          if r["awarded_provider_id"]})
    awarded = {r["id"]: _organisation(r) for r in db.query(
        "SELECT * FROM organisations WHERE id IN " + _IN, [json.dumps(awarded_ids)])}
    options = _grouped(db, "SELECT * FROM decision_options WHERE decision_id IN " + _IN
                       + " ORDER BY position, id", ids_json)
    criteria = _grouped(db, "SELECT * FROM decision_criteria WHERE decision_id IN " + _IN
                        + " ORDER BY id", ids_json)
    providers = _grouped(db, (
        "SELECT decision_providers.decision_id, organisations.* FROM decision_providers"
        " JOIN organisations ON organisations.id = decision_providers.organisation_id"
        " WHERE decision_providers.decision_id IN " + _IN
        + " ORDER BY organisations.name COLLATE NOCASE, organisations.ods_code,"
        " organisations.id"), ids_json)
    participants = _grouped(db, (
        "SELECT decision_participants.decision_id, decision_participants.person_id,"
        " decision_participants.role, people.name, people.email"
        " FROM decision_participants JOIN people ON people.id = decision_participants.person_id"
        " WHERE decision_participants.decision_id IN " + _IN
        + " ORDER BY people.name COLLATE NOCASE, people.email"), ids_json)
    committee_ids = sorted({r["committee_id"] for r in rows.values()})
    members = _grouped(db, (
        "SELECT committee_members.committee_id, committee_members.person_id,"
        " committee_members.role, committee_members.category, committee_members.voting,"
        " people.name, people.email FROM committee_members"
        " JOIN people ON people.id = committee_members.person_id"
        " WHERE committee_members.committee_id IN " + _IN
        + " ORDER BY committee_members.id"), json.dumps(committee_ids), key="committee_id")
    flags = _grouped(db, _FLAGS_SQL, ids_json)
    confirmed = _grouped(db, _CONFIRMED_SQL, ids_json)
    rulings = _grouped(db, _RULINGS_SQL, ids_json)
    escalations = _grouped(db, "SELECT * FROM escalations WHERE decision_id IN " + _IN
                           + " ORDER BY recorded_at, id", ids_json)
    sign_offs = _grouped(db, "SELECT * FROM sign_offs WHERE decision_id IN " + _IN
                         + " ORDER BY signed_at, id", ids_json)
    co_opted_ids = sorted({person["person_id"] for group in escalations.values()
                           for e in group for person in co_opted(
                               {"kind": e["kind"], "details": _details(e["details"])})})
    emails = {r["id"]: r["email"] for r in db.query(
        "SELECT id, email FROM people WHERE id IN " + _IN, [json.dumps(co_opted_ids)])}
    outcomes = _grouped(db, _OUTCOMES_SQL, ids_json)
    attendance = _grouped(db, _ATTENDANCE_SQL, ids_json)
    refused = _grouped(db, _REFUSED_SQL, ids_json)
    breaches = _grouped(db, (
        "SELECT breaches.*, people.name AS person_name FROM breaches"
        " LEFT JOIN people ON people.id = breaches.person_id"
        " WHERE breaches.decision_id IN " + _IN + " ORDER BY breaches.recorded_at, breaches.id"),
        ids_json)
    scores = _grouped(db, (
        "SELECT decision_scores.decision_id, decision_scores.organisation_id, organisations.name,"
        " decision_scores.score, decision_scores.assessment FROM decision_scores"
        " JOIN organisations ON organisations.id = decision_scores.organisation_id"
        " WHERE decision_scores.decision_id IN " + _IN
        + " ORDER BY decision_scores.score DESC, organisations.name COLLATE NOCASE"), ids_json)
    out = []
    for decision_id in decision_ids:
        row = rows.get(decision_id)
        if row is None:
            continue
        route = route_parts(row, scores[decision_id])
        out.append(replace(_build(
            row, leads, awarded, options[decision_id], criteria[decision_id],
            providers[decision_id], participants[decision_id], members[row["committee_id"]],
            flags[decision_id], confirmed[decision_id], rulings[decision_id],
            escalations[decision_id], sign_offs[decision_id],
            (outcomes[decision_id] or [None])[0], attendance[decision_id],
            breaches[decision_id], emails, refused[decision_id]), route=route))
    return _with_notices(db, with_modifications(db, out), ids_json)


_ORGANISATION_COLUMNS = ("id", "name", "kind", "ods_code", "companies_house_number",
                         "registered_address", "postcode", "is_member_practice", "company_status",
                         "dissolved_on", "charity_number")
_ENTRIES_SQL = (
    "SELECT decisions.id, decisions.reference, decisions.title, decisions.description,"
    " decisions.status, decisions.contract_kind, decisions.regime, decisions.process,"
    " decisions.total_value_pence, decisions.annual_value_pence, decisions.contract_start,"
    " decisions.contract_end, decisions.meeting_date, decisions.decision_process,"
    " decisions.justification, decisions.comments, decisions.flag_count,"
    " decisions.award_published_where, decisions.award_published_on,"
    " committees.name AS committee_name,"
    " lead.id AS lead_id, lead.name AS lead_name, lead.email AS lead_email,"
    " manager.id AS manager_id, manager.name AS manager_name, manager.email AS manager_email, "
    + ", ".join(f"awarded.{c} AS awarded_{c}" for c in _ORGANISATION_COLUMNS)
    + " FROM decisions JOIN committees ON committees.id = decisions.committee_id"
    " LEFT JOIN people AS lead ON lead.id = decisions.clinical_lead_id"
    " LEFT JOIN people AS manager ON manager.id = decisions.contract_manager_id"
    " LEFT JOIN organisations AS awarded ON awarded.id = decisions.awarded_provider_id"
    " WHERE decisions.id IN " + _IN)


def load_register_entries(db: Database, decision_ids: Sequence[int]) -> list[RegisterEntry]:
    """What the register shows of many decisions, in the order given (unknown ids left out):
    one query per table it needs, only the columns it shows, built by the same code as the
    whole record's (`load_records`), so both say the same. Reads only."""
    if not decision_ids:
        return []
    ids_json = json.dumps(list(decision_ids))
    rows = {r["id"]: r for r in db.query(_ENTRIES_SQL, [ids_json])}
    if not rows:
        return []
    flags = _grouped(db, _FLAGS_SQL, ids_json)
    confirmed = _grouped(db, _CONFIRMED_SQL, ids_json)
    rulings = _grouped(db, _RULINGS_SQL, ids_json)
    outcomes = _grouped(db, _OUTCOMES_SQL, ids_json)
    # Attendance and refused proxies belong to an outcome: read them only for those that have one.
    with_outcome = json.dumps(sorted(outcomes))
    attendance = _grouped(db, _ATTENDANCE_SQL, with_outcome) if outcomes else {}
    refused = _grouped(db, _REFUSED_SQL, with_outcome) if outcomes else {}
    out = []
    for decision_id in decision_ids:
        row = rows.get(decision_id)
        if row is None:
            continue
        flag_records = tuple(_flag(f) for f in flags[decision_id])
        ruling_rows = {r["person_id"]: r for r in rulings[decision_id]}
        awarded = None
        if row["awarded_id"] is not None:
            awarded = _organisation({c: row[f"awarded_{c}"] for c in _ORGANISATION_COLUMNS})
        out.append(RegisterEntry(
            id=row["id"], reference=row["reference"], title=row["title"],
            description=row["description"], status=row["status"],
            contract_kind=row["contract_kind"], regime=row["regime"], process=row["process"],
            total_value_pence=row["total_value_pence"],
            annual_value_pence=row["annual_value_pence"],
            contract_start=_date(row["contract_start"]), contract_end=_date(row["contract_end"]),
            committee_name=row["committee_name"], meeting_date=_date(row["meeting_date"]),
            decision_process=row["decision_process"], justification=row["justification"],
            comments=row["comments"], flag_count=row["flag_count"],
            clinical_lead=Person(row["lead_id"], row["lead_name"], row["lead_email"])
            if row["lead_id"] is not None else None,
            contract_manager=Person(row["manager_id"], row["manager_name"],
                                    row["manager_email"])
            if row["manager_id"] is not None else None,
            awarded_provider=awarded, flags=flag_records,
            conflicted=_conflicted(flag_records, confirmed[decision_id], ruling_rows, {}),
            rulings=tuple(_ruling(r) for r in rulings[decision_id]),
            outcome=_outcome((outcomes[decision_id] or [None])[0],
                             attendance.get(decision_id, []), refused.get(decision_id, []),
                             ruling_rows),
            award_published_where=row["award_published_where"] or "",
            award_published_on=_date(row["award_published_on"])))
    return out


def with_modifications(db: Database, records: list[DecisionRecord]) -> list[DecisionRecord]:
    """The records with their contract modifications read in (one query for them all)."""
    found = load_modifications(db, [r.id for r in records],
                               {r.id: r.total_value_pence for r in records})
    return [dataclasses.replace(r, modifications=found.get(r.id, ())) for r in records]


def route_parts(row: Mapping[str, Any], scores: Iterable[Mapping[str, Any]]) -> RouteParts:
    """What a decision row records about its route, with its providers' score rows (each with
    organisation_id, name, score and assessment), highest score first."""
    return RouteParts(row.get("route_reasons") or "", row.get("selection_criteria") or "",
                      row.get("exclusions") or "", row.get("score_out_of"),
                      tuple(sorted((Score(s["organisation_id"], s["name"], s["score"],
                                          s["assessment"]) for s in scores),
                                   key=lambda s: (-s.score, s.name.casefold()))))


def _with_notices(db: Database, records: list[DecisionRecord],
                  ids_json: str) -> list[DecisionRecord]:
    """The records with their PSR notices and standstill representations."""
    notices = _grouped(db, "SELECT * FROM decision_notices WHERE decision_id IN " + _IN
                       + " ORDER BY published_on, id", ids_json)
    representations = _grouped(db, "SELECT * FROM decision_representations WHERE decision_id IN "
                               + _IN + " ORDER BY received_on, id", ids_json)
    return [replace(
        rec,
        notices=tuple(Notice(n["kind"], standstill.NOTICE_KINDS.get(n["kind"], n["kind"]),
                             dt.date.fromisoformat(n["published_on"]), n["published_where"],
                             n["reference"]) for n in notices[rec.id]),
        representations=tuple(Representation(
            r["id"], dt.date.fromisoformat(r["received_on"]), r["provider_name"], r["summary"],
            r["response"] or "", _date(r["responded_on"])) for r in representations[rec.id]))
        for rec in records]


def _details(text: str | None) -> dict[str, Any]:
    """An escalation's stored details (JSON; older plain words are kept as {"text": ...})."""
    try:
        details = json.loads(text) if text else {}
    except ValueError:
        return {"text": text}
    return details if isinstance(details, dict) else {"text": str(details)}


def _escalation(row: Mapping[str, Any]) -> Escalation:
    details = _details(row["details"])
    words = details["text"] if set(details) == {"text"} else \
        escalation_words(row["kind"], details) + "."
    return Escalation(row["id"], row["kind"], ESCALATIONS.get(row["kind"], row["kind"]), words,
                      details, _moment(row["recorded_at"]), _moment(row["superseded_at"]),
                      _moment(row["ratified_at"]), _date(row["ratified_meeting_date"]))


def _build(row: dict[str, Any], leads: Mapping[int, Person],
           awarded: Mapping[int, Organisation], options: list, criteria: list, providers: list,
           participants: list, members: list, flags: list, confirmed: list, rulings: list,
           escalations: list, sign_offs: list, outcome: dict[str, Any] | None,
           attendance: list, breaches: list, emails: Mapping[int, str],
           refused: Sequence[Mapping[str, Any]] = ()) -> DecisionRecord:
    """One decision's record from its rows."""
    member_by_person = {m["person_id"]: m for m in members}
    escalation_records = tuple(_escalation(e) for e in escalations)
    in_force = next((e for e in reversed(escalation_records) if e.in_force), None)
    escalation = {"kind": in_force.kind, "details": in_force.details} if in_force else None
    people = []
    for p in participants:
        member = member_by_person.get(p["person_id"])
        people.append(Participant(
            p["person_id"], p["name"], p["email"], p["role"],
            PARTICIPANT_ROLES.get(p["role"], p["role"]),
            member["role"] if member else None, member["category"] if member else None,
            bool(member["voting"]) if member else None))
    listed = {p.person_id for p in people}
    for person in co_opted(escalation):
        if person["person_id"] not in listed:
            people.append(Participant(person["person_id"], person.get("name", ""),
                                      emails.get(person["person_id"], ""), "co_opted",
                                      CO_OPTED_ROLE,
                                      None, person.get("category"), True))
    people.sort(key=lambda p: (ROLE_ORDER.get(p.role, 9), p.name.casefold(),
                               (p.email or "").lower()))

    flag_records = tuple(_flag(f) for f in flags)
    ruling_rows = {r["person_id"]: r for r in rulings}
    names = {m["person_id"]: m["name"] for m in members}
    names.update({p.person_id: p.name for p in people})
    conflicted = _conflicted(flag_records, confirmed, ruling_rows, names)

    status = row["status"]
    quorum = None
    if status not in NOT_YET_REVIEWABLE:
        quorum = _quorum(row, members, participants, escalation, conflicted,
                         {pid: r["ruling"] for pid, r in ruling_rows.items()}, attendance)

    outcome_record = _outcome(outcome, attendance, refused, ruling_rows)
    order = list(KEY_CRITERIA)
    return DecisionRecord(
        id=row["id"], reference=row["reference"], title=row["title"],
        description=row["description"], status=status, choice=row["choice"],
        contract_kind=row["contract_kind"], regime=row["regime"], process=row["process"],
        total_value_pence=row["total_value_pence"], annual_value_pence=row["annual_value_pence"],
        contract_start=_date(row["contract_start"]), contract_end=_date(row["contract_end"]),
        committee_id=row["committee_id"], committee_name=row["committee_name"],
        meeting_date=_date(row["meeting_date"]), decision_process=row["decision_process"],
        offered_to_all_member_practices=bool(row["offered_to_all_member_practices"]),
        justification=row["justification"], comments=row["comments"],
        submitted_at=_moment(row["submitted_at"]), author=row["author_name"],
        author_user_id=row["author_user_id"], flag_count=row["flag_count"],
        conflict_count=row["conflict_count"],
        clinical_lead=leads.get(row["clinical_lead_id"]),
        contract_manager=leads.get(row["contract_manager_id"]),
        awarded_provider=awarded.get(row["awarded_provider_id"]),
        providers=tuple(_organisation(p) for p in providers),
        options=tuple(Option(o["position"], o["description"], o["outcome"], o["reason"])
                      for o in options),
        criteria=tuple(sorted(
            (Criterion(c["criterion"], KEY_CRITERIA.get(c["criterion"], c["criterion"]),
                       c["weight"], c["how_applied"]) for c in criteria),
            key=lambda c: order.index(c.criterion) if c.criterion in order else len(order))),
        participants=tuple(people), flags=flag_records, conflicted=conflicted,
        rulings=tuple(_ruling(r) for r in rulings),
        quorum=quorum, escalations=escalation_records,
        sign_offs=tuple(SignOff(s["id"], s["signer_name"], s["signer_role"],
                                _moment(s["signed_at"]), s["statement"], s["content_hash"],
                                _moment(s["voided_at"]), s["void_reason"] or "")
                        for s in sign_offs),
        outcome=outcome_record,
        breaches=tuple(Breach(b["id"], b["kind"], b["kind"].replace("_", " ").capitalize(),
                              b["person_name"], b["detail"], _moment(b["recorded_at"]))
                       for b in breaches),
        award_published_where=row.get("award_published_where") or "",
        award_published_on=_date(row.get("award_published_on")))


def _flag(f: Mapping[str, Any]) -> Flag:
    """One stored flag row (read by `_FLAGS_SQL`) as the record's Flag."""
    return Flag(
        f["rule"], conflict_rules.RULES.get(f["rule"], f["rule"]), f["severity"],
        f["person_id"], f["person_name"], f["person_email"], f["organisation_id"],
        f["organisation_name"], f["ods_code"], json.loads(f["evidence"]), f["sentence"],
        f["match_outcome"], f["match_reason"], f["companies_house_number"],
        f["charity_number"])


def _conflicted(flag_records: Sequence[Flag], confirmed: list,
                ruling_rows: Mapping[int, Mapping[str, Any]],
                names: Mapping[int, str]) -> tuple[Conflicted, ...]:
    """The conflicted people (confirmed name matches included), by name, each named as the
    flags name them (else as `names` does), with why and their ruling."""
    by_person = conflicted_flags(flag_records,
                                 {(c["person_id"], c["interest_id"]) for c in confirmed})
    names = dict(names)
    names.update({f.person_id: f.person_name for f in flag_records
                  if f.person_id is not None and f.person_name})
    return tuple(sorted((
        Conflicted(pid, names.get(pid, ""), short_reason(found),
                   ruling_rows[pid]["ruling"] if pid in ruling_rows else None)
        for pid, found in by_person.items()), key=lambda c: c.name.casefold()))


def _ruling(r: Mapping[str, Any]) -> Ruling:
    """One ruling row (read by `_RULINGS_SQL`) as the record's Ruling."""
    return Ruling(
        r["person_id"], r["name"], r["email"], r["ruling"],
        RULINGS.get(r["ruling"], r["ruling"]), r["reason"] or "", r["proposed_ruling"],
        bool(r["is_exception"]), r["exception_reason"] or "",
        r["exception_mitigation"] or "", r["ruled_by"], _moment(r["ruled_at"]))


def _outcome(outcome: Mapping[str, Any] | None, attendance: list,
             refused: Sequence[Mapping[str, Any]],
             ruling_rows: Mapping[int, Mapping[str, Any]]) -> Outcome | None:
    """The outcome as recorded, with the attendance and the refused proxies (None if none)."""
    if not outcome:
        return None
    ruling_of = {pid: r["ruling"] for pid, r in ruling_rows.items()}
    return Outcome(
        outcome["outcome"], CHOICES.get(outcome["outcome"], outcome["outcome"]),
        outcome["awarded_name"], outcome["votes_for"], outcome["votes_against"],
        outcome["votes_abstaining"], outcome["notes"] or "", _moment(outcome["recorded_at"]),
        tuple(_attendance(a, ruling_of.get(a["person_id"])) for a in attendance),
        tuple(RefusedProxy(r["for_name"], r["for_email"], r["offered_name"],
                           r["offered_email"], r["reason"]) for r in refused))


def _attendance(row: Mapping[str, Any], ruling: str | None) -> Attendance:
    """One attendance row as recorded, with when they left and whether a ruling that kept them
    out of the room was carried out."""
    departure = departure_from(row["left_at"], row["left_stage"], row["returned_at"])
    present = bool(row["present"])
    return Attendance(row["person_id"], row["name"], present, row["vote"],
                      VOTES.get(row["vote"] or "", "No vote"), row["proxy_name"], ruling,
                      row["email"] or "", departure,
                      ruling_carried_out(ruling, present, departure))


def _quorum(row: Mapping[str, Any], members: list, participants: list,
            escalation: Mapping[str, Any] | None, conflicted: tuple[Conflicted, ...],
            rulings: dict[int, str], attendance: list) -> Quorum:
    """The quorum before the rulings, after them, and on the attendance once recorded."""
    rule = QuorumRule(row["quorum_min_voting"],
                      {c: row[f"quorum_min_{c}"] for c in CATEGORIES if row[f"quorum_min_{c}"]})
    member_map = {m["person_id"]: m for m in members}
    participant_map = {p["person_id"]: p for p in participants}
    reasons = {c.person_id: c.reason_words for c in conflicted}
    before = count_decision_quorum(rule, member_map, participant_map, escalation, {})
    after = count_decision_quorum(rule, member_map, participant_map, escalation, rulings,
                                  reasons=reasons)
    at_meeting = None
    if attendance:
        present = {a["person_id"] for a in attendance if a["present"]}
        at_meeting = _count("Counted on the attendance recorded at the meeting:",
                            count_decision_quorum(rule, member_map, participant_map, escalation,
                                                  rulings, reasons=reasons, present=present))
    chair = next((m["person_id"] for m in members if m["role"] == "chair"), None)
    vice = next((m["person_id"] for m in members if m["role"] == "vice_chair"), None)
    _, presiding = presiding_member(chair, vice, rulings)
    return Quorum(
        rule=rule.describe(), required=rule.min_voting, voting_present=before.remaining,
        before_rulings=_count("Counted on the voting members taking part, before any ruling:",
                              before),
        after_rulings=_count("Counted on the voting members taking part, after the rulings:",
                             after),
        awaiting_rulings=tuple(c.name for c in conflicted if c.ruling is None),
        at_meeting=at_meeting, presiding=presiding)


def present_when_ruled_out(record: DecisionRecord) -> list[Attendance]:
    """People recorded as present for the item although their ruling kept them out."""
    if record.outcome is None:
        return []
    return [a for a in record.outcome.attendance if a.present and not may_be_present(a.ruling)]
