"""Append and verify the keyed, hash-chained audit events, and the anchor log that pins them.

Each event carries an HMAC-SHA256 (keyed with the instance's audit key, never stored in the
database) over its fields, the content hash of the record it is about, and the previous event's
HMAC. Events written before the trail was keyed keep their plain SHA-256; a marker event pins the
switch. The anchor log, a text file beside the database (or elsewhere), records the event count and
head HMAC at moments that matter, so a trail shortened or rewritten by someone holding both the
database and the key no longer matches what was anchored (and copied off the machine).
"""
from __future__ import annotations

import fcntl
import functools
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from . import audit_content
from .timeutil import utcnow_iso

GENESIS = "0" * 64
UNKEYED = "sha256"
KEYED = "hmac-sha256"
KEYED_MARKER = "audit_keyed"
KEY_FILE_NAME = "audit_key"

_FIELDS = ("seq", "at", "actor", "action", "entity", "entity_id", "changes", "prev_hash")
_KEYED_FIELDS = _FIELDS + ("content_sha256", "hash_kind")
_EXPECT = re.compile(r"^(\d+):([0-9a-f]{64})$")

log = logging.getLogger("register")


# Built once: `json.dumps` with these options builds an encoder on every call, and the spelling is
# the same either way.
_CANONICAL_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                                      default=str)


def canonical(data: Any) -> str:
    """The one JSON spelling of a value that hashes are computed over."""
    return _CANONICAL_ENCODER.encode(data)


def event_hash(event: Mapping[str, Any]) -> str:
    """The plain SHA-256 of an event written before the trail was keyed."""
    fields = {k: event[k] for k in _FIELDS}
    return hashlib.sha256(canonical(fields).encode("utf-8")).hexdigest()


# The keyed message is the JSON list of the fields in this fixed order (quick to build, and a
# field's text can never be mistaken for another's).
_LIST_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=str)


def keyed_hash(event: Mapping[str, Any], key: bytes) -> str:
    """HMAC-SHA256 over the event's fields, its content hash and the previous event's HMAC."""
    return _keyed_digest(key, [event.get(k) for k in _KEYED_FIELDS])


def _keyed_digest(key: bytes, values: list[Any]) -> str:
    """The HMAC of an event's fields given in the order of `_KEYED_FIELDS`."""
    return hmac.digest(key, _LIST_ENCODER.encode(values).encode("utf-8"), "sha256").hex()


# ---- the key ------------------------------------------------------------------------------------

def default_instance_path() -> Path:
    """The instance folder Flask uses for this package when none is configured."""
    return Path(__file__).resolve().parent.parent / "instance"


def load_key(path: str | os.PathLike[str]) -> bytes:
    """Read the audit key, generating it (owner-only, never in the database) on first use."""
    path = Path(path)
    where = os.path.abspath(path)
    known = _KEYS_READ.get(where)
    if known is not None:
        try:
            if _identity(os.stat(where)) == known[0]:
                return known[1]
        except OSError:
            pass  # gone since: made again below
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole under a private name, then linked into place: a process starting at the
        # same moment reads either no key file or a complete one, and only one key ever wins.
        partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(partial, path)
        except FileExistsError:
            pass  # another process made it first: read theirs
        finally:
            partial.unlink()
    with path.open() as handle:
        identity = _identity(os.fstat(handle.fileno()))
        text = handle.read().strip()
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise RuntimeError(f"The audit key file {path} does not hold a 64-digit hex key")
    key = bytes.fromhex(text)
    _KEYS_READ[where] = (identity, key)
    return key


# The key read from each key file (by absolute path) and the identity of the file it came from: a
# script that writes event after event reads the key once, and a key file replaced since (a key
# file is written whole and linked into place, never rewritten) is read again.
_KEYS_READ: dict[str, tuple[tuple[int, int, int, int], bytes]] = {}


def _identity(status: os.stat_result) -> tuple[int, int, int, int]:
    return status.st_dev, status.st_ino, status.st_mtime_ns, status.st_size


def key_for(db: Database) -> bytes:
    """The audit key for this connection: the one the app opened it with, else the running
    app's, else the key in the default instance folder (for scripts that open the file)."""
    key = getattr(db, "audit_key", None)
    if key:
        return key
    from flask import current_app, has_app_context

    if has_app_context() and current_app.config.get("AUDIT_KEY"):
        return current_app.config["AUDIT_KEY"]
    path = os.environ.get("REGISTER_AUDIT_KEY_FILE") or default_instance_path() / KEY_FILE_NAME
    return load_key(path)


# ---- appending ----------------------------------------------------------------------------------

# Fields an event's changes never show: bookkeeping, and secrets.
_UNDIFFED = frozenset({"updated_at", "version", "password_hash", "session_token"})


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    """The fields that changed, as {field: [before, after]}."""
    before = before or {}
    after = after or {}
    changed = {}
    for key in sorted(set(before) | set(after)):
        if key in _UNDIFFED:
            continue
        old, new = before.get(key), after.get(key)
        if old != new:
            changed[key] = [old, new]
    return changed


class Spelt(str):
    """An event's changes already spelt as `canonical` spells them (see `creation_changes`)."""


def creation_changes(columns: Sequence[str]) -> Callable[[Sequence[Any]], Spelt]:
    """The changes of the event that records a new record, `canonical(diff(None, row))`, for
    records read as tuples of these columns (the values SQLite returns: no lists or objects)."""
    order = [(name, index) for index, name in sorted(enumerate(columns), key=lambda c: c[1])
             if name not in _UNDIFFED]
    # {"a": 1, "b": "x"} spelt with these separators is '{"a":[null,1],"b":[null,"x"}': the
    # canonical spelling of {"a": [None, 1], "b": [None, "x"]} but its last bracket, in one
    # call of the C encoder and without a list per value.
    encode = audit_content.encoder(separators=("],", ":[null,"))

    def changes(row: Sequence[Any]) -> Spelt:
        text = encode({name: row[index] for name, index in order if row[index] is not None})
        return Spelt(text if text == "{}" else text[:-1] + "]}")
    return changes


def _last(db: Database) -> dict[str, Any] | None:
    return next(iter(db.query(
        "SELECT seq, hash, hash_kind FROM audit_events ORDER BY seq DESC LIMIT 1")), None)


_INSERT = (
    "INSERT INTO audit_events (seq, at, actor, action, entity, entity_id, changes, prev_hash,"
    " content_sha256, hash_kind, hash) VALUES (:seq, :at, :actor, :action, :entity,"
    " :entity_id, :changes, :prev_hash, :content_sha256, :hash_kind, :hash)")


def _append(db: Database, key: bytes, last: dict[str, Any] | None, *, actor: str, action: str,
            entity: str, entity_id: Any, changes: Any, content: str | None) -> dict[str, Any]:
    event = _chained(key, last, utcnow_iso(), actor=actor, action=action, entity=entity,
                     entity_id=entity_id, changes=changes, content=content)
    db.execute(_INSERT, event)
    return event


def _chained(key: bytes, last: dict[str, Any] | None, at: str, *, actor: str, action: str,
             entity: str, entity_id: Any, changes: Any, content: str | None) -> dict[str, Any]:
    """The event that follows `last` in the chain, with its keyed hash (nothing is written)."""
    event = {
        "seq": (last["seq"] + 1) if last else 1,
        "at": at,
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "changes": canonical(changes),
        "prev_hash": last["hash"] if last else GENESIS,
        "content_sha256": content,
        "hash_kind": KEYED,
    }
    event["hash"] = keyed_hash(event, key)
    return event


def record(db: Database, *, actor: str, action: str, entity: str, entity_id: Any,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """Append one event; call inside the write transaction of the change it records, after the
    change, so the event carries the hash of the record as it now stands."""
    key = key_for(db)
    last = _last(db)
    if last is not None and last["hash_kind"] != KEYED:
        last = _switch_to_keyed(db, key, last)
    return _append(db, key, last, actor=actor, action=action, entity=entity,
                   entity_id=entity_id,
                   changes=changes if changes is not None else diff(before, after),
                   content=audit_content.content_sha256(db, entity, entity_id))


@dataclass(frozen=True)
class Pending:
    """One event for `record_many`: what `record` takes (the changes perhaps already spelt),
    the record's content hash read later."""

    actor: str
    action: str
    entity: str
    entity_id: Any
    changes: dict[str, Any] | Spelt


_SPELT_KEYED = json.encoder.encode_basestring(KEYED)
# An event's stored fields in the order `record_many` builds them.
_STORED = _KEYED_FIELDS + ("hash",)


def record_many(db: Database, events: Iterable[Pending], *,
                contents: Mapping[str, Mapping[str, str | None]] | None = None
                ) -> list[dict[str, Any]]:
    """Append several events at once: the content hashes read one query per kind, the chain
    built in memory and the events written with one statement. Call inside the write transaction
    of the changes they record, after the changes; the chain is exactly what `record` would
    have written event by event (one time for all of them). `contents` holds content hashes the
    caller has just computed from the records as stored (by kind, then id as an event spells
    it, as `audit_content.content_sha256_many` gives them); kinds it does not hold are read."""
    events = list(events)
    if not events:
        return []
    key = key_for(db)
    last = _last(db)
    if last is not None and last["hash_kind"] != KEYED:
        last = _switch_to_keyed(db, key, last)
    wanted: dict[str, list[Any]] = {}
    for event in events:
        wanted.setdefault(event.entity, []).append(event.entity_id)
    hashes = {entity: contents[entity] if contents is not None and entity in contents
              else audit_content.content_sha256_many(db, entity, ids)
              for entity, ids in wanted.items()}
    at = utcnow_iso()
    seq, prev = (last["seq"], last["hash"]) if last else (0, GENESIS)
    # What `_chained` does for each event, as a row in the order of the stored columns. The
    # keyed message is the one `_keyed_digest` spells, put together from its strings each spelt
    # by the function the list encoder spells strings with (where every field is a string).
    spell, digest = json.encoder.encode_basestring, hmac.digest
    heads: dict[tuple[Any, Any, Any], str | None] = {}
    rows = []
    for event in events:
        seq += 1
        entity_id = str(event.entity_id)
        changes = event.changes
        if type(changes) is not Spelt:
            changes = canonical(changes)
        content = hashes[event.entity][entity_id]
        who = (event.actor, event.action, event.entity)
        head = heads.get(who, _UNSEEN)
        if head is _UNSEEN:
            head = heads[who] = (",".join(spell(value) for value in (at, *who))
                                 if all(type(value) is str for value in who) else None)
        if head is None or (content is not None and type(content) is not str):
            digested = _keyed_digest(key, [seq, at, *who, entity_id, changes, prev, content,
                                           KEYED])
        else:
            digested = digest(key, (
                f"[{seq},{head},{spell(entity_id)},{spell(changes)},{spell(prev)},"
                f"{'null' if content is None else spell(content)},{_SPELT_KEYED}]"
            ).encode(), "sha256").hex()
        rows.append((seq, at, *who, entity_id, changes, prev, content, KEYED, digested))
        prev = digested
    # Many rows to a statement (a statement's fixed cost paid once for each of them).
    per = max(1, db.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(_STORED))
    for start in range(0, len(rows), per):
        chunk = rows[start:start + per]
        db.conn.execute(_insert_rows(len(chunk)), list(chain.from_iterable(chunk)))
    return [dict(zip(_STORED, row, strict=True)) for row in rows]


_UNSEEN = object()


@functools.lru_cache(maxsize=8)
def _insert_rows(count: int) -> str:
    """The INSERT of `count` events."""
    row = f"({', '.join('?' for _ in _STORED)})"
    return (f"INSERT INTO audit_events ({', '.join(_STORED)})"
            f" VALUES {', '.join(row for _ in range(count))}")


def ensure_keyed(db: Database) -> bool:
    """Continue a trail written before keying with a keyed marker; True if one was written."""
    from .db import write_transaction

    with write_transaction(db):
        last = _last(db)
        if last is None or last["hash_kind"] == KEYED:
            return False
        _switch_to_keyed(db, key_for(db), last)
    return True


def _switch_to_keyed(db: Database, key: bytes, last: dict[str, Any]) -> dict[str, Any]:
    """Verify the unkeyed trail once, write the marker that pins it, then one baseline event per
    record the trail vouches for, so each can be checked from here on."""
    old = verify(db, key)
    verdict = "verified" if old.ok else f"did not verify: event {old.first_bad_seq}: {old.reason}"
    last = _append(db, key, last, actor="system", action=KEYED_MARKER, entity="audit",
                   entity_id="chain", content=None,
                   changes={"unkeyed_events": last["seq"], "unkeyed_head": last["hash"],
                            "unkeyed_trail": verdict})
    for entity, record_id, digest in audit_content.all_content_hashes(db):
        last = _append(db, key, last, actor="system", action="content_baseline", entity=entity,
                       entity_id=record_id, changes={}, content=digest)
    return last


# ---- verifying the chain ------------------------------------------------------------------------

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


@dataclass
class Latest:
    """What a walk of the whole chain saw on the way, for the content check: the content hash
    of the latest event about each record the trail vouches for, and whether any event is
    unkeyed (filled only by a walk that reaches the end)."""

    hashes: dict[tuple[str, str], str | None] = field(default_factory=dict)
    has_unkeyed: bool = False


def verify(db: Database, key: bytes | None = None, *, latest: Latest | None = None
           ) -> Verification:
    """Walk every event in order, recomputing each hash (keyed where the trail is keyed) and
    checking the links; an unkeyed event after the switch is a forgery. With `latest`, also
    note each record's latest content hash on the way (see `content_problems`)."""
    key = key or key_for(db)
    prev = GENESIS
    count = 0
    keyed = False
    rows = db.conn.execute(
        "SELECT seq, at, actor, action, entity, entity_id, changes, prev_hash, content_sha256,"
        " hash_kind, hash FROM audit_events ORDER BY seq")
    encode = _LIST_ENCODER.encode
    digest = hmac.digest
    noted = latest.hashes if latest is not None else None
    kinds = audit_content.CONTENT_KINDS
    for row in rows:
        if noted is not None and row[4] in kinds:
            noted[(row[4], row[5])] = row[8]
        seq, prev_hash, kind, stored = row[0], row[7], row[9], row[10]
        if seq != count + 1:
            return Verification(count, prev, seq, f"event {count + 1} is missing")
        if prev_hash != prev:
            return Verification(count, prev, seq, "its previous-hash link is broken")
        if kind == KEYED:
            if not keyed and count and row[3] != KEYED_MARKER:
                return Verification(count, prev, seq,
                                    "the trail became keyed without the marker that pins it")
            keyed = True
            expected = digest(key, encode(list(row[:10])).encode("utf-8"), "sha256").hex()
            if not hmac.compare_digest(expected, stored):
                return Verification(count, prev, seq,
                                    "its content does not match its keyed hash (it was changed "
                                    "or written without the audit key)")
        elif kind == UNKEYED:
            if latest is not None:
                latest.has_unkeyed = True
            if keyed:
                return Verification(count, prev, seq,
                                    "it is unkeyed but comes after the trail became keyed, so it "
                                    "was written outside the app")
            if row[8] is not None:
                return Verification(count, prev, seq,
                                    "it is unkeyed yet carries a content hash")
            if event_hash(dict(zip(_FIELDS, row[:8], strict=True))) != stored:
                return Verification(count, prev, seq, "its content does not match its hash")
        else:
            return Verification(count, prev, seq, f"its hash kind {kind!r} is unknown")
        prev = stored
        count += 1
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


# ---- content of the records ---------------------------------------------------------------------

def content_problems(db: Database, *, seen_in_walk: Latest | None = None,
                     hashes: list[tuple[str, int, str]] | None = None) -> list[str]:
    """Every record of a kind the trail vouches for (`audit_content.CONTENT_KINDS`) whose
    content no longer matches the hash its latest event carries, or that has no event at all:
    each named, in words. `seen_in_walk` is what a complete `verify` walk noted, if one ran;
    `hashes` is `audit_content.all_content_hashes(db)`, if read already."""
    if seen_in_walk is not None:
        latest, has_unkeyed = seen_in_walk.hashes, seen_in_walk.has_unkeyed
    else:
        latest = {}
        kinds = list(audit_content.CONTENT_KINDS)
        marks = ",".join("?" for _ in kinds)
        # SQLite returns the bare columns of the row holding max(seq).
        for row in db.conn.execute(
                "SELECT entity, entity_id, content_sha256, max(seq) FROM audit_events"
                f" WHERE entity IN ({marks}) GROUP BY entity, entity_id", kinds):
            latest[(row[0], row[1])] = row[2]
        has_unkeyed = db.conn.execute(
            "SELECT 1 FROM audit_events WHERE hash_kind = ? LIMIT 1",
            [UNKEYED]).fetchone() is not None
    problems = []
    seen = set()
    for entity, record_id, digest in (hashes if hashes is not None
                                      else audit_content.all_content_hashes(db)):
        seen.add((entity, str(record_id)))
        recorded = latest.get((entity, str(record_id)), "absent")
        if recorded == digest:
            continue
        if seen_in_walk is not None:
            # The walk read the trail a moment before the records: a record saved through the
            # app since then carries a newer event. Look at both again, as they stand now.
            recorded, digest = _latest_now(db, entity, record_id), \
                audit_content.content_sha256(db, entity, record_id)
            if recorded == digest:
                continue
        if recorded is None and (has_unkeyed or entity in audit_content.LATER_KINDS):
            continue  # last changed before the trail carried content hashes (for this kind)
        name = audit_content.describe(db, entity, record_id)
        if recorded == "absent":
            problems.append(f"{name} has no audit event: it was added outside the app")
        elif recorded == audit_content.DELETED:
            problems.append(f"{name} was deleted in the trail but is in the database")
        else:
            problems.append(f"{name} does not match its last audit event: it was changed "
                            f"outside the app")
    for (entity, record_id), recorded in latest.items():
        if (entity, record_id) in seen or recorded in (None, audit_content.DELETED):
            continue
        if seen_in_walk is not None and (
                _latest_now(db, entity, record_id) in (None, audit_content.DELETED)
                or audit_content.content_sha256(db, entity, record_id) != audit_content.DELETED):
            continue  # deleted through the app, or added, since the walk read the trail
        problems.append(f"{audit_content.describe(db, entity, record_id)} is in the audit trail"
                        f" but missing from the database: it was deleted outside the app")
    return problems


def _latest_now(db: Database, entity: str, record_id: Any) -> str | None:
    """The content hash the latest event about a record carries now ("absent" if none)."""
    row = db.conn.execute(
        "SELECT content_sha256 FROM audit_events WHERE entity = ? AND entity_id = ?"
        " ORDER BY seq DESC LIMIT 1", [entity, str(record_id)]).fetchone()
    return row[0] if row else "absent"


# ---- the anchor log -----------------------------------------------------------------------------

def anchors_path(config: Mapping[str, Any]) -> Path:
    """Where the anchor log lives: AUDIT_ANCHORS if set, else beside the database file."""
    return Path(config.get("AUDIT_ANCHORS") or str(config["DATABASE"]) + ".anchors")


@dataclass(frozen=True)
class Anchor:
    """One line of the anchor log: when, how many events, and the head HMAC then."""

    at: str
    count: int
    head: str

    def line(self) -> str:
        return f"{self.at} {self.count} {self.head}\n"


def head(db: Database) -> tuple[int, str]:
    """The event count and head hash of the trail as stored now (no verification)."""
    row = db.conn.execute("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def anchor(config: Mapping[str, Any], db: Database, *, strict: bool = True) -> Anchor | None:
    """Append the trail's current count and head to the anchor log; call after the transaction
    that wrote the events commits, never inside it. With strict=False (after a sign-off or
    publication has been saved) a log that cannot be written is logged, not raised."""
    path = anchors_path(config)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            # Read the head under the lock, so two sign-offs at once append in order.
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            count, head_hash = head(db)
            entry = Anchor(utcnow_iso(), count, head_hash)
            handle.write(entry.line())
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        if strict:
            raise
        log.exception("Could not append to the audit anchor log %s", path)
        return None
    return entry


def read_anchors(path: Path) -> tuple[list[Anchor], list[str]]:
    """The anchors in the log, and what is wrong with the file itself, in words."""
    if not path.exists():
        return [], [f"the anchor log {path} is missing, so a shortened or rewritten trail cannot "
                    f"be detected (restore it from its off-machine copy, or start one with "
                    f"anchor-audit)"]
    text = path.read_text(encoding="utf-8", errors="replace")
    problems: list[str] = []
    if text and not text.endswith("\n"):
        problems.append(f"the anchor log {path} ends part-way through a line: it was truncated")
    anchors: list[Anchor] = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if len(parts) != 3 or not parts[1].isdigit() or not re.fullmatch(r"[0-9a-f]{64}",
                                                                         parts[2]):
            problems.append(f"line {number} of the anchor log is not an anchor (time, event "
                            f"count, head hash)")
            continue
        entry = Anchor(parts[0], int(parts[1]), parts[2])
        if anchors and (entry.count < anchors[-1].count or entry.at < anchors[-1].at):
            problems.append(f"line {number} of the anchor log goes back in time or in events "
                            f"({entry.count} events after {anchors[-1].count}): the log is not "
                            f"append-only")
        anchors.append(entry)
    if not anchors and not problems:
        problems.append(f"the anchor log {path} is empty")
    return anchors, problems


def parse_expect(value: str) -> tuple[int, str]:
    """COUNT:HEAD as printed in a pack; ValueError with the expected shape otherwise."""
    match = _EXPECT.match((value or "").strip().lower())
    if not match:
        raise ValueError("--expect takes COUNT:HEAD as printed on a pack's last page, for "
                         "example 1234:" + "ab" * 32 + " (a whole number, a colon, and the "
                         "64-character head hash)")
    return int(match.group(1)), match.group(2)


def _hash_at(db: Database, seq: int) -> str | None:
    if seq == 0:
        return GENESIS
    row = db.conn.execute("SELECT hash FROM audit_events WHERE seq = ?", [seq]).fetchone()
    return row[0] if row else None


def _check_point(db: Database, count: int, head_hash: str, total: int, what: str) -> str | None:
    if count > total:
        return (f"{what} recorded {count} events but the trail now holds {total}: it was "
                f"shortened")
    if _hash_at(db, count) != head_hash:
        return (f"{what} recorded head {head_hash[:16]}… at event {count}, but event {count} now "
                f"carries another hash: the trail was rewritten")
    return None


@dataclass
class Report:
    """Everything verify-audit checked: the chain, the records' content and the anchors."""

    chain: Verification
    anchors: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems


def _database_file(db: Database) -> str | None:
    """The file of the connection's main database; None for one in memory."""
    for row in db.conn.execute("PRAGMA database_list"):
        if row[1] == "main":
            return row[2] or None
    return None


def _walk_file(path: str, key: bytes) -> tuple[Verification, Latest]:
    """`verify` over a database file, on a read-only connection of its own (in a worker)."""
    conn = sqlite3.connect(f"{Path(path).as_uri()}?mode=ro", uri=True)
    try:
        seen = Latest()
        return verify(Database(conn), key, latest=seen), seen
    finally:
        conn.close()


def _walk_and_hash(db: Database, key: bytes, seen: Latest, parallel: bool
                   ) -> tuple[Verification, list[tuple[str, int, str]] | None]:
    """Walk the chain (noting what the content check needs) and, with `parallel`, read and
    hash every record at the same time: the walk in a forked worker on a read-only connection
    of its own, the records here. Both halves are exactly the serial check's."""
    path = _database_file(db)
    if not parallel or path is None or db.conn.in_transaction or not hasattr(os, "fork"):
        return verify(db, key, latest=seen), None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Forked after the imports, so the worker starts at once; it touches no inherited
    # connection and opens the file read-only.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        walked = pool.submit(_walk_file, path, key)
        hashes = list(audit_content.all_content_hashes(db))
        chain, noted = walked.result()
    seen.hashes, seen.has_unkeyed = noted.hashes, noted.has_unkeyed
    return chain, hashes


def verify_record(db: Database, config: Mapping[str, Any], *,
                  expect: tuple[int, str] | None = None, parallel: bool = False) -> Report:
    """The full check: the keyed chain, each record against its latest event, the anchor log,
    and optionally the count and head printed in a pack. With `parallel` (the commands), the
    chain is walked in a second process while this one reads and hashes the records."""
    seen = Latest()
    chain, hashes = _walk_and_hash(db, key_for(db), seen, parallel)
    report = Report(chain)
    if not chain.ok:
        report.problems.append(f"audit event {chain.first_bad_seq} does not verify: "
                               f"{chain.reason}")
    elif chain.count and not db.conn.execute(
            "SELECT 1 FROM audit_events WHERE hash_kind = ? LIMIT 1", [KEYED]).fetchone():
        report.problems.append("no event in the trail is keyed: it was not continued by this "
                               "register (run init-db), or it was rewritten without the key")
    # A walk that stopped early saw only part of the trail: then the content check reads it.
    report.problems += content_problems(db, seen_in_walk=seen if chain.ok else None,
                                        hashes=hashes)
    anchors, problems = read_anchors(anchors_path(config))
    report.problems += problems
    report.anchors = len(anchors)
    total = chain.count if chain.ok else head(db)[0]
    for entry in anchors:
        problem = _check_point(db, entry.count, entry.head, total, f"the anchor of {entry.at}")
        if problem:
            report.problems.append(problem)
    if expect is not None:
        problem = _check_point(db, expect[0], expect[1], total, "the pack")
        if problem:
            report.problems.append(problem)
    return report
