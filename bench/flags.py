"""Conflict flags on a large register: compute time per decision, and pages served by the app."""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from register.db import connect, migrate
from register.decisions import flagging

from .seed import seed


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def run(sample: int = 1000) -> dict[str, float]:
    """Seed 10,000 decisions and time the flag computation for `sample` of them."""
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "bench.sqlite3")
        db = connect(path)
        migrate(db)
        started = time.perf_counter()
        counts = seed(db)
        print(f"Seeded {counts} in {time.perf_counter() - started:.1f} s")
        timings = []
        for decision_id in range(1, sample + 1):
            t0 = time.perf_counter()
            flagging.compute_flags(db, decision_id)
            timings.append(time.perf_counter() - t0)
        plan = " | ".join(r["detail"] for r in db.query(
            "EXPLAIN QUERY PLAN SELECT * FROM interests WHERE person_id IN (?, ?)", [1, 2]))
        figures = {"median": statistics.median(timings), "worst": max(timings)}
        print(f"Flags for one decision over {sample} decisions: median {_ms(figures['median'])}, "
              f"worst {_ms(figures['worst'])}")
        print(f"  interests lookup plan: {plan}")
        t0 = time.perf_counter()
        flagging.ensure_current(db, range(1, sample + 1))
        print(f"Recompute and store flags for {sample} decisions: "
              f"{time.perf_counter() - t0:.2f} s")
        pages = _pages(path)
        figures.update(pages)
        db.close()
    return figures


def _pages(path: str) -> dict[str, float]:
    """Time pages served through the app (test client, signed in as the secretary)."""
    from register import create_app
    from register.auth.models import create_user

    app = create_app({"TESTING": True, "SECRET_KEY": "bench-secret-key-value", "DATABASE": path,
                      "WTF_CSRF_ENABLED": False})
    db = connect(path)
    create_user(db, username="benchsec", password="bench password 2026", role="secretary")
    flagging.ensure_current(db)
    reference = db.execute("SELECT reference FROM decisions WHERE id = 1").fetchone()[0]
    db.close()
    client = app.test_client()
    client.post("/sign-in", data={"username": "benchsec", "password": "bench password 2026"})
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
        print(f"{label}: median {_ms(figures[label])}, worst {_ms(max(timings))} over 20 requests")
    return figures
