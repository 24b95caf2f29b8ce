"""The schema is made only by the migrations, and they agree with the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app import create_app
from app.extensions import db
from app.record_keys import KEYED_TABLES
from tests.conftest import PG_URL, drop_everything, make_config


def fresh_app(tmp_path):
    if PG_URL:
        drop_everything(PG_URL)
        return create_app(make_config(PG_URL))
    return create_app(make_config(f"sqlite:///{tmp_path / 'fresh.db'}"))


def test_upgrade_on_an_empty_database_matches_the_models(tmp_path, template_url):
    app = fresh_app(tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == []
        assert "audit_events" in inspect(db.engine).get_table_names()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_flask_db_check_reports_no_pending_change(tmp_path, template_url):
    app = fresh_app(tmp_path)
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["db", "check"])
        db.engine.dispose()
    assert result.exit_code == 0, result.output


def test_record_keys_migration_keys_every_existing_row_and_downgrades(app):
    """0007 on a database full of rows made before it (the demo data): every
    counted row gets a random key from 1 to 255; the downgrade drops them."""
    with app.app_context():
        with db.engine.connect() as conn:
            before = {t: conn.scalar(text(f"SELECT count(*) FROM {t}")) for t in KEYED_TABLES}  # nosec B608
        downgrade(revision="0006_form_submissions")
        inspector = inspect(db.engine)
        assert not any("record_key" in {c["name"] for c in inspector.get_columns(t)} for t in KEYED_TABLES)
        upgrade()
        inspector = inspect(db.engine)
        with db.engine.connect() as conn:
            for table in KEYED_TABLES:
                column = next(c for c in inspector.get_columns(table) if c["name"] == "record_key")
                assert column["nullable"] is False, table
                keys = conn.scalars(text(f"SELECT record_key FROM {table}")).all()  # nosec B608
                assert len(keys) == before[table] > 0, table
                assert all(1 <= k <= 255 for k in keys), table
                if len(keys) >= 50:
                    assert len(set(keys)) > 10, table  # random, not one value for every row
        db.engine.dispose()
