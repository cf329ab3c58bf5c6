"""Reading what a governance review needs: the queue, a decision's conflicts, rulings, matches,
escalation and sign-off, and the people a referral or co-option would bring in."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlite_utils import Database

from ..committees.queries import quorum_rule
from ..db import one
from ..decisions import access, flagging, lifecycle, record
from ..decisions.record import co_opted, short_reason
from ..listing import Page, paginate
from ..rules import conflicts as conflict_rules
from ..rules.dates import iso_date
from ..rules.quorum import CATEGORIES, QuorumResult, QuorumRule
from ..rules.rulings import presiding_member, propose_ruling, scheme_practices
from ..rules.working_days import is_overdue, working_days_between
from ..timeutil import UK

QUEUE_STATUSES = ("awaiting_review", "escalated", "awaiting_ratification")
# The statuses that wait on a governance lead now; a decision awaiting ratification waits on a
# meeting instead (it stays in the queue, and in the count beside the menu link, until ratified).
ACTION_STATUSES = ("awaiting_review", "escalated")


def _in(values: Iterable[Any]) -> str:
    return ", ".join("?" for _ in values)


# ---- the queue -----------------------------------------------------------------------------

def _queue_where(viewer: access.Viewer | None) -> tuple[str, dict[str, Any]]:
    """The FROM and WHERE of the queue, and their parameters: one definition for the rows and
    for the count beside the menu link, so the two cannot disagree."""
    statuses = {f"status{i}": status for i, status in enumerate(QUEUE_STATUSES)}
    readable, params = access.visible(viewer) if viewer is not None else ("1", {})
    return ("FROM decisions JOIN committees ON committees.id = decisions.committee_id"
            f" WHERE decisions.status IN ({', '.join(':' + name for name in statuses)})"
            f" AND {readable}", {**statuses, **params})


def queue_count(db: Database, viewer: access.Viewer | None = None) -> int:
    """How many decisions the queue lists for this viewer: the number beside the menu link."""
    where, params = _queue_where(viewer)
    return db.execute(f"SELECT count(*) {where}", params).fetchone()[0]


def queue(db: Database, today: dt.date, target: int, page: int = 1,
          page_size: int = 25, viewer: access.Viewer | None = None) -> Page:
    """Decisions in the queue, oldest submitted first, with their age in working days; only
    those the viewer may read (see `decisions.access`)."""
    where, params = _queue_where(viewer)
    result = paginate(
        db, "SELECT decisions.id, decisions.reference, decisions.title, decisions.status,"
        " decisions.meeting_date, decisions.submitted_at,"
        " decisions.conflict_count, committees.name AS committee_name",
        where, params,
        "decisions.submitted_at IS NULL, decisions.submitted_at, decisions.id",
        page, page_size)
    rows = result.rows
    _count_name_matches(db, rows)
    for row in rows:
        submitted = uk_date(row["submitted_at"])
        row["age"] = working_days_between(submitted, today) if submitted else 0
        row["overdue"] = bool(submitted) and row["status"] in ACTION_STATUSES and \
            is_overdue(submitted, today, target)
    return result


def _count_name_matches(db: Database, rows: list[dict[str, Any]]) -> None:
    """Add to each queue row the people whose name match was confirmed (they are conflicted
    too) and the people with a match still to confirm or dismiss."""
    ids = [row["id"] for row in rows]
    for row in rows:
        row["possible_count"] = 0
    if not ids:
        return
    confirmed = {r["decision_id"]: r["n"] for r in db.query(
        "SELECT m.decision_id, count(DISTINCT m.person_id) AS n FROM match_resolutions m"
        f" WHERE m.outcome = 'confirmed' AND m.decision_id IN ({_in(ids)})"
        " AND NOT EXISTS (SELECT 1 FROM decision_flags f WHERE f.decision_id = m.decision_id"
        " AND f.person_id = m.person_id AND f.severity = 'conflict')"
        " GROUP BY m.decision_id", ids)}
    waiting = {r["decision_id"]: r["n"] for r in db.query(
        "SELECT f.decision_id, count(DISTINCT f.person_id) AS n FROM decision_flags f"
        f" WHERE f.severity = 'possible' AND f.decision_id IN ({_in(ids)})"
        " AND NOT EXISTS (SELECT 1 FROM match_resolutions m WHERE m.decision_id = f.decision_id"
        " AND m.person_id = f.person_id"
        " AND m.interest_id = json_extract(f.evidence, '$.interest_id'))"
        " GROUP BY f.decision_id", ids)}
    for row in rows:
        row["conflict_count"] += confirmed.get(row["id"], 0)
        row["possible_count"] = waiting.get(row["id"], 0)


def uk_date(stamp: str | None) -> dt.date | None:
    """The UK calendar day of a stored UTC timestamp."""
    if not stamp:
        return None
    moment = dt.datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(UK).date()


# ---- exclusion -----------------------------------------------------------------------------

def ruling_for(db: Database, decision_id: int, person_id: int | None) -> str | None:
    """The ruling recorded on one person for one decision, or None."""
    if person_id is None:
        return None
    row = db.execute("SELECT ruling FROM decision_rulings WHERE decision_id = ? AND person_id = ?",
                     [decision_id, person_id]).fetchone()
    return row[0] if row else None


# ---- one decision under review -------------------------------------------------------------

def get_decision(db: Database, reference: str) -> dict[str, Any] | None:
    """A decision by reference (any case) with its committee and its author's person, or None."""
    return lifecycle.decision_row(db, reference=reference)


@dataclass
class Review:
    """Everything the review page needs about one decision."""

    decision: dict[str, Any]
    committee: dict[str, Any]
    rule: QuorumRule
    flags: list[dict[str, Any]]
    participants: dict[int, dict[str, Any]]
    members: dict[int, dict[str, Any]]
    interests: dict[int, Any]
    rulings: dict[int, dict[str, Any]]
    resolutions: dict[tuple[int, int], dict[str, Any]]
    escalation: dict[str, Any] | None
    sign_off: dict[str, Any] | None
    voided: list[dict[str, Any]]
    names: dict[int, str] = field(default_factory=dict)

    @property
    def flagged(self) -> bool:
        """Whether the decision needs governance review (any flag other than context)."""
        return any(f["severity"] != "context" for f in self.flags)

    @property
    def decision_flags(self) -> list[dict[str, Any]]:
        """The flags about the decision itself, not a person."""
        return [f for f in self.flags if f["person_id"] is None and f["severity"] != "context"]

    def match_groups(self) -> list[dict[str, Any]]:
        """Each possible name match to settle, one per person and interest."""
        groups: dict[tuple[int, int], dict[str, Any]] = {}
        for flag in self.flags:
            if flag["severity"] != "possible" or flag["person_id"] is None:
                continue
            interest_id = flag["evidence"].get("interest_id")
            key = (flag["person_id"], interest_id)
            groups.setdefault(key, {"person_id": flag["person_id"], "interest_id": interest_id,
                                    "name": self.names.get(flag["person_id"], ""),
                                    "flags": [], "resolution": self.resolutions.get(key)})
            groups[key]["flags"].append(flag)
        return list(groups.values())

    def conflicted(self, confirmed: set[tuple[int, int]] | None = None
                   ) -> dict[int, list[conflict_rules.Flag]]:
        """Each conflicted person with their flags, counting confirmed name matches as conflicts.

        `confirmed` is the set of (person, interest) matches confirmed; by default those on record.
        """
        if confirmed is None:
            confirmed = {key for key, row in self.resolutions.items()
                         if row["outcome"] == "confirmed"}
        return record.conflicted_flags(self.flags, confirmed)

    def possible_ids(self) -> set[int]:
        """People with a possible conflict not dismissed (they may not sign off either)."""
        return {g["person_id"] for g in self.match_groups()
                if not (g["resolution"] and g["resolution"]["outcome"] == "dismissed")}

    def proposal(self, person_id: int, flags: list[conflict_rules.Flag]) -> tuple[str, str]:
        """The ruling proposed for one person, with its reason."""
        role = self.participants.get(person_id, {}).get("role", "voting")
        return propose_ruling(flags, self.committee["common_interest_policy"], role,
                              interests=self.interests,
                              scheme_practice_ids=self.scheme_practice_ids())

    def scheme_practice_ids(self) -> set[int]:
        """The member practices named as providers of a scheme offered to every member
        practice (none for other decisions)."""
        return scheme_practices(
            bool(self.decision["offered_to_all_member_practices"]),
            (f["organisation_id"] for f in self.flags
             if f["person_id"] is None and f["rule"] == "PROVIDER_IS_MEMBER_PRACTICE"))

    def people(self, confirmed: set[tuple[int, int]] | None = None) -> list[dict[str, Any]]:
        """The conflicted people in name order, each with flags, proposal and ruling on record."""
        result = []
        for person_id, flags in self.conflicted(confirmed).items():
            proposal, reason = self.proposal(person_id, flags)
            participant = self.participants.get(person_id, {})
            member = self.members.get(person_id)
            result.append({
                "person_id": person_id, "name": self.names.get(person_id, ""),
                "role": participant.get("role", ""),
                "member_role": member["role"] if member else None,
                "category": member["category"] if member else None,
                "flags": flags, "proposal": proposal, "proposal_reason": reason,
                "ruling": self.rulings.get(person_id),
                "reason_words": short_reason(flags),
            })
        return sorted(result, key=lambda p: p["name"].casefold())

    def voting_members(self) -> list[tuple[int, str]]:
        """The committee's voting members and any voting participants, with their categories."""
        return record.voting_members(self.members, self.participants, self.escalation)

    def present(self) -> set[int]:
        """Who is taking part in the item: the participants, and any members co-opted."""
        return record.taking_part(self.participants, self.escalation)

    def quorum(self, rulings: dict[int, str],
               reasons: dict[int, str] | None = None) -> QuorumResult:
        """The quorum counted from the committee's rule with these rulings, by the one count
        the decision's record uses too (so the page, the PDF and the JSON agree)."""
        if reasons is None:
            reasons = {p["person_id"]: p["reason_words"] for p in self.people()}
        return record.count_decision_quorum(self.rule, self.members, self.participants,
                                            self.escalation, rulings, reasons=reasons)

    def presiding(self, rulings: dict[int, str]) -> tuple[int | None, str]:
        """Who takes the item, with why."""
        chair = next((pid for pid, m in self.members.items() if m["role"] == "chair"), None)
        vice = next((pid for pid, m in self.members.items() if m["role"] == "vice_chair"), None)
        return presiding_member(chair, vice, rulings)


def current_escalation(db: Database, decision_id: int) -> dict[str, Any] | None:
    """The escalation that applies now (not superseded), with its details decoded, or None."""
    row = one(db, "SELECT * FROM escalations WHERE decision_id = ? AND superseded_at IS NULL"
                   " ORDER BY id DESC LIMIT 1", [decision_id])
    if row:
        row["details"] = json.loads(row["details"]) if row["details"] else {}
    return row


sign_off_in_force = lifecycle.sign_off_in_force


def voided_sign_offs(db: Database, decision_id: int) -> list[dict[str, Any]]:
    """Sign-offs voided by a later change, newest first."""
    return list(db.query("SELECT * FROM sign_offs WHERE decision_id = ? AND voided_at IS NOT NULL"
                         " ORDER BY id DESC", [decision_id]))


def interests_by_id(db: Database, ids: Iterable[int]) -> dict[int, Any]:
    """The kind of each interest (type, direct or not), by id, as propose_ruling reads them."""
    ids = sorted({i for i in ids if i is not None})
    if not ids:
        return {}
    return {r["id"]: SimpleNamespace(interest_type=r["interest_type"],
                                     is_indirect=bool(r["is_indirect"]))
            for r in db.query(f"SELECT id, interest_type, is_indirect FROM interests"
                              f" WHERE id IN ({_in(ids)})", ids)}


def load_review(db: Database, decision: dict[str, Any]) -> Review:
    """Gather the review of a decision, its flags made current first."""
    decision_id = decision["id"]
    flags = flagging.current_flags(db, decision_id)
    committee = one(db, "SELECT * FROM committees WHERE id = ?", [decision["committee_id"]])
    participants = {r["person_id"]: r for r in db.query(
        "SELECT decision_participants.person_id, decision_participants.role, people.name"
        " FROM decision_participants JOIN people ON people.id = decision_participants.person_id"
        " WHERE decision_participants.decision_id = ?", [decision_id])}
    members = {r["person_id"]: r for r in db.query(
        "SELECT committee_members.person_id, committee_members.role, committee_members.category,"
        " committee_members.voting, people.name FROM committee_members"
        " JOIN people ON people.id = committee_members.person_id"
        " WHERE committee_members.committee_id = ?", [decision["committee_id"]])}
    rulings = {r["person_id"]: r for r in db.query(
        "SELECT * FROM decision_rulings WHERE decision_id = ?", [decision_id])}
    resolutions = {(r["person_id"], r["interest_id"]): r for r in db.query(
        "SELECT * FROM match_resolutions WHERE decision_id = ?", [decision_id])}
    escalation = current_escalation(db, decision_id)
    names = {pid: r["name"] for pid, r in members.items()}
    names.update({pid: r["name"] for pid, r in participants.items()})
    for flag in flags:
        if flag["person_id"] is not None and flag["person_name"]:
            names[flag["person_id"]] = flag["person_name"]
    for person in co_opted(escalation):
        names[person["person_id"]] = person["name"]
    return Review(
        decision=decision, committee=committee, rule=quorum_rule(committee), flags=flags,
        participants=participants, members=members,
        interests=interests_by_id(db, (f["evidence"].get("interest_id") for f in flags)),
        rulings=rulings, resolutions=resolutions, escalation=escalation,
        sign_off=sign_off_in_force(db, decision_id), voided=voided_sign_offs(db, decision_id),
        names=names)


# ---- people for escalations ----------------------------------------------------------------

def people_choices(db: Database) -> list[dict[str, Any]]:
    """Everyone in the register, by name, for choosing co-opted members and chair action."""
    return list(db.query("SELECT id, name FROM people ORDER BY name COLLATE NOCASE, id"))


def people_names(db: Database, ids: Iterable[int]) -> dict[int, str]:
    """Names of some people, by id."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    return {r["id"]: r["name"] for r in db.query(
        f"SELECT id, name FROM people WHERE id IN ({_in(ids)})", ids)}


def committee_by_name(db: Database, name: str) -> dict[str, Any] | None:
    """The committee with this name, ignoring case and extra spaces, or None."""
    return one(db, "SELECT * FROM committees WHERE name = ? COLLATE NOCASE",
                [" ".join((name or "").split())])


def committee_names(db: Database) -> list[str]:
    """Every committee's name, for suggestions."""
    return [r["name"] for r in db.query("SELECT name FROM committees ORDER BY name COLLATE NOCASE")]


def voting_members_of(db: Database, committee_id: int) -> list[dict[str, Any]]:
    """A committee's voting members with their categories and names."""
    return list(db.query(
        "SELECT committee_members.person_id, committee_members.category, people.name"
        " FROM committee_members JOIN people ON people.id = committee_members.person_id"
        " WHERE committee_members.committee_id = ? AND committee_members.voting = 1"
        " ORDER BY people.name COLLATE NOCASE", [committee_id]))




def conflicts_for_people(db: Database, decision_id: int,
                         person_ids: Iterable[int]) -> dict[int, list[conflict_rules.Flag]]:
    """Run the conflict rules on this decision for people who are not taking part in it.

    Used for a committee the decision is referred to and for members to co-opt: they must be
    checked in turn, as things stood on the meeting date. Returns the conflicted ones.
    """
    ids = sorted(set(person_ids))
    facts = flagging.gather_facts(db, decision_id)
    if facts is None or not ids:
        return {}
    people = list(db.query(f"SELECT id, name FROM people WHERE id IN ({_in(ids)})", ids))
    periods = flagging.home_practices_of(db, ids)
    participants = [conflict_rules.Participant(p["id"], p["name"], "voting",
                                               home_practices=periods.get(p["id"], ()))
                    for p in people]
    interests = [
        conflict_rules.Interest(
            id=r["id"], person_id=r["person_id"], organisation_id=r["organisation_id"],
            organisation_name=r["organisation_name"], interest_type=r["interest_type"],
            is_indirect=bool(r["is_indirect"]), associate_relationship=r["associate_relationship"],
            nature=r["nature"], date_from=iso_date(r["date_from"]), date_to=iso_date(r["date_to"]),
            declared_on=iso_date(r["declared_on"]), withdrawn=bool(r["withdrawn"]))
        for r in db.query(f"SELECT * FROM interests WHERE person_id IN ({_in(ids)})", ids)]
    on = facts["decision"].meeting_date
    homes = sorted({home for p in participants
                    if (home := conflict_rules.home_practice_on(p, on)) is not None})
    links = list(facts["links"])
    if homes:
        # Every period of every membership: a practice may have left and rejoined.
        known = set(links)
        links += [link for r in db.query(f"SELECT * FROM organisation_links"
                                         f" WHERE member_id IN ({_in(homes)})", homes)
                  if (link := conflict_rules.OrgLink(r["member_id"], r["parent_id"],
                                                     iso_date(r["date_from"]), iso_date(r["date_to"])))
                  not in known]
    organisations = dict(facts["organisations"])
    wanted = ({i.organisation_id for i in interests if i.organisation_id} | set(homes)
              | {link.parent_id for link in links}) - set(organisations)
    if wanted:
        wanted_ids = sorted(wanted)
        for r in db.query(f"SELECT id, name, kind, ods_code, is_member_practice FROM organisations"
                          f" WHERE id IN ({_in(wanted_ids)})", wanted_ids):
            organisations[r["id"]] = conflict_rules.Organisation(
                r["id"], r["name"], r["kind"], r["ods_code"], bool(r["is_member_practice"]))
    flags = conflict_rules.conflicts_for(facts["decision"], participants, organisations, links,
                                         interests)
    found = conflict_rules.conflicted_people(flags)
    for person_id, possible in conflict_rules.possible_conflicts(flags).items():
        found.setdefault(person_id, []).extend(possible)
    return found


# ---- outcomes ------------------------------------------------------------------------------

def providers_of(db: Database, decision: dict[str, Any]) -> list[dict[str, Any]]:
    """The providers a decision could be awarded to: those proposed, and any already awarded."""
    rows = list(db.query(
        "SELECT organisations.id, organisations.name, organisations.ods_code FROM decision_providers"
        " JOIN organisations ON organisations.id = decision_providers.organisation_id"
        " WHERE decision_providers.decision_id = ? ORDER BY organisations.name COLLATE NOCASE",
        [decision["id"]]))
    if decision["awarded_provider_id"] and all(r["id"] != decision["awarded_provider_id"]
                                                for r in rows):
        extra = one(db, "SELECT id, name, ods_code FROM organisations WHERE id = ?",
                     [decision["awarded_provider_id"]])
        if extra:
            rows.append(extra)
    return rows


CATEGORY_CHOICES = [(c, {"gp": "GP", "lay": "Lay member", "executive": "Executive",
                         "other": "Other"}[c]) for c in CATEGORIES]
