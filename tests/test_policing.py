"""Community policing sessions: recording, roles, attendance privacy,
cohorts, lists and exports."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.policing.models import Attendance, GreatCohort, PolicingSession
from app.policing.services import cohort_progress
from app.youth.models import Youth
from tests.conftest import csrf_token, local_date, login
from tests.youth_helpers import municipality_id, post


def session_data(app, **overrides) -> dict:
    from app.accounts.models import Organization

    with app.app_context():
        unit = db.session.scalar(select(Organization.id).where(Organization.kind == "police_unit"))
    return {
        "held_on": (local_date(app) - timedelta(days=1)).isoformat(), "held_time": "09:30",
        "municipality_id": municipality_id(app, "SV-SS-001"), "community": "Colonia Zacamil", "venue": "school",
        "school_name": "Centro Escolar Prueba", "kind": "great_lesson", "curriculum": "elementary",
        "lesson_number": "3", "cohort_id": "0", "topic": "Lección 3", "police_unit_id": unit,
        "partner_organization_id": "0", "female": "12", "male": "10", "sex_not_recorded": "0",
        "under_12": "20", "age_12_14": "2", "age_15_17": "0", "age_18_24": "0", "age_25_plus": "0",
        "notes": "", **overrides,
    }


def count_sessions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PolicingSession))


def record_as(app, username, **overrides):
    client = app.test_client()
    login(client, username)
    response = post(client, "/sessions/new", session_data(app, **overrides))
    return client, response


@pytest.mark.parametrize("username", ["police.sv", "coord.sv"])
def test_police_and_coordinators_record_sessions(app, username):
    before = count_sessions(app)
    _, response = record_as(app, username)
    assert response.status_code == 302
    assert count_sessions(app) == before + 1
    with app.app_context():
        item = db.session.scalar(select(PolicingSession).order_by(PolicingSession.id.desc()))
        assert (item.kind, item.lesson_number, item.female + item.male) == ("great_lesson", 3, 22)
        assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.seq.desc())) == "session.create"


@pytest.mark.parametrize("username, status", [("worker.sv", 403), ("manager.sv", 403), ("admin", 403),
                                              ("auditor", 403)])
def test_other_roles_cannot_record(app, username, status):
    client = app.test_client()
    login(client, username)
    token = csrf_token(client, "/auth/password")
    before = count_sessions(app)
    response = client.post("/sessions/new", data={**session_data(app), "csrf_token": token})
    assert response.status_code == status and count_sessions(app) == before


@pytest.mark.parametrize("overrides, message", [
    ({"lesson_number": "7"}, "de 1 a 6"),
    ({"school_name": ""}, "nombre de la escuela"),
    ({"age_12_14": "5"}, "deben sumar"),
    ({"female": "-1"}, "número entero"),
    ({"held_on": "2026-02-30"}, "fecha válida"),
])
def test_bad_session_input_is_refused(app, overrides, message):
    before = count_sessions(app)
    _, response = record_as(app, "police.sv", **overrides)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert count_sessions(app) == before


def latest_session_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(PolicingSession.id).order_by(PolicingSession.id.desc()))


def test_author_and_coordinator_edit_other_police_cannot(app):
    author, _ = record_as(app, "police.sv")
    sid = latest_session_id(app)
    with app.app_context():
        version = db.session.get(PolicingSession, sid).version
    response = post(author, f"/sessions/{sid}/edit", session_data(app, topic="Tema nuevo", version=str(version)))
    assert response.status_code == 302
    coordinator = app.test_client()
    login(coordinator, "coord.sv")
    response = post(coordinator, f"/sessions/{sid}/edit", session_data(app, topic="Tema del coordinador",
                                                                         version=str(version + 1)))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(PolicingSession, sid).topic == "Tema del coordinador"


def test_a_stale_session_edit_is_refused_and_kept(app):
    author, _ = record_as(app, "police.sv")
    sid = latest_session_id(app)
    with app.app_context():
        version = str(db.session.get(PolicingSession, sid).version)
    post(author, f"/sessions/{sid}/edit", session_data(app, topic="Primero", version=version))
    response = post(author, f"/sessions/{sid}/edit", session_data(app, topic="Segundo", version=version))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Primero" in body and 'value="Segundo"' in body
    with app.app_context():
        assert db.session.get(PolicingSession, sid).topic == "Primero"


def test_cancel_needs_a_reason_and_is_recorded(app):
    author, _ = record_as(app, "police.sv")
    sid = latest_session_id(app)
    post(author, f"/sessions/{sid}/cancel", {"reason": "", "version": "1"}, form_url=f"/sessions/{sid}")
    with app.app_context():
        assert db.session.get(PolicingSession, sid).status == "held"
    post(author, f"/sessions/{sid}/cancel", {"reason": "Lluvia", "version": "1"}, form_url=f"/sessions/{sid}")
    with app.app_context():
        item = db.session.get(PolicingSession, sid)
        assert (item.status, item.cancel_reason) == ("cancelled", "Lluvia")


def test_social_worker_links_enrolled_youth_and_police_see_nothing_of_it(app):
    _, _ = record_as(app, "police.sv")
    sid = latest_session_id(app)
    worker = app.test_client()
    login(worker, "worker.sv")
    with app.app_context():
        enrolled = db.session.scalars(select(Youth).where(Youth.assigned_worker_id == 3,
                                                          Youth.status.in_(("enrolled", "active"))).limit(2)).all()
        codes = [y.case_code for y in enrolled]
        names = [y.family_name_1 for y in enrolled] + [y.given_names for y in enrolled]
    for code in codes:
        post(worker, f"/sessions/{sid}/attendance", {"code": code}, form_url=f"/sessions/{sid}")
    worker_page = worker.get(f"/sessions/{sid}").get_data(as_text=True)
    assert all(code in worker_page for code in codes)
    police = app.test_client()
    login(police, "police.sv")
    for url in (f"/sessions/{sid}", "/sessions/", "/sessions/export.csv", "/sessions/calendar"):
        response = police.get(url)
        body = response.get_data(as_text=True)
        response.close()
        assert response.status_code == 200, url
        assert not any(code in body for code in codes), url
        assert not any(name in body for name in names), url
        assert "inscritos asistieron" not in body and "vinculados" not in body, url  # not even how many


def test_a_worker_cannot_link_youth_outside_their_cases(app):
    record_as(app, "police.sv")
    sid = latest_session_id(app)
    with app.app_context():
        other = db.session.scalar(select(Youth.case_code).where(Youth.assigned_worker_id == 4,
                                                                Youth.status == "active"))
    worker = app.test_client()
    login(worker, "worker.sv")
    post(worker, f"/sessions/{sid}/attendance", {"code": other}, form_url=f"/sessions/{sid}")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attendance).where(Attendance.session_id == sid)) == 0


def test_linking_attendance_without_a_case_code_says_so(app):
    record_as(app, "police.sv")
    sid = latest_session_id(app)
    worker = app.test_client()
    login(worker, "worker.sv")
    response = post(worker, f"/sessions/{sid}/attendance", {"code": ""}, form_url=f"/sessions/{sid}",
                    follow_redirects=True)
    assert "Ingrese un código de caso." in response.get_data(as_text=True)


def test_police_cannot_link_attendance(app):
    client, _ = record_as(app, "police.sv")
    sid = latest_session_id(app)
    response = post(client, f"/sessions/{sid}/attendance", {"code": "SV-DEMO-0010"}, form_url=f"/sessions/{sid}")
    assert response.status_code == 403


def test_cohort_completion(app):
    with app.app_context():
        cohorts = db.session.scalars(select(GreatCohort).order_by(GreatCohort.id)).all()
        progress = [cohort_progress(c) for c in cohorts]
        assert [p.complete for p in progress] == [True, True, False]
        assert progress[0].lessons_held == [1, 2, 3, 4, 5, 6]
        assert progress[2].lessons_held == [1, 2, 3, 4, 5] and progress[2].lessons_total == 13
        # a cancelled lesson does not count
        lesson = db.session.scalar(select(PolicingSession).where(PolicingSession.cohort_id == cohorts[0].id,
                                                                 PolicingSession.lesson_number == 4))
        lesson.status = "cancelled"
        db.session.flush()
        assert not cohort_progress(cohorts[0]).complete
        assert cohort_progress(cohorts[0]).lessons_held == [1, 2, 3, 5, 6]
        db.session.rollback()


def test_list_and_calendar_are_scoped_by_municipality(app):
    with app.app_context():
        from app.accounts.models import Organization

        unit = db.session.scalar(select(Organization.id).where(Organization.kind == "police_unit"))
        hn = municipality_id(app, "HN0801")
        from datetime import datetime

        db.session.add(PolicingSession(held_at=datetime(2026, 11, 2, 10), held_on=date(2026, 11, 2), municipality_id=hn,
                                       venue="other", kind="community_meeting", police_unit_id=unit,
                                       topic="Reunión en Tegucigalpa XYZ", status="held"))
        db.session.commit()
    police = app.test_client()
    login(police, "police.sv")
    assert "Tegucigalpa XYZ" not in police.get("/sessions/?start=2026-11-01&end=2026-11-30").get_data(as_text=True)
    calendar = police.get("/sessions/calendar?month=2026-11").get_data(as_text=True)
    assert "Distrito Central" not in calendar
    with app.app_context():
        hn_session = db.session.scalar(select(PolicingSession.id).where(PolicingSession.municipality_id == hn))
    assert police.get(f"/sessions/{hn_session}").status_code == 404
    coordinator_hn = app.test_client()
    login(coordinator_hn, "worker.hn")
    assert coordinator_hn.get(f"/sessions/{hn_session}").status_code == 200


def test_export_neutralizes_formulas_and_holds_no_personal_data(app):
    record_as(app, "police.sv", topic="=cmd|' /C calc'!A0", community="+SUM(A1)")
    police = app.test_client()
    login(police, "police.sv")
    response = police.get("/sessions/export.csv")
    body = response.get_data(as_text=True)
    response.close()
    assert "'=cmd|" in body and "'+SUM(A1)" in body
    assert "\n=cmd" not in body and ",=cmd" not in body


def test_case_page_shows_sessions_attended(app):
    worker = app.test_client()
    login(worker, "worker.sv")
    with app.app_context():
        code = db.session.scalar(select(Youth.case_code).join(Attendance, Attendance.youth_id == Youth.id)
                                 .where(Youth.assigned_worker_id == 3))
    with app.app_context():
        session_id = db.session.scalar(select(Attendance.session_id).join(Youth).where(Youth.case_code == code))
    body = worker.get(f"/cases/{code}/casework").get_data(as_text=True)
    assert f'href="/sessions/{session_id}"' in body


def test_managers_do_not_see_session_notes(app):
    record_as(app, "police.sv", notes="Nota libre que podría nombrar a alguien")
    sid = latest_session_id(app)
    manager = app.test_client()
    login(manager, "manager.sv")
    response = manager.get(f"/sessions/{sid}")
    assert response.status_code == 200
    assert "Nota libre" not in response.get_data(as_text=True)
    police = app.test_client()
    login(police, "police.sv")
    assert "Nota libre" in police.get(f"/sessions/{sid}").get_data(as_text=True)


def test_session_list_uses_the_same_number_of_queries_for_10_and_50_rows(app):
    from tests.youth_helpers import QueryCounter

    police = app.test_client()
    login(police, "police.sv")
    with app.app_context():
        engine = db.engine
    counts = []
    for size in (10, 50):
        app.config["PAGE_SIZE"] = size
        with QueryCounter(engine) as counter:
            assert police.get("/sessions/").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
