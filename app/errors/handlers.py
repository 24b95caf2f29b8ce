"""Translated error pages. They never show a traceback or personal data:
unexpected errors get a reference id that points to the server log."""

import logging
import secrets

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.audit.service import DENIED, record
from app.errors import bp
from app.extensions import csrf, db, limiter, login_manager
from app.security.csp import CONTENT_TYPES, BadReport, violations

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Not allowed"), _l("Your role does not allow you to open this page.")),
    404: (_l("Not found"), _l("This page does not exist, or you do not have access to it.")),
    405: (_l("Not allowed"), _l("This action cannot be done this way.")),
    409: (_l("Saved by someone else"),
          _l("Someone else saved this record at the same moment. Nothing of yours was saved: go back, reload it "
             "and try again.")),
    413: (_l("File too large"), _l("The file or form you sent is larger than allowed.")),
    429: (_l("Too many attempts"), _l("Too many attempts. Wait a minute and try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error happened. Nothing was saved.")),
    503: (_l("Service unavailable"), _l("The service is briefly unavailable. Nothing was saved. Please try again in a moment.")),
}


def error_page(status: int, reference: str | None = None):
    db.session.rollback()
    title, message = MESSAGES.get(status, MESSAGES[500])
    return render_template(
        "errors/error.html", status=status, title=title, message=message, reference=reference
    ), status


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    status = error.code or 500
    if status == 429 and error.response is not None:
        return error.response  # a rate limit that answers with its own page (the password form)
    if status == 403 and current_user.is_authenticated:
        db.session.rollback()
        record("access.denied", outcome=DENIED, detail=f"endpoint={request.endpoint}")
        db.session.commit()
        title, message = MESSAGES[403]
        return render_template("errors/error.html", status=403, title=title,
                               message=message, reference=None), 403
    return error_page(status if status in MESSAGES else 400)


@bp.app_errorhandler(CSRFError)
def csrf_error(error: CSRFError):
    title = _l("Form expired")
    message = _l("The form expired or was sent from another page. Go back, reload it and try again.")
    db.session.rollback()
    return render_template("errors/error.html", status=400, title=title, message=message,
                           reference=None), 400


@bp.app_errorhandler(StaleDataError)
def saved_meanwhile(error: StaleDataError):
    """Two saves of one record raced past the form's version check: the
    database's version check refused the second (optimistic locking)."""
    return error_page(409)


@bp.app_errorhandler(DBAPIError)
def database_unavailable(error: DBAPIError):
    """503 when the database is unreachable, restarting, lost the connection
    or is full; other database errors are unexpected (500)."""
    if not isinstance(error, OperationalError) and not error.connection_invalidated:
        return unexpected_error(error)
    reference = secrets.token_hex(4)
    log.error("database unavailable [ref %s] on %s", reference, request.path, exc_info=error)
    # The page must not need the database: it is shown as to a signed-out
    # visitor (the session cookie is kept), so neither the menu nor the
    # language choice loads the user.
    login_manager._update_request_context_with_user()
    return error_page(503, reference)


@bp.app_errorhandler(Exception)
def unexpected_error(error: Exception):
    reference = secrets.token_hex(4)
    log.error("unhandled error [ref %s] on %s", reference, request.path, exc_info=error)
    return error_page(500, reference)


def _csp_report_limit() -> str:
    return current_app.config["CSP_REPORT_RATE_LIMIT"]


@bp.route("/csp-report", methods=["POST"])
@csrf.exempt  # browsers send reports without a form, let alone a token
@limiter.limit(_csp_report_limit)
def csp_report():
    """Where browsers report what the Content-Security-Policy blocked (its
    report-uri and report-to). Only the directive, the disposition and the
    URLs without their query strings reach the log."""
    if request.mimetype not in CONTENT_TYPES:
        return "", 415
    limit = current_app.config["CSP_REPORT_MAX_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        return "", 413
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        return "", 413
    try:
        found = violations(raw)
    except BadReport:
        return "", 400
    for violation in found:
        log.warning("CSP violation: directive=%s blocked=%s document=%s disposition=%s",
                    violation["directive"], violation["blocked"], violation["document"], violation["disposition"])
    return "", 204
