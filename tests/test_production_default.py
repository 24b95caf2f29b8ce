"""Production is the default and fails closed: with SENDA_ENV unset, the app,
`flask` and gunicorn run the production configuration and refuse to start
without its secrets, naming each one; gunicorn.conf.py never runs any other
configuration, and its refusal stops gunicorn's master before it binds a
socket or boots a worker."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from config import KEYS, ConfigError, ProductionConfig, TestingConfig, config_from_env
from tests.live import free_port, stop

ROOT = Path(__file__).resolve().parent.parent
SECRETS = {
    "SECRET_KEY": "s" * 32,
    "DATABASE_URL": "sqlite://",
    "SENDA_REDIS_URL": "redis://127.0.0.1:1/0",  # never contacted at start-up
}
KEY_VALUES = {variable: getattr(TestingConfig, attribute) for variable, attribute, _ in KEYS}
EVERY_MISSING = ("SECRET_KEY", "DATABASE_URL", "SENDA_REDIS_URL", *KEY_VALUES)
START_SECONDS = 30  # far more than a refusal takes (about a second), for a busy machine


def bare_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without SENDA_ENV, any secret, database, Redis
    or key setting, and with SENDA_KEYS_FILE naming a file that does not exist."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SENDA_", "RATELIMIT_", "FLASK_"))
           and k not in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "TEST_DATABASE_URL")}
    env["SENDA_KEYS_FILE"] = str(tmp_path / "no-such-dir" / "keys.json")
    env.update(extra)
    return env


def gunicorn(env: dict[str, str], *args: str) -> tuple[subprocess.CompletedProcess, float]:
    """Run `gunicorn -c gunicorn.conf.py` to its end on a free port; (result, seconds)."""
    env = {"SENDA_BIND": f"127.0.0.1:{free_port()}", "SENDA_WORKERS": "2", **env}
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *args],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=START_SECONDS)
    return result, time.monotonic() - started


def assert_refused_by_the_master(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 2, result.stderr
    assert "Senda cannot start" in result.stderr
    assert "Traceback" not in result.stderr
    assert "Listening at" not in result.stderr and "Booting worker" not in result.stderr  # before any socket


def test_gunicorn_without_senda_env_or_secrets_refuses_naming_each(tmp_path):
    env = bare_env(tmp_path)
    result, seconds = gunicorn(env)
    assert_refused_by_the_master(result)
    for name in EVERY_MISSING:
        assert name in result.stderr, name
    assert env["SENDA_KEYS_FILE"] in result.stderr and "does not exist" in result.stderr
    assert "SENDA_ENV is not set" in result.stderr
    assert seconds < 15
    assert not (tmp_path / "no-such-dir").exists()  # no key was generated


def test_gunicorn_names_only_what_is_missing(tmp_path):
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps({"data_keys": TestingConfig.DATA_KEYS, "audit_key": TestingConfig.AUDIT_KEY}))
    result, _ = gunicorn(bare_env(tmp_path, SECRET_KEY="s" * 32, SENDA_REDIS_URL="redis://127.0.0.1:1/0",
                                  SENDA_KEYS_FILE=str(keys_file)))
    assert_refused_by_the_master(result)
    assert "DATABASE_URL" in result.stderr
    assert "SENDA_BLIND_INDEX_KEY" in result.stderr and "SENDA_BACKUP_KEY" in result.stderr
    assert f"{keys_file}, which lacks it" in result.stderr
    for present in ("SECRET_KEY", "SENDA_REDIS_URL", "SENDA_DATA_KEYS", "SENDA_AUDIT_KEY"):
        assert present not in result.stderr, present


@pytest.mark.parametrize("name", ["development", "testing", "staging"])
def test_gunicorn_runs_no_other_configuration(tmp_path, name):
    result, _ = gunicorn(bare_env(tmp_path, SENDA_ENV=name, **SECRETS, **KEY_VALUES))
    assert_refused_by_the_master(result)
    assert f"SENDA_ENV is '{name}'" in result.stderr and "production configuration only" in result.stderr


def test_a_worker_that_cannot_start_stops_the_master(tmp_path):
    """A configuration the master's check lets through but the app refuses
    (a key that is not base64) ends gunicorn instead of booting worker after worker."""
    env = bare_env(tmp_path, **SECRETS, **{**KEY_VALUES, "SENDA_AUDIT_KEY": "not base64!"})
    # One worker: with two failing at once, gunicorn 27's halt reaps the second while handling the
    # first and its HaltServer escapes as exit status 1 (arbiter.stop -> reap_workers), at random.
    result, _ = gunicorn({**env, "SENDA_WORKERS": "1"})
    assert result.returncode == 4, result.stderr  # gunicorn's "App failed to load"
    assert "SENDA_AUDIT_KEY is not valid base64" in result.stderr
    assert "App failed to load" in result.stderr
    assert result.stderr.count("Booting worker") == 1  # none booted again


def test_gunicorn_without_senda_env_serves_production(tmp_path):
    """Everything given but SENDA_ENV (keys from a keys file): gunicorn serves,
    and what it serves is production (Secure cookies, HSTS)."""
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps({name: getattr(TestingConfig, attribute) for _, attribute, name in KEYS}))
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = bare_env(tmp_path, **SECRETS, SENDA_KEYS_FILE=str(keys_file), SENDA_BIND=f"127.0.0.1:{port}",
                   SENDA_WORKERS="1", SENDA_ACCESS_LOG="")
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/auth/login", timeout=5)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert page.status_code == 200
        assert "Strict-Transport-Security" in page.headers
        cookie = page.headers["set-cookie"]
        assert cookie.startswith(ProductionConfig.SESSION_COOKIE_NAME + "=") and "Secure" in cookie
    finally:
        stop(process)


def run_python(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_create_app_without_senda_env_is_production(tmp_path):
    code = ("from app import create_app; a = create_app(); c = a.config;"
            " print(type(a.extensions['senda_keys']).__name__, c['ENV_NAME'], c['SESSION_COOKIE_SECURE'],"
            " c['ALLOW_DEMO'], c['GENERATE_KEYS'], a.debug, c['SECRET_KEY'] == 's' * 32)")
    result = run_python(bare_env(tmp_path, **SECRETS, **KEY_VALUES), "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["KeySet", "production", "True", "False", "False", "False", "True"]


def test_create_app_without_senda_env_or_secrets_refuses(tmp_path):
    result = run_python(bare_env(tmp_path), "-c", "import wsgi")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for name in EVERY_MISSING:
        assert name in result.stderr, name
    assert not (tmp_path / "no-such-dir").exists()


def test_the_flask_command_without_senda_env_is_production(tmp_path):
    """.flaskenv names the app only: a `flask` command that forgot the
    production environment refuses instead of running development settings."""
    result = run_python(bare_env(tmp_path), "-m", "flask", "db", "current")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "SECRET_KEY" in result.stderr and "SENDA_ENV is not set" in result.stderr
    assert not (tmp_path / "no-such-dir").exists()


def test_config_from_env_defaults_to_production(monkeypatch):
    monkeypatch.delenv("SENDA_ENV", raising=False)
    assert config_from_env() is ProductionConfig
    monkeypatch.setenv("SENDA_ENV", "")
    assert config_from_env() is ProductionConfig
    monkeypatch.setenv("SENDA_ENV", "development")
    assert config_from_env().ENV_NAME == "development"
    monkeypatch.setenv("SENDA_ENV", "prod")
    with pytest.raises(ConfigError, match="Unknown SENDA_ENV"):
        config_from_env()


def test_only_development_generates_keys():
    from config import CONFIGS

    assert [name for name, cls in CONFIGS.items() if cls.GENERATE_KEYS] == ["development"]
    assert not ProductionConfig.ALLOW_DEMO and ProductionConfig.SESSION_COOKIE_SECURE
