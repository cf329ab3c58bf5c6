"""Run the benchmarks and end with one table: `make bench` (under 10 minutes on 2 cores) or
`make bench-full` (larger sizes, the Companies House file).

Every figure is measured beside its bare-stack twin in the same run, in alternating rounds, and
judged on the median ratio (see bench/table.py); `--output FILE` also writes the table, with the
machine and its load, as Markdown.
"""
from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from . import audit, busy, flags, imports, pack, pages, startup
from .seed import prepare_register
from .table import Row, format_table


def load_average() -> str:
    """The machine's load as `uptime` gives it (1, 5 and 15 minutes)."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def machine() -> str:
    """One line about the machine and the stack the figures were measured on."""
    return (f"{os.cpu_count()} CPUs, {platform.machine()}, Linux {platform.release()}, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


PARTS = ("flags", "pages", "busy", "imports", "audit", "pack", "startup")


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark, then print the closing table."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true",
                        help="Also 10,000-decision packs, a 30,000-row import and the Companies "
                             "House file (slower).")
    parser.add_argument("--output", type=Path, help="Also write the table here as Markdown.")
    parser.add_argument("--only", action="append", choices=PARTS, metavar="PART",
                        help="Run only this part (repeatable): " + ", ".join(PARTS) + ".")
    args = parser.parse_args(argv)
    wanted = set(args.only or PARTS)
    began = time.perf_counter()
    print(f"Machine: {machine()}; load average {load_average()}", flush=True)
    rows: list[Row] = []
    needs_register = wanted & {"flags", "pages", "busy", "imports"}
    with tempfile.TemporaryDirectory() as tmp:
        database = str(Path(tmp) / "register.sqlite3")
        if needs_register:
            started = time.perf_counter()
            counts = prepare_register(database)
            print(f"Register of {counts['decisions']:,} decisions, {counts['people']:,} people "
                  f"and {counts['interests']:,} interests ready in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
        if "flags" in wanted:
            rows += flags.run(database)
            rows += flags.ten_times(database)
            rows += flags.matching()
        if "pages" in wanted:
            rows += pages.run(database, tmp)
        if "busy" in wanted:
            rows += busy.run(database, tmp)
        # The register's import has a large fixed cost (flags brought up to date for every
        # decision the new interests touch): two rounds keep `make bench` under 10 minutes.
        if "imports" in wanted:
            rows += imports.run(database, tmp, rows=30_000 if args.full else 5_000,
                                rounds=3 if args.full else 2)
    if "audit" in wanted:
        rows += audit.run()
    if "pack" in wanted:
        rows += pack.run(pack.FULL_SIZES if args.full else pack.SIZES,
                         rounds=None if args.full else {1_000: 2})
    if "startup" in wanted:
        with tempfile.TemporaryDirectory() as tmp:
            rows += startup.run(tmp)
    if args.full and not args.only:
        from . import companies_house

        companies_house.run()
    minutes = (time.perf_counter() - began) / 60
    table = format_table(rows)
    met = sum(1 for row in rows if row.met())
    summary = (f"{met} of {len(rows)} rows met. Ran in {minutes:.1f} minutes on {machine()}; "
               f"load average at the end {load_average()}.")
    print()
    print(table)
    print()
    print(summary)
    if args.output:
        args.output.write_text(table + "\n\n" + summary + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
