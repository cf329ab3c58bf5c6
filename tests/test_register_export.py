"""A whole register exported as its import files imports into an empty register and exports again
the same, apart from ids and timestamps; a set with a bad file writes nothing."""
from __future__ import annotations

import json

from register import create_app
from register.db import connect, migrate
from register.imports.export import ORDER, file_name
from register.imports.parsers import FORMATS
from register.imports.writers import import_file

KIND_EXAMPLES = ("organisations", "people", "committees", "interests", "decisions")


def _other_register(tmp_path, name: str):
    path = tmp_path / f"{name}.sqlite3"
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                      "DATABASE": str(path),
                      "AUDIT_KEY_FILE": str(tmp_path / f"{name}.key")})
    handle = connect(str(path), foreign_keys=False)
    migrate(handle)
    handle.close()
    return app, path


def _decisions(runner) -> list[dict]:
    documents = json.loads(runner.invoke(args=["export", "decisions"]).output)["decisions"]
    for document in documents:
        document.pop("id")
        document.pop("submitted_at")
        document["committee"].pop("id")
        for flag in document.get("flags", []):
            flag.pop("computed_at", None)
            # Evidence names records by id (the organisations on the chain): ids differ.
            flag["evidence"] = {key: value for key, value in flag.get("evidence", {}).items()
                                if key != "link" and not key.endswith(("_id", "_ids"))}
    return documents


def _load_examples(db) -> None:
    for kind in KIND_EXAMPLES:
        plan = import_file(db, kind, FORMATS[kind].example, actor="tester")
        assert plan.ok, [str(p) for p in plan.problems]


def test_a_whole_register_round_trips_through_its_import_files(app, runner, db, tmp_path):
    _load_examples(db)
    first = tmp_path / "first"
    result = runner.invoke(args=["export", "register", str(first)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in first.iterdir()) == sorted(file_name(kind) for kind in ORDER)
    assert "Wrote 5-committees.csv (5 rows)" in result.output

    other_app, _ = _other_register(tmp_path, "other")
    other_runner = other_app.test_cli_runner()
    result = other_runner.invoke(args=["import", "register", str(first)])
    assert result.exit_code == 0, result.output
    second = tmp_path / "second"
    assert other_runner.invoke(args=["export", "register", str(second)]).exit_code == 0
    for kind in ORDER:
        assert (second / file_name(kind)).read_text(encoding="utf-8") == \
            (first / file_name(kind)).read_text(encoding="utf-8"), kind
    # The decisions carry the same facts and the same flags in both registers.
    differences = list(_diff(_decisions(other_runner), _decisions(runner)))
    assert differences == []


def test_a_set_with_one_bad_file_imports_nothing(app, runner, db, tmp_path):
    _load_examples(db)
    folder = tmp_path / "set"
    assert runner.invoke(args=["export", "register", str(folder)]).exit_code == 0
    interests = folder / file_name("interests")
    interests.write_text(interests.read_text(encoding="utf-8").replace(
        "asha.patel@example.nhs.uk", "nobody@example.nhs.uk"), encoding="utf-8")
    other_app, path = _other_register(tmp_path, "broken")
    result = other_app.test_cli_runner().invoke(args=["import", "register", str(folder)])
    assert result.exit_code == 1
    assert "6-interests.csv: Line 2: no person in the register has the email " \
           "nobody@example.nhs.uk" in result.output
    assert "Nothing was imported" in result.output
    other = connect(str(path))
    try:
        for table in ("organisations", "people", "committees", "interests", "decisions"):
            assert other[table].count == 0, table
    finally:
        other.close()


def test_import_register_asks_for_the_folder(app, runner, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(args=["import", "register", str(empty)])
    assert result.exit_code == 1 and "holds none of the register's files" in result.output
    loose = tmp_path / "people.csv"
    loose.write_text(FORMATS["people"].example, encoding="utf-8")
    result = runner.invoke(args=["import", "register", str(loose)])
    assert result.exit_code == 2 and "is not a folder" in result.output
    result = runner.invoke(args=["import", "people", str(empty)])
    assert result.exit_code == 2 and "is a folder" in result.output


def _diff(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in set(a) | set(b):
            yield from _diff(a.get(key), b.get(key), f"{path}.{key}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from _diff(x, y, f"{path}[{i}]")
    elif a != b:
        yield path, a, b


def test_the_demo_register_round_trips_with_identifiers_and_history(app, runner, db, tmp_path):
    """The demo holds providers known only by a Companies House or charity number, a practice
    that left a network and rejoined it, and a GP who moved practice: all of it reads back."""
    import datetime as dt

    from register.demo import load_demo

    load_demo(db, dt.date(2026, 6, 1))
    _declare_at_a_meeting(db)
    first = tmp_path / "first"
    assert runner.invoke(args=["export", "register", str(first)]).exit_code == 0
    other_app, path = _other_register(tmp_path, "other")
    other_runner = other_app.test_cli_runner()
    result = other_runner.invoke(args=["import", "register", str(first)])
    assert result.exit_code == 0, result.output
    second = tmp_path / "second"
    assert other_runner.invoke(args=["export", "register", str(second)]).exit_code == 0
    for kind in ORDER:
        assert (second / file_name(kind)).read_text(encoding="utf-8") == \
            (first / file_name(kind)).read_text(encoding="utf-8"), kind
    history = (first / file_name("home_practices")).read_text(encoding="utf-8")
    assert any(line.count(",") == 3 and line.split(",")[3] for line in history.splitlines()[1:]), \
        "a home practice period that ended"
    other = connect(str(path))
    try:
        def identities(handle):
            return sorted(tuple(r) for r in handle.execute(
                "SELECT name, ods_code, companies_house_number, charity_number FROM organisations"))

        def periods(handle, sql):
            return sorted(tuple(r) for r in handle.execute(sql))

        assert identities(other) == identities(db)
        link_sql = ("SELECT m.name, p.name, l.date_from, l.date_to FROM organisation_links l"
                    " JOIN organisations m ON m.id = l.member_id"
                    " JOIN organisations p ON p.id = l.parent_id")
        home_sql = ("SELECT people.email, o.name, h.date_from, h.date_to FROM home_practices h"
                    " JOIN people ON people.id = h.person_id"
                    " JOIN organisations o ON o.id = h.organisation_id")
        assert periods(other, link_sql) == periods(db, link_sql)
        assert periods(other, home_sql) == periods(db, home_sql)
        linked = ("SELECT people.email, o.name FROM interests i JOIN people ON people.id ="
                  " i.person_id JOIN organisations o ON o.id = i.organisation_id"
                  " WHERE i.withdrawn = 0")
        assert periods(other, linked) == periods(db, linked)
        # Notices and representations, contract modifications, gifts and hospitality, breaches
        # and interests declared at a meeting: each is in the demo, and each reads back.
        for name, sql in RECORDS_AFTER_DECISIONS.items():
            held = periods(db, sql)
            assert held, f"the demo has no {name}"
            assert periods(other, sql) == held, name
    finally:
        other.close()


# The records that follow the decisions, as a reader sees them: apart from ids and timestamps.
RECORDS_AFTER_DECISIONS = {
    "notices": "SELECT d.reference, n.kind, n.published_on, n.published_where, n.reference"
               " FROM decision_notices n JOIN decisions d ON d.id = n.decision_id",
    "representations": "SELECT d.reference, r.received_on, r.provider_name, r.summary,"
                       " r.response, r.responded_on FROM decision_representations r"
                       " JOIN decisions d ON d.id = r.decision_id",
    "modifications": "SELECT d.reference, m.modified_on, m.what_changed, m.value_before_pence,"
                     " m.value_after_pence, m.new_end, m.ground, m.published_where,"
                     " m.published_on FROM contract_modifications m"
                     " JOIN decisions d ON d.id = m.decision_id",
    "gifts": "SELECT p.email, g.kind, g.description, o.name, g.offered_by, g.from_supplier,"
             " g.value_pence, g.offered_on, g.accepted, g.approved_by, g.declared_on FROM gifts g"
             " JOIN people p ON p.id = g.person_id"
             " LEFT JOIN organisations o ON o.id = g.organisation_id",
    "breaches": "SELECT b.kind, b.detail, p.email, d.reference, b.found_on, b.investigation,"
                " b.outcome, b.lessons, b.public_summary, b.closed_on FROM breaches b"
                " LEFT JOIN people p ON p.id = b.person_id"
                " LEFT JOIN decisions d ON d.id = b.decision_id",
    "declarations at a meeting": "SELECT d.reference, p.email, i.nature, i.approval"
                                 " FROM interests i JOIN people p ON p.id = i.person_id"
                                 " JOIN decisions d ON d.id = i.declared_at_decision_id",
}


def _declare_at_a_meeting(db) -> None:
    """An interest declared at the meeting of a decided demo decision, as its page records it
    (the demo has none of its own)."""
    import datetime as dt
    from types import SimpleNamespace

    from register.interests.queries import create_interest

    decision_id, person_id, meeting = db.execute(
        "SELECT d.id, p.person_id, d.meeting_date FROM decisions d"
        " JOIN decision_participants p ON p.decision_id = d.id"
        " WHERE d.status = 'published' ORDER BY d.reference, p.id LIMIT 1").fetchone()
    create_interest(db, {
        "organisation_id": None, "organisation_name": "Northvale Walking Football Club",
        "organisation_business": "Sports club", "interest_type": "non_financial_personal",
        "is_indirect": 0, "associate_relationship": "", "nature": "Club treasurer",
        "date_from": "2020-01-01", "date_to": None, "mitigation": "", "consent_to_publish": 1,
        "withheld_reason": ""}, person_id=person_id,
        declared_on=dt.date.fromisoformat(meeting),
        user=SimpleNamespace(id=None, person_id=None, actor="tester"), at_decision_id=decision_id)


def test_dated_files_refuse_overlaps_with_their_lines(app, db):
    _load_examples(db)
    membership = ("member,network_or_federation,date_from,date_to\n"
                  "Y90002,Y90091,2020-01-01,2021-12-31\n"
                  "Y90002,Y90091,2021-06-01,\n"
                  "Y90002,Y90001,,\n"
                  "Y90002,Y90091,2025-01-01,2024-01-01\n")
    plan = import_file(db, "memberships", membership, actor="tester")
    problems = [str(p) for p in plan.problems]
    assert any(p.startswith("Line 3:") and "overlaps the period from 1 January 2020" in p
               for p in problems), problems
    assert any(p.startswith("Line 4:") and "is a practice, not a network or federation" in p
               for p in problems), problems
    assert any(p.startswith("Line 5:") and "date_to must be the same as or after date_from" in p
               for p in problems), problems
    homes = ("person_email,practice,date_from,date_to\n"
             "asha.patel@example.nhs.uk,Y90002,2010-01-01,2012-12-31\n")
    plan = import_file(db, "home_practices", homes, actor="tester")
    assert [str(p) for p in plan.problems] == [
        "Line 2: this home practice from 1 January 2010 to 31 December 2012: it overlaps the "
        "period with no start or end date (in the register): one person's home practice "
        "periods cannot overlap"]
    assert db["home_practices"].count == 2
