"""A worker killed with SIGKILL in the middle of a multi-row write (dropping
a case: the case, its status history, its enrollment, the audit event and
the audit head): the change and its audit event are both kept or both gone,
the audit chain still verifies, and SQLite's file is intact. Runs on SQLite,
and on PostgreSQL in the PostgreSQL pass."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from app.audit.models import AuditEvent
from app.extensions import db
from app.programs.models import Enrollment
from app.youth.models import StatusChange, Youth

ROOT = Path(__file__).resolve().parent.parent


def active_case(app) -> str:
    """A case in worker.sv's caseload that is in a program (its enrollment ends when dropped)."""
    from tests.youth_helpers import user_id

    worker = user_id(app, "worker.sv")
    with app.app_context():
        return db.session.scalar(
            select(Youth.case_code).where(Youth.status == "active", Youth.assigned_worker_id == worker,
                                          Youth.current_program_id.is_not(None)).order_by(Youth.id).limit(1))


def seen_fresh(url: str, code: str) -> dict:
    """What a new connection sees of the case, its history and the audit log."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            youth_id, status, version = conn.execute(
                select(Youth.id, Youth.status, Youth.version).where(Youth.case_code == code)).one()
            return {
                "case": (status, version),
                "history": conn.scalars(select(StatusChange.to_status).where(StatusChange.youth_id == youth_id)
                                        .order_by(StatusChange.id)).all(),
                "enrollments": conn.execute(select(Enrollment.status, Enrollment.end_on)
                                            .where(Enrollment.youth_id == youth_id).order_by(Enrollment.id)).all(),
                "status_events": conn.scalars(select(AuditEvent.seq).where(
                    AuditEvent.action == "youth.status", AuditEvent.object_id == code)).all(),
                "last_seq": conn.scalar(select(func.max(AuditEvent.seq))),
            }
    finally:
        engine.dispose()


def kill_worker_at(url: str, code: str, where: str) -> tuple[str, dict]:
    """Start the worker, wait until it stops at ``where``, note what a fresh
    connection sees then, and kill -9 it. Returns the worker's line and that view."""
    worker = subprocess.Popen([sys.executable, "-m", "tests.fault_worker", url, code, where], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = worker.stdout.readline().strip()
        assert line.startswith("paused"), f"the worker did not stop: {line!r} {worker.stderr.read()[-3000:]}"
        while_paused = seen_fresh(url, code)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        worker.stdin.close()
        worker.stdout.close()
        worker.stderr.close()
    assert worker.returncode == -signal.SIGKILL
    return line, while_paused


def assert_store_intact(app, runner, url: str) -> None:
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "Audit chain intact" in result.output, result.output
    if url.startswith("sqlite"):
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.scalar(text("PRAGMA integrity_check")) == "ok"
        engine.dispose()


def test_killed_before_commit_keeps_neither_the_change_nor_its_event(app, runner, db_url):
    code = active_case(app)
    before = seen_fresh(db_url, code)
    line, while_paused = kill_worker_at(db_url, code, "before-commit")

    # The worker's own transaction held the change and its audit event ...
    assert line == f"paused dropped {while_paused['last_seq'] + 1}"
    assert while_paused["case"] == before["case"] and while_paused["status_events"] == before["status_events"]
    after = seen_fresh(db_url, code)
    # ... and after the kill neither is there: the case is as it was.
    assert after["case"] == before["case"] == ("active", before["case"][1])
    assert after["history"] == before["history"] and after["enrollments"] == before["enrollments"]
    assert after["status_events"] == before["status_events"] and after["last_seq"] == while_paused["last_seq"]
    assert_store_intact(app, runner, db_url)


def test_killed_after_commit_keeps_both_the_change_and_its_event(app, runner, db_url):
    code = active_case(app)
    before = seen_fresh(db_url, code)
    line, _ = kill_worker_at(db_url, code, "after-commit")

    assert line == "paused"
    after = seen_fresh(db_url, code)
    assert after["case"][0] == "dropped" and after["case"][1] > before["case"][1]  # saved, with a new version
    assert after["history"] == [*before["history"], "dropped"]
    ended = [(status, end_on is not None) for status, end_on in after["enrollments"]]
    assert ("dropped", True) in ended and ("active", False) not in ended
    assert after["status_events"] == [*before["status_events"], after["last_seq"]]
    assert_store_intact(app, runner, db_url)
