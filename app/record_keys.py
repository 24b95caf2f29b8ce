"""Record keys for cell-key perturbation (see docs/perturbation.md).

Every counted record (youth, screening, enrollment, follow-up, policing
session, attendance link, G.R.E.A.T. class) carries a random ``record_key`` from 1 to 255,
drawn once when the row is created and never changed, shown or exported. A
published cell's key is the sum of its records' keys mod 256
(``app.reports.perturbation.cell_key``)."""

import random
import secrets
from collections.abc import Iterator

from sqlalchemy import SmallInteger
from sqlalchemy.orm import mapped_column

KEY_MIN, KEY_MAX = 1, 255
# The tables whose rows are counted in published summaries; migrations 0007 and 0008 keyed their rows.
KEYED_TABLES = ("youth", "screenings", "enrollments", "follow_ups", "policing_sessions", "session_attendance",
                "great_cohorts")


def new_record_key() -> int:
    """A random key from 1 to 255 (never 0, as in the ONS and ABS practice)."""
    return secrets.randbelow(KEY_MAX) + KEY_MIN


def seeded_record_keys(table: str, count: int) -> Iterator[int]:
    """Keys 1-255 for `count` generated rows of `table` (the demo population,
    the benchmark data set): drawn from a generator seeded by the table and
    the number of rows, so that a generated data set is the same every time."""
    keys = random.Random(f"record-keys:{table}:{count}")  # nosec B311 - generated data sets only
    return (keys.randint(KEY_MIN, KEY_MAX) for _ in range(count))


def record_key_column():
    """The ``record_key`` column: NOT NULL, set by Python on every insert
    (ORM or Core) that does not give one; nothing ever updates it."""
    return mapped_column(SmallInteger, default=new_record_key)
