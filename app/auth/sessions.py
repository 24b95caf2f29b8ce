"""Server-side session rules: identity tied to the user's session version
(revocation across processes), idle timeout, absolute lifetime, forced
password change, and login required everywhere but a few public pages."""

from datetime import UTC, datetime, timedelta

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from app.accounts.models import User
from app.extensions import db, login_manager

PUBLIC_ENDPOINTS = frozenset(
    {"static", "auth.login", "main.healthz", "main.set_language", "errors.csp_report"}
)
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.change_password", "auth.logout"})
SEEN_REFRESH_SECONDS = 30


def now_ts() -> float:
    return datetime.now(UTC).timestamp()


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # sessions are checked below
    app.before_request(enforce_session_rules)


@login_manager.user_loader
def load_user(identity: str) -> User | None:
    """Load the user only if the session's version still matches."""
    user_id, _, version = identity.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def start_session(user: User) -> None:
    """Log the user in with a fresh session (no data carried over)."""
    locale = session.get("locale")
    session.clear()
    login_user(user, remember=False)
    session.permanent = True
    stamp = now_ts()
    session["login_at"] = stamp
    session["seen_at"] = stamp
    if locale:
        session["locale"] = locale


def end_session() -> None:
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale


def enforce_session_rules():
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        if session.get("_user_id"):
            # A session whose user was revoked or deactivated.
            end_session()
            flash(_l("Your session has ended. Please sign in again."), "info")
        return login_manager.unauthorized()
    now = now_ts()
    cfg = current_app.config
    idle = timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]).total_seconds()
    absolute = timedelta(hours=cfg["SESSION_ABSOLUTE_HOURS"]).total_seconds()
    if now - session.get("seen_at", 0) > idle or now - session.get("login_at", 0) > absolute:
        end_session()
        flash(_l("Your session expired. Please sign in again."), "info")
        return login_manager.unauthorized()
    if now - session.get("seen_at", 0) > SEEN_REFRESH_SECONDS:
        session["seen_at"] = now
    if current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        return redirect(url_for("auth.change_password"))
    return None
