"""The dependency query against the rules' own fact-gathering: after any kind of change, every
decision whose computed flags changed is among the decisions `dependencies.affected` names."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from register.decisions import dependencies, flagging, lifecycle
from register.demo import load_demo
from register.timeutil import utcnow_iso


@pytest.fixture
def demo(db):
    load_demo(db, dt.date(2026, 6, 1))
    return db


def _all_flags(db) -> dict[int, list[tuple]]:
    return {row[0]: sorted((f.rule, f.person_id or 0, f.organisation_id or 0, f.sentence)
                           for f in flagging.compute_flags(db, row[0]))
            for row in db.execute("SELECT id FROM decisions")}


def _ids(db, sql: str, params=()) -> list[int]:
    return [row[0] for row in db.execute(sql, params)]


def _mutations(db, rng: random.Random):
    """Changes of every kind the rules depend on, each as (description, change, touched)."""
    practices = _ids(db, "SELECT id FROM organisations WHERE kind = 'practice' ORDER BY id")
    groups = _ids(db, "SELECT id FROM organisations WHERE kind IN ('network', 'federation')"
                      " ORDER BY id")
    organisations = _ids(db, "SELECT id FROM organisations ORDER BY id")
    people = _ids(db, "SELECT id FROM people ORDER BY id")
    committees = _ids(db, "SELECT id FROM committees ORDER BY id")
    links = _ids(db, "SELECT id FROM organisation_links ORDER BY id")
    now = utcnow_iso()

    def add_link():
        member, parent = rng.choice(practices + groups), rng.choice(groups)
        if member == parent or db.execute(
                "SELECT 1 FROM organisation_links WHERE member_id = ? AND parent_id = ?",
                [member, parent]).fetchone():
            return None
        db["organisation_links"].insert({"member_id": member, "parent_id": parent,
                                         "created_at": now})
        return {"organisations": [member, parent]}

    def remove_link():
        row = db.execute("SELECT id, member_id, parent_id FROM organisation_links WHERE id = ?",
                         [rng.choice(links)]).fetchone()
        if row is None:
            return None
        db.execute("DELETE FROM organisation_links WHERE id = ?", [row[0]])
        return {"organisations": [row[1], row[2]]}

    def end_link():
        row = db.execute("SELECT id, member_id, parent_id FROM organisation_links WHERE id = ?",
                         [rng.choice(links)]).fetchone()
        if row is None:
            return None
        db.execute("UPDATE organisation_links SET date_to = '2024-01-01' WHERE id = ?", [row[0]])
        return {"organisations": [row[1], row[2]]}

    def member_practice():
        organisation = rng.choice(organisations)
        db.execute("UPDATE organisations SET is_member_practice = 1 - is_member_practice"
                   " WHERE id = ?", [organisation])
        return {"organisations": [organisation]}

    def rename():
        organisation = rng.choice(organisations)
        db.execute("UPDATE organisations SET name = 'Go-To-Doc Ltd' WHERE id = ?", [organisation])
        return {"organisations": [organisation]}

    def home_practice():
        person = rng.choice(people)
        practice = rng.choice(practices + [None])
        db.execute("DELETE FROM home_practices WHERE person_id = ?", [person])
        if practice is not None:
            db["home_practices"].insert({"person_id": person, "organisation_id": practice,
                                         "created_at": now})
        return {"people": [person]}

    def moved_practice():
        # A dated move: some decisions fall before it, some after.
        person = rng.choice(people)
        if db.execute("SELECT 1 FROM home_practices WHERE person_id = ? AND (date_from >="
                      " '2025-07-01' OR date_to >= '2025-07-01')", [person]).fetchone():
            return None
        db.execute("UPDATE home_practices SET date_to = '2025-06-30' WHERE person_id = ?"
                   " AND date_to IS NULL", [person])
        db["home_practices"].insert({"person_id": person, "organisation_id": rng.choice(practices),
                                     "date_from": "2025-07-01", "created_at": now})
        return {"people": [person]}

    def interest():
        person = rng.choice(people)
        db["interests"].insert({
            "person_id": person, "organisation_id": rng.choice(organisations),
            "organisation_name": "", "interest_type": "financial", "nature": "Director",
            "date_from": "2020-01-01", "declared_on": "2020-01-05", "created_at": now,
            "updated_at": now})
        return {"people": [person]}

    def policy():
        committee = rng.choice(committees)
        db.execute("UPDATE committees SET common_interest_policy = CASE common_interest_policy"
                   " WHEN 'leave' THEN 'discuss_not_vote' ELSE 'leave' END WHERE id = ?",
                   [committee])
        return {"committees": [committee]}

    def controller():
        organisation = rng.choice(organisations)
        name = db.execute("SELECT name FROM people WHERE id = ?",
                          [rng.choice(people)]).fetchone()[0]
        db["company_pscs"].insert({
            "organisation_id": organisation, "psc_key": f"/psc/{rng.random()}",
            "kind": "individual", "name": name, "birth_month": 4, "birth_year": 1975,
            "natures_of_control": '["ownership-of-shares-25-to-50-percent"]',
            "notified_on": "2016-04-06", "created_at": now, "updated_at": now})
        return {"organisations": [organisation]}

    def birth():
        person = rng.choice(people)
        db.execute("UPDATE people SET birth_month = ?, birth_year = 1975 WHERE id = ?",
                   [rng.choice([4, 5, None]), person])
        return {"people": [person]}

    return [add_link, remove_link, end_link, member_practice, rename, home_practice,
            moved_practice, interest, policy, controller, birth]


@pytest.mark.parametrize("seed", range(6))
def test_every_decision_whose_flags_change_is_named_as_affected(demo, seed):
    db = demo
    rng = random.Random(seed)
    kinds = _mutations(db, rng)
    seen = 0
    for _ in range(12):
        before = _all_flags(db)
        change = rng.choice(kinds)
        touched = change()
        if touched is None:
            continue
        after = _all_flags(db)
        changed = {i for i in after if after[i] != before.get(i)}
        affected = dependencies.affected(db, **touched)
        assert changed <= affected, (change.__name__, touched, changed - affected)
        seen += len(changed)
        lifecycle.refresh(db, affected)
    assert seen, "the changes tried should have changed some decision's flags"


def test_a_change_touching_nothing_names_no_decision(demo):
    lonely = demo["organisations"].insert({
        "name": "Nobody's Surgery", "kind": "practice", "created_at": utcnow_iso(),
        "updated_at": utcnow_iso()}).last_pk
    assert dependencies.affected(demo, organisations=[lonely]) == set()
    assert dependencies.affected(demo) == set()
