"""Conflict flags on a large register: compute time per decision (and on registers ten times the
size, with ten times the people or ten times the interests per person), keeping flags current at
write time (a bulk load, one interest changed), pages served by the app, each beside its
bare-stack twin measured in the same run, and matching an import's organisations by identifier."""
from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from register.db import connect, migrate
from register.decisions import dependencies, flagging, lifecycle
from register.interests import queries as interest_queries
from register.organisations import identity
from register.rules.identifiers import Named

from .seed import seed


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def run(sample: int = 1000) -> dict[str, float]:
    """Seed 10,000 decisions and time the flag computation and the writes that keep it current."""
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "bench.sqlite3")
        db = connect(path)
        migrate(db)
        started = time.perf_counter()
        counts = seed(db)
        print(f"Seeded {counts} in {time.perf_counter() - started:.1f} s")
        timings = _flag_timings(db, sample)
        plan = " | ".join(r["detail"] for r in db.query(
            "EXPLAIN QUERY PLAN " + flagging._PAIRS_SQL, ["[[1, 2]]", "2026-01-01"]))
        figures = {"median": statistics.median(timings), "worst": max(timings)}
        print(f"Flags for one decision over {sample} decisions: median {_ms(figures['median'])}, "
              f"worst {_ms(figures['worst'])}")
        print(f"  interests lookup plan: {plan}")
        t0 = time.perf_counter()
        lifecycle.refresh_all(db, actor="bench")
        figures["bulk refresh"] = time.perf_counter() - t0
        print(f"A bulk import's one refresh at its end, all {counts['decisions']:,} decisions: "
              f"{figures['bulk refresh']:.2f} s")
        figures.update(_one_interest(db))
        figures.update(_pages(path))
        figures.update(_ten_times(db, sample))
        db.close()
    figures.update(_resolver())
    return figures


# Ten times the register, two ways: ten times the people (and everything else), and the same
# people each holding ten times the interests. Flags for one decision should cost no more than
# 1.5 times the base figure either way: the facts read are only the interests that can matter.
TEN_TIMES = {
    "ten times the people": {"decisions": 100_000, "people": 30_000, "interests": 300_000,
                             "organisations": 10_000, "links": 15_000},
    "ten times the interests per person": {"interests": 300_000},
}


def _flag_timings(db, sample: int) -> list[float]:
    """Flags for decisions 1..sample, one at a time, after warming up on 200 others (the same
    way for every register size, so the figures compare)."""
    for decision_id in range(sample + 1, sample + 201):
        flagging.compute_flags(db, decision_id)
    timings = []
    for decision_id in range(1, sample + 1):
        t0 = time.perf_counter()
        flagging.compute_flags(db, decision_id)
        timings.append(time.perf_counter() - t0)
    return timings


def _flag_median(db, sample: int) -> float:
    return statistics.median(_flag_timings(db, sample))


def _ten_times(base_db, sample: int, rounds: int = 5) -> dict[str, float]:
    """Seed each larger register and time flags for one decision on it and on the base register
    in alternating rounds (so that the machine's drift falls on both alike): the ratio of the
    medians in each round, reported as the median ratio and its range."""
    figures = {}
    for label, sizes in TEN_TIMES.items():
        with tempfile.TemporaryDirectory() as tmp:
            db = connect(str(Path(tmp) / "bench.sqlite3"))
            migrate(db)
            started = time.perf_counter()
            counts = seed(db, **sizes)
            seeded = time.perf_counter() - started
            ratios, medians = [], []
            for _round in range(rounds):
                base = _flag_median(base_db, sample)
                larger = _flag_median(db, sample)
                ratios.append(larger / base)
                medians.append(larger)
            db.close()
        ratio = statistics.median(ratios)
        figures[f"median, {label}"] = statistics.median(medians)
        figures[f"ratio, {label}"] = ratio
        print(f"Flags for one decision, {label} ({counts['decisions']:,} decisions, "
              f"{counts['people']:,} people, {counts['interests']:,} interests; seeded in "
              f"{seeded:.0f} s): median {_ms(statistics.median(medians))}, {ratio:.2f}x the "
              f"base register timed in alternation (range {min(ratios):.2f}-{max(ratios):.2f}x "
              f"over {rounds} rounds; target at most 1.5x)")
    return figures


def _resolver(organisations: int = 5_000, rows: int = 30_000) -> dict[str, float]:
    """Import matching: rows naming organisations by any identifier, matched by one Resolver."""
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
    print(f"Import matching: {rows:,} rows against {organisations:,} organisations by every "
          f"identifier and the name (parsed, normalised and resolved): {rate:,.0f} rows/s "
          f"({found:,} found; target at least 20,000 rows/s)")
    return {"import matching rows per second": rate}


def _one_interest(db, rounds: int = 60) -> dict[str, float]:
    """Change one interest through the app's write (which refreshes the decisions it affects in
    the same transaction) against the bare stack: the same UPDATE through sqlite-utils alone."""
    rng = random.Random(11)
    user = SimpleNamespace(id=None, person_id=None, actor="bench")
    ids = [r[0] for r in db.execute("SELECT id FROM interests ORDER BY id")]
    app_times, bare_times, affected = [], [], []
    for round_ in range(rounds):
        interest_id = rng.choice(ids)
        row = dict(db["interests"].get(interest_id))
        values = {key: row[key] for key in interest_queries.EDITABLE_FIELDS}
        values["nature"] = f"Partner (checked {round_})"
        t0 = time.perf_counter()
        with db.atomic():
            db["interests"].update(interest_id, {"nature": values["nature"] + " bare"})
        bare_times.append(time.perf_counter() - t0)
        version = db["interests"].get(interest_id)["version"]
        affected.append(len(dependencies.affected(db, people=[row["person_id"]])))
        t0 = time.perf_counter()
        interest_queries.update_interest(db, interest_id, version, values, user=user)
        app_times.append(time.perf_counter() - t0)
    figures = {"one interest": statistics.median(app_times),
               "one interest bare": statistics.median(bare_times)}
    print(f"Change one interest (its decisions recomputed in the same write; median "
          f"{statistics.median(affected):.0f} affected): median {_ms(figures['one interest'])}, "
          f"worst {_ms(max(app_times))} over {rounds}; bare-stack UPDATE median "
          f"{_ms(figures['one interest bare'])}")
    return figures


def _pages(path: str) -> dict[str, float]:
    """Time pages served through the app (test client, signed in as the secretary), the very
    first request after the bulk load apart from the rest, against a bare-stack twin: the same
    first page's query through sqlite-utils with no app around it."""
    from register import create_app
    from register.auth.models import create_user

    app = create_app({"TESTING": True, "SECRET_KEY": "bench-secret-key-value-long-enough-to-sign",
                      "DATABASE": path,
                      "WTF_CSRF_ENABLED": False})
    db = connect(path)
    create_user(db, username="benchsec", password="bench password 2026", role="secretary")
    reference = db.execute("SELECT reference FROM decisions WHERE id = 1").fetchone()[0]
    t0 = time.perf_counter()
    list(db.query("SELECT decisions.*, committees.name FROM decisions JOIN committees"
                  " ON committees.id = decisions.committee_id"
                  " ORDER BY meeting_date DESC, decisions.id DESC LIMIT 25"))
    bare = time.perf_counter() - t0
    db.close()
    client = app.test_client()
    client.post("/sign-in", data={"username": "benchsec", "password": "bench password 2026"})
    # The process's own warm-up (templates compiled) on another page of the same list, so the
    # first request below measures reading the register after the bulk load, not compiling.
    client.get("/decisions/register?page=2")
    targets = {
        "decisions list, first page": "/decisions/register",
        "decisions list, filtered": "/decisions/register?status=awaiting_review&flagged=yes",
        "decision page": f"/decisions/{reference}",
    }
    figures = {}
    for label, url in targets.items():
        timings = []
        for _ in range(20):
            t0 = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - t0)
        if response.status_code != 200:
            print(f"{label}: HTTP {response.status_code} (page not available)")
            continue
        figures[label] = statistics.median(timings)
        print(f"{label}: first request {_ms(timings[0])}, median {_ms(figures[label])}, "
              f"worst {_ms(max(timings))} over 20 requests")
    print(f"  bare stack, the first page's query alone: {_ms(bare)}")
    return figures
