"""Reads and writes for the register of interests: the one storage layer its views use."""
from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlite_utils import Database

from .. import audit, notifications
from ..campaigns.queries import unanswered_campaigns
from ..db import get_db, write_transaction
from ..decisions import lifecycle
from ..editing import STALE_MESSAGE as STALE_MESSAGE  # re-exported for the views
from ..listing import Page, like_pattern
from ..organisations import identity
from ..rules import interests as rules
from ..timeutil import today_uk, utcnow_iso

# What a person sees in the "Type" column, and what the filter offers.
TYPE_LABELS = rules.INTEREST_TYPES

# The columns a user may sort the register by: the only SQL that ever reaches ORDER BY.
SORT_COLUMNS = {
    "person": "people.name COLLATE NOCASE",
    "organisation": "organisation_display COLLATE NOCASE",
    "type": "interests.interest_type",
    "indirect": "interests.is_indirect",
    "date_from": "interests.date_from",
    "date_to": "coalesce(interests.date_to, '9999-12-31')",
    "declared_on": "interests.declared_on",
    "late": "julianday(interests.declared_on) - julianday(interests.date_from)",
}

STATUS_FILTERS = {
    "": "All declarations",
    "current": "Current",
    "ended": "Ended",
    "withdrawn": "Withdrawn",
}

INTEREST_SQL = """
SELECT interests.*,
       people.name AS person_name,
       people.is_decision_maker AS person_is_decision_maker,
       organisations.name AS linked_organisation_name,
       coalesce(organisations.name, interests.organisation_name) AS organisation_display,
       recorder.username AS recorder_username,
       recorder_person.name AS recorder_name
FROM interests
JOIN people ON people.id = interests.person_id
LEFT JOIN organisations ON organisations.id = interests.organisation_id
LEFT JOIN users AS recorder ON recorder.id = interests.recorded_by_user_id
LEFT JOIN people AS recorder_person ON recorder_person.id = recorder.person_id
"""

# Fields of an interest that a declaration or an edit sets.
EDITABLE_FIELDS = (
    "organisation_id", "organisation_name", "organisation_business", "interest_type",
    "is_indirect", "associate_relationship", "nature", "date_from", "date_to", "mitigation",
    "consent_to_publish", "withheld_reason",
)


class StaleVersion(Exception):
    """The record changed since the form was loaded."""


# ---- what each row shows ----

def publication_status(row: dict[str, Any], on: dt.date) -> str:
    """Whether the interest appears on the published register today, in words."""
    if row["withdrawn"]:
        return "Withdrawn"
    if not row["consent_to_publish"]:
        return "Withheld"
    if not row.get("person_is_decision_maker", 1):
        return "Not published (not a decision-maker)"
    if not rules.still_published(row["date_to"], on):
        return "No longer published"
    return "Published"


def decorate(row: dict[str, Any], on: dt.date | None = None) -> dict[str, Any]:
    """Add what the pages show about an interest: lateness, currency, publication."""
    on = on or today_uk()
    row["type_label"] = TYPE_LABELS.get(row["interest_type"], row["interest_type"])
    row["is_late"] = rules.is_late(row["date_from"], row["declared_on"])
    row["days_late"] = rules.days_late(row["date_from"], row["declared_on"])
    row["is_current"] = (not row["withdrawn"]) and rules.is_current(
        row["date_from"], row["date_to"], on)
    # Declared ahead (an appointment that begins next month): not current yet, and said so.
    row["starts_later"] = (not row["withdrawn"]) and str(row["date_from"]) > on.isoformat()
    row["publication"] = publication_status(row, on)
    row["recorder_display"] = row.get("recorder_name") or row.get("recorder_username") or ""
    return row


# ---- reads ----

def get_interest(db: Database, interest_id: int) -> dict[str, Any] | None:
    """One interest with its person, organisation and recorder, or None."""
    row = next(iter(db.query(INTEREST_SQL + " WHERE interests.id = ?", [interest_id])), None)
    return decorate(row) if row else None


def get_person(db: Database, person_id: int) -> dict[str, Any] | None:
    """A person's record, or None."""
    return next(iter(db.query("SELECT * FROM people WHERE id = ?", [person_id])), None)


def organisation_choices(db: Database) -> list[tuple[str, str]]:
    """Organisations for the select, by name, with an identifier where known."""
    return [
        (str(row["id"]), identity.label(row))
        for row in db.query(
            "SELECT id, name, ods_code, companies_house_number, charity_number FROM organisations"
            " ORDER BY name COLLATE NOCASE, id")
    ]


def person_choices(db: Database) -> list[tuple[str, str]]:
    """People for the 'recording on behalf of' select, by name."""
    return [(str(row["id"]), row["name"]) for row in db.query(
        "SELECT id, name FROM people ORDER BY name COLLATE NOCASE, id")]


@dataclass
class RegisterFilters:
    """What the register list is narrowed to."""

    name: str = ""
    interest_type: str = ""
    status: str = ""
    late_only: bool = False


def page_number(raw: Any, pages: int) -> int:
    try:
        number = int(raw)
    except (TypeError, ValueError):
        number = 1
    return min(max(number, 1), max(pages, 1))


def register_page(db: Database, filters: RegisterFilters, *, sort: str = "person",
                  direction: str = "asc", page: Any = 1, on: dt.date | None = None) -> Page:
    """A page of the whole register, filtered and sorted by whitelisted columns."""
    on = on or today_uk()
    if sort not in SORT_COLUMNS:
        sort = "person"
    direction = "desc" if direction == "desc" else "asc"
    where, params = [], {"today": on.isoformat(), "days": rules.DECLARE_WITHIN_DAYS}
    if filters.name:
        where.append("people.name LIKE :name ESCAPE '\\'")
        params["name"] = like_pattern(filters.name)
    if filters.interest_type in TYPE_LABELS:
        where.append("interests.interest_type = :type")
        params["type"] = filters.interest_type
    if filters.status == "current":
        where.append("interests.withdrawn = 0 AND interests.date_from <= :today"
                     " AND (interests.date_to IS NULL OR interests.date_to >= :today)")
    elif filters.status == "ended":
        where.append("interests.withdrawn = 0 AND interests.date_to < :today")
    elif filters.status == "withdrawn":
        where.append("interests.withdrawn = 1")
    if filters.late_only:
        # The same test as rules.is_late: declared after date_from + 28 days.
        where.append("interests.declared_on > date(interests.date_from, '+' || :days || ' days')")
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    total = db.execute(
        "SELECT count(*) FROM interests JOIN people ON people.id = interests.person_id" + clause,
        params).fetchone()[0]
    size = current_app.config["PAGE_SIZE"]
    pages = max(1, math.ceil(total / size))
    number = page_number(page, pages)
    order = f"{SORT_COLUMNS[sort]} {direction.upper()}, interests.id {direction.upper()}"
    rows = [decorate(row, on) for row in db.query(
        INTEREST_SQL + clause + f" ORDER BY {order} LIMIT :limit OFFSET :offset",
        {**params, "limit": size, "offset": (number - 1) * size})]
    return Page(rows, page=number, pages=pages, total=total, sort=sort, direction=direction)


def person_interests(db: Database, person_id: int) -> list[dict[str, Any]]:
    """A person's declarations, current first, then by start date."""
    on = today_uk()
    rows = [decorate(row, on) for row in db.query(
        INTEREST_SQL + " WHERE interests.person_id = ? ORDER BY interests.date_from DESC,"
        " interests.id DESC", [person_id])]
    return sorted(rows, key=lambda row: (row["withdrawn"], not row["is_current"]))


def person_returns(db: Database, person_id: int) -> list[dict[str, Any]]:
    """A person's annual confirmations and nil returns, newest first."""
    return list(db.query(
        "SELECT declaration_returns.*, users.username AS recorder_username,"
        " recorder_person.name AS recorder_name FROM declaration_returns"
        " LEFT JOIN users ON users.id = declaration_returns.recorded_by_user_id"
        " LEFT JOIN people AS recorder_person ON recorder_person.id = users.person_id"
        " WHERE declaration_returns.person_id = ?"
        " ORDER BY declaration_returns.returned_on DESC, declaration_returns.id DESC",
        [person_id]))


def open_interest_count(db: Database, person_id: int, on: dt.date | None = None) -> int:
    """Interests not withdrawn that have not ended by the given day (current or yet to start)."""
    on = on or today_uk()
    return db.execute(
        "SELECT count(*) FROM interests WHERE person_id = ? AND withdrawn = 0"
        " AND (date_to IS NULL OR date_to >= ?)", [person_id, on.isoformat()]).fetchone()[0]


LAST_RETURN_SQL = """
SELECT people.id, people.name, people.positions,
       (SELECT max(declared_on) FROM interests WHERE interests.person_id = people.id)
           AS last_declaration,
       (SELECT max(returned_on) FROM declaration_returns
            WHERE declaration_returns.person_id = people.id) AS last_return
FROM people
"""


def _last_activity(row: dict[str, Any]) -> dict[str, Any]:
    dates = [d for d in (row["last_declaration"], row["last_return"]) if d]
    row["last_date"] = max(dates) if dates else None
    if row["last_date"] is None:
        row["last_kind"] = ""
    elif row["last_date"] == row["last_return"]:
        row["last_kind"] = "Return"
    else:
        row["last_kind"] = "Declaration"
    return row


def return_state(db: Database, person_id: int, on: dt.date | None = None) -> dict[str, Any]:
    """A person's last declaration or return and whether the annual one is due."""
    on = on or today_uk()
    row = _last_activity(next(iter(db.query(LAST_RETURN_SQL + " WHERE people.id = ?",
                                            [person_id]))))
    row["is_due"] = rules.return_is_due(row["last_date"], on)
    row["due_by"] = (rules.add_months(dt.date.fromisoformat(row["last_date"]),
                                      rules.RETURN_EVERY_MONTHS).isoformat()
                     if row["last_date"] else None)
    # A campaign asking them to confirm sooner than the annual return is what they must answer.
    row["campaign"] = next(iter(unanswered_campaigns(db, person_id, on)), None)
    return row


def missing_returns(db: Database, on: dt.date | None = None) -> list[dict[str, Any]]:
    """Decision-makers with no declaration and no return in the last 12 months, by name."""
    on = on or today_uk()
    rows = [_last_activity(row) for row in db.query(
        LAST_RETURN_SQL + " WHERE people.is_decision_maker = 1"
        " ORDER BY people.name COLLATE NOCASE, people.id")]
    return [row for row in rows if rules.return_is_due(row["last_date"], on)]


def versions(db: Database, interest_id: int) -> list[dict[str, Any]]:
    """The earlier versions of an interest, newest first, each decoded and decorated."""
    rows = []
    for row in db.query(
            "SELECT interest_versions.*, users.username AS replaced_by_username,"
            " replacer.name AS replaced_by_name FROM interest_versions"
            " LEFT JOIN users ON users.id = interest_versions.replaced_by_user_id"
            " LEFT JOIN people AS replacer ON replacer.id = users.person_id"
            " WHERE interest_id = ? ORDER BY version DESC", [interest_id]):
        data = json.loads(row["data"])
        organisation = None
        if data.get("organisation_id"):
            organisation = db.execute("SELECT name FROM organisations WHERE id = ?",
                                      [data["organisation_id"]]).fetchone()
        data["organisation_display"] = organisation[0] if organisation else data.get(
            "organisation_name", "")
        data["person_is_decision_maker"] = 1
        row["interest"] = decorate(data)
        rows.append(row)
    return rows


# ---- writes: each in one transaction with its audit event ----

def _waits(person_id: int, user: Any) -> bool:
    """Whether what this user records for this person waits for a governance lead's approval."""
    return rules.waits_for_approval(person_id != getattr(user, "person_id", None),
                                    bool(user.can("record_interest_for_others"))
                                    if hasattr(user, "can") else True)


def create_interest(db: Database, values: dict[str, Any], *, person_id: int, declared_on: dt.date,
                    user: Any, at_decision_id: int | None = None, now: str | None = None) -> int:
    """Record a declaration; on behalf when the person is not the signed-in user's own. A
    member's own declaration waits for a governance lead before it is published. `now` is the
    time it is recorded (the real time unless given)."""
    now = now or utcnow_iso()
    record = {
        **{key: values[key] for key in EDITABLE_FIELDS},
        # Declared at a meeting, for an item: it waits for a governance lead like a member's own.
        "approval": rules.PENDING if at_decision_id is not None or _waits(person_id, user)
        else None,
        "declared_at_decision_id": at_decision_id,
        "person_id": person_id,
        "declared_on": declared_on.isoformat(),
        "recorded_by_user_id": user.id,
        "on_behalf": int(person_id != user.person_id),
        "withdrawn": 0,
        "withdrawn_reason": "",
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    with write_transaction(db):
        interest_id = db["interests"].insert(record).last_pk
        audit.record(db, actor=user.actor, action="create", entity="interest",
                     entity_id=interest_id, after=record)
        lifecycle.refresh_affected(db, actor=user.actor, now=now, people=[person_id])
    return interest_id


def _raw(db: Database, interest_id: int) -> dict[str, Any]:
    return next(iter(db.query("SELECT * FROM interests WHERE id = ?", [interest_id])))


def _change(db: Database, interest_id: int, version: int, changes: dict[str, Any], *, user: Any,
            action: str, then: Any = None, now: str | None = None) -> None:
    """Keep the current row as an earlier version, then apply the changes if nobody beat us
    (`then`, if given, runs last in the same write; `now` is the time of the change, the real
    time unless given)."""
    now = now or utcnow_iso()
    with write_transaction(db):
        before = _raw(db, interest_id)
        if before["version"] != version:
            raise StaleVersion
        db["interest_versions"].insert({
            "interest_id": interest_id, "version": before["version"],
            "data": audit.canonical(before), "replaced_at": now,
            "replaced_by_user_id": user.id,
        })
        assignments = ", ".join(f"{column} = :{column}" for column in changes)
        cursor = db.execute(
            f"UPDATE interests SET {assignments}, updated_at = :updated_at,"
            " version = version + 1 WHERE id = :id AND version = :version",
            {**changes, "updated_at": now, "id": interest_id, "version": version})
        if cursor.rowcount != 1:
            raise StaleVersion
        audit.record(db, actor=user.actor, action=action, entity="interest",
                     entity_id=interest_id, before=before, after=_raw(db, interest_id))
        lifecycle.refresh_affected(db, actor=user.actor, now=now, people=[before["person_id"]])
        if then is not None:
            then()


def update_interest(db: Database, interest_id: int, version: int, values: dict[str, Any], *,
                    user: Any, declared_on: dt.date | None = None, now: str | None = None) -> None:
    """Save an edit, keeping the earlier version; raises StaleVersion if it changed meanwhile.
    `now` is the time of the edit (the real time unless given)."""
    changes = {key: values[key] for key in EDITABLE_FIELDS}
    if declared_on is not None:
        changes["declared_on"] = declared_on.isoformat()
    person_id = db.execute("SELECT person_id FROM interests WHERE id = ?",
                           [interest_id]).fetchone()
    if person_id is not None and _waits(person_id[0], user):
        # A changed declaration waits again; the public register keeps its approved reading.
        changes["approval"] = rules.PENDING
    _change(db, interest_id, version, changes, user=user, action="update", now=now)


def declared_at(db: Database, decision_id: int) -> list[dict[str, Any]]:
    """The interests declared at the meeting for this decision, in the order recorded."""
    return [decorate(row) for row in db.query(
        INTEREST_SQL + " WHERE interests.declared_at_decision_id = ? ORDER BY interests.id",
        [decision_id])]


def waiting_for_approval(db: Database) -> list[dict[str, Any]]:
    """Declarations waiting for a governance lead (and those returned), oldest first."""
    return [decorate(row) for row in db.query(
        INTEREST_SQL + " WHERE interests.approval IS NOT NULL AND interests.withdrawn = 0"
        " ORDER BY interests.approval = 'returned', interests.updated_at, interests.id")]


def approval_count(db: Database) -> int:
    """How many declarations wait for a governance lead's approval."""
    return db.execute("SELECT count(*) FROM interests WHERE approval = 'pending'"
                      " AND withdrawn = 0").fetchone()[0]


def decide_approval(db: Database, interest_id: int, version: int, *, approve: bool, note: str,
                    user: Any) -> None:
    """Approve a declaration (with an optional note of the action taken) or return it with the
    reason; raises StaleVersion if it changed meanwhile. The declarer hears by email."""
    _change(db, interest_id, version, {
        "approval": None if approve else rules.RETURNED, "approval_note": note,
        "approved_by_user_id": user.id, "approved_at": utcnow_iso()},
        user=user, action="approve" if approve else "return_declaration",
        then=lambda: notifications.declaration_decided(db, interest_id, approved=approve))


def withdraw_interest(db: Database, interest_id: int, version: int, reason: str, *,
                      user: Any, now: str | None = None) -> None:
    """Mark an interest withdrawn with its reason (it is kept, never deleted); `now` as for
    `update_interest`."""
    _change(db, interest_id, version, {"withdrawn": 1, "withdrawn_reason": reason}, user=user,
            action="withdraw", now=now)


def record_return(db: Database, person_id: int, kind: str, *, user: Any,
                  on: dt.date | None = None) -> int | None:
    """Record an annual confirmation ('complete') or a nil return dated today; None when the
    same return is already recorded for that day (a second press adds nothing)."""
    record = {
        "person_id": person_id, "kind": kind, "returned_on": (on or today_uk()).isoformat(),
        "recorded_by_user_id": user.id, "on_behalf": int(person_id != user.person_id),
        "created_at": utcnow_iso(),
    }
    with write_transaction(db):
        if db.execute("SELECT 1 FROM declaration_returns WHERE person_id = ? AND kind = ?"
                      " AND returned_on = ?",
                      [person_id, kind, record["returned_on"]]).fetchone():
            return None
        return_id = db["declaration_returns"].insert(record).last_pk
        audit.record(db, actor=user.actor, action="create", entity="declaration_return",
                     entity_id=return_id, after=record)
        from ..campaigns.queries import answered_late

        for campaign in answered_late(db, person_id, on or today_uk()):
            audit.record(db, actor=user.actor, action="answer_late", entity="campaign",
                         entity_id=campaign["id"],
                         changes={"late_answer": [None, {"person_id": person_id,
                                                         "return_id": return_id,
                                                         "returned_on": record["returned_on"]}]})
    return return_id


# ---- the home page ----

def home_summary(user: Any) -> dict[str, Any]:
    """What the home page shows the signed-in user: their own position, and the register's."""
    db = get_db()
    on = today_uk()
    summary: dict[str, Any] = {"own": None, "overview": None}
    if user.person_id and get_person(db, user.person_id):
        state = return_state(db, user.person_id, on)
        summary["own"] = {
            "person_id": user.person_id,
            "interest_count": db.execute(
                "SELECT count(*) FROM interests WHERE person_id = ? AND withdrawn = 0",
                [user.person_id]).fetchone()[0],
            "current_count": db.execute(
                "SELECT count(*) FROM interests WHERE person_id = ? AND withdrawn = 0"
                " AND date_from <= ? AND (date_to IS NULL OR date_to >= ?)",
                [user.person_id, on.isoformat(), on.isoformat()]).fetchone()[0],
            "last_return": state["last_date"],
            "is_due": state["is_due"],
            "due_by": state["due_by"],
            "campaign": state["campaign"],
            "can_declare": user.can("declare_own_interests"),
        }
    if user.can("read_all_interests"):
        summary["overview"] = {
            "people": db.execute("SELECT count(*) FROM people").fetchone()[0],
            "decision_makers": db.execute(
                "SELECT count(*) FROM people WHERE is_decision_maker = 1").fetchone()[0],
            "interests": db.execute(
                "SELECT count(*) FROM interests WHERE withdrawn = 0").fetchone()[0],
            "late": db.execute(
                "SELECT count(*) FROM interests WHERE withdrawn = 0"
                " AND declared_on > date(date_from, '+' || ? || ' days')",
                [rules.DECLARE_WITHIN_DAYS]).fetchone()[0],
            "missing_returns": len(missing_returns(db, on))
            if user.can("see_missing_returns") else None,
        }
    return summary
