"""Fixtures: a real database built by the migrations (SQLite by default,
PostgreSQL when SENDA_TEST_DATABASE is set), reset for every test; the
`today` of the app; and, with --clock or SENDA_TEST_CLOCK, a whole run
on a ticking clock started at a chosen instant."""

import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text
from werkzeug.serving import make_server

from app import create_app
from app.dates import local_today
from app.demo.cli import load_demo
from app.extensions import db
from app.reports.jobs import refresh_releases
from config import TestingConfig

PG_URL = os.environ.get("SENDA_TEST_DATABASE")
DEMO_PASSWORD = TestingConfig.DEMO_PASSWORD


def pytest_addoption(parser):
    parser.addoption("--clock", default=os.environ.get("SENDA_TEST_CLOCK") or None, metavar="INSTANT",
                     help="run on a ticking clock started at INSTANT, an ISO 8601 time with its offset "
                          "(e.g. 2027-01-01T05:30:00Z); default: $SENDA_TEST_CLOCK")


def clock_start(config) -> datetime | None:
    value = config.getoption("clock")
    if not value:
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None:
        raise pytest.UsageError(f"--clock/SENDA_TEST_CLOCK needs an ISO 8601 time with its offset, not {value!r}")
    return instant


def pytest_configure(config):
    """Travel for the whole run (collection and session fixtures included).
    The clock ticks on from the instant, so timeouts, argon2 and audit
    times behave as usual; only the processes of this run see it."""
    instant = clock_start(config)
    if instant is not None:
        config.senda_clock = time_machine.travel(instant, tick=True)
        config.senda_clock.start()


def pytest_unconfigure(config):
    traveller = getattr(config, "senda_clock", None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config):
    instant = clock_start(config)
    return f"clock: started at {instant.isoformat()} and ticking (time-machine)" if instant else None


def pytest_collection_modifyitems(config, items):
    """Chromium and the gunicorn instances keep the real clock: with a
    travelled clock their cookies and dates would disagree with ours."""
    if clock_start(config) is None:
        return
    skip = pytest.mark.skip(reason="another process keeps the real clock (--clock)")
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("multiprocess"):
            item.add_marker(skip)


def local_date(app) -> date:
    """Today as the app reads it outside a request: in its configured zone,
    El Salvador's, the date of every demo user too (none is in Panama)."""
    with app.app_context():
        return local_today()


@contextmanager
def serve(app, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve `app` on a free port of `host` from a thread (a real socket); yields its base URL."""
    server = make_server(host, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="senda-live-server",
                              daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


def refresh_summaries(app) -> None:
    """Run the summaries' refresh job (in production a timer does): pages read only what it stored."""
    with app.app_context():
        refresh_releases()
        db.session.remove()


def make_config(url: str, **overrides) -> type[TestingConfig]:
    return type("TestConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url, **overrides})


def drop_everything(url: str) -> None:
    """Empty a PostgreSQL database, including the audit trigger function."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


SNAPSHOT: dict[str, list[dict]] = {}


@pytest.fixture(scope="session")
def template_url(tmp_path_factory) -> str:
    """The schema made by `flask db upgrade` on an empty database, with the
    geography and demo data loaded once (on PostgreSQL, kept as a snapshot of
    rows that every test starts from)."""
    if PG_URL:
        drop_everything(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'template.db'}"
    app = create_app(make_config(url))
    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        refresh_releases()  # as `make db` does: the summary pages only read what the job stored
        if PG_URL:
            with db.engine.connect() as conn:
                for table in db.metadata.sorted_tables:
                    SNAPSHOT[table.name] = [dict(r._mapping) for r in conn.execute(table.select())]
        db.engine.dispose()
    return url


APPEND_ONLY = ("audit_events", "audit_batches")  # tables whose PostgreSQL triggers refuse changes


def reset_postgres(url: str) -> None:
    """Put every table back to the demo snapshot (fast: a few thousand rows)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
    if "audit_events" not in present:  # a migration test dropped the schema
        engine.dispose()
        drop_everything(url)
        with create_app(make_config(url)).app_context():
            upgrade()
            db.engine.dispose()
        engine = create_engine(url)
    tables = {t.name: t for t in db.metadata.sorted_tables}
    with engine.begin() as conn:
        for name in APPEND_ONLY:
            conn.execute(text(f"ALTER TABLE {name} DISABLE TRIGGER USER"))
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        for name in APPEND_ONLY:
            conn.execute(text(f"ALTER TABLE {name} ENABLE TRIGGER USER"))
        for name, rows in SNAPSHOT.items():
            if rows:
                conn.execute(tables[name].insert(), rows)
                if "id" in tables[name].c and tables[name].c.id.autoincrement is not False:
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                      f"(SELECT max(id) FROM {name}))"))
    engine.dispose()


@pytest.fixture
def db_url(template_url, tmp_path) -> str:
    if PG_URL:
        reset_postgres(PG_URL)
        return PG_URL
    path = Path(template_url.removeprefix("sqlite:///"))
    target = tmp_path / "senda.db"
    shutil.copyfile(path, target)
    return f"sqlite:///{target}"


@pytest.fixture
def app(db_url):
    app = create_app(make_config(db_url))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def today(app) -> date:
    """The app's today, for dates a test types into a form or expects back.
    Never the machine's date: the server runs in UTC, six hours ahead."""
    return local_date(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An application context for direct database work in a test."""
    with app.app_context():
        yield


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str = "/auth/login") -> str:
    page = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login(client, username: str, password: str = DEMO_PASSWORD, **kwargs):
    token = csrf_token(client)
    return client.post(
        "/auth/login",
        data={"username": username, "password": password, "csrf_token": token},
        **kwargs,
    )


def post_form(client, url: str, data: dict, form_url: str | None = None, **kwargs):
    """POST with a CSRF token read from the form page (or any page)."""
    token = csrf_token(client, form_url or url)
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


@pytest.fixture
def auth(client):
    class Auth:
        def login(self, username: str, password: str = DEMO_PASSWORD):
            response = login(client, username, password)
            assert response.status_code == 302, f"login as {username} failed"
            return response

        def logout(self):
            return post_form(client, "/auth/logout", {}, form_url="/auth/password")

    return Auth()
