"""`flask verify-audit` over 100,000 keyed events (with content hashes) on a register of 10,000
decisions, timed as the whole command (a fresh process, start to exit), against its bare twin
`python -m bench.chain_walk` (a hash-chain walk with sqlite3 and hmac alone), alternating."""
from __future__ import annotations

import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from register import audit, audit_content
from register.db import connect, migrate

from . import servers
from .seed import seed
from .table import Goal, Row, alternate

GOAL = Goal("project < 2 s", on="project", at_most=2.0)


def _events(db, key: bytes, total: int) -> list[dict]:  # noqa: ANN001
    """A valid keyed chain: one event per decision, interest, ruling and sign-off carrying its
    content hash, the rest updates of decisions (carrying the same hash), as a busy register's."""
    hashes = list(audit_content.all_content_hashes(db))
    by_decision = [(e, i, h) for e, i, h in hashes if e == "decision"]
    prev = audit.GENESIS
    rows = []
    for seq in range(1, total + 1):
        if seq <= len(hashes):
            entity, record_id, digest = hashes[seq - 1]
            action = "create"
        else:
            entity, record_id, digest = by_decision[seq % len(by_decision)]
            action = "update"
        event = {"seq": seq, "at": "2026-01-01T00:00:00+00:00", "actor": f"user{seq % 50}",
                 "action": action, "entity": entity, "entity_id": str(record_id),
                 "changes": audit.canonical({"title": ["Before", f"After {seq}"]}),
                 "prev_hash": prev, "content_sha256": digest, "hash_kind": audit.KEYED}
        event["hash"] = audit.keyed_hash(event, key)
        prev = event["hash"]
        rows.append(event)
    return rows


def _command(argv: list[str], env: dict[str, str]) -> float:
    """Run a command to its end; the wall-clock seconds. Raises if it fails."""
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=servers.ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"{' '.join(argv[-2:])} failed: {done.stderr[-2000:]}")
    return seconds


def run(*, events: int = 100_000, decisions: int = 10_000, rounds: int = 3) -> list[Row]:
    """Seed a register, give it a keyed trail of `events` and an anchor, and time both commands."""
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "audit.sqlite3")
        db = connect(path, foreign_keys=False)
        migrate(db)
        db.close()
        db = connect(path)
        seed(db, decisions=decisions)
        key = secrets.token_bytes(32)
        key_file = Path(tmp) / "audit_key"
        key_file.write_text(key.hex())
        db.audit_key = key
        rows = _events(db, key, events)
        with db.atomic():
            db["audit_events"].insert_all(rows, batch_size=5000)
        audit.anchor({"DATABASE": path, "AUDIT_ANCHORS": None}, db)
        db.close()
        env = servers.app_env(path, tmp)
        project = [sys.executable, "-m", "flask", "--app", "register", "verify-audit"]
        bare = [sys.executable, "-m", "bench.chain_walk", path, str(key_file)]
        row = Row(f"verify-audit, {events:,} events, whole command", "s", GOAL)
        alternate(rounds, lambda: _command(project, env), lambda: _command(bare, env), row)
        print(f"  verify-audit: {row.project[-1]:.2f} s against {row.bare[-1]:.2f} s "
              "(last round)", flush=True)
    return [row]
