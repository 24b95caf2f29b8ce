"""Audit action codes and their translated labels."""

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "auth.login": _l("Sign-in"),
    "auth.logout": _l("Sign-out"),
    "auth.lockout": _l("Account locked"),
    "auth.password_change": _l("Password changed"),
    "user.create": _l("User created"),
    "user.update": _l("User edited"),
    "user.role_change": _l("Role changed"),
    "user.scope_change": _l("Scope changed"),
    "user.deactivate": _l("User deactivated"),
    "user.reactivate": _l("User reactivated"),
    "user.password_reset": _l("Temporary password issued"),
    "organization.create": _l("Organization created"),
    "organization.update": _l("Organization edited"),
    "access.denied": _l("Access denied"),
    "keys.rotate": _l("Keys rotated"),
    "backup.create": _l("Backup made"),
    "audit.view": _l("Audit log viewed"),
    "audit.case_history": _l("Case access history viewed"),
    "audit.verify": _l("Audit chain verified"),
    "audit.export": _l("Audit log exported"),
}

# What administrators may see of the log: security events only.
SECURITY_PREFIXES = ("auth.", "user.")


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))
