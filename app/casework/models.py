"""Case plan goals, service contacts, case notes and follow-ups."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User, utcnow
from app.extensions import db
from app.record_keys import record_key_column
from app.security.crypto import Encrypted, EncryptedBytes, new_row_uid

GOAL_STATUSES = {"open": _l("Open"), "in_progress": _l("In progress"), "achieved": _l("Achieved"),
                 "dropped": _l("Dropped")}
CONTACT_KINDS = {"individual": _l("Individual"), "family": _l("Family"), "group": _l("Group")}
GANG_STATUSES = {"none": _l("No involvement"), "at_risk": _l("At risk"), "involved": _l("Involved"),
                 "leaving": _l("Leaving the gang")}


class Goal(db.Model):
    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    row_uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_row_uid)
    youth_id: Mapped[int] = mapped_column(ForeignKey("youth.id", ondelete="CASCADE"), index=True)
    description_ct: Mapped[bytes] = mapped_column("description", EncryptedBytes())
    status: Mapped[str] = mapped_column(String(12), default="open")
    target_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    description = Encrypted("description_ct")
    __mapper_args__ = {"version_id_col": version}


class ServiceContact(db.Model):
    __tablename__ = "service_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    row_uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_row_uid)
    youth_id: Mapped[int] = mapped_column(ForeignKey("youth.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    contact_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(SmallInteger)
    worker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    summary_ct: Mapped[bytes | None] = mapped_column("summary", EncryptedBytes())
    version: Mapped[int] = mapped_column(Integer, default=1)

    worker: Mapped[User] = relationship()
    summary = Encrypted("summary_ct")
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_service_contacts_youth", "youth_id", "contact_on"),)


class CaseNote(db.Model):
    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    row_uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_row_uid)
    youth_id: Mapped[int] = mapped_column(ForeignKey("youth.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body_ct: Mapped[bytes] = mapped_column("body", EncryptedBytes())
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    author: Mapped[User] = relationship()
    body = Encrypted("body_ct")
    __mapper_args__ = {"version_id_col": version}


class FollowUp(db.Model):
    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    youth_id: Mapped[int] = mapped_column(ForeignKey("youth.id", ondelete="CASCADE"))
    followup_on: Mapped[date] = mapped_column(Date)
    in_school: Mapped[bool] = mapped_column(Boolean)
    working: Mapped[bool] = mapped_column(Boolean)
    new_justice_contact: Mapped[bool] = mapped_column(Boolean)
    gang_involvement: Mapped[str] = mapped_column(String(10))
    screening_id: Mapped[int | None] = mapped_column(ForeignKey("screenings.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    record_key: Mapped[int] = record_key_column()  # cell-key perturbation; never shown or exported

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_follow_ups_youth", "youth_id", "followup_on"),
        Index("ix_follow_ups_followup_on", "followup_on"),  # summaries
    )
