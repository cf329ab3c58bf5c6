"""People: list, detail, add and edit, roles."""
from __future__ import annotations

import json

import pytest
from markupsafe import escape

from tests.conftest import add_committee, add_member, add_organisation, add_person

STALE = ("Someone else changed this record while you were editing it. "
         "Your changes have not been saved.")


def shows(response, message: str) -> bool:
    """Whether the page shows the message, escaped as the templates escape it."""
    return str(escape(message)) in response.get_data(as_text=True)


def person_form(**over):
    data = {"name": "Dr Jane Patel", "email": "jane.patel@example.nhs.uk",
            "positions": "GP partner, Riverside Surgery\nClinical lead for diabetes",
            "is_decision_maker": "y", "home_practice_id": ""}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def people_named(db, name: str) -> list:
    return db.execute("SELECT * FROM people WHERE name = ?", [name]).fetchall()


def test_secretary_adds_a_person_and_it_is_audited(as_role, db):
    practice = add_organisation(db, ods_code="A81001")
    client = as_role("secretary")
    response = client.post("/people/new", data=person_form(home_practice_id=str(practice)))
    assert response.status_code == 302
    person = next(db.query("SELECT * FROM people WHERE name = 'Dr Jane Patel'"))
    assert person["email"] == "jane.patel@example.nhs.uk"
    assert person["is_decision_maker"] == 1 and person["home_practice_id"] == practice
    event = next(db.query("SELECT * FROM audit_events WHERE entity = 'person'"))
    assert (event["actor"], event["action"], event["entity_id"]) == (
        "secretary", "create", str(person["id"]))
    assert json.loads(event["changes"])["email"] == [None, "jane.patel@example.nhs.uk"]
    page = client.get(response.headers["Location"])
    assert shows(page, "Riverside Surgery") and shows(page, "Clinical lead for diabetes")


@pytest.mark.parametrize("over, message", [
    ({"name": ""}, "Enter the person's full name"),
    ({"name": "   "}, "Enter the person's full name"),
    ({"name": "x" * 201}, "Full name must be 200 characters or fewer"),
    ({"email": ""}, "Enter the email address"),
    ({"email": "jane.patel"}, "Enter an email address in the correct format, like "
                              "name@example.nhs.uk"),
    ({"email": "jane patel@example.nhs.uk"}, "Enter an email address in the correct format, "
                                             "like name@example.nhs.uk"),
    ({"email": "a" * 250 + "@x.uk"}, "Email address must be 254 characters or fewer"),
    ({"positions": "x" * 1001}, "Positions must be 1000 characters or fewer"),
    ({"home_practice_id": "TRUST"}, "Choose a GP practice from the list"),
    ({"home_practice_id": "999"}, "Choose a GP practice from the list"),
    ({"name": "Jane\x00Patel"}, "Full name must not contain hidden control characters (U+0000)"),
    ({"positions": "GP \u202epartner"},
     "Positions must not contain hidden control characters (U+202E)"),
])
def test_bad_person_is_refused_with_a_message(as_role, db, over, message):
    trust = add_organisation(db, "Northvale Hospitals", kind="trust", ods_code="RX1")
    if over.get("home_practice_id") == "TRUST":
        over["home_practice_id"] = str(trust)
    client = as_role("secretary")
    before = db.execute("SELECT COUNT(*) FROM people").fetchone()[0]
    response = client.post("/people/new", data=person_form(**over))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<title>Error: " in text
    assert text.count(str(escape(message))) >= 2
    assert db.execute("SELECT COUNT(*) FROM people").fetchone()[0] == before
    if "email" not in over:
        assert shows(response, "jane.patel@example.nhs.uk")  # what they typed is kept


@pytest.mark.parametrize("typed", ["jane.patel@example.nhs.uk", "Jane.Patel@EXAMPLE.nhs.uk",
                                   " jane.patel@example.nhs.uk "])
def test_duplicate_email_is_refused_ignoring_case(as_role, db, typed):
    add_person(db, "Jane Patel", email="jane.patel@example.nhs.uk")
    client = as_role("secretary")
    response = client.post("/people/new", data=person_form(name="Janet Patel", email=typed))
    assert response.status_code == 200
    assert shows(response, f"Jane Patel already has the email address {typed.strip()}")
    assert people_named(db, "Janet Patel") == []


def test_html_in_a_name_is_shown_literally(as_role, db):
    client = as_role("secretary")
    response = client.post("/people/new", data=person_form(name="<script>alert(1)</script>",
                                                           positions="<b>bold</b>"))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


def test_detail_shows_committees_practice_and_interests_link(as_role, db):
    practice = add_organisation(db, ods_code="A81001")
    person = add_person(db, "Dr Jane Patel", home_practice_id=practice,
                        positions="GP partner")
    committee = add_committee(db, "Primary Care Committee")
    add_member(db, committee, person, role="vice_chair", category="gp", voting=0)
    page = as_role("auditor").get(f"/people/{person}")
    assert page.status_code == 200
    for text in ("Dr Jane Patel", "Riverside Surgery", "A81001", "Primary Care Committee",
                 "Vice-chair", "Non-voting", "GP partner"):
        assert shows(page, text), text
    assert f'href="/interests/person/{person}"' in page.get_data(as_text=True)


def test_edit_saves_and_audits(as_role, db):
    person = add_person(db, "Dr Jane Patel")
    client = as_role("secretary")
    form = client.get(f"/people/{person}/edit").get_data(as_text=True)
    assert 'value="dr.jane.patel@example.nhs.uk"' in form
    response = client.post(f"/people/{person}/edit", data=person_form(
        email="dr.jane.patel@example.nhs.uk", is_decision_maker=None, version="1"))
    assert response.status_code == 302
    row = next(db.query("SELECT * FROM people WHERE id = ?", [person]))
    assert row["is_decision_maker"] == 0 and row["version"] == 2
    changes = json.loads(next(db.query(
        "SELECT changes FROM audit_events WHERE entity = 'person' AND action = 'update'"
    ))["changes"])
    assert changes["is_decision_maker"] == [1, 0]


def test_edit_may_change_the_case_of_their_own_email(as_role, db):
    person = add_person(db, "Dr Jane Patel", email="jane.patel@example.nhs.uk")
    response = as_role("secretary").post(f"/people/{person}/edit", data=person_form(
        email="Jane.Patel@example.nhs.uk", version="1"))
    assert response.status_code == 302


def test_second_edit_from_the_same_version_is_refused(as_role, db):
    person = add_person(db, "Dr Jane Patel")
    first, second = as_role("secretary"), as_role("admin")
    assert first.post(f"/people/{person}/edit", data=person_form(
        name="Dr Jane Patel-Smith", version="1")).status_code == 302
    response = second.post(f"/people/{person}/edit", data=person_form(
        name="Dr J Patel", version="1"))
    assert response.status_code == 200 and shows(response, STALE)
    assert db.execute("SELECT name FROM people WHERE id = ?", [person]).fetchone() == (
        "Dr Jane Patel-Smith",)


def test_list_filters_sorts_and_pages(app, as_role, db):
    app.config["PAGE_SIZE"] = 4
    for n in range(9):
        add_person(db, f"Person {n}", email=f"z{9 - n}@example.nhs.uk",
                   is_decision_maker=n % 2, positions="Lay member" if n == 3 else "")
    client = as_role("member")  # adds "Member Person", a decision-maker
    page1 = client.get("/people/").get_data(as_text=True)
    assert "10 people" in page1 and "Member Person" in page1 and "Person 3" not in page1
    page3 = client.get("/people/?page=3").get_data(as_text=True)
    assert "Person 7" in page3 and "Person 8" in page3 and "Person 6" not in page3
    makers = client.get("/people/?decision_makers=yes").get_data(as_text=True)
    assert "5 people" in makers and "Person 1" in makers and "Person 2" not in makers
    others = client.get("/people/?decision_makers=no").get_data(as_text=True)
    assert "5 people" in others and "Person 0" in others
    assert "1 person match" in client.get("/people/?q=lay+member").get_data(as_text=True)
    assert "1 person match" in client.get("/people/?q=Z9@").get_data(as_text=True)
    by_email = client.get("/people/?sort=email&dir=asc").get_data(as_text=True)
    assert by_email.index("Member Person") < by_email.index("Person 8") < \
        by_email.index("Person 7")
    desc = client.get("/people/?sort=name&dir=desc").get_data(as_text=True)
    assert desc.index("Person 8") < desc.index("Person 7")


def _change_requests(db):
    person = add_person(db, "Dr Jane Patel")
    return [
        ("get", "/people/new", None),
        ("post", "/people/new", person_form(email="new.person@example.nhs.uk")),
        ("get", f"/people/{person}/edit", None),
        ("post", f"/people/{person}/edit", person_form(name="Changed", version="1")),
    ]


@pytest.mark.parametrize("role", ["member", "auditor", "governance"])
def test_roles_without_edit_rights_are_refused(as_role, db, role):
    client = as_role(role)
    for method, url, data in _change_requests(db):
        assert getattr(client, method)(url, data=data).status_code == 403, (method, url)
    assert people_named(db, "Changed") == [] and len(people_named(db, "Dr Jane Patel")) == 1
    assert db.execute("SELECT COUNT(*) FROM audit_events WHERE entity = 'person'"
                      ).fetchone()[0] == 0


@pytest.mark.parametrize("role", ["admin", "secretary"])
def test_editors_may_open_the_forms(as_role, db, role):
    client = as_role(role)
    for method, url, _data in _change_requests(db):
        if method == "get":
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["admin", "secretary", "governance", "member", "auditor"])
def test_every_role_reads(as_role, db, role):
    person = add_person(db, "Dr Jane Patel")
    client = as_role(role)
    assert client.get("/people/").status_code == 200
    page = client.get(f"/people/{person}")
    assert page.status_code == 200
    assert ("Edit<span" in page.get_data(as_text=True)) == (role in ("admin", "secretary"))


def test_missing_person_is_404(as_role):
    assert as_role("auditor").get("/people/999").status_code == 404


def test_a_second_person_with_the_same_name_is_asked_about_first(as_role, db):
    add_person(db, "Dr Niamh O'Connor", email="niamh@example.nhs.uk")
    client = as_role("secretary")
    data = person_form(name="dr niamh o'connor ", email="niamh.two@example.nhs.uk")
    first = client.post("/people/new", data=data)
    assert first.status_code == 200
    assert shows(first, "Dr Niamh O'Connor (niamh@example.nhs.uk) is already in the register")
    assert 'name="same_name_confirmed"' in first.get_data(as_text=True)
    assert len(people_named(db, "dr niamh o'connor")) == 0
    data["same_name_confirmed"] = "y"
    assert client.post("/people/new", data=data).status_code == 302
    assert db.execute("SELECT count(*) FROM people WHERE lower(name) LIKE 'dr niamh o%'"
                      ).fetchone()[0] == 2


@pytest.mark.parametrize("typed", ["Niamh O\u2019Connor", "NIAMH  O'CONNOR", "Dr Niamh OConnor"])
def test_the_same_name_is_asked_about_however_it_is_typed(as_role, db, typed):
    # The people form uses the one definition of a person's same name (rules.names).
    add_person(db, "Dr Niamh O'Connor", email="niamh@example.nhs.uk")
    response = as_role("secretary").post("/people/new", data=person_form(
        name=typed, email="niamh.two@example.nhs.uk"))
    assert response.status_code == 200
    assert shows(response, "Dr Niamh O'Connor (niamh@example.nhs.uk) is already in the register")
