"""Building blocks of generated data sets written in bulk (the demo
population, app/demo/population.py, and the benchmark data set,
benchmarks/generate.py): rows are planned in Python from a seeded generator
and inserted with one statement per table, not through the services.

What the services would do is done here the same way: direct identifiers are
sealed with ``app.security.crypto.seal`` and ``associated_data(table, column,
row_uid)`` as the ``Encrypted`` descriptor seals them, blind indexes are
``NameKeys.of`` / ``blind_index`` themselves, screenings are scored by the
instrument's own ``score``, and every counted row gets a record key (from a
generator seeded by its table, so that a data set is the same every time)."""

import random
import uuid
from datetime import UTC, date, datetime

from sqlalchemy import func, insert, select

from app.extensions import db
from app.record_keys import KEYED_TABLES, seeded_record_keys
from app.reports.tracking import TOUCHED
from app.screening.instrument import score
from app.security.crypto import KeySet, associated_data, blind_index, seal
from app.youth.identity import NameKeys


def at(day: date, rng: random.Random) -> datetime:
    """A working-hours moment of a day, in UTC (Central America is UTC-6)."""
    return datetime(day.year, day.month, day.day, rng.randint(14, 23), rng.randint(0, 59), rng.randint(0, 59), tzinfo=UTC)


def zipf_weights(n: int, exponent: float) -> list[float]:
    return [1 / (rank ** exponent) for rank in range(1, n + 1)]


def random_uid(rng: random.Random) -> str:
    """A row_uid (as ``new_row_uid`` makes them) drawn from `rng`."""
    return uuid.UUID(int=rng.getrandbits(128), version=4).hex


class Sealer:
    """Seals values and computes blind indexes as the app does, under `keys`
    (the app's: ``current_app.extensions["senda_keys"]``); names repeat, so
    their indexes are computed once per combination."""

    def __init__(self, keys: KeySet):
        self.keys = keys
        self._names: dict[tuple, NameKeys] = {}
        self._births: dict[str, str] = {}

    def seal(self, table: str, column: str, row_uid: str, value: str | None) -> bytes | None:
        return None if value is None else seal(value, associated_data(table, column, row_uid), self.keys)

    def name_keys(self, given: str, family_1: str, family_2: str | None) -> NameKeys:
        key = (given, family_1, family_2)
        if key not in self._names:
            self._names[key] = NameKeys.of(given, family_1, family_2)
        return self._names[key]

    def birth_key(self, iso: str) -> str:
        if iso not in self._births:
            self._births[iso] = blind_index(iso, self.keys)
        return self._births[iso]


RISK_CENTRES = {"low": 0.2, "medium": 0.45, "high": 0.65}


def screening_pool(rng: random.Random, instrument, size: int) -> dict[str, list[tuple]]:
    """Answer sets scored by the app's own ``score``, by risk ("low", "medium",
    "high"), to share between rows: (answers, scale scores, scales at threshold,
    gang involvement, justice contact, level, reason)."""
    top = instrument.max_answer
    items = [item.code for item in instrument.items()]
    pool: dict[str, list[tuple]] = {risk: [] for risk in RISK_CENTRES}
    for i in range(size):
        risk = ("low", "medium", "high")[i % 3]
        centre = RISK_CENTRES[risk]
        answers = {code: min(top, max(0, round(rng.gauss(centre * top, 0.9)))) for code in items}
        flags = {"gang_involvement": risk == "high" and rng.random() < 0.25,
                 "justice_contact": risk != "low" and rng.random() < 0.12}
        result = score(instrument, answers, flags)
        pool[risk].append((answers, result.scale_scores, len(result.scales_at_threshold), flags["gang_involvement"],
                           flags["justice_contact"], result.level, result.reason))
    return pool


def headcounts(rng: random.Random, total: int, ages: tuple[float, ...]) -> tuple[int, ...]:
    """Female, male, sex not recorded, and the five age bands of a session: both add up to total."""
    unknown = int(total * rng.random() * 0.1) if rng.random() < 0.1 else 0
    female = min(total - unknown, round(total * rng.uniform(0.35, 0.65)))
    bands = [int(total * w * rng.uniform(0.8, 1.2)) for w in ages]
    top = ages.index(max(ages))
    bands[top] += total - sum(bands)
    i = 0
    while bands[top] < 0:  # the noise overshot: take the excess from the other bands
        if i != top:
            take = min(bands[i], -bands[top])
            bands[i] -= take
            bands[top] += take
        i += 1
    return (female, total - unknown - female, unknown, *bands)


def next_ids(*tables: str) -> dict[str, int]:
    """The first free id of each table (rows are planned with their ids)."""
    return {name: (db.session.scalar(select(func.max(db.metadata.tables[name].c.id))) or 0) + 1 for name in tables}


def insert_rows(name: str, rows: list[dict]) -> int:
    """Insert planned rows (dicts by column name, all with the same keys) with
    one executemany; a counted table's rows get their record keys 1-255 here.
    (Faster than multi-row VALUES or RETURNING batches, measured on both databases.)"""
    if not rows:
        return 0
    if name in KEYED_TABLES:
        keys = seeded_record_keys(name, len(rows))
        rows = [{**row, "record_key": next(keys)} for row in rows]
    # The population loader touches every municipality it fills (app/reports/tracking.py).
    db.session.execute(insert(db.metadata.tables[name]).execution_options(**{TOUCHED: True}), rows)
    return len(rows)


def advance_sequences(*tables: str) -> None:
    """After rows inserted with their ids, PostgreSQL's id sequences must
    move past them (SQLite takes the largest id + 1 by itself)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for name in tables:
        table = db.metadata.tables[name]
        db.session.execute(select(func.setval(func.pg_get_serial_sequence(name, "id"),
                                              func.coalesce(select(func.max(table.c.id)).scalar_subquery(), 1))))
