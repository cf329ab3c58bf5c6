"""The flask commands: init-db, demo-data, create-user, backup, verify-audit, anchor-audit, serve,
restore-drill, import."""
from __future__ import annotations

import gc
import sqlite3
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from . import audit, replica
from .db import connect, migrate, open_app_db, pending_migrations
from .decisions import lifecycle
from .timeutil import utcnow_iso


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or update the database schema (safe to run again)."""
    init_db()


def init_db() -> None:
    """What `init-db` does, for `serve --init-db` to do in the same process."""
    db = open_app_db(foreign_keys=False)
    try:
        applied = migrate(db)
        # An older trail is verified once and continued keyed; the anchor pins the switch. A new
        # register starts its anchor log here, so a missing log is always a finding.
        switched = audit.ensure_keyed(db)
        refreshed = lifecycle.refresh_left_stale(db)
        if refreshed:
            click.echo(f"Brought the flags of {refreshed} decision(s) up to date.")
        if switched or applied or not audit.anchors_path(current_app.config).exists():
            audit.anchor(current_app.config, db)
    finally:
        db.close()
    if switched:
        click.echo("The audit trail is now keyed; the earlier events were verified and pinned.")
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
    demo_data(if_empty)


def demo_data(if_empty: bool) -> None:
    """What `demo-data` does, for `serve --demo-if-empty` to do in the same process."""
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
        audit.anchor(current_app.config, db)
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

    problem = passwords.password_problem(
        password, username=username, organisation=current_app.config["ORGANISATION_NAME"])
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


@click.command("send-mail")
@with_appcontext
def send_mail_command() -> None:
    """Send the email waiting in the outbox (for cron or a systemd timer, every few minutes);
    without a mail server set, say how many wait and leave them in the outbox."""
    from . import mail

    problem = mail.security_problem(current_app.config.get("MAIL_SECURITY"))
    if problem:
        click.echo(f"Nothing sent: {problem}.", err=True)
        sys.exit(1)
    db = open_app_db()
    try:
        result = mail.deliver(db, current_app.config)
    finally:
        db.close()
    if not mail.configured(current_app.config):
        click.echo(f"No mail server is set (REGISTER_MAIL_SERVER): {result.waiting} message"
                   f"{'s wait' if result.waiting != 1 else ' waits'} in the outbox.")
        return
    click.echo(f"Sent {result.sent}; {result.failed} could not be sent and will be tried again.")
    if result.failed:
        sys.exit(1)


@click.command("send-reminders")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Print who would get what, one line each, and "
              "send nothing.")
def send_reminders_command(dry_run: bool) -> None:
    """Queue today's reminders (annual declarations due, reviews past their target) and send
    what waits in the outbox; run once a day from cron or a systemd timer."""
    from . import mail, reminders
    from .timeutil import today_uk

    db = open_app_db()
    try:
        today = today_uk()
        found = reminders.due(db, current_app.config, today)
        if dry_run:
            for reminder in found:
                click.echo(f"{reminder.kind}: {reminder.name} <{reminder.message.to}>: "
                           f"{reminder.message.subject}")
            for address, rows in mail.summaries(db):
                click.echo(f"daily summary: <{address}>: {len(rows)} update"
                           f"{'s' if len(rows) != 1 else ''}")
            click.echo(f"{len(found)} reminder{'s' if len(found) != 1 else ''} would be sent "
                       f"(dry run: nothing was queued).")
            return
        reminders.queue_all(db, found, today)
        reminders.queue_summaries(db)
        result = mail.deliver(db, current_app.config)
    finally:
        db.close()
    click.echo(f"Queued {len(found)} reminder{'s' if len(found) != 1 else ''}; "
               + (f"sent {result.sent}, {result.failed} to try again."
                  if mail.configured(current_app.config)
                  else f"no mail server is set, so {result.waiting} wait in the outbox."))


@click.command("verify-audit")
@with_appcontext
@click.option("--expect", metavar="COUNT:HEAD", default=None,
              help="Also check that event COUNT carries HEAD, as printed on a pack's last page.")
def verify_audit_command(expect: str | None) -> None:
    """Check the keyed audit trail, every record against its latest event, and the anchor log;
    exit 1 naming whatever does not verify."""
    expected = None
    if expect is not None:
        try:
            expected = audit.parse_expect(expect)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--expect") from error
    from .migrations import migrations

    db = open_app_db()
    try:
        if migrations.pending(db):
            click.echo("Not verified: the database has migrations waiting: run init-db first.",
                       err=True)
            sys.exit(1)
        report = audit.verify_record(db, current_app.config, expect=expected, parallel=True)
    finally:
        db.close()
    chain = report.chain
    if chain.ok:
        click.echo(f"{chain.count} events verified. Head hash: {chain.head_hash}")
    else:
        click.echo(f"Audit event {chain.first_bad_seq} does not verify: {chain.reason}. "
                   f"{chain.count} events before it verified.", err=True)
    if report.ok:
        click.echo("Every decision, interest, ruling and sign-off matches its latest event, and "
                   "so does every outcome, committee membership, network or federation "
                   "membership, contract modification, gift, breach, declaration return and "
                   "campaign.")
        click.echo(f"{report.anchors} anchor(s) in {audit.anchors_path(current_app.config)} "
                   f"match the trail.")
        if expected is not None:
            click.echo(f"Event {expected[0]} carries the head printed: {expected[1]}")
        return
    for problem in report.problems[1 if not chain.ok else 0:]:
        click.echo(f"Not verified: {problem}.", err=True)
    sys.exit(1)


@click.command("anchor-audit")
@with_appcontext
def anchor_audit_command() -> None:
    """Append the audit trail's event count and head hash to the anchor log (run it from cron,
    and copy the log off this machine)."""
    from .migrations import migrations

    db = open_app_db()
    try:
        if migrations.pending(db):
            raise click.ClickException("The database has migrations waiting: run init-db first.")
        audit.ensure_keyed(db)
        entry = audit.anchor(current_app.config, db)
    finally:
        db.close()
    click.echo(f"Anchored {entry.count} events, head {entry.head}, "
               f"in {audit.anchors_path(current_app.config)}")


# Seconds a thread holds the interpreter's lock before handing it to a waiting one, when serving.
SWITCH_INTERVAL = 0.001


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--init-db", "run_init_db", is_flag=True,
              help="First do what `init-db` does (as `make run` asks), in the same process.")
@click.option("--demo-if-empty", is_flag=True,
              help="Then load the demo consortium if the register is empty (`demo-data --if-empty`).")
def serve_command(host: str, port: int, run_init_db: bool = False,
                  demo_if_empty: bool = False) -> None:
    """Serve the register with waitress (refuses while the database needs init-db)."""
    from waitress import serve

    config = current_app.config
    if run_init_db:
        init_db()
    if demo_if_empty:
        demo_data(if_empty=True)
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
               + ("WAL, which the Litestream replica reads)" if config.get("REPLICA_URL")
                  else "WAL, as this SQLite has the WAL-reset fix)"
                  if config["JOURNAL_MODE"] == "wal"
                  else "rollback journal, as WAL needs SQLite 3.51.3 or newer)"))
    litestream = None
    if config.get("REPLICA_URL"):
        try:
            litestream = replica.start(config)
        except replica.ReplicaError as error:
            click.echo(f"Not serving: {error}.", err=True)
            sys.exit(1)
        click.echo(f"Replicating to {replica.replica_url(config['REPLICA_URL'])} with Litestream "
                   f"(log: {replica.log_path(config)})")
    if not config["BEHIND_HTTPS"] and not _is_loopback(host):
        click.echo(f"Warning: listening on {host}, an address other networks can reach, without "
                   "REGISTER_BEHIND_HTTPS=true: passwords and session cookies would cross the "
                   "network unencrypted. Serve it behind a reverse proxy that terminates HTTPS "
                   "and set REGISTER_BEHIND_HTTPS=true.", err=True)
    click.echo(f"Serving {config['ORGANISATION_NAME']} register on "
               f"http://{host}:{port}  (press Ctrl+C to stop)")
    # What is loaded by now lives as long as the server: set it aside from the garbage
    # collector, whose full passes would otherwise walk it again and again (about 13 ms each,
    # every thousand or so pages, stalling every request being answered at the time).
    gc.collect()
    gc.freeze()
    # Waitress reads requests and sends answers on one thread, which needs the interpreter's
    # lock for a moment each time while the request threads hold it for their pages. At the
    # default switch interval (5 ms) it waits for each hand-over, and every answer in flight
    # waits with it: with four people loading pages at once, one page in a hundred took 35 to
    # 70 ms where it took 15 ms at 1 ms (and more pages a second were served).
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        serve(current_app._get_current_object(), host=host, port=port, threads=8)
    finally:
        if litestream is not None:
            replica.stop(litestream)


@click.command("restore-drill")
@with_appcontext
@click.option("--to", "target", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Restore to this new file (default: restore-drill-<time>.sqlite3 in the "
                   "instance folder).")
def restore_drill_command(target: Path | None) -> None:
    """Restore the newest copy in the Litestream replica to a new file, then check it with
    SQLite's integrity_check and the full audit verification; exit 1 naming what failed."""
    config = current_app.config
    if not config.get("REPLICA_URL"):
        click.echo("No replica is configured: set REGISTER_REPLICA_URL (see the README).",
                   err=True)
        sys.exit(1)
    if target is None:
        stamp = utcnow_iso().replace(":", "").replace("-", "")[:15]
        target = Path(current_app.instance_path) / f"restore-drill-{stamp}.sqlite3"
    try:
        replica.restore(config, target)
    except replica.ReplicaError as error:
        click.echo(f"Restore drill failed: {error}.", err=True)
        sys.exit(1)
    click.echo(f"Restored the newest copy from {replica.replica_url(config['REPLICA_URL'])} "
               f"to {target}")
    complaints = replica.integrity(target)
    if complaints:
        click.echo("Restore drill failed: the restored file does not pass integrity_check: "
                   + "; ".join(complaints[:5]), err=True)
        sys.exit(1)
    click.echo("integrity_check: ok")
    restored = connect(str(target), foreign_keys=False)
    try:
        if pending_migrations(restored):
            click.echo("Restore drill failed: the restored file needs migrations: it is older "
                       "than this register's code.", err=True)
            sys.exit(1)
        report = audit.verify_record(restored, config, parallel=True)
    finally:
        restored.close()
    if not report.ok:
        for problem in report.problems:
            click.echo(f"Restore drill failed: {problem}.", err=True)
        sys.exit(1)
    click.echo(f"verify-audit: {report.chain.count} events verified, every record matches its "
               f"latest event, {report.anchors} anchor(s) match.")
    click.echo("Restore drill passed.")


def _is_loopback(host: str) -> bool:
    """Whether an address to listen on is reachable from this machine only."""
    import ipaddress

    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def init_app(app: Flask) -> None:
    """Register every command."""
    for command in (init_db_command, demo_data_command, create_user_command, backup_command,
                    verify_audit_command, anchor_audit_command, serve_command,
                    restore_drill_command, send_mail_command, send_reminders_command):
        app.cli.add_command(command)
    from .decisions.cli import export_command
    from .imports.cli import import_command
    from .pdf.cli import pdf_group

    app.cli.add_command(import_command)
    app.cli.add_command(pdf_group)
    app.cli.add_command(export_command)
