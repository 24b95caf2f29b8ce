"""The schema is made only by the migrations, and they agree with the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app import create_app
from app.extensions import db
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
