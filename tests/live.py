"""Real servers for the multi-process tests: a private redis-server and
gunicorn instances started with gunicorn.conf.py, and a small browser
(cookies, CSRF tokens, forms) to talk to them over HTTP."""

import html.parser
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from config import TestingConfig

ROOT = Path(__file__).resolve().parent.parent
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
START_SECONDS = 90  # how long a server may take to answer (a busy 2-core machine)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(ready, what: str, process: subprocess.Popen, log: Path) -> None:
    """Poll `ready()` until it is true; fail with the server's log if the
    process exits or does not answer within START_SECONDS."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if ready():
                return
        except (OSError, httpx.HTTPError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer in {START_SECONDS} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_redis(directory: Path) -> tuple[str, subprocess.Popen]:
    """A redis-server of our own on a free port, keeping nothing on disk."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server; `make test` does it as root)")
    port = free_port()
    log = directory / "redis.log"
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory),
         "--save", "", "--appendonly", "no", "--logfile", str(log)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    log.touch()

    def ping() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    wait_until(ping, "redis-server", process, log)
    return f"redis://127.0.0.1:{port}/0", process


def production_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production instance: the same database, Redis,
    secret key and data keys for every instance."""
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("SENDA_", "RATELIMIT_", "ARGON2_", "LOGIN_", "LOCKOUT_", "PROXY_FIX"))
            and k not in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "TEST_DATABASE_URL")}
    return {
        **keep,
        "SENDA_ENV": "production",
        "SECRET_KEY": extra.pop("SECRET_KEY", secrets.token_urlsafe(32)),
        "DATABASE_URL": database_url,
        "SENDA_REDIS_URL": redis_url,
        "SENDA_DATA_KEYS": TestingConfig.DATA_KEYS,
        "SENDA_BLIND_INDEX_KEY": TestingConfig.BLIND_INDEX_KEY,
        "SENDA_AUDIT_KEY": TestingConfig.AUDIT_KEY,
        "SENDA_BACKUP_KEY": TestingConfig.BACKUP_KEY,
        "SENDA_KEYS_FILE": "",
        **extra,
    }


def start_gunicorn(env: dict[str, str], log: Path) -> tuple[str, subprocess.Popen]:
    """gunicorn -c gunicorn.conf.py on a free port; returns its base URL."""
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT, env={**env, "SENDA_BIND": f"127.0.0.1:{port}"}, stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: httpx.get(base + "/healthz", timeout=5).status_code == 200, "gunicorn", process, log)
    return base, process


class FormParser(html.parser.HTMLParser):
    """The fields of every <form> of a page, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "form":
            self.forms.append({})
        elif not self.forms or not name and tag != "option":
            return
        elif tag == "input" and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.forms[-1][name] = attrs.get("value") or ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select:
            if "selected" in attrs or self._select not in self.forms[-1]:
                self.forms[-1][self._select] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = name
            self.forms[-1][name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.forms[-1][self._textarea] += data


class Browser:
    """One person's browser: one cookie jar for every instance (they share
    one origin behind a load balancer) and one client address, sent as
    X-Forwarded-For as the reverse proxy would."""

    def __init__(self, address: str) -> None:
        self.http = httpx.Client(headers={"X-Forwarded-For": address}, follow_redirects=False, timeout=60,
                                 event_hooks={"response": [self._over_plain_http]})

    def _over_plain_http(self, response: httpx.Response) -> None:
        """The app's cookies are Secure (TLS is the reverse proxy's job); send
        them back over plain HTTP to 127.0.0.1 all the same."""
        for cookie in self.http.cookies.jar:
            cookie.secure = False

    def get(self, base: str, path: str) -> httpx.Response:
        return self.http.get(base + path)

    def form(self, base: str, path: str, having: str = "csrf_token") -> dict[str, str]:
        """The fields of the first form on the page that has a field `having`."""
        parser = FormParser()
        parser.feed(self.get(base, path).text)
        return next(f for f in parser.forms if having in f)

    def post(self, base: str, path: str, data: dict[str, str]) -> httpx.Response:
        return self.http.post(base + path, data=data)

    def login(self, base: str, username: str, password: str = TestingConfig.DEMO_PASSWORD) -> httpx.Response:
        token = CSRF_RE.search(self.get(base, "/auth/login").text).group(1)
        return self.post(base, "/auth/login", {"username": username, "password": password, "csrf_token": token})

    def session_cookie(self) -> str:
        return self.http.cookies.get(TestingConfig.SESSION_COOKIE_NAME)

    def close(self) -> None:
        self.http.close()
