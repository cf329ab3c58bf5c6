"""Who may review a decision's conflicts: a governance lead who took no part, else the committee's
independent reviewer, else nobody (and what to do about it).

A governance lead reviews (rules on each conflicted person, escalates, returns, signs off) only if
they are not conflicted on the decision and took no part in making it: they did not write it, are
not its clinical lead or contract manager, and are not among the people taking part. When every
governance lead is ruled out that way, the review goes to the independent reviewer the committee
names for this (for example the audit chair, or the governance lead of the partner organisation),
on the same conditions. With nobody left, the decision waits, and the reason says who can fix it:
an administrator naming an independent reviewer on the committee's page.

Which accounts may be named: an active account linked to a person in the register (so their own
conflicts can be checked) whose role is governance lead or board member. A secretary records and
submits decisions and an administrator manages the accounts that would review them, so neither
reviews; an auditor checks the record afterwards and stays outside it. The author of a decision
never reviews it, whichever role they have.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

GOVERNANCE_ROLE = "governance"
# Whom a committee may name as its independent reviewer.
INDEPENDENT_ROLES = frozenset({"governance", "member"})

# How a route is taken: by the governance leads, by the committee's independent reviewer, or by
# nobody yet.
LEADS, INDEPENDENT, NOBODY = "governance_leads", "independent_reviewer", "nobody"


@dataclass(frozen=True)
class Account:
    """An account that might review: its id, display name, role and the person it belongs to."""

    user_id: int
    name: str
    role: str
    person_id: int | None
    active: bool = True


@dataclass(frozen=True)
class Parties:
    """Who made the decision and who is conflicted on it (person ids; the author also by account)."""

    author_user_id: int | None = None
    author_person_id: int | None = None
    clinical_lead_id: int | None = None
    contract_manager_id: int | None = None
    participant_ids: frozenset[int] = frozenset()
    conflicted_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Route:
    """Who must review a decision, with a sentence saying so (and, for nobody, who can fix it)."""

    kind: str
    reviewers: tuple[Account, ...]
    reason: str
    independent: Account | None = None
    why: str = ""  # why no governance lead can review, when none can

    @property
    def names(self) -> str:
        """The reviewers' names, joined for a sentence."""
        return _joined([a.name for a in self.reviewers])


# Why an account may not review, in the second person (to the account) and the third (about it).
_YOU = {
    "unlinked": ("Your account is not linked to a person in the register, so your own conflicts "
                 "cannot be checked: ask an administrator to link it before signing off"),
    "conflicted": "You are conflicted on this decision, so you cannot sign it off",
    "author": "You wrote this decision, so you cannot sign it off",
    "clinical_lead": "You are this decision's clinical lead, so you cannot sign it off",
    "contract_manager": "You are this decision's contract manager, so you cannot sign it off",
    "participant": "You cannot sign off a decision you took part in",
}
_THEY = {
    "unlinked": "is not linked to a person in the register",
    "conflicted": "is conflicted on it",
    "author": "wrote it",
    "clinical_lead": "is its clinical lead",
    "contract_manager": "is its contract manager",
    "participant": "takes part in it",
}
ONLY_GOVERNANCE = "Only a governance lead can sign off"
NOT_ROUTED = ("A governance lead who took no part can review this decision, so it does not go to "
              "the committee's independent reviewer")


def _joined(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _part(account: Account, parties: Parties) -> str | None:
    """The key of why this account may not review the decision, or None if they may."""
    person = account.person_id
    if person is None:
        return "unlinked"
    if person in parties.conflicted_ids:
        return "conflicted"
    if person == parties.author_person_id or (parties.author_user_id is not None
                                              and account.user_id == parties.author_user_id):
        return "author"
    if person == parties.clinical_lead_id:
        return "clinical_lead"
    if person == parties.contract_manager_id:
        return "contract_manager"
    if person in parties.participant_ids:
        return "participant"
    return None


def taking_part_problem(account: Account, parties: Parties) -> str | None:
    """Why this account, whatever its role, may not review the decision (said to them), or None."""
    key = _part(account, parties)
    return _YOU[key] if key else None


def independent_reviewer_problem(role: str, person_id: int | None, active: bool = True
                                 ) -> str | None:
    """Why an account may not be named a committee's independent reviewer, or None if it may."""
    if not active:
        return "This account is switched off: choose an active account"
    if role not in INDEPENDENT_ROLES:
        return ("Choose a governance lead or a board member account: secretaries, administrators "
                "and auditors do not review decisions")
    if person_id is None:
        return ("This account is not linked to a person in the register, so its own conflicts "
                "cannot be checked: link it first")
    return None


def who_may_review(leads: Iterable[Account], independent: Account | None, parties: Parties,
                   committee_name: str = "committee") -> Route:
    """Who must review a decision: the governance leads not ruled out, else the committee's
    independent reviewer, else nobody, with the reason in words."""
    active_leads = [a for a in leads if a.active and a.role == GOVERNANCE_ROLE]
    able = tuple(a for a in active_leads if _part(a, parties) is None)
    if independent is not None and independent_reviewer_problem(
            independent.role, independent.person_id, independent.active):
        independent = None
    if able:
        names = _joined([a.name for a in able])
        words = f"A governance lead reviews it: {names}." if len(able) == 1 else \
            f"A governance lead reviews it: one of {names}."
        return Route(LEADS, able, words, independent)
    if active_leads:
        why = "every governance lead takes part in it or is conflicted" if len(active_leads) > 1 \
            else (f"{active_leads[0].name}, the only governance lead, "
                  f"{_THEY[_part(active_leads[0], parties) or 'participant']}")
    else:
        why = "there is no governance lead account"
    opening = f"No governance lead can review this: {why}"
    if independent is not None:
        key = _part(independent, parties)
        if key is None:
            return Route(INDEPENDENT, (independent,),
                         f"{opening}, so it goes to {independent.name}, the {committee_name}'s "
                         f"independent reviewer.", independent, why)
        return Route(NOBODY, (), f"{opening}, and {independent.name}, the {committee_name}'s "
                     f"independent reviewer, {_THEY[key]} too. An administrator must name "
                     f"another independent reviewer on the committee's page.", independent, why)
    return Route(NOBODY, (), f"{opening}, and the {committee_name} has no independent reviewer. "
                 f"An administrator must name one on the committee's page.", None, why)


def review_problem(route: Route, account: Account, parties: Parties) -> str | None:
    """Why this account may not review (rule on, escalate, return, sign off) the decision, or None.

    A governance lead may unless ruled out; anyone else only as the independent reviewer the
    decision is routed to.
    """
    if account.role == GOVERNANCE_ROLE:
        return taking_part_problem(account, parties)
    if route.independent is not None and account.user_id == route.independent.user_id:
        if route.kind == INDEPENDENT:
            return None
        if route.kind == LEADS:
            return NOT_ROUTED
        return taking_part_problem(account, parties) or NOT_ROUTED
    return ONLY_GOVERNANCE


def acting_role(route: Route, account: Account) -> str:
    """The role in which an account reviews: "governance", or "independent_reviewer" when the
    decision is routed to them as the committee's independent reviewer (for the status machine)."""
    if account.role != GOVERNANCE_ROLE and route.kind == INDEPENDENT and \
            route.independent is not None and account.user_id == route.independent.user_id:
        return INDEPENDENT
    return account.role
