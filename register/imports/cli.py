"""`flask import KIND FILE`: check a CSV file and import it only if every row is valid."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..db import migrate, open_app_db
from .parsers import KINDS
from .writers import import_file


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS, case_sensitive=False))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True,
                                        path_type=Path))
@click.option("--dry-run", is_flag=True,
              help="Only check the file and say what would change; write nothing.")
@with_appcontext
def import_command(kind: str, file: Path, dry_run: bool) -> None:
    """Import KIND (organisations, epraccur, epcn, people, committees, interests, decisions)
    from FILE.

    Every row is checked first. If any row has a problem, each is listed with its line number,
    nothing is written and the command exits with status 1. The formats are described in
    docs/imports.md.
    """
    kind = kind.lower()
    data = file.read_bytes()
    setup = open_app_db(foreign_keys=False)
    try:
        migrate(setup)
    finally:
        setup.close()
    db = open_app_db()
    try:
        plan = import_file(db, kind, data, actor="cli", dry_run=dry_run)
    finally:
        db.close()
    if not plan.ok:
        for problem in plan.problems:
            click.echo(str(problem), err=True)
        count = len(plan.problems)
        click.echo(f"Nothing was imported: {file.name} has {count} problem"
                   f"{'' if count == 1 else 's'}.", err=True)
        raise SystemExit(1)
    for note in plan.notes:
        click.echo(note)
    if dry_run:
        click.echo(f"{file.name} is valid ({plan.rows_read} rows). Nothing was written "
                   "(--dry-run); importing it would give:")
        for line in plan.summary():
            click.echo(f"  {line}")
        return
    click.echo(f"Imported {file.name} ({plan.rows_read} rows):")
    for line in plan.summary(done=True):
        click.echo(f"  {line}")
