"""Who may do what, and on which part of the data: the one place where
roles and scope are decided. Views ask ``can(user, action)`` (or use
``@requires``); lists start from the scoped queries defined here."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, or_, select

from app.accounts.models import User, UserScope
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
