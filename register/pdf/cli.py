"""`flask pdf ...`: print a decision's audit record, a board audit pack or the register of
interests to a file."""
from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import open_app_db
from . import loaders
from .markings import MARKINGS

_MARKING = click.option("--marking", type=click.Choice(MARKINGS), default="OFFICIAL",
                        show_default=True, help="The security marking on every page.")
_INVARIANT = click.option("--invariant", is_flag=True,
                          help="Reproducible output: the same data gives the same bytes (the time "
                               "printed is that of the last audit event).")
_OUTPUT = click.option("-o", "--output", "output", required=True,
                       type=click.Path(dir_okay=False, writable=True, path_type=Path),
                       help="The PDF file to write.")


@click.group("pdf")
def pdf_group() -> None:
    """Print audit records, board audit packs and the register of interests as PDF files."""


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    click.echo(f"Wrote {path} ({len(data):,} bytes)")


@pdf_group.command("decision")
@with_appcontext
@click.argument("reference")
@_OUTPUT
@_MARKING
@_INVARIANT
def decision_command(reference: str, output: Path, marking: str, invariant: bool) -> None:
    """Print the audit record of the decision REFERENCE (like MOB-2026-0007)."""
    db = open_app_db()
    try:
        record = loaders.decision_record(db, reference,
                                         organisation=current_app.config["ORGANISATION_NAME"],
                                         printed_at=_printed_at(db, invariant))
    finally:
        db.close()
    if record is None:
        raise click.ClickException(f"No decision has the reference {reference}")
    from . import builders  # the PDF library, loaded when a PDF is made

    _write(output, builders.build_decision_record(
        record, builders.PrintOptions(marking=marking, invariant=invariant)))


def _printed_at(db, invariant: bool) -> str | None:  # noqa: ANN001
    """Now, or for reproducible output the time of the last audit event (None: now)."""
    return loaders.last_event_at(db) if invariant else None


class PackProgress:
    """The stages of printing a pack, and the pages laid out, as a bar on the terminal."""

    STAGES = ("Reading the register", "Laying out the pages", "Saving the file")

    def __init__(self, bar: Any) -> None:
        self.bar = bar
        self.stage_number = 0

    def _show(self, steps: int, words: str) -> None:
        self.bar.current_item = words
        if steps:
            self.bar.update(steps)
        else:
            self.bar.render_progress()  # click redraws on its own only when the bar moves

    def stage(self, number: int) -> None:
        """Move on to a stage (0, 1 or 2): the bar fills a third for each stage done."""
        self._show(number - self.stage_number, self.STAGES[number])
        self.stage_number = number

    def pages(self, done: int) -> None:
        """The layout's progress callback (as the web's pack jobs use it): pages done."""
        self._show(0, f"{self.STAGES[1]}: {done} page{'s' if done != 1 else ''} done")


@contextmanager
def pack_progress(stream: Any = None) -> Iterator[PackProgress]:
    """A progress bar on standard error while a pack is printed, drawn only when standard error
    is a terminal (a script or a log file sees nothing of it)."""
    stream = stream or sys.stderr
    shown = hasattr(stream, "isatty") and stream.isatty()
    with click.progressbar(length=len(PackProgress.STAGES), label="Printing the pack",
                           file=stream, hidden=not shown, show_eta=False, show_percent=False,
                           item_show_func=lambda item: item) as bar:
        progress = PackProgress(bar)
        yield progress
        progress.stage(len(PackProgress.STAGES) - 1)
        progress._show(1, "Done")


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-03-31",
                                 param_hint=name) from None


@pdf_group.command("pack")
@with_appcontext
@click.option("--committee", required=True, help="The committee's name.")
@click.option("--from", "date_from", required=True, help="The first meeting date, like 2026-01-01.")
@click.option("--to", "date_to", required=True, help="The last meeting date, like 2026-03-31.")
@_OUTPUT
@_MARKING
@_INVARIANT
@click.option("--prepared-by", default="Board secretary", show_default=True,
              help="Who prepared the pack, for the cover sheet.")
@click.option("--purpose", default="", help="The purpose, for the cover sheet.")
@click.option("--recommendation", default="", help="The recommendation, for the cover sheet.")
def pack_command(committee: str, date_from: str, date_to: str, output: Path, marking: str,
                 invariant: bool, prepared_by: str, purpose: str, recommendation: str) -> None:
    """Print the board audit pack for a committee's decisions in a period."""
    from ..reports.forms import DEFAULT_PURPOSE, DEFAULT_RECOMMENDATION

    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    if end < start:
        raise click.BadParameter("the end of the period is before its start", param_hint="--to")
    with pack_progress() as progress:
        progress.stage(0)
        db = open_app_db()
        try:
            found = loaders.committee_by_name(db, committee)
            if found is None:
                names = ", ".join(c["name"] for c in loaders.committee_choices(db)) or "none yet"
                raise click.ClickException(f"No committee is called {committee!r} (committees: "
                                           f"{names})")
            pack = loaders.audit_pack(
                db, found, start, end, organisation=current_app.config["ORGANISATION_NAME"],
                prepared_by=prepared_by, purpose=purpose or DEFAULT_PURPOSE,
                recommendation=recommendation or DEFAULT_RECOMMENDATION, marking=marking,
                printed_at=_printed_at(db, invariant))
        finally:
            db.close()
        progress.stage(1)
        from . import builders  # the PDF library, loaded when a PDF is made

        data = builders.build_audit_pack(pack, builders.PrintOptions(
            marking=marking, invariant=invariant, author=prepared_by,
            review_target_days=current_app.config["REVIEW_TARGET_WORKING_DAYS"]),
            progress=progress.pages)
        progress.stage(2)
        output.write_bytes(data)
    click.echo(f"Wrote {output} ({len(data):,} bytes)")


@pdf_group.command("interests")
@with_appcontext
@click.option("--on", "on", default="", help="The day the register stands on (default today).")
@_OUTPUT
@_INVARIANT
def interests_command(on: str, output: Path, invariant: bool) -> None:
    """Print the register of interests for publication."""
    from ..timeutil import today_uk

    day = _date(on, "--on") if on else today_uk()
    db = open_app_db()
    try:
        register = loaders.published_interests(
            db, day, organisation=current_app.config["ORGANISATION_NAME"],
            printed_at=_printed_at(db, invariant))
    finally:
        db.close()
    from . import builders  # the PDF library, loaded when a PDF is made

    _write(output, builders.build_interests_register(
        register, builders.PrintOptions(invariant=invariant)))
