"""Recording audit events in the same transaction as the change they record.

``record()`` queues an event on the current database session; just before
that session commits, the queued events are chained and inserted, in the
same transaction. If the commit fails, neither the change nor its event is
kept; a request that rolls back drops its queued events too."""

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any, NoReturn

from flask import abort, current_app, has_request_context, request
from flask_login import current_user
from sqlalchemy import event, insert, update
from sqlalchemy.orm import Session

from app.audit.chain import GENESIS, entry_hash
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


def _write_pending(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    key = current_app.extensions["senda_keys"].audit_key
    # Take the head row first: this locks it (PostgreSQL row lock, SQLite
    # write lock) so concurrent writers extend the chain one at a time.
    bind = session.connection()
    locked = bind.execute(
        update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq)
        .returning(AuditHead.seq, AuditHead.head_hash)
    ).first()
    seq, prev = locked if locked else (0, GENESIS)
    rows = []
    for values in pending:
        seq += 1
        audit_event = AuditEvent(seq=seq, prev_hash=prev, entry_hash="", **values)
        audit_event.entry_hash = prev = entry_hash(key, prev, audit_event)
        rows.append({**values, "seq": seq, "prev_hash": audit_event.prev_hash, "entry_hash": prev})
    if not locked:
        bind.execute(insert(AuditEvent), rows)
        bind.execute(insert(AuditHead).values(id=1, seq=seq, head_hash=prev))
        return
    move_head = update(AuditHead).where(AuditHead.id == 1).values(seq=seq, head_hash=prev)
    if bind.dialect.name == "postgresql":
        # One round trip: the events are inserted in a CTE of the head update.
        bind.execute(move_head.add_cte(insert(AuditEvent).values(rows).cte("new_events")))
    else:
        bind.execute(insert(AuditEvent), rows)
        bind.execute(move_head)


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
