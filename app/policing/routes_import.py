"""Uploading a spreadsheet of sessions: validated whole, then all or nothing."""

import tempfile
from pathlib import Path

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, SubmitField

from app.audit.service import record
from app.extensions import db
from app.formtools import SendaForm
from app.i18n import current_language
from app.policing import bp
from app.policing.choices import police_unit_choices
from app.policing.importer import ImportFileError, error_text, import_sessions, template_csv, template_xlsx
from app.security.policy import requires, scope_municipality_ids

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(SendaForm):
    file = FileField(_l("Spreadsheet (CSV or XLSX)"), validators=[FileRequired(_l("Choose a file."))])
    police_unit_id = SelectField(_l("Police unit"), coerce=int)
    submit = SubmitField(_l("Check and import"))


@bp.route("/import", methods=["GET", "POST"])
@requires("sessions.record")
def import_sessions_view():
    form = ImportForm()
    form.police_unit_id.choices = police_unit_choices(current_user)
    result, file_error = None, None
    if form.validate_on_submit():
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "upload"
            form.file.data.save(path)  # streamed to disk; the request size limit applies
            allowed = set(db.session.scalars(scope_municipality_ids(current_user)))
            try:
                result = import_sessions(path, police_unit_id=form.police_unit_id.data, user_id=current_user.id,
                                         allowed_municipality_ids=allowed)
            except ImportFileError as exc:
                db.session.rollback()
                file_error = error_text(exc)
        if result is not None and not result.errors:
            record("sessions.import", detail=f"rows={result.rows};inserted={result.inserted};duplicates={result.duplicates}")
            db.session.commit()
            flash(_("%(inserted)s sessions imported (%(duplicates)s were already there).",
                    inserted=format_decimal(result.inserted), duplicates=format_decimal(result.duplicates)), "success")
            return redirect(url_for("policing.sessions"))
        db.session.rollback()
    return render_template("policing/import.html", form=form, result=result, file_error=file_error,
                           error_text=error_text, max_mb=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024))


@bp.route("/import/template.<kind>")
@requires("sessions.record")
def import_template(kind: str):
    locale = current_language()
    if kind == "xlsx":
        return Response(template_xlsx(locale), mimetype=XLSX_MIME,
                        headers={"Content-Disposition": 'attachment; filename="senda-sessions-template.xlsx"'})
    return Response(template_csv(locale), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="senda-sessions-template.csv"'})
