"""Case rules: status moves, scope on every youth URL, conflicts, bad input,
consent, sensitive notes, query counts."""

import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.cases import lifecycle
from app.cases.lifecycle import TransitionError, change_status
from app.casework.models import CaseNote
from app.extensions import db
from app.youth import codes
from app.youth.models import Youth
from tests.conftest import local_date, login
from tests.test_access import routes
from tests.youth_helpers import QueryCounter, give_consent, post, register, registration, youth


def sv_case(app, **where) -> Youth:
    with app.app_context():
        query = select(Youth).where(Youth.case_code.like("SV-%"))
        for key, value in where.items():
            query = query.where(getattr(Youth, key) == value)
        found = db.session.scalar(query.order_by(Youth.id).limit(1))
        _ = (found.given_names, found.family_name_1, found.family_name_2, found.birth_date, found.community)
        db.session.expunge(found)
        return found


# --- status moves --------------------------------------------------------------

ALL_PAIRS = list(itertools.product(codes.STATUSES, codes.STATUSES))


@pytest.mark.parametrize("manual", [True, False])
def test_every_status_move_is_allowed_or_refused_as_specified(app, manual, today):
    moves = lifecycle.MANUAL_MOVES if manual else lifecycle.ALL_MOVES
    with app.app_context():
        worker = db.session.scalar(select(Youth.assigned_worker_id).limit(1))
        from app.accounts.models import User

        user = db.session.get(User, worker)
        case = db.session.scalar(select(Youth).limit(1))
        for start, target in ALL_PAIRS:
            case.status = start
            allowed = target in moves.get(start, ())
            reason = "other" if target in codes.EXIT_STATUSES else None
            if allowed:
                change_status(case, target, user, today, reason, manual=manual)
                assert case.status == target
            else:
                with pytest.raises(TransitionError):
                    change_status(case, target, user, today, reason, manual=manual)
                assert case.status == start
        db.session.rollback()


def test_exit_requires_a_reason(app, client, auth):
    case = sv_case(app, status="active", assigned_worker_id=3)
    auth.login("worker.sv")
    response = post(client, f"/cases/{case.case_code}/status", {"to_status": "dropped", "exit_reason": "",
                                                                 "version": str(case.version)},
                    form_url=f"/cases/{case.case_code}", follow_redirects=True)
    assert "motivo" in response.get_data(as_text=True).lower()
    assert youth(app, case.case_code).status == "active"


def test_a_move_not_offered_is_refused(app, client, auth):
    case = sv_case(app, status="referred", assigned_worker_id=3)
    auth.login("worker.sv")
    post(client, f"/cases/{case.case_code}/status", {"to_status": "completed", "exit_reason": "other",
                                                     "version": str(case.version)}, form_url=f"/cases/{case.case_code}")
    assert youth(app, case.case_code).status == "referred"


# --- scope -------------------------------------------------------------------

def youth_urls(app, code):
    return [(endpoint, url.replace(routes_code(app), code), methods)
            for endpoint, url, methods in routes(app)
            if endpoint.startswith(("youth.", "screening.", "casework.")) or endpoint == "programs.enroll_youth"
            if "/cases/" in url and endpoint != "youth.caseload" and endpoint != "youth.register"]


def routes_code(app):
    from tests.test_access import url_args

    return url_args(app)["code"]


@pytest.mark.parametrize("username, expected", [
    ("worker.hn", 404), ("worker2.sv", 404), ("admin", 403), ("police.sv", 403),
    ("manager.sv", 403), ("auditor", 403),
])
def test_outsiders_cannot_reach_an_el_salvador_case_by_any_url(app, username, expected):
    code = routes_code(app)
    client = app.test_client()
    login(client, username)
    from tests.conftest import csrf_token

    token = csrf_token(client, "/auth/password")
    for endpoint, url, methods in youth_urls(app, code):
        if "GET" in methods:
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token, "version": "1", "to_status": "closed"})
        body = response.get_data(as_text=True)
        coordinator_only = getattr(app.view_functions[endpoint], "required_action", "") == "cases.coordinate"
        wanted = 403 if coordinator_only and username.startswith("worker") else expected
        assert response.status_code == wanted, (username, endpoint, response.status_code)
        case = youth(app, code)
        assert case.given_names not in body and case.family_name_1 not in body
    with app.app_context():
        denied = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "access.denied", AuditEvent.outcome == "denied"))
    assert denied >= len(youth_urls(app, code))


def test_coordinator_sees_team_cases_and_worker_sees_only_own(app):
    coordinator, worker, other = app.test_client(), app.test_client(), app.test_client()
    login(coordinator, "coord.sv")
    login(worker, "worker.sv")
    login(other, "worker2.sv")
    from tests.youth_helpers import CASE_LINK

    team = set(CASE_LINK.findall(coordinator.get("/cases/?status=all").get_data(as_text=True)))
    mine = set(CASE_LINK.findall(worker.get("/cases/?status=all").get_data(as_text=True)))
    theirs = set(CASE_LINK.findall(other.get("/cases/?status=all").get_data(as_text=True)))
    assert mine and theirs and not (mine & theirs)
    app.config["PAGE_SIZE"] = 1000
    team = set(CASE_LINK.findall(coordinator.get("/cases/?status=all").get_data(as_text=True)))
    assert mine | theirs <= team
    assert not any(code.startswith("HN-") for code in team)


def test_sharing_a_case_lets_another_worker_see_it(app, client, auth):
    case = sv_case(app, assigned_worker_id=3)
    other = app.test_client()
    login(other, "worker2.sv")
    assert other.get(f"/cases/{case.case_code}").status_code == 404
    auth.login("coord.sv")
    from tests.youth_helpers import user_id

    post(client, f"/cases/{case.case_code}/assign", {"share-worker_id": user_id(app, "worker2.sv"),
                                                     "share-submit": "y"})
    assert other.get(f"/cases/{case.case_code}").status_code == 200


def test_reassignment_moves_the_case(app, client, auth):
    case = sv_case(app, assigned_worker_id=3)
    from tests.youth_helpers import user_id

    auth.login("coord.sv")
    post(client, f"/cases/{case.case_code}/assign", {"assign-worker_id": user_id(app, "worker2.sv"),
                                                     "assign-submit": "y"})
    assert youth(app, case.case_code).assigned_worker_id == user_id(app, "worker2.sv")
    previous = app.test_client()
    login(previous, "worker.sv")
    assert previous.get(f"/cases/{case.case_code}").status_code == 404


# --- conflicts -----------------------------------------------------------------

def test_a_stale_edit_shows_both_versions_and_loses_nothing(app, auth):
    first, second = app.test_client(), app.test_client()
    login(first, "worker.sv")
    login(second, "coord.sv")
    case = sv_case(app, assigned_worker_id=3)
    base = registration(app, given_names=case.given_names, family_name_1=case.family_name_1,
                        family_name_2=case.family_name_2 or "", birth_date=case.birth_date.isoformat(),
                        municipality_id=case.municipality_id, version=str(case.version))
    assert post(first, f"/cases/{case.case_code}/edit", {**base, "community": "Primera versión"}).status_code == 302
    response = post(second, f"/cases/{case.case_code}/edit", {**base, "community": "Segunda versión"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Primera versión" in body  # the saved version is shown
    assert 'value="Segunda versión"' in body  # the stale edit is kept in the form
    assert youth(app, case.case_code).community == "Primera versión"


# --- bad input -----------------------------------------------------------------

@pytest.mark.parametrize("overrides, message", [
    ({"birth_date": lambda today: (today + timedelta(days=3)).isoformat()}, "no puede ser futura"),
    ({"guardian_name": "", "guardian_contact": ""}, "menores de 18"),
    ({"municipality_id": "999999"}, "válid"),
    ({"given_names": "x" * 81}, "80"),
    ({"birth_date": "31/02/2010"}, "fecha válida"),
])
def test_bad_registration_input_is_refused_and_changes_nothing(app, client, auth, today, overrides, message):
    overrides = {key: value(today) if callable(value) else value for key, value in overrides.items()}
    auth.login("worker.sv")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Youth))
    response = post(client, "/cases/new", registration(app, **overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Youth)) == before


def test_a_municipality_outside_the_scope_is_refused(app, client, auth):
    from tests.youth_helpers import municipality_id

    auth.login("worker.sv")
    response = post(client, "/cases/new", registration(app, municipality_id=municipality_id(app, "HN0801")))
    assert response.status_code == 200


def test_script_in_a_name_is_shown_escaped(app, client, auth):
    auth.login("worker.sv")
    code = register(client, app, given_names="<script>alert(1)</script>", family_name_1="Soto")
    body = client.get(f"/cases/{code}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


# --- consent -------------------------------------------------------------------

def test_no_enrollment_without_consent_to_services(app, client, auth):
    auth.login("worker.sv")
    case = sv_case(app, status="screened", assigned_worker_id=3)
    with app.app_context():
        db.session.get(Youth, case.id).services_consent_until = None
        db.session.commit()
    response = client.get(f"/cases/{case.case_code}/enroll")
    assert response.status_code == 302 and youth(app, case.case_code).status == "screened"


def test_withdrawing_statistics_consent_is_recorded(app, client, auth):
    auth.login("worker.sv")
    code = register(client, app)
    give_consent(client, code, "statistics")
    assert youth(app, code).statistics_consent_until is not None
    from app.youth.models import Consent

    with app.app_context():
        consent_id = db.session.scalar(select(Consent.id).join(Youth).where(Youth.case_code == code))
    post(client, f"/cases/{code}/consents/{consent_id}/withdraw", {}, form_url=f"/cases/{code}")
    assert youth(app, code).statistics_consent_until is None


def test_consent_that_expired_is_not_in_force(app):
    from app.youth.models import Consent
    from app.youth.services import refresh_consent

    with app.app_context():
        case = db.session.scalar(select(Youth).where(Youth.status == "referred").limit(1))
        db.session.add(Consent(youth_id=case.id, purpose="services", given_by="youth",
                               given_on=date(2025, 1, 1), expires_on=date(2025, 12, 31), recorded_by_id=1))
        db.session.flush()
        refresh_consent(case, date(2026, 1, 1))
        assert case.services_consent_until is None
        refresh_consent(case, date(2025, 6, 1))
        assert case.services_consent_until == date(2025, 12, 31)
        db.session.rollback()


# --- notes -----------------------------------------------------------------------

def test_sensitive_notes_are_for_the_author_and_coordinators(app):
    author, shared, coordinator = app.test_client(), app.test_client(), app.test_client()
    login(author, "worker.sv")
    case = sv_case(app, assigned_worker_id=3)
    post(author, f"/cases/{case.case_code}/notes/new", {"body": "Nota reservada XYZ", "sensitive": "y"})
    with app.app_context():
        from app.youth.models import CaseShare

        db.session.add(CaseShare(youth_id=case.id, user_id=4, shared_by_id=2))
        db.session.commit()
        assert db.session.scalar(select(CaseNote.sensitive).where(CaseNote.youth_id == case.id)
                                 .order_by(CaseNote.id.desc()).limit(1))
    login(shared, "worker2.sv")
    login(coordinator, "coord.sv")
    notes = f"/cases/{case.case_code}/casework"
    assert "Nota reservada XYZ" in author.get(notes).get_data(as_text=True)
    assert "Nota reservada XYZ" in coordinator.get(notes).get_data(as_text=True)
    shared_view = shared.get(notes)
    assert shared_view.status_code == 200
    assert "Nota reservada XYZ" not in shared_view.get_data(as_text=True)


# --- queries -----------------------------------------------------------------------

def add_cases(app, n: int) -> None:
    """n more cases in worker.sv's caseload (so coord.sv's team), made directly."""
    from app.youth.services import set_identity

    today = local_date(app)
    with app.app_context():
        template = db.session.scalar(select(Youth).where(Youth.assigned_worker_id == 3).limit(1))
        for i in range(n):
            extra = Youth(case_code=f"SV-XTRA-{i:04d}", organization_id=template.organization_id,
                          municipality_id=template.municipality_id, assigned_worker_id=3, created_by_id=3,
                          sex="F", school_status="enrolled", work_status="not_working", referral_source="school",
                          status="referred", referred_on=today, version=1)
            set_identity(extra, f"Nombre{i}", "Apellido", None, date(2010, 1, 1))
            db.session.add(extra)
        db.session.commit()


def test_caseload_uses_the_same_number_of_queries_for_10_and_100_rows(app):
    add_cases(app, 60)
    client = app.test_client()
    login(client, "coord.sv")
    with app.app_context():
        engine = db.engine
    counts = {}
    for size in (10, 100):
        app.config["PAGE_SIZE"] = size
        with QueryCounter(engine) as counter:
            response = client.get("/cases/?status=all&sort=contact")
        assert response.status_code == 200
        counts[size] = counter.count
        rows = response.get_data(as_text=True).count('data-label="Caso"')
        assert rows == size, rows
    assert counts[10] == counts[100]


@pytest.mark.parametrize("page", ["", "/casework"])
def test_case_page_query_count_does_not_grow_with_the_case(app, page):
    client = app.test_client()
    login(client, "coord.sv")
    with app.app_context():
        engine = db.engine
        small = db.session.scalar(select(Youth.case_code).where(Youth.status == "referred",
                                                                Youth.case_code.like("SV-%")))
        big = db.session.scalar(select(Youth.case_code).where(Youth.status == "active",
                                                              Youth.case_code.like("SV-%")))
    counts = []
    for code in (small, big):
        with QueryCounter(engine) as counter:
            assert client.get(f"/cases/{code}{page}").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
