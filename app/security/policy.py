"""Who may do what, and on which part of the data: the one place where
roles and scope are decided. Views ask ``can(user, action)`` (or use
``@requires``); lists start from the scoped queries defined here."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, and_, false, or_, select, union
from sqlalchemy.orm import aliased

from app.accounts.models import Organization, User, UserScope
from app.accounts.roles import (
    ADMIN,
    AUDITOR,
    COORDINATOR,
    NGO_MANAGER,
    POLICE,
    SOCIAL_WORKER,
)
from app.geo.models import Department, Municipality

# action -> roles allowed to perform it. Object-level checks (scope,
# ownership) are made by the scoped queries and get_*_or_404 helpers.
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin.users": frozenset({ADMIN}),
    "admin.organizations": frozenset({ADMIN}),
    "admin.geography": frozenset({ADMIN}),
    "cases.work": frozenset({SOCIAL_WORKER, COORDINATOR}),
    "cases.coordinate": frozenset({COORDINATOR}),
    "sessions.record": frozenset({POLICE, COORDINATOR}),
    "sessions.view": frozenset({POLICE, COORDINATOR, SOCIAL_WORKER, NGO_MANAGER}),
    "sessions.attendance": frozenset({SOCIAL_WORKER, COORDINATOR}),
    "reports.view": frozenset({NGO_MANAGER, COORDINATOR, ADMIN}),
    "audit.view": frozenset({AUDITOR}),
    "audit.security_events": frozenset({AUDITOR, ADMIN}),
}


def can(user: User, action: str) -> bool:
    """True when the user's role allows the action (unknown actions: never)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.role in PERMISSIONS.get(action, frozenset())
    )


def requires(action: str) -> Callable:
    """View decorator: login is checked by the app; a role without the
    action gets 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorator


def scope_municipality_ids(user: User) -> Select:
    """SELECT of the ids of every municipality in the user's scope."""
    scopes = select(UserScope).where(UserScope.user_id == user.id).subquery()
    return (
        select(Municipality.id)
        .join(Department, Municipality.department_id == Department.id)
        .where(
            or_(
                Municipality.id.in_(select(scopes.c.municipality_id)),
                Municipality.department_id.in_(select(scopes.c.department_id)),
                Department.country_code.in_(select(scopes.c.country_code)),
            )
        )
    )


def visible_municipalities(user: User) -> Select:
    """Municipalities the user may record or see data in, by name."""
    return (
        select(Municipality)
        .where(Municipality.id.in_(scope_municipality_ids(user)))
        .order_by(Municipality.name)
    )


def scope_country_codes(user: User) -> Select:
    """SELECT of the codes of the countries the user's municipalities are in."""
    return (
        select(Department.country_code)
        .join(Municipality, Municipality.department_id == Department.id)
        .where(Municipality.id.in_(scope_municipality_ids(user)))
        .distinct()
    )


def visible_organizations(user: User) -> Select:
    """Organizations of the user's countries, by name: the choices of filters
    and forms (the others have no data the user can see or record)."""
    return (
        select(Organization)
        .where(Organization.country_code.in_(scope_country_codes(user)))
        .order_by(Organization.name)
    )


def visible_officers(user: User) -> Select:
    """Active police officers of organizations of the user's countries, by username."""
    return (
        select(User)
        .join(Organization, Organization.id == User.organization_id)
        .where(User.role == POLICE, User.active.is_(True),
               Organization.country_code.in_(scope_country_codes(user)))
        .order_by(User.username)
    )


def youth_scope(user: User) -> ColumnElement[bool]:
    """The SQL condition on Youth rows this user may see: a social worker,
    the cases assigned to them or shared with them; a coordinator, their
    organization's cases in their municipalities; everyone else, none."""
    from app.youth.models import CaseShare, Youth

    if user.role == SOCIAL_WORKER:
        # One list of ids, each half read through an index: "assigned OR
        # shared" makes PostgreSQL scan every case of every organization.
        assigned = aliased(Youth)
        return Youth.id.in_(union(
            select(assigned.id).where(assigned.assigned_worker_id == user.id),
            select(CaseShare.youth_id).where(CaseShare.user_id == user.id),
        ))
    if user.role == COORDINATOR:
        return and_(
            Youth.organization_id == user.organization_id,
            Youth.municipality_id.in_(scope_municipality_ids(user)),
        )
    return false()


def visible_youth(user: User) -> Select:
    """Every list, search, export and fetch of youth starts here."""
    from app.youth.models import Youth

    return select(Youth).where(youth_scope(user))


def visible_notes(user: User, youth_id: int) -> Select:
    """A case's notes this user may read: sensitive notes only for their
    author and coordinators."""
    from app.casework.models import CaseNote

    query = select(CaseNote).where(CaseNote.youth_id == youth_id)
    if user.role != COORDINATOR:
        query = query.where(or_(CaseNote.sensitive.is_(False), CaseNote.author_id == user.id))
    return query.order_by(CaseNote.created_at.desc())


def visible_sessions(user: User) -> Select:
    """Community-policing sessions in the user's municipalities."""
    from app.policing.models import PolicingSession

    return select(PolicingSession).where(PolicingSession.municipality_id.in_(scope_municipality_ids(user)))


def visible_programs(user: User) -> Select:
    """Programs of the user's organization: the ones its workers enroll youth
    in and its coordinator manages."""
    from app.programs.models import Program

    return select(Program).where(Program.organization_id == user.organization_id)


def may_change_session(user: User, session) -> bool:
    """The author of a session, or a coordinator, may edit or cancel it."""
    return user.role == COORDINATOR or (user.role == POLICE and session.created_by_id == user.id)
