"""PDF builders: plain data in (from `loaders`), bytes out. No database, no web request."""
from __future__ import annotations

import datetime as dt
import io
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reportlab.platypus import Flowable

from ..rules.decisions import format_money
from ..rules.workflow import STATUS_LABELS
from ..rules.working_days import OVERDUE_AFTER_WORKING_DAYS, working_days_between
from ..timeutil import UK, long_date
from . import charts
from . import flowables as fl
from .templates import MARKINGS, RegisterDocTemplate

if TYPE_CHECKING:
    from ..reports.annual import AnnualSummary

AUTHOR_DEFAULT = "Board secretary"
OPEN_REVIEW = ("awaiting_review", "escalated")


@dataclass(frozen=True)
class PrintOptions:
    """How a document is printed: its security marking, and byte-for-byte reproducibility."""

    marking: str = "OFFICIAL"
    invariant: bool = False
    author: str = ""
    review_target_days: int = OVERDUE_AFTER_WORKING_DAYS

    def __post_init__(self) -> None:
        if self.marking not in MARKINGS:
            raise ValueError(f"The security marking must be one of {', '.join(MARKINGS)}")


def _render(story: list[Flowable], options: PrintOptions, *, title: str, subject: str,
            organisation: str, running_title: str | tuple[str, ...], printed_text: str,
            first_template: str = "cover", progress: Callable[[int], None] | None = None) -> bytes:
    buffer = io.BytesIO()
    doc = RegisterDocTemplate(
        buffer, title=title, author=options.author or organisation, subject=subject,
        organisation=organisation, marking=options.marking, invariant=options.invariant,
        running_title=running_title, printed=f"Printed {printed_text}" if printed_text else "",
        first_template=first_template, progress=progress)
    doc.build_document(story)
    return buffer.getvalue()


# ---- one decision ---------------------------------------------------------------------------

def build_decision_record(record: dict[str, Any], options: PrintOptions | None = None) -> bytes:
    """The audit record of one decision as a PDF."""
    options = options or PrintOptions()
    d = record["decision"]
    head = record["head"]
    story: list[Flowable] = [
        fl.para("Decision audit record", "Subtitle"),
        *fl.decision_section(record, level=0),
        *fl.verification_page(head["hash"], head["count"], record["printed_text"],
                              ok=head["ok"], problem=head["problem"]),
    ]
    return _render(story, options, title=f"Decision audit record {d['reference']}: {d['title']}",
                   subject=f"The audit record of make-or-buy decision {d['reference']}",
                   organisation=record["organisation"],
                   running_title=f"Decision audit record {d['reference']}",
                   printed_text=record["printed_text"])


# ---- the board's audit pack -----------------------------------------------------------------

def _uk_day(timestamp: str) -> dt.date:
    moment = dt.datetime.fromisoformat(timestamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(UK).date()


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "0%"


def pack_summary(decisions: Sequence[dict[str, Any]], as_of: dt.date,
                 target_days: int = OVERDUE_AFTER_WORKING_DAYS) -> dict[str, Any]:
    """The pack's figures: by status, by make or buy, share flagged, total value, working days
    from submission to sign-off, and reviews still open past the target as of a day."""
    count = len(decisions)
    flagged = sum(1 for d in decisions if d["flagged"])
    statuses = Counter(d["status"] for d in decisions)
    choices = Counter(d["choice_short"] for d in decisions)
    days = [working_days_between(_uk_day(d["submitted_at"]), _uk_day(d["signed_at"]))
            for d in decisions if d.get("submitted_at") and d.get("signed_at")]
    overdue = []
    for d in decisions:
        if d["status"] in OPEN_REVIEW and d.get("submitted_at"):
            waiting = working_days_between(_uk_day(d["submitted_at"]), as_of)
            if waiting > target_days:
                overdue.append([d["reference"], d["title"], long_date(_uk_day(d["submitted_at"])),
                                waiting])
    if days:
        median = statistics.median(days)
        median_text = f"{median:g}" if median == int(median) else f"{median:.1f}"
        days_text = (f"median {median_text}, longest {max(days)} (over {len(days)} sign-off"
                     f"{'s' if len(days) != 1 else ''})")
    else:
        days_text = "No decision in the period has been signed off yet"
    total = sum(d["total_value_pence"] or 0 for d in decisions)
    return {
        "count": count,
        "flagged": flagged,
        "flagged_share": _share(flagged, count),
        "total_value": format_money(total) or "£0.00",
        "by_status": [[STATUS_LABELS.get(s, s), n] for s, n in
                      sorted(statuses.items(), key=lambda kv: list(STATUS_LABELS).index(kv[0])
                             if kv[0] in STATUS_LABELS else 99)],
        "by_choice": [[c, n] for c, n in sorted(choices.items())],
        "working_days": days,
        "working_days_text": days_text,
        "overdue": overdue,
        "overdue_text": (f"{len(overdue)} still awaiting review more than {target_days} working "
                         f"days after submission" if overdue else "None"),
        "method": (f"Working days exclude weekends and bank holidays in England and Wales. A "
                   f"review is overdue when more than {target_days} working days have passed "
                   f"since submission without a sign-off, counted to {long_date(as_of)}. Values "
                   f"are the total contract values recorded."),
    }


def build_audit_pack(pack: dict[str, Any], options: PrintOptions | None = None, *,
                     progress: Callable[[int], None] | None = None) -> bytes:
    """The board's audit pack for a committee and period as a PDF; `progress` is told the number
    of pages done as each page is finished."""
    options = options or PrintOptions(marking=pack.get("marking", "OFFICIAL"))
    as_of = _uk_day(pack["printed_at"])
    figures = pack_summary(pack["decisions"], as_of, options.review_target_days)
    title = f"Board audit pack: {pack['committee']['name']}"
    cover = {
        **pack, "title": title, "marking": options.marking,
        "subtitle": "Conflicts of interest in make-or-buy decisions, " + pack["period_text"],
        "prepared_on_text": long_date(as_of),
    }
    head = pack["head"]
    story: list[Flowable] = [
        *fl.cover_sheet(cover),
        *fl.contents(),
        *fl.summary(figures),
        *charts.figures_section(pack, options.review_target_days),
        *fl.register_section(pack["decisions"], pack["period_text"], pack.get("excluded", ())),
        *fl.flagged_sections(pack["records"], pack.get("excluded", ())),
        *fl.interests_section(pack["interests"]),
        *fl.gifts_section(pack.get("gifts", ()), pack["period_text"]),
        *fl.breaches(pack["breaches"]),
        *fl.verification_page(head["hash"], head["count"], pack["printed_text"], ok=head["ok"],
                              problem=head["problem"]),
    ]
    return _render(story, options, title=title,
                   subject=(f"Register of procurement decisions, flagged decisions, register of "
                            f"interests and breaches, {pack['period_text']}"),
                   organisation=pack["organisation"],
                   running_title=(f"{title}, {pack['period_text']}",
                                  f"{title}, {pack['period_short']}",
                                  f"Audit pack: {pack['committee']['name']}, "
                                  f"{pack['period_short']}",
                                  f"{pack['committee']['name']}, {pack['period_short']}"),
                   printed_text=pack["printed_text"], progress=progress)


# ---- the register of interests for publication ----------------------------------------------

def build_interests_register(register: dict[str, Any], options: PrintOptions | None = None
                             ) -> bytes:
    """The register of interests for publication as a PDF (landscape pages)."""
    options = options or PrintOptions()
    title = f"Register of interests, {register['on_text']}"
    story: list[Flowable] = [
        fl.heading(title, 0),
        fl.para(register["explanation"], "Note"),
        *fl.interests_table(register["rows"]),
    ]
    return _render(story, options, title=title,
                   subject=f"The published register of interests of {register['organisation']}",
                   organisation=register["organisation"], running_title=title,
                   printed_text=register["printed_text"], first_template="landscape")


# ---- the register of gifts, hospitality and sponsorship ---------------------------------------

def build_gifts_register(rows: Sequence[dict[str, Any]], *, organisation: str, on_text: str,
                         printed_text: str, options: PrintOptions | None = None) -> bytes:
    """The published register of gifts, hospitality and sponsorship as a PDF (landscape)."""
    options = options or PrintOptions()
    title = f"Register of gifts, hospitality and sponsorship, {on_text}"
    story: list[Flowable] = [
        fl.heading(title, 0),
        fl.para("Offers that must be declared under NHS England's guidance on managing "
                "conflicts of interest, accepted or declined, newest first.", "Note"),
        *(fl.gifts_table(rows, fl.LANDSCAPE_WIDTH) if rows
          else [fl.para("No offers have been declared.")]),
    ]
    return _render(story, options, title=title,
                   subject=f"The published register of gifts, hospitality and sponsorship of "
                           f"{organisation}",
                   organisation=organisation, running_title=title, printed_text=printed_text,
                   first_template="landscape")


# ---- the annual summary of the Provider Selection Regime ------------------------------------

def build_annual_summary(summary: AnnualSummary, organisation: str,
                         options: PrintOptions | None = None, *, printed_text: str = "") -> bytes:
    """The year's use of the Provider Selection Regime as a PDF: routes, awards, conflicts."""
    from ..timeutil import uk_time, utcnow

    options = options or PrintOptions()
    printed_text = printed_text or ("" if options.invariant else uk_time(utcnow()))
    w = fl.PORTRAIT_WIDTH
    title = f"Use of the Provider Selection Regime, {summary.label}"
    period = f"{long_date(summary.date_from)} to {long_date(summary.date_to)}"
    story: list[Flowable] = [
        fl.heading(title, 0),
        fl.para(f"{organisation}. Decisions taken under the Provider Selection Regime with a "
                f"meeting from {period} that have been decided or published.", "Note"),
        fl.heading("Decisions by route", 1),
        fl.data_table(["Route", "Decisions", "Awards", "Total value"],
                      [[r.label, r.count, r.awards, format_money(r.value_pence) or "£0.00"]
                       for r in summary.routes]
                      + [["All routes", summary.decisions, sum(r.awards for r in summary.routes),
                          summary.total_value_text]],
                      [w * 0.5, w * 0.15, w * 0.15, w * 0.2]),
        fl.heading("How conflicts of interest were managed", 1),
        fl.key_values([
            ("Decisions with a conflict of interest",
             f"{summary.decisions_with_conflicts} of {summary.decisions}"),
            ("People conflicted (one per decision)", summary.people_conflicted),
            *((f"Ruling: {label}", count) for label, count in summary.rulings),
            ("Conflicts not yet ruled on", summary.not_ruled),
            ("Decisions with conflicts signed off by a governance lead", summary.signed_off),
        ]),
        fl.heading("The awards", 1),
    ]
    if summary.awards:
        story.append(fl.data_table(
            ["Decision", "Route and provider", "Value and term", "Conflicts and how managed"],
            [[f"{a.reference}\n{a.title}\n{a.committee}, {long_date(a.meeting_date)}",
              f"{a.route}\n{a.provider or 'No provider awarded'}"
              + (f"\nPublished: {a.published_where}" if a.published_where else ""),
              f"{format_money(a.value_pence) or 'Value not recorded'}\n"
              + (f"{long_date(a.contract_start) or 'not set'} to "
                 f"{long_date(a.contract_end) or 'not set'}"
                 if a.contract_start or a.contract_end else "Term not recorded"),
              "\n".join(c.text for c in a.conflicts) or "None noted"]
             for a in summary.awards],
            [w * 0.22, w * 0.2, w * 0.16, w * 0.42], small=True))
    else:
        story.append(fl.para("No decision was taken under the regime in the year."))
    if summary.excluded:
        story.extend(fl.excluded_note(summary.excluded))
    return _render(story, options, title=title,
                   subject=f"The annual summary of {organisation}'s use of the Provider "
                           f"Selection Regime, {period}",
                   organisation=organisation, running_title=title, printed_text=printed_text,
                   first_template="body")
