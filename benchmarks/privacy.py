"""Cost of privacy: writing an audited, encrypted record vs a plain one, and
`audit verify` time per 100,000 events.

    .venv/bin/python benchmarks/privacy.py                       # SQLite (temporary file)
    .venv/bin/python benchmarks/privacy.py --database postgresql+psycopg://senda:senda@127.0.0.1/senda_bench

The PostgreSQL database is emptied first. Prints figures; asserts nothing.
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, insert, text  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts.models import Organization, User  # noqa: E402
from app.audit.chain import event_mac, verify  # noqa: E402
from app.audit.models import AuditEvent  # noqa: E402
from app.audit.seal import seal  # noqa: E402
from app.audit.service import (
    _take_ids,  # noqa: E402
    record,  # noqa: E402
)
from app.extensions import db  # noqa: E402
from config import TestingConfig  # noqa: E402


def fresh_database(url: str | None) -> str:
    if url is None:
        return f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def timed(fn, n: int) -> list[float]:
    times = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database")
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()

    url = fresh_database(args.database)
    config = type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    app = create_app(config)
    with app.app_context():
        upgrade()
        db.session.execute(text("INSERT INTO countries (code, name_es, name_en) VALUES ('SV', 'SV', 'SV')"))
        org = Organization(name="Bench", kind="ngo", country_code="SV")
        db.session.add(org)
        db.session.commit()
        org_id = org.id

        def plain(i: int) -> None:
            db.session.add(Organization(name=f"Plain {i}", kind="ngo", country_code="SV"))
            db.session.commit()

        def protected(i: int) -> None:
            user = User(username=f"user{i}", role="social_worker", organization_id=org_id,
                        password_hash="x", must_change_password=False, failed_logins=0,
                        session_version=1, active=True)
            user.full_name = f"Nombre Apellido {i}"
            user.email = f"persona{i}@example.org"
            db.session.add(user)
            db.session.flush()
            record("user.create", object_type="user", object_id=user.id)
            db.session.commit()

        plain_ms = timed(plain, args.records)
        protected_ms = timed(protected, args.records)
        print(f"database: {db.engine.dialect.name}")
        print(f"plain record (1 row, commit):                    median {statistics.median(plain_ms):.2f} ms, "
              f"p95 {statistics.quantiles(plain_ms, n=20)[18]:.2f} ms")
        print(f"encrypted record + sealed audit event (commit):  median {statistics.median(protected_ms):.2f} ms, "
              f"p95 {statistics.quantiles(protected_ms, n=20)[18]:.2f} ms")
        print(f"overhead: x{statistics.median(protected_ms) / statistics.median(plain_ms):.2f}")

        # A long log, written directly (as the service would), sealed, then verified.
        key = app.extensions["senda_keys"].audit_key
        batch = []
        now = datetime.now(UTC)
        for seq in _take_ids(db.session.connection(), args.events):
            event = AuditEvent(id=seq, seq=seq, at=now, user_id=1, role="social_worker", organization_id=org_id,
                               action="youth.view", object_type="youth", object_id=f"SV-0001-{seq:06d}",
                               outcome="allowed", ip="127.0.0.1", user_agent="bench", detail=None,
                               prev_hash=None, entry_hash="")
            event.entry_hash = event_mac(key, event)
            batch.append({c.name: getattr(event, c.name) for c in AuditEvent.__table__.c})
            if len(batch) == 5000:
                db.session.execute(insert(AuditEvent), batch)
                batch = []
        if batch:
            db.session.execute(insert(AuditEvent), batch)
        db.session.commit()
        start = time.perf_counter()
        seal(db.session, key)
        db.session.commit()
        print(f"audit seal: {args.events:,} new events in {time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        result = verify(db.session, key)
        elapsed = time.perf_counter() - start
        assert result.ok, result
        print(f"audit verify: {result.checked:,} events in {elapsed:.2f} s "
              f"= {elapsed * 100_000 / result.checked:.2f} s per 100,000 events")
        db.engine.dispose()


if __name__ == "__main__":
    main()
