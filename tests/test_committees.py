"""Committees: list, detail, add and edit with the quorum and policy, members, roles."""
from __future__ import annotations

import json

import pytest
from markupsafe import escape

from tests.conftest import add_committee, add_member, add_person, count

STALE = ("Someone else changed this record while you were editing it. "
         "Your changes have not been saved.")


def shows(response, message: str) -> bool:
    """Whether the page shows the message, escaped as the templates escape it."""
    return str(escape(message)) in response.get_data(as_text=True)


def committee_form(**over):
    data = {"name": "Governing Body", "quorum_min_voting": "5", "quorum_min_gp": "0",
            "quorum_min_lay": "1", "quorum_min_executive": "1", "quorum_min_other": "0",
            "common_interest_policy": "leave"}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


# ---- committees ----

def test_secretary_adds_a_committee_and_sees_the_rules_in_words(as_role, db):
    client = as_role("secretary")
    response = client.post("/committees/new", data=committee_form())
    assert response.status_code == 302
    row = next(db.query("SELECT * FROM committees"))
    assert (row["quorum_min_voting"], row["quorum_min_lay"], row["quorum_min_executive"],
            row["common_interest_policy"]) == (5, 1, 1, "leave")
    event = next(db.query("SELECT * FROM audit_events WHERE entity = 'committee'"))
    assert (event["actor"], event["action"], event["entity_id"]) == (
        "secretary", "create", str(row["id"]))
    page = client.get(response.headers["Location"])
    assert shows(page, "At least 5 voting members, including 1 lay and 1 executive")
    assert shows(page, "must leave the meeting for the item")
    # Nobody is on it yet, so it could never be quorate, and the page says so.
    assert shows(page, "This committee cannot be quorate")
    assert shows(page, "too few lay or executive members")


@pytest.mark.parametrize("over, message", [
    ({"name": ""}, "Enter the committee name"),
    ({"name": "x" * 201}, "Committee name must be 200 characters or fewer"),
    ({"name": "Board\x00"}, "Committee name must not contain hidden control characters (U+0000)"),
    ({"quorum_min_voting": ""}, "Enter the minimum number of voting members present"),
    ({"quorum_min_voting": "0", "quorum_min_lay": "0", "quorum_min_executive": "0"},
     "Minimum voting members present must be 1 or more"),
    ({"quorum_min_voting": "five"}, "Minimum voting members present must be a whole number, "
                                    "like 2"),
    ({"quorum_min_voting": "4.5"}, "Minimum voting members present must be a whole number, "
                                   "like 2"),
    ({"quorum_min_voting": "101"}, "Minimum voting members present must be 100 or fewer"),
    ({"quorum_min_lay": "-1"}, "Minimum lay members must be a whole number, like 1"),
    ({"quorum_min_gp": ""}, "Enter the minimum GP members"),
    ({"quorum_min_voting": "3", "quorum_min_gp": "2"},
     "The minimum GP, lay, executive and other members add up to 4, more than the 3 voting "
     "members needed for a quorum"),
    ({"common_interest_policy": None}, "Choose what conflicted members do when an interest is "
                                       "common to every member practice"),
    ({"common_interest_policy": "vote_anyway"}, "Choose what conflicted members do when an "
                                                "interest is common to every member practice"),
])
def test_bad_committee_is_refused_with_a_message(as_role, db, over, message):
    client = as_role("secretary")
    response = client.post("/committees/new", data=committee_form(**over))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<title>Error: " in text
    assert text.count(str(escape(message))) >= 2
    assert count(db, "committees") == 0
    if "name" not in over:
        assert 'value="Governing Body"' in text


@pytest.mark.parametrize("typed", ["Primary Care Committee", "primary care committee"])
def test_duplicate_committee_name_is_refused(as_role, db, typed):
    add_committee(db, "Primary Care Committee")
    response = as_role("secretary").post("/committees/new", data=committee_form(name=typed))
    assert shows(response, "There is already a committee called Primary Care Committee")
    assert count(db, "committees") == 1


def test_html_in_a_name_is_shown_literally(as_role, db):
    client = as_role("secretary")
    response = client.post("/committees/new", data=committee_form(
        name="<script>alert(1)</script>"))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


def test_edit_saves_and_audits(as_role, db):
    committee = add_committee(db, "Primary Care Committee")
    client = as_role("secretary")
    form = client.get(f"/committees/{committee}/edit").get_data(as_text=True)
    assert 'value="4"' in form  # the stored quorum is shown as typed text
    response = client.post(f"/committees/{committee}/edit", data=committee_form(
        name="Primary Care Committee", quorum_min_voting="6", common_interest_policy=
        "discuss_not_vote", version="1"))
    assert response.status_code == 302
    row = next(db.query("SELECT * FROM committees"))
    assert (row["quorum_min_voting"], row["version"]) == (6, 2)
    changes = json.loads(next(db.query(
        "SELECT changes FROM audit_events WHERE entity = 'committee'"))["changes"])
    assert changes["quorum_min_voting"] == [4, 6]
    page = client.get(f"/committees/{committee}")
    assert shows(page, "may take part in the discussion but not vote")


def test_second_edit_from_the_same_version_is_refused(as_role, db):
    committee = add_committee(db, "Primary Care Committee")
    first, second = as_role("secretary"), as_role("admin")
    assert first.post(f"/committees/{committee}/edit", data=committee_form(
        name="First", version="1")).status_code == 302
    response = second.post(f"/committees/{committee}/edit", data=committee_form(
        name="Second", version="1"))
    assert response.status_code == 200 and shows(response, STALE)
    assert db.execute("SELECT name FROM committees").fetchone() == ("First",)


def test_list_filters_sorts_and_pages(app, as_role, db):
    app.config["PAGE_SIZE"] = 2
    big = add_committee(db, "Audit Committee")
    add_committee(db, "Governing Body")
    add_committee(db, "Primary Care Committee")
    for n in range(3):
        add_member(db, big, add_person(db, f"Person {n}", email=f"p{n}@example.nhs.uk"))
    client = as_role("auditor")
    page1 = client.get("/committees/").get_data(as_text=True)
    assert "3 committees" in page1 and "Primary Care Committee" not in page1
    assert "At least 4 voting members, including 1 lay" in page1
    page2 = client.get("/committees/?page=2").get_data(as_text=True)
    assert "Primary Care Committee" in page2 and "Audit Committee" not in page2
    most = client.get("/committees/?sort=members&dir=desc").get_data(as_text=True)
    fewest = client.get("/committees/?sort=members&dir=asc").get_data(as_text=True)
    assert "Audit Committee" in most and "Audit Committee" not in fewest
    filtered = client.get("/committees/?q=care").get_data(as_text=True)
    assert "1 committee match" in filtered and "Primary Care Committee" in filtered


# ---- members ----

def member_form(**over):
    data = {"person_id": "", "role": "member", "category": "gp", "voting": "y"}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_members_are_added_shown_and_counted(as_role, db):
    committee = add_committee(db, "Primary Care Committee", quorum_min_voting=2,
                              quorum_min_lay=1)
    chair = add_person(db, "Lay Chair")
    gp = add_person(db, "Dr Jane Patel")
    client = as_role("secretary")
    form = client.get(f"/committees/{committee}/members/new").get_data(as_text=True)
    assert "Lay Chair" in form
    assert client.post(f"/committees/{committee}/members/new", data=member_form(
        person_id=str(chair), role="chair", category="lay")).status_code == 302
    assert client.post(f"/committees/{committee}/members/new", data=member_form(
        person_id=str(gp), voting=None)).status_code == 302
    rows = db.execute("SELECT person_id, role, category, voting FROM committee_members "
                      "ORDER BY id").fetchall()
    assert rows == [(chair, "chair", "lay", 1), (gp, "member", "gp", 0)]
    page = client.get(f"/committees/{committee}")
    text = page.get_data(as_text=True)
    assert text.index("Lay Chair") < text.index("Dr Jane Patel")
    assert shows(page, "1 (0 GP, 1 lay, 0 executive, 0 other)")
    assert shows(page, "This committee cannot be quorate")  # 1 voting member, 2 needed
    events = db.execute("SELECT action FROM audit_events WHERE entity = 'committee_member'"
                        ).fetchall()
    assert events == [("create",), ("create",)]


@pytest.mark.parametrize("over, message", [
    ({"person_id": ""}, "Choose the person to add"),
    ({"person_id": "999"}, "Choose a person from the list"),
    ({"person_id": "MEMBER"}, "That person is already a member of this committee"),
    ({"role": "chair"}, "Lay Chair is already the chair. Change their role first"),
    ({"role": "vice_chair"}, "Dr Vice is already the vice-chair. Change their role first"),
    ({"role": "president"}, "Choose chair, vice-chair or member"),
    ({"category": None}, "Choose the member's category"),
    ({"category": "royalty"}, "Choose the member's category"),
])
def test_bad_member_is_refused(as_role, db, over, message):
    committee = add_committee(db)
    chair = add_person(db, "Lay Chair")
    add_member(db, committee, chair, role="chair", category="lay")
    add_member(db, committee, add_person(db, "Dr Vice"), role="vice_chair")
    newcomer = add_person(db, "Newcomer")
    over.setdefault("person_id", str(newcomer))
    if over["person_id"] == "MEMBER":
        over["person_id"] = str(chair)
    response = as_role("secretary").post(f"/committees/{committee}/members/new",
                                         data=member_form(**over))
    assert response.status_code == 200
    assert response.get_data(as_text=True).count(str(escape(message))) >= 2
    assert count(db, "committee_members") == 2


def test_member_role_category_and_vote_can_be_changed(as_role, db):
    committee = add_committee(db)
    member = add_member(db, committee, add_person(db, "Dr Jane Patel"))
    client = as_role("secretary")
    form = client.get(f"/committees/{committee}/members/{member}/edit").get_data(as_text=True)
    assert 'value="member:gp:1"' in form
    response = client.post(f"/committees/{committee}/members/{member}/edit", data=member_form(
        person_id=None, role="vice_chair", category="executive", voting=None,
        original="member:gp:1"))
    assert response.status_code == 302
    assert db.execute("SELECT role, category, voting FROM committee_members").fetchone() == (
        "vice_chair", "executive", 0)
    changes = json.loads(next(db.query(
        "SELECT changes FROM audit_events WHERE entity = 'committee_member'"))["changes"])
    assert changes == {"category": ["gp", "executive"], "role": ["member", "vice_chair"],
                       "voting": [1, 0]}


def test_a_chair_keeps_their_role_when_edited(as_role, db):
    committee = add_committee(db)
    member = add_member(db, committee, add_person(db, "Lay Chair"), role="chair")
    response = as_role("secretary").post(
        f"/committees/{committee}/members/{member}/edit",
        data=member_form(person_id=None, role="chair", category="lay", original="chair:gp:1"))
    assert response.status_code == 302


def test_a_second_chair_is_refused_on_edit(as_role, db):
    committee = add_committee(db)
    add_member(db, committee, add_person(db, "Lay Chair"), role="chair")
    member = add_member(db, committee, add_person(db, "Dr Jane Patel"))
    response = as_role("secretary").post(
        f"/committees/{committee}/members/{member}/edit",
        data=member_form(person_id=None, role="chair", original="member:gp:1"))
    assert shows(response, "Lay Chair is already the chair. Change their role first")
    assert db.execute("SELECT role FROM committee_members WHERE id = ?", [member]
                      ).fetchone() == ("member",)


def test_second_member_edit_from_the_same_state_is_refused(as_role, db):
    committee = add_committee(db)
    member = add_member(db, committee, add_person(db, "Dr Jane Patel"))
    first, second = as_role("secretary"), as_role("admin")
    url = f"/committees/{committee}/members/{member}/edit"
    assert first.post(url, data=member_form(person_id=None, category="lay",
                                            original="member:gp:1")).status_code == 302
    response = second.post(url, data=member_form(person_id=None, category="executive",
                                                 original="member:gp:1"))
    assert response.status_code == 200 and shows(response, STALE)
    assert db.execute("SELECT category FROM committee_members").fetchone() == ("lay",)


def test_member_is_removed_by_post_and_audited(as_role, db):
    committee = add_committee(db)
    member = add_member(db, committee, add_person(db, "Dr Jane Patel"))
    client = as_role("secretary")
    url = f"/committees/{committee}/members/{member}/remove"
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert count(db, "committee_members") == 0
    event = next(db.query("SELECT * FROM audit_events WHERE entity = 'committee_member'"))
    assert event["action"] == "delete"
    assert json.loads(event["changes"])["person_id"][0] > 0


def test_a_member_of_another_committee_is_404(as_role, db):
    one, other = add_committee(db, "One"), add_committee(db, "Other")
    member = add_member(db, one, add_person(db))
    client = as_role("secretary")
    assert client.post(f"/committees/{other}/members/{member}/remove").status_code == 404
    assert client.get(f"/committees/{other}/members/{member}/edit").status_code == 404
    assert count(db, "committee_members") == 1


# ---- who may do what ----

def _change_requests(db):
    committee = add_committee(db, "Primary Care Committee")
    member = add_member(db, committee, add_person(db, "Dr Jane Patel"))
    newcomer = add_person(db, "Newcomer")
    return [
        ("get", "/committees/new", None),
        ("post", "/committees/new", committee_form(name="New Committee")),
        ("get", f"/committees/{committee}/edit", None),
        ("post", f"/committees/{committee}/edit", committee_form(name="Changed", version="1")),
        ("get", f"/committees/{committee}/members/new", None),
        ("post", f"/committees/{committee}/members/new", member_form(person_id=str(newcomer))),
        ("get", f"/committees/{committee}/members/{member}/edit", None),
        ("post", f"/committees/{committee}/members/{member}/edit",
         member_form(person_id=None, category="lay", original="member:gp:1")),
        ("post", f"/committees/{committee}/members/{member}/remove", None),
    ]


@pytest.mark.parametrize("role", ["member", "auditor", "governance"])
def test_roles_without_edit_rights_are_refused(as_role, db, role):
    client = as_role(role)
    for method, url, data in _change_requests(db):
        assert getattr(client, method)(url, data=data).status_code == 403, (method, url)
    assert db.execute("SELECT name FROM committees").fetchall() == [("Primary Care Committee",)]
    assert db.execute("SELECT category FROM committee_members").fetchall() == [("gp",)]
    assert db.execute("SELECT COUNT(*) FROM audit_events WHERE entity LIKE 'committee%'"
                      ).fetchone()[0] == 0


@pytest.mark.parametrize("role", ["admin", "secretary"])
def test_editors_may_open_the_forms(as_role, db, role):
    client = as_role(role)
    for method, url, _data in _change_requests(db):
        if method == "get":
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["admin", "secretary", "governance", "member", "auditor"])
def test_every_role_reads(as_role, db, role):
    committee = add_committee(db)
    add_member(db, committee, add_person(db, "Dr Jane Patel"))
    client = as_role(role)
    assert client.get("/committees/").status_code == 200
    page = client.get(f"/committees/{committee}")
    assert page.status_code == 200 and shows(page, "Dr Jane Patel")
    assert ("Remove<span" in page.get_data(as_text=True)) == (role in ("admin", "secretary"))


def test_the_audit_trail_vouches_for_each_membership(as_role, db):
    """Who sits on a committee, in which category and whether they vote decide the quorum: a
    change made to a membership outside the app is named by the audit check."""
    from register import audit

    committee = add_committee(db, "Primary Care Committee")
    gp = add_person(db, "Dr Jane Patel")
    client = as_role("secretary")
    client.post(f"/committees/{committee}/members/new",
                data=member_form(person_id=str(gp), voting=None))

    def about_members() -> list[str]:
        # (The tests' committees and people are put in the database directly.)
        return [p for p in audit.content_problems(db) if p.startswith("committee membership")]

    assert about_members() == []
    db.execute("UPDATE committee_members SET voting = 1")
    assert about_members() == [
        "committee membership 1 (Dr Jane Patel on the Primary Care Committee) does not match its"
        " last audit event: it was changed outside the app"]
    db.execute("UPDATE committee_members SET voting = 0")
    add_member(db, committee, add_person(db, "Lay Member"), category="lay")
    assert about_members() == [
        "committee membership 2 (Lay Member on the Primary Care Committee) has no audit event:"
        " it was added outside the app"]
