import math
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import Response, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from flask_login import current_user
from sqlalchemy import select, update

from app.accounts.models import User
from app.audit.service import DENIED, FAILED, record
from app.auth import bp
from app.auth.forms import ChangePasswordForm, LoginForm
from app.auth.sessions import end_session, start_session
from app.extensions import db, limiter
from app.security.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(
            select(User).where(User.username == form.username.data.strip().lower())
        )
        if authenticate(user, form.password.data):
            start_session(user)
            record("auth.login", user=user)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
        db.session.commit()  # failure counters and their audit events
        flash(
            _(
                "The username or password is not correct. After %(n)d failed attempts "
                "an account is locked for %(minutes)d minutes.",
                n=current_app.config["LOCKOUT_THRESHOLD"],
                minutes=current_app.config["LOCKOUT_MINUTES"],
            ),
            "error",
        )
    return render_template("auth/login.html", form=form)


def authenticate(user: User | None, password: str) -> bool:
    """Check a password, counting failures and locking the account after
    too many. Unknown users, wrong passwords, locked and inactive accounts
    all look the same to the caller."""
    now = datetime.now(UTC)
    cfg = current_app.config
    if user is None:
        verify_password(None, password)  # same work as a real check
        record("auth.login", outcome=FAILED, detail="unknown_user")
        return False
    if user.is_locked(now):
        verify_password(None, password)
        record("auth.login", outcome=DENIED, object_type="user", object_id=user.id,
               detail="locked", user=user)
        return False
    if not verify_password(user.password_hash, password) or not user.active:
        failures = count_failure(user)
        reason = "inactive" if user.active is False else "bad_password"
        record("auth.login", outcome=FAILED, object_type="user", object_id=user.id,
               detail=reason, user=user)
        if failures >= cfg["LOCKOUT_THRESHOLD"]:
            user.locked_until = now + timedelta(minutes=cfg["LOCKOUT_MINUTES"])
            user.failed_logins = 0
            record("auth.lockout", outcome=DENIED, object_type="user", object_id=user.id,
                   user=user)
        return False
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return True


def count_failure(user: User) -> int:
    """Add one failed attempt in SQL (not read-add-write in Python), so that
    simultaneous attempts through any process or host are all counted."""
    return db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
    ).scalar_one()


@bp.route("/logout", methods=["POST"])
def logout():
    """End every session of this user, in every process."""
    user = current_user._get_current_object()
    user.session_version += 1
    record("auth.logout")
    db.session.commit()
    end_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


def _password_limit() -> str:
    return current_app.config["PASSWORD_CHANGE_RATE_LIMIT"]


def _password_ip_limit() -> str:
    return current_app.config["PASSWORD_CHANGE_IP_RATE_LIMIT"]


def _user_key() -> str:
    """The rate-limit key of the signed-in user (the page requires signing in)."""
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


def _password_attempts_exhausted(limit: RequestLimit) -> Response:
    """The form again, with a message, answered 429: no password is checked."""
    minutes = max(1, math.ceil((limit.reset_at - time.time()) / 60))
    flash(ngettext("Too many attempts to change the password. Try again in %(num)d minute.",
                   "Too many attempts to change the password. Try again in %(num)d minutes.", minutes), "error")
    return make_response(render_template("auth/change_password.html", form=ChangePasswordForm(formdata=None)), 429)


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit(_password_limit, key_func=_user_key, methods=["POST"], on_breach=_password_attempts_exhausted)
@limiter.limit(_password_ip_limit, methods=["POST"], on_breach=_password_attempts_exhausted)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        problem = password_problem(form.new_password.data, user.username)
        if not verify_password(user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("The current password is not correct."))
        elif problem:
            form.new_password.errors.append(password_message(problem))
        elif form.new_password.data == form.current_password.data:
            form.new_password.errors.append(_("Choose a password different from the current one."))
        else:
            user.password_hash = hash_password(form.new_password.data)
            user.must_change_password = False
            user.password_changed_at = datetime.now(UTC)
            user.session_version += 1  # ends every other session
            record("auth.password_change", object_type="user", object_id=user.id)
            db.session.commit()
            start_session(user)
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)


def password_message(problem: str) -> str:
    return {
        "too_short": _("Use at least 12 characters."),
        "too_long": _("Use at most 256 characters."),
        "too_common": _("This password is too common or contains your username. Choose another."),
    }[problem]
