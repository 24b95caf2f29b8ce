import click
from flask import current_app
from flask.cli import AppGroup

from app.audit.service import record
from app.extensions import db
from app.security.rotation import rotate

keys_cli = AppGroup("keys", help="Encryption keys.")


@keys_cli.command("rotate")
@click.option("--batch", default=500, show_default=True, help="Rows per transaction.")
def rotate_command(batch: int):
    """Re-encrypt every value with the newest key. Resumable: each batch
    commits; run again after an interruption."""
    keys = current_app.extensions["senda_keys"]
    total = 0
    for table, column, count in rotate(db.session, batch):
        total += count
        click.echo(f"{table}.{column}: {count} values re-encrypted")
    record("keys.rotate", detail=f"key={keys.newest_key_id};values={total}")
    db.session.commit()
    old = [kid for kid in keys.data_keys if kid != keys.newest_key_id]
    click.echo(f"Done: {total} values now under key {keys.newest_key_id}.")
    if old:
        click.echo("No value uses key(s) " + ", ".join(old) + " any more: they can be removed from the ring.")
