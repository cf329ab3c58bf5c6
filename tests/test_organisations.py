"""Organisations: list, detail, add and edit, network/federation links, lookup, roles."""
from __future__ import annotations

import json

import pytest
from markupsafe import escape

from tests.conftest import add_organisation, add_person, count

STALE = ("Someone else changed this record while you were editing it. "
         "Your changes have not been saved.")


def shows(response, message: str) -> bool:
    """Whether the page shows the message, escaped as the templates escape it."""
    return str(escape(message)) in response.get_data(as_text=True)


def organisation_form(**over):
    data = {"name": "Riverside Surgery", "kind": "practice", "ods_code": "A81001",
            "companies_house_number": "", "registered_address": "1 High Street\nNorthvale",
            "postcode": "NV1 2AB", "is_member_practice": "y"}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


# ---- adding ----

def test_secretary_adds_a_practice_and_it_is_audited(as_role, db):
    client = as_role("secretary")
    response = client.post("/organisations/new", data=organisation_form())
    assert response.status_code == 302
    org = next(db.query("SELECT * FROM organisations"))
    assert org["name"] == "Riverside Surgery"
    assert org["ods_code"] == "A81001"
    assert org["is_member_practice"] == 1
    event = db.execute("SELECT actor, action, entity, entity_id, changes FROM audit_events "
                       "WHERE entity = 'organisation'").fetchone()
    assert event[:4] == ("secretary", "create", "organisation", str(org["id"]))
    assert json.loads(event[4])["ods_code"] == [None, "A81001"]
    page = client.get(response.headers["Location"])
    assert shows(page, "Riverside Surgery") and shows(page, "A81001")


def test_typed_code_is_trimmed_and_upper_cased(as_role, db):
    client = as_role("admin")
    client.post("/organisations/new", data=organisation_form(ods_code="a81001 ",
                                                             companies_house_number=" sc123456",
                                                             postcode="nv1 2ab"))
    assert db.execute("SELECT ods_code, companies_house_number, postcode FROM organisations"
                      ).fetchone() == ("A81001", "SC123456", "NV1 2AB")


def test_other_kinds_take_any_ods_shape_and_no_code(as_role, db):
    client = as_role("secretary")
    assert client.post("/organisations/new", data=organisation_form(
        name="Northvale Hospitals", kind="trust", ods_code="rx1", is_member_practice=None)
    ).status_code == 302
    assert client.post("/organisations/new", data=organisation_form(
        name="Go-To-Doc Ltd", kind="independent", ods_code="", companies_house_number="01234567",
        is_member_practice=None)).status_code == 302
    rows = db.execute("SELECT name, ods_code FROM organisations ORDER BY id").fetchall()
    assert rows == [("Northvale Hospitals", "RX1"), ("Go-To-Doc Ltd", None)]


def test_identifiers_are_stored_in_their_written_form_and_kept_unique(as_role, db):
    client = as_role("secretary")
    assert client.post("/organisations/new", data=organisation_form(
        name="Harbour Hospice", kind="voluntary", ods_code="", companies_house_number="1234567",
        charity_number="sc 12345", is_member_practice=None)).status_code == 302
    row = db.execute("SELECT companies_house_number, charity_number, name_key FROM organisations"
                     ).fetchone()
    assert row == ("01234567", "SC012345", "harbour hospice")
    response = client.post("/organisations/new", data=organisation_form(
        name="Another Hospice", kind="voluntary", ods_code="", charity_number="SC012345",
        is_member_practice=None))
    assert "Charity number SC012345 is already used by Harbour Hospice" in response.get_data(
        as_text=True)
    response = client.post("/organisations/new", data=organisation_form(
        name="Another Hospice", kind="voluntary", ods_code="", companies_house_number="01234567",
        is_member_practice=None))
    assert "Companies House number 01234567 is already used by Harbour Hospice" in \
        response.get_data(as_text=True)
    assert db.execute("SELECT COUNT(*) FROM organisations").fetchone()[0] == 1


@pytest.mark.parametrize("over, message", [
    ({"name": ""}, "Enter the organisation name"),
    ({"name": "x" * 201}, "Name must be 200 characters or fewer"),
    ({"kind": None}, "Choose the kind of organisation"),
    ({"kind": "castle"}, "Choose the kind of organisation"),
    ({"ods_code": ""}, "Enter the practice's ODS code, like A81001"),
    ({"ods_code": "A8100"}, "ODS code must be a letter followed by 5 numbers, like A81001"),
    ({"ods_code": "A810011"}, "ODS code must be a letter followed by 5 numbers, like A81001"),
    ({"ods_code": "81001A"}, "ODS code must be a letter followed by 5 numbers, like A81001"),
    ({"kind": "trust", "is_member_practice": None, "ods_code": "R-X1"},
     "ODS code must be 3 to 10 letters and numbers, like RX1 or U12345"),
    ({"companies_house_number": "123456789"},
     "Companies House number must be 8 characters: 8 numbers, or 2 letters and 6 numbers, "
     "like 01234567 or SC123456"),
    ({"companies_house_number": "S1234567"},
     "Companies House number must be 8 characters: 8 numbers, or 2 letters and 6 numbers, "
     "like 01234567 or SC123456"),
    ({"kind": "voluntary", "is_member_practice": None, "ods_code": "", "charity_number": "12345"},
     "Charity number must be 6 or 7 numbers for England and Wales (1123456), SC and 6 numbers "
     "for Scotland (SC012345), or NIC and 6 numbers for Northern Ireland (NIC100002)"),
    ({"postcode": "NOT A POSTCODE"}, "Enter a real postcode, like LS1 4AP"),
    ({"registered_address": "x" * 501}, "Registered address must be 500 characters or fewer"),
    ({"kind": "network", "ods_code": "U12345"},
     "Only a GP practice can be a member practice of the consortium. Untick this or choose "
     "GP practice"),
    ({"name": "Riverside\x00Surgery"}, "Name must not contain hidden control characters (U+0000)"),
    ({"registered_address": "1 High St \u202e"},
     "Registered address must not contain hidden control characters (U+202E)"),
])
def test_bad_organisation_is_refused_with_a_message(as_role, db, over, message):
    client = as_role("secretary")
    response = client.post("/organisations/new", data=organisation_form(**over))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<title>Error: " in text
    assert text.count(str(escape(message))) >= 2  # summary and inline
    assert count(db, "organisations") == 0
    # What they typed is kept.
    if "registered_address" not in over:
        assert shows(response, "1 High Street")


def test_duplicate_ods_code_is_refused_naming_the_holder(as_role, db):
    add_organisation(db, "Old Mill Surgery", ods_code="A81001")
    client = as_role("secretary")
    response = client.post("/organisations/new", data=organisation_form(ods_code="a81001"))
    assert response.status_code == 200
    assert shows(response, "ODS code A81001 is already used by Old Mill Surgery")
    assert count(db, "organisations") == 1


def test_duplicate_companies_house_number_is_refused(as_role, db):
    add_organisation(db, "Go-To-Doc Ltd", kind="independent", companies_house_number="01234567")
    client = as_role("secretary")
    response = client.post("/organisations/new", data=organisation_form(
        name="GoToDoc Limited", kind="independent", ods_code="", is_member_practice=None,
        companies_house_number="01234567"))
    assert shows(response, "Companies House number 01234567 is already used by Go-To-Doc Ltd")
    assert count(db, "organisations") == 1


def test_html_in_a_name_is_shown_literally(as_role, db):
    client = as_role("secretary")
    response = client.post("/organisations/new", data=organisation_form(
        name="<script>alert(1)</script>"))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


# ---- editing ----

def test_edit_saves_bumps_the_version_and_audits(as_role, db):
    org_id = add_organisation(db, ods_code="A81001", is_member_practice=1)
    client = as_role("secretary")
    form = client.get(f"/organisations/{org_id}/edit")
    assert shows(form, "Riverside Surgery") and 'name="version" type="hidden" value="1"' in \
        form.get_data(as_text=True)
    response = client.post(f"/organisations/{org_id}/edit",
                           data=organisation_form(name="Riverside Medical Centre", version="1"))
    assert response.status_code == 302
    assert db.execute("SELECT name, version FROM organisations").fetchone() == (
        "Riverside Medical Centre", 2)
    changes = json.loads(db.execute("SELECT changes FROM audit_events WHERE action = 'update'"
                                    ).fetchone()[0])
    assert changes["name"] == ["Riverside Surgery", "Riverside Medical Centre"]


def test_second_edit_from_the_same_version_is_refused(as_role, db):
    org_id = add_organisation(db, ods_code="A81001")
    first, second = as_role("secretary"), as_role("admin")
    assert first.post(f"/organisations/{org_id}/edit",
                      data=organisation_form(name="First Name", version="1")).status_code == 302
    response = second.post(f"/organisations/{org_id}/edit",
                           data=organisation_form(name="Second Name", version="1"))
    assert response.status_code == 200
    assert shows(response, STALE)
    assert shows(response, "Second Name")  # what they typed is kept
    assert db.execute("SELECT name, version FROM organisations").fetchone() == ("First Name", 2)
    assert db.execute("SELECT COUNT(*) FROM audit_events WHERE action = 'update'"
                      ).fetchone()[0] == 1


def test_editing_keeps_its_own_code(as_role, db):
    org_id = add_organisation(db, ods_code="A81001")
    client = as_role("secretary")
    response = client.post(f"/organisations/{org_id}/edit",
                           data=organisation_form(ods_code="A81001", version="1"))
    assert response.status_code == 302


def test_a_linked_practice_cannot_change_kind(as_role, db):
    practice = add_organisation(db, ods_code="A81001")
    network = add_organisation(db, "North PCN", kind="network", ods_code="U12345")
    db["organisation_links"].insert({"member_id": practice, "parent_id": network,
                                     "created_at": "2025-01-01T00:00:00+00:00"})
    client = as_role("secretary")
    response = client.post(f"/organisations/{practice}/edit", data=organisation_form(
        kind="other", is_member_practice=None, version="1"))
    assert shows(response, "This organisation belongs to a network or federation, so it must stay "
                           "a GP practice. Remove those links first")
    response = client.post(f"/organisations/{network}/edit", data=organisation_form(
        name="North PCN", kind="trust", ods_code="U12345", is_member_practice=None, version="1"))
    assert shows(response, "This organisation has member practices, so it must stay a network or "
                           "federation. Remove its members first")


def test_edit_of_a_missing_organisation_is_404(as_role):
    assert as_role("secretary").get("/organisations/999/edit").status_code == 404


# ---- the detail page ----

def test_detail_shows_links_and_people(as_role, db):
    practice = add_organisation(db, ods_code="A81001", is_member_practice=1)
    network = add_organisation(db, "North PCN", kind="network", ods_code="U12345")
    federation = add_organisation(db, "Northvale GP Federation", kind="federation")
    for parent in (network, federation):
        db["organisation_links"].insert({"member_id": practice, "parent_id": parent,
                                         "created_at": "2025-01-01T00:00:00+00:00"})
    add_person(db, "Dr Jane Patel", home_practice_id=practice)
    client = as_role("auditor")
    page = client.get(f"/organisations/{practice}")
    assert page.status_code == 200
    for text in ("North PCN", "Northvale GP Federation", "Dr Jane Patel", "A81001"):
        assert shows(page, text)
    assert "Remove" not in page.get_data(as_text=True)  # auditors change nothing
    page = client.get(f"/organisations/{network}")
    assert shows(page, "Member practices") and shows(page, "Riverside Surgery")


# ---- links ----

def test_secretary_adds_and_removes_a_practice_in_a_network(as_role, db):
    practice = add_organisation(db, ods_code="A81001")
    network = add_organisation(db, "North PCN", kind="network", ods_code="U12345")
    client = as_role("secretary")
    form = client.get(f"/organisations/links/new?parent_id={network}&member_id={practice}")
    assert 'value="A81001"' in form.get_data(as_text=True)
    response = client.post("/organisations/links/new", data={
        "parent_id": str(network), "member_code": " a81001",
        "date_from-day": "1", "date_from-month": "4", "date_from-year": "2024"})
    assert response.status_code == 302
    assert db.execute("SELECT member_id, parent_id, date_from FROM organisation_links"
                      ).fetchone() == (practice, network, "2024-04-01")
    link_id = db.execute("SELECT id FROM organisation_links").fetchone()[0]
    page = client.get(f"/organisations/{practice}")
    assert shows(page, "North PCN") and shows(page, "From 1 April 2024")
    response = client.post(f"/organisations/links/{link_id}/remove?back={practice}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organisations/{practice}")
    assert count(db, "organisation_links") == 0
    actions = db.execute("SELECT action FROM audit_events WHERE entity = 'organisation_link' "
                         "ORDER BY seq").fetchall()
    assert actions == [("create",), ("delete",)]


def test_the_audit_trail_vouches_for_each_membership_of_a_network(as_role, db):
    """Flags rest on which practices belong to which network and when: a membership changed
    outside the app is named by the audit check."""
    from register import audit

    add_organisation(db, "Riverside Surgery", ods_code="A81001")
    network = add_organisation(db, "North PCN", kind="network", ods_code="U12345")
    as_role("secretary").post("/organisations/links/new", data={
        "parent_id": str(network), "member_code": "A81001",
        "date_from-day": "1", "date_from-month": "4", "date_from-year": "2024"})
    assert [p for p in audit.content_problems(db) if p.startswith("membership")] == []
    db.execute("UPDATE organisation_links SET date_to = '2024-05-01'")
    assert [p for p in audit.content_problems(db) if p.startswith("membership")] == [
        "membership 1 (Riverside Surgery in North PCN) does not match its last audit event: it"
        " was changed outside the app"]


def test_removing_a_link_asks_first_and_offers_the_leaving_date_instead(as_role, db):
    practice = add_organisation(db, ods_code="A81001")
    network = add_organisation(db, "North PCN", kind="network")
    link_id = db["organisation_links"].insert({"member_id": practice, "parent_id": network,
                                               "created_at": "2025-01-01"}).last_pk
    page = as_role("secretary").get(f"/organisations/links/{link_id}/remove")
    assert page.status_code == 200
    assert shows(page, "Only for a membership recorded by mistake")
    assert shows(page, "Record the date it left instead")
    assert count(db, "organisation_links") == 1


def test_a_practice_leaving_keeps_its_membership_with_the_date_it_left(as_role, db):
    practice = add_organisation(db, "Hill Surgery", ods_code="A81001")
    network = add_organisation(db, "North PCN", kind="network")
    link_id = db["organisation_links"].insert({"member_id": practice, "parent_id": network,
                                               "date_from": "2024-04-01",
                                               "created_at": "2025-01-01"}).last_pk
    client = as_role("secretary")
    form = client.get(f"/organisations/links/{link_id}/dates?back={practice}")
    assert 'value="2024"' in form.get_data(as_text=True)
    bad = client.post(f"/organisations/links/{link_id}/dates?back={practice}", data={
        "date_from-day": "1", "date_from-month": "4", "date_from-year": "2024",
        "date_to-day": "31", "date_to-month": "3", "date_to-year": "2024"})
    assert shows(bad, "The date the practice left must be the same as or after the date it joined")
    response = client.post(f"/organisations/links/{link_id}/dates?back={practice}", data={
        "date_from-day": "1", "date_from-month": "4", "date_from-year": "2024",
        "date_to-day": "30", "date_to-month": "9", "date_to-year": "2026"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organisations/{practice}")
    assert db.execute("SELECT date_from, date_to FROM organisation_links").fetchone() == \
        ("2024-04-01", "2026-09-30")
    assert shows(client.get(f"/organisations/{network}"), "From 1 April 2024 to 30 September 2026")
    actions = [r[0] for r in db.execute("SELECT action FROM audit_events WHERE entity = "
                                        "'organisation_link' ORDER BY seq")]
    assert actions == ["update"]
    assert as_role("member").get(f"/organisations/links/{link_id}/dates").status_code == 403


@pytest.mark.parametrize("parent, code, message", [
    ("", "A81001", "Choose the network or federation"),
    ("trust", "A81001", "Choose a primary care network or GP federation from the list"),
    ("network", "", "Enter the ODS code of the practice"),
    ("network", "A8100", "ODS code must be a letter followed by 5 numbers, like A81001"),
    ("network", "B99999", "There is no organisation with ODS code B99999"),
    ("network", "C12345", "Southvale Walk-in Centre is not a GP practice: only practices can "
                          "belong to a network or federation"),
    ("network", "A81002", "Old Mill Surgery already belongs to North PCN"),
])
def test_bad_link_is_refused(as_role, db, parent, code, message):
    add_organisation(db, ods_code="A81001")
    old_mill = add_organisation(db, "Old Mill Surgery", ods_code="A81002")
    ids = {"network": add_organisation(db, "North PCN", kind="network", ods_code="U12345"),
           "trust": add_organisation(db, "Northvale Hospitals", kind="trust", ods_code="RX1")}
    add_organisation(db, "Southvale Walk-in Centre", kind="other", ods_code="C12345")
    db["organisation_links"].insert({"member_id": old_mill, "parent_id": ids["network"],
                                     "created_at": "2025-01-01"})
    response = as_role("secretary").post("/organisations/links/new", data={
        "parent_id": str(ids.get(parent, "")), "member_code": code})
    assert response.status_code == 200
    assert shows(response, message)
    assert count(db, "organisation_links") == 1


def test_link_dates_must_be_in_order(as_role, db):
    add_organisation(db, ods_code="A81001")
    network = add_organisation(db, "North PCN", kind="network")
    response = as_role("secretary").post("/organisations/links/new", data={
        "parent_id": str(network), "member_code": "A81001",
        "date_from-day": "1", "date_from-month": "4", "date_from-year": "2024",
        "date_to-day": "31", "date_to-month": "3", "date_to-year": "2024"})
    assert shows(response, "The date the practice left must be the same as or after the date it "
                           "joined")
    assert count(db, "organisation_links") == 0


# ---- the list ----

def test_list_filters_sorts_and_pages(app, as_role, db):
    app.config["PAGE_SIZE"] = 5
    for n in range(12):
        add_organisation(db, f"Practice {n:02d}", ods_code=f"A{81000 + n}",
                         is_member_practice=1 if n % 2 else 0)
    add_organisation(db, "North PCN", kind="network", ods_code="U12345")
    client = as_role("member")
    page1 = client.get("/organisations/").get_data(as_text=True)
    assert "13 organisations" in page1
    assert "North PCN" in page1 and "Practice 03" in page1 and "Practice 04" not in page1
    page3 = client.get("/organisations/?page=3").get_data(as_text=True)
    assert "Practice 09" in page3 and "Practice 11" in page3 and "Practice 08" not in page3
    assert 'aria-current="page">3<' in page3
    assert "Practice 11" in client.get("/organisations/?page=99").get_data(as_text=True)
    by_kind = client.get("/organisations/?kind=network").get_data(as_text=True)
    assert "North PCN" in by_kind and "Practice 00" not in by_kind
    members = client.get("/organisations/?member=yes").get_data(as_text=True)
    assert "6 organisations" in members and "Practice 01" in members
    assert "Practice 00" not in members
    by_code = client.get("/organisations/?q=a8100").get_data(as_text=True)
    assert "10 organisations" in by_code
    by_name = client.get("/organisations/?q=pcn").get_data(as_text=True)
    assert "1 organisation match" in by_name
    desc = client.get("/organisations/?sort=ods&dir=desc").get_data(as_text=True)
    assert desc.index("North PCN") < desc.index("Practice 11") < desc.index("Practice 10")
    # An unknown sort key falls back to the name, never reaching the SQL.
    assert client.get("/organisations/?sort=name;drop&dir=x").status_code == 200


def test_list_filter_treats_like_wildcards_literally(as_role, db):
    add_organisation(db, "Riverside Surgery", ods_code="A81001")
    page = as_role("member").get("/organisations/?q=%25").get_data(as_text=True)
    assert "0 organisations" in page


# ---- lookup ----

def test_lookup_matches_code_and_name(as_role, db):
    add_organisation(db, "Riverside Surgery", ods_code="A81001")
    add_organisation(db, "Old Mill Surgery", ods_code="A81002")
    pcn = add_organisation(db, "River PCN", kind="network", ods_code="U12345")
    client = as_role("auditor")
    rows = client.get("/organisations/lookup?q=a81002").get_json()
    assert [r["name"] for r in rows] == ["Old Mill Surgery"]
    rows = client.get("/organisations/lookup?q=river").get_json()
    assert [r["name"] for r in rows] == ["River PCN", "Riverside Surgery"]
    assert rows[0] == {"id": pcn, "name": "River PCN", "ods_code": "U12345", "kind": "network",
                       "companies_house_number": None, "charity_number": None,
                       "label": "River PCN (U12345)"}
    rows = client.get("/organisations/lookup?q=surgery").get_json()
    assert len(rows) == 2
    assert client.get("/organisations/lookup?q=river&kind=practice").get_json()[0]["name"] == \
        "Riverside Surgery"
    assert client.get("/organisations/lookup?q=").get_json() == []


@pytest.mark.parametrize("typed", ["07654321", "7654321", "0765", "1190001", "119 0001",
                                   "harbour", "HARBOUR CARE"])
def test_lookup_finds_by_companies_house_number_charity_number_and_name(as_role, db, typed):
    harbour = add_organisation(db, "Harbour Care Limited", kind="independent",
                               companies_house_number="07654321", charity_number="1190001")
    add_organisation(db, "Riverside Surgery", ods_code="A81001")
    rows = as_role("member").get(f"/organisations/lookup?q={typed}").get_json()
    assert [r["id"] for r in rows] == [harbour]
    assert rows[0]["label"] == "Harbour Care Limited (07654321)"
    assert rows[0]["charity_number"] == "1190001"


def test_lookup_puts_a_number_typed_in_full_first(as_role, db):
    add_organisation(db, "Practice 1190001 Trust", kind="voluntary")
    exact = add_organisation(db, "Seaside Carers", kind="voluntary", charity_number="1190001")
    rows = as_role("member").get("/organisations/lookup?q=1190001").get_json()
    assert [r["id"] for r in rows][0] == exact and len(rows) == 2


def test_lookup_returns_at_most_twenty(as_role, db):
    for n in range(25):
        add_organisation(db, f"Surgery {n}", ods_code=f"A{81000 + n}")
    assert len(as_role("member").get("/organisations/lookup?q=surgery").get_json()) == 20


def test_lookup_needs_sign_in(client):
    response = client.get("/organisations/lookup?q=a")
    assert response.status_code in (302, 401)


# ---- who may do what ----

def _change_requests(db):
    practice = add_organisation(db, ods_code="A81001")
    network = add_organisation(db, "North PCN", kind="network")
    link = db["organisation_links"].insert({"member_id": practice, "parent_id": network,
                                            "created_at": "2025-01-01"}).last_pk
    return [
        ("get", "/organisations/new", None),
        ("post", "/organisations/new", organisation_form(ods_code="A81009")),
        ("get", f"/organisations/{practice}/edit", None),
        ("post", f"/organisations/{practice}/edit", organisation_form(name="Changed",
                                                                      version="1")),
        ("get", "/organisations/links/new", None),
        ("post", "/organisations/links/new", {"parent_id": str(network),
                                              "member_code": "A81001"}),
        ("post", f"/organisations/links/{link}/remove", None),
    ]


@pytest.mark.parametrize("role", ["member", "auditor", "governance"])
def test_roles_without_edit_rights_are_refused(as_role, db, role):
    client = as_role(role)
    for method, url, data in _change_requests(db):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 403, (method, url)
    assert db.execute("SELECT name FROM organisations ORDER BY id").fetchall() == [
        ("Riverside Surgery",), ("North PCN",)]
    assert count(db, "organisation_links") == 1
    assert db.execute("SELECT COUNT(*) FROM audit_events WHERE entity LIKE 'organisation%'"
                      ).fetchone()[0] == 0


@pytest.mark.parametrize("role", ["admin", "secretary"])
def test_editors_may_open_the_forms(as_role, db, role):
    client = as_role(role)
    for method, url, _data in _change_requests(db):
        if method == "get":
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["admin", "secretary", "governance", "member", "auditor"])
def test_every_role_reads(as_role, db, role):
    org_id = add_organisation(db, ods_code="A81001")
    client = as_role(role)
    assert client.get("/organisations/").status_code == 200
    assert client.get(f"/organisations/{org_id}").status_code == 200
    page = client.get(f"/organisations/{org_id}").get_data(as_text=True)
    assert ("Edit<span" in page) == (role in ("admin", "secretary"))


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    org_id = add_organisation(db)
    for url in ("/organisations/", f"/organisations/{org_id}"):
        assert client.get(url).status_code == 302



def test_an_organisation_with_the_same_name_written_differently_is_asked_about_first(as_role, db):
    add_organisation(db, "Go-To-Doc Ltd", kind="independent")
    client = as_role("secretary")
    data = organisation_form(name="GoToDoc Ltd", kind="independent", ods_code="",
                             is_member_practice=None)
    first = client.post("/organisations/new", data=data)
    assert first.status_code == 200
    assert shows(first, "Go-To-Doc Ltd is already in the register")
    assert count(db, "organisations") == 1
    data["same_name_confirmed"] = "y"
    assert client.post("/organisations/new", data=data).status_code == 302
    assert count(db, "organisations") == 2
