"""One database handle per request, the connection settings, and the write-transaction helper."""
from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, g
from sqlite_utils import Database

log = logging.getLogger("register")


def connect(path: str, *, journal_mode: str = "delete", busy_timeout_ms: int = 10000,
            foreign_keys: bool = True) -> Database:
    """Open the register's database with the settings every connection must have."""
    conn = sqlite3.connect(path, timeout=busy_timeout_ms / 1000)
    db = Database(conn, execute_plugins=False)
    # PRAGMAs run outside any transaction.
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    conn.execute("PRAGMA foreign_keys = " + ("ON" if foreign_keys else "OFF"))
    mode = "wal" if journal_mode == "wal" else "delete"
    with db.ensure_autocommit_on():
        conn.execute(f"PRAGMA journal_mode = {mode}")
    # A governance record must not lose an acknowledged save.
    conn.execute("PRAGMA synchronous = FULL")
    return db


@dataclass(frozen=True)
class ConnectionSettings:
    """How the app opens its database (file, journal mode, busy timeout, audit key), in a form
    another process can be given: the pack worker opens its own connection with them."""

    database: str
    journal_mode: str
    busy_timeout_ms: int
    audit_key: bytes | None = field(default=None, repr=False)  # a secret: never in a log line

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> ConnectionSettings:
        """The settings in an app's configuration."""
        return cls(database=config["DATABASE"], journal_mode=config["JOURNAL_MODE"],
                   busy_timeout_ms=config["BUSY_TIMEOUT_MS"], audit_key=config.get("AUDIT_KEY"))

    def open(self, *, foreign_keys: bool = True) -> Database:
        """A new connection with these settings."""
        db = connect(self.database, journal_mode=self.journal_mode,
                     busy_timeout_ms=self.busy_timeout_ms, foreign_keys=foreign_keys)
        # The audit trail's key travels with the connection (register/audit.py), not in the file.
        db.audit_key = self.audit_key
        return db


def open_app_db(app: Flask | None = None, *, foreign_keys: bool = True) -> Database:
    """A new connection to the app's database (for CLI commands and scripts)."""
    app = app or current_app
    return ConnectionSettings.of(app.config).open(foreign_keys=foreign_keys)


def one(db: Database, sql: str, params: Iterable[Any] = ()) -> dict[str, Any] | None:
    """The first row of a query as a dict, or None when it has none."""
    return next(iter(db.query(sql, list(params))), None)


# Each server thread keeps its request connection from one request to the next: opening one
# (the file, four PRAGMAs, the schema read on first use) and starting with an empty page cache
# cost a read-only page more than its queries. One slot per thread, so a thread that serves
# another database (a test's next app) closes the old connection first.
_kept = threading.local()


def _file_identity(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def get_db() -> Database:
    """The request's database handle: this thread's kept connection to the app's database, or a
    new one when it has none, it was for another database, or the file was replaced since
    (a restore puts a new file in its place)."""
    if "db" not in g:
        config = current_app.config
        key = (config["DATABASE"], config["JOURNAL_MODE"], config["BUSY_TIMEOUT_MS"])
        identity = _file_identity(config["DATABASE"])
        kept = getattr(_kept, "slot", None)
        if kept is not None and (kept[0] != key or kept[1] != identity or identity is None):
            _kept.slot = None
            kept[2].close()
            kept = None
        if kept is None:
            db = open_app_db()
            kept = (key, _file_identity(config["DATABASE"]), db)
            _kept.slot = kept
        db = kept[2]
        db.audit_key = config.get("AUDIT_KEY")
        g.db = db
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    """Give the request's handle back to its thread. A transaction left open (a write that was
    never committed) is rolled back, as closing the connection would, and logged."""
    db = g.pop("db", None)
    if db is None:
        return
    try:
        if db.conn.in_transaction:
            log.warning("A request left a transaction open; rolled back")
            db.conn.execute("ROLLBACK")
    except sqlite3.Error:
        log.exception("Could not roll back a request's transaction; closing its connection")
        forget_kept_connection()


def forget_kept_connection() -> None:
    """Close this thread's kept connection (the next request opens a new one)."""
    kept = getattr(_kept, "slot", None)
    _kept.slot = None
    if kept is not None:
        kept[2].close()


@contextlib.contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """A transaction that takes the write lock at once (BEGIN IMMEDIATE); nests as a savepoint.

    Deferred transactions that read and then write fail with "database is locked" under concurrent
    writers; taking the lock first makes them wait their turn instead.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    _once_more_if_busy(db, "BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        try:
            _once_more_if_busy(db, "COMMIT")
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise


@contextlib.contextmanager
def read_snapshot(db: Database) -> Iterator[Database]:
    """Reads that see one state of the database: a deferred transaction around a page's queries,
    so they share one lock and one check of the file instead of taking them once each (and a
    write committed meanwhile shows in none of them or all). For reads only; inside another
    transaction it adds nothing."""
    if db.conn.in_transaction:
        yield db
        return
    db.conn.execute("BEGIN")
    try:
        yield db
    finally:
        if db.conn.in_transaction:
            db.conn.execute("COMMIT")


def is_busy(error: BaseException) -> bool:
    """Whether an SQLite error means another connection held the lock for the whole busy timeout."""
    return isinstance(error, sqlite3.OperationalError) and (
        "database is locked" in str(error) or "database table is locked" in str(error)
        or "database is busy" in str(error))


def is_full(error: BaseException) -> bool:
    """Whether an SQLite error means the disk (or the database's size limit) is full."""
    return isinstance(error, sqlite3.OperationalError) and "database or disk is full" in str(error)


def _once_more_if_busy(db: Database, statement: str) -> None:
    """Run BEGIN IMMEDIATE or COMMIT; when the lock stays taken for the whole busy timeout, wait
    one more busy timeout before giving up (the caller then answers 503: nothing was saved)."""
    try:
        db.conn.execute(statement)
    except sqlite3.OperationalError as error:
        if not is_busy(error):
            raise
        log.warning("%s waited the whole busy timeout for the write lock; trying once more",
                    statement)
        db.conn.execute(statement)


def pending_migrations(db: Database) -> list[str]:
    """The names of the migrations not yet applied to this database (reads only)."""
    from .migrations import migrations

    pending = [m.name for m in migrations.pending(db)]
    if db["flags_to_refresh"].exists():
        pending.append("the one-off recomputation of flags an older database left stale")
    return pending


def migrate(db: Database) -> list[str]:
    """Apply pending migrations; returns the names applied (idempotent)."""
    from .migrations import migrations

    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    return pending


def init_app(app: Flask) -> None:
    """Register teardown and say which journal mode was chosen."""
    app.teardown_appcontext(close_db)
    log.info(
        "SQLite %s: using journal_mode=%s", sqlite3.sqlite_version, app.config["JOURNAL_MODE"]
    )
    app.logger.info(
        "SQLite %s: using journal_mode=%s", sqlite3.sqlite_version, app.config["JOURNAL_MODE"]
    )
