"""Many users at once against gunicorn + PostgreSQL + Redis, on the scale data set.

    .venv/bin/python benchmarks/generate.py --database postgresql+psycopg://senda:senda@127.0.0.1:5432/senda_scale
    .venv/bin/python benchmarks/load.py --database postgresql+psycopg://senda:senda@127.0.0.1:5432/senda_scale
    .venv/bin/python benchmarks/load.py --database URL --users 20 --seconds 30 --workers 3 --threads 2

Starts a private redis-server and gunicorn with gunicorn.conf.py in production mode (SENDA_ENV=production, the
data set's keys, PROXY_FIX_HOPS=1), then simulates --users people, each in a thread with its own cookies and its
own client address, the threads spread over --processes generator processes (default 4: one Python process's
threads share one core's worth of interpreter, so a single-process generator measures itself, not the server).
The client address is sent as X-Forwarded-For, as nginx would: the login limit of 30 per minute and address is left
as it is and never reached. The mix: about half social workers, a sixth coordinators, a quarter police officers and
an eighth NGO managers, picked at random (--seed) among active accounts of the data set (password
``Bench-password-2026``; ARGON2_* are set to the parameters of that hash, so signing in rewrites no row). Each signs
in, then loops without pause (--think adds one) over the pages of its role: caseload, case page, plan and contacts,
session list, session page, calendar, outcome summary (--without leaves a page out). The pages write their audit
events as usual; nothing else is changed.

For --seconds it records every request's wall time; then the same users call GET /healthz (one SELECT 1) for as
long, as the ceiling of this server on this machine. Prints requests per second, p50/p95/p99 per page, errors
(any answer but 200), and the ratio of page throughput to the ceiling; the CPU seconds the server (gunicorn's
master and workers, PostgreSQL's backends, Redis) and the generator processes used in each phase, from /proc; and,
sampled every 100 ms during the pages, how many samples found a database backend waiting on a lock
(pg_stat_activity.wait_event_type = 'Lock'): a request waiting for another request. Targets (from the issue): no
error, p95 <= 300 ms on every page, throughput >= 25 % of the ceiling, no lock wait. Reports; asserts nothing.
"""

import argparse
import multiprocessing
import os
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
    """Deadlines shared by every user of every generator process: all sign in and warm up, then the pages run
    until a deadline, then /healthz. The barrier and the deadline live in shared memory (multiprocessing)."""

    def __init__(self, users: int, seconds: float) -> None:
        self.seconds = seconds
        self.until = multiprocessing.Value("d", 0.0)
        self.started = multiprocessing.Value("d", 0.0)
        self.elapsed = multiprocessing.Array("d", 3)
        self.phase = multiprocessing.Value("i", 0)
        self.barrier = multiprocessing.Barrier(users + 1, action=self.next)

    def next(self) -> None:
        """Run by the last thread to arrive: close the phase that ends and open the next one."""
        now = time.monotonic()  # CLOCK_MONOTONIC: the same clock in every process of the machine
        if self.started.value:
            self.elapsed[self.phase.value] = now - self.started.value
            self.phase.value += 1
        self.started.value, self.until.value = now, now + self.seconds

    def running(self) -> bool:
        return time.monotonic() < self.until.value


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
                self.results["__failures__"].append((f"{label}\t{failure}", False))
        if ok and path == "/cases/":
            self.cases = list(dict.fromkeys(CASE_CODE_RE.findall(response.text)))[:50] or self.cases
        elif ok and path == "/sessions/":
            self.sessions = list(dict.fromkeys(SESSION_ID_RE.findall(response.text)))[:50] or self.sessions


def generator(users: list[tuple[int, str, str]], base: str, phases: Phases, without: set[str], think: float,
              out) -> None:
    """One generator process: its share of the users, one thread each; sends its results and CPU time back."""
    results: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    threads = [User(n, name, role, base, results, phases, without, think) for n, name, role in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put((dict(results), os.times()))


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes so far (/proc/<pid>/stat); processes gone count 0."""
    ticks, total = os.sysconf("SC_CLK_TCK"), 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                queue += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def server_pids(server_pid: int, redis_pid: int) -> list[int]:
    """gunicorn's master and workers, the private redis-server, and every PostgreSQL process of the machine."""
    postgres = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
                and (p / "comm").exists() and (p / "comm").read_text().strip().startswith("postgres")]
    return [*descendants(server_pid), redis_pid, *postgres]


class LockSampler(threading.Thread):
    """Every 100 ms, whether any backend of the database waits on a lock (a request waiting for another)."""

    def __init__(self, database: str) -> None:
        super().__init__(daemon=True)
        self.engine = create_engine(database)
        self.stop, self.samples, self.waiting, self.pages = threading.Event(), 0, 0, threading.Event()

    def run(self) -> None:
        with self.engine.connect() as conn:
            while not self.stop.is_set():
                if self.pages.is_set():
                    waits = conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                             " AND wait_event_type = 'Lock'"))
                    conn.rollback()
                    self.samples += 1
                    self.waiting += bool(waits)
                time.sleep(0.1)
        self.engine.dispose()


def report(results: dict, pages_seconds: float, ceiling_seconds: float) -> None:
    for failure, _ in results.pop("__failures__", []):
        label, what = failure.split("\t")
        FAILURES[(label, what)] += 1
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
    parser.add_argument("--processes", type=int, default=4, help="generator processes the users are spread over (default 4)")
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
            phases = Phases(len(users), args.seconds)
            out = multiprocessing.Queue()
            numbered = [(n, name, role) for n, (name, role) in enumerate(users)]
            workers = [multiprocessing.Process(target=generator, daemon=True,
                                               args=(numbered[i::args.processes], base, phases, set(args.without),
                                                     args.think, out))
                       for i in range(args.processes)]
            for worker in workers:
                worker.start()
            sampler = LockSampler(args.database)
            sampler.start()
            serving = server_pids(server.pid, redis.pid)
            clients = [w.pid for w in workers]
            print(f"signing in and warming up ({args.processes} generator processes) ...", flush=True)
            phases.barrier.wait()
            cpu = [(cpu_seconds(serving), cpu_seconds(clients))]
            sampler.pages.set()
            print(f"pages for {args.seconds:.0f} s ...", flush=True)
            phases.barrier.wait()  # every user has finished its last page
            sampler.pages.clear()
            cpu.append((cpu_seconds(serving), cpu_seconds(clients)))
            print(f"/healthz for {args.seconds:.0f} s ...", flush=True)
            phases.barrier.wait()
            cpu.append((cpu_seconds(serving), cpu_seconds(clients)))
            results: dict[str, list[tuple[float, bool]]] = defaultdict(list)
            for _ in workers:
                part, _times = out.get()
                for label, rows in part.items():
                    results[label] += rows
            for worker in workers:
                worker.join()
            sampler.stop.set()
            sampler.join()
            report(results, phases.elapsed[0], phases.elapsed[1])
            for name, (before, after), seconds in (("pages", cpu[:2], phases.elapsed[0]),
                                                   ("/healthz", cpu[1:], phases.elapsed[1])):
                print(f"CPU during {name}: server {after[0] - before[0]:.1f} s, generator {after[1] - before[1]:.1f} s "
                      f"over {seconds:.1f} s on {os.cpu_count()} cores")
            print(f"lock waits: {sampler.waiting} of {sampler.samples} samples (every 100 ms during the pages) found a "
                  f"backend waiting on a lock")
        finally:
            stop(server)
            stop(redis)


if __name__ == "__main__":
    main()
