"""Every route x every role gets the expected answer: signed-out users are
sent to the login page, roles without the permission get a translated 403."""

import pytest

from app.accounts.roles import ROLES
from app.auth.sessions import PUBLIC_ENDPOINTS
from app.security.policy import PERMISSIONS
from tests.conftest import login

DEMO_USER = {
    "admin": "admin", "coordinator": "coord.sv", "social_worker": "worker.sv",
    "police": "police.sv", "ngo_manager": "manager.sv", "auditor": "auditor",
}
# Pages every signed-in user may open.
ANY_SIGNED_IN = {"main.index", "auth.change_password", "auth.logout", "main.set_language"}


def url_args(app) -> dict:
    """Real objects of the demo data: a screened, enrolled case of worker.sv
    (coord.sv's team), with its goal, consent and screening."""
    from sqlalchemy import select

    from app.accounts.models import User
    from app.casework.models import Goal
    from app.extensions import db
    from app.policing.models import Attendance, GreatCohort, PolicingSession
    from app.programs.models import Program
    from app.screening.models import Screening
    from app.youth.models import Consent, Youth

    with app.app_context():
        youth = db.session.scalar(
            select(Youth).join(Goal, Goal.youth_id == Youth.id).join(User, User.id == Youth.assigned_worker_id)
            .where(User.username == "worker.sv", Youth.status == "active").order_by(Youth.id).limit(1))
        program = db.session.scalar(select(Program.id).where(Program.organization_id == youth.organization_id))
        return {
            "user_id": 1, "org_id": 1, "code": youth.case_code, "program_id": program,
            "goal_id": db.session.scalar(select(Goal.id).where(Goal.youth_id == youth.id)),
            "consent_id": db.session.scalar(select(Consent.id).where(Consent.youth_id == youth.id)),
            "screening_id": db.session.scalar(select(Screening.id).where(Screening.youth_id == youth.id)),
            "session_id": db.session.scalar(select(PolicingSession.id).join(Attendance).where(
                Attendance.youth_id == youth.id).limit(1)) or db.session.scalar(select(PolicingSession.id).limit(1)),
            "cohort_id": db.session.scalar(select(GreatCohort.id).limit(1)),
            "kind": "csv",
        }


def routes(app):
    """(endpoint, url, methods) for every route but static files."""
    found = []
    values = url_args(app)
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        args = {name: values[name] for name in rule.arguments if name not in (rule.defaults or {})}
        with app.test_request_context():
            from flask import url_for

            found.append((rule.endpoint, url_for(rule.endpoint, **args), rule.methods))
    return found


def required_action(app, endpoint):
    return getattr(app.view_functions[endpoint], "required_action", None)


def test_every_route_is_public_open_to_all_or_guarded(app):
    unguarded = [
        endpoint for endpoint, _, _ in routes(app)
        if endpoint not in PUBLIC_ENDPOINTS and endpoint not in ANY_SIGNED_IN
        and required_action(app, endpoint) is None
    ]
    assert unguarded == []


def test_every_permission_names_real_roles():
    assert all(roles <= set(ROLES) for roles in PERMISSIONS.values())


def test_signed_out_users_are_sent_to_login(app, client):
    for endpoint, url, methods in routes(app):
        if endpoint in PUBLIC_ENDPOINTS:
            continue
        method = "GET" if "GET" in methods else "POST"
        response = client.open(url, method=method)
        # POSTs without a CSRF token are refused before anything else
        assert response.status_code in ((302,) if method == "GET" else (302, 400)), endpoint
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/auth/login"), endpoint


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_pages(app, client, role):
    login(client, DEMO_USER[role])
    for endpoint, url, methods in routes(app):
        if "GET" not in methods or endpoint in PUBLIC_ENDPOINTS or endpoint == "auth.logout":
            continue
        if endpoint == "main.index" and role in ("coordinator", "social_worker"):
            assert client.get(url).headers["Location"] == "/cases/"  # their home is the caseload
            continue
        action = required_action(app, endpoint)
        allowed = action is None or role in PERMISSIONS[action]
        response = client.get(url)
        response.get_data()
        response.close()  # streamed exports keep their context until closed
        if allowed:  # a page may send a case elsewhere when its state does not fit (302)
            assert response.status_code in (200, 302), (role, endpoint, response.status_code)
            assert not response.headers.get("Location", "").startswith("/auth/login"), (role, endpoint)
        else:
            assert response.status_code == 403, (role, endpoint)
        if not allowed:
            assert "Su rol no le permite" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_admin_posts_are_refused_to_other_roles(app, client, role):
    from tests.conftest import csrf_token

    login(client, DEMO_USER[role])
    token = csrf_token(client, "/auth/password")
    for endpoint, url, methods in routes(app):
        if endpoint.startswith("admin.") and "POST" in methods:
            response = client.post(url, data={"csrf_token": token, "username": "x", "name": "x"})
            assert response.status_code == 403, endpoint
