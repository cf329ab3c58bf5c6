"""The search page: people, organisations and interests, by role, with hostile input."""
from __future__ import annotations

import pytest

from register.search.queries import prefix_query
from tests.conftest import add_interest, add_organisation, add_person


@pytest.mark.parametrize(("typed", "expected"), [
    ("Siân", '("Siân" OR "Siân"*)'),
    ("go-to doc", '("go" OR "go"*) AND ("to" OR "to"*) AND ("doc" OR "doc"*)'),
    ('"AND (', '("AND" OR "AND"*)'),
    ("*", ""),
    ('" OR " NEAR(', '("OR" OR "OR"*) AND ("NEAR" OR "NEAR"*)'),
    ("O'Connor", '("O" OR "O"*) AND ("Connor" OR "Connor"*)'),
    ("___", ""),
    ("", ""),
])
def test_prefix_query_keeps_only_words(typed, expected):
    assert prefix_query(typed) == expected


@pytest.fixture
def register_data(db):
    """A practice, a provider, two people and an interest each."""
    practice = add_organisation(db, "Brookside Surgery", ods_code="Y90002",
                                is_member_practice=1)
    provider = add_organisation(db, "Go-To-Doc Ltd", kind="independent",
                                companies_house_number="99000003")
    niamh = add_person(db, "Dr Niamh O'Connor", positions="GP partner, Brookside Surgery",
                       home_practice_id=practice)
    zofia = add_person(db, "Dr Zofia Wójcik", positions="Clinical director")
    own = add_interest(db, niamh, organisation_id=practice, organisation_name="Brookside Surgery",
                       nature="Partner in the practice")
    other = add_interest(db, zofia, organisation_id=provider, organisation_name="Go-To-Doc Ltd",
                         nature="Sessional video consultations")
    return {"practice": practice, "provider": provider, "niamh": niamh, "zofia": zofia,
            "own": own, "other": other}


def page(client, q):
    response = client.get("/search/", query_string={"q": q})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_empty_query_shows_the_form_only(as_role):
    html = page(as_role("secretary"), "")
    assert 'name="q"' in html
    assert "result" not in html


@pytest.mark.parametrize(("q", "link", "text"), [
    ("Wójcik", "/people/{zofia}", "Dr Zofia Wójcik"),
    ("wojc", "/people/{zofia}", "Dr Zofia Wójcik"),
    ("O'Connor", "/people/{niamh}", "Dr Niamh O&#39;Connor"),
    ("Y90002", "/organisations/{practice}", "Brookside Surgery"),
    ("y9000", "/organisations/{practice}", "ODS code Y90002"),
    ("99000003", "/organisations/{provider}", "Go-To-Doc Ltd"),
    ("video consult", "/interests/{other}", "Sessional video consultations"),
    # A name typed run together or with other punctuation still finds it.
    ("gotodoc", "/organisations/{provider}", "Go-To-Doc Ltd"),
    ("GoToDoc", "/interests/{other}", "Sessional video consultations"),
    ("go.to.doc", "/organisations/{provider}", "Go-To-Doc Ltd"),
    ("zzzz", None, "No results for zzzz"),
])
def test_finds_by_name_code_and_interest(as_role, register_data, q, link, text):
    html = page(as_role("secretary"), q)
    assert text in html
    if link:
        assert f'href="{link.format(**register_data)}"' in html


def test_results_are_grouped_by_kind(as_role, register_data):
    html = page(as_role("governance"), "Brookside")
    assert "People (1)" in html
    assert "Organisations (1)" in html
    assert "Interests (1)" in html
    assert html.index("People (1)") < html.index("Organisations (1)") < html.index("Interests (1)")


@pytest.mark.parametrize("q", ['"', 'AND (', '*', 'NEAR("a" "b")', "'; DROP TABLE people; --",
                               "!!!", "a" * 5000, "^col:x", "zofia OR", "-", "\u00a0"])
def test_search_syntax_and_punctuation_are_harmless(as_role, register_data, q):
    response = as_role("auditor").get("/search/", query_string={"q": q})
    assert response.status_code == 200


def test_member_sees_only_their_own_interests(as_role, register_data):
    member = as_role("member", person_id=register_data["niamh"])
    html = page(member, "Sessional")
    assert "Sessional video consultations" not in html
    assert f'/interests/{register_data["other"]}"' not in html
    html = page(member, "gotodoc")
    assert f'/interests/{register_data["other"]}"' not in html
    html = page(member, "partner")
    assert f'href="/interests/{register_data["own"]}"' in html
    # People and organisations are reference data every role may read.
    assert "Dr Zofia Wójcik" in page(member, "Zofia")


def test_member_without_a_person_sees_no_interests(app, db, register_data):
    from tests.conftest import add_user, sign_in

    add_user(db, role="member", username="loose")
    client = app.test_client()
    sign_in(client, "loose")
    html = page(client, "partner")
    assert f'href="/interests/{register_data["own"]}"' not in html
    assert "Interests are searched among your own declarations only" in html


@pytest.mark.parametrize("role", ["admin", "secretary", "governance", "auditor"])
def test_every_reading_role_sees_all_interests(as_role, register_data, role):
    html = page(as_role(role), "Sessional")
    assert f'href="/interests/{register_data["other"]}"' in html


def test_signed_out_users_are_sent_to_sign_in(client):
    response = client.get("/search/?q=x")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_html_in_results_and_query_is_escaped(as_role, db):
    add_person(db, "<script>alert(1)</script> Evans", email="evans@example.nhs.uk",
               positions="<b>bold</b> lead")
    html = page(as_role("secretary"), "<script>Evans")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Evans" in html
    assert "<b>bold</b>" not in html
    assert "<script>Evans" not in html


def test_names_rank_above_job_titles(as_role, db):
    add_person(db, "Ann Lee", email="ann@example.nhs.uk", positions="Deputy to Rowan Hart")
    add_person(db, "Rowan Hart", email="rh@example.nhs.uk",
               positions="Director of primary care commissioning and contracts")
    html = page(as_role("secretary"), "rowan")
    assert html.index("Rowan Hart</a>") < html.index("Ann Lee")


def test_whole_words_rank_above_longer_words_they_start(as_role, db):
    add_person(db, "Gordon Park", email="gordon@example.nhs.uk")
    add_person(db, "Go Park", email="go@example.nhs.uk")
    html = page(as_role("secretary"), "go")
    assert html.index("Go Park") < html.index("Gordon Park")


def test_long_result_lists_are_cut_and_say_so(as_role, db):
    for n in range(25):
        add_person(db, f"Pat Example{n}", email=f"pat{n}@example.nhs.uk")
    html = page(as_role("secretary"), "pat")
    assert "People (20+)" in html
    assert "Only the first 20 people are shown" in html


@pytest.fixture
def decisions_data(db, register_data):
    """Two decisions: one Dr O'Connor takes part in, awarded to Go-To-Doc; one she does not."""
    from tests.conftest import add_committee, add_decision

    committee = add_committee(db)
    lead = add_person(db, "Dr Imogen Quill", email="quill@example.nhs.uk")
    mine = add_decision(db, committee, title="Community anticoagulation service",
                        providers=(register_data["provider"],),
                        participants=((register_data["niamh"], "voting"),))
    other = add_decision(db, committee, title="Wound care pathway", clinical_lead_id=lead,
                         providers=(register_data["practice"],))
    references = {row["id"]: row["reference"] for row in db.query(
        "SELECT id, reference FROM decisions")}
    return {**register_data, "mine": references[mine], "other": references[other]}


@pytest.mark.parametrize(("q", "found", "not_found"), [
    ("anticoagulation", "mine", "other"),          # title
    ("MOB-2026-0002", "other", "mine"),            # reference
    ("mob20260002", "other", "mine"),              # reference typed run together
    ("gotodoc", "mine", "other"),                  # provider's name, run together
    ("Y90002", "other", "mine"),                   # provider's ODS code
    ("O'Connor", "mine", "other"),                 # a participant
    ("Quill", "other", "mine"),                    # the clinical lead
])
def test_finds_decisions_by_reference_title_provider_and_person(
        as_role, decisions_data, q, found, not_found):
    html = page(as_role("auditor"), q)
    assert "Decisions (1)" in html
    assert f'href="/decisions/{decisions_data[found]}"' in html
    assert f'href="/decisions/{decisions_data[not_found]}"' not in html


def test_a_person_matched_by_job_title_only_does_not_bring_their_decisions(as_role,
                                                                           decisions_data):
    # Dr O'Connor's positions mention Brookside; her decision names no Brookside provider.
    html = page(as_role("auditor"), "partner")
    assert f'href="/decisions/{decisions_data["mine"]}"' not in html


def test_a_member_finds_only_the_decisions_they_may_read(as_role, decisions_data):
    member = as_role("member", person_id=decisions_data["niamh"])
    html = page(member, "MOB 2026")
    assert f'href="/decisions/{decisions_data["mine"]}"' in html
    assert f'href="/decisions/{decisions_data["other"]}"' not in html
    assert "Wound care pathway" not in page(member, "wound")
    assert "Decisions are searched among those you take part in or recorded" in page(
        member, "wound")


def test_a_person_excluded_from_a_decision_does_not_find_it(db, as_role, decisions_data):
    decision_id = db.execute("SELECT id FROM decisions WHERE reference = ?",
                             [decisions_data["mine"]]).fetchone()[0]
    db["decision_rulings"].insert({"decision_id": decision_id,
                                   "person_id": decisions_data["niamh"],
                                   "ruling": "exclude_all", "reason": "Works for the bidder",
                                   "ruled_by_user_id": None, "ruled_at": "2026-03-01T10:00:00Z"},
                                  alter=False)
    governance = as_role("governance", person_id=decisions_data["niamh"])
    html = page(governance, "anticoagulation")
    assert f'href="/decisions/{decisions_data["mine"]}"' not in html
    assert "Community anticoagulation service" not in html


def test_an_update_re_indexes_a_record_only_when_it_sets_a_searched_column(db):
    """Keeping counts or a status current must not rewrite the search entry (m035); changing the
    text must, so that search finds the new words and not the old."""
    organisation = add_organisation(db, name="Alderley Surgery")
    before = db.conn.total_changes
    db.execute("UPDATE organisations SET is_member_practice = 1 WHERE id = ?", [organisation])
    assert db.conn.total_changes - before == 1  # the row alone: no search entry rewritten
    before = db.conn.total_changes
    db.execute("UPDATE organisations SET name = 'Brackenbury Surgery' WHERE id = ?",
               [organisation])
    assert db.conn.total_changes - before > 1  # the row, and its search entry out and in
    found = [r[0] for r in db.execute(
        "SELECT rowid FROM organisations_fts WHERE organisations_fts MATCH ?", ["Brackenbury"])]
    assert found == [organisation]
    assert not list(db.execute(
        "SELECT rowid FROM organisations_fts WHERE organisations_fts MATCH ?", ["Alderley"]))
