"""verify-audit over 100,000 events."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from register import audit
from register.db import connect, migrate


def run(events: int = 100_000) -> dict[str, float]:
    """Build a valid chain of `events` events and time the full verification."""
    with tempfile.TemporaryDirectory() as tmp:
        db = connect(str(Path(tmp) / "audit.sqlite3"))
        migrate(db)
        prev = audit.GENESIS
        rows = []
        for seq in range(1, events + 1):
            event = {"seq": seq, "at": "2026-01-01T00:00:00+00:00", "actor": f"user{seq % 50}",
                     "action": "update", "entity": "interest", "entity_id": str(seq % 5000),
                     "changes": audit.canonical({"nature": ["Partner", f"Partner {seq}"]}),
                     "prev_hash": prev}
            event["hash"] = audit.event_hash(event)
            prev = event["hash"]
            rows.append(event)
        with db.atomic():
            db["audit_events"].insert_all(rows, batch_size=5000)
        started = time.perf_counter()
        result = audit.verify(db)
        seconds = time.perf_counter() - started
        assert result.ok and result.count == events
        print(f"verify-audit over {events:,} events: {seconds:.2f} s "
              f"({events / seconds:,.0f} events a second)")
        db.close()
    return {"verify_seconds": seconds}
