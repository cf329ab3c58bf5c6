"""The governance figures: counts and bands from plain facts, the same for the page and the pack.

Each figure is a `Chart`: categories (quarters, routes or bands), one or more series of numbers,
and the table of the same numbers in words, which is the chart's text alternative. The dashboard
draws the charts as SVG and the board audit pack with ReportLab, both from one `Figures`, so the
page and the printed pack can never disagree.

Quarters are those of the financial year (Q1 is April to June); a period longer than three years
is counted by financial year instead, so a chart never has more than a dozen or so bars. The
edges of the period cut its first and last quarters: only days inside the period count.
"""
from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .decisions import PROCESSES, process_label
from .interests import is_late
from .publication import financial_year_label, financial_year_of
from .working_days import OVERDUE_AFTER_WORKING_DAYS, working_days_between

MAX_QUARTERS = 12
CHOICES = (("make", "Make"), ("buy", "Buy"), ("mixed", "Mixed"))
NOT_CHOSEN = "Not yet chosen"
REGIME_SHORT = {"psr": "PSR", "pcr2013": "2013 regulations"}
REGIME_LONG = {"psr": "Provider Selection Regime", "pcr2013": "2013 procurement regulations"}
NO_ROUTE = "Route not recorded"
# Working days from submission to sign-off: (lowest, highest or None for no limit).
SIGN_OFF_BANDS: tuple[tuple[int, int | None], ...] = ((0, 5), (6, 10), (11, 20), (21, 40),
                                                       (41, None))
AWAITING_REVIEW = ("awaiting_review", "escalated")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


@dataclass(frozen=True)
class DecisionFacts:
    """What the figures need of one decision: when it was taken, what was chosen, by which
    route, whether it is flagged, where it stands, and when it was submitted and signed off
    (UK calendar days)."""

    meeting_date: dt.date
    choice: str | None
    regime: str | None
    process: str | None
    flagged: bool
    status: str
    submitted_on: dt.date | None = None
    signed_on: dt.date | None = None


@dataclass(frozen=True)
class DeclarationFacts:
    """One declared interest: the day it arose and the day it was declared."""

    date_from: dt.date
    declared_on: dt.date


@dataclass(frozen=True)
class FigureFacts:
    """Every fact the figures count, for one period (and committee, if any): read once."""

    date_from: dt.date
    date_to: dt.date
    decisions: tuple[DecisionFacts, ...] = ()
    declarations: tuple[DeclarationFacts, ...] = ()
    late_returns: tuple[dt.date, ...] = ()  # days confirmations came after a campaign closed


@dataclass(frozen=True)
class Bin:
    """A quarter (or financial year) of the period, cut to the period's edges."""

    short: str  # "Q1 2025/26", on the chart
    label: str  # "Q1 2025/26 (April to June 2025)", in the table
    start: dt.date
    end: dt.date

    def holds(self, day: dt.date | None) -> bool:
        """Whether a day falls in this bin."""
        return day is not None and self.start <= day <= self.end


@dataclass(frozen=True)
class Series:
    """One set of bars: a name (the legend) and a number per category."""

    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    """One figure: what it shows, its bars, and the same numbers as a table."""

    key: str
    title: str
    description: str  # one or two sentences: what the chart says, for its text alternative
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    horizontal: bool = False
    percent: bool = False
    notes: tuple[str, ...] = ()

    @property
    def largest(self) -> float:
        """The largest value of any bar (0 when there are none)."""
        return max((v for s in self.series for v in s.values), default=0)

    @property
    def empty(self) -> bool:
        """Whether there is nothing to draw: no categories, or every bar is nought."""
        return not self.categories or self.largest == 0


@dataclass(frozen=True)
class Figures:
    """Every chart for one period, in the order the page and the pack show them."""

    date_from: dt.date
    date_to: dt.date
    as_of: dt.date
    decisions: int
    charts: tuple[Chart, ...]

    def chart(self, key: str) -> Chart:
        """The chart with this key."""
        return next(c for c in self.charts if c.key == key)


# ---- periods ------------------------------------------------------------------------------------

def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, ((day.month - 1) // 3) * 3 + 1, 1)


def _next_quarter(start: dt.date) -> dt.date:
    return dt.date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1)


def bins_for(date_from: dt.date, date_to: dt.date) -> tuple[Bin, ...]:
    """The financial quarters a period covers (by financial year when there would be more than
    MAX_QUARTERS), each cut to the period."""
    if date_to < date_from:
        return ()
    found: list[Bin] = []
    start = _quarter_start(date_from)
    while start <= date_to:
        following = _next_quarter(start)
        last = following - dt.timedelta(days=1)
        year = financial_year_of(start)
        number = (start.month - 4) % 12 // 3 + 1
        short = f"Q{number} {financial_year_label(year)}"
        months = f"{_MONTHS[start.month - 1]} to {_MONTHS[last.month - 1]} {last.year}"
        found.append(Bin(short, f"{short} ({months})", max(start, date_from), min(last, date_to)))
        start = following
    if len(found) <= MAX_QUARTERS:
        return tuple(found)
    years = range(financial_year_of(date_from), financial_year_of(date_to) + 1)
    return tuple(Bin(financial_year_label(y), f"{financial_year_label(y)} (April {y} to March "
                                              f"{y + 1})",
                     max(dt.date(y, 4, 1), date_from), min(dt.date(y + 1, 3, 31), date_to))
                 for y in years)


def _period_words(bins: Sequence[Bin]) -> tuple[str, str]:
    """The table's heading for the bins, and "per quarter" or "per financial year"."""
    if bins and not bins[0].short.startswith("Q"):
        return "Financial year", "per financial year"
    return "Quarter", "per quarter"


def _in_bins(bins: Sequence[Bin], days: Iterable[dt.date | None]) -> tuple[int, ...]:
    days = list(days)
    return tuple(sum(1 for day in days if b.holds(day)) for b in bins)


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def axis_top(largest: float, percent: bool = False) -> tuple[float, float]:
    """The top of the value axis and the step between gridlines: round numbers, at least the
    largest value (100 for percentages)."""
    if percent:
        return 100, 25
    if largest <= 4:
        return max(1.0, math.ceil(largest)), 1
    raw = largest / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if step != int(step):
        step = math.ceil(step)
    return math.ceil(largest / step) * step, step


def category_labels(categories: Sequence[str], room: float, width: Callable[[str], float]
                    ) -> list[tuple[str, ...]]:
    """The labels under a chart's vertical bars, as lines, when each category has `room` (and a
    line of text is `width` wide, both in the drawing's units, the gap between labels
    included): each on one line when they all fit side by side; else on two ("Q4" over
    "2023/24"); and when even those do not fit, only every so many of them, the first included
    (the table under the chart names every one). The page's chart and the printed one both
    use it, so they label alike."""
    if all(width(label) <= room for label in categories):
        return [(label,) for label in categories]
    stacked = [tuple(label.split(" ", 1)) for label in categories]
    widest = max((width(line) for lines in stacked for line in lines), default=0.0)
    every = max(1, math.ceil(widest / room)) if room > 0 else len(stacked) or 1
    return [lines if index % every == 0 else ("",) for index, lines in enumerate(stacked)]


# ---- the figures --------------------------------------------------------------------------------

def by_choice(decisions: Sequence[DecisionFacts], bins: Sequence[Bin]) -> Chart:
    """Decisions per quarter by make, buy and mixed (and not yet chosen, where there are any)."""
    kinds = [*CHOICES]
    if any(d.choice not in dict(CHOICES) for d in decisions):
        kinds.append((None, NOT_CHOSEN))  # type: ignore[arg-type]
    series = tuple(Series(name, _in_bins(bins, (d.meeting_date for d in decisions
                                                 if (d.choice if d.choice in dict(CHOICES)
                                                     else None) == code)))
                   for code, name in kinds)
    totals = _in_bins(bins, (d.meeting_date for d in decisions))
    rows = tuple((b.label, *(str(s.values[i]) for s in series), str(totals[i]))
                 for i, b in enumerate(bins))
    counts = {s.name: sum(s.values) for s in series}
    words = ", ".join(f"{int(n)} {name.lower()}" for name, n in counts.items())
    heading, per = _period_words(bins)
    return Chart(
        "choice", "Decisions by make, buy or mixed",
        f"Decisions {per} by whether the service was made, bought or a mix: "
        f"{_plural(len(decisions), 'decision')} in the period ({words}).",
        tuple(b.short for b in bins), series,
        (heading, *(s.name for s in series), "All decisions"), rows)


def _route_key(d: DecisionFacts) -> tuple[str, str] | None:
    if d.regime in PROCESSES and d.process in PROCESSES[d.regime]:
        return (d.regime, d.process)
    return None


def by_route(decisions: Sequence[DecisionFacts]) -> Chart:
    """Decisions by the route of the procurement regime, in the regime's order; only routes
    used, and those with no route recorded last."""
    counts = Counter(_route_key(d) for d in decisions)
    order = [(regime, process) for regime in ("psr", "pcr2013") for process in PROCESSES[regime]]
    used: list[tuple[str, str] | None] = [route for route in order if counts[route]]
    if counts[None]:
        used.append(None)
    short = tuple(f"{REGIME_SHORT[r[0]]}: {process_label(*r)}" if r else NO_ROUTE for r in used)
    long = [f"{REGIME_LONG[r[0]]}: {process_label(*r)}" if r else NO_ROUTE for r in used]
    values = tuple(counts[r] for r in used)
    rows = tuple((label, str(n)) for label, n in zip(long, values, strict=True))
    most = max(range(len(used)), key=lambda i: values[i]) if used else None
    return Chart(
        "route", "Decisions by route",
        (f"Decisions by the route of the procurement regime: {_plural(len(decisions), 'decision')}"
         + (f", most by {long[most]} ({values[most]})." if most is not None else ".")),
        short, (Series("Decisions", values),), ("Route", "Decisions"),
        rows + (("All routes", str(len(decisions))),) if used else (), horizontal=True)


def _band_label(low: int, high: int | None, unit: str = "working days") -> str:
    if high is None:
        return f"More than {low - 1} {unit}"
    if low == 0:
        return f"Up to {high} {unit}"
    return f"{low} to {high} {unit}"


def sign_off_time(decisions: Sequence[DecisionFacts]) -> Chart:
    """Working days from submission to sign-off: how many fell in each band, the median and the
    longest."""
    days = [working_days_between(d.submitted_on, d.signed_on) for d in decisions
            if d.submitted_on and d.signed_on]
    values = tuple(sum(1 for n in days if n >= low and (high is None or n <= high))
                   for low, high in SIGN_OFF_BANDS)
    labels = tuple(_band_label(low, high) for low, high in SIGN_OFF_BANDS)
    short = tuple(_band_label(low, high, "days") for low, high in SIGN_OFF_BANDS)
    if days:
        median, longest = statistics.median(days), max(days)
        notes = (f"Median: {_number(median)} working days", f"Longest: {longest} working days",
                 f"Signed off: {_plural(len(days), 'decision')}")
        summary = (f"Working days from submission to sign-off for {_plural(len(days), 'decision')}"
                   f" signed off: median {_number(median)}, longest {longest}.")
    else:
        notes = ("No decision in the period has been signed off yet",)
        summary = "No decision in the period has been signed off yet."
    return Chart("sign_off", "Time from submission to sign-off", summary, short,
                 (Series("Decisions signed off", values),), ("Working days", "Decisions"),
                 tuple((label, str(n)) for label, n in zip(labels, values, strict=True)),
                 notes=notes)


def flagged_share(decisions: Sequence[DecisionFacts], bins: Sequence[Bin]) -> Chart:
    """The share of each quarter's decisions flagged for a conflict of interest."""
    every = _in_bins(bins, (d.meeting_date for d in decisions))
    flagged = _in_bins(bins, (d.meeting_date for d in decisions if d.flagged))
    shares = tuple(_percent(f, n) for f, n in zip(flagged, every, strict=True))
    total_flagged = sum(flagged)
    heading, _per = _period_words(bins)
    return Chart(
        "flagged", "Share of decisions flagged",
        f"The share of each {heading.lower()}'s decisions flagged for a conflict of interest: "
        f"{total_flagged} of {len(decisions)} in the period "
        f"({_percent(total_flagged, len(decisions))}%).",
        tuple(b.short for b in bins), (Series("Flagged", shares),),
        (heading, "Decisions", "Flagged", "Share flagged"),
        tuple((b.label, str(every[i]), str(flagged[i]),
               f"{shares[i]}%" if every[i] else "No decisions")
              for i, b in enumerate(bins)), percent=True)


def late_declarations(declarations: Sequence[DeclarationFacts], late_returns: Sequence[dt.date],
                      bins: Sequence[Bin]) -> Chart:
    """Per quarter (by the day declared): interests declared more than 28 days after they
    arose, and confirmations or nil returns made after their campaign closed."""
    declared = _in_bins(bins, (d.declared_on for d in declarations))
    late = _in_bins(bins, (d.declared_on for d in declarations
                           if is_late(d.date_from, d.declared_on)))
    returns = _in_bins(bins, late_returns)
    series = (Series("Interests declared late", late),
              Series("Returns after the campaign closed", returns))
    heading, per = _period_words(bins)
    return Chart(
        "late", "Late declarations",
        f"{per.capitalize()}: interests declared more than 28 days after they arose "
        f"({sum(late)} of {sum(declared)} declared in the period), and confirmations or nil "
        f"returns made after their campaign closed ({sum(returns)}).",
        tuple(b.short for b in bins), series,
        (heading, "Interests declared", "Declared late", "Returns after the campaign closed"),
        tuple((b.label, str(declared[i]), str(late[i]), str(returns[i]))
              for i, b in enumerate(bins)))


def reviews_overdue(decisions: Sequence[DecisionFacts], as_of: dt.date,
                    target_days: int = OVERDUE_AFTER_WORKING_DAYS) -> Chart:
    """Decisions waiting for governance review, by working days since submission as of a day:
    within the target, and overdue by how much."""
    waiting = [working_days_between(d.submitted_on, as_of) for d in decisions
               if d.status in AWAITING_REVIEW and d.submitted_on]
    bands = ((0, target_days), (target_days + 1, 2 * target_days), (2 * target_days + 1, None))
    values = tuple(sum(1 for n in waiting if n >= low and (high is None or n <= high))
                   for low, high in bands)
    labels = (f"Within target (up to {target_days} working days)",
              f"Overdue: {target_days + 1} to {2 * target_days} working days",
              f"Overdue: more than {2 * target_days} working days")
    overdue = values[1] + values[2]
    return Chart(
        "overdue", "Reviews overdue",
        f"Decisions waiting for governance review, by working days since submission, counted "
        f"to {as_of.day} {_MONTHS[as_of.month - 1]} {as_of.year}: {overdue} of {len(waiting)} "
        f"overdue (the target is {target_days} working days).",
        labels, (Series("Decisions waiting", values),), ("Waiting", "Decisions"),
        tuple((label, str(n)) for label, n in zip(labels, values, strict=True))
        + (("All waiting", str(len(waiting))),),
        horizontal=True)


def figures(facts: FigureFacts, as_of: dt.date,
            target_days: int = OVERDUE_AFTER_WORKING_DAYS) -> Figures:
    """Every figure for the facts' period, as of a day (for the reviews still waiting)."""
    bins = bins_for(facts.date_from, facts.date_to)
    decisions = [d for d in facts.decisions if facts.date_from <= d.meeting_date <= facts.date_to]
    return Figures(facts.date_from, facts.date_to, as_of, len(decisions), (
        by_choice(decisions, bins),
        by_route(decisions),
        sign_off_time(decisions),
        flagged_share(decisions, bins),
        late_declarations(facts.declarations, facts.late_returns, bins),
        reviews_overdue(decisions, as_of, target_days),
    ))
