"""One-time form tokens: the same create form sent twice is stored once.

A create form (``app.formtools.OnceForm``) carries a random token. The view
that stores what the form creates records the token, with the URL it then
redirects to, in the same transaction (``commit_once``). A second POST with
that token, a retry over a slow connection or a double click, creates
nothing: ``replayed`` sends it where the first one went, with an "already
saved" message. When two POSTs race past that check, the unique token makes
the later commit fail: it is rolled back and redirected likewise.

A POST without a token (a page from before this version, or a script) is
stored as before, unprotected. Tokens are kept two days
(``flask forms prune``, nightly); a page kept open longer than that and sent
twice would be stored twice."""

from datetime import datetime, timedelta

import click
from flask import Response, flash, redirect, url_for
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import DateTime, ForeignKey, String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.accounts.models import utcnow
from app.extensions import db
from app.formtools import OnceForm

KEEP_DAYS = 2


class FormSubmission(db.Model):
    """A create form that was stored: its token, and where its submit led."""

    __tablename__ = "form_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    location: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


def find_submission(token: str) -> FormSubmission | None:
    """The stored submission of a token (the check before a form is handled)."""
    return db.session.scalar(select(FormSubmission).where(FormSubmission.token == token))


def _already_saved(found: FormSubmission) -> Response:
    flash(_("This form had already been saved: it was not saved again."), "success")
    if found.user_id != current_user.id:  # a token is never shared; do not reveal where it led
        return redirect(url_for("main.index"))
    return redirect(found.location)


def replayed(form: OnceForm) -> Response | None:
    """For a POST whose token was already used: the redirect to where the
    first submit went. None otherwise (handle the form)."""
    if not form.is_submitted():
        return None
    token = form.submitted_token()
    found = find_submission(token) if token else None
    return None if found is None else _already_saved(found)


def commit_once(form: OnceForm, location: str, message: str | None = None) -> Response:
    """Record the form's token with ``location`` and commit what the view
    added to the session, then redirect there (flashing ``message``). When
    another request committed the same token first, roll everything back and
    redirect where that one went."""
    token = form.submitted_token()
    if token:
        db.session.add(FormSubmission(token=token, user_id=current_user.id, location=location))
    try:
        db.session.flush()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        found = db.session.scalar(select(FormSubmission).where(FormSubmission.token == token)) if token else None
        if found is None:
            raise  # another constraint failed: not a second submit
        return _already_saved(found)
    if message:
        flash(message, "success")
    return redirect(location)


def prune(days: int = KEEP_DAYS) -> int:
    """Forget the tokens older than ``days``; returns how many."""
    before = utcnow() - timedelta(days=days)
    return db.session.execute(delete(FormSubmission).where(FormSubmission.created_at < before)).rowcount


forms_cli = AppGroup("forms", help="Form submissions.")


@forms_cli.command("prune")
@click.option("--days", type=click.IntRange(min=1), default=KEEP_DAYS, show_default=True,
              help="Keep the tokens of the last DAYS days.")
def prune_command(days: int) -> None:
    """Forget old one-time form tokens (run nightly)."""
    removed = prune(days)
    db.session.commit()
    click.echo(f"{removed} form tokens older than {days} days removed.")
