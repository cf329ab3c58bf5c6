"""Conflict flags for one decision on a register of 10,000 decisions and 30,000 interests,
against the bare stack: one SQL query that reads the decision's participants' interests in its
providers on the meeting date. `make bench-full` also times registers ten times the size (ten
times the people, or ten times the interests per person) against the base register, and the
import's organisation matching."""
from __future__ import annotations

import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from register.db import connect, migrate
from register.decisions import flagging
from register.organisations import identity
from register.rules.identifiers import Named

from .seed import seed
from .table import Goal, Row, alternate

GOAL = Goal("project < 1 ms", on="project", at_most=1.0)
TEN_TIMES_GOAL = Goal("ratio <= 1.5", at_most=1.5)
MATCHING_GOAL = Goal("project >= 20,000", on="project", at_least=20_000)

BARE_SQL = (
    "SELECT interests.id, interests.person_id, interests.organisation_id,"
    " interests.interest_type, interests.is_indirect FROM decisions"
    " JOIN decision_participants ON decision_participants.decision_id = decisions.id"
    " JOIN decision_providers ON decision_providers.decision_id = decisions.id"
    " JOIN interests ON interests.person_id = decision_participants.person_id"
    " AND interests.organisation_id = decision_providers.organisation_id"
    " WHERE decisions.id = ? AND interests.date_from <= decisions.meeting_date"
    " AND (interests.date_to IS NULL OR interests.date_to >= decisions.meeting_date)")


def bare_flags(conn: sqlite3.Connection, decision_id: int) -> list[tuple]:
    """The bare twin: the interests that make the plainest conflict, in one query."""
    return conn.execute(BARE_SQL, [decision_id]).fetchall()


def _timings(compute, sample: int) -> list[float]:  # noqa: ANN001
    """`compute(decision_id)` for decisions 1..sample, after warming up on 100 others."""
    for decision_id in range(sample + 1, sample + 101):
        compute(decision_id)
    timings = []
    for decision_id in range(1, sample + 1):
        t0 = time.perf_counter()
        compute(decision_id)
        timings.append(time.perf_counter() - t0)
    return timings


def _project_ms(db, sample: int) -> float:  # noqa: ANN001
    return 1000 * statistics.median(_timings(lambda i: flagging.compute_flags(db, i), sample))


def _bare_ms(conn: sqlite3.Connection, sample: int) -> float:
    return 1000 * statistics.median(_timings(lambda i: bare_flags(conn, i), sample))


def run(database: str, *, rounds: int = 5, sample: int = 300) -> list[Row]:
    """Median time of flags for one decision, the register's against the bare query."""
    db = connect(database)
    conn = sqlite3.connect(database)
    row = Row("Flags for one decision, 10,000 decisions and 30,000 interests (median)", "ms",
              GOAL)
    try:
        alternate(rounds, lambda: _project_ms(db, sample), lambda: _bare_ms(conn, sample), row)
    finally:
        db.close()
        conn.close()
    print(f"  flags: {statistics.median(row.project):.2f} ms against "
          f"{statistics.median(row.bare):.2f} ms", flush=True)
    return [row]


# Ten times the register, two ways: ten times the people (and everything else), and the same
# people each holding ten times the interests. Flags for one decision should cost no more than
# 1.5 times the base figure either way: the facts read are only the interests that can matter.
TEN_TIMES = {
    "ten times the people": {"decisions": 100_000, "people": 30_000, "interests": 300_000,
                             "organisations": 10_000, "links": 15_000},
    "ten times the interests per person": {"interests": 300_000},
}


def ten_times(database: str, *, rounds: int = 5, sample: int = 300) -> list[Row]:
    """Seed each larger register and time flags for one decision on it and on the base register
    in alternating rounds: here the base register is the twin, and the goal a ratio of 1.5.
    Five rounds, as for the base register's row: a round takes a second, and with three one
    busy moment on either side moved the median by a tenth."""
    rows = []
    base = connect(database)
    try:
        for label, sizes in TEN_TIMES.items():
            with tempfile.TemporaryDirectory() as tmp:
                db = connect(str(Path(tmp) / "bench.sqlite3"))
                migrate(db)
                seed(db, **sizes)
                row = Row(f"Flags for one decision, {label} (median; bare: the base register)",
                          "ms", TEN_TIMES_GOAL)
                alternate(rounds, lambda db=db: _project_ms(db, sample),
                          lambda: _project_ms(base, sample), row)
                db.close()
            rows.append(row)
            print(f"  flags, {label}: {statistics.median(row.project):.2f} ms", flush=True)
    finally:
        base.close()
    return rows


def matching(organisations: int = 5_000, rows: int = 30_000) -> list[Row]:
    """Import matching: rows naming organisations by any identifier, matched by one Resolver
    (rows per second; an existing goal of its own, with no bare twin)."""
    rng = random.Random(5)
    registered = []
    for i in range(1, organisations + 1):
        registered.append({
            "id": i, "name": f"{['Riverside', 'Hill', 'Oak', 'Bridge', 'Mill'][i % 5]} Care {i} Ltd",
            "ods_code": f"Y{90000 + i:05d}" if i % 3 == 0 else None,
            "companies_house_number": f"{10_000_000 + i:08d}" if i % 3 == 1 else None,
            "charity_number": f"{1_100_000 + i}" if i % 3 == 2 else None})
    typed = []
    for _ in range(rows):
        org = registered[rng.randrange(organisations)]
        way = rng.random()
        if way < 0.05:
            typed.append({"name": f"Unknown Practice {rng.randrange(10**6)}"})
        elif way < 0.35:
            typed.append({"name": org["name"].upper().replace(" Ltd", " Limited")})
        else:
            typed.append({kind: org[kind] for kind in identity.IDENTIFIER_COLUMNS if org[kind]}
                         | {"name": org["name"]})
    t0 = time.perf_counter()
    resolver = identity.Resolver(registered)
    found = sum(1 for values in typed
                if resolver.find(Named.parse(**values)).organisation_id is not None)
    elapsed = time.perf_counter() - t0
    rate = rows / elapsed
    print(f"  import matching: {rate:,.0f} rows/s ({found:,} of {rows:,} found)", flush=True)
    return [Row(f"Import matching, {rows:,} rows against {organisations:,} organisations "
                "(no bare twin)", "rows/s", MATCHING_GOAL, [rate])]


