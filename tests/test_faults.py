"""Database faults answered with the translated 503 page: which errors mean
"unavailable", and SQLite's disk full in the middle of a multi-row write."""

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from app.audit.models import AuditEvent
from app.casework.models import ServiceContact
from app.extensions import db
from app.youth.models import Youth
from tests.conftest import PG_URL, csrf_token
from tests.youth_helpers import user_id

UNAVAILABLE = "El servicio no está disponible por un momento. No se guardó nada."
UNEXPECTED = "Ocurrió un error inesperado. No se guardó nada."


@pytest.mark.parametrize(("error", "status", "message"), [
    (OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly")), 503, UNAVAILABLE),
    (OperationalError("INSERT", {}, Exception("database or disk is full")), 503, UNAVAILABLE),
    (InterfaceError("SELECT 1", {}, Exception("the connection is closed"), connection_invalidated=True), 503, UNAVAILABLE),
    (InterfaceError("SELECT 1", {}, Exception("bad parameter")), 500, UNEXPECTED),
    (IntegrityError("INSERT", {}, Exception("duplicate key")), 500, UNEXPECTED),
], ids=["disconnect", "full", "invalidated", "interface", "integrity"])
def test_only_an_unavailable_database_is_a_503(app, client, auth, error, status, message):
    @app.route("/fault")
    def fault():
        raise error

    auth.login("worker.sv")
    response = client.get("/fault")
    body = response.get_data(as_text=True)
    assert response.status_code == status and message in body
    assert "Código para soporte técnico:" in body and "Traceback" not in body and "Exception(" not in body
    # Shown as to a signed-out visitor: the page must not need the database.
    assert ("Cerrar sesión" in body) is (status == 500)


def enrolled_case(app) -> str:
    """A case in worker.sv's caseload whose first contact makes it active."""
    worker = user_id(app, "worker.sv")
    with app.app_context():
        return db.session.scalar(select(Youth.case_code).where(
            Youth.status == "enrolled", Youth.assigned_worker_id == worker).order_by(Youth.id).limit(1))


def seen_fresh(url: str, code: str) -> tuple:
    """The case, its contacts and the audit log, as a new connection sees them."""
    engine = create_engine(url)
    with engine.connect() as conn:
        youth_id, *case = conn.execute(select(Youth.id, Youth.status, Youth.version, Youth.last_contact_on)
                                       .where(Youth.case_code == code)).one()
        contacts = conn.scalar(select(func.count()).where(ServiceContact.youth_id == youth_id))
        audit = conn.execute(select(func.count(), func.max(AuditEvent.seq))).one()
    engine.dispose()
    return tuple(case), contacts, tuple(audit)


@pytest.mark.skipif(PG_URL is not None, reason="SQLite's full disk: runs in the SQLite pass")
def test_sqlite_full_answers_503_and_keeps_nothing(app, client, auth, db_url, today):
    code = enrolled_case(app)
    auth.login("worker.sv")
    url = f"/cases/{code}/contacts/new"
    contact = {"kind": "individual", "contact_on": today.isoformat(), "minutes": "45",
               "summary": "x" * 4000, "csrf_token": csrf_token(client, url)}
    with app.app_context():
        engine = db.engine
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM")  # no free pages left inside the file
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

    def no_room_to_grow(dbapi_connection, _):
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(engine, "connect", no_room_to_grow)
    engine.dispose()  # every connection from now on has the limit
    before = seen_fresh(db_url, code)

    response = client.post(url, data=contact)
    assert response.status_code == 503
    assert UNAVAILABLE in response.get_data(as_text=True)
    assert seen_fresh(db_url, code) == before  # the contact, the case and its audit events: all or nothing
    check = create_engine(db_url)
    with check.connect() as conn:
        assert conn.scalar(text("PRAGMA integrity_check")) == "ok"
    check.dispose()

    event.remove(engine, "connect", no_room_to_grow)  # the same write, with room: it is kept
    engine.dispose()
    assert client.post(url, data=contact).status_code == 302
    case, contacts, (events, _) = seen_fresh(db_url, code)
    assert case[0] == "active" and contacts == before[1] + 1 and events > before[2][0]
