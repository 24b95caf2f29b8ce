import sys
from pathlib import Path

import click
import yaml
from flask.cli import AppGroup

from app.extensions import db
from app.screening.instrument import InstrumentError
from app.screening.services import INSTRUMENT_DIR, load_definition

instruments_cli = AppGroup("instruments", help="Risk-screening instruments.")


@instruments_cli.command("load")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_command(files: tuple[Path, ...]) -> None:
    """Load instrument definitions (YAML); default: the bundled ones. A
    definition that does not validate changes nothing."""
    paths = files or tuple(sorted(INSTRUMENT_DIR.glob("*.yaml")))
    try:
        for path in paths:
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                raise InstrumentError(f"not valid YAML: {exc}") from exc
            stored, new = load_definition(data)
            click.echo(f"{path.name}: {stored.code} version {stored.version} " + ("loaded" if new else "already loaded"))
    except InstrumentError as exc:
        db.session.rollback()
        click.echo(f"{path}: {exc}; nothing was changed.", err=True)
        sys.exit(1)
    db.session.commit()
