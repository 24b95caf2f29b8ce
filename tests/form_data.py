"""Valid submissions of the create and edit forms, for the tests that send
them twice (test_double_submit) or spoil them one field at a time
(test_hostile_forms)."""

import re
from datetime import date, timedelta

from sqlalchemy import select

from app.accounts.models import Organization, User
from app.dates import local_today
from app.extensions import db
from app.geo.models import Municipality
from app.programs.models import Program
from app.security.policy import visible_youth
from app.youth.models import Youth
from tests.conftest import CSRF_RE
from tests.youth_helpers import screening_answers

FORM_TOKEN_RE = re.compile(r'name="form_token"[^>]*value="([^"]+)"')


def today(app) -> date:
    with app.app_context():
        return local_today()


def yesterday(app) -> str:
    return (today(app) - timedelta(days=1)).isoformat()


def municipality(app, code: str = "SV-SS-001") -> int:
    with app.app_context():
        return db.session.scalar(select(Municipality.id).where(Municipality.code == code))


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def organization(app, kind: str = "police_unit") -> int:
    with app.app_context():
        return db.session.scalar(select(Organization.id).where(Organization.kind == kind).order_by(Organization.id))


def case_of(app, username: str, statuses: tuple[str, ...], consent: bool = True) -> str:
    """A case code the user can see, in one of ``statuses`` (with consent to services when asked)."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        query = visible_youth(user).where(Youth.status.in_(statuses)).order_by(Youth.id)
        if consent:
            query = query.where(Youth.services_consent_until >= local_today())
        code = db.session.scalar(query.with_only_columns(Youth.case_code).limit(1))
    assert code, f"no case of {username} in {statuses}"
    return code


def program_for(app, code: str) -> int:
    with app.app_context():
        youth = db.session.scalar(select(Youth).where(Youth.case_code == code))
        return db.session.scalar(select(Program.id).where(
            Program.organization_id == youth.organization_id, Program.active.is_(True),
            Program.municipalities.any(id=youth.municipality_id)).order_by(Program.id))


def page_tokens(client, url: str) -> dict:
    """The CSRF token of a page, and the one-time token of its form when it has one."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    body = page.get_data(as_text=True)
    tokens = {"csrf_token": CSRF_RE.search(body).group(1)}
    if found := FORM_TOKEN_RE.search(body):
        tokens["form_token"] = found.group(1)
    return tokens


# --- valid data ------------------------------------------------------------------

def session_data(app) -> dict:
    return {
        "held_on": yesterday(app), "held_time": "09:30", "municipality_id": municipality(app),
        "community": "Colonia Zacamil", "venue": "school", "school_name": "Centro Escolar Prueba",
        "kind": "great_lesson", "curriculum": "elementary", "lesson_number": "3", "cohort_id": "0",
        "topic": "Lección 3", "police_unit_id": organization(app), "partner_organization_id": "0",
        "female": "12", "male": "10", "sex_not_recorded": "0", "under_12": "20", "age_12_14": "2",
        "age_15_17": "0", "age_18_24": "0", "age_25_plus": "0", "notes": "Sin novedad.\r\nSegunda línea.",
    }


def cohort_data(app) -> dict:
    return {"school_name": "Centro Escolar Prueba", "class_name": "6.º A", "municipality_id": municipality(app),
            "curriculum": "elementary", "police_unit_id": organization(app), "started_on": yesterday(app),
            "graduated_on": ""}


def registration_data(app) -> dict:
    born = today(app) - timedelta(days=15 * 365)
    return {
        "given_names": "Zacarías Prueba", "family_name_1": "Quintanilla", "family_name_2": "Umaña",
        "birth_date": born.isoformat(), "sex": "M", "municipality_id": municipality(app),
        "community": "Colonia Escalón", "school_status": "enrolled", "work_status": "not_working",
        "guardian_name": "Rosa Umaña", "guardian_contact": "7000-1234", "referral_source": "school",
        "assigned_worker_id": user_id(app, "worker.sv"), "not_duplicate": "y",
    }


def consent_data(app) -> dict:
    return {"purpose": "statistics", "given_by": "both", "given_on": today(app).isoformat(),
            "expires_on": (today(app) + timedelta(days=365)).isoformat()}


def goal_data(app) -> dict:
    return {"description": "Terminar noveno grado", "status": "open",
            "target_on": (today(app) + timedelta(days=180)).isoformat()}


def contact_data(app) -> dict:
    return {"kind": "individual", "contact_on": today(app).isoformat(), "minutes": "45",
            "summary": "Conversación sobre la escuela.\r\nTodo bien."}


def note_data(app) -> dict:
    return {"body": "Nota de seguimiento.\r\n\tCon sangría."}


def followup_data(app) -> dict:
    return {"followup_on": today(app).isoformat(), "in_school": "y", "gang_involvement": "none",
            "screening_id": "0"}


def screening_data(app) -> dict:
    return {"screened_on": today(app).isoformat(), **screening_answers(app)}


def program_data(app) -> dict:
    return {"name": "Programa de prueba", "level": "primary", "kind": "outreach_center",
            "municipalities": [str(municipality(app))], "active": "y"}


def enroll_data(app, code: str) -> dict:
    return {"program_id": str(program_for(app, code)), "start_on": today(app).isoformat()}
