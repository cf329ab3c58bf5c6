"""The review proposes the committee's policy for an interest common to all its GP members, also
for a GP with no home practice on record who is a partner in one of the scheme's practices."""
from __future__ import annotations

import pytest

from register.decisions import lifecycle

from . import test_reviews
from .conftest import add_interest, add_organisation, add_person
from .test_reviews import checked, reference, submitted, text


@pytest.fixture
def world(db):
    """The review tests' Primary Care Committee (worked example 1, conflicted)."""
    return test_reviews.world.__wrapped__(db)


def test_a_partner_with_no_home_practice_is_proposed_the_common_interest_policy(db, world,
                                                                                as_role):
    hill = add_organisation(db, "Hill Top Surgery", ods_code="Y90003", is_member_practice=1)
    no_home = add_person(db, "Dr Ravi Menon")  # a partner at Riverside; no home practice set
    add_interest(db, no_home, organisation_id=world.practice, organisation_name="",
                 nature="Partner", date_from="2020-01-01", declared_on="2020-01-05")
    decision = submitted(db, world, offered_to_all_member_practices=1)
    db["decision_providers"].insert({"decision_id": decision, "organisation_id": hill})
    db["decision_participants"].insert({"decision_id": decision, "person_id": no_home,
                                        "role": "voting"})
    lifecycle.refresh(db, [decision])
    page = as_role("governance").get(f"/reviews/{reference(db, decision)}")
    assert page.status_code == 200
    # Dr Patel's home practice gives her the common interest; Dr Menon's partnership does too.
    assert checked(page, f"ruling_{world.gp1}") == "no_vote"
    assert checked(page, f"ruling_{no_home}") == "no_vote"
    assert ("A common interest: the committee's policy is that they may take part in the "
            "discussion but not vote") in text(page)
