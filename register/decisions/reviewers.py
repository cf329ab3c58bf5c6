"""Who must review each decision: the stored facts handed to the rule in rules/reviewers.py.

One query gathers, for any number of decisions, who wrote each one, its clinical lead and
contract manager, the people taking part, the people conflicted (a conflict flag, or a possible
name match not dismissed), the governance lead accounts and the committee's independent reviewer;
the rule then says who reviews it. The review page, the queue, the decision page, the check page
and the home page all ask here, so they name the same reviewer.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from ..rules import reviewers
from ..rules.reviewers import Account, Parties, Route

# The statuses in which a decision waits on its reviewer.
WAITING = ("awaiting_review", "escalated", "awaiting_ratification")


def _in(values: Iterable[Any]) -> str:
    return ", ".join("?" for _ in values)


def account_of(user: Any) -> Account:
    """A signed-in user (or any object with id, display_name, role, person_id) as the rule's
    Account."""
    return Account(user.id, getattr(user, "display_name", "") or "", user.role,
                   getattr(user, "person_id", None))


def _account(row: dict[str, Any]) -> Account:
    return Account(row["id"], row["name"] or row["username"], row["role"], row["person_id"],
                   bool(row["active"]))


_ACCOUNT_SELECT = ("SELECT users.id, users.username, users.role, users.person_id, users.active,"
                   " people.name FROM users LEFT JOIN people ON people.id = users.person_id")


def governance_leads(db: Database) -> list[Account]:
    """Every active governance lead account."""
    return [_account(r) for r in db.query(
        _ACCOUNT_SELECT + " WHERE users.role = 'governance' AND users.active = 1"
        " ORDER BY people.name COLLATE NOCASE, users.id")]


def account(db: Database, user_id: int | None) -> Account | None:
    """One account as the rule's Account, or None."""
    if user_id is None:
        return None
    row = next(iter(db.query(_ACCOUNT_SELECT + " WHERE users.id = ?", [user_id])), None)
    return _account(row) if row else None


def parties_of(db: Database, decision_ids: list[int]) -> dict[int, Parties]:
    """Who wrote, leads, takes part in and is conflicted on each decision, by decision id."""
    if not decision_ids:
        return {}
    ids = list(decision_ids)
    participants: dict[int, set[int]] = {i: set() for i in ids}
    for row in db.execute(f"SELECT decision_id, person_id FROM decision_participants"
                          f" WHERE decision_id IN ({_in(ids)})", ids):
        participants[row[0]].add(row[1])
    conflicted: dict[int, set[int]] = {i: set() for i in ids}
    for row in db.execute(
            "SELECT f.decision_id, f.person_id FROM decision_flags f"
            f" WHERE f.decision_id IN ({_in(ids)}) AND f.person_id IS NOT NULL"
            " AND (f.severity = 'conflict' OR (f.severity = 'possible' AND NOT EXISTS ("
            "SELECT 1 FROM match_resolutions m WHERE m.decision_id = f.decision_id"
            " AND m.person_id = f.person_id"
            " AND m.interest_id = json_extract(f.evidence, '$.interest_id')"
            " AND m.outcome = 'dismissed')))", ids):
        conflicted[row[0]].add(row[1])
    result = {}
    for row in db.query(
            "SELECT decisions.id, decisions.author_user_id, users.person_id AS author_person_id,"
            " decisions.clinical_lead_id, decisions.contract_manager_id FROM decisions"
            " LEFT JOIN users ON users.id = decisions.author_user_id"
            f" WHERE decisions.id IN ({_in(ids)})", ids):
        result[row["id"]] = Parties(
            author_user_id=row["author_user_id"], author_person_id=row["author_person_id"],
            clinical_lead_id=row["clinical_lead_id"],
            contract_manager_id=row["contract_manager_id"],
            participant_ids=frozenset(participants[row["id"]]),
            conflicted_ids=frozenset(conflicted[row["id"]]))
    return result


def routes_for(db: Database, decision_ids: Iterable[int]) -> dict[int, Route]:
    """Who must review each of these decisions, by decision id (one set of queries for all)."""
    ids = sorted(set(decision_ids))
    if not ids:
        return {}
    parties = parties_of(db, ids)
    leads = governance_leads(db)
    committees = {r["id"]: r for r in db.query(
        "SELECT decisions.id, committees.name, committees.independent_reviewer_user_id"
        " FROM decisions JOIN committees ON committees.id = decisions.committee_id"
        f" WHERE decisions.id IN ({_in(ids)})", ids)}
    named: dict[int, Account | None] = {}
    routes = {}
    for decision_id in ids:
        committee = committees.get(decision_id)
        if committee is None:
            continue
        user_id = committee["independent_reviewer_user_id"]
        if user_id not in named:
            named[user_id] = account(db, user_id)
        routes[decision_id] = reviewers.who_may_review(leads, named[user_id],
                                                       parties[decision_id], committee["name"])
    return routes


def route_for(db: Database, decision_id: int) -> Route | None:
    """Who must review one decision, or None if there is no such decision."""
    return routes_for(db, [decision_id]).get(decision_id)


def review_problem(db: Database, decision_id: int, user: Any) -> str | None:
    """Why this user may not review (rule, escalate, return, sign off) the decision, or None."""
    route = route_for(db, decision_id)
    if route is None:
        return reviewers.ONLY_GOVERNANCE
    problem = reviewers.review_problem(route, account_of(user),
                                       parties_of(db, [decision_id])[decision_id])
    if problem and problem != reviewers.ONLY_GOVERNANCE and problem != reviewers.NOT_ROUTED:
        # Say who reviews it instead, so a refused reviewer knows nothing is stuck (or who can
        # unstick it).
        problem = f"{problem}. {route.reason}"
    return problem


def acting_role(db: Database, decision_id: int, user: Any) -> str:
    """The role in which this user reviews the decision: theirs, or the independent reviewer's."""
    route = route_for(db, decision_id)
    return reviewers.acting_role(route, account_of(user)) if route else user.role


def is_routed_to(db: Database, decision_id: int, user: Any) -> bool:
    """Whether the decision is routed to this user as the committee's independent reviewer."""
    route = route_for(db, decision_id)
    return route is not None and route.kind == reviewers.INDEPENDENT and \
        route.reviewers[0].user_id == user.id


def routed_to(db: Database, user: Any) -> list[dict[str, Any]]:
    """The decisions waiting on this user as a committee's independent reviewer, oldest first."""
    rows = list(db.query(
        "SELECT decisions.id, decisions.reference, decisions.title, decisions.status,"
        " decisions.meeting_date, decisions.submitted_at, committees.name AS committee_name"
        " FROM decisions JOIN committees ON committees.id = decisions.committee_id"
        " WHERE committees.independent_reviewer_user_id = ?"
        f" AND decisions.status IN ({_in(WAITING)})"
        " ORDER BY decisions.submitted_at IS NULL, decisions.submitted_at, decisions.id",
        [user.id, *WAITING]))
    routes = routes_for(db, [r["id"] for r in rows])
    return [row for row in rows if routes.get(row["id"]) is not None
            and routes[row["id"]].kind == reviewers.INDEPENDENT
            and routes[row["id"]].reviewers[0].user_id == user.id]

