from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.cases import lifecycle
from app.dates import local_today as today
from app.extensions import db
from app.formtools import data_choices, stale
from app.programs import bp, services
from app.programs.forms import EnrollForm, ProgramForm
from app.programs.models import Program, program_municipalities
from app.security.policy import (
    get_case_or_404,
    get_program_or_404,
    org_programs,
    requires,
    visible_municipalities,
)
from app.submissions import commit_once, replayed
from app.youth.consents import has_consent


@bp.route("/programs")
@requires("cases.work")
def programs():
    programs = db.session.scalars(org_programs(current_user).options(selectinload(Program.municipalities))).all()
    return render_template("programs/list.html", programs=programs)


@bp.route("/programs/new", methods=["GET", "POST"], defaults={"program_id": None})
@bp.route("/programs/<int:program_id>", methods=["GET", "POST"])
@requires("cases.coordinate")
def edit_program(program_id: int | None):
    program = get_program_or_404(current_user, program_id) if program_id is not None else None
    form = ProgramForm(obj=program)
    form.municipalities.choices = data_choices(
        (m.id, m.label) for m in db.session.scalars(visible_municipalities(current_user)))
    if program:
        del form.form_token  # one-time tokens are for create forms; edits have their version
    if request.method == "GET" and program:
        form.municipalities.data = [m.id for m in program.municipalities]
        form.version.data = str(program.version)
    if program is None and (done := replayed(form)) is not None:
        return done
    if form.validate_on_submit():
        if program and stale(program, form.version.data):
            flash(_("Someone else changed this program meanwhile. Check it and save again."), "error")
            form.version.data = str(program.version)
        else:
            created = program is None
            program = services.save_program(current_user, program, form.name.data, form.level.data, form.kind.data,
                                            form.active.data, form.municipalities.data)
            if created:
                return commit_once(form, url_for("programs.programs"), _("Program %(name)s saved.", name=program.name))
            db.session.commit()
            flash(_("Program %(name)s saved.", name=program.name), "success")
            return redirect(url_for("programs.programs"))
    return render_template("programs/form.html", form=form, program=program)


@bp.route("/cases/<code>/enroll", methods=["GET", "POST"])
@requires("cases.work")
def enroll_youth(code: str):
    youth = get_case_or_404(current_user, code)
    form = EnrollForm(start_on=today())
    if (done := replayed(form)) is not None:  # before the status check: a second submit finds the youth enrolled
        return done
    if not lifecycle.may_enroll(youth):
        flash(_("Only a screened youth can be enrolled."), "error")
        return redirect(url_for("youth.case", code=youth.case_code))
    if not has_consent(youth, "services", today()):
        flash(_("Record the consent to services before enrolling."), "error")
        return redirect(url_for("youth.case", code=youth.case_code) + "#consent")
    available = db.session.scalars(
        org_programs(current_user).where(Program.active.is_(True),
                             Program.id.in_(select(program_municipalities.c.program_id).where(
                                 program_municipalities.c.municipality_id == youth.municipality_id)))).all()
    form.program_id.choices = data_choices((p.id, p.name) for p in available)
    if form.validate_on_submit():
        program = next(p for p in available if p.id == form.program_id.data)
        lifecycle.enroll(youth, program, form.start_on.data, current_user)
        return commit_once(form, url_for("youth.case", code=youth.case_code), _("Enrolled in %(program)s.", program=program.name))
    return render_template("programs/enroll.html", youth=youth, form=form, available=available)
