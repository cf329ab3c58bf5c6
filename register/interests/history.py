"""The register of interests as it stood at the end of a past day, rebuilt from the versions kept
whenever an entry is edited or withdrawn (`interest_versions`).

One owner for "as it stood then", used by the published register (page, CSV and PDF) and by the
board pack's register of the committee's members. Which entries count on a day is the pure rule
`rules.interests.on_register_on`; this module only brings each entry back to how it read then.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from ..rules.interests import on_register_on
from ..timeutil import UK


def end_of_day(on: dt.date) -> str:
    """The stored (UTC) form of the moment a day ends in England: midnight UK time that night."""
    midnight = dt.datetime.combine(on + dt.timedelta(days=1), dt.time(), tzinfo=UK)
    return midnight.astimezone(dt.UTC).isoformat()


def as_they_stood(db: Database, interests: Iterable[dict[str, Any]],
                  on: dt.date) -> list[dict[str, Any]]:
    """Each interest row as it read at the end of a day: an entry changed since is replaced by
    the earliest version kept after that moment (the one that was current then). An entry with
    no version kept since then (entered later, or never edited) reads as it does now."""
    cutoff = end_of_day(on)
    rows = list(interests)
    changed = [row["id"] for row in rows if (row.get("updated_at") or "") > cutoff]
    earlier: dict[int, dict[str, Any]] = {}
    if changed:
        for version in db.query(
                "SELECT interest_id, data FROM interest_versions WHERE replaced_at > ?"
                " AND interest_id IN (SELECT value FROM json_each(?))"
                " ORDER BY interest_id, version DESC", [cutoff, json.dumps(changed)]):
            try:
                earlier[version["interest_id"]] = json.loads(version["data"])  # lowest wins
            except ValueError:
                continue
    restored_orgs = {old.get("organisation_id") for old in earlier.values()} - {None}
    names = {r["id"]: r["name"] for r in db.query(
        "SELECT id, name FROM organisations WHERE id IN (SELECT value FROM json_each(?))",
        [json.dumps(sorted(restored_orgs))])} if restored_orgs else {}
    out = []
    for row in rows:
        old = earlier.get(row["id"])
        if old is None:
            out.append(row)
            continue
        then = {**row, **{key: value for key, value in old.items()
                          if key in row and key not in ("id", "person_id")}}
        if "linked_name" in row:
            then["linked_name"] = names.get(then.get("organisation_id"))
        out.append(then)
    return out


def register_on(db: Database, interests: Iterable[dict[str, Any]],
                on: dt.date) -> list[dict[str, Any]]:
    """The entries, as they read at the end of a day, that were on the register that day."""
    return [row for row in as_they_stood(db, interests, on) if on_register_on(row, on)]


def candidates_sql(alias: str = "interests") -> str:
    """A WHERE condition that keeps every row that might have been on the register on a day
    (named parameters `:on`, the day in ISO form, and `:cutoff`, its `end_of_day`): rows that
    qualify as they read now, and any row changed since, which may have read differently then."""
    return (f"(({alias}.withdrawn = 0 AND {alias}.declared_on <= :on"
            f" AND {alias}.date_from <= :on) OR {alias}.updated_at > :cutoff)")


def approved_readings(db: Database, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """For publication: each entry as a governance lead last approved it. An entry waiting for
    approval (or returned) reads as its newest approved earlier version; one never approved is
    left out. Versions kept before approvals existed count as approved."""
    rows = list(rows)
    waiting = [row["id"] for row in rows if row.get("approval")]
    approved: dict[int, dict[str, Any]] = {}
    if waiting:
        for version in db.query(
                "SELECT interest_id, version, data FROM interest_versions"
                " WHERE interest_id IN (SELECT value FROM json_each(?))"
                " ORDER BY interest_id, version", [json.dumps(waiting)]):
            try:
                data = json.loads(version["data"])
            except ValueError:
                continue
            if not data.get("approval"):
                approved[version["interest_id"]] = (version["version"], data)  # newest wins
    restored_orgs = {data.get("organisation_id") for _v, data in approved.values()} - {None}
    names = {r["id"]: r["name"] for r in db.query(
        "SELECT id, name FROM organisations WHERE id IN (SELECT value FROM json_each(?))",
        [json.dumps(sorted(restored_orgs))])} if restored_orgs else {}
    out = []
    for row in rows:
        if not row.get("approval"):
            out.append(row)
            continue
        found = approved.get(row["id"])
        if found is None or found[0] >= (row.get("version") or 0):
            continue
        then = {**row, **{key: value for key, value in found[1].items()
                          if key in row and key not in ("id", "person_id")}}
        if "linked_name" in row:
            then["linked_name"] = names.get(then.get("organisation_id"))
        out.append(then)
    return out
