"""Build Senda's perturbation table (ptable) for cell-key perturbation.

Run ``python -m app.reports.ptable_make [path]`` (default: the shipped
``app/data/ptables/senda-ptable-1.csv``); the output is always the same file,
and tests/test_perturbation.py checks that the shipped CSV equals it, so the
table is changed here, never by hand.

Format (Cantabular's): a CSV with the header ``cell_value,cell_key,perturbation``
and one row for every cell value 0..MAX_VALUE and every cell key 0..255. A
cell with the true count ``v`` and the cell key ``k`` is published as
``v + perturbation(min(v, MAX_VALUE), k)``: counts above MAX_VALUE use the
row of MAX_VALUE.

Design of senda-ptable-1 (docs/perturbation.md states the same):

- zero stays zero, for every cell key (an empty cell is never invented);
- no published 1 or 2: a true 1 is published as 0 (171 keys of 256), 3 (84)
  or 4 (1); a true 2 as 0 (86), 3 (168) or 4 (2). Small values go to zero or
  to the threshold, as in ONS and ABS practice;
- no perturbation beyond ±3 (MAX_PERTURBATION); no published value below 0;
- the mean perturbation over the 256 cell keys of each cell value is exactly
  zero (the integer counts below are chosen for that);
- from 6 up, every value has the same distribution: 0 for 128 keys, ±1 for
  38 each, ±2 for 18 each, ±3 for 8 each (variance 364/256 ≈ 1.42). Cell
  values 3, 4 and 5 leave out the perturbations that would publish 1 or 2 and
  rebalance the rest; ``VARIANCE`` gives every value's variance;
- deterministic: which keys get which perturbation is a shuffle seeded with
  the table's name and the cell value, so the same (value, key) always gives
  the same perturbation and rebuilding the table gives the same file.
"""

import csv
import io
import random
import sys
from fractions import Fraction
from pathlib import Path

NAME = "senda-ptable-1"
SHIPPED = Path(__file__).resolve().parent.parent / "data" / "ptables" / f"{NAME}.csv"
HEADER = ("cell_value", "cell_key", "perturbation")
MAX_VALUE = 750
KEYS = 256
MAX_PERTURBATION = 3

# How many of the 256 cell keys get each perturbation, per cell value.
COUNTS: dict[int, dict[int, int]] = {
    0: {0: 256},
    1: {-1: 171, +2: 84, +3: 1},
    2: {-2: 86, +1: 168, +2: 2},
    3: {-3: 33, 0: 158, +1: 39, +2: 18, +3: 8},
    4: {-1: 62, 0: 150, +1: 30, +2: 10, +3: 4},
    5: {-2: 30, -1: 38, 0: 124, +1: 38, +2: 18, +3: 8},
}
STEADY = {-3: 8, -2: 18, -1: 38, 0: 128, +1: 38, +2: 18, +3: 8}  # cell values 6 and above


def distribution(value: int) -> dict[int, int]:
    """Perturbation -> number of cell keys, for one cell value."""
    return COUNTS.get(value, STEADY)


def variance(value: int) -> Fraction:
    """The variance of the perturbation of one cell value over its 256 keys (its mean is 0)."""
    counts = distribution(min(value, MAX_VALUE))
    return Fraction(sum(n * p * p for p, n in counts.items()), KEYS)


VARIANCE = {value: variance(value) for value in (*COUNTS, 6)}


def perturbations(value: int) -> list[int]:
    """The perturbation of each cell key 0..255 of one cell value."""
    counts = distribution(value)
    if sum(counts.values()) != KEYS or sum(p * n for p, n in counts.items()) != 0:
        raise AssertionError(f"the distribution of cell value {value} must cover {KEYS} keys with mean 0")
    column = [p for p, n in sorted(counts.items()) for _ in range(n)]
    random.Random(f"{NAME}:{value}").shuffle(column)  # nosec B311 - a fixed, published design, not a secret
    return column


def build() -> str:
    """The whole table as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for value in range(MAX_VALUE + 1):
        for key, perturbation in enumerate(perturbations(value)):
            writer.writerow((value, key, perturbation))
    return out.getvalue()


def main(argv: list[str]) -> None:
    target = Path(argv[0]) if argv else SHIPPED
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(build(), encoding="utf-8", newline="")
    print(f"{target}: cell values 0..{MAX_VALUE} x cell keys 0..{KEYS - 1}")


if __name__ == "__main__":
    main(sys.argv[1:])
