"""Reading and writing declaration campaigns."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlite_utils import Database

from .. import audit
from ..db import write_transaction
from ..rules import campaigns as rules
from ..timeutil import utcnow_iso


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


def close_campaign(db: Database, campaign_id: int, *, actor: str, today: dt.date) -> None:
    """Close a campaign: who had not answered by then stays listed as a non-declarer."""
    with write_transaction(db):
        db.execute("UPDATE campaigns SET closed_on = ? WHERE id = ? AND closed_on IS NULL",
                   [today.isoformat(), campaign_id])
        audit.record(db, actor=actor, action="close", entity="campaign", entity_id=campaign_id,
                     changes={"closed_on": [None, today.isoformat()]})


def _campaign(row: dict[str, Any]) -> dict[str, Any]:
    row["kind_label"] = rules.KINDS.get(row["kind"], row["kind"])
    row["committee_ids"] = json.loads(row["scope"]) if row["scope"] else []
    return row


def campaigns(db: Database) -> list[dict[str, Any]]:
    """Every campaign, open first, newest first, with its progress counts."""
    out = []
    for row in db.query("SELECT * FROM campaigns ORDER BY closed_on IS NOT NULL,"
                        " opened_on DESC, id DESC"):
        row = _campaign(dict(row))
        people = progress(db, row)
        row["total"] = len(people)
        row["answered"] = sum(1 for p in people if p["answered"])
        out.append(row)
    return out


def get_campaign(db: Database, campaign_id: int) -> dict[str, Any] | None:
    """One campaign, or None."""
    row = next(iter(db.query("SELECT * FROM campaigns WHERE id = ?", [campaign_id])), None)
    return _campaign(dict(row)) if row else None


def progress(db: Database, campaign: dict[str, Any]) -> list[dict[str, Any]]:
    """Each person in the campaign with their latest confirmation or nil return up to its close
    (or today) and whether it answers the campaign, by name."""
    opened = dt.date.fromisoformat(campaign["opened_on"])
    until = campaign.get("closed_on") or "9999-12-31"
    rows = list(db.query(
        "SELECT people.id, people.name, people.email,"
        " (SELECT max(returned_on) FROM declaration_returns"
        "  WHERE declaration_returns.person_id = people.id AND returned_on <= ?) AS last_return"
        " FROM campaign_people JOIN people ON people.id = campaign_people.person_id"
        " WHERE campaign_people.campaign_id = ? ORDER BY people.name COLLATE NOCASE, people.id",
        [until, campaign["id"]]))
    for row in rows:
        last = dt.date.fromisoformat(row["last_return"]) if row["last_return"] else None
        row["answered"] = rules.answered(last, opened)
    return rows


def published_non_declarers(db: Database) -> list[dict[str, Any]]:
    """For each closed campaign the organisation chose to publish, who did not answer it."""
    out = []
    for row in db.query("SELECT * FROM campaigns WHERE closed_on IS NOT NULL"
                        " AND publish_non_declarers = 1 ORDER BY closed_on DESC, id DESC"):
        campaign = _campaign(dict(row))
        campaign["non_declarers"] = [p["name"] for p in progress(db, campaign)
                                     if not p["answered"]]
        out.append(campaign)
    return out
