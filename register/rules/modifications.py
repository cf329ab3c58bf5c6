"""Rules for modifying a contract after its award under the Provider Selection Regime.

Regulation 13 of the Health Care Services (Provider Selection Regime) Regulations 2023 permits a
contract to be modified during its term on five grounds only; two of them carry value limits. A
modification that would publish more than those limits allow is a new award, not a modification.
The contract's current value and end date are derived from the original decision and its
modifications in date order: the original values are never overwritten.

Each `*_problem` function returns None when the input is acceptable, or the message to show the
user, in their words, when it is not.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from register.rules.decisions import format_money
from register.rules.interests import add_months

GROUNDS: dict[str, str] = {
    "a": "(a) Clearly provided for in the original contract",
    "b": "(b) A change in the identity of the provider (succession after restructuring or "
         "insolvency)",
    "c": "(c) Additional services the original provider must supply, where a change of provider "
         "is not possible",
    "d": "(d) Not attributable to the authority and could not be foreseen (value increase under "
         "50% of the original)",
    "e": "(e) Not substantial (lifetime value change under £500,000 and under 25% of the original)",
}

UNFORESEEN_LIMIT_PERCENT = 50          # ground (d): increase under 50% of the original value
NOT_SUBSTANTIAL_LIMIT_PENCE = 500_000 * 100   # ground (e): lifetime change under £500,000 ...
NOT_SUBSTANTIAL_LIMIT_PERCENT = 25     # ... and under 25% of the original value
NOTICE_DAYS = 30                       # a notice of a modification is due within 30 days


@dataclass(frozen=True)
class Modification:
    """One recorded change to a contract: the values are whole pence, dates are dates."""

    modified_on: dt.date
    what_changed: str
    value_before_pence: int | None
    value_after_pence: int | None
    new_end: dt.date | None = None
    ground: str = ""
    published_where: str = ""
    published_on: dt.date | None = None


def ground_label(ground: str | None) -> str:
    """The words for a ground letter ('e' -> '(e) Not substantial ...'), empty for none."""
    return GROUNDS.get(ground or "", "")


def _percent(change: int, original: int) -> float:
    return change * 100 / original


def ground_problem(ground: str | None, original_pence: int | None, before_pence: int | None,
                   after_pence: int | None, term_changes: bool = False) -> str | None:
    """Why a modification may not be made on this ground, or None when it may.

    `original_pence` is the contract's value at award; `before_pence` and `after_pence` are the
    value just before and after this modification. Ground (d) limits this modification's increase;
    the change in lifetime value for ground (e) is
    the difference between the value after this modification and the original value, so that a
    string of small changes cannot add up to a substantial one.
    """
    ground = (ground or "").strip()
    value_changes = before_pence != after_pence
    if not ground:
        if value_changes:
            return "Choose the permitted ground for a modification that changes the value"
        if term_changes:
            return "Choose the permitted ground for a modification that changes the end date"
        return None
    if ground not in GROUNDS:
        return "Choose one of the permitted grounds (a) to (e)"
    if ground == "d" and original_pence and after_pence is not None and before_pence is not None:
        increase = after_pence - before_pence
        if increase > 0 and _percent(increase, original_pence) >= UNFORESEEN_LIMIT_PERCENT:
            return (f"Ground (d) allows a value increase under {UNFORESEEN_LIMIT_PERCENT}% of the "
                    f"original value ({format_money(original_pence)}); this raises it by "
                    f"{_percent(increase, original_pence):.0f}% to {format_money(after_pence)}")
    if ground == "e" and original_pence and after_pence is not None:
        change = abs(after_pence - original_pence)
        percent = _percent(change, original_pence)
        if change >= NOT_SUBSTANTIAL_LIMIT_PENCE:
            return ("Ground (e) allows a lifetime value change under £500,000; this changes the "
                    f"value by {format_money(change)} from the original "
                    f"{format_money(original_pence)}")
        if percent >= NOT_SUBSTANTIAL_LIMIT_PERCENT:
            return (f"Ground (e) allows a lifetime value change under "
                    f"{NOT_SUBSTANTIAL_LIMIT_PERCENT}% of the original value "
                    f"({format_money(original_pence)}); this changes it by {percent:.0f}%")
    return None


def dates_problem(modified_on: dt.date | None, meeting_date: dt.date,
                  contract_start: dt.date | None, new_end: dt.date | None) -> str | None:
    """Why a modification's dates are not acceptable, or None."""
    if modified_on is None:
        return "Enter the date of the modification"
    if modified_on < meeting_date:
        return ("The date of the modification must be on or after the decision's meeting, "
                f"{meeting_date.strftime('%-d %B %Y')}")
    if new_end is not None and contract_start is not None and new_end < contract_start:
        return ("The new end date must be on or after the contract start, "
                f"{contract_start.strftime('%-d %B %Y')}")
    return None


def value_before_problem(before_pence: int | None, current_pence: int | None) -> str | None:
    """Whether the value before matches the contract's current value (when one is known)."""
    if current_pence is not None and before_pence is not None and before_pence != current_pence:
        return ("The value before must be the contract's current value, "
                f"{format_money(current_pence)}")
    return None


def notice_required(original_pence: int | None, after_pence: int | None) -> bool:
    """Whether a modification must be published: its lifetime value change is beyond ground (e).

    A change of £500,000 or more, or of 25% or more of the original value, is above the
    thresholds in regulation 13 and needs a notice within 30 days of the modification.
    """
    if original_pence is None or after_pence is None:
        return False
    change = abs(after_pence - original_pence)
    if change >= NOT_SUBSTANTIAL_LIMIT_PENCE:
        return True
    return bool(original_pence) and _percent(change, original_pence) >= NOT_SUBSTANTIAL_LIMIT_PERCENT


def notice_due_by(modified_on: dt.date) -> dt.date:
    """The last day for publishing a notice of a modification made on `modified_on`."""
    return modified_on + dt.timedelta(days=NOTICE_DAYS)


def published_problem(modified_on: dt.date | None, published_on: dt.date | None,
                      published_where: str) -> str | None:
    """Why the publication details are not acceptable, or None (both or neither are given)."""
    if published_on is not None and not published_where.strip():
        return "Enter where the notice of the modification was published"
    if published_where.strip() and published_on is None:
        return "Enter the date the notice of the modification was published"
    if published_on is not None and modified_on is not None and published_on < modified_on:
        return "The notice cannot be published before the modification was made"
    return None


def in_order(modifications: Iterable[Modification]) -> list[Modification]:
    """Modifications oldest first (stable for the same day: the order they were recorded)."""
    return sorted(modifications, key=lambda m: m.modified_on)


def current_value(original_pence: int | None, modifications: Sequence[Modification]) -> int | None:
    """The contract value after every modification (the original when none changed it)."""
    value = original_pence
    for modification in in_order(modifications):
        if modification.value_after_pence is not None:
            value = modification.value_after_pence
    return value


def current_end(original_end: dt.date | None,
                modifications: Sequence[Modification]) -> dt.date | None:
    """The contract end date after every modification (the original when none changed it)."""
    end = original_end
    for modification in in_order(modifications):
        if modification.new_end is not None:
            end = modification.new_end
    return end


# --- Coming up for renewal ----------------------------------------------------------------------

DEFAULT_RENEWAL_MONTHS = 12
RENEWAL_LEAD_MONTHS = 6
"""How long before a contract ends the next make-or-buy decision should start: six months gives
time for a needs assessment, the choice of route, a standstill period and a handover."""


def renewal_months_problem(text: str | None) -> str | None:
    """Why the number of months for the renewal list is not acceptable, or None."""
    cleaned = (text or "").strip()
    if not cleaned.isdigit() or not 1 <= int(cleaned) <= 60:
        return "Enter the number of months as a whole number from 1 to 60"
    return None


def start_next_decision_by(end: dt.date, lead_months: int = RENEWAL_LEAD_MONTHS) -> dt.date:
    """When the next make-or-buy decision for a contract ending on `end` should start."""
    return add_months(end, -lead_months)


def ends_within(end: dt.date | None, today: dt.date, months: int) -> bool:
    """Whether a contract ending on `end` ends from today up to `months` months ahead."""
    return end is not None and today <= end <= add_months(today, months)
