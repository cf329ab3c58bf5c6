"""Rules for publishing procurement decisions: the open-data identifier of each contracting
process, the procurement method of each route, and the financial year of the annual summary.

Open Contracting (OCDS) identifies a contracting process by an `ocid`: a prefix the publisher
registers with the Open Contracting Partnership ("ocds-" and six letters or digits) followed by
the publisher's own identifier. The register uses the decision's reference, which is never reused,
so a decision keeps its ocid for ever.
"""
from __future__ import annotations

import datetime as dt
import re

OCDS_PREFIX_RULE = "must be 'ocds-' followed by six lower-case letters or digits, like ocds-abc123"
_OCDS_PREFIX = re.compile(r"^ocds-[a-z0-9]{6}$")


def ocds_prefix_problem(prefix: object) -> str | None:
    """Why an ocid prefix cannot be used, in words, or None when it can."""
    if not isinstance(prefix, str) or not _OCDS_PREFIX.match(prefix):
        shown = prefix if isinstance(prefix, str) else type(prefix).__name__
        return f"The OCDS prefix '{shown}' {OCDS_PREFIX_RULE}"
    return None


def ocid(prefix: str, reference: str) -> str:
    """The stable Open Contracting identifier of a decision: the prefix and its reference."""
    return f"{prefix}-{reference.strip().upper()}"


# The OCDS procurement method of each route (codelist: open, selective, limited, direct).
PROCUREMENT_METHODS = {
    ("psr", "direct_award_a"): "direct",
    ("psr", "direct_award_b"): "direct",
    ("psr", "direct_award_c"): "direct",
    ("psr", "most_suitable_provider"): "limited",
    ("psr", "competitive_process"): "open",
    ("psr", "urgent_award"): "direct",
    ("pcr2013", "competitive_tender"): "open",
    ("pcr2013", "any_qualified_provider"): "open",
    ("pcr2013", "single_tender"): "direct",
    ("pcr2013", "extension"): "direct",
}


def procurement_method(regime: str | None, process: str | None) -> str | None:
    """The OCDS procurement method of a regime's route, or None when the route is not known."""
    return PROCUREMENT_METHODS.get((regime or "", process or ""))


# ---- the financial year (1 April to 31 March) -------------------------------------------------

FINANCIAL_YEAR_RULE = "Enter the financial year as its first year, like 2025 for April 2025 to March 2026"
_YEAR = re.compile(r"^(?P<first>\d{4})(?:\s*[-/]\s*(?P<second>\d{2}|\d{4}))?$")


def financial_year_of(day: dt.date) -> int:
    """The first calendar year of the financial year a day falls in (1 April to 31 March)."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_dates(first_year: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the financial year starting in April of `first_year`."""
    return dt.date(first_year, 4, 1), dt.date(first_year + 1, 3, 31)


def financial_year_label(first_year: int) -> str:
    """The financial year as people write it: '2025/26'."""
    return f"{first_year}/{(first_year + 1) % 100:02d}"


def parse_financial_year(text: str) -> int:
    """A financial year typed as '2025', '2025/26' or '2025-2026'; ValueError with words if not."""
    match = _YEAR.match((text or "").strip())
    if not match:
        raise ValueError(FINANCIAL_YEAR_RULE)
    first = int(match.group("first"))
    second = match.group("second")
    if second is not None:
        expected = str(first + 1)
        if second not in (expected, expected[2:]):
            raise ValueError("The two years of a financial year must follow each other, like "
                             "2025/26")
    if not 2013 <= first <= 2100:
        raise ValueError("Enter a financial year from 2013 onwards")
    return first


# ---- where the award was published ------------------------------------------------------------

PUBLISHED_WHERE_MAX = 500


def published_where_problem(text: str | None) -> str | None:
    """Why the place an award was published cannot be recorded, in words, or None."""
    cleaned = (text or "").strip()
    if not cleaned:
        return ("Enter where the award was published, for example the web address of the "
                "notice")
    if len(cleaned) > PUBLISHED_WHERE_MAX:
        return f"Where the award was published must be {PUBLISHED_WHERE_MAX} characters or fewer"
    return None
