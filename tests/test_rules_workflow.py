"""The decision status machine: every allowed transition, refused ones by role and by status, and
who may sign off."""
from __future__ import annotations

import pytest

from register.rules.workflow import (
    ACTION_LABELS,
    ACTION_ROLES,
    CHAIR_ACTION_TARGETS,
    NOT_SIGNED_OFF,
    STATUS_COLOURS,
    STATUS_LABELS,
    TRANSITIONS,
    UNFLAGGED_TARGETS,
    TransitionRefused,
    available_actions,
    next_status,
    sign_off_problem,
    sign_off_voided,
    status_after_material_change,
)

ROLES = ("admin", "secretary", "governance", "member", "auditor", "system")


def test_every_status_has_a_label_and_a_tag_colour():
    assert set(STATUS_LABELS) == set(STATUS_COLOURS)
    assert STATUS_LABELS["awaiting_review"] == "Awaiting governance review"
    assert STATUS_LABELS["returned"] == "Returned for more information"
    targets = set(TRANSITIONS.values()) | set(UNFLAGGED_TARGETS.values()) | set(
        CHAIR_ACTION_TARGETS.values())
    assert {s for s, _ in TRANSITIONS} | targets <= set(STATUS_LABELS)
    assert {a for _, a in TRANSITIONS} == set(ACTION_ROLES) == set(ACTION_LABELS)


def test_every_action_is_documented_in_the_module_docstring():
    import register.rules.workflow as module
    for action, roles in ACTION_ROLES.items():
        line = next(line for line in module.__doc__.splitlines() if line.startswith(f"| {action} "))
        assert all(role in line for role in roles), line


# --- Every allowed transition ---------------------------------------------------------------------

# (from, action, role, facts, to)
ALLOWED = [
    ("draft", "submit", "secretary", {"flagged": True}, "awaiting_review"),
    ("draft", "submit", "secretary", {"flagged": False}, "ready_for_decision"),
    ("returned", "submit", "secretary", {"flagged": True}, "awaiting_review"),
    ("returned", "submit", "secretary", {"flagged": False}, "ready_for_decision"),
    ("awaiting_review", "return", "governance", {"flagged": True}, "returned"),
    ("escalated", "return", "governance", {"flagged": True}, "returned"),
    ("awaiting_review", "escalate", "governance", {"flagged": True, "quorate": False}, "escalated"),
    ("awaiting_review", "sign_off", "governance", {"flagged": True}, "signed_off"),
    ("escalated", "sign_off", "governance", {"flagged": True, "escalation": "defer"},
     "signed_off"),
    ("escalated", "sign_off", "governance", {"flagged": True, "escalation": "refer"},
     "signed_off"),
    ("escalated", "sign_off", "governance", {"flagged": True, "escalation": "co_opt"},
     "signed_off"),
    ("escalated", "sign_off", "governance", {"flagged": True, "escalation": "chair_action"},
     "awaiting_ratification"),
    ("awaiting_ratification", "ratify", "governance", {"flagged": True, "signed_off": True},
     "signed_off"),
    ("ready_for_decision", "record_outcome", "secretary", {"flagged": False}, "decided"),
    ("signed_off", "record_outcome", "secretary", {"flagged": True, "signed_off": True},
     "decided"),
    ("decided", "publish", "secretary", {"flagged": True, "signed_off": True}, "published"),
    ("decided", "publish", "secretary", {"flagged": False}, "published"),
    ("signed_off", "void_sign_off", "system", {"flagged": True, "signed_off": True},
     "awaiting_review"),
    ("awaiting_ratification", "void_sign_off", "system", {"flagged": True, "signed_off": True},
     "awaiting_review"),
    ("signed_off", "void_sign_off", "system", {"flagged": False, "signed_off": True},
     "ready_for_decision"),
    ("ready_for_decision", "flags_raised", "system", {"flagged": True}, "awaiting_review"),
    ("awaiting_review", "flags_cleared", "system", {"flagged": False}, "ready_for_decision"),
    ("escalated", "flags_cleared", "system", {"flagged": False}, "ready_for_decision"),
    *[(status, "withdraw", role, {"flagged": True}, "withdrawn")
      for status in ("draft", "returned", "awaiting_review", "escalated", "ready_for_decision",
                     "signed_off")
      for role in ("secretary", "admin")],
]


@pytest.mark.parametrize(("current", "action", "role", "facts", "expected"), ALLOWED)
def test_allowed_transitions(current, action, role, facts, expected):
    facts = {"flagged": False, "signed_off": False, **facts}
    assert next_status(current, action, role, **facts) == expected


def test_every_defined_transition_is_exercised():
    assert {(c, a) for c, a, *_ in ALLOWED} == set(TRANSITIONS)


# --- Refused: the wrong role -----------------------------------------------------------------------

ROLE_MESSAGES = {
    "submit": "Only the board secretary can submit a decision",
    "return": "Only a governance lead can return a decision for more information",
    "escalate": "Only a governance lead can escalate a decision",
    "sign_off": "Only a governance lead can sign off",
    "ratify": "Only a governance lead can record a ratification",
    "record_outcome": "Only the board secretary can record the outcome",
    "publish": "Only the board secretary can publish a decision",
    "withdraw": "Only the board secretary or an administrator can withdraw a decision",
    "void_sign_off": "A sign-off is voided only by a material change to the decision",
    "flags_raised": "A decision joins the governance queue only when conflicts are flagged",
    "flags_cleared": "A decision leaves the governance queue only when no conflicts are flagged",
}


@pytest.mark.parametrize(("current", "action", "role", "facts", "_expected"), ALLOWED)
def test_each_transition_is_refused_to_every_other_role(current, action, role, facts, _expected):
    facts = {"flagged": False, "signed_off": False, **facts}
    for other in ROLES:
        if other in ACTION_ROLES[action]:
            continue
        with pytest.raises(TransitionRefused) as refused:
            next_status(current, action, other, **facts)
        assert refused.value.message == ROLE_MESSAGES[action]


# --- Refused: out of order ---------------------------------------------------------------------------

REFUSED = [
    ("decided", "return", "governance", {},
     "This decision is already decided, so it cannot be returned"),
    ("published", "return", "governance", {},
     "This decision is already published, so it cannot be returned"),
    ("awaiting_review", "record_outcome", "secretary", {"flagged": True}, NOT_SIGNED_OFF),
    ("escalated", "record_outcome", "secretary", {"flagged": True}, NOT_SIGNED_OFF),
    # Flagged after it was submitted unflagged: still refused.
    ("ready_for_decision", "record_outcome", "secretary", {"flagged": True}, NOT_SIGNED_OFF),
    # The sign-off was voided but the status not yet moved: refused all the same.
    ("signed_off", "record_outcome", "secretary", {"flagged": True, "signed_off": False},
     NOT_SIGNED_OFF),
    ("draft", "record_outcome", "secretary", {},
     "This decision is still a draft, so it cannot be decided"),
    ("draft", "sign_off", "governance", {"flagged": True},
     "This decision is still a draft, so it cannot be signed off"),
    ("signed_off", "sign_off", "governance", {"flagged": True, "signed_off": True},
     "This decision already has its conflicts signed off, so it cannot be signed off"),
    ("ready_for_decision", "sign_off", "governance", {},
     "This decision is ready for decision, so it cannot be signed off"),
    ("awaiting_review", "sign_off", "governance", {"flagged": False},
     "This decision has no conflicts flagged, so there is nothing to sign off"),
    ("awaiting_review", "sign_off", "governance", {"flagged": True, "quorate": False},
     "The meeting would be inquorate after the rulings: escalate the decision and record how it "
     "will be taken before signing off"),
    ("escalated", "sign_off", "governance", {"flagged": True},
     "Choose and record how the decision will be taken (defer, refer, co-opt members, or chair "
     "and accountable officer action) before signing off"),
    ("escalated", "sign_off", "governance", {"flagged": True, "escalation": "shrug"},
     "Choose and record how the decision will be taken (defer, refer, co-opt members, or chair "
     "and accountable officer action) before signing off"),
    ("awaiting_review", "escalate", "governance", {"flagged": True},
     "The meeting is quorate after the rulings, so there is nothing to escalate"),
    ("awaiting_review", "submit", "secretary", {"flagged": True},
     "This decision is awaiting conflicts review, so it cannot be submitted"),
    ("decided", "submit", "secretary", {},
     "This decision is already decided, so it cannot be submitted"),
    ("withdrawn", "submit", "secretary", {},
     "This decision has been withdrawn, so it cannot be submitted"),
    ("signed_off", "publish", "secretary", {"flagged": True, "signed_off": True},
     "Only a decided decision can be published: record the outcome first"),
    ("published", "publish", "secretary", {},
     "This decision is already published, so it cannot be published"),
    ("decided", "withdraw", "secretary", {},
     "This decision is already decided, so it cannot be withdrawn"),
    ("published", "withdraw", "admin", {},
     "This decision is already published, so it cannot be withdrawn"),
    ("withdrawn", "withdraw", "admin", {},
     "This decision has been withdrawn, so it cannot be withdrawn"),
    ("awaiting_ratification", "withdraw", "secretary", {"flagged": True, "signed_off": True},
     "This decision was taken by chair and accountable officer action, so it cannot be "
     "withdrawn: it must be ratified at a quorate meeting"),
    ("awaiting_ratification", "record_outcome", "secretary", {"flagged": True, "signed_off": True},
     "This decision is awaiting ratification, so it cannot be decided"),
    ("signed_off", "ratify", "governance", {"flagged": True, "signed_off": True},
     "This decision already has its conflicts signed off, so it cannot be ratified"),
    ("returned", "return", "governance", {},
     "This decision has been returned for more information, so it cannot be returned"),
    ("decided", "void_sign_off", "system", {},
     "This decision is already decided, so it cannot have its sign-off voided"),
    # The role is checked before the status: a member learns only that it is not theirs to do.
    ("decided", "sign_off", "member", {}, "Only a governance lead can sign off"),
    ("awaiting_review", "publish", "governance", {"flagged": True},
     "Only the board secretary can publish a decision"),
    ("unknown", "submit", "secretary", {}, "'unknown' is not a decision status"),
    ("draft", "approve", "secretary", {}, "'approve' is not something that can be done to a decision"),
]


@pytest.mark.parametrize(("current", "action", "role", "facts", "message"), REFUSED)
def test_refused_transitions_say_why(current, action, role, facts, message):
    facts = {"flagged": False, "signed_off": False, **facts}
    with pytest.raises(TransitionRefused) as refused:
        next_status(current, action, role, **facts)
    assert refused.value.message == message
    assert str(refused.value) == message


def test_no_undefined_transition_is_allowed():
    # Exhaustively: whatever the facts, only defined (status, action) pairs ever succeed.
    for current in STATUS_LABELS:
        for action in ACTION_ROLES:
            for role in ROLES:
                for flagged in (True, False):
                    for signed_off in (True, False):
                        for escalation in (None, "defer", "chair_action"):
                            for quorate in (True, False):
                                try:
                                    to = next_status(current, action, role, flagged=flagged,
                                                     signed_off=signed_off, quorate=quorate,
                                                     escalation=escalation)
                                except TransitionRefused:
                                    continue
                                assert (current, action) in TRANSITIONS
                                assert role in ACTION_ROLES[action]
                                assert to in STATUS_LABELS
                                if action == "record_outcome" and flagged:
                                    assert current == "signed_off" and signed_off


# --- What each role sees it can do ------------------------------------------------------------------


@pytest.mark.parametrize(("status", "role", "facts", "expected"), [
    ("draft", "secretary", {}, ["submit", "withdraw"]),
    ("draft", "admin", {}, ["withdraw"]),
    ("draft", "governance", {}, []),
    ("draft", "member", {}, []),
    ("awaiting_review", "governance", {"flagged": True}, ["return", "sign_off"]),
    ("awaiting_review", "governance", {"flagged": True, "quorate": False},
     ["return", "escalate"]),
    ("awaiting_review", "secretary", {"flagged": True}, ["withdraw"]),
    ("escalated", "governance", {"flagged": True}, ["return"]),
    ("escalated", "governance", {"flagged": True, "escalation": "co_opt"}, ["return", "sign_off"]),
    ("signed_off", "secretary", {"flagged": True, "signed_off": True},
     ["record_outcome", "withdraw"]),
    ("ready_for_decision", "secretary", {}, ["record_outcome", "withdraw"]),
    ("ready_for_decision", "secretary", {"flagged": True}, ["withdraw"]),
    ("awaiting_ratification", "governance", {"flagged": True, "signed_off": True}, ["ratify"]),
    ("decided", "secretary", {"signed_off": True}, ["publish"]),
    ("published", "secretary", {}, []),
    ("published", "auditor", {}, []),
    ("withdrawn", "admin", {}, []),
])
def test_available_actions(status, role, facts, expected):
    facts = {"flagged": False, "signed_off": False, **facts}
    assert available_actions(status, role, **facts) == expected


# --- A material change after sign-off ---------------------------------------------------------------


@pytest.mark.parametrize(("status", "flagged", "expected"), [
    ("signed_off", True, "awaiting_review"),
    ("signed_off", False, "ready_for_decision"),
    ("awaiting_ratification", True, "awaiting_review"),
    ("ready_for_decision", True, "awaiting_review"),
    ("ready_for_decision", False, "ready_for_decision"),
    ("awaiting_review", False, "ready_for_decision"),
    ("awaiting_review", True, "awaiting_review"),
    ("escalated", True, "awaiting_review"),
    ("draft", True, "draft"),
    ("returned", True, "returned"),
    ("decided", True, "decided"),
    ("published", True, "published"),
    ("withdrawn", True, "withdrawn"),
])
def test_status_after_material_change(status, flagged, expected):
    assert status_after_material_change(status, flagged=flagged) == expected


def test_a_material_change_voids_a_sign_off_only_where_one_is_in_force():
    assert status_after_material_change("signed_off") == "awaiting_review"
    assert [s for s in STATUS_LABELS if sign_off_voided(s)] == ["signed_off",
                                                                "awaiting_ratification"]


# --- Who may sign off -------------------------------------------------------------------------------

GOV = 50
DECISION = {"decision_author_person_id": 1, "clinical_lead_id": 2, "contract_manager_id": 3,
            "participant_ids": [4, 5, 6], "conflicted_ids": [6, 7]}


@pytest.mark.parametrize(("signer", "role", "message"), [
    (GOV, "governance", None),
    (GOV, "secretary", "Only a governance lead can sign off"),
    (GOV, "member", "Only a governance lead can sign off"),
    (GOV, "admin", "Only a governance lead can sign off"),
    (None, "governance", "Your account is not linked to a person in the register, so your own "
                         "conflicts cannot be checked: ask an administrator to link it before "
                         "signing off"),
    (7, "governance", "You are conflicted on this decision, so you cannot sign it off"),
    (6, "governance", "You are conflicted on this decision, so you cannot sign it off"),
    (1, "governance", "You wrote this decision, so you cannot sign it off"),
    (2, "governance", "You are this decision's clinical lead, so you cannot sign it off"),
    (3, "governance", "You are this decision's contract manager, so you cannot sign it off"),
    (4, "governance", "You cannot sign off a decision you took part in"),
])
def test_sign_off_problem(signer, role, message):
    assert sign_off_problem(signer, role, **DECISION) == message


def test_sign_off_with_no_author_or_leads_recorded():
    assert sign_off_problem(GOV, "governance", None, None, None, [], []) is None
