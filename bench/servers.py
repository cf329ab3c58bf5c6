"""Start the register and its bare twin as real servers (waitress, 8 threads each) in their own
processes, and stop them again."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from .loadgen import get

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    """A port nobody is listening on just now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def app_env(database: str, tmp: str, **extra: str) -> dict[str, str]:
    """The environment that points the register at a benchmark database, with its keys and logs
    in `tmp` (never the instance folder) and no second factor for the benchmark's accounts."""
    env = dict(os.environ)
    env.update({
        "REGISTER_DATABASE": database,
        "REGISTER_SECRET_KEY": "bench-" + "0" * 58,
        "REGISTER_AUDIT_KEY_FILE": str(Path(tmp) / "audit_key"),
        "REGISTER_REQUIRE_MFA": "false",
        "PYTHONPATH": str(ROOT),
        **extra,
    })
    return env


def project_command(port: int) -> list[str]:
    """`flask serve`, as `make run` serves the register."""
    return [sys.executable, "-m", "flask", "--app", "register", "serve", "--port", str(port)]


def bare_command(database: str, port: int) -> list[str]:
    """The bare twin's server."""
    return [sys.executable, "-m", "bench.bare_app", database, str(port)]


def start(argv: list[str], env: Mapping[str, str]) -> subprocess.Popen:
    """Start a server in its own process group (so that it and its children stop together)."""
    # A file, not a pipe: a pipe nobody reads would stop a chatty server once it filled.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(argv, cwd=ROOT, env=dict(env), stdout=subprocess.DEVNULL,
                            stderr=log, start_new_session=True)
    proc.log = log  # type: ignore[attr-defined]
    return proc


def _log(proc: subprocess.Popen) -> str:
    log = proc.log  # type: ignore[attr-defined]
    log.seek(0)
    return log.read().decode("utf-8", "replace")[-2000:]


def wait_for(proc: subprocess.Popen, port: int, path: str = "/", timeout: float = 120) -> float:
    """Poll until `path` answers 200; the seconds that took. Raises if the server died."""
    began = time.perf_counter()
    while time.perf_counter() - began < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the server stopped: {_log(proc)}")
        try:
            status, body = get(HOST, port, path, timeout=30)
        except OSError:
            time.sleep(0.02)
            continue
        if status == 200:
            return time.perf_counter() - began
        if status >= 500:
            raise RuntimeError(f"{path} answered {status}: {body[:500]}")
        time.sleep(0.02)
    raise RuntimeError(f"nothing answered 200 on {path} within {timeout:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    """Stop a server started by `start`, and every process it started."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    proc.log.close()  # type: ignore[attr-defined]


@contextlib.contextmanager
def served(argv: list[str], env: Mapping[str, str], port: int,
           path: str = "/") -> Iterator[subprocess.Popen]:
    """A running server for the duration of the block."""
    proc = start(argv, env)
    try:
        wait_for(proc, port, path)
        yield proc
    finally:
        stop(proc)
