"""Backups: a round trip of the demo database (on SQLite in the SQLite pass,
on PostgreSQL in the PostgreSQL pass) keeps every row, the audit chain and
every encrypted value; a wrong key, a changed byte or a non-empty target is
refused and nothing is restored."""

import io
import json
import os
import struct
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app import create_app
from app.backup import archive
from app.backup.archive import BackupError
from app.backup.databases import tables
from app.extensions import db
from app.security.crypto import encrypted_fields
from app.security.keys import load_keys, new_key
from app.security.rotation import encrypted_models
from tests.conftest import PG_URL, drop_everything, make_config


def restore_database_url() -> str:
    """A second, empty PostgreSQL database: SENDA_TEST_RESTORE_DATABASE, or
    the test database's name with "_restore" (.ci/run creates it)."""
    explicit = os.environ.get("SENDA_TEST_RESTORE_DATABASE")
    if explicit:
        return explicit
    url = make_url(PG_URL)
    return url.set(database=f"{url.database}_restore").render_as_string(hide_password=False)


@pytest.fixture
def restore_url(tmp_path):
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    url = restore_database_url()
    drop_everything(url)  # fails, never skips, when the database is missing
    yield url
    drop_everything(url)


@pytest.fixture
def backup_file(runner, tmp_path):
    path = tmp_path / "senda.backup"
    result = runner.invoke(args=["backup", "create", str(path)])
    assert result.exit_code == 0, result.output
    return path


def row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        names = inspect(conn).get_table_names()
        counts = {name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar() for name in names}
    engine.dispose()
    return counts


def plaintexts(app) -> dict[tuple, str | None]:
    """Every encrypted value of every model, decrypted (raises if one does not)."""
    values = {}
    with app.app_context():
        for model in encrypted_models():
            for row in db.session.scalars(select(model).order_by(model.id)):
                for field in encrypted_fields(model):
                    values[(model.__tablename__, row.id, field.name)] = getattr(row, field.name)
        db.session.remove()
    return values


def restore(app, path, url):
    return app.test_cli_runner().invoke(args=["backup", "restore", str(path), "--database", url])


def test_round_trip_keeps_rows_audit_chain_and_encrypted_values(app, runner, db_url, restore_url, tmp_path):
    counts, values = row_counts(db_url), plaintexts(app)
    path = tmp_path / "senda.backup"
    result = runner.invoke(args=["backup", "create", str(path)])
    assert result.exit_code == 0, result.output
    raw = path.read_bytes()
    assert b"worker.sv" not in raw and b"SQLite format" not in raw and b"PGDMP" not in raw
    assert oct(path.stat().st_mode & 0o777) == "0o600"

    result = restore(app, path, restore_url)
    assert result.exit_code == 0, result.output

    assert row_counts(restore_url) == counts
    assert counts["youth"] > 0 and counts["audit_events"] > 0 and counts["alembic_version"] == 1
    restored = create_app(make_config(restore_url))
    try:
        verified = restored.test_cli_runner().invoke(args=["audit", "verify"])
        assert verified.exit_code == 0 and "intact" in verified.output, verified.output
        assert plaintexts(restored) == values
        assert sum(v is not None for v in values.values()) > 100
        assert {table for table, _, _ in values} >= {"users", "youth", "case_notes"}
    finally:
        with restored.app_context():
            db.engine.dispose()
    # The source records the backup in its audit log (after the snapshot).
    assert row_counts(db_url)["audit_events"] == counts["audit_events"] + 1


@pytest.mark.skipif(not PG_URL, reason="the audit trigger exists on PostgreSQL only")
def test_restored_postgres_keeps_the_audit_trigger(app, backup_file, restore_url):
    assert restore(app, backup_file, restore_url).exit_code == 0
    engine = create_engine(restore_url)
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET detail = 'x' WHERE seq = 1"))
    engine.dispose()


def test_header_names_database_kind_and_revision(app, runner, backup_file):
    result = runner.invoke(args=["backup", "info", str(backup_file)])
    assert result.exit_code == 0
    assert f"database: {'postgresql' if PG_URL else 'sqlite'}" in result.output
    head = ScriptDirectory(str(Path(__file__).resolve().parent.parent / "migrations")).get_current_head()
    assert f"revision: {head}" in result.output


def test_wrong_key_is_refused_and_nothing_restored(db_url, backup_file, restore_url):
    other = create_app(make_config(db_url, BACKUP_KEY=new_key()))
    result = restore(other, backup_file, restore_url)
    assert result.exit_code == 1
    assert "another backup key" in result.output
    assert tables(restore_url) == []


@pytest.mark.parametrize("where", ["header", "body", "tag"])
def test_a_changed_byte_is_refused_and_nothing_restored(app, backup_file, restore_url, tmp_path, where):
    raw = bytearray(backup_file.read_bytes())
    meta_start = archive._FIXED.size
    position = {"header": raw.index(b"revision", meta_start) + 12, "body": len(raw) // 2, "tag": len(raw) - 1}[where]
    raw[position] ^= 0x01
    backup_file.write_bytes(bytes(raw))
    result = restore(app, backup_file, restore_url)
    assert result.exit_code == 1
    assert "Nothing was restored" in result.output
    assert tables(restore_url) == []
    assert not [p.name for p in tmp_path.iterdir() if "restored" in p.name]  # no half-written file left


def test_a_truncated_file_is_refused(app, backup_file, restore_url):
    backup_file.write_bytes(backup_file.read_bytes()[:-100])
    result = restore(app, backup_file, restore_url)
    assert result.exit_code == 1 and "Nothing was restored" in result.output
    assert tables(restore_url) == []


def test_restore_goes_to_the_configured_database_by_default(db_url, backup_file, restore_url):
    target = create_app(make_config(restore_url))
    result = target.test_cli_runner().invoke(args=["backup", "restore", str(backup_file)])
    assert result.exit_code == 0, result.output
    with target.app_context():
        db.engine.dispose()
    assert row_counts(restore_url)["youth"] == row_counts(db_url)["youth"] > 0


def test_a_non_empty_target_is_refused(app, db_url, backup_file):
    before = row_counts(db_url)
    result = restore(app, backup_file, db_url)
    assert result.exit_code == 1
    assert "not empty" in result.output
    assert row_counts(db_url) == before


def test_an_existing_output_file_is_not_overwritten(runner, backup_file):
    before = backup_file.read_bytes()
    result = runner.invoke(args=["backup", "create", str(backup_file)])
    assert result.exit_code == 1 and "already exists" in result.output
    assert backup_file.read_bytes() == before


# The file format, with small chunks so that a file has several.

KEY = bytes(range(32))


def sealed(monkeypatch, data: bytes) -> bytes:
    monkeypatch.setattr(archive, "CHUNK", 10)
    out = io.BytesIO()
    archive.write(out, io.BytesIO(data), KEY, {"database": "sqlite", "revision": "r1"})
    return out.getvalue()


def opened(blob: bytes, key: bytes = KEY) -> bytes:
    stream = io.BytesIO(blob)
    return b"".join(archive.decrypt(stream, archive.read_header(stream), key))


def header_size(blob: bytes) -> int:
    return archive._FIXED.size + struct.unpack(">I", blob[archive._FIXED.size - 4 : archive._FIXED.size])[0]


@pytest.mark.parametrize("data", [b"", b"x" * 10, b"0123456789" * 3 + b"tail"])
def test_archive_round_trip(monkeypatch, data):
    assert opened(sealed(monkeypatch, data)) == data


def test_archive_detects_reordered_dropped_and_cut_chunks(monkeypatch):
    blob = sealed(monkeypatch, b"0123456789abcdefghijABCDEFGHIJ")  # three full chunks, the last one final
    start, size = header_size(blob), 10 + archive.TAG
    head, chunks = blob[:start], [blob[start + i * size : start + (i + 1) * size] for i in range(3)]
    assert head + b"".join(chunks) == blob
    for forged in (
        head + chunks[1] + chunks[0] + chunks[2],  # swapped
        head + chunks[0] + chunks[2],  # one dropped
        head + chunks[0] + chunks[1],  # cut at a chunk boundary
        head + chunks[0],
        head,
    ):
        with pytest.raises(BackupError):
            opened(forged)


def test_archive_names_a_wrong_key_and_a_foreign_file(monkeypatch):
    blob = sealed(monkeypatch, b"data")
    with pytest.raises(BackupError, match="another backup key"):
        opened(blob, bytes(32))
    with pytest.raises(BackupError, match="not a Senda backup"):
        opened(b"SQLite format 3\0" + blob)


def test_development_key_file_without_backup_key_gets_one(tmp_path):
    path = tmp_path / "keys.json"
    old = {"data_keys": f"k1:{new_key()}", "blind_index_key": new_key(), "audit_key": new_key()}
    path.write_text(json.dumps(old))
    keys = load_keys({"KEYS_FILE": str(path), "GENERATE_KEYS": True})
    stored = json.loads(path.read_text())
    assert {k: stored[k] for k in old} == old
    assert len(keys.backup_key) == 32 and stored["backup_key"]
    assert oct(path.stat().st_mode & 0o777) == "0o600"
