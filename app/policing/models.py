"""Community-policing sessions, G.R.E.A.T. cohorts and attendance links."""

from datetime import date, datetime

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organization, User, utcnow
from app.extensions import db
from app.geo.models import Municipality
from app.record_keys import record_key_column
from app.security.crypto import Encrypted, EncryptedBytes, new_row_uid

session_officers = Table(
    "session_officers",
    db.metadata,
    Column("session_id", ForeignKey("policing_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True, index=True),
)


class GreatCohort(db.Model):
    """A school class followed through a G.R.E.A.T. curriculum."""

    __tablename__ = "great_cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    school_name: Mapped[str] = mapped_column(String(160))
    class_name: Mapped[str] = mapped_column(String(60))
    curriculum: Mapped[str] = mapped_column(String(12))
    police_unit_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    started_on: Mapped[date] = mapped_column(Date)
    graduated_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    record_key: Mapped[int] = record_key_column()  # cell-key perturbation (classes completed); never shown

    municipality: Mapped[Municipality] = relationship()
    police_unit: Mapped[Organization] = relationship()
    __mapper_args__ = {"version_id_col": version}


class PolicingSession(db.Model):
    """One session, with anonymous head-counts by sex and by age band."""

    __tablename__ = "policing_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    row_uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_row_uid)
    held_at: Mapped[datetime] = mapped_column(DateTime)  # local time of the session
    held_on: Mapped[date] = mapped_column(Date)  # its date, for period filters and aggregates
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    community: Mapped[str | None] = mapped_column(String(120))
    venue: Mapped[str] = mapped_column(String(20))
    school_name: Mapped[str | None] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(20))
    curriculum: Mapped[str | None] = mapped_column(String(12))
    lesson_number: Mapped[int | None] = mapped_column(SmallInteger)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("great_cohorts.id"), index=True)
    topic: Mapped[str | None] = mapped_column(String(200))
    police_unit_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    partner_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    female: Mapped[int] = mapped_column(Integer, default=0)
    male: Mapped[int] = mapped_column(Integer, default=0)
    sex_not_recorded: Mapped[int] = mapped_column(Integer, default=0)
    under_12: Mapped[int] = mapped_column(Integer, default=0)
    age_12_14: Mapped[int] = mapped_column(Integer, default=0)
    age_15_17: Mapped[int] = mapped_column(Integer, default=0)
    age_18_24: Mapped[int] = mapped_column(Integer, default=0)
    age_25_plus: Mapped[int] = mapped_column(Integer, default=0)
    notes_ct: Mapped[bytes | None] = mapped_column("notes", EncryptedBytes())
    status: Mapped[str] = mapped_column(String(10), default="held")  # held | cancelled
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    # Identifies an imported row: importing the same file twice adds nothing.
    import_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    record_key: Mapped[int] = record_key_column()  # cell-key perturbation; never shown or exported

    notes = Encrypted("notes_ct")
    municipality: Mapped[Municipality] = relationship()
    police_unit: Mapped[Organization] = relationship(foreign_keys=[police_unit_id])
    partner: Mapped[Organization | None] = relationship(foreign_keys=[partner_organization_id])
    officers: Mapped[list[User]] = relationship(secondary=session_officers)
    cohort: Mapped[GreatCohort | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_policing_sessions_municipality_held_on", "municipality_id", "held_on"),
        Index("ix_policing_sessions_held_on", "held_on"),
        Index("ix_policing_sessions_unit_held_on", "police_unit_id", "held_on"),
    )

    @property
    def total(self) -> int:
        return self.female + self.male + self.sex_not_recorded


class Attendance(db.Model):
    """An enrolled youth attended a session (seen and made by case workers only)."""

    __tablename__ = "session_attendance"

    session_id: Mapped[int] = mapped_column(ForeignKey("policing_sessions.id", ondelete="CASCADE"), primary_key=True)
    youth_id: Mapped[int] = mapped_column(ForeignKey("youth.id", ondelete="CASCADE"), primary_key=True, index=True)
    linked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    record_key: Mapped[int] = record_key_column()  # cell-key perturbation; never shown or exported
