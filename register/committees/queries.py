"""Reading and writing committees and their members."""
from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from .. import audit
from ..db import write_transaction
from ..decisions import lifecycle
from ..editing import create_audited, update_versioned
from ..listing import Page, like_pattern, order_clause, paginate
from ..rules import reviewers as reviewer_rules
from ..rules.quorum import CATEGORIES as QUORUM_CATEGORIES
from ..rules.quorum import QuorumRule
from ..timeutil import utcnow_iso

ROLES = {"chair": "Chair", "vice_chair": "Vice-chair", "member": "Member"}
CATEGORIES = {"gp": "GP", "lay": "Lay member", "executive": "Executive", "other": "Other"}
POLICIES = {
    "discuss_not_vote": "May take part in the discussion but not vote",
    "leave": "Must leave the meeting for the item",
}

COMMITTEE_SORTS = {
    "name": "committees.name COLLATE NOCASE",
    "members": "member_count",
}

EDITABLE = ("name", "quorum_min_voting", "quorum_min_gp", "quorum_min_lay",
            "quorum_min_executive", "quorum_min_other", "common_interest_policy")


def quorum_rule(committee: dict[str, Any]) -> QuorumRule:
    """A committee's quorum as the pure rule the conflict checks use."""
    return QuorumRule(committee["quorum_min_voting"],
                      {c: committee[f"quorum_min_{c}"] for c in QUORUM_CATEGORIES
                       if committee[f"quorum_min_{c}"]})


def list_committees(db: Database, *, q: str = "", sort: str = "name", direction: str = "asc",
                    page: int = 1, page_size: int = 25) -> tuple[Page, str, str]:
    """Committees matching the filter, one page, with member counts."""
    where, params = "", {}
    if q:
        where, params = " WHERE committees.name LIKE :q ESCAPE '\\'", {"q": like_pattern(q)}
    select = ("SELECT committees.*, (SELECT COUNT(*) FROM committee_members"
              " WHERE committee_members.committee_id = committees.id) AS member_count")
    order, sort, direction = order_clause(COMMITTEE_SORTS, sort, direction, "committees.id")
    result = paginate(db, select, "FROM committees" + where, params, order, page, page_size)
    return result, sort, direction


def get_committee(db: Database, committee_id: int) -> dict[str, Any] | None:
    """One committee, or None."""
    return next(iter(db.query("SELECT * FROM committees WHERE id = ?", [committee_id])), None)


def find_by_name(db: Database, name: str) -> dict[str, Any] | None:
    """The committee with this name, ignoring case, or None."""
    return next(iter(db.query("SELECT * FROM committees WHERE name = ? COLLATE NOCASE", [name])),
                None)


def members_of(db: Database, committee_id: int) -> list[dict[str, Any]]:
    """A committee's members: chair, then vice-chair, then the rest by name."""
    return list(db.query(
        "SELECT committee_members.*, people.name AS person_name, people.positions"
        " FROM committee_members JOIN people ON people.id = committee_members.person_id"
        " WHERE committee_members.committee_id = ?"
        " ORDER BY CASE committee_members.role WHEN 'chair' THEN 0 WHEN 'vice_chair' THEN 1"
        " ELSE 2 END, people.name COLLATE NOCASE", [committee_id]))


def get_member(db: Database, member_id: int) -> dict[str, Any] | None:
    """One membership with the person's name, or None."""
    return next(iter(db.query(
        "SELECT committee_members.*, people.name AS person_name FROM committee_members"
        " JOIN people ON people.id = committee_members.person_id"
        " WHERE committee_members.id = ?", [member_id])), None)


def member_row(db: Database, member_id: int) -> dict[str, Any] | None:
    """The stored membership row alone, as the audit trail records it."""
    return next(iter(db.query("SELECT * FROM committee_members WHERE id = ?", [member_id])), None)


def holder_of(db: Database, committee_id: int, role: str) -> dict[str, Any] | None:
    """Who holds a role (chair or vice-chair) on a committee, or None."""
    return next(iter(db.query(
        "SELECT committee_members.*, people.name AS person_name FROM committee_members"
        " JOIN people ON people.id = committee_members.person_id"
        " WHERE committee_members.committee_id = ? AND committee_members.role = ?",
        [committee_id, role])), None)


def is_member(db: Database, committee_id: int, person_id: int) -> bool:
    """Whether a person already sits on the committee."""
    return db.execute("SELECT 1 FROM committee_members WHERE committee_id = ? AND person_id = ?",
                      [committee_id, person_id]).fetchone() is not None


def people_not_on(db: Database, committee_id: int) -> list[dict[str, Any]]:
    """People who could be added to the committee."""
    return list(db.query(
        "SELECT id, name, email FROM people WHERE id NOT IN"
        " (SELECT person_id FROM committee_members WHERE committee_id = ?)"
        " ORDER BY name COLLATE NOCASE", [committee_id]))


def voting_strength(members: list[dict[str, Any]]) -> dict[str, int]:
    """How many voting members the committee has, in all and per category."""
    counts = {"total": 0, **{c: 0 for c in QUORUM_CATEGORIES}}
    for member in members:
        if member["voting"]:
            counts["total"] += 1
            counts[member["category"]] += 1
    return counts


def create_committee(db: Database, data: dict[str, Any], actor: str) -> int:
    """Insert a committee and audit it; returns its id."""
    return create_audited(db, "committees", "committee", {key: data[key] for key in EDITABLE},
                          actor, get_committee)


def update_committee(db: Database, committee_id: int, version: int, data: dict[str, Any],
                     actor: str) -> bool:
    """Save an edit made from the given version; False if someone else saved first."""
    return update_versioned(db, "committees", "committee", committee_id, version,
                            {key: data[key] for key in EDITABLE}, actor, get_committee,
                            then=lambda db: lifecycle.refresh_affected(
                                db, actor=actor, committees=[committee_id]))


class RoleTaken(Exception):
    """Another member already holds the chair or vice-chair."""


def _check_role_free(db: Database, committee_id: int, role: str, member_id: int | None) -> None:
    if role == "member":
        return
    holder = holder_of(db, committee_id, role)
    if holder and holder["id"] != member_id:
        raise RoleTaken(holder["person_name"])


def add_member(db: Database, committee_id: int, data: dict[str, Any], actor: str) -> int:
    """Add a person to a committee and audit it; returns the membership id."""
    row = {"committee_id": committee_id, "person_id": data["person_id"], "role": data["role"],
           "category": data["category"], "voting": data["voting"], "created_at": utcnow_iso()}
    with write_transaction(db):
        # Checked again under the write lock: two secretaries may appoint a chair at once.
        _check_role_free(db, committee_id, data["role"], None)
        member_id = db["committee_members"].insert(row).last_pk
        audit.record(db, actor=actor, action="create", entity="committee_member",
                     entity_id=member_id, after=member_row(db, member_id))
    return member_id


def update_member(db: Database, member_id: int, original: dict[str, Any], data: dict[str, Any],
                  actor: str) -> bool:
    """Change a member's role, category or vote, if nobody changed them since `original`."""
    with write_transaction(db):
        before = member_row(db, member_id)
        if before is None or any(before[k] != original[k] for k in ("role", "category", "voting")):
            return False
        _check_role_free(db, before["committee_id"], data["role"], member_id)
        db.execute("UPDATE committee_members SET role = ?, category = ?, voting = ? WHERE id = ?",
                   [data["role"], data["category"], data["voting"], member_id])
        audit.record(db, actor=actor, action="update", entity="committee_member",
                     entity_id=member_id, before=before, after=member_row(db, member_id))
    return True


def remove_member(db: Database, member_id: int, actor: str) -> bool:
    """Take a person off a committee and audit it; False if already gone."""
    with write_transaction(db):
        before = member_row(db, member_id)
        if before is None:
            return False
        db.execute("DELETE FROM committee_members WHERE id = ?", [member_id])
        audit.record(db, actor=actor, action="delete", entity="committee_member",
                     entity_id=member_id, before=before)
    return True


# ---- the independent reviewer (rules/reviewers.py) -------------------------------------------

class NotEligible(Exception):
    """The account may not be named the committee's independent reviewer; the message says why."""


def _accounts(db: Database, where: str, params: list[Any]) -> list[dict[str, Any]]:
    return list(db.query(
        "SELECT users.id, users.username, users.role, users.person_id, users.active,"
        " people.name FROM users LEFT JOIN people ON people.id = users.person_id"
        f" WHERE {where} ORDER BY people.name COLLATE NOCASE, users.username COLLATE NOCASE",
        params))


def independent_reviewer_choices(db: Database) -> list[dict[str, Any]]:
    """The accounts a committee may name as its independent reviewer, by name."""
    return [row for row in _accounts(db, "users.active = 1", [])
            if reviewer_rules.independent_reviewer_problem(
                row["role"], row["person_id"], bool(row["active"])) is None]


def independent_reviewer_of(db: Database, committee: dict[str, Any]) -> dict[str, Any] | None:
    """The account the committee names as its independent reviewer (with its person's name)."""
    user_id = committee.get("independent_reviewer_user_id")
    if user_id is None:
        return None
    return next(iter(_accounts(db, "users.id = ?", [user_id])), None)


def independent_reviewer_problem(db: Database, committee: dict[str, Any]) -> str | None:
    """Why the account the committee names may no longer review (role changed, switched off,
    unlinked), or None."""
    row = independent_reviewer_of(db, committee)
    if row is None:
        return None
    return reviewer_rules.independent_reviewer_problem(row["role"], row["person_id"],
                                                       bool(row["active"]))


def set_independent_reviewer(db: Database, committee_id: int, version: int,
                             user_id: int | None, actor: str) -> bool:
    """Name (or, with None, clear) the committee's independent reviewer and audit it; False if
    someone else changed the committee first. Raises NotEligible for an account that may not be
    named (checked again under the write lock)."""
    with write_transaction(db):
        if user_id is not None:
            row = next(iter(_accounts(db, "users.id = ?", [user_id])), None)
            problem = "Choose an account from the list" if row is None else \
                reviewer_rules.independent_reviewer_problem(row["role"], row["person_id"],
                                                            bool(row["active"]))
            if problem:
                raise NotEligible(problem)
        return update_versioned(db, "committees", "committee", committee_id, version,
                                {"independent_reviewer_user_id": user_id}, actor, get_committee)
