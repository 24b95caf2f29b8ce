from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.i18n import current_language
from app.screening import bp
from app.screening.forms import screening_form_class
from app.screening.models import Screening
from app.screening.services import active_instrument, definition_of, record_screening
from app.security.policy import requires
from app.submissions import commit_once, replayed
from app.youth.access import get_youth_or_404
from app.youth.services import audit_case, has_consent, today


@bp.route("/<code>/screenings/new", methods=["GET", "POST"])
@requires("cases.work")
def new(code: str):
    youth = get_youth_or_404(code)
    if not has_consent(youth, "services", today()):
        flash(_("Record the consent to services before screening."), "error")
        return redirect(url_for("youth.case", code=youth.case_code) + "#consent")
    stored = active_instrument()
    if stored is None:
        flash(_("No screening instrument is loaded. Ask the administrator to run: flask instruments load"), "error")
        return redirect(url_for("youth.case", code=youth.case_code))
    instrument = definition_of(stored)
    locale = current_language()
    form = screening_form_class(instrument, locale)(screened_on=today())
    if (done := replayed(form)) is not None:
        return done
    if form.validate_on_submit():
        answers = {item.code: getattr(form, f"item_{item.code}").data for item in instrument.items()}
        flags = {flag.code: getattr(form, f"flag_{flag.code}").data == "yes" for flag in instrument.flags}
        screening = record_screening(youth, stored, answers, flags, form.screened_on.data, current_user)
        db.session.flush()
        return commit_once(form, url_for("screening.show", code=youth.case_code, screening_id=screening.id))
    return render_template("screening/form.html", youth=youth, form=form, instrument=instrument, locale=locale)


@bp.route("/<code>/screenings/<int:screening_id>")
@requires("cases.work")
def show(code: str, screening_id: int):
    youth = get_youth_or_404(code)
    screening = db.session.scalar(select(Screening).where(Screening.id == screening_id,
                                                          Screening.youth_id == youth.id))
    if screening is None:
        return render_template("errors/error.html", status=404, title=_("Not found"),
                               message=_("This page does not exist, or you do not have access to it.")), 404
    instrument = definition_of(screening.instrument)
    audit_case("screening.view", youth, detail=f"screening={screening.id}")
    db.session.commit()
    return render_template("screening/result.html", youth=youth, screening=screening, instrument=instrument,
                           locale=current_language())
