"""Stored instrument definitions and screenings."""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import utcnow
from app.extensions import db
from app.record_keys import record_key_column


class InstrumentVersion(db.Model):
    """A version of a screening instrument, as loaded from its YAML file."""

    __tablename__ = "instruments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("code", "version", name="uq_instruments_code_version"),)


class Screening(db.Model):
    __tablename__ = "screenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    youth_id: Mapped[int] = mapped_column(ForeignKey("youth.id", ondelete="CASCADE"))
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"))
    screened_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(12))  # baseline | reassessment
    answers: Mapped[dict] = mapped_column(JSON)
    scale_scores: Mapped[dict] = mapped_column(JSON)
    scales_at_threshold: Mapped[int] = mapped_column(SmallInteger)
    gang_involvement: Mapped[bool] = mapped_column(Boolean)
    justice_contact: Mapped[bool] = mapped_column(Boolean)
    level: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(80))
    screened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    record_key: Mapped[int] = record_key_column()  # cell-key perturbation; never shown or exported

    instrument: Mapped[InstrumentVersion] = relationship()

    __table_args__ = (
        Index("ix_screenings_youth", "youth_id", "screened_on"),
        Index("ix_screenings_kind_screened_on", "kind", "screened_on"),  # summaries
    )
