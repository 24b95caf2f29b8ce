"""Sessions: list, calendar, record, edit, cancel, attendance links, export."""

import calendar as cal
from datetime import datetime, timedelta

from flask import Response, abort, current_app, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import format_datetime, format_decimal, pgettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy.orm import joinedload

from app.accounts.models import Organization
from app.audit.service import record
from app.cases.lifecycle import audit_case
from app.dates import local_now, local_today
from app.exports import csv_lines
from app.extensions import db
from app.filters import FIRST_DATE, back_to_list, filter_form, last_day, month_arg, page_number
from app.formtools import data_choices, stale
from app.policing import bp, codes, services
from app.policing.choices import keeping, police_unit_choices, restrict_to_choices
from app.policing.forms import AttendanceForm, CancelForm, SessionFilterForm, SessionForm
from app.policing.models import Attendance, GreatCohort, PolicingSession
from app.policing.services import filtered_sessions, linked_youth
from app.security.policy import (
    can,
    get_session_or_404,
    may_edit_session,
    records_for_own_unit,
    requires,
    visible_cohorts,
    visible_municipalities,
    visible_officers,
    visible_organizations,
    visible_sessions,
    visible_youth,
)
from app.submissions import commit_once, replayed
from app.youth import codes as youth_codes
from app.youth.models import Youth


def session_filters(announce: bool = True) -> SessionFilterForm:
    """The list's filters from the query string (app.filters: a value not valid is left out)."""
    # Only the organizations of the user's countries: the others have no session the user can see.
    organizations = db.session.scalars(visible_organizations(current_user)).all()
    return filter_form(
        SessionFilterForm, announce=announce,
        municipality=data_choices(((m.id, m.name) for m in db.session.scalars(visible_municipalities(current_user))),
                                  first=("", _("All municipalities"))),
        unit=data_choices(((o.id, o.name) for o in organizations if o.kind == "police_unit"), first=("", _("All units"))),
        partner=data_choices(((o.id, o.name) for o in organizations if o.kind != "police_unit"),
                             first=("", _("All organizations"))))


@bp.route("/")
@requires("sessions.view")
def sessions():
    form = session_filters()
    per_page = current_app.config["PAGE_SIZE"]
    page = page_number()
    query = filtered_sessions(current_user, form.data)
    rows = db.session.execute(
        query.add_columns(func.count().over().label("total")).options(joinedload(PolicingSession.municipality))
        .order_by(PolicingSession.held_at.desc()).limit(per_page).offset((page - 1) * per_page)).all()
    total = rows[0].total if rows else 0
    items = [row[0] for row in rows]
    return render_template("policing/list.html", form=form, sessions=items, total=total, page=page,
                           pages=max(1, -(-total // per_page)))


@bp.route("/export.csv")
@requires("sessions.view")
def export():
    """The filtered list as CSV: counts only, never who attended. A filter that
    is not valid stops the export before it is audited or starts: back to the
    list, which says which."""
    form = session_filters(announce=False)
    if form.left_out:
        return redirect(back_to_list("policing.sessions"))
    query = (filtered_sessions(current_user, form.data).order_by(PolicingSession.held_at)
             .execution_options(yield_per=1000))
    record("sessions.export", detail="filters=" + (",".join(n for n, f in form._fields.items() if f.data) or "none"))
    db.session.commit()
    municipalities = {m.id: m.code for m in db.session.scalars(visible_municipalities(current_user))}
    header = [_("Date"), _("Time"), _("Municipality"), _("Community"), _("Venue"), _("School name"),
              _("Kind of session"), _("G.R.E.A.T. curriculum"), _("Lesson number"), _("Topic"), _("Status"),
              *(str(codes.COUNT_LABELS[c]) for c in (*codes.SEX_COUNTS, *codes.AGE_COUNTS))]

    # Coded values as their labels in the user's language; dates and times stay ISO (YYYY-MM-DD, HH:MM).
    label = {name: {code: str(text) for code, text in values.items()}
             for name, values in (("venue", codes.VENUES), ("kind", codes.KINDS), ("curriculum", codes.CURRICULA),
                                  ("status", codes.STATUSES))}

    def rows():
        for s in db.session.scalars(query):
            yield (s.held_on.isoformat(), s.held_at.strftime("%H:%M"), municipalities.get(s.municipality_id, ""),
                   s.community or "", label["venue"].get(s.venue, s.venue), s.school_name or "",
                   label["kind"].get(s.kind, s.kind), label["curriculum"].get(s.curriculum, s.curriculum or ""),
                   s.lesson_number or "", s.topic or "", label["status"].get(s.status, s.status),
                   *(getattr(s, c) for c in (*codes.SEX_COUNTS, *codes.AGE_COUNTS)))

    return Response(stream_with_context(csv_lines(header, rows())), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="senda-sessions.csv"'})


@bp.route("/calendar")
@requires("sessions.view")
def calendar():
    """A month of sessions in the user's municipalities."""
    first = month_arg() or local_today().replace(day=1)
    last = first.replace(day=cal.monthrange(first.year, first.month)[1])
    found = db.session.scalars(visible_sessions(current_user).where(
        PolicingSession.held_on >= first, PolicingSession.held_on <= last).order_by(PolicingSession.held_at)).all()
    by_day: dict[int, list[PolicingSession]] = {}
    for s in found:
        by_day.setdefault(s.held_on.day, []).append(s)
    weeks = cal.Calendar(firstweekday=0).monthdayscalendar(first.year, first.month)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = last + timedelta(days=1)
    return render_template("policing/calendar.html", first=first, weeks=weeks, by_day=by_day,
                           previous=previous.strftime("%Y-%m") if previous >= FIRST_DATE else None,
                           following=following.strftime("%Y-%m") if following <= last_day() else None)


def session_form(item: PolicingSession | None = None) -> SessionForm:
    form = SessionForm(obj=item)
    form.municipality_id.choices = data_choices(
        (m.id, m.label) for m in db.session.scalars(visible_municipalities(current_user)))
    # Only the people and organizations of the user's countries (a posted id
    # outside them is not a valid choice), and those the session already names.
    form.police_unit_id.choices = police_unit_choices(current_user, item.police_unit if item else None)
    officers = db.session.scalars(visible_officers(current_user))
    form.officer_ids.choices = data_choices((u.id, u.username) for u in keeping(officers, item.officers if item else []))
    partners = db.session.scalars(visible_organizations(current_user).where(Organization.kind != "police_unit"))
    form.partner_organization_id.choices = data_choices(
        ((o.id, o.name) for o in keeping(partners, [item.partner] if item else [])), first=(0, _("None")))
    restrict_to_choices(form.police_unit_id, form.officer_ids, form.partner_organization_id)
    cohorts = db.session.scalars(visible_cohorts(current_user).where(GreatCohort.graduated_on.is_(None))
                                 .order_by(GreatCohort.school_name))
    form.cohort_id.choices = data_choices(((c.id, f"{c.school_name} · {c.class_name}") for c in cohorts), first=(0, _("None")))
    if item is not None:
        del form.form_token  # one-time tokens are for create forms; edits have their version
    if item is None and request.method == "GET":
        form.police_unit_id.data = current_user.organization_id
        form.officer_ids.data = [current_user.id] if records_for_own_unit(current_user) else []
    return form


def session_values(form: SessionForm) -> dict:
    """The session form as plain values for policing.services.save_session."""
    return {
        "held_at": datetime.combine(form.held_on.data, form.held_time.data), "held_on": form.held_on.data,
        "municipality_id": form.municipality_id.data, "community": (form.community.data or "").strip() or None,
        "venue": form.venue.data, "school_name": (form.school_name.data or "").strip() or None, "kind": form.kind.data,
        "curriculum": form.curriculum.data if form.kind.data == "great_lesson" else None,
        "lesson_number": form.lesson_number.data if form.kind.data == "great_lesson" else None,
        "cohort_id": form.cohort_id.data or None, "topic": (form.topic.data or "").strip() or None,
        "police_unit_id": form.police_unit_id.data, "partner_organization_id": form.partner_organization_id.data or None,
        **{c: getattr(form, c).data or 0 for c in (*codes.SEX_COUNTS, *codes.AGE_COUNTS)},
        "notes": (form.notes.data or "").strip() or None, "officer_ids": set(form.officer_ids.data or []),
    }


@bp.route("/new", methods=["GET", "POST"])
@requires("sessions.record")
def new():
    form = session_form()
    if request.method == "GET":
        now = local_now()
        form.held_on.data, form.held_time.data = now.date(), now.time().replace(second=0, microsecond=0)
    if (done := replayed(form)) is not None:
        return done
    if form.validate_on_submit():
        item = services.record_session(current_user, session_values(form))
        return commit_once(form, url_for("policing.show", session_id=item.id), _("Session recorded."))
    return render_template("policing/form.html", form=form, item=None, conflict=None)


@bp.route("/<int:session_id>")
@requires("sessions.view")
def show(session_id: int):
    item = get_session_or_404(current_user, session_id)
    # Only the links a case worker may see, never how many youth are linked in all (issue #12).
    youth = linked_youth(current_user, item.id) if can(current_user, "sessions.attendance") else []
    if youth:
        for y in youth:
            audit_case("youth.attendance_view", y, detail=f"session={item.id}")
        db.session.commit()
    return render_template("policing/show.html", item=item, linked=youth,
                           may_change=may_edit_session(current_user, item) and can(current_user, "sessions.record"),
                           attendance_form=AttendanceForm(), cancel_form=CancelForm(version=str(item.version)))


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@requires("sessions.record")
def edit(session_id: int):
    item = get_session_or_404(current_user, session_id)
    if not may_edit_session(current_user, item):
        abort(403)
    form = session_form(item)
    if request.method == "GET":
        form.version.data = str(item.version)
        form.held_time.data = item.held_at.time()
        form.officer_ids.data = [u.id for u in item.officers]
        form.notes.data = item.notes
        form.cohort_id.data = item.cohort_id or 0
        form.partner_organization_id.data = item.partner_organization_id or 0
    conflict = None
    if form.validate_on_submit():
        if stale(item, form.version.data):
            conflict = [(_("Date"), format_datetime(item.held_at, "short", rebase=False)), (_("Topic"), item.topic or ""),
                        (pgettext("count", "Female"), format_decimal(item.female)),
                        (pgettext("count", "Male"), format_decimal(item.male)),
                        (_("Status"), str(codes.STATUSES.get(item.status, item.status)))]
            form.version.data = str(item.version)
        else:
            services.update_session(item, session_values(form))
            db.session.commit()
            flash(_("Session saved."), "success")
            return redirect(url_for("policing.show", session_id=item.id))
    return render_template("policing/form.html", form=form, item=item, conflict=conflict)


@bp.route("/<int:session_id>/cancel", methods=["POST"])
@requires("sessions.record")
def cancel(session_id: int):
    item = get_session_or_404(current_user, session_id)
    if not may_edit_session(current_user, item):
        abort(403)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for cancelling."), "error")
    elif stale(item, form.version.data):
        flash(_("Someone else changed this session meanwhile. Check it and try again."), "error")
    else:
        services.cancel_session(item, form.reason.data)
        db.session.commit()
        flash(_("Session cancelled."), "success")
    return redirect(url_for("policing.show", session_id=item.id))


@bp.route("/<int:session_id>/attendance", methods=["POST"])
@requires("sessions.attendance")
def link_attendance(session_id: int):
    """Link an enrolled youth of one's own scope to a session they attended."""
    item = get_session_or_404(current_user, session_id)
    form = AttendanceForm()
    if form.validate_on_submit():
        youth = db.session.scalar(visible_youth(current_user).where(
            Youth.case_code == form.code.data.strip().upper(), Youth.status.in_(youth_codes.IN_PROGRAM)))
        if youth is None:
            flash(_("No enrolled youth with that case code in your cases."), "error")
        elif services.link_attendance(item, youth, current_user):
            db.session.commit()
            flash(_("Attendance linked."), "success")
    else:
        for messages in form.errors.values():
            for message in messages:
                flash(message, "error")
    return redirect(url_for("policing.show", session_id=item.id))


@bp.route("/<int:session_id>/attendance/<code>/remove", methods=["POST"])
@requires("sessions.attendance")
def unlink_attendance(session_id: int, code: str):
    item = get_session_or_404(current_user, session_id)
    youth = db.session.scalar(visible_youth(current_user).where(Youth.case_code == code.upper()))
    link = db.session.get(Attendance, (item.id, youth.id)) if youth else None
    if link is None:
        abort(404)
    services.unlink_attendance(link, youth)  # CSRF is checked for every POST by CSRFProtect
    db.session.commit()
    return redirect(url_for("policing.show", session_id=item.id))
