"""Cell-key perturbation of published counts (docs/perturbation.md).

A cell's key is the sum of its records' ``record_key`` mod 256
(``cell_key``); the published value is the count plus the perturbation that
the perturbation table (ptable) gives for (count, cell key) (``perturb``).
The ptable is a CSV in Cantabular's format, ``cell_value,cell_key,perturbation``,
with a row for every cell value 0..N and every cell key 0..255; counts above
N use the row of N. The file is the configuration setting PTABLE_FILE
(environment: SENDA_PTABLE; default the shipped
app/data/ptables/senda-ptable-1.csv, built by app/reports/ptable_make.py). It
is read and checked once per process and path.
"""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import current_app

HEADER = ["cell_value", "cell_key", "perturbation"]
KEYS = 256
# A sanity limit for any ptable a deployment ships (Senda's own stays within ±3).
MAX_PERTURBATION = 10


class PTableError(ValueError):
    """A perturbation table that cannot be used, with the reason and where."""


@dataclass(frozen=True)
class PTable:
    """A checked perturbation table: ``rows[value][key]`` is the perturbation."""

    path: str
    rows: tuple[tuple[int, ...], ...]

    @property
    def max_value(self) -> int:
        return len(self.rows) - 1

    @property
    def max_perturbation(self) -> int:
        """The largest change the table makes to any count (stated on the pages and in exports)."""
        return max(abs(p) for row in self.rows for p in row)

    def perturbation(self, count: int, cell_key: int) -> int:
        if count < 0:
            raise ValueError(f"a count cannot be negative: {count}")
        if not 0 <= cell_key < KEYS:
            raise ValueError(f"a cell key is from 0 to {KEYS - 1}: {cell_key}")
        return self.rows[min(count, self.max_value)][cell_key]

    def perturb(self, count: int, cell_key: int) -> int:
        """The published value of a cell: count + perturbation, never negative."""
        return max(0, count + self.perturbation(count, cell_key))


def _integer(text: str, line: int, column: str, path: Path) -> int:
    try:
        return int(text.strip())
    except (AttributeError, ValueError):
        raise PTableError(f"{path}, line {line}: {column} must be a whole number, not {text!r}") from None


def _read(path: Path) -> PTable:
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise PTableError(f"cannot read the perturbation table {path}: {exc}") from exc
    found: dict[tuple[int, int], int] = {}
    with handle:
        reader = csv.reader(handle)
        header = [name.strip().lstrip("\ufeff") for name in next(reader, [])]
        if header != HEADER:
            raise PTableError(f"{path}: the header must be {','.join(HEADER)}, not {','.join(header) or 'empty'}")
        for line, values in enumerate(reader, start=2):
            if not values:
                continue
            if len(values) != 3:
                raise PTableError(f"{path}, line {line}: a row has 3 values, not {len(values)}")
            try:
                value, key, perturbation = int(values[0]), int(values[1]), int(values[2])
            except ValueError:
                value, key, perturbation = (_integer(v, line, c, path) for v, c in zip(values, HEADER, strict=True))
            if value < 0:
                raise PTableError(f"{path}, line {line}: cell_value cannot be negative ({value})")
            if not 0 <= key < KEYS:
                raise PTableError(f"{path}, line {line}: cell_key must be from 0 to {KEYS - 1} ({key})")
            if abs(perturbation) > MAX_PERTURBATION:
                raise PTableError(f"{path}, line {line}: perturbation {perturbation} is beyond ±{MAX_PERTURBATION}")
            if value + perturbation < 0:
                raise PTableError(f"{path}, line {line}: cell value {value} would be published as "
                                  f"{value + perturbation}, below zero")
            if value == 0 and perturbation:
                raise PTableError(f"{path}, line {line}: a zero must stay zero (perturbation {perturbation})")
            if (value, key) in found:
                raise PTableError(f"{path}, line {line}: a second row for cell value {value}, cell key {key}")
            found[value, key] = perturbation
    if not found:
        raise PTableError(f"{path}: the perturbation table has no rows")
    top = max(value for value, _ in found)
    missing = [(v, k) for v in range(top + 1) for k in range(KEYS) if (v, k) not in found]
    if missing:
        shown = ", ".join(f"{v}/{k}" for v, k in missing[:5])
        raise PTableError(f"{path}: {len(missing)} rows missing (cell value/cell key: {shown}"
                          f"{', …' if len(missing) > 5 else ''}); every value 0..{top} needs keys 0..{KEYS - 1}")
    return PTable(str(path), tuple(tuple(found[v, k] for k in range(KEYS)) for v in range(top + 1)))


@lru_cache(maxsize=4)
def _cached(path: str) -> PTable:
    return _read(Path(path))


@lru_cache(maxsize=16)
def _resolved(path: str) -> str:
    return str(Path(path).resolve())


def load_ptable(path: str | Path) -> PTable:
    """The checked table of ``path``, read once per process; PTableError says
    what is wrong with a table that cannot be used (header, ranges, a missing
    or repeated row, a zero perturbed, a value published below zero)."""
    return _cached(_resolved(str(path)))  # a page publishes thousands of cells: no file-system call per cell


def current_ptable() -> PTable:
    """The table configured for this app (PTABLE_FILE)."""
    return load_ptable(current_app.config["PTABLE_FILE"])


def cell_key(keys: Iterable[int]) -> int:
    """A cell's key: the sum of its records' keys mod 256."""
    return sum(keys) % KEYS


def perturb(count: int, cell_key: int) -> int:
    """The published value of a cell of ``count`` records whose keys sum to
    ``cell_key`` (mod 256), by the app's ptable; never negative."""
    return current_ptable().perturb(count, cell_key)
