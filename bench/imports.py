"""Importing declared interests against the bare stack: the register's `interests` import (every
row checked, written with its audit event, flags brought up to date) against sqlite-utils
`insert_all` of the same rows (the CSV read and each row's person and organisation looked up),
each on a fresh copy of the same register, in alternating rounds; rows per second."""
from __future__ import annotations

import csv
import io
import random
import shutil
import sqlite3
import time
from pathlib import Path

from sqlite_utils import Database

from register.db import connect
from register.imports.writers import import_file
from register.timeutil import utcnow_iso

from .table import Goal, Row

GOAL = Goal("ratio >= 0.3", at_least=0.3)
COLUMNS = ("person_email", "organisation_ods", "organisation_companies_house_number",
           "organisation_charity_number", "organisation_name", "organisation_business",
           "interest_type", "direct_or_indirect", "relationship", "nature", "date_from", "date_to",
           "mitigation", "declared_on", "consent_to_publish", "withheld_reason")
TYPES = ("financial", "non_financial_professional", "non_financial_personal")


def interests_file(database: str, rows: int, seed: int = 3) -> bytes:
    """A valid `interests` file (docs/imports.md) of `rows` new interests held by the register's
    people in its organisations that have an ODS code."""
    conn = sqlite3.connect(database)
    try:
        emails = [r[0] for r in conn.execute("SELECT email FROM people ORDER BY id")]
        codes = [r[0] for r in conn.execute(
            "SELECT ods_code FROM organisations WHERE ods_code IS NOT NULL ORDER BY id")]
    finally:
        conn.close()
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for index in range(rows):
        indirect = rng.random() < 0.2
        year = rng.randint(2015, 2025)
        writer.writerow([
            rng.choice(emails), rng.choice(codes), "", "", "", "Health services",
            rng.choice(TYPES), "indirect" if indirect else "direct",
            "spouse" if indirect else "", f"Partner, entry {index}", f"{year}-03-01", "", "",
            f"{year}-03-20", "yes", ""])
    return out.getvalue().encode("utf-8")


def project_import(path: str, data: bytes) -> float:
    """The register's import of the file; seconds."""
    db = connect(path)
    try:
        started = time.perf_counter()
        plan = import_file(db, "interests", data, actor="bench")
        seconds = time.perf_counter() - started
    finally:
        db.close()
    if not plan.ok:
        raise RuntimeError(f"the bench's interests file was refused: {plan.problems[:3]}")
    return seconds


def bare_import(path: str, data: bytes) -> float:
    """The same rows read from the file and written with one `insert_all`; seconds."""
    db = Database(sqlite3.connect(path))
    try:
        started = time.perf_counter()
        people = dict(db.execute("SELECT email, id FROM people").fetchall())
        organisations = dict(db.execute(
            "SELECT ods_code, id FROM organisations WHERE ods_code IS NOT NULL").fetchall())
        now = utcnow_iso()
        rows = [{
            "person_id": people[row["person_email"]],
            "organisation_id": organisations[row["organisation_ods"]],
            "organisation_business": row["organisation_business"],
            "interest_type": row["interest_type"],
            "is_indirect": int(row["direct_or_indirect"] == "indirect"),
            "associate_relationship": row["relationship"], "nature": row["nature"],
            "date_from": row["date_from"], "date_to": row["date_to"] or None,
            "declared_on": row["declared_on"], "consent_to_publish": 1,
            "created_at": now, "updated_at": now, "version": 1,
        } for row in csv.DictReader(io.StringIO(data.decode("utf-8")))]
        with db.atomic():
            db["interests"].insert_all(rows, batch_size=1000)
        seconds = time.perf_counter() - started
    finally:
        db.close()
    return seconds


def run(database: str, tmp: str, *, rows: int = 30_000, rounds: int = 3) -> list[Row]:
    """Import `rows` interests into fresh copies of `database`, both ways, alternating."""
    data = interests_file(database, rows)
    copy = str(Path(tmp) / "import.sqlite3")
    row = Row(f"Import {rows:,} interests: rows per second", "rows/s", GOAL)
    for index in range(rounds):
        for side in (("project", "bare") if index % 2 == 0 else ("bare", "project")):
            shutil.copyfile(database, copy)
            seconds = (project_import if side == "project" else bare_import)(copy, data)
            (row.project if side == "project" else row.bare).append(rows / seconds)
        print(f"  import, round {index + 1}: {row.project[-1]:,.0f} rows/s against "
              f"{row.bare[-1]:,.0f}", flush=True)
    return [row]
