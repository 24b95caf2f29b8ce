"""Creating and changing users and organizations. Services flush; the
caller commits."""

import secrets

from sqlalchemy import select

from app.accounts.models import Organization, User, UserScope
from app.audit.service import record
from app.extensions import db
from app.geo.models import Country, Department, Municipality
from app.security.passwords import hash_password


class ScopeError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def temporary_password() -> str:
    """A random temporary password, easy to read out over the phone."""
    words = secrets.token_hex(8)
    return "-".join(words[i : i + 4] for i in range(0, 16, 4))


def resolve_scope(codes: list[str]) -> list[UserScope]:
    """Turn codes (country 'SV', department 'SV-SS', municipality 'SV-SS-001')
    into scope rows; raise ScopeError naming the first unknown code."""
    scopes = []
    for code in dict.fromkeys(c.strip() for c in codes if c.strip()):
        if db.session.get(Country, code.upper()) is not None and len(code) == 2:
            scopes.append(UserScope(country_code=code.upper()))
            continue
        dept = db.session.scalar(select(Department).where(Department.code == code))
        if dept:
            scopes.append(UserScope(department_id=dept.id))
            continue
        muni = db.session.scalar(select(Municipality).where(Municipality.code == code))
        if muni:
            scopes.append(UserScope(municipality_id=muni.id))
            continue
        raise ScopeError(code)
    return scopes


def create_user(
    *,
    username: str,
    full_name: str,
    email: str | None,
    role: str,
    organization: Organization,
    scope_codes: list[str],
    locale: str | None = None,
    password: str | None = None,
) -> tuple[User, str]:
    """Create a user; returns it and the temporary password (to be changed
    at first login unless a password was given)."""
    temp = password or temporary_password()
    user = User(
        username=username.strip().lower(),
        role=role,
        organization=organization,
        locale=locale,
        password_hash=hash_password(temp),
        must_change_password=password is None,
        failed_logins=0,
        session_version=1,
        active=True,
    )
    user.full_name = full_name.strip()
    user.email = email
    user.scopes = resolve_scope(scope_codes)
    db.session.add(user)
    db.session.flush()
    return user, temp


def username_taken(username: str, except_id: int | None = None) -> bool:
    query = select(User.id).where(User.username == username.strip().lower())
    if except_id:
        query = query.where(User.id != except_id)
    return db.session.scalar(query) is not None


def email_taken(email: str, except_id: int | None = None) -> bool:
    from app.security.crypto import blind_index

    query = select(User.id).where(User.email_bidx == blind_index(email.strip()))
    if except_id:
        query = query.where(User.id != except_id)
    return db.session.scalar(query) is not None


USER_FIELDS = ("username", "full_name", "email", "organization_id", "locale", "role", "active")


def update_user(user: User, values: dict, scope_codes: list[str], scopes: list[UserScope]) -> User:
    """The administrator's edit of an account, from plain values; records what
    changed (field names, never values). A new role or a deactivation ends the
    user's sessions."""
    changed = []
    old_scope = sorted(s.code for s in user.scopes)
    new_scope = sorted(scope_codes)
    for name in ("username", "full_name", "email", "organization_id", "locale"):
        new = values.get(name) or None
        if name == "username":
            new = new.strip().lower()
        if getattr(user, name) != new:
            setattr(user, name, new)
            changed.append(name)
    if user.role != values["role"]:
        record("user.role_change", object_type="user", object_id=user.id,
               detail=f"from={user.role};to={values['role']}")
        user.role = values["role"]
        user.session_version += 1  # the new role applies from a fresh session
    if old_scope != new_scope:
        user.scopes = scopes
        record("user.scope_change", object_type="user", object_id=user.id,
               detail=f"units={len(new_scope)}")
    if user.active and not values["active"]:
        user.active = False
        user.session_version += 1  # ends every session of this user
        record("user.deactivate", object_type="user", object_id=user.id)
    elif not user.active and values["active"]:
        user.active = True
        user.failed_logins, user.locked_until = 0, None
        record("user.reactivate", object_type="user", object_id=user.id)
    if changed:
        record("user.update", object_type="user", object_id=user.id,
               detail="fields=" + ",".join(changed))
    return user
