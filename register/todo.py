"""Each person's to-do list on the home page: what waits on them, by what their role may do, each
item a count and a link. One place says what each role's list holds; reading it never writes."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import url_for
from sqlite_utils import Database

from .reviews.queries import ACTION_STATUSES
from .timeutil import long_date


@dataclass(frozen=True)
class Task:
    """One line of the to-do list: how many, what, where to do it, and a hint."""

    count: int
    label: str
    href: str
    hint: str = ""
    urgent: bool = False


def _count(db: Database, sql: str, params: list[Any] | None = None) -> int:
    return db.execute(sql, params or []).fetchone()[0]


def _governance(db: Database, user: Any, today: dt.date, target: int) -> list[Task]:
    from .interests.queries import approval_count
    from .reviews import queries as review_queries

    rows = review_queries.queue(db, today, target, page=1, page_size=500).rows
    waiting = [r for r in rows if r["status"] in ACTION_STATUSES]
    overdue = sum(1 for r in waiting if r["overdue"])
    tasks = [Task(len(waiting), "decisions waiting for a conflicts review",
                  url_for("reviews.index"),
                  f"{overdue} past the {target}-working-day target" if overdue else "",
                  urgent=bool(overdue)),
             Task(approval_count(db), "declarations waiting for your approval",
                  url_for("interests.approvals"))]
    from .campaigns.queries import open_campaigns, progress

    for campaign in open_campaigns(db, today):
        people = progress(db, campaign)
        left = sum(1 for p in people if not p["answered"])
        tasks.append(Task(left, f"still to answer {campaign['title']}",
                          url_for("campaigns.show", campaign_id=campaign["id"]),
                          f"{len(people) - left} of {len(people)} have answered"))
    tasks.append(Task(_count(db, "SELECT count(*) FROM breaches WHERE closed_on IS NULL"),
                      "breaches open", url_for("breaches.index", state="open")))
    return tasks


def _secretary(db: Database, user: Any, today: dt.date) -> list[Task]:
    from .decisions.modifications import renewals

    coming = renewals(db, today, 6)
    return [
        Task(_count(db, "SELECT count(*) FROM decisions WHERE status = 'draft'"),
             "drafts to finish", url_for("decisions.index")),
        Task(_count(db, "SELECT count(*) FROM decisions WHERE status = 'returned'"),
             "decisions returned for more information", url_for("decisions.index"),
             urgent=True),
        Task(_count(db, "SELECT count(*) FROM decisions WHERE status IN"
                        " ('ready_for_decision', 'signed_off')"),
             "outcomes to record", url_for("decisions.index")),
        Task(len(coming), "contracts ending within 6 months",
             url_for("contracts.renewals", months=6), "start the next decision in time"),
    ]


def _member(db: Database, user: Any, today: dt.date) -> list[Task]:
    from .interests.queries import return_state

    tasks = []
    state = return_state(db, user.person_id, today)
    if (first := state["campaign"]) is not None:
        tasks.append(Task(1, f"campaign to answer: {first['title']}",
                          url_for("interests.person", person_id=user.person_id),
                          f"Confirm your declarations by {long_date(first['deadline'])}",
                          urgent=True))
    elif state["is_due"]:
        tasks.append(Task(1, "annual declaration to confirm",
                          url_for("interests.person", person_id=user.person_id), urgent=True))
    tasks.append(Task(_count(db, "SELECT count(*) FROM interests WHERE person_id = ?"
                                 " AND approval = 'returned' AND withdrawn = 0",
                             [user.person_id]),
                      "declarations returned to you for changes",
                      url_for("interests.person", person_id=user.person_id), urgent=True))
    return tasks


def _auditor(db: Database, today: dt.date) -> list[Task]:
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return [
        Task(_count(db, "SELECT count(*) FROM decisions WHERE meeting_date >= ?",
                    [quarter_start.isoformat()]),
             "decisions this quarter", url_for("reports.index"),
             "print the board audit pack from Reports"),
        Task(_count(db, "SELECT count(*) FROM breaches WHERE closed_on IS NULL"),
             "breaches open", url_for("breaches.index", state="open")),
    ]


def _admin(db: Database) -> list[Task]:
    return [
        Task(_count(db, "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND digest = 0"),
             "emails not yet sent", url_for("mail.outbox")),
    ]


def tasks_for(db: Database, user: Any, today: dt.date, *, review_target: int) -> list[Task]:
    """The signed-in user's to-do list, by their role; own declarations for anyone linked to a
    person."""
    tasks: list[Task] = []
    if user.can("review_decisions"):
        tasks += _governance(db, user, today, review_target)
    if user.can("record_outcomes"):
        tasks += _secretary(db, user, today)
    if user.role == "auditor":
        tasks += _auditor(db, today)
    if user.can("manage_accounts"):
        tasks += _admin(db)
    if user.person_id:
        tasks += _member(db, user, today)
    return tasks
