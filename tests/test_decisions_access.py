"""The one access rule: a person ruled out of a decision's papers reads nothing of it anywhere,
whatever their role. Walks every route in the URL map (and the outputs: JSON, CSV, the decision
record PDF and the board pack, read back) as that person in each role."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from register.decisions import access, flagging

from .conftest import (
    add_committee,
    add_decision,
    add_interest,
    add_member,
    add_organisation,
    add_person,
    add_user,
)
from .test_pdf_support import flat, page_texts, print_pack

ROLES = ["admin", "secretary", "governance", "member", "auditor"]

# Words that appear only in the papers of the secret decision.
SECRET = {"title": "Zebracorn physiotherapy tender", "description": "Quokkafield clinics",
          "justification": "Narwhalbury justification", "comments": "Axolotlgate comment",
          "option": "Pangolinshire option"}
OPEN_TITLE = "Ordinary diabetes pathway"

# POST-only routes that show no decision and would sign the walker out or change unrelated
# records (accounts, memberships, returns) if posted to. Every other route is walked.
NOT_WALKED = {"static", "auth.sign_out", "auth.disable_account", "auth.enable_account",
              "committees.remove_member", "interests.confirm_complete", "interests.nil_return"}


@pytest.fixture
def world(db):
    """A committee, a person excluded from one flagged decision, and a decision they may read."""
    practice = add_organisation(db, "Riverside Surgery", ods_code="Y00001", is_member_practice=1)
    excluded = add_person(db, "Priya Shah", email="priya@example.nhs.uk", positions="GP partner",
                          home_practice_id=practice)
    lay = add_person(db, "Lay Person", email="lay@example.nhs.uk")
    committee = add_committee(db, "Primary Care Committee", quorum_min_voting=1)
    add_member(db, committee, excluded, category="gp")
    add_member(db, committee, lay, category="lay")
    interest = add_interest(db, excluded, organisation_id=practice,
                            organisation_name="Riverside Surgery", nature="Partner",
                            date_from="2020-01-01", declared_on="2020-01-05")
    ruler = add_user(db, role="governance", username="ruler")
    voting = ((excluded, "voting"), (lay, "voting"))
    secret = add_decision(db, committee, reference="MOB-2026-0001", title=SECRET["title"],
                          description=SECRET["description"],
                          justification=SECRET["justification"], comments=SECRET["comments"],
                          providers=(practice,), participants=voting, status="awaiting_review",
                          submitted_at="2026-03-02T10:00:00+00:00", meeting_date="2026-03-10")
    db["decision_options"].insert({"decision_id": secret, "position": 1,
                                   "description": SECRET["option"], "outcome": "chosen",
                                   "reason": "Best"})
    flagging.current_flags(db, secret)
    db["decision_rulings"].insert({
        "decision_id": secret, "person_id": excluded, "ruling": "exclude_all",
        "reason": "Partner in the providing practice", "ruled_by_user_id": ruler,
        "ruled_at": "2026-03-04T10:00:00+00:00"})
    readable = add_decision(db, committee, reference="MOB-2026-0002", title=OPEN_TITLE,
                            participants=voting, status="ready_for_decision",
                            submitted_at="2026-03-02T10:00:00+00:00", meeting_date="2026-03-11")
    assert db["decisions"].get(secret)["flag_count"] > 0
    return SimpleNamespace(practice=practice, excluded=excluded, committee=committee,
                           interest=interest, secret=secret, readable=readable,
                           reference="MOB-2026-0001")


def _arguments(db, world, user_id: int) -> dict[str, object]:
    member = next(db.query("SELECT id FROM committee_members WHERE person_id = ?",
                           [world.excluded]))["id"]
    item = next(db.query("SELECT id, meeting_id FROM agenda_items WHERE decision_id = ?",
                         [world.secret]))
    return {"meeting_id": item["meeting_id"], "item_id": item["id"],
            "reference": world.reference, "user_id": user_id, "committee_id": world.committee,
            "member_id": member, "interest_id": world.interest, "person_id": world.excluded,
            "organisation_id": world.practice, "link_id": 1, "period_id": 1, "breach_id": 1,
            "campaign_id": 1, "modification_id": 1, "kind": "intention",
            "representation_id": 1, "section": "providers", "job_id": "no-such-pack-job-000000"}


def _text(response) -> str:
    """What a reader of the response sees: the page or file, or the PDF's (or Word document's)
    text read back."""
    if response.mimetype == "application/pdf":
        return flat(" ".join(page_texts(response.data)))
    if response.mimetype.endswith("spreadsheetml.sheet"):
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.data)).active
        return " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row
                        if cell.value is not None)
    if response.mimetype.endswith("wordprocessingml.document"):
        import io

        import docx

        return " ".join(p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs)
    return response.get_data(as_text=True)


def _leaks(text: str) -> list[str]:
    return [words for words in SECRET.values() if words.split()[0] in text]


def _stored(db, decision_id: int) -> list[object]:
    """The decision and its governance records, to show a refused POST changed nothing."""
    return [db["decisions"].get(decision_id),
            *(list(db.query(f"SELECT * FROM {table} WHERE decision_id = ? ORDER BY id",
                            [decision_id]))
              for table in ("decision_rulings", "sign_offs", "decision_participants"))]


PACK_FORM = {"committee_id": "1", "date_from-day": "1", "date_from-month": "1",
             "date_from-year": "2026", "date_to-day": "31", "date_to-month": "3",
             "date_to-year": "2026", "marking": "OFFICIAL", "prepared_by": "Priya Shah",
             "purpose": "Assurance", "recommendation": "Note it"}


@pytest.mark.parametrize("role", ROLES)
def test_an_excluded_person_reads_nothing_of_the_decision_anywhere(app, db, world, as_role,
                                                                   role):
    client = as_role(role, username=f"excluded-{role}", person_id=world.excluded)
    user_id = next(db.query("SELECT id FROM users WHERE username = ?", [f"excluded-{role}"]))["id"]
    values = _arguments(db, world, user_id)
    before = _stored(db, world.secret)
    walked, leaks, errors = set(), [], []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_WALKED:
            continue
        url = rule.build({arg: values[arg] for arg in rule.arguments}, append_unknown=False)[1]
        methods = [m for m in ("GET", "POST") if m in rule.methods]
        if "GET" in methods and "reference" not in rule.arguments:
            # A form page: what it shows is the GET; a decision's forms are posted to as well.
            methods = ["GET"]
        for method in methods:
            response = client.open(url, method=method, follow_redirects=True)
            walked.add(rule.endpoint)
            if response.status_code >= 500:
                errors.append((method, url, response.status_code))
            found = _leaks(_text(response))
            if found:
                leaks.append((method, url, response.status_code, found))
    # Searches, filters, downloads and lists reached with a query string (searching words of
    # the title other than the first, which the search box would echo back).
    extra = ["/decisions/register?q=physiotherapy", "/decisions/register.csv",
             "/decisions/register.csv?q=physiotherapy", "/search/?q=physiotherapy+tender",
             f"/reports/decision?reference={world.reference}", "/decisions/?page=1",
             f"/decisions/{world.reference.lower()}", f"/decisions/{world.reference}.json",
             f"/reports/decisions/{world.reference.lower()}.pdf?marking=OFFICIAL-SENSITIVE"]
    for url in extra:
        response = client.get(url, follow_redirects=True)
        found = _leaks(_text(response))
        if found:
            leaks.append(("GET", url, response.status_code, found))
    assert not leaks, leaks
    assert not errors, errors
    unwalked = {rule.endpoint for rule in app.url_map.iter_rules()} - walked - NOT_WALKED
    assert not unwalked, unwalked
    assert _stored(db, world.secret) == before

    # Every page that opens the decision says only that they are excluded.
    for url in (f"/decisions/{world.reference}", f"/decisions/{world.reference}/record.pdf",
                f"/reports/decisions/{world.reference}.pdf"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "You are excluded from this decision" in response.get_data(as_text=True), url
    document = client.get(f"/decisions/{world.reference}.json")
    assert document.status_code == 403
    assert document.get_json() == {"reference": world.reference, "excluded": True,
                                   "message": access.EXCLUDED_WORDS}
    # Lists name it by reference, to say they are excluded; the one they may read is there.
    for url in ("/decisions/", "/decisions/register"):
        page = client.get(url).get_data(as_text=True)
        assert f"not listed here: {world.reference}" in page, url
        assert OPEN_TITLE in page, url
    csv_text = client.get("/decisions/register.csv").get_data(as_text=True)
    assert OPEN_TITLE in csv_text
    assert f"{world.reference},{access.EXCLUDED_WORDS}" in csv_text
    # Filtered, the file cannot say whether it matches without telling what is in it.
    filtered = client.get("/decisions/register.csv?q=physiotherapy").get_data(as_text=True)
    assert world.reference not in filtered


@pytest.mark.parametrize("role", ["admin", "secretary", "governance", "auditor"])
def test_a_pack_printed_by_an_excluded_person_leaves_the_papers_out_and_says_so(
        db, world, as_role, role):
    client = as_role(role, username=f"excluded-{role}", person_id=world.excluded)
    response = print_pack(client, PACK_FORM)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = flat(" ".join(page_texts(response.data)))
    assert not _leaks(text)
    assert OPEN_TITLE in text
    assert f"{world.reference} Left out of this pack" in text
    assert f"Left out of this pack: {world.reference}." in text
    # Printed by someone who may read it, the same pack has its papers.
    full = print_pack(as_role(role, username=f"reader-{role}"), PACK_FORM)
    full_text = flat(" ".join(page_texts(full.data)))
    assert SECRET["title"] in full_text and "Left out of this pack" not in full_text


def test_the_governance_queue_leaves_out_what_the_lead_is_excluded_from(db, world, as_role):
    excluded_lead = as_role("governance", username="excluded-lead", person_id=world.excluded)
    page = excluded_lead.get("/reviews/").get_data(as_text=True)
    assert "Zebracorn" not in page and f"not listed here: {world.reference}" in page
    other_lead = as_role("governance", username="other-lead")
    assert SECRET["title"] in other_lead.get("/reviews/").get_data(as_text=True)


# ---- the rule itself ---------------------------------------------------------------------

def _account(role: str, person_id: int | None, user_id: int = 999):
    from register.auth.roles import can

    return SimpleNamespace(id=user_id, person_id=person_id,
                           can=lambda capability: can(role, capability))


@pytest.mark.parametrize("role", ROLES)
def test_access_to_says_excluded_whatever_the_role(db, world, role):
    decision = db["decisions"].get(world.secret)
    assert access.access_to(db, _account(role, world.excluded), decision) == access.EXCLUDED
    assert not access.may_read(db, _account(role, world.excluded), decision)
    other = db["decisions"].get(world.readable)
    assert access.may_read(db, _account(role, world.excluded), other)


@pytest.mark.parametrize("ruling, excluded", [
    ("note_only", False), ("no_vote", False), ("leave_item", False), ("exclude_all", True),
    ("remove_from_process", True)])
def test_the_rulings_that_exclude_come_from_the_rules(db, world, ruling, excluded):
    db.execute("UPDATE decision_rulings SET ruling = ? WHERE decision_id = ?",
               [ruling, world.secret])
    answer = access.access_to(db, _account("auditor", world.excluded),
                              db["decisions"].get(world.secret))
    assert (answer == access.EXCLUDED) is excluded


def test_a_member_reads_what_they_recorded_or_take_part_in_and_nothing_else(db, world):
    stranger = add_person(db, "Stranger", email="stranger@example.nhs.uk")
    decision = db["decisions"].get(world.readable)
    assert access.access_to(db, _account("member", stranger), decision) == access.REFUSED
    assert access.access_to(db, _account("auditor", stranger), decision) == access.READ
    author = add_user(db, role="member", username="author", person_id=stranger)
    db.execute("UPDATE decisions SET author_user_id = ? WHERE id = ?", [author, world.readable])
    decision = db["decisions"].get(world.readable)
    assert access.access_to(db, _account("member", stranger, author), decision) == access.READ
    assert access.access_to(db, _account("member", None, author + 1), decision) == access.REFUSED


def test_visible_and_split_readable_agree_with_access_to(db, world):
    for role in ROLES:
        account = _account(role, world.excluded)
        condition, params = access.visible(account)
        listed = {row[0] for row in db.execute(
            f"SELECT id FROM decisions WHERE {condition}", params).fetchall()}
        assert listed == {world.readable}, role
        assert access.split_readable(db, account, [world.secret, world.readable]) == (
            [world.readable], [world.secret])
    assert access.excluded_references(db, _account("member", world.excluded)) == [
        world.reference]
    with pytest.raises(ValueError):
        access.visible(_account("member", 1), table="decisions; DROP TABLE users")


@pytest.mark.parametrize("role", ["admin", "secretary"])
def test_an_excluded_recorder_cannot_open_change_or_submit_a_returned_decision(db, world,
                                                                              as_role, role):
    db.execute("UPDATE decisions SET status = 'returned' WHERE id = ?", [world.secret])
    client = as_role(role, username=f"excluded-{role}", person_id=world.excluded)
    before = _stored(db, world.secret)
    version = str(before[0]["version"])
    for method, url, data in (
            ("GET", f"/decisions/{world.reference}/edit", None),
            ("POST", f"/decisions/{world.reference}/edit",
             {"title": "Changed by someone excluded", "version": version}),
            ("GET", f"/decisions/{world.reference}/check", None),
            ("POST", f"/decisions/{world.reference}/submit", {"version": version})):
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, (method, url)
        words = response.get_data(as_text=True)
        assert "You are excluded from this decision" in words and not _leaks(words)
    assert _stored(db, world.secret) == before
