"""Bulk import of community-policing sessions from CSV or XLSX.

Two streamed passes over the file: the first validates every row and
collects the errors; only when there are none does the second insert the
rows, in batches, in the caller's transaction (the importer never commits).
Every row gets an ``import_key`` (a hash of what identifies the session), and
rows whose key exists already are skipped: importing a file twice, or a row
twice in one file, adds nothing. The bulk inserts bypass the ORM, so each row
is given its random ``record_key`` here (app/record_keys.py).

Column rules (headers in Spanish or English, accents, case, '_' and '-'
ignored; see ``import_format.COLUMNS``): date, municipality, venue and kind
are required columns; every other column may be left out (an absent or empty
count is 0, an absent time is 00:00). A column the importer does not know is
an error of the whole file, so a misspelt header never loses data silently.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

from flask import current_app
from flask_babel import gettext
from sqlalchemy import bindparam, cast, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY

from app.dates import local_today
from app.extensions import db
from app.formtools import FIRST_DATE
from app.geo.models import Municipality
from app.policing import import_format as fmt
from app.policing.codes import AGE_COUNTS, CURRICULA, KINDS, LESSONS, SEX_COUNTS, VENUES
from app.policing.import_format import (
    ImportFileError,
    ReadCount,
    ReadLimits,
    cell_text,
    estimate_rows,
    template_csv,
    template_xlsx,
)
from app.policing.models import PolicingSession
from app.record_keys import new_record_key
from app.reports.tracking import touch
from app.security.crypto import associated_data, keyset, new_row_uid, normalize, seal

__all__ = ["ImportFileError", "ImportResult", "ReadCount", "RowError", "error_text", "estimate_rows",
           "import_sessions", "read_limits", "template_csv", "template_xlsx"]

COUNTS = SEX_COUNTS + AGE_COUNTS
MAX_COUNT = 100_000
MAX_ERRORS = 500
CACHE_SIZE = 10_000
BATCH = 1000
MAX_LENGTH = {"community": 120, "school": 160, "topic": 200, "notes": 2000}
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_ROWS = 500_000
_SPACES = re.compile(r"\s+")


@dataclass
class RowError:
    line: int  # row number as a spreadsheet shows it, the header being 1
    column: str  # header as written in the file
    code: str
    params: dict = field(default_factory=dict)


@dataclass
class ImportResult:
    rows: int
    inserted: int
    duplicates: int
    errors: list[RowError]
    error_count: int


def error_text(err: RowError | ImportFileError) -> str:
    """The message in the current language."""
    if isinstance(err, ImportFileError):
        return err.text()
    problem = gettext(fmt.ROW_MESSAGES[err.code], **err.params)
    return gettext("Line %(line)d, column %(column)s: %(problem)s", line=err.line, column=err.column, problem=problem)


def _quoted(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "…"


class _Checker:
    """Validates rows against the header of one file. Values that repeat
    (dates, municipalities, labels) are looked up once, in bounded caches."""

    def __init__(self, allowed: set[int] | None, country_code: str | None = None):
        self.allowed = allowed
        self.tables = {"kind": fmt.label_lookup(KINDS, fmt.KIND_WORDS),
                       "venue": fmt.label_lookup(VENUES, fmt.VENUE_WORDS),
                       "curriculum": fmt.label_lookup(CURRICULA, fmt.CURRICULUM_WORDS)}
        self.codes: dict[str, int] = {}
        self.names: dict[str, list[int]] = {}
        self.label: dict[int, str] = {}
        for mid, code, name, key in db.session.execute(
            select(Municipality.id, Municipality.code, Municipality.name, Municipality.name_key)
        ):
            self.codes[code.upper()] = mid
            self.names.setdefault(key, []).append(mid)
            self.label[mid] = f"{name} ({code})"
        self.today = local_today(country_code)
        self.caches: dict[str, dict] = {name: {} for name in ("date", "time", "municipality", "kind", "venue",
                                                              "curriculum", "text")}

    def _cached(self, name: str, key: object, compute: Callable) -> object:
        cache = self.caches[name]
        try:
            return cache[key]
        except KeyError:
            value = cache[key] = compute(key)
            if len(cache) > CACHE_SIZE:
                cache.clear()
            return value

    def _municipalities(self, text: str) -> tuple[int, ...]:
        found = self.codes.get(text.upper())
        return (found,) if found else tuple(self.names.get(normalize(text), ()))

    def code(self, name: str, text: str) -> str | None:
        return self._cached(name, text, lambda t: self.tables[name].get(fmt.header_key(t)))

    def norm(self, text: str | None) -> str:
        if not text:
            return ""
        return self._cached("text", text, lambda t: _SPACES.sub(" ", t.lower()).strip() if t.isascii() else normalize(t))

    def read_header(self, values: list) -> None:
        self.columns: dict[str, int] = {}
        self.headers: dict[str, str] = {}
        self.width = len(values)
        self.unnamed = []
        unknown = []
        for index, value in enumerate(values):
            text = cell_text(value)
            if not text:
                self.unnamed.append(index)
                continue
            canonical = fmt.HEADER_KEYS.get(fmt.header_key(text))
            if canonical is None:
                unknown.append(text)
            elif canonical in self.columns:
                raise ImportFileError("duplicate_column", column=text)
            else:
                self.columns[canonical], self.headers[canonical] = index, text
        if unknown:
            raise ImportFileError("unknown_columns", columns=", ".join(unknown))
        missing = [c for c in fmt.REQUIRED_COLUMNS if c not in self.columns]
        if missing:
            names = (f"{fmt.COLUMNS[c][0]}/{fmt.COLUMNS[c][1]}" for c in missing)
            raise ImportFileError("missing_columns", columns=", ".join(names))
        self.counts = [(c, self.columns[c]) for c in COUNTS if c in self.columns]
        self.totals_column = (f"{self.headers[self.counts[0][0]]}…{self.headers[self.counts[-1][0]]}" if self.counts
                              else "female…age_25_plus")

    def check(self, line: int, values: list) -> tuple[dict, list[RowError]]:
        """The row as column values, and its errors."""
        errors: list[RowError] = []
        columns, n = self.columns, len(values)

        def cell(name: str) -> object:
            index = columns.get(name)
            return values[index] if index is not None and index < n else None

        def fail(name: str, code: str, **params: object) -> None:
            errors.append(RowError(line, self.headers.get(name, name), code, params))

        if n > self.width or self.unnamed:
            for index in self.unnamed + list(range(self.width, n)):
                if index < n and cell_text(values[index]):
                    errors.append(RowError(line, fmt.column_letter(index), "no_header", {}))
        row: dict = dict.fromkeys(COUNTS, 0)

        raw = cell("date")
        held_on = self._cached("date", raw, fmt.parse_date)
        if held_on is None:
            text = cell_text(raw)
            if text:
                fail("date", "bad_date", value=_quoted(text))
            else:
                fail("date", "required")
        elif not FIRST_DATE <= held_on <= self.today:
            fail("date", "date_range", first=FIRST_DATE.isoformat())
        raw = cell("time")
        if cell_text(raw):
            held_time = self._cached("time", raw, fmt.parse_time)
            if held_time is None:
                fail("time", "bad_time", value=_quoted(cell_text(raw)))
        else:
            date_cell = cell("date")
            held_time = date_cell.time() if isinstance(date_cell, datetime) else time(0, 0)
        if held_on and held_time:
            row["held_on"], row["held_at"] = held_on, datetime.combine(held_on, held_time)

        text = cell_text(cell("municipality"))
        ids = self._cached("municipality", text, self._municipalities)
        if not text:
            fail("municipality", "required")
        elif not ids:
            fail("municipality", "unknown_municipality", value=_quoted(text))
        elif len(ids) > 1:
            fail("municipality", "ambiguous_municipality", value=_quoted(text))
        elif self.allowed is not None and ids[0] not in self.allowed:
            fail("municipality", "outside_scope", value=self.label[ids[0]])
        else:
            row["municipality_id"] = ids[0]

        for name in ("venue", "kind"):
            text = cell_text(cell(name))
            row[name] = self.code(name, text)
            if not text:
                fail(name, "required")
            elif row[name] is None:
                fail(name, f"unknown_{name}", value=_quoted(text))

        for name, column in (("community", "community"), ("school", "school_name"), ("topic", "topic"), ("notes", "notes")):
            text = cell_text(cell(name))
            if len(text) > MAX_LENGTH[name]:
                fail(name, "too_long", max=MAX_LENGTH[name])
            row[column] = text or None
        if row["venue"] == "school" and not row["school_name"]:
            fail("school", "school_required")

        row["curriculum"] = row["lesson_number"] = None
        curriculum, lesson = cell_text(cell("curriculum")), cell("lesson")
        if row["kind"] == "great_lesson":
            row["curriculum"] = self.code("curriculum", curriculum)
            if not curriculum:
                fail("curriculum", "great_required")
            elif row["curriculum"] is None:
                fail("curriculum", "unknown_curriculum", value=_quoted(curriculum))
            top = LESSONS.get(row["curriculum"], max(LESSONS.values()))
            row["lesson_number"] = number = fmt.parse_whole(lesson)
            if not cell_text(lesson):
                fail("lesson", "great_required")
            elif number is None or not 1 <= number <= top:
                fail("lesson", "lesson_range", max=top)
        elif row["kind"] is not None:
            for name, text in (("curriculum", curriculum), ("lesson", cell_text(lesson))):
                if text:
                    fail(name, "great_only")

        counted = True
        for name, index in self.counts:
            raw = values[index] if index < n else None
            if type(raw) is str:
                raw = raw.strip()
                number = int(raw) if raw.isdigit() and raw.isascii() else None if raw else 0
            else:
                number = 0 if raw is None else fmt.parse_whole(raw)
            if number is None or number > MAX_COUNT:
                fail(name, "bad_count", value=_quoted(cell_text(raw)), max=MAX_COUNT)
                counted = False
            row[name] = number
        if counted:
            by_sex, by_age = sum(row[c] for c in SEX_COUNTS), sum(row[c] for c in AGE_COUNTS)
            if by_sex != by_age:
                errors.append(RowError(line, self.totals_column, "totals_differ", {"by_sex": by_sex, "by_age": by_age}))
        return row, errors

    def import_key(self, row: dict, police_unit_id: int) -> str:
        """What identifies an imported session (notes excluded)."""
        parts = [
            "v1", row["held_at"].isoformat(), str(row["municipality_id"]), row["kind"], row["curriculum"] or "",
            str(row["lesson_number"] or ""), row["venue"], self.norm(row["school_name"]), self.norm(row["community"]),
            str(police_unit_id), self.norm(row["topic"]), *(str(row[c]) for c in COUNTS),
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class _Inserter:
    """INSERT ... ON CONFLICT (import_key) DO NOTHING of a batch; returns how
    many rows were new. On PostgreSQL a batch is sent as one array per column
    (INSERT ... SELECT FROM unnest(...)): one short statement per batch rather
    than a statement with 30,000 parameters that the driver must parse."""

    def __init__(self) -> None:
        table = PolicingSession.__table__
        columns = [c for c in table.c if c.name != "id"]
        self.names = [c.name for c in columns]
        dialect = db.engine.dialect.name
        if dialect == "postgresql":
            arrays = [cast(bindparam(c.name), ARRAY(c.type)) for c in columns]
            source = func.unnest(*arrays).table_valued(*self.names).render_derived()
            statement = postgresql.insert(table).from_select(self.names, select(*source.c))
        elif dialect == "sqlite":
            statement = sqlite.insert(table)
        else:
            raise RuntimeError(f"the session importer does not support {dialect}")
        self.columnar = dialect == "postgresql"
        # RETURNING counts the new rows: psycopg has no rowcount for executemany.
        self.statement = statement.on_conflict_do_nothing(index_elements=["import_key"]).returning(table.c.id)

    def __call__(self, batch: list[dict]) -> int:
        params = {name: [row[name] for row in batch] for name in self.names} if self.columnar else batch
        earliest: dict[int, date] = {}
        for row in batch:  # bulk inserts bypass the ORM's hooks: say which summaries change
            earliest[row["municipality_id"]] = min(earliest.get(row["municipality_id"], row["held_on"]), row["held_on"])
        for municipality_id, day in earliest.items():
            touch(db.session(), [municipality_id], day)
        return len(db.session.execute(self.statement.execution_options(summaries_touched=True), params).all())


def read_limits() -> ReadLimits:
    """How much of a file the importer reads at most (rows and cells, empty
    ones included; an XLSX file's uncompressed size), from the configuration:
    SESSIONS_IMPORT_MAX_ROWS, SESSIONS_IMPORT_MAX_CELLS (by default
    ``CELLS_PER_ROW`` per row) and SESSIONS_IMPORT_MAX_UNPACKED_BYTES."""
    config = current_app.config
    max_rows = config.get("SESSIONS_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)
    return ReadLimits(rows=max_rows,
                      cells=config.get("SESSIONS_IMPORT_MAX_CELLS", (max_rows + 1) * fmt.CELLS_PER_ROW),
                      unpacked_bytes=config.get("SESSIONS_IMPORT_MAX_UNPACKED_BYTES", fmt.DEFAULT_MAX_UNPACKED_BYTES))


def import_sessions(
    path: str | Path,
    *,
    police_unit_id: int,
    user_id: int | None,
    allowed_municipality_ids: set[int] | None,
    progress: Callable[[int], None] | None = None,
    max_bytes: int | None = None,
    country_code: str | None = None,
    read_count: ReadCount | None = None,
) -> ImportResult:
    """Validate the whole file, then insert every row, or nothing when a row
    fails. ``progress`` is called with the number of rows just read, in both
    passes (a valid file reports twice its number of rows). No row may be
    dated after today in ``country_code``, or where the signed-in user is. A
    file with more rows or cells than ``read_limits()``, empty ones included,
    is refused when the reader reaches the limit; ``read_count``, when given,
    tells how far it went."""
    path = Path(path)
    config = current_app.config
    max_bytes = max_bytes or config.get("SESSIONS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)
    limits = read_limits()
    max_rows = limits.rows
    if path.stat().st_size > max_bytes:
        raise ImportFileError("too_large", max=max_bytes // (1024 * 1024))
    checker = _Checker(allowed_municipality_ids, country_code)
    rows = error_count = 0
    errors: list[RowError] = []
    with fmt.open_rows(path, limits, read_count) as lines:
        for line, values in fmt.data_rows(lines, checker.read_header):
            rows += 1
            if rows > max_rows:
                raise ImportFileError("too_many_rows", max=max_rows)
            row_errors = checker.check(line, values)[1]
            if row_errors:
                error_count += len(row_errors)
                errors.extend(row_errors[: MAX_ERRORS - len(errors)])
            if progress and rows % BATCH == 0:
                progress(BATCH)
    if progress and rows % BATCH:
        progress(rows % BATCH)
    if not rows:
        raise ImportFileError("no_rows")
    if error_count:
        return ImportResult(rows, 0, 0, errors, error_count)

    insert, keys, now = _Inserter(), keyset(), datetime.now(UTC)
    fixed = {"cohort_id": None, "police_unit_id": police_unit_id, "partner_organization_id": None, "status": "held",
             "cancel_reason": None, "created_by_id": user_id, "created_at": now, "version": 1}
    inserted = seen = 0
    batch: list[dict] = []
    with fmt.open_rows(path, limits, read_count) as lines:
        for line, values in fmt.data_rows(lines, checker.read_header):
            row, row_errors = checker.check(line, values)
            seen += 1
            if row_errors or seen > rows:
                raise ImportFileError("changed")
            uid, notes = new_row_uid(), row.pop("notes")
            row.update(fixed, row_uid=uid, import_key=checker.import_key(row, police_unit_id), record_key=new_record_key(),
                       notes=seal(notes, associated_data("policing_sessions", "notes", uid), keys) if notes else None)
            batch.append(row)
            if len(batch) == BATCH:
                inserted += insert(batch)
                batch = []
                if progress:
                    progress(BATCH)
    if batch:
        inserted += insert(batch)
        if progress:
            progress(len(batch))
    if seen != rows:
        raise ImportFileError("changed")
    return ImportResult(rows, inserted, rows - inserted, [], 0)
