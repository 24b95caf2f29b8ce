"""G.R.E.A.T. classes followed through their curriculum."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.audit.service import record
from app.extensions import db
from app.formtools import data_choices, stale
from app.policing import bp
from app.policing.choices import police_unit_choices, restrict_to_choices
from app.policing.forms import CohortForm
from app.policing.models import GreatCohort, PolicingSession
from app.policing.services import cohort_progress, lessons_held_count
from app.security.policy import get_cohort_or_404, requires, visible_cohorts, visible_municipalities, visible_sessions
from app.submissions import commit_once, replayed


@bp.route("/cohorts")
@requires("sessions.view")
def cohorts():
    held = dict(db.session.execute(lessons_held_count()).all())
    items = db.session.scalars(visible_cohorts(current_user).order_by(GreatCohort.started_on.desc())).all()
    return render_template("policing/cohorts.html", cohorts=items, held=held)


@bp.route("/cohorts/new", methods=["GET", "POST"], defaults={"cohort_id": None})
@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@requires("sessions.record")
def edit_cohort(cohort_id: int | None):
    cohort = None
    if cohort_id is not None:
        cohort = get_cohort_or_404(current_user, cohort_id, "sessions.record")
    form = CohortForm(obj=cohort)
    form.municipality_id.choices = data_choices(
        (m.id, m.label) for m in db.session.scalars(visible_municipalities(current_user)))
    form.police_unit_id.choices = police_unit_choices(current_user, cohort.police_unit if cohort else None)
    restrict_to_choices(form.police_unit_id)
    if cohort:
        del form.form_token  # one-time tokens are for create forms; edits have their version
    if request.method == "GET" and cohort:
        form.version.data = str(cohort.version)
    if cohort is None and (done := replayed(form)) is not None:
        return done
    if form.validate_on_submit():
        if cohort and stale(cohort, form.version.data):
            flash(_("Someone else changed this class meanwhile. Check it and save again."), "error")
            form.version.data = str(cohort.version)
        else:
            created = cohort is None
            cohort = cohort or GreatCohort(created_by_id=current_user.id)
            for name in ("school_name", "class_name", "municipality_id", "curriculum", "police_unit_id",
                         "started_on", "graduated_on"):
                value = getattr(form, name).data
                setattr(cohort, name, value.strip() if isinstance(value, str) else value)
            db.session.add(cohort)
            db.session.flush()
            record("cohort.create" if created else "cohort.update", object_type="great_cohort", object_id=cohort.id)
            if created:
                return commit_once(form, url_for("policing.cohort", cohort_id=cohort.id), _("Class saved."))
            db.session.commit()
            flash(_("Class saved."), "success")
            return redirect(url_for("policing.cohort", cohort_id=cohort.id))
    return render_template("policing/cohort_form.html", form=form, cohort=cohort)


@bp.route("/cohorts/<int:cohort_id>")
@requires("sessions.view")
def cohort(cohort_id: int):
    item = get_cohort_or_404(current_user, cohort_id)
    lessons = db.session.scalars(visible_sessions(current_user).where(PolicingSession.cohort_id == item.id)
                                 .order_by(PolicingSession.lesson_number, PolicingSession.held_at)).all()
    return render_template("policing/cohort.html", cohort=item, progress=cohort_progress(item), lessons=lessons)
