"""WSGI entry point: `gunicorn -c gunicorn.conf.py` (production) and `flask` (FLASK_APP=wsgi).

The configuration is the one SENDA_ENV names, production when it is unset.
A configuration that cannot run stops the process with exit status 2 and a
message naming what is missing; inside a gunicorn worker, with gunicorn's
"App failed to load" status, which stops the master too instead of booting
one failing worker after another (gunicorn.conf.py refuses before that)."""

import sys

from app import create_app
from config import ConfigError


def _exit_status() -> int:
    arbiter = sys.modules.get("gunicorn.arbiter")
    return arbiter.Arbiter.APP_LOAD_ERROR if arbiter else 2


try:
    app = create_app()
except ConfigError as exc:
    print(f"Senda cannot start: {exc}", file=sys.stderr, flush=True)
    sys.exit(_exit_status())
