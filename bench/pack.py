"""The board audit pack at 100, 1,000 and 3,000 decisions: seconds, pages and peak memory.

The cost must grow in proportion to the decisions: the last column (milliseconds per decision)
should stay roughly level as the pack grows.
"""
from __future__ import annotations

import datetime as dt
import io
import tempfile
import time
import tracemalloc
from pathlib import Path

from pypdf import PdfReader

from register.auth.models import create_user
from register.db import connect, migrate
from register.decisions import lifecycle
from register.pdf import builders, loaders

from .seed import seed

SIZES = (100, 1_000, 3_000)
PERIOD = (dt.date(2024, 1, 1), dt.date(2026, 12, 31))
FLAGGED_SHARE = 0.3


def prepare(path: str, decisions: int) -> None:
    """Seed a register whose decisions all belong to one committee, about 30% of them flagged,
    the flagged ones with rulings, and most of those signed off with an outcome recorded."""
    db = connect(path, foreign_keys=False)
    migrate(db)
    db.close()
    db = connect(path)
    seed(db, decisions=decisions, people=max(300, decisions), interests=max(3_000, decisions * 3),
         organisations=1_000)
    signer = create_user(db, username="benchgov", password="bench password 2026",
                         role="governance")
    now = "2026-01-01T12:00:00+00:00"
    with db.atomic():
        db.execute("UPDATE decisions SET committee_id = 1, offered_to_all_member_practices = 0")
        db["committee_members"].insert_all([
            {"committee_id": 1, "person_id": p, "role": "chair" if p == 1 else "member",
             "category": ("lay", "gp", "executive")[p % 3], "voting": 1, "created_at": now}
            for p in range(1, 9)])
    # As a bulk import does: every decision brought up to date once, at the end.
    lifecycle.refresh_all(db, actor="bench")
    flagged = [r["id"] for r in db.query("SELECT id FROM decisions WHERE flag_count > 0 "
                                         "ORDER BY id")]
    keep = set(flagged[:round(decisions * FLAGGED_SHARE)])
    with db.atomic():
        # Fewer flagged decisions: the rest lose their flags (as if their conflicts had been
        # cleared), so the pack has about the share wanted.
        for decision_id in set(flagged) - keep:
            db.execute("DELETE FROM decision_flags WHERE decision_id = ?", [decision_id])
            db.execute("UPDATE decisions SET flag_count = 0, conflict_count = 0 WHERE id = ?",
                       [decision_id])
        for index, decision_id in enumerate(sorted(keep)):
            conflicted = [r["person_id"] for r in db.query(
                "SELECT DISTINCT person_id FROM decision_flags WHERE decision_id = ? AND "
                "severity = 'conflict' AND person_id IS NOT NULL", [decision_id])]
            db["decision_rulings"].insert_all([
                {"decision_id": decision_id, "person_id": p, "ruling": "no_vote",
                 "reason": "Financial interest in a provider", "ruled_by_user_id": signer,
                 "ruled_at": now} for p in conflicted])
            db.execute("UPDATE decisions SET submitted_at = ? WHERE id = ?",
                       ["2025-12-20T09:00:00+00:00", decision_id])
            if index % 4:
                db["sign_offs"].insert({
                    "decision_id": decision_id, "signer_user_id": signer,
                    "signer_name": "Bench Governance", "signer_role": "Governance lead",
                    "statement": "I confirm the conflicts were managed as recorded.",
                    "content_hash": "0" * 64, "signed_at": now})
                db["decision_outcomes"].insert({
                    "decision_id": decision_id, "outcome": "make", "votes_for": 4,
                    "votes_against": 1, "votes_abstaining": 0, "recorded_at": now})
    db.close()


def build(path: str) -> tuple[bytes, float]:
    """Load and print the pack for the whole period; returns the PDF and the seconds taken."""
    db = connect(path)
    try:
        started = time.perf_counter()
        committee = loaders.committee_by_name(db, "Committee 1")
        pack = loaders.audit_pack(db, committee, *PERIOD, organisation="Bench consortium",
                                  prepared_by="Bench", purpose="Benchmark",
                                  recommendation="None")
        data = builders.build_audit_pack(pack)
        return data, time.perf_counter() - started
    finally:
        db.close()


def run(sizes: tuple[int, ...] = SIZES) -> dict[int, dict[str, float]]:
    """Build a pack for each size and print seconds, pages and peak memory."""
    figures: dict[int, dict[str, float]] = {}
    print(f"{'decisions':>10} {'flagged':>8} {'seconds':>8} {'pages':>6} {'peak MB':>8} "
          f"{'ms/decision':>12}")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = str(Path(tmp) / "bench.sqlite3")
            prepare(path, size)
            db = connect(path)
            flagged = db.execute("SELECT count(*) FROM decisions WHERE flag_count > 0"
                                 ).fetchone()[0]
            db.close()
            data, seconds = build(path)  # timed without tracing, which slows Python down
            tracemalloc.start()
            build(path)
            peak = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
        pages = len(PdfReader(io.BytesIO(data)).pages)
        figures[size] = {"flagged": flagged, "seconds": seconds, "pages": pages,
                         "peak_mb": peak}
        print(f"{size:>10,} {flagged:>8,} {seconds:>8.1f} {pages:>6,} {peak:>8.1f} "
              f"{1000 * seconds / size:>12.1f}")
    return figures


if __name__ == "__main__":
    run()
