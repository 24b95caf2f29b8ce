from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.cases import lifecycle
from app.cases.lifecycle import audit_case
from app.casework import bp
from app.casework.forms import ContactForm, FollowUpForm, GoalForm, NoteForm
from app.casework.models import GOAL_STATUSES, CaseNote, FollowUp, Goal, ServiceContact
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
            item = item or Goal(youth_id=youth.id, created_by_id=current_user.id)
            item.description, item.status, item.target_on = form.description.data.strip(), form.status.data, form.target_on.data
            db.session.add(item)
            db.session.flush()
            audit_case("goal.create" if created else "goal.update", youth, detail=f"goal={item.id}")
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
        item = ServiceContact(youth_id=youth.id, kind=form.kind.data, contact_on=form.contact_on.data,
                              minutes=form.minutes.data, worker_id=current_user.id)
        item.summary = form.summary.data.strip() or None
        db.session.add(item)
        db.session.flush()
        lifecycle.contact_made(youth, item.contact_on, current_user)
        audit_case("contact.create", youth, detail=f"contact={item.id}")
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
        item = CaseNote(youth_id=youth.id, author_id=current_user.id, sensitive=form.sensitive.data)
        item.body = form.body.data.strip()
        db.session.add(item)
        db.session.flush()
        audit_case("note.create", youth, detail=f"note={item.id};sensitive={int(item.sensitive)}")
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
        item = FollowUp(youth_id=youth.id, followup_on=form.followup_on.data, in_school=form.in_school.data,
                        working=form.working.data, new_justice_contact=form.new_justice_contact.data,
                        gang_involvement=form.gang_involvement.data,
                        screening_id=form.screening_id.data or None, recorded_by_id=current_user.id)
        db.session.add(item)
        db.session.flush()
        audit_case("followup.create", youth, detail=f"followup={item.id}")
        return commit_once(form, casework_url(youth, "#followups"), _("Follow-up recorded."))
    return render_template("casework/followup.html", youth=youth, form=form)
