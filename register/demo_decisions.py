"""The demo consortium's make-or-buy decisions: two years of them, in every state of their life,
read from demo_files/decisions.toml (with the contract modifications and the interests declared
after them) by `read_decisions`, which names the file and the entry for anything malformed.

Each decision is written through the app's own functions, in the order things happened: a draft
with a fresh reference, the record saved, submitted (flags computed), the governance lead's rulings,
escalation and sign-off, the outcome, publication, return or withdrawal. So references come from
the same counter the app uses, every step is in the audit trail, and each sign-off's content hash is
the one the app would have computed. Two interests declared late come last: one shows a conflict on
a published decision that nobody knew about at the time, the other voids a sign-off.

Between them the decisions exercise every conflict rule, and the worked examples in
docs/domain.md: (1) an anticoagulation scheme offered to every member practice, (2) a lay member's
spouse's physiotherapy company, (3) a federation director who resigned eight months before the
meeting, (4) a GP who never declared the practice a service is awarded to.

Dates are counted from the load day. Committees meet on Thursdays; decisions still on their way to
a meeting have it in the next few weeks. Two decisions were taken in 2023, under the 2013
procurement regulations; the rest fall under the Provider Selection Regime.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlite_utils import Database

from .auth.roles import ROLE_LABELS
from .decisions import lifecycle, record
from .decisions import modifications as contract_modifications
from .decisions import queries as decision_queries
from .demo import (
    ACCOUNT_PEOPLE,
    ACTOR,
    COMMITTEES,
    DEMO_FILES,
    PEOPLE,
    DemoDataError,
    DemoInterest,
    build,
    entry_name,
    file_entries,
    read_interest,
    read_toml,
)
from .notices import store as notice_store
from .reviews import queries as review_queries
from .reviews import records, signoff
from .rules import modifications as modification_rules
from .rules import routes, standstill
from .rules.decisions import KEY_CRITERIA, assesses_key_criteria, regime_for
from .rules.interests import add_months
from .rules.quorum import escalation_problem
from .rules.rulings import (
    attendance_breach,
    exception_problem,
    may_be_present,
    may_vote,
    proxy_vote_problem,
    vote_problem,
)
from .rules.working_days import add_working_days, is_working_day

# The governance lead signs off every decision here, so she takes no part in the Governing Body's
# procurement items (a lead who took part may not sign off).
GUARDIAN = ACCOUNT_PEOPLE["governance"]

DECISIONS_FILE = DEMO_FILES / "decisions.toml"
# The standard texts a decision_process may start with, as {name}.
STANDARD_PROCESS_TEXTS = ("gb_process", "gb_independent_process", "pcc_process")


@dataclass(frozen=True)
class Review:
    """What the governance lead did: rulings that differ from the proposals, sole-expertise
    exceptions, possible name matches settled, the escalation of an inquorate meeting."""

    rulings: dict[str, str] = field(default_factory=dict)
    exceptions: dict[str, tuple[str, str]] = field(default_factory=dict)
    matches: dict[str, str] = field(default_factory=dict)  # "confirm", or why it is dismissed
    escalation: tuple[Any, ...] | None = None  # ("co_opt", (person, category), ...) or
    #                                            ("chair_action", chair, accountable officer)


@dataclass(frozen=True)
class Outcome:
    """How the vote went and who was in the room, beyond what the rulings imply."""

    against: tuple[str, ...] = ()
    abstain: tuple[str, ...] = ()
    present_anyway: tuple[str, ...] = ()  # ruled out of the room, recorded present: a breach
    notes: str = ""
    # (person, left at HH:MM, "discussion" | "vote", came back at HH:MM or "")
    left: tuple[tuple[str, str, str, str], ...] = ()
    # (whose vote, offered to, reason; "" for the rules' reason): proxies the chair refused
    refused_proxies: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class DemoDecision:
    """One decision and how far it got; `status` is where the history ends."""

    committee: str
    meeting: int  # days before the load day (negative: a meeting still to come)
    title: str
    description: str
    status: str
    choice: str | None = None
    contract_kind: str | None = None
    process: str | None = None  # a PSR process; older decisions use PCR2013_PROCESS or their own
    total: int | None = None  # pence
    annual: int | None = None  # pence
    months: int = 36  # contract length
    clinical_lead: str | None = None
    contract_manager: str | None = None
    providers: tuple[str, ...] = ()
    awarded: str | None = None
    offered_to_all: bool = False
    absent: tuple[str, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()  # (person, "attendee" | "evaluator" | "voting")
    options: tuple[tuple[str, str, str], ...] = ()  # description, chosen | rejected, reason
    weights: tuple[int, int, int, int, int] | None = None  # in the order of KEY_CRITERIA
    justification: str = ""
    comments: str = ""
    decision_process: str = ""
    before_psr: dt.date | None = None  # taken on this date or `meeting` days ago, if earlier
    notice: int = 12  # days between submission and a meeting already held
    submitted: int | None = None  # days before the load day, for a meeting still to come
    reviewed: int | None = None  # days before the load day; otherwise a few days after submission
    review: Review = field(default_factory=Review)
    outcome: Outcome = field(default_factory=Outcome)
    reason: str = ""  # why it was returned or withdrawn
    guardian_votes: bool = False  # the governance lead votes: the independent reviewer reviews
    # A representation made in the standstill: (provider, summary, response).
    representation: tuple[str, ...] = ()


# ---- the clock ------------------------------------------------------------------------------

# The app's write functions stamp rows with the time they run, unless given the time as `now`. The
# demo's history happened in the past, so each step passes the demo's time for it; the audit trail
# keeps the real time at which each event was appended.


@dataclass(frozen=True)
class DemoModification:
    """A change to a demo decision's contract after its award (regulation 13)."""

    title: str  # the decision's title
    days_ago: int
    what_changed: str
    ground: str
    value_after: int | None = None  # pence; None when the value does not change
    ends_in_months: int | None = None  # the new end: the last day of the month before this


@dataclass(frozen=True)
class DemoDecisions:
    """What decisions.toml holds: the standard texts, the decisions, the contract modifications
    and the interests declared after the decisions (with the days before the load day)."""

    texts: dict[str, str]
    applied: dict[str, str]
    route_reasons: dict[str, str]
    pcr2013_process: dict[str, str]
    decisions: list[DemoDecision]
    modifications: list[DemoModification]
    late_interests: list[tuple[int, DemoInterest]]


def _pence(value: Any, where: str, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DemoDataError(f"{where}: '{name}' should be an amount in pounds, not {value!r}")
    return round(value * 100)


def _table(entry: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = entry.get(key, {})
    if not isinstance(value, dict):
        raise DemoDataError(f"{where}: '{key}' should be a table")
    return value


def _rows(entry: dict[str, Any], key: str, where: str,
          fields: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """A list of [[...]] sub-entries as tuples of the given fields, each of them required."""
    rows = entry.get(key, [])
    if not isinstance(rows, list):
        raise DemoDataError(f"{where}: '{key}' should be a list of entries")
    out = []
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise DemoDataError(f"{where}, {key.replace('_', ' ')} {n}: should be a table")
        for name in row:
            if name not in fields:
                raise DemoDataError(f"{where}, {key.replace('_', ' ')} {n}: '{name}' is not a "
                                    "field it can have")
        for name in fields:
            if not isinstance(row.get(name), str):
                raise DemoDataError(f"{where}, {key.replace('_', ' ')} {n}: '{name}' is "
                                    + ("missing" if name not in row else "not text"))
        out.append(tuple(row[name] for name in fields))
    return out


def _read_decision(entry: dict[str, Any], where: str, texts: dict[str, str]) -> DemoDecision:
    values = {key: value for key, value in entry.items()
              if key not in ("option", "extra", "review", "outcome", "representation")}
    for name in ("total", "annual"):
        if name in values:
            values[name] = _pence(values[name], where, name)
    for name in ("providers", "absent", "weights"):
        if isinstance(values.get(name), list):
            values[name] = tuple(values[name])
    weights = values.get("weights")
    if weights is not None and (len(weights) != 5 or not all(
            isinstance(w, int) and not isinstance(w, bool) for w in weights)):
        raise DemoDataError(f"{where}: 'weights' should be five whole numbers")
    process = values.get("decision_process")
    if isinstance(process, str):
        for name in STANDARD_PROCESS_TEXTS:
            process = process.replace("{" + name + "}", texts.get(name, ""))
        values["decision_process"] = process
    values["options"] = tuple(_rows(entry, "option", where, ("description", "outcome",
                                                               "reason")))
    values["extra"] = tuple(_rows(entry, "extra", where, ("person", "role")))
    review = _table(entry, "review", where)
    escalation: tuple[Any, ...] | None = None
    co_opt = _rows(review, "co_opt", where + ", review", ("person", "category"))
    chair_action = _table(review, "chair_action", where + ", review")
    if co_opt:
        escalation = ("co_opt", *co_opt)
    elif chair_action:
        escalation = ("chair_action", *_rows({"chair_action": [chair_action]}, "chair_action",
                                             where + ", review",
                                             ("chair", "accountable_officer"))[0])
    values["review"] = build(Review, {
        "rulings": dict(_table(review, "rulings", where)),
        "matches": dict(_table(review, "matches", where)),
        "exceptions": {person: (reason, mitigation) for person, reason, mitigation in
                       _rows(review, "exception", where + ", review",
                             ("person", "reason", "mitigation"))},
        "escalation": escalation}, where + ", review")
    outcome = _table(entry, "outcome", where)
    values["outcome"] = build(Outcome, {
        **{key: tuple(value) if isinstance(value, list) else value
           for key, value in outcome.items() if key not in ("left", "refused_proxy")},
        "left": tuple(_rows(outcome, "left", where + ", outcome",
                            ("person", "at", "stage", "back"))),
        "refused_proxies": tuple(_rows(outcome, "refused_proxy", where + ", outcome",
                                       ("whose", "offered_to", "reason")))},
        where + ", outcome")
    if "representation" in entry:
        values["representation"] = _rows({"representation": [entry["representation"]]},
                                         "representation", where,
                                         ("provider", "summary", "response"))[0]
    return build(DemoDecision, values, where)


def read_decisions(path: Path = DECISIONS_FILE) -> DemoDecisions:
    """The demo's decisions, modifications and late interests from decisions.toml; DemoDataError
    naming the file and the entry for anything malformed."""
    data = read_toml(path)
    sections = {}
    for name in ("texts", "applied", "route_reasons", "pcr2013_process"):
        section = data.get(name, {})
        if not isinstance(section, dict) or not all(isinstance(v, str)
                                                    for v in section.values()):
            raise DemoDataError(f"{path.name}: [{name}] should be a table of texts")
        sections[name] = section
    decisions = [
        _read_decision(entry, entry_name(path, "decision", n, str(entry.get("title", ""))),
                       sections["texts"])
        for n, entry in enumerate(file_entries(data, path, "decision"), start=1)]
    modifications = []
    for n, entry in enumerate(file_entries(data, path, "modification"), start=1):
        where = entry_name(path, "modification", n, str(entry.get("title", "")))
        values = dict(entry)
        if "value_after" in values:
            values["value_after"] = _pence(values["value_after"], where, "value_after")
        modifications.append(build(DemoModification, values, where))
    late = []
    for n, entry in enumerate(file_entries(data, path, "late_interest"), start=1):
        where = entry_name(path, "late interest", n, str(entry.get("person", "")))
        values = dict(entry)
        declared_at = values.pop("declared_at", None)
        if not isinstance(declared_at, int) or isinstance(declared_at, bool):
            raise DemoDataError(f"{where}: 'declared_at' is "
                                + ("missing" if declared_at is None else "not a number of days"))
        late.append((declared_at, read_interest(values, where)))
    return DemoDecisions(decisions=decisions, modifications=modifications, late_interests=late,
                         **sections)


def spec_notice(spec: DemoDecision) -> str:
    """A made-up notice number for a demo decision's published award (no real notice)."""
    return "DEMO-" + "".join(ch for ch in spec.title.upper() if ch.isalnum())[:12]


def _stamp(day: dt.date, time: str) -> str:
    hour, minute = (int(part) for part in time.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC).isoformat()


def _thursday(day: dt.date, forward: bool) -> dt.date:
    """The Thursday on or after (or on or before) a day: committees meet on Thursdays."""
    if forward:
        return day + dt.timedelta(days=(3 - day.weekday()) % 7)
    return day - dt.timedelta(days=(day.weekday() - 3) % 7)


# ---- loading --------------------------------------------------------------------------------

class _Loader:
    """Writes one decision's history after another, in the app's own steps."""

    def __init__(self, db: Database, base: dt.date, orgs: dict[str, int],
                 people: dict[str, int], users: dict[str, int], data: DemoDecisions) -> None:
        self.db, self.base, self.orgs, self.people, self.users = db, base, orgs, people, users
        self.data = data
        self.names = {p.key: p.name for p in PEOPLE}
        self.lead = SimpleNamespace(id=users["governance"], person_id=people[GUARDIAN],
                                    role="governance", display_name=self.names[GUARDIAN],
                                    actor=ACTOR)
        self.committees = {c["key"]: c for c in COMMITTEES}
        self.committee_ids = {c["key"]: self._committee_id(c["name"]) for c in COMMITTEES}

    def _committee_id(self, name: str) -> int:
        return self.db.execute("SELECT id FROM committees WHERE name = ?", [name]).fetchone()[0]

    # -- dates --

    def meeting_day(self, spec: DemoDecision) -> dt.date:
        day = self.base - dt.timedelta(days=spec.meeting)
        if spec.before_psr is not None:
            day = min(day, spec.before_psr)
        return _thursday(day, forward=spec.meeting < 0)

    def ago(self, days: int) -> dt.date:
        return self.base - dt.timedelta(days=days)

    def past(self, day: dt.date) -> dt.date:
        """No step of the history happens on or after the load day."""
        return min(day, self.base - dt.timedelta(days=1))

    # -- helpers --

    def participants(self, spec: DemoDecision) -> list[dict[str, Any]]:
        rows = []
        for person, _role, _category, voting in self.committees[spec.committee]["members"]:
            if (person == GUARDIAN and not spec.guardian_votes) or person in spec.absent:
                continue
            rows.append({"person_id": self.people[person],
                         "role": "voting" if voting else "attendee"})
        listed = {row["person_id"] for row in rows}
        for person, role in spec.extra:
            if self.people[person] not in listed:
                rows.append({"person_id": self.people[person], "role": role})
        return rows

    def values(self, spec: DemoDecision, meeting: dt.date) -> dict[str, Any]:
        regime = regime_for(meeting)
        process = spec.process
        if regime == "pcr2013" and process in self.data.pcr2013_process:
            process = self.data.pcr2013_process[process]
        start = end = None
        if spec.total is not None:
            start = meeting + dt.timedelta(days=60)
            start = start.replace(day=1)
            end = add_months(start, spec.months) - dt.timedelta(days=1)
        return {
            "title": spec.title, "description": spec.description, "choice": spec.choice,
            "contract_kind": spec.contract_kind, "regime": regime if process else None,
            "process": process, "total_value_pence": spec.total,
            "annual_value_pence": spec.annual,
            "contract_start": start.isoformat() if start else None,
            "contract_end": end.isoformat() if end else None,
            "clinical_lead_id": self.people[spec.clinical_lead] if spec.clinical_lead else None,
            "contract_manager_id": self.people[spec.contract_manager]
            if spec.contract_manager else None,
            "meeting_date": meeting.isoformat(),
            "decision_process": spec.decision_process or (
                self.data.texts["gb_process" if spec.committee == "gb" else "pcc_process"]
                if spec.total else ""),
            "offered_to_all_member_practices": int(spec.offered_to_all),
            "awarded_provider_id": self.orgs[spec.awarded]
            if spec.awarded and spec.status in ("decided", "published") else None,
            "justification": spec.justification, "comments": spec.comments,
            **self.route_parts(regime if process else None, process),
        }

    def route_parts(self, regime: str | None, process: str | None) -> dict[str, Any]:
        """What the decision's route records besides the key criteria (rules/routes.py)."""
        parts = routes.parts_for(regime, process) if process else ()
        return {
            "route_reasons": self.data.route_reasons.get(process or "", "") if parts else "",
            "selection_criteria": self.data.texts["selection_criteria"]
            if routes.SELECTION_CRITERIA in parts else "",
            "exclusions": self.data.texts["exclusions"] if routes.EXCLUSIONS in parts else "",
            "score_out_of": 100 if routes.ASSESSMENTS in parts else None,
        }

    def scores(self, spec: DemoDecision, meeting: dt.date) -> list[dict[str, Any]]:
        """Each proposed provider's score where the route scores competing providers: the one
        awarded (or to be) highest."""
        regime = regime_for(meeting)
        process = self.data.pcr2013_process.get(spec.process, spec.process) \
            if regime == "pcr2013" \
            else spec.process
        if not process or routes.ASSESSMENTS not in routes.parts_for(regime, process):
            return []
        order = sorted(spec.providers, key=lambda key: key != spec.awarded)
        return [{"organisation_id": self.orgs[key], "score": float(78 - 7 * n),
                 "assessment": "Strongest on quality and access; best value." if n == 0 else
                 "Met the requirements; weaker on integration with local services."}
                for n, key in enumerate(order)]

    def children(self, spec: DemoDecision, meeting: dt.date) -> dict[str, list[dict[str, Any]]]:
        criteria = []
        if spec.weights and assesses_key_criteria(regime_for(meeting), spec.process):
            criteria = [{"criterion": key, "weight": weight, "how_applied": self.data.applied[key]}
                        for key, weight in zip(KEY_CRITERIA, spec.weights, strict=True)]
        return {
            "participants": self.participants(spec),
            "providers": [{"organisation_id": self.orgs[key]} for key in spec.providers],
            "options": [{"position": n, "description": text, "outcome": outcome,
                         "reason": reason}
                        for n, (text, outcome, reason) in enumerate(spec.options, start=1)],
            "criteria": criteria,
            "scores": self.scores(spec, meeting),
        }

    # -- the life of one decision --

    def load(self, spec: DemoDecision) -> int:
        db = self.db
        meeting = self.meeting_day(spec)
        submitted = self.past(self.ago(spec.submitted) if spec.submitted is not None
                              else meeting - dt.timedelta(days=spec.notice))
        created = submitted - dt.timedelta(days=6)
        if spec.status in ("draft", "new"):
            created = submitted
        reviewed = self.past(self.ago(spec.reviewed) if spec.reviewed is not None
                             else submitted + dt.timedelta(days=min(4, spec.notice // 2)))

        reference = decision_queries.create_draft(
            db, title=spec.title, committee_id=self.committee_ids[spec.committee],
            meeting_date=meeting, user_id=self.users["secretary"], actor=ACTOR,
            now=_stamp(created, "09:15"))
        decision_id = decision_queries.get_decision(db, reference)["id"]
        if spec.status != "new":
            version = decision_queries.get_decision(db, reference)["version"]
            saved = decision_queries.save_decision(
                db, decision_id, version, self.values(spec, meeting),
                self.children(spec, meeting), ACTOR, now=_stamp(created, "09:40"))
            if not saved:
                raise RuntimeError(f"Demo decision {spec.title!r} was not saved")
        if spec.status in ("draft", "new"):
            return decision_id

        version = decision_queries.get_decision(db, reference)["version"]
        status = lifecycle.submit(db, decision_id, version, ACTOR,
                                  now=_stamp(submitted, "14:05"))
        flagged = status == "awaiting_review"
        if spec.status in ("awaiting_review", "ready_for_decision") and \
                flagged != (spec.status == "awaiting_review"):
            raise RuntimeError(f"{reference} went to {status}, not {spec.status}")

        if spec.status == "returned":
            lifecycle.move(db, lifecycle.fresh(db, decision_id), "return", "governance",
                           ACTOR, changes={"reason": spec.reason}, now=_stamp(reviewed, "16:30"))
            return decision_id
        if spec.status == "withdrawn":
            lifecycle.move(db, lifecycle.fresh(db, decision_id), "withdraw", "secretary",
                           ACTOR, changes={"reason": spec.reason}, now=_stamp(reviewed, "16:30"))
            return decision_id
        if spec.status in ("awaiting_review", "ready_for_decision"):
            return decision_id

        if flagged:
            self.review(spec, decision_id, reviewed)
        if spec.status in ("decided", "published"):
            self.decide(spec, decision_id, self.past(meeting + dt.timedelta(days=1)))
        if spec.status in ("decided", "published"):
            from_notice = self.notices(spec, decision_id, meeting)
        if spec.status == "published":
            published = self.past(meeting + dt.timedelta(days=15))
            where = f"https://www.find-tender.service.gov.uk/Notice/{spec_notice(spec)}"
            if from_notice is not None:
                # The award confirmation notice says where and when the award was published.
                where, published = from_notice
            lifecycle.move(db, lifecycle.fresh(db, decision_id), "publish", "secretary",
                           ACTOR, changes={"award_published_where": where},
                           extra={"award_published_where": where,
                                  "award_published_on": published.isoformat()},
                           now=_stamp(published, "10:10"))
        return decision_id

    def modify(self, change: DemoModification) -> None:
        """Record a contract modification, as the modification form would after its checks."""
        db = self.db
        row = db.execute("SELECT id, total_value_pence, contract_end FROM decisions"
                         " WHERE title = ?", [change.title]).fetchone()
        decision_id, original, _end = row
        before = modification_rules.current_value(original, contract_modifications.load_for(
            db, [decision_id])[decision_id])
        new_end = None
        if change.ends_in_months is not None:
            new_end = add_months(self.base, change.ends_in_months).replace(day=1) \
                - dt.timedelta(days=1)
        problem = modification_rules.ground_problem(change.ground, original, before,
                                                    change.value_after, new_end is not None)
        if problem:
            raise ValueError(f"Demo modification of {change.title}: {problem}")
        day = self.ago(change.days_ago)
        contract_modifications.add(db, decision_id, modification_rules.Modification(
            day, change.what_changed, before, change.value_after, new_end, change.ground),
            ACTOR, now=_stamp(day, "14:00"))
    def notices(self, spec: DemoDecision, decision_id: int,
                meeting: dt.date) -> tuple[str, dt.date] | None:
        """A PSR decision's notices: the intention to award and its standstill (one competitive
        process with a representation answered), then the award confirmation notice; a decided
        decision's notice published three working days ago is still in its standstill. Returns
        where and when the award was published, or None."""
        db = self.db
        rec = record.load_record(db, decision_id)
        if rec is None or rec.regime != "psr" or not notice_store.has_award(rec):
            return None
        if spec.status == "decided" and spec.process != "direct_award_c":
            return None  # decided, its intention to award notice not yet published
        where = f"https://www.find-tender.service.gov.uk/Notice/{spec_notice(spec)}"
        if rec.has_standstill:
            intention_on = add_working_days(meeting, 1)
            if spec.status == "decided":
                intention_on = self.base
                for _ in range(5):
                    intention_on -= dt.timedelta(days=1)
                    while not is_working_day(intention_on):
                        intention_on -= dt.timedelta(days=1)
            notice_store.record_notice(
                db, rec, "intention", published_on=intention_on,
                published_where=where + "-INTENT", reference=spec_notice(spec) + "-I",
                today=self.base, actor=ACTOR, now=_stamp(intention_on, "09:30"))
            if spec.status == "decided":
                return None
            rec = record.load_record(db, decision_id)
            assert rec is not None
            if spec.representation:
                provider, summary, response = spec.representation
                received = add_working_days(intention_on, 3)
                rep_id = notice_store.record_representation(
                    db, rec, received_on=received, provider_name=provider,
                    summary=summary, today=self.base, actor=ACTOR,
                    now=_stamp(received, "16:00"))
                responded = add_working_days(received, 2)
                rec = record.load_record(db, decision_id)
                assert rec is not None
                notice_store.respond(
                    db, rec, rep_id, response=response, responded_on=responded,
                    today=self.base, actor=ACTOR)
                rec = record.load_record(db, decision_id)
                assert rec is not None
            award_on = add_working_days(standstill.standstill_end(intention_on), 1)
        else:
            award_on = add_working_days(meeting, 1)
        notice_store.record_notice(db, rec, "award", published_on=award_on,
                                   published_where=where, reference=spec_notice(spec),
                                   today=self.base, actor=ACTOR, now=_stamp(award_on, "09:30"))
        return where, award_on

    def review(self, spec: DemoDecision, decision_id: int, day: dt.date) -> None:
        """Rule on each conflicted person, escalate if the meeting is inquorate, sign off."""
        db = self.db
        wanted = {self.people[key]: ruling for key, ruling in spec.review.rulings.items()}
        exceptions = {self.people[key]: words for key, words in spec.review.exceptions.items()}
        wanted_matches = {self.people[key]: what for key, what in spec.review.matches.items()}
        review = review_queries.load_review(db, lifecycle.fresh(db, decision_id))
        matches = {}
        for group in review.match_groups():
            what = wanted_matches[group["person_id"]]
            matches[(group["person_id"], group["interest_id"])] = (
                {"outcome": "confirm", "reason": ""} if what == "confirm"
                else {"outcome": "dismiss", "reason": what})
        confirmed = {key for key, chosen in matches.items() if chosen["outcome"] == "confirm"}
        selections = {}
        for person in review.people(confirmed):
            person_id = person["person_id"]
            chosen = {"ruling": wanted.get(person_id, person["proposal"])}
            if person_id in exceptions:
                reason, mitigation = exceptions[person_id]
                if exception_problem(reason, mitigation):
                    raise RuntimeError(exception_problem(reason, mitigation))
                chosen.update(is_exception=True, exception_reason=reason,
                              exception_mitigation=mitigation)
            selections[person_id] = chosen
        records.save_rulings(db, review, selections, matches, self.lead.id, ACTOR,
                             now=_stamp(day, "11:20"))

        if spec.review.escalation:
            self.escalate(spec, decision_id, _stamp(day, "11:25"))
            if spec.status == "escalated":
                return
        self.sign_off(decision_id, _stamp(day, "11:30"))

    def escalate(self, spec: DemoDecision, decision_id: int, now: str) -> None:
        db = self.db
        current = lifecycle.fresh(db, decision_id)
        review = review_queries.load_review(db, current)
        rulings = {pid: row["ruling"] for pid, row in review.rulings.items()}
        if review.quorum(rulings).quorate:
            raise RuntimeError(f"Demo decision {spec.title!r} is quorate: nothing to escalate")
        kind, *rest = spec.review.escalation
        chosen = [self.people[key] for key in
                  ([person for person, _ in rest] if kind == "co_opt" else rest)]
        outsiders = review_queries.conflicts_for_people(
            db, decision_id, [p for p in chosen if p not in review.participants])
        if kind == "co_opt":
            pairs = [(self.people[person], category) for person, category in rest]
            details: dict[str, Any] = {"co_opted": [
                {"person_id": self.people[person], "name": self.names[person],
                 "category": category, "category_label": dict(review_queries.CATEGORY_CHOICES)[
                     category]} for person, category in rest]}
            problem = escalation_problem(
                kind, {"co_opted": pairs}, rule=review.rule,
                voting_members=review.voting_members(), rulings=rulings,
                present=review.present(), conflicted_ids=set(rulings) | set(outsiders),
                names=self.names_by_id())
        else:
            chair, officer = rest
            details = {"chair_id": self.people[chair], "chair_name": self.names[chair],
                       "accountable_officer_id": self.people[officer],
                       "accountable_officer_name": self.names[officer]}
            problem = escalation_problem(kind, details,
                                         conflicted_ids=set(rulings) | set(outsiders),
                                         names=self.names_by_id())
        if problem:
            raise RuntimeError(f"Demo decision {spec.title!r}: {problem}")
        lifecycle.move(db, current, "escalate", "governance", ACTOR, quorate=False,
                       escalation=kind, changes={"escalation": kind}, now=now)
        records.record_escalation(db, lifecycle.fresh(db, decision_id), kind, details,
                                  self.lead.id, ACTOR, now=now)

    def names_by_id(self) -> dict[int, str]:
        return {self.people[key]: name for key, name in self.names.items()}

    def sign_off(self, decision_id: int, now: str) -> None:
        """Sign off as the view does: the statement is built from the rulings just saved."""
        db = self.db
        current = lifecycle.fresh(db, decision_id)
        review = review_queries.load_review(db, current)
        problem = signoff.signer_problem(review, self.lead, db)
        if problem:
            raise RuntimeError(f"{current['reference']}: {problem}")
        statement, quorum, _people = signoff.stored_statement(review, self.lead.display_name,
                                                              self.lead.role)
        lifecycle.sign_off(db, current, user=self.lead, role=self.lead.role,
                           role_label=ROLE_LABELS[self.lead.role], statement=statement,
                           quorate=quorum.quorate, escalation=review.escalation, now=now)

    def decide(self, spec: DemoDecision, decision_id: int, day: dt.date) -> None:
        """Record the outcome: who was in the room, the votes (within the rulings), breaches."""
        db = self.db
        current = lifecycle.fresh(db, decision_id)
        rulings = {r["person_id"]: r["ruling"] for r in db.query(
            "SELECT person_id, ruling FROM decision_rulings WHERE decision_id = ?",
            [decision_id])}
        escalation = review_queries.current_escalation(db, decision_id)
        co_opted = review_queries.co_opted(escalation)
        names = self.names_by_id()
        against = {self.people[key] for key in spec.outcome.against}
        abstain = {self.people[key] for key in spec.outcome.abstain}
        anyway = {self.people[key] for key in spec.outcome.present_anyway}
        attendance, breaches = [], []
        left = {self.people[key]: (at, stage, back or None)
                for key, at, stage, back in spec.outcome.left}
        totals = {"for": len(co_opted), "against": 0, "abstain": 0}
        for row in db.query("SELECT person_id, role FROM decision_participants"
                            " WHERE decision_id = ? ORDER BY person_id", [decision_id]):
            person_id = row["person_id"]
            ruling = rulings.get(person_id)
            present = may_be_present(ruling) or person_id in anyway
            vote = None
            if row["role"] == "voting" and present and may_vote(ruling):
                vote = ("against" if person_id in against
                        else "abstain" if person_id in abstain else "for")
                if vote_problem(person_id, rulings, names):
                    raise RuntimeError(vote_problem(person_id, rulings, names))
                totals[vote] += 1
            if present:
                detail = attendance_breach(person_id, rulings, names)
                if detail:
                    breaches.append((person_id, detail))
            # Co-opted members are not participants, so their votes are counted in the
            # totals and no one's vote is recorded one by one.
            at, stage, back = left.get(person_id, (None, None, None))
            if at and (present or vote):
                raise RuntimeError(f"{names.get(person_id)} left before the vote but is "
                                   f"recorded as present or voting")
            attendance.append({"person_id": person_id, "present": int(present),
                               "vote": None if co_opted else vote,
                               "proxy_for_person_id": None, "left_at": at,
                               "left_stage": stage, "returned_at": back})
        refused = []
        for whose, offered_to, reason in spec.outcome.refused_proxies:
            for_id, to_id = self.people[whose], self.people[offered_to]
            reason = reason or proxy_vote_problem(to_id, for_id, rulings, names)
            if not reason:
                raise RuntimeError(f"{whose}: a refused proxy needs a reason")
            refused.append({"for_person_id": for_id, "offered_to_person_id": to_id,
                            "reason": reason})
        values = {"outcome": spec.choice,
                  "awarded_provider_id": self.orgs[spec.awarded] if spec.awarded else None,
                  "votes_for": totals["for"], "votes_against": totals["against"],
                  "votes_abstaining": totals["abstain"], "notes": spec.outcome.notes}
        lifecycle.record_outcome(db, current, values, attendance, breaches,
                                 self.users["secretary"], ACTOR, refused_proxies=refused,
                                 now=_stamp(day, "15:45"))


def load_decisions(db: Database, base: dt.date, *, orgs: dict[str, int],
                   people: dict[str, int], users: dict[str, int],
                   add_interest: Callable[[DemoInterest, str | None], int],
                   counts: dict[str, int], path: Path = DECISIONS_FILE) -> None:
    """Write the demo decisions of decisions.toml and their histories, then the interests
    declared after them.

    Runs inside the demo's write transaction; flags are stored current when it returns.
    """
    data = read_decisions(path)
    loader = _Loader(db, base, orgs, people, users, data)
    for spec in sorted(data.decisions, key=lambda s: (loader.meeting_day(s), s.title)):
        loader.load(spec)
        counts["decisions"] = counts.get("decisions", 0) + 1
    for change in data.modifications:
        loader.modify(change)
        counts["contract modifications"] = counts.get("contract modifications", 0) + 1
    for days_ago, interest in data.late_interests:
        stamp = _stamp(loader.ago(days_ago), "12:00")
        # Through the interests pages' store function, which brings the decisions its holder
        # takes part in up to date: any sign-off whose conflicts it changes is void at that moment.
        add_interest(interest, stamp)

