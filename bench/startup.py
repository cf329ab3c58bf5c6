"""`make run`'s second start to its first page (the register already migrated and holding the
demo data): from launching `make run` to the sign-in page answering, against the bare twin's
server started to its first page, alternating."""
from __future__ import annotations

import shutil
from pathlib import Path

from . import servers
from .table import Goal, Row

GOAL = Goal("project < 3 s", on="project", at_most=3.0)


def _make_run(port: int) -> list[str]:
    make = shutil.which("make") or "make"
    return [make, "--no-print-directory", "-s", "run", f"PORT={port}"]


def _start_to_page(argv: list[str], env: dict[str, str], port: int, path: str,
                   timeout: float = 120) -> float:
    proc = servers.start(argv, env)
    try:
        return servers.wait_for(proc, port, path, timeout=timeout)
    finally:
        servers.stop(proc)


def run(tmp: str, *, rounds: int = 3) -> list[Row]:
    """Start `make run` once to set up the demo register, then time second starts."""
    database = str(Path(tmp) / "startup.sqlite3")
    env = servers.app_env(database, tmp)
    port = servers.free_port()
    first = _start_to_page(_make_run(port), env, port, "/sign-in", timeout=600)
    print(f"  make run, first start (migrate and load the demo): {first:.1f} s", flush=True)
    row = Row("make run, second start to the first page", "s", GOAL)
    for index in range(rounds):
        sides = ("project", "bare") if index % 2 == 0 else ("bare", "project")
        for side in sides:
            port = servers.free_port()
            if side == "project":
                row.project.append(_start_to_page(_make_run(port), env, port, "/sign-in"))
            else:
                row.bare.append(_start_to_page(servers.bare_command(database, port), env, port,
                                               "/"))
    print(f"  make run, second start: {row.project[-1]:.2f} s against {row.bare[-1]:.2f} s",
          flush=True)
    return [row]
