"""The life of a decision: its statuses, the actions that move it on, and who may take them.

A decision is written as a draft and submitted by the board secretary. Submitting is momentary:
a decision with conflicts flagged goes straight to *awaiting conflicts review*, one without goes to
*ready for decision*. A governance lead then rules on each conflicted person and either

- signs the conflicts off (*conflicts signed off*), when the meeting stays quorate;
- escalates it (*escalated*), when the rulings would leave the meeting inquorate; sign-off then
  waits until an escalation is chosen and recorded. Deferring, referring or co-opting members lead
  to *conflicts signed off*; chair and accountable officer action leads to *awaiting ratification*,
  where it stays until a governance lead records its ratification at a quorate meeting (it then
  becomes *conflicts signed off*, and the secretary records that meeting's outcome);
- or returns it for more information (*returned*); the secretary corrects it and submits it again.

The secretary records the outcome (*decided*) and publishes it (*published*). A flagged decision
cannot be decided until its conflicts are signed off, and a decision's flags are checked again
every time: one that became flagged after it was submitted is refused too.

The secretary or an administrator may withdraw a decision at any point before it is decided (a
withdrawn decision keeps its reference, which is never reused). Nobody may withdraw a decision
taken by chair and accountable officer action: that decision has been taken and must be ratified.

A material change after sign-off (providers, participants, value, an interest that changes the
flags) voids the sign-off: the system, not a person, moves the decision back to awaiting conflicts
review (the `void_sign_off`, `flags_raised` and `flags_cleared` moves below;
`status_after_material_change` summarises where they lead).

Roles and actions (the "system" role stands for the application itself):

| action          | roles                              | from                                  |
| ---             | ---                                | ---                                   |
| submit          | secretary                          | draft, returned                       |
| return          | governance, independent_reviewer   | awaiting_review, escalated            |
| escalate        | governance, independent_reviewer   | awaiting_review                       |
| sign_off        | governance, independent_reviewer   | awaiting_review, escalated            |
| ratify          | governance, independent_reviewer   | awaiting_ratification                 |
| record_outcome  | secretary                          | ready_for_decision, signed_off        |
| publish         | secretary                          | decided                               |
| withdraw        | secretary, admin                   | draft, returned, awaiting_review,     |
|                 |                                    | escalated, ready_for_decision,        |
|                 |                                    | signed_off                            |
| void_sign_off   | system                             | signed_off, awaiting_ratification     |
| flags_raised    | system                             | ready_for_decision                    |
| flags_cleared   | system                             | awaiting_review, escalated            |

independent_reviewer: the committee's independent reviewer, on a decision no governance lead can
review (rules/reviewers.py says who reviews each decision).

The three system moves are made by the register itself, in the write that changed a decision's
facts (`register/decisions/lifecycle.py`): a void sign-off goes back to awaiting conflicts review
(or to ready for decision when nothing is flagged any more), a decision that became flagged joins
the queue, and one whose flags went away leaves it.
"""
from __future__ import annotations

from collections.abc import Iterable

from register.rules import reviewers
from register.rules.quorum import ESCALATIONS

SECRETARY, GOVERNANCE, ADMIN, SYSTEM = "secretary", "governance", "admin", "system"
# The committee's independent reviewer, reviewing a decision no governance lead can review (see
# rules/reviewers.py): they take the governance lead's actions on that decision alone.
INDEPENDENT = reviewers.INDEPENDENT
REVIEWER_ROLE_LABELS = {INDEPENDENT: "Independent reviewer"}

STATUS_LABELS = {
    "draft": "Draft",
    "awaiting_review": "Awaiting governance review",
    "ready_for_decision": "Ready for decision",
    "signed_off": "Conflicts signed off",
    "decided": "Decided",
    "published": "Published",
    "returned": "Returned for more information",
    "escalated": "Escalated: meeting inquorate",
    "awaiting_ratification": "Awaiting ratification",
    "withdrawn": "Withdrawn",
}

# NHS.UK tag colours (nhsuk-tag--<colour>); "white" is the plain tag.
STATUS_COLOURS = {
    "draft": "white",
    "awaiting_review": "yellow",
    "ready_for_decision": "blue",
    "signed_off": "aqua-green",
    "decided": "green",
    "published": "purple",
    "returned": "orange",
    "escalated": "red",
    "awaiting_ratification": "pink",
    "withdrawn": "grey",
}

# How a sentence describes a decision in each status: "This decision <phrase>".
_STATUS_PHRASES = {
    "draft": "is still a draft",
    "awaiting_review": "is awaiting conflicts review",
    "ready_for_decision": "is ready for decision",
    "signed_off": "already has its conflicts signed off",
    "decided": "is already decided",
    "published": "is already published",
    "returned": "has been returned for more information",
    "escalated": "is escalated because the meeting would be inquorate",
    "awaiting_ratification": "is awaiting ratification",
    "withdrawn": "has been withdrawn",
}

ACTION_LABELS = {
    "submit": "Submit",
    "return": "Return for more information",
    "escalate": "Escalate: the meeting would be inquorate",
    "sign_off": "Sign off the conflicts",
    "ratify": "Record ratification at a quorate meeting",
    "record_outcome": "Record the outcome",
    "publish": "Publish",
    "withdraw": "Withdraw",
    "void_sign_off": "Void the sign-off",
    "flags_raised": "Send to the governance queue: conflicts were flagged",
    "flags_cleared": "Take out of the governance queue: no conflicts are flagged",
}

# "This decision ... so it cannot <phrase>".
_ACTION_PHRASES = {
    "submit": "be submitted",
    "return": "be returned",
    "escalate": "be escalated",
    "sign_off": "be signed off",
    "ratify": "be ratified",
    "record_outcome": "be decided",
    "publish": "be published",
    "withdraw": "be withdrawn",
    "void_sign_off": "have its sign-off voided",
    "flags_raised": "join the governance queue",
    "flags_cleared": "leave the governance queue",
}

ACTION_ROLES: dict[str, frozenset[str]] = {
    "submit": frozenset({SECRETARY}),
    "return": frozenset({GOVERNANCE, INDEPENDENT}),
    "escalate": frozenset({GOVERNANCE, INDEPENDENT}),
    "sign_off": frozenset({GOVERNANCE, INDEPENDENT}),
    "ratify": frozenset({GOVERNANCE, INDEPENDENT}),
    "record_outcome": frozenset({SECRETARY}),
    "publish": frozenset({SECRETARY}),
    "withdraw": frozenset({SECRETARY, ADMIN}),
    "void_sign_off": frozenset({SYSTEM}),
    "flags_raised": frozenset({SYSTEM}),
    "flags_cleared": frozenset({SYSTEM}),
}

_ROLE_MESSAGES = {
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

# (from, action) -> to. Two targets depend on the facts, not the action alone:
# submitting an unflagged decision (UNFLAGGED_TARGETS) and signing off a chair action
# (CHAIR_ACTION_TARGETS).
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "submit"): "awaiting_review",
    ("returned", "submit"): "awaiting_review",
    ("awaiting_review", "return"): "returned",
    ("escalated", "return"): "returned",
    ("awaiting_review", "escalate"): "escalated",
    ("awaiting_review", "sign_off"): "signed_off",
    ("escalated", "sign_off"): "signed_off",
    ("awaiting_ratification", "ratify"): "signed_off",
    ("ready_for_decision", "record_outcome"): "decided",
    ("signed_off", "record_outcome"): "decided",
    ("decided", "publish"): "published",
    ("draft", "withdraw"): "withdrawn",
    ("returned", "withdraw"): "withdrawn",
    ("awaiting_review", "withdraw"): "withdrawn",
    ("escalated", "withdraw"): "withdrawn",
    ("ready_for_decision", "withdraw"): "withdrawn",
    ("signed_off", "withdraw"): "withdrawn",
    ("signed_off", "void_sign_off"): "awaiting_review",
    ("awaiting_ratification", "void_sign_off"): "awaiting_review",
    ("ready_for_decision", "flags_raised"): "awaiting_review",
    ("awaiting_review", "flags_cleared"): "ready_for_decision",
    ("escalated", "flags_cleared"): "ready_for_decision",
}
UNFLAGGED_TARGETS: dict[tuple[str, str], str] = {
    ("draft", "submit"): "ready_for_decision",
    ("returned", "submit"): "ready_for_decision",
    ("signed_off", "void_sign_off"): "ready_for_decision",
    ("awaiting_ratification", "void_sign_off"): "ready_for_decision",
}
CHAIR_ACTION_TARGETS: dict[tuple[str, str], str] = {
    ("escalated", "sign_off"): "awaiting_ratification",
}

NOT_SIGNED_OFF = "A flagged decision cannot be decided until its conflicts are signed off"


class TransitionRefused(Exception):
    """An action that may not be taken now, or not by this role; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _guard(current: str, action: str, *, flagged: bool, signed_off: bool, quorate: bool,
           escalation: str | None) -> str | None:
    """Why a defined transition may still not happen on these facts, or None."""
    if action == "record_outcome" and flagged and not (current == "signed_off" and signed_off):
        return NOT_SIGNED_OFF
    if action == "sign_off":
        if not flagged:
            return "This decision has no conflicts flagged, so there is nothing to sign off"
        if current == "awaiting_review" and not quorate:
            return ("The meeting would be inquorate after the rulings: escalate the decision and "
                    "record how it will be taken before signing off")
        if current == "escalated" and escalation not in ESCALATIONS:
            return ("Choose and record how the decision will be taken (defer, refer, co-opt "
                    "members, or chair and accountable officer action) before signing off")
    if action == "flags_raised" and not flagged:
        return "No conflicts are flagged, so the decision does not join the governance queue"
    if action == "flags_cleared" and flagged:
        return "Conflicts are still flagged, so the decision stays in the governance queue"
    if action == "escalate" and quorate:
        return "The meeting is quorate after the rulings, so there is nothing to escalate"
    return None


def _state_message(current: str, action: str) -> str:
    if action == "record_outcome" and current in ("awaiting_review", "escalated"):
        return NOT_SIGNED_OFF
    if action == "publish" and current not in ("decided", "published", "withdrawn"):
        return "Only a decided decision can be published: record the outcome first"
    if action == "withdraw" and current == "awaiting_ratification":
        return ("This decision was taken by chair and accountable officer action, so it cannot "
                "be withdrawn: it must be ratified at a quorate meeting")
    return (f"This decision {_STATUS_PHRASES[current]}, so it cannot "
            f"{_ACTION_PHRASES[action]}")


def next_status(current: str, action: str, role: str, *, flagged: bool, signed_off: bool,
                quorate: bool = True, escalation: str | None = None) -> str:
    """The status a decision moves to when `role` takes `action`, or TransitionRefused saying why."""
    if current not in STATUS_LABELS:
        raise TransitionRefused(f"'{current}' is not a decision status")
    if action not in ACTION_ROLES:
        raise TransitionRefused(f"'{action}' is not something that can be done to a decision")
    if role not in ACTION_ROLES[action]:
        raise TransitionRefused(_ROLE_MESSAGES[action])
    key = (current, action)
    if key not in TRANSITIONS:
        raise TransitionRefused(_state_message(current, action))
    problem = _guard(current, action, flagged=flagged, signed_off=signed_off, quorate=quorate,
                     escalation=escalation)
    if problem:
        raise TransitionRefused(problem)
    if not flagged and key in UNFLAGGED_TARGETS:
        return UNFLAGGED_TARGETS[key]
    if escalation == "chair_action" and key in CHAIR_ACTION_TARGETS:
        return CHAIR_ACTION_TARGETS[key]
    return TRANSITIONS[key]


def available_actions(status: str, role: str, flagged: bool, signed_off: bool, *,
                      quorate: bool = True, escalation: str | None = None) -> list[str]:
    """The actions `role` may take on a decision in `status` now, in the order of ACTION_LABELS."""
    allowed = []
    for action in ACTION_LABELS:
        try:
            next_status(status, action, role, flagged=flagged, signed_off=signed_off,
                        quorate=quorate, escalation=escalation)
        except TransitionRefused:
            continue
        allowed.append(action)
    return allowed


def status_after_material_change(status: str, *, flagged: bool = True) -> str:
    """Where a decision goes when something its flags or sign-off depend on changes.

    A sign-off (including one behind a chair action awaiting ratification) is void, so the decision
    goes back to awaiting conflicts review; a decision that became flagged while ready for decision
    joins the queue too; one that is no longer flagged leaves the queue. Drafts, returned,
    decided, published and withdrawn decisions keep their status (a decided decision is not
    edited: changing it is a new decision).
    """
    if status in ("signed_off", "awaiting_ratification", "awaiting_review", "escalated",
                  "ready_for_decision"):
        return "awaiting_review" if flagged else "ready_for_decision"
    return status


def sign_off_voided(status: str) -> bool:
    """Whether a material change to a decision in this status voids a sign-off on record."""
    return status in ("signed_off", "awaiting_ratification")


def sign_off_problem(signer_person_id: int | None, signer_role: str,
                     decision_author_person_id: int | None, clinical_lead_id: int | None,
                     contract_manager_id: int | None, participant_ids: Iterable[int],
                     conflicted_ids: Iterable[int]) -> str | None:
    """Why this person may not sign off this decision's conflicts, or None if they may.

    The governance lead's case of `reviewers.review_problem`, which also routes a decision no
    lead can review to the committee's independent reviewer.
    """
    if signer_role != GOVERNANCE:
        return reviewers.ONLY_GOVERNANCE
    parties = reviewers.Parties(
        author_person_id=decision_author_person_id, clinical_lead_id=clinical_lead_id,
        contract_manager_id=contract_manager_id, participant_ids=frozenset(participant_ids),
        conflicted_ids=frozenset(conflicted_ids))
    return reviewers.taking_part_problem(
        reviewers.Account(0, "", signer_role, signer_person_id), parties)
