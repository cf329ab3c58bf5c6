"""Rules for a make-or-buy decision record: money, regime and process, key-criteria weights,
contract dates and the decision reference.

Each `*_problem` function returns None when the input is acceptable, or the message to show the
user, in their words, when it is not.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

# --- Money -------------------------------------------------------------------------------------

MONEY_FORMAT_MESSAGE = "Enter the value in pounds and pence, like 125000.50"
MAX_POUNDS = 10_000_000_000  # £10bn: anything larger is a typing slip, not a contract
MAX_PENCE = MAX_POUNDS * 100

# Digits only (never "NaN", "inf" or "1E+30"), optional thousands commas in the right places,
# at most two decimal places.
_MONEY = re.compile(r"^(?P<pounds>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<pence>[0-9]{1,2}))?$")


def parse_money(text: str | None, noun: str = "the value") -> int:
    """Read an amount typed in pounds ("£1,250,000.50", "1250000") as whole pence."""
    cleaned = (text or "").strip().replace(" ", "")
    if cleaned[:1] in ("-", "\u2212") or cleaned[:2] in ("£-", "£\u2212"):
        raise ValueError(f"{_capital(noun)} must be £0 or more")
    cleaned = cleaned.removeprefix("£")
    if not cleaned:
        raise ValueError(f"Enter {noun}")
    match = _MONEY.match(cleaned)
    if not match:
        raise ValueError(MONEY_FORMAT_MESSAGE)
    digits = match.group("pounds").replace(",", "").lstrip("0") or "0"
    if len(digits) > len(str(MAX_POUNDS)):
        # Checked before converting: a thousand-digit string is refused, not computed.
        raise ValueError(f"{_capital(noun)} must be £{MAX_POUNDS:,} or less")
    pounds = int(digits)
    pence = int((match.group("pence") or "0").ljust(2, "0"))
    total = pounds * 100 + pence
    if total > MAX_PENCE:
        raise ValueError(f"{_capital(noun)} must be £{MAX_POUNDS:,} or less")
    return total


def format_money(pence: int | None) -> str:
    """Whole pence shown as pounds, e.g. 125000050 -> '£1,250,000.50' (empty for no value)."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- Regime and process --------------------------------------------------------------------------

PSR_START = dt.date(2024, 1, 1)

REGIMES = {
    "pcr2013": "The 2013 procurement regulations",
    "psr": "The Provider Selection Regime",
}

PROCESSES = {
    "psr": {
        "direct_award_a": "Direct award process A",
        "direct_award_b": "Direct award process B",
        "direct_award_c": "Direct award process C",
        "most_suitable_provider": "Most suitable provider process",
        "competitive_process": "Competitive process",
        "urgent_award": "Urgent award",
    },
    "pcr2013": {
        "competitive_tender": "Competitive tender",
        "any_qualified_provider": "Any qualified provider",
        "single_tender": "Single tender",
        "extension": "Extension of an existing contract",
    },
}

CHOICES = {
    "make": "Make: member practices, their network or federation provide it",
    "buy": "Buy: an external provider",
    "mixed": "Mixed: partly made, partly bought",
}

# Whether the decision is about an existing contract or a new one: the one wording every page,
# file and PDF uses.
CONTRACT_KINDS = {"existing": "Existing contract", "new": "New contract"}

PARTICIPANT_ROLES = {
    "voting": "Voting member present",
    "attendee": "Other attendee",
    "evaluator": "Evaluator",
}


def process_label(regime: str, process: str) -> str:
    """The label of a process within its regime, or the code itself if it is unknown."""
    return PROCESSES.get(regime, {}).get(process, process)


REGISTER_START = dt.date(2013, 4, 1)
MEETING_YEARS_AHEAD = 2


def meeting_date_problem(meeting_date: dt.date | None, today: dt.date) -> str | None:
    """Why a meeting date cannot be right, or None. The register covers decisions from 1 April
    2013, when the 2013 procurement regulations began; a meeting more than two years ahead is a
    slip of the keyboard (2062 for 2026), not a plan."""
    if meeting_date is None:
        return None
    if meeting_date < REGISTER_START:
        return (f"The meeting date must be on or after {_long_date(REGISTER_START)}, when the "
                "2013 procurement regulations began")
    latest = _add_years(today, MEETING_YEARS_AHEAD)
    if meeting_date > latest:
        return (f"The meeting date must be no later than {_long_date(latest)}, "
                f"{MEETING_YEARS_AHEAD} years from today")
    return None


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def regime_for(meeting_date: dt.date) -> str:
    """The regime that applies to a decision taken on the given date."""
    return "psr" if meeting_date >= PSR_START else "pcr2013"


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def regime_problem(regime: str | None, process: str | None,
                   meeting_date: dt.date | None) -> str | None:
    """Why a regime and process cannot be used for a decision on that date, or None if they can."""
    if regime not in REGIMES:
        return "Select the procurement regime"
    if not process:
        return "Select the process used"
    if process not in PROCESSES[regime]:
        for other, processes in PROCESSES.items():
            if process in processes:
                return (f"{processes[process]} is a process under "
                        f"{REGIMES[other][0].lower()}{REGIMES[other][1:]}, not "
                        f"{REGIMES[regime][0].lower()}{REGIMES[regime][1:]}: "
                        f"select a process from the regime that applies")
        return "Select the process used"
    if meeting_date is None:
        return None
    if regime == "psr" and meeting_date < PSR_START:
        return (f"The Provider Selection Regime applies only to decisions from "
                f"{_long_date(PSR_START)}: a decision on {_long_date(meeting_date)} falls under "
                f"the 2013 procurement regulations")
    if regime == "pcr2013" and meeting_date >= PSR_START:
        return (f"The 2013 procurement regulations apply only to decisions before "
                f"{_long_date(PSR_START)}: a decision on {_long_date(meeting_date)} falls under "
                f"the Provider Selection Regime")
    return None


# --- Provider Selection Regime key criteria ------------------------------------------------------

KEY_CRITERIA = {
    "quality_innovation": "Quality and innovation",
    "value": "Value",
    "integration_collaboration_sustainability": "Integration, collaboration and sustainability",
    "access_inequalities_choice": "Improving access, reducing health inequalities and "
                                  "facilitating choice",
    "social_value": "Social value",
}


# The routes that assess providers against the key criteria and must record how they were weighed.
# Direct award A (only one capable provider), direct award B (patients choose among every capable
# provider, as with a scheme offered to every practice) and urgent awards assess no key criteria.
KEY_CRITERIA_PROCESSES = ("direct_award_c", "most_suitable_provider", "competitive_process")


def assesses_key_criteria(regime: str | None, process: str | None) -> bool:
    """Whether a decision's process weighs the key criteria, so their weights must be recorded."""
    return regime == "psr" and process in KEY_CRITERIA_PROCESSES


KEY_CRITERIA_ROUTES = ("direct award process C, the most suitable provider process and the "
                       "competitive process")


def criteria_not_assessed_problem(regime: str | None, process: str | None,
                                  anything_given: bool) -> str | None:
    """Why key-criteria weights cannot be recorded for this process (it assesses none), or None."""
    if not anything_given or assesses_key_criteria(regime, process):
        return None
    if regime == "psr" and process in PROCESSES["psr"]:
        return (f"{PROCESSES['psr'][process]} assesses no key criteria: leave the weights empty "
                f"(only {KEY_CRITERIA_ROUTES} record them)")
    return None


def _whole_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,3}", value.strip()):
        return int(value.strip())
    return None


def weights_problem(weights: dict[str, int | str | None]) -> str | None:
    """Why the key-criteria weights are not usable (each a whole number 0-100, adding to 100)."""
    unknown = sorted(set(weights) - set(KEY_CRITERIA))
    if unknown:
        return f"'{unknown[0]}' is not one of the key criteria"
    total = 0
    for key, label in KEY_CRITERIA.items():
        raw = weights.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return f"Enter a weight for {label[0].lower()}{label[1:]}"
        number = _whole_number(raw)
        if number is None or not 0 <= number <= 100:
            return f"The weight for {label[0].lower()}{label[1:]} must be a whole number from 0 to 100"
        total += number
    if total != 100:
        return f"The key criteria weights must add up to 100 (they add up to {total})"
    return None


# --- Contract dates ------------------------------------------------------------------------------


def dates_problem(start: dt.date | None, end: dt.date | None) -> str | None:
    """Why a contract's start and end dates do not fit together, or None if they do."""
    if start is not None and end is not None and end < start:
        return "The contract end date must be the same as or after the start date"
    return None


def values_problem(total_pence: int | None, annual_pence: int | None) -> str | None:
    """Why the estimated annual value cannot stand beside the total value (a year's worth of a
    contract cannot be more than all of it), or None if it can."""
    if total_pence is not None and annual_pence is not None and annual_pence > total_pence:
        return (f"The estimated annual value ({format_money(annual_pence)}) must not be more "
                f"than the estimated total value ({format_money(total_pence)})")
    return None


# --- People taking part --------------------------------------------------------------------------


def duplicate_people_problem(person_ids: Iterable[int], names: dict[int, str] | None = None
                             ) -> str | None:
    """Why a list of participants is unusable because someone appears twice, or None."""
    seen: set[int] = set()
    for person_id in person_ids:
        if person_id in seen:
            who = (names or {}).get(person_id, "The same person")
            return f"{who} is listed more than once: list each person once"
        seen.add(person_id)
    return None


# --- Reference -----------------------------------------------------------------------------------

REFERENCE_PREFIX = "MOB"
REFERENCE = re.compile(r"^MOB-(?P<year>[0-9]{4})-(?P<number>[0-9]{4,})$")


def next_reference(year: int, last_number: int) -> str:
    """The reference after the last one issued in a year, e.g. (2026, 6) -> 'MOB-2026-0007'."""
    if not 1000 <= year <= 9999:
        raise ValueError(f"Not a four-digit year: {year}")
    if last_number < 0:
        raise ValueError(f"Not a reference number: {last_number}")
    return f"{REFERENCE_PREFIX}-{year}-{last_number + 1:04d}"


def parse_reference(reference: str) -> tuple[int, int] | None:
    """The year and number of a reference like 'MOB-2026-0007', or None if it is not one."""
    match = REFERENCE.match((reference or "").strip().upper())
    if not match:
        return None
    return int(match.group("year")), int(match.group("number"))
