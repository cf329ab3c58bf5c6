"""A reviewer who took no part: when every governance lead takes part in a decision or is
conflicted, the committee's independent reviewer reviews it; with none named, the queue says so."""
from __future__ import annotations

import pytest

from register import audit
from register.decisions import reviewers

from . import test_reviews
from .conftest import PASSWORD, add_decision, add_person, add_user
from .test_reviews import (
    events,
    reference,
    review_form,
    sign_off_data,
    status_of,
    submitted,
    text,
    user_id,
)


@pytest.fixture
def world(db):
    """The review tests' Primary Care Committee (worked example 1, conflicted)."""
    return test_reviews.world.__wrapped__(db)


def name_reviewer(db, committee_id: int, user: int | None) -> None:
    db.execute("UPDATE committees SET independent_reviewer_user_id = ? WHERE id = ?",
               [user, committee_id])


@pytest.fixture
def voting_lead(world, as_role):
    """The only governance lead is the committee's chair, a voter on every decision."""
    return as_role("governance", person_id=world.chair)


@pytest.fixture
def audit_chair(db, as_role):
    """The audit chair: a board member account, named as the independent reviewer."""
    person = add_person(db, "Audit Chair", email="audit.chair@example.nhs.uk")
    return as_role("member", username="auditchair", person_id=person)


# ---- naming the independent reviewer ---------------------------------------------------------

def test_an_administrator_names_the_independent_reviewer_and_it_is_audited(db, world, as_role,
                                                                          audit_chair):
    admin = as_role("admin")
    as_role("secretary")
    as_role("auditor")
    path = f"/committees/{world.committee}/independent-reviewer"
    page = admin.get(path)
    assert page.status_code == 200
    options = text(page)
    assert "Audit Chair (Board member, account auditchair)" in options
    for role in ("Administrator", "Board secretary", "Auditor"):
        assert f"({role}," not in options
    response = admin.post(path, data={"reviewer": str(user_id(db, "auditchair")),
                                      "version": "1"})
    assert response.status_code == 302
    committee = db["committees"].get(world.committee)
    assert committee["independent_reviewer_user_id"] == user_id(db, "auditchair")
    [event] = [e for e in audit.history(db, "committee", world.committee)
               if e["action"] == "update"]
    assert event["changes"]["independent_reviewer_user_id"] == [None,
                                                                 user_id(db, "auditchair")]
    detail = text(admin.get(f"/committees/{world.committee}"))
    assert "Independent reviewer Audit Chair" in detail
    # Cleared again.
    admin.post(path, data={"reviewer": "", "version": "2"})
    assert db["committees"].get(world.committee)["independent_reviewer_user_id"] is None
    assert "None named" in text(admin.get(f"/committees/{world.committee}"))


def test_the_committee_page_says_when_the_named_account_cannot_review_now(db, world, as_role,
                                                                        audit_chair):
    admin = as_role("admin")
    name_reviewer(db, world.committee, user_id(db, "auditchair"))
    db.execute("UPDATE users SET active = 0 WHERE username = 'auditchair'")
    page = text(admin.get(f"/committees/{world.committee}"))
    assert "Audit Chair This account cannot review decisions now (This account is switched off" \
        in page


@pytest.mark.parametrize(("role", "message"), [
    ("secretary", "Choose an account from the list, or no independent reviewer"),
    ("auditor", "Choose an account from the list, or no independent reviewer"),
])
def test_an_account_that_may_not_review_cannot_be_named(db, world, as_role, role, message):
    admin = as_role("admin")
    as_role(role)
    response = admin.post(f"/committees/{world.committee}/independent-reviewer",
                          data={"reviewer": str(user_id(db, role)), "version": "1"})
    assert response.status_code == 200
    assert message in text(response) and "Error:" in text(response)
    assert db["committees"].get(world.committee)["independent_reviewer_user_id"] is None


def test_an_unlinked_account_cannot_be_named_even_if_posted(db, world, as_role):
    from register.committees import queries
    admin = as_role("admin")
    unlinked = add_user(db, role="member", username="unlinked")
    response = admin.post(f"/committees/{world.committee}/independent-reviewer",
                          data={"reviewer": str(unlinked), "version": "1"})
    assert "Choose an account from the list" in text(response)
    with pytest.raises(queries.NotEligible, match="not linked to a person"):
        queries.set_independent_reviewer(db, world.committee, 1, unlinked, "test")
    assert db["committees"].get(world.committee)["independent_reviewer_user_id"] is None


def test_a_stale_form_does_not_overwrite_a_newer_choice(db, world, as_role, audit_chair):
    admin = as_role("admin")
    response = admin.post(f"/committees/{world.committee}/independent-reviewer",
                          data={"reviewer": str(user_id(db, "auditchair")), "version": "7"})
    assert response.status_code == 200 and "Error:" in text(response)
    assert db["committees"].get(world.committee)["independent_reviewer_user_id"] is None


@pytest.mark.parametrize("role", ["secretary", "governance", "member", "auditor"])
def test_only_an_administrator_names_the_independent_reviewer(db, world, as_role, role):
    client = as_role(role)
    path = f"/committees/{world.committee}/independent-reviewer"
    assert client.get(path).status_code == 403
    assert client.post(path, data={"reviewer": "", "version": "1"}).status_code == 403


# ---- the independent reviewer reviews ------------------------------------------------------

def test_the_independent_reviewer_signs_off_when_the_only_lead_votes(db, world, voting_lead,
                                                                    audit_chair):
    name_reviewer(db, world.committee, user_id(db, "auditchair"))
    decision = submitted(db, world)
    ref = reference(db, decision)
    # The lead is refused, with the reason.
    page = voting_lead.get(f"/reviews/{ref}")
    assert ("You cannot sign off a decision you took part in. No governance lead can review this: "
            "Hugh Pemberton, the only governance lead, takes part in it, so it goes to Audit "
            "Chair, the Primary Care Committee's independent reviewer.") in text(page)
    # Once, and without sending them to a governance lead who cannot review it.
    assert "reviewer.." not in text(page)
    assert "Another governance lead must review this decision" not in text(page)
    # The queue says who must review it.
    queue = text(voting_lead.get("/reviews/"))
    assert "Independent reviewer Audit Chair" in queue
    assert "Hugh Pemberton, the only governance lead, takes part in it" in queue
    # The decision page says so too.
    assert "Who must review the conflicts Independent reviewer Audit Chair" in \
        text(voting_lead.get(f"/decisions/{ref}"))
    # The reviewer finds it on the home page, reads the decision and signs off.
    home = text(audit_chair.get("/"))
    assert "Decisions for you to review" in home and ref in home
    decision_page = audit_chair.get(f"/decisions/{ref}")
    assert decision_page.status_code == 200
    assert "Review conflicts and sign off" in text(decision_page)
    assert audit_chair.post(f"/reviews/{ref}/quorum", data={}).status_code == 200
    response = audit_chair.post(f"/reviews/{ref}", data=sign_off_data(audit_chair, ref))
    assert response.status_code == 302, text(response)[:1000]
    assert response.headers["Location"] == "/"  # the queue is for governance leads
    assert status_of(db, decision) == "signed_off"
    row = next(iter(db.query("SELECT * FROM sign_offs WHERE decision_id = ?", [decision])))
    assert row["signer_user_id"] == user_id(db, "auditchair")
    assert row["signer_role"] == "Independent reviewer"
    assert row["statement"].startswith("I, Audit Chair (Independent reviewer), confirm")
    assert [e["action"] for e in audit.history(db, "decision", decision)][-1] == "sign_off"
    audit_chair.get("/")  # the success message
    assert ref not in text(audit_chair.get("/"))


def test_the_independent_reviewer_rules_and_returns_a_routed_decision(db, world, voting_lead,
                                                                     audit_chair):
    name_reviewer(db, world.committee, user_id(db, "auditchair"))
    decision = submitted(db, world)
    ref = reference(db, decision)
    data = review_form(audit_chair, ref, action="save", **{f"ruling_{world.gp2}": "no_vote"})
    assert audit_chair.post(f"/reviews/{ref}", data=data).status_code == 302
    row = db.execute("SELECT ruling, ruled_by_user_id FROM decision_rulings WHERE decision_id = ?"
                     " AND person_id = ?", [decision, world.gp2]).fetchone()
    assert tuple(row) == ("no_vote", user_id(db, "auditchair"))
    data = review_form(audit_chair, ref, action="return",
                       return_reason="Which practices will deliver it?")
    response = audit_chair.post(f"/reviews/{ref}", data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert status_of(db, decision) == "returned"
    assert audit.history(db, "decision", decision)[-1]["actor"] == "auditchair"


def test_the_independent_reviewer_may_open_only_the_decisions_routed_to_them(
        db, world, as_role, audit_chair):
    as_role("governance")  # a lead who takes no part: every decision goes to them
    name_reviewer(db, world.committee, user_id(db, "auditchair"))
    decision = submitted(db, world)
    ref = reference(db, decision)
    assert audit_chair.get(f"/reviews/{ref}").status_code == 403
    response = audit_chair.post(f"/reviews/{ref}", data={
        "action": "sign_off", "password": PASSWORD, "confirm": "y", "version": "1"})
    assert response.status_code == 403
    assert db.execute("SELECT count(*) FROM sign_offs").fetchone()[0] == 0
    [event] = events(db, "sign_off_refused")
    assert event["actor"] == "auditchair"
    assert audit_chair.post(f"/reviews/{ref}/quorum", data={}).status_code == 403
    assert audit_chair.post(f"/reviews/{ref}/ratify", data={}).status_code == 403
    assert audit_chair.get(f"/decisions/{ref}").status_code == 403
    assert audit_chair.get("/reviews/").status_code == 403
    assert "Decisions for you to review" not in text(audit_chair.get("/"))


def test_another_member_cannot_review_a_routed_decision(db, world, voting_lead, audit_chair,
                                                       as_role):
    name_reviewer(db, world.committee, user_id(db, "auditchair"))
    decision = submitted(db, world)
    other = as_role("member", username="othermember")
    assert other.get(f"/reviews/{reference(db, decision)}").status_code == 403


def test_an_independent_reviewer_who_takes_part_is_refused_and_nobody_reviews(
        db, world, voting_lead, as_role):
    reviewer = as_role("member", username="gpreviewer", person_id=world.exec1)
    name_reviewer(db, world.committee, user_id(db, "gpreviewer"))
    decision = submitted(db, world)
    ref = reference(db, decision)
    assert reviewer.get(f"/reviews/{ref}").status_code == 403
    route = reviewers.route_for(db, decision)
    assert route.kind == "nobody"
    assert "Sian Llewelyn, the Primary Care Committee's independent reviewer, takes part in it " \
           "too" in route.reason


def test_with_no_reviewer_named_the_queue_says_who_can_fix_it(db, world, voting_lead, as_role):
    decision = submitted(db, world)
    queue = text(voting_lead.get("/reviews/"))
    assert "No reviewer" in queue
    assert ("and the Primary Care Committee has no independent reviewer. An administrator must "
            "name one on the committee's page.") in queue
    # An administrator names one: the decision moves to them, nothing stuck.
    person = add_person(db, "Partner Lead", email="partner.lead@example.nhs.uk")
    partner = as_role("governance", username="partnerlead", person_id=person)
    admin = as_role("admin")
    admin.post(f"/committees/{world.committee}/independent-reviewer",
               data={"reviewer": str(user_id(db, "partnerlead")), "version": "1"})
    route = reviewers.route_for(db, decision)
    # A governance lead of the partner organisation takes no part, so is a lead who may review.
    assert route.kind == "governance_leads" and route.names == "Partner Lead"
    assert partner.get(f"/reviews/{reference(db, decision)}").status_code == 200


def test_a_lead_who_takes_no_part_reviews_as_before(db, world, as_role, audit_chair):
    lead = as_role("governance")
    name_reviewer(db, world.committee, user_id(db, "auditchair"))
    decision = submitted(db, world)
    ref = reference(db, decision)
    assert "Governance Person" in text(lead.get("/reviews/"))
    assert lead.post(f"/reviews/{ref}", data=sign_off_data(lead, ref)).status_code == 302
    assert status_of(db, decision) == "signed_off"


# ---- the secretary is warned before submitting ---------------------------------------------

def _draft(db, world) -> str:
    decision = add_decision(db, world.committee, providers=(world.practice,),
                            participants=tuple((p, "voting") for p in world.voting),
                            author_user_id=user_id(db, "secretary"))
    return reference(db, decision)


def test_the_check_page_warns_the_secretary_who_will_review(db, world, voting_lead, as_role,
                                                           audit_chair):
    secretary = as_role("secretary")
    ref = _draft(db, world)
    page = text(secretary.get(f"/decisions/{ref}/check"))
    assert ("No governance lead can review this: it will go to Audit Chair"
            not in page)  # none named yet
    assert "Nobody can review this decision yet" in page
    assert "ask an administrator before the meeting" in page
    name_reviewer(db, world.committee, user_id(db, "auditchair"))
    page = text(secretary.get(f"/decisions/{ref}/check"))
    assert ("No governance lead can review this: it will go to Audit Chair, the committee\u2019s "
            "independent reviewer (Hugh Pemberton, the only governance lead, takes part in it).") \
        in page


def test_the_check_page_says_nothing_when_a_lead_can_review(db, world, as_role):
    as_role("governance")
    secretary = as_role("secretary")
    page = text(secretary.get(f"/decisions/{_draft(db, world)}/check"))
    assert "No governance lead can review" not in page
    assert "Nobody can review" not in page
