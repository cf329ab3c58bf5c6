"""Who may review a decision: governance leads not ruled out, else the independent reviewer."""
from __future__ import annotations

import pytest

from register.rules.reviewers import (
    INDEPENDENT,
    LEADS,
    NOBODY,
    NOT_ROUTED,
    ONLY_GOVERNANCE,
    Account,
    Parties,
    acting_role,
    independent_reviewer_problem,
    review_problem,
    who_may_review,
)

# People 1-9 make the decision; 20 and 21 are governance leads' people, 30 the audit chair's.
LEAD_A = Account(100, "Margaret Okafor", "governance", 20)
LEAD_B = Account(101, "Owen Price", "governance", 21)
AUDIT_CHAIR = Account(200, "Eleanor Fairweather", "member", 30)
PARTIES = Parties(author_user_id=300, author_person_id=1, clinical_lead_id=2,
                  contract_manager_id=3, participant_ids=frozenset({4, 5, 6}),
                  conflicted_ids=frozenset({6, 7}))


def parties(**over) -> Parties:
    values = {"author_user_id": 300, "author_person_id": 1, "clinical_lead_id": 2,
              "contract_manager_id": 3, "participant_ids": frozenset({4, 5, 6}),
              "conflicted_ids": frozenset({6, 7})}
    values.update(over)
    return Parties(**values)


# (leads, independent, parties, expected kind, expected reviewers, words in the reason)
ROUTES = [
    ([LEAD_A], AUDIT_CHAIR, PARTIES, LEADS, [100], "A governance lead reviews it: Margaret Okafor."),
    ([LEAD_A, LEAD_B], None, parties(participant_ids=frozenset({20})), LEADS, [101],
     "Owen Price"),
    ([LEAD_A, LEAD_B], None, PARTIES, LEADS, [100, 101], "one of Margaret Okafor and Owen Price"),
    # The only lead votes: the independent reviewer takes it.
    ([LEAD_A], AUDIT_CHAIR, parties(participant_ids=frozenset({4, 20})), INDEPENDENT, [200],
     "No governance lead can review this: Margaret Okafor, the only governance lead, takes part "
     "in it, so it goes to Eleanor Fairweather, the Governing Body's independent reviewer."),
    # Every lead ruled out, each for a different reason.
    ([LEAD_A, LEAD_B], AUDIT_CHAIR,
     parties(conflicted_ids=frozenset({20}), clinical_lead_id=21), INDEPENDENT, [200],
     "every governance lead takes part in it or is conflicted, so it goes to Eleanor Fairweather"),
    ([LEAD_A], AUDIT_CHAIR, parties(author_person_id=20), INDEPENDENT, [200], "wrote it"),
    ([LEAD_A], AUDIT_CHAIR, parties(contract_manager_id=20), INDEPENDENT, [200],
     "is its contract manager"),
    ([LEAD_A], AUDIT_CHAIR, parties(conflicted_ids=frozenset({20})), INDEPENDENT, [200],
     "is conflicted on it"),
    # A lead account not linked to a person cannot have its conflicts checked.
    ([Account(102, "lead2", "governance", None)], AUDIT_CHAIR, PARTIES, INDEPENDENT, [200],
     "is not linked to a person in the register"),
    # No lead account at all.
    ([], AUDIT_CHAIR, PARTIES, INDEPENDENT, [200], "there is no governance lead account"),
    # A switched-off lead does not count.
    ([Account(103, "Gone", "governance", 22, active=False)], AUDIT_CHAIR, PARTIES, INDEPENDENT,
     [200], "there is no governance lead account"),
    # Nobody named: nobody, and the reason says who can fix it.
    ([LEAD_A], None, parties(participant_ids=frozenset({20})), NOBODY, [],
     "and the Governing Body has no independent reviewer. An administrator must name one on the "
     "committee's page."),
    # The independent reviewer takes part too.
    ([LEAD_A], AUDIT_CHAIR, parties(participant_ids=frozenset({20, 30})), NOBODY, [],
     "Eleanor Fairweather, the Governing Body's independent reviewer, takes part in it too. An "
     "administrator must name another independent reviewer"),
    # The independent reviewer wrote it (by account).
    ([LEAD_A], AUDIT_CHAIR, parties(participant_ids=frozenset({20}), author_user_id=200,
                                    author_person_id=None), NOBODY, [], "wrote it too"),
    # A named account that may no longer be named (now a secretary) counts as none.
    ([LEAD_A], Account(201, "Priya Sharma", "secretary", 31),
     parties(participant_ids=frozenset({20})), NOBODY, [], "has no independent reviewer"),
]


@pytest.mark.parametrize(("leads", "independent", "facts", "kind", "user_ids", "words"), ROUTES)
def test_who_may_review(leads, independent, facts, kind, user_ids, words):
    route = who_may_review(leads, independent, facts, "Governing Body")
    assert route.kind == kind
    assert [a.user_id for a in route.reviewers] == user_ids
    assert words in route.reason


ROUTED = who_may_review([LEAD_A], AUDIT_CHAIR, parties(participant_ids=frozenset({20})), "GB")
NOT_ROUTED_ROUTE = who_may_review([LEAD_A], AUDIT_CHAIR, PARTIES, "GB")


@pytest.mark.parametrize(("route", "account", "message"), [
    (NOT_ROUTED_ROUTE, LEAD_A, None),
    (ROUTED, LEAD_A, "You cannot sign off a decision you took part in"),
    (ROUTED, AUDIT_CHAIR, None),
    (NOT_ROUTED_ROUTE, AUDIT_CHAIR, NOT_ROUTED),
    (ROUTED, Account(202, "Other member", "member", 40), ONLY_GOVERNANCE),
    (ROUTED, Account(203, "Secretary", "secretary", 41), ONLY_GOVERNANCE),
    (ROUTED, Account(204, "Auditor", "auditor", 42), ONLY_GOVERNANCE),
])
def test_review_problem(route, account, message):
    facts = parties(participant_ids=frozenset({20})) if route is ROUTED else PARTIES
    assert review_problem(route, account, facts) == message


def test_an_independent_reviewer_who_takes_part_is_told_why():
    facts = parties(participant_ids=frozenset({20, 30}))
    route = who_may_review([LEAD_A], AUDIT_CHAIR, facts, "GB")
    assert route.kind == NOBODY
    assert review_problem(route, AUDIT_CHAIR, facts) == \
        "You cannot sign off a decision you took part in"


def test_acting_role():
    assert acting_role(ROUTED, AUDIT_CHAIR) == INDEPENDENT
    assert acting_role(NOT_ROUTED_ROUTE, AUDIT_CHAIR) == "member"
    assert acting_role(ROUTED, LEAD_A) == "governance"


@pytest.mark.parametrize(("role", "person_id", "active", "ok"), [
    ("governance", 1, True, True),
    ("member", 1, True, True),
    ("secretary", 1, True, False),
    ("admin", 1, True, False),
    ("auditor", 1, True, False),
    ("member", None, True, False),
    ("member", 1, False, False),
])
def test_who_may_be_named_independent_reviewer(role, person_id, active, ok):
    assert (independent_reviewer_problem(role, person_id, active) is None) is ok
