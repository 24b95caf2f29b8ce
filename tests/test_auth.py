"""Login, lockout, session timeouts, revocation, password rules."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.security.passwords import hash_password, password_problem
from tests.conftest import DEMO_PASSWORD, csrf_token, login, post_form

FAILURE = "no son correctos"  # part of the one failure message, in Spanish
SIGNED_IN_PAGE = "/auth/password"  # a page every role may open


def user(app, username: str) -> User:
    with app.app_context():
        found = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge(found)
        return found


def test_every_demo_account_can_sign_in_and_sees_its_home(client, app):
    for username in ("admin", "coord.sv", "worker.sv", "worker2.sv", "worker.hn",
                     "police.sv", "manager.sv", "auditor"):
        response = login(client, username, follow_redirects=True)
        assert response.status_code == 200, username
        body = response.get_data(as_text=True)
        home = "Mis casos" if username.startswith("worker") else "Casos del equipo" if username == "coord.sv" else "Bienvenido"
        assert home in body, username
        post_form(client, "/auth/logout", {}, form_url=SIGNED_IN_PAGE)


def test_login_redirects_to_a_safe_next_only(client):
    token = csrf_token(client)
    data = {"username": "worker.sv", "password": DEMO_PASSWORD, "csrf_token": token}
    response = client.post("/auth/login?next=//evil.example/x", data=data)
    assert response.headers["Location"] == "/"
    post_form(client, "/auth/logout", {}, form_url=SIGNED_IN_PAGE)
    token = csrf_token(client)
    response = client.post("/auth/login?next=/auth/password",
                           data={**data, "csrf_token": token})
    assert response.headers["Location"] == "/auth/password"


def test_unknown_user_and_wrong_password_get_the_same_answer(client):
    unknown = login(client, "nobody", "whatever-password-123").get_data(as_text=True)
    wrong = login(client, "worker.sv", "wrong-password-123").get_data(as_text=True)
    assert FAILURE in unknown and FAILURE in wrong
    strip = lambda body: body.split('name="csrf_token"')[0]  # noqa: E731
    assert strip(unknown) == strip(wrong)


def test_account_locks_after_five_failures_for_fifteen_minutes(client, app):
    start = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            login(client, "worker.sv", "wrong-password-123")
        locked = login(client, "worker.sv")  # the right password, but locked
        assert locked.status_code == 200 and FAILURE in locked.get_data(as_text=True)
    assert user(app, "worker.sv").locked_until is not None
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert login(client, "worker.sv").status_code == 200  # still locked
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert login(client, "worker.sv").status_code == 302


def test_a_success_resets_the_failure_count(client, app):
    for _ in range(4):
        login(client, "worker.sv", "wrong-password-123")
    assert login(client, "worker.sv").status_code == 302
    assert user(app, "worker.sv").failed_logins == 0


def test_session_ends_after_idle_timeout(client):
    start = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        login(client, "worker.sv")
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get(SIGNED_IN_PAGE).status_code == 200
    with time_machine.travel(start + timedelta(minutes=58), tick=False):
        assert client.get(SIGNED_IN_PAGE).status_code == 200  # activity keeps it alive
    with time_machine.travel(start + timedelta(minutes=89), tick=False):
        response = client.get(SIGNED_IN_PAGE)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")


def test_session_ends_after_absolute_lifetime(client):
    start = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        login(client, "worker.sv")
    for minutes in range(20, 12 * 60, 20):  # active all day
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(SIGNED_IN_PAGE).status_code == 200
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        assert client.get(SIGNED_IN_PAGE).status_code == 302


def test_logout_ends_every_session_of_the_user(app):
    phone, desktop = app.test_client(), app.test_client()
    login(phone, "worker.sv")
    login(desktop, "worker.sv")
    assert desktop.get(SIGNED_IN_PAGE).status_code == 200
    post_form(phone, "/auth/logout", {}, form_url=SIGNED_IN_PAGE)
    assert desktop.get(SIGNED_IN_PAGE).status_code == 302


def test_password_change_ends_other_sessions_but_not_this_one(app):
    phone, desktop = app.test_client(), app.test_client()
    login(phone, "worker.sv")
    login(desktop, "worker.sv")
    new = "una frase larga y propia 2026"
    response = post_form(desktop, "/auth/password", {
        "current_password": DEMO_PASSWORD, "new_password": new, "confirm": new})
    assert response.status_code == 302
    assert desktop.get(SIGNED_IN_PAGE).status_code == 200
    assert phone.get(SIGNED_IN_PAGE).status_code == 302
    fresh = app.test_client()
    assert login(fresh, "worker.sv", new).status_code == 302


def test_deactivation_ends_the_session(app, client):
    login(client, "worker.sv")
    with app.app_context():
        u = db.session.scalar(select(User).where(User.username == "worker.sv"))
        u.active = False
        u.session_version += 1
        db.session.commit()
    assert client.get(SIGNED_IN_PAGE).status_code == 302
    assert login(client, "worker.sv").status_code == 200  # refused


def test_login_starts_a_new_session(client):
    client.get("/auth/login")
    before = client.get_cookie("senda_session").value
    login(client, "worker.sv")
    after = client.get_cookie("senda_session").value
    assert before != after
    # the pre-login session cookie does not carry the login
    anonymous = client.application.test_client()
    anonymous.set_cookie("senda_session", before)
    assert anonymous.get(SIGNED_IN_PAGE).status_code == 302


def test_a_request_that_changes_nothing_does_not_rewrite_the_session_cookie(client):
    """A static file or a CSP report answered while another request changes the
    session (the language switch, a sign-out) must not write back the older copy
    it was sent with: only a request that changes the session sets the cookie."""
    login(client, "worker.sv")
    stale = client.get_cookie("senda_session").value
    switched = post_form(client, "/language", {"locale": "en"}, form_url=SIGNED_IN_PAGE)
    assert "senda_session" in " ".join(switched.headers.getlist("Set-Cookie"))
    late = client.application.test_client()  # the browser's request still in flight with the old cookie
    late.set_cookie("senda_session", stale)
    for response in (late.get("/static/favicon.svg"),
                     late.post("/csp-report", data=b'{"csp-report": {"violated-directive": "img-src"}}',
                               content_type="application/csp-report")):
        assert response.status_code in (200, 204)
        assert "senda_session" not in " ".join(response.headers.getlist("Set-Cookie"))


def test_session_cookie_flags(client):
    response = login(client, "worker.sv")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_remember_me_cookie(client):
    response = login(client, "coord.sv")
    assert "remember_token" not in " ".join(response.headers.getlist("Set-Cookie"))


def test_temporary_password_must_be_changed_first(app, client):
    with app.app_context():
        u = db.session.scalar(select(User).where(User.username == "police.sv"))
        u.must_change_password = True
        db.session.commit()
    login(client, "police.sv")
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/password"


def test_password_rules():
    assert password_problem("short-pass") == "too_short"
    assert password_problem("qwertyuiop12") == "too_common"
    assert password_problem("Password1234") == "too_common"
    assert password_problem("maria.lopez-2026!", username="maria.lopez") == "too_common"
    assert password_problem("el río suena cuando agua lleva") is None
    assert password_problem("x" * 257) == "too_long"


def test_new_password_rules_are_enforced_with_translated_messages(client):
    login(client, "worker.sv")
    response = post_form(client, "/auth/password", {
        "current_password": DEMO_PASSWORD, "new_password": "corta", "confirm": "corta"})
    assert "al menos 12 caracteres" in response.get_data(as_text=True)


def test_hash_is_upgraded_on_login_when_parameters_change(app, client):
    weak = None
    with app.app_context():
        app.config["ARGON2_TIME_COST"] = 2
        app.config["ARGON2_MEMORY_KIB"] = 19456
        weak = hash_password(DEMO_PASSWORD)
        u = db.session.scalar(select(User).where(User.username == "auditor"))
        u.password_hash = weak
        db.session.commit()
        app.config["ARGON2_MEMORY_KIB"] = 24576
    login(client, "auditor")
    stored = user(app, "auditor").password_hash
    assert stored != weak and "m=24576" in stored and stored.startswith("$argon2id$")


def test_csrf_is_enforced_on_login_and_logout(client):
    response = client.post("/auth/login", data={"username": "worker.sv", "password": DEMO_PASSWORD})
    assert response.status_code == 400
    login(client, "worker.sv")
    assert client.post("/auth/logout").status_code == 400
    assert client.get(SIGNED_IN_PAGE).status_code == 200  # still signed in


def test_login_is_rate_limited_per_address(app):
    app.config["RATELIMIT_ENABLED"] = True
    from app.extensions import limiter

    client = app.test_client()
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    responses = [login(client, "nobody", "x" * 12) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert "Demasiados intentos" in responses[3].get_data(as_text=True)



@pytest.fixture
def proxied(db_url):
    """Build the app with PROXY_FIX_HOPS=n and a login limit of 2 per minute."""
    from app import create_app
    from app.extensions import limiter
    from tests.conftest import make_config

    built = []

    def build(hops: int, **overrides):
        built.append(create_app(make_config(db_url, PROXY_FIX_HOPS=hops, LOGIN_RATE_LIMIT="2 per minute", **overrides)))
        if not overrides:
            limiter.reset()  # the shared in-memory counters of earlier tests
        return built[-1]

    yield build
    for app in built:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def failed_login_from(client, address: str):
    token = csrf_token(client)
    return client.post("/auth/login", data={"username": "nobody", "password": "x" * 12, "csrf_token": token},
                       headers={"X-Forwarded-For": address})


def test_behind_a_proxy_the_client_address_is_the_forwarded_one(proxied):
    from app.audit.models import AuditEvent

    app = proxied(hops=1)
    client = app.test_client()
    codes = [failed_login_from(client, "198.51.100.7").status_code for _ in range(3)]
    assert codes == [200, 200, 429]  # one address, counted per address
    assert failed_login_from(client, "198.51.100.8").status_code == 200  # another client behind the proxy
    with app.app_context():
        ips = db.session.scalars(select(AuditEvent.ip).where(AuditEvent.action == "auth.login")).all()
    assert set(ips) == {"198.51.100.7", "198.51.100.8"}


def test_without_a_proxy_a_forwarded_header_is_ignored(proxied):
    client = proxied(hops=0).test_client()
    codes = [failed_login_from(client, f"198.51.100.{n}").status_code for n in range(3)]
    assert codes == [200, 200, 429]  # a client cannot dodge the limit by inventing addresses


def test_while_redis_is_down_each_process_still_limits_logins(proxied):
    nothing_listens = "redis://127.0.0.1:9/0"  # the discard port: the connection is refused
    client = proxied(hops=0, RATELIMIT_STORAGE_URI=nothing_listens).test_client()
    codes = [failed_login_from(client, "198.51.100.9").status_code for _ in range(3)]
    assert codes == [200, 200, 429]  # no error page: counted in this process's memory meanwhile
