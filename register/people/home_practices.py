"""A person's home practices through time: reading and writing the dated periods.

`home_practices` holds the periods; `people.home_practice_id` keeps the practice of the period in
force on the day of the last write, for lists and pickers. Every write here keeps that cache in
step, audits the period and refreshes the decisions whose facts it changed, in one transaction.
The rules read the periods themselves (`flagging.home_practices_of`), never the cache.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlite_utils import Database

from .. import audit
from ..db import write_transaction
from ..decisions import lifecycle
from ..rules.dates import iso_date
from ..rules.periods import ONE_DAY, Period, describe, in_force, moved, overlaps
from ..timeutil import today_uk, utcnow_iso


class PeriodProblem(ValueError):
    """A period that cannot be recorded; the message says why in the user's words."""




def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def periods_of(db: Database, person_id: int) -> list[dict[str, Any]]:
    """A person's home practice periods, earliest first, with each practice's name and code."""
    return list(db.query(
        "SELECT home_practices.*, organisations.name AS practice_name,"
        " organisations.ods_code AS practice_code FROM home_practices"
        " JOIN organisations ON organisations.id = home_practices.organisation_id"
        " WHERE home_practices.person_id = ?"
        " ORDER BY home_practices.date_from IS NOT NULL, home_practices.date_from,"
        " home_practices.id", [person_id]))


def _periods(db: Database, person_id: int) -> list[Period]:
    return [Period(r["organisation_id"], iso_date(r["date_from"]), iso_date(r["date_to"]), r["id"])
            for r in periods_of(db, person_id)]


def practice_on(db: Database, person_id: int, day: dt.date) -> int | None:
    """The practice a person worked in on a day, if any."""
    period = in_force(_periods(db, person_id), day)
    return period.organisation_id if period else None


def check_new_period(existing: list[Period], new: Period) -> None:
    """Refuse a period that ends before it starts or overlaps one already recorded."""
    if new.date_from and new.date_to and new.date_to < new.date_from:
        raise PeriodProblem("The date they left must be the same as or after the date they "
                            "started")
    for period in existing:
        if period.id != new.id and overlaps(period, new):
            raise PeriodProblem(f"This overlaps their home practice period {describe(period)}: "
                                "one person's periods cannot overlap")


def _sync_cache(db: Database, person_id: int) -> None:
    """Keep `people.home_practice_id` at the practice in force today (bumping the version, so a
    form opened before this write does not silently undo it)."""
    current = practice_on(db, person_id, today_uk())
    db.execute("UPDATE people SET home_practice_id = ?, updated_at = ?, version = version + 1"
               " WHERE id = ? AND home_practice_id IS NOT ?",
               [current, utcnow_iso(), person_id, current])


def _insert(db: Database, person_id: int, period: Period, actor: str) -> int:
    row = {"person_id": person_id, "organisation_id": period.organisation_id,
           "date_from": _iso(period.date_from), "date_to": _iso(period.date_to),
           "created_at": utcnow_iso()}
    period_id = db["home_practices"].insert(row).last_pk
    audit.record(db, actor=actor, action="create", entity="home_practice", entity_id=period_id,
                 after=row)
    return period_id


def _set_dates(db: Database, period: Period, actor: str, **values: Any) -> None:
    before = dict(db["home_practices"].get(period.id))
    db["home_practices"].update(period.id, values)
    audit.record(db, actor=actor, action="update", entity="home_practice", entity_id=period.id,
                 before=before, after={**before, **values})


def _finish(db: Database, person_id: int, actor: str) -> None:
    _sync_cache(db, person_id)
    lifecycle.refresh_affected(db, actor=actor, people=[person_id])


def add_period(db: Database, person_id: int, organisation_id: int, date_from: dt.date | None,
               date_to: dt.date | None, actor: str) -> int:
    """Record a past or present home practice period; PeriodProblem if it overlaps another."""
    with write_transaction(db):
        new = Period(organisation_id, date_from, date_to)
        check_new_period(_periods(db, person_id), new)
        period_id = _insert(db, person_id, new, actor)
        _finish(db, person_id, actor)
    return period_id


def insert_period(db: Database, person_id: int, organisation_id: int,
                  date_from: dt.date | None, date_to: dt.date | None, actor: str) -> int:
    """The writes of one checked period, audited, without refreshing decisions (a bulk import
    refreshes them once at its end); PeriodProblem if it overlaps another."""
    with write_transaction(db):
        new = Period(organisation_id, date_from, date_to)
        check_new_period(_periods(db, person_id), new)
        period_id = _insert(db, person_id, new, actor)
        _sync_cache(db, person_id)
    return period_id


def move(db: Database, person_id: int, organisation_id: int, on: dt.date, actor: str) -> int:
    """A GP moved practice on a day: end the period in force the day before, start the new one."""
    with write_transaction(db):
        period_id = record_move(db, person_id, organisation_id, on, actor)
        lifecycle.refresh_affected(db, actor=actor, people=[person_id])
    return period_id


def record_move(db: Database, person_id: int, organisation_id: int, on: dt.date | None,
                actor: str) -> int:
    """The writes of a move, audited, without refreshing decisions (a bulk import refreshes them
    once at its end); with no date, the person's first home practice, since always."""
    with write_transaction(db):
        periods = _periods(db, person_id)
        if on is None:
            new = Period(organisation_id)
            check_new_period(periods, new)
        else:
            try:
                ended, new = moved(periods, organisation_id, on)
            except ValueError as error:
                raise PeriodProblem(str(error)) from None
            for _old, closed in ended:
                _set_dates(db, closed, actor, date_to=_iso(closed.date_to))
        period_id = _insert(db, person_id, new, actor)
        _sync_cache(db, person_id)
    return period_id


def move_problem(db: Database, person_id: int, organisation_id: int, on: dt.date) -> str | None:
    """Why a move on this day cannot be recorded for this person (for an import's check)."""
    try:
        moved(_periods(db, person_id), organisation_id, on)
    except ValueError as error:
        return str(error)
    return None


def end_current(db: Database, person_id: int, on: dt.date, actor: str) -> bool:
    """They left their practice on a day (the last day they worked there); False if no open
    period starts on or before it."""
    with write_transaction(db):
        open_ = [p for p in _periods(db, person_id) if p.date_to is None
                 and (p.date_from is None or p.date_from <= on)]
        if not open_:
            return False
        _set_dates(db, open_[0], actor, date_to=on.isoformat())
        _finish(db, person_id, actor)
    return True


def remove_period(db: Database, person_id: int, period_id: int, actor: str) -> bool:
    """Delete a period recorded by mistake; False if it is not this person's."""
    with write_transaction(db):
        before = next(iter(db.query("SELECT * FROM home_practices WHERE id = ? AND person_id = ?",
                                    [period_id, person_id])), None)
        if before is None:
            return False
        db.execute("DELETE FROM home_practices WHERE id = ?", [period_id])
        audit.record(db, actor=actor, action="delete", entity="home_practice",
                     entity_id=period_id, before=before)
        _finish(db, person_id, actor)
    return True


def set_current(db: Database, person_id: int, organisation_id: int | None, actor: str) -> None:
    """The person form's "home practice": a correction of the period in force today (its
    practice changed, or the period removed when none is chosen); with no period in force, a new
    one filling the gap around today. A move with a date is `move`. Runs in the caller's write."""
    with write_transaction(db):
        periods = _periods(db, person_id)
        today = today_uk()
        current = in_force(periods, today)
        if current is not None and current.organisation_id == organisation_id:
            return
        if current is not None and organisation_id is None:
            before = dict(db["home_practices"].get(current.id))
            db.execute("DELETE FROM home_practices WHERE id = ?", [current.id])
            audit.record(db, actor=actor, action="delete", entity="home_practice",
                         entity_id=current.id, before=before)
        elif current is not None:
            _set_dates(db, current, actor, organisation_id=organisation_id)
        elif organisation_id is not None:
            earlier = [p.date_to for p in periods if p.date_to is not None and p.date_to < today]
            later = [p.date_from for p in periods if p.date_from is not None and p.date_from > today]
            _insert(db, person_id, Period(organisation_id,
                                          max(earlier) + ONE_DAY if earlier else None,
                                          min(later) - ONE_DAY if later else None), actor)
        _finish(db, person_id, actor)
