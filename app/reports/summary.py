"""Turning indicator values into published tables (docs/perturbation.md).

Every count and every sum is published perturbed: its value plus what the
perturbation table gives for (value, cell key). Totals and subtotals are
perturbed as cells in their own right, from their own records, so a table
need not add up and no published cell is the difference of others. After
perturbation, values from 1 to k−1 are shown as "<k" (the ptable never
publishes 1 or 2). Rates and means are computed from the perturbed counts and
sums, and shown only when their perturbed denominator is at least k."""

from dataclasses import dataclass

from flask_babel import format_decimal, format_percent

from app.reports.definitions import SECTIONS, Indicator
from app.reports.indicators import KEY, Series
from app.reports.perturbation import KEYS, perturb

TOTAL = "__total__"


@dataclass(frozen=True)
class Cell:
    value: float | None  # the published value; None when hidden
    text: str
    hidden: bool = False


@dataclass
class SectionTable:
    key: str
    title: object
    indicators: list[Indicator]
    rows: list[tuple[str, str, list[Cell]]]  # unit code, unit name, cells
    total: list[Cell]


def published(count: float, cell_key: float) -> int:
    """The published value of a cell: its count perturbed by its key (never negative)."""
    return perturb(int(count), int(cell_key) % KEYS)


def count_cell(count: float, cell_key: float, k: int, texts: dict[int, str] | None = None) -> Cell:
    """A published count; `texts` memoizes the formatted numbers of one page (most repeat)."""
    value = published(count, cell_key)
    if 0 < value < k:
        return Cell(None, f"<{k}", True)
    if texts is None:
        return Cell(value, format_decimal(value))
    if value not in texts:
        texts[value] = format_decimal(value)
    return Cell(value, texts[value])


def ratio_cell(indicator: Indicator, numerator: tuple[float, float], denominator: tuple[float, float], k: int) -> Cell:
    """A rate or mean of perturbed values: "—" when the published denominator is 0, "<k" below k."""
    top, bottom = published(*numerator), published(*denominator)
    if not bottom:
        return Cell(None, "—")
    if bottom < k:
        return Cell(None, f"<{k}", True)
    ratio = top / bottom
    if indicator.kind == "rate":
        ratio = min(ratio, 1.0)  # a perturbed part may exceed its perturbed whole
        return Cell(ratio, format_percent(ratio))
    ratio = round(ratio, 1)
    return Cell(ratio, format_decimal(ratio))


def build(values: dict, units: dict[str, str], k: int) -> list[SectionTable]:
    """One table per section: a row per unit plus a totals row."""
    texts: dict[int, str] = {}
    return [section_table(values, units, k, *section, texts=texts) for section in SECTIONS]


def section_table(values: dict, units: dict[str, str], k: int, key: str, title, indicators: list[Indicator],
                  groups: list, texts: dict[int, str] | None = None) -> SectionTable:
    """`groups` (a section's parts and their total) are not used: every total is its own cell."""
    names = {n for i in indicators for n in (i.key, i.numerator, i.denominator) if n}
    raw: dict[tuple[str, str], tuple[float, float]] = {}
    for name in names:
        count_total = key_total = 0.0
        for unit in units:
            unit_values = values.get(unit, {})
            raw[(unit, name)] = (unit_values.get(name, 0), unit_values.get(name + KEY, 0))
            count_total += raw[(unit, name)][0]
            key_total += raw[(unit, name)][1]
        raw[(TOTAL, name)] = (count_total, key_total)

    def cell(unit: str, indicator: Indicator) -> Cell:
        if indicator.kind == "count":
            return count_cell(*raw[(unit, indicator.key)], k, texts)
        return ratio_cell(indicator, raw[(unit, indicator.numerator)], raw[(unit, indicator.denominator)], k)

    rows = [(u, name, [cell(u, i) for i in indicators]) for u, name in units.items()]
    return SectionTable(key, title, indicators, rows, [cell(TOTAL, i) for i in indicators])


def exit_reason_cells(reasons: dict[str, tuple[int, int]], k: int) -> dict[str, Cell]:
    """Dropouts per exit reason, each a perturbed cell; reasons published as 0 are left out."""
    cells = {reason: count_cell(n, cell_key, k) for reason, (n, cell_key) in sorted(reasons.items())}
    return {reason: c for reason, c in cells.items() if c.value != 0}


def trend_cells(series: Series, k: int) -> dict[str, list[Cell]]:
    """The quarterly trend, each quarter a perturbed cell."""
    return {name: [count_cell(n, cell_key, k) for n, cell_key in points] for name, points in series.items()}
