"""Access control and data handling (issue #11, item 3): an edit never
reassigns a case, session forms offer only the user's countries, browsers'
CSP reports reach the log without query strings, password changes are
rate-limited."""

import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import Organization, User
from app.audit.models import AuditEvent
from app.extensions import db, limiter
from app.policing.models import PolicingSession
from app.youth.models import Youth
from tests.conftest import DEMO_PASSWORD, local_date, login
from tests.youth_helpers import municipality_id, post, registration, user_id, youth


@pytest.fixture
def limited(app):
    """Rate limits on, counters of earlier tests forgotten."""
    app.config["RATELIMIT_ENABLED"] = True
    limiter.reset()
    yield app
    limiter.reset()


# --- an edit of a shared case --------------------------------------------------

def shared_case(app) -> Youth:
    """A case of worker.sv in one of worker.sv's municipalities (outside
    worker2.sv's), shared by the coordinator with worker2.sv."""
    owner, sharee = user_id(app, "worker.sv"), user_id(app, "worker2.sv")
    with app.app_context():
        sharee_user = db.session.get(User, sharee)
        from app.security.policy import scope_municipality_ids

        case = db.session.scalar(
            select(Youth).where(Youth.assigned_worker_id == owner, Youth.anonymized_at.is_(None),
                                Youth.municipality_id.not_in(scope_municipality_ids(sharee_user)))
            .order_by(Youth.id).limit(1))
        code = case.case_code
    coordinator = app.test_client()
    login(coordinator, "coord.sv")
    response = post(coordinator, f"/cases/{code}/assign", {"share-worker_id": sharee, "share-submit": "y"})
    assert response.status_code == 302
    return youth(app, code)


def edit_data(app, case: Youth, **overrides) -> dict:
    saved = dict(given_names=case.given_names, family_name_1=case.family_name_1,
                 family_name_2=case.family_name_2 or "", birth_date=case.birth_date.isoformat(), sex=case.sex,
                 municipality_id=case.municipality_id, community=case.community or "",
                 school_status=case.school_status, work_status=case.work_status,
                 referral_source=case.referral_source, guardian_name=case.guardian_name or "",
                 guardian_contact=case.guardian_contact or "", version=str(case.version))
    return registration(app, **{**saved, **overrides})


def events(app, action: str, code: str) -> list[AuditEvent]:
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action, AuditEvent.object_id == code)
                                  .order_by(AuditEvent.seq)).all()


def test_the_sharee_edits_a_shared_case_and_it_stays_with_its_worker(app):
    case = shared_case(app)
    owner, sharee = user_id(app, "worker.sv"), user_id(app, "worker2.sv")
    worker2 = app.test_client()
    login(worker2, "worker2.sv")
    form = worker2.get(f"/cases/{case.case_code}/edit").get_data(as_text=True)
    assert f'<option selected translate="no" value="{case.municipality_id}">' in form  # outside their own
    assert 'name="assigned_worker_id"' not in form
    # The old form's hidden field, posted anyway: ignored.
    response = post(worker2, f"/cases/{case.case_code}/edit",
                    edit_data(app, case, community="Colonia Nueva Sharee", assigned_worker_id=sharee))
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    saved = youth(app, case.case_code)
    assert saved.assigned_worker_id == owner and saved.community == "Colonia Nueva Sharee"
    owner_client = app.test_client()
    login(owner_client, "worker.sv")
    assert owner_client.get(f"/cases/{case.case_code}").status_code == 200
    assert worker2.get(f"/cases/{case.case_code}").status_code == 200
    [update] = events(app, "youth.update", case.case_code)
    assert update.detail == "fields=community" and update.user_id == sharee
    assert events(app, "youth.reassign", case.case_code) == []
    with app.app_context():
        details = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.detail.is_not(None))).all()
    assert not any("Sharee" in d for d in details)  # field names, never values


def test_the_sharee_may_not_move_the_case_to_a_municipality_of_nobody(app):
    case = shared_case(app)
    worker2 = app.test_client()
    login(worker2, "worker2.sv")
    honduras = municipality_id(app, "HN0801")
    response = post(worker2, f"/cases/{case.case_code}/edit", edit_data(app, case, municipality_id=honduras))
    assert response.status_code == 200
    assert youth(app, case.case_code).municipality_id == case.municipality_id


def test_a_coordinator_edit_does_not_reassign_either(app, client, auth):
    case = shared_case(app)
    auth.login("coord.sv")
    assert 'name="assigned_worker_id"' not in client.get(f"/cases/{case.case_code}/edit").get_data(as_text=True)
    response = post(client, f"/cases/{case.case_code}/edit",
                    edit_data(app, case, guardian_contact="7000-9999", assigned_worker_id=user_id(app, "worker2.sv")))
    assert response.status_code == 302
    assert youth(app, case.case_code).assigned_worker_id == user_id(app, "worker.sv")
    assert [e.detail for e in events(app, "youth.update", case.case_code)] == ["fields=guardian_contact"]


def test_the_edit_service_refuses_a_change_of_worker(app):
    from app.youth.services import IDENTITY_FIELDS, ReassignmentError, update_case

    with app.app_context():
        case = db.session.scalar(select(Youth).where(Youth.anonymized_at.is_(None)).limit(1))
        values = {name: getattr(case, name) for name in IDENTITY_FIELDS}
        assert update_case(case, {**values, "assigned_worker_id": case.assigned_worker_id}) == []
        with pytest.raises(ReassignmentError):
            update_case(case, {**values, "assigned_worker_id": case.assigned_worker_id + 1})
        with pytest.raises(ValueError):
            update_case(case, {**values, "organization_id": 99})
        db.session.rollback()


def test_registration_still_assigns_the_case(app, client, auth):
    auth.login("coord.sv")
    response = post(client, "/cases/new", registration(app, assigned_worker_id=user_id(app, "worker2.sv"),
                                                       given_names="Registro Asignado"))
    if response.status_code == 200:
        response = post(client, "/cases/new", {**registration(app, assigned_worker_id=user_id(app, "worker2.sv"),
                                                              given_names="Registro Asignado"), "not_duplicate": "y"})
    code = response.headers["Location"].rsplit("/", 1)[-1]
    assert youth(app, code).assigned_worker_id == user_id(app, "worker2.sv")


# --- the session form offers the user's countries only -----------------------

def honduras_police(app) -> dict:
    """A police unit and an officer in Honduras, next to the demo's Salvadoran ones."""
    from app.accounts.services import create_user

    with app.app_context():
        unit = Organization(name="Policía Comunitaria Distrito Central", kind="police_unit", country_code="HN")
        db.session.add(unit)
        officer, _ = create_user(username="police.hn", full_name="Oficial Hondureño", email=None, role="police",
                                 organization=unit, scope_codes=["HN0801"], password=DEMO_PASSWORD)
        db.session.commit()
        ids = {name: db.session.scalar(select(Organization.id).where(Organization.name == name))
               for name in ("Fundación Senderos", "Asociación Caminos Honduras", "PNC Policía Comunitaria San Salvador")}
        return {"unit": unit.id, "officer": officer.id, "police.sv": user_id(app, "police.sv"), **ids}


def hn_session(app, ids, **overrides) -> dict:
    return {
        "held_on": (local_date(app) - timedelta(days=2)).isoformat(), "held_time": "10:00",
        "municipality_id": municipality_id(app, "HN0801"), "community": "", "venue": "community_center",
        "school_name": "", "kind": "community_meeting", "curriculum": "", "lesson_number": "", "cohort_id": "0",
        "topic": "Reunión HN", "police_unit_id": ids["unit"], "officer_ids": [ids["officer"]],
        "partner_organization_id": ids["Asociación Caminos Honduras"], "female": "3", "male": "2",
        "sex_not_recorded": "0", "under_12": "0", "age_12_14": "0", "age_15_17": "5", "age_18_24": "0",
        "age_25_plus": "0", "notes": "", **overrides,
    }


def count_sessions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PolicingSession))


def test_the_session_form_offers_only_people_and_organizations_of_ones_country(app):
    ids = honduras_police(app)
    police = app.test_client()
    login(police, "police.hn")
    form = police.get("/sessions/new").get_data(as_text=True)
    assert "police.hn" in form and "Asociación Caminos Honduras" in form
    assert "police.sv" not in form and "Fundación Senderos" not in form
    assert "PNC Policía Comunitaria San Salvador" not in form
    before = count_sessions(app)
    assert post(police, "/sessions/new", hn_session(app, ids)).status_code == 302
    assert count_sessions(app) == before + 1


@pytest.mark.parametrize("field", ["officer_ids", "partner_organization_id"])
def test_a_posted_id_of_another_country_is_refused_with_a_form_error(app, field):
    ids = honduras_police(app)
    police = app.test_client()
    login(police, "police.hn")
    foreign = [ids["police.sv"]] if field == "officer_ids" else ids["Fundación Senderos"]
    before = count_sessions(app)
    response = post(police, "/sessions/new", hn_session(app, ids, **{field: foreign}))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and f'id="{field}-error"' in body
    assert "Elija de la lista: solo se pueden elegir los de sus países." in body
    assert count_sessions(app) == before


def test_a_coordinator_chooses_among_the_units_of_their_countries(app):
    ids = honduras_police(app)
    coordinator = app.test_client()
    login(coordinator, "coord.sv")
    form = coordinator.get("/sessions/new").get_data(as_text=True)
    assert "PNC Policía Comunitaria San Salvador" in form and "police.sv" in form
    assert "Policía Comunitaria Distrito Central" not in form and "police.hn" not in form
    assert "Asociación Caminos Honduras" not in form
    from tests.test_policing import session_data

    before = count_sessions(app)
    response = post(coordinator, "/sessions/new", session_data(app, police_unit_id=ids["unit"]))
    assert response.status_code == 200 and 'id="police_unit_id-error"' in response.get_data(as_text=True)
    assert count_sessions(app) == before
    assert post(coordinator, "/sessions/new", session_data(
        app, police_unit_id=ids["PNC Policía Comunitaria San Salvador"])).status_code == 302


# --- CSP reports ---------------------------------------------------------------

CHROME_REPORT = {"csp-report": {
    "document-uri": "http://localhost/cases/SV-ABCD-EFGH?token=secret-1#consent",
    "referrer": "http://localhost/cases/?q=Ramirez",
    "violated-directive": "script-src-elem", "effective-directive": "script-src-elem",
    "original-policy": "default-src 'self'", "disposition": "enforce",
    "blocked-uri": "https://user:pw@evil.example:8443/x.js?session=secret-2#frag",
    "line-number": 3, "source-file": "http://localhost/cases/?q=Ramirez", "status-code": 200,
    "script-sample": "alert('Ramirez')"}}


def csp_messages(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("CSP violation")]


def test_the_policy_names_the_report_endpoint(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "report-uri /csp-report" in csp and "report-to csp-endpoint" in csp
    assert response.headers["Reporting-Endpoints"] == 'csp-endpoint="/csp-report"'


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_browser_report_is_accepted_without_csrf_and_logged_without_query_strings(app, caplog, signed_in):
    client = app.test_client()
    if signed_in:
        login(client, "worker.sv")
    caplog.set_level(logging.WARNING)
    response = client.post("/csp-report", data=json.dumps(CHROME_REPORT), content_type="application/csp-report")
    assert response.status_code == 204
    [message] = csp_messages(caplog)
    assert "directive=script-src-elem" in message
    assert "blocked=https://evil.example:8443/x.js" in message
    assert "document=http://localhost/cases/SV-ABCD-EFGH" in message
    for secret in ("secret", "token", "#", "?", "user:pw", "Ramirez", "default-src"):
        assert secret not in message


def test_a_reporting_api_batch_is_accepted(app, client, caplog):
    caplog.set_level(logging.WARNING)
    batch = [
        {"type": "csp-violation", "age": 10, "url": "http://localhost/sessions/?unit=3",
         "body": {"documentURL": "http://localhost/sessions/?unit=3", "blockedURL": "inline",
                  "effectiveDirective": "style-src-attr", "disposition": "enforce", "sample": "color:red"}},
        {"type": "deprecation", "body": {"id": "x"}},
        {"type": "csp-violation", "body": {"documentURL": "http://localhost/x#y",
                                           "blockedURL": "data:image/png;base64,AAAA", "effectiveDirective": "img-src"}},
    ]
    response = client.post("/csp-report", data=json.dumps(batch), content_type="application/reports+json")
    assert response.status_code == 204
    assert csp_messages(caplog) == [
        "CSP violation: directive=style-src-attr blocked=inline document=http://localhost/sessions/ disposition=enforce",
        "CSP violation: directive=img-src blocked=data document=http://localhost/x disposition=enforce",
    ]


def test_oversize_and_foreign_reports_are_refused(app, client, caplog):
    caplog.set_level(logging.WARNING)
    padded = {"csp-report": {**CHROME_REPORT["csp-report"], "script-sample": "x" * 9000}}
    assert client.post("/csp-report", data=json.dumps(padded), content_type="application/csp-report").status_code == 413
    assert client.post("/csp-report", data="{}", content_type="text/plain").status_code == 415
    assert client.post("/csp-report", data="not json", content_type="application/csp-report").status_code == 400
    assert client.post("/csp-report", data='"a string"', content_type="application/csp-report").status_code == 400
    assert csp_messages(caplog) == []


def test_reports_are_rate_limited_per_address(limited):
    limited.config["CSP_REPORT_RATE_LIMIT"] = "2 per minute"
    client = limited.test_client()
    codes = [client.post("/csp-report", data=json.dumps(CHROME_REPORT), content_type="application/csp-report")
             .status_code for _ in range(3)]
    assert codes == [204, 204, 429]


# --- password change ----------------------------------------------------------

def change_password(client, current: str):
    return post(client, "/auth/password", {"current_password": current, "new_password": "Otra-clave-larga-2026",
                                           "confirm": "Otra-clave-larga-2026"})


@pytest.fixture
def counted_checks(monkeypatch):
    """How many password checks (argon2) the password page made."""
    from app.auth import routes

    calls = []
    real = routes.verify_password
    monkeypatch.setattr(routes, "verify_password", lambda *a: calls.append(1) or real(*a))
    return calls


def test_password_changes_are_limited_per_user(limited, counted_checks):
    limited.config["PASSWORD_CHANGE_RATE_LIMIT"] = "2 per minute"
    worker = limited.test_client()
    login(worker, "worker.sv")
    counted_checks.clear()  # the sign-in's
    answers = [change_password(worker, "not-the-password") for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 429]
    assert len(counted_checks) == 2  # the refused attempt checks no password
    body = answers[2].get_data(as_text=True)
    assert "Demasiados intentos de cambiar la contraseña" in body and 'name="current_password"' in body
    other = limited.test_client()  # another user from the same address is not held back
    login(other, "worker2.sv")
    assert change_password(other, "not-the-password").status_code == 200


def test_password_changes_are_limited_per_address(limited):
    limited.config["PASSWORD_CHANGE_IP_RATE_LIMIT"] = "3 per minute"
    first, second = limited.test_client(), limited.test_client()
    login(first, "worker.sv")
    login(second, "worker2.sv")
    codes = [change_password(c, "not-the-password").status_code for c in (first, first, second, second)]
    assert codes == [200, 200, 200, 429]


def test_a_successful_change_still_works_under_the_limit(limited):
    limited.config["PASSWORD_CHANGE_RATE_LIMIT"] = "2 per minute"
    worker = limited.test_client()
    login(worker, "worker.sv")
    assert change_password(worker, DEMO_PASSWORD).status_code == 302
