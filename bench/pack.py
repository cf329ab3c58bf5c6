"""The board audit pack against a raw ReportLab pack of the same records (bench/raw_pack.py):
CPU and the process's peak resident memory, at 100 and 1,000 decisions (and 10,000 in
`make bench-full`), each side built in its own process, in alternating rounds.

The raw side's process imports only bench/raw_pack.py. CPU is the build's own (loading the
records and laying out the PDF, `time.process_time` in the child plus the CPU of the `dot`
processes it runs for the diagrams, leaving out the interpreter's start and imports); memory
is the child process's peak resident set (VmHWM, read by the child as it ends), imports
included, as an operator would see it. The twin prints the same
records in the same sections on about the same pages (its docstring lists them), so the table
compares like with like; the progress lines give the pages and the CPU a page of both.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from register.auth.models import create_user
from register.db import connect, migrate
from register.decisions import lifecycle
from register.pdf import builders, loaders

from . import raw_pack
from .seed import seed
from .table import Goal, Row

SIZES = (100, 1_000)
FULL_SIZES = (100, 1_000, 10_000)
ROOT = Path(__file__).resolve().parent.parent
CPU_GOAL = Goal("ratio <= 1.5", at_most=1.5)
PEAK_GOAL = Goal("ratio <= 2", at_most=2.0)
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


def build(path: str) -> bytes:
    """Load and print the project's pack for the whole period."""
    db = connect(path)
    try:
        committee = loaders.committee_by_name(db, "Committee 1")
        pack = loaders.audit_pack(db, committee, *PERIOD, organisation="Bench consortium",
                                  prepared_by="Bench", purpose="Benchmark",
                                  recommendation="None")
        return builders.build_audit_pack(pack)
    finally:
        db.close()


def build_cpu() -> float:
    """CPU seconds used so far by this process and the processes it waited for (the pack's
    diagrams are laid out by Graphviz's `dot` in a child process: its CPU is the pack's too)."""
    children = os.times()
    return time.process_time() + children.children_user + children.children_system


def _child(path: str, out: str) -> None:
    """Build the project's pack, write it to `out` and print the build's CPU seconds."""
    started = build_cpu()
    data = build(path)
    cpu = build_cpu() - started
    Path(out).write_bytes(data)
    print(json.dumps({"cpu": cpu, "peak_mib": raw_pack.peak_rss_mib()}))


def measure(side: str, path: str, out: str) -> dict[str, float]:
    """Build one side's pack in a fresh process: CPU seconds, peak RSS in MiB and pages."""
    # Each side in a process that imports only what it needs: the raw twin never loads Flask.
    module = "bench.pack" if side == "project" else "bench.raw_pack"
    proc = subprocess.Popen([sys.executable, "-m", module, path, out],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    output, errors = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"the {side} pack failed: {errors.decode()[-2000:]}")
    from pypdf import PdfReader

    return {**json.loads(output), "pages": len(PdfReader(out).pages)}


def run(sizes: tuple[int, ...] = SIZES, rounds: dict[int, int] | None = None) -> list[Row]:
    """For each size, prepare a register and build both packs in alternating rounds."""
    rows: list[Row] = []
    for size in sizes:
        count = (rounds or {}).get(size, 3)
        with tempfile.TemporaryDirectory() as tmp:
            path = str(Path(tmp) / "bench.sqlite3")
            prepare(path, size)
            out = str(Path(tmp) / "pack.pdf")
            cpu = Row(f"Audit pack CPU, {size:,} decisions", "s", CPU_GOAL)
            peak = Row(f"Audit pack peak memory, {size:,} decisions", "MiB", PEAK_GOAL)
            pages: dict[str, int] = {}
            for index in range(count):
                for side in (("project", "raw") if index % 2 == 0 else ("raw", "project")):
                    figures = measure(side, path, out)
                    (cpu.project if side == "project" else cpu.bare).append(figures["cpu"])
                    (peak.project if side == "project" else peak.bare).append(
                        figures["peak_mib"])
                    pages[side] = int(figures["pages"])
                print(f"  pack, {size:,} decisions, round {index + 1}: {cpu.project[-1]:.1f} s "
                      f"against {cpu.bare[-1]:.1f} s CPU ({pages['project']:,} pages against "
                      f"{pages['raw']:,}: {1000 * cpu.project[-1] / pages['project']:.0f} "
                      f"against {1000 * cpu.bare[-1] / pages['raw']:.0f} ms a page)", flush=True)
            cpu.note = peak.note = f"{pages['project']:,} pages against {pages['raw']:,}"
            rows += [cpu, peak]
    return rows


if __name__ == "__main__":
    _child(*sys.argv[1:3])
