"""`flask import` draws progress bars (rows checked, rows written) on a terminal, and prints
nothing but its summary when stdout is a file or a pipe."""
from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from register.imports.parsers import CHECKING, WRITING
from register.imports.writers import import_file

ROOT = Path(__file__).resolve().parent.parent
ROWS = 450


def _people_file(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    lines = ["name,email,positions,is_decision_maker"]
    lines += [f"Person {i},person{i}@example.nhs.uk,Board member,yes" for i in range(ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _env(app, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "REGISTER_DATABASE": app.config["DATABASE"],
            "REGISTER_SECRET_KEY": "progress-" + "0" * 56,
            "REGISTER_AUDIT_KEY_FILE": str(tmp_path / "audit_key"),
            "REGISTER_REQUIRE_MFA": "false", "PYTHONPATH": str(ROOT), "COLUMNS": "100"}


def _command(path: Path) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "register", "import", "people", str(path)]


def _on_a_terminal(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run a command with stdout on a pseudo-terminal; its exit status and all it drew."""
    main, child = pty.openpty()
    process = subprocess.Popen(argv, stdout=child, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, env=env, cwd=ROOT)
    os.close(child)
    drawn = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the terminal closed with the command
            break
        if not chunk:
            break
        drawn += chunk
    os.close(main)
    return process.wait(timeout=120), drawn.decode("utf-8", "replace")


def test_on_a_terminal_the_import_draws_bars_for_rows_checked_and_written(app, tmp_path):
    status, drawn = _on_a_terminal(_command(_people_file(tmp_path)), _env(app, tmp_path))
    assert status == 0, drawn
    assert "Checking rows" in drawn and "Writing rows" in drawn
    assert f"{ROWS}/{ROWS}" in drawn and "100%" in drawn
    assert "#" in drawn  # the bar itself
    assert f"Imported people.csv ({ROWS} rows)" in drawn


def test_without_a_terminal_only_the_summary_is_printed(app, tmp_path):
    done = subprocess.run(_command(_people_file(tmp_path)), env=_env(app, tmp_path), cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Checking rows" not in done.stdout + done.stderr
    assert "Writing rows" not in done.stdout + done.stderr
    assert "%" not in done.stdout
    assert done.stdout.startswith(f"Imported people.csv ({ROWS} rows)")


def test_progress_hears_every_row_checked_then_written(db, tmp_path):
    heard: list[tuple[str, int, int]] = []
    plan = import_file(db, "people", _people_file(tmp_path).read_bytes(), actor="tester",
                       progress=lambda stage, done, total: heard.append((stage, done, total)))
    assert plan.ok
    checked = [done for stage, done, _total in heard if stage == CHECKING]
    written = [done for stage, done, _total in heard if stage == WRITING]
    assert checked == [100, 200, 300, 400, ROWS]
    assert written == [100, 200, 300, 400, ROWS]
    assert heard.index((WRITING, 100, ROWS)) > heard.index((CHECKING, ROWS, ROWS))
