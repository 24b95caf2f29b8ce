"""Lock waits on the audit path: N writer processes each commit a trivial
audited transaction (one audit event, nothing else) in a loop for a few
seconds on PostgreSQL, while this process samples pg_locks every 100 ms and
counts the samples in which some backend waits for a lock.

    .venv/bin/python benchmarks/audit_contention.py \\
        --database postgresql+psycopg://senda:senda@127.0.0.1:5432/senda_bench \\
        --compare /tmp/senda-before --writers 8 --seconds 10

--app-root picks the Senda code to measure (default: this checkout);
--compare BEFORE_ROOT runs the same measurement on BEFORE_ROOT's code (for
instance a `git worktree add --detach /tmp/senda-before <commit>`) and on
this checkout, one after the other, and prints them side by side. The
database is emptied and migrated first. Prints figures; asserts nothing."""

import argparse
import json
import multiprocessing
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def writer(root: str, url: str, seconds: float, ready, go, counter) -> None:
    sys.path.insert(0, root)
    from sqlalchemy import text

    from app import create_app
    from app.audit.service import record
    from app.extensions import db
    from config import TestingConfig

    app = create_app(type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    done = 0
    with app.app_context():
        db.session.execute(text("SELECT 1"))  # connected before the clock starts
        db.session.rollback()
        with ready.get_lock():
            ready.value += 1
        go.wait()
        stop_at = time.monotonic() + seconds
        while time.monotonic() < stop_at:
            record("youth.view", object_type="youth", object_id=f"SV-BENCH-{done:06d}", user=None)
            db.session.commit()
            done += 1
    with counter.get_lock():
        counter.value += done


def sealer(root: str, url: str, every: float, go, stop) -> None:
    """The seal job, as `flask audit seal --every` runs it, during the writes."""
    sys.path.insert(0, root)
    from app import create_app
    from app.audit.seal import seal
    from app.extensions import db
    from config import TestingConfig

    app = create_app(type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    go.wait()
    with app.app_context():
        while not stop.wait(every):
            seal(db.session, app.extensions["senda_keys"].audit_key)
            db.session.commit()


SAMPLE = """
SELECT count(*) FILTER (WHERE NOT l.granted) AS waiting,
       count(DISTINCT a.pid) FILTER (WHERE a.wait_event_type = 'Lock') AS lock_waits
FROM pg_stat_activity a LEFT JOIN pg_locks l ON l.pid = a.pid
WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
"""


def measure(root: str, url: str, writers: int, seconds: float, seal_every: float) -> dict:
    sys.path.insert(0, root)
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    from app import create_app
    from app.audit.chain import verify
    from app.extensions import db
    from config import TestingConfig

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    app = create_app(type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        upgrade()
        db.engine.dispose()

    context = multiprocessing.get_context("spawn")
    counter, ready, go = context.Value("q", 0), context.Value("i", 0), context.Event()
    procs = [context.Process(target=writer, args=(root, url, seconds, ready, go, counter))
             for _ in range(writers)]
    stop = context.Event()
    if seal_every and (Path(root) / "app" / "audit" / "seal.py").exists():
        procs.append(context.Process(target=sealer, args=(root, url, seal_every, go, stop)))
    for proc in procs:
        proc.start()
    while ready.value < writers:  # every writer imported and connected
        if not all(proc.is_alive() for proc in procs):
            raise SystemExit("a writer failed to start")
        time.sleep(0.1)
    samples = with_wait = most = 0
    with engine.connect() as conn:
        with app.app_context():
            base = db.session.scalar(text("SELECT count(*) FROM audit_events"))
            db.session.remove()
        go.set()
        began = time.monotonic()
        stop_at = began + seconds
        while time.monotonic() < stop_at:
            waiting, lock_waits = conn.execute(text(SAMPLE)).one()
            conn.commit()
            samples += 1
            with_wait += bool(waiting or lock_waits)
            most = max(most, lock_waits)
            time.sleep(max(0.0, 0.1 - (time.monotonic() - began) % 0.1))
    stop.set()
    for proc in procs:
        proc.join()
    elapsed = seconds
    sealing = seal_every if len(procs) > writers else None
    result = {"root": root, "writers": writers, "sealing_every": sealing, "seconds": seconds, "events": counter.value,
              "events_per_s": round(counter.value / elapsed, 1), "samples": samples,
              "samples_with_lock_wait": with_wait, "most_waiting": most, "events_before": base}
    with app.app_context():
        try:
            from app.audit.seal import seal
        except ImportError:  # the code before batches: nothing to seal
            seal = None
        key = app.extensions["senda_keys"].audit_key
        if seal is not None:
            t0 = time.perf_counter()
            seal(db.session, key)
            db.session.commit()
            result["final_seal_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        outcome = verify(db.session, key)
        result["verify_ok"], result["verify_s"] = outcome.ok, round(time.perf_counter() - t0, 2)
        result["batches"] = getattr(outcome, "batches", None)
        db.engine.dispose()
    engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True, help="a PostgreSQL URL; the database is emptied")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--app-root", default=str(HERE))
    parser.add_argument("--compare", metavar="BEFORE_ROOT")
    parser.add_argument("--seal-every", type=float, default=1.0,
                        help="run the seal job every this many seconds during the writes (code with sealing only)")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.database.startswith("postgresql"):
        parser.error("lock waits are measured on PostgreSQL")
    if args.compare:
        rows = []
        for label, root in (("before", args.compare), ("after", str(HERE))):
            out = subprocess.run([sys.executable, __file__, "--database", args.database, "--writers",
                                  str(args.writers), "--seconds", str(args.seconds), "--app-root", root,
                                  "--seal-every", str(args.seal_every),
                                  "--json"], check=True, stdout=subprocess.PIPE, text=True).stdout
            rows.append((label, json.loads(out.strip().splitlines()[-1])))
        print(f"{args.writers} writers, {args.seconds:g} s, pg_locks sampled every 100 ms; "
              f"after: the seal job running every {args.seal_every:g} s")
        print(f"{'':8}{'events/s':>10}{'samples':>9}{'with a lock wait':>18}{'most waiting':>14}{'verify':>8}{'batches':>9}")
        for label, r in rows:
            print(f"{label:8}{r['events_per_s']:>10}{r['samples']:>9}{r['samples_with_lock_wait']:>18}"
                  f"{r['most_waiting']:>14}{'ok' if r['verify_ok'] else 'BROKEN':>8}{str(r['batches'] or '-'):>9}")
        return
    result = measure(args.app_root, args.database, args.writers, args.seconds, args.seal_every)
    print(json.dumps(result) if args.json else result)


if __name__ == "__main__":
    main()
