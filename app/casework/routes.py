from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.casework import bp, services
from app.casework.forms import ContactForm, FollowUpForm, GoalForm, NoteForm
from app.casework.models import GOAL_STATUSES, Goal
from app.dates import local_today as today
from app.extensions import db
from app.formtools import choices, stale
from app.screening.models import Screening
from app.security.policy import get_case_or_404, requires
from app.submissions import commit_once, replayed
from app.youth.models import Youth


def casework_url(youth: Youth, anchor: str) -> str:
    return url_for("youth.casework", code=youth.case_code) + anchor


def back(youth: Youth, anchor: str):
    return redirect(casework_url(youth, anchor))


@bp.route("/<code>/goals/new", methods=["GET", "POST"], defaults={"goal_id": None})
@bp.route("/<code>/goals/<int:goal_id>", methods=["GET", "POST"])
@requires("cases.work")
def goal(code: str, goal_id: int | None):
    youth = get_case_or_404(current_user, code)
    item = None
    if goal_id is not None:
        item = db.session.scalar(select(Goal).where(Goal.id == goal_id, Goal.youth_id == youth.id))
        if item is None:
            abort(404)
    form = GoalForm(obj=item)
    conflict = None
    if item:
        del form.form_token  # one-time tokens are for create forms; edits have their version
    if request.method == "GET" and item:
        form.version.data = str(item.version)
    if item is None and (done := replayed(form)) is not None:
        return done
    if form.validate_on_submit():
        if item and stale(item, form.version.data):
            conflict = [(_("Goal"), item.description), (_("Status"), str(GOAL_STATUSES[item.status]))]
            form.version.data = str(item.version)
        else:
            created = item is None
            item = services.save_goal(youth, current_user, item, form.description.data, form.status.data,
                                      form.target_on.data)
            if created:
                return commit_once(form, casework_url(youth, "#goals"))
            db.session.commit()
            return back(youth, "#goals")
    return render_template("casework/goal.html", youth=youth, form=form, goal=item, conflict=conflict)


@bp.route("/<code>/contacts/new", methods=["GET", "POST"])
@requires("cases.work")
def contact(code: str):
    youth = get_case_or_404(current_user, code)
    form = ContactForm(contact_on=today())
    if (done := replayed(form)) is not None:
        return done
    if form.validate_on_submit():
        services.record_contact(youth, current_user, form.kind.data, form.contact_on.data, form.minutes.data,
                                form.summary.data)
        return commit_once(form, casework_url(youth, "#contacts"), _("Contact recorded."))
    return render_template("casework/contact.html", youth=youth, form=form)


@bp.route("/<code>/notes/new", methods=["GET", "POST"])
@requires("cases.work")
def note(code: str):
    youth = get_case_or_404(current_user, code)
    form = NoteForm()
    if (done := replayed(form)) is not None:
        return done
    if form.validate_on_submit():
        services.add_note(youth, current_user, form.body.data, form.sensitive.data)
        return commit_once(form, casework_url(youth, "#notes"), _("Note added."))
    return render_template("casework/note.html", youth=youth, form=form)


@bp.route("/<code>/followups/new", methods=["GET", "POST"])
@requires("cases.work")
def followup(code: str):
    youth = get_case_or_404(current_user, code)
    form = FollowUpForm(followup_on=today())
    screenings = db.session.scalars(select(Screening).where(Screening.youth_id == youth.id)
                                    .order_by(Screening.screened_on.desc())).all()
    form.screening_id.choices = choices([(0, _("None")), *((s.id, s.screened_on.isoformat()) for s in screenings)])
    if (done := replayed(form)) is not None:
        return done
    if form.validate_on_submit():
        services.record_followup(youth, current_user, form.followup_on.data, form.in_school.data, form.working.data,
                                 form.new_justice_contact.data, form.gang_involvement.data, form.screening_id.data)
        return commit_once(form, casework_url(youth, "#followups"), _("Follow-up recorded."))
    return render_template("casework/followup.html", youth=youth, form=form)
