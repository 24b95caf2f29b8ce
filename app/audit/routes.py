"""Auditor screens: the event list, one case's access history, the chain
status, and a CSV export. Administrators see security events only."""

from datetime import UTC, datetime, time, timedelta

from flask import Response, current_app, redirect, render_template, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, func, or_, select

from app.accounts.models import User
from app.audit import bp
from app.audit.actions import ACTION_LABELS, SECURITY_PREFIXES, action_label
from app.audit.chain import verify
from app.audit.forms import AuditFilterForm, CaseHistoryForm
from app.audit.models import AuditEvent
from app.audit.seal import last_batch
from app.audit.service import record
from app.exports import csv_lines
from app.extensions import db
from app.filters import back_to_list, filter_form, page_number
from app.formtools import choices
from app.security.policy import can, requires


def security_only() -> bool:
    return not can(current_user, "audit.view")


def audit_filters(announce: bool = True) -> AuditFilterForm:
    """The filters from the query string (app.filters: a value not valid is left out)."""
    visible = [code for code in ACTION_LABELS
               if not security_only() or code.startswith(SECURITY_PREFIXES)]
    return filter_form(AuditFilterForm, announce=announce,
                       action=choices([("", _("Any action")), *((c, action_label(c)) for c in visible)]))


def events_query(form: AuditFilterForm) -> Select:
    """The filtered events, newest first, with the acting user's username."""
    query = (
        select(AuditEvent, User.username)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .order_by(AuditEvent.seq.desc())
    )
    if security_only():
        query = query.where(or_(*(AuditEvent.action.startswith(p) for p in SECURITY_PREFIXES)))
    if form.start.data:
        query = query.where(AuditEvent.at >= datetime.combine(form.start.data, time.min, UTC))
    if form.end.data:
        end = datetime.combine(form.end.data + timedelta(days=1), time.min, UTC)
        query = query.where(AuditEvent.at < end)
    if form.username.data:
        query = query.where(User.username == form.username.data.strip().lower())
    if form.action.data:
        query = query.where(AuditEvent.action == form.action.data)
    if form.object_type.data:
        query = query.where(AuditEvent.object_type == form.object_type.data.strip())
    if form.object_id.data:
        query = query.where(AuditEvent.object_id == form.object_id.data.strip())
    if form.outcome.data:
        query = query.where(AuditEvent.outcome == form.outcome.data)
    return query


def filter_detail(form: AuditFilterForm) -> str:
    """Which filters were used (names only) for the audit event of a view."""
    used = [name for name, field in form._fields.items() if field.data]
    return "filters=" + ",".join(used) if used else "filters=none"


@bp.route("/")
@requires("audit.security_events")
def events():
    form = audit_filters()
    page = page_number()
    query = events_query(form)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    per_page = current_app.config["PAGE_SIZE"]
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    record("audit.view", detail=filter_detail(form))
    db.session.commit()
    return render_template(
        "audit/events.html", form=form, rows=rows, total=total, page=page,
        pages=max(1, -(-total // per_page)), security_only=security_only(),
    )


@bp.route("/export.csv")
@requires("audit.security_events")
def export():
    """The filtered events as CSV. A filter that is not valid stops the export
    before it is audited or starts: back to the list, which says which."""
    form = audit_filters(announce=False)
    if form.left_out:
        return redirect(back_to_list("audit.events"))
    query = events_query(form).execution_options(yield_per=1000)
    record("audit.export", detail=filter_detail(form))
    db.session.commit()
    header = [_("Sequence"), _("Time (UTC)"), _("User"), _("Role"), _("Action"), _("Object type"),
              _("Object id"), _("Outcome"), _("IP address"), _("Detail")]

    def rows():
        for event, username in db.session.execute(query):
            yield (event.seq, event.at.strftime("%Y-%m-%d %H:%M:%S"), username or "", event.role or "",
                   event.action, event.object_type or "", event.object_id or "", event.outcome,
                   event.ip or "", event.detail or "")

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return Response(
        stream_with_context(csv_lines(header, rows())),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="senda-audit-{stamp}.csv"'},
    )


@bp.route("/case")
@requires("audit.view")
def case_history():
    """Who looked at this case file, and when: every event on the case."""
    form = filter_form(CaseHistoryForm)
    code = (form.code.data or "").strip().upper()
    rows = []
    if code:
        rows = db.session.execute(
            select(AuditEvent, User.username)
            .outerjoin(User, User.id == AuditEvent.user_id)
            .where(AuditEvent.object_type == "youth", AuditEvent.object_id == code)
            .order_by(AuditEvent.seq.desc())
            .limit(500)
        ).all()
        record("audit.case_history", object_type="youth", object_id=code)
        db.session.commit()
    return render_template("audit/case_history.html", form=form, code=code, rows=rows)


@bp.route("/chain")
@requires("audit.view")
def chain():
    result = verify(db.session, current_app.extensions["senda_keys"].audit_key)
    batch = last_batch(db.session)
    head = {"seq": batch.last_id, "head_hash": batch.head_mac} if batch else None
    record("audit.verify", outcome="allowed" if result.ok else "failed",
           detail=f"events={result.checked}")
    db.session.commit()
    return render_template("audit/chain.html", result=result, head=head)


@bp.app_template_filter("action_label")
def action_label_filter(code: str) -> str:
    return action_label(code)
