"""The audit log: every event kind is written in the same transaction as
its change, the chain detects tampering, and only auditors read it all."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.accounts.models import User
from app.audit.actions import ACTION_LABELS
from app.audit.chain import verify
from app.audit.models import AuditBatch, AuditEvent
from app.audit.seal import seal
from app.audit.service import record
from app.extensions import db
from tests.conftest import PG_URL, csrf_token, login, post_form

APP_DIR = Path(__file__).resolve().parent.parent / "app"


def events(app, action=None):
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.seq)
        if action:
            query = query.where(AuditEvent.action == action)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def user_id(app, username):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def last(app, action):
    found = events(app, action)
    assert found, f"no {action} event"
    return found[-1]


# --- one test per event kind -------------------------------------------------

def test_login_success_is_recorded_with_who_and_where(app, client):
    login(client, "worker.sv", headers={"User-Agent": "TestPhone/1.0"})
    event = last(app, "auth.login")
    assert (event.outcome, event.user_id, event.role) == ("allowed", user_id(app, "worker.sv"), "social_worker")
    assert event.ip == "127.0.0.1" and event.user_agent == "TestPhone/1.0"
    assert event.organization_id is not None


def test_login_failures_are_recorded_without_the_typed_username(app, client):
    login(client, "worker.sv", "wrong-password-1")
    login(client, "no.such.person", "wrong-password-1")
    failures = events(app, "auth.login")
    assert [(e.outcome, e.detail) for e in failures] == [("failed", "bad_password"), ("failed", "unknown_user")]
    assert all("no.such.person" not in (e.detail or "") for e in failures)


def test_lockout_is_recorded(app, client):
    for _ in range(5):
        login(client, "worker.sv", "wrong-password-1")
    event = last(app, "auth.lockout")
    assert event.outcome == "denied" and event.object_id == str(user_id(app, "worker.sv"))


def test_logout_is_recorded(app, client, auth):
    auth.login("worker.sv")
    auth.logout()
    assert last(app, "auth.logout").user_id == user_id(app, "worker.sv")


def test_password_change_is_recorded(app, client, auth):
    auth.login("worker.sv")
    new = "otra frase bastante larga"
    post_form(client, "/auth/password", {"current_password": "Senda-demo-2026",
                                         "new_password": new, "confirm": new})
    assert last(app, "auth.password_change").object_id == str(user_id(app, "worker.sv"))


def test_password_reset_by_admin_is_recorded(app, client, auth):
    auth.login("admin")
    target = user_id(app, "police.sv")
    post_form(client, f"/admin/users/{target}/password", {}, form_url=f"/admin/users/{target}")
    event = last(app, "user.password_reset")
    assert event.object_id == str(target) and event.role == "admin"


def admin_edit(app, client, username, **changes):
    with app.app_context():
        u = db.session.scalar(select(User).where(User.username == username))
        data = {"username": u.username, "full_name": u.full_name, "email": u.email or "",
                "role": u.role, "organization_id": u.organization_id, "locale": u.locale or "es",
                "scope": ", ".join(s.code for s in u.scopes), "active": "y", "version": u.version}
        uid = u.id
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not None}
    return post_form(client, f"/admin/users/{uid}", data)


def test_user_create_is_recorded(app, client, auth):
    auth.login("admin")
    with app.app_context():
        org = db.session.scalar(select(User.organization_id).where(User.username == "worker.sv"))
    post_form(client, "/admin/users/new", {"username": "nuevo", "full_name": "Nuevo Nombre",
              "email": "", "role": "police", "organization_id": org, "scope": "", "locale": "es"})
    event = last(app, "user.create")
    assert event.object_id == str(user_id(app, "nuevo")) and event.detail == "role=police"


def test_user_edit_records_field_names_not_values(app, client, auth):
    auth.login("admin")
    admin_edit(app, client, "worker.sv", full_name="Nombre Secreto Cambiado")
    event = last(app, "user.update")
    assert event.detail == "fields=full_name"
    assert "Secreto" not in " ".join(str(getattr(event, c.name)) for c in AuditEvent.__table__.c)


def test_role_change_is_recorded(app, client, auth):
    auth.login("admin")
    admin_edit(app, client, "worker.sv", role="coordinator")
    assert last(app, "user.role_change").detail == "from=social_worker;to=coordinator"


def test_scope_change_is_recorded(app, client, auth):
    auth.login("admin")
    admin_edit(app, client, "worker.sv", scope="SV-SS-001")
    assert last(app, "user.scope_change").detail == "units=1"


def test_deactivation_is_recorded(app, client, auth):
    auth.login("admin")
    admin_edit(app, client, "worker.sv", active=None)
    assert last(app, "user.deactivate").object_id == str(user_id(app, "worker.sv"))


def test_denied_access_is_recorded(app, client, auth):
    auth.login("police.sv")
    assert client.get("/admin/users").status_code == 403
    event = last(app, "access.denied")
    assert event.outcome == "denied" and event.detail == "endpoint=admin.users"


def test_key_rotation_is_recorded(app, runner):
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert last(app, "keys.rotate").detail.startswith("key=k1;")


def test_viewing_and_exporting_the_audit_log_are_recorded(app, client, auth):
    auth.login("auditor")
    client.get("/audit/?action=auth.login")
    assert last(app, "audit.view").detail == "filters=action"
    response = client.get("/audit/export.csv")
    response.get_data()
    response.close()
    assert last(app, "audit.export").user_id == user_id(app, "auditor")


def test_organization_change_is_recorded(app, client, auth):
    auth.login("admin")
    post_form(client, "/admin/organizations/new", {"name": "Nueva ONG", "kind": "ngo",
              "country_code": "SV", "municipalities": ""})
    assert last(app, "organization.create").object_type == "organization"


# --- transactions ------------------------------------------------------------

def test_a_failed_transaction_keeps_neither_the_change_nor_its_event(app):
    with app.app_context():
        before = db.session.scalar(text("SELECT count(*) FROM audit_events"))
        u = db.session.scalar(select(User).where(User.username == "worker.sv"))
        u.locale = "en"
        record("user.update", object_type="user", object_id=u.id, detail="fields=locale")
        u.username = "admin"  # violates the unique constraint at commit
        with pytest.raises(Exception):  # noqa: B017 - any integrity error
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(text("SELECT count(*) FROM audit_events")) == before
        assert db.session.scalar(select(User.locale).where(User.username == "worker.sv")) == "es"


def test_an_event_without_commit_is_not_written(app):
    with app.app_context():
        before = db.session.scalar(text("SELECT count(*) FROM audit_events"))
        record("user.update", object_type="user", object_id=1)
        db.session.rollback()
        db.session.commit()
        assert db.session.scalar(text("SELECT count(*) FROM audit_events")) == before


# --- tamper evidence ---------------------------------------------------------

def make_events(app, n=5, sealed=False) -> int:
    """Add n events (then seal them if asked); returns the sequence number
    before them."""
    with app.app_context():
        base = db.session.scalar(text("SELECT COALESCE(MAX(seq), 0) FROM audit_events"))
        for i in range(n):
            record("user.update", object_type="user", object_id=i, detail=f"n={i}")
            db.session.commit()
        if sealed:
            seal(db.session, app.extensions["senda_keys"].audit_key)
            db.session.commit()
    return base


def tamper(app, sql):
    """Run SQL against the audit table as its owner (the trigger is disabled
    for the statement on PostgreSQL, as an attacker with owner rights could)."""
    with app.app_context():
        if PG_URL:
            db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        db.session.execute(text(sql))
        if PG_URL:
            db.session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        db.session.commit()


def run_verify(runner):
    return runner.invoke(args=["audit", "verify"])


def test_verify_passes_on_a_clean_log(app, runner):
    base = make_events(app)
    result = run_verify(runner)
    assert result.exit_code == 0 and f"{base + 5} events" in result.output


# Each case: SQL with {b} = the sequence number before the five new events,
# and the offset (from {b}) of the event verify must name.
TAMPERING = {
    "changed detail": (["UPDATE audit_events SET detail = 'n=99' WHERE seq = {b} + 3"], 3),
    "changed outcome": (["UPDATE audit_events SET outcome = 'denied' WHERE seq = {b} + 2"], 2),
    "deleted in the middle": (["DELETE FROM audit_events WHERE seq = {b} + 4"], 5),
    "deleted at the end": (["DELETE FROM audit_events WHERE seq = {b} + 5"], 5),
    "inserted at the end": ([
        "INSERT INTO audit_events (seq, at, action, outcome, prev_hash, entry_hash) "
        "SELECT seq + 1, at, 'auth.login', 'allowed', entry_hash, entry_hash "
        "FROM audit_events WHERE seq = {b} + 5"], 6),
    "swapped pair": ([
        "UPDATE audit_events SET seq = seq + 1000 WHERE seq IN ({b} + 2, {b} + 3)",
        "UPDATE audit_events SET seq = {b} + 3 WHERE seq = {b} + 1002",
        "UPDATE audit_events SET seq = {b} + 2 WHERE seq = {b} + 1003"], 2),
}


@pytest.mark.parametrize("sealed", [True, False], ids=["sealed", "unsealed"])
@pytest.mark.parametrize("case", TAMPERING)
def test_verify_fails_naming_the_first_broken_event(app, runner, case, sealed):
    if PG_URL and not sealed and case == "deleted at the end":
        pytest.skip("PostgreSQL: the last event, deleted before it is sealed, looks like a "
                    "transaction that took an id and did not commit (docs/operations.md)")
    statements, offset = TAMPERING[case]
    base = make_events(app, sealed=sealed)
    for sql in statements:
        tamper(app, sql.format(b=base))
    result = run_verify(runner)
    assert result.exit_code == 1
    assert f"seq={base + offset} " in result.output


def test_anchor_prints_the_head(app, runner):
    base = make_events(app, 2, sealed=True)
    seq, digest = runner.invoke(args=["audit", "anchor"]).output.split()
    with app.app_context():
        head = db.session.scalar(select(AuditBatch.head_mac).where(AuditBatch.last_id == base + 2))
    assert (seq, digest) == (str(base + 2), head)


@pytest.mark.skipif(not PG_URL, reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_update_and_delete_of_audit_rows(app):
    make_events(app, 1)
    with app.app_context():
        for sql in ("UPDATE audit_events SET detail = 'x'", "DELETE FROM audit_events",
                    "TRUNCATE audit_events"):
            with pytest.raises(Exception, match="append-only"):
                db.session.execute(text(sql))
            db.session.rollback()


# --- screens ---------------------------------------------------------------

def test_auditor_sees_the_demo_logins_and_chain_status(app, client, auth):
    login(app.test_client(), "worker.sv")
    auth.login("auditor")
    body = client.get("/audit/?action=auth.login").get_data(as_text=True)
    assert "worker.sv" in body and "Inicio de sesión" in body
    chain = client.get("/audit/chain").get_data(as_text=True)
    assert "intacta" in chain


def test_admin_sees_security_events_only(app, client, auth):
    auth.login("auditor")
    client.get("/audit/")  # an audit.view event
    auth.logout()
    auth.login("admin")
    body = client.get("/audit/").get_data(as_text=True)
    assert "Inicio de sesión" in body and "Registro de auditoría consultado" not in body
    assert client.get("/audit/chain").status_code == 403
    assert client.get("/audit/case?code=SV-1").status_code == 403


def test_export_is_filtered_and_neutralizes_formulas(app, client, auth):
    with app.app_context():
        record("user.update", object_type="user", object_id="=cmd|' /C calc'!A0", detail="+1")
        db.session.commit()
    auth.login("auditor")
    response = client.get("/audit/export.csv?action=user.update")
    body = response.get_data(as_text=True)
    response.close()
    assert response.mimetype == "text/csv"
    assert "'=cmd|" in body and ",'+1" in body
    assert "auth.login" not in body


def test_case_history_lists_events_on_that_case(app, client, auth):
    with app.app_context():
        record("youth.view", object_type="youth", object_id="SV-0001-000001", user=None)
        record("youth.view", object_type="youth", object_id="SV-0001-000002", user=None)
        db.session.commit()
    auth.login("auditor")
    body = client.get("/audit/case?code=sv-0001-000001").get_data(as_text=True)
    assert "SV-0001-000001" in body and "SV-0001-000002" not in body


def test_non_auditors_get_403_on_every_audit_url(app, client):
    for username in ("coord.sv", "worker.sv", "police.sv", "manager.sv"):
        c = app.test_client()
        login(c, username)
        for url in ("/audit/", "/audit/export.csv", "/audit/case", "/audit/chain"):
            assert c.get(url).status_code == 403, (username, url)


def test_chain_holds_after_a_whole_session_of_activity(app, client, auth):
    auth.login("admin")
    admin_edit(app, client, "worker.sv", role="coordinator", scope="SV")
    csrf_token(client, "/")
    auth.logout()
    with app.app_context():
        result = verify(db.session, app.extensions["senda_keys"].audit_key)
    assert result.ok and result.checked >= 4


def test_every_recorded_action_has_a_translated_label():
    """The log shows a label, not a code such as 'youth.status', for every
    action the code records."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in APP_DIR.rglob("*.py"))
    recorded = set(re.findall(r'\b(?:record|audit_case)\(\s*"([a-z_]+\.[a-z_]+)"', source))
    assert len(recorded) > 40
    assert sorted(recorded - set(ACTION_LABELS)) == []
