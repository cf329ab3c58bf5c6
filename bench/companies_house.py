"""The Companies House basic company data import over a generated file in the published layout:
rows read and filtered per second, and the import's peak memory (target: the whole file of
5 million companies in under 2 minutes, in constant memory).

The file is generated here (every value quoted, 55 columns, as published): by default 1,000,000
companies, about 480 MB, and the time for 5 million is extrapolated from the rate; set
BENCH_COMPANIES=5000000 to read a file of the full size (about 2.4 GB of disk). The register holds
2,000 companies, spread through the file, which the import refreshes; every other row is checked
and left out. Each import runs in a fresh process, so its peak resident memory is its own; a
file a tenth of the size is imported too, to show the memory does not grow with the file.
"""
from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from register.db import connect, migrate
from register.organisations.identity import keyed
from register.rules.companies_house import PUBLISHED_HEADER, PUBLISHED_HEADER_LINE
from register.timeutil import utcnow_iso

FULL_FILE = 5_000_000
IN_REGISTER = 2_000
SIC = ("86210 - General medical practice activities", "86900 - Other human health activities",
       "62020 - Information technology consultancy activities", "68209 - Other letting",
       "99999 - Dormant Company", "None Supplied")
STATUSES = ("Active",) * 18 + ("Active - Proposal to Strike off", "Liquidation")


PREFIXES = ("SC", "NI", "OC", "SO", "NC", "FC", "SL", "LP", "IP", "RC")


def _number(index: int) -> str:
    """A distinct number for each row: one in twenty with a two-letter prefix, as in the file."""
    if index % 20 == 0:
        return f"{PREFIXES[index // 1_000_000 % len(PREFIXES)]}{index % 1_000_000:06d}"
    return f"{index + 10_000_000:08d}"


def write_file(path: Path, rows: int, seed: int = 11) -> int:
    """Write `rows` companies in the published layout; returns the file's size in bytes."""
    rng = random.Random(seed)
    width = len(PUBLISHED_HEADER)
    positions = {name.strip(): i for i, name in enumerate(PUBLISHED_HEADER)}
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(PUBLISHED_HEADER_LINE + "\r\n")
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        template = [""] * width
        for index in range(rows):
            cells = list(template)
            number = _number(index)
            cells[positions["CompanyName"]] = f"EXAMPLE COMPANY {index} LIMITED"
            cells[positions["CompanyNumber"]] = number
            cells[positions["RegAddress.AddressLine1"]] = f"{rng.randint(1, 300)} HIGH STREET"
            cells[positions["RegAddress.PostTown"]] = "NORTHVALE"
            cells[positions["RegAddress.Country"]] = "ENGLAND"
            cells[positions["RegAddress.PostCode"]] = f"NV{rng.randint(1, 9)} {rng.randint(1, 9)}AA"
            cells[positions["CompanyCategory"]] = "Private Limited Company"
            cells[positions["CompanyStatus"]] = rng.choice(STATUSES)
            cells[positions["CountryOfOrigin"]] = "United Kingdom"
            cells[positions["IncorporationDate"]] = \
                f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1950, 2025)}"
            cells[positions["Accounts.AccountRefDay"]] = "31"
            cells[positions["Accounts.AccountRefMonth"]] = "3"
            cells[positions["Accounts.NextDueDate"]] = "31/12/2026"
            cells[positions["Accounts.AccountCategory"]] = "MICRO ENTITY"
            for column in ("Mortgages.NumMortCharges", "Mortgages.NumMortOutstanding",
                           "Mortgages.NumMortPartSatisfied", "Mortgages.NumMortSatisfied",
                           "LimitedPartnerships.NumGenPartners",
                           "LimitedPartnerships.NumLimPartners"):
                cells[positions[column]] = "0"
            cells[positions["SICCode.SicText_1"]] = rng.choice(SIC)
            cells[positions["URI"]] = f"http://business.data.gov.uk/id/company/{number}"
            cells[positions["ConfStmtNextDueDate"]] = "15/06/2026"
            writer.writerow(cells)
    return path.stat().st_size


def make_register(path: Path, rows: int) -> None:
    """A register holding IN_REGISTER of the file's companies, spread through it."""
    db = connect(str(path))
    migrate(db)
    now = utcnow_iso()
    step = max(1, rows // IN_REGISTER)
    db["organisations"].insert_all(
        keyed({"name": f"Example Company {index}", "kind": "independent",
               "companies_house_number": _number(index), "created_at": now, "updated_at": now,
               "version": 1}) for index in range(0, rows, step)[:IN_REGISTER])
    db.close()


# Run in a fresh process: the import as the command runs it, and its own peak memory.
CHILD = """
import json, resource, sys, time
from register.db import connect, write_transaction
from register.imports.writers import plan_streamed, read_streamed, write_plan
db = connect(sys.argv[1])
started = time.perf_counter()
with open(sys.argv[2], encoding="utf-8-sig", newline="") as stream:
    reading, wanted_new = read_streamed("companies_house", stream, db)
read = time.perf_counter() - started
with write_transaction(db):
    plan = plan_streamed(reading, db, wanted_new)
    assert plan.ok, [str(p) for p in plan.problems[:3]]
    write_plan(db, plan, actor="bench")
seconds = time.perf_counter() - started
print(json.dumps({"read": read, "seconds": seconds, "rows": plan.rows_read,
                  "changes": len(plan.changes),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _import(database: Path, file: Path) -> dict[str, float]:
    import json

    out = subprocess.run([sys.executable, "-c", CHILD, str(database), str(file)], check=True,
                         capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(rows: int | None = None) -> dict[str, float]:
    """Generate the files, import each into a fresh register, and print the figures."""
    rows = rows or int(os.environ.get("BENCH_COMPANIES", "1000000"))
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        peaks = []
        for size in (rows // 10, rows):
            file = Path(tmp) / f"BasicCompanyData-{size}.csv"
            written = write_file(file, size)
            database = Path(tmp) / f"register-{size}.sqlite3"
            make_register(database, size)
            result = _import(database, file)
            assert result["rows"] == size and result["changes"] == min(IN_REGISTER, size)
            peaks.append(result["peak_mb"])
            rate = size / result["read"]
            write = result["seconds"] - result["read"]
            print(f"companies_house: {size:,} companies ({written / 1e6:,.0f} MB) read and "
                  f"filtered to {result['changes']:,} in {result['read']:.1f} s "
                  f"({rate:,.0f} rows/s), then written in {write:.1f} s; peak memory "
                  f"{result['peak_mb']:.0f} MB")
            file.unlink()
            results = {"rows": size, "seconds": result["seconds"], "rows_per_second": rate,
                       "write_seconds": write, "peak_mb": result["peak_mb"]}
        full = FULL_FILE / results["rows_per_second"] + results["write_seconds"]
        print(f"companies_house: the full file of {FULL_FILE:,} companies at that rate: "
              f"{full:.0f} s with the writes (target under 120 s); peak memory "
              f"{peaks[0]:.0f} MB for a tenth of the file, {peaks[1]:.0f} MB for all of it")
        results.update(full_file_seconds=full, small_peak_mb=peaks[0])
    return results


if __name__ == "__main__":
    run()
