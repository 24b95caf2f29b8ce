"""A social worker's whole journey with a case, through HTTP."""

from datetime import timedelta

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.casework.models import FollowUp, ServiceContact
from app.dates import add_months
from app.extensions import db
from app.programs.models import Enrollment, Program
from app.screening.models import Screening
from app.youth.models import DuplicateDecision, StatusChange, Youth
from tests.youth_helpers import (
    give_consent,
    post,
    register,
    registration,
    screening_answers,
    user_id,
    youth,
)


def program_for(app, code: str) -> int:
    with app.app_context():
        y = db.session.scalar(select(Youth).where(Youth.case_code == code))
        return db.session.scalar(select(Program.id).where(
            Program.organization_id == y.organization_id, Program.municipalities.any(id=y.municipality_id)))


def test_registration_to_completion(app, client, auth, today):
    auth.login("worker.sv")
    code = register(client, app)
    case = youth(app, code)
    assert case.status == "referred" and case.given_names == "José Miguel"
    assert code.startswith("SV-") and "Ram" not in code

    # the same youth again: a duplicate warning with only code, age and municipality
    again = post(client, "/cases/new", registration(app, family_name_1="Portillo", family_name_2="Ramírez",
                                                     given_names="jose  miguel"))
    body = again.get_data(as_text=True)
    assert again.status_code == 200 and code in body and "not_duplicate" in body
    warning = body[body.index('id="duplicates"'):body.index("not_duplicate")]
    assert "Colonia Escalón" not in warning and "Rosa" not in warning and "Ramírez" not in warning
    second = post(client, "/cases/new", {**registration(app, given_names="José Miguel", family_name_1="Portillo",
                                                        family_name_2="Ramírez"), "not_duplicate": "y"})
    assert second.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(DuplicateDecision.other_youth_id)) == case.id

    # no screening without consent to services
    blocked = client.get(f"/cases/{code}/screenings/new")
    assert blocked.status_code == 302 and youth(app, code).status == "referred"
    assert give_consent(client, code).status_code == 302
    give_consent(client, code, "statistics")

    screened = post(client, f"/cases/{code}/screenings/new",
                    {"screened_on": today.isoformat(), **screening_answers(app, "secondary")})
    assert screened.status_code == 302
    result = client.get(screened.headers["Location"]).get_data(as_text=True)
    assert "Prevención secundaria" in result
    assert youth(app, code).status == "screened"

    program = program_for(app, code)
    start = today - timedelta(days=1)
    enrolled = post(client, f"/cases/{code}/enroll", {"program_id": program, "start_on": start.isoformat()})
    assert enrolled.status_code == 302
    case = youth(app, code)
    assert case.status == "enrolled" and case.current_program_id == program
    assert case.reassessment_due == add_months(start, 6)

    contact = post(client, f"/cases/{code}/contacts/new", {
        "kind": "individual", "contact_on": today.isoformat(), "minutes": "45", "summary": "Primera sesión"})
    assert contact.status_code == 302
    assert youth(app, code).status == "active" and youth(app, code).last_contact_on == today

    reassessed = post(client, f"/cases/{code}/screenings/new",
                      {"screened_on": today.isoformat(), **screening_answers(app, "primary")})
    assert reassessed.status_code == 302
    with app.app_context():
        screenings = db.session.scalars(select(Screening).join(Youth).where(Youth.case_code == code)
                                        .order_by(Screening.id)).all()
        assert [s.kind for s in screenings] == ["baseline", "reassessment"]
        assert [s.level for s in screenings] == ["secondary", "primary"]
        reassessment_id = screenings[-1].id

    followup = post(client, f"/cases/{code}/followups/new", {
        "followup_on": today.isoformat(), "in_school": "y", "gang_involvement": "none",
        "screening_id": str(reassessment_id)})
    assert followup.status_code == 302

    done = post(client, f"/cases/{code}/status", {"to_status": "completed", "exit_reason": "plan_completed",
                                                  "version": str(youth(app, code).version)},
                form_url=f"/cases/{code}")
    assert done.status_code == 302
    case = youth(app, code)
    assert case.status == "completed" and case.current_program_id is None and case.reassessment_due is None
    with app.app_context():
        enrollment = db.session.scalar(select(Enrollment).where(Enrollment.youth_id == case.id))
        assert (enrollment.status, enrollment.exit_reason, enrollment.end_on) == ("completed", "plan_completed", today)
        assert db.session.scalar(select(FollowUp.screening_id).where(FollowUp.youth_id == case.id)) == reassessment_id
        assert db.session.scalar(select(ServiceContact.minutes).where(ServiceContact.youth_id == case.id)) == 45
        moves = [(h.from_status, h.to_status) for h in db.session.scalars(
            select(StatusChange).where(StatusChange.youth_id == case.id).order_by(StatusChange.id))]
        assert moves == [("referred", "screened"), ("screened", "enrolled"), ("enrolled", "active"),
                         ("active", "completed")]
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "youth", AuditEvent.object_id == code).order_by(AuditEvent.seq)).all()
    for expected in ("youth.create", "consent.create", "screening.create", "enrollment.create",
                     "contact.create", "followup.create", "youth.status", "youth.view"):
        assert expected in actions, expected


def test_coordinator_reopens_a_completed_case(app, client, auth):
    auth.login("coord.sv")
    with app.app_context():
        case = db.session.scalar(select(Youth).where(Youth.status == "completed", Youth.case_code.like("SV-%")))
        code, version = case.case_code, case.version
    response = post(client, f"/cases/{code}/reopen", {"version": str(version)}, form_url=f"/cases/{code}")
    assert response.status_code == 302
    assert youth(app, code).status == "screened"  # back before the program: enroll again


def test_social_worker_cannot_reopen(app, client, auth):
    auth.login("worker.sv")
    with app.app_context():
        case = db.session.scalar(select(Youth).where(Youth.status == "completed",
                                                     Youth.assigned_worker_id == user_id(app, "worker.sv")))
    response = post(client, f"/cases/{case.case_code}/reopen", {"version": "1"}, form_url=f"/cases/{case.case_code}")
    assert response.status_code == 403
