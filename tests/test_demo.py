"""The demo consortium: realistic, fictional, complete for the worked examples, and audited."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from register import audit
from register.db import connect, migrate
from register.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo
from register.rules.interests import add_months, is_current, is_late, return_is_due
from register.rules.text import is_companies_house_number, is_ods_code, is_practice_code
from tests.conftest import sign_in

TODAY = dt.date(2026, 3, 15)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """The demo consortium loaded once, as on a fixed day, for the tests that only read it."""
    handle = connect(str(tmp_path_factory.mktemp("demo") / "register.sqlite3"))
    migrate(handle)
    counts = load_demo(handle, today=TODAY)
    yield handle, counts
    handle.close()


@pytest.fixture
def db(loaded):
    return loaded[0]


@pytest.fixture
def demo(loaded):
    return loaded[1]


def rows(db, sql, params=()):
    return list(db.query(sql, params))


def person(db, name):
    return rows(db, "SELECT * FROM people WHERE name = ?", [name])[0]


def committee(db, name):
    found = rows(db, "SELECT * FROM committees WHERE name = ?", [name])[0]
    found["members"] = rows(db, "SELECT committee_members.*, people.name, people.home_practice_id"
                                " FROM committee_members JOIN people ON people.id = person_id"
                                " WHERE committee_id = ?", [found["id"]])
    return found


def test_counts_are_in_the_expected_ranges(db, demo):
    assert demo["organisations"] == db["organisations"].count == 19
    assert 38 <= demo["people"] == db["people"].count <= 42
    assert 55 <= demo["interests"] == db["interests"].count <= 65
    assert demo["committees"] == 2
    assert demo["accounts"] == len(DEMO_ACCOUNTS) == db["users"].count
    assert db["declaration_returns"].count == demo["declaration returns"] >= 20
    kinds = {r["kind"]: r["n"] for r in rows(
        db, "SELECT kind, count(*) AS n FROM organisations GROUP BY kind")}
    assert kinds == {"practice": 12, "network": 1, "federation": 1, "trust": 2, "independent": 3}
    assert rows(db, "SELECT count(*) AS n FROM organisations WHERE is_member_practice = 1")[0][
        "n"] == 12
    gb = committee(db, "Governing Body")
    assert 11 <= sum(m["voting"] for m in gb["members"]) <= 13


def test_people_have_the_names_people_really_have(db, demo):
    names = {r["name"] for r in rows(db, "SELECT name FROM people")}
    assert {"Siân Llewelyn", "Dr Zofia Wójcik", "Dr Niamh O'Connor"} <= names
    assert len(names) == db["people"].count
    assert sum(r["is_decision_maker"] for r in rows(db, "SELECT * FROM people")) >= 20


def test_every_code_is_valid_and_fictional(db, demo):
    for org in rows(db, "SELECT * FROM organisations"):
        code, number = org["ods_code"], org["companies_house_number"]
        if org["kind"] == "practice":
            assert is_practice_code(code) and re.fullmatch(r"Y900(0[1-9]|1[0-2])", code), code
        elif org["kind"] == "network":
            assert is_ods_code(code) and code.startswith("U9"), code
        elif org["kind"] == "trust":
            assert is_ods_code(code) and re.fullmatch(r"R9[A-Z]", code), code
        else:
            assert code is None
        if number is not None:
            assert is_companies_house_number(number) and number.startswith("990"), number
        assert org["postcode"].startswith("NV")
    assert all(r["companies_house_number"] for r in rows(
        db, "SELECT * FROM organisations WHERE kind IN ('federation', 'independent')"))


def test_network_and_federation_memberships(db, demo):
    def members(kind):
        return rows(db, "SELECT member_id FROM organisation_links JOIN organisations parent"
                        " ON parent.id = parent_id WHERE parent.kind = ?", [kind])
    assert 8 <= len(members("network")) < 12
    assert 3 <= len(members("federation")) < 12


def test_worked_example_1_primary_care_committee(db, demo):
    pcc = committee(db, "Primary Care Committee")
    assert (pcc["quorum_min_voting"], pcc["quorum_min_lay"]) == (4, 1)
    assert pcc["common_interest_policy"] == "discuss_not_vote"
    voting = [m for m in pcc["members"] if m["voting"]]
    chair = [m for m in voting if m["role"] == "chair"]
    assert len(chair) == 1 and chair[0]["category"] == "lay"
    by_category = {c: [m for m in voting if m["category"] == c] for c in ("lay", "executive", "gp")}
    assert (len(by_category["lay"]), len(by_category["executive"]), len(by_category["gp"])) == (
        3, 2, 2)
    assert len(voting) == 7  # so 5 remain when both GPs may not vote
    member_practices = {r["id"] for r in rows(
        db, "SELECT id FROM organisations WHERE is_member_practice = 1")}
    for gp in by_category["gp"]:
        assert gp["home_practice_id"] in member_practices


def test_worked_example_2_spouse_owns_the_physiotherapy_company(db, demo):
    found = rows(db, """
        SELECT interests.*, organisations.kind FROM interests
        JOIN organisations ON organisations.id = organisation_id
        JOIN committee_members cm ON cm.person_id = interests.person_id
        JOIN committees ON committees.id = cm.committee_id
        WHERE committees.name = 'Primary Care Committee' AND cm.category = 'lay' AND cm.voting
          AND interests.is_indirect = 1 AND interests.interest_type = 'financial'
          AND interests.associate_relationship = 'Spouse'
          AND organisations.name LIKE '%Physio%'""")
    assert len(found) == 1
    assert found[0]["kind"] == "independent"
    assert is_current(found[0]["date_from"], found[0]["date_to"], TODAY)


def test_worked_example_3_federation_directorship_ended_eight_months_ago(db, demo):
    found = rows(db, """
        SELECT interests.*, cm.category FROM interests
        JOIN organisations ON organisations.id = organisation_id
        JOIN committee_members cm ON cm.person_id = interests.person_id
        WHERE organisations.kind = 'federation' AND interests.nature LIKE 'Director%'
          AND interests.date_to = ? AND cm.category = 'gp'""",
        [add_months(TODAY, -8).isoformat()])
    assert found
    gp = found[0]
    current_federation = [i for i in rows(
        db, "SELECT interests.* FROM interests JOIN organisations ON organisations.id ="
            " organisation_id WHERE person_id = ? AND organisations.kind = 'federation'",
        [gp["person_id"]]) if is_current(i["date_from"], i["date_to"], TODAY)]
    assert current_federation == []


def test_worked_example_4_a_voting_gp_never_declared_their_practice(db, demo):
    undeclared = rows(db, """
        SELECT DISTINCT people.name FROM people
        JOIN committee_members cm ON cm.person_id = people.id AND cm.voting AND cm.category = 'gp'
        WHERE people.home_practice_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM interests WHERE interests.person_id = people.id
              AND interests.organisation_id = people.home_practice_id)""")
    assert len(undeclared) == 1


def test_interests_cover_every_kind_of_entry(db, demo):
    interests = rows(db, "SELECT * FROM interests")
    assert {i["interest_type"] for i in interests} == {
        "financial", "non_financial_professional", "non_financial_personal"}
    assert sum(i["is_indirect"] for i in interests) >= 4
    assert all(i["associate_relationship"] for i in interests if i["is_indirect"])
    ended = [i for i in interests if i["date_to"]]
    assert len(ended) >= 4
    assert any(add_months(TODAY, -6).isoformat() < i["date_to"] < TODAY.isoformat()
               for i in ended), "one ended recently and is still published"
    assert sum(is_late(i["date_from"], i["declared_on"]) for i in interests) >= 5
    withheld = [i for i in interests if not i["consent_to_publish"]]
    assert len(withheld) >= 2 and all(i["withheld_reason"] for i in withheld)
    on_behalf = [i for i in interests if i["on_behalf"]]
    assert len(on_behalf) >= 4 and all(i["recorded_by_user_id"] for i in on_behalf)
    assert any(i["withdrawn"] and i["withdrawn_reason"] for i in interests)
    assert all(i["declared_on"] <= TODAY.isoformat() for i in interests)


def test_free_text_names_vary_from_the_provider_record(db, demo):
    provider = rows(db, "SELECT * FROM organisations WHERE name = 'Go-To-Doc Ltd'")[0]
    typed = {i["organisation_name"] for i in rows(
        db, "SELECT * FROM interests WHERE organisation_id IS NULL")}
    variants = {name for name in typed
                if re.sub(r"[^a-z]", "", name.lower()).startswith("gotodoc")}
    assert "GoToDoc Limited" in variants
    assert provider["name"] not in variants
    assert rows(db, "SELECT count(*) AS n FROM interests WHERE organisation_id = ?",
                [provider["id"]])[0]["n"] >= 2


def test_returns_include_nil_and_a_few_overdue_decision_makers(db, demo):
    returns = rows(db, "SELECT * FROM declaration_returns")
    assert {r["kind"] for r in returns} == {"complete", "nil"}
    # A declaration counts as much as a return: either shows the person's entries were looked at.
    last = {r["person_id"]: r["last"] for r in rows(db, """
        SELECT person_id, max(day) AS last FROM (
            SELECT person_id, returned_on AS day FROM declaration_returns
            UNION ALL SELECT person_id, declared_on FROM interests) GROUP BY 1""")}
    decision_makers = rows(db, "SELECT * FROM people WHERE is_decision_maker = 1")
    overdue = [p["name"] for p in decision_makers if return_is_due(last.get(p["id"]), TODAY)]
    assert sorted(overdue) == ["Dr Ahmed Siddiqui", "Dr Callum MacLeod", "Kwame Mensah"]
    nil = {r["person_id"] for r in returns if r["kind"] == "nil"}
    declared = {r["person_id"] for r in rows(
        db, "SELECT person_id FROM interests WHERE withdrawn = 0")}
    assert nil and not nil & declared


def test_two_interests_have_an_edit_history(db, demo):
    versions = rows(db, "SELECT * FROM interest_versions")
    assert len(versions) == 2
    for version in versions:
        current = rows(db, "SELECT * FROM interests WHERE id = ?", [version["interest_id"]])[0]
        assert current["version"] == 2 and version["version"] == 1
        assert version["replaced_by_user_id"] is not None
        earlier = __import__("json").loads(version["data"])
        assert earlier["id"] == current["id"] and earlier != current
        assert [e["action"] for e in audit.history(db, "interest", current["id"])] == [
            "create", "update"]


def test_accounts_one_per_role_linked_to_the_right_people(db, demo):
    users = {u["username"]: u for u in rows(db, "SELECT * FROM users")}
    assert {u: users[u]["role"] for u in users} == {u: u for u, _ in DEMO_ACCOUNTS}
    member = rows(db, "SELECT * FROM people WHERE id = ?", [users["member"]["person_id"]])[0]
    assert member["home_practice_id"] and "GP partner" in member["positions"]
    assert users["secretary"]["person_id"] and users["governance"]["person_id"]
    lead = users["governance"]["person_id"]
    seats = {r["name"]: r["category"] for r in rows(
        db, "SELECT committees.name, cm.category FROM committee_members cm JOIN committees"
            " ON committees.id = cm.committee_id WHERE cm.person_id = ?", [lead])}
    assert seats == {"Governing Body": "lay"}


def test_every_demo_account_signs_in_with_the_demo_password(app):
    handle = connect(app.config["DATABASE"])
    load_demo(handle, today=TODAY)
    handle.close()
    for username, _label in DEMO_ACCOUNTS:
        response = sign_in(app.test_client(), username, DEMO_PASSWORD)
        assert response.status_code == 302, username
        assert "/sign-in" not in response.headers["Location"], username


def test_audit_chain_verifies_with_one_event_per_record(db, demo):
    result = audit.verify(db)
    assert result.ok
    created = sum(db[t].count for t in (
        "organisations", "organisation_links", "people", "committees", "committee_members",
        "users", "interests", "declaration_returns"))
    assert result.count == created + len(rows(db, "SELECT * FROM interest_versions"))
    assert {r["actor"] for r in rows(db, "SELECT DISTINCT actor FROM audit_events")} == {"demo"}


def test_loading_is_the_same_for_the_same_day(db, tmp_path):
    # Speed is measured by the benchmarks, not here.
    other = connect(str(tmp_path / "again.sqlite3"))
    migrate(other)
    load_demo(other, today=TODAY)
    skip = ("created_at", "updated_at")

    def snapshot(handle):
        return [{k: v for k, v in r.items() if k not in skip}
                for r in handle.query("SELECT * FROM interests ORDER BY id")]
    assert snapshot(db) == snapshot(other)
    other.close()


def test_dates_follow_the_load_day(tmp_path):
    handle = connect(str(tmp_path / "today.sqlite3"))
    migrate(handle)
    load_demo(handle)
    latest = rows(handle, "SELECT max(declared_on) AS d FROM interests")[0]["d"]
    handle.close()
    assert dt.date.today() - dt.timedelta(days=120) < dt.date.fromisoformat(latest)


@pytest.fixture
def app_db(app):
    handle = connect(app.config["DATABASE"])
    yield handle
    handle.close()


def test_cli_loads_once_and_refuses_a_non_empty_register(runner, app_db):
    db = app_db
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert "Loaded the demo consortium" in result.output
    assert DEMO_PASSWORD in result.output
    people = db["people"].count

    again = runner.invoke(args=["demo-data"])
    assert again.exit_code != 0
    assert "not empty" in again.output
    assert db["people"].count == people

    quietly = runner.invoke(args=["demo-data", "--if-empty"])
    assert quietly.exit_code == 0, quietly.output
    assert "not loaded" in quietly.output
    assert db["people"].count == people
    assert audit.verify(db).ok


def test_cli_if_empty_loads_into_an_empty_register(runner, app_db):
    db = app_db
    result = runner.invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert db["interests"].count > 50
