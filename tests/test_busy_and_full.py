"""Busy and full: a write that cannot get the lock tries once more, then answers 503 saying nothing
was saved; a full disk answers a page saying so, logged once as an error. The lock is held by
another process, the full disk is a small tmpfs really filled up."""
from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from register.db import connect, write_transaction

from .conftest import count
from .test_people import person_form

ROOT = Path(__file__).resolve().parent.parent

HOLD_LOCK = textwrap.dedent("""
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO sign_in_failures (username, at) VALUES ('holder', 'now')")
    print("locked", flush=True)
    sys.stdin.read()          # hold the write lock until the test closes our stdin
    conn.execute("ROLLBACK")
""")


@pytest.fixture
def lock_holder(app):
    """hold() starts another process holding the register's write lock (BEGIN IMMEDIATE) and
    returns release()."""
    processes = []

    def hold():  # noqa: ANN202
        process = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, app.config["DATABASE"]],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        processes.append(process)
        assert process.stdout.readline().strip() == "locked"
        return lambda: _release(process)

    yield hold
    for process in processes:
        _release(process)


def _release(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.stdin.close()
        process.wait(timeout=10)


def test_a_write_refused_by_a_lock_held_by_another_process_answers_503(app, db, as_role,
                                                                       lock_holder, caplog):
    client = as_role("secretary")
    people = count(db, "people")
    app.config["BUSY_TIMEOUT_MS"] = 150
    release = lock_holder()
    with caplog.at_level(logging.WARNING, logger="register"):
        response = client.post("/people/new", data=person_form())
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert "The register is busy: nothing was saved. Try again in a moment." in page
    # It tried once more before giving up, and said so once as an error.
    assert [r.levelname for r in caplog.records if "trying once more" in r.getMessage()] == [
        "WARNING"]
    assert len([r for r in caplog.records if r.levelname == "ERROR"]) == 1
    release()
    assert count(db, "people") == people
    # Once the lock is free the same form saves.
    assert client.post("/people/new", data=person_form()).status_code == 302
    assert count(db, "people") == people + 1


def test_a_lock_released_during_the_first_wait_is_taken_on_the_second_try(app, db):
    holder = sqlite3.connect(app.config["DATABASE"], isolation_level=None,
                             check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(0.6, lambda: holder.execute("ROLLBACK")).start()
    writer = connect(app.config["DATABASE"], busy_timeout_ms=400)
    started = time.monotonic()
    with write_transaction(writer):
        writer.execute("INSERT INTO sign_in_failures (username, at) VALUES ('w', 'now')")
    assert time.monotonic() - started >= 0.4  # it waited past the first busy timeout
    assert count(db, "sign_in_failures") == 1
    holder.close()
    writer.close()


def test_a_lock_held_through_both_tries_raises_and_writes_nothing(app, db):
    holder = connect(app.config["DATABASE"])
    holder.conn.execute("BEGIN IMMEDIATE")
    writer = connect(app.config["DATABASE"], busy_timeout_ms=50)
    with pytest.raises(Exception, match="database is locked"):
        with write_transaction(writer):
            writer.execute("INSERT INTO sign_in_failures (username, at) VALUES ('w', 'now')")
    assert not writer.conn.in_transaction
    holder.conn.execute("ROLLBACK")
    assert count(db, "sign_in_failures") == 0
    holder.close()
    writer.close()


FULL_DISK = textwrap.dedent("""
    import errno, json, logging, os, sys
    sys.path.insert(0, sys.argv[2])
    from register.auth import passwords
    passwords.use_parameters(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    from register import create_app
    from register.auth.models import create_user
    from register.db import connect, migrate

    disk = sys.argv[1]
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "test-secret-key-not-for-production",
                      "DATABASE": os.path.join(disk, "register.sqlite3"),
                      "AUDIT_KEY_FILE": os.path.join(disk, "audit_key")})
    db = connect(app.config["DATABASE"], foreign_keys=False)
    migrate(db)
    db.audit_key = app.config["AUDIT_KEY"]
    create_user(db, username="sec", password="correct horse battery", role="secretary")
    db.close()
    client = app.test_client()
    assert client.post("/sign-in", data={"username": "sec", "password": "correct horse battery"}
                       ).status_code == 302
    errors = []
    class Catch(logging.Handler):
        def emit(self, record):
            if record.levelno >= logging.ERROR:
                errors.append(record.getMessage())
    logging.getLogger("register").addHandler(Catch())
    # Fill the disk to the last byte.
    filler = os.open(os.path.join(disk, "filler"), os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(filler, b"x" * 4096)
    except OSError as error:
        assert error.errno == errno.ENOSPC, error
    finally:
        os.close(filler)
    form = {"name": "Dr Jane Patel", "email": "jane.patel@example.nhs.uk", "positions": "GP",
            "is_decision_maker": "y", "home_practice_id": ""}
    response = client.post("/people/new", data=form)
    os.remove(os.path.join(disk, "filler"))
    check = connect(app.config["DATABASE"])
    print(json.dumps({"status": response.status_code, "page": response.get_data(as_text=True),
                      "errors": errors,
                      "people": check.execute("SELECT count(*) FROM people").fetchone()[0],
                      "integrity": check.execute("PRAGMA integrity_check").fetchone()[0]}))
""")


def _tmpfs_runner() -> list[str] | None:
    """How to run a command with a small tmpfs of its own: a private mount namespace (unshare,
    no root needed), or None where this machine allows neither."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    probe = subprocess.run([unshare, "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
                           capture_output=True)
    return [unshare, "-rm"] if probe.returncode == 0 else None


def test_a_full_disk_answers_a_page_saying_so_and_logs_it_once(tmp_path):
    runner = _tmpfs_runner()
    if runner is None:
        pytest.skip("this machine cannot mount a private tmpfs (unshare -rm)")
    disk = tmp_path / "disk"
    disk.mkdir()
    script = tmp_path / "full_disk.py"
    script.write_text(FULL_DISK)
    result = subprocess.run(
        [*runner, "sh", "-c", 'mount -t tmpfs -o size=2m tmpfs "$1" && exec "$2" "$3" "$1" "$4"',
         "sh", str(disk), sys.executable, str(script), str(ROOT)],
        capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] == 507
    assert "The server\u2019s disk is full, so nothing was saved." in outcome["page"]
    assert len(outcome["errors"]) == 1 and "disk is full" in outcome["errors"][0]
    assert outcome["people"] == 0
    assert outcome["integrity"] == "ok"
