"""The demo consortium: realistic, fictional, complete for the worked examples, and audited;
its decisions demonstrate every conflict rule and every status."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from types import SimpleNamespace

import pytest

from register import audit
from register.db import connect, migrate
from register.decisions import flagging, lifecycle, record
from register.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo
from register.reviews import queries as review_queries
from register.reviews import signoff
from register.rules.conflicts import RULES
from register.rules.decisions import (
    KEY_CRITERIA,
    assesses_key_criteria,
    regime_for,
    regime_problem,
    weights_problem,
)
from register.rules.interests import add_months, is_current, is_late, return_is_due
from register.rules.quorum import count_quorum
from register.rules.rulings import vote_problem
from register.rules.text import is_companies_house_number, is_ods_code, is_practice_code
from register.rules.workflow import STATUS_LABELS
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
    assert demo["organisations"] == db["organisations"].count == 22
    assert 38 <= demo["people"] == db["people"].count <= 42
    assert 55 <= demo["interests"] == db["interests"].count <= 70
    assert demo["committees"] == 2
    assert demo["accounts"] == len(DEMO_ACCOUNTS) == db["users"].count
    assert db["declaration_returns"].count == demo["declaration returns"] >= 20
    kinds = {r["kind"]: r["n"] for r in rows(
        db, "SELECT kind, count(*) AS n FROM organisations GROUP BY kind")}
    assert kinds == {"practice": 12, "network": 1, "federation": 1, "trust": 2, "independent": 5,
                     "voluntary": 1}
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
        if org["charity_number"] is not None:
            assert org["charity_number"].startswith("9990"), org["charity_number"]
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
    # Two edits, plus the free-text interests a governance lead linked by confirming a possible
    # match in a review (each keeps its earlier version too; see the test below), and the
    # duplicate withdrawn on the interests pages, which keeps its earlier version as they do.
    linked = {e["entity_id"] for e in rows(
        db, "SELECT entity_id FROM audit_events WHERE entity = 'interest' AND action = 'link'")}
    withdrawn = {i["id"] for i in rows(db, "SELECT id FROM interests WHERE withdrawn = 1")}
    assert len(withdrawn) == 1
    for interest_id in withdrawn:
        assert [e["action"] for e in audit.history(db, "interest", interest_id)] == [
            "create", "withdraw"]
    versions = [v for v in rows(db, "SELECT * FROM interest_versions")
                if int(v["interest_id"]) not in {int(i) for i in linked} | withdrawn]
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
    # One account per role, plus the Governing Body's independent reviewer (a board member).
    assert {u: users[u]["role"] for u in users} == {
        **{u: u for u, _ in DEMO_ACCOUNTS if u != "reviewer"}, "reviewer": "member"}
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


def test_audit_chain_verifies_with_an_event_for_every_record(db, demo):
    result = audit.verify(db)
    assert result.ok
    created = {r["entity"]: r["n"] for r in rows(
        db, "SELECT entity, count(*) AS n FROM audit_events WHERE action = 'create'"
            " GROUP BY entity")}
    for table, entity in (("organisations", "organisation"),
                          ("organisation_links", "organisation_link"), ("people", "person"),
                          ("committees", "committee"), ("committee_members", "committee_member"),
                          ("users", "user"), ("interests", "interest"),
                          ("declaration_returns", "declaration_return"),
                          ("decisions", "decision"), ("escalations", "escalation"),
                          ("breaches", "breach"), ("decision_outcomes", "outcome")):
        assert created[entity] == db[table].count, entity
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

    def decisions(handle):
        return [(r["reference"], r["title"], r["meeting_date"], r["status"], r["created_at"],
                 r["submitted_at"], r["flag_count"])
                for r in handle.query("SELECT * FROM decisions ORDER BY id")]
    assert decisions(db) == decisions(other)
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


# ---- decisions ------------------------------------------------------------------------------

def decision(db, title_start):
    found = rows(db, "SELECT decisions.*, committees.name AS committee_name FROM decisions"
                     " JOIN committees ON committees.id = committee_id WHERE title LIKE ?",
                 [title_start + "%"])
    assert len(found) == 1, title_start
    return found[0]


def flags_of(db, decision_id):
    return rows(db, "SELECT decision_flags.*, people.name FROM decision_flags"
                    " LEFT JOIN people ON people.id = person_id WHERE decision_id = ?"
                    " ORDER BY position", [decision_id])


def rules_by_person(db, decision_id):
    found = {}
    for flag in flags_of(db, decision_id):
        found.setdefault(flag["name"], set()).add(flag["rule"])
    return found


def rulings_of(db, decision_id):
    return {r["name"]: r for r in rows(
        db, "SELECT decision_rulings.*, people.name FROM decision_rulings JOIN people"
            " ON people.id = person_id WHERE decision_id = ?", [decision_id])}


def review_of(db, row):
    return review_queries.load_review(db, review_queries.get_decision(db, row["reference"]))


def test_about_25_decisions_across_two_years_under_the_right_regime(db, demo):
    decisions = rows(db, "SELECT * FROM decisions ORDER BY meeting_date")
    assert demo["decisions"] == len(decisions)
    assert 20 <= len(decisions) <= 30
    meetings = [dt.date.fromisoformat(d["meeting_date"]) for d in decisions]
    assert all(m.weekday() == 3 for m in meetings), "committees meet on Thursdays"
    assert all(m <= TODAY + dt.timedelta(days=45) for m in meetings)
    in_two_years = [m for m in meetings if TODAY - dt.timedelta(days=731) <= m <= TODAY]
    assert any(m < TODAY - dt.timedelta(days=365) for m in in_two_years)
    assert len(in_two_years) >= 10
    older = [d for d in decisions if d["regime"] == "pcr2013"]
    assert len(older) == 2 and all(d["meeting_date"].startswith("2023") for d in older)
    assert {c["name"] for c in rows(db, "SELECT DISTINCT committees.name FROM decisions JOIN"
                                        " committees ON committees.id = committee_id")} == {
        "Governing Body", "Primary Care Committee"}
    references = [d["reference"] for d in decisions]
    assert len(set(references)) == len(references)
    assert all(re.fullmatch(r"MOB-\d{4}-\d{4}", r) for r in references)
    counters = {r["year"]: r["last_number"] for r in rows(db, "SELECT * FROM reference_counters")}
    for year, last in counters.items():
        issued = [int(r[-4:]) for r in references if r[4:8] == str(year)]
        assert max(issued) == last, "the next reference the app issues is a fresh one"


def test_complete_decisions_are_valid_records(db, demo):
    for d in rows(db, "SELECT * FROM decisions WHERE status <> 'draft'"):
        meeting = dt.date.fromisoformat(d["meeting_date"])
        assert regime_problem(d["regime"], d["process"], meeting) is None, d["reference"]
        assert d["regime"] == regime_for(meeting)
        assert isinstance(d["total_value_pence"], int) and d["total_value_pence"] > 0
        assert 0 < d["annual_value_pence"] <= d["total_value_pence"] * 2
        assert d["contract_start"] <= d["contract_end"]
        assert d["clinical_lead_id"] and d["contract_manager_id"] and d["choice"]
        assert d["justification"]
        options = rows(db, "SELECT * FROM decision_options WHERE decision_id = ?", [d["id"]])
        assert {o["outcome"] for o in options} == {"chosen", "rejected"}, d["reference"]
        assert all(o["reason"] for o in options if o["outcome"] == "rejected")
        criteria = {c["criterion"]: c["weight"] for c in rows(
            db, "SELECT * FROM decision_criteria WHERE decision_id = ?", [d["id"]])}
        if assesses_key_criteria(d["regime"], d["process"]):
            assert set(criteria) == set(KEY_CRITERIA) and weights_problem(criteria) is None
        else:
            assert criteria == {}
        providers = rows(db, "SELECT * FROM decision_providers WHERE decision_id = ?", [d["id"]])
        assert providers or d["offered_to_all_member_practices"], d["reference"]


def test_every_conflict_rule_is_demonstrated_and_stored_current(db, demo):
    stored = {r["rule"] for r in rows(db, "SELECT DISTINCT rule FROM decision_flags")}
    assert stored == set(RULES)
    for d in rows(db, "SELECT id, reference FROM decisions"):
        computed = [(f.rule, f.person_id, f.sentence) for f in flagging.compute_flags(db, d["id"])]
        assert computed == [(f["rule"], f["person_id"], f["sentence"])
                            for f in flags_of(db, d["id"])], d["reference"]


def test_every_status_and_some_decisions_with_no_conflicts(db, demo):
    statuses = [r["status"] for r in rows(db, "SELECT status FROM decisions")]
    assert set(statuses) == set(STATUS_LABELS)
    assert statuses.count("draft") >= 2 and statuses.count("published") >= 3
    clear = rows(db, "SELECT decisions.*, organisations.kind FROM decisions"
                     " JOIN decision_providers ON decision_providers.decision_id = decisions.id"
                     " JOIN organisations ON organisations.id = organisation_id"
                     " WHERE NOT EXISTS (SELECT 1 FROM decision_flags"
                     " WHERE decision_flags.decision_id = decisions.id)")
    assert len({d["id"] for d in clear}) >= 4
    assert "trust" in {d["kind"] for d in clear}
    assert all(d["flag_count"] == 0 for d in clear)
    assert {d["status"] for d in clear} >= {"ready_for_decision", "decided", "published"}


def test_the_queue_has_an_overdue_decision_and_a_fresh_one(db, demo):
    queue = review_queries.queue(db, TODAY, 5, page_size=50)
    assert queue.total >= 4
    assert any(r["overdue"] for r in queue.rows)
    assert any(not r["overdue"] and r["status"] == "awaiting_review" for r in queue.rows)


def test_worked_example_1_anticoagulation_for_every_practice(db, demo):
    d = decision(db, "Anticoagulation monitoring")
    assert d["committee_name"] == "Primary Care Committee" and d["offered_to_all_member_practices"]
    assert rules_by_person(db, d["id"]) == {
        None: {"COMMON_INTEREST"}, "Dr Niamh O'Connor": {"COMMON_INTEREST"},
        "Dr Oluwaseun Adeyemi": {"COMMON_INTEREST"}}
    rulings = rulings_of(db, d["id"])
    assert {name: r["ruling"] for name, r in rulings.items()} == {
        "Dr Niamh O'Connor": "no_vote", "Dr Oluwaseun Adeyemi": "no_vote"}
    review = review_of(db, d)
    quorum = review.quorum({r["person_id"]: r["ruling"] for r in rulings.values()})
    assert quorum.quorate and quorum.remaining == 5
    assert review.sign_off is not None and d["status"] == "published"


def test_worked_example_2_spouses_physiotherapy_company(db, demo):
    d = decision(db, "Community musculoskeletal (MSK) physiotherapy")
    flags = [f for f in flags_of(db, d["id"]) if f["name"] == "Eleanor Fairweather"]
    assert [f["rule"] for f in flags] == ["INDIRECT_INTEREST"]
    assert flags[0]["sentence"].startswith("Eleanor Fairweather's spouse holds an interest in "
                                           "Vale Physio Partners Ltd")
    rulings = rulings_of(db, d["id"])
    assert rulings["Eleanor Fairweather"]["ruling"] == "leave_item"
    # The clinical lead on the evaluation panel typed the bidder's name differently: confirmed,
    # and he was removed from the process.
    assert rulings["Dr Ahmed Siddiqui"]["ruling"] == "remove_from_process"
    resolution = rows(db, "SELECT * FROM match_resolutions WHERE decision_id = ?", [d["id"]])
    assert [r["outcome"] for r in resolution] == ["confirmed"]


def test_worked_example_3_federation_director_resigned_eight_months_before(db, demo):
    d = decision(db, "Extended access")
    adeyemi = [f for f in flags_of(db, d["id"]) if f["name"] == "Dr Oluwaseun Adeyemi"]
    assert [f["rule"] for f in adeyemi] == ["ENDED_INTEREST"]
    assert adeyemi[0]["severity"] == "context"
    ended = dt.date.fromisoformat(json.loads(adeyemi[0]["evidence"])["date_to"])
    assert ended == add_months(TODAY, -8) < dt.date.fromisoformat(d["meeting_date"])
    assert "Dr Oluwaseun Adeyemi" not in rulings_of(db, d["id"])
    assert d["status"] == "signed_off"


def test_worked_example_4_undeclared_practice_and_a_breach(db, demo):
    d = decision(db, "Enhanced health in care homes: weekly ward rounds")
    assert rules_by_person(db, d["id"]) == {
        None: {"PROVIDER_IS_MEMBER_PRACTICE"},
        "Dr Callum MacLeod": {"HOME_PRACTICE_PROVIDER", "UNDECLARED_PRACTICE_LINK"}}
    assert rulings_of(db, d["id"])["Dr Callum MacLeod"]["ruling"] == "leave_item"
    found = record.load_record(db, d["id"])
    assert [b.kind for b in found.breaches] == ["present_when_ruled_out"]
    macleod = person(db, "Dr Callum MacLeod")["id"]
    attendance = {a.person_id: a for a in found.outcome.attendance}
    assert attendance[macleod].present and attendance[macleod].vote is None
    assert [a.name for a in record.present_when_ruled_out(found)] == ["Dr Callum MacLeod"]
    assert d["status"] == "decided"


def test_provider_owned_by_members_through_the_network_and_the_federation(db, demo):
    for title, parent in (("Ear wax removal", "Northvale Central Primary Care Network"),
                          ("Community dermatology", "Northvale GP Federation Ltd")):
        d = decision(db, title)
        owned = [f for f in flags_of(db, d["id"]) if f["rule"] == "PROVIDER_OWNED_BY_MEMBERS"]
        assert owned and all(parent in f["sentence"] for f in owned)


def test_a_possible_name_match_gotodoc_limited(db, demo):
    found = rows(db, "SELECT decision_flags.*, decisions.status FROM decision_flags"
                     " JOIN decisions ON decisions.id = decision_id"
                     " WHERE rule = 'POSSIBLE_NAME_MATCH' AND sentence LIKE '%GoToDoc Limited%'")
    assert all("Go-To-Doc Ltd" in f["sentence"] for f in found)
    assert {f["status"] for f in found} >= {"awaiting_review"}
    unresolved = [f for f in found if not rows(
        db, "SELECT 1 FROM match_resolutions WHERE decision_id = ? AND person_id = ?",
        [f["decision_id"], f["person_id"]])]
    assert unresolved, "one is still waiting for a governance lead to confirm or dismiss"


def test_a_confirmed_match_is_linked_for_good(db, demo):
    # Dr O'Brien's "GoToDoc Limited" was confirmed as Go-To-Doc Ltd in the review of the urgent
    # award: the interest is now in the organisation, and the later long-term decision shows a
    # real conflict with its lateness, not another possible match.
    obrien = person(db, "Dr Se\u00e1n O'Brien")
    provider = rows(db, "SELECT * FROM organisations WHERE name = 'Go-To-Doc Ltd'")[0]
    links = rows(db, "SELECT * FROM audit_events WHERE entity = 'interest' AND action = 'link'")
    assert links
    linked_ids = [int(e["entity_id"]) for e in links
                  if "Go-To-Doc Ltd" in e["changes"] and "review of" in e["changes"]]
    assert linked_ids
    interest = rows(db, "SELECT * FROM interests WHERE id = ?", [linked_ids[0]])[0]
    assert interest["organisation_id"] == provider["id"]
    assert interest["organisation_name"] == "GoToDoc Limited"
    assert interest["person_id"] == obrien["id"]
    later = decision(db, "Online GP consultations for NHS 111 referrals")
    theirs = [f for f in flags_of(db, later["id"]) if f["person_id"] == interest["person_id"]]
    assert {f["rule"] for f in theirs} >= {"DIRECT_INTEREST", "LATE_DECLARATION"}
    assert "POSSIBLE_NAME_MATCH" not in {f["rule"] for f in theirs}


def test_providers_known_only_by_a_number_give_real_conflicts(db, demo):
    """Independent providers with no ODS code (Companies House numbers only) and a charity
    (its charity number only): the interests declared in them are linked, so the decision
    buying from them finds conflicts, one declared late, and no possible matches."""
    providers = rows(db, "SELECT * FROM organisations WHERE name IN ('Saltmouth Home Care Ltd',"
                         " 'Easterby Wellbeing CIC', 'Saltmouth Carers Network') ORDER BY name")
    assert [(p["ods_code"], p["companies_house_number"], p["charity_number"])
            for p in providers] == [(None, "99000006", None), (None, None, "999001"),
                                    (None, "99000005", None)]
    linked = rows(db, "SELECT * FROM interests WHERE organisation_id IN (?, ?, ?)",
                  [p["id"] for p in providers])
    assert len(linked) == 3
    d = decision(db, "Home from hospital")
    flags = flags_of(db, d["id"])
    names = {r["id"]: r["name"] for r in rows(db, "SELECT id, name FROM people")}
    assert {(names[f["person_id"]], f["rule"]) for f in flags} == {
        ("Kwame Mensah", "INDIRECT_INTEREST"),
        ("Dr Oluwaseun Adeyemi", "DIRECT_INTEREST"),
        ("Dr Oluwaseun Adeyemi", "LATE_DECLARATION"),
        ("Hugh Pemberton-Clarke", "DIRECT_INTEREST")}
    assert all(f["severity"] in ("conflict", "breach") for f in flags)
    late = next(f for f in flags if f["rule"] == "LATE_DECLARATION")
    assert "Easterby Wellbeing CIC" in late["sentence"] and "100 days after" in late["sentence"]
    assert d["status"] == "awaiting_review"


def test_late_declarations_including_one_after_the_meeting(db, demo):
    late = [json.loads(f["evidence"]) for f in rows(
        db, "SELECT * FROM decision_flags WHERE rule = 'LATE_DECLARATION'")]
    assert any(e["after_meeting"] for e in late)
    assert any(not e["after_meeting"] and e["days_late"] > 28 for e in late)


def test_one_decision_is_inquorate_and_escalated_by_co_opting_gps(db, demo):
    d = rows(db, "SELECT * FROM decisions WHERE status = 'escalated'")
    assert len(d) == 1
    review = review_of(db, d[0])
    assert review.escalation["kind"] == "co_opt"
    proposals = {p["person_id"]: p["proposal"] for p in review.people()}
    voting = [(pid, m["category"]) for pid, m in review.members.items() if m["voting"]]
    without = count_quorum(review.rule, voting, proposals, set(review.participants))
    assert not without.quorate
    assert review.quorum(proposals).quorate, "the co-opted GPs make it quorate"
    assert review.sign_off is None


def test_chair_action_awaits_ratification(db, demo):
    d = rows(db, "SELECT * FROM decisions WHERE status = 'awaiting_ratification'")[0]
    review = review_of(db, d)
    assert review.escalation["kind"] == "chair_action"
    assert review.escalation["ratified_at"] is None
    rulings = {pid: r["ruling"] for pid, r in review.rulings.items()}
    assert not review.quorum(rulings).quorate and review.sign_off is not None


def test_sign_offs_are_by_the_governance_lead_with_the_right_content_hash(db, demo):
    lead = rows(db, "SELECT * FROM users WHERE username = 'governance'")[0]
    sign_offs = rows(db, "SELECT sign_offs.*, decisions.status, decisions.reference FROM sign_offs"
                         " JOIN decisions ON decisions.id = decision_id")
    assert len(sign_offs) >= 8
    for s in sign_offs:
        assert s["signer_user_id"] == lead["id"] and s["signer_name"] == "Margaret Okafor"
        assert s["statement"].startswith("I, Margaret Okafor (Governance lead), confirm")
        assert hashlib.sha256(s["content"].encode()).hexdigest() == s["content_hash"]
        review = review_of(db, s)
        assert signoff.signer_problem(review, SimpleNamespace(
            id=lead["id"], person_id=lead["person_id"], role="governance"), db) is None
        if s["voided_at"] is None and s["status"] in ("signed_off", "awaiting_ratification"):
            assert lifecycle.content_hash(lifecycle.content_snapshot(db, s["decision_id"])) == \
                s["content_hash"], s["reference"]
    assert {s["status"] for s in sign_offs} >= {"signed_off", "decided", "published"}


def test_a_new_interest_voided_a_sign_off(db, demo):
    voided = rows(db, "SELECT * FROM sign_offs WHERE voided_at IS NOT NULL")
    assert len(voided) == 1
    assert "the conflicts flagged" in voided[0]["void_reason"]
    d = rows(db, "SELECT * FROM decisions WHERE id = ?", [voided[0]["decision_id"]])[0]
    assert d["status"] == "awaiting_review"
    assert review_queries.sign_off_in_force(db, d["id"]) is None
    newer = rows(db, "SELECT interests.* FROM interests JOIN decision_flags ON"
                     " json_extract(decision_flags.evidence, '$.interest_id') = interests.id"
                     " WHERE decision_flags.decision_id = ? AND interests.created_at > ?",
                 [d["id"], voided[0]["signed_at"]])
    assert newer and all(i["declared_on"] <= TODAY.isoformat() for i in newer)
    assert voided[0]["signed_at"] < voided[0]["voided_at"] < TODAY.isoformat()


def test_outcomes_respect_the_rulings(db, demo):
    decided = rows(db, "SELECT * FROM decisions WHERE status IN ('decided', 'published')")
    assert len(decided) >= 6
    for d in decided:
        outcome = record.load_record(db, d["id"]).outcome
        assert outcome and outcome.outcome == d["choice"], d["reference"]
        rulings = {r["person_id"]: r["ruling"] for r in rows(
            db, "SELECT * FROM decision_rulings WHERE decision_id = ?", [d["id"]])}
        assert outcome.attendance
        for row in outcome.attendance:
            if row.vote:
                assert vote_problem(row.person_id, rulings) is None
        votes = outcome.votes_for + outcome.votes_against + outcome.votes_abstaining
        assert votes >= 4


def test_every_decision_page_opens_for_each_role(app):
    handle = connect(app.config["DATABASE"])
    load_demo(handle)
    references = [r["reference"] for r in handle.query(
        "SELECT reference, status FROM decisions ORDER BY id")]
    queue = {r["reference"] for r in handle.query(
        "SELECT reference FROM decisions WHERE status IN"
        " ('awaiting_review', 'escalated', 'awaiting_ratification')")}
    decided = {r["reference"] for r in handle.query(
        "SELECT reference FROM decisions WHERE status IN ('decided', 'published')")}
    handle.close()
    clients = {}
    for role in ("secretary", "governance", "auditor"):
        clients[role] = app.test_client()
        assert sign_in(clients[role], role, DEMO_PASSWORD).status_code == 302
    for reference in references:
        for role, client in clients.items():
            assert client.get(f"/decisions/{reference}").status_code == 200, (reference, role)
        assert clients["auditor"].get(f"/decisions/{reference}.json").status_code == 200
        if reference in queue:
            page = clients["governance"].get(f"/reviews/{reference}")
            assert page.status_code == 200, reference
        if reference in decided:
            assert clients["secretary"].get(f"/reviews/{reference}/outcome").status_code == 200
    assert clients["governance"].get("/reviews/").status_code == 200
    assert clients["auditor"].get("/decisions/register").status_code == 200


def test_a_governing_body_decision_whose_lead_votes_goes_to_the_independent_reviewer(app):
    from register.decisions import reviewers

    handle = connect(app.config["DATABASE"])
    load_demo(handle)
    gb = rows(handle, "SELECT * FROM committees WHERE name = 'Governing Body'")[0]
    reviewer = rows(handle, "SELECT * FROM users WHERE username = 'reviewer'")[0]
    assert gb["independent_reviewer_user_id"] == reviewer["id"] and reviewer["role"] == "member"
    assert person(handle, "Eleanor Fairweather")["id"] == reviewer["person_id"]
    waiting = [r["id"] for r in handle.query(
        "SELECT id FROM decisions WHERE status IN ('awaiting_review', 'escalated',"
        " 'awaiting_ratification')")]
    routes = reviewers.routes_for(handle, waiting)
    routed = [i for i, route in routes.items() if route.kind == "independent_reviewer"]
    assert len(routed) == 1, "one decision shows the independent reviewer at work"
    assert all(route.kind != "nobody" for route in routes.values()), "nothing is stuck"
    case = rows(handle, "SELECT * FROM decisions WHERE id = ?", [routed[0]])[0]
    handle.close()
    assert case["committee_id"] == gb["id"] and case["status"] == "awaiting_review"
    lead, independent = app.test_client(), app.test_client()
    assert sign_in(lead, "governance", DEMO_PASSWORD).status_code == 302
    assert sign_in(independent, "reviewer", DEMO_PASSWORD).status_code == 302
    assert "You cannot sign off a decision you took part in" in \
        lead.get(f"/reviews/{case['reference']}").get_data(as_text=True)
    queue = lead.get("/reviews/").get_data(as_text=True)
    assert "Eleanor Fairweather" in queue and "Independent reviewer" in queue
    assert case["reference"] in independent.get("/").get_data(as_text=True)
    page = independent.get(f"/reviews/{case['reference']}")
    assert page.status_code == 200 and 'name="password"' in page.get_data(as_text=True)


def test_a_possible_undeclared_interest_through_companies_house(db, demo):
    """The demo reads a PSC snapshot through the import: a Governing Body GP may control
    Go-To-Doc Ltd, proposed for decisions he takes part in, and has declared nothing about it."""
    assert demo["persons with significant control"] == 2
    found = rows(db, "SELECT decisions.title, decisions.status, decision_flags.sentence"
                     " FROM decision_flags JOIN decisions ON decisions.id ="
                     " decision_flags.decision_id"
                     " WHERE rule = 'POSSIBLE_UNDECLARED_INTEREST' ORDER BY decisions.id")
    assert [(r["title"], r["status"]) for r in found] == [
        ("Online GP consultations for NHS 111 referrals", "awaiting_review"),
        ("GP streaming at the emergency department", "draft")]
    assert found[0]["sentence"].startswith(
        "Dr Jonathan Ashworth-Hale may be Dr Jonathan Mark Ashworth-Hale (Companies House: "
        "person with significant control of Go-To-Doc Ltd, notified 3 March 2021, 25-50% of "
        "shares).")


def test_published_decisions_fill_the_public_register(db, demo):
    from register.public import decisions as public

    published = rows(db, "SELECT * FROM decisions WHERE status = 'published'")
    assert len(published) >= 3
    for d in published:
        assert d["award_published_where"].startswith("https://"), d["reference"]
        assert d["award_published_on"] >= d["meeting_date"], d["reference"]
    ids = public.public_ids(db, public.public_filters())
    assert len(ids) == len(published)
    shown = public.public_rows(db, ids)
    assert any(row["conflict_words"] for row in shown), "a published decision with conflicts"
    assert {row["regime"] for row in shown} >= {"psr"}


def test_send_reminders_dry_run_lists_the_demos_missing_returns_and_campaign(runner, app_db):
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    queued = app_db["outbox"].count
    result = runner.invoke(args=["send-reminders", "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # The missing annual returns, by email (Dr MacLeod sits on the Governing Body, whose running
    # campaign asks him instead).
    assert any(line.startswith("annual return: Dr Ahmed Siddiqui <ahmed.siddiqui@") for line in lines)
    assert any(line.startswith("annual return: Kwame Mensah <kwame.mensah@") for line in lines)
    assert any(line.startswith("campaign reminder: Dr Callum MacLeod <callum.macleod@")
               for line in lines)
    assert "dry run: nothing was queued" in lines[-1]
    assert app_db["outbox"].count == queued and app_db["reminders_sent"].count == 0
    # The governance lead's digest names the reviews past target and the standstill ending soon.
    from register import reminders
    from register.timeutil import today_uk

    digest = next(r for r in reminders.due(app_db, {"REVIEW_TARGET_WORKING_DAYS": 5}, today_uk())
                  if r.kind == "governance digest")
    assert "Standstills ending soon:" in digest.message.lines
    assert any("standstill ends" in line for line in digest.message.lines)


def test_the_demo_has_gifts_a_breach_and_a_running_campaign(db):
    gifts = rows(db, "SELECT * FROM gifts")
    assert {g["accepted"] for g in gifts} == {0, 1}
    assert rows(db, "SELECT count(*) AS n FROM breaches WHERE closed_on IS NOT NULL")[0]["n"] >= 1
    assert rows(db, "SELECT count(*) AS n FROM campaigns WHERE closed_on IS NULL")[0]["n"] == 1
    # Last year's, closed, publishes its non-declarers; the one who confirmed late is not listed.
    from register.campaigns.queries import published_non_declarers

    published = published_non_declarers(db, TODAY)
    assert [c["title"] for c in published] == ["Declarations 2025"]
    assert published[0]["late"] >= 1 and "Kwame Mensah" in published[0]["non_declarers"]
    assert "Margaret Okafor" not in " ".join(published[0]["non_declarers"])


def test_contract_modifications_and_renewals(db, demo):
    from register.decisions import modifications

    found = list(db.query(
        "SELECT decisions.status, contract_modifications.ground FROM contract_modifications"
        " JOIN decisions ON decisions.id = contract_modifications.decision_id"))
    assert ("published", "e") in {(r["status"], r["ground"]) for r in found}
    assert ("published", "a") in {(r["status"], r["ground"]) for r in found}
    coming = modifications.renewals(db, TODAY, 12)
    assert len(coming) >= 2
    assert any(r.end != r.original_end for r in coming)  # the break clause brought one forward
def test_the_demo_publishes_psr_awards_through_their_notices(db):
    from register.decisions import record
    from register.rules import standstill

    published = rows(db, "SELECT id FROM decisions WHERE status = 'published' AND regime = 'psr'")
    assert published
    for row in published:
        rec = record.load_record(db, row["id"])
        if rec.outcome is None or not rec.outcome.awarded_provider:
            continue
        assert rec.award_notice is not None, rec.reference
        # The award confirmation notice is where the award was published.
        assert (rec.award_published_where, rec.award_published_on) == (
            rec.award_notice.published_where, rec.award_notice.published_on)
        if rec.has_standstill:
            assert rec.award_notice.published_on > rec.standstill_end
    answered = rows(db, "SELECT * FROM decision_representations WHERE responded_on IS NOT NULL")
    assert len(answered) == 1
    running = [r for r in rows(db, "SELECT decision_notices.published_on FROM decision_notices"
                                   " JOIN decisions ON decisions.id = decision_id"
                                   " WHERE kind = 'intention' AND status = 'decided'")
               if standstill.ending_soon(dt.date.fromisoformat(r["published_on"]), TODAY)]
    assert len(running) == 1
    # The public register's rows (CSV and XLSX) carry the intention notice and the standstill.
    from register.public import decisions as public

    shown = public.public_rows(db, public.public_ids(db, public.public_filters()))
    with_standstill = [r for r in shown if r["standstill_end"]]
    assert with_standstill and all(r["intention_notice_on"] < r["standstill_end"]
                                   for r in with_standstill)
    csv_headings = [heading for _key, heading, _kind in public.COLUMNS]
    assert "Standstill ended" in csv_headings


def test_the_demo_publishes_a_decision_for_every_route_of_the_regime(db):
    from register.decisions import record
    from register.rules.decisions import PROCESSES

    published = rows(db, "SELECT id, regime, process FROM decisions WHERE status = 'published'")
    routes = {(r["regime"], r["process"]) for r in published}
    assert {("psr", process) for process in PROCESSES["psr"]} <= routes
    assert any(regime == "pcr2013" for regime, _process in routes)
    for row in published:
        rec = record.load_record(db, row["id"])
        if row["regime"] == "psr" and rec.outcome is not None and rec.outcome.awarded_provider:
            # An award is published through its award notice (and, with a standstill, its
            # intention notice before it).
            assert rec.award_notice is not None, rec.reference
            assert rec.intention_notice is not None or not rec.has_standstill, rec.reference


def _register_modules():
    import importlib
    import pkgutil
    import sys

    import register
    for info in pkgutil.walk_packages(register.__path__, "register."):
        importlib.import_module(info.name)
    return {name: module for name, module in sys.modules.items()
            if name == "register" or name.startswith("register.")}


def test_loading_the_demo_reassigns_no_module_global(tmp_path):
    # The demo passes its clock to the write functions; it never swaps a function (such as
    # timeutil.utcnow_iso) in a production module, even for a moment and even if it puts it back.
    modules = _register_modules()
    before = {name: dict(vars(module)) for name, module in modules.items()}
    seen: list[str] = []

    def watch(name, module):
        original = type(module)

        class Watched(original):
            def __setattr__(self, attr, value):
                seen.append(f"{name}.{attr}")
                super().__setattr__(attr, value)
        module.__class__ = Watched
        return original

    originals = {name: watch(name, module) for name, module in modules.items()}
    try:
        handle = connect(str(tmp_path / "register.sqlite3"))
        migrate(handle)
        load_demo(handle, today=TODAY)
        handle.close()
        patched = list(seen)
    finally:
        for name, module in modules.items():
            module.__class__ = originals[name]
    assert patched == []
    for name, module in modules.items():
        now = vars(module)
        changed = [key for key, value in before[name].items() if now.get(key) is not value]
        assert changed == [], f"{name}: {changed}"
    import register.timeutil
    assert before["register.timeutil"] == dict(vars(register.timeutil))


def test_demo_code_patches_no_module():
    # A grep of the demo's code: no `module.attr = ...` and no setattr on a module.
    import pathlib
    root = pathlib.Path(__file__).resolve().parent.parent / "register"
    patching = re.compile(r"^\s*(?!self\.)[A-Za-z_]\w*(?:\.\w+)+\s*=[^=]|setattr\(|monkeypatch",
                          re.MULTILINE)
    files = sorted(root.glob("demo*.py"))
    assert files
    for path in files:
        found = patching.findall(path.read_text(encoding="utf-8"))
        assert found == [], f"{path.name}: {found}"


def test_the_demo_files_are_valid_import_files_in_the_documented_order(tmp_path):
    # Each file, exactly as shipped, passes the import's checks on a register holding the files
    # before it: the demo proves the imports.
    from register.demo import DEMO_FILES, DEMO_IMPORTS, FILES_DAY, import_demo_file
    from register.imports.parsers import FORMATS

    handle = connect(str(tmp_path / "register.sqlite3"))
    migrate(handle)
    written = {}
    for kind, name in DEMO_IMPORTS:
        assert kind in FORMATS
        written[kind] = import_demo_file(handle, kind, DEMO_FILES / name, FILES_DAY)
    assert {kind: len(changes) for kind, changes in written.items()} == {
        # people: 40 people and the home practice of the 19 who work in one.
        "organisations": 22, "epraccur": 12, "memberships": 16, "people": 40 + 19,
        "home_practices": 2, "committees": 24, "interests": 63, "gifts": 5, "breaches": 2}
    assert handle["organisations"].count == 22 and handle["interests"].count == 63
    # The practice extract gave every member practice its status and prescribing setting.
    assert {(r["ods_status"], r["prescribing_setting"]) for r in handle.query(
        "SELECT ods_status, prescribing_setting FROM organisations"
        " WHERE is_member_practice = 1")} == {("A", 4)}
    handle.close()


def test_a_broken_demo_file_is_refused_with_the_imports_line_numbered_message(tmp_path):
    import shutil

    from register.demo import DEMO_FILES, DemoFileRefused, import_demo_file

    folder = tmp_path / "demo_files"
    shutil.copytree(DEMO_FILES, folder)
    lines = (folder / "people.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    # Line 5 of the file (the header is line 1) loses its last cell, and line 7 gets a bad email.
    lines[4] = lines[4].rstrip("\n").rsplit(",", 1)[0] + "\n"
    name, _email, rest = lines[6].split(",", 2)
    lines[6] = f"{name},not-an-email,{rest}"
    (folder / "people.csv").write_text("".join(lines), encoding="utf-8")
    handle = connect(str(tmp_path / "register.sqlite3"))
    migrate(handle)
    import_demo_file(handle, "organisations", folder / "organisations.csv", TODAY)
    with pytest.raises(DemoFileRefused) as refused:
        import_demo_file(handle, "people", folder / "people.csv", TODAY)
    message = str(refused.value)
    assert message.startswith("The demo file people.csv is refused: ")
    assert "Line 5: has 4 values but the header row has 5 columns" in message
    assert "Line 7: " in message and "email" in message.lower()
    # Nothing of the refused file was written.
    assert handle["people"].count == 0
    handle.close()


def test_demo_files_move_with_the_load_day():
    # The files are dated as on FILES_DAY; loaded on another day every date moves by as many days.
    from register.demo import DEMO_FILES, FILES_DAY, shift_dates

    text = (DEMO_FILES / "interests.csv").read_text(encoding="utf-8")
    assert shift_dates("interests", text, 0) == text
    moved = shift_dates("interests", text, 10)
    import csv
    import io
    before = list(csv.DictReader(io.StringIO(text)))
    after = list(csv.DictReader(io.StringIO(moved)))
    assert len(before) == len(after)
    for old, new in zip(before, after, strict=True):
        for column in ("date_from", "declared_on"):
            assert dt.date.fromisoformat(new[column]) - dt.date.fromisoformat(old[column]) == \
                dt.timedelta(days=10)
        assert new["nature"] == old["nature"]
        assert dt.date.fromisoformat(old["declared_on"]) <= FILES_DAY


def test_the_demo_loads_the_same_consortium_on_another_day(tmp_path):
    # Loaded on a later day, the files' dates move with it: every import still accepts them and
    # the consortium is the same size.
    handle = connect(str(tmp_path / "register.sqlite3"))
    migrate(handle)
    counts = load_demo(handle, today=dt.date(2026, 11, 5))
    assert counts["organisations"] == 22 and counts["people"] == 40
    assert counts["interests"] == handle["interests"].count
    ended = handle.execute("SELECT date_to FROM organisation_links WHERE date_to IS NOT NULL"
                           ).fetchone()[0]
    assert ended == (dt.date(2026, 11, 5) - (TODAY - add_months(TODAY, -8))).isoformat()
    handle.close()


@pytest.mark.parametrize(("table", "column"), [
    ("decisions", "created_at"), ("decisions", "submitted_at"), ("decisions", "updated_at"),
    ("decision_rulings", "ruled_at"), ("escalations", "recorded_at"),
    ("sign_offs", "signed_at"), ("sign_offs", "voided_at"), ("decision_outcomes", "recorded_at"),
    ("decision_notices", "recorded_at"), ("decision_representations", "recorded_at"),
    ("contract_modifications", "created_at"), ("interest_versions", "replaced_at"),
])
def test_the_demo_history_is_stamped_with_the_clock_it_passes(db, demo, table, column):
    # Each write path takes the demo's time as `now=`: nothing of the history is stamped with the
    # real time the demo was loaded (later than TODAY), as the write functions do by default.
    stamps = [r[column] for r in rows(db, f"SELECT {column} FROM {table}") if r[column]]
    assert stamps, (table, column)
    assert max(stamps) < TODAY.isoformat(), (table, column)


def test_the_demos_outbox_holds_only_messages_still_true_today(runner, app_db):
    """The demo's history sends a message at each step; what waits in the outbox afterwards is
    what someone would still act on: each decision waiting for a review once, none about a
    decision long since decided or published."""
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    waiting = list(app_db.query("SELECT outbox.to_address, outbox.subject, outbox.kind,"
                                " decisions.status FROM outbox JOIN decisions"
                                " ON outbox.link_path LIKE '%/' || decisions.reference"
                                " WHERE outbox.sent_at IS NULL"))
    assert waiting, "the demo has reviews waiting, so its governance lead has messages"
    assert {row["kind"] for row in waiting} >= {"flagged_decision"}
    for row in waiting:
        expected = "returned" if row["kind"] == "decision_returned" else "awaiting_review"
        assert row["status"] == expected, row
    keys = [(row["to_address"], row["subject"]) for row in waiting]
    assert len(keys) == len(set(keys))
    awaiting = {r[0] for r in app_db.execute(
        "SELECT reference FROM decisions WHERE status = 'awaiting_review'")}
    told = {row["subject"].split(" ", 1)[0] for row in waiting if row["kind"] == "flagged_decision"}
    assert told == awaiting
