"""Loading the geography from a divisions CSV: validated whole, then applied
in one transaction, so a malformed file changes nothing."""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.geo.models import Country, Department, Municipality
from app.security.crypto import normalize

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "divisions.csv"
HEADER = ["country", "level", "code", "parent_code", "name", "source"]

# The seven CARSI countries (ISO 3166-1), Spanish and English names.
COUNTRIES = {
    "GT": ("Guatemala", "Guatemala"),
    "BZ": ("Belice", "Belize"),
    "SV": ("El Salvador", "El Salvador"),
    "HN": ("Honduras", "Honduras"),
    "NI": ("Nicaragua", "Nicaragua"),
    "CR": ("Costa Rica", "Costa Rica"),
    "PA": ("Panamá", "Panama"),
}


class GeoFileError(ValueError):
    """A problem with the file, naming the line and the reason."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line, self.reason = line, reason


@dataclass
class LoadReport:
    departments_added: int = 0
    departments_updated: int = 0
    municipalities_added: int = 0
    municipalities_updated: int = 0
    unchanged: int = 0
    not_in_file: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    line: int
    country: str
    level: int
    code: str
    parent_code: str
    name: str
    source: str


def parse(text: str) -> list[Row]:
    """Validate every line; raise GeoFileError on the first bad one."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or [h.strip() for h in header] != HEADER:
        raise GeoFileError(1, "the header must be " + ",".join(HEADER))
    rows: list[Row] = []
    codes: dict[str, int] = {}
    for line, values in enumerate(reader, start=2):
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) != len(HEADER):
            raise GeoFileError(line, f"expected {len(HEADER)} columns, found {len(values)}")
        country, level, code, parent, name, source = (v.strip() for v in values)
        if country not in COUNTRIES:
            raise GeoFileError(line, f"unknown country code {country!r}")
        if level not in ("1", "2"):
            raise GeoFileError(line, f"level must be 1 or 2, not {level!r}")
        if not code or len(code) > 16:
            raise GeoFileError(line, "the code is empty or longer than 16 characters")
        if not name or len(name) > 120:
            raise GeoFileError(line, "the name is empty or longer than 120 characters")
        if code in codes:
            raise GeoFileError(line, f"code {code} already appears on line {codes[code]}")
        if level == "1" and parent != country:
            raise GeoFileError(line, f"a level-1 unit's parent must be its country {country}")
        codes[code] = line
        rows.append(Row(line, country, int(level), code, parent, name, source[:300]))
    if not rows:
        raise GeoFileError(2, "the file has no rows")
    return rows


def load(text: str) -> LoadReport:
    """Upsert departments and municipalities by code. Units missing from the
    file are kept (cases may refer to them) and listed in the report."""
    rows = parse(text)
    report = LoadReport()
    for code, (name_es, name_en) in COUNTRIES.items():
        if db.session.get(Country, code) is None:
            db.session.add(Country(code=code, name_es=name_es, name_en=name_en))
    departments = {d.code: d for d in db.session.scalars(select(Department))}
    municipalities = {m.code: m for m in db.session.scalars(select(Municipality))}
    parents = {code: d.country_code for code, d in departments.items()}
    parents.update({r.code: r.country for r in rows if r.level == 1})
    for row in (r for r in rows if r.level == 2):
        if parents.get(row.parent_code) != row.country:
            raise GeoFileError(row.line, f"parent {row.parent_code} is not a department of {row.country}")
    for row in (r for r in rows if r.level == 1):
        dept = departments.get(row.code)
        if dept is None:
            dept = Department(code=row.code, country_code=row.country, name=row.name, source=row.source)
            db.session.add(dept)
            departments[row.code] = dept
            report.departments_added += 1
        elif (dept.name, dept.country_code, dept.source) != (row.name, row.country, row.source):
            dept.name, dept.country_code, dept.source = row.name, row.country, row.source
            report.departments_updated += 1
        else:
            report.unchanged += 1
    db.session.flush()
    for row in (r for r in rows if r.level == 2):
        dept = departments[row.parent_code]
        muni = municipalities.get(row.code)
        values = (row.name, dept.id, row.source)
        if muni is None:
            db.session.add(Municipality(code=row.code, department_id=dept.id, name=row.name,
                                        name_key=normalize(row.name), source=row.source))
            report.municipalities_added += 1
        elif (muni.name, muni.department_id, muni.source) != values:
            muni.name, muni.department_id, muni.source = values
            muni.name_key = normalize(row.name)
            report.municipalities_updated += 1
        else:
            report.unchanged += 1
    in_file = {r.code for r in rows}
    report.not_in_file = sorted((set(departments) | set(municipalities)) - in_file)
    db.session.flush()
    return report


def find_municipality(term: str) -> Municipality | None:
    """By code, or by name (accent- and case-insensitive) when unambiguous."""
    term = term.strip()
    found = db.session.scalar(select(Municipality).where(Municipality.code == term))
    if found:
        return found
    matches = db.session.scalars(
        select(Municipality).where(Municipality.name_key == normalize(term)).limit(2)
    ).all()
    return matches[0] if len(matches) == 1 else None
