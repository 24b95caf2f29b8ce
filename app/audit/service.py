"""Recording audit events in the same transaction as the change they record.

``record()`` queues an event on the current database session; just before
that session commits, the queued events are inserted, each with its own
HMAC, in the same transaction, touching no row shared with other writers
(the seal job puts them under a signed Merkle tree head a few seconds later:
app/audit/seal.py). If the commit fails, neither the change nor its event is
kept; a request that rolls back drops its queued events too."""

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any, NoReturn

from flask import abort, current_app, has_request_context, request
from flask_login import current_user
from sqlalchemy import event, func, insert, select, text, update
from sqlalchemy.orm import Session

from app.audit.chain import GENESIS, event_mac
from app.audit.models import AuditEvent, AuditHead
from app.extensions import db

PENDING = "senda_audit_pending"
ALLOWED, DENIED, FAILED = "allowed", "denied", "failed"


def record(
    action: str,
    *,
    outcome: str = ALLOWED,
    object_type: str | None = None,
    object_id: Any = None,
    detail: str | None = None,
    user: Any = None,
) -> None:
    """Queue an audit event; it is written when the session commits.

    ``detail`` is short and machine-readable, never personal data."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    values = {
        "at": datetime.now(UTC),
        "user_id": getattr(user, "id", None),
        "role": getattr(user, "role", None),
        "organization_id": getattr(user, "organization_id", None),
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "outcome": outcome,
        "detail": detail[:500] if detail else None,
        "ip": None,
        "user_agent": None,
    }
    if has_request_context():
        values["ip"] = (request.remote_addr or "")[:45] or None
        values["user_agent"] = (request.user_agent.string or "")[:200] or None
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback, even before any SQL, drops the event
    session.info.setdefault(PENDING, []).append(values)


def hash_terms(terms: str) -> str:
    """A keyed hash of search terms: searches can be compared, not read."""
    key = current_app.extensions["senda_keys"].audit_key
    return hmac.new(key, terms.encode(), hashlib.sha256).hexdigest()[:16]


def _take_ids(bind, count: int) -> list[int]:
    """Ids for new events, from no shared row on PostgreSQL.

    PostgreSQL: the table's sequence. ROW EXCLUSIVE (what any INSERT takes,
    shared by all writers) is taken first, so that the seal job, which waits
    for the holders of that lock, never seals past an id still in flight.
    SQLite: the audit_head row is the counter; SQLite has one writer at a
    time anyway, and a counter in the transaction leaves no gap when it rolls
    back, so verify can also see events deleted at the end."""
    if bind.dialect.name == "postgresql":
        bind.execute(text("LOCK TABLE audit_events IN ROW EXCLUSIVE MODE"))
        return list(bind.scalars(
            text("SELECT nextval(pg_get_serial_sequence('audit_events', 'id')) FROM generate_series(1, :n)"),
            {"n": count}))
    top = bind.scalar(update(AuditHead).where(AuditHead.id == 1)
                      .values(seq=AuditHead.seq + count).returning(AuditHead.seq))
    if top is None:  # a database made without the migrations' first row
        top = (bind.scalar(select(func.max(AuditEvent.id))) or 0) + count
        bind.execute(insert(AuditHead).values(id=1, seq=top, head_hash=GENESIS))
    return list(range(top - count + 1, top + 1))


def _write_pending(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    # The change's own errors (a unique constraint, a stale version) come out
    # here, before ids are drawn: a failed flush then leaves no gap of ids.
    session.flush()
    key = current_app.extensions["senda_keys"].audit_key
    bind = session.connection()
    rows = []
    for event_id, values in zip(_take_ids(bind, len(pending)), pending, strict=True):
        row = {**values, "id": event_id, "seq": event_id, "prev_hash": None}
        row["entry_hash"] = event_mac(key, AuditEvent(**row))
        rows.append(row)
    bind.execute(insert(AuditEvent), rows)


def _before_commit(session: Session) -> None:
    _write_pending(session)


def _after_rollback(session: Session, previous_transaction) -> None:
    session.info.pop(PENDING, None)


def init_app(app) -> None:
    """Write the queued events in the transaction they belong to: registered
    on the app's session (create_app calls this), not on every Session."""
    for name, listener in (("before_commit", _before_commit), ("after_soft_rollback", _after_rollback)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def deny_out_of_scope(object_type: str, object_id) -> NoReturn:
    """Record a denied access to an object outside the user's scope and answer
    404: the same answer whether or not the object exists."""
    db.session.rollback()
    record("access.denied", outcome=DENIED, object_type=object_type, object_id=object_id, detail="not_in_scope")
    db.session.commit()
    abort(404)
