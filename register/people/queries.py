"""Reading and writing people, and the committees they sit on."""
from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from ..db import write_transaction
from ..decisions import lifecycle
from ..editing import create_audited, update_versioned
from ..listing import Page, like_pattern, order_clause, paginate, where_clause
from ..rules.names import person_name_key
from ..timeutil import today_uk
from . import home_practices

PERSON_SORTS = {
    "name": "people.name COLLATE NOCASE",
    "email": "people.email COLLATE NOCASE",
}

EDITABLE = ("name", "email", "positions", "is_decision_maker", "home_practice_id", "birth_month",
            "birth_year")


def list_people(db: Database, *, q: str = "", decision_makers: str = "", sort: str = "name",
                direction: str = "asc", page: int = 1,
                page_size: int = 25) -> tuple[Page, str, str]:
    """People matching the filters, one page, with the sort actually used."""
    where, params = [], {}
    if q:
        where.append("(people.name LIKE :q ESCAPE '\\' OR people.email LIKE :q ESCAPE '\\'"
                     " OR people.positions LIKE :q ESCAPE '\\')")
        params["q"] = like_pattern(q)
    if decision_makers in ("yes", "no"):
        where.append("people.is_decision_maker = :dm")
        params["dm"] = 1 if decision_makers == "yes" else 0
    from_where = ("FROM people LEFT JOIN organisations AS practice"
                  " ON practice.id = " + CURRENT_PRACTICE + where_clause(where))
    params["today"] = today_uk().isoformat()
    order, sort, direction = order_clause(PERSON_SORTS, sort, direction, "people.id")
    result = paginate(db, "SELECT people.*, practice.name AS practice_name", from_where, params,
                      order, page, page_size)
    return result, sort, direction


# The practice a person works in today, from their dated periods (the cached
# people.home_practice_id is only as current as the last write).
CURRENT_PRACTICE = (
    "(SELECT organisation_id FROM home_practices WHERE home_practices.person_id = people.id"
    " AND (date_from IS NULL OR date_from <= :today) AND (date_to IS NULL OR date_to >= :today)"
    " LIMIT 1)")


def get_person(db: Database, person_id: int) -> dict[str, Any] | None:
    """One person with the practice they work in today (its name and code), or None."""
    return next(iter(db.query(
        "SELECT people.*, practice.id AS current_practice_id, practice.name AS practice_name,"
        " practice.ods_code AS practice_code FROM people LEFT JOIN organisations AS practice"
        f" ON practice.id = {CURRENT_PRACTICE} WHERE people.id = :id",
        {"id": person_id, "today": today_uk().isoformat()})), None)


def person_row(db: Database, person_id: int) -> dict[str, Any] | None:
    """The stored row alone, as the audit trail records it."""
    return next(iter(db.query("SELECT * FROM people WHERE id = ?", [person_id])), None)


def find_by_name(db: Database, name: str) -> dict[str, Any] | None:
    """The first person whose name is the same name (`rules.names.person_name_key`), or None."""
    key = person_name_key(name)
    if not key:
        return None
    for row in db.query("SELECT id, name, email FROM people ORDER BY id"):
        if person_name_key(row["name"]) == key:
            return row
    return None


def find_by_email(db: Database, email: str) -> dict[str, Any] | None:
    """The person with this email address, ignoring case, or None."""
    return next(iter(db.query("SELECT * FROM people WHERE email = ? COLLATE NOCASE", [email])),
                None)


def committees_of(db: Database, person_id: int) -> list[dict[str, Any]]:
    """The committees a person sits on, with their role, category and vote."""
    return list(db.query(
        "SELECT committees.id, committees.name, committee_members.role,"
        " committee_members.category, committee_members.voting FROM committee_members"
        " JOIN committees ON committees.id = committee_members.committee_id"
        " WHERE committee_members.person_id = ? ORDER BY committees.name", [person_id]))


def account_of(db: Database, person_id: int) -> dict[str, Any] | None:
    """The account that belongs to a person, if any."""
    return next(iter(db.query("SELECT id, username, role, active FROM users WHERE person_id = ?",
                              [person_id])), None)


def create_person(db: Database, data: dict[str, Any], actor: str) -> int:
    """Insert a person and audit it, with their home practice (if any) as a period with no
    dates; returns their id."""
    with write_transaction(db):
        person_id = create_audited(db, "people", "person", {key: data[key] for key in EDITABLE},
                                   actor, person_row)
        if data.get("home_practice_id"):
            home_practices.set_current(db, person_id, data["home_practice_id"], actor)
    return person_id


def update_person(db: Database, person_id: int, version: int, data: dict[str, Any],
                  actor: str) -> bool:
    """Save an edit made from the given version; False if someone else saved first."""
    return update_versioned(db, "people", "person", person_id, version,
                            {key: data[key] for key in EDITABLE}, actor, person_row,
                            then=lambda db: _after_edit(db, person_id, data, actor))


def _after_edit(db: Database, person_id: int, data: dict[str, Any], actor: str) -> None:
    # The form's home practice corrects the period in force today (a move has its own form).
    home_practices.set_current(db, person_id, data["home_practice_id"], actor)
    lifecycle.refresh_affected(db, actor=actor, people=[person_id])
