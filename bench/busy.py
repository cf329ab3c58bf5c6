"""A decision page's p99 latency while a board audit pack of about 1,000 decisions is laid out,
against the same page with nothing building, on the register served as the pages part serves it.

The pack is asked for through the web form, as a secretary would (committee and period chosen so
that about 1,000 of the register's decisions are in it), and its progress is read from the job's
own status address. A busy round is kept only if the job says "building" both before and after
the load run (otherwise it is run again with a new pack); an idle round runs only once no pack
is building. Rounds alternate: idle first in even rounds, busy first in odd ones. A pack still
being read or laid out when an idle round is due is stopped by killing its worker process (the
job ends as failed and the next pack starts a new worker), rather than waited for: a
1,000-decision pack takes most of a minute on a shared 2-core machine, and `make bench` must stay
short. The worker reads the register before it lays the pack out; a busy round waits for the
layout ("building"), which is most of a pack's time.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import time
from pathlib import Path
from urllib.parse import urlsplit

from register.reports import pack_jobs

from . import servers
from .loadgen import LoadResult, get, run_load, sign_in, submit_form
from .seed import BENCH_USER
from .table import Goal, Row

GOAL = Goal("ratio <= 1.5", at_most=1.5)
PACK_DECISIONS = 1_000
READING, BUILDING, ENDED = "reading", "building", ("ready", "failed")


def pack_period(database: str, decisions: int = PACK_DECISIONS) -> tuple[int, str, str, int]:
    """The committee with the most decisions, and a period from its first meeting that holds
    about `decisions` of them: committee id, first and last day, and how many are in it."""
    conn = sqlite3.connect(database)
    try:
        committee = conn.execute("SELECT committee_id FROM decisions GROUP BY committee_id"
                                 " ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        dates = [row[0] for row in conn.execute(
            "SELECT meeting_date FROM decisions WHERE committee_id = ? ORDER BY meeting_date",
            [committee])]
        first, last = dates[0], dates[min(decisions, len(dates)) - 1]
        count = conn.execute("SELECT count(*) FROM decisions WHERE committee_id = ?"
                             " AND meeting_date BETWEEN ? AND ?", [committee, first, last]
                             ).fetchone()[0]
    finally:
        conn.close()
    return committee, first, last, count


def _flagged_decision(database: str) -> str:
    conn = sqlite3.connect(database)
    try:
        return conn.execute("SELECT reference FROM decisions WHERE flag_count > 0"
                            " ORDER BY id LIMIT 1").fetchone()[0]
    finally:
        conn.close()


def _form(committee: int, first: str, last: str) -> dict[str, str]:
    """The pack form's fields, as the secretary fills them in."""
    fields = {"committee_id": str(committee), "marking": "OFFICIAL",
              "prepared_by": "Bench Secretary", "purpose": "Benchmark",
              "recommendation": "Note it"}
    for name, day in (("date_from", first), ("date_to", last)):
        year, month, dom = day.split("-")
        fields.update({f"{name}-day": str(int(dom)), f"{name}-month": str(int(month)),
                       f"{name}-year": year})
    return fields


class _Packs:
    """The packs this measurement asks for, and the state of the last one."""

    def __init__(self, port: int, headers: dict[str, str], fields: dict[str, str],
                 folder: Path) -> None:
        self.port, self.headers, self.fields, self.folder = port, headers, fields, folder
        self.job: str | None = None
        self.started = 0
        self.stopped = 0

    def state(self) -> str:
        """The last pack's state, as its progress address gives it ("none" before the first)."""
        if self.job is None:
            return "none"
        status, body = get(servers.HOST, self.port, self.job + ".json", self.headers,
                           timeout=60)
        if status != 200:
            raise RuntimeError(f"{self.job}.json answered {status}")
        return json.loads(body)["state"]

    def until(self, wanted: tuple[str, ...], timeout: float) -> str:
        """Poll the last pack's progress until its state is one of `wanted`."""
        deadline = time.monotonic() + timeout
        while (state := self.state()) not in wanted:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the pack is still {state} after {timeout:.0f} s")
            time.sleep(0.1)
        return state

    def none_building(self) -> None:
        """Make sure no pack is being read or laid out: stop the last one if it still is."""
        if self.state() in (READING, BUILDING):
            job = pack_jobs.status(self.folder, self.job.rsplit("/", 1)[-1]) or {}
            if job.get("builder_pid"):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(job["builder_pid"], signal.SIGKILL)
                self.stopped += 1
        if self.until(("none", *ENDED), timeout=600) == "failed" and not self.stopped:
            raise RuntimeError("the pack failed: the server's log says why")

    def building(self) -> None:
        """Make sure a pack is being laid out: ask for a new one unless the last still is."""
        if self.state() == BUILDING:
            return
        status, location, self.headers = submit_form(servers.HOST, self.port, "/reports/pack",
                                                     self.fields, self.headers)
        if status not in (302, 303) or "/reports/pack/jobs/" not in location:
            raise RuntimeError(f"asking for the pack answered {status} {location}")
        self.job = urlsplit(location).path
        self.started += 1
        if self.until((BUILDING, *ENDED), timeout=300) != BUILDING:
            raise RuntimeError("the pack ended before it could be measured against")


def run(database: str, tmp: str, *, rounds: int = 3, duration: float = 3.0,
        concurrency: int = 4) -> list[Row]:
    """Serve the register, and load a decision page idle and while a pack builds, alternately."""
    committee, first, last, count = pack_period(database)
    path = f"/decisions/{_flagged_decision(database)}"
    port = servers.free_port()
    env = servers.app_env(database, tmp)
    idle: list[LoadResult] = []
    busy: list[LoadResult] = []
    with servers.served(servers.project_command(port), env, port, "/sign-in"):
        headers = sign_in(servers.HOST, port, *BENCH_USER)
        packs = _Packs(port, headers, _form(committee, first, last),
                       pack_jobs.folder_for({"DATABASE": database}))
        # A warm-up, so that no round is timed reading the decision for the first time.
        run_load(servers.HOST, port, path, concurrency=1, duration=1.0, headers=headers)

        def measure() -> LoadResult:
            result = run_load(servers.HOST, port, path, concurrency=concurrency,
                              duration=duration, headers=headers)
            if result.errors or not result.ok:
                raise RuntimeError(f"{path}: {result.errors} requests failed")
            return result

        for index in range(rounds):
            for side in (("idle", "busy") if index % 2 == 0 else ("busy", "idle")):
                if side == "idle":
                    packs.none_building()
                    idle.append(measure())
                    continue
                for _attempt in range(3):
                    packs.building()
                    result = measure()
                    if packs.state() == BUILDING:  # the whole run was against a build
                        busy.append(result)
                        break
                else:
                    raise RuntimeError("every pack ended within a load run: make it larger")
    row = Row(f"a decision page: p99 latency while a 1,000-decision pack builds, against idle "
              f"(p50 {_ms_median(busy)} against {_ms_median(idle)})", "ms", GOAL,
              [r.p99 * 1000 for r in busy], [r.p99 * 1000 for r in idle],
              note=f"{count:,} decisions in the pack, {packs.started} packs asked for, "
                   f"{packs.stopped} stopped")
    print(f"  busy: p99 {row.project[-1]:.1f} ms while building against {row.bare[-1]:.1f} ms "
          f"idle (last round), {packs.started} packs of {count:,} decisions", flush=True)
    return [row]


def _ms_median(results: list[LoadResult]) -> str:
    values = sorted(r.p50 * 1000 for r in results)
    return f"{values[len(values) // 2]:.1f} ms" if values else "-"
