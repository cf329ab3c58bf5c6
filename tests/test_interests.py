"""The register of interests: declaring, editing, withdrawing, returns and who may do what."""
from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest

from register.rules.interests import add_months
from register.timeutil import long_date, today_uk
from tests.conftest import PASSWORD, add_interest, add_organisation, add_person, add_user


def form_data(**over):
    """A valid declaration as the browser would send it."""
    data = {
        "organisation_id": "", "organisation_name": "Go-To-Doc Ltd",
        "organisation_business": "Out-of-hours GP services", "interest_type": "financial",
        "directness": "direct", "associate_relationship": "", "nature": "Shareholder",
        "date_from-day": "1", "date_from-month": "3", "date_from-year": "2025",
        "date_to-day": "", "date_to-month": "", "date_to-year": "",
        "mitigation": "Will leave the meeting when Go-To-Doc is discussed",
        "consent": "yes", "withheld_reason": "",
    }
    data.update(over)
    return data


def date_parts(prefix, day):
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month),
            f"{prefix}-year": str(day.year)}


def text_of(response):
    return html.unescape(response.get_data(as_text=True))


def main_of(response):
    """The page's main content, without the header that names the signed-in user."""
    text = text_of(response)
    return text[text.index("<main"):text.index("</main>")]


def interests(db):
    return list(db.query("SELECT * FROM interests ORDER BY id"))


# ---- declaring ----

def test_member_declares_their_own_interest(as_role, db):
    member = as_role("member")
    response = member.post("/interests/declare", data=form_data())
    assert response.status_code == 302
    [row] = interests(db)
    assert row["person_id"] == member.person_id
    assert row["declared_on"] == today_uk().isoformat()
    assert row["on_behalf"] == 0
    assert row["organisation_name"] == "Go-To-Doc Ltd"
    page = member.get(response.headers["Location"])
    assert "Go-To-Doc Ltd" in text_of(page)
    events = list(db.query("SELECT * FROM audit_events WHERE entity = 'interest'"))
    assert [e["action"] for e in events] == ["create"]


def test_declaration_linked_to_an_organisation_record(as_role, db):
    org = add_organisation(db, "Riverside Surgery", ods_code="Y99001")
    member = as_role("member")
    page = member.get("/interests/declare")
    assert "Riverside Surgery (Y99001)" in text_of(page)
    response = member.post("/interests/declare",
                           data=form_data(organisation_id=str(org), organisation_name=""))
    assert response.status_code == 302
    [row] = interests(db)
    assert row["organisation_id"] == org
    assert row["organisation_name"] == ""


@pytest.mark.parametrize("typed", ["Harbour Care Ltd", "the harbour care limited", "7654321",
                                   "Harbour Care Limited (07654321)", "1190001"])
def test_a_typed_name_or_number_of_a_registered_organisation_links_the_declaration(
        as_role, db, typed):
    harbour = add_organisation(db, "Harbour Care Limited", kind="independent",
                               companies_house_number="07654321", charity_number="1190001")
    member = as_role("member")
    page = text_of(member.get("/interests/declare"))
    assert "Harbour Care Limited (07654321)" in page
    assert 'data-organisation-lookup="/organisations/lookup"' in page
    response = member.post("/interests/declare", data=form_data(organisation_name=typed))
    assert response.status_code == 302
    [row] = interests(db)
    assert row["organisation_id"] == harbour and row["organisation_name"] == ""


def test_a_name_no_organisation_has_stays_free_text(as_role, db):
    add_organisation(db, "Harbour Care Limited", kind="independent",
                     companies_house_number="07654321")
    member = as_role("member")
    response = member.post("/interests/declare",
                           data=form_data(organisation_name="Harbour Care Services"))
    assert response.status_code == 302
    [row] = interests(db)
    assert row["organisation_id"] is None
    assert row["organisation_name"] == "Harbour Care Services"


def test_a_name_two_organisations_share_is_refused_keeping_what_was_typed(as_role, db):
    add_organisation(db, "Twin Care", kind="independent", companies_house_number="01111111")
    add_organisation(db, "Twin Care Ltd", kind="independent", companies_house_number="02222222")
    member = as_role("member")
    response = member.post("/interests/declare", data=form_data(organisation_name="twin care"))
    assert response.status_code == 200
    page = text_of(response)
    assert "2 organisations in the register are called ‘twin care’: give its ODS code, " \
           "Companies House number or charity number to say which" in page
    assert 'value="twin care"' in page
    assert interests(db) == []
    response = member.post("/interests/declare",
                           data=form_data(organisation_name="Twin Care Ltd (02222222)"))
    assert response.status_code == 302
    assert interests(db)[0]["organisation_id"] is not None


BAD_FORMS = [
    ({"organisation_name": ""}, "Choose the organisation from the list or enter its name"),
    ({"organisation_id": "ORG"},
     "Choose the organisation from the list or enter its name, not both"),
    ({"organisation_id": "999999", "organisation_name": ""},
     "Choose the organisation from the list"),
    ({"interest_type": ""}, "Choose the type of interest"),
    ({"interest_type": "bribery"}, "Choose the type of interest"),
    ({"directness": ""}, "Choose whether the interest is direct or indirect"),
    ({"directness": "indirect"},
     "Enter the relationship of the person who holds the interest, for example spouse"),
    ({"nature": ""}, "Enter the nature of the interest"),
    ({"nature": "x" * 2001}, "Nature of the interest must be 2000 characters or fewer"),
    ({"date_from-day": "", "date_from-month": "", "date_from-year": ""},
     "Enter the date the interest started"),
    ({"date_from-day": "31", "date_from-month": "2", "date_from-year": "2025"},
     "The date the interest started must be a real date"),
    ({"date_to-day": "28", "date_to-month": "2", "date_to-year": "2025"},
     "The end date must be the same as or after the start date"),
    ({"date_to-day": "31", "date_to-month": "2", "date_to-year": "2026"},
     "The date the interest ended must be a real date"),
    ({"consent": "no"}, "Enter the reason the interest is withheld from publication"),
    ({"consent": ""}, "Choose whether the interest may be published"),
    ({"nature": "Share\x00holder"},
     "Nature of the interest must not contain hidden control characters (U+0000)"),
    ({"organisation_name": "Go\u202eTo"},
     "Organisation name, if it is not in the list must not contain hidden control characters"),
]


@pytest.mark.parametrize(("over", "message"), BAD_FORMS)
def test_bad_declarations_are_refused_with_a_clear_message(as_role, db, over, message):
    org = add_organisation(db, "Riverside Surgery")
    over = {k: (str(org) if v == "ORG" else v) for k, v in over.items()}
    member = as_role("member")
    response = member.post("/interests/declare", data=form_data(**over))
    assert response.status_code == 200
    text = text_of(response)
    assert "There is a problem" in text
    assert text.count(message) >= 2, "the summary and the field both say it"
    assert "<title>Error: " in text
    assert interests(db) == []


def test_what_was_typed_is_kept_after_an_error(as_role):
    member = as_role("member")
    response = member.post("/interests/declare",
                           data=form_data(nature="", mitigation="Leave the room"))
    text = text_of(response)
    assert "Leave the room" in text
    assert 'value="Go-To-Doc Ltd"' in text


def test_indirect_interest_keeps_the_relationship(as_role, db):
    member = as_role("member")
    member.post("/interests/declare",
                data=form_data(directness="indirect", associate_relationship="Spouse"))
    [row] = interests(db)
    assert row["is_indirect"] == 1
    assert row["associate_relationship"] == "Spouse"


def test_withheld_interest_keeps_its_reason(as_role, db):
    member = as_role("member")
    member.post("/interests/declare",
                data=form_data(consent="no", withheld_reason="Personal safety"))
    [row] = interests(db)
    assert row["consent_to_publish"] == 0
    assert row["withheld_reason"] == "Personal safety"
    page = member.get(f"/interests/{row['id']}")
    assert "Withheld" in text_of(page)


def test_script_in_a_text_field_is_shown_literally(as_role, db):
    member = as_role("member")
    member.post("/interests/declare", data=form_data(nature="<script>alert(1)</script>"))
    [row] = interests(db)
    body = member.get(f"/interests/{row['id']}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body


def test_late_declaration_is_marked_with_the_days(as_role, db):
    member = as_role("member")
    started = today_uk() - dt.timedelta(days=40)
    response = member.post("/interests/declare", data=form_data(**date_parts("date_from", started)))
    page = member.get(response.headers["Location"])
    assert "Late: 12 days" in text_of(page)


def test_declaration_within_28_days_is_not_late(as_role, db):
    member = as_role("member")
    started = today_uk() - dt.timedelta(days=28)
    response = member.post("/interests/declare", data=form_data(**date_parts("date_from", started)))
    assert "Late" not in text_of(member.get(response.headers["Location"]))


def test_secretary_records_on_someones_behalf(as_role, db):
    ada = add_person(db, "Ada Lovelace")
    secretary = as_role("secretary")
    page = secretary.get(f"/interests/declare?person_id={ada}")
    assert "Ada Lovelace" in text_of(page)
    told = today_uk() - dt.timedelta(days=3)
    response = secretary.post("/interests/declare", data=form_data(
        person_id=str(ada), **date_parts("declared_on", told)))
    assert response.status_code == 302
    [row] = interests(db)
    assert row["person_id"] == ada
    assert row["on_behalf"] == 1
    assert row["declared_on"] == told.isoformat()
    assert "Recorded on behalf by Secretary Person" in text_of(
        secretary.get(response.headers["Location"]))


@pytest.mark.parametrize(("over", "message"), [
    ({"person_id": ""}, "Choose the person declaring the interest"),
    ({"person_id": "999999"}, "Choose the person declaring the interest"),
    ({"declared_on-day": "1", "declared_on-month": "1", "declared_on-year": "2099"},
     "The date it was declared must be today or in the past"),
])
def test_recording_on_behalf_needs_a_person_and_a_past_date(as_role, db, over, message):
    ada = add_person(db, "Ada Lovelace")
    secretary = as_role("secretary")
    response = secretary.post("/interests/declare", data=form_data(**{"person_id": str(ada),
                                                                       **over}))
    assert response.status_code == 200
    assert message in text_of(response)
    assert interests(db) == []


def test_member_cannot_declare_for_someone_else(as_role, db):
    ada = add_person(db, "Ada Lovelace")
    member = as_role("member")
    member.post("/interests/declare", data=form_data(person_id=str(ada)))
    [row] = interests(db)
    assert row["person_id"] == member.person_id  # the person field is ignored for a member


def test_declare_refuses_a_post_without_a_csrf_token(csrf_app):
    from register.db import connect

    db = connect(csrf_app.config["DATABASE"])
    person = add_person(db, "Ada Lovelace")
    add_user(db, "member", person_id=person)
    client = csrf_app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/sign-in").get_data(as_text=True)).group(1)
    signed_in = client.post("/sign-in", data={"username": "member", "password": PASSWORD,
                                              "csrf_token": token})
    assert signed_in.status_code == 302
    assert client.get("/interests/declare").status_code == 200
    response = client.post("/interests/declare", data=form_data())
    assert response.status_code == 400
    assert db.execute("SELECT count(*) FROM interests").fetchone()[0] == 0
    db.close()


# ---- who may see and change what ----

@pytest.fixture
def other_interest(db):
    other = add_person(db, "Grace Hopper")
    return add_interest(db, other, nature="Director")


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/interests/{id}"),
    ("get", "/interests/{id}/edit"),
    ("post", "/interests/{id}/edit"),
    ("get", "/interests/{id}/withdraw"),
    ("post", "/interests/{id}/withdraw"),
    ("get", "/interests/{id}/versions"),
    ("get", "/interests/person/{person}"),
    ("post", "/interests/person/{person}/confirm"),
    ("post", "/interests/person/{person}/nil-return"),
])
def test_member_cannot_open_or_change_another_members_declarations(as_role, db, other_interest,
                                                                     method, path):
    member = as_role("member")
    person = db["interests"].get(other_interest)["person_id"]
    url = path.format(id=other_interest, person=person)
    data = form_data(nature="Changed", version="1", reason="Mistake")
    response = member.post(url, data=data) if method == "post" else member.get(url)
    assert response.status_code == 403
    assert db["interests"].get(other_interest)["nature"] == "Director"
    assert db.execute("SELECT count(*) FROM declaration_returns").fetchone()[0] == 0


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/interests/declare"),
    ("post", "/interests/declare"),
    ("get", "/interests/{id}/edit"),
    ("post", "/interests/{id}/edit"),
    ("get", "/interests/{id}/withdraw"),
    ("post", "/interests/{id}/withdraw"),
    ("post", "/interests/person/{person}/confirm"),
    ("post", "/interests/person/{person}/nil-return"),
])
def test_auditor_changes_nothing(as_role, db, other_interest, method, path):
    auditor = as_role("auditor")
    person = db["interests"].get(other_interest)["person_id"]
    url = path.format(id=other_interest, person=person)
    data = form_data(nature="Changed", version="1", reason="Mistake", person_id=str(person))
    response = auditor.post(url, data=data) if method == "post" else auditor.get(url)
    assert response.status_code == 403
    assert db.execute("SELECT count(*) FROM interests").fetchone()[0] == 1
    assert db["interests"].get(other_interest)["withdrawn"] == 0
    assert db.execute("SELECT count(*) FROM declaration_returns").fetchone()[0] == 0


@pytest.mark.parametrize("role", ["auditor", "admin", "secretary", "governance"])
def test_readers_of_the_register_see_everyones_declarations(as_role, db, other_interest, role):
    client = as_role(role)
    person = db["interests"].get(other_interest)["person_id"]
    assert "Grace Hopper" in text_of(client.get("/interests/"))
    assert client.get(f"/interests/{other_interest}").status_code == 200
    assert client.get(f"/interests/person/{person}").status_code == 200


def test_admin_reads_but_cannot_edit_someone_elses_declaration(as_role, db, other_interest):
    admin = as_role("admin")
    assert admin.get(f"/interests/{other_interest}/edit").status_code == 403
    assert "Change this declaration" not in text_of(admin.get(f"/interests/{other_interest}"))


def test_member_going_to_the_register_lands_on_their_own_page(as_role):
    member = as_role("member")
    response = member.get("/interests/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/interests/person/{member.person_id}")


def test_signed_out_visitor_is_sent_to_sign_in(client, db, other_interest):
    response = client.get(f"/interests/{other_interest}")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize(("role", "status"), [
    ("member", 403), ("secretary", 403), ("admin", 403), ("governance", 200), ("auditor", 200),
])
def test_earlier_versions_are_for_governance_and_auditors(as_role, db, other_interest, role,
                                                          status):
    client = as_role(role)
    assert client.get(f"/interests/{other_interest}/versions").status_code == status


# ---- editing keeps the earlier version ----

def test_edit_keeps_the_earlier_version(as_role, db):
    member = as_role("member")
    interest = add_interest(db, member.person_id, nature="Shareholder")
    page = member.get(f"/interests/{interest}/edit")
    assert 'name="version" type="hidden" value="1"' in page.get_data(as_text=True)
    response = member.post(f"/interests/{interest}/edit",
                           data=form_data(nature="Director and shareholder", version="1"))
    assert response.status_code == 302
    row = db["interests"].get(interest)
    assert row["nature"] == "Director and shareholder"
    assert row["version"] == 2
    [old] = list(db.query("SELECT * FROM interest_versions WHERE interest_id = ?", [interest]))
    assert old["version"] == 1
    assert json.loads(old["data"])["nature"] == "Shareholder"
    assert old["replaced_by_user_id"] is not None
    governance = as_role("governance")
    versions_page = text_of(governance.get(f"/interests/{interest}/versions"))
    assert "Shareholder" in versions_page
    assert "Director and shareholder" in versions_page
    actions = [e["action"] for e in db.query(
        "SELECT action FROM audit_events WHERE entity = 'interest' AND entity_id = ?",
        [str(interest)])]
    assert actions == ["update"]


def test_stale_edit_is_refused_and_nothing_changes(as_role, db):
    member = as_role("member")
    interest = add_interest(db, member.person_id, nature="Shareholder")
    first = member.post(f"/interests/{interest}/edit", data=form_data(nature="First", version="1"))
    assert first.status_code == 302
    second = member.post(f"/interests/{interest}/edit",
                         data=form_data(nature="Second", version="1"))
    assert second.status_code == 200
    assert ("Someone else changed this record while you were editing it. "
            "Your changes have not been saved.") in text_of(second)
    assert db["interests"].get(interest)["nature"] == "First"
    assert db.execute("SELECT count(*) FROM interest_versions").fetchone()[0] == 1


def test_an_interest_linked_by_a_file_with_a_typed_name_edits_without_asking_twice(as_role, db):
    harbour = add_organisation(db, "Harbour Care Limited", kind="independent",
                               companies_house_number="07654321")
    member = as_role("member")
    interest = add_interest(db, member.person_id, organisation_id=harbour,
                            organisation_name="Harbour Care Ltd", nature="Adviser")
    page = text_of(member.get(f"/interests/{interest}/edit"))
    assert 'value="Harbour Care Ltd"' not in page
    assert re.search(rf'<option selected value="{harbour}">|<option value="{harbour}" selected',
                     page), "the linked organisation is chosen in the list"
    response = member.post(f"/interests/{interest}/edit", data=form_data(
        organisation_id=str(harbour), organisation_name="", nature="Adviser", version="1"))
    assert response.status_code == 302
    assert db["interests"].get(interest)["organisation_id"] == harbour


def test_edit_form_shows_the_stored_values(as_role, db):
    member = as_role("member")
    interest = add_interest(db, member.person_id, is_indirect=1, associate_relationship="Spouse",
                            date_from="2024-05-07")
    text = text_of(member.get(f"/interests/{interest}/edit"))
    assert 'value="Spouse"' in text
    assert 'value="2024"' in text and 'value="7"' in text


def test_secretary_edits_on_behalf_and_governance_too(as_role, db, other_interest):
    for role in ("secretary", "governance"):
        client = as_role(role)
        version = db["interests"].get(other_interest)["version"]
        response = client.post(f"/interests/{other_interest}/edit",
                               data=form_data(nature=f"Edited by {role}", version=str(version)))
        assert response.status_code == 302
    assert db["interests"].get(other_interest)["nature"] == "Edited by governance"
    assert db.execute("SELECT count(*) FROM interest_versions").fetchone()[0] == 2


def test_edit_with_bad_input_changes_nothing(as_role, db):
    member = as_role("member")
    interest = add_interest(db, member.person_id, nature="Shareholder", date_from="2025-01-01")
    response = member.post(f"/interests/{interest}/edit", data=form_data(
        version="1", **{"date_to-day": "1", "date_to-month": "1", "date_to-year": "2024"}))
    assert "The end date must be the same as or after the start date" in text_of(response)
    assert db["interests"].get(interest)["version"] == 1
    assert db.execute("SELECT count(*) FROM interest_versions").fetchone()[0] == 0


# ---- withdrawing: never deleted ----

def test_withdraw_needs_a_reason(as_role, db):
    member = as_role("member")
    interest = add_interest(db, member.person_id)
    response = member.post(f"/interests/{interest}/withdraw", data={"reason": "", "version": "1"})
    assert "Enter the reason for withdrawing the declaration" in text_of(response)
    assert db["interests"].get(interest)["withdrawn"] == 0


def test_withdrawn_declaration_is_kept_and_marked(as_role, db):
    member = as_role("member")
    interest = add_interest(db, member.person_id)
    response = member.post(f"/interests/{interest}/withdraw",
                           data={"reason": "Declared twice by mistake", "version": "1"})
    assert response.status_code == 302
    row = db["interests"].get(interest)
    assert row["withdrawn"] == 1
    assert row["withdrawn_reason"] == "Declared twice by mistake"
    assert db.execute("SELECT count(*) FROM interest_versions").fetchone()[0] == 1
    page = text_of(member.get(f"/interests/{interest}"))
    assert "Withdrawn" in page and "Declared twice by mistake" in page
    assert member.get(f"/interests/{interest}/edit").status_code == 302


# ---- annual returns ----

def test_member_confirms_their_declarations_are_complete(as_role, db):
    member = as_role("member")
    add_interest(db, member.person_id)
    response = member.post(f"/interests/person/{member.person_id}/confirm")
    assert response.status_code == 302
    [row] = list(db.query("SELECT * FROM declaration_returns"))
    assert (row["kind"], row["returned_on"], row["on_behalf"]) == (
        "complete", today_uk().isoformat(), 0)
    page = text_of(member.get(f"/interests/person/{member.person_id}"))
    assert "declarations confirmed complete" in page
    # A second press (or a double click) the same day adds nothing and says so.
    again = member.post(f"/interests/person/{member.person_id}/confirm", follow_redirects=True)
    assert "Already recorded today" in text_of(again)
    assert db.execute("SELECT count(*) FROM declaration_returns").fetchone()[0] == 1


def test_nil_return_is_offered_only_without_current_interests(as_role, db):
    member = as_role("member")
    page = text_of(member.get(f"/interests/person/{member.person_id}"))
    assert "Make a nil return" in page
    add_interest(db, member.person_id, date_from="2024-01-01", date_to=None)
    page = text_of(member.get(f"/interests/person/{member.person_id}"))
    assert "Make a nil return" not in page
    assert "Confirm my declarations are complete" in page


def test_nil_return_refused_while_an_interest_is_current(as_role, db):
    member = as_role("member")
    add_interest(db, member.person_id, date_from="2024-01-01", date_to=None)
    response = member.post(f"/interests/person/{member.person_id}/nil-return",
                           follow_redirects=True)
    assert ("A nil return cannot be made because you have 1 current interest declared"
            in text_of(response))
    assert db.execute("SELECT count(*) FROM declaration_returns").fetchone()[0] == 0


def test_nil_return_allowed_when_interests_have_ended_or_were_withdrawn(as_role, db):
    member = as_role("member")
    add_interest(db, member.person_id, date_from="2020-01-01", date_to="2021-01-01")
    add_interest(db, member.person_id, withdrawn=1, withdrawn_reason="Mistake")
    response = member.post(f"/interests/person/{member.person_id}/nil-return",
                           data={"confirm": "y"}, follow_redirects=True)
    assert "Nil return recorded" in text_of(response)
    [row] = list(db.query("SELECT * FROM declaration_returns"))
    assert row["kind"] == "nil"


def test_nil_return_shows_what_it_declares_and_asks_to_confirm(as_role, db):
    member = as_role("member")
    page = member.get(f"/interests/person/{member.person_id}")
    assert f'href="/interests/person/{member.person_id}/nil-return"' in page.get_data(
        as_text=True)
    ask = text_of(member.get(f"/interests/person/{member.person_id}/nil-return"))
    assert f"You are declaring that on {long_date(today_uk())} you have no interests" in ask
    assert "no financial interest" in ask and "through a close associate" in ask
    assert "I confirm there is nothing to declare" in ask
    assert db.execute("SELECT count(*) FROM declaration_returns").fetchone()[0] == 0  # GET
    refused = member.post(f"/interests/person/{member.person_id}/nil-return")
    assert refused.status_code == 200
    words = text_of(refused)
    assert "<title>Error: Make a nil return" in words
    assert words.count("Confirm that there are no interests to declare") == 2
    assert db.execute("SELECT count(*) FROM declaration_returns").fetchone()[0] == 0
    done = member.post(f"/interests/person/{member.person_id}/nil-return",
                       data={"confirm": "y"}, follow_redirects=True)
    assert "Nil return recorded: nothing to declare." in text_of(done)
    assert db.execute("SELECT count(*) FROM declaration_returns").fetchone()[0] == 1


def test_secretary_records_a_return_on_behalf(as_role, db):
    ada = add_person(db, "Ada Lovelace")
    secretary = as_role("secretary")
    secretary.post(f"/interests/person/{ada}/nil-return", data={"confirm": "y"})
    [row] = list(db.query("SELECT * FROM declaration_returns"))
    assert (row["person_id"], row["on_behalf"]) == (ada, 1)
    assert "recorded on behalf by Secretary Person" in text_of(
        secretary.get(f"/interests/person/{ada}"))


def test_missing_returns_lists_the_right_people(as_role, db):
    today = today_uk()
    never = add_person(db, "Never Declared")
    stale = add_person(db, "Stale Declarer")
    add_interest(db, stale, date_from="2020-01-01",
                 declared_on=(add_months(today, -13)).isoformat())
    nil = add_person(db, "Recent Nil")
    db["declaration_returns"].insert({"person_id": nil, "kind": "nil",
                                      "returned_on": add_months(today, -2).isoformat(),
                                      "created_at": "2025-01-01T00:00:00+00:00"})
    recent = add_person(db, "Recent Declarer")
    add_interest(db, recent, declared_on=(today - dt.timedelta(days=30)).isoformat())
    exactly = add_person(db, "Exactly A Year")
    add_interest(db, exactly, declared_on=add_months(today, -12).isoformat())
    add_person(db, "Not A Decision Maker", is_decision_maker=0)
    governance = as_role("governance", person_id=recent)
    page = main_of(governance.get("/interests/missing-returns"))
    for name in ("Never Declared", "Stale Declarer"):
        assert name in page
    for name in ("Recent Nil", "Recent Declarer", "Exactly A Year", "Not A Decision Maker"):
        assert name not in page
    assert "Never" in page
    assert f"{add_months(today, -13):%B %Y}" in page
    assert never and stale


@pytest.mark.parametrize(("role", "status"), [
    ("member", 403), ("secretary", 200), ("governance", 200), ("admin", 200), ("auditor", 200),
])
def test_missing_returns_page_roles(as_role, role, status):
    assert as_role(role).get("/interests/missing-returns").status_code == status


# ---- the register list ----

@pytest.fixture
def register_rows(db):
    today = today_uk()
    ada = add_person(db, "Ada Lovelace")
    grace = add_person(db, "Grace Hopper")
    add_interest(db, ada, organisation_name="Late Ltd", date_from="2025-01-01",
                 declared_on="2025-03-01")
    add_interest(db, ada, organisation_name="Ended Ltd", interest_type="non_financial_personal",
                 date_from="2020-01-01", date_to="2021-01-01", declared_on="2020-01-05")
    add_interest(db, grace, organisation_name="Current Ltd",
                 date_from=(today - dt.timedelta(days=5)).isoformat(),
                 declared_on=today.isoformat())
    add_interest(db, grace, organisation_name="Withdrawn Ltd", withdrawn=1,
                 withdrawn_reason="Mistake")


@pytest.mark.parametrize(("query", "shown", "hidden"), [
    ("late=1", ["Late Ltd"], ["Ended Ltd", "Current Ltd"]),
    ("name=grace", ["Current Ltd", "Withdrawn Ltd"], ["Late Ltd", "Ended Ltd"]),
    ("type=non_financial_personal", ["Ended Ltd"], ["Late Ltd", "Current Ltd"]),
    ("status=current", ["Current Ltd", "Late Ltd"], ["Ended Ltd", "Withdrawn Ltd"]),
    ("status=ended", ["Ended Ltd"], ["Current Ltd", "Late Ltd"]),
    ("status=withdrawn", ["Withdrawn Ltd"], ["Current Ltd", "Ended Ltd"]),
    ("name=%25", [], ["Late Ltd", "Current Ltd"]),  # a typed % is a character, not a wildcard
])
def test_register_filters(as_role, register_rows, query, shown, hidden):
    page = main_of(as_role("secretary").get(f"/interests/?{query}"))
    for name in shown:
        assert name in page
    for name in hidden:
        assert name not in page


def test_register_shows_late_tag_and_publication(as_role, register_rows):
    page = text_of(as_role("governance").get("/interests/"))
    assert "Late: 31 days" in page
    assert "No longer published" in page
    assert "Withdrawn" in page


@pytest.mark.parametrize(("sort", "first", "second"), [
    ("organisation&dir=asc", "Current Ltd", "Ended Ltd"),
    ("organisation&dir=desc", "Withdrawn Ltd", "Late Ltd"),
    ("declared_on&dir=desc", "Current Ltd", "Late Ltd"),
    ("late&dir=desc", "Late Ltd", "Ended Ltd"),
    ("id;DROP TABLE interests", "Late Ltd", "Current Ltd"),  # unknown: by person, then order
])
def test_register_sorts_by_whitelisted_columns(as_role, db, register_rows, sort, first, second):
    page = text_of(as_role("secretary").get(f"/interests/?sort={sort}"))
    assert page.index(first) < page.index(second)
    assert db.execute("SELECT count(*) FROM interests").fetchone()[0] == 4


def test_register_is_paginated(app, as_role, db):
    app.config["PAGE_SIZE"] = 2
    ada = add_person(db, "Ada Lovelace")
    for name in ("Alpha Ltd", "Bravo Ltd", "Charlie Ltd"):
        add_interest(db, ada, organisation_name=name)
    client = as_role("secretary")
    first = text_of(client.get("/interests/?sort=organisation"))
    second = text_of(client.get("/interests/?sort=organisation&page=2"))
    assert "Alpha Ltd" in first and "Charlie Ltd" not in first
    assert "Charlie Ltd" in second and "Alpha Ltd" not in second
    assert "page 2 of 2" in second
    assert client.get("/interests/?page=banana").status_code == 200


# ---- the home page ----

def test_member_home_shows_their_position(as_role, db):
    member = as_role("member")
    add_interest(db, member.person_id, declared_on=today_uk().isoformat())
    page = text_of(member.get("/"))
    assert "Your declarations of interest" in page
    assert "Declare an interest" in page
    assert "Confirm my declarations are complete" in page
    assert f"{today_uk().day} {today_uk():%B %Y}" in page  # the declaration counts as a return
    assert "Late declarations" not in page


def test_member_home_says_a_return_is_due(as_role):
    member = as_role("member")
    assert "Due now" in text_of(member.get("/"))
    member.post(f"/interests/person/{member.person_id}/confirm")
    page = text_of(member.get("/"))
    assert "Due now" not in page
    assert f"{today_uk().day} {today_uk():%B %Y}" in page


def test_member_home_counts_a_declaration_as_the_last_return(as_role, db):
    """The next return is due a year after the latest declaration or return, and the home page
    names that same date."""
    member = as_role("member")
    db["declaration_returns"].insert({
        "person_id": member.person_id, "kind": "complete", "returned_on": "2026-01-10",
        "recorded_by_user_id": None, "on_behalf": 0, "created_at": "2026-01-10T09:00:00Z"})
    declared = today_uk() - dt.timedelta(days=3)
    add_interest(db, member.person_id, date_from=declared.isoformat(),
                 declared_on=declared.isoformat())
    page = text_of(member.get("/"))
    assert "Last declaration or annual return" in page
    assert f"{declared.day} {declared:%B %Y}" in page
    assert "10 January 2026" not in page


@pytest.mark.parametrize("role", ["secretary", "governance", "admin", "auditor"])
def test_staff_home_shows_the_registers_counts(as_role, db, register_rows, role):
    page = text_of(as_role(role).get("/"))
    assert "Late declarations" in page
    assert "Missing returns" in page
    assert "/interests/?late=1" in page


def test_auditor_home_has_no_declare_button(as_role):
    page = text_of(as_role("auditor").get("/"))
    assert "Declare an interest" not in page
    assert "Confirm my declarations are complete" not in page



def test_an_interest_declared_before_it_starts_says_when_it_starts(as_role, db):
    """An appointment that begins next month may be declared now: it is not current yet, and
    the pages say when it starts instead of leaving its status blank."""
    ada = add_person(db, "Ada Lovelace")
    starts = today_uk() + dt.timedelta(days=40)
    interest = add_interest(db, ada, date_from=starts.isoformat(),
                            declared_on=today_uk().isoformat())
    governance = as_role("governance")
    when = f"{starts.day} {starts:%B %Y}"
    for path in (f"/interests/person/{ada}", f"/interests/{interest}"):
        page = html.unescape(governance.get(path).get_data(as_text=True))
        assert f"Starts {when}" in page, path
        assert f"From {when}" in page
        assert ">Current<" not in page
