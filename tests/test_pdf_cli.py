"""`flask pdf pack` on a terminal shows its stages and pages as a progress bar; piped to a file
or another program it prints only what it wrote."""
from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from .test_reports_dashboard import world  # noqa: F401 - the shared fixture

ROOT = Path(__file__).resolve().parent.parent


def _command(app, output: Path) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "REGISTER_DATABASE": app.config["DATABASE"],
           "REGISTER_SECRET_KEY": "0123456789abcdef" * 4, "NO_COLOR": "1", "COLUMNS": "120"}
    command = [sys.executable, "-m", "flask", "--app", "register", "pdf", "pack",
               "--committee", "Primary Care Committee", "--from", "2025-04-01",
               "--to", "2026-03-31", "-o", str(output)]
    return command, env


def _run_on_a_terminal(command: list[str], env: dict[str, str], timeout: float = 120) -> str:
    """Run a command with a pseudo-terminal as its standard input, output and error; all it
    wrote there."""
    main, child = pty.openpty()
    process = subprocess.Popen(command, stdin=child, stdout=child, stderr=child, env=env,
                               cwd=ROOT, close_fds=True)
    os.close(child)
    out = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 1)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(main)
        process.wait(timeout=30)
    assert process.returncode == 0, out[-2000:]
    return out.decode("utf-8", "replace")


def test_a_terminal_sees_the_bar_with_stages_and_pages(app, world, tmp_path):  # noqa: F811
    output = tmp_path / "pack.pdf"
    command, env = _command(app, output)
    seen = _run_on_a_terminal(command, env)
    assert "Printing the pack" in seen and "[####" in seen
    for words in ("Reading the register", "Laying out the pages: 1 page done",
                  "Laying out the pages: 2 pages done", "Saving the file", "Done"):
        assert words in seen, words
    assert f"Wrote {output}" in seen
    assert output.read_bytes().startswith(b"%PDF")


def test_without_a_terminal_there_is_no_bar(app, world, tmp_path):  # noqa: F811
    output = tmp_path / "pack.pdf"
    command, env = _command(app, output)
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr == b""
    assert done.stdout.decode() == f"Wrote {output} ({output.stat().st_size:,} bytes)\n"
