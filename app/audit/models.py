"""The append-only audit log: events, and the signed tree heads that seal them."""

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class AuditEvent(db.Model):
    """One event. Never updated or deleted (a PostgreSQL trigger enforces it).

    Since migration 0010 an event carries its own HMAC: ``entry_hash`` =
    HMAC(audit key, "event" | canonical content), the content including
    ``seq``, which equals ``id``; ``prev_hash`` is NULL. Events are inserted
    with no shared row; the seal job (app/audit/seal.py) later puts them, in
    id order, under a Merkle tree whose signed head is an ``AuditBatch``.
    Events written before 0010 keep their hash chain (``prev_hash`` set,
    ``entry_hash`` = HMAC(key, prev_hash | content)) and are sealed too."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    role: Mapped[str | None] = mapped_column(String(20))
    organization_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(10), index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(String(500))
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id", "at"),)


class AuditBatch(db.Model):
    """A signed tree head: the RFC 9162 Merkle tree hash over the events with
    ``first_id <= id <= last_id`` (``size`` of them, in id order), the ids in
    that range that were absent when it was sealed, and the previous batch's
    head. ``head_mac`` = HMAC(audit key, all of that). Append-only like the
    events (a PostgreSQL trigger)."""

    __tablename__ = "audit_batches"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    first_id: Mapped[int] = mapped_column(Integer, unique=True)
    last_id: Mapped[int] = mapped_column(Integer, unique=True)
    size: Mapped[int] = mapped_column(Integer)
    absent: Mapped[str] = mapped_column(Text, default="")
    root_hash: Mapped[str] = mapped_column(String(64))
    prev_head: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    head_mac: Mapped[str] = mapped_column(String(64))


class AuditHead(db.Model):
    """One row. Before 0010: the chain head, updated by every audited
    transaction (which serialized them). Since 0010, only on SQLite, ``seq``
    is the highest event id handed out (SQLite's write lock is global
    anyway), so that verify also sees events deleted at the end; on
    PostgreSQL the row is left as the pre-0010 chain head and ids come from
    the table's sequence."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    head_hash: Mapped[str] = mapped_column(String(64))
