"""One case: its page, edits, status, consent, sharing and export."""

import json

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.accounts.models import User
from app.cases import lifecycle
from app.cases.lifecycle import TransitionError, audit_case
from app.cases.status import STATUSES
from app.dates import local_today as today
from app.extensions import db
from app.formtools import choices, claim_version, data_choices
from app.security.policy import assignable_workers, get_case_or_404, requires
from app.submissions import commit_once, replayed
from app.youth import bp, services
from app.youth.case_page import case_context, casework_context, full_record
from app.youth.forms import (
    AnonymizeForm,
    AssignForm,
    ConsentForm,
    ExportForm,
    ReopenForm,
    ShareForm,
    StatusForm,
    WithdrawConsentForm,
)
from app.youth.models import CaseShare, Consent
from app.youth.routes import fill_youth, youth_form


def status_form(youth) -> StatusForm:
    form = StatusForm(version=str(youth.version))
    form.to_status.choices = choices((s, STATUSES[s]) for s in lifecycle.manual_moves(youth))
    return form


@bp.route("/<code>")
@requires("cases.work")
def case(code: str):
    youth = get_case_or_404(current_user, code)
    audit_case("youth.view", youth)
    context = case_context(youth, current_user)
    db.session.commit()
    return render_template("youth/case.html", youth=youth, **context,
                           status_form=status_form(youth), consent_form=ConsentForm(given_on=today()),
                           reopen_form=ReopenForm(version=str(youth.version)))


@bp.route("/<code>/casework")
@requires("cases.work")
def casework(code: str):
    youth = get_case_or_404(current_user, code)
    audit_case("youth.view", youth, detail="part=casework")
    context = casework_context(youth, current_user)
    db.session.commit()
    return render_template("youth/casework.html", youth=youth, **context)


def saved_youth(youth) -> list[tuple[str, str]]:
    return [(_("Given names"), youth.given_names), (_("First family name"), youth.family_name_1),
            (_("Second family name (optional)"), youth.family_name_2 or ""),
            (_("Birth date"), youth.birth_date.isoformat()), (_("Community (colonia, barrio or cantón)"), youth.community or ""),
            (_("Guardian's name"), youth.guardian_name or ""), (_("Guardian's phone or address"), youth.guardian_contact or "")]


@bp.route("/<code>/edit", methods=["GET", "POST"])
@requires("cases.work")
def edit(code: str):
    youth = get_case_or_404(current_user, code)
    form = youth_form(youth)
    if request.method == "GET":
        form.version.data = str(youth.version)
        form.birth_date.data = youth.birth_date
    conflict = None
    if form.validate_on_submit():
        if not claim_version(youth, form.version.data):
            db.session.refresh(youth)  # another save may have landed after this request loaded the case
            conflict = saved_youth(youth)
            form.version.data = str(youth.version)
        else:
            changed = fill_youth(youth, form)
            audit_case("youth.update", youth, detail="fields=" + ",".join(changed))
            db.session.commit()
            flash(_("Case %(code)s saved.", code=youth.case_code), "success")
            return redirect(url_for("youth.case", code=youth.case_code))
    return render_template("youth/edit.html", form=form, youth=youth, conflict=conflict)


@bp.route("/<code>/status", methods=["POST"])
@requires("cases.work")
def status(code: str):
    youth = get_case_or_404(current_user, code)
    form = status_form(youth)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("youth.case", code=youth.case_code))
    if not claim_version(youth, form.version.data):
        flash(_("Someone else changed this case meanwhile. Check its status and try again."), "error")
        return redirect(url_for("youth.case", code=youth.case_code))
    try:
        lifecycle.change_status(youth, form.to_status.data, current_user, today(), form.exit_reason.data or None)
    except TransitionError:
        flash(_("This status change is not allowed."), "error")
        return redirect(url_for("youth.case", code=youth.case_code))
    db.session.commit()
    flash(_("Status changed to %(status)s.", status=STATUSES[youth.status]), "success")
    return redirect(url_for("youth.case", code=youth.case_code))


@bp.route("/<code>/reopen", methods=["POST"])
@requires("cases.coordinate")
def reopen_case(code: str):
    youth = get_case_or_404(current_user, code)
    form = ReopenForm()
    if not form.validate_on_submit() or not claim_version(youth, form.version.data):
        flash(_("Someone else changed this case meanwhile. Check its status and try again."), "error")
        return redirect(url_for("youth.case", code=youth.case_code))
    try:
        lifecycle.reopen(youth, current_user, today())
    except TransitionError:
        abort(400)
    db.session.commit()
    flash(_("Case reopened."), "success")
    return redirect(url_for("youth.case", code=youth.case_code))


@bp.route("/<code>/consents", methods=["POST"])
@requires("cases.work")
def add_consent(code: str):
    youth = get_case_or_404(current_user, code)
    form = ConsentForm()
    if (done := replayed(form)) is not None:
        return done
    if form.validate_on_submit():
        services.record_consent(youth, current_user, form.purpose.data, form.given_by.data, form.given_on.data,
                                form.expires_on.data, today())
        return commit_once(form, url_for("youth.case", code=youth.case_code) + "#consent", _("Consent recorded."))
    context = case_context(youth, current_user)
    db.session.commit()
    return render_template("youth/case.html", youth=youth, **context, status_form=status_form(youth),
                           consent_form=form, reopen_form=ReopenForm(version=str(youth.version)))


@bp.route("/<code>/consents/<int:consent_id>/withdraw", methods=["POST"])
@requires("cases.work")
def withdraw_consent(code: str, consent_id: int):
    youth = get_case_or_404(current_user, code)
    consent = db.session.scalar(select(Consent).where(Consent.id == consent_id, Consent.youth_id == youth.id))
    if consent is None:
        abort(404)
    form = WithdrawConsentForm()
    if form.validate_on_submit() and services.withdraw_consent(youth, consent, current_user, today()):
        db.session.commit()
        flash(_("Consent withdrawn."), "success")
    return redirect(url_for("youth.case", code=youth.case_code) + "#consent")


@bp.route("/<code>/assign", methods=["GET", "POST"])
@requires("cases.coordinate")
def assign(code: str):
    youth = get_case_or_404(current_user, code)
    assign_form, share_form = AssignForm(prefix="assign"), ShareForm(prefix="share")
    workers = db.session.scalars(assignable_workers(current_user)).all()
    assign_form.worker_id.choices = data_choices((u.id, u.username) for u in workers)
    share_form.worker_id.choices = data_choices((u.id, u.username) for u in workers if u.id != youth.assigned_worker_id)
    if request.method == "GET":
        assign_form.worker_id.data = youth.assigned_worker_id
    if assign_form.submit.data and assign_form.validate_on_submit():
        services.reassign(youth, assign_form.worker_id.data)
        db.session.commit()
        flash(_("Case reassigned."), "success")
        return redirect(url_for("youth.case", code=youth.case_code))
    if share_form.submit.data and share_form.validate_on_submit():
        services.share(youth, share_form.worker_id.data, current_user)
        db.session.commit()
        flash(_("Case shared."), "success")
        return redirect(url_for("youth.case", code=youth.case_code))
    shares = db.session.scalars(select(User).join(CaseShare, CaseShare.user_id == User.id)
                                .where(CaseShare.youth_id == youth.id)).all()
    return render_template("youth/assign.html", youth=youth, assign_form=assign_form,
                           share_form=share_form, shares=shares)


@bp.route("/<code>/export", methods=["GET", "POST"])
@requires("cases.coordinate")
def export(code: str):
    """The full record of one youth, for a subject-access request."""
    youth = get_case_or_404(current_user, code)
    form = ExportForm()
    if form.validate_on_submit():
        record_data = full_record(youth, current_user)
        audit_case("youth.export", youth, detail="reference=" + form.reference.data)
        db.session.commit()
        body = json.dumps(record_data, ensure_ascii=False, indent=2, default=str)
        return Response(body, mimetype="application/json", headers={
            "Content-Disposition": f'attachment; filename="senda-{youth.case_code}.json"'})
    return render_template("youth/export.html", youth=youth, form=form)


@bp.route("/<code>/anonymize", methods=["GET", "POST"])
@requires("cases.coordinate")
def anonymize_case(code: str):
    youth = get_case_or_404(current_user, code)
    form = AnonymizeForm()
    if form.validate_on_submit():
        lifecycle.anonymize(youth, detail="on_request")
        db.session.commit()
        flash(_("The case was anonymized: identifiers were erased, counts are kept."), "success")
        return redirect(url_for("youth.case", code=youth.case_code))
    return render_template("youth/anonymize.html", youth=youth, form=form)


