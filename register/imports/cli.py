"""Placeholder for `flask import`."""
import click


@click.command("import")
@click.argument("kind")
@click.argument("file")
def import_command(kind: str, file: str) -> None:
    """Import KIND (organisations, epraccur, people, committees, interests) from a CSV FILE."""
    raise click.ClickException("Not built yet")
