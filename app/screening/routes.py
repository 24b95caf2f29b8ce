from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.cases import lifecycle
from app.cases.lifecycle import audit_case
from app.dates import local_today as today
from app.extensions import db
from app.i18n import current_language
from app.screening import bp
from app.screening.forms import screening_form_class
from app.screening.instrument import definition_of
from app.screening.services import active_instrument
from app.security.policy import get_case_or_404, get_screening_or_404, requires
from app.submissions import commit_once, replayed
from app.youth.consents import has_consent


@bp.route("/<code>/screenings/new", methods=["GET", "POST"])
@requires("cases.work")
def new(code: str):
    youth = get_case_or_404(current_user, code)
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
        screening = lifecycle.screen(youth, stored, answers, flags, form.screened_on.data, current_user)
        db.session.flush()
        return commit_once(form, url_for("screening.show", code=youth.case_code, screening_id=screening.id))
    return render_template("screening/form.html", youth=youth, form=form, instrument=instrument, locale=locale)


@bp.route("/<code>/screenings/<int:screening_id>")
@requires("cases.work")
def show(code: str, screening_id: int):
    youth = get_case_or_404(current_user, code)
    screening = get_screening_or_404(current_user, youth, screening_id)
    instrument = definition_of(screening.instrument)
    audit_case("screening.view", youth, detail=f"screening={screening.id}")
    db.session.commit()
    return render_template("screening/result.html", youth=youth, screening=screening, instrument=instrument,
                           locale=current_language())
