"""The breaches register's rules: the kinds of breach, and what a record needs to be closed.

Each `*_problem` function returns None when the input is acceptable, or the message to show the
user, in their words, when it is not.
"""
from __future__ import annotations

import datetime as dt

KINDS = {
    "late_declaration": "Interest declared late",
    "undeclared_interest": "Interest not declared",
    "present_when_ruled_out": "Took part when ruled out",
    "gift_not_declared": "Gift or hospitality not declared",
    "procurement": "Procurement rules not followed",
    "other": "Other",
}


def kind_label(kind: str) -> str:
    """What a kind of breach is called."""
    return KINDS.get(kind, kind.replace("_", " ").capitalize())


def found_on_problem(found_on: dt.date | None, today: dt.date) -> str | None:
    """Why the date a breach was found cannot be right, or None."""
    if found_on is None:
        return "Enter the date the breach was found"
    if found_on > today:
        return "The date the breach was found must be today or in the past"
    return None


def closing_problem(outcome: str, lessons: str, public_summary: str) -> str | None:
    """Why a breach cannot be closed yet: it needs its outcome, the lessons learned and the
    anonymised summary that is published."""
    missing = [words for words, value in (("the outcome", outcome),
                                          ("the lessons learned", lessons),
                                          ("the summary to publish", public_summary))
               if not (value or "").strip()]
    if missing:
        listed = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + \
            missing[-1]
        return f"Enter {listed} before closing the breach"
    return None


def named_in_summary_problem(public_summary: str, names: list[str]) -> str | None:
    """Why the summary to publish is not anonymous: it names a person involved (by their full
    name or their surname), or None."""
    text = f" {(public_summary or '').casefold()} "
    for name in names:
        parts = [p for p in name.replace(".", " ").split() if len(p) > 2]
        surname = parts[-1].casefold() if parts else ""
        if name.casefold() in text or (surname and f" {surname}" in text):
            return (f"The summary to publish names {name}: it is published, so describe what "
                    f"happened without names")
    return None
