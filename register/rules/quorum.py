"""Quorum rules: parsing a committee's rule as written in its terms of reference."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

CATEGORIES = ("gp", "lay", "executive", "other")
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
        parts = [f"{n} {CATEGORY_LABELS[c]}" for c, n in self.min_per_category.items() if n]
        if parts:
            text += ", including " + (", ".join(parts[:-1]) + " and " + parts[-1]
                                      if len(parts) > 1 else parts[0])
        return text


_PART = re.compile(r"^\s*(\d+)\s+([a-z ]+?)\s*(?:members?)?\s*$")


def parse_quorum_rule(text: str) -> QuorumRule:
    """Read '5' or '5 including 1 lay, 1 executive' (also '5; lay 1; executive 1')."""
    cleaned = (text or "").strip().lower()
    if not cleaned:
        raise QuorumRuleError("Enter the quorum, for example '5 including 1 lay, 1 executive'")
    head, _, rest = cleaned.partition("including")
    if not rest and ";" in cleaned:
        head, _, rest = cleaned.partition(";")
    head = head.replace("voting", "").replace("members", "").replace("member", "").strip(" ,;")
    if not head.isdigit():
        raise QuorumRuleError(f"The quorum must start with a whole number of voting members, "
                              f"not '{head or text.strip()}'")
    minimum = int(head)
    if minimum < 1:
        raise QuorumRuleError("The quorum must be at least 1 voting member")
    per_category: dict[str, int] = {}
    for raw in re.split(r"[;,]|\band\b", rest):
        if not raw.strip():
            continue
        words = raw.strip()
        match = _PART.match(words)
        if match:
            count, word = int(match.group(1)), match.group(2).strip()
        else:
            swapped = re.match(r"^\s*([a-z ]+?)\s+(\d+)\s*$", words)
            if not swapped:
                raise QuorumRuleError(f"Cannot read '{words}' in the quorum: write it like '1 lay'")
            word, count = swapped.group(1).strip(), int(swapped.group(2))
        category = CATEGORY_WORDS.get(word)
        if category is None:
            raise QuorumRuleError(
                f"'{word}' is not a member category: use GP, lay, executive or other")
        per_category[category] = per_category.get(category, 0) + count
    if sum(per_category.values()) > minimum:
        raise QuorumRuleError("The members required by category add up to more than the quorum")
    return QuorumRule(minimum, {c: per_category[c] for c in CATEGORIES if c in per_category})
