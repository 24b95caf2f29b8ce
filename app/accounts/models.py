"""Organizations, users and their geographic scope."""

from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.geo.models import Country, Department, Municipality
from app.security.crypto import Encrypted, EncryptedBytes, new_row_uid


def utcnow() -> datetime:
    return datetime.now(UTC)


organization_municipalities = Table(
    "organization_municipalities",
    db.metadata,
    Column("organization_id", ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
    Column("municipality_id", ForeignKey("municipalities.id"), primary_key=True, index=True),
)


class Organization(db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    country: Mapped[Country] = relationship()
    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=organization_municipalities, order_by=Municipality.name
    )

    __mapper_args__ = {"version_id_col": version}


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    row_uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_row_uid)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name_ct: Mapped[bytes] = mapped_column("full_name", EncryptedBytes())
    email_ct: Mapped[bytes | None] = mapped_column("email", EncryptedBytes())
    email_bidx: Mapped[str | None] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped on logout, password change and deactivation: every session
    # carries the version it was created with and dies when it differs.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    organization: Mapped[Organization] = relationship()
    scopes: Mapped[list["UserScope"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    full_name = Encrypted("full_name_ct")
    _email = Encrypted("email_ct")

    # ``version`` counts administrative edits only (bumped by the admin
    # service): sign-ins update this row too and must not make forms stale.

    @property
    def email(self) -> str | None:
        return self._email

    @email.setter
    def email(self, value: str | None) -> None:
        from app.security.crypto import blind_index

        value = value.strip() if value else None
        self._email = value
        self.email_bidx = blind_index(value)

    def get_id(self) -> str:
        """Session identity: id and session version, so bumping the version
        ends every session of this user in every process."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and _aware(self.locked_until) > now


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes; every stored time is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class UserScope(db.Model):
    """One unit of a user's scope: a whole country, a department or a municipality."""

    __tablename__ = "user_scopes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    country_code: Mapped[str | None] = mapped_column(ForeignKey("countries.code"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))

    user: Mapped[User] = relationship(back_populates="scopes")
    country: Mapped[Country | None] = relationship()
    department: Mapped[Department | None] = relationship()
    municipality: Mapped[Municipality | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN country_code IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN department_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN municipality_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="exactly_one_unit",
        ),
    )

    @property
    def code(self) -> str:
        if self.country_code:
            return self.country_code
        if self.department:
            return self.department.code
        return self.municipality.code
