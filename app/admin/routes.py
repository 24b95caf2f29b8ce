"""Administration: users, organizations and geography. Admins never see
case contents; these screens hold no youth data."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.accounts.models import Organization, User
from app.accounts.roles import ROLE_LABELS
from app.accounts.services import (
    USER_FIELDS,
    ScopeError,
    create_user,
    email_taken,
    resolve_scope,
    temporary_password,
    update_user,
    username_taken,
)
from app.admin import bp
from app.admin.forms import OrganizationForm, ResetPasswordForm, UserFilterForm, UserForm
from app.audit.service import record
from app.extensions import db
from app.filters import code_arg, filter_form, page_number
from app.formtools import claim_version, data_choices, stale
from app.geo.models import Country, Department, Municipality
from app.i18n import current_language
from app.security.passwords import hash_password
from app.security.policy import requires


def split_codes(text: str | None) -> list[str]:
    return [c.strip() for c in (text or "").replace("\n", ",").split(",") if c.strip()]


def _org_choices():
    return data_choices((o.id, o.name) for o in db.session.scalars(select(Organization).order_by(Organization.name)))


@bp.route("/users")
@requires("admin.users")
def users():
    form = filter_form(UserFilterForm)
    query = select(User).order_by(User.username)
    if form.q.data:
        query = query.where(User.username.contains(form.q.data.strip().lower(), autoescape=True))
    if form.role.data:
        query = query.where(User.role == form.role.data)
    page = db.paginate(query.options(joinedload(User.organization)), page=page_number(),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("admin/users.html", page=page, form=form)


@bp.route("/users/new", methods=["GET", "POST"])
@requires("admin.users")
def create_user_view():
    form = UserForm()
    form.organization_id.choices = _org_choices()
    del form.active
    if form.validate_on_submit():
        if username_taken(form.username.data):
            form.username.errors.append(_("This username is already in use."))
        elif form.email.data and email_taken(form.email.data):
            form.email.errors.append(_("This email is already in use."))
        else:
            try:
                user, temp = create_user(
                    username=form.username.data, full_name=form.full_name.data,
                    email=form.email.data or None, role=form.role.data,
                    organization=db.session.get(Organization, form.organization_id.data),
                    scope_codes=split_codes(form.scope.data), locale=form.locale.data,
                )
            except ScopeError as exc:
                db.session.rollback()
                form.scope.errors.append(_("Unknown code: %(code)s", code=exc.code))
            else:
                record("user.create", object_type="user", object_id=user.id,
                       detail=f"role={user.role}")
                db.session.commit()
                return render_template("admin/temporary_password.html", user=user, password=temp)
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires("admin.users")
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    form.organization_id.choices = _org_choices()
    if request.method == "GET":
        form.version.data = str(user.version)
        form.scope.data = ", ".join(s.code for s in user.scopes)
        form.locale.data = user.locale or "es"
    if form.validate_on_submit():
        if not claim_version(user, form.version.data):
            db.session.refresh(user)  # another save may have landed after this request loaded the account
            form.version.data = str(user.version)
            return render_template("admin/user_form.html", form=form, user=user,
                                   reset_form=ResetPasswordForm(), conflict=saved_user(user))
        if username_taken(form.username.data, except_id=user.id):
            form.username.errors.append(_("This username is already in use."))
        elif form.email.data and email_taken(form.email.data, except_id=user.id):
            form.email.errors.append(_("This email is already in use."))
        else:
            try:
                scopes = resolve_scope(split_codes(form.scope.data))
            except ScopeError as exc:
                form.scope.errors.append(_("Unknown code: %(code)s", code=exc.code))
            else:
                update_user(user, {name: getattr(form, name).data for name in USER_FIELDS},
                            split_codes(form.scope.data), scopes)
                db.session.commit()
                flash(_("User %(username)s saved.", username=user.username), "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user,
                           reset_form=ResetPasswordForm())


def saved_user(user: User) -> list[tuple[str, str]]:
    """The stored values shown beside a stale form."""
    return [
        (_("Username"), user.username), (_("Full name"), user.full_name),
        (_("Email"), user.email or ""), (_("Role"), str(ROLE_LABELS[user.role])),
        (_("Organization"), user.organization.name),
        (_("Scope"), ", ".join(s.code for s in user.scopes)),
        (_("Active"), _("yes") if user.active else _("no")),
    ]


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@requires("admin.users")
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    if not ResetPasswordForm().validate_on_submit():
        abort(400)
    temp = temporary_password()
    user.password_hash = hash_password(temp)
    user.must_change_password = True
    user.failed_logins, user.locked_until = 0, None
    user.session_version += 1
    record("user.password_reset", object_type="user", object_id=user.id)
    db.session.commit()
    return render_template("admin/temporary_password.html", user=user, password=temp)


@bp.route("/organizations")
@requires("admin.organizations")
def organizations():
    counts = (
        select(User.organization_id, func.count(User.id).label("n"))
        .group_by(User.organization_id).subquery()
    )
    rows = db.session.execute(
        select(Organization, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.organization_id == Organization.id)
        .order_by(Organization.name)
    ).all()
    return render_template("admin/organizations.html", rows=rows)


@bp.route("/organizations/new", methods=["GET", "POST"], defaults={"org_id": None})
@bp.route("/organizations/<int:org_id>", methods=["GET", "POST"])
@requires("admin.organizations")
def edit_organization(org_id: int | None):
    org = db.get_or_404(Organization, org_id) if org_id else None
    form = OrganizationForm(obj=org)
    form.country_code.choices = data_choices(
        (c.code, c.name(current_language()))
        for c in db.session.scalars(select(Country).order_by(Country.name_es))
    )
    if org is None:
        del form.active
    if request.method == "GET" and org:
        form.version.data = str(org.version)
        form.municipalities.data = ", ".join(m.code for m in org.municipalities)
    if form.validate_on_submit():
        if org and stale(org, form.version.data):
            form.version.data = str(org.version)
            saved = [(form.name.label.text, org.name),
                     (form.municipalities.label.text, ", ".join(m.code for m in org.municipalities))]
            return render_template("admin/organization_form.html", form=form, org=org, conflict=saved)
        codes = split_codes(form.municipalities.data)
        found = db.session.scalars(
            select(Municipality).join(Department).where(
                Municipality.code.in_(codes), Department.country_code == form.country_code.data)
        ).all() if codes else []
        unknown = sorted(set(codes) - {m.code for m in found})
        duplicate = db.session.scalar(
            select(Organization.id).where(Organization.name == form.name.data.strip(),
                                          Organization.id != (org.id if org else 0)))
        if unknown:
            form.municipalities.errors.append(
                _("Not a municipality of this country: %(codes)s", codes=", ".join(unknown)))
        elif duplicate:
            form.name.errors.append(_("An organization with this name already exists."))
        else:
            created = org is None
            org = org or Organization()
            org.name, org.kind = form.name.data.strip(), form.kind.data
            org.country_code, org.municipalities = form.country_code.data, list(found)
            if not created:
                org.active = form.active.data
            db.session.add(org)
            db.session.flush()
            record("organization.create" if created else "organization.update",
                   object_type="organization", object_id=org.id)
            db.session.commit()
            flash(_("Organization %(name)s saved.", name=org.name), "success")
            return redirect(url_for("admin.organizations"))
    return render_template("admin/organization_form.html", form=form, org=org)


@bp.route("/geography")
@requires("admin.geography")
def geography():
    """Departments with their municipality count, per country; one department's
    municipalities and codes when chosen."""
    rows = db.session.execute(
        select(Department, func.count(Municipality.id))
        .outerjoin(Municipality, Municipality.department_id == Department.id)
        .group_by(Department.id)
        .order_by(Department.country_code, Department.name)
    ).all()
    selected = code_arg("department", _("Department"))
    municipalities = []
    if selected:
        municipalities = db.session.scalars(
            select(Municipality).join(Department).where(Department.code == selected)
            .order_by(Municipality.name)
        ).all()
    countries = {c.code: c for c in db.session.scalars(select(Country))}
    return render_template("admin/geography.html", rows=rows, countries=countries,
                           selected=selected, municipalities=municipalities)
