"""Pages served over HTTP with concurrency: the register's decisions register, a decision page
and the decisions list, each against the bare Flask + sqlite3 + Jinja page of 50 decisions,
both served by waitress with 8 threads from the same database, in alternating rounds."""
from __future__ import annotations

import sqlite3

from . import servers
from .loadgen import LoadResult, run_load, sign_in
from .seed import BENCH_USER
from .table import Goal, Row

RPS_GOAL = Goal("ratio >= 0.5", at_least=0.5)
P99_GOAL = Goal("ratio <= 2", at_most=2.0)


def _targets(database: str) -> dict[str, str]:
    conn = sqlite3.connect(database)
    try:
        reference = conn.execute("SELECT reference FROM decisions WHERE flag_count > 0"
                                 " ORDER BY id LIMIT 1").fetchone()[0]
    finally:
        conn.close()
    return {"/decisions/register": "/decisions/register",
            "a decision page": f"/decisions/{reference}",
            "/decisions/": "/decisions/"}


def run(database: str, tmp: str, *, rounds: int = 5, duration: float = 3.0,
        concurrency: int = 4) -> list[Row]:
    """Serve both, sign in to the register, and load each page against the bare page."""
    targets = _targets(database)
    project_port, bare_port = servers.free_port(), servers.free_port()
    env = servers.app_env(database, tmp)
    rows: list[Row] = []
    with servers.served(servers.project_command(project_port), env, project_port, "/sign-in"), \
            servers.served(servers.bare_command(database, bare_port), env, bare_port):
        headers = sign_in(servers.HOST, project_port, *BENCH_USER)
        for label, path in targets.items():
            # One warm-up each, so that neither side is timed compiling its templates.
            run_load(servers.HOST, project_port, path, concurrency=1, duration=0.3,
                     headers=headers)
            run_load(servers.HOST, bare_port, "/", concurrency=1, duration=0.3)
            results: dict[str, list[LoadResult]] = {"project": [], "bare": []}
            sides = {"project": (project_port, path, headers), "bare": (bare_port, "/", {})}
            for index in range(rounds):
                for side in (("project", "bare") if index % 2 == 0 else ("bare", "project")):
                    port, asked, sent = sides[side]
                    result = run_load(servers.HOST, port, asked, concurrency=concurrency,
                                      duration=duration, headers=sent)
                    if result.errors or not result.ok:
                        raise RuntimeError(f"{side} {asked}: {result.errors} requests failed")
                    results[side].append(result)
            rps = Row(f"{label}: requests per second ({concurrency} clients)", "req/s",
                      RPS_GOAL, [r.rps for r in results["project"]],
                      [r.rps for r in results["bare"]])
            p99 = Row(f"{label}: p99 latency (p50 {_ms_median(results['project'])} against "
                      f"{_ms_median(results['bare'])})", "ms", P99_GOAL,
                      [r.p99 * 1000 for r in results["project"]],
                      [r.p99 * 1000 for r in results["bare"]])
            rows += [rps, p99]
            print(f"  {label}: {rps.project[-1]:.0f} req/s against {rps.bare[-1]:.0f} (last round)",
                  flush=True)
    return rows


def _ms_median(results: list[LoadResult]) -> str:
    values = sorted(r.p50 * 1000 for r in results)
    return f"{values[len(values) // 2]:.1f} ms" if values else "-"
