"""An import's new records written many at a time store exactly what writing them one by one
stores: the same ids, the same rows and, byte for byte, the same chained audit events."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest

from register import audit, demo, timeutil
from register.db import connect
from register.imports import writers

from .conftest import fresh_database

KEY = bytes(range(32))
# The demo's files that hold new records of their own, with rows that refer to records of the
# same file (memberships of a network listed above them, members of a committee just created).
FILES = ("organisations", "epraccur", "memberships", "people", "home_practices", "committees",
         "interests")


@pytest.fixture
def frozen_clock(monkeypatch):
    """Every stored time is this one, so two imports can be compared byte for byte."""
    monkeypatch.setattr(timeutil, "utcnow", lambda: dt.datetime(2026, 3, 15, 9, 30, tzinfo=dt.UTC))


def _import_demo_files(path: str) -> None:
    db = connect(path)
    db.audit_key = KEY
    try:
        for kind, name in demo.DEMO_IMPORTS:
            if kind in FILES:
                demo.import_demo_file(db, kind, demo.DEMO_FILES / name, demo.FILES_DAY)
    finally:
        db.close()


def _tables(path: str) -> dict[str, list[tuple]]:
    db = connect(path)
    try:
        names = [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE '%_fts%' ORDER BY name")]
        return {name: db.execute(f"SELECT * FROM [{name}] ORDER BY rowid").fetchall()
                for name in names}
    finally:
        db.close()


def test_records_written_many_at_a_time_store_what_one_by_one_stores(
        tmp_path, migrated_template, monkeypatch, frozen_clock):
    (tmp_path / "many").mkdir()
    (tmp_path / "one").mkdir()
    many = fresh_database(tmp_path / "many", migrated_template)
    one = fresh_database(tmp_path / "one", migrated_template)
    _import_demo_files(many)
    # With no kind written in a batch, every new record is inserted and audited on its own
    # (`audit.record`), as before imports were batched.
    monkeypatch.setattr(writers, "BATCHED", frozenset())
    _import_demo_files(one)
    batched, single = _tables(many), _tables(one)
    # The files did create records of each batched kind, with their events.
    created = {row[4] for row in batched["audit_events"] if row[3] == "create"}
    assert {"organisation", "organisation_link", "person", "committee", "committee_member",
            "interest"} <= created
    assert len(batched["interests"]) > 20
    assert batched.keys() == single.keys()
    for table in batched:
        assert batched[table] == single[table], table
    # The full-text indexes hold the same words.
    for path in (many, one):
        db = connect(path)
        try:
            assert db.execute("SELECT count(*) FROM interests_fts WHERE interests_fts MATCH ?",
                              ["partner"]).fetchone()[0] > 0
        finally:
            db.close()
    db = connect(many)
    try:
        found = [row[0] for row in db.execute(
            "SELECT rowid FROM people_fts WHERE people_fts MATCH ? ORDER BY rowid", ["dr"])]
        assert found
    finally:
        db.close()
    db = connect(one)
    try:
        assert [row[0] for row in db.execute(
            "SELECT rowid FROM people_fts WHERE people_fts MATCH ? ORDER BY rowid",
            ["dr"])] == found
    finally:
        db.close()


def test_each_imported_event_is_the_canonical_keyed_event_of_the_record_as_stored(
        tmp_path, migrated_template):
    path = fresh_database(tmp_path, migrated_template)
    _import_demo_files(path)
    db = connect(path)
    db.audit_key = KEY
    try:
        assert audit.verify(db).ok
        assert audit.content_problems(db) == []
        events = list(db.query("SELECT * FROM audit_events WHERE action = 'create'"
                               " AND entity = 'interest' ORDER BY seq"))
        assert len(events) > 20
        for event in events:
            cursor = db.execute("SELECT * FROM interests WHERE id = ?", [int(event["entity_id"])])
            names = [column[0] for column in cursor.description]
            row = dict(zip(names, cursor.fetchone(), strict=True))
            # Spelt here with the standard library alone, as the trail has always spelt them.
            changes = {name: [None, value] for name, value in row.items()
                       if value is not None
                       and name not in ("updated_at", "version", "password_hash",
                                        "session_token")}
            content = {name: value for name, value in row.items()
                       if name not in ("updated_at", "version")
                       and (value not in (None, "", 0) or name == "id")}

            def spell(value: object, *, sort: bool = True) -> str:
                return json.dumps(value, sort_keys=sort, separators=(",", ":"),
                                  ensure_ascii=False, default=str)
            assert event["changes"] == spell(changes)
            assert event["content_sha256"] == hashlib.sha256(
                spell(content).encode("utf-8")).hexdigest()
            message = spell([event[name] for name in (
                "seq", "at", "actor", "action", "entity", "entity_id", "changes", "prev_hash",
                "content_sha256", "hash_kind")], sort=False)
            assert event["hash"] == hmac.new(KEY, message.encode("utf-8"),
                                             hashlib.sha256).hexdigest()
    finally:
        db.close()


def test_new_records_are_not_read_back_where_the_table_stores_them_as_given(
        tmp_path, migrated_template):
    path = fresh_database(tmp_path, migrated_template)
    db = connect(path)
    db.audit_key = KEY
    try:
        for kind in ("organisations", "people"):
            demo.import_demo_file(db, kind, demo.DEMO_FILES / f"{kind}.csv", demo.FILES_DAY)
        statements: list[str] = []
        db.conn.set_trace_callback(statements.append)
        demo.import_demo_file(db, "interests", demo.DEMO_FILES / "interests.csv",
                              demo.FILES_DAY)
        db.conn.set_trace_callback(None)
        assert any(sql.startswith("INSERT INTO [interests]") for sql in statements)
        assert not [sql for sql in statements if "FROM [interests] WHERE rowid" in sql]
        assert audit.verify(db).ok and audit.content_problems(db) == []
    finally:
        db.close()


@pytest.mark.parametrize(("column", "stored_as_given"), [
    ("note TEXT NOT NULL DEFAULT ''", True),
    ("note TEXT DEFAULT 'it''s'", True),
    ("note INTEGER DEFAULT -3", True),
    ("note TEXT DEFAULT NULL", True),
    ("note TEXT DEFAULT CURRENT_TIMESTAMP", False),  # not a constant
    ("note TEXT DEFAULT 0", False),  # stored as the text '0'
    ("note REAL DEFAULT 1", False),  # stored as 1.0
    ("note TEXT NOT NULL ON CONFLICT REPLACE DEFAULT ''", False),
    ("note TEXT GENERATED ALWAYS AS (name || '!')", False),
])
def test_a_new_row_is_predicted_only_where_the_table_keeps_it_as_given(column, stored_as_given):
    db = connect(":memory:")
    try:
        db.execute(f"CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT, count INT, {column})")
        shape = writers._shape_of(db, "things", ("id", "name", "count"))
        assert (shape is not None) is stored_as_given
        if shape is not None:
            given = [[1, "a", 2], [2, None, None]]
            assert shape.keeps(given)
            assert not shape.keeps([[3, 4, 5]])  # a number in a text column becomes text
            db.conn.executemany("INSERT INTO things (id, name, count) VALUES (?, ?, ?)", given)
            assert [shape.row(row) for row in given] == \
                db.execute("SELECT * FROM things ORDER BY id").fetchall()
    finally:
        db.close()


def test_a_trigger_that_writes_the_table_makes_rows_read_back():
    db = connect(":memory:")
    try:
        db.execute("CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT)")
        db.execute("CREATE TABLE log (thing_id INTEGER)")
        db.execute("CREATE TRIGGER things_logged AFTER INSERT ON things BEGIN"
                   " INSERT INTO log VALUES (new.id); END")
        assert writers._shape_of(db, "things", ("id", "name")) is not None
        db.execute("CREATE TRIGGER things_named AFTER INSERT ON things BEGIN"
                   " UPDATE things SET name = upper(name) WHERE id = new.id; END")
        assert writers._shape_of(db, "things", ("id", "name")) is None
    finally:
        db.close()


def test_rows_of_different_columns_take_their_ids_in_the_files_order(db):
    from register.imports.parsers import Change

    now = "2026-03-15T09:30:00+00:00"
    base = {"created_at": now, "updated_at": now, "version": 1}
    run = [Change(line=2, entity="person", action="create",
                  values={"name": "Ada One", "email": "ada@example.org", **base}),
           Change(line=3, entity="person", action="create",
                  values={"name": "Bea Two", "email": "bea@example.org", "positions": "GP",
                          **base}),
           Change(line=4, entity="person", action="create",
                  values={"name": "Cy Three", "email": "cy@example.org", **base})]
    highest = db.execute("SELECT max(rowid) FROM people").fetchone()[0] or 0
    stored: dict = {}
    writers._insert(db, run, user_id=None, stored=stored)
    assert [change.record_id for change in run] == [highest + 1, highest + 2, highest + 3]
    cursor = db.execute("SELECT * FROM people WHERE id > ? ORDER BY id", [highest])
    rows = cursor.fetchall()
    assert [row[1] for row in rows] == ["Ada One", "Bea Two", "Cy Three"]
    names, known = stored["person"]
    assert names == tuple(column[0] for column in cursor.description)
    assert [known[row[0]] for row in rows] == rows
