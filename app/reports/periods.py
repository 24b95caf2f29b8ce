"""Reporting periods: fixed releases only, each a union of quarters —
quarters, calendar years and fiscal years. No custom day ranges: two windows
a day apart would differ by exactly one day's events.

A period whose last day has not passed yet (in the user's today) is still
running: its numbers are provisional and are labelled so."""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.dates import add_months
from app.filters import parse_fiscal_year, parse_quarter, parse_year

KINDS = ("quarter", "year", "fiscal_year")
FISCAL_START_MONTHS = (1, 4, 7, 10)  # a fiscal year must be a union of quarters


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    label: str  # in the reader's language
    kind: str  # quarter | year | fiscal_year: every kind has maintained aggregates
    key: str  # the period's name in every language ("2026-T1", "2026", "FY2026"): stored aggregates use it

    @property
    def stable_name(self) -> str:
        """The period in audit events and stored aggregates' logs: the same in every language."""
        return self.key

    @property
    def cell_key(self) -> str:
        """The period's name in the maintained aggregates: a fiscal year's also
        says the month it starts in ("FY2026-10"), so that configuring another
        start month never reads the cells of the old one."""
        return f"{self.key}-{self.start.month:02d}" if self.kind == "fiscal_year" else self.key

    @classmethod
    def quarter(cls, year: int, number: int) -> "Period":
        start = date(year, 3 * number - 2, 1)
        return cls(start, add_months(start, 3) - _DAY, quarter_label(year, number), "quarter", f"{year}-T{number}")

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31), str(year), "year", str(year))

    @classmethod
    def fiscal_year(cls, year: int, start_month: int | None = None) -> "Period":
        """Fiscal year `year`, named (as USAID does) by the calendar year it ends in:
        with an October start, FY 2026 runs from 2025-10-01 to 2026-09-30."""
        month = fiscal_start_month() if start_month is None else start_month
        start = date(year if month == 1 else year - 1, month, 1)
        return cls(start, add_months(start, 12) - _DAY, fiscal_year_label(year), "fiscal_year", f"FY{year}")

    def provisional(self, today: date) -> bool:
        """Whether the period is still running on `today` (its last day not yet over)."""
        return self.end >= today

    def title(self, today: date):
        """The label, with "(provisional)" while the period is still running."""
        # Translators: a reporting period still running, e.g. "2026-Q4 (provisional)".
        return _l("%(period)s (provisional)", period=self.label) if self.provisional(today) else self.label

    def quarters_back(self, count: int, until: date | None = None) -> list["Period"]:
        """The `count` quarters ending with the one that holds this period's end
        (or `until`, when earlier: a trend does not run into the future)."""
        last = min(self.end, until) if until else self.end
        number = (last.month - 1) // 3 + 1
        year, found = last.year, []
        for _ in range(count):
            found.append(Period.quarter(year, number))
            number -= 1
            if number == 0:
                year, number = year - 1, 4
        return list(reversed(found))


_DAY = date(2000, 1, 2) - date(2000, 1, 1)


def fiscal_start_month() -> int:
    """SENDA_FISCAL_YEAR_START_MONTH: 10 (October, USAID's) unless configured; 1 makes it the calendar year."""
    return current_app.config["FISCAL_YEAR_START_MONTH"]


def fiscal_year_of(day: date, start_month: int | None = None) -> int:
    """The fiscal year that holds `day`."""
    month = fiscal_start_month() if start_month is None else start_month
    return day.year + 1 if month != 1 and day.month >= month else day.year


def quarter_label(year: int, number: int):
    """The quarter's name in the reader's language, worked out when shown (periods are also made outside requests)."""
    # Translators: a quarter of a year, such as 2026-Q1 (Spanish: 2026-T1, trimestre).
    return _l("%(year)d-Q%(quarter)d", year=year, quarter=number)


def fiscal_year_label(year: int):
    # Translators: a fiscal year named by the calendar year it ends in, as USAID does: FY 2026 (Spanish: AF 2026).
    return _l("FY %(year)d", year=year)


def current_quarter(today: date) -> Period:
    return Period.quarter(today.year, (today.month - 1) // 3 + 1)


def offered(today: date) -> list[Period]:
    """The periods the selector offers: the last 8 quarters, the last 3
    calendar years and the last 3 fiscal years, the running ones included
    (with a January start the fiscal years are the calendar years: not offered twice)."""
    quarters = list(reversed(current_quarter(today).quarters_back(8)))
    years = [Period.year(today.year - i) for i in range(3)]
    fiscal = [] if fiscal_start_month() == 1 else [Period.fiscal_year(fiscal_year_of(today) - i) for i in range(3)]
    return [*quarters, *years, *fiscal]


def parse_period(value: str | None, today: date) -> Period:
    """The period a summary asked for, by its stable name ("2026-T1", "2026",
    "FY2026"); the current quarter when it names none (years are bounded by
    app.filters: from 2000 to ten years on)."""
    quarter, year, fiscal = parse_quarter(value), parse_year(value), parse_fiscal_year(value)
    if quarter:
        return Period.quarter(*quarter)
    if year:
        return Period.year(year)
    if fiscal:
        return Period.fiscal_year(fiscal)
    return current_quarter(today)
