"""Turning indicator values into published tables: totals, suppression,
rates and means, formatted in the user's language."""

from dataclasses import dataclass

from flask_babel import format_decimal, format_percent

from app.reports.definitions import SECTIONS, Indicator
from app.reports.suppression import PRIMARY, Table, suppress

TOTAL = "__total__"


@dataclass(frozen=True)
class Cell:
    value: float | None  # None when hidden
    text: str
    hidden: str | None = None  # primary | complementary


@dataclass
class SectionTable:
    key: str
    title: object
    indicators: list[Indicator]
    rows: list[tuple[str, str, list[Cell]]]  # unit code, unit name, cells
    total: list[Cell]
    table: Table  # the counts and what was hidden (for tests)


def hidden_text(kind: str, k: int) -> str:
    return f"<{k}" if kind == PRIMARY else "*"


def build(values: dict, units: dict[str, str], k: int) -> list[SectionTable]:
    """One table per section: a row per unit plus a totals row."""
    return [section_table(values, units, k, *section) for section in SECTIONS]


def section_table(values: dict, units: dict[str, str], k: int, key: str, title, indicators: list[Indicator],
                  groups: list) -> SectionTable:
    counts = [i for i in indicators if i.kind == "count"]
    raw = {}
    for unit in units:
        for indicator in indicators:
            for name in (indicator.key, indicator.numerator, indicator.denominator):
                if name:
                    raw[(unit, name)] = values.get(unit, {}).get(name, 0)
    for name in {n for (_, n) in raw}:
        raw[(TOTAL, name)] = sum(raw[(u, name)] for u in units)
    cells = {(u, i.key): int(raw.get((u, i.key), 0)) for u in (*units, TOTAL) for i in counts}
    lines = [([(u, i.key) for u in units], (TOTAL, i.key)) for i in counts]
    for total_key, parts in groups:
        lines += [([(u, p) for p in parts], (u, total_key)) for u in (*units, TOTAL)]
    table = suppress(Table(cells=cells, lines=lines), k)

    def cell(unit: str, indicator: Indicator) -> Cell:
        if indicator.kind == "count":
            hidden = table.hidden.get((unit, indicator.key))
            value = cells[(unit, indicator.key)]
            return Cell(None, hidden_text(hidden, k), hidden) if hidden else Cell(value, format_decimal(value))
        numerator = raw.get((unit, indicator.numerator), 0)
        denominator = raw.get((unit, indicator.denominator), 0)
        sources = [(unit, indicator.numerator), (unit, indicator.denominator)]
        if any(s in table.hidden for s in sources) or 0 < denominator < k:
            return Cell(None, hidden_text(PRIMARY, k), PRIMARY)
        if not denominator:
            return Cell(None, "—")
        ratio = numerator / denominator
        text = format_percent(ratio) if indicator.kind == "rate" else format_decimal(round(ratio, 1))
        return Cell(ratio, text)

    rows = [(u, name, [cell(u, i) for i in indicators]) for u, name in units.items()]
    return SectionTable(key, title, indicators, rows, [cell(TOTAL, i) for i in indicators], table)

