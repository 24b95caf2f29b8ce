"""A youth case, its consents, shares and duplicate decisions."""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organization, User, utcnow
from app.extensions import db
from app.geo.models import Municipality
from app.record_keys import record_key_column
from app.security.crypto import Encrypted, EncryptedBytes, new_row_uid

FOREVER = date(9999, 12, 31)  # a consent with no expiry is valid until then


class Youth(db.Model):
    """A case. Direct identifiers are sealed; blind indexes allow exact,
    normalized name search and duplicate checks without decrypting."""

    __tablename__ = "youth"

    id: Mapped[int] = mapped_column(primary_key=True)
    row_uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_row_uid)
    case_code: Mapped[str] = mapped_column(String(16), unique=True)

    given_names_ct: Mapped[bytes] = mapped_column("given_names", EncryptedBytes())
    family_name_1_ct: Mapped[bytes] = mapped_column("family_name_1", EncryptedBytes())
    family_name_2_ct: Mapped[bytes | None] = mapped_column("family_name_2", EncryptedBytes())
    birth_date_ct: Mapped[bytes] = mapped_column("birth_date", EncryptedBytes())
    community_ct: Mapped[bytes | None] = mapped_column("community", EncryptedBytes())
    guardian_name_ct: Mapped[bytes | None] = mapped_column("guardian_name", EncryptedBytes())
    guardian_contact_ct: Mapped[bytes | None] = mapped_column("guardian_contact", EncryptedBytes())

    given_bidx: Mapped[str] = mapped_column(String(64), index=True)
    family_1_bidx: Mapped[str] = mapped_column(String(64), index=True)
    family_2_bidx: Mapped[str | None] = mapped_column(String(64), index=True)
    short_name_bidx: Mapped[str] = mapped_column(String(64), index=True)  # given + first family name
    full_name_bidx: Mapped[str] = mapped_column(String(64), index=True)
    birth_bidx: Mapped[str] = mapped_column(String(64))
    # Birth year only, for age bands in aggregates (the full date is sealed).
    birth_year: Mapped[int] = mapped_column(SmallInteger)

    sex: Mapped[str] = mapped_column(String(1))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    school_status: Mapped[str] = mapped_column(String(20))
    work_status: Mapped[str] = mapped_column(String(20))
    referral_source: Mapped[str] = mapped_column(String(20))
    assigned_worker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    status: Mapped[str] = mapped_column(String(12), default="referred")
    status_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    referred_on: Mapped[date] = mapped_column(Date)
    current_program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id"))
    reassessment_due: Mapped[date | None] = mapped_column(Date)
    last_contact_on: Mapped[date | None] = mapped_column(Date)
    # Consent in force per purpose: NULL = none; else valid through that date.
    services_consent_until: Mapped[date | None] = mapped_column(Date)
    sharing_consent_until: Mapped[date | None] = mapped_column(Date)
    statistics_consent_until: Mapped[date | None] = mapped_column(Date)

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    anonymized_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Counts edits of the registration data and status changes, once per transaction (app/versions.py).
    version: Mapped[int] = mapped_column(Integer, default=1)
    record_key: Mapped[int] = record_key_column()  # cell-key perturbation; never shown or exported

    given_names = Encrypted("given_names_ct")
    family_name_1 = Encrypted("family_name_1_ct")
    family_name_2 = Encrypted("family_name_2_ct")
    _birth_date = Encrypted("birth_date_ct")
    community = Encrypted("community_ct")
    guardian_name = Encrypted("guardian_name_ct")
    guardian_contact = Encrypted("guardian_contact_ct")

    municipality: Mapped[Municipality] = relationship()
    organization: Mapped[Organization] = relationship()
    assigned_worker: Mapped[User] = relationship(foreign_keys=[assigned_worker_id])

    __table_args__ = (
        Index("ix_youth_org_municipality_status", "organization_id", "municipality_id", "status"),
        Index("ix_youth_worker_status", "assigned_worker_id", "status"),
        Index("ix_youth_municipality_status", "municipality_id", "status"),
        Index("ix_youth_reassessment_due", "reassessment_due"),
        Index("ix_youth_last_contact_on", "last_contact_on"),
        Index("ix_youth_municipality_referred_on", "municipality_id", "referred_on"),  # summaries
        Index("ix_youth_statistics_consent_until", "statistics_consent_until"),  # summaries: expired consent
    )

    @property
    def birth_date(self) -> date | None:
        raw = self._birth_date
        return date.fromisoformat(raw) if raw else None

    @birth_date.setter
    def birth_date(self, value: date) -> None:
        self._birth_date = value.isoformat()
        self.birth_year = value.year

    @property
    def display_name(self) -> str:
        if self.anonymized_at:
            return "—"
        return " ".join(p for p in (self.given_names, self.family_name_1, self.family_name_2) if p)

    def age_on(self, day: date) -> int | None:
        born = self.birth_date
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class CaseShare(db.Model):
    """A coordinator shared a case with another social worker of the team."""

    __tablename__ = "case_shares"

    youth_id: Mapped[int] = mapped_column(ForeignKey("youth.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    shared_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    shared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class DuplicateDecision(db.Model):
    """A worker confirmed that two cases are not the same person."""

    __tablename__ = "duplicate_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    youth_id: Mapped[int] = mapped_column(ForeignKey("youth.id", ondelete="CASCADE"), index=True)
    other_youth_id: Mapped[int] = mapped_column(ForeignKey("youth.id", ondelete="CASCADE"))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Consent(db.Model):
    """One consent given for one purpose; withdrawal is recorded on it. The
    rows of a youth form the history."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    youth_id: Mapped[int] = mapped_column(ForeignKey("youth.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(12))
    given_by: Mapped[str] = mapped_column(String(10))
    given_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    def in_force_on(self, day: date) -> bool:
        return (
            self.given_on <= day
            and (self.withdrawn_on is None or self.withdrawn_on > day)
            and (self.expires_on is None or self.expires_on >= day)
        )


class StatusChange(db.Model):
    """The history of a case's status."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    youth_id: Mapped[int] = mapped_column(ForeignKey("youth.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    exit_reason: Mapped[str | None] = mapped_column(String(20))
    changed_on: Mapped[date] = mapped_column(Date)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reopened: Mapped[bool] = mapped_column(Boolean, default=False)
