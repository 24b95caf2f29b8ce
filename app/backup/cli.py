import sys
from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import AppGroup

from app.audit.service import record
from app.backup.archive import BackupError
from app.backup.services import create_backup, read_meta, restore_backup
from app.extensions import db

backup_cli = AppGroup("backup", help="Encrypted backups of the database.")

database_option = click.option(
    "--database", "url", metavar="URL",
    help="Database URL to use instead of the configured one (SQLAlchemy form).",
)


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


def _backup_key() -> bytes:
    return current_app.extensions["senda_keys"].backup_key


def _configured_url() -> str:
    """The app's database URL as Flask-SQLAlchemy resolved it (relative SQLite paths included)."""
    return db.engine.url.render_as_string(hide_password=False)


@backup_cli.command("create")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@database_option
def create_command(output: Path, url: str | None):
    """Write an encrypted backup of the database to OUTPUT (a new file)."""
    configured = _configured_url()
    try:
        meta = create_backup(url or configured, output, _backup_key(), current_app.config.get("PG_BIN_DIR"))
    except BackupError as exc:
        _fail(f"{exc} No backup was written.")
    if not url or url == configured:
        record("backup.create", detail=f"database={meta['database']};revision={meta['revision']}")
        db.session.commit()
    click.echo(f"Backup of the {meta['database']} database (revision {meta['revision']}, "
               f"{meta['size']:,} bytes before encryption) written to {output}.")


@backup_cli.command("restore")
@click.argument("backup", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@database_option
def restore_command(backup: Path, url: str | None):
    """Restore BACKUP into an empty database (refused if it has tables)."""
    target = url or _configured_url()
    try:
        meta = restore_backup(backup, target, _backup_key(), current_app.config.get("PG_BIN_DIR"))
    except BackupError as exc:
        _fail(str(exc))
    click.echo(f"Restored the backup of {meta['created_at']} (revision {meta['revision']}). "
               "Run `flask db upgrade` if this Senda is newer, then `flask audit verify`.")


@backup_cli.command("info")
@click.argument("backup", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def info_command(backup: Path):
    """Print the unencrypted header of BACKUP (checked only when restoring)."""
    try:
        meta = read_meta(backup)
    except BackupError as exc:
        _fail(str(exc))
    for name in sorted(meta):
        click.echo(f"{name}: {meta[name]}")
