"""Gifts, hospitality and sponsorship, as NHS England's guidance on managing conflicts of interest
sets them: what must be declared, what should have been declined, and when a declaration is late.

The thresholds are the organisation's to set (config `GIFT_LIMITS`); the defaults are the
guidance's:

- a gift from a supplier or contractor that does, or may do, business with the organisation is
  declined whatever its value, except low-cost promotional items under £6 in total; one over £6
  is declared whether accepted or declined;
- any other gift over £50 is declared (and declined unless there is a good reason);
- hospitality over £25 is declared; over £75 it may be accepted only with approval;
- sponsorship (of events, posts or research) is always declared.

Everything is declared within 28 days of the offer; later is late.

Each `*_problem` function returns None when the input is acceptable, or the message to show the
user, in their words, when it is not.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

GIFT, HOSPITALITY, SPONSORSHIP = "gift", "hospitality", "sponsorship"
KINDS = {GIFT: "Gift", HOSPITALITY: "Hospitality", SPONSORSHIP: "Sponsorship"}

# Pence. Keys: the limits the guidance sets, each overridable by the organisation.
DEFAULT_LIMITS = {
    "supplier_gift": 600,  # gifts from suppliers or contractors: declined above this
    "other_gift": 5000,  # other gifts: declared above this
    "hospitality_declare": 2500,  # hospitality: declared above this
    "hospitality_approval": 7500,  # hospitality: only with approval above this
}
DECLARE_WITHIN_DAYS = 28
OLDEST_OFFER_YEARS = 6  # the register keeps six years: older offers are typing slips


def limits(configured: Mapping[str, int] | None) -> dict[str, int]:
    """The organisation's limits, the guidance's where it set none."""
    return {**DEFAULT_LIMITS, **{k: int(v) for k, v in (configured or {}).items()
                                 if k in DEFAULT_LIMITS}}


def _pounds(pence: int) -> str:
    pounds, rest = divmod(pence, 100)
    return f"£{pounds:,}" if not rest else f"£{pounds:,}.{rest:02d}"


@dataclass(frozen=True)
class Assessment:
    """What the guidance says of one offer: whether it had to be declared, whether it should have
    been declined (or needed approval), in words."""

    must_declare: bool
    should_decline: bool
    needs_approval: bool
    words: str


def assess(kind: str, from_supplier: bool, value_pence: int, accepted: bool,
           configured: Mapping[str, int] | None = None) -> Assessment:
    """The guidance applied to one offer."""
    limit = limits(configured)
    if kind == SPONSORSHIP:
        return Assessment(True, False, False, "Sponsorship is always declared.")
    if kind == HOSPITALITY:
        over_approval = value_pence > limit["hospitality_approval"]
        declare = value_pence > limit["hospitality_declare"]
        if over_approval:
            words = (f"Hospitality over {_pounds(limit['hospitality_approval'])} is accepted "
                     f"only with approval, and declared.")
        elif declare:
            words = f"Hospitality over {_pounds(limit['hospitality_declare'])} is declared."
        else:
            words = (f"Hospitality up to {_pounds(limit['hospitality_declare'])} need not be "
                     f"declared.")
        return Assessment(declare, False, over_approval and accepted, words)
    if from_supplier:
        over = value_pence > limit["supplier_gift"]
        if over:
            words = (f"Gifts from suppliers or contractors are declined, except promotional "
                     f"items under {_pounds(limit['supplier_gift'])}: this one is declared"
                     + (", and should have been declined." if accepted else "."))
        else:
            words = (f"A promotional item under {_pounds(limit['supplier_gift'])} from a "
                     f"supplier need not be declared.")
        return Assessment(over, over, False, words)
    over = value_pence > limit["other_gift"]
    words = (f"Gifts over {_pounds(limit['other_gift'])} are declared, and declined unless there "
             f"is a good reason." if over else
             f"Gifts up to {_pounds(limit['other_gift'])} need not be declared.")
    return Assessment(over, False, False, words)


def offered_on_problem(offered_on: dt.date | None, today: dt.date) -> str | None:
    """Why the date of an offer cannot be right, or None."""
    if offered_on is None:
        return "Enter the date it was offered"
    if offered_on > today:
        return "The date it was offered must be today or in the past"
    if offered_on < today.replace(year=today.year - OLDEST_OFFER_YEARS):
        return (f"The date it was offered must be within the last {OLDEST_OFFER_YEARS} years, "
                f"which the register keeps")
    return None


def approval_problem(assessment: Assessment, approved_by: str | None) -> str | None:
    """Why an accepted offer needing approval cannot be recorded without saying who approved it."""
    if assessment.needs_approval and not (approved_by or "").strip():
        return ("Hospitality of this value may be accepted only with approval: say who approved "
                "it, or record it as declined")
    return None


def days_late(offered_on: dt.date, declared_on: dt.date) -> int:
    """How many days after the 28 allowed the offer was declared (0 when on time)."""
    return max(0, (declared_on - offered_on).days - DECLARE_WITHIN_DAYS)
