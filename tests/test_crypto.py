"""Encryption at rest and blind indexes."""

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.accounts.models import User
from app.extensions import db
from app.security.crypto import DecryptionError, blind_index, normalize
from app.security.keys import KeySet, new_key, parse_data_keys
from tests.conftest import PG_URL

NAMES = ("Wendy Trabajadora López", "worker.sv@demo.example.org", "Ana Administradora")


def demo_user(username="worker.sv") -> User:
    return db.session.scalar(select(User).where(User.username == username))


def test_values_round_trip_and_are_stored_sealed(ctx):
    user = demo_user()
    assert user.full_name == "Wendy Trabajadora López"
    stored = db.session.execute(text("SELECT full_name, email FROM users WHERE username = 'worker.sv'")).one()
    for blob in stored:
        assert b"Wendy" not in bytes(blob) and b"worker.sv" not in bytes(blob)
        assert bytes(blob)[0] == 1 and bytes(blob)[2:4] == b"k1"  # format 1, key id k1


@pytest.mark.skipif(bool(PG_URL), reason="inspects the SQLite file")
def test_sqlite_file_holds_no_plaintext_name_or_email(app, db_url):
    path = db_url.removeprefix("sqlite:///")
    with app.app_context():
        db.session.execute(text("PRAGMA wal_checkpoint(FULL)"))
        db.engine.dispose()
    raw = Path(path).read_bytes()
    for value in NAMES:
        assert value.encode() not in raw, value
    assert b"worker.sv" in raw  # usernames are not encrypted: the check itself works


@pytest.mark.skipif(not PG_URL, reason="inspects a pg_dump of PostgreSQL")
def test_pg_dump_holds_no_plaintext_name_or_email(app):
    pg_dump = shutil.which("pg_dump") or "/usr/lib/postgresql/15/bin/pg_dump"
    url = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    dump = subprocess.run([pg_dump, "--data-only", url], capture_output=True, check=True).stdout
    assert b"worker.sv" in dump
    for value in NAMES:
        assert value.encode() not in dump, value


def test_a_ciphertext_moved_to_another_row_does_not_decrypt(ctx):
    worker, admin = demo_user("worker.sv"), demo_user("admin")
    admin.full_name_ct = worker.full_name_ct
    with pytest.raises(DecryptionError):
        _ = admin.full_name


def test_a_ciphertext_moved_to_another_column_does_not_decrypt(ctx):
    worker = demo_user("worker.sv")
    worker.email_ct = worker.full_name_ct
    with pytest.raises(DecryptionError):
        _ = worker.email


def test_blind_index_finds_accented_names_from_plain_typing(ctx):
    assert normalize("  José   RAMÍREZ ") == "jose ramirez"
    assert blind_index("José Ramírez") == blind_index("jose  ramirez")
    assert blind_index("José Ramírez") != blind_index("José Ramos")
    user = demo_user()
    user.email = "José.Ramírez@example.org"
    db.session.commit()
    found = db.session.scalar(select(User.username).where(User.email_bidx == blind_index("jose.ramirez@EXAMPLE.org")))
    assert found == "worker.sv"


def test_blind_index_is_keyed(ctx, app):
    keys = app.extensions["senda_keys"]
    other = KeySet(keys.data_keys, keys.newest_key_id, b"x" * 32, keys.audit_key, keys.backup_key)
    assert blind_index("jose ramirez", other) != blind_index("jose ramirez")


def test_rotation_re_encrypts_everything_and_a_second_run_is_a_no_op(app, runner):
    with app.app_context():
        before = {u.username: (u.full_name, u.email) for u in db.session.scalars(select(User))}
    keys = app.extensions["senda_keys"]
    ring = dict(keys.data_keys) | parse_data_keys(f"k2:{new_key()}")
    app.extensions["senda_keys"] = KeySet(ring, "k2", keys.blind_index_key, keys.audit_key, keys.backup_key)
    first = runner.invoke(args=["keys", "rotate", "--batch", "3"])
    assert first.exit_code == 0, first.output
    assert "users.full_name: 8 values" in first.output and "k1" in first.output.splitlines()[-1]
    second = runner.invoke(args=["keys", "rotate"])
    assert "users.full_name: 0 values" in second.output and "users.email: 0 values" in second.output
    with app.app_context():
        after = {u.username: (u.full_name, u.email) for u in db.session.scalars(select(User))}
        blobs = db.session.execute(text("SELECT full_name FROM users")).scalars().all()
    assert after == before
    assert all(bytes(b)[2:4] == b"k2" for b in blobs)
    # the old key can go: a ring with only k2 still reads everything
    app.extensions["senda_keys"] = KeySet({"k2": ring["k2"]}, "k2", keys.blind_index_key, keys.audit_key, keys.backup_key)
    with app.app_context():
        assert {u.username: (u.full_name, u.email) for u in db.session.scalars(select(User))} == before


def test_rotation_resumes_after_an_interruption(app, runner):
    keys = app.extensions["senda_keys"]
    ring = dict(keys.data_keys) | parse_data_keys(f"k2:{new_key()}")
    app.extensions["senda_keys"] = KeySet(ring, "k2", keys.blind_index_key, keys.audit_key, keys.backup_key)
    from app.security.rotation import rotate

    with app.app_context():
        progress = rotate(db.session, batch=2)
        next(progress)  # stopped after the users table's first field: batches committed
        db.session.rollback()
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0
    with app.app_context():
        blobs = db.session.execute(text("SELECT full_name, email FROM users")).all()
    assert all(bytes(b)[2:4] == b"k2" for row in blobs for b in row if b is not None)
