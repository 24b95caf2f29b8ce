"""Sealing: a short job, a few seconds behind the writers, puts the new
events under a Merkle tree and stores its signed head (an ``AuditBatch``)
chained to the previous one. Writers never touch a shared row; the sealer
is the only one that reads "what is the last batch", and only one sealer
runs at a time (an advisory lock on PostgreSQL, the write lock on SQLite).

Ids come from the table's sequence, so on PostgreSQL a transaction can hold
id 41 uncommitted while id 42 is already committed. Before sealing up to the
highest committed id H, the sealer waits until every transaction that was
inserting audit events when H was read has ended: writers take the table's
ROW EXCLUSIVE lock before they draw ids (app/audit/service.py), so any id
below H that can still commit belongs to one of them. After that wait, an
id below H that is not there never will be: it is recorded as absent."""

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.accounts.models import utcnow
from app.audit.chain import GENESIS, encode_ranges, event_leaf, head_mac
from app.audit.merkle import inclusion_path, root_from_path, tree_hash
from app.audit.models import AuditBatch, AuditEvent

log = logging.getLogger(__name__)
SEAL_LOCK = 0x5E4DA_A0D17  # pg_advisory_xact_lock key: one sealer at a time


class SealDeferred(Exception):  # noqa: N818 - not an error: try again on the next round
    pass


def last_batch(session: Session) -> AuditBatch | None:
    return session.scalar(select(AuditBatch).order_by(AuditBatch.id.desc()).limit(1))


def _wait_for_writers(session: Session, timeout: float) -> None:
    """PostgreSQL: wait until the transactions now inserting audit events end."""
    writers = session.scalars(text(
        "SELECT DISTINCT virtualtransaction FROM pg_locks WHERE relation = 'audit_events'::regclass "
        "AND mode = 'RowExclusiveLock' AND pid <> pg_backend_pid()")).all()
    deadline = time.monotonic() + timeout
    while writers:
        writers = session.scalars(text(
            "SELECT DISTINCT virtualtransaction FROM pg_locks WHERE relation = 'audit_events'::regclass "
            "AND virtualtransaction = ANY(:writers)"), {"writers": writers}).all()
        if writers and time.monotonic() > deadline:
            raise SealDeferred(f"{len(writers)} audited transactions still open after {timeout} s")
        if writers:
            time.sleep(0.01)


def seal(session: Session, key: bytes, wait: float = 10.0) -> AuditBatch | None:
    """Seal every event after the last batch; the caller commits. Returns the
    new batch, or None when there was nothing to seal."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEAL_LOCK})
    previous = last_batch(session)
    first = previous.last_id + 1 if previous else 1
    upto = session.scalar(select(func.max(AuditEvent.id)))
    if upto is None or upto < first:
        return None
    if postgres:
        _wait_for_writers(session, wait)
    leaves, absent, expected = [], [], first
    query = (select(AuditEvent).where(AuditEvent.id >= first, AuditEvent.id <= upto)
             .order_by(AuditEvent.id).execution_options(yield_per=5000))
    for event in session.scalars(query):
        absent.extend(range(expected, event.id))
        leaves.append(event_leaf(event))
        expected = event.id + 1
    absent.extend(range(expected, upto + 1))
    batch = AuditBatch(id=(previous.id + 1) if previous else 1, first_id=first, last_id=upto,
                       size=len(leaves), absent=encode_ranges(absent), root_hash=tree_hash(leaves).hex(),
                       prev_head=previous.head_mac if previous else GENESIS,
                       sealed_at=utcnow())
    batch.head_mac = head_mac(key, batch)
    session.add(batch)
    session.flush()
    if absent:
        log.warning("audit batch %s: ids %s absent (transactions that did not commit, or deleted before sealing)",
                    batch.id, batch.absent)
    return batch


@dataclass
class SealStatus:
    unsealed: int
    lag_seconds: float


def seal_status(session: Session, now: datetime) -> SealStatus:
    """How many events are not sealed yet, and how old the oldest one is."""
    sealed = session.scalar(select(AuditBatch.last_id).order_by(AuditBatch.id.desc()).limit(1)) or 0
    count = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.id > sealed))
    oldest = session.scalar(select(AuditEvent.at).where(AuditEvent.id > sealed).order_by(AuditEvent.id).limit(1))
    if oldest is None:
        return SealStatus(count or 0, 0.0)
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return SealStatus(count, max(0.0, round((now - oldest).total_seconds(), 1)))


@dataclass
class Proof:
    event_id: int
    batch: AuditBatch
    index: int
    leaf: bytes
    path: list[bytes]

    @property
    def valid(self) -> bool:
        root = root_from_path(self.leaf, self.index, self.batch.size, self.path)
        return root is not None and root.hex() == self.batch.root_hash


def prove(session: Session, event_id: int) -> Proof | None:
    """The audit path from an event to its batch's signed tree head, or None
    when the event does not exist or is not sealed yet."""
    batch = session.scalar(select(AuditBatch).where(AuditBatch.first_id <= event_id,
                                                    AuditBatch.last_id >= event_id))
    if batch is None:
        return None
    events = session.scalars(select(AuditEvent).where(AuditEvent.id >= batch.first_id,
                                                      AuditEvent.id <= batch.last_id)
                             .order_by(AuditEvent.id)).all()
    ids = [event.id for event in events]
    if event_id not in ids:
        return None
    leaves = [event_leaf(event) for event in events]
    index = ids.index(event_id)
    return Proof(event_id, batch, index, leaves[index], inclusion_path(leaves, index))
