"""Configuration classes. Every value comes from the environment; only
development and testing have fallbacks, and production refuses to start
without its secrets (see ``ProductionConfig.validate``).

Production is the default: SENDA_ENV unset (or empty) means production, and
development and testing are only ever chosen on purpose (SENDA_ENV=development:
`make run`; the tests pass their own class to ``create_app``).

This module imports nothing from the app, so that gunicorn.conf.py can check
the configuration in gunicorn's master process before any worker starts."""

import json
import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _shared_store() -> str | None:
    """Where rate-limit counters live: RATELIMIT_STORAGE_URI, else the Redis
    of SENDA_REDIS_URL or REDIS_URL (shared by every process and host)."""
    return (
        os.environ.get("RATELIMIT_STORAGE_URI")
        or os.environ.get("SENDA_REDIS_URL")
        or os.environ.get("REDIS_URL")
    )


class ConfigError(RuntimeError):
    """Raised when the configuration cannot run safely."""


# Every key: its environment variable, its configuration attribute and its
# name in the keys file (SENDA_KEYS_FILE). All four are required.
KEYS = (
    ("SENDA_DATA_KEYS", "DATA_KEYS", "data_keys"),
    ("SENDA_BLIND_INDEX_KEY", "BLIND_INDEX_KEY", "blind_index_key"),
    ("SENDA_AUDIT_KEY", "AUDIT_KEY", "audit_key"),
    ("SENDA_BACKUP_KEY", "BACKUP_KEY", "backup_key"),
)


def read_keys_file(path: str | os.PathLike) -> dict[str, str]:
    """The values of a keys file, or {} when there is no such file."""
    path = Path(path)
    if not path.exists():
        return {}
    try:
        values = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the keys file {path}: {exc}") from exc
    if not isinstance(values, dict):
        raise ConfigError(f"the keys file {path} must hold a JSON object")
    return values


def missing_keys(settings: Mapping, file_values: Mapping) -> list[str]:
    """The environment variables of the keys found neither in `settings`
    (configuration attributes) nor in the keys file's values."""
    return [variable for variable, attribute, name in KEYS
            if not settings.get(attribute) and not file_values.get(name)]


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    # Sessions: idle timeout and absolute lifetime are enforced server-side
    # on every request (app/auth/sessions.py); the cookie flags are defaults.
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 30)
    SESSION_ABSOLUTE_HOURS = _int("SESSION_ABSOLUTE_HOURS", 12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=SESSION_ABSOLUTE_HOURS)
    SESSION_COOKIE_NAME = "senda_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
    # Write the session cookie only when a request changes the session. Refreshing it on every
    # request let a static file or CSP report in flight with the older cookie write it back over
    # the language switch or a sign-out that answered first (seen in the browser journeys). The
    # idle and absolute limits do not depend on the cookie's expiry: they are checked server-side.
    SESSION_REFRESH_EACH_REQUEST = False

    # Login protection.
    LOCKOUT_THRESHOLD = _int("LOCKOUT_THRESHOLD", 5)
    LOCKOUT_MINUTES = _int("LOCKOUT_MINUTES", 15)
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "30 per minute")
    # Each password change checks the current password (argon2): limited per
    # user and per address, with the same limiter and counters as the login.
    PASSWORD_CHANGE_RATE_LIMIT = os.environ.get("PASSWORD_CHANGE_RATE_LIMIT", "5 per 15 minutes")
    PASSWORD_CHANGE_IP_RATE_LIMIT = os.environ.get("PASSWORD_CHANGE_IP_RATE_LIMIT", "30 per 15 minutes")
    # Browsers' reports of blocked content (POST /csp-report), per address.
    CSP_REPORT_RATE_LIMIT = os.environ.get("CSP_REPORT_RATE_LIMIT", "60 per minute")
    CSP_REPORT_MAX_BYTES = _int("CSP_REPORT_MAX_BYTES", 8 * 1024)
    # Per-IP login throttle. Counters must be shared by every process (Redis)
    # in production; if Redis stops answering, each process falls back to
    # counting in its own memory instead of failing the login page. Account
    # lockout does not depend on this: its counters are in the database.
    RATELIMIT_STORAGE_URI = _shared_store() or "memory://"
    RATELIMIT_KEY_PREFIX = "senda"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False

    # argon2id cost. The defaults are argon2-cffi's RFC 9106 low-memory
    # profile, above OWASP's minimum (m=19 MiB, t=2, p=1), which tests use.
    ARGON2_TIME_COST = _int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_KIB = _int("ARGON2_MEMORY_KIB", 65536)
    ARGON2_PARALLELISM = _int("ARGON2_PARALLELISM", 4)

    # Number of reverse proxies in front of the app (0: none) for ProxyFix.
    PROXY_FIX_HOPS = _int("PROXY_FIX_HOPS", 0)

    # Summaries: counts from 1 to k-1 are hidden. Cases closed this many years ago are anonymized
    # by `flask privacy retention`.
    SUPPRESSION_K = _int("SUPPRESSION_K", 5)
    # The month fiscal years start in (10: October, as USAID's): 1, 4, 7 or 10, so that they are unions of quarters.
    FISCAL_YEAR_START_MONTH = _int("SENDA_FISCAL_YEAR_START_MONTH", 10)
    RETENTION_YEARS = _int("RETENTION_YEARS", 5)
    # The seal job (`flask audit seal --every 5`) keeps the oldest unsealed
    # audit event younger than this; /healthz says "lagging" beyond it.
    AUDIT_SEAL_MAX_LAG = _int("AUDIT_SEAL_MAX_LAG", 30)
    # Cell-key perturbation of published counts: the perturbation table (docs/perturbation.md).
    PTABLE_FILE = os.environ.get("SENDA_PTABLE") or str(BASE_DIR / "app" / "data" / "ptables" / "senda-ptable-1.csv")

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # tied to the session, which has its own limits

    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 8 * 1024 * 1024)

    BABEL_DEFAULT_LOCALE = "es"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("SENDA_TIMEZONE", "America/El_Salvador")
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = ("es", "en")

    # Keys for encryption at rest, blind indexes and the audit chain.
    # Each may come from the environment or from instance/keys.json.
    DATA_KEYS = os.environ.get("SENDA_DATA_KEYS")
    BLIND_INDEX_KEY = os.environ.get("SENDA_BLIND_INDEX_KEY")
    AUDIT_KEY = os.environ.get("SENDA_AUDIT_KEY")
    BACKUP_KEY = os.environ.get("SENDA_BACKUP_KEY")  # `flask backup`; kept apart from the others
    KEYS_FILE = os.environ.get("SENDA_KEYS_FILE", str(INSTANCE_DIR / "keys.json"))
    GENERATE_KEYS = False  # only development writes a keys file of its own

    # Directory of pg_dump/pg_restore when those in PATH are older than the server.
    PG_BIN_DIR = os.environ.get("PG_BIN_DIR")

    PAGE_SIZE = _int("PAGE_SIZE", 25)
    DEMO_PASSWORD = "Senda-demo-2026"  # nosec B105 - published demo password; demo load refuses production
    ALLOW_DEMO = False

    @classmethod
    def validate(cls) -> None:
        """Raise ConfigError when the configuration is unsafe to run."""
        if cls.FISCAL_YEAR_START_MONTH not in (1, 4, 7, 10):
            raise ConfigError("SENDA_FISCAL_YEAR_START_MONTH must be 1, 4, 7 or 10: a fiscal year is a union of quarters")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False  # the reloader is enough; the debugger stays off everywhere
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-secret-not-for-production"  # nosec B105
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or (
        f"sqlite:///{INSTANCE_DIR / 'senda.db'}"
    )
    SESSION_COOKIE_SECURE = False
    ALLOW_DEMO = True
    GENERATE_KEYS = True


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret"  # nosec B105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    SESSION_COOKIE_SECURE = False
    ALLOW_DEMO = True
    GENERATE_KEYS = False
    # Fixed test keys (32 bytes, base64) so tests are repeatable.
    DATA_KEYS = "k1:" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
    BLIND_INDEX_KEY = "YmxpbmQtaW5kZXgta2V5LWZvci10ZXN0cy1vbmx5ISE="
    AUDIT_KEY = "YXVkaXQtY2hhaW4ta2V5LWZvci10ZXN0cy1vbmx5ISE="
    BACKUP_KEY = "YmFja3VwLWZpbGUta2V5LWZvci10ZXN0cy1vbmx5ISE="
    KEYS_FILE = ""
    LOGIN_RATE_LIMIT = "1000 per minute"
    PASSWORD_CHANGE_RATE_LIMIT = PASSWORD_CHANGE_IP_RATE_LIMIT = "1000 per minute"
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_KIB = 19456
    ARGON2_PARALLELISM = 1


class ProductionConfig(Config):
    ENV_NAME = "production"
    DEBUG = False
    TESTING = False
    GENERATE_KEYS = False
    # No per-process fallback: gunicorn runs several processes (and
    # deployments several hosts), so limits must live in one shared store.
    RATELIMIT_STORAGE_URI = _shared_store()

    @classmethod
    def validate(cls) -> None:
        """Name everything missing at once: the secret key, the database, the
        shared rate-limit store and each key that neither the environment nor
        the keys file provides. Never generates anything."""
        super().validate()
        missing = [
            name
            for name, value in (
                ("SECRET_KEY", cls.SECRET_KEY),
                ("DATABASE_URL", cls.SQLALCHEMY_DATABASE_URI),
                ("SENDA_REDIS_URL (or REDIS_URL, RATELIMIT_STORAGE_URI)", cls.RATELIMIT_STORAGE_URI),
            )
            if not value
        ]
        keys_file = cls.KEYS_FILE
        keys = missing_keys({attribute: getattr(cls, attribute) for _, attribute, _ in KEYS},
                            read_keys_file(keys_file) if keys_file else {})
        if keys:
            if not keys_file:
                source = "each key in the environment: SENDA_KEYS_FILE is empty"
            elif Path(keys_file).exists():
                source = f"each key in the environment or in the keys file {keys_file}, which lacks it"
            else:
                source = f"each key in the environment or in the keys file SENDA_KEYS_FILE: {keys_file} does not exist"
            missing += keys
            missing[-1] += f" ({source})"
        if missing:
            message = "Senda will not start in production without: " + ", ".join(missing)
            if not os.environ.get("SENDA_ENV"):
                message += (". SENDA_ENV is not set, and production is the default; a development"
                            " server asks for SENDA_ENV=development (as `make run` does)")
            raise ConfigError(message)


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """The configuration class named by SENDA_ENV: production when it is unset
    or empty, so that nothing runs the development settings by accident."""
    name = os.environ.get("SENDA_ENV") or "production"
    if name not in CONFIGS:
        raise ConfigError(f"Unknown SENDA_ENV {name!r}; use one of {', '.join(CONFIGS)}")
    return CONFIGS[name]
