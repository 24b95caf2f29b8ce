"""Fixtures: a real database built by the migrations (SQLite by default,
PostgreSQL when SENDA_TEST_DATABASE is set), reset for every test."""

import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text
from werkzeug.serving import make_server

from app import create_app
from app.demo.cli import load_demo
from app.extensions import db
from config import TestingConfig

PG_URL = os.environ.get("SENDA_TEST_DATABASE")
DEMO_PASSWORD = TestingConfig.DEMO_PASSWORD


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
        if PG_URL:
            with db.engine.connect() as conn:
                for table in db.metadata.sorted_tables:
                    SNAPSHOT[table.name] = [dict(r._mapping) for r in conn.execute(table.select())]
        db.engine.dispose()
    return url


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
        conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
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
