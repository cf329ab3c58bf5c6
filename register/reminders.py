"""The scheduled reminders `flask --app register send-reminders` sends (from cron or a systemd
timer, once a day): to each decision-maker whose annual declaration is due, and to each
governance lead a digest of the reviews past their target and the standstills ending soon. Each
reminder is sent once in its interval (the `reminders_sent` table remembers), queued in the
outbox and delivered by mail.py.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from . import mail
from .db import write_transaction
from .interests.queries import missing_returns
from .reviews import queries as review_queries
from .rules.interests import RETURN_EVERY_MONTHS
from .rules.text import is_email

# An annual return reminder goes again after this many days while the return is still due.
RETURN_REMINDER_EVERY_DAYS = 7


@dataclass(frozen=True)
class Reminder:
    """One reminder to one person: what it is about (`key`, for sending it once), who it goes to
    and the message."""

    key: str
    kind: str
    name: str
    message: mail.Message
    # A campaign whose close this message tells of: queueing it records the close.
    closes_campaign: int | None = None
    closed_on: dt.date | None = None


def _annual_returns(db: Database, today: dt.date) -> list[Reminder]:
    emails = {r["id"]: r["email"] for r in db.query("SELECT id, email FROM people")}
    # Those asked by an open campaign hear from the campaign instead.
    from .campaigns.queries import open_campaigns

    in_campaign = {r[0] for r in db.execute(
        "SELECT person_id FROM campaign_people WHERE campaign_id IN"
        " (SELECT value FROM json_each(?))",
        [json.dumps([c["id"] for c in open_campaigns(db, today)])])}
    window = today.toordinal() // RETURN_REMINDER_EVERY_DAYS
    out = []
    for row in missing_returns(db, today):
        if row["id"] in in_campaign:
            continue
        address = (emails.get(row["id"]) or "").strip()
        if not is_email(address):
            continue
        since = (f"You have made no declaration or nil return since {row['last_date']}."
                 if row["last_date"] else "You have made no declaration or nil return yet.")
        out.append(Reminder(
            f"annual_return:{row['id']}:{window}", "annual return", row["name"],
            mail.Message(
                to=address, subject="Your annual declaration of interests is due",
                lines=(f"Dear {row['name']},",
                       f"Everyone who takes part in decisions confirms their declarations of "
                       f"interests every {RETURN_EVERY_MONTHS} months. {since}",
                       "Sign in to confirm your declarations, or make a nil return if you have "
                       "none."),
                link_path="/interests/", link_text="Confirm your declarations",
                kind="annual_return")))
    return out


def _governance_digest(db: Database, today: dt.date, target: int) -> list[Reminder]:
    """Each governance lead's daily digest: the reviews past their target, and the standstills
    ending within the next few working days on decisions the lead may read."""
    from .decisions.access import Viewer
    from .notices.queries import standstills_ending
    from .timeutil import long_date

    rows = review_queries.queue(db, today, target, page=1, page_size=500).rows
    overdue = [r for r in rows if r["overdue"]]
    leads = list(db.query(
        "SELECT users.id, users.person_id, people.name, people.email FROM users"
        " JOIN people ON people.id = users.person_id"
        " WHERE users.role = 'governance' AND users.active = 1 ORDER BY people.name"))
    out = []
    for lead in leads:
        if not is_email((lead["email"] or "").strip()):
            continue
        ending = standstills_ending(db, Viewer(sees_all=True, user_id=lead["id"],
                                               person_id=lead["person_id"]), today)
        if not overdue and not ending:
            continue
        lines: list[str] = []
        if overdue:
            lines += [f"These decisions have waited longer than {target} working days for a "
                      f"governance lead:",
                      *(f"{r['reference']}: {r['title']}, waiting {r['age']} working days"
                        for r in overdue)]
        if ending:
            lines += ["Standstills ending soon:",
                      *(f"{s.reference}: {s.title}, standstill ends "
                        f"{long_date(s.clock.ends_on)}" for s in ending)]
        if overdue:
            subject = (f"{len(overdue)} conflicts review{'s are' if len(overdue) != 1 else ' is'}"
                       f" past the {target}-working-day target")
        else:
            subject = (f"{len(ending)} standstill{'s end' if len(ending) != 1 else ' ends'} "
                       f"in the next few working days")
        out.append(Reminder(
            f"governance_digest:{lead['id']}:{today.isoformat()}", "governance digest",
            lead["name"], mail.Message(to=lead["email"], subject=subject, lines=tuple(lines),
                                       link_path="/reviews/",
                                       link_text="Open the governance queue",
                                       kind="governance_digest")))
    return out


def _campaigns(db: Database, today: dt.date) -> list[Reminder]:
    """Each open campaign's invitation, reminders and deadline reminder to those who have not
    answered it yet."""
    from .campaigns import queries as campaign_queries
    from .rules import campaigns as campaign_rules
    from .timeutil import long_date

    out = []
    for campaign in campaign_queries.open_campaigns(db, today):
        opened = dt.date.fromisoformat(campaign["opened_on"])
        deadline = dt.date.fromisoformat(campaign["deadline"])
        which = campaign_rules.reminder_due(today, opened, deadline,
                                            campaign["reminder_every_days"])
        if which is None:
            continue
        subject = {"opened": f"Confirm your declarations of interests by {long_date(deadline)}",
                   "reminder": f"Reminder: confirm your declarations by {long_date(deadline)}",
                   "deadline": "Today is the deadline to confirm your declarations"}[which]
        for person in campaign_queries.progress(db, campaign):
            address = (person["email"] or "").strip()
            if person["answered"] or not is_email(address):
                continue
            out.append(Reminder(
                f"campaign:{campaign['id']}:{person['id']}:{today.isoformat()}",
                f"campaign {which}", person["name"],
                mail.Message(
                    to=address, subject=subject,
                    lines=(f"Dear {person['name']},",
                           f"{campaign['title']}: everyone who takes part in decisions is asked "
                           f"to confirm their declarations of interests are complete, or make a "
                           f"nil return, by {long_date(deadline)}.",
                           "A new declaration on its own does not answer this: sign in and "
                           "confirm."),
                    link_path="/interests/", link_text="Confirm your declarations",
                    kind="campaign")))
    return out


def _closings(db: Database, today: dt.date) -> list[Reminder]:
    """For each campaign whose deadline has passed and whose close is not yet recorded, the
    governance leads' message that it closed (queueing it records the close)."""
    from .campaigns import queries as campaign_queries

    out = []
    for row in db.query("SELECT id FROM campaigns WHERE closed_on IS NULL ORDER BY id"):
        campaign = campaign_queries.get_campaign(db, row["id"], today)
        if campaign["closed"] is None:
            continue
        people = campaign_queries.progress(db, campaign)
        for name, message in campaign_queries.close_messages(db, campaign, people):
            out.append(Reminder(campaign_queries.close_key(campaign["id"], message.to),
                                "campaign closed", name, message,
                                closes_campaign=campaign["id"], closed_on=campaign["closed"]))
    return out


def due(db: Database, config: Mapping[str, Any], today: dt.date) -> list[Reminder]:
    """Every reminder due today that has not been sent in its interval."""
    found = [*_closings(db, today), *_campaigns(db, today), *_annual_returns(db, today),
             *_governance_digest(db, today,
                                 int(config.get("REVIEW_TARGET_WORKING_DAYS", 5)))]
    sent = {r[0] for r in db.execute("SELECT key FROM reminders_sent")}
    return [r for r in found if r.key not in sent]


def queue_all(db: Database, reminders: list[Reminder], today: dt.date) -> int:
    """Queue the reminders in the outbox and note each as sent, in one write; a campaign's close
    message also records the close (audited) in that write."""
    from .campaigns.queries import record_close

    with write_transaction(db):
        for reminder in reminders:
            if reminder.closes_campaign is not None and reminder.closed_on is not None:
                record_close(db, reminder.closes_campaign, reminder.closed_on,
                             actor="send-reminders")
            mail.queue(db, reminder.message)
            db["reminders_sent"].insert({"key": reminder.key,
                                         "to_address": reminder.message.to,
                                         "sent_on": today.isoformat()})
    return len(reminders)


def queue_summaries(db: Database) -> int:
    """Queue each person's daily summary of the messages waiting for it; returns how many."""
    found = mail.summaries(db)
    with write_transaction(db):
        for address, rows in found:
            mail.queue_summary(db, address, rows)
    return len(found)
