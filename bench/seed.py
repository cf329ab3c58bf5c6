"""Seed a large register quickly into a temporary database for the benchmarks."""
from __future__ import annotations

import datetime as dt
import random

from sqlite_utils import Database

from register.organisations.identity import keyed
from register.timeutil import utcnow_iso

KINDS = ["practice"] * 7 + ["network", "federation", "independent"]


def seed(db: Database, *, decisions: int = 10_000, people: int = 3_000, interests: int = 30_000,
         organisations: int = 1_000, participants_per_decision: int = 8,
         providers_per_decision: int = 2, links: int = 1_500, rng_seed: int = 7) -> dict[str, int]:
    """Fill an empty, migrated database with a deterministic, realistic-shaped register."""
    rng = random.Random(rng_seed)
    now = utcnow_iso()
    with db.atomic():
        orgs = []
        for i in range(1, organisations + 1):
            kind = KINDS[i % len(KINDS)]
            orgs.append({
                "id": i, "name": f"{['Riverside', 'Hill', 'Oak', 'Bridge', 'Mill'][i % 5]} "
                                 f"{'Surgery' if kind == 'practice' else 'Health'} {i}",
                "kind": kind,
                "ods_code": f"Y{90000 + i:05d}"[-6:] if kind == "practice" else f"U{80000 + i}",
                "registered_address": f"{i} High Street", "postcode": "ZZ1 1ZZ",
                "is_member_practice": int(kind == "practice" and i % 3 != 0),
                "created_at": now, "updated_at": now, "version": 1})
        db["organisations"].insert_all([keyed(org) for org in orgs], batch_size=1000)
        practices = [o["id"] for o in orgs if o["kind"] == "practice"]
        parents = [o["id"] for o in orgs if o["kind"] in ("network", "federation")]
        pairs = set()
        while len(pairs) < links:
            pairs.add((rng.choice(practices), rng.choice(parents)))
        db["organisation_links"].insert_all(
            [{"member_id": m, "parent_id": p, "date_from": "2020-01-01", "created_at": now}
             for m, p in sorted(pairs)], batch_size=1000)
        db["people"].insert_all([{
            "id": i, "name": f"Person {i}", "email": f"person{i}@example.nhs.uk",
            "positions": "GP partner" if i % 4 == 0 else "Board member",
            "is_decision_maker": 1, "home_practice_id": rng.choice(practices) if i % 4 == 0 else None,
            "created_at": now, "updated_at": now, "version": 1} for i in range(1, people + 1)],
            batch_size=1000)
        db.execute("INSERT INTO home_practices (person_id, organisation_id, created_at)"
                   " SELECT id, home_practice_id, created_at FROM people"
                   " WHERE home_practice_id IS NOT NULL")
        base = dt.date(2024, 1, 1)
        rows = []
        for _ in range(interests):
            start = base - dt.timedelta(days=rng.randint(0, 2000))
            ended = rng.random() < 0.2
            rows.append({
                "person_id": rng.randint(1, people),
                "organisation_id": rng.randint(1, organisations) if rng.random() < 0.8 else None,
                "organisation_name": "" if rng.random() < 0.8 else f"Bridge Health {rng.randint(1, 999)} Ltd",
                "interest_type": rng.choice(["financial", "non_financial_professional",
                                             "non_financial_personal"]),
                "is_indirect": int(rng.random() < 0.2), "associate_relationship": "spouse",
                "nature": "Partner", "date_from": start.isoformat(),
                "date_to": (start + dt.timedelta(days=400)).isoformat() if ended else None,
                "declared_on": (start + dt.timedelta(days=rng.randint(0, 60))).isoformat(),
                "created_at": now, "updated_at": now, "version": 1})
        db["interests"].insert_all(rows, batch_size=2000)
        db["committees"].insert_all([{
            "id": c, "name": f"Committee {c}", "quorum_min_voting": 4, "quorum_min_lay": 1,
            "created_at": now, "updated_at": now, "version": 1} for c in range(1, 6)])
        statuses = ["draft", "awaiting_review", "ready_for_decision", "decided", "published"]
        decision_rows, provider_rows, participant_rows = [], [], []
        for i in range(1, decisions + 1):
            meeting = base + dt.timedelta(days=rng.randint(0, 1000))
            decision_rows.append({
                "id": i, "reference": f"MOB-{meeting.year}-{i:05d}",
                "title": f"Service {i}: " + rng.choice(
                    ["physiotherapy", "anticoagulation", "diagnostics", "dermatology"]),
                "description": "Community service", "choice": rng.choice(["make", "buy", "mixed"]),
                "contract_kind": "new", "regime": "psr", "process": "competitive_process",
                "total_value_pence": rng.randint(1, 10_000_000) * 100,
                "annual_value_pence": rng.randint(1, 1_000_000) * 100,
                "committee_id": rng.randint(1, 5), "meeting_date": meeting.isoformat(),
                "status": rng.choice(statuses),
                "offered_to_all_member_practices": int(rng.random() < 0.05),
                "created_at": now, "updated_at": now, "version": 1})
            for org in rng.sample(range(1, organisations + 1), providers_per_decision):
                provider_rows.append({"decision_id": i, "organisation_id": org})
            for person in rng.sample(range(1, people + 1), participants_per_decision):
                participant_rows.append({"decision_id": i, "person_id": person,
                                         "role": "voting" if rng.random() < 0.8 else "attendee"})
        db["decisions"].insert_all(decision_rows, batch_size=1000)
        db["decision_providers"].insert_all(provider_rows, batch_size=5000)
        db["decision_participants"].insert_all(participant_rows, batch_size=5000)
    return {"decisions": decisions, "people": people, "interests": interests,
            "organisations": organisations}


BENCH_USER = ("benchsec", "bench password 2026")


def prepare_register(path: str, **sizes: int) -> dict[str, int]:
    """Migrate, seed and bring every decision's flags up to date (as a bulk import leaves a
    register), and add a secretary account `BENCH_USER` to sign in with."""
    from register.auth.models import create_user
    from register.db import connect, migrate
    from register.decisions import lifecycle

    db = connect(path, foreign_keys=False)
    migrate(db)
    db.close()
    db = connect(path)
    try:
        counts = seed(db, **sizes)
        lifecycle.refresh_all(db, actor="bench")
        create_user(db, username=BENCH_USER[0], password=BENCH_USER[1], role="secretary")
    finally:
        db.close()
    return counts
