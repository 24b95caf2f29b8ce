"""Maintained aggregates: the indicator values of one municipality for one
period (a quarter, a year or a fiscal year), and what they were computed from.

A municipality's data version goes up with every commit that changes its
youth, screenings, enrollments, follow-ups, sessions, attendance links or
cohorts, and the change log says from which day on that commit can change
the numbers (`app/reports/tracking.py`). A stored cell is current unless a later change
reaches its period (from_day <= the period's end) or a youth of the
municipality has lost consent since the day it was computed
(`app/reports/aggregates.py`)."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class SummaryVersion(db.Model):
    """How many times a municipality's counted data has changed."""

    __tablename__ = "summary_versions"

    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class SummaryChange(db.Model):
    """One commit's change to a municipality: periods ending before `from_day` are not affected."""

    __tablename__ = "summary_changes"

    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    from_day: Mapped[date] = mapped_column(Date)


class SummaryCell(db.Model):
    """One municipality × period whose values are stored."""

    __tablename__ = "summary_cells"

    period: Mapped[str] = mapped_column(String(16), primary_key=True)  # "2026-T1", "2026" or "FY2026-10" (Period.cell_key)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)  # the municipality's version it is known to be current at
    consent_day: Mapped[date] = mapped_column(Date)  # consent to statistics was judged on this day


class SummaryValue(db.Model):
    """One indicator value of a cell and its cell key (zeros are not stored: their key is 0)."""

    __tablename__ = "summary_values"

    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
    # The sum of the counted records' keys mod 256 (docs/perturbation.md): cell keys add up mod 256 like
    # the counts add up, so a department's or country's key is the sum of its municipalities' keys.
    cell_key: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")


class SummaryRefresh(db.Model):
    """One finished run of the refresh job (`flask reports refresh`): every stored cell of the
    releases it covered was current at `started_at`, which the pages show as "data as of"."""

    __tablename__ = "summary_refreshes"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cells: Mapped[int] = mapped_column(Integer)  # how many cells it recomputed
