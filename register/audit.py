"""Append and verify the hash-chained audit events."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from .timeutil import utcnow_iso

GENESIS = "0" * 64


def canonical(data: Any) -> str:
    """The one JSON spelling of a value that hashes are computed over."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(event: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of the event's fields and the previous hash."""
    fields = {k: event[k] for k in
              ("seq", "at", "actor", "action", "entity", "entity_id", "changes", "prev_hash")}
    return hashlib.sha256(canonical(fields).encode("utf-8")).hexdigest()


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    """The fields that changed, as {field: [before, after]}."""
    before = before or {}
    after = after or {}
    changed = {}
    for key in sorted(set(before) | set(after)):
        if key in ("updated_at", "version", "password_hash", "session_token"):
            continue
        old, new = before.get(key), after.get(key)
        if old != new:
            changed[key] = [old, new]
    return changed


def record(db: Database, *, actor: str, action: str, entity: str, entity_id: Any,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """Append one event; call inside the write transaction of the change it records."""
    last = next(iter(db.query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")), None)
    event = {
        "seq": (last["seq"] + 1) if last else 1,
        "at": utcnow_iso(),
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "changes": canonical(changes if changes is not None else diff(before, after)),
        "prev_hash": last["hash"] if last else GENESIS,
    }
    event["hash"] = event_hash(event)
    db.execute(
        "INSERT INTO audit_events (seq, at, actor, action, entity, entity_id, changes, prev_hash,"
        " hash) VALUES (:seq, :at, :actor, :action, :entity, :entity_id, :changes, :prev_hash,"
        " :hash)",
        event,
    )
    return event


@dataclass
class Verification:
    """The result of walking the chain."""

    count: int
    head_hash: str
    first_bad_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


def verify(db: Database) -> Verification:
    """Walk every event in order, recomputing each hash and checking the links."""
    prev = GENESIS
    count = 0
    expected_seq = 1
    for row in db.query("SELECT * FROM audit_events ORDER BY seq"):
        if row["seq"] != expected_seq:
            return Verification(count, prev, row["seq"], f"event {expected_seq} is missing")
        if row["prev_hash"] != prev:
            return Verification(count, prev, row["seq"], "its previous-hash link is broken")
        if event_hash(row) != row["hash"]:
            return Verification(count, prev, row["seq"], "its content does not match its hash")
        prev = row["hash"]
        count += 1
        expected_seq += 1
    return Verification(count, prev)


def history(db: Database, entity: str, entity_id: Any) -> list[dict[str, Any]]:
    """The events about one record, oldest first, with changes decoded."""
    rows = list(db.query(
        "SELECT * FROM audit_events WHERE entity = ? AND entity_id = ? ORDER BY seq",
        [entity, str(entity_id)],
    ))
    for row in rows:
        row["changes"] = json.loads(row["changes"])
    return rows
