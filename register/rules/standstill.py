"""Notices and standstill under the Provider Selection Regime (PSR).

Before awarding a contract by direct award process C, the most suitable provider process or the
competitive process, the commissioner publishes a notice of its intention to award and then waits
a standstill period of 8 working days (England and Wales), during which providers may make
representations. Only when the standstill has ended and every representation has been answered may
the award be confirmed and the award confirmation notice published.

Urgent awards and direct award processes A and B have no standstill: the regulations do not ask
for an intention notice for them. Decisions under the 2013 procurement regulations are outside
these rules.

Each `*_problem` function returns None when the input is acceptable, or the message to show the
user, in their words, when it is not.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from register.rules.working_days import add_working_days, working_days_between

STANDSTILL_WORKING_DAYS = 8
NO_STANDSTILL_PROCESSES = ("urgent_award", "direct_award_a", "direct_award_b")
# A notice follows the decision: its outcome is recorded (decided) or it is published.
NOTICE_STATUSES = ("decided", "published")
# Standstills ending within this many working days are shown on the queue and the home page.
ENDING_SOON_WORKING_DAYS = 5

NOTICE_KINDS = {
    "intention": "Intention to award notice",
    "award": "Award confirmation notice",
}

OUT_OF_SCOPE = ("Decisions under the 2013 procurement regulations have no standstill recorded "
                "here: their notices follow those regulations.")


def has_standstill(regime: str | None, process: str | None) -> bool:
    """Whether a decision's route needs an intention notice and a standstill before the award."""
    return regime == "psr" and bool(process) and process not in NO_STANDSTILL_PROCESSES


def notices_apply(regime: str | None) -> bool:
    """Whether the register records PSR notices for a decision under this regime."""
    return regime == "psr"


def standstill_end(notice_on: dt.date) -> dt.date:
    """The last day of the standstill: 8 working days after the intention notice's date."""
    return add_working_days(notice_on, STANDSTILL_WORKING_DAYS)


def in_standstill(notice_on: dt.date, today: dt.date) -> bool:
    """Whether the standstill that began with a notice on `notice_on` is still running today."""
    return notice_on <= today <= standstill_end(notice_on)


def ending_soon(notice_on: dt.date, today: dt.date,
                within: int = ENDING_SOON_WORKING_DAYS) -> bool:
    """Whether a running standstill ends within `within` working days of today."""
    return in_standstill(notice_on, today) and \
        working_days_between(today, standstill_end(notice_on)) <= within


@dataclass(frozen=True)
class Clock:
    """Where a standstill stands on a given day, in words for the page and the pack."""

    notice_on: dt.date
    ends_on: dt.date
    today: dt.date

    @property
    def running(self) -> bool:
        """Whether the standstill has not yet ended."""
        return self.today <= self.ends_on

    @property
    def working_days_left(self) -> int:
        """Working days from today to the end (0 on the last day or after it)."""
        return working_days_between(self.today, self.ends_on)

    @property
    def sentence(self) -> str:
        """'Standstill ends Tuesday 5 January 2027, 3 working days from today'."""
        ends = long_day(self.ends_on)
        if self.today > self.ends_on:
            return f"Standstill ended {ends}"
        left = self.working_days_left
        if left == 0:
            return f"Standstill ends {ends}, today"
        return (f"Standstill ends {ends}, {left} working day{'s' if left != 1 else ''} "
                f"from today")


def clock(notice_on: dt.date, today: dt.date) -> Clock:
    """The standstill clock for an intention notice published on `notice_on`."""
    return Clock(notice_on, standstill_end(notice_on), today)


def long_day(day: dt.date) -> str:
    """'Tuesday 5 January 2027'."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def notice_date_problem(kind: str, notice_on: dt.date | None, *, meeting_date: dt.date | None,
                        today: dt.date) -> str | None:
    """Why a notice's date cannot be accepted: missing, before the meeting or in the future."""
    noun = NOTICE_KINDS[kind].lower()
    if notice_on is None:
        return f"Enter the date the {noun} was published"
    if meeting_date is not None and notice_on < meeting_date:
        return (f"The {noun} cannot be published before the decision was taken at the meeting "
                f"on {long_day(meeting_date)}")
    if notice_on > today:
        return f"The date the {noun} was published must be today or in the past"
    return None


def notice_status_problem(kind: str, status: str, regime: str | None,
                          process: str | None, has_award: bool) -> str | None:
    """Why a notice cannot be recorded for a decision in its present state and route."""
    noun = NOTICE_KINDS[kind].lower()
    if not notices_apply(regime):
        return f"An {noun} is recorded only for decisions under the Provider Selection Regime"
    if status not in NOTICE_STATUSES:
        return f"Record the outcome of the decision before its {noun}"
    if not has_award:
        return f"The decision awarded no contract, so there is no {noun} to record"
    if kind == "intention" and not has_standstill(regime, process):
        return ("This route has no standstill and needs no intention to award notice: record "
                "the award confirmation notice")
    if kind == "intention" and status == "published":
        return "The award has been published: its intention to award notice can no longer change"
    return None


def notice_route_problem(kind: str, regime: str | None, process: str | None) -> str | None:
    """Why a decision's regime and route take no notice of this kind (whatever its status)."""
    noun = NOTICE_KINDS[kind].lower()
    if not notices_apply(regime):
        return f"An {noun} is recorded only for decisions under the Provider Selection Regime"
    if kind == "intention" and not has_standstill(regime, process):
        return ("This route has no standstill and needs no intention to award notice: record "
                "the award confirmation notice")
    return None


def typed_end_problem(typed: dt.date | None, notice_on: dt.date) -> str | None:
    """Refuse a standstill end typed by hand that is not the computed one (never shortened)."""
    if typed is None:
        return None
    computed = standstill_end(notice_on)
    if typed != computed:
        return (f"The standstill ends {long_day(computed)}, 8 working days after the intention "
                f"notice: it cannot be set by hand to {long_day(typed)}")
    return None


def representation_problem(received_on: dt.date | None, *, notice_on: dt.date | None,
                           today: dt.date) -> str | None:
    """Why a representation's date cannot be accepted: it must fall within the standstill."""
    if notice_on is None:
        return "Record the intention to award notice before any representation"
    if received_on is None:
        return "Enter the date the representation was received"
    if received_on > today:
        return "The date the representation was received must be today or in the past"
    if received_on < notice_on:
        return (f"A representation cannot be received before the intention to award notice of "
                f"{long_day(notice_on)}")
    end = standstill_end(notice_on)
    if received_on > end:
        return (f"The standstill ended {long_day(end)}: a representation received on "
                f"{long_day(received_on)} is too late to record")
    return None


def response_problem(responded_on: dt.date | None, *, received_on: dt.date,
                     today: dt.date) -> str | None:
    """Why a response's date cannot be accepted."""
    if responded_on is None:
        return "Enter the date of the response"
    if responded_on < received_on:
        return (f"The response cannot be dated before the representation was received on "
                f"{long_day(received_on)}")
    if responded_on > today:
        return "The date of the response must be today or in the past"
    return None


def award_confirmation_problem(notice_on: dt.date, *, regime: str | None, process: str | None,
                               intention_on: dt.date | None, open_representations: int
                               ) -> str | None:
    """Whether the award may be confirmed on `notice_on`: after the standstill (if the route has
    one) and with every representation answered; None when it may."""
    if not has_standstill(regime, process):
        return None
    if intention_on is None:
        return "Record the intention to award notice first: this route has a standstill"
    end = standstill_end(intention_on)
    if notice_on <= end:
        return (f"The award cannot be confirmed until the standstill has ended: it ends "
                f"{long_day(end)}")
    if open_representations:
        count = open_representations
        return (f"{count} representation{'s are' if count != 1 else ' is'} still waiting for a "
                f"response: answer {'them' if count != 1 else 'it'} before confirming the award")
    return None
