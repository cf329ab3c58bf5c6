"""Reading and writing declaration campaigns."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlite_utils import Database

from .. import audit, mail
from ..db import write_transaction
from ..rules import campaigns as rules
from ..rules.text import is_email
from ..timeutil import long_date, utcnow_iso


def people_in_scope(db: Database, committee_ids: list[int]) -> list[int]:
    """Every decision-maker, or the members of these committees."""
    if not committee_ids:
        return [r[0] for r in db.execute(
            "SELECT id FROM people WHERE is_decision_maker = 1 ORDER BY id")]
    return [r[0] for r in db.execute(
        "SELECT DISTINCT person_id FROM committee_members WHERE committee_id IN"
        " (SELECT value FROM json_each(?)) ORDER BY person_id", [json.dumps(committee_ids)])]


def open_campaign(db: Database, values: dict[str, Any], committee_ids: list[int], *,
                  user_id: int, actor: str, today: dt.date) -> int:
    """Open a campaign for the people in scope now (kept, so the list does not move)."""
    record = {**values, "scope": json.dumps(committee_ids) if committee_ids else "",
              "opened_on": today.isoformat(), "created_by_user_id": user_id,
              "created_at": utcnow_iso()}
    with write_transaction(db):
        campaign_id = db["campaigns"].insert(record).last_pk
        people = people_in_scope(db, committee_ids)
        db["campaign_people"].insert_all([{"campaign_id": campaign_id, "person_id": p}
                                          for p in people])
        audit.record(db, actor=actor, action="create", entity="campaign", entity_id=campaign_id,
                     after={**record, "people": people})
    return campaign_id


def close_key(campaign_id: int, address: str) -> str:
    """The key that marks a campaign's close message to one address as sent (reminders_sent)."""
    return f"campaign_closed:{campaign_id}:{address.lower()}"


def close_recipients(db: Database, campaign: dict[str, Any]) -> list[tuple[str, str]]:
    """Who hears that a campaign closed, as (name, address): the governance lead who opened it,
    else (left, or no email) every active governance lead with an email."""
    sql = ("SELECT people.name, people.email FROM users JOIN people ON people.id = users.person_id"
           " WHERE users.role = 'governance' AND users.active = 1 AND people.email != ''")
    rows = list(db.query(sql + " AND users.id = ?", [campaign["created_by_user_id"]]))
    if not rows:
        rows = list(db.query(sql + " ORDER BY people.name, users.id"))
    found: dict[str, str] = {}
    for row in rows:
        address = row["email"].strip()
        if is_email(address):
            found.setdefault(address.lower(), row["name"])
    return [(name, address) for address, name in found.items()]


def close_messages(db: Database, campaign: dict[str, Any],
                   people: list[dict[str, Any]]) -> list[tuple[str, mail.Message]]:
    """The message each governance lead receives when a campaign closes, with the lead's name:
    the non-declarers by count (their names stay in the register) and a link to the campaign."""
    missing = sum(1 for p in people if p["answer"] == "did_not_declare")
    closed = campaign["closed"]
    subject = (f"{campaign['title']} has closed: {missing} of {len(people)} did not declare"
               if missing else f"{campaign['title']} has closed: everyone declared")
    how = ("closed early" if closed < dt.date.fromisoformat(campaign["deadline"])
           else "reached its deadline")
    lines = [f"{campaign['title']} {how} on {long_date(closed)}.",
             f"{len(people) - missing} of {len(people)} people asked confirmed their declarations "
             f"or made a nil return; {missing} did not declare."]
    if missing:
        lines.append("Sign in to see who did not declare"
                     + (" (the list is published, as the organisation chose)."
                        if campaign["publish_non_declarers"] else "."))
    return [(name, mail.Message(to=address, subject=subject,
                                lines=(f"Dear {name},", *lines),
                                link_path=f"/campaigns/{campaign['id']}",
                                link_text="Open the campaign", kind="campaign_closed"))
            for name, address in close_recipients(db, campaign)]


def record_close(db: Database, campaign_id: int, closed: dt.date, *, actor: str) -> bool:
    """Record a campaign's close on that day, with its audit event (call inside a write
    transaction); False when it was already recorded."""
    changed = db.execute("UPDATE campaigns SET closed_on = ? WHERE id = ? AND closed_on IS NULL",
                         [closed.isoformat(), campaign_id]).rowcount
    if changed:
        audit.record(db, actor=actor, action="close", entity="campaign", entity_id=campaign_id,
                     changes={"closed_on": [None, closed.isoformat()]})
    return bool(changed)


def close_campaign(db: Database, campaign_id: int, *, actor: str, today: dt.date) -> bool:
    """Close an open campaign early, today, and queue the governance leads' message, in one
    write; False (nothing written) when it had already closed. Closing is final."""
    with write_transaction(db):
        campaign = get_campaign(db, campaign_id, today)
        if campaign is None or campaign["closed"] is not None:
            return False
        record_close(db, campaign_id, today, actor=actor)
        campaign = get_campaign(db, campaign_id, today)
        for _name, message in close_messages(db, campaign, progress(db, campaign)):
            mail.queue(db, message)
            db["reminders_sent"].insert({"key": close_key(campaign_id, message.to),
                                         "to_address": message.to,
                                         "sent_on": today.isoformat()})
    return True


def extend_deadline(db: Database, campaign_id: int, new_deadline: dt.date, *, actor: str,
                    today: dt.date) -> str | None:
    """Move an open campaign's deadline later (audited); the reason in words when it cannot be,
    and then nothing is written."""
    with write_transaction(db):
        campaign = get_campaign(db, campaign_id, today)
        if campaign is None:
            return "There is no such campaign"
        problem = rules.extension_problem(new_deadline,
                                          dt.date.fromisoformat(campaign["deadline"]),
                                          campaign["closed"], today)
        if problem:
            return problem
        db.execute("UPDATE campaigns SET deadline = ? WHERE id = ?",
                   [new_deadline.isoformat(), campaign_id])
        audit.record(db, actor=actor, action="extend", entity="campaign", entity_id=campaign_id,
                     changes={"deadline": [campaign["deadline"], new_deadline.isoformat()]})
    return None


def _campaign(row: dict[str, Any], today: dt.date) -> dict[str, Any]:
    row["kind_label"] = rules.KINDS.get(row["kind"], row["kind"])
    row["committee_ids"] = json.loads(row["scope"]) if row["scope"] else []
    row["closed"] = rules.closed_on(
        dt.date.fromisoformat(row["closed_on"]) if row["closed_on"] else None,
        dt.date.fromisoformat(row["deadline"]), today)
    return row


def campaigns(db: Database, today: dt.date) -> list[dict[str, Any]]:
    """Every campaign, open first, newest first, with its progress counts."""
    out = []
    for row in db.query("SELECT * FROM campaigns ORDER BY opened_on DESC, id DESC"):
        row = _campaign(dict(row), today)
        people = progress(db, row)
        row["total"] = len(people)
        row["answered"] = sum(1 for p in people if p["answered"])
        out.append(row)
    return sorted(out, key=lambda row: row["closed"] is not None)


def open_campaigns(db: Database, today: dt.date) -> list[dict[str, Any]]:
    """The campaigns open today, soonest deadline first."""
    rows = [_campaign(dict(row), today) for row in
            db.query("SELECT * FROM campaigns WHERE closed_on IS NULL ORDER BY deadline, id")]
    return [row for row in rows if row["closed"] is None]


def unanswered_campaigns(db: Database, person_id: int, today: dt.date) -> list[dict[str, Any]]:
    """The campaigns open today that ask this person to confirm their declarations and that they
    have not answered since each opened, soonest deadline first."""
    mine = {r[0] for r in db.execute("SELECT campaign_id FROM campaign_people"
                                     " WHERE person_id = ?", [person_id])}
    if not mine:
        return []
    last = db.execute("SELECT max(returned_on) FROM declaration_returns WHERE person_id = ?",
                      [person_id]).fetchone()[0]
    return [c for c in open_campaigns(db, today)
            if c["id"] in mine and (not last or last < c["opened_on"])]


def get_campaign(db: Database, campaign_id: int, today: dt.date) -> dict[str, Any] | None:
    """One campaign as it stands today (`closed` is the day it closed, or None), or None."""
    row = next(iter(db.query("SELECT * FROM campaigns WHERE id = ?", [campaign_id])), None)
    return _campaign(dict(row), today) if row else None


def progress(db: Database, campaign: dict[str, Any]) -> list[dict[str, Any]]:
    """Each person in the campaign, by name, with their first confirmation or nil return since it
    opened and within its period (`answered_on`), and how they stand (`answer`: see
    rules.campaigns.answer); one who answered after the close is recorded as late and is no
    longer a non-declarer."""
    until = rules.answers_until(dt.date.fromisoformat(campaign["opened_on"]), campaign["kind"])
    rows = list(db.query(
        "SELECT people.id, people.name, people.email,"
        " (SELECT min(returned_on) FROM declaration_returns"
        "  WHERE declaration_returns.person_id = people.id AND returned_on >= ?"
        "  AND returned_on < ?) AS answered_on"
        " FROM campaign_people JOIN people ON people.id = campaign_people.person_id"
        " WHERE campaign_people.campaign_id = ? ORDER BY people.name COLLATE NOCASE, people.id",
        [campaign["opened_on"], until.isoformat(), campaign["id"]]))
    for row in rows:
        day = dt.date.fromisoformat(row["answered_on"]) if row["answered_on"] else None
        row["answer"] = rules.answer(day, campaign["closed"])
        row["answered"] = day is not None
    return rows


def published_non_declarers(db: Database, today: dt.date) -> list[dict[str, Any]]:
    """For each closed campaign the organisation chose to publish, who has not answered it (one
    who answered late leaves the list), and how many answered late."""
    out = []
    for row in db.query("SELECT * FROM campaigns WHERE publish_non_declarers = 1"
                        " ORDER BY deadline DESC, id DESC"):
        campaign = _campaign(dict(row), today)
        if campaign["closed"] is None:
            continue
        people = progress(db, campaign)
        campaign["non_declarers"] = [p["name"] for p in people if not p["answered"]]
        campaign["late"] = sum(1 for p in people if p["answer"] == "late")
        out.append(campaign)
    return sorted(out, key=lambda c: c["closed"], reverse=True)


def answered_late(db: Database, person_id: int, on: dt.date) -> list[dict[str, Any]]:
    """The closed campaigns that the person's confirmation or nil return on that day answers
    late: they were asked, had not answered, and it closed before that day."""
    out = []
    for row in db.query("SELECT campaigns.* FROM campaigns JOIN campaign_people"
                        " ON campaign_people.campaign_id = campaigns.id"
                        " WHERE campaign_people.person_id = ? ORDER BY campaigns.id",
                        [person_id]):
        campaign = _campaign(dict(row), on)
        if campaign["closed"] is None:
            continue
        mine = [p for p in progress(db, campaign) if p["id"] == person_id]
        if mine and mine[0]["answer"] == "late" and mine[0]["answered_on"] == on.isoformat():
            out.append(campaign)
    return out
