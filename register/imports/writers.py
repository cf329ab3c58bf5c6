"""Write a checked import: every row in one transaction, each record with its audit event."""
from __future__ import annotations

import datetime as dt
import functools
import re
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter

from sqlite_utils import Database
from sqlite_utils.db import jsonify_if_needed

from .. import audit, audit_content
from ..db import write_transaction
from ..decisions import dependencies, lifecycle
from ..interests import linking
from ..organisations.identity import keyed
from ..people import home_practices
from ..timeutil import utcnow_iso
from .companies_house_kind import STREAMED_KINDS, plan_streamed, read_streamed
from .decisions_kind import DECISION_TABLES, finish_decisions
from .parsers import PROGRESS_EVERY, WRITING, Change, Plan, Progress, check_file
from .periods_kind import write_home_practice_period
from .records_kind import WRITERS as RECORD_WRITERS

TABLES = {
    "organisation": "organisations",
    "organisation_link": "organisation_links",
    "person": "people",
    "home_practice": "home_practices",
    "committee": "committees",
    "committee_member": "committee_members",
    "interest": "interests",
    "company_psc": "company_pscs",
    **DECISION_TABLES,
}
# The only columns an import updates (the epraccur refresh of an existing practice, the ePCN
# refresh of a network's name and of a membership's dates, the Companies House refresh).
UPDATABLE = {"organisation": ("name", "name_key", "registered_address", "postcode", "ods_status",
                              "prescribing_setting",
                              # the Companies House refresh of a company
                              "company_status", "company_category", "sic_codes",
                              "incorporated_on", "dissolved_on"),
             "organisation_link": ("date_from", "date_to"),
             "company_psc": ("kind", "name", "title", "forename", "middle_name", "surname",
                             "birth_month", "birth_year", "natures_of_control", "notified_on",
                             "ceased_on")}


class ImportConflict(RuntimeError):
    """A record changed between checking and writing; the transaction is rolled back."""


def import_file(db: Database, kind: str, data: bytes | str, *, actor: str,
                user_id: int | None = None, dry_run: bool = False,
                progress: Progress | None = None, **options: object) -> Plan:
    """Check a file and, only if every row is valid (and not a dry run), write all of it at once.

    The check runs inside the same BEGIN IMMEDIATE transaction as the writes, so nobody can add a
    clashing email or code in between; any problem leaves the register exactly as it was.
    A Companies House file (`data` may be an open file) is read first, outside the transaction,
    and planned again inside it from the rows it keeps. `progress`, if given, hears how many
    rows have been checked and written (for a progress bar).
    """
    if kind in STREAMED_KINDS:
        reading, wanted_new = read_streamed(kind, data, db, **options)
        if dry_run or not reading.ok:
            return plan_streamed(reading, db, wanted_new)
        with write_transaction(db):
            plan = plan_streamed(reading, db, wanted_new)
            if plan.ok:
                write_plan(db, plan, actor=actor, user_id=user_id, progress=progress)
        return plan
    if dry_run:
        return check_file(kind, data, db, progress=progress)
    with write_transaction(db):
        plan = check_file(kind, data, db, progress=progress)
        if plan.ok:
            write_plan(db, plan, actor=actor, user_id=user_id, progress=progress)
    return plan


def write_plan(db: Database, plan: Plan, *, actor: str, user_id: int | None = None,
               progress: Progress | None = None) -> None:
    """Write every change of a valid plan, each with its audit event (inside a transaction);
    `progress`, if given, hears how many rows have been written."""
    if not plan.ok:
        raise ValueError("A plan with problems must not be written")
    if not db.conn.in_transaction:
        raise RuntimeError("write_plan must run inside write_transaction")
    # New records of their own are gathered in a run and inserted together (a row that refers
    # to one not yet inserted first sends the run in), and their audit events are written
    # together before any other kind of write and at the end.
    run: list[Change] = []
    pending: list[Change] = []
    stored: dict[str, _Stored] = {}
    total = len(plan.changes)
    for done, change in enumerate(plan.changes, start=1):
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(WRITING, done, total)
        if change.action == "create" and change.entity in BATCHED:
            if any(isinstance(target, Change) and target.record_id is None
                   for target in change.refs.values()):
                _insert(db, run, user_id=user_id, stored=stored)
                pending += run
                run = []
            run.append(change)
            continue
        _insert(db, run, user_id=user_id, stored=stored)
        pending += run
        run = []
        _write_events(db, pending, actor=actor, stored=stored)
        if change.entity == "home_practice":
            _home_practice(db, change, actor=actor)
        elif change.entity == "home_practice_period":
            change.record_id = write_home_practice_period(db, _resolved(change), actor)
        elif change.entity in RECORD_WRITERS:
            # Notices, modifications, gifts and breaches go through their pages' store functions.
            change.record_id = RECORD_WRITERS[change.entity](db, _resolved(change), actor)
        elif change.action == "create":
            _create(db, change, actor=actor, user_id=user_id)
        else:
            _update(db, change, actor=actor)
    _insert(db, run, user_id=user_id, stored=stored)
    pending += run
    _write_events(db, pending, actor=actor, stored=stored)
    touched = _touched(db, plan)
    # Free-text interests that now name an organisation of this file exactly are linked to it.
    organisations = [change.record_id for change in plan.changes
                     if change.entity == "organisation"]
    touched["people"] |= {linked.person_id for linked in linking.link_exact(
        db, organisations, actor, user_id=user_id, refresh=False)}
    # The decisions the whole file touched are brought up to date once, at its end; a new
    # interest touches only those where it can give a flag.
    new_interests = [(values["person_id"], values.get("organisation_id"))
                     for values in (_resolved(change) for change in plan.changes
                                    if change.entity == "interest" and change.action == "create")]
    lifecycle.refresh(db, dependencies.affected(db, **touched)
                      | dependencies.affected_by_new_interests(db, new_interests), actor=actor)
    if plan.kind == "decisions":
        finish_decisions(db, plan, actor=actor)


def _touched(db: Database, plan: Plan) -> dict[str, set[int]]:
    """What the plan's changes touched, as `dependencies.affected` takes it."""
    touched: dict[str, set[int]] = {"people": set(), "organisations": set(),
                                    "committees": set(), "decisions": set()}
    for change in plan.changes:
        if change.record_id is None:
            continue
        if change.entity == "organisation":
            touched["organisations"].add(change.record_id)
        elif change.entity == "person":
            touched["people"].add(change.record_id)
        elif change.entity in ("home_practice", "home_practice_period"):
            touched["people"].add(_resolved(change)["person_id"])
        elif change.entity == "committee":
            touched["committees"].add(change.record_id)
        elif change.entity == "interest":
            # The person's decisions are found by `dependencies.affected_by_new_interests`.
            touched["decisions"].add(_resolved(change).get("declared_at_decision_id"))
        elif change.entity == "organisation_link":
            row = db[TABLES[change.entity]].get(change.record_id)
            touched["organisations"] |= {row["member_id"], row["parent_id"]}
        elif change.entity == "decision":
            touched["decisions"].add(change.record_id)
        elif change.entity in RECORD_WRITERS:
            touched["decisions"].add(change.values.get("decision_id"))
        elif change.entity == "company_psc":
            touched["organisations"].add(db["company_pscs"].get(change.record_id)
                                         ["organisation_id"])
    return touched


def _resolved(change: Change) -> dict:
    values = dict(change.values)
    for column, target in change.refs.items():
        values[column] = target.record_id if isinstance(target, Change) else target
        if values[column] is None:
            raise RuntimeError(f"line {change.line}: {column} refers to a record not yet written")
    return values


def _home_practice(db: Database, change: Change, *, actor: str) -> None:
    """A person's home practice from a row: their first, or a move that ends the earlier one."""
    values = _resolved(change)
    on = values["date_from"]
    change.record_id = home_practices.record_move(
        db, values["person_id"], values["organisation_id"],
        dt.date.fromisoformat(on) if on else None, actor)


def _create(db: Database, change: Change, *, actor: str, user_id: int | None) -> None:
    table = TABLES[change.entity]
    values = _resolved(change)
    if change.entity == "interest":
        values["recorded_by_user_id"] = user_id
    if change.entity == "decision":
        values["author_user_id"] = user_id
    if change.entity == "organisation":
        values = keyed(values)
    change.record_id = db[table].insert(values).last_pk
    after = dict(db[table].get(change.record_id))
    audit.record(db, actor=actor, action="create", entity=change.entity,
                 entity_id=change.record_id, after=after)


# The entities whose new rows are records in their own right (a decision's rows are not: its
# later rows change the content its event vouches for) and are written in a batch.
BATCHED = frozenset({"organisation", "organisation_link", "person", "committee",
                     "committee_member", "interest", "company_psc"})


def _insert(db: Database, run: list[Change], *, user_id: int | None,
            stored: dict[str, _Stored]) -> None:
    """Insert new records of BATCHED kinds, none referring to another of the run, many rows to
    a statement, and set their ids; their audit events wait for `_write_events`, which finds in
    `stored` each row as the table now holds it, where that is known without reading it."""
    tables: dict[str, list[tuple[Change, tuple[str, ...], list[object]]]] = {}
    for change in run:
        values = _resolved(change)
        if change.entity == "interest":
            values["recorded_by_user_id"] = user_id
        if change.entity == "organisation":
            values = keyed(values)
        tables.setdefault(change.entity, []).append(
            (change, tuple(values), [value if type(value) in _PLAIN else jsonify_if_needed(value)
                                     for value in values.values()]))
    for entity, rows in tables.items():
        table = TABLES[entity]
        last = db.conn.execute(f"SELECT max(rowid) FROM [{table}]").fetchone()[0] or 0
        if any("id" in columns for _change, columns, _row in rows) \
                or last + len(rows) >= _LAST_ROWID:
            # Ids given in the values, or none left above the highest: a row at a time.
            for change, columns, row in rows:
                change.record_id = db.conn.execute(_insert_sql(table, columns, 1),
                                                   row).lastrowid
            continue
        # Each row is given the id SQLite would give it one at a time, in the file's order (the
        # one after the highest: we hold the write lock), so many rows go in one statement: a
        # table with a full-text index updates that index once per statement, not once per row.
        shapes: dict[tuple[str, ...], list[list[object]]] = {}
        for offset, (change, columns, row) in enumerate(rows, start=1):
            change.record_id = last + offset
            row.insert(0, change.record_id)
            shapes.setdefault(("id", *columns), []).append(row)
        for columns, same in shapes.items():
            per = max(1, db.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(columns))
            for start in range(0, len(same), per):
                chunk = same[start:start + per]
                db.conn.execute(_insert_sql(table, columns, len(chunk)),
                                list(chain.from_iterable(chunk)))
            shape = _shape_of(db, table, columns)
            if shape is not None and shape.keeps(same):
                names, known = stored.setdefault(entity, (shape.names, {}))
                if names == shape.names:
                    known.update((row[0], shape.row(row)) for row in same)


_PLAIN = frozenset({str, int, float, type(None)})
# The highest rowid SQLite gives; above it, it picks free ids at random.
_LAST_ROWID = 2**63 - 1


@functools.lru_cache(maxsize=64)
def _insert_sql(table: str, columns: tuple[str, ...], rows: int) -> str:
    """The INSERT of `rows` rows of these columns (names from the parser's fixed lists, never
    from the file), built once per shape."""
    row = f"({', '.join('?' for _ in columns)})"
    return (f"INSERT INTO [{table}] ({', '.join(f'[{column}]' for column in columns)})"
            f" VALUES {', '.join(row for _ in range(rows))}")


# New rows of a kind as the table holds them: its columns (as `SELECT *` names them) and each
# row by id.
_Stored = tuple[tuple[str, ...], dict[int, tuple]]


def _write_events(db: Database, pending: list[Change], *, actor: str,
                  stored: dict[str, _Stored]) -> None:
    """The audit events of the records inserted so far, each with the record as stored (as
    `_insert` knew it, else read back a range of ids at a time), written together; empties
    `pending` and `stored`."""
    if not pending:
        return
    by_entity: dict[str, list[int]] = {}
    for change in pending:
        by_entity.setdefault(change.entity, []).append(change.record_id)
    spelt: dict[str, dict[int, audit.Spelt]] = {}
    contents: dict[str, Mapping[str, str | None]] = {}
    for entity, ids in by_entity.items():
        names, known = stored.get(entity, ((), {}))
        rows = [known[record_id] for record_id in ids if record_id in known]
        missing = sorted(record_id for record_id in ids if record_id not in known)
        for first, last in _ranges(missing):
            cursor = db.conn.execute(
                f"SELECT * FROM [{TABLES[entity]}] WHERE rowid BETWEEN ? AND ?", [first, last])
            read = tuple(column[0] for column in cursor.description)
            if rows and read != names:
                raise RuntimeError(f"The new {TABLES[entity]} are not stored as expected")
            names = read
            rows += cursor.fetchall()
        at = names.index("id")
        changes = audit.creation_changes(names)
        spelt[entity] = {row[at]: changes(row) for row in rows}
        hashes = audit_content.row_content_hashes(entity, names, rows)
        if hashes is not None:
            contents[entity] = hashes
    audit.record_many(db, [
        audit.Pending(actor=actor, action="create", entity=change.entity,
                      entity_id=change.record_id,
                      changes=spelt[change.entity][change.record_id])
        for change in pending], contents=contents)
    pending.clear()
    stored.clear()


def _ranges(ids: list[int]) -> list[tuple[int, int]]:
    """Sorted ids as runs of consecutive ones: (first, last) of each."""
    ranges: list[tuple[int, int]] = []
    for record_id in ids:
        if ranges and record_id == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], record_id)
        else:
            ranges.append((record_id, record_id))
    return ranges


# ---- a new row as the table stores it, without reading it back ---------------------------------

@dataclass(frozen=True)
class _Shape:
    """How a table stores a new row of some columns: the row it holds is the values given, in
    its column order, with each other column's constant default; values are kept as given only
    where the column's type affinity keeps that type (otherwise SQLite converts them)."""

    names: tuple[str, ...]
    kept: tuple[frozenset[type], ...]  # the types kept as given, per given column
    defaults: tuple[object, ...]
    order: Callable[[Sequence[object]], tuple]  # (*given, *defaults) -> the stored row

    def keeps(self, rows: list[list[object]]) -> bool:
        """Whether every value of these rows (in the given columns' order) is stored as given."""
        return all(set(map(type, values)) <= kept
                   for values, kept in zip(zip(*rows, strict=True), self.kept, strict=True))

    def row(self, given: list[object]) -> tuple:
        """The stored row of one row of given values."""
        return self.order((*given, *self.defaults))


def _shape_of(db: Database, table: str, columns: tuple[str, ...]) -> _Shape | None:
    """The shape of new rows of these columns, or None where the stored row must be read back
    (a default that is not a constant, a generated column, a conflict clause that can replace a
    value, a trigger that can write to the table)."""
    schema = tuple(db.conn.execute(
        "SELECT type, sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('table', 'trigger')"
        " ORDER BY type, name", [table]).fetchall())
    return _shape(table, columns, schema,
                  tuple(db.conn.execute(f"PRAGMA table_xinfo([{table}])").fetchall()))


@functools.lru_cache(maxsize=64)
def _shape(table: str, columns: tuple[str, ...], schema: tuple[tuple[str, str], ...],
           info: tuple[tuple, ...]) -> _Shape | None:
    """`_shape_of` for the table as its schema and `PRAGMA table_xinfo` describe it."""
    for kind, sql in schema:
        text = (sql or "").upper()
        if kind == "table" and "ON CONFLICT" in text:
            return None
        if kind == "trigger" and re.search(r"\bINSERT\s+ON\b", text) and (
                re.search(r"\b(UPDATE|DELETE|REPLACE)\b", text.split(" BEGIN", 1)[-1])
                or re.search(r"\bINTO\s+[\"\[`]?" + re.escape(table.upper()) + r"[\"\]`]?\s*\(",
                             text)):
            return None
    names = []
    given = {column: index for index, column in enumerate(columns)}
    defaults: list[object] = []
    picks = []
    kept = [frozenset()] * len(columns)
    for _cid, name, declared, _notnull, default, _pk, hidden in info:
        if hidden:
            return None
        names.append(name)
        affinity = _KEPT[_affinity(declared or "")]
        if name in given:
            kept[given[name]] = affinity
            picks.append(given[name])
            continue
        value = _constant(default)
        if value is _NOT_CONSTANT or type(value) not in affinity:
            return None
        picks.append(len(columns) + len(defaults))
        defaults.append(value)
    if set(given) - set(names):
        return None
    pick = itemgetter(*picks)
    return _Shape(tuple(names), tuple(kept), tuple(defaults),
                  pick if len(picks) > 1 else lambda values: (pick(values),))


def _affinity(declared: str) -> str:
    """A column's type affinity from its declared type (SQLite's rules, in their order)."""
    text = declared.upper()
    if "INT" in text:
        return "INTEGER"
    if "CHAR" in text or "CLOB" in text or "TEXT" in text:
        return "TEXT"
    if "BLOB" in text or not text:
        return "BLOB"
    if "REAL" in text or "FLOA" in text or "DOUB" in text:
        return "REAL"
    return "NUMERIC"


# The types each affinity stores exactly as given (a float is left out: SQLite may store an
# integral one as an integer, or a NaN as NULL).
_KEPT = {"TEXT": frozenset({str, type(None)}), "INTEGER": frozenset({int, type(None)}),
         "NUMERIC": frozenset({int, type(None)}), "REAL": frozenset({type(None)}),
         "BLOB": frozenset({str, int, bytes, type(None)})}
_NOT_CONSTANT = object()


def _constant(default: str | None) -> object:
    """A column's default as a value, when it is a plain constant (NULL, an integer or a
    string); `_NOT_CONSTANT` for anything else."""
    if default is None or default.upper() == "NULL":
        return None
    if re.fullmatch(r"-?[0-9]+", default) and abs(int(default)) < 2**63:
        return int(default)
    if re.fullmatch(r"'(?:[^']|'')*'", default):
        return default[1:-1].replace("''", "'")
    return _NOT_CONSTANT


def _update(db: Database, change: Change, *, actor: str) -> None:
    table = TABLES[change.entity]
    if change.entity == "organisation":
        change.values = keyed(change.values)
    allowed = UPDATABLE.get(change.entity, ())
    unknown = set(change.values) - set(allowed)
    if unknown:
        raise ValueError(f"An import may not update {', '.join(sorted(unknown))}")
    existing = change.existing or {}
    # Column names come from the fixed list above, never from the file.
    assignments = ", ".join(f"{column} = :{column}" for column in change.values)
    if change.entity == "organisation_link":
        # A membership has no version: it must still have the dates it was checked with.
        cursor = db.execute(
            f"UPDATE organisation_links SET {assignments} WHERE id = :id"
            " AND date_from IS :old_from AND date_to IS :old_to",
            {**change.values, "id": existing["id"], "old_from": existing["date_from"],
             "old_to": existing["date_to"]})
        if cursor.rowcount != 1:
            raise ImportConflict(f"Line {change.line}: the record changed while importing")
        change.record_id = existing["id"]
        audit.record(db, actor=actor, action="update", entity=change.entity,
                     entity_id=existing["id"], before=existing,
                     after=dict(db[table].get(existing["id"])))
        return
    cursor = db.execute(
        f"UPDATE {table} SET {assignments}, updated_at = :updated_at, version = version + 1 "
        "WHERE id = :id AND version = :version",
        {**change.values, "updated_at": utcnow_iso(), "id": existing["id"],
         "version": existing["version"]},
    )
    if cursor.rowcount != 1:
        raise ImportConflict(f"Line {change.line}: the record changed while importing")
    change.record_id = existing["id"]
    after = dict(db[table].get(existing["id"]))
    audit.record(db, actor=actor, action="update", entity=change.entity,
                 entity_id=existing["id"], before=existing, after=after)
