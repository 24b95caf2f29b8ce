"""Gunicorn settings for Senda: `gunicorn -c gunicorn.conf.py`.

Every value comes from the environment, so one file serves every host:
SENDA_BIND (127.0.0.1:8000), SENDA_WORKERS (2 × cores + 1), SENDA_THREADS (2),
SENDA_TIMEOUT (60 s), SENDA_ACCESS_LOG ("-" for stdout, empty for none).
The app itself reads SENDA_ENV, DATABASE_URL, SENDA_REDIS_URL, the keys and
PROXY_FIX_HOPS (see config.py and docs/operations.md).

Gunicorn serves production only. Before it binds a socket or starts a worker,
the master checks the configuration and exits with status 2, naming what is
wrong on stderr, when SENDA_ENV names anything but production (unset means
production) or when a secret, the database, Redis or a key is missing. On a
reload (HUP) the check runs again on the config.py then on disk.
"""

import multiprocessing
import os
import runpy
import sys
from pathlib import Path


def _check_production() -> None:
    """Exit (status 2, message on stderr) unless the production configuration can run.

    config.py is run afresh rather than imported: a module imported here would
    be inherited by every worker, which would then miss a new config.py after
    an upgrade and a reload."""
    settings = runpy.run_path(str(Path(__file__).resolve().parent / "config.py"), run_name="senda_config_check")
    name = os.environ.get("SENDA_ENV") or "production"
    try:
        if name != "production":
            raise settings["ConfigError"](
                f"gunicorn.conf.py runs the production configuration only, and SENDA_ENV is {name!r}."
                " Unset SENDA_ENV or set SENDA_ENV=production; for development use `make run`")
        settings["ProductionConfig"].validate()
    except settings["ConfigError"] as exc:
        print(f"Senda cannot start: {exc}", file=sys.stderr, flush=True)
        sys.exit(2)


_check_production()

wsgi_app = "wsgi:app"
bind = [address.strip() for address in os.environ.get("SENDA_BIND", "127.0.0.1:8000").split(",")]
workers = int(os.environ.get("SENDA_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("SENDA_THREADS", 2))  # more than 1: gthread workers
timeout = int(os.environ.get("SENDA_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5

# Each process builds its own app (and database pool) after the fork.
preload_app = False
# Recycle workers now and then so that no slow leak grows for weeks.
max_requests = 2000
max_requests_jitter = 200

accesslog = os.environ.get("SENDA_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("SENDA_LOG_LEVEL", "info")
# Neither query strings nor referrers (they can hold search terms): the
# client address as the app sees it, the method, path, status, size, time.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
proc_name = "senda"
# Gunicorn's control socket is one path per user ($HOME/.gunicorn): two
# instances on one host would fight over it, and nothing here uses it.
control_socket_disable = True
