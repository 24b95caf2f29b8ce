"""Two production instances (gunicorn with gunicorn.conf.py, two worker
processes each) on one PostgreSQL database and one Redis, as behind a load
balancer: what happens through one instance holds on the other."""

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_URL
from tests.live import Browser, production_env, start_gunicorn, start_redis, stop

pytestmark = [
    pytest.mark.multiprocess,
    pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL: set SENDA_TEST_DATABASE "
                                          "(the PostgreSQL pass of `make test` does)"),
]

WRONG = "wrong-password-123"
FAILURE = 'class="flash flash-error"'  # the one login failure message, whatever the language
SIGNED_IN_PAGE = "/auth/password"  # a page every role may open
LOGIN_LIMIT = 8  # per minute and client address, counted in Redis


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    url, process = start_redis(tmp_path_factory.mktemp("redis"))
    yield url
    stop(process)


@pytest.fixture(scope="module")
def instances(template_url, redis_url, tmp_path_factory):
    """Base URLs of instances A and B: same database, Redis, secret and keys."""
    logs = tmp_path_factory.mktemp("gunicorn")
    env = production_env(
        template_url, redis_url,
        SECRET_KEY="shared-by-every-instance-" + "x" * 16,
        SENDA_WORKERS="2", SENDA_THREADS="2", SENDA_ACCESS_LOG="",
        PROXY_FIX_HOPS="1",  # each test is a client address of its own
        LOGIN_RATE_LIMIT=f"{LOGIN_LIMIT} per minute",
        # The demo accounts' hash parameters: sign-ins do not rehash.
        ARGON2_TIME_COST="2", ARGON2_MEMORY_KIB="19456", ARGON2_PARALLELISM="1",
    )
    started = []
    try:
        for name in ("a", "b"):
            started.append(start_gunicorn(env, logs / f"{name}.log"))
        yield [base for base, _ in started]
    finally:
        for _, process in started:
            stop(process)


@pytest.fixture
def servers(instances, db_url, redis_url):
    """Instances A and B over the demo data, with empty rate-limit counters."""
    import redis

    with redis.Redis.from_url(redis_url) as client:
        client.flushdb()
    return instances


@pytest.fixture
def browsers():
    opened = []

    def open_browser(address: str) -> Browser:
        opened.append(Browser(address))
        return opened[-1]

    yield open_browser
    for browser in opened:
        browser.close()


def query(sql: str, **params):
    engine = create_engine(PG_URL)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).one()
    finally:
        engine.dispose()


def signed_out(response) -> bool:
    return response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_failed_logins_through_both_instances_add_up_to_a_lockout(servers, browsers):
    a, b = servers
    browser = browsers("198.51.100.11")
    for base in (a, b, a, b):
        response = browser.login(base, "worker.sv", WRONG)
        assert response.status_code == 200 and FAILURE in response.text
    assert query("SELECT failed_logins FROM users WHERE username = 'worker.sv'")[0] == 4
    browser.login(b, "worker.sv", WRONG)  # the fifth failure, on B
    for base in (a, b):
        response = browser.login(base, "worker.sv")  # the right password, refused on both
        assert response.status_code == 200 and FAILURE in response.text
    assert query("SELECT locked_until IS NOT NULL FROM users WHERE username = 'worker.sv'")[0]


def test_the_login_rate_limit_is_counted_once_for_every_process(servers, browsers):
    a, b = servers
    browser = browsers("198.51.100.12")
    codes = [browser.login(base, "nobody", WRONG).status_code for base in (a, b) * (LOGIN_LIMIT // 2)]
    assert codes == [200] * LOGIN_LIMIT
    assert [browser.login(base, "nobody", WRONG).status_code for base in (a, b)] == [429, 429]
    other = browsers("198.51.100.13")  # another client is not held back
    assert other.login(b, "nobody", WRONG).status_code == 200


def two_sessions(browsers, servers, username: str, first_address: int):
    """The same person signed in twice: on a laptop through A, on a phone through B."""
    a, b = servers
    laptop, phone = browsers(f"198.51.100.{first_address}"), browsers(f"198.51.100.{first_address + 1}")
    assert laptop.login(a, username).status_code == 302
    assert phone.login(b, username).status_code == 302
    return laptop, phone


def test_signing_out_on_one_instance_ends_the_session_on_the_other(servers, browsers):
    a, b = servers
    laptop, phone = two_sessions(browsers, servers, "worker.sv", 14)
    assert laptop.get(b, SIGNED_IN_PAGE).status_code == 200  # either instance serves either session
    assert phone.get(a, SIGNED_IN_PAGE).status_code == 200
    copied = laptop.session_cookie()

    logout = laptop.form(a, SIGNED_IN_PAGE, having="csrf_token")
    assert laptop.post(a, "/auth/logout", logout).status_code == 302
    assert signed_out(phone.get(b, SIGNED_IN_PAGE))  # every session of the user ends
    thief = browsers("198.51.100.16")
    thief.http.cookies.set("senda_session", copied, domain="127.0.0.1")
    assert signed_out(thief.get(b, SIGNED_IN_PAGE))  # a copy of the old cookie is refused too


def test_a_password_change_on_one_instance_ends_other_sessions_on_the_other(servers, browsers):
    a, b = servers
    laptop, phone = two_sessions(browsers, servers, "coord.sv", 17)
    new = "otra clave larga para Senda 2026"
    form = laptop.form(a, "/auth/password", having="new_password")
    form.update(current_password="Senda-demo-2026", new_password=new, confirm=new)
    assert laptop.post(a, "/auth/password", form).status_code == 302

    assert signed_out(phone.get(b, SIGNED_IN_PAGE))
    assert laptop.get(b, SIGNED_IN_PAGE).status_code == 200  # the session that changed it goes on
    assert phone.login(b, "coord.sv", new).status_code == 302


def test_a_stale_edit_through_the_other_instance_is_refused(servers, browsers):
    a, b = servers
    worker, coordinator = browsers("198.51.100.19"), browsers("198.51.100.20")
    assert worker.login(a, "worker.sv").status_code == 302
    assert coordinator.login(b, "coord.sv").status_code == 302
    code, version = query("SELECT y.case_code, y.version FROM youth y JOIN users u ON u.id = y.assigned_worker_id "
                          "WHERE u.username = 'worker.sv' AND y.status = 'active' ORDER BY y.id LIMIT 1")
    edit = f"/cases/{code}/edit"
    stale = worker.form(a, edit, having="version")  # loaded on A
    fresh = coordinator.form(b, edit, having="version")
    assert stale["version"] == fresh["version"] == str(version)
    assert coordinator.post(b, edit, {**fresh, "community": "Guardado en B"}).status_code == 302

    response = worker.post(a, edit, {**stale, "community": "Viejo desde A"})
    assert response.status_code == 200
    assert 'class="saved-version"' in response.text and "Guardado en B" in response.text
    assert 'value="Viejo desde A"' in response.text  # kept in the form, not saved
    assert query("SELECT version FROM youth WHERE case_code = :code", code=code)[0] == version + 1
    page = coordinator.get(b, f"/cases/{code}").text
    assert "Guardado en B" in page and "Viejo desde A" not in page
