"""Prevention programs and enrollments."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organization
from app.extensions import db
from app.geo.models import Municipality
from app.record_keys import record_key_column

LEVELS = {"primary": _l("Primary prevention"), "secondary": _l("Secondary prevention"),
          "tertiary": _l("Tertiary prevention")}
KINDS = {
    "outreach_center": _l("Outreach center"),
    "family_counseling": _l("Family counseling"),
    "vocational_training": _l("Vocational training"),
    "school_based": _l("School-based"),
    "sports_culture": _l("Sports and culture"),
    "reintegration": _l("Reintegration"),
}

program_municipalities = Table(
    "program_municipalities",
    db.metadata,
    Column("program_id", ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True),
    Column("municipality_id", ForeignKey("municipalities.id"), primary_key=True, index=True),
)


class Program(db.Model):
    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    level: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(24))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    organization: Mapped[Organization] = relationship()
    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=program_municipalities, order_by=Municipality.name)

    __mapper_args__ = {"version_id_col": version}


class Enrollment(db.Model):
    __tablename__ = "enrollments"

    id: Mapped[int] = mapped_column(primary_key=True)
    youth_id: Mapped[int] = mapped_column(ForeignKey("youth.id", ondelete="CASCADE"))
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="active")
    exit_reason: Mapped[str | None] = mapped_column(String(20))
    enrolled_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    record_key: Mapped[int] = record_key_column()  # cell-key perturbation; never shown or exported

    program: Mapped[Program] = relationship()

    __table_args__ = (
        Index("ix_enrollments_youth", "youth_id", "start_on"),
        Index("ix_enrollments_program_start", "program_id", "start_on"),
        Index("ix_enrollments_start_on", "start_on"),  # summaries
        Index("ix_enrollments_end_on", "end_on"),
    )
