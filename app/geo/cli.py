import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.extensions import db
from app.geo.services import DEFAULT_FILE, GeoFileError, load

geo_cli = AppGroup("geo", help="Geography reference data.")


@geo_cli.command("load")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_command(file: Path | None) -> None:
    """Load or update countries, departments and municipalities from FILE
    (default: the bundled CARSI divisions). Idempotent; a bad file changes nothing."""
    path = file or DEFAULT_FILE
    try:
        text = path.read_text(encoding="utf-8")
        report = load(text)
    except UnicodeDecodeError:
        db.session.rollback()
        click.echo(f"{path}: not UTF-8 text; nothing was changed.", err=True)
        sys.exit(1)
    except GeoFileError as exc:
        db.session.rollback()
        click.echo(f"{path}: {exc}; nothing was changed.", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(
        f"Departments: {report.departments_added} added, {report.departments_updated} updated. "
        f"Municipalities: {report.municipalities_added} added, {report.municipalities_updated} updated. "
        f"Unchanged: {report.unchanged}."
    )
    if report.not_in_file:
        click.echo(f"Kept {len(report.not_in_file)} units that are not in the file: "
                   + ", ".join(report.not_in_file[:20]))
