"""File format of the session importer: columns and their accepted headers,
streamed reading of CSV and XLSX files, and parsing of single cells.

Nothing here touches the database; ``app.policing.importer`` validates and
inserts."""

import codecs
import csv
import io
import itertools
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from xml.parsers import expat

from flask_babel import force_locale, format_decimal, gettext

from app.security.crypto import normalize


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated when shown."""
    return message


# canonical name -> (Spanish template header, English template header, other accepted headers)
COLUMNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "date": ("fecha", "date", ()),
    "time": ("hora", "time", ()),
    "municipality": ("municipio", "municipality", ()),
    "community": ("comunidad", "community", ()),
    "venue": ("lugar", "venue", ()),
    "school": ("escuela", "school", ("school name", "nombre de la escuela")),
    "kind": ("tipo", "kind", ("type", "session type", "tipo de sesion")),
    "curriculum": ("currículo", "curriculum", ("curriculum great", "curriculo great")),
    "lesson": ("lección", "lesson", ("lesson number", "numero de leccion")),
    "topic": ("tema", "topic", ()),
    "female": ("mujeres", "female", ("women",)),
    "male": ("hombres", "male", ("men",)),
    "sex_not_recorded": ("sexo_no_registrado", "sex_not_recorded", ()),
    "under_12": ("menores_de_12", "under_12", ()),
    "age_12_14": ("de_12_a_14", "age_12_14", ()),
    "age_15_17": ("de_15_a_17", "age_15_17", ()),
    "age_18_24": ("de_18_a_24", "age_18_24", ()),
    "age_25_plus": ("de_25_o_más", "age_25_plus", ("25 o mas", "25 plus")),
    "notes": ("notas", "notes", ()),
}
REQUIRED_COLUMNS = ("date", "municipality", "venue", "kind")

FILE_MESSAGES = {
    "unsupported_type": N_("unsupported file type: upload a CSV (UTF-8) or XLSX file"),
    "not_utf8": N_("the file is not UTF-8 text: save it as “CSV UTF-8”"),
    "too_large": N_("the file is larger than %(max)d MB"),
    "too_many_rows": N_("the file has more than %(max)s rows"),
    "too_many_cells": N_("the file has more than %(max)s cells, empty ones included"),
    "unpacked_too_large": N_("the spreadsheet is larger than %(max)d MB once uncompressed"),
    "bad_csv": N_("the CSV file cannot be read: %(reason)s"),
    "empty": N_("the file is empty"),
    "no_rows": N_("the file has no session rows"),
    "unknown_columns": N_("unknown columns: %(columns)s"),
    "missing_columns": N_("missing required columns: %(columns)s"),
    "duplicate_column": N_("the column %(column)s appears more than once"),
    "changed": N_("the file changed while it was being imported; nothing was imported"),
}


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (type, size, header)."""

    def __init__(self, code: str, **params: object):
        self.code, self.params = code, params
        super().__init__(FILE_MESSAGES[code] % params if params else FILE_MESSAGES[code])

    def text(self) -> str:
        """The message in the current language."""
        message = FILE_MESSAGES[self.code]
        # Numbers shown as %(name)s are formatted for the user's locale (500,000).
        params = {k: format_decimal(v) if isinstance(v, int) and f"%({k})s" in message else v
                  for k, v in self.params.items()}
        return gettext(message, **params)


def header_key(text: object) -> str:
    """A header as compared: normalized, with '_' and '-' as spaces."""
    return normalize(str(text or "").replace("_", " ").replace("-", " "))


HEADER_KEYS: dict[str, str] = {}
for _canonical, (_es, _en, _others) in COLUMNS.items():
    for _header in (_canonical, _es, _en, *_others):
        HEADER_KEYS[header_key(_header)] = _canonical


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a spreadsheet names a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# Spanish words accepted whatever the catalog says.
KIND_WORDS = {
    "great_lesson": ("leccion great", "leccion g.r.e.a.t.", "great", "g.r.e.a.t."),
    "community_meeting": ("reunion comunitaria",),
    "school_visit": ("visita escolar",),
    "sports_cultural": ("actividad deportiva o cultural", "deportiva", "cultural"),
    "family_visit": ("visita familiar",),
    "security_council": ("consejo de seguridad ciudadana", "consejo"),
    "other": ("otro", "otra"),
}
VENUE_WORDS = {
    "school": ("escuela",),
    "community_center": ("centro comunitario", "casa comunal"),
    "sports_field": ("cancha", "campo deportivo"),
    "church": ("iglesia",),
    "other": ("otro", "otra"),
}
CURRICULUM_WORDS = {"elementary": ("primaria",), "middle": ("secundaria", "media", "middle school")}

ROW_MESSAGES = {
    "required": N_("a value is required"),
    "bad_date": N_("“%(value)s” is not a date (write YYYY-MM-DD or DD/MM/YYYY)"),
    "date_range": N_("the date must be between %(first)s and today"),
    "bad_time": N_("“%(value)s” is not a time (write HH:MM)"),
    "unknown_municipality": N_("no municipality has the name or code “%(value)s”"),
    "ambiguous_municipality": N_("several municipalities are called “%(value)s”: ambiguous, use the code"),
    "outside_scope": N_("%(value)s is outside your municipalities"),
    "unknown_venue": N_("unknown venue “%(value)s”"),
    "unknown_kind": N_("unknown session type “%(value)s”"),
    "unknown_curriculum": N_("unknown curriculum “%(value)s” (write elementary or middle)"),
    "great_required": N_("required for a G.R.E.A.T. lesson"),
    "great_only": N_("only G.R.E.A.T. lessons have a curriculum and a lesson number"),
    "lesson_range": N_("the lesson must be a whole number from 1 to %(max)d"),
    "school_required": N_("the school is required when the venue is a school"),
    "bad_count": N_("“%(value)s” is not a whole number from 0 to %(max)d"),
    "too_long": N_("too long: at most %(max)d characters"),
    "totals_differ": N_("the total by sex (%(by_sex)d) differs from the total by age (%(by_age)d)"),
    "no_header": N_("a value in a column without a header"),
}


def label_lookup(labels: dict, words: dict) -> dict[str, str]:
    """Normalized code, label (Spanish and English) or synonym -> code."""
    found: dict[str, str] = {}
    for locale in ("en", "es"):
        with force_locale(locale):
            for code, label in labels.items():
                found.setdefault(header_key(str(label)), code)
    for code, synonyms in words.items():
        for word in (code, *synonyms):
            found.setdefault(header_key(word), code)
    return found


# --- reading -----------------------------------------------------------------

XLSX_MAGIC = b"PK\x03\x04"
SNIFF_BYTES = 64 * 1024
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")  # never in a text file


def file_type(path: Path) -> str:
    """'xlsx' or 'csv' by content, never by name."""
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head:
        raise ImportFileError("empty")
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    if _CONTROL.search(head):
        raise ImportFileError("unsupported_type")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        raise ImportFileError("not_utf8") from None  # text, but likely Windows-1252
    return "csv"


# Every reading is bounded, whatever the file holds: a row counts whether it is
# empty or not (a spreadsheet may declare, or hold, millions of empty rows),
# and so does every cell up to a row's last one.
CELLS_PER_ROW = 32  # the columns of the template and some room
DEFAULT_MAX_UNPACKED_BYTES = 512 * 1024 * 1024  # all parts of an XLSX file, uncompressed
MAX_COLUMNS = 16_384  # the widest row a spreadsheet can have (column XFD)
ELEMENTS_PER_CELL = 4  # XML elements per cell counted in an XLSX file: <c><v>, <c><is><t>, a shared <si><t>...
DEFAULT_SCAN_ROWS = 500_000  # for estimate_rows, called without the importer's limits


@dataclass(frozen=True)
class ReadLimits:
    rows: int  # rows after the header
    cells: int  # cells of every row, the header's included
    unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES


@dataclass
class ReadCount:
    """How far the reader went in a file: rows (the header included) and
    cells, empty or not; past the limits by one row at most."""

    rows: int = 0
    cells: int = 0

    def add(self, rows: int, cells: int) -> None:
        self.rows, self.cells = max(self.rows, rows), max(self.cells, cells)


@contextmanager
def open_rows(path: Path, limits: ReadLimits, count: ReadCount | None = None) -> Iterator[Iterator[tuple[int, list]]]:
    """Yields an iterator of (row number, cell values), the header being row 1.
    The file is streamed: only one row is in memory at a time. A file with
    more rows or cells than ``limits`` raises ImportFileError when the reader
    reaches the limit (before reading anything, when an XLSX sheet declares
    its size)."""
    count = count if count is not None else ReadCount()
    if file_type(path) == "xlsx":
        with _xlsx_rows(path, limits, count) as rows:
            yield _bounded(rows, limits, count)
    else:
        with open(path, encoding="utf-8-sig", newline="") as text:
            rows = _csv_rows(text, limits, count)
            try:
                yield _bounded(rows, limits, count)
            finally:
                rows.close()


def _over(limits: ReadLimits, rows: int, cells: int) -> None:
    if rows > limits.rows + 1:
        raise ImportFileError("too_many_rows", max=limits.rows)
    if cells > limits.cells:
        raise ImportFileError("too_many_cells", max=limits.cells)


def _bounded(lines: Iterator[tuple[int, list]], limits: ReadLimits, count: ReadCount) -> Iterator[tuple[int, list]]:
    """The rows as read, each counted, blank or not."""
    rows = cells = 0
    max_rows, max_cells = limits.rows + 1, limits.cells
    try:
        for line, values in lines:
            rows += 1
            cells += len(values)
            if rows > max_rows or cells > max_cells:
                _over(limits, rows, cells)
            yield line, values
    finally:
        count.add(rows, cells)


def _csv_rows(text: io.TextIOWrapper, limits: ReadLimits, count: ReadCount) -> Iterator[tuple[int, list]]:
    try:
        first = text.readline()
        delimiter = ";" if first.count(";") > first.count(",") else ","
        cells = 0

        def lines() -> Iterator[str]:  # cells counted before the csv module makes them
            nonlocal cells
            try:
                for line in itertools.chain([first], text):
                    cells += line.count(delimiter) + 1
                    if cells > limits.cells:
                        raise ImportFileError("too_many_cells", max=limits.cells)
                    yield line
            finally:
                count.add(0, cells)

        yield from enumerate(csv.reader(lines(), delimiter=delimiter), start=1)
    except UnicodeDecodeError:
        raise ImportFileError("not_utf8") from None
    except csv.Error as exc:
        raise ImportFileError("bad_csv", reason=str(exc)) from None


@contextmanager
def _workbook(path: Path, limits: ReadLimits | None = None, count: ReadCount | None = None):
    """The workbook, read-only, once ``scan_xlsx`` found it within ``limits``.
    Opened from a file object: openpyxl would otherwise refuse a path whose
    name does not end in .xlsx."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    scan_xlsx(path, limits or ReadLimits(rows=DEFAULT_SCAN_ROWS, cells=DEFAULT_SCAN_ROWS * CELLS_PER_ROW),
              count if count is not None else ReadCount())
    with open(path, "rb") as fh:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # styles and extensions the importer does not need
                workbook = load_workbook(fh, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
            raise ImportFileError("unsupported_type") from None
        try:
            if not workbook.worksheets:
                raise ImportFileError("unsupported_type")
            yield workbook
        finally:
            workbook.close()


_CELL_COLUMN = re.compile(r"[A-Za-z]{1,3}")
_DIMENSION = re.compile(r"[A-Za-z]{1,3}\d+:([A-Za-z]{1,3})(\d+)")


def _column_index(ref: str | None, previous: int) -> int:
    """1 for A, 27 for AA: the column of a cell reference such as "AA7"; the
    next column when the cell has no reference (as openpyxl reads it)."""
    match = _CELL_COLUMN.match(ref or "")
    if not match:
        return previous + 1
    index = 0
    for letter in match[0].upper():
        index = index * 26 + ord(letter) - 64
    return index


class _Scan:
    """Counts, across the XML parts of an XLSX file, what openpyxl would make
    of them: rows (a missing row is an empty one), cells (a row has every
    cell up to its last one) and XML elements; raises ImportFileError as soon
    as one is beyond ``limits``. Keeps nothing but the counts."""

    def __init__(self, limits: ReadLimits, count: ReadCount):
        self.limits, self.count = limits, count
        self.max_elements = limits.cells * ELEMENTS_PER_CELL + 10_000  # styles, relationships...
        self.rows = self.cells = self.elements = 0

    def part(self, source) -> None:
        """One part (a worksheet, shared strings, styles...)."""
        first_row, row_width, column = self.rows, 0, 0

        def start(name: str, attrs: dict) -> None:
            nonlocal row_width, column
            self.elements += 1
            if self.elements > self.max_elements:
                raise ImportFileError("too_many_cells", max=self.limits.cells)
            name = name.rpartition(":")[2]
            if name == "c":
                column = _column_index(attrs.get("r"), column)
                if column > MAX_COLUMNS:
                    raise ImportFileError("too_many_cells", max=self.limits.cells)
                row_width = max(row_width, column)
                if self.cells + row_width > self.limits.cells:
                    raise ImportFileError("too_many_cells", max=self.limits.cells)
            elif name == "row":
                self.cells += row_width  # the row before
                reference = attrs.get("r", "")
                self.rows = first_row + int(reference) if reference.isdigit() else self.rows + 1
                row_width = column = 0
                self.check()
            elif name == "dimension":  # the size the sheet declares: refused before its rows are read
                match = _DIMENSION.fullmatch(attrs.get("ref", ""))
                if match:
                    rows, columns = int(match[2]), _column_index(match[1], 0)
                    _over(self.limits, first_row + rows, self.cells + rows * columns)

        parser = expat.ParserCreate()
        parser.StartElementHandler = start
        try:
            parser.ParseFile(source)
        except expat.ExpatError:
            return  # not XML: openpyxl does not read it either, or refuses the file
        finally:
            self.cells += row_width
            self.count.add(self.rows, self.cells)
        self.check()

    def check(self) -> None:
        self.count.add(self.rows, self.cells)
        _over(self.limits, self.rows, self.cells)


def scan_xlsx(path: Path, limits: ReadLimits, count: ReadCount) -> None:
    """Refuses an XLSX file beyond ``limits`` before openpyxl reads any of it:
    openpyxl reads some parts whole, goes through a whole worksheet when it
    declares no size, builds each row whole and pads it to the declared width.
    First the uncompressed size the archive declares (Python's zipfile never
    inflates a part beyond it), then the rows, cells and elements of every
    part, all parts together."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > limits.unpacked_bytes:
                raise ImportFileError("unpacked_too_large", max=limits.unpacked_bytes // (1024 * 1024))
            scan = _Scan(limits, count)
            for info in infos:
                if not info.is_dir():
                    with archive.open(info) as source:
                        scan.part(source)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        raise ImportFileError("unsupported_type") from None


@contextmanager
def _xlsx_rows(path: Path, limits: ReadLimits, count: ReadCount) -> Iterator[Iterator[tuple[int, list]]]:
    with _workbook(path, limits, count) as workbook:
        sheet = workbook.worksheets[0]
        # Read what the sheet holds, not what it declares: openpyxl would pad every row to the
        # declared width, and drop the rows past the declared height.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        yield ((number, list(values)) for number, values in enumerate(rows, start=1))


def data_rows(lines: Iterator[tuple[int, list]], read_header: Callable[[list], None]) -> Iterator[tuple[int, list]]:
    """Hands the header row to ``read_header``, then yields the rows that are not blank."""
    first = next(lines, None)
    if first is None:
        raise ImportFileError("empty")
    read_header(first[1])
    for line, values in lines:
        if any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
            yield line, values


def estimate_rows(path: Path, limits: ReadLimits | None = None) -> int | None:
    """About how many data rows the file has (for a progress bar)."""
    if file_type(path) == "xlsx":
        with _workbook(path, limits) as workbook:
            rows = workbook.worksheets[0].max_row
        return None if rows is None else max(rows - 1, 0)
    lines = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(lines - 1, 0)


# --- cells -------------------------------------------------------------------

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_WHOLE = re.compile(r"\d+", re.ASCII)


def cell_text(value: object) -> str:
    """A cell as stripped text ('' when empty); whole floats lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    try:
        if match := _ISO_DATE.fullmatch(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DMY_DATE.fullmatch(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None
    return None


def parse_time(value: object) -> time | None:
    if isinstance(value, datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, time):
        return value.replace(microsecond=0, tzinfo=None)
    match = _TIME.fullmatch(cell_text(value))
    if not match:
        return None
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def parse_whole(value: object) -> int | None:
    """A non-negative whole number, or None when the cell is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    text = cell_text(value)
    return int(text) if _WHOLE.fullmatch(text) else None


# --- templates ---------------------------------------------------------------

EXAMPLE_ROWS = {
    "es": {"date": date(2025, 3, 14), "time": time(9, 30), "municipality": "San Salvador Centro",
           "community": "Colonia Centro", "venue": "Escuela", "school": "Centro Escolar República de Chile",
           "kind": "Lección G.R.E.A.T.", "curriculum": "secundaria", "lesson": 3, "topic": "Resolución de conflictos",
           "female": 12, "male": 10, "age_12_14": 22},
    "en": {"date": date(2025, 3, 14), "time": time(9, 30), "municipality": "SV-SS-001",
           "community": "Colonia Centro", "venue": "School", "school": "Centro Escolar República de Chile",
           "kind": "G.R.E.A.T. lesson", "curriculum": "middle", "lesson": 3, "topic": "Conflict resolution",
           "female": 12, "male": 10, "age_12_14": 22},
}
COUNT_COLUMNS = ("female", "male", "sex_not_recorded", "under_12", "age_12_14", "age_15_17", "age_18_24", "age_25_plus")


def template_rows(locale: str) -> tuple[list[str], list[object]]:
    """Headers in the language of ``locale`` and one example row."""
    locale = "en" if locale.startswith("en") else "es"
    headers = [spec[0] if locale == "es" else spec[1] for spec in COLUMNS.values()]
    example = EXAMPLE_ROWS[locale]
    row = [example.get(name, 0 if name in COUNT_COLUMNS else "") for name in COLUMNS]
    return headers, row


def template_csv(locale: str) -> bytes:
    headers, row = template_rows(locale)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerow(v.isoformat(timespec="minutes") if isinstance(v, time) else v for v in row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(locale: str) -> bytes:
    from openpyxl import Workbook

    headers, row = template_rows(locale)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("sesiones" if headers[0] == "fecha" else "sessions")
    sheet.append(headers)
    sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
