"""The flask commands: init-db, demo-data, create-user, backup, verify-audit, serve, import."""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from . import audit
from .db import migrate, open_app_db, pending_migrations


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or update the database schema (safe to run again)."""
    db = open_app_db(foreign_keys=False)
    try:
        applied = migrate(db)
    finally:
        db.close()
    where = current_app.config["DATABASE"]
    if applied:
        click.echo(f"Applied {len(applied)} migration(s) to {where}: {', '.join(applied)}")
    else:
        click.echo(f"Database {where} is up to date.")


@click.command("demo-data")
@with_appcontext
@click.option("--if-empty", is_flag=True,
              help="Do nothing (successfully) when the register already holds data.")
def demo_data_command(if_empty: bool) -> None:
    """Load the fictional demo consortium into an empty database."""
    from .demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo

    db = open_app_db()
    try:
        migrate(db)
        has_data = db["people"].count or db["users"].count
        if has_data:
            if if_empty:
                click.echo("The register already holds data; demo data not loaded.")
                _print_demo_accounts(db, DEMO_ACCOUNTS, DEMO_PASSWORD)
                return
            raise click.ClickException(
                "The database is not empty. Demo data is only loaded into an empty register.")
        counts = load_demo(db)
    finally:
        db.close()
    click.echo("Loaded the demo consortium: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    db = open_app_db()
    try:
        _print_demo_accounts(db, DEMO_ACCOUNTS, DEMO_PASSWORD)
    finally:
        db.close()


def _print_demo_accounts(db, accounts, password) -> None:  # noqa: ANN001
    names = {row["username"] for row in db.query("SELECT username FROM users")}
    shown = [(u, r) for u, r in accounts if u in names]
    if shown:
        click.echo(f"Demo sign-in (password for each: {password}):")
        for username, role in shown:
            click.echo(f"  {username:<12} {role}")


@click.command("create-user")
@with_appcontext
@click.option("--username", prompt=True, help="The sign-in name.")
@click.option("--role", prompt=True,
              type=click.Choice(["admin", "secretary", "governance", "member", "auditor"]),
              help="What the account may do.")
@click.option("--person-email", default="", help="Link the account to the person with this email.")
@click.password_option(help="At least 12 characters (asked for if not given).")
def create_user_command(username: str, role: str, person_email: str, password: str) -> None:
    """Create an account."""
    from .auth import models, passwords

    problem = passwords.password_problem(password)
    if problem:
        raise click.ClickException(problem)
    db = open_app_db()
    try:
        migrate(db)
        if models.find_by_username(db, username):
            raise click.ClickException(f"The username {username} is already taken")
        person_id = None
        if person_email:
            row = db.execute("SELECT id FROM people WHERE email = ?", [person_email]).fetchone()
            if row is None:
                raise click.ClickException(f"No person has the email {person_email}")
            person_id = row[0]
        models.create_user(db, username=username, password=password, role=role,
                           person_id=person_id, actor="cli")
    finally:
        db.close()
    click.echo(f"Created {role} account {username}.")


@click.command("backup")
@with_appcontext
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(destination: Path) -> None:
    """Copy the live database to FILE with SQLite's online backup, then check the copy."""
    if destination.exists():
        raise click.ClickException(f"{destination} already exists; choose a new file name")
    source = sqlite3.connect(current_app.config["DATABASE"])
    partial = destination.with_name(destination.name + ".partial")
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
        result = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
        source.close()
    if result != "ok":
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"The copy failed its integrity check: {result}")
    partial.rename(destination)
    size = destination.stat().st_size
    click.echo(f"Backed up to {destination} ({size:,} bytes); integrity check: ok")


@click.command("verify-audit")
@with_appcontext
def verify_audit_command() -> None:
    """Check every audit event's hash and link; exit non-zero naming the first that fails."""
    db = open_app_db()
    try:
        result = audit.verify(db)
    finally:
        db.close()
    if result.ok:
        click.echo(f"{result.count} events verified. Head hash: {result.head_hash}")
        return
    click.echo(f"Audit event {result.first_bad_seq} does not verify: {result.reason}. "
               f"{result.count} events before it verified.", err=True)
    sys.exit(1)


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
def serve_command(host: str, port: int) -> None:
    """Serve the register with waitress (refuses while the database needs init-db)."""
    from waitress import serve

    config = current_app.config
    # Serving a schema the code does not expect answers 500 on the first page that needs a newer
    # table or column; better to refuse at once and say what to run.
    if not Path(config["DATABASE"]).exists():
        click.echo(f"There is no database at {config['DATABASE']}. Run "
                   "`flask --app register init-db` first, then serve.", err=True)
        sys.exit(1)
    db = open_app_db()
    try:
        pending = pending_migrations(db)
    finally:
        db.close()
    if pending:
        click.echo(f"The database {config['DATABASE']} needs {len(pending)} migration(s) "
                   f"({', '.join(pending)}). Run `flask --app register init-db` first, "
                   "then serve.", err=True)
        sys.exit(1)
    click.echo(f"Database: {config['DATABASE']} (SQLite {sqlite3.sqlite_version}, "
               f"journal_mode={config['JOURNAL_MODE']}: "
               + ("WAL, as this SQLite has the WAL-reset fix)" if config["JOURNAL_MODE"] == "wal"
                  else "rollback journal, as WAL needs SQLite 3.51.3 or newer)"))
    click.echo(f"Serving {config['ORGANISATION_NAME']} register on "
               f"http://{host}:{port}  (press Ctrl+C to stop)")
    serve(current_app._get_current_object(), host=host, port=port, threads=8)


def init_app(app: Flask) -> None:
    """Register every command."""
    for command in (init_db_command, demo_data_command, create_user_command, backup_command,
                    verify_audit_command, serve_command):
        app.cli.add_command(command)
    from .decisions.cli import export_command
    from .imports.cli import import_command
    from .pdf.cli import pdf_group

    app.cli.add_command(import_command)
    app.cli.add_command(pdf_group)
    app.cli.add_command(export_command)
