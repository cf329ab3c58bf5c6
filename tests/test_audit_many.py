"""Events written many at a time (`audit.record_many`) are the events `audit.record` writes one
by one, and the audit key is read once per key file but again when the file is replaced."""
from __future__ import annotations

import os

import pytest

from register import audit, audit_content
from register.db import write_transaction

from .conftest import add_interest, add_person

KEY = bytes(range(32))

ODD_ROWS = [
    (None, None, None, None, None, 1, "2026-01-01"),
    ('say "],[null,', 1.5, float("nan"), b"\x00\xff", "Zoë \u2028 <b>", 2, None),
    (0, "", -0.0, 10**30, "}", None, None),
    ("{}", False, 7, "[null,", "\\", 3, "x"),
]


@pytest.mark.parametrize("row", ODD_ROWS)
def test_the_changes_of_a_new_record_are_spelt_as_its_diff_is(row):
    columns = ("name", "score", "weight", "blob", "note", "version", "updated_at")
    spelt = audit.creation_changes(columns)(row)
    assert isinstance(spelt, audit.Spelt)
    assert spelt == audit.canonical(audit.diff(None, dict(zip(columns, row, strict=True))))


def test_events_written_together_are_those_written_one_by_one(db):
    db.audit_key = KEY
    person = add_person(db, "Ada Lovelace")
    interests = [add_interest(db, person, organisation_name=f"Clinic {n}") for n in range(3)]
    cursor = db.execute("SELECT * FROM interests WHERE id IN (?, ?, ?) ORDER BY id", interests)
    names = [column[0] for column in cursor.description]
    rows = cursor.fetchall()
    spell = audit.creation_changes(names)
    with write_transaction(db):
        start = audit.head(db)[0]
        together = audit.record_many(
            db, [audit.Pending(actor="tester", action="create", entity="interest",
                               entity_id=row[0], changes=spell(row)) for row in rows],
            contents={"interest": audit_content.row_content_hashes("interest", names, rows)})
    stored = list(db.query("SELECT * FROM audit_events WHERE seq > ? ORDER BY seq", [start]))
    assert [event["seq"] for event in together] == [start + 1, start + 2, start + 3]
    assert stored == together
    # The same events as `record` gives for each record, at the same time and chain position.
    previous = {"seq": start, "hash": together[0]["prev_hash"]}
    for event, row in zip(together, rows, strict=True):
        expected = audit._chained(
            KEY, previous, event["at"], actor="tester", action="create", entity="interest",
            entity_id=row[0], changes=audit.diff(None, dict(zip(names, row, strict=True))),
            content=audit_content.content_sha256(db, "interest", row[0]))
        assert event == expected
        previous = expected
    assert audit.verify(db).ok
    assert audit.content_problems(db) == []


def test_content_hashes_from_rows_match_those_read_from_the_database(db):
    person = add_person(db, "Ada Lovelace")
    interests = [add_interest(db, person, organisation_name=name, mitigation=mitigation)
                 for name, mitigation in (("Clinic", ""), ("", "Leaves the room"))]
    cursor = db.execute("SELECT * FROM interests WHERE id IN (?, ?)", interests)
    names = [column[0] for column in cursor.description]
    rows = cursor.fetchall()
    assert audit_content.row_content_hashes("interest", names, rows) == \
        audit_content.content_sha256_many(db, "interest", interests)
    # A kind without content hashes has none; a decision's content is more than its row.
    assert audit_content.row_content_hashes("person", ["id", "name"], [(1, "Ada")]) == {"1": None}
    assert audit_content.row_content_hashes("decision", ["id"], [(1,)]) is None


def test_the_key_is_read_once_and_again_when_its_file_is_replaced(tmp_path):
    path = tmp_path / "keys" / "audit_key"
    first = audit.load_key(path)
    assert audit.load_key(path) == first
    assert audit.load_key(str(path)) == first
    # Replaced whole (another key linked into place), as a restore from backup would.
    other = tmp_path / "other_key"
    other.write_text("ab" * 32)
    os.replace(other, path)
    assert audit.load_key(path) == bytes.fromhex("ab" * 32)
    broken = tmp_path / "broken_key"
    broken.write_text("not a key")
    os.replace(broken, path)
    for _ in range(2):
        with pytest.raises(RuntimeError, match="64-digit hex key"):
            audit.load_key(path)
    path.unlink()
    made = audit.load_key(path)
    assert made not in (first, bytes.fromhex("ab" * 32)) and path.exists()
