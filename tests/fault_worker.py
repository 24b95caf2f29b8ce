"""A process that drops a case through the app (login, form, view, service,
audit hook: a real request, through the test client) and stops on the way
to be killed with SIGKILL by tests/test_faults_kill.py.

    python -m tests.fault_worker DATABASE_URL CASE_CODE before-commit|after-commit

before-commit stops inside the transaction, every row written and the audit
event inserted, just before COMMIT is sent; it prints what its own
transaction sees ("paused <status> <last audit seq>"). after-commit stops
once the commit has returned ("paused"). Either way it then waits forever."""

import sys

from flask import has_request_context, request
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app import create_app
from app.audit.models import AuditEvent
from app.extensions import db
from app.youth.models import Youth
from tests.conftest import login, make_config, post_form

ENDPOINT = "youth.status"


def main(url: str, code: str, where: str) -> None:
    app = create_app(make_config(url))

    def before_commit(conn):
        if has_request_context() and request.endpoint == ENDPOINT:
            status = conn.scalar(select(Youth.status).where(Youth.case_code == code))
            seq = conn.scalar(select(func.max(AuditEvent.seq)))
            wait(f"paused {status} {seq}")

    def after_commit(session):
        if has_request_context() and request.endpoint == ENDPOINT:
            wait("paused")

    with app.app_context():
        if where == "before-commit":
            event.listen(db.engine, "commit", before_commit)
        else:
            event.listen(Session, "after_commit", after_commit)
        version = db.session.scalar(select(Youth.version).where(Youth.case_code == code))
        db.session.remove()
    client = app.test_client()
    login(client, "worker.sv")
    post_form(client, f"/cases/{code}/status",
              {"to_status": "dropped", "exit_reason": "lost_contact", "version": version},
              form_url=f"/cases/{code}")
    print("not stopped", flush=True)


def wait(message: str) -> None:
    print(message, flush=True)
    sys.stdin.read()  # the test never writes: this blocks until the kill


if __name__ == "__main__":
    main(*sys.argv[1:])
