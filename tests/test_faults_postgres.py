"""PostgreSQL restarted under load, on a private server: requests in flight
and during the outage get the translated 503 page (never a 500 or a reset
connection), and the same app serves again soon after the database is back."""

import re
import threading
import time
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, build_opener

import pytest
from flask_migrate import upgrade

from app import create_app
from app.demo.cli import load_demo
from app.extensions import db
from tests import private_postgres
from tests.conftest import CSRF_RE, DEMO_PASSWORD, PG_URL, make_config, serve

pytestmark = pytest.mark.skipif(
    PG_URL is not None, reason="brings its own PostgreSQL server: runs once, in the SQLite pass"
)

UNAVAILABLE = {
    "es": "El servicio no está disponible por un momento.",
    "en": "The service is briefly unavailable.",
}
REFERENCE = {"es": re.compile(r"Código para soporte técnico: [0-9a-f]{8}"),
             "en": re.compile(r"Reference for support: [0-9a-f]{8}")}
# The language chosen is also kept on the user: one user per language.
USERS = {"es": "worker.sv", "en": "coord.sv"}
CASE = "SV-DEMO-0022"  # theirs to open: opening it writes an audit event
BACK_WITHIN_SECONDS = 5


@pytest.fixture(scope="module")
def private_pg():
    """A private PostgreSQL server with the migrated schema and the demo data."""
    if not private_postgres.available():
        pytest.skip(f"needs the PostgreSQL server binaries in {private_postgres.PG_BIN} (PG_BIN_DIR)")
    server = private_postgres.PrivatePostgres()
    try:
        server.init()
        app = create_app(make_config(server.url))
        with app.app_context():
            upgrade()
            load_demo()
            db.session.commit()
            db.engine.dispose()
        yield server
    finally:
        server.destroy()


@pytest.fixture
def live_url(private_pg):
    """The app on the private server, served on a real socket in this process."""
    with serve(create_app(make_config(private_pg.url))) as url:
        yield url


class Visitor:
    """One signed-in browser: its own cookies and language, over a real socket."""

    def __init__(self, base: str, language: str) -> None:
        self.base, self.language = base, language
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()))
        self.opener.addheaders = [("Accept-Language", language)]
        self.post("/auth/login", {"username": USERS[language], "password": DEMO_PASSWORD})
        if language == "en":
            self.post("/language", {"locale": "en"})

    def get(self, path: str) -> tuple[int, str]:
        """Status and body; connection failures are raised (as OSError)."""
        try:
            # The timeout only keeps a hung server from hanging the test run.
            with self.opener.open(self.base + path, timeout=60) as response:
                return response.status, response.read().decode()
        except HTTPError as error:
            with error:
                return error.code, error.read().decode()

    def post(self, path: str, data: dict) -> None:
        token = CSRF_RE.search(self.get("/auth/login" if path == "/auth/login" else "/cases/")[1]).group(1)
        body = urlencode({**data, "csrf_token": token}).encode()
        with self.opener.open(self.base + path, body, timeout=60) as response:
            assert response.status == 200 and "/auth/login" not in response.url


def hammer(visitor: Visitor, stop: threading.Event, seen: list) -> None:
    """Read the caseload and open a case (a write) until told to stop."""
    paths = ("/cases/", f"/cases/{CASE}")
    while not stop.is_set():
        path = paths[len(seen) % 2]
        try:
            seen.append((visitor.language, *visitor.get(path)))
        except OSError as error:  # a reset or refused connection
            seen.append((visitor.language, None, repr(error)))


def has_lang(body: str, language: str) -> bool:
    """<html lang="es-SV">, or "es-419" when the user's country is unknown (the database is down)."""
    return re.search(f'<html lang="{language}(-\\w+)?">', body) is not None


def assert_unavailable_page(language: str, status: int, body: str) -> None:
    assert status == 503 and has_lang(body, language)
    assert UNAVAILABLE[language] in body and REFERENCE[language].search(body), body[-1500:]
    assert "Traceback" not in body and "psycopg" not in body and "OperationalError" not in body


def test_postgres_restart_under_load_gives_503_then_recovers(private_pg, live_url):
    visitors = [Visitor(live_url, "es"), Visitor(live_url, "es"), Visitor(live_url, "en")]
    probes = {language: Visitor(live_url, language) for language in ("es", "en")}
    stop = threading.Event()
    seen: list[tuple] = []
    threads = [threading.Thread(target=hammer, args=(v, stop, seen), daemon=True) for v in visitors]
    for thread in threads:
        thread.start()
    try:
        started = time.monotonic()
        while sum(1 for _, status, _ in seen if status == 200) < 6:  # the load is running
            assert time.monotonic() - started < 60, f"the load never got going: {seen[-3:]}"
            time.sleep(0.05)

        private_pg.stop()
        for language, probe in probes.items():  # the database is down: a translated 503
            assert_unavailable_page(language, *probe.get("/cases/"))
        private_pg.start()  # returns once the server accepts connections

        back, status = time.monotonic(), None
        while time.monotonic() - back < BACK_WITHIN_SECONDS:
            status, _ = probes["es"].get(f"/cases/{CASE}")
            if status == 200:
                break
            time.sleep(0.1)
        assert status == 200, f"not serving {BACK_WITHIN_SECONDS} s after PostgreSQL came back"
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    statuses = {status for _, status, _ in seen}
    assert statuses <= {200, 503}, [(s, body[-800:]) for _, s, body in seen if s not in (200, 503)][:3]
    assert 503 in statuses, "no request of the load met the outage"
    for language, status, body in seen:
        if status == 503:
            assert_unavailable_page(language, status, body)
        else:
            assert has_lang(body, language)


def test_a_restart_while_idle_goes_unnoticed(private_pg, live_url):
    """pool_pre_ping: pooled connections to the old server are replaced before use."""
    visitor = Visitor(live_url, "es")
    assert visitor.get(f"/cases/{CASE}")[0] == 200  # the pool now holds connections
    private_pg.stop()
    private_pg.start()
    assert visitor.get(f"/cases/{CASE}")[0] == 200
