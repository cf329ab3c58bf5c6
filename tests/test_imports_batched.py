"""A large import written in a batch: the flags it leaves are exactly what recomputing every
decision from scratch gives, its audit events chain and verify, and a new interest refreshes
only the decisions it can flag."""
from __future__ import annotations

import csv
import datetime as dt
import io
import random

import pytest

from register import audit
from register.decisions import dependencies, flagging, lifecycle
from register.demo import load_demo
from register.imports.writers import import_file

COLUMNS = ("person_email", "organisation_ods", "organisation_companies_house_number",
           "organisation_charity_number", "organisation_name", "organisation_business",
           "interest_type", "direct_or_indirect", "relationship", "nature", "date_from",
           "date_to", "mitigation", "declared_on", "consent_to_publish", "withheld_reason")


@pytest.fixture
def demo(db):
    load_demo(db, dt.date(2026, 6, 1))
    return db


def _column(db, sql: str) -> list:
    return [row[0] for row in db.execute(sql)]


def _interests_file(db, rows: int, seed: int = 11) -> bytes:
    """Interests of the people who take part in decisions: in their decisions' providers, in
    members of networks, in home practices, in unrelated organisations, and as free text
    (some naming a provider, some nothing registered), over a spread of dates."""
    rng = random.Random(seed)
    emails = _column(db, "SELECT DISTINCT people.email FROM people JOIN decision_participants"
                         " ON decision_participants.person_id = people.id ORDER BY people.email")
    codes = _column(db, "SELECT ods_code FROM organisations WHERE ods_code IS NOT NULL"
                        " ORDER BY id")
    providers = _column(db, "SELECT DISTINCT organisations.ods_code FROM organisations"
                            " JOIN decision_providers ON decision_providers.organisation_id ="
                            " organisations.id WHERE organisations.ods_code IS NOT NULL")
    members = _column(db, "SELECT DISTINCT organisations.ods_code FROM organisations"
                          " JOIN organisation_links ON organisation_links.member_id ="
                          " organisations.id JOIN decision_providers ON"
                          " decision_providers.organisation_id = organisation_links.parent_id"
                          " WHERE organisations.ods_code IS NOT NULL")
    homes = _column(db, "SELECT DISTINCT organisations.ods_code FROM organisations"
                        " JOIN home_practices ON home_practices.organisation_id = organisations.id"
                        " WHERE organisations.ods_code IS NOT NULL")
    assert providers and members and homes
    names = _column(db, "SELECT name FROM organisations ORDER BY id")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for index in range(rows):
        year = rng.randint(2018, 2025)
        pick = rng.random()
        code, name = "", ""
        if pick < 0.2:
            code = rng.choice(providers)
        elif pick < 0.4:
            code = rng.choice(members)
        elif pick < 0.6:
            code = rng.choice(homes)
        elif pick < 0.8:
            code = rng.choice(codes)
        elif pick < 0.9:
            name = rng.choice(names) + " Partnership"  # near a registered name: free text
        else:
            name = f"Unregistered Clinic {index}"
        indirect = rng.random() < 0.2
        writer.writerow([
            rng.choice(emails), code, "", "", name, "Health services",
            rng.choice(("financial", "non_financial_professional", "non_financial_personal")),
            "indirect" if indirect else "direct", "spouse" if indirect else "",
            f"Partner, entry {index}", f"{year}-0{rng.randint(1, 9)}-01",
            f"{year + 1}-01-31" if rng.random() < 0.3 else "", "",
            f"{year}-{rng.randint(10, 12)}-20", "yes", ""])
    return out.getvalue().encode("utf-8")


def _stored(db) -> dict[int, tuple]:
    flags: dict[int, list[tuple]] = {}
    for row in db.execute("SELECT decision_id, rule, severity, person_id, organisation_id,"
                          " evidence, sentence FROM decision_flags"):
        flags.setdefault(row[0], []).append(tuple("" if v is None else str(v) for v in row[1:]))
    return {row[0]: (sorted(flags.get(row[0], [])), row[1], row[2], row[3]) for row in db.execute(
        "SELECT id, flag_count, conflict_count, status FROM decisions")}


def test_flags_after_a_large_import_are_what_recomputing_every_decision_gives(demo):
    db = demo
    before = _stored(db)
    plan = import_file(db, "interests", _interests_file(db, 400), actor="tester")
    assert plan.ok, plan.problems[:3]
    after = _stored(db)
    changed = [i for i in after if after[i] != before[i]]
    # The file really changes flags (otherwise this test could not fail).
    assert len(changed) >= 5
    seq = audit.head(db)[0]
    # Recompute every decision, as if from scratch: nothing changes and nothing is recorded.
    lifecycle.refresh_all(db, actor="tester")
    assert audit.head(db)[0] == seq
    assert _stored(db) == after
    # And a decision that is not settled has exactly the flags the rules find now.
    for decision_id, (_flags, count, _conflicts, status) in after.items():
        if status in flagging.SETTLED_STATUSES:
            continue
        computed = flagging.compute_flags(db, decision_id)
        assert sorted((f.rule, f.person_id or 0, f.organisation_id or 0, f.sentence)
                      for f in computed) == sorted(
            (r[0], int(r[2] or 0), int(r[3] or 0), r[5]) for r in after[decision_id][0])
        assert count == (sum(1 for f in computed if f.severity != "context")
                         if flagging.rules.decision_is_flagged(computed) else 0)


def test_a_large_import_writes_one_chained_event_per_record_and_the_trail_verifies(demo):
    db = demo
    count = db.execute("SELECT count(*) FROM interests").fetchone()[0]
    seq = audit.head(db)[0]
    plan = import_file(db, "interests", _interests_file(db, 150), actor="tester")
    assert plan.ok
    new = _column(db, f"SELECT id FROM interests WHERE id > 0 ORDER BY id LIMIT -1 OFFSET {count}")
    assert len(new) == 150
    created = list(db.query("SELECT entity_id, content_sha256, changes FROM audit_events"
                            " WHERE seq > ? AND entity = 'interest' AND action = 'create'"
                            " ORDER BY seq", [seq]))
    assert [int(e["entity_id"]) for e in created] == new
    assert all(e["content_sha256"] for e in created)
    assert '"nature"' in created[0]["changes"]
    assert audit.verify(db).ok
    assert audit.content_problems(db) == []


def test_a_refused_file_writes_nothing(demo):
    db = demo
    data = _interests_file(db, 50) + b"nobody@example.org,,,,Somewhere,,financial,direct,,x," \
                                      b"2020-01-01,,,2020-01-02,yes,\n"
    seq, interests = audit.head(db)[0], db.execute("SELECT count(*) FROM interests").fetchone()
    plan = import_file(db, "interests", data, actor="tester")
    assert not plan.ok
    assert "line 52" in str(plan.problems[0]).lower()
    assert audit.head(db)[0] == seq
    assert db.execute("SELECT count(*) FROM interests").fetchone() == interests


def test_new_interests_name_every_decision_whose_flags_they_change(demo):
    db = demo
    rng = random.Random(5)
    people = _column(db, "SELECT DISTINCT person_id FROM decision_participants ORDER BY 1")
    organisations = _column(db, "SELECT id FROM organisations ORDER BY id")
    # Providers, members of providers' networks and home practices, as well as any organisation.
    near = [_column(db, "SELECT organisation_id FROM decision_providers ORDER BY 1"),
            _column(db, "SELECT member_id FROM organisation_links ORDER BY 1"),
            _column(db, "SELECT organisation_id FROM home_practices ORDER BY 1"), organisations]
    names = _column(db, "SELECT name FROM organisations ORDER BY id")
    decisions = _column(db, "SELECT id FROM decisions ORDER BY id")
    checked = 0
    for _ in range(40):
        person = rng.choice(people)
        free = rng.random() < 0.2
        organisation = None if free else rng.choice(rng.choice(near))
        old = {i: flagging.compute_flags(db, i) for i in decisions}
        db["interests"].insert({
            "person_id": person, "organisation_id": organisation,
            "organisation_name": rng.choice(names) if free else "",
            "interest_type": "financial", "is_indirect": 0, "nature": "Partner",
            "date_from": "2019-01-01", "declared_on": "2019-01-10", "created_at": "x",
            "updated_at": "x", "version": 1})
        named = dependencies.affected_by_new_interests(db, [(person, organisation)])
        assert named <= dependencies.affected(db, people=[person])
        moved = {i for i in decisions if flagging.compute_flags(db, i) != old[i]}
        assert moved <= named, (person, organisation)
        checked += len(moved)
    assert checked  # some of the interests did change flags
