"""Making a backup file of a database, and restoring one into an empty database."""

import logging
import os
import tempfile
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from app.backup import archive
from app.backup.archive import BackupError
from app.backup.databases import SQLITE, kind_of, pg_dump, pg_restore, revision, sqlite_path, sqlite_snapshot, tables

log = logging.getLogger(__name__)


def _exclusive(path: Path) -> BinaryIO:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise BackupError(f"{path} already exists; choose another name.") from exc
    except OSError as exc:
        raise BackupError(f"{path}: {exc.strerror}.") from exc
    return os.fdopen(fd, "wb")


def _stderr_text(stderr: BinaryIO) -> str:
    stderr.seek(0)
    return stderr.read().decode(errors="replace").strip()[-2000:]


def create_backup(url: str, output: Path, backup_key: bytes, pg_bin: str | None = None) -> dict:
    """Write an encrypted backup of the database at ``url``; returns its header."""
    kind = kind_of(url)
    meta = {"database": kind, "created_at": datetime.now(UTC).isoformat(timespec="seconds")}
    if output.exists():
        raise BackupError(f"{output} already exists; choose another name.")
    partial = output.with_name(output.name + ".partial")
    out = _exclusive(partial)
    try:
        with out, tempfile.TemporaryDirectory(prefix="senda-backup-") as tmp:
            if kind == SQLITE:
                snapshot = Path(tmp) / "snapshot.db"
                sqlite_snapshot(sqlite_path(url), snapshot)
                meta["revision"] = revision(f"sqlite:///{snapshot}")
                with open(snapshot, "rb") as source:
                    meta["size"] = archive.write(out, source, backup_key, meta)
            else:
                meta["revision"] = revision(url)
                with tempfile.TemporaryFile() as stderr:
                    with pg_dump(url, pg_bin, stderr) as proc:
                        meta["size"] = archive.write(out, proc.stdout, backup_key, meta)
                    if proc.returncode != 0:
                        raise BackupError(f"pg_dump failed: {_stderr_text(stderr)}")
            out.flush()
            os.fsync(out.fileno())
        if output.exists():
            raise BackupError(f"{output} already exists; choose another name.")
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return meta


def read_meta(path: Path) -> dict:
    with open(path, "rb") as stream:
        return archive.read_header(stream).meta


def restore_backup(path: Path, url: str, backup_key: bytes, pg_bin: str | None = None) -> dict:
    """Restore ``path`` into the empty database at ``url``; returns its header.
    Nothing is written unless every block of the file authenticates."""
    with open(path, "rb") as stream:
        header = archive.read_header(stream)
    archive.check_key(header, backup_key)
    kind = kind_of(url)
    if header.meta.get("database") != kind:
        raise BackupError(
            f"This is a {header.meta.get('database')} backup; the target is {kind}. Nothing was restored."
        )
    present = tables(url)
    if present:
        raise BackupError(
            f"The target database is not empty ({len(present)} tables, e.g. {sorted(present)[0]}); "
            "restore only into an empty database. Nothing was restored."
        )
    if kind == SQLITE:
        _restore_sqlite(path, sqlite_path(url), backup_key)
    else:
        _verify(path, backup_key)
        _restore_postgres(path, url, backup_key, pg_bin)
    log.info("Restored %s (revision %s) into %s", path, header.meta.get("revision"), kind)
    return header.meta


def _decrypted(path: Path, backup_key: bytes):
    with open(path, "rb") as stream:
        header = archive.read_header(stream)
        yield from archive.decrypt(stream, header, backup_key)


def _verify(path: Path, backup_key: bytes) -> None:
    """Authenticate every block without keeping the plaintext."""
    for _ in _decrypted(path, backup_key):
        pass


def _restore_sqlite(path: Path, target: Path, backup_key: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".restoring", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            for block in _decrypted(path, backup_key):
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if tables(f"sqlite:///{target}"):
            raise BackupError("The target database is no longer empty. Nothing was restored.")
        for leftover in ("-wal", "-shm", "-journal"):  # of the empty database being replaced
            Path(f"{target}{leftover}").unlink(missing_ok=True)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _restore_postgres(path: Path, url: str, backup_key: bytes, pg_bin: str | None) -> None:
    with tempfile.TemporaryFile() as stderr:
        proc = pg_restore(url, pg_bin, stderr)
        try:
            for block in _decrypted(path, backup_key):
                proc.stdin.write(block)
            proc.stdin.close()
        except BrokenPipeError:  # pg_restore stopped early: its exit status and messages say why
            with suppress(BrokenPipeError):
                proc.stdin.close()
        except BaseException:
            proc.kill()  # one transaction: a partial restore is rolled back
            proc.wait()
            raise
        if proc.wait() != 0:
            raise BackupError(f"pg_restore failed; nothing was restored: {_stderr_text(stderr)}")
