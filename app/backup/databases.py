"""What a backup needs from each database kind: a consistent snapshot, the
Alembic revision, an emptiness check, and putting a snapshot back."""

import os
import shutil
import sqlite3
import subprocess  # nosec B404 - pg_dump/pg_restore with fixed arguments, no shell
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from app.backup.archive import BackupError

SQLITE, POSTGRESQL = "sqlite", "postgresql"


def kind_of(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in (SQLITE, POSTGRESQL):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {backend}.")
    return backend


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(database)


def revision(url: str) -> str | None:
    """The Alembic revision the database is at (None before any migration)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def tables(url: str) -> list[str]:
    """Tables in every user schema; [] for a missing SQLite file."""
    if kind_of(url) == SQLITE and not sqlite_path(url).exists():
        return []
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            insp = inspect(conn)
            schemas = [s for s in insp.get_schema_names() if s != "information_schema"]
            return [t for s in schemas for t in insp.get_table_names(schema=s)]
    except SQLAlchemyError as exc:
        raise BackupError(f"Cannot read the target database: {exc.__class__.__name__}: {exc.orig or exc}") from exc
    finally:
        engine.dispose()


def sqlite_snapshot(source: Path, target: Path) -> None:
    """Copy a live SQLite database with the online backup API (consistent
    even while the app writes to it)."""
    if not source.exists():
        raise BackupError(f"{source}: no such database file.")
    with closing(sqlite3.connect(f"file:{quote(str(source))}?mode=ro", uri=True)) as src, \
            closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def pg_tool(name: str, bin_dir: str | None) -> str:
    """pg_dump or pg_restore: from PG_BIN_DIR, the PATH, or Debian's newest."""
    if bin_dir:
        return str(Path(bin_dir) / name)
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if not candidates:
        raise BackupError(f"{name} not found: install the PostgreSQL client or set PG_BIN_DIR.")
    return str(candidates[-1])


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and an environment
    that carries it (so it never shows in the process list)."""
    parsed: URL = make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    conninfo = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return conninfo, env


def pg_dump(url: str, bin_dir: str | None, stderr) -> subprocess.Popen:
    """Start pg_dump in custom format, writing the archive to its stdout."""
    conninfo, env = libpq_target(url)
    return subprocess.Popen(  # nosec B603 - fixed arguments, no shell
        [pg_tool("pg_dump", bin_dir), "--format=custom", "--no-password", f"--dbname={conninfo}"],
        stdout=subprocess.PIPE, stderr=stderr, env=env,
    )


def pg_restore(url: str, bin_dir: str | None, stderr) -> subprocess.Popen:
    """Start pg_restore reading an archive on its stdin; all or nothing."""
    conninfo, env = libpq_target(url)
    return subprocess.Popen(  # nosec B603 - fixed arguments, no shell
        [pg_tool("pg_restore", bin_dir), "--no-owner", "--single-transaction", "--exit-on-error",
         "--no-password", f"--dbname={conninfo}"],
        stdin=subprocess.PIPE, stderr=stderr, env=env,
    )
