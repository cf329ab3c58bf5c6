"""How each conflicted person's conflict is managed: the five rulings, and what each allows.

The chair or governance lead rules on every conflicted person. `propose_ruling` suggests one from
the kind of conflict so a typical decision clears quickly; the governance lead may change it. The
proposals, weakest to strongest (the strongest across a person's flags applies):

- a common interest (a scheme offered to every member practice): the committee's policy, either
  `no_vote` (discuss but not vote) or `leave_item`. The person's home practice is then paid on the
  same terms as every other member practice, so where that practice is also named as a provider
  (a Direct Award B scheme lists the practices), their home-practice flag and their own interest
  in that practice are the common interest itself, not a further stake: the policy governs them.
  A GP with no home practice on record who is a partner in (holds a direct financial interest
  in) one of the member practices the scheme names as providers has the same common interest;
- a financial interest, direct or held by a close associate, in a provider or in a member of one,
  and a home practice that stands to gain: `leave_item`;
- a non-financial interest, professional or personal, in a provider or a member of one: `no_vote`.
  A personal interest is proposed as `no_vote` rather than `note_only` because it is still a stake
  in who wins the work; where it is remote, the governance lead lowers it to `note_only`;
- a confirmed name match counts as the interest behind it; an unconfirmed one proposes nothing
  until it is confirmed;
- an evaluator with any conflict: `remove_from_process`.

Breaches (a missing or late declaration) do not change the ruling: the conflict beside them does.

The sole-expertise exception lets a conflicted person take part despite their conflict, and needs
both a written reason and the steps taken so no provider gains an unfair advantage
(`exception_problem`). A conflicted member may not hand their vote to anyone (`proxy_vote_problem`).
A possible name match is confirmed (it becomes a conflict) or dismissed with a reason
(`dismissal_problem`). If the chair may not take part, the vice-chair takes the item
(`presiding_member`).
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

RULINGS = {
    "note_only": "Note the interest, no further action",
    "no_vote": "May take part in the discussion but not the vote",
    "leave_item": "Must leave the meeting for the item",
    "exclude_all": "Excluded from the papers and the discussion",
    "remove_from_process": "Removed from the procurement process",
}
# Strength, weakest first: the order of RULINGS.
_STRENGTH = {ruling: index for index, ruling in enumerate(RULINGS)}

MATCH_OUTCOMES = {
    "confirm": "Confirm: it is the same organisation, so this is a conflict",
    "dismiss": "Dismiss: it is a different organisation",
}

_INTEREST_RULES = ("DIRECT_INTEREST", "INDIRECT_INTEREST", "INTEREST_IN_MEMBER_OF_PROVIDER",
                   "POSSIBLE_NAME_MATCH")


def may_vote(ruling: str | None) -> bool:
    """Whether a person under this ruling (None: not conflicted) may vote on the item."""
    return _strength(ruling) <= _STRENGTH["note_only"]


def may_be_present(ruling: str | None) -> bool:
    """Whether a person under this ruling may be in the room for the item."""
    return _strength(ruling) <= _STRENGTH["no_vote"]


def may_see_papers(ruling: str | None) -> bool:
    """Whether a person under this ruling may open the decision's details and papers."""
    return _strength(ruling) <= _STRENGTH["leave_item"]


def _strength(ruling: str | None) -> int:
    if ruling is None:
        return -1
    if ruling not in _STRENGTH:
        raise ValueError(f"'{ruling}' is not a ruling")
    return _STRENGTH[ruling]


def strongest(rulings: Iterable[str]) -> str | None:
    """The strongest of some rulings, or None when there are none."""
    found = [r for r in rulings if r is not None]
    return max(found, key=_strength) if found else None


def _interest_kind(flag: Any, interests: Mapping[int, Any] | None) -> tuple[str | None, bool]:
    """(interest type, held by a close associate) of the interest behind a flag, if known."""
    interest = None
    interest_id = (flag.evidence or {}).get("interest_id")
    if interests is not None and interest_id is not None:
        interest = interests.get(interest_id)
    indirect = flag.rule == "INDIRECT_INTEREST"
    if interest is None:
        return None, indirect
    return interest.interest_type, bool(interest.is_indirect) or indirect


_COMMON_STAKE_RULES = ("HOME_PRACTICE_PROVIDER", "DIRECT_INTEREST", "INDIRECT_INTEREST",
                       "POSSIBLE_NAME_MATCH")


def _is_the_common_stake(flag: Any, common_practice_ids: set[int]) -> bool:
    """Whether a flag is the person's stake in their own practice as a provider of a scheme
    offered to every member practice: the common interest seen from the provider's side."""
    evidence = flag.evidence or {}
    return (flag.rule in _COMMON_STAKE_RULES and flag.organisation_id in common_practice_ids
            and evidence.get("provider_id") == flag.organisation_id)


def _common_policy(policy: str) -> tuple[str, str]:
    """The committee's policy for an interest common to all its GP members, as a proposal."""
    if policy == "leave":
        return "leave_item", ("A common interest: the committee's policy is that they leave "
                              "the meeting for the item")
    return "no_vote", ("A common interest: the committee's policy is that they may take part "
                       "in the discussion but not vote")


def _proposal_for_flag(flag: Any, policy: str,
                       interests: Mapping[int, Any] | None) -> tuple[str, str] | None:
    if flag.rule == "COMMON_INTEREST":
        return _common_policy(policy)
    if flag.rule == "HOME_PRACTICE_PROVIDER":
        return "leave_item", ("Their home practice stands to gain, a direct financial interest: "
                              "they leave the meeting for the item")
    if flag.rule == "POSSIBLE_UNDECLARED_INTEREST":
        if flag.severity == "possible":
            return None  # not a conflict until a governance lead confirms it
        return "leave_item", ("Confirmed as a person with significant control of a provider "
                              "(Companies House), an undeclared direct financial interest: they "
                              "leave the meeting for the item")
    if flag.rule not in _INTEREST_RULES:
        return None
    if flag.rule == "POSSIBLE_NAME_MATCH" and flag.severity == "possible":
        return None  # not a conflict until a governance lead confirms it
    kind, indirect = _interest_kind(flag, interests)
    held = "held by a close associate" if indirect else "direct"
    where = "a member of a provider" if flag.rule == "INTEREST_IN_MEMBER_OF_PROVIDER" else \
        "a provider"
    if kind == "non_financial_professional":
        return "no_vote", (f"A non-financial professional interest ({held}) in {where}: they may "
                           f"take part in the discussion but not vote")
    if kind == "non_financial_personal":
        return "no_vote", (f"A non-financial personal interest ({held}) in {where}: they may take "
                           f"part in the discussion but not vote")
    if kind is None:
        return "leave_item", (f"An interest ({held}) in {where} whose kind is not recorded, so "
                              f"treated as financial: they leave the meeting for the item")
    return "leave_item", (f"A{'n indirect' if indirect else ' direct'} financial interest in "
                          f"{where}: they leave the meeting for the item")


def _partner_without_home_practice(flags: list[Any], scheme_practice_ids: Collection[int],
                                   interests: Mapping[int, Any] | None) -> set[int]:
    """The scheme's member practices in which a person with no home practice on record holds a
    direct financial interest (a partnership, say): their common interest, as a home practice
    would be. Empty for anyone whose home practice already gives them the common interest."""
    if not scheme_practice_ids or any(f.rule == "COMMON_INTEREST" for f in flags):
        return set()
    found = set()
    for flag in flags:
        if flag.rule != "DIRECT_INTEREST" or flag.organisation_id not in scheme_practice_ids:
            continue
        if (flag.evidence or {}).get("provider_id") != flag.organisation_id:
            continue  # through a network or federation: a further stake, not the common one
        kind, indirect = _interest_kind(flag, interests)
        if kind == "financial" and not indirect:
            found.add(flag.organisation_id)
    return found


def propose_ruling(flags_for_person: Iterable[Any], common_interest_policy: str,
                   role_in_decision: str, *,
                   interests: Mapping[int, Any] | None = None,
                   scheme_practice_ids: Collection[int] = ()) -> tuple[str, str]:
    """The ruling to propose for one person from their flags, with the reason in a sentence.

    `interests` maps interest ids (the flags' evidence) to the interests, so the kind of interest
    (financial or not, direct or indirect) can be read; without it an interest counts as financial.
    A common interest proposes the committee's policy, and the person's stake in their own
    practice as one of the scheme's providers counts as that common interest.
    `scheme_practice_ids` are the member practices named as providers of a scheme offered to
    every member practice (`scheme_practices`): a GP with no home practice on record who holds a
    direct financial interest in one of them (a partner there) has the common interest too.
    """
    flags_for_person = list(flags_for_person)
    # Without this, a scheme that names each member practice as a provider proposed "leave the
    # meeting" for every GP (their practice's own flags outranked the common interest), and the
    # committee's policy for common interests was never what the review proposed.
    common_practice_ids = {f.organisation_id for f in flags_for_person
                           if f.rule == "COMMON_INTEREST" and f.organisation_id is not None}
    partner_in = _partner_without_home_practice(flags_for_person, scheme_practice_ids, interests)
    common_practice_ids |= partner_in
    proposals = [p for p in (_proposal_for_flag(f, common_interest_policy, interests)
                             for f in flags_for_person
                             if not _is_the_common_stake(f, common_practice_ids)) if p]
    if partner_in:
        proposals.insert(0, _common_policy(common_interest_policy))
    if not proposals:
        return "note_only", "No conflict to manage: the interest is noted"
    if role_in_decision == "evaluator":
        return "remove_from_process", ("An evaluator with a conflict: they are removed from the "
                                       "procurement process")
    best = proposals[0]
    for proposal in proposals[1:]:
        if _strength(proposal[0]) > _strength(best[0]):
            best = proposal
    return best


def scheme_practices(offered_to_all_member_practices: bool,
                     member_practice_provider_ids: Iterable[int | None]) -> set[int]:
    """The member practices a scheme offered to every member practice names as its providers
    (none for any other decision), for `propose_ruling`."""
    if not offered_to_all_member_practices:
        return set()
    return {pid for pid in member_practice_provider_ids if pid is not None}


def ruling_problem(ruling: str | None, name: str = "this person") -> str | None:
    """Why a ruling cannot be recorded, or None."""
    if not ruling:
        return f"Select a ruling for {name}"
    if ruling not in RULINGS:
        return f"Select one of the rulings for {name}"
    return None


def _blank(text: str | None) -> bool:
    return not (text or "").strip()


# The exception lets a conflicted person take part: it goes only with a ruling that keeps
# them in the room.
EXCEPTION_RULINGS = ("note_only", "no_vote")


def exception_problem(reason: str | None, mitigation: str | None, ruling: str | None = None,
                      name: str = "this person") -> str | None:
    """Why a sole-expertise exception cannot be recorded: it needs a reason and the mitigation,
    and a ruling that lets the person take part (it cannot go with leaving the meeting)."""
    if ruling in RULINGS and ruling not in EXCEPTION_RULINGS:
        return (f"The sole-expertise exception lets {name} take part, so it cannot go with "
                f"‘{RULINGS[ruling].lower()}’: choose ‘may take part in the "
                f"discussion but not the vote’, or untick the exception")
    if _blank(reason):
        return f"Enter why {name} is the only one with the expertise needed"
    if _blank(mitigation):
        return "Enter the steps taken so that no provider gains an unfair advantage"
    return None


def dismissal_problem(reason: str | None) -> str | None:
    """Why a possible name match cannot be dismissed: a dismissal needs a written reason."""
    if _blank(reason):
        return "Enter why this is not the same organisation"
    return None


def match_problem(outcome: str | None, reason: str | None) -> str | None:
    """Why a possible name match cannot be settled this way, or None."""
    if outcome not in MATCH_OUTCOMES:
        return "Select whether this is the same organisation"
    if outcome == "dismiss":
        return dismissal_problem(reason)
    return None


def _name(person_id: int, names: Mapping[int, str] | None) -> str:
    return (names or {}).get(person_id, "This member")


def vote_problem(voter_id: int, rulings: Mapping[int, str],
                 names: Mapping[int, str] | None = None) -> str | None:
    """Why a vote from this person is refused (they were ruled out of the vote), or None."""
    ruling = rulings.get(voter_id)
    if not may_vote(ruling):
        return (f"{_name(voter_id, names)} was ruled out of the vote "
                f"({RULINGS[ruling].lower()}), so their vote cannot be recorded")
    return None


def proxy_vote_problem(voter_id: int, proxy_for_id: int | None, rulings: Mapping[int, str],
                       names: Mapping[int, str] | None = None) -> str | None:
    """Why a vote cast on behalf of someone else is refused, or None (None too for no proxy)."""
    if proxy_for_id is None:
        return None
    if proxy_for_id == voter_id:
        return "A member cannot cast a proxy vote for themselves"
    if proxy_for_id in rulings:
        return (f"{_name(proxy_for_id, names)} is conflicted on this decision, and a conflicted "
                f"member may not hand their vote to anyone")
    if not may_vote(rulings.get(voter_id)):
        return (f"{_name(voter_id, names)} was ruled out of the vote, so cannot cast a vote for "
                f"anyone")
    return None


def attendance_breach(person_id: int, rulings: Mapping[int, str],
                      names: Mapping[int, str] | None = None) -> str | None:
    """The breach to record when someone ruled out of the room is recorded as present, or None."""
    ruling = rulings.get(person_id)
    if may_be_present(ruling):
        return None
    return (f"{_name(person_id, names)} was recorded as present for the vote but was ruled out of "
            f"the room ({RULINGS[ruling].lower()}): a breach")


def presiding_member(chair_id: int | None, vice_chair_id: int | None,
                     rulings: Mapping[int, str]) -> tuple[int | None, str]:
    """Who takes the item: the chair, or the vice-chair when the chair is conflicted, with why."""
    def free(person_id: int | None) -> bool:
        return person_id is not None and may_vote(rulings.get(person_id))

    if free(chair_id):
        return chair_id, "The chair takes the item"
    chair_words = ("The chair is conflicted" if chair_id is not None
                   else "The committee has no chair")
    if free(vice_chair_id):
        return vice_chair_id, f"{chair_words}, so the vice-chair takes the item"
    vice_words = ("there is no vice-chair" if vice_chair_id is None
                  else "the vice-chair is conflicted too")
    return None, (f"{chair_words} and {vice_words}: the committee must choose a member who is "
                  f"not conflicted to take the item")
