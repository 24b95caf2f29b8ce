"""Geography: country -> department/province -> municipality."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class Country(db.Model):
    __tablename__ = "countries"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)  # ISO 3166-1 alpha-2
    name_es: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_es


class Department(db.Model):
    """First-level division (department, province, district, region, comarca)."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # ISO 3166-2
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(300), default="")

    country: Mapped[Country] = relationship()


class Municipality(db.Model):
    """Second-level division (municipio, cantón, distrito)."""

    __tablename__ = "municipalities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120), index=True)  # normalized, for look-up
    source: Mapped[str] = mapped_column(String(300), default="")

    department: Mapped[Department] = relationship()

    @property
    def label(self) -> str:
        return f"{self.name} ({self.department.name})"
