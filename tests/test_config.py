"""Configuration: production refuses to start without its secrets; debug is
never on there; the health check reports the database."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KEYS = {
    "SENDA_DATA_KEYS": "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "SENDA_BLIND_INDEX_KEY": "YmxpbmQtaW5kZXgta2V5LWZvci10ZXN0cy1vbmx5ISE=",
    "SENDA_AUDIT_KEY": "YXVkaXQtY2hhaW4ta2V5LWZvci10ZXN0cy1vbmx5ISE=",
    "SENDA_BACKUP_KEY": "YmFja3VwLWZpbGUta2V5LWZvci10ZXN0cy1vbmx5ISE=",
}


SHARED_STORE = ("RATELIMIT_STORAGE_URI", "SENDA_REDIS_URL", "REDIS_URL")
REDIS = {"SENDA_REDIS_URL": "redis://127.0.0.1:1/0"}  # never contacted at start-up


def start_production(code="import wsgi; print('debug', wsgi.app.debug)", **env):
    clean = {k: v for k, v in os.environ.items()
             if k not in ("SECRET_KEY", "DATABASE_URL", *KEYS, *SHARED_STORE)}
    clean.update({"SENDA_ENV": "production", "SENDA_KEYS_FILE": "/nonexistent/keys.json", **env})
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60,
    )


def test_production_refuses_to_start_without_secret_key_and_database():
    result = start_production(**KEYS, **REDIS)
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr and "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_to_start_without_keys():
    result = start_production(SECRET_KEY="s" * 32, DATABASE_URL="sqlite:///:memory:", **REDIS)
    assert result.returncode == 2
    assert "SENDA_DATA_KEYS" in result.stderr and "SENDA_AUDIT_KEY" in result.stderr
    assert "SENDA_BACKUP_KEY" in result.stderr


def test_production_refuses_per_process_rate_limits():
    result = start_production(SECRET_KEY="s" * 32, DATABASE_URL="sqlite:///:memory:", **KEYS)
    assert result.returncode == 2
    assert "SENDA_REDIS_URL" in result.stderr and "Traceback" not in result.stderr


def test_production_starts_with_everything_and_debug_off():
    result = start_production(SECRET_KEY="s" * 32, DATABASE_URL="sqlite:///:memory:", **KEYS, **REDIS)
    assert result.returncode == 0, result.stderr
    assert "debug False" in result.stdout


@pytest.mark.parametrize("name", SHARED_STORE)
def test_production_takes_the_rate_limit_store_from_the_environment(name):
    code = "import wsgi; print('store', wsgi.app.config['RATELIMIT_STORAGE_URI'])"
    result = start_production(SECRET_KEY="s" * 32, DATABASE_URL="sqlite:///:memory:", **KEYS,
                              **{name: "redis://127.0.0.1:6390/3"}, code=code)
    assert result.returncode == 0, result.stderr
    assert "store redis://127.0.0.1:6390/3" in result.stdout


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert {k: response.json[k] for k in ("status", "database")} == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(app, tmp_path):
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path}/missing/dir/db.sqlite"
    from app import create_app
    from tests.conftest import make_config

    broken = create_app(make_config(f"sqlite:///{tmp_path}/missing/dir/db.sqlite"))
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "error"
