"""WSGI entry point: `gunicorn wsgi:app` (production) and `flask` (FLASK_APP=wsgi)."""

import sys

from app import create_app
from config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    print(f"Senda cannot start: {exc}", file=sys.stderr)
    sys.exit(2)
