"""Two kinds of import that carry history: dated memberships of networks and federations, and dated
home practices. A whole-register export writes every period through them (see export.py), so a
practice that left and rejoined a network, or a GP who moved practice, reads back as it was.

Each row adds one period. A period that ends before it starts, or overlaps another period of the
same practice in the same network (or of the same person's home practices), in the file or in the
register, is refused with its line, and nothing is written.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..rules import csvrows
from ..rules.dates import iso_date
from ..rules.periods import Period, describe, overlaps
from . import parsers
from .parsers import Change, Column, Format, Plan, Register, _date, _now

PARENT_KINDS = ("network", "federation")
REFERENCE_HELP = ("named as in every file: its ODS code, or companies_house:NUMBER, "
                  "charity:NUMBER or name:Its Exact Name")

MEMBERSHIPS_FORMAT = Format(
    "memberships", "Network and federation memberships, with dates",
    "One period of a practice's membership of a network or federation a row, with a header row. "
    "A practice that left and rejoined has one row for each period.",
    (
        Column("member", True, f"The practice (or member organisation), {REFERENCE_HELP}.",
               csvrows.NAME_LIMIT),
        Column("network_or_federation", True, f"The network or federation, {REFERENCE_HELP}.",
               csvrows.NAME_LIMIT),
        Column("date_from", False, "When the membership began (blank means since always)."),
        Column("date_to", False, "When it ended (blank means it continues)."),
    ),
    "member,network_or_federation,date_from,date_to\n"
    "Y90003,companies_house:09990001,2016-04-01,2020-03-31\n"
    "Y90003,companies_house:09990001,2022-04-01,\n"
    "Y90002,name:Northvale Out of Hours Collaborative,2024-01-01,\n",
)

HOME_PRACTICES_FORMAT = Format(
    "home_practices", "Home practices, with dates",
    "One period of a person's home practice a row, with a header row. A GP who moved practice has "
    "one row for each practice.",
    (
        Column("person_email", True, "The person's email. They must already be in the register.",
               csvrows.EMAIL_LIMIT),
        Column("practice", True, f"The GP practice, {REFERENCE_HELP}.", csvrows.NAME_LIMIT),
        Column("date_from", False, "When they started there (blank means since always)."),
        Column("date_to", False, "When they left (blank means they are still there)."),
    ),
    "person_email,practice,date_from,date_to\n"
    "chloe.evans@example.nhs.uk,Y90003,2016-09-01,2021-08-31\n"
    "chloe.evans@example.nhs.uk,Y90001,2021-09-01,\n",
)

WORDS = {"home_practice_period": ("home practice period", "home practice periods")}


def _organisation(plan: Plan, line: int, column: str, text: str,
                  register: Register) -> int | None:
    if not text:
        plan.problem(line, f"Enter the {column}")
        return None
    # One reading of an organisation named in a cell, shared with the decisions file (imported
    # here: the kinds' modules load through parsers).
    from .decisions_kind import _organisation as organisation_in_cell

    return organisation_in_cell(plan, line, column, text, register)


def _dates(plan: Plan, line: int, record: dict[str, str]
           ) -> tuple[bool, dt.date | None, dt.date | None]:
    before = len(plan.problems)
    start = _date(plan, line, "date_from", record.get("date_from", ""), required=False)
    end = _date(plan, line, "date_to", record.get("date_to", ""), required=False)
    if start and end and end < start:
        plan.problem(line, "date_to must be the same as or after date_from")
    return len(plan.problems) == before, start, end


def _clash(new: Period, existing: list[tuple[Period, str]]) -> str | None:
    for period, where in existing:
        if overlaps(period, new):
            return f"it overlaps the period {describe(period)} ({where})"
    return None


def check_memberships(plan: Plan, records: list[tuple[int, dict[str, str]]],
                      register: Register) -> None:
    """Each row a period of one membership; overlaps in the file or with the register refused."""
    held: dict[tuple[int, int], list[tuple[Period, str]]] = {}
    for row in register.db.query("SELECT member_id, parent_id, date_from, date_to"
                                 " FROM organisation_links"):
        held.setdefault((row["member_id"], row["parent_id"]), []).append((Period(
            row["parent_id"], iso_date(row["date_from"]), iso_date(row["date_to"])), "in the register"))
    for line, record in records:
        before = len(plan.problems)
        member = _organisation(plan, line, "member", record["member"], register)
        parent = _organisation(plan, line, "network_or_federation",
                               record["network_or_federation"], register)
        ok, start, end = _dates(plan, line, record)
        if member is None or parent is None or not ok:
            continue
        if register.kinds[parent] not in PARENT_KINDS:
            plan.problem(line, f"network_or_federation: {record['network_or_federation']} is a "
                               f"{register.kinds[parent]}, not a network or federation")
        elif member == parent:
            plan.problem(line, "an organisation cannot be a member of itself")
        if len(plan.problems) > before:
            continue
        period = Period(parent, start, end)
        periods = held.setdefault((member, parent), [])
        if problem := _clash(period, periods):
            plan.problem(line, f"this membership {describe(period)}: {problem}: a practice's "
                               "periods in one network or federation cannot overlap")
            continue
        periods.append((period, f"line {line}"))
        plan.changes.append(Change(line, "organisation_link", "create", {
            "date_from": _iso(start), "date_to": _iso(end), "created_at": _now()},
            refs={"member_id": member, "parent_id": parent}))


def check_home_practices(plan: Plan, records: list[tuple[int, dict[str, str]]],
                         register: Register) -> None:
    """Each row a period of one person's home practice; overlaps refused."""
    held: dict[int, list[tuple[Period, str]]] = {}
    for row in register.db.query("SELECT person_id, organisation_id, date_from, date_to"
                                 " FROM home_practices"):
        held.setdefault(row["person_id"], []).append((Period(
            row["organisation_id"], iso_date(row["date_from"]), iso_date(row["date_to"])),
            "in the register"))
    for line, record in records:
        before = len(plan.problems)
        email = record["person_email"]
        person = register.person_by_email(email) if email else None
        if not email:
            plan.problem(line, "Enter the person_email")
        elif person is None:
            plan.problem(line, f"no person in the register has the email {email}: import or add "
                               "them first")
        practice = _organisation(plan, line, "practice", record["practice"], register)
        ok, start, end = _dates(plan, line, record)
        if practice is not None and register.kinds[practice] != "practice":
            plan.problem(line, f"practice: {record['practice']} is a {register.kinds[practice]}, "
                               "not a GP practice")
        if len(plan.problems) > before or not ok or person is None or practice is None:
            continue
        period = Period(practice, start, end)
        periods = held.setdefault(person["id"], [])
        if problem := _clash(period, periods):
            plan.problem(line, f"this home practice {describe(period)}: {problem}: one person's "
                               "home practice periods cannot overlap")
            continue
        periods.append((period, f"line {line}"))
        plan.changes.append(Change(line, "home_practice_period", "create", {
            "organisation_id": practice, "date_from": _iso(start), "date_to": _iso(end)},
            refs={"person_id": person["id"]}))




def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def write_home_practice_period(db: Any, values: dict[str, Any], actor: str) -> int:
    """Write one checked home practice period (the writer calls this)."""
    from ..people.home_practices import insert_period

    return insert_period(db, values["person_id"], values["organisation_id"],
                         iso_date(values["date_from"]), iso_date(values["date_to"]), actor)


# The framework finds each kind through these tables (parsers.py imports this module).
parsers.FORMATS["memberships"] = MEMBERSHIPS_FORMAT
parsers.FORMATS["home_practices"] = HOME_PRACTICES_FORMAT
parsers.CHECKS["memberships"] = check_memberships
parsers.CHECKS["home_practices"] = check_home_practices
parsers.ENTITY_WORDS.update(WORDS)
