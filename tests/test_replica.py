"""Continuous copies through Litestream: the configuration, WAL with a replica, and the restore
drill against a real file replica written by a real Litestream process."""
from __future__ import annotations

import gc
import sys
import time

from register import create_app, replica
from register.config import choose_journal_mode
from register.db import connect


def _app(tmp_path, **extra):
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                       "DATABASE": str(tmp_path / "live.sqlite3"),
                       "AUDIT_KEY_FILE": str(tmp_path / "audit_key"), **extra})


def test_a_path_becomes_a_file_url_and_urls_stay(tmp_path):
    assert replica.replica_url(str(tmp_path / "copies")) == (tmp_path / "copies").as_uri()
    assert replica.replica_url("s3://bucket/register") == "s3://bucket/register"
    assert replica.replica_url("  ") is None
    text = replica.config_text(str(tmp_path / "live.sqlite3"), "s3://bucket/register")
    assert f'path: "{tmp_path / "live.sqlite3"}"' in text and 'url: "s3://bucket/register"' in text


def test_a_replica_switches_the_database_to_wal_and_nothing_else_does(tmp_path):
    assert choose_journal_mode((3, 40, 1)) == "delete"
    assert choose_journal_mode((3, 40, 1), replica=True) == "wal"
    assert _app(tmp_path, REPLICA_URL=str(tmp_path / "copies")).config["JOURNAL_MODE"] == "wal"
    assert _app(tmp_path).config["JOURNAL_MODE"] == "delete"


def test_the_restore_drill_restores_the_replica_and_verifies_it(tmp_path):
    app = _app(tmp_path, REPLICA_URL=str(tmp_path / "copies"))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    process = replica.start(app.config)
    try:
        db = connect(app.config["DATABASE"], journal_mode="wal")
        try:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            decisions = db["decisions"].count
            events = db["audit_events"].count
        finally:
            db.close()
        # A write after replication started, through the register's own command.
        assert runner.invoke(args=["anchor-audit"]).exit_code == 0
        deadline = time.monotonic() + 30
        while not any((tmp_path / "copies").rglob("*")) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        replica.stop(process)  # Litestream syncs what it holds before it exits
    assert process.returncode is not None
    target = tmp_path / "restored.sqlite3"
    result = runner.invoke(args=["restore-drill", "--to", str(target)])
    assert result.exit_code == 0, result.output
    assert "integrity_check: ok" in result.output
    assert f"verify-audit: {events} events verified" in result.output
    assert "Restore drill passed." in result.output
    restored = connect(str(target))
    try:
        assert restored["decisions"].count == decisions
    finally:
        restored.close()
    # The drill never restores over a file.
    again = runner.invoke(args=["restore-drill", "--to", str(target)])
    assert again.exit_code == 1 and "already exists" in again.output


def test_the_drill_says_what_is_wrong(tmp_path):
    runner = _app(tmp_path).test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    result = runner.invoke(args=["restore-drill"])
    assert result.exit_code == 1 and "No replica is configured" in result.output
    empty = tmp_path / "never-written"
    empty.mkdir()
    runner = _app(tmp_path, REPLICA_URL=str(empty)).test_cli_runner()
    result = runner.invoke(args=["restore-drill", "--to", str(tmp_path / "r.sqlite3")])
    assert result.exit_code == 1
    assert "Restore drill failed: Litestream could not restore the replica" in result.output
    assert not (tmp_path / "r.sqlite3").exists()


def test_serve_runs_litestream_beside_the_register_while_it_serves(tmp_path, monkeypatch):
    """waitress is stood in for by a function that writes while "serving": the write reaches the
    replica through the Litestream process serve started, and serve stops it afterwards."""
    import waitress

    app = _app(tmp_path, REPLICA_URL=str(tmp_path / "copies"))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0

    def serving(_app, **_kw):
        db = connect(app.config["DATABASE"], journal_mode="wal")
        try:
            db["organisations"].insert({"name": "Harbour Hospice", "kind": "voluntary",
                                        "name_key": "harbour hospice", "created_at": "x",
                                        "updated_at": "x"})
        finally:
            db.close()
        deadline = time.monotonic() + 30
        while not any((tmp_path / "copies").rglob("*.ltx")) and time.monotonic() < deadline:
            time.sleep(0.2)

    monkeypatch.setattr(waitress, "serve", serving)
    switching = sys.getswitchinterval()
    try:
        result = runner.invoke(args=["serve", "--port", "5839"])
    finally:  # serving changes the interpreter's settings: put them back for the next tests
        sys.setswitchinterval(switching)
        gc.unfreeze()
    assert result.exit_code == 0, result.output
    assert "Replicating to file://" in result.output
    assert (tmp_path / "litestream.log").read_text(encoding="utf-8")
    assert "journal_mode=wal: WAL, which the Litestream replica reads" in result.output
    target = tmp_path / "restored.sqlite3"
    replica.restore(app.config, target)
    restored = connect(str(target))
    try:
        assert [r["name"] for r in restored.query("SELECT name FROM organisations")] == \
            ["Harbour Hospice"]
    finally:
        restored.close()
