"""Reporting periods: a quarter, a year, or custom dates."""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from app.dates import add_months
from app.filters import in_range, parse_quarter, parse_year


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    label: str  # in the reader's language
    kind: str = "custom"  # quarter | year | custom: quarters and years have maintained aggregates
    key: str = ""  # a quarter's or year's name in every language ("2026-T1", "2026"): stored aggregates use it

    @property
    def stable_name(self) -> str:
        """The period in audit events and stored aggregates' logs: the same in every language."""
        return self.key or f"{self.start.isoformat()}..{self.end.isoformat()}"

    @classmethod
    def quarter(cls, year: int, number: int) -> "Period":
        start = date(year, 3 * number - 2, 1)
        return cls(start, add_months(start, 3) - _DAY, quarter_label(year, number), "quarter", f"{year}-T{number}")

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31), str(year), "year", str(year))

    def quarters_back(self, count: int) -> list["Period"]:
        """The `count` quarters ending with the one that holds this period's end."""
        number = (self.end.month - 1) // 3 + 1
        year, found = self.end.year, []
        for _ in range(count):
            found.append(Period.quarter(year, number))
            number -= 1
            if number == 0:
                year, number = year - 1, 4
        return list(reversed(found))


_DAY = date(2000, 1, 2) - date(2000, 1, 1)


def quarter_label(year: int, number: int):
    """The quarter's name in the reader's language, worked out when shown (periods are also made outside requests)."""
    # Translators: a quarter of a year, such as 2026-Q1 (Spanish: 2026-T1, trimestre).
    return _l("%(year)d-Q%(quarter)d", year=year, quarter=number)


def parse_period(kind: str | None, value: str | None, start: date | None, end: date | None, today: date) -> Period:
    """The period a form asked for; the current quarter when it makes no sense
    (years and dates are bounded by app.filters: from 2000 to ten years on)."""
    year = parse_year(value) if kind == "year" else None
    quarter = parse_quarter(value) if kind == "quarter" else None
    if year:
        return Period.year(year)
    if kind == "custom" and in_range(start) and in_range(end) and start <= end:
        return Period(start, end, f"{start.isoformat()} – {end.isoformat()}")
    if quarter:
        return Period.quarter(*quarter)
    return Period.quarter(today.year, (today.month - 1) // 3 + 1)
