"""Senda: case management for youth violence-prevention programs."""

import logging
from importlib import import_module
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.extensions import babel, csrf, db, limiter, login_manager, migrate
from config import Config, config_from_env

ROUTE_MODULES = (
    "app.errors.handlers", "app.auth.routes", "app.main.routes", "app.admin.routes", "app.audit.routes",
    "app.youth.routes", "app.youth.routes_case", "app.screening.routes", "app.casework.routes",
    "app.programs.routes", "app.policing.routes", "app.policing.routes_cohorts", "app.policing.routes_import",
    "app.reports.routes",
)


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build the application with `config_class` (tests and tools pass their
    own), else the class SENDA_ENV names: production when it is unset. Never
    touches the schema: migrations are run by ``flask db upgrade``."""
    config_class = config_class or config_from_env()
    config_class.validate()

    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(config_class)
    logging.basicConfig(level=app.config.get("LOG_LEVEL", "INFO"))

    from app.security.keys import load_keys

    app.extensions["senda_keys"] = load_keys(app.config)

    if app.config.get("PROXY_FIX_HOPS"):
        hops = int(app.config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from app.dates import user_zone
    from app.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale, timezone_selector=user_zone)

    from app import models  # noqa: F401  (every model registered for Alembic)
    from app.audit import service as audit_writer
    from app.auth import sessions
    from app.reports import tracking

    audit_writer.init_app(app)  # the audit events are written in the transaction they record
    tracking.init_app(app)  # the maintained summaries follow every change they count
    sessions.init_app(app)

    from app.filters import IdConverter

    app.url_map.converters["int"] = IdConverter  # before the routes: /sessions/<int:session_id> and the like

    register_blueprints(app)

    from app import templating
    from app.security import headers

    headers.init_app(app)
    templating.init_app(app)

    from app import cli

    cli.init_app(app)
    return app


def register_blueprints(app: Flask) -> None:
    """Every page. A blueprint's package holds only the Blueprint; its route
    modules are imported here, so that importing a model never loads the web layer."""
    from app import admin, audit, auth, casework, errors, main, policing, programs, reports, screening, youth

    for name in ROUTE_MODULES:
        import_module(name)  # each attaches its views to its package's bp
    app.register_blueprint(errors.bp)
    app.register_blueprint(auth.bp, url_prefix="/auth")
    app.register_blueprint(main.bp)
    app.register_blueprint(admin.bp, url_prefix="/admin")
    app.register_blueprint(audit.bp, url_prefix="/audit")
    app.register_blueprint(youth.bp, url_prefix="/cases")
    app.register_blueprint(screening.bp, url_prefix="/cases")
    app.register_blueprint(casework.bp, url_prefix="/cases")
    app.register_blueprint(programs.bp)
    app.register_blueprint(policing.bp, url_prefix="/sessions")
    app.register_blueprint(reports.bp, url_prefix="/reports")
