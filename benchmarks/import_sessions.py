"""Session import: rows per second and peak memory, for 10,000 and 100,000 CSV rows.

    .venv/bin/python benchmarks/import_sessions.py                      # SQLite (temporary file)
    .venv/bin/python benchmarks/import_sessions.py --database postgresql+psycopg://senda:senda@127.0.0.1:5432/senda_importbench

With --database, SQLite runs too, then PostgreSQL; the PostgreSQL database is EMPTIED first (DROP SCHEMA public
CASCADE), then made by the app's migrations, with the bundled geography and one police unit.

The CSV files are written row by row to a temporary folder. Every import runs in a fresh subprocess, through
``app.policing.importer.import_sessions`` and one commit as `flask sessions import` does, so that its peak memory
is its own: the peak resident set (VmHWM) is reset once the app has started, and read after the commit; getrusage
ru_maxrss is shown too. The table of sessions is emptied before each size. Each size is imported twice: the
first run inserts every row, the second (same file) finds them all already there. A third run with tracemalloc
started gives the peak of Python allocations during the import (slower; skip it with --no-tracemalloc).

Targets (issue, part 5): >= 5,000 rows/s on PostgreSQL; peak memory for 100,000 rows within 20 MB of 10,000 rows.
Prints figures; asserts nothing.
"""

import argparse
import csv
import gc
import json
import random
import resource
import subprocess  # nosec B404 - runs this same script
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

HEADER = ["fecha", "hora", "municipio", "comunidad", "lugar", "escuela", "tipo", "currículo", "lección", "tema",
          "mujeres", "hombres", "sexo_no_registrado", "menores_de_12", "de_12_a_14", "de_15_a_17", "de_18_a_24",
          "de_25_o_más", "notas"]
KINDS = ["Lección G.R.E.A.T.", "G.R.E.A.T. lesson", "reunion comunitaria", "Community meeting", "visita escolar",
         "deportiva", "visita familiar", "consejo", "otro", "great_lesson"]
VENUES = {"school": ["Escuela", "school"], "other": ["centro comunitario", "Sports field", "iglesia", "otro", "cancha"]}
UNIT_NAME = "Benchmark police unit"


def municipalities() -> list[tuple[str, str]]:
    """(code, name) of SV and HN municipalities whose name is unambiguous."""
    from app.security.crypto import normalize

    with open(ROOT / "app" / "data" / "divisions.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["level"] == "2"]
    seen: dict[str, int] = {}
    for r in rows:
        seen[normalize(r["name"])] = seen.get(normalize(r["name"]), 0) + 1
    return [(r["code"], r["name"]) for r in rows if r["country"] in ("SV", "HN") and seen[normalize(r["name"])] == 1]


def split(total: int, parts: int, rng: random.Random) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """A realistic CSV, written row by row: names and codes, Spanish and English labels, both date formats."""
    rng = random.Random(seed)
    places = municipalities()
    start = date(2023, 1, 1)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i in range(rows):
            code, name = rng.choice(places)
            place = code if i % 2 else rng.choice([name, name.upper(), name.lower()])
            day = start + timedelta(days=rng.randrange(900))
            when = day.isoformat() if i % 3 else day.strftime("%d/%m/%Y")
            kind = rng.choice(KINDS)
            great = "G.R.E.A.T" in kind or "great" in kind.lower()
            venue = rng.choice(VENUES["school"] if great or "escolar" in kind else VENUES["other"])
            school = f"Centro Escolar {rng.randrange(400)}" if venue in VENUES["school"] else ""
            curriculum, lesson = ("", "")
            if great:
                curriculum = rng.choice(["primaria", "secundaria", "elementary", "middle"])
                lesson = str(rng.randint(1, 6 if curriculum in ("primaria", "elementary") else 13))
            total = rng.randint(0, 60)
            sexes, ages = split(total, 3, rng), split(total, 5, rng)
            notes = f"Observación {i}: participación activa, se coordinó con la directiva." if i % 4 == 0 else ""
            writer.writerow([when, f"{rng.randint(7, 19):02d}:{rng.choice(['00', '15', '30', '45'])}", place,
                             f"Colonia {rng.randrange(200)}", venue, school, kind, curriculum, lesson, f"Sesión {i}",
                             *sexes, *ages, notes])


def make_app(url: str):
    from app import create_app
    from config import TestingConfig

    return create_app(type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))


def prepare(url: str) -> int:
    """A fresh schema with the geography and a police unit; returns the unit's id."""
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    from flask_migrate import upgrade

    from app.accounts.models import Organization
    from app.extensions import db
    from app.geo.services import DEFAULT_FILE, load

    app = make_app(url)
    with app.app_context():
        upgrade()
        load(DEFAULT_FILE.read_text(encoding="utf-8"))
        unit = Organization(name=UNIT_NAME, kind="police_unit", country_code="SV")
        db.session.add(unit)
        db.session.commit()
        unit_id = unit.id
        db.engine.dispose()
    return unit_id


def empty_sessions(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        if url.startswith("postgresql"):
            conn.execute(text("TRUNCATE policing_sessions CASCADE"))
        else:
            conn.execute(text("DELETE FROM policing_sessions"))
    if url.startswith("sqlite"):
        with engine.connect() as conn:
            conn.execute(text("VACUUM"))
    engine.dispose()


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def proc_status_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (peak resident) of this process."""
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(field + ":")) / 1024


def reset_peak_rss() -> bool:
    """Linux >= 4.0: make the peak RSS the current RSS, so that the peak measured
    after the import is the import's, not the application start-up's."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def child(url: str, path: str, unit_id: int, trace: bool) -> None:
    """One import in this process; prints a JSON line."""
    from sqlalchemy import select

    from app.extensions import db
    from app.policing.importer import import_sessions

    app = make_app(url)
    with app.app_context():
        db.session.execute(select(1))
        db.session.rollback()
        gc.collect()
        startup = maxrss_mb()
        reset = reset_peak_rss()
        before = proc_status_mb("VmRSS")
        if trace:
            tracemalloc.start()
        start = time.perf_counter()
        result = import_sessions(path, police_unit_id=unit_id, user_id=None, allowed_municipality_ids=None)
        db.session.commit()
        seconds = time.perf_counter() - start
        traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
        print(json.dumps({"rows": result.rows, "inserted": result.inserted, "duplicates": result.duplicates,
                          "errors": result.error_count, "seconds": seconds, "rss_startup_peak": startup,
                          "peak_reset": reset, "rss_before": before, "rss_peak": proc_status_mb("VmHWM"),
                          "ru_maxrss": maxrss_mb(), "traced_peak": traced}))
        db.engine.dispose()


def run_child(url: str, path: Path, unit_id: int, trace: bool = False) -> dict:
    command = [sys.executable, __file__, "--child", "--database", url, "--file", str(path), "--unit-id", str(unit_id)]
    if trace:
        command.append("--trace")
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # nosec B603 - this script
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="a PostgreSQL URL (emptied first); SQLite always runs")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--no-tracemalloc", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--unit-id", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.database, args.file, args.unit_id, args.trace)
        return

    folder = Path(tempfile.mkdtemp(prefix="senda-import-bench-"))
    sizes = [int(s) for s in args.sizes.split(",")]
    files = {}
    for size in sizes:
        files[size] = folder / f"sessions-{size}.csv"
        start = time.perf_counter()
        generate(files[size], size)
        print(f"generated {files[size]} ({files[size].stat().st_size / 2**20:.1f} MB) "
              f"in {time.perf_counter() - start:.1f} s", flush=True)
    databases = [("SQLite", f"sqlite:///{folder / 'bench.db'}")]
    if args.database:
        databases.append(("PostgreSQL", args.database))

    lines = []
    for label, url in databases:
        unit_id = prepare(url)
        for size in sizes:
            empty_sessions(url)
            first = run_child(url, files[size], unit_id)
            again = run_child(url, files[size], unit_id)
            traced = None
            if not args.no_tracemalloc:
                empty_sessions(url)
                traced = run_child(url, files[size], unit_id, trace=True)["traced_peak"]
            for run, figures in (("import", first), ("re-import", again)):
                lines.append((label, size, run, figures, traced if run == "import" else None))
                print(f"{label} {size:,} {run}: {figures}", flush=True)

    print()
    print(f"{'database':<11}{'rows':>9}  {'run':<10}{'inserted':>9}{'dupl.':>8}{'seconds':>9}{'rows/s':>9}"
          f"{'RSS before':>12}{'peak RSS':>10}{'import +':>10}{'ru_maxrss':>11}{'tracemalloc':>13}")
    for label, size, run, f, traced in lines:
        traced_text = f"{traced:.1f} MB" if traced is not None else "-"
        print(f"{label:<11}{size:>9,}  {run:<10}{f['inserted']:>9,}{f['duplicates']:>8,}{f['seconds']:>9.2f}"
              f"{size / f['seconds']:>9,.0f}{f['rss_before']:>9.1f} MB{f['rss_peak']:>7.1f} MB"
              f"{f['rss_peak'] - f['rss_before']:>7.1f} MB{f['ru_maxrss']:>8.1f} MB{traced_text:>13}")
    reset = all(f["peak_reset"] for *_, f, _ in lines)
    print(f"\nRSS before: resident set once the app has started (start-up peak up to "
          f"{max(f['rss_startup_peak'] for *_, f, _ in lines):.1f} MB). Peak RSS: VmHWM at the end, "
          + ("reset just before the import (/proc/self/clear_refs), so it is the import's own peak. "
             if reset else "NOT reset (no /proc/self/clear_refs): it may be the start-up's. ")
          + "ru_maxrss (getrusage) also keeps the peak of threads that ended during start-up.")
    print(f"\nfiles and SQLite database in {folder}")


if __name__ == "__main__":
    main()
