"""`flask export decisions`: every decision as JSON, as the register CSV, or as an import file."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..db import migrate, open_app_db
from . import serialise

FORMATS = ("json", "csv", "import-csv")


@click.group("export")
def export_command() -> None:
    """Export records from the register."""


@export_command.command("decisions")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="json",
              show_default=True,
              help="json: each decision with its people, providers and current flags "
                   "(docs/decisions-json.md); csv: the register of procurement decisions; "
                   "import-csv: a file the decisions import reads back.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              default=None, help="Write to this file instead of the screen.")
@click.option("--committee", default="", help="Only the decisions of the committee with this "
                                              "exact name.")
@with_appcontext
def export_decisions_command(output_format: str, output: Path | None, committee: str) -> None:
    """Export decisions, oldest meeting first, with their current flags."""
    setup = open_app_db(foreign_keys=False)
    try:
        migrate(setup)
    finally:
        setup.close()
    db = open_app_db()
    try:
        filters = serialise.RegisterFilters()
        if committee:
            row = next(iter(db.query("SELECT id FROM committees WHERE name = ? COLLATE NOCASE",
                                     [committee])), None)
            if row is None:
                raise click.ClickException(f"No committee is called {committee}")
            filters.committee_id = row["id"]
        ids = serialise.register_ids(db, filters, serialise.Viewer(sees_all=True),
                                     sort="meeting", direction="asc")
        if output_format == "json":
            text = serialise.to_json(serialise.export_document(db, ids))
        elif output_format == "csv":
            text = serialise.register_csv(db, ids)
        else:
            from ..imports.decisions_kind import import_csv

            text = import_csv([serialise.decision_document(db, i) for i in ids])
    finally:
        db.close()
    if output is None:
        click.echo(text, nl=False)
    else:
        # newline="" keeps the CSV's own line endings.
        output.write_text(text, encoding="utf-8", newline="")
        click.echo(f"Exported {len(ids)} decision{'' if len(ids) == 1 else 's'} to {output}",
                   err=True)


@export_command.command("register")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_register_command(folder: Path) -> None:
    """Write the whole register to FOLDER as the import files that build it again, one per kind,
    numbered in the order `flask import register FOLDER` reads them (docs/imports.md)."""
    from ..imports.export import file_name, register_files

    setup = open_app_db(foreign_keys=False)
    try:
        migrate(setup)
    finally:
        setup.close()
    db = open_app_db()
    try:
        files = register_files(db)
    finally:
        db.close()
    folder.mkdir(parents=True, exist_ok=True)
    for kind, text in files.items():
        target = folder / file_name(kind)
        target.write_text(text, encoding="utf-8", newline="")
        rows = len(list(csv.reader(io.StringIO(text)))) - 1
        click.echo(f"Wrote {target.name} ({rows} rows)")
