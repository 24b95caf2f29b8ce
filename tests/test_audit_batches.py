"""The audit log without a shared row: events are inserted by concurrent
transactions without waiting on each other, the seal job puts them under
RFC 9162 Merkle trees with signed, chained heads, verify finds tampering in
sealed batches and names the batch or event, every sealed event has an
inclusion proof, and /healthz says how far sealing lags."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from app.audit.chain import decode_ranges, encode_ranges, verify
from app.audit.merkle import inclusion_path, leaf_hash, root_from_path, tree_hash
from app.audit.models import AuditBatch, AuditEvent
from app.audit.seal import SealDeferred, prove, seal
from app.audit.service import PENDING, _write_pending, record
from app.extensions import db
from tests.conftest import PG_URL

# The Merkle tree test vectors of the Certificate Transparency reference
# implementation (RFC 6962/9162 hashing): eight leaves and known roots.
CT_LEAVES = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43",
             bytes(range(0x50, 0x58)), bytes(range(0x60, 0x70))]
CT_ROOTS = {1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"}


def key(app) -> bytes:
    return app.extensions["senda_keys"].audit_key


def seal_now(app):
    with app.app_context():
        batch = seal(db.session, key(app))
        db.session.commit()
        return None if batch is None else (batch.id, batch.first_id, batch.last_id)


def add_events(app, n: int) -> list[int]:
    with app.app_context():
        for i in range(n):
            record("user.update", object_type="user", object_id=i, detail=f"n={i}")
            db.session.commit()
        return db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(n)).all()[::-1]


def tamper(app, *statements):
    with app.app_context():
        if PG_URL:
            db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            db.session.execute(text("ALTER TABLE audit_batches DISABLE TRIGGER USER"))
        for sql in statements:
            db.session.execute(text(sql))
        if PG_URL:
            db.session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
            db.session.execute(text("ALTER TABLE audit_batches ENABLE TRIGGER USER"))
        db.session.commit()


def verify_output(runner):
    result = runner.invoke(args=["audit", "verify"])
    return result.exit_code, result.output


# --- the Merkle tree ---------------------------------------------------------

def test_tree_hash_matches_the_certificate_transparency_vectors():
    leaves = [leaf_hash(d) for d in CT_LEAVES]
    assert tree_hash([]).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    for size, root in CT_ROOTS.items():
        assert tree_hash(leaves[:size]).hex() == root


def test_every_inclusion_path_leads_to_the_root_and_only_there():
    for size in range(1, 20):
        leaves = [leaf_hash(bytes([i])) for i in range(size)]
        root = tree_hash(leaves)
        for index in range(size):
            path = inclusion_path(leaves, index)
            assert root_from_path(leaves[index], index, size, path) == root
            assert root_from_path(leaf_hash(b"other"), index, size, path) != root
            if size > 1:
                assert root_from_path(leaves[index], (index + 1) % size, size, path) != root


def test_absent_ids_are_stored_as_ranges():
    assert encode_ranges([3, 4, 5, 9, 11, 12]) == "3-5,9,11-12"
    assert decode_ranges("3-5,9,11-12") == {3, 4, 5, 9, 11, 12}
    assert encode_ranges([]) == "" and decode_ranges("") == set()


# --- sealing -------------------------------------------------------------------

def test_seal_covers_every_event_in_id_order_and_chains_the_heads(app, runner):
    first = seal_now(app)  # the demo data's events
    assert first is not None and first[:2] == (1, 1)
    ids = add_events(app, 3)
    second = seal_now(app)
    assert second == (2, first[2] + 1, ids[-1])
    assert seal_now(app) is None  # nothing new
    with app.app_context():
        one, two = db.session.scalars(select(AuditBatch).order_by(AuditBatch.id)).all()
        assert two.prev_head == one.head_mac and two.size == 3 and two.absent == ""
    code, output = verify_output(runner)
    assert code == 0 and "2 batches sealed" in output and "0 events not sealed yet" in output


def test_verify_counts_the_unsealed_window(app, runner):
    seal_now(app)
    add_events(app, 2)
    code, output = verify_output(runner)
    assert code == 0 and "2 events not sealed yet" in output


def sealed_five(app) -> list[int]:
    seal_now(app)
    ids = add_events(app, 5)
    seal_now(app)
    return ids


def test_changed_sealed_event_is_named(app, runner):
    ids = sealed_five(app)
    tamper(app, f"UPDATE audit_events SET detail = 'n=7' WHERE id = {ids[2]}")
    code, output = verify_output(runner)
    assert code == 1 and f"id={ids[2]}:" in output and "does not match its hash" in output


def test_deleted_sealed_event_is_named(app, runner):
    ids = sealed_five(app)
    tamper(app, f"DELETE FROM audit_events WHERE id = {ids[1]}")
    code, output = verify_output(runner)
    assert code == 1 and f"event id {ids[1]} is missing (sealed)" in output


def test_reordered_sealed_events_are_named(app, runner):
    """Two events swap places, each keeping its own id-bound HMAC."""
    ids = sealed_five(app)
    a, b = ids[1], ids[2]
    tamper(app, f"UPDATE audit_events SET id = -1 WHERE id = {a}",
           f"UPDATE audit_events SET id = {a} WHERE id = {b}",
           f"UPDATE audit_events SET id = {b} WHERE id = -1")
    code, output = verify_output(runner)
    assert code == 1 and f"seq={a} id={b}:" in output


def test_inserted_event_in_a_sealed_batch_changes_its_tree(app, runner):
    """An event copied, valid HMAC and all, into an id the batch recorded as
    absent: the event itself checks out, the batch does not."""
    seal_now(app)
    ids = add_events(app, 3)
    tamper(app, f"DELETE FROM audit_events WHERE id = {ids[1]}")  # absent when sealed
    batch = seal_now(app)
    with app.app_context():
        assert db.session.get(AuditBatch, batch[0]).absent == str(ids[1])
    tamper(app, f"DELETE FROM audit_events WHERE id = {ids[2]}",
           f"INSERT INTO audit_events (id, seq, at, action, outcome, entry_hash) "
           f"SELECT {ids[1]}, {ids[1]}, at, action, outcome, entry_hash FROM audit_events WHERE id = {ids[0]}")
    code, output = verify_output(runner)
    assert code == 1 and f"id={ids[1]}:" in output


def test_a_changed_tree_head_is_named_by_its_batch(app, runner):
    sealed_five(app)
    tamper(app, "UPDATE audit_batches SET size = size + 1 WHERE id = 2")
    code, output = verify_output(runner)
    assert code == 1 and "BROKEN at batch 2" in output and "signature" in output


def test_a_deleted_tree_head_is_named(app, runner):
    seal_now(app)
    add_events(app, 1)
    seal_now(app)
    add_events(app, 1)
    seal_now(app)
    tamper(app, "DELETE FROM audit_batches WHERE id = 2")
    code, output = verify_output(runner)
    assert code == 1 and "BROKEN at batch 2" in output


# --- inclusion proofs ----------------------------------------------------------

def test_prove_gives_an_audit_path_to_the_signed_head(app, runner):
    ids = sealed_five(app)
    result = runner.invoke(args=["audit", "prove", str(ids[3])])
    assert result.exit_code == 0, result.output
    assert "leaf 3 of 5 in batch 2" in result.output and "proof valid" in result.output
    with app.app_context():
        proof = prove(db.session, ids[3])
        assert proof.valid and len(proof.path) == 3  # a tree of five leaves: depth 3 for leaf 3
    tamper(app, f"UPDATE audit_events SET outcome = 'denied' WHERE id = {ids[3]}")
    assert "proof INVALID" in runner.invoke(args=["audit", "prove", str(ids[3])]).output


def test_prove_refuses_an_unsealed_event(app, runner):
    seal_now(app)
    ids = add_events(app, 1)
    result = runner.invoke(args=["audit", "prove", str(ids[0])])
    assert result.exit_code == 1 and "not sealed" in result.output


# --- the lag, in /healthz ------------------------------------------------------

def test_healthz_reports_the_unsealed_window_without_personal_data(app, client):
    seal_now(app)
    start = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        add_events(app, 2)
    with time_machine.travel(start + timedelta(seconds=42), tick=False):
        audit = client.get("/healthz").json["audit"]
    assert audit == {"unsealed_events": 2, "seal_lag_seconds": 42.0, "sealing": "lagging",
                     "max_lag_seconds": app.config["AUDIT_SEAL_MAX_LAG"]}
    seal_now(app)
    audit = client.get("/healthz").json["audit"]
    assert audit["unsealed_events"] == 0 and audit["seal_lag_seconds"] == 0 and audit["sealing"] == "ok"


def test_sqlite_rollback_leaves_no_gap(app, runner):
    if PG_URL:
        pytest.skip("SQLite's id counter is transactional; PostgreSQL's sequence is not")
    seal_now(app)
    with app.app_context():
        record("user.update", object_type="user", object_id=1)
        _write_pending(db.session)
        db.session.rollback()
    add_events(app, 1)
    code, output = verify_output(runner)
    assert code == 0, output


# --- PostgreSQL: no wait between writers ----------------------------------------

def pending_values(app) -> list[dict]:
    record("user.update", object_type="user", object_id="concurrent", detail="n=1")
    values = db.session.info.pop(PENDING)
    db.session.rollback()
    return values


@pytest.mark.skipif(not PG_URL, reason="concurrent writers: PostgreSQL (SQLite has one writer)")
def test_two_transactions_hold_uncommitted_events_at_once(app, runner):
    """Each transaction inserts its event before either commits; neither
    waits (lock_timeout would raise). With the old head row, the second
    would have waited for the first to commit. The sealer, meanwhile, does
    not seal past the id still in flight."""
    seal_now(app)
    engine = create_engine(PG_URL)
    with app.app_context():
        values = pending_values(app)
        first, second = Session(engine), Session(engine)
        try:
            for session in (first, second):
                session.execute(text("SET lock_timeout = '2s'"))
                session.info[PENDING] = [dict(v) for v in values]
                _write_pending(session)
            with engine.connect() as observer:
                mine = observer.scalar(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' "
                    "AND datname = current_database()"))
                waiting = observer.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted"))
            assert mine >= 2 and waiting == 0
            second.commit()  # the later id commits first
            with pytest.raises(SealDeferred):
                seal(db.session, key(app), wait=0.3)
            db.session.rollback()
            first.commit()
        finally:
            first.close()
            second.close()
            engine.dispose()
    batch = seal_now(app)
    with app.app_context():
        sealed = db.session.get(AuditBatch, batch[0])
        assert sealed.size == 2 and sealed.absent == ""
    code, output = verify_output(runner)
    assert code == 0, output


@pytest.mark.skipif(not PG_URL, reason="sequence gaps happen on PostgreSQL")
def test_an_id_that_never_commits_is_reported_then_sealed_as_absent(app, runner):
    seal_now(app)
    with app.app_context():
        record("user.update", object_type="user", object_id=1)
        _write_pending(db.session)
        lost = db.session.scalar(select(func.max(AuditEvent.id)))
        db.session.rollback()
    add_events(app, 1)
    code, output = verify_output(runner)
    assert code == 1 and f"event id {lost} is missing (not yet sealed)" in output
    batch = seal_now(app)
    with app.app_context():
        assert db.session.get(AuditBatch, batch[0]).absent == str(lost)
    code, output = verify_output(runner)
    assert code == 0 and "1 ids absent when sealed" in output


@pytest.mark.skipif(not PG_URL, reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_update_and_delete_of_tree_heads(app):
    seal_now(app)
    with app.app_context():
        for sql in ("UPDATE audit_batches SET size = 0", "DELETE FROM audit_batches",
                    "TRUNCATE audit_batches"):
            with pytest.raises(Exception, match="append-only"):
                db.session.execute(text(sql))
            db.session.rollback()


@pytest.mark.skipif(not PG_URL, reason="one sealer at a time: the PostgreSQL advisory lock")
def test_two_sealers_do_not_seal_the_same_events_twice(app):
    seal_now(app)
    add_events(app, 2)
    results, errors = [], []

    def run():
        try:
            results.append(seal_now(app))
        except Exception as error:  # noqa: BLE001 - reported by the assert below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and results.count(None) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditBatch)) == 2


# --- an existing log, from before migration 0010 --------------------------------

def test_events_chained_before_0010_still_verify_and_are_sealed(tmp_path, template_url):
    """A log written by the old code (hash chain, head row) upgraded to 0010:
    verify checks the old chain, new events follow it, one seal covers both,
    and a change to an old event is still found."""
    from flask_migrate import upgrade

    from app.audit.chain import GENESIS, entry_hash
    from tests.test_migrations import fresh_app

    app = fresh_app(tmp_path)
    with app.app_context():
        upgrade(revision="0009_summary_refreshes")
        prev, at = GENESIS, datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
        for seq in (1, 2, 3):  # ids 2, 4, 6: the old chain numbered by seq, ids could have gaps
            event = AuditEvent(seq=seq, at=at, user_id=None, role=None, organization_id=None,
                               action="auth.login", object_type=None, object_id=None, outcome="allowed",
                               ip=None, user_agent=None, detail=f"n={seq}")
            digest = entry_hash(key(app), prev, event)
            db.session.execute(text(
                "INSERT INTO audit_events (id, seq, at, action, outcome, detail, prev_hash, entry_hash) "
                "VALUES (:id, :seq, :at, 'auth.login', 'allowed', :detail, :prev, :hash)"),
                {"id": seq * 2, "seq": seq, "at": at, "detail": f"n={seq}", "prev": prev, "hash": digest})
            prev = digest
        db.session.execute(text("UPDATE audit_head SET seq = 3, head_hash = :h WHERE id = 1"), {"h": prev})
        if PG_URL:
            db.session.execute(text("SELECT setval(pg_get_serial_sequence('audit_events', 'id'), 6)"))
        db.session.commit()
        upgrade()
        assert verify(db.session, key(app)).ok
        record("user.update", object_type="user", object_id=1)
        db.session.commit()
        result = verify(db.session, key(app))
        assert result.ok and result.checked == 4 and result.unsealed == 4
        batch = seal(db.session, key(app))
        db.session.commit()
        assert (batch.first_id, batch.last_id, batch.size, batch.absent) == (1, 7, 4, "1,3,5")
        result = verify(db.session, key(app))
        assert result.ok and result.unsealed == 0
        if PG_URL:
            db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        db.session.execute(text("UPDATE audit_events SET detail = 'n=9' WHERE seq = 2"))
        db.session.commit()
        result = verify(db.session, key(app))
        assert not result.ok and (result.broken_seq, result.broken_id) == (2, 4)
        if PG_URL:
            db.session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
