"""Hashing and verification of the audit log.

Each event carries its own HMAC over its content and id (events from
before migration 0010 carry the old chain HMAC instead). Sealed events are
checked against the signed tree head of their batch: a changed, deleted,
inserted or reordered event changes the tree hash, its event count or the id
sequence the head records. For events not yet sealed, see ``verify``."""

import hashlib
import hmac
import json
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.merkle import leaf_hash, tree_hash
from app.audit.models import AuditBatch, AuditEvent, AuditHead

GENESIS = "0" * 64
CHAIN_FIELDS = (
    "seq", "at", "user_id", "role", "organization_id", "action", "object_type",
    "object_id", "outcome", "ip", "user_agent", "detail",
)


def utc_iso(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(event: AuditEvent) -> bytes:
    content = {name: getattr(event, name) for name in CHAIN_FIELDS}
    content["at"] = utc_iso(event.at)
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


def entry_hash(key: bytes, prev_hash: str, event: AuditEvent) -> str:
    """The pre-0010 chain hash: HMAC(key, previous hash | content)."""
    return hmac.new(key, prev_hash.encode() + b"|" + canonical(event), hashlib.sha256).hexdigest()


def event_mac(key: bytes, event: AuditEvent) -> str:
    """An event's own HMAC (content includes seq, which equals id)."""
    return hmac.new(key, b"event|" + canonical(event), hashlib.sha256).hexdigest()


def event_leaf(event: AuditEvent) -> bytes:
    """The Merkle leaf hash of an event: its content and its stored hashes."""
    data = canonical(event) + b"|" + (event.prev_hash or "").encode() + b"|" + event.entry_hash.encode()
    return leaf_hash(data)


def head_mac(key: bytes, batch: AuditBatch) -> str:
    """The signature of a tree head (HMAC with the audit key)."""
    fields = (batch.id, batch.first_id, batch.last_id, batch.size, batch.absent or "",
              batch.root_hash, batch.prev_head, utc_iso(batch.sealed_at))
    return hmac.new(key, b"tree-head|" + "|".join(map(str, fields)).encode(), hashlib.sha256).hexdigest()


def encode_ranges(ids: list[int]) -> str:
    """[3, 4, 5, 9] -> "3-5,9" (sorted input)."""
    parts: list[str] = []
    for value in ids:
        if parts and parts[-1].rsplit("-", 1)[-1] == str(value - 1):
            parts[-1] = f"{parts[-1].split('-')[0]}-{value}"
        else:
            parts.append(str(value))
    return ",".join(parts)


def decode_ranges(text: str) -> set[int]:
    found: set[int] = set()
    for part in filter(None, (text or "").split(",")):
        low, _, high = part.partition("-")
        found.update(range(int(low), int(high or low) + 1))
    return found


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    head_hash: str
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""
    broken_batch: int | None = None
    batches: int = 0
    sealed_upto: int = 0
    unsealed: int = 0
    absent: int = 0


class Broken(Exception):  # noqa: N818 - a verify outcome, raised to stop the walk
    def __init__(self, reason: str, seq=None, event_id=None, batch=None):
        super().__init__(reason)
        self.reason, self.seq, self.event_id, self.batch = reason, seq, event_id, batch


def high_water(session: Session) -> int | None:
    """The highest event id ever handed out, where the database keeps it
    transactionally (SQLite: the audit_head row); None on PostgreSQL, whose
    sequence may jump ahead after a crash and is no proof of a deletion."""
    if session.get_bind().dialect.name != "sqlite":
        return None
    head = session.get(AuditHead, 1)
    return head.seq if head else None


def verify(session: Session, key: bytes, batch: int = 5000) -> VerifyResult:
    """Check the tree heads, then walk every event in sequence order.

    Sealed events: any change, deletion, insertion or reordering is found.
    Not yet sealed: a changed or reordered event fails its own HMAC, an
    inserted one has no valid HMAC, a missing id in the middle is reported;
    an event deleted at the very end is found on SQLite (the high-water id)
    but not on PostgreSQL, where it looks like a transaction that took an id
    and did not commit; the seal job then records that id as absent (see
    docs/operations.md, "Sealing")."""
    heads = session.scalars(select(AuditBatch).order_by(AuditBatch.id)).all()
    query = select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch)
    walk = _Walk(key, heads, high_water(session))
    try:
        walk.check_heads()
        with closing(session.scalars(query)) as events:
            walk.events(events)
    except Broken as broken:
        return walk.result(False, broken)
    return walk.result(True)


@dataclass
class _Walk:
    key: bytes
    heads: list
    hwm: int | None
    checked: int = 0
    absent: set = field(default_factory=set)
    next_id: int = 1
    last_kind: str = ""
    prev_chain: str = GENESIS
    legacy_seq: int = 0
    current: int = 0          # index in heads of the batch being read
    leaves: list = field(default_factory=list)
    unsealed: int = 0

    @property
    def sealed_upto(self) -> int:
        return self.heads[-1].last_id if self.heads else 0

    def result(self, ok: bool, broken: Broken | None = None) -> VerifyResult:
        head = self.heads[-1].head_mac if self.heads else GENESIS
        common = {"batches": len(self.heads), "sealed_upto": self.sealed_upto,
                  "unsealed": self.unsealed, "absent": len(self.absent)}
        if ok:
            return VerifyResult(True, self.checked, head, **common)
        return VerifyResult(False, self.checked, head, broken.seq, broken.event_id, broken.reason,
                            broken.batch, **common)

    def check_heads(self) -> None:
        prev, last_id = GENESIS, 0
        for number, head in enumerate(self.heads, start=1):
            if head.id != number:
                raise Broken(f"tree head {number} is missing (found {head.id})", batch=number)
            if not hmac.compare_digest(head.head_mac, head_mac(self.key, head)):
                raise Broken("tree head signature does not match", batch=head.id)
            if head.prev_head != prev:
                raise Broken("tree head does not follow the previous one", batch=head.id)
            if head.first_id != last_id + 1 or head.last_id < head.first_id:
                raise Broken(f"tree head covers ids {head.first_id}-{head.last_id}, expected from {last_id + 1}",
                             batch=head.id)
            self.absent |= decode_ranges(head.absent)
            prev, last_id = head.head_mac, head.last_id

    def events(self, events) -> None:
        for event in events:
            self.checked += 1
            self.one(event)
        self.missing_until(self.sealed_upto + 1, None)
        self.close_batches(len(self.heads))
        if self.hwm is not None and self.hwm >= self.next_id:
            raise Broken(f"events missing at the end: ids up to {self.hwm} were handed out",
                         seq=self.next_id)

    def one(self, event: AuditEvent) -> None:
        legacy = event.prev_hash is not None
        fail = lambda reason: Broken(reason, event.seq, event.id)  # noqa: E731
        if legacy:
            if self.last_kind == "event":
                raise fail("an old-format event after new ones")
            self.legacy_seq += 1
            if event.seq != self.legacy_seq:
                raise fail(f"sequence gap: expected {self.legacy_seq}")
            if event.prev_hash != self.prev_chain:
                raise fail("previous hash does not match")
            if not hmac.compare_digest(event.entry_hash, entry_hash(self.key, self.prev_chain, event)):
                raise fail("content does not match its hash")
            self.prev_chain = event.entry_hash
        else:
            if event.seq != event.id:
                raise fail(f"sequence number does not match its id {event.id}")
            if not hmac.compare_digest(event.entry_hash, event_mac(self.key, event)):
                raise fail("content does not match its hash")
        if event.id < self.next_id:
            raise fail("events out of order")
        if not (legacy and event.id > self.sealed_upto):
            # Pre-0010 ids may have gaps until they are sealed (the chain used seq).
            self.missing_until(event.id, event)
        self.next_id, self.last_kind = event.id + 1, "legacy" if legacy else "event"
        if event.id > self.sealed_upto:
            self.unsealed += 1
            return
        while self.heads[self.current].last_id < event.id:
            self.close_batches(self.current + 1)
        self.leaves.append(event_leaf(event))

    def missing_until(self, stop: int, event: AuditEvent | None) -> None:
        """Every id from next_id to stop - 1 must be recorded absent in its
        batch (unsealed ids may not be missing at all)."""
        if self.last_kind == "legacy" and self.next_id > self.sealed_upto:
            return
        for event_id in range(self.next_id, stop):
            if event_id in self.absent and event_id <= self.sealed_upto:
                continue
            where = "sealed" if event_id <= self.sealed_upto else "not yet sealed"
            reason = f"event id {event_id} is missing ({where})"
            if event is None:
                raise Broken(reason, seq=event_id)
            raise Broken(reason, event.seq, event.id)

    def close_batches(self, upto: int) -> None:
        """Compare the leaves read with heads[current .. upto - 1]."""
        while self.current < upto:
            head = self.heads[self.current]
            if len(self.leaves) != head.size:
                raise Broken(f"batch holds {len(self.leaves)} events, its tree head says {head.size}",
                             batch=head.id)
            if tree_hash(self.leaves).hex() != head.root_hash:
                raise Broken("tree hash does not match its signed head", batch=head.id)
            self.current, self.leaves = self.current + 1, []
