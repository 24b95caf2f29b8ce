import sys
import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError

from app.audit.chain import GENESIS, head_mac, verify
from app.audit.seal import SealDeferred, last_batch, prove, seal
from app.extensions import db

audit_cli = AppGroup("audit", help="The tamper-evident audit log.")


def _key() -> bytes:
    return current_app.extensions["senda_keys"].audit_key


@audit_cli.command("verify")
def verify_command():
    """Check the signed tree heads and every event; exit 1 naming the first
    broken batch or event."""
    result = verify(db.session, _key())
    if result.ok:
        click.echo(f"Audit chain intact: {result.checked} events, head {result.head_hash}")
        click.echo(f"{result.batches} batches sealed up to id {result.sealed_upto} "
                   f"({result.absent} ids absent when sealed); {result.unsealed} events not sealed yet")
        return
    where = f"batch {result.broken_batch}" if result.broken_batch else "event"
    click.echo(
        f"Audit chain BROKEN at {where} seq={result.broken_seq} id={result.broken_id}: "
        f"{result.reason} ({result.checked} events read)",
        err=True,
    )
    sys.exit(1)


def _seal_once(wait: float) -> None:
    try:
        batch = seal(db.session, _key(), wait=wait)
        db.session.commit()
    except (SealDeferred, OperationalError) as deferred:  # busy: the next round takes them
        db.session.rollback()
        click.echo(f"Sealing deferred: {deferred}", err=True)
        return
    if batch is not None:
        click.echo(f"Sealed batch {batch.id}: ids {batch.first_id}-{batch.last_id}, "
                   f"{batch.size} events, root {batch.root_hash}")


@audit_cli.command("seal")
@click.option("--every", type=float, default=0.0,
              help="Keep running, sealing every this many seconds (0: seal once and exit).")
@click.option("--wait", type=float, default=10.0, help="Longest wait for audited transactions in flight.")
def seal_command(every: float, wait: float):
    """Put the events not sealed yet under a signed Merkle tree head."""
    _seal_once(wait)
    while every > 0:
        time.sleep(every)
        _seal_once(wait)
        db.session.remove()


@audit_cli.command("prove")
@click.argument("event_id", type=int)
def prove_command(event_id: int):
    """Print the audit path from an event to its signed tree head."""
    proof = prove(db.session, event_id)
    if proof is None:
        click.echo(f"Event {event_id} is not sealed (or does not exist).", err=True)
        sys.exit(1)
    batch = proof.batch
    signed = head_mac(_key(), batch) == batch.head_mac
    click.echo(f"event {event_id}: leaf {proof.index} of {batch.size} in batch {batch.id} "
               f"(ids {batch.first_id}-{batch.last_id})")
    click.echo(f"leaf hash {proof.leaf.hex()}")
    for step, sibling in enumerate(proof.path, start=1):
        click.echo(f"path {step} {sibling.hex()}")
    click.echo(f"root {batch.root_hash} head {batch.head_mac}")
    ok = proof.valid and signed
    click.echo("proof valid" if ok else "proof INVALID", err=not ok)
    sys.exit(0 if ok else 1)


@audit_cli.command("anchor")
def anchor_command():
    """Print the last signed tree head (last sealed id and its signature)
    to store off the host."""
    batch = last_batch(db.session)
    click.echo(f"{batch.last_id} {batch.head_mac}" if batch else f"0 {GENESIS}")
