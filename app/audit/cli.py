import sys

import click
from flask import current_app
from flask.cli import AppGroup

from app.audit.chain import verify
from app.audit.models import AuditHead
from app.extensions import db

audit_cli = AppGroup("audit", help="The tamper-evident audit log.")


@audit_cli.command("verify")
def verify_command():
    """Walk the chain; exit 1 naming the first broken event."""
    result = verify(db.session, current_app.extensions["senda_keys"].audit_key)
    if result.ok:
        click.echo(f"Audit chain intact: {result.checked} events, head {result.head_hash}")
        return
    click.echo(
        f"Audit chain BROKEN at event seq={result.broken_seq} id={result.broken_id}: "
        f"{result.reason} ({result.checked} events read)",
        err=True,
    )
    sys.exit(1)


@audit_cli.command("anchor")
def anchor_command():
    """Print the current head (sequence and hash) to store off the host."""
    head = db.session.get(AuditHead, 1)
    seq, digest = (head.seq, head.head_hash) if head else (0, "0" * 64)
    click.echo(f"{seq} {digest}")
