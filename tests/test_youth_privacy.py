"""Lifecycle of the data: subject-access export, anonymization on request,
retention."""

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from app.audit.models import AuditEvent
from app.casework.models import CaseNote
from app.extensions import db
from app.youth.models import StatusChange, Youth
from tests.youth_helpers import post, youth


def coordinator_case(app, status="active") -> str:
    with app.app_context():
        return db.session.scalar(select(Youth.case_code).where(Youth.status == status,
                                                               Youth.case_code.like("SV-%")).limit(1))


def test_export_needs_a_request_reference_and_is_audited(app, client, auth):
    code = coordinator_case(app)
    auth.login("coord.sv")
    for bad in ("", "Solicitud SAR-2026-014", "María-López", "SAR;detail=x", "-SAR", "S" * 41):
        refused = post(client, f"/cases/{code}/export", {"reference": bad})
        assert refused.status_code == 200 and refused.mimetype == "text/html", bad
    response = post(client, f"/cases/{code}/export", {"reference": " SAR-2026/014 "})
    assert response.mimetype == "application/json"
    record = json.loads(response.get_data(as_text=True))
    case = youth(app, code)
    assert record["Código del caso"] == code and record["Nombres"] == case.given_names
    assert record["Tamizajes de riesgo"] and record["Consentimiento"] and record["Historial de estados"]
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "youth.export")).all()
    assert [(e.object_id, e.detail) for e in events] == [(code, "reference=SAR-2026/014")]


def test_the_auditor_sees_the_request_reference_of_an_export(app, client, auth):
    code = coordinator_case(app)
    auth.login("coord.sv")
    assert post(client, f"/cases/{code}/export", {"reference": "SAR-2026-014"}).mimetype == "application/json"
    auth.logout()
    auth.login("auditor")
    history = client.get(f"/audit/case?code={code}").get_data(as_text=True)
    assert "reference=SAR-2026-014" in history
    listed = client.get("/audit/?action=youth.export").get_data(as_text=True)
    assert "reference=SAR-2026-014" in listed


def test_social_workers_cannot_export(app, client, auth):
    auth.login("worker.sv")
    code = coordinator_case(app)
    assert client.get(f"/cases/{code}/export").status_code == 403


def test_anonymization_on_request_erases_identifiers_and_keeps_counts(app, client, auth):
    code = coordinator_case(app, "completed")
    before = youth(app, code)
    auth.login("coord.sv")
    refused = post(client, f"/cases/{code}/anonymize", {})
    assert refused.status_code == 200 and youth(app, code).anonymized_at is None
    post(client, f"/cases/{code}/anonymize", {"confirm": "y"})
    after = youth(app, code)
    assert after.anonymized_at is not None
    assert after.given_names == "—" and after.guardian_name is None and after.community is None
    assert after.birth_year == before.birth_year and after.status == before.status
    assert after.birth_date != before.birth_date
    with app.app_context():
        notes = db.session.scalars(select(CaseNote).join(Youth).where(Youth.case_code == code)).all()
        assert all(n.body == "—" for n in notes)
        assert db.session.scalar(select(Youth.full_name_bidx).where(Youth.case_code == code)) == "erased"
    body = client.get(f"/cases/{code}").get_data(as_text=True)
    assert before.family_name_1 not in body.split("<main")[1]


def test_retention_anonymizes_only_cases_closed_long_ago(app, runner, today):
    with app.app_context():
        old, recent = db.session.scalars(select(Youth).where(Youth.status == "completed").limit(2)).all()
        old_code, recent_code = old.case_code, recent.case_code
        long_ago = today - timedelta(days=365 * 6)
        old.status_changed_at = datetime(long_ago.year, long_ago.month, long_ago.day, tzinfo=UTC)
        db.session.execute(text("UPDATE status_changes SET changed_on = :d WHERE youth_id = :y AND to_status = 'completed'"),
                           {"d": long_ago, "y": old.id})
        db.session.commit()
    dry = runner.invoke(args=["privacy", "retention", "--years", "5", "--dry-run"])
    assert "1 cases" in dry.output and youth(app, old_code).anonymized_at is None
    result = runner.invoke(args=["privacy", "retention", "--years", "5"])
    assert result.exit_code == 0 and "1 cases anonymized" in result.output
    assert youth(app, old_code).anonymized_at is not None
    assert youth(app, recent_code).anonymized_at is None
    with app.app_context():
        assert db.session.scalar(select(StatusChange.id).join(Youth).where(Youth.case_code == old_code))
    again = runner.invoke(args=["privacy", "retention", "--years", "5"])
    assert "0 cases anonymized" in again.output
