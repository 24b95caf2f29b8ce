"""`flask sessions import FILE --unit NAME`: the spreadsheet importer from the
command line, for files too large to upload."""

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from app.accounts.models import Organization
from app.audit.service import record
from app.extensions import db
from app.i18n import formatting_locale
from app.policing.importer import ImportFileError, error_text, estimate_rows, import_sessions, read_limits

sessions_cli = AppGroup("sessions", help="Community-policing sessions.")


@sessions_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--unit", "unit_name", required=True, help="Name of the police unit that held the sessions.")
@click.option("--locale", type=click.Choice(["es", "en"]), default=None,
              help="Language of the messages (default: the application's).")
def import_command(file: Path, unit_name: str, locale: str | None) -> None:
    """Import the sessions of a CSV or XLSX FILE: every row is checked first,
    and a file with any bad row changes nothing. Rows imported before are
    skipped. Municipalities are limited to those the unit serves, if any."""
    unit = db.session.scalar(select(Organization).where(Organization.name == unit_name))
    if unit is None or unit.kind != "police_unit":
        click.echo(f"No police unit is named {unit_name!r}; nothing was changed.", err=True)
        sys.exit(1)
    # Numbers in the messages as the unit's country writes them (500,000 in El Salvador).
    with force_locale(formatting_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"], unit.country_code)):
        allowed = {m.id for m in unit.municipalities} or None
        try:
            estimate = estimate_rows(file, read_limits()) or 0
            with click.progressbar(length=2 * max(estimate, 1), label="Checking and importing rows",
                                   file=sys.stderr) as bar:
                result = import_sessions(file, police_unit_id=unit.id, user_id=None,
                                         allowed_municipality_ids=allowed, progress=bar.update,
                                         country_code=unit.country_code)
        except ImportFileError as exc:
            db.session.rollback()
            click.echo(f"{file}: {error_text(exc)}; nothing was changed.", err=True)
            sys.exit(1)
        if result.error_count:
            db.session.rollback()
            for err in result.errors:
                click.echo(error_text(err), err=True)
            if result.error_count > len(result.errors):
                click.echo(f"... and {result.error_count - len(result.errors)} more errors.", err=True)
            click.echo(f"{file}: {result.error_count} errors in {result.rows} rows; nothing was changed.", err=True)
            sys.exit(1)
        record("sessions.import", object_type="organization", object_id=unit.id,
               detail=f"rows={result.rows};inserted={result.inserted};duplicates={result.duplicates}")
        db.session.commit()
        click.echo(f"{result.rows} rows: {result.inserted} sessions imported, "
                   f"{result.duplicates} already there.")
