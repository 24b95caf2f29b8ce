"""Who may do what, and on which part of the data: the one place where
roles and scope are decided. Views ask ``can(user, action)`` (or use
``@requires``); lists start from the scoped queries defined here."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, and_, false, or_, select, union
from sqlalchemy.orm import aliased, joinedload

from app.accounts.models import Organization, User, UserScope
from app.accounts.roles import (
    ADMIN,
    AUDITOR,
    COORDINATOR,
    NGO_MANAGER,
    POLICE,
    SOCIAL_WORKER,
)
from app.audit.service import deny_out_of_scope
from app.casework.models import CaseNote
from app.extensions import db
from app.geo.models import Department, Municipality
from app.policing.models import GreatCohort, PolicingSession
from app.programs.models import Program
from app.screening.models import Screening
from app.youth.models import CaseShare, Youth

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
    return select(Youth).where(youth_scope(user))


def visible_notes(user: User, youth_id: int) -> Select:
    """A case's notes this user may read: sensitive notes only for their
    author and coordinators."""
    query = select(CaseNote).where(CaseNote.youth_id == youth_id)
    if user.role != COORDINATOR:  # the SQL form of may_read_note
        query = query.where(or_(CaseNote.sensitive.is_(False), CaseNote.author_id == user.id))
    return query.order_by(CaseNote.created_at.desc())


def visible_sessions(user: User) -> Select:
    """Community-policing sessions in the user's municipalities."""
    return select(PolicingSession).where(PolicingSession.municipality_id.in_(scope_municipality_ids(user)))


def visible_programs(user: User) -> Select:
    """Programs of the user's organization: the ones its workers enroll youth
    in and its coordinator manages."""
    return select(Program).where(Program.organization_id == user.organization_id)


def may_edit_session(user: User, session) -> bool:
    """The author of a session, or a coordinator, may edit or cancel it."""
    return user.role == COORDINATOR or (user.role == POLICE and session.created_by_id == user.id)


may_change_session = may_edit_session  # the older name


def may_read_session_notes(user: User) -> bool:
    """A session's free-text notes: for those who record sessions or link
    youth to them, never for managers."""
    return can(user, "sessions.record") or can(user, "sessions.attendance")


def may_read_note(user: User, note) -> bool:
    """A case note (of a case the user may open): sensitive notes only for
    their author and coordinators (the rule of visible_notes, for one note)."""
    return user.role == COORDINATOR or not note.sensitive or note.author_id == user.id


def records_for_own_unit(user: User) -> bool:
    """A police officer records sessions only for their own unit (and is a
    facilitator of what they record); a coordinator chooses the unit."""
    return user.role == POLICE


def sees_whole_team(user: User) -> bool:
    """A coordinator's caseload holds the team's cases (and shows who works each)."""
    return user.role == COORDINATOR


def team_workers(user: User) -> Select:
    """Active social workers and coordinators of the user's organization, by username."""
    return (select(User).where(User.organization_id == user.organization_id, User.active.is_(True),
                               User.role.in_((SOCIAL_WORKER, COORDINATOR)))
            .order_by(User.username))


def assignable_workers(user: User) -> Select:
    """Whom a coordinator may reassign or share a case to: the team's social
    workers and themself."""
    return team_workers(user).where(or_(User.role == SOCIAL_WORKER, User.id == user.id))


def registering_workers(user: User) -> Select:
    """Whom a new case may be assigned to by this user: a coordinator chooses
    in the team; a social worker registers for themself."""
    if user.role == COORDINATOR:
        return team_workers(user)
    return select(User).where(User.id == user.id)


def officers_among(ids) -> Select:
    """The police officers among these user ids (a session's facilitators)."""
    return select(User).where(User.id.in_(ids), User.role == POLICE)


def visible_cohorts(user: User) -> Select:
    """G.R.E.A.T. classes in the user's municipalities."""
    return select(GreatCohort).where(GreatCohort.municipality_id.in_(scope_municipality_ids(user)))


def org_programs(user: User, active_only: bool = False) -> Select:
    """The user's organization's programs by name (only the running ones: the
    choices of a filter or an enrollment)."""
    query = visible_programs(user)
    if active_only:
        query = query.where(Program.active.is_(True))
    return query.order_by(Program.name)


# --- one object, within the user's scope ---------------------------------------
# Every fetch of one object by the id (or code) in a URL goes through one of
# these, with one behaviour: the role must allow `action` (else 403); an
# object outside the user's scope, or that does not exist, gets the same
# answer: a denied audit event and the translated 404 page.

def _one_or_404(user: User, action: str, query: Select, object_type: str, key) -> object:
    if not can(user, action):
        abort(403)
    found = db.session.scalar(query)
    if found is None:
        deny_out_of_scope(object_type, key)
    return found


def get_case_or_404(user: User, code: str, action: str = "cases.work") -> Youth:
    code = code.upper()
    query = (visible_youth(user).where(Youth.case_code == code)
             .options(joinedload(Youth.municipality).joinedload(Municipality.department),
                      joinedload(Youth.assigned_worker)))
    return _one_or_404(user, action, query, "youth", code[:16])


def get_screening_or_404(user: User, youth: Youth, screening_id: int, action: str = "cases.work") -> Screening:
    """A screening of a case the user opened (with get_case_or_404)."""
    query = select(Screening).where(Screening.id == screening_id, Screening.youth_id == youth.id,
                                    Screening.youth_id.in_(visible_youth(user).with_only_columns(Youth.id)))
    return _one_or_404(user, action, query, "screening", screening_id)


def get_session_or_404(user: User, session_id: int, action: str = "sessions.view") -> PolicingSession:
    query = visible_sessions(user).where(PolicingSession.id == session_id)
    return _one_or_404(user, action, query, "policing_session", session_id)


def get_cohort_or_404(user: User, cohort_id: int, action: str = "sessions.view") -> GreatCohort:
    query = visible_cohorts(user).where(GreatCohort.id == cohort_id)
    return _one_or_404(user, action, query, "great_cohort", cohort_id)


def get_program_or_404(user: User, program_id: int, action: str = "cases.work") -> Program:
    query = visible_programs(user).where(Program.id == program_id)
    return _one_or_404(user, action, query, "program", program_id)
