"""The annual summary of the organisation's use of the Provider Selection Regime, for a financial
year (1 April to 31 March): how many decisions each route decided and their value, the awards,
and how the conflicts of interest were managed.

A decision counts when it was taken under the regime (`regime = 'psr'`), has been decided (its
status is *decided* or *published*) and its meeting fell in the year. The figures are counted
from the decisions' records (`register.decisions.record`); `summarise` is plain data in, data
out. Which decisions a reader may see is the one access rule (`register.decisions.access`).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlite_utils import Database

from ..decisions import access, record, serialise
from ..rules.decisions import PROCESSES, format_money
from ..rules.publication import financial_year_dates, financial_year_label
from ..rules.rulings import RULINGS

REGIME = "psr"
DECIDED = ("decided", "published")


@dataclass(frozen=True)
class RouteLine:
    """One route of the regime: how many decisions took it and their total value."""

    process: str
    label: str
    count: int
    value_pence: int
    awards: int


@dataclass(frozen=True)
class Award:
    """One decision of the year, as the summary lists it."""

    reference: str
    title: str
    route: str
    meeting_date: dt.date | None
    committee: str
    provider: str | None
    value_pence: int | None
    contract_start: dt.date | None
    contract_end: dt.date | None
    status: str
    published_where: str
    conflicts: tuple[serialise.ConflictWords, ...]


@dataclass(frozen=True)
class AnnualSummary:
    """The year's figures, awards and conflicts."""

    first_year: int
    label: str
    date_from: dt.date
    date_to: dt.date
    routes: tuple[RouteLine, ...]
    awards: tuple[Award, ...]
    decisions: int
    total_value_pence: int
    decisions_with_conflicts: int
    people_conflicted: int
    rulings: tuple[tuple[str, int], ...]
    not_ruled: int
    signed_off: int
    excluded: tuple[str, ...] = field(default=())

    @property
    def total_value_text(self) -> str:
        """The total value of the year's decisions in pounds."""
        return format_money(self.total_value_pence) or "£0.00"


def counts(rec: record.DecisionRecord, date_from: dt.date, date_to: dt.date) -> bool:
    """Whether a decision belongs in the summary of the year from `date_from` to `date_to`."""
    return (rec.regime == REGIME and rec.status in DECIDED and rec.meeting_date is not None
            and date_from <= rec.meeting_date <= date_to)


def summarise(records: Sequence[record.DecisionRecord], first_year: int,
              excluded: Sequence[str] = ()) -> AnnualSummary:
    """The annual summary of these decisions (those outside the year or the regime are left
    out), routes in the regime's order, awards by meeting date."""
    date_from, date_to = financial_year_dates(first_year)
    chosen = sorted((r for r in records if counts(r, date_from, date_to)),
                    key=lambda r: (r.meeting_date, r.reference))
    routes = []
    for process, label in PROCESSES[REGIME].items():
        taking = [r for r in chosen if r.process == process]
        routes.append(RouteLine(process, label, len(taking),
                                sum(r.total_value_pence or 0 for r in taking),
                                sum(1 for r in taking if r.awarded_provider is not None)))
    unknown = [r for r in chosen if r.process not in PROCESSES[REGIME]]
    if unknown:
        routes.append(RouteLine("", "Route not recorded", len(unknown),
                                sum(r.total_value_pence or 0 for r in unknown),
                                sum(1 for r in unknown if r.awarded_provider is not None)))
    ruling_counts: Counter[str] = Counter()
    not_ruled = 0
    for rec in chosen:
        ruled = {r.person_id: r.ruling for r in rec.rulings}
        for person in rec.conflicted:
            if person.person_id in ruled:
                ruling_counts[ruled[person.person_id]] += 1
            else:
                not_ruled += 1
    awards = tuple(Award(
        rec.reference, rec.title, PROCESSES[REGIME].get(rec.process or "", "Route not recorded"),
        rec.meeting_date, rec.committee_name,
        rec.awarded_provider.name if rec.awarded_provider else None, rec.total_value_pence,
        rec.contract_start, rec.contract_end, rec.status, rec.award_published_where,
        tuple(serialise.conflicts_in_words(rec))) for rec in chosen)
    return AnnualSummary(
        first_year=first_year, label=financial_year_label(first_year), date_from=date_from,
        date_to=date_to, routes=tuple(routes), awards=awards, decisions=len(chosen),
        total_value_pence=sum(r.total_value_pence or 0 for r in chosen),
        decisions_with_conflicts=sum(1 for r in chosen if r.conflicted),
        people_conflicted=sum(len(r.conflicted) for r in chosen),
        rulings=tuple((label, ruling_counts[key]) for key, label in RULINGS.items()
                      if ruling_counts[key]),
        not_ruled=not_ruled,
        signed_off=sum(1 for r in chosen if r.conflicted and r.sign_off is not None
                       and r.sign_off.voided_at is None),
        excluded=tuple(excluded))


def load_summary(db: Database, viewer: access.Viewer, first_year: int) -> AnnualSummary:
    """The annual summary of the decisions this reader may see; those they are excluded from
    are named by reference only."""
    date_from, date_to = financial_year_dates(first_year)
    year = ("decisions.regime = :regime AND decisions.status IN ('decided', 'published')"
            " AND decisions.meeting_date BETWEEN :date_from AND :date_to")
    year_params = {"regime": REGIME, "date_from": date_from.isoformat(),
                   "date_to": date_to.isoformat()}
    condition, params = access.visible(viewer)
    ids = [r["id"] for r in db.query(
        f"SELECT decisions.id FROM decisions WHERE {condition} AND {year}"
        " ORDER BY decisions.meeting_date, decisions.reference", {**params, **year_params})]
    records = [rec for start in range(0, len(ids), 500)
               for rec in record.load_records(db, ids[start:start + 500])]
    shut_out = access.excluded_ids(db, viewer)
    excluded = sorted(r["reference"] for r in db.query(
        f"SELECT id, reference FROM decisions WHERE {year}", year_params) if r["id"] in shut_out)
    return summarise(records, first_year, excluded)


ROUTE_COLUMNS = ["Route", "Decisions", "Awards", "Total value (£)"]
AWARD_COLUMNS = ["Reference", "Contract or service title", "Route", "Meeting date", "Committee",
                 "Provider awarded", "Contract value, total (£)", "Contract start date",
                 "Contract end date", "Where the award was published",
                 "Conflicts of interest noted", "How each conflict was managed"]


def summary_csv(summary: AnnualSummary) -> str:
    """The summary as CSV text: the routes table, a blank line, then the awards table."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f"Use of the Provider Selection Regime, financial year {summary.label}"])
    writer.writerow(ROUTE_COLUMNS)
    for line in summary.routes:
        writer.writerow([line.label, line.count, line.awards, serialise.pounds(line.value_pence)])
    writer.writerow(["All routes", summary.decisions, sum(r.awards for r in summary.routes),
                     serialise.pounds(summary.total_value_pence)])
    writer.writerow([])
    writer.writerow(AWARD_COLUMNS)
    for award in summary.awards:
        writer.writerow([serialise.neutralise(str(cell)) if isinstance(cell, str) else cell
                         for cell in (
            award.reference, award.title, award.route, record.iso(award.meeting_date) or "",
            award.committee, award.provider or "", serialise.pounds(award.value_pence) or "",
            record.iso(award.contract_start) or "", record.iso(award.contract_end) or "",
            award.published_where,
            "\n".join(f"{c.person}: {c.interest}" for c in award.conflicts) or "None noted",
            "\n".join(f"{c.person}: {c.managed}" for c in award.conflicts))])
    for reference in summary.excluded:
        writer.writerow([reference, access.EXCLUDED_WORDS, *("" for _ in AWARD_COLUMNS[2:])])
    return out.getvalue()
