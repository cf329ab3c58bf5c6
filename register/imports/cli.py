"""`flask import KIND FILE`: check a CSV file and import it only if every row is valid."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..db import migrate, open_app_db
from .companies_house_kind import STREAMED_KINDS, parse_only
from .export import ORDER, file_name, import_register
from .parsers import CHECKING, KINDS, WRITING
from .writers import import_file


class ProgressBars:
    """click progress bars for an import, one a stage (rows checked, rows written), drawn only
    when stdout is a terminal: `bars(stage, done, total)` is an import's `progress`."""

    LABELS = {CHECKING: "Checking rows", WRITING: "Writing rows"}

    def __init__(self) -> None:
        self._bar = None
        self._stage: str | None = None

    @staticmethod
    def wanted() -> bool:
        """Whether to draw bars: only on a terminal, so files and pipes get the summary alone."""
        return sys.stdout.isatty()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._bar is None or stage != self._stage:
            self.close()
            label = self.LABELS.get(stage) or stage[:1].upper() + stage[1:]
            self._bar = click.progressbar(length=total, label=label, show_pos=True,
                                          show_percent=True)
            self._bar.__enter__()
            self._stage = stage
        self._bar.update(done - self._bar.pos)

    def close(self) -> None:
        """Finish the bar being drawn, if any."""
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


@click.command("import")
@click.argument("kind", type=click.Choice((*KINDS, "register"), case_sensitive=False))
@click.argument("file", type=click.Path(exists=True, readable=True, path_type=Path))
@click.option("--dry-run", is_flag=True,
              help="Only check the file and say what would change; write nothing.")
@click.option("--only", "only_file", type=click.Path(exists=True, dir_okay=False, readable=True,
                                                     path_type=Path),
              help="companies_house only: a file of Companies House numbers, one a line, to "
                   "import as well as the companies already in the register.")
@with_appcontext
def import_command(kind: str, file: Path, dry_run: bool, only_file: Path | None) -> None:
    """Import KIND (organisations, epraccur, epcn, people, committees, interests, decisions,
    companies_house, psc) from FILE.

    Every row is checked first. If any row has a problem, each is listed with its line number,
    nothing is written and the command exits with status 1. The formats are described in
    docs/imports.md. `import register FOLDER` imports a whole register written by `export register`
    into this one, every file or none.
    """
    kind = kind.lower()
    if kind == "register":
        _import_register(file)
        return
    if file.is_dir():
        raise click.BadParameter(f"{file.name} is a folder: give the {kind} file",
                                 param_hint="FILE")
    options = {}
    if only_file is not None:
        if kind != "companies_house":
            raise click.UsageError("--only is for companies_house files")
        numbers, problems = parse_only(only_file.read_text(encoding="utf-8-sig"))
        if problems:
            for problem in problems:
                click.echo(f"{only_file.name}: {problem}", err=True)
            click.echo(f"Nothing was imported: {only_file.name} has {len(problems)} problem"
                       f"{'' if len(problems) == 1 else 's'}.", err=True)
            raise SystemExit(1)
        options["only"] = numbers
    setup = open_app_db(foreign_keys=False)
    try:
        migrate(setup)
    finally:
        setup.close()
    db = open_app_db()
    bars = ProgressBars()
    progress = bars if bars.wanted() else None
    try:
        if kind in STREAMED_KINDS:
            # Companies House files run to gigabytes: read line by line, never whole.
            with file.open(encoding="utf-8-sig", newline="") as stream:
                plan = import_file(db, kind, stream, actor="cli", dry_run=dry_run,
                                   progress=progress, **options)
        else:
            plan = import_file(db, kind, file.read_bytes(), actor="cli", dry_run=dry_run,
                               progress=progress)
    finally:
        bars.close()
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


def _import_register(folder: Path) -> None:
    if not folder.is_dir():
        raise click.BadParameter(f"{folder.name} is not a folder: give the folder that "
                                 "`export register` wrote", param_hint="FILE")
    missing = [file_name(kind) for kind in ORDER if not (folder / file_name(kind)).exists()]
    if len(missing) == len(ORDER):
        raise click.ClickException(f"{folder.name} holds none of the register's files "
                                   f"({', '.join(file_name(kind) for kind in ORDER)})")
    setup = open_app_db(foreign_keys=False)
    try:
        migrate(setup)
    finally:
        setup.close()
    db = open_app_db()
    bars = ProgressBars()
    try:
        plans = import_register(db, folder, actor="cli", progress=bars if bars.wanted() else None)
    finally:
        bars.close()
        db.close()
    kind, last = plans[-1]
    if not last.ok:
        for problem in last.problems:
            click.echo(f"{file_name(kind)}: {problem}", err=True)
        click.echo(f"Nothing was imported: {file_name(kind)} has {len(last.problems)} "
                   f"problem{'' if len(last.problems) == 1 else 's'}.", err=True)
        raise SystemExit(1)
    for kind, plan in plans:
        click.echo(f"Imported {file_name(kind)} ({plan.rows_read} rows):")
        for line in plan.summary(done=True):
            click.echo(f"  {line}")
