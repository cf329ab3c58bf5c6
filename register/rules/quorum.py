"""Quorum rules: parsing a committee's rule as written in its terms of reference, counting a
meeting against it after the rulings on conflicted members, and what to do when it falls short."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from register.rules.rulings import RULINGS, may_vote

CATEGORIES = ("gp", "lay", "executive", "other")
# More members than any committee has: a larger quorum is a typing mistake (and a number of 24
# digits would overflow the database).
MOST_MEMBERS = 100
CATEGORY_WORDS = {
    "gp": "gp", "gps": "gp", "clinical": "gp", "clinician": "gp", "clinicians": "gp",
    "lay": "lay", "lay member": "lay", "lay members": "lay",
    "executive": "executive", "executives": "executive", "exec": "executive",
    "other": "other", "others": "other",
}
CATEGORY_LABELS = {"gp": "GP", "lay": "lay", "executive": "executive", "other": "other"}


class QuorumRuleError(ValueError):
    """A quorum rule that cannot be read; the message says why in plain words."""


@dataclass(frozen=True)
class QuorumRule:
    """At least min_voting voting members, including at least so many of each category."""

    min_voting: int
    min_per_category: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        """The rule in words, e.g. 'at least 5 voting members, including 1 lay and 1 executive'."""
        text = f"at least {self.min_voting} voting member{'s' if self.min_voting != 1 else ''}"
        # "1 lay", "2 lay"; "1 GP", "2 GPs"; "2 executives".
        parts = [f"{n} {CATEGORY_LABELS[c]}{'s' if n != 1 and c in ('gp', 'executive') else ''}"
                 for c, n in self.min_per_category.items() if n]
        if parts:
            text += ", including " + (", ".join(parts[:-1]) + " and " + parts[-1]
                                      if len(parts) > 1 else parts[0])
        return text


_PART = re.compile(r"^\s*(\d+)\s+([a-z ]+?)\s*(?:members?)?\s*$")


def _count(digits: str, what: str, unit: str = "members") -> int:
    """A count of members read from digits, refused beyond MOST_MEMBERS before converting."""
    number = digits.lstrip("0") or "0"
    if len(number) > len(str(MOST_MEMBERS)) or int(number) > MOST_MEMBERS:
        raise QuorumRuleError(f"{what} must be {MOST_MEMBERS} {unit} or fewer, not {digits}"
                              if len(digits) <= 12 else
                              f"{what} must be {MOST_MEMBERS} {unit} or fewer")
    return int(number)


def parse_quorum_rule(text: str) -> QuorumRule:
    """Read '5' or '5 including 1 lay, 1 executive' (also '5; lay 1; executive 1')."""
    cleaned = (text or "").strip().lower()
    if not cleaned:
        raise QuorumRuleError("Enter the quorum, for example '5 including 1 lay, 1 executive'")
    head, _, rest = cleaned.partition("including")
    if not rest and ";" in cleaned:
        head, _, rest = cleaned.partition(";")
    head = head.replace("voting", "").replace("members", "").replace("member", "").strip(" ,;")
    if not head.isascii() or not head.isdecimal():
        raise QuorumRuleError(f"The quorum must start with a whole number of voting members, "
                              f"not '{head or text.strip()}'")
    minimum = _count(head, "The quorum", "voting members")
    if minimum < 1:
        raise QuorumRuleError("The quorum must be at least 1 voting member")
    per_category: dict[str, int] = {}
    for raw in re.split(r"[;,]|\band\b", rest):
        if not raw.strip():
            continue
        words = raw.strip()
        match = _PART.match(words)
        if match:
            count, word = _count(match.group(1), "A member category's count"), match.group(2).strip()
        else:
            swapped = re.match(r"^\s*([a-z ]+?)\s+(\d+)\s*$", words)
            if not swapped:
                raise QuorumRuleError(f"Cannot read '{words}' in the quorum: write it like '1 lay'")
            word = swapped.group(1).strip()
            count = _count(swapped.group(2), "A member category's count")
        category = CATEGORY_WORDS.get(word)
        if category is None:
            raise QuorumRuleError(
                f"'{word}' is not a member category: use GP, lay, executive or other")
        per_category[category] = per_category.get(category, 0) + count
    if sum(per_category.values()) > minimum:
        raise QuorumRuleError("The members required by category add up to more than the quorum")
    return QuorumRule(minimum, {c: per_category[c] for c in CATEGORIES if c in per_category})


# --- Counting a meeting ---------------------------------------------------------------------------
#
# Quorum is counted on the voting members present who may still vote once each conflicted person
# has a ruling (see rulings.py): anyone ruled out of the vote does not count, whatever the reason.

_NOUNS = {
    "gp": ("GP", "GPs"),
    "lay": ("lay member", "lay members"),
    "executive": ("executive", "executives"),
    "other": ("other member", "other members"),
}


# How a ruled-out member is counted out, singular and plural: "2 GPs may not vote".
_RULED_OUT = {
    "no_vote": ("may not vote", "may not vote"),
    "leave_item": ("leaves the meeting for the item", "leave the meeting for the item"),
    "exclude_all": ("is excluded from the item", "are excluded from the item"),
    "remove_from_process": ("is removed from the process", "are removed from the process"),
}


def _noun(category: str, count: int) -> str:
    singular, plural = _NOUNS[category]
    return singular if count == 1 else plural


def _members(count: int) -> str:
    return f"{count} voting member{'' if count == 1 else 's'}"


def _remain(count: int) -> str:
    return "remains" if count == 1 else "remain"


@dataclass(frozen=True)
class QuorumResult:
    """Whether a meeting is quorate after the rulings, with the arithmetic a board can follow."""

    quorate: bool
    remaining: int
    remaining_by_category: dict[str, int]
    remaining_ids: tuple[int, ...]
    arithmetic: list[str]
    shortfall: list[str]

    @property
    def summary(self) -> str:
        """One line: 'Quorate' or 'Inquorate: <the first shortfall>'."""
        return "Quorate" if self.quorate else f"Inquorate: {self.shortfall[0]}"


def count_quorum(rule: QuorumRule, voting_members: list[tuple[int, str]],
                 rulings: dict[int, str], present: set[int] | None = None, *,
                 reasons: dict[int, str] | None = None) -> QuorumResult:
    """Count a meeting against its rule, on the voting members present who may still vote.

    `voting_members` are (person id, category) pairs; `rulings` maps conflicted people to their
    ruling; `present`, when given, limits the count to those in the room (otherwise every voting
    member listed is taken to be present); `reasons` gives each ruled-out person's reason in a few
    words ("common interest"), shown in brackets after what their ruling means for the count.
    """
    seen: set[int] = set()
    members: list[tuple[int, str]] = []
    for person_id, category in voting_members:
        if category not in CATEGORIES:
            raise ValueError(f"'{category}' is not a member category")
        if person_id not in seen:
            seen.add(person_id)
            members.append((person_id, category))

    lines: list[str] = []
    if present is not None:
        absent = [m for m in members if m[0] not in present]
        members = [m for m in members if m[0] in present]
        if absent:
            lines.append(f"{_members(len(absent))} absent")
    lines.append(f"{_members(len(members))} present")

    # Ruled-out members, grouped by category, ruling and reason, in category order.
    ruled_out: dict[tuple[str, str, str], int] = {}
    remaining: list[tuple[int, str]] = []
    for person_id, category in members:
        ruling = rulings.get(person_id)
        if may_vote(ruling):
            remaining.append((person_id, category))
            continue
        reason = (reasons or {}).get(person_id) or ""
        key = (category, ruling, reason)
        ruled_out[key] = ruled_out.get(key, 0) + 1
    for category in CATEGORIES:
        for (group, ruling, reason), count in ruled_out.items():
            if group == category:
                verb = _RULED_OUT[ruling][0 if count == 1 else 1]
                lines.append(f"{count} {_noun(category, count)} {verb}"
                             + (f" ({reason})" if reason else ""))

    by_category = {c: sum(1 for _, cat in remaining if cat == c) for c in CATEGORIES}
    total = len(remaining)
    lines.append(f"{_members(total)} {_remain(total)}; the rule needs at least {rule.min_voting}")
    shortfall: list[str] = []
    if total < rule.min_voting:
        need = rule.min_voting - total
        shortfall.append(f"{need} more voting member{' is' if need == 1 else 's are'} needed "
                         f"({total} {_remain(total)}; the rule needs at least {rule.min_voting})")
    for category, minimum in rule.min_per_category.items():
        if not minimum:
            continue
        have = by_category[category]
        lines.append(f"{have} {_noun(category, have)} {_remain(have)}; "
                     f"the rule needs at least {minimum}")
        if have < minimum:
            need = minimum - have
            shortfall.append(f"{need} more {_noun(category, need)} "
                             f"{'is' if need == 1 else 'are'} needed ({'none' if have == 0 else have} "
                             f"{_remain(have)}; the rule needs at least {minimum})")
    return QuorumResult(not shortfall, total, by_category,
                        tuple(person_id for person_id, _ in remaining), lines, shortfall)


# --- When a meeting would be inquorate ------------------------------------------------------------

ESCALATIONS = {
    "defer": "Defer the decision to a later meeting",
    "refer": "Refer it to another committee or the partner organisation",
    "co_opt": "Co-opt members who are not conflicted",
    "chair_action": "Chair and accountable officer action, ratified later at a quorate meeting",
}


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def escalation_problem(kind: str | None, details: dict, *, meeting_date: date | None = None,
                       rule: QuorumRule | None = None,
                       voting_members: list[tuple[int, str]] | None = None,
                       rulings: dict[int, str] | None = None, present: set[int] | None = None,
                       conflicted_ids: set[int] | frozenset[int] = frozenset(),
                       names: dict[int, str] | None = None,
                       committee_name: str = "") -> str | None:
    """Why an escalation cannot be recorded as given, or None if it can.

    details by kind: defer {"new_meeting_date": date}; refer {"referred_to": name};
    co_opt {"co_opted": [(person id, category), ...]} (checked against the rule, the voting
    members and the rulings: the co-opted members must make the meeting quorate);
    chair_action {"chair_name", "accountable_officer_name"}, optionally with "chair_id" and
    "accountable_officer_id" to check neither is conflicted.
    """
    names = names or {}
    rulings = rulings or {}
    conflicted = set(conflicted_ids) | set(rulings)
    if kind not in ESCALATIONS:
        return "Select how the decision will be taken now that the meeting would be inquorate"
    if kind == "defer":
        new_date = details.get("new_meeting_date")
        if not isinstance(new_date, date):
            return "Enter the date of the meeting the decision is deferred to"
        if meeting_date is not None and new_date <= meeting_date:
            return (f"The new meeting date must be after the original meeting on "
                    f"{_long_date(meeting_date)}")
        return None
    if kind == "refer":
        referred_to = " ".join((details.get("referred_to") or "").split())
        if not referred_to:
            return "Enter the committee or partner organisation the decision is referred to"
        if committee_name and referred_to.casefold() == " ".join(committee_name.split()).casefold():
            return "Refer the decision to a different committee, not the one that is inquorate"
        return None
    if kind == "co_opt":
        return _co_opt_problem(details.get("co_opted") or [], rule=rule,
                               voting_members=voting_members or [], rulings=rulings,
                               present=present, conflicted=conflicted, names=names)
    for key, noun in (("chair_name", "the chair"),
                      ("accountable_officer_name", "the accountable officer")):
        if not (details.get(key) or "").strip():
            return f"Select {noun} taking the action"
    chair_id, officer_id = details.get("chair_id"), details.get("accountable_officer_id")
    if chair_id is not None and chair_id == officer_id:
        return "The chair and the accountable officer must be two different people"
    for person_id, noun in ((chair_id, "chair"), (officer_id, "accountable officer")):
        if person_id is not None and person_id in conflicted:
            return (f"{names.get(person_id, 'The ' + noun)} is conflicted on this decision, so "
                    f"cannot take chair and accountable officer action")
    return None


def _co_opt_problem(co_opted: list[tuple[int, str]], *, rule: QuorumRule | None,
                    voting_members: list[tuple[int, str]], rulings: dict[int, str],
                    present: set[int] | None, conflicted: set[int],
                    names: dict[int, str]) -> str | None:
    if rule is None:
        raise ValueError("Checking co-opted members needs the committee's quorum rule")
    if not co_opted:
        return "Name at least one member to co-opt who is not conflicted"
    members = {person_id for person_id, _ in voting_members}
    for person_id, category in co_opted:
        name = names.get(person_id, "A co-opted member")
        if person_id in conflicted:
            return f"{name} is conflicted on this decision, so cannot be co-opted"
        if person_id in members and (present is None or person_id in present):
            return f"{name} is already a voting member at the meeting"
        if category not in CATEGORIES:
            return f"Select the member category of {name}"
    with_co_opted = [*voting_members, *co_opted]
    in_room = None if present is None else present | {person_id for person_id, _ in co_opted}
    result = count_quorum(rule, with_co_opted, rulings, in_room)
    if not result.quorate:
        return (f"The meeting would still be inquorate with the members co-opted: "
                f"{result.shortfall[0]}")
    return None


def _words_date(value: Any) -> str:
    if not value:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{day.day} {day:%B %Y}"


def escalation_words(kind: str, details: dict[str, Any]) -> str:
    """An escalation in a sentence, e.g. 'Deferred to the meeting on 3 April 2026'."""
    if kind == "defer":
        return f"Deferred to the meeting on {_words_date(details.get('new_meeting_date'))}"
    if kind == "refer":
        text = f"Referred to {details.get('referred_to', '')}"
        conflicted = details.get("conflicted") or []
        if conflicted:
            text += (", whose conflicted members are " + "; ".join(
                f"{c['name']} ({RULINGS.get(c['proposal'], c['proposal']).lower()})"
                for c in conflicted))
        elif details.get("committee_id"):
            text += ", whose members were checked and none is conflicted"
        return text
    if kind == "co_opt":
        return "Co-opted " + ", ".join(f"{p['name']} ({p['category_label']})"
                                       for p in details.get("co_opted", []))
    if kind == "chair_action":
        return (f"Chair and accountable officer action by {details.get('chair_name', '')} and "
                f"{details.get('accountable_officer_name', '')}, to be ratified at a quorate "
                f"meeting")
    return ESCALATIONS.get(kind, kind)
