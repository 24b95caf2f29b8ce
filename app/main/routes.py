from flask import current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from app.accounts.models import utcnow
from app.audit.seal import seal_status
from app.extensions import db
from app.main import bp
from app.navigation import home_cards
from app.security.policy import can


@bp.route("/")
def index():
    """Each role's home page: what this role can do. Case workers start on
    their caseload."""
    if can(current_user, "cases.work"):
        return redirect(url_for("youth.caseload"))
    return render_template("main/index.html", cards=home_cards(current_user))


@bp.route("/healthz")
def healthz():
    """200 when the app can reach its database, 503 when it cannot; and how
    far the audit seal job lags (counts and seconds, no personal data)."""
    try:
        db.session.execute(text("SELECT 1"))
        lag = seal_status(db.session, utcnow())
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        return jsonify(status="unavailable", database="error"), 503
    db.session.rollback()
    sealing = "ok" if lag.lag_seconds <= current_app.config["AUDIT_SEAL_MAX_LAG"] else "lagging"
    return jsonify(status="ok", database="ok",
                   audit={"unsealed_events": lag.unsealed, "seal_lag_seconds": lag.lag_seconds,
                          "sealing": sealing, "max_lag_seconds": current_app.config["AUDIT_SEAL_MAX_LAG"]})


@bp.route("/language", methods=["POST"])
def set_language():
    """The language switch: kept in the session, and on the user when signed in."""
    locale = request.form.get("locale")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
            db.session.commit()
    from app.auth.routes import safe_next

    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))
