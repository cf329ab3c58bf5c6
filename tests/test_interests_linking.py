"""Free text resolved later: confirmed matches and exact names link an interest for good."""
from __future__ import annotations

import json

import pytest

from register import audit
from register.decisions import flagging
from register.imports.writers import import_file
from register.interests import linking
from register.organisations import queries as organisation_queries
from tests.conftest import add_committee, add_decision, add_interest, add_organisation, add_person

ORGANISATION = {"kind": "independent", "ods_code": None, "companies_house_number": None,
                "charity_number": None, "registered_address": "", "postcode": "",
                "is_member_practice": 0}


def rules_of(db, decision_id: int, person_id: int) -> set[str]:
    return {f["rule"] for f in flagging.current_flags(db, decision_id)
            if f["person_id"] == person_id}


def events(db, interest_id: int) -> list[dict]:
    return [e for e in audit.history(db, "interest", interest_id)]


@pytest.fixture
def setting(db):
    committee = add_committee(db)
    person = add_person(db, "Kwame Mensah")
    return committee, person


def test_a_confirmed_match_links_the_interest_and_later_decisions_see_a_late_conflict(db,
                                                                                     setting):
    committee, person = setting
    company = add_organisation(db, "Go-To-Doc Ltd", kind="independent")
    # Declared 60 days after it arose: late, which only shows once it is a real conflict.
    interest = add_interest(db, person, organisation_name="GoToDoc Limited",
                            date_from="2025-01-01", declared_on="2025-03-02")
    first = add_decision(db, committee, providers=(company,), participants=((person, "voting"),),
                         status="awaiting_review")
    assert rules_of(db, first, person) == {"POSSIBLE_NAME_MATCH"}

    linked = linking.confirm_match(db, interest, company, actor="lead", user_id=None,
                                   reference="MOB-2026-0001")
    assert linked == linking.Linked(interest, person, company)
    row = db["interests"].get(interest)
    assert (row["organisation_id"], row["version"]) == (company, 2)
    assert row["organisation_name"] == "GoToDoc Limited"  # what was typed is kept
    kept = list(db.query("SELECT * FROM interest_versions WHERE interest_id = ?", [interest]))
    assert [json.loads(k["data"])["organisation_id"] for k in kept] == [None]
    event = events(db, interest)[-1]
    assert event["action"] == "link" and event["content_sha256"]
    changes = event["changes"]
    assert changes["organisation_id"] == [None, company]
    assert "confirmed as Go-To-Doc Ltd in the review of MOB-2026-0001" in changes["how"][1]
    # Refreshed in the same write: this decision, and every later one, sees the conflict.
    assert rules_of(db, first, person) == {"DIRECT_INTEREST", "LATE_DECLARATION"}
    later = add_decision(db, committee, providers=(company,),
                         participants=((person, "voting"),), meeting_date="2026-06-01")
    assert rules_of(db, later, person) == {"DIRECT_INTEREST", "LATE_DECLARATION"}
    late = [f for f in flagging.current_flags(db, later) if f["rule"] == "LATE_DECLARATION"]
    assert "60 days after it arose" in late[0]["sentence"]
    # Confirming again (another decision's review) writes nothing more.
    assert linking.confirm_match(db, interest, company, actor="lead", user_id=None,
                                 reference="MOB-2026-0002") is None
    assert db["interests"].get(interest)["version"] == 2


def test_adding_an_organisation_links_free_text_that_names_it_exactly(db, setting):
    committee, person = setting
    exact = add_interest(db, person, organisation_name="The Physio People Limited")
    close = add_interest(db, person, organisation_name="Physio Peeple Ltd")
    withdrawn = add_interest(db, person, organisation_name="Physio People", withdrawn=1,
                             withdrawn_reason="Entered in error")
    new_id = organisation_queries.create_organisation(
        db, {**ORGANISATION, "name": "Physio People Ltd"}, actor="secretary")
    assert db["interests"].get(exact)["organisation_id"] == new_id
    assert db["interests"].get(close)["organisation_id"] is None  # close is not exact
    assert db["interests"].get(withdrawn)["organisation_id"] is None
    event = events(db, exact)[-1]
    assert event["actor"] == "secretary" and event["action"] == "link"
    assert event["changes"]["how"][1] == "linked by exact name to Physio People Ltd"


def test_renaming_an_organisation_links_and_refreshes_its_decisions(db, setting):
    committee, person = setting
    company = add_organisation(db, "Vale Physio Ltd", kind="independent")
    interest = add_interest(db, person, organisation_name="Vale Physio Partners")
    decision = add_decision(db, committee, providers=(company,),
                            participants=((person, "voting"),), status="awaiting_review")
    assert rules_of(db, decision, person) == set()  # not even close enough to ask
    row = db["organisations"].get(company)
    saved = organisation_queries.update_organisation(
        db, company, row["version"],
        {**ORGANISATION, "name": "Vale Physio Partners Ltd"}, actor="secretary")
    assert saved
    assert db["interests"].get(interest)["organisation_id"] == company
    assert rules_of(db, decision, person) == {"DIRECT_INTEREST"}


def test_a_name_two_organisations_share_is_not_linked(db, setting):
    _committee, person = setting
    add_organisation(db, "Oak Health Ltd", kind="independent", ods_code="AB1")
    interest = add_interest(db, person, organisation_name="Oak Health")
    organisation_queries.create_organisation(
        db, {**ORGANISATION, "name": "Oak Health Limited", "ods_code": "CD2"}, actor="secretary")
    assert db["interests"].get(interest)["organisation_id"] is None
    assert [e["action"] for e in events(db, interest)] == []


def test_an_organisations_import_links_in_one_batch(db, setting):
    committee, person = setting
    one = add_interest(db, person, organisation_name="Brook Carers CIC")
    two = add_interest(db, person, organisation_name="Lantern Trust")
    other = add_person(db, "Ada Lovelace")
    three = add_interest(db, other, organisation_name="lantern trust")
    plan = import_file(db, "organisations",
                       "name,kind\nBrook Carers Community Interest Company,voluntary\n"
                       "The Lantern Trust,voluntary\n", actor="cli")
    assert plan.ok, plan.problems
    ids = {r["name"]: r["id"] for r in db.query("SELECT id, name FROM organisations")}
    assert db["interests"].get(one)["organisation_id"] == ids[
        "Brook Carers Community Interest Company"]
    assert db["interests"].get(two)["organisation_id"] == ids["The Lantern Trust"]
    assert db["interests"].get(three)["organisation_id"] == ids["The Lantern Trust"]
    assert {e["actor"] for i in (one, two, three) for e in events(db, i)
            if e["action"] == "link"} == {"cli"}


def test_a_dry_run_import_links_nothing(db, setting):
    _committee, person = setting
    interest = add_interest(db, person, organisation_name="Lantern Trust")
    plan = import_file(db, "organisations", "name,kind\nLantern Trust,voluntary\n", actor="cli",
                       dry_run=True)
    assert plan.ok
    assert db["interests"].get(interest)["organisation_id"] is None


def test_settle_links_and_marks_and_refuses_a_stale_row(db, setting):
    _committee, person = setting
    company = add_organisation(db, "Go-To-Doc Ltd", kind="independent")
    first = add_interest(db, person, organisation_name="GoToDoc Limited")
    second = add_interest(db, person, organisation_name="Northvale Book Club")
    result = linking.settle(db, {first: 1, second: 1},
                            {first: str(company), second: "not_registered"},
                            actor="lead", user_id=None)
    assert [linked.interest_id for linked in result.linked] == [first]
    assert result.marked == [second]
    assert db["interests"].get(first)["organisation_id"] == company
    assert db["interests"].get(second)["not_registered"] == 1
    assert linking.free_text_count(db) == 0
    third = add_interest(db, person, organisation_name="Go To Doc")
    fourth = add_interest(db, person, organisation_name="Riverside Book Club")
    with pytest.raises(linking.StaleInterest):
        linking.settle(db, {third: 1, fourth: 7}, {third: str(company), fourth: "not_registered"},
                       actor="lead", user_id=None)
    # Nothing half-done: the first row of the refused batch was not linked either.
    assert db["interests"].get(third)["organisation_id"] is None
    assert db["interests"].get(fourth)["not_registered"] == 0


def test_the_free_text_page_lists_best_candidates_first(db, setting, app):
    _committee, person = setting
    add_organisation(db, "Go-To-Doc Ltd", kind="independent")
    add_organisation(db, "GoToDoc Services Ltd", kind="independent")
    add_organisation(db, "Riverside Surgery")
    add_interest(db, person, organisation_name="GoToDoc Limited")
    page = linking.free_text_page(db, 1, 25)
    assert page.total == 1
    candidates = page.rows[0]["candidates"]
    assert [c.name for c in candidates][:2] == ["Go-To-Doc Ltd", "GoToDoc Services Ltd"]
    assert candidates[0].words == "same name"
    assert "Riverside Surgery" not in [c.name for c in candidates]


# ---- the free-text page ----

def page_words(response) -> str:
    import html
    import re

    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ",
                                                    response.get_data(as_text=True))))


@pytest.fixture
def free_text(db, setting):
    _committee, person = setting
    company = add_organisation(db, "Go-To-Doc Ltd", kind="independent")
    typed = add_interest(db, person, organisation_name="GoToDoc Limited")
    club = add_interest(db, person, organisation_name="Northvale Book Club")
    return company, typed, club


@pytest.mark.parametrize(("role", "status"), [
    ("governance", 200), ("secretary", 200), ("member", 403), ("auditor", 403), ("admin", 403)])
def test_who_may_see_the_free_text_page(as_role, free_text, role, status):
    client = as_role(role)
    assert client.get("/interests/free-text").status_code == status
    # Allowed roles get the page back with "Select at least one interest to settle".
    assert client.post("/interests/free-text", data={}).status_code == (
        403 if status == 403 else 400)


def test_the_page_lists_candidates_and_settles_ticked_rows(as_role, db, free_text):
    company, typed, club = free_text
    lead = as_role("governance")
    home = page_words(lead.get("/"))
    assert "2 interests are held as free text" in home
    page = lead.get("/interests/free-text")
    words = page_words(page)
    assert "GoToDoc Limited" in words and "Go-To-Doc Ltd" in words and "Same name" in words
    assert "Not a registered organisation" in words
    response = lead.post("/interests/free-text", data={
        "settle": [str(typed), str(club)], f"version_{typed}": "1", f"version_{club}": "1",
        f"choice_{typed}": str(company), f"choice_{club}": "not_registered"})
    assert response.status_code == 302
    assert db["interests"].get(typed)["organisation_id"] == company
    assert db["interests"].get(club)["not_registered"] == 1
    after = page_words(lead.get(response.headers["Location"]))
    assert "1 linked to a registered organisation and 1 marked as not a registered" in after
    assert "GoToDoc Limited" not in after


@pytest.mark.parametrize(("posted", "message"), [
    ({}, "Select at least one interest to settle"),
    ({"settle": "{typed}"},
     "Choose the organisation GoToDoc Limited (Kwame Mensah) is, or mark it as not a registered "
     "organisation"),
    ({"settle": "{typed}", "choice_{typed}": "99999"},
     "Choose one of the organisations listed for GoToDoc Limited (Kwame Mensah)"),
])
def test_bad_choices_are_refused_keeping_what_was_ticked(as_role, db, free_text, posted,
                                                        message):
    company, typed, club = free_text
    lead = as_role("governance")
    data = {key.format(typed=typed): value.format(typed=typed) for key, value in posted.items()}
    data.update({f"version_{typed}": "1", f"version_{club}": "1", f"choice_{club}":
                 "not_registered"})
    response = lead.post("/interests/free-text", data=data)
    assert response.status_code == 400
    words = page_words(response)
    assert message in words and words.strip().startswith("Error:")
    assert db["interests"].get(club)["not_registered"] == 0  # nothing written
    page = response.get_data(as_text=True)
    assert 'value="not_registered" checked' in page  # what they chose is kept
    if "settle" in data:
        assert f'value="{typed}" checked' in page


def test_a_stale_page_saves_nothing(as_role, db, free_text):
    company, typed, club = free_text
    lead = as_role("governance")
    # Someone edits the interest after the page was loaded: its version moves on.
    db.execute("UPDATE interests SET version = 2 WHERE id = ?", [typed])
    response = lead.post("/interests/free-text", data={
        "settle": [str(typed), str(club)], f"version_{typed}": "1", f"version_{club}": "1",
        f"choice_{typed}": str(company), f"choice_{club}": "not_registered"})
    assert response.status_code == 409
    assert "Someone else changed one of these interests" in page_words(response)
    assert db["interests"].get(typed)["organisation_id"] is None
    assert db["interests"].get(club)["not_registered"] == 0


def test_the_page_is_paged(as_role, db, setting):
    _committee, person = setting
    for n in range(30):
        add_interest(db, person, organisation_name=f"Club number {n}")
    lead = as_role("governance")
    first = page_words(lead.get("/interests/free-text"))
    assert "30 interests to settle, page 1 of 2" in first
    second = page_words(lead.get("/interests/free-text?page=2"))
    assert "page 2 of 2" in second


def test_settling_refuses_a_post_without_a_csrf_token(csrf_app):
    from register.db import connect
    from tests.conftest import PASSWORD, add_user

    db = connect(csrf_app.config["DATABASE"])
    person = add_person(db, "Ada Lovelace")
    typed = add_interest(db, person, organisation_name="Northvale Book Club")
    add_user(db, "governance", person_id=person)
    client = csrf_app.test_client()
    import re

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/sign-in").get_data(as_text=True)).group(1)
    assert client.post("/sign-in", data={"username": "governance", "password": PASSWORD,
                                         "csrf_token": token}).status_code == 302
    response = client.post("/interests/free-text", data={
        "settle": str(typed), f"version_{typed}": "1", f"choice_{typed}": "not_registered"})
    assert response.status_code == 400
    assert db["interests"].get(typed)["not_registered"] == 0
    db.close()
