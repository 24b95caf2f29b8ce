"""Many users at once against gunicorn + PostgreSQL + Redis, on the scale data set.

    .venv/bin/python benchmarks/generate.py --database postgresql+psycopg://senda:senda@127.0.0.1:5432/senda_scale
    .venv/bin/python benchmarks/load.py --database postgresql+psycopg://senda:senda@127.0.0.1:5432/senda_scale
    .venv/bin/python benchmarks/load.py --database URL --users 20 --seconds 30 --workers 3 --threads 2

Starts a private redis-server and gunicorn with gunicorn.conf.py in production mode (SENDA_ENV=production, the
data set's keys, PROXY_FIX_HOPS=1), then simulates --users people, each in a thread with its own cookies and its
own client address (sent as X-Forwarded-For, as nginx would: the login limit of 30 per minute and address is left
as it is and never reached). The mix: about half social workers, a sixth coordinators, a quarter police officers and
an eighth NGO managers, picked at random (--seed) among active accounts of the data set (password
``Bench-password-2026``; ARGON2_* are set to the parameters of that hash, so signing in rewrites no row). Each signs
in, then loops without pause (--think adds one) over the pages of its role: caseload, case page, plan and contacts,
session list, session page, calendar, outcome summary (--without leaves a page out). The pages write their audit
events as usual; nothing else is changed.

For --seconds it records every request's wall time; then the same users call GET /healthz (one SELECT 1) for as
long, as the ceiling of this server on this machine. Prints requests per second, p50/p95/p99 per page, errors
(any answer but 200), and the ratio of page throughput to the ceiling. Targets (from the issue): no error,
p95 <= 300 ms on every page, throughput >= 25 % of the ceiling. Reports; asserts nothing.
"""

import argparse
import random
import re
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks.caseload import CASE_CODE_RE, pct  # noqa: E402
from config import TestingConfig  # noqa: E402
from tests.live import Browser, production_env, start_gunicorn, start_redis, stop  # noqa: E402

PASSWORD = "Bench-password-2026"  # nosec B105 - benchmark data only
SESSION_ID_RE = re.compile(r'href="/sessions/(\d+)"')
MIX = (("social_worker", 0.48), ("coordinator", 0.16), ("police", 0.24), ("ngo_manager", 0.12))
PAGES = {  # (label, path); {case} and {session} are taken from the lists the user has seen
    "social_worker": [("caseload", "/cases/"), ("case page", "/cases/{case}"),
                      ("plan and contacts", "/cases/{case}/casework"), ("session list", "/sessions/")],
    "coordinator": [("caseload", "/cases/"), ("case page", "/cases/{case}"),
                    ("plan and contacts", "/cases/{case}/casework"), ("summary", "/reports/")],
    "police": [("session list", "/sessions/"), ("session page", "/sessions/{session}"),
               ("calendar", "/sessions/calendar")],
    "ngo_manager": [("summary", "/reports/"), ("session list", "/sessions/")],
}
CEILING = "/healthz (ceiling)"
TARGET_P95_MS, TARGET_SHARE = 300, 0.25
FAILURES: Counter = Counter()  # (page, what went wrong) -> how many times


def pick_users(database: str, count: int, seed: int) -> list[tuple[str, str]]:
    """(username, role) for `count` users in the MIX proportions; social workers with a caseload."""
    engine = create_engine(database)
    wanted = {role: max(1, round(count * share)) for role, share in MIX}
    wanted["social_worker"] += count - sum(wanted.values())
    rng, chosen = random.Random(seed), []
    with engine.connect() as conn:
        for role, n in wanted.items():
            names = conn.scalars(text(
                "SELECT username FROM users u WHERE role = :role AND active AND NOT must_change_password"
                " AND (locked_until IS NULL OR locked_until < now())"
                " AND (role <> 'social_worker' OR EXISTS (SELECT 1 FROM youth y WHERE y.assigned_worker_id = u.id))"
                " ORDER BY username"), {"role": role}).all()
            chosen += [(name, role) for name in rng.sample(names, min(n, len(names)))]
    engine.dispose()
    return chosen


class Phases:
    """Deadlines shared by every user: all sign in and warm up, then the pages run until a deadline, then /healthz."""

    def __init__(self, users: int, seconds: float) -> None:
        self.seconds, self.until, self.started, self.elapsed = seconds, 0.0, 0.0, []
        self.barrier = threading.Barrier(users + 1, action=self.next)

    def next(self) -> None:
        """Run by the last thread to arrive: close the phase that ends and open the next one."""
        now = time.monotonic()
        if self.started:
            self.elapsed.append(now - self.started)
        self.started, self.until = now, now + self.seconds

    def running(self) -> bool:
        return time.monotonic() < self.until


class User(threading.Thread):
    """One simulated person: signs in, then requests the pages of its role until the deadline."""

    def __init__(self, number: int, username: str, role: str, base: str, results, phases: Phases,
                 without: set[str] = frozenset(), think: float = 0.0):
        super().__init__(daemon=True)
        self.username, self.base, self.results, self.phases, self.think = username, base, results, phases, think
        self.browser = Browser(f"198.51.{100 + number // 250}.{number % 250 + 1}")
        self.cases: list[str] = []
        self.sessions: list[str] = []
        self.warmup = PAGES[role]
        self.pages = [(label, path) for label, path in PAGES[role] if label not in without]
        self.rng = random.Random(number)

    def run(self) -> None:
        if self.browser.login(self.base, self.username, PASSWORD).status_code != 302:
            self.results["sign-in failed"].append((0.0, False))
        for label, path in self.warmup:  # one untimed pass: finds case and session links, warms the server
            self.request(label, path, timed=False)
        self.phases.barrier.wait()
        while self.phases.running():
            for label, path in self.pages:
                if self.phases.running():
                    self.request(label, path, timed=True)
                    time.sleep(self.rng.uniform(0, 2 * self.think))
        self.phases.barrier.wait()
        while self.phases.running():
            self.request(CEILING, "/healthz", timed=True)
        self.phases.barrier.wait()
        self.browser.close()

    def request(self, label: str, path: str, timed: bool) -> None:
        if "{case}" in path and not self.cases or "{session}" in path and not self.sessions:
            return
        url = path.format(case=self.rng.choice(self.cases or [""]), session=self.rng.choice(self.sessions or [""]))
        started = time.perf_counter()
        try:
            response = self.browser.get(self.base, url)
            ok = response.status_code == 200
            failure = None if ok else f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            response, ok, failure = None, False, type(exc).__name__
        elapsed = (time.perf_counter() - started) * 1000
        if timed:
            self.results[label].append((elapsed, ok))
            if failure:
                FAILURES[(label, failure)] += 1
        if ok and path == "/cases/":
            self.cases = list(dict.fromkeys(CASE_CODE_RE.findall(response.text)))[:50] or self.cases
        elif ok and path == "/sessions/":
            self.sessions = list(dict.fromkeys(SESSION_ID_RE.findall(response.text)))[:50] or self.sessions


def report(results: dict, pages_seconds: float, ceiling_seconds: float) -> None:
    pages = {k: v for k, v in results.items() if k != CEILING}
    page_rps = sum(len(v) for v in pages.values()) / pages_seconds
    ceiling_rps = len(results[CEILING]) / ceiling_seconds
    print(f"\n{'page':<20} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for label, rows in [*sorted(pages.items(), key=lambda kv: -len(kv[1])), (CEILING, results[CEILING])]:
        times = [t for t, _ in rows] or [0.0]
        seconds = ceiling_seconds if label == CEILING else pages_seconds
        errors = sum(1 for _, ok in rows if not ok)
        flag = "  over target" if label != CEILING and pct(times, 95) > TARGET_P95_MS else ""
        print(f"{label:<20} {len(rows):>9} {len(rows) / seconds:>7.1f} {pct(times, 50):>8.1f} {pct(times, 95):>8.1f} "
              f"{pct(times, 99):>8.1f} {errors:>7}{flag}")
    errors = sum(1 for rows in pages.values() for _, ok in rows if not ok)
    for (label, failure), count in sorted(FAILURES.items()):
        print(f"error: {label}: {failure} x {count}")
    print(f"\npages: {page_rps:.1f} req/s, {errors} errors; /healthz ceiling: {ceiling_rps:.1f} req/s; "
          f"ratio {page_rps / ceiling_rps:.0%} (targets: ratio >= {TARGET_SHARE:.0%}, p95 <= {TARGET_P95_MS} ms, 0 errors)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True, help="postgresql+psycopg://user:password@host:port/name")
    parser.add_argument("--users", type=int, default=50, help="simulated users (default 50)")
    parser.add_argument("--seconds", type=float, default=60, help="timed seconds, for the pages and again for the ceiling")
    parser.add_argument("--workers", type=int, help="gunicorn processes (default: gunicorn.conf.py's, 2 x cores + 1)")
    parser.add_argument("--threads", type=int, help="threads per process (default: gunicorn.conf.py's, 2)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean pause between a user's pages, in seconds (default 0: back to back)")
    parser.add_argument("--without", action="append", default=[], choices=sorted({p for v in PAGES.values() for p, _ in v}),
                        help="leave a page out of the timed loop (repeatable), e.g. --without summary")
    parser.add_argument("--access-log", help="gunicorn's access log (with each request's time in the worker) to this file")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    users = pick_users(args.database, args.users, args.seed)
    counts = defaultdict(int)
    for _, role in users:
        counts[role] += 1
    print(f"{len(users)} users: " + ", ".join(f"{n} {role}" for role, n in counts.items()))
    with tempfile.TemporaryDirectory(prefix="senda-load-") as tmp:
        redis_url, redis = start_redis(Path(tmp))
        extra = {"SENDA_ACCESS_LOG": args.access_log or "", "PROXY_FIX_HOPS": "1",
                 **{f"ARGON2_{name}": str(getattr(TestingConfig, f"ARGON2_{name}"))
                    for name in ("TIME_COST", "MEMORY_KIB", "PARALLELISM")}}
        extra.update({name: str(value) for name, value in (("SENDA_WORKERS", args.workers), ("SENDA_THREADS", args.threads))
                      if value})
        try:
            base, server = start_gunicorn(production_env(args.database, redis_url, **extra), Path(tmp) / "gunicorn.log")
        except RuntimeError:
            stop(redis)
            raise
        try:
            results: dict[str, list[tuple[float, bool]]] = defaultdict(list)
            phases = Phases(len(users), args.seconds)
            threads = [User(n, name, role, base, results, phases, set(args.without), args.think)
                       for n, (name, role) in enumerate(users)]
            for thread in threads:
                thread.start()
            print("signing in and warming up ...", flush=True)
            phases.barrier.wait()
            print(f"pages for {args.seconds:.0f} s ...", flush=True)
            phases.barrier.wait()  # every user has finished its last page
            print(f"/healthz for {args.seconds:.0f} s ...", flush=True)
            phases.barrier.wait()
            for thread in threads:
                thread.join()
            report(results, *phases.elapsed)
        finally:
            stop(server)
            stop(redis)


if __name__ == "__main__":
    main()
