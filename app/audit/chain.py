"""Hashing and verification of the audit chain."""

import hashlib
import hmac
import json
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent, AuditHead

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
    return hmac.new(key, prev_hash.encode() + b"|" + canonical(event), hashlib.sha256).hexdigest()


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    head_hash: str
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""


def verify(session: Session, key: bytes, batch: int = 5000) -> VerifyResult:
    """Walk the whole chain in sequence order; report the first broken event."""
    query = select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch)
    with closing(session.scalars(query)) as events:
        return _walk(session, key, events)


def _walk(session: Session, key: bytes, events) -> VerifyResult:
    prev, expected_seq, checked = GENESIS, 1, 0
    last_id = None
    for event in events:
        checked += 1
        if event.seq != expected_seq:
            return VerifyResult(False, checked, prev, event.seq, event.id,
                                f"sequence gap: expected {expected_seq}")
        if event.prev_hash != prev:
            return VerifyResult(False, checked, prev, event.seq, event.id,
                                "previous hash does not match")
        if not hmac.compare_digest(event.entry_hash, entry_hash(key, prev, event)):
            return VerifyResult(False, checked, prev, event.seq, event.id,
                                "content does not match its hash")
        if last_id is not None and event.id < last_id:
            return VerifyResult(False, checked, prev, event.seq, event.id,
                                "events out of order")
        prev, expected_seq, last_id = event.entry_hash, expected_seq + 1, event.id
    head = session.get(AuditHead, 1)
    head_seq = head.seq if head else 0
    if head_seq != expected_seq - 1 or (head and head_seq and head.head_hash != prev):
        return VerifyResult(False, checked, prev, expected_seq, None,
                            f"chain ends at {expected_seq - 1} but the head says {head_seq}")
    return VerifyResult(True, checked, prev)
