"""What each procurement route asks the record for, and what a decision's record still lacks.

A route is a regime and one of its processes (`rules.decisions.PROCESSES`). Every route records
why it was chosen. The others ask for what the route does and no more:

- key criteria (Provider Selection Regime only): their weights and how each was applied, where
  providers are assessed against them: direct award process C, the most suitable provider
  process and the competitive process;
- basic selection criteria: how the providers considered met them (legal and financial standing,
  technical and professional ability), where providers are assessed: those three PSR processes,
  and the 2013 regulations' competitive tender and any qualified provider procedures;
- exclusions: how the providers were checked against the grounds for excluding a provider,
  wherever a provider is chosen by a process: every route except an urgent award and the 2013
  regulations' single tender and extension;
- each provider's assessment and score, on a published scale, where providers compete: the
  competitive process and the 2013 regulations' competitive tender.

Each `*_problem` function returns None when the input is acceptable, or the message to show the
user, in their words, when it is not.
"""
from __future__ import annotations

import re

from register.rules.decisions import PROCESSES, assesses_key_criteria, process_label

ROUTE_REASONS = "route_reasons"
KEY_CRITERIA = "key_criteria"
SELECTION_CRITERIA = "selection_criteria"
EXCLUSIONS = "exclusions"
ASSESSMENTS = "assessments"

# Each part of the record that depends on the route, in the order of the form, with the words
# the form and the check page use for it.
PARTS: dict[str, str] = {
    ROUTE_REASONS: "Why this route was chosen",
    KEY_CRITERIA: "Key criteria: weights and how each was applied",
    SELECTION_CRITERIA: "Basic selection criteria: how the providers met them",
    EXCLUSIONS: "Exclusions: how the providers were checked",
    ASSESSMENTS: "Each provider's assessment and score",
}

_SELECTION_ROUTES = {("psr", "direct_award_c"), ("psr", "most_suitable_provider"),
                     ("psr", "competitive_process"), ("pcr2013", "competitive_tender"),
                     ("pcr2013", "any_qualified_provider")}
_NO_EXCLUSION_ROUTES = {("psr", "urgent_award"), ("pcr2013", "single_tender"),
                        ("pcr2013", "extension")}
_SCORED_ROUTES = {("psr", "competitive_process"), ("pcr2013", "competitive_tender")}


def parts_for(regime: str | None, process: str | None) -> tuple[str, ...]:
    """The route-dependent parts a decision under this regime and process records, in form
    order; only why the route was chosen for an unknown or unchosen route."""
    route = (regime, process)
    if regime not in PROCESSES or process not in PROCESSES[regime]:
        return (ROUTE_REASONS,)
    found = [ROUTE_REASONS]
    if assesses_key_criteria(regime, process):
        found.append(KEY_CRITERIA)
    if route in _SELECTION_ROUTES:
        found.append(SELECTION_CRITERIA)
    if route not in _NO_EXCLUSION_ROUTES:
        found.append(EXCLUSIONS)
    if route in _SCORED_ROUTES:
        found.append(ASSESSMENTS)
    return tuple(found)


def routes_needing(part: str) -> list[str]:
    """The routes ("regime:process") that record this part, for the form's script."""
    return [f"{regime}:{process}" for regime, processes in PROCESSES.items()
            for process in processes if part in parts_for(regime, process)]


def not_needed_problem(part: str, regime: str | None, process: str | None) -> str | None:
    """Why something typed for this part cannot be recorded for this route (the route does not
    do it), or None when it can."""
    if part in parts_for(regime, process) or regime not in PROCESSES \
            or process not in PROCESSES[regime]:
        return None
    route = process_label(regime, process)
    what = {
        SELECTION_CRITERIA: "assesses no providers against the basic selection criteria",
        EXCLUSIONS: "checks no providers against the grounds for exclusion",
        ASSESSMENTS: "scores no competing providers",
        KEY_CRITERIA: "assesses no key criteria",
    }.get(part, "does not record this")
    return f"{route} {what}: leave this empty"


# --- Scores ------------------------------------------------------------------------------------

MAX_SCALE = 1000
_SCORE = re.compile(r"^[0-9]{1,4}(?:\.[0-9]{1,2})?$")


def scale_problem(text: str | None) -> str | None:
    """Why the top of the published scoring scale is not usable, or None."""
    value = (text or "").strip()
    if not value:
        return "Enter the top of the published scoring scale, for example 100"
    if not value.isdecimal() or not 1 <= int(value) <= MAX_SCALE:
        return f"The top of the scoring scale must be a whole number from 1 to {MAX_SCALE}"
    return None


def score_problem(text: str | None, out_of: int | None, provider: str) -> str | None:
    """Why a provider's score cannot be recorded (not a number, or outside the published scale
    from 0 to `out_of`), or None."""
    value = (text or "").strip()
    if not value:
        return f"Enter the score for {provider}"
    if not _SCORE.match(value):
        return f"The score for {provider} must be a number, like 72 or 72.5"
    if out_of is not None and float(value) > out_of:
        return (f"The score for {provider} must be between 0 and {out_of}, the published "
                f"scale")
    return None


# --- What a record still lacks -------------------------------------------------------------------



# The routes of each part in words, for the form's section notes.
ROUTE_NAMES = {
    SELECTION_CRITERIA: "direct award process C, the most suitable provider process and the "
                        "competitive process (under the 2013 regulations, a competitive tender "
                        "or any qualified provider)",
    "no_exclusions": "urgent awards (and, under the 2013 regulations, a single tender or an "
                     "extension)",
    ASSESSMENTS: "the competitive process (under the 2013 regulations, a competitive tender)",
}
