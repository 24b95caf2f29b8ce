"""The caseload (a social worker's home) and registration of a new youth."""

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from app.audit.service import hash_terms, record
from app.cases import lifecycle
from app.dates import local_today as today
from app.extensions import db
from app.filters import filter_form, page_number
from app.formtools import data_choices
from app.geo.models import Municipality
from app.security.policy import (
    org_programs,
    registering_workers,
    requires,
    scope_municipality_ids,
    sees_whole_team,
    team_workers,
    visible_municipalities,
)
from app.submissions import commit_once, replayed
from app.youth import bp
from app.youth.caseload import caseload_query, count_of, page_rows
from app.youth.forms import CaseloadForm, YouthForm
from app.youth.identity import CASE_FIELDS, IDENTITY_FIELDS, update_case
from app.youth.models import Youth
from app.youth.services import possible_duplicates


@bp.route("/")
@requires("cases.work")
def caseload():
    form = filter_form(
        CaseloadForm,
        program=data_choices(((p.id, p.name) for p in db.session.scalars(org_programs(current_user, active_only=True))),
                             first=("", _("All programs"))),
        municipality=data_choices(((m.id, m.name) for m in db.session.scalars(visible_municipalities(current_user))),
                                  first=("", _("All municipalities"))),
        worker=data_choices(((u.id, u.username) for u in db.session.scalars(team_workers(current_user))),
                            first=("", _("Everyone"))))
    day = today()
    query = caseload_query(current_user, form.data, day)
    per_page = current_app.config["PAGE_SIZE"]
    page = page_number()
    rows = db.session.execute(page_rows(query, form.sort.data, per_page, (page - 1) * per_page)).all()
    total = rows[0].total if rows else (db.session.scalar(count_of(query)) if page > 1 else 0)
    used = [name for name, field in form._fields.items() if field.data and name != "q"]
    detail = "filters=" + (",".join(used) or "none")
    if form.q.data:
        detail += ";terms=" + hash_terms(form.q.data.strip().lower())
    record("youth.search" if form.q.data else "youth.list", object_type="caseload", detail=detail)
    db.session.commit()
    return render_template("youth/caseload.html", form=form, rows=rows, total=total, page=page,
                           pages=max(1, -(-total // per_page)), today=day,
                           team_view=sees_whole_team(current_user))


def youth_form(youth: Youth | None = None) -> YouthForm:
    """The registration form, or (given the case) the edit form. An edit
    never changes the assigned worker (that is the coordinator's reassign
    action), and keeps the case's own municipality among the choices: a
    worker the case is shared with may work outside it."""
    form = YouthForm(obj=youth)
    places = visible_municipalities(current_user)
    if youth is not None:
        places = (select(Municipality).where(or_(Municipality.id.in_(scope_municipality_ids(current_user)),
                                                 Municipality.id == youth.municipality_id))
                  .order_by(Municipality.name))
    form.municipality_id.choices = data_choices((m.id, m.label) for m in db.session.scalars(places))
    if youth is not None:
        del form.assigned_worker_id
        del form.form_token  # one-time tokens are for create forms; edits have their version
    else:
        form.assigned_worker_id.choices = data_choices(
            (u.id, u.username) for u in db.session.scalars(registering_workers(current_user)))
    return form


def fill_youth(youth: Youth, form: YouthForm) -> list[str]:
    """Copy the form's case fields into the case (never the assigned worker);
    returns the names of the fields that changed."""
    return update_case(youth, {name: getattr(form, name).data for name in (*IDENTITY_FIELDS, *CASE_FIELDS)})


@bp.route("/new", methods=["GET", "POST"])
@requires("cases.work")
def register():
    form = youth_form()
    if request.method == "GET":
        form.assigned_worker_id.data = current_user.id
    matches = []
    if (done := replayed(form)) is not None:
        return done
    if form.validate_on_submit():
        matches = possible_duplicates(current_user, form.given_names.data, form.family_name_1.data,
                                      form.family_name_2.data, form.birth_date.data, form.municipality_id.data)
        if not matches or form.not_duplicate.data:
            municipality = db.session.get(Municipality, form.municipality_id.data)
            youth = lifecycle.register(
                current_user, {name: getattr(form, name).data for name in (*IDENTITY_FIELDS, *CASE_FIELDS)},
                form.assigned_worker_id.data, municipality.department.country_code, today(),
                not_duplicates=[m.id for m in matches])
            return commit_once(form, url_for("youth.case", code=youth.case_code))
        form.not_duplicate.errors = [_("Check the possible matches below before saving.")]
    return render_template("youth/register.html", form=form, matches=matches, today=today())
