"""Hostile spreadsheets: how long the session importer takes to refuse a 27 KB XLSX holding 3,000,000
empty rows (declared in <dimension>, not declared, and declared smaller than it is), with the default limits.

    .venv/bin/python benchmarks/hostile_xlsx.py

Prints figures; asserts nothing (the tests assert how many rows the reader touched, never the time).
"""

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.policing.import_format import ImportFileError, ReadCount, open_rows  # noqa: E402
from app.policing.importer import read_limits  # noqa: E402
from config import TestingConfig  # noqa: E402
from tests.test_policing_import import HEADER_ROW, hand_made_xlsx  # noqa: E402

CASES = (("declares A1:J3000000", "A1:J3000000"), ("no dimension", None), ("declares A1:D1 (a lie)", "A1:D1"))


def refuse(path: Path) -> tuple[str, float, int]:
    """(outcome, seconds, rows read) for reading every row of `path` as the importer does."""
    count = ReadCount()
    started = time.perf_counter()
    try:
        with open_rows(path, read_limits(), count) as sheets:
            for sheet in sheets:
                for _ in sheet:
                    pass
        outcome = "read"
    except ImportFileError as exc:
        outcome = exc.code
    return outcome, time.perf_counter() - started, count.rows


def main() -> None:
    with create_app(TestingConfig).app_context(), tempfile.TemporaryDirectory() as folder:
        print(f"{'file':26} {'size':>7} {'time':>8}  outcome, rows read (limit {read_limits().rows:,})")
        for label, dimension in CASES:
            path = hand_made_xlsx(Path(folder) / "empty.xlsx", [HEADER_ROW], dimension=dimension, empty_rows=3_000_000)
            outcome, seconds, rows = refuse(path)
            print(f"{label:26} {path.stat().st_size / 1024:5.0f} KB {seconds:7.2f} s  {outcome}, {rows:,}")


if __name__ == "__main__":
    main()
